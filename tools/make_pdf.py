"""Print the whole book to one PDF: ``make pdf``.

1. ``jupyter-book build --builder singlehtml`` puts every page of ``_toc.yml``, in its
   order, into one HTML page, with MathJax served from the build (``_ext/offline_mathjax.py``).
2. Headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright; never
   ``playwright install``) opens that page from a server on 127.0.0.1, and
   ``tools/pdf/prepare.js`` keeps only the article, opens every folded block (solutions,
   proofs), drops the links that would lead to that server (a figure's image file, the
   general index), marks the cross-references that get a page number, and adds a title
   page and a table of contents; ``tools/pdf/print.css`` wraps code, fits tables, prints
   figures at their own aspect ratio and captions as dark as the text, and picks fonts
   with CJK glyphs (fonts-noto-cjk).
3. After MathJax has typeset everything and every image and font has loaded, Chromium
   prints it (``page.pdf``: A4, page numbers in the footer, PDF bookmarks from the headings,
   a named destination for every place a link leads to).
4. The page where each chapter starts is read back from those bookmarks, and the page of
   each cross-reference's target from the named destinations (pypdf); they are written
   into the table of contents and the cross-references, "(p. 37)", and the book is printed
   again until no number moves. pypdf then gives the bookmarks the headings' own titles
   (Chromium's drop the math in a heading).

Editions: ``--edition en`` (the default) prints the English book; ``--edition zh_CN`` the
Chinese one, built with the Chinese edition's configuration (``tools/build_editions.py``:
``language: zh_CN``, its title, its words for the extensions' defaults) into
``<build-dir>/zh_CN/_build/singlehtml`` (beside the Chinese site ``make book`` builds into
``<build-dir>/zh_CN/_build/html``), with every word this tool writes itself in Chinese
(:data:`WORDS`: the title page, the contents' heading, the part captions from the root
page's catalog, the page references, the folded blocks' titles).

Usage: ``python tools/make_pdf.py [--edition en|zh_CN] [--out PDF] [--build-dir _build]
[--no-build]``; the PDF goes by default to ``<build-dir>/html/backprop-tested.pdf`` (English)
or ``<build-dir>/html/zh_CN/backprop-tested.pdf`` (Chinese). Prints the PDF's path, its page
count and the time taken.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))  # beside this script, however it is loaded
from book_site import serve, toc_parts  # noqa: E402 - tools/book_site.py
from build_editions import EDITIONS, edition_config  # noqa: E402 - tools/build_editions.py

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))
from repository_url import effective_url  # noqa: E402 - the URL the site names ($BOOK_REPOSITORY_URL)

# pypdf notes harmless quirks of Chromium's PDFs ("Object count ... exceeds defined trailer size").
logging.getLogger("pypdf").setLevel(logging.ERROR)

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent / "pdf"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PDF_NAME = "backprop-tested.pdf"
#: The printable width of an A4 page with 15 mm side margins, in CSS pixels (96 per inch):
#: the page is laid out at this width so that what is measured on screen fits on paper.
PRINT_WIDTH_PX = round((210 - 2 * 15) / 25.4 * 96)
TIMEOUT_MS = 180_000
#: The footer of every page: the book's title (the page's <title>, the edition's), the page
#: number and the page count; no words of its own. Noto Sans CJK after DejaVu Sans: the
#: Chinese edition's title is drawn in a CJK font.
FOOTER = (
    '<div style="width:100%;font-size:8pt;color:#555;text-align:center;'
    "font-family:'DejaVu Sans','Noto Sans CJK SC',sans-serif;\">"
    '<span class="title"></span> · <span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)

#: Every word this tool prints into the book itself, per edition (the rest of the book is
#: the edition's own build). ``date`` formats the day of printing; ``folded`` rewrites the
#: title of a block folded on the site ("Hide code cell source", a button there): the first
#: pattern (a JavaScript regular expression) that matches the whole title wins;
#: ``pageref`` is what surrounds the page number a cross-reference gives on paper.
WORDS = {
    "en": {
        "lang": "en",
        "subtitle": "A course on the backpropagation algorithm, derived, checked and executed",
        "author": None,  # _config.yml's
        "printed": "Printed from the Jupyter Book on {date}",
        "date": lambda day: day.isoformat(),
        "contents": "Contents",
        "pageref": ["\u00a0(p.\u00a0", ")"],
        "folded": [["^Hide (.*)$", "Folded on the site: $1"]],
    },
    "zh_CN": {
        "lang": "zh-CN",
        "subtitle": "一门讲反向传播算法的课程：逐一推导，逐一检验，逐一运行",
        "author": "《反向传播，步步检验》的作者们",
        "printed": "印制自 Jupyter Book 版，{date}",
        "date": lambda day: f"{day.year} 年 {day.month} 月 {day.day} 日",
        "contents": "目录",
        "pageref": ["（第\u00a0", "\u00a0页）"],
        # myst-nb writes "{type}" of its prompts in English whatever the language
        # (build_editions: "隐藏代码单元的{type}"): on paper it is said in Chinese.
        "folded": [["^隐藏代码单元的source$", "网站上折叠：代码单元的源代码"],
                   ["^隐藏代码单元的outputs?$", "网站上折叠：代码单元的输出"],
                   ["^隐藏代码单元的content$", "网站上折叠：代码单元"],
                   ["^隐藏(.*)$", "网站上折叠：$1"]],
    },
}


def singlehtml_dir(build_dir: Path, edition: str = "en") -> Path:
    """Where the single-page build of ``edition`` goes: ``<build-dir>/singlehtml`` (English),
    ``<build-dir>/<edition>/_build/singlehtml`` (another edition, beside its site's build by
    ``tools/build_editions.py``, whose doctrees it shares)."""
    if EDITIONS[edition]["language"] == "en":
        return build_dir / "singlehtml"
    return build_dir / edition / "_build" / "singlehtml"


def build_singlehtml(build_dir: Path, edition: str = "en") -> Path:
    """Build the single-page HTML book of ``edition`` (warnings are errors); return its directory."""
    exe = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(exe) if exe.exists() else "jupyter-book", "build", str(ROOT), "--builder", "singlehtml",
           "-W", "-n", "--keep-going"]
    # Another edition: its configuration (written to <build-dir>/<edition>/_build/) and its
    # own output directory, as tools/build_editions.py builds its site.
    config = edition_config(edition, build_dir / edition)
    if config is not None:
        cmd += ["--config", str(config), "--path-output", str(build_dir / edition)]
    elif build_dir.resolve() != (ROOT / "_build").resolve():
        cmd += ["--path-output", str(build_dir.parent)]
        if build_dir.name != "_build":
            raise SystemExit("--build-dir must be a directory named _build")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or "WARNING" in proc.stderr:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-6000:])
        raise SystemExit("the single-page HTML build failed (see above)")
    return singlehtml_dir(build_dir, edition)


#: Every visible heading of the book, in document order: its level, its title as plain text
#: (math as MathJax's accessible text, without the "#" links) and, for a chapter's title,
#: the chapter's docname. Chromium makes one bookmark of each, in this order.
HEADINGS = """() => Array.from(document.querySelectorAll('.pdf-book :is(h1, h2, h3, h4, h5, h6)'))
  .filter(h => h.getClientRects().length)
  .map(h => {
    const clone = h.cloneNode(true);
    clone.querySelectorAll('mjx-container').forEach(m => {
      const mml = m.querySelector('mjx-assistive-mml');
      m.replaceWith(document.createTextNode(mml ? mml.textContent : ''));
    });
    clone.querySelectorAll('.headerlink').forEach(e => e.remove());
    const chapter = h.closest('section.pdf-chapter');
    const first = chapter && chapter.querySelector(':is(h1, h2, h3, h4, h5, h6)') === h;
    return {level: parseInt(h.tagName[1], 10), title: clone.textContent.replace(/\\s+/g, ' ').trim(),
            docname: first ? chapter.dataset.docname : null};
  })"""


def bookmark_positions(pdf: Path) -> list[tuple[int, float | None, float | None]]:
    """Chromium's bookmarks, depth first: (page index, left, top) of each."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    out = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append((reader.get_destination_page_number(item), item.get("/Left"), item.get("/Top")))

    walk(reader.outline)
    return out


