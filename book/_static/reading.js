/* Backprop, Tested: small aids for reading the site on a phone or a desktop.
 *
 * 1. Printed text: in a cell's printed output, lines laid out in aligned columns (a
 *    table with padded fields, an indented array or listing) keep their layout; every
 *    other line wraps (custom.css).
 * 2. Scroll cues: a box whose content is wider than the box (a wide equation, a table,
 *    a code line) scrolls inside it; while there is more to see on a side, the box gets
 *    the class bt-more-right / bt-more-left and custom.css fades its content out there.
 * 3. Folded solutions: a click or tap anywhere on a toggle's title, its link included,
 *    opens or closes it (no jump to the exercise, no error from togglebutton.js).
 * 4. The "on this page" drawer (a dialog on a phone) closes when a section is picked,
 *    and the page shows that section.
 * 5. Search results: the snippets' TeX (\(\delta\)) is shown as text (δ).
 *
 * Tests: tests/test_site_overflow.py, test_site_solutions.py, test_site_navigation.py.
 */
(function () {
  "use strict";

  const onReady = (fn) => {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  };

  /* ---------------------------------------------------------------- printed text */

  // A line of aligned columns: indented, or with a run of two or more spaces inside it.
  const isAlignedLine = (line) => /^\s+\S/.test(line) || /\S {2,}\S/.test(line);

  function layOutPrintedText() {
    document.querySelectorAll(".bd-article .cell_output .output.stream pre").forEach((pre) => {
      if (pre.dataset.btLaidOut) return;
      pre.dataset.btLaidOut = "1";
      // Only plain text (Pygments adds one empty <span>); coloured output is left alone.
      if (Array.from(pre.children).some((child) => child.textContent !== "")) return;
      const lines = pre.textContent.split("\n");
      // One aligned-looking line ("a  and  b") is a message; two or more make a table.
      if (lines.filter(isAlignedLine).length < 2) return;
      const fragment = document.createDocumentFragment();
      lines.forEach((line, i) => {
        if (i > 0) fragment.append("\n");
        if (isAlignedLine(line)) {
          const row = document.createElement("span");
          row.className = "bt-row";
          row.textContent = line;
          fragment.append(row);
        } else if (line) {
          fragment.append(line);
        }
      });
      pre.textContent = "";
      pre.append(fragment);
      pre.classList.add("bt-aligned");
    });
  }

  /* ---------------------------------------------------------------- scroll cues */

  const watched = new WeakSet();
  const resizeObserver =
    "ResizeObserver" in window ? new ResizeObserver((entries) => entries.forEach((e) => updateCue(e.target))) : null;

  function updateCue(box) {
    const hidden = box.scrollWidth - box.clientWidth;
    const more = hidden > 0;
    const left = Math.abs(box.scrollLeft);
    box.classList.toggle("bt-scrolls", more);
    box.classList.toggle("bt-more-right", more && hidden - left > 0.5);
    box.classList.toggle("bt-more-left", more && left > 0.5);
  }

  // Every box in the article that scrolls sideways (overflow-x auto or scroll), found by
  // its computed style, not by a list of classes: what the theme or a new kind of output
  // makes scrollable gets a cue too. Formulas' insides (MathJax's many elements) are skipped.
  function watchScrollBoxes() {
    const article = document.querySelector(".bd-article") || document.querySelector("main");
    if (!article) return;
    const walker = document.createTreeWalker(article, NodeFilter.SHOW_ELEMENT, {
      acceptNode: (node) =>
        node.parentElement && node.parentElement.closest("mjx-container") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
    });
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (watched.has(node)) {
        updateCue(node);
        continue;
      }
      const overflowX = getComputedStyle(node).overflowX;
      if (overflowX !== "auto" && overflowX !== "scroll") continue;
      watched.add(node);
      node.addEventListener("scroll", () => updateCue(node), { passive: true });
      if (resizeObserver) resizeObserver.observe(node);
      updateCue(node);
    }
  }

  let pending = null;
  function scheduleWatch() {
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = null;
      watchScrollBoxes();
    });
  }

  /* ---------------------------------------------------------------- folded solutions */

  function toggleAdmonition(item) {
    const button = item.querySelector(":scope > .admonition-title .toggle-button");
    if (button && typeof window.toggleHidden === "function") {
      window.toggleHidden(button);
    } else {
      item.classList.toggle("toggle-hidden");
      if (button) button.setAttribute("aria-expanded", String(!item.classList.contains("toggle-hidden")));
    }
  }

  // Capture phase, before togglebutton.js's own handler on the title: a click whose
  // target is the title itself or its button is togglebutton's to handle; any other
  // target in the title (the link to the exercise, a formula, a word in a <span>) would
  // make that handler throw, and a link would navigate. Such a click toggles here instead.
  document.addEventListener(
    "click",
    (event) => {
      const target = event.target instanceof Element ? event.target : null;
      const title = target && target.closest(".admonition.toggle > .admonition-title");
      if (!title || target === title || target.closest(".toggle-button")) return;
      event.preventDefault();
      event.stopPropagation();
      toggleAdmonition(title.parentElement);
    },
    true,
  );

  /* ---------------------------------------------------------------- drawers */

  // The theme moves a sidebar into a <dialog> on a phone and leaves it open when a link
  // to a section of this page is followed: the text stays hidden behind it. Close it;
  // the browser then scrolls to the section (and again after the theme has put the
  // sidebar back and refocused its button, in case that moved the page).
  document.addEventListener(
    "click",
    (event) => {
      const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
      const dialog = link && link.closest("dialog[open]");
      if (!dialog || !dialog.id.startsWith("pst-") || !dialog.id.endsWith("-sidebar-modal")) return;
      const url = new URL(link.href, location.href);
      const samePage = url.origin === location.origin && url.pathname === location.pathname;
      if (!samePage || !url.hash) return;
      const section = document.getElementById(decodeURIComponent(url.hash.slice(1)));
      dialog.addEventListener(
        "close",
        () => {
          if (!section) return;
          requestAnimationFrame(() => {
            const top = section.getBoundingClientRect().top;
            if (top < 0 || top > window.innerHeight / 2) section.scrollIntoView();
          });
        },
        { once: true },
      );
      dialog.close();
    },
    true,
  );

  /* ---------------------------------------------------------------- search snippets */

  const TEX_SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ϵ", varepsilon: "ε", zeta: "ζ",
    eta: "η", theta: "θ", iota: "ι", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ",
    pi: "π", rho: "ρ", sigma: "σ", tau: "τ", phi: "ϕ", varphi: "φ", chi: "χ", psi: "ψ",
    omega: "ω", Gamma: "Γ", Delta: "Δ", Theta: "Θ", Lambda: "Λ", Pi: "Π", Sigma: "Σ",
    Phi: "Φ", Psi: "Ψ", Omega: "Ω", partial: "∂", nabla: "∇", sum: "∑", prod: "∏",
    odot: "⊙", cdot: "·", times: "×", circ: "∘", ast: "∗", pm: "±", mp: "∓", to: "→",
    rightarrow: "→", leftarrow: "←", mapsto: "↦", approx: "≈", ne: "≠", neq: "≠", le: "≤",
    leq: "≤", ge: "≥", geq: "≥", ll: "≪", gg: "≫", in: "∈", infty: "∞", top: "ᵀ",
    prime: "′", dots: "…", ldots: "…", cdots: "⋯", mid: "|", lVert: "‖", rVert: "‖",
    Vert: "‖", lvert: "|", rvert: "|", langle: "⟨", rangle: "⟩", quad: " ", qquad: " ",
    sqrt: "√", int: "∫", forall: "∀", exists: "∃", lim: "lim", log: "log", ln: "ln",
    exp: "exp", max: "max", min: "min", sin: "sin", cos: "cos", tanh: "tanh", tan: "tan",
  };
  // Commands that only set style or size: dropped, their argument kept.
  const TEX_DROP = /\\(?:left|right|bigl|bigr|bigm|Bigl|Bigr|big|Big|displaystyle|textstyle|mathrm|mathsf|mathbf|mathbb|mathcal|mathit|boldsymbol|operatorname|text|texttt|textbf|textit|underbrace|overbrace|limits|nolimits)\b/g;

  // TeX (one formula, without delimiters) as plain readable text: \frac{a}{b} -> a/b,
  // \hat y -> ŷ, ^{\mathsf T} -> ᵀ, \sigma -> σ; braces and spacing commands go.
  function texToText(tex) {
    let s = tex;
    s = s.replace(/\\begin\{[a-z*]+\}|\\end\{[a-z*]+\}/g, " ").replace(/\\\\/g, "; ").replace(/&/g, " ");
    s = s.replace(/\^\s*\{?\s*\\(?:mathsf|mathrm)\s*\{?\s*T\s*\}?\s*\}?|\^\s*\{?\s*\\top\s*\}?/g, "ᵀ");
    s = s.replace(TEX_DROP, "");
    s = s.replace(/\\[,;:!> ]/g, " ").replace(/\\([{}%$#_&])/g, "$1");
    // Known symbols first (so that \frac{\partial C}{\partial w} has plain arguments).
    // (A space after a symbol only where a letter follows: "\\delta x" is "δ x", "\\delta_1" is "δ₁".)
    s = s.replace(/\\([A-Za-z]+)( ?)(?=(.?))/g, (m, name, space, next) =>
      name in TEX_SYMBOLS ? TEX_SYMBOLS[name] + (/^\p{L}+$/u.test(TEX_SYMBOLS[name]) && /[A-Za-z0-9]/.test(next) ? " " : "") : m);
    s = s.replace(/([∂∇√]) +/g, "$1").replace(/'/g, "′");
    s = s.replace(/\\[dt]?frac\s*([0-9A-Za-z])\s*([0-9A-Za-z])/g, "$1/$2");
    s = s.replace(/\\(?:hat|widehat)\s*\{?\s*([A-Za-z])(?:\s*\})?/g, "$1\u0302");
    s = s.replace(/\\(?:bar|overline)\s*\{?\s*([A-Za-z])(?:\s*\})?/g, "$1\u0304");
    for (let i = 0; i < 3; i++) {
      s = s.replace(/([\^_])\s*\{([^{}]*)\}/g, (m, op, body) => script(op, body));
      s = s.replace(/\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, (m, a, b) => `${wrap(a)}/${wrap(b)}`);
      s = s.replace(/(?<!\\[dt]?frac\s*)(?<!\}\s*)\{([^{}]*)\}/g, "$1");
    }
    s = s.replace(/([\^_])\s*([A-Za-z0-9])/g, (m, op, body) => script(op, body));
    s = s.replace(/\\([A-Za-z]+)/g, "$1").replace(/[{}\\]/g, "");
    return s.replace(/\s+/g, " ").replace(/ ([,.;:)ᵀ′]|[\u0302\u0304])/g, "$1").replace(/\( /g, "(").trim();
  }
  const SUPERSCRIPT = { 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹",
    "+": "⁺", "-": "⁻", "−": "⁻", "(": "⁽", ")": "⁾", n: "ⁿ", i: "ⁱ", l: "ˡ", T: "ᵀ" };
  const SUBSCRIPT = { 0: "₀", 1: "₁", 2: "₂", 3: "₃", 4: "₄", 5: "₅", 6: "₆", 7: "₇", 8: "₈", 9: "₉",
    "+": "₊", "-": "₋", "−": "₋", "(": "₍", ")": "₎", a: "ₐ", e: "ₑ", h: "ₕ", i: "ᵢ", j: "ⱼ",
    k: "ₖ", l: "ₗ", m: "ₘ", n: "ₙ", o: "ₒ", p: "ₚ", r: "ᵣ", s: "ₛ", t: "ₜ", u: "ᵤ", v: "ᵥ", x: "ₓ" };
  // x^{l+1} -> xˡ⁺¹ where every character has a Unicode superscript, else x^(l+1).
  function script(op, body) {
    const table = op === "^" ? SUPERSCRIPT : SUBSCRIPT;
    const chars = Array.from(body.replace(/\s+/g, ""));
    if (chars.length && chars.every((c) => c in table)) return chars.map((c) => table[c]).join("");
    const text = body.trim();
    return op + (chars.length === 1 ? text : `(${text})`);
  }
  const wrap = (part) => (/^[^\s+\-−=·×]+$/.test(part.trim()) ? part.trim() : `(${part.trim()})`);

  // Every formula of a page's text, delimited as Sphinx writes it for MathJax.
  const readableMath = (text) =>
    text
      .replace(/\\\(([\s\S]*?)\\\)/g, (m, tex) => texToText(tex))
      .replace(/\\\[([\s\S]*?)\\\]/g, (m, tex) => texToText(tex))
      .replace(/\$\$([\s\S]*?)\$\$/g, (m, tex) => texToText(tex));

  function patchSearchSnippets() {
    // searchtools.js declares `Search` (a global lexical binding) on the search page only.
    if (typeof Search === "undefined" || typeof Search.htmlToText !== "function" || Search.btReadableMath) return;
    const htmlToText = Search.htmlToText;
    Search.htmlToText = (...args) => readableMath(htmlToText(...args));
    Search.btReadableMath = true;
  }
  window.btTexToText = texToText;

  /* ---------------------------------------------------------------- start */

  onReady(() => {
    patchSearchSnippets();
    layOutPrintedText();
    scheduleWatch();
    window.addEventListener("resize", scheduleWatch, { passive: true });
    window.addEventListener("load", scheduleWatch);
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(scheduleWatch);
    // MathJax typesets after the page has loaded: its wide formulas become scroll boxes then.
    const whenTypeset = () => {
      if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
        MathJax.startup.promise.then(scheduleWatch);
        return true;
      }
      return false;
    };
    if (!whenTypeset()) window.addEventListener("load", whenTypeset);
  });
})();
