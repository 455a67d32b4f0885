"""The Chinese edition (``zh_CN/``), read as a reader reads it, page by page.

``tools/build_editions.py`` builds the English site at the root and the Chinese one in its
``zh_CN/`` directory, page for page (``book/xor.html`` in each). Every page of the Chinese
edition (the table of contents, the generated index, the search page) is opened once, at
390 px as on a phone (touch, mobile viewport), typeset and loaded, and measured; the tests
below read those measurements:

* the page loads without console errors or failed requests, declares ``lang="zh-CN"``,
  and its title, first heading, and the sidebar's part captions and chapter titles are
  Chinese (not the English left in place by a missing catalog entry);
* MathJax typeset every formula: no raw ``$``/``\\(`` left in the text, no error nodes;
* every image loaded, and it has a Chinese alt text wherever the English page's image has
  one (the English page is read from the same site, image for image);
* every internal link resolves to a file of the Chinese site, anchors included; the only
  link into the English site is the language button, to the same page (and the English
  page's button leads back), as do the ``<link rel="alternate" hreflang>`` tags;
* at 390 px the page does not scroll sideways, and the language button sits in the
  header beside the other buttons, visible;
* the English site's phone checks pass on it (printed messages wrap, wide boxes scroll
  with a cue, formulas fit, no raw tables or MyST, images at their aspect ratio).

The language button is also clicked, both ways; ``zh_CN/index.html`` must lead to the
Chinese first page; and the Chinese search page (``html_search_language: zh``: jieba cuts
the pages' text into words, the browser looks the query up as typed) is asked for two
Chinese terms, which the edition's jieba dictionary keeps whole (tools/build_editions.py).

Fixtures: ``built_book`` (both editions, without the PDFs) served by the helper the
``site`` fixture uses (``book_site.serve``); ``browser`` from ``conftest.py``.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urldefrag, urljoin

import pytest

# The English site tests' checks, run here on each Chinese page as it is opened (the
# English tests' `site` fixture needs both editions' PDFs, and opening every Chinese page
# again for each of them would double this file's time).
from site_browser import _CUT_MATH_JS, _IMAGES_JS, _PRINTED_JS, _WIDE_JS, CODE_STRING, RAW_MYST, RAW_TABLE, TOLERANCE
from site_browser import RAW_TEX as SNIPPET_TEX
from site_browser import (
    DESKTOP,
    DOCNAMES,
    PHONE,
    TIMEOUT_MS,
    PageLog,
    book_site,
    fetch,
    ids,
    settle,
    unfold_all,
)

#: The Chinese edition's directory in the site.
ZH = "zh_CN/"

#: Every page of the Chinese edition a reader reads: the table of contents, the index and
#: the search page (without a query; the search tests below ask it for words).
ZH_PAGES = DOCNAMES + ["genindex", "search"]

#: A Chinese character (CJK Unified Ideographs and Extension A).
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

#: TeX left in the text outside code: a math delimiter, or an inline $...$ with TeX in it.
RAW_TEX = re.compile(r"\$\$|\\[()\[\]]|\$[^$\s][^$\n]{0,80}?\\[A-Za-z]+[^$\n]{0,80}?\$|\$[^$\s\d][^$\n]{0,20}?[_^][^$\n]{0,20}?\$")


@pytest.fixture(scope="module")
def zh_site(built_book):
    """The site of ``make book`` (both editions, no PDF) served from 127.0.0.1; yields its
    base URL. The Chinese edition is at ``base + "zh_CN/"``."""
    proc, html = built_book
    if proc.returncode != 0 or not (html / ZH / "index.html").is_file():
        pytest.fail("the book's two editions did not build; see test_book_builds_without_warnings:\n"
                    + (proc.stderr or "")[-3000:])
    with book_site.serve(html) as base:
        yield base


# Everything measured on one page, in one evaluate.
_MEASURE_JS = r"""async ([englishUrl, docname]) => {
  const text = el => (el ? el.textContent : '').trim().replace(/\s+/g, ' ');
  const out = {};
  out.lang = document.documentElement.getAttribute('lang');
  out.title = document.title;
  // The first heading a reader sees (the theme's print-only table of contents has an empty one).
  out.h1 = text(Array.from(document.querySelectorAll('main h1')).find(h => h.getClientRects().length && text(h)));
  out.captions = Array.from(document.querySelectorAll('#pst-primary-sidebar nav.bd-links p.caption'))
    .map(text);
  out.chapters = Array.from(document.querySelectorAll('#pst-primary-sidebar nav.bd-links a.reference'))
    .map(a => text(a));
  // Math.
  out.mathElements = document.querySelectorAll('.math, .output_latex, .output.text_latex').length;
  out.mjx = document.querySelectorAll('mjx-container').length;
  out.untypeset = Array.from(document.querySelectorAll('.math'))
    .filter(el => !el.querySelector('mjx-container')).map(el => text(el).slice(0, 80));
  out.mathErrors = Array.from(document.querySelectorAll('mjx-merror, mjx-assistive-mml mtext[mathcolor="red"]'))
    .map(text);
  const main = (document.querySelector('main') || document.body).cloneNode(true);
  main.querySelectorAll('pre, code, .highlight, script, style, mjx-container').forEach(e => e.remove());
  out.prose = main.textContent;
  const article = (document.querySelector('.bd-article') || document.body).cloneNode(true);
  article.querySelectorAll('script, style, mjx-container').forEach(e => e.remove());
  out.article = article.textContent;
  // Images, and the English page's, image for image.
  out.images = Array.from(document.images).map(img => {
    const fig = img.closest('figure'), cap = fig && fig.querySelector('figcaption');
    return {src: img.getAttribute('src'), alt: img.getAttribute('alt'), article: !!img.closest('.bd-article'),
            loaded: img.complete && img.naturalWidth > 0, caption: cap ? text(cap) : null};
  });
  const english = await fetch(englishUrl).then(r => r.ok ? r.text() : null);
  const englishDoc = english === null ? null : new DOMParser().parseFromString(english, 'text/html');
  out.englishAlts = englishDoc && Array.from(englishDoc.querySelectorAll('.bd-article img')).map(img => img.getAttribute('alt'));
  // The English page's button, back to this page.
  out.englishSwitchers = englishDoc && Array.from(englishDoc.querySelectorAll('.bt-language-switch'))
    .map(a => [new URL(a.getAttribute('href'), englishUrl).href, a.getAttribute('hreflang'), a.textContent.trim()]);
  // Links.
  out.links = Array.from(document.querySelectorAll('a[href]')).map(a => ({
    href: a.href, raw: a.getAttribute('href'), switcher: a.classList.contains('bt-language-switch'),
    text: text(a).slice(0, 40)}));
  out.alternates = Array.from(document.querySelectorAll('link[rel="alternate"][hreflang]'))
    .map(l => [l.getAttribute('hreflang'), l.href]);
  // The words of the site around the text, as a reader sees them: the header's buttons,
  // menus and tooltips, the previous/next links, the footer, the search box, the
  // headings' link tooltips. (The sidebar's titles are read above.)
  const chrome = new Set();
  // What is marked as another language (the language button, lang="en") is left out.
  const ours = e => { const l = e.closest('[lang]'); return !l || l.getAttribute('lang') === 'zh-CN'; };
  const add = v => { v = (v || '').trim().replace(/\s+/g, ' '); if (v) chrome.add(v); };
  for (const root of document.querySelectorAll('.bd-header-article, .prev-next-area, footer, .bd-footer, .bd-footer-content, .bd-footer-article, .search-button-field, form.bd-search')) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode())
      if (!n.parentElement.closest('script, style, svg, kbd') && ours(n.parentElement)) add(n.textContent);
    root.querySelectorAll('[title], [data-bs-title], [placeholder]').forEach(e => { if (ours(e))
      ['title', 'data-bs-title', 'placeholder'].forEach(k => add(e.getAttribute(k))); });
  }
  document.querySelectorAll('.bd-article a.headerlink[title], .bd-article button[title], .bd-article button[data-tooltip]')
    .forEach(e => { add(e.getAttribute('title')); add(e.getAttribute('data-tooltip')); });
  out.chrome = Array.from(chrome);
  // The phone: sideways scrolling, and the language button in the header.
  out.scrollWidth = document.documentElement.scrollWidth;
  out.innerWidth = window.innerWidth;
  const switchers = Array.from(document.querySelectorAll('.bt-language-switch'));
  out.switchers = switchers.map(a => {
    const r = a.getBoundingClientRect(), cs = getComputedStyle(a);
    const header = a.closest('.bd-header-article');
    // The other buttons of the same header row, as a reader sees them.
    const others = header ? Array.from(header.querySelectorAll('.article-header-buttons .btn, .article-header-buttons button, .primary-toggle, .secondary-toggle'))
      .filter(b => b !== a && !b.contains(a) && b.getClientRects().length && b.getBoundingClientRect().width > 0)
      .map(b => { const q = b.getBoundingClientRect(); return {top: q.top, bottom: q.bottom, left: q.left, right: q.right}; }) : [];
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {inHeader: !!header, text: text(a), hreflang: a.getAttribute('hreflang'), href: a.href,
            top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height,
            visible: cs.visibility !== 'hidden' && cs.display !== 'none' && parseFloat(cs.opacity) > 0,
            onTop: !!hit && (hit === a || a.contains(hit)), others};
  });
  return out;
}"""


def _measure(browser, base: str, docname: str) -> dict:
    """Open the Chinese ``docname`` at 390 px (a phone), wait until it is typeset and
    loaded, and measure what the tests check."""
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.set_default_timeout(TIMEOUT_MS)
    log = PageLog(page, base)
    try:
        page.goto(urljoin(base, f"{ZH}{docname}.html"), wait_until="load")
        settle(page)
        result = page.evaluate(_MEASURE_JS, [urljoin(base, f"{docname}.html"), docname])
        result["cut_math"] = page.evaluate(_CUT_MATH_JS)
        # The English overflow and figure checks, with every folded solution opened (the
        # search page has no article: nothing of theirs to check there).
        result["printed"], result["wide"], result["aspect"] = [], [], []
        if page.evaluate("() => !!document.querySelector('.bd-article')"):
            unfold_all(page)
            result["printed"] = page.evaluate(_PRINTED_JS)
            result["wide"] = page.evaluate(_WIDE_JS)
            result["aspect"] = page.evaluate(_IMAGES_JS)
        result["problems"] = list(dict.fromkeys(log.problems))
        result["external"] = sorted(set(log.external))
        return result
    finally:
        page.close()


@pytest.fixture(scope="module")
def zh_page(browser, zh_site):
    """``zh_page(docname)``: the Chinese page's measurements at 390 px, each page opened once
    (a page that could not be measured fails each of its tests with the same error, without
    being opened again)."""
    cache: dict[str, dict | Exception] = {}

    def get(docname: str) -> dict:
        if docname not in cache:
            try:
                cache[docname] = _measure(browser, zh_site, docname)
            except Exception as exc:  # noqa: BLE001 - re-raised below, for every test of the page
                cache[docname] = exc
        if isinstance(cache[docname], Exception):
            raise cache[docname]
        return cache[docname]

    return get


def _english_leftovers(texts: list[str]) -> list[str]:
    """The texts without a Chinese character."""
    return [t for t in texts if t and not CJK.search(t)]


#: Names a Chinese page keeps in Latin letters (the language button reads "English").
NAMES = {"English", "Binder", "Colab", "GitHub", "Jupyter", "PyTorch", "SymPy", "NumPy", "XOR", "softmax",
         "bplib", "ipynb", "pdf", "Ctrl", "MathJax"}


def _english_words(text: str) -> list[str]:
    """The words of ``text`` in Latin letters (three or more) that are not names."""
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in NAMES]


# ---------------------------------------------------------------- one page, everything on it


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", ZH_PAGES)
def test_zh_page_loads_and_reads_chinese(zh_page, docname):
    """No console error or failed request; ``lang="zh-CN"``; the title, the first heading,
    the sidebar's part captions and chapter titles are Chinese."""
    m = zh_page(docname)
    assert not m["problems"], f"{docname}: {m['problems']}"
    assert not m["external"], f"{docname}: requests left 127.0.0.1: {m['external'][:5]}"
    assert m["lang"] == "zh-CN", f"{docname}: <html lang={m['lang']!r}>, not zh-CN"
    assert CJK.search(m["title"]), f"{docname}: the title {m['title']!r} is not Chinese"
    assert CJK.search(m["h1"]), f"{docname}: the first heading {m['h1']!r} is not Chinese"
    assert len(m["captions"]) == len(book_site.toc_parts()[1]) - 1, f"{docname}: sidebar captions {m['captions']}"
    assert len(m["chapters"]) >= len(DOCNAMES), f"{docname}: only {len(m['chapters'])} chapters in the sidebar"


