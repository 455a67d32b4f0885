// Backprop, Tested as one PDF: turn the single-page HTML build into a printable book.
// Run by tools/make_pdf.py in headless Chromium after the page has loaded; the argument
// is {parts: [{caption, docnames}], lang, title, subtitle, meta: [lines], contents, pageref:
// [before, after], folded: [[pattern, replacement]], logo}: every word it writes comes from
// there, in the edition's language (tools/make_pdf.py, WORDS).
// It keeps only the article, opens every folded block, marks chapters so that each starts
// on a new page, and adds a title page and a table of contents (page numbers come later).
(args) => {
  const article = document.querySelector("article.bd-article") || document.querySelector("main");
  const body = document.body;

  // 1. Only the article: drop the theme's navigation, sidebars, header and footer.
  const keep = document.createElement("div");
  keep.className = "pdf-book";
  while (article.firstChild) keep.appendChild(article.firstChild);
  Array.from(body.children).forEach((el) => {
    if (el.tagName !== "SCRIPT") el.remove();
  });
  body.appendChild(keep);
  body.removeAttribute("data-bs-spy");
  // The edition's language (Sphinx writes it too): Chromium picks the fonts and line breaks
  // by it, and the PDF's tagged structure names it.
  if (args.lang) document.documentElement.lang = args.lang;

  // 2. Folded blocks printed open: sphinx-togglebutton's dropdowns (solutions, proofs),
  //    <details> (hidden cells, sphinx-design dropdowns).
  keep.querySelectorAll(".toggle-hidden").forEach((el) => el.classList.remove("toggle-hidden"));
  keep.querySelectorAll(".toggle-button, .toggle-button-hidden, .headerlink, .copybtn").forEach((el) => el.remove());
  keep.querySelectorAll("details").forEach((el) => (el.open = true));
  // A hidden cell's title says "Hide code cell source", a button on the site; on paper it
  // says what the block is (the first of args.folded's patterns that matches).
  keep.querySelectorAll("details.hide > summary .expanded").forEach((p) => {
    const text = p.textContent.trim();
    for (const [pattern, replacement] of args.folded) {
      const re = new RegExp(pattern);
      if (re.test(text)) {
        p.textContent = text.replace(re, replacement);
        break;
      }
    }
  });
  keep.querySelectorAll("[aria-expanded='false']").forEach((el) => el.setAttribute("aria-expanded", "true"));

  // The intro's link to this PDF means nothing inside it: drop that paragraph. The site's
  // "Start with chapter 1" button is for a screen too (paper turns to the next page).
  keep.querySelectorAll("a[href$='backprop-tested.pdf']").forEach((a) => (a.closest("p") || a).remove());
  keep.querySelectorAll("a.sd-btn").forEach((a) => (a.closest("p") || a).remove());


  // 3. Links: singlehtml writes links to other places of the book as
  //    "book/intro.html#id"; inside one PDF they are "#id".
  keep.querySelectorAll("a[href]").forEach((a) => {
    const href = a.getAttribute("href");
    const m = href.match(/^(?:\.\/)?book\/intro\.html(#.*)?$/);
    if (m) a.setAttribute("href", m[1] || "#pdf-title-page");
  });
  //    Links to a figure's image file (Sphinx wraps a scaled image in one) and to pages of
  //    the site that are not in the book (the general index) would lead to the print
  //    server, gone once the PDF is printed; the figure is on the page anyway. The link
  //    goes, its text (or image) stays.
  keep.querySelectorAll("a[href]").forEach((a) => {
    const href = a.getAttribute("href");
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return; // https:, mailto:
    if (href.startsWith("#") && document.getElementById(decodeURIComponent(href.slice(1)))) return;
    a.replaceWith(...a.childNodes);
  });
  //    A label written before a heading ("(errata-002-affine-shapes)=") is an empty
  //    <span id> in the heading's section, just before the heading; a heading never ends a
  //    page, so the span (and the section's box) can stay at the foot of the page before
  //    the heading's, and a link to it (and its "(p. N)") would lead there. The heading
  //    itself takes the label's id: the link leads where the heading is printed.
  keep.querySelectorAll("section > span[id]:empty").forEach((span) => {
    const next = span.nextElementSibling;
    if (!next || !/^H[1-6]$/.test(next.tagName) || next.id) return;
    const id = span.id;
    span.remove();
    next.id = id;
  });
  //    On paper a reader cannot click: a cross-reference made with {ref} or {doc} (the
  //    errata's "Proof: cell", "the chapter", a section's title) also gives the page it
  //    leads to, "(p. N)" (args.pageref: the words before and after N). tools/make_pdf.py
  //    fills in N, read back from a printing (the placeholder has three digits, as wide as
  //    the page numbers of this book).
  keep.querySelectorAll("a.reference.internal[href^='#']").forEach((a) => {
    if (!a.querySelector(":scope > span.std-ref, :scope > span.doc")) return;
    const ref = document.createElement("span");
    ref.className = "pdf-pageref";
    ref.dataset.target = decodeURIComponent(a.getAttribute("href").slice(1));
    const number = document.createElement("span");
    number.className = "pdf-pageref-number";
    number.textContent = "000";
    ref.append(args.pageref[0], number, args.pageref[1]);
    a.appendChild(ref);
  });

  // 4. Chapters: the root document's section, then one section after each
  //    <span id="document-..."> marker. Each becomes a top-level outline entry (h1).
  const rename = (el, tag) => {
    const n = document.createElement(tag);
    for (const attr of el.attributes) n.setAttribute(attr.name, attr.value);
    while (el.firstChild) n.appendChild(el.firstChild);
    el.replaceWith(n);
    return n;
  };
  const chapters = {};
  const rootSection = keep.querySelector("section");
  chapters[args.root] = rootSection;
  keep.querySelectorAll("span[id^='document-']").forEach((span) => {
    const section = span.nextElementSibling;
    if (section && section.tagName === "SECTION") {
      chapters[span.id.slice("document-".length)] = section;
      // A link to a whole chapter ({doc}) leads to this empty marker, which stays at the
      // foot of the page before the chapter's: it leads to the chapter's section instead.
      keep.querySelectorAll(`a[href="#${span.id}"]`).forEach((a) => {
        a.setAttribute("href", "#" + section.id);
        a.querySelectorAll(".pdf-pageref").forEach((ref) => (ref.dataset.target = section.id));
      });
    }
  });
  // The root page's own sections (h2) stay under it; the chapters (h2 in singlehtml, since
  // they sit inside the root's toctree) become h1, their sections h2, and so on.
  const shift = (section, from) => {
    section.querySelectorAll("h1, h2, h3, h4, h5, h6").forEach((h) => {
      const level = Math.max(1, parseInt(h.tagName[1], 10) - from);
      rename(h, "h" + Math.min(level, 6));
    });
  };
  Object.entries(chapters).forEach(([docname, section]) => {
    section.classList.add("pdf-chapter");
    section.dataset.docname = docname;
    if (docname !== args.root) shift(section, 1);
  });
  // Move the chapters out of the root section so that their headings are not nested in it.
  // (singlehtml writes one toctree-wrapper per part of _toc.yml.)
  const after = rootSection.nextSibling;
  rootSection.querySelectorAll(".toctree-wrapper").forEach((toctree) => {
    Array.from(toctree.children).forEach((el) => keep.insertBefore(el, after));
    toctree.remove();
  });

  const titleOf = (section) => {
    const h = section.querySelector("h1, h2");
    return h ? h.textContent.replace(/\s+/g, " ").trim() : "";
  };

  // 5. Title page and table of contents.
  const front = document.createElement("div");
  const title = document.createElement("div");
  title.className = "pdf-title-page";
  title.id = "pdf-title-page";
  title.innerHTML =
    (args.logo ? `<img src="${args.logo}" alt="">` : "") +
    `<p class="pdf-title"></p><p class="pdf-subtitle"></p><div class="pdf-meta"></div>`;
  title.querySelector(".pdf-title").textContent = args.title;
  title.querySelector(".pdf-subtitle").textContent = args.subtitle;
  title.querySelector(".pdf-meta").innerHTML = args.meta.map((l) => `<div>${l}</div>`).join("");
  front.appendChild(title);

  const contents = document.createElement("div");
  contents.className = "pdf-contents";
  contents.id = "pdf-contents";
  const heading = document.createElement("h1");
  heading.textContent = args.contents;
  contents.appendChild(heading);
  const toc = [];
  args.parts.forEach((part) => {
    if (part.caption) {
      const p = document.createElement("div");
      p.className = "pdf-part";
      p.textContent = part.caption;
      contents.appendChild(p);
    }
    const ol = document.createElement("ol");
    part.docnames.forEach((docname) => {
      const section = chapters[docname];
      if (!section) throw new Error(`chapter ${docname} not found in the single-page build`);
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "#" + section.id;
      a.textContent = titleOf(section);
      li.innerHTML = `<span class="pdf-dots"></span><span class="pdf-page" data-docname="${docname}"></span>`;
      li.prepend(a);
      ol.appendChild(li);
      toc.push({ docname, title: titleOf(section), id: section.id });
    });
    contents.appendChild(ol);
  });
  front.appendChild(contents);
  keep.prepend(...front.children);
  return toc;
};