def chapter_pages(pdf: Path, headings: list[dict]) -> dict[str, int]:
    """Page (1-based) where each chapter starts, from the PDF's bookmarks."""
    positions = bookmark_positions(pdf)
    if len(positions) != len(headings):
        raise RuntimeError(f"{len(positions)} bookmarks in the PDF for {len(headings)} headings")
    return {h["docname"]: pos[0] + 1 for h, pos in zip(headings, positions) if h["docname"]}


def write_bookmarks(pdf: Path, headings: list[dict]) -> None:
    """Replace Chromium's bookmark titles (which drop math and the spaces where a heading
    wraps, and sometimes repeat words) with the headings' own text, nested by level."""
    from pypdf import PdfWriter
    from pypdf.generic import Fit, NameObject

    positions = bookmark_positions(pdf)
    writer = PdfWriter(clone_from=str(pdf))
    if NameObject("/Outlines") in writer._root_object:
        del writer._root_object[NameObject("/Outlines")]
    stack: list[tuple[int, object]] = []  # (level, outline item) of the open ancestors
    for h, (page, left, top) in zip(headings, positions):
        while stack and stack[-1][0] >= h["level"]:
            stack.pop()
        parent = stack[-1][1] if stack else None
        fit = Fit.xyz(left=left, top=top) if top is not None else Fit.fit()
        item = writer.add_outline_item(title=h["title"], page_number=page, parent=parent, fit=fit)
        stack.append((h["level"], item))
    writer.page_mode = "/UseOutlines"
    with open(pdf, "wb") as fh:
        writer.write(fh)