@pytest.mark.book
@pytest.mark.browser
def test_zh_sidebar_is_chinese(zh_page):
    """The sidebar's part captions and chapter titles are Chinese, on every page."""
    english = {}
    for docname in ZH_PAGES:
        m = zh_page(docname)
        for text in _english_leftovers(m["captions"] + m["chapters"]):
            english.setdefault(text, []).append(docname)
    assert not english, "English in the sidebar: " + "; ".join(
        f"{text!r} on {len(pages)} page(s), e.g. {pages[0]}" for text, pages in english.items())


@pytest.mark.book
@pytest.mark.browser
def test_zh_site_words_are_chinese(zh_page):
    """The words around the text (header buttons, their menus and tooltips, previous/next,
    footer, search box) are Chinese on every page, but for names."""
    english = {}
    for docname in ZH_PAGES:
        for text in zh_page(docname)["chrome"]:
            if _english_words(text):
                english.setdefault(text, []).append(docname)
    assert not english, "English around the text: " + "; ".join(
        f"{text!r} on {len(pages)} page(s)" for text, pages in english.items())


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", ZH_PAGES)
def test_zh_formulas_are_typeset(zh_page, docname):
    """MathJax typeset every formula: none left as TeX, no error nodes."""
    m = zh_page(docname)
    if m["mathElements"]:
        assert m["mjx"], f"{docname}: the page has math but no mjx-container: MathJax did not typeset"
    assert not m["untypeset"], f"{docname}: {len(m['untypeset'])} formula(s) not typeset, e.g. {m['untypeset'][:3]}"
    assert not m["mathErrors"], f"{docname}: MathJax errors or undefined macros: {m['mathErrors'][:3]}"
    raw = [" ".join(m["prose"][max(0, hit.start() - 40): hit.end() + 40].split())
           for hit in RAW_TEX.finditer(m["prose"])]
    assert not raw, f"{docname}: TeX left in the text: {raw[:3]}"


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", ZH_PAGES)
def test_zh_images_load_with_chinese_alt_text(zh_page, docname):
    """Every image loads, and each of the article's images has a Chinese alt text where the
    English page's image (same position) has an alt text."""
    m = zh_page(docname)
    broken = [img["src"] for img in m["images"] if not img["loaded"]]
    assert not broken, f"{docname}: images not loaded: {broken}"
    ours = [img["alt"] for img in m["images"] if img["article"]]
    theirs = m["englishAlts"]
    assert theirs is not None, f"{docname}: the English page could not be read"
    assert len(ours) == len(theirs), f"{docname}: {len(ours)} images, the English page has {len(theirs)}"
    untranslated = [(en, zh) for en, zh in zip(theirs, ours) if en and en.strip() and not (zh and CJK.search(zh))]
    assert not untranslated, f"{docname}: alt texts not Chinese (English, Chinese): {untranslated}"
    # As test_book's test_figures_have_numbered_captions_and_2x_density asks "Fig. 4.1 ...".
    uncaptioned = [(img["src"].rsplit("/", 1)[-1][:20], img["caption"]) for img in m["images"]
                   if img["article"] and not re.match(r"图 ?\d", img["caption"] or "")]
    assert not uncaptioned, f"{docname}: images without a numbered Chinese caption (图 N.N): {uncaptioned}"


