"""The landing page gives readers their path first, and links the PDF exactly when it exists.

* Its first section is the reader's path: chapter 1 is linked there, before any ``make``
  command of the page (the maintainers' commands come last); it says where to do the
  exercises (Jupyter, Colab).  Checked on the built page, as a reader gets it, and in a
  browser on a phone and a desktop: the link to chapter 1 is on the first screen.
* No page of the site links the PDF (or the course's download) unless it is in the site
  (``make book`` alone); with both in it (``make pdf`` and ``make download``, then ``make
  book``), the intro links them and every such link reaches a file.  The single page the
  PDF is printed from links neither.
  The decision is ``_ext/book_pdf_link.py``'s ``pdf_in_site``.
"""

from __future__ import annotations

import html as html_lib
import importlib.util
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
import yaml
from site_browser import DESKTOP, DOCNAMES, PHONE, TIMEOUT_MS

ROOT = Path(__file__).resolve().parents[1]
PDF_NAME = "backprop-tested.pdf"
DOWNLOAD_NAME = "backprop-tested-course.zip"
#: The files the site links only when they are in it (``make pdf``, ``make download``).
SITE_FILES = (PDF_NAME, DOWNLOAD_NAME)
INTRO = DOCNAMES[0]


def _book_pdf_link():
    spec = importlib.util.spec_from_file_location("_ext_book_pdf_link", ROOT / "_ext" / "book_pdf_link.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def _first_chapter() -> str:
    """The docname of chapter 1: the first page of the first numbered part of _toc.yml."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    part = next(part for part in toc["parts"] if part.get("numbered"))
    return str(Path(part["chapters"][0]["file"]).with_suffix(""))


def _article(page_html: str) -> str:
    start = page_html.index("<article")
    return page_html[start : page_html.index("</article>", start)]


def _text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment))


def _sections(article: str) -> list[str]:
    """The article's second-level sections (the ``<h2>`` sections), in order, as HTML."""
    starts = [m.start() for m in re.finditer(r'<section[^>]*>\s*<h2', article)]
    return [article[a:b] for a, b in zip(starts, starts[1:] + [len(article)])]


def _href_to(page: str, href: str) -> str:
    """The site path (``book/xor.html``) a relative ``href`` on ``page`` points at."""
    return unquote(urljoin(f"http://site/{page}", href.split("#")[0]).removeprefix("http://site/"))


# ------------------------------------------------------------------ the reader's path


def check_readers_path(page_html: str, page: str) -> list[str]:
    """What is wrong with the landing page's first section as the reader's path."""
    article = _article(page_html)
    sections = _sections(article)
    if not sections:
        return ["the page has no section"]
    first, chapter1 = sections[0], f"{_first_chapter()}.html"
    problems = []
    links = [_href_to(page, h) for h in re.findall(r'href="([^"]+)"', first)]
    if chapter1 not in links:
        problems.append(f"the first section does not link chapter 1 ({chapter1}); it links {links}")
    if re.search(r"\bmake\s+[a-z]", _text(first)):
        problems.append("the first section shows a `make` command (the maintainers' commands come after it)")
    for where in ("Jupyter", "Colab"):
        if where not in _text(first):
            problems.append(f"the first section does not say the exercises can be done in {where}")
    # Chapter 1 is linked before any make command on the whole page.
    link_at = min((m.start() for m in re.finditer(r'href="([^"]+)"', article)
                   if _href_to(page, m.group(1)) == chapter1), default=None)
    make_at = re.search(r"\bmake(?:\s|<[^>]+>)+(?:book|test|pdf|lab|install|notebooks)\b", article)
    if link_at is None or (make_at and make_at.start() < link_at):
        problems.append("a `make` command comes before the first link to chapter 1")
    return problems


@pytest.mark.book
def test_the_first_section_is_the_readers_path(built_book):
    _, html = built_book
    page = f"{INTRO}.html"
    problems = check_readers_path((html / page).read_text(encoding="utf-8"), page)
    assert not problems, "\n".join(problems)


def test_the_readers_path_check_catches_maintainers_first():
    """The old landing page (make book, make test first; chapter 1 only in the map) fails."""
    chapter1 = _first_chapter().split("/")[-1]
    old = (
        '<article><h1>Backprop, Tested</h1><p>A course.</p>'
        '<section id="how"><h2>How to run it</h2><pre>make book\nmake test</pre>'
        '<p>Jupyter, Colab</p></section>'
        f'<section id="map"><h2>Chapter map</h2><a href="{chapter1}.html">1</a></section></article>'
    )
    problems = check_readers_path(old, f"{INTRO}.html")
    assert any("does not link chapter 1" in p for p in problems)
    assert any("`make` command" in p for p in problems)


# --------------------------------------------------------------------------- the PDF


def test_the_pdf_link_decision(tmp_path):
    pdf_in_site = _book_pdf_link().pdf_in_site
    assert not pdf_in_site("html", tmp_path)
    (tmp_path / PDF_NAME).write_bytes(b"%PDF-1.7\n")
    assert pdf_in_site("html", tmp_path)
    # The single page the PDF is printed from never links the PDF.
    assert not pdf_in_site("singlehtml", tmp_path)
    assert not pdf_in_site("html", tmp_path, pdf_name="other.pdf")
    # The download is decided the same way, by its own file.
    assert not pdf_in_site("html", tmp_path, DOWNLOAD_NAME)
    (tmp_path / DOWNLOAD_NAME).write_bytes(b"PK")
    assert pdf_in_site("html", tmp_path, DOWNLOAD_NAME)
    assert _book_pdf_link().ROLES == {"book-pdf": PDF_NAME, "book-download": DOWNLOAD_NAME}


def _pdf_links(html: Path, suffix: str = ".pdf") -> dict[str, list[str]]:
    """Every link to a PDF (or another ``suffix``) on every page of the site:
    {page: [site path it points at]}."""
    found = {}
    for path in sorted(html.rglob("*.html")):
        page = str(path.relative_to(html))
        pattern = r'href="([^"]+' + re.escape(suffix) + r')(?:#[^"]*)?"'
        hrefs = re.findall(pattern, path.read_text(encoding="utf-8"))
        targets = [_href_to(page, h) for h in hrefs if not re.match(r"[a-z]+:", h)]
        if targets:
            found[page] = targets
    return found


@pytest.mark.book
def test_no_pdf_link_when_the_site_has_no_pdf(built_book):
    """`make book` alone: no PDF, and no page links one (nor keeps an empty list item)."""
    _, html = built_book
    assert not (html / PDF_NAME).exists()
    assert not _pdf_links(html), _pdf_links(html)
    assert not (html / DOWNLOAD_NAME).exists()
    assert not _pdf_links(html, ".zip"), _pdf_links(html, ".zip")
    article = _article((html / f"{INTRO}.html").read_text(encoding="utf-8"))
    assert not re.search(r"<li>\s*</li>|<(ol|ul)[^>]*>\s*</\1>", article)


@pytest.mark.book
@pytest.mark.browser
def test_the_pdf_is_linked_when_it_is_in_the_site(built_book_with_pdf):
    """`make pdf`, then `make book`: the intro links the PDF, and every PDF link reaches it."""
    proc, html = built_book_with_pdf
    assert proc.returncode == 0 and "WARNING" not in proc.stderr, proc.stderr[-4000:]
    for name in SITE_FILES:
        assert (html / name).is_file()
        links = _pdf_links(html, Path(name).suffix)
        assert name in links.get(f"{INTRO}.html", []), f"the intro does not link {name}: {links}"
        dead = {page: t for page, targets in links.items() for t in targets if not (html / t).is_file()}
        assert not dead, f"links to a {Path(name).suffix} that is not in the site: {dead}"


@pytest.mark.book
@pytest.mark.browser
def test_the_printed_book_does_not_link_itself(book_pdf):
    """The single-page build the PDF is printed from has no link to the PDF."""
    singlehtml = book_pdf.parent / "_build" / "singlehtml"
    page = (singlehtml / f"{INTRO}.html").read_text(encoding="utf-8")
    links = [h for h in re.findall(r'href="([^"]+)"', page) if h.split("#")[0].endswith(SITE_FILES)]
    assert not links, f"the page the PDF is printed from links the PDF or the download: {links}"


# ----------------------------------------------------------------------- in a browser


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_chapter_1_is_on_the_first_screen(browser, site, screenshot_dir, viewport):
    """On a phone and on a desktop, the first screen of the landing page links chapter 1."""
    page = browser.new_page(viewport=viewport)
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(urljoin(site, f"{INTRO}.html"), wait_until="load")
        chapter1 = _first_chapter().split("/")[-1] + ".html"
        tops = page.evaluate(
            """(target) => Array.from(document.querySelectorAll('article a[href]'))
                 .filter(a => a.getAttribute('href').split('#')[0].endsWith(target) && a.getClientRects().length)
                 .map(a => a.getBoundingClientRect().bottom + window.scrollY)""",
            chapter1,
        )
        page.screenshot(path=str(screenshot_dir / f"landing-{viewport['width']}.png"), full_page=False)
        assert tops and min(tops) <= viewport["height"], (
            f"at {viewport['width']} px the first link to chapter 1 ends at {min(tops, default=None)} px, "
            f"below the first screen ({viewport['height']} px)"
        )
    finally:
        page.close()