def caption_translator(edition: str):
    """The translation of ``_toc.yml``'s part captions into ``edition``'s language: the root
    page's catalog holds them as messages (``_ext/notebook_i18n.py`` translates them on the
    site from the same catalog). A caption without a translation stays as it is."""
    language = EDITIONS[edition]["language"]
    if language == "en":
        return lambda caption: caption
    import polib

    root, _ = toc_parts()
    catalog = ROOT / "locale" / language / "LC_MESSAGES" / f"{root}.po"
    table = {e.msgid: e.msgstr for e in polib.pofile(str(catalog))
             if e.msgstr and not e.obsolete and "fuzzy" not in e.flags}
    return lambda caption: table.get(caption, caption)


def book_args(singlehtml: Path, edition: str = "en") -> dict:
    """What ``prepare.js`` needs: the parts of ``_toc.yml`` (their captions in the edition's
    language), the title page's lines and the words the tool writes (:data:`WORDS`)."""
    root, parts = toc_parts()
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    words = WORDS[edition]
    translate = caption_translator(edition)
    parts = [{**part, "caption": translate(part["caption"]) if part["caption"] else part["caption"]}
             for part in parts]
    return {
        "root": root,
        "parts": parts,
        "lang": words["lang"],
        "title": EDITIONS[edition]["title"] or config.get("title", "Backprop, Tested"),
        "subtitle": words["subtitle"],
        "meta": [
            words["author"] or config.get("author", ""),
            f"© {config.get('copyright', '')}",
            words["printed"].format(date=words["date"](dt.date.today())),
            effective_url(config.get("repository", {}).get("url", "")),
        ],
        "contents": words["contents"],
        "pageref": words["pageref"],
        "folded": words["folded"],
        "logo": "_static/logo.png" if (singlehtml / "_static" / "logo.png").is_file() else "",
    }