#: Links that are broken today in both editions, which only the book's sources can fix.
#: strict=True: once fixed, the mark must go (an XPASS fails the test).
@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", ZH_PAGES)
def test_zh_links_stay_in_the_chinese_site(zh_page, zh_site, docname):
    """Every link of the page into the site resolves to a file of the Chinese edition, and
    its anchor to an element of it; only the language button leads to the English site,
    to the same page, as do the ``<link rel="alternate" hreflang>`` tags."""
    m = zh_page(docname)
    zh_root = urljoin(zh_site, ZH)
    english_page = urljoin(zh_site, f"{docname}.html")
    problems = []
    switchers = [link for link in m["links"] if link["switcher"]]
    if [s["href"] for s in switchers] != [english_page]:
        problems.append(f"language button(s) {[s['href'] for s in switchers]}, not one to {english_page}")
    back = [urljoin(zh_root, f"{docname}.html"), "zh-CN", "中文"]
    if m["englishSwitchers"] != [back]:
        problems.append(f"the English page's language button(s) {m['englishSwitchers']}, not one to {back}")
    for link in m["links"]:
        href = link["href"]
        if link["switcher"] or not href.startswith(zh_site):
            continue
        if not href.startswith(zh_root):
            problems.append(f"link {link['raw']!r} ({link['text']!r}) leaves the Chinese site: {href}")
            continue
        target, anchor = urldefrag(href)
        status, body = fetch(target.split("?", 1)[0])
        if status != 200:
            problems.append(f"link {link['raw']!r} ({link['text']!r}): HTTP {status}")
        elif anchor and body and unquote(anchor) not in ids(body):
            problems.append(f"link {link['raw']!r} ({link['text']!r}): no element with id {unquote(anchor)!r}")
    alternates = dict(m["alternates"])
    expected = {"en": english_page, "zh-CN": urljoin(zh_root, f"{docname}.html")}
    if alternates != expected:
        problems.append(f'<link rel="alternate" hreflang> {alternates}, not {expected}')
    assert not problems, f"{docname}:\n  " + "\n  ".join(dict.fromkeys(problems))


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", ZH_PAGES)
def test_zh_page_fits_a_phone_with_the_button_in_its_header(zh_page, docname):
    """At 390 px the page does not scroll sideways, and the language button ("English")
    is in the article's header, on screen, not covered, in the row of the other buttons."""
    m = zh_page(docname)
    # Compared with the phone's width, not window.innerWidth: on a mobile viewport Chromium
    # zooms a page wider than the screen out until it fits, and innerWidth grows with it.
    assert m["scrollWidth"] <= PHONE["width"] and m["innerWidth"] == PHONE["width"], (
        f"{docname} is {m['scrollWidth']} px wide on a {PHONE['width']} px phone "
        f"(shown zoomed out to {m['innerWidth']} px)")
    assert len(m["switchers"]) == 1, f"{docname}: {len(m['switchers'])} language buttons"
    s = m["switchers"][0]
    where = f"{docname}: the language button at x {s['left']:.0f}-{s['right']:.0f}, y {s['top']:.0f}-{s['bottom']:.0f}"
    assert s["inHeader"], f"{docname}: the language button is not in the article's header"
    assert s["text"] == "English" and s["hreflang"] == "en", f"{docname}: the button reads {s['text']!r} ({s['hreflang']})"
    assert s["visible"] and s["width"] >= 24 and s["height"] >= 24, f"{where}: not visible, or too small to tap"
    assert 0 <= s["left"] and s["right"] <= PHONE["width"] and 0 <= s["top"] and s["bottom"] <= PHONE["height"], (
        f"{where}: not on screen")
    assert s["onTop"], f"{where}: covered by another element"
    assert s["others"], f"{docname}: no other buttons in the header"
    beside = [o for o in s["others"] if o["top"] < s["bottom"] and s["top"] < o["bottom"]]
    assert beside, f"{where}: not in the row of the header's other buttons {s['others']}"
    assert not any(o["left"] < s["right"] and s["left"] < o["right"] for o in beside), (
        f"{where}: overlaps another button {beside}")


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", ZH_PAGES)
def test_zh_page_passes_the_english_phone_checks(zh_page, docname):
    """The English site's checks at 390 px, on the Chinese page (solutions opened): printed
    messages wrap (test_site_overflow), what is wider than its box scrolls with a cue
    (test_site_overflow), no formula is cut off or needs a swipe, no Markdown table or MyST
    left as text (test_book), every image at its own aspect ratio (test_site_figures)."""
    m = zh_page(docname)
    problems = list(m["printed"])
    for w in m["wide"]:
        where = f"{w['label']} ({w['scroll']} px in {w['client']} px)"
        if w["overflow"] in ("hidden", "clip"):
            problems.append(f"cut off, cannot even be scrolled: {where}")
        elif w["overflow"] in ("auto", "scroll") and "gradient" not in w["mask"]:
            problems.append(f"scrolls with no cue: {where}")
    problems += [f"formula wider than the column: {c}" for c in m["cut_math"]]
    for pattern, what in ((RAW_TABLE, "table row shown as text"), (RAW_MYST, "raw MyST")):
        problems += [f"{what}: {' '.join(m['prose'][max(0, h.start() - 40): h.end() + 40].split())}"
                     for h in pattern.finditer(m["prose"])]
    for img in m["aspect"]:
        if img["naturalWidth"] and img["naturalHeight"] and img["width"] and img["height"]:
            shown, natural = img["width"] / img["height"], img["naturalWidth"] / img["naturalHeight"]
            if abs(shown / natural - 1) > TOLERANCE:
                problems.append(f"{img['src'].rsplit('/', 1)[-1][:16]}: drawn at ratio {shown:.3f}, natural {natural:.3f}")
        elif img["naturalWidth"]:
            problems.append(f"{img['src'].rsplit('/', 1)[-1][:16]}: not displayed")
    assert not problems, f"{docname} at 390 px:\n  " + "\n  ".join(problems)


