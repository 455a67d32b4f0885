"""The book builds with no warnings (Sphinx ``-W -n``) and renders in a real browser.

The build (fixture ``built_book`` in ``conftest.py``) goes to a temporary
directory, so running the tests never touches the book in ``_build/html``.
With ``execute_notebooks: off`` the book shows the outputs stored in the
notebooks, the same outputs nbval compares.

The browser tests serve that build from 127.0.0.1 and open every page of the
table of contents in headless Chromium (Debian's ``/usr/bin/chromium``, driven
by Playwright for Python; never ``playwright install``); their fixtures are in
``conftest.py`` and their helpers in ``site_browser.py``, so that browser tests
of other subjects live in files of their own (each pytest-xdist worker builds the
book once, in about 20 s).  Full-page screenshots go to ``_build/screenshots/``
(or ``$BOOK_SCREENSHOTS``).  Without Chromium or Playwright the browser tests
are skipped with the reason, except in CI (``$CI`` set) or when
``/usr/bin/chromium`` exists: then they must run, and fail instead.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin

import numpy as np
import pytest
import yaml
from repository import owner_and_name, repository_url, url_problems
from site_browser import (
    _CUT_MATH_JS,
    RAW_MYST,
    RAW_TABLE,
    DESKTOP,
    DOCNAMES,
    PHONE,
    TIMEOUT_MS,
    PageLog,
    fetch,
    ids,
    open_page,
    wait_for_mathjax,
)
from tool_modules import load_tool

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- build


@pytest.mark.book
def test_book_builds_without_warnings(built_book):
    proc, html = built_book
    assert proc.returncode == 0, f"jupyter-book build failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
    assert "WARNING" not in proc.stderr, proc.stderr[-6000:]
    assert (html / "index.html").is_file()


@pytest.mark.book
def test_every_toc_entry_is_rendered(built_book):
    _, html = built_book
    assert len(DOCNAMES) >= 2 and DOCNAMES[0] == "book/intro"
    for name in DOCNAMES:
        assert (html / f"{name}.html").is_file(), f"{name} is in _toc.yml but was not rendered"


@pytest.mark.book
def test_mathjax_is_served_from_the_site(built_book):
    _, html = built_book
    assert (html / "mathjax" / "tex-mml-chtml.js").is_file()
    page = (html / "book" / "chain_rule.html").read_text()
    assert "mathjax/tex-mml-chtml.js" in page
    assert "cdn.jsdelivr.net/npm/mathjax" not in page


@pytest.mark.book
def test_logo_favicon_and_launch_buttons(built_book):
    _, html = built_book
    page = (html / "book" / "chain_rule.html").read_text()
    assert re.search(r'<link rel="icon" href="[./]*_static/favicon\.png', page)
    assert re.search(r'<img src="[./]*_static/logo\.png" class="logo__image', page)
    for name in ("logo.png", "favicon.png", "custom.css"):
        assert (html / "_static" / name).is_file(), name
    # Browsers ask for /favicon.ico on pages that link no icon (the root redirect).
    assert (html / "favicon.ico").is_file()
    # Launch (Binder, Colab) and "download .ipynb" buttons on a notebook page, built from
    # the repository URL of _config.yml.
    repo = "/".join(owner_and_name(repository_url()))
    assert f"mybinder.org/v2/gh/{repo}/main?urlpath=lab/tree/book/chain_rule.ipynb" in page
    assert f"colab.research.google.com/github/{repo}/blob/main/book/chain_rule.ipynb" in page
    assert '_sources/book/chain_rule.ipynb"' in page
    assert (html / "_sources" / "book" / "chain_rule.ipynb").is_file()


@pytest.mark.book
def test_repository_url_in_the_built_book(built_book):
    """Every page's repository, issues and launch buttons, and every link to the project,
    use repository.url from _config.yml (tests/test_repository_url.py checks the sources)."""
    _, html = built_book
    url = repository_url()
    problems = []
    for name in DOCNAMES:
        page = html_lib.unescape((html / f"{name}.html").read_text(encoding="utf-8"))
        problems += url_problems(page, url, name)
        hrefs = re.findall(r'href="([^"]+)"', page)
        if url not in hrefs:
            problems.append(f"{name}: no repository button linking to {url}")
        if not any(h.startswith(f"{url}/issues/new?") for h in hrefs):
            problems.append(f"{name}: no 'open an issue' button on {url}")
    assert not problems, "\n  ".join(problems)


def test_intro_chapter_map_lists_every_chapter():
    """The intro's chapter map has one row per numbered chapter of _toc.yml, in order, and
    then one row naming every audit page (the unnumbered part), in order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))

    def pages(numbered: bool) -> list[str]:
        return [Path(ch["file"]).with_suffix("").name for part in toc["parts"]
                if bool(part.get("numbered")) is numbered and "caption" in part
                and (numbered or "audited" in part["caption"]) for ch in part["chapters"]]

    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    chapter_map = intro.split("## Chapter map", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\* - (\{doc\}`.*)$", chapter_map, flags=re.M)
    first = [re.match(r"\{doc\}`([^`]+)`", row).group(1) for row in rows]
    chapters, audits = pages(True), pages(False)
    assert first[:-1] == chapters, f"the chapter map lists {first[:-1]}; _toc.yml numbers {chapters}"
    assert re.findall(r"\{doc\}`([^`]+)`", rows[-1]) == audits, (
        f"the chapter map's last row names {rows[-1]!r}; the audit pages are {audits}")


def test_logo_images_are_what_make_logo_draws(tmp_path):
    """The committed PNGs match a fresh run of tools/make_logo.py (pixel by pixel, nearly)."""
    from PIL import Image

    make_logo = load_tool("make_logo")
    for fresh in make_logo.main(tmp_path, tmp_path):
        folder = "_extra" if fresh.suffix == ".ico" else "_static"
        committed = ROOT / "book" / folder / fresh.name
        a = np.asarray(Image.open(committed).convert("RGBA"), dtype=float)
        b = np.asarray(Image.open(fresh).convert("RGBA"), dtype=float)
        assert a.shape == b.shape, f"{fresh.name}: committed {a.shape}, drawn {b.shape}; rerun tools/make_logo.py"
        assert np.abs(a - b).mean() < 2.0, f"{fresh.name} differs from what tools/make_logo.py draws"


# ------------------------------------------------------------- pages' own claims


def test_preface_quotes_what_the_checkers_print(capsys):
    """The preface shows two checker lines; they must be what the checkers print."""
    from bplib.exercises import check

    preface = (ROOT / "book" / "preface.md").read_text(encoding="utf-8")
    assert check.tanh_prime(lambda z: 1.0 - np.tanh(z) ** 2)
    assert not check.sigmoid_prime(lambda x: x * (1 - x))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert line in preface, f"preface.md should quote the checker's line {line!r}"


def test_pytorch_page_code_runs():
    """Run every ``python`` block of book/pytorch.md, in order, with its asserts."""
    pytest.importorskip("torch", reason="PyTorch is not installed (it is optional): pytorch.md not run")
    text = (ROOT / "book" / "pytorch.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    assert len(blocks) >= 4
    exec(compile("\n".join(blocks), str(ROOT / "book" / "pytorch.md"), "exec"), {"__name__": "pytorch_md"})


# ------------------------------------------------------------------- the browser


def _check_page(page, log: PageLog, site: str, docname: str, screenshot_dir: Path) -> list[str]:
    """Every check of one page; returns the list of problems found."""
    problems: list[str] = []
    url = page.url

    # Math: typeset, nothing raw left, no TeX errors.
    has_math = page.evaluate("() => document.querySelectorAll('.math, .output_latex, .output.text_latex').length > 0")
    if has_math:
        wait_for_mathjax(page)
        n_mjx = page.evaluate("() => document.querySelectorAll('mjx-container').length")
        if n_mjx == 0:
            problems.append("page has math but no mjx-container: MathJax did not typeset")
        raw = page.evaluate(
            """() => Array.from(document.querySelectorAll('.math'))
                 .filter(el => !el.querySelector('mjx-container'))
                 .map(el => el.textContent.trim().slice(0, 80))"""
        )
        if raw:
            problems.append(f"{len(raw)} math element(s) not typeset, e.g. {raw[:3]}")
        # TeX errors, and undefined macros (MathJax's noundefined shows them as red text).
        errors = page.evaluate(
            """() => Array.from(document.querySelectorAll('mjx-merror, mjx-assistive-mml mtext[mathcolor="red"]'))
                 .map(e => e.textContent)"""
        )
        if errors:
            problems.append(f"MathJax errors or undefined macros: {errors[:3]}")
    # Text outside code: a `$$` shown as code is fine, one left in prose is not.
    text = page.evaluate(
        """() => { const main = (document.querySelector('main') || document.body).cloneNode(true);
                   main.querySelectorAll('pre, code, .highlight').forEach(e => e.remove());
                   return main.textContent; }"""
    )
    if "$$" in text:
        i = text.index("$$")
        problems.append(f"raw $$ left in the text: {text[max(0, i - 60): i + 60]!r}")

    # Images: every one loaded (wait for lazy/pending ones first).
    page.evaluate(
        """() => Promise.all(Array.from(document.images).map(img => img.complete ? null :
               new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })))"""
    )
    broken = page.evaluate(
        "() => Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    if broken:
        problems.append(f"images not loaded: {broken}")

    # Internal links: the target page exists, and so does the anchor in it.
    hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    for href in sorted(set(hrefs)):
        if not href.startswith(site):
            continue
        target, anchor = urldefrag(href)
        target = target.split("?", 1)[0]
        status, body = fetch(target)
        if status != 200:
            problems.append(f"link to {href} from {docname}: HTTP {status}")
            continue
        if anchor and body and unquote(anchor) not in ids(body):
            problems.append(f"link to {href} from {docname}: no element with id {unquote(anchor)!r}")

    page.screenshot(path=str(screenshot_dir / f"{docname.replace('/', '__')}.png"), full_page=True)
    problems += [p for p in dict.fromkeys(log.problems)]
    if log.external:
        problems.append(f"requests left 127.0.0.1: {sorted(set(log.external))[:5]}")
    return problems


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", DOCNAMES)
def test_page_renders_in_browser(browser, site, screenshot_dir, docname):
    """No console errors or failed requests, images loaded, math typeset, links resolve."""
    page, log = open_page(browser, site, f"{docname}.html")
    try:
        problems = _check_page(page, log, site, docname, screenshot_dir)
    finally:
        page.close()
    assert not problems, f"{docname}:\n  " + "\n  ".join(problems)


@pytest.mark.book
@pytest.mark.browser
def test_index_redirects_to_the_first_page(browser, site):
    page, log = open_page(browser, site, "index.html")
    try:
        page.wait_for_url(re.compile(r".*/book/intro\.html$"), timeout=TIMEOUT_MS)
    finally:
        page.close()
    assert not log.problems


@pytest.mark.book
@pytest.mark.browser
def test_search_finds_sigmoid(browser, site, screenshot_dir):
    page, log = open_page(browser, site, "search.html?q=sigmoid")
    try:
        page.wait_for_selector("#search-results ul.search li", timeout=TIMEOUT_MS)
        results = page.evaluate(
            "() => Array.from(document.querySelectorAll('#search-results ul.search li a')).map(a => a.href)"
        )
        page.screenshot(path=str(screenshot_dir / "search_sigmoid.png"), full_page=True)
    finally:
        page.close()
    assert any("/book/chain_rule.html" in r for r in results), results
    assert not log.problems, log.problems


# ------------------------------------------------------- a reader on a phone and a desktop

#: Pages checked at phone width: the table of contents and the generated index.
NARROW_PAGES = DOCNAMES + ["genindex"]

#: Alt text that only names a file (myst-nb's default is the image's path) or a hash.
FILE_ALT = re.compile(r"(^|/)_images/|\.(?:png|jpe?g|svg|gif)$|[0-9a-f]{16,}", re.I)

# Chapters whose stored outputs fail a check today, in a way that only the notebook can
# fix. strict=True: once a notebook is fixed the mark must go (an XPASS fails the test).
NOTEBOOK_FIXES: dict[tuple[str, str], str] = {}   # every chapter's figures are fixed


def _params(check: str, names: list[str]) -> list:
    return [
        pytest.param(
            name,
            marks=pytest.mark.xfail(strict=True, reason=NOTEBOOK_FIXES[(check, name)])
            if (check, name) in NOTEBOOK_FIXES
            else (),
        )
        for name in names
    ]


# Which element makes the page wider than the window: walk down from <body>, hiding one
# child at a time, to the innermost element whose removal stops the sideways scroll.
_WIDENER_JS = """() => {
  const W = window.innerWidth, path = [];
  const wide = () => document.documentElement.scrollWidth > W;
  let node = document.body;
  for (;;) {
    let culprit = null;
    for (const child of node.children) {
      const old = child.style.display;
      child.style.display = 'none';
      const fits = !wide();
      child.style.display = old;
      if (fits) { culprit = child; break; }
    }
    if (!culprit) break;
    path.push(culprit.tagName.toLowerCase() + (culprit.id ? '#' + culprit.id : '')
      + (culprit.className && typeof culprit.className === 'string'
         ? '.' + culprit.className.trim().split(/\\s+/).join('.') : '')
      + ' "' + (culprit.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60) + '"');
    node = culprit;
  }
  return path.slice(-3);
}"""

# The page's text outside code (where `$$`, ``` or `| --- |` may legitimately be shown).
_PROSE_JS = """() => {
  const main = (document.querySelector('main') || document.body).cloneNode(true);
  main.querySelectorAll('pre, code, .highlight, script, style').forEach(e => e.remove());
  return main.textContent;
}"""


def _measure_narrow(browser, site: str, docname: str, screenshot_dir: Path) -> dict:
    """Open ``docname`` at phone width once it is typeset and loaded; measure what the
    narrow-page tests check."""
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.set_default_timeout(TIMEOUT_MS)
    log = PageLog(page, site)
    try:
        page.goto(urljoin(site, f"{docname}.html"), wait_until="load")
        if page.evaluate("() => document.querySelectorAll('.math, .output_latex, .text_latex').length > 0"):
            wait_for_mathjax(page)
        page.evaluate(
            """() => Promise.all(Array.from(document.images).map(img => img.complete ? null :
                   new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })))"""
        )
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        result = {
            "scroll_width": widths[0],
            "inner_width": widths[1],
            "widener": page.evaluate(_WIDENER_JS) if widths[0] > widths[1] else [],
            "prose": page.evaluate(_PROSE_JS),
            "tables": page.evaluate("() => document.querySelectorAll('.bd-article table').length"),
            # Headings a cell prints (rubrics) against the body text's size, in px.
            "output_headings": page.evaluate(
                """() => Array.from(document.querySelectorAll(
                       '.bd-article .cell_output :is(h1, h2, h3, h4, h5, h6)'))
                     .map(h => [h.textContent.trim().slice(0, 60), parseFloat(getComputedStyle(h).fontSize)])"""
            ),
            "body_font_px": page.evaluate(
                "() => parseFloat(getComputedStyle(document.querySelector('.bd-article p') || document.body).fontSize)"
            ),
            # Inline formulas that run past the article's right edge (an inline formula
            # cannot scroll or wrap, so its end is cut off), and display formulas wider
            # than their box (they scroll: readable, but a phone reader must swipe).
            "cut_math": page.evaluate(_CUT_MATH_JS),
            "images": page.evaluate(
                """() => Array.from(document.querySelectorAll('.bd-article img')).map(img => ({
                       src: img.getAttribute('src'), alt: img.getAttribute('alt'),
                       loaded: img.complete && img.naturalWidth > 0}))"""
            ),
        }
        page.screenshot(path=str(screenshot_dir / f"{docname.replace('/', '__')}@390.png"), full_page=True)
        result["problems"] = list(dict.fromkeys(log.problems))
        return result
    finally:
        page.close()


@pytest.fixture(scope="module")
def narrow(browser, site, screenshot_dir):
    """``narrow(docname)``: the page's measurements at 390 px, each page opened once."""
    cache: dict[str, dict] = {}

    def get(docname: str) -> dict:
        if docname not in cache:
            cache[docname] = _measure_narrow(browser, site, docname, screenshot_dir)
        return cache[docname]

    return get


def _snippet(text: str, match: re.Match) -> str:
    return " ".join(text[max(0, match.start() - 50): match.end() + 50].split())


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", _params("scroll", NARROW_PAGES))
def test_no_page_scrolls_sideways_on_a_phone(narrow, docname):
    """At 390 px the page is no wider than the window: long headings wrap, code, math and
    wide tables scroll inside their own box (book/_static/custom.css)."""
    m = narrow(docname)
    assert not m["problems"], m["problems"]
    assert m["scroll_width"] <= m["inner_width"], (
        f"{docname} is {m['scroll_width']} px wide in a {m['inner_width']} px window; "
        f"the widest element: {m['widener']}"
    )


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", _params("math", NARROW_PAGES))
def test_formulas_fit_the_column_on_a_phone(narrow, docname):
    """At 390 px no formula of the text is cut off at the right edge (an inline formula
    cannot wrap or scroll) and no display formula needs a swipe: a long one is broken
    into aligned lines or set as display math. SymPy's printed outputs may scroll."""
    cut = narrow(docname)["cut_math"]
    assert not cut, f"{docname}: formulas wider than the column at 390 px: {cut}"


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", _params("tables", NARROW_PAGES))
def test_tables_render_as_tables(narrow, docname):
    """No Markdown table is left as ``| --- |`` text (the chapter 7 benchmark report is
    Markdown a cell displays: nb_render_markdown_format: myst), and headings that a cell
    prints are no bigger than a subsection's, not at page-title size."""
    m = narrow(docname)
    raw = [_snippet(m["prose"], hit) for hit in RAW_TABLE.finditer(m["prose"])]
    assert not raw, f"{docname}: {len(raw)} table row(s) shown as text, e.g. {raw[:2]}"
    big = [(text, px) for text, px in m["output_headings"] if px > 1.25 * m["body_font_px"]]
    assert not big, f"{docname}: headings in cell outputs at {big[0][1]} px (body {m['body_font_px']} px): {big[:3]}"


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", _params("figures", NARROW_PAGES))
def test_figures_are_loaded_with_real_alt_text(narrow, docname):
    """Every image in the article loads and has alt text that describes it: not empty,
    not the image's file name or hash (myst-nb's default for a cell's figure)."""
    m = narrow(docname)
    broken = [img["src"] for img in m["images"] if not img["loaded"]]
    assert not broken, f"{docname}: images not loaded: {broken}"
    bad = [
        (img["src"].rsplit("/", 1)[-1][:20], img["alt"])
        for img in m["images"]
        if not img["alt"] or len(img["alt"].split()) < 3 or FILE_ALT.search(img["alt"].strip())
    ]
    assert not bad, f"{docname}: {len(bad)} image(s) without a real alt text (src, alt): {bad}"


@pytest.fixture(scope="module")
def desktop_figures(browser, site):
    """``desktop_figures(docname)``: each article image at 1280 px: its natural and shown
    widths and the caption of the figure it is in."""
    cache: dict[str, list[dict]] = {}

    def get(docname: str) -> list[dict]:
        if docname not in cache:
            page, _ = open_page(browser, site, f"{docname}.html")
            try:
                page.evaluate(
                    """() => Promise.all(Array.from(document.images).map(img => img.complete ? null :
                           new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })))"""
                )
                cache[docname] = page.evaluate(
                    """() => Array.from(document.querySelectorAll('.bd-article img')).map(img => {
                           const fig = img.closest('figure');
                           const cap = fig && fig.querySelector('figcaption');
                           return {src: img.getAttribute('src'), natural: img.naturalWidth,
                                   shown: img.getBoundingClientRect().width,
                                   caption: cap ? cap.textContent.trim().replace(/\\s+/g, ' ') : null};
                       })"""
                )
            finally:
                page.close()
        return cache[docname]

    return get


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", _params("figure_quality", NARROW_PAGES))
def test_figures_have_numbered_captions_and_2x_density(narrow, desktop_figures, docname):
    """On a desktop (1280 px) every figure is numbered and captioned ("Fig. 4.1 ..."), and
    is an SVG or a bitmap with at least two image pixels per CSS pixel as shown, so that it
    stays sharp on a high-density screen and its labels can be read."""
    if not narrow(docname)["images"]:
        return
    problems = []
    for img in desktop_figures(docname):
        name = img["src"].rsplit("/", 1)[-1][:20]
        if not img["caption"] or not re.match(r"Fig(ure)?\.? ?\d", img["caption"]):
            problems.append(f"{name}: no numbered caption (caption: {img['caption']!r})")
        if not img["src"].lower().endswith(".svg") and img["natural"] < 1.95 * img["shown"]:
            problems.append(f"{name}: {img['natural']} px shown at {img['shown']:.0f} CSS px (< 2x)")
    assert not problems, f"{docname}: " + "; ".join(problems)


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", _params("myst", NARROW_PAGES))
def test_no_raw_myst_in_the_text(narrow, docname):
    """No MyST left unparsed in the page's text: no ``` or ::: fences, no
    {solution-start}/{exercise-start} markers, no unrendered {role}`...`."""
    m = narrow(docname)
    raw = [_snippet(m["prose"], hit) for hit in RAW_MYST.finditer(m["prose"])]
    assert not raw, f"{docname}: raw MyST in the text: {raw[:3]}"


def _visible_toggle(page, kind: str):
    """The visible ``.primary-toggle`` or ``.secondary-toggle`` (the theme renders more)."""
    toggles = page.locator(f".{kind}-toggle:visible")
    assert toggles.count() == 1, f"{toggles.count()} visible .{kind}-toggle buttons"
    return toggles.first


@pytest.mark.book
@pytest.mark.browser
def test_phone_menu_shows_the_contents_and_opens_a_chapter(browser, site, screenshot_dir):
    """At 390 px a tap on the menu button shows the table of contents, and a tap on a
    chapter opens it; the "on this page" button shows the page's sections."""
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.set_default_timeout(TIMEOUT_MS)
    log = PageLog(page, site)
    try:
        page.goto(urljoin(site, "book/pytorch.html"), wait_until="load")
        assert not page.locator("#pst-primary-sidebar").is_visible(), "the sidebar shows before the tap"
        _visible_toggle(page, "primary").tap()
        page.wait_for_selector("#pst-primary-sidebar-modal[open]", timeout=10_000)
        dialog = page.locator("#pst-primary-sidebar-modal")
        chapters = dialog.locator("nav.bd-links a.reference.internal")
        hrefs = chapters.evaluate_all("links => links.map(a => a.href)")
        for name in DOCNAMES[1:]:
            assert any(h.split("#")[0].endswith(f"/{name}.html") for h in hrefs), f"the menu lacks {name}"
        target = dialog.locator('nav.bd-links a.reference.internal[href$="four_equations.html"]')
        assert target.is_visible()
        page.screenshot(path=str(screenshot_dir / "menu@390.png"))
        target.tap()
        page.wait_for_url(re.compile(r".*/book/four_equations\.html$"))
        page.wait_for_load_state("load")
        assert "four equations" in page.locator("h1").first.inner_text()

        # The page's own contents ("on this page").
        _visible_toggle(page, "secondary").tap()
        page.wait_for_selector("#pst-secondary-sidebar-modal[open]", timeout=10_000)
        sections = page.locator("#pst-secondary-sidebar-modal nav.page-toc a")
        assert sections.count() >= 3 and sections.first.is_visible()
    finally:
        page.close()
    assert not log.problems, log.problems


@pytest.mark.book
@pytest.mark.browser
def test_desktop_sidebar_toggle_hides_and_shows_the_contents(browser, site):
    """At 1280 px the article header's menu button hides the table of contents and shows
    it again (no dialog: the sidebar collapses)."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(TIMEOUT_MS)
    log = PageLog(page, site)
    sidebar_right = "() => document.getElementById('pst-primary-sidebar').getBoundingClientRect().right"
    try:
        page.goto(urljoin(site, "book/chain_rule.html"), wait_until="load")
        sidebar = page.locator("#pst-primary-sidebar")
        assert sidebar.is_visible() and page.evaluate(sidebar_right) > 0
        article_width = page.evaluate("() => document.querySelector('.bd-article').getBoundingClientRect().width")
        toggle = _visible_toggle(page, "primary")
        toggle.click()
        page.wait_for_function(f"() => ({sidebar_right})() <= 0", timeout=10_000)
        expect(sidebar).to_be_hidden(timeout=10_000)
        assert not page.locator("#pst-primary-sidebar-modal[open]").count(), "a dialog opened instead"
        wider = page.evaluate("() => document.querySelector('.bd-article').getBoundingClientRect().width")
        assert wider > article_width, "the article did not take the sidebar's room"
        toggle.click()
        page.wait_for_function(f"() => ({sidebar_right})() > 0", timeout=10_000)
        expect(sidebar).to_be_visible(timeout=10_000)
        assert sidebar.locator('a.reference.internal[href$="xor.html"]').is_visible()
    finally:
        page.close()
    assert not log.problems, log.problems