@contextmanager
def book_page(singlehtml: Path, edition: str = "en") -> Iterator[tuple[object, list[dict]]]:
    """Open the single-page book in headless Chromium, ready to print: yield (the
    Playwright page, the contents' entries). Raises SystemExit if anything would print
    wrong (math not typeset, an image missing, a script error, a distorted figure)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium fonts-noto-cjk")
    args = book_args(singlehtml, edition)
    page_file = singlehtml / f"{args['root']}.html"
    # singlehtml writes the root page where the root document lives (book/intro.html) but
    # makes its links relative to the build's top: serve a copy from there.
    shutil.copyfile(page_file, singlehtml / "_pdf.html")
    prepare = (HERE / "prepare.js").read_text(encoding="utf-8")
    css = (HERE / "print.css").read_text(encoding="utf-8")
    try:
        with serve(singlehtml) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": 1100})
                page.set_default_timeout(TIMEOUT_MS)
                errors: list[str] = []
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                # singlehtml links a search index it does not write: the PDF has no search box.
                page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}")
                        if r.url.startswith(base) and not r.url.endswith("searchindex.js") else None)
                page.emulate_media(media="print")
                page.goto(base + "_pdf.html", wait_until="load")
                toc = page.evaluate(prepare, args)
                page.add_style_tag(content=css)
                # MathJax: wait for the first typesetting, then typeset again (nothing moved out
                # of reach of it, but this also waits for any pending retypeset).
                page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
                page.evaluate("() => MathJax.startup.promise.then(() => MathJax.typesetPromise ? MathJax.typesetPromise() : null)")
                page.evaluate(
                    """() => Promise.all(Array.from(document.images).map(img => img.complete ? null :
                           new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })))"""
                )
                page.evaluate("() => document.fonts.ready")
                # No shadows: Chromium prints each as a bitmap (large, and no figure of the book).
                # The theme's are `!important`; only an inline `!important` beats them.
                page.evaluate(
                    """() => document.querySelectorAll('*').forEach(el => {
                           if (getComputedStyle(el).boxShadow !== 'none') el.style.setProperty('box-shadow', 'none', 'important');
                       })"""
                )
                page.evaluate(FIT_IMAGES, FIGURE_MAX_HEIGHT_PX)
                shrunk = page.evaluate(SHRINK_WIDE)
                if shrunk:
                    print(f"scaled down to the text width: {len(shrunk)} element(s), e.g. {shrunk[:4]}", file=sys.stderr)
                overflow = page.evaluate(OVERFLOWING)
                if overflow:
                    print(f"past the right margin: {overflow[:8]}", file=sys.stderr)
                raw = page.evaluate(
                    """() => Array.from(document.querySelectorAll('.math'))
                         .filter(el => !el.querySelector('mjx-container')).length"""
                )
                broken = page.evaluate("() => Array.from(document.images).filter(i => !i.naturalWidth).map(i => i.src)")
                distorted = page.evaluate(DISTORTED_IMAGES)
                if raw or broken or errors or distorted:
                    raise SystemExit(f"not printable: {raw} math element(s) not typeset, images not loaded: {broken}, "
                                     f"images not at their own aspect ratio: {distorted[:5]}, errors: {errors[:5]}")
                yield page, toc
            finally:
                browser.close()
    finally:
        (singlehtml / "_pdf.html").unlink(missing_ok=True)


def destination_pages(pdf: Path) -> dict[str, int]:
    """The page (1-based) of every named destination of the PDF: Chromium makes one of
    each element id that a link of the book points at."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    return {name.lstrip("/"): reader.get_destination_page_number(dest) + 1
            for name, dest in reader.named_destinations.items()}


#: How many times the book may be printed before its page references stop moving.
MAX_PRINTINGS = 4


def print_book(singlehtml: Path, out: Path, edition: str = "en") -> int:
    """Print the single-page book in ``singlehtml`` to ``out``; return the page count.

    The book is printed until the page numbers written into it (the contents' and the
    cross-references') are those of the printing they are in: the first printing has
    placeholders, each later one the pages read back from the one before.
    """
    from pypdf import PdfReader

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.pdf")
    pdf_options = dict(
        format="A4",
        margin={"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"},
        print_background=True,
        display_header_footer=True,
        header_template="<span></span>",
        footer_template=FOOTER,
        prefer_css_page_size=False,
        outline=True,
        tagged=True,
    )
    with book_page(singlehtml, edition) as (page, toc):
        headings = page.evaluate(HEADINGS)
        targets = page.evaluate(PAGE_REFERENCE_TARGETS)
        printed: tuple[dict, dict] = ({}, {})  # (chapter pages, reference pages) written into the page
        for printing in range(1, MAX_PRINTINGS + 1):
            page.pdf(path=str(tmp), **pdf_options)
            chapters = chapter_pages(tmp, headings)
            destinations = destination_pages(tmp)
            missing = sorted(set(targets) - set(destinations))
            if missing:
                raise RuntimeError(f"no destination in the PDF for the cross-references to {missing[:8]}")
            found = (chapters, {t: destinations[t] for t in targets})
            if found == printed:
                print(f"printed {printing} times: {len(found[1])} cross-reference target(s) with their pages",
                      file=sys.stderr)
                break
            page.evaluate(FILL_PAGE_NUMBERS, {"chapters": found[0], "targets": found[1]})
            printed = found
        else:
            raise RuntimeError(f"the page numbers still moved after {MAX_PRINTINGS} printings")
        missing = [entry["docname"] for entry in toc if entry["docname"] not in chapters]
        if missing:
            raise RuntimeError(f"no bookmark for the chapters {missing}")
        local = page.evaluate(LOCAL_LINKS)
        if local:
            raise RuntimeError(f"links that lead out of the PDF to the print server: {local[:8]}")
    write_bookmarks(tmp, headings)
    tmp.replace(out)
    return len(PdfReader(str(out)).pages)


#: The tallest a figure may print (CSS pixels): 150 mm, so that a tall figure leaves room
#: on its page for its caption.
FIGURE_MAX_HEIGHT_PX = 150 / 25.4 * 96