# ------------------------------------------------------------------ between the editions


def _wait_for_path(page, url: str) -> None:
    page.wait_for_url(url, wait_until="load", timeout=TIMEOUT_MS)


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", ["book/intro", "book/xor", "genindex"])
def test_the_language_button_goes_to_the_same_page_and_back(browser, zh_site, docname):
    """On a desktop, a click on "English" on a Chinese page opens the same page in English
    (``lang="en"``), and a click on "中文" there opens the Chinese page again."""
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(TIMEOUT_MS)
    log = PageLog(page, zh_site)
    zh_url = urljoin(zh_site, f"{ZH}{docname}.html")
    en_url = urljoin(zh_site, f"{docname}.html")
    try:
        page.goto(zh_url, wait_until="load")
        button = page.locator(".bd-header-article .bt-language-switch")
        assert button.is_visible(), f"{docname}: no visible language button in the header"
        assert button.inner_text().strip() == "English"
        button.click()
        _wait_for_path(page, en_url)
        assert page.evaluate("() => document.documentElement.lang") == "en"
        back = page.locator(".bd-header-article .bt-language-switch")
        assert back.inner_text().strip() == "中文" and back.get_attribute("hreflang") == "zh-CN"
        back.click()
        _wait_for_path(page, zh_url)
        assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
    finally:
        page.close()
    assert not log.problems, log.problems