#: A figure taller than that is narrowed, at its own aspect ratio. (A CSS max-height
#: would squash it: the width myst-nb writes inline would stay.)
FIT_IMAGES = """(maxHeight) => Array.from(document.querySelectorAll('.pdf-book img'))
  .filter(img => img.naturalWidth && img.naturalHeight && !img.closest('.pdf-title-page'))
  .forEach(img => {
    if (img.getBoundingClientRect().height > maxHeight + 0.5)
      img.style.setProperty('width', (maxHeight * img.naturalWidth / img.naturalHeight).toFixed(2) + 'px', 'important');
  })"""

#: Images drawn at another aspect ratio than their own (more than 1% off): "src: ratio".
DISTORTED_IMAGES = """() => Array.from(document.querySelectorAll('.pdf-book img'))
  .filter(img => img.naturalWidth && img.naturalHeight && img.getClientRects().length)
  .map(img => { const r = img.getBoundingClientRect();
                return [img.getAttribute('src'), (r.width / r.height) / (img.naturalWidth / img.naturalHeight)]; })
  .filter(([, ratio]) => Math.abs(ratio - 1) > 0.01)
  .map(([src, ratio]) => `${src}: ${ratio.toFixed(3)}`)"""

#: The ids that cross-references with a page number (prepare.js) lead to.
PAGE_REFERENCE_TARGETS = """() => Array.from(new Set(Array.from(document.querySelectorAll('.pdf-pageref'))
  .map(el => el.dataset.target)))"""

#: Write the pages read back from a printing into the contents and the cross-references.
FILL_PAGE_NUMBERS = """({chapters, targets}) => {
  document.querySelectorAll('.pdf-contents .pdf-page').forEach(el => { el.textContent = chapters[el.dataset.docname]; });
  document.querySelectorAll('.pdf-pageref').forEach(el => {
    el.querySelector('.pdf-pageref-number').textContent = targets[el.dataset.target]; });
}"""

#: Links that would lead out of the PDF to the print server (anything on 127.0.0.1 that is
#: not a place in this page): none may be left.
LOCAL_LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
  .map(a => new URL(a.href))
  .filter(u => u.origin === location.origin && !(u.pathname === location.pathname && u.hash))
  .map(u => u.href)"""


#: Anything still wider than the text column (a display equation, a table, a wide output)
#: is scaled down with CSS zoom until it fits: nothing runs past the right margin.
SHRINK_WIDE = """() => {
  const width = document.querySelector('.pdf-book').clientWidth;
  const wide = Array.from(document.querySelectorAll(
      'mjx-container[display="true"], table, .cell_output .output, div.highlight, img, svg, figure'))
    .filter(el => el.getBoundingClientRect().width > width + 1 || el.scrollWidth > el.clientWidth + 1);
  const shrunk = [];
  for (const el of wide) {
    const w = Math.max(el.scrollWidth, el.getBoundingClientRect().width);
    if (w <= width + 1) continue;
    el.style.zoom = (width / w).toFixed(3);
    shrunk.push(el.tagName + '.' + el.className);
  }
  return shrunk;
}"""


#: Visible elements whose right edge is past the text column's (nothing should be).
OVERFLOWING = """() => {
  const right = document.querySelector('.pdf-book').getBoundingClientRect().right + 2;
  return Array.from(document.querySelectorAll('.pdf-book *'))
    .filter(el => !el.closest('mjx-assistive-mml') && el.getClientRects().length
                  && el.getBoundingClientRect().right > right)
    .map(el => el.tagName + '.' + el.className + ': ' + (el.textContent || '').trim().slice(0, 40));
}"""


def default_pdf(build_dir: Path, edition: str = "en") -> Path:
    """Where ``make pdf`` puts an edition's PDF: in that edition's directory of the site."""
    return build_dir / "html" / EDITIONS[edition]["subdir"] / PDF_NAME


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edition", choices=list(EDITIONS), default="en",
                        help="the edition to print (default: en)")
    parser.add_argument("--build-dir", type=Path, default=ROOT / "_build", help="Jupyter Book's _build directory")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"the PDF (default: <build-dir>/html/{PDF_NAME}, "
                             f"for zh_CN <build-dir>/html/zh_CN/{PDF_NAME})")
    parser.add_argument("--no-build", action="store_true", help="print the existing singlehtml build")
    opts = parser.parse_args(argv)
    start = time.monotonic()
    singlehtml = singlehtml_dir(opts.build_dir, opts.edition)
    if not opts.no_build:
        singlehtml = build_singlehtml(opts.build_dir, opts.edition)
    out = opts.out or default_pdf(opts.build_dir, opts.edition)
    n = print_book(singlehtml, out, opts.edition)
    print(f"{out}: {n} pages, in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