@pytest.mark.book
@pytest.mark.browser
def test_the_chinese_index_opens_the_chinese_intro(browser, zh_site):
    """``zh_CN/index.html`` (the edition's front door) leads to the Chinese first page."""
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(TIMEOUT_MS)
    log = PageLog(page, zh_site)
    try:
        page.goto(urljoin(zh_site, f"{ZH}index.html"), wait_until="load")
        page.wait_for_url(urljoin(zh_site, f"{ZH}{DOCNAMES[0]}.html"), timeout=TIMEOUT_MS)
    finally:
        page.close()
    assert not log.problems, log.problems


# ------------------------------------------------------------------------------ search

#: What Sphinx 7.4's searchtools.js throws, in both editions, when a result's anchor is an
#: index entry's empty target: makeSearchSummary returns null and _displayItem appends it.
#: The result is listed without a snippet; nothing else goes wrong.
SPHINX_SNIPPET_BUG = "Failed to execute 'appendChild' on 'Node': parameter 1 is not of type 'Node'"

#: Terms a Chinese reader searches for. jieba (Sphinx's zh indexer) alone cuts "反向传播"
#: into "反向" and "传播" in some sentences, and the browser looks the query up as one
#: word; the edition's user dictionary of its terms keeps them whole, so every page that
#: uses one is found.
SEARCH_TERMS = [
    "反向传播",
    "链式法则",
]


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("query", SEARCH_TERMS)
def test_chinese_search_finds_every_chinese_page_with_the_term(browser, zh_site, zh_page, query):
    """The Chinese search page (jieba) lists every page of the Chinese edition whose text has
    the term, and nothing outside the edition; its results' titles and its own words are
    Chinese, and a snippet shows the term."""
    expected = {d for d in DOCNAMES if query in zh_page(d)["article"]}
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(TIMEOUT_MS)
    log = PageLog(page, zh_site)
    try:
        page.goto(urljoin(zh_site, f"{ZH}search.html?q={quote(query)}"), wait_until="load")
        # The summary ("搜索完成，匹配到 N 页", or that nothing matched) is written after the last result.
        page.wait_for_function(
            "() => ((document.querySelector('#search-results p.search-summary') || {}).textContent || '').trim()",
            timeout=TIMEOUT_MS)
        page.wait_for_load_state("networkidle")
        lang = page.evaluate("() => document.documentElement.lang")
        results = page.evaluate(
            """() => Array.from(document.querySelectorAll('#search-results ul.search li')).map(li => ({
                   href: li.querySelector('a').href, title: li.querySelector('a').textContent.trim(),
                   context: (li.querySelector('p.context') || {}).textContent || ''}))"""
        )
        heading = page.evaluate("() => (document.querySelector('#search-results h2') || {}).textContent || ''")
        summary = page.evaluate("() => (document.querySelector('#search-results p.search-summary') || {}).textContent || ''")
    finally:
        page.close()
    assert lang == "zh-CN"
    assert len(expected) >= 3, f"only {sorted(expected)} have {query}: the test lost its subject"
    zh_root = urljoin(zh_site, ZH)
    outside = [r["href"] for r in results if not r["href"].startswith(zh_root)]
    assert not outside, f"{query}: results outside the Chinese edition: {outside}"
    found = {r["href"].split("#")[0][len(zh_root):].removesuffix(".html") for r in results}
    missing = sorted(expected - found, key=DOCNAMES.index)
    assert not missing, f"{query}: {len(missing)} of the {len(expected)} pages with it not found: {missing}"
    assert not _english_leftovers([r["title"] for r in results]), f"{query}: English titles: {results}"
    assert any(query in r["context"] for r in results), (
        f"{query}: no snippet shows the term: {[r['context'][:60] for r in results]}")
    raw = [r["context"][:80] for r in results if SNIPPET_TEX.search(CODE_STRING.sub('""', r["context"]))]
    assert not raw, f"{query}: snippets show TeX (test_site_navigation's check): {raw[:2]}"
    assert CJK.search(heading) and CJK.search(summary), f"the search page's own words: {heading!r}, {summary!r}"
    problems = [p for p in log.problems if SPHINX_SNIPPET_BUG not in p]
    assert not problems, problems
