"""The book's index and glossary links: what a reader who looks a term up finds.

- The index (Sphinx's ``genindex.html``) is in the navigation: the sidebar on a desktop and
  the menu on a phone link to it (``_toc.yml``'s ``sphinx://genindex`` entry, made a link by
  ``_ext/toc_generated_pages.py``), and ``tools/book_site.py``, which tells the PDF and the
  tests what the book's pages are, leaves that entry out.
- The index points into the chapters: every chapter is the target of index entries, every
  glossary term that the chapters use has entries leading to chapters that use it, and every
  entry of a glossary term that leads into a chapter lands in a section that uses the term.
- In every chapter the first use of each glossary term is a link to its glossary entry.

"Use", for these tests, is defined on the built page: a chapter uses a term where its
prose names it, outside headings, code, cell outputs, mathematics and captions, matched
case-insensitively as whole words, with a hyphen and a space interchangeable and an
optional plural ending (``local derivatives`` is a use of ``local derivative``); the longest
name wins, so ``pre-activation`` and ``activation function`` are not uses of
``activation``.  The names are the glossary's own terms (each ``<dt>`` of book/glossary.md),
so a term added there is checked here without a change to this file, except the two names
that everyday prose uses in another sense (``AMBIGUOUS``).  Occurrences inside another
link (a cross-reference, a citation) cannot be glossary links and are passed over.
Captions are left out because the chapters' code cells (their metadata) write them.  A
glossary link counts as a use of its term whatever its text ("{term}`graph <computational
graph>`"), and an index entry's target section also counts its heading.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from site_browser import DESKTOP, PHONE, TIMEOUT_MS, PageLog, book_site

ROOT = Path(__file__).resolve().parents[1]

#: Terms the glossary must define (issue 16), by the text of their ``<dt>``.
GLOSSARY_TERMS = [
    "delta", "local gradient", "Jacobian", "pre-activation", "activation", "cost", "loss",
    "gradient check", "forward mode", "reverse mode", "computational graph",
    "upstream gradient", "backpropagation", "chain rule", "central difference",
]

#: Glossary names that the chapters also use in an everyday sense, so that their first
#: occurrence need not be the term: "error" (the glossary's second name for delta) is
#: also a relative, rounding or mean squared error or a ``TypeError``; "cost" (a second
#: name for the loss) is also what a pass costs ("the cost of a numerical gradient").
#: Their entries are still checked through their other names ("delta", "loss"), and where
#: a chapter links one of them to its entry ("the {term}`error <delta>` of a layer"), that
#: link is the entry's first use.
AMBIGUOUS = {"error", "cost"}

#: Chapters 1 to 8: the notebooks among the pages of _toc.yml, in reading order, but for
#: the sources' audit pages (``article_NNN``, issue 24), which teach no term of their own.
NOTEBOOKS = [name for name in book_site.toc_docnames() if (ROOT / f"{name}.ipynb").is_file()]
CHAPTERS = [name for name in NOTEBOOKS if not name.split("/")[-1].startswith("article_")]
#: The audit pages: their prose links the glossary like the chapters'.
AUDIT_PAGES = [name for name in NOTEBOOKS if name not in CHAPTERS]

#: Elements whose text is not prose: headings, code, outputs, mathematics, captions,
#: admonition titles ("Exercise 3.1", "Solution to Exercise 3.1"), permalinks.
NOT_PROSE_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "script", "style", "figcaption", "kbd"}
NOT_PROSE_CLASSES = {"math", "cell_input", "cell_output", "headerlink", "admonition-title", "caption",
                     "toctree-wrapper", "highlight"}
BLOCK_TAGS = {"p", "div", "section", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th",
              "blockquote", "figure", "article", "details", "summary", "br"}


# ------------------------------------------------------------------ reading the build


@cache
def _soup(path: Path):
    """A built page, parsed once (the tests only read it).  Beautiful Soup comes with the
    book's theme: pydata-sphinx-theme requires it."""
    from bs4 import BeautifulSoup

    # Code blocks are no prose, and their highlighting is most of a chapter's tags: empty
    # them before parsing (<pre> does not nest).
    page = re.sub(r"(<pre\b[^>]*>).*?</pre>", r"\1</pre>", path.read_text(encoding="utf-8"), flags=re.S)
    return BeautifulSoup(page, "html.parser")


def _is_prose(el) -> bool:
    classes = set(el.get("class") or ())
    return el.name not in NOT_PROSE_TAGS and not classes & NOT_PROSE_CLASSES


def prose(element, page: str, subsections: bool = True) -> tuple[str, list[str | None]]:
    """The prose text of ``element`` and, for each of its characters, the link it is in.

    The link is the target resolved against ``page`` (``book/glossary.html#term-delta``),
    or None outside links.  Left-out elements and block boundaries become spaces, so that
    no two words run together.  Without ``subsections``, the sections nested in
    ``element`` are left out too.
    """
    from bs4 import Comment, NavigableString, Tag

    text: list[str] = []
    links: list[str | None] = []

    def put(s: str, link: str | None) -> None:
        text.append(s)
        links.extend([link] * len(s))

    def walk(node, link: str | None) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                put(str(child), link)
            elif isinstance(child, Tag):
                if not _is_prose(child) or (child.name == "section" and not subsections):
                    put(" ", None)
                    continue
                here = link
                if child.name == "a" and child.get("href"):
                    here = urljoin(page, child["href"])
                block = child.name in BLOCK_TAGS
                if block:
                    put("\n", None)
                walk(child, here)
                if block:
                    put("\n", None)

    walk(element, None)
    return "".join(text), links


@cache
def glossary(html: Path) -> dict[str, frozenset[str]]:
    """Every name the glossary defines, lower-cased -> the anchors of its entry.

    An entry with two names (``cost`` / ``loss``) has two ``<dt>``, one anchor each; a
    link to either anchor is a link to the entry.
    """
    soup = _soup(html / "book" / "glossary.html")
    names: dict[str, frozenset[str]] = {}
    for dl in soup.select("dl.glossary"):
        group: list[tuple[str, str]] = []
        for child in dl.find_all(["dt", "dd"], recursive=False):
            if child.name == "dt":
                name = " ".join(child.get_text(" ").replace("¶", "").replace("#", "").split())
                group.append((name.lower(), child["id"]))
            else:
                anchors = frozenset(f"book/glossary.html#{a}" for _, a in group)
                names.update({name: anchors for name, _ in group})
                group = []
    return names


def _name_pattern(name: str) -> str:
    words = [re.escape(w) for w in re.split(r"[-\s]+", name)]
    return r"\b" + r"[-\s]+".join(words) + r"(?:s|es)?\b"


@cache
def _names_regex(names: tuple[str, ...]) -> re.Pattern:
    ordered = sorted(names, key=len, reverse=True)  # the longest name wins
    return re.compile("|".join(f"(?P<n{i}>{_name_pattern(n)})" for i, n in enumerate(ordered)), re.I)


def term_uses(text: str, links: list[str | None], names: dict[str, frozenset[str]]):
    """Yield (name, start, end, link) for every glossary name in ``text``, in order."""
    ordered = sorted(names, key=len, reverse=True)
    for m in _names_regex(tuple(names)).finditer(text):
        name = ordered[int(m.lastgroup[1:])]
        yield name, m.start(), m.end(), links[m.start()] if links[m.start()] == links[m.end() - 1] else None


def _article(html: Path, docname: str):
    soup = _soup(html / f"{docname}.html")
    article = soup.select_one("article.bd-article")
    assert article is not None, f"{docname}: no article"
    return article


def first_uses(html: Path, docname: str) -> dict[frozenset[str], tuple[str, str, str | None]]:
    """For each glossary entry a chapter names: (name as written, context, link) of its first use."""
    names = glossary(html)
    text, links = prose(_article(html, docname), f"{docname}.html")
    first: dict[frozenset[str], tuple[str, str, str | None]] = {}
    for name, start, end, link in term_uses(text, links, names):
        if name in AMBIGUOUS and link not in names[name]:
            continue  # "error", "cost" in their everyday sense; linked, they are a use of the term
        if link is not None and link not in names[name] and not link.startswith("book/glossary.html#"):
            continue  # inside another link (a cross-reference, a citation): cannot be a glossary link
        entry = names[name]
        if entry not in first:
            context = " ".join(text[max(0, start - 60) : end + 40].split())
            first[entry] = (text[start:end], context, link)
    return first


def uses_in(element, page: str, html: Path, section: bool = False) -> set[frozenset[str]]:
    """The glossary entries that ``element``'s prose names or links to (any of their names).

    With ``section``, ``element`` is a section: its heading counts, its subsections do not.
    """
    names = glossary(html)
    text, links = prose(element, page, subsections=not section)
    if section:
        heading = element.find(re.compile("^h[1-6]$"))
        title = heading.get_text(" ").replace("#", " ").replace("¶", " ") if heading else ""
        text, links = f"{title}\n{text}", [None] * (len(title) + 1) + links
    used = {names[name] for name, *_ in term_uses(text, links, names)}
    for link in set(links) - {None}:
        used |= {anchors for anchors in names.values() if link in anchors}
    return used


def index_entries(html: Path) -> list[tuple[str, str | None, str]]:
    """(entry, subentry or None, target) for every link of the generated index."""
    soup = _soup(html / "genindex.html")
    out = []
    for li in soup.select("table.genindextable td > ul > li"):
        nested = li.find("ul")
        own = [c for c in li.children if c is not nested]
        main = " ".join("".join(c.get_text() if hasattr(c, "get_text") else str(c) for c in own).split())
        main = re.sub(r"(,\s*\[\d+\])+$", "", main).strip()  # "delta, [1], [2]": more targets
        for a in li.find_all("a", recursive=False):
            out.append((main, None, urljoin("genindex.html", a["href"])))
        if nested is not None:
            for sub in nested.find_all("li", recursive=False):
                subtext = re.sub(r"(,\s*\[\d+\])+$", "", " ".join(sub.get_text().split())).strip()
                for a in sub.find_all("a"):
                    out.append((main, subtext, urljoin("genindex.html", a["href"])))
    return out


def _built(built_book) -> Path:
    proc, html = built_book
    if proc.returncode != 0 or not (html / "genindex.html").is_file():
        pytest.fail("the book did not build; see test_book_builds_without_warnings")
    return html


# ------------------------------------------------------------------- the navigation


def test_book_site_leaves_out_toc_entries_that_are_not_pages(tmp_path):
    """``tools/book_site.py`` lists the documents of _toc.yml only: the index's
    ``sphinx://genindex`` entry (and any ``url:``) is no page to print or to check."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    urls = [item["url"] for part in toc["parts"] for item in part["chapters"] if "url" in item]
    assert "sphinx://genindex" in urls, "_toc.yml has no entry for the index"
    names = book_site.toc_docnames()
    assert not [n for n in names if "://" in n or n == "genindex"], names
    assert all((ROOT / f"{n}.md").is_file() or (ROOT / f"{n}.ipynb").is_file() for n in names), names

    # A small table of contents with a url entry in a part and among sections.
    small = tmp_path / "_toc.yml"
    small.write_text(
        "format: jb-book\nroot: book/intro\nparts:\n"
        "  - caption: One\n    chapters:\n"
        "      - file: book/a.ipynb\n        sections:\n"
        "          - url: https://example.org\n            title: Elsewhere\n"
        "          - file: book/b\n"
        "      - url: sphinx://genindex\n        title: Index\n",
        encoding="utf-8",
    )
    root, parts = book_site.toc_parts(small)
    assert root == "book/intro"
    assert parts == [{"caption": None, "numbered": False, "docnames": ["book/intro"]},
                     {"caption": "One", "numbered": False, "docnames": ["book/a", "book/b"]}]


@pytest.mark.book
def test_every_page_links_the_index_in_its_sidebar(built_book):
    """The table of contents on every page, and on the index itself, has a link to
    genindex.html titled "Index" (an internal link, so it works offline)."""
    html = _built(built_book)
    problems = []
    for name in book_site.toc_docnames() + ["genindex"]:
        soup = _soup(html / f"{name}.html")
        links = [a for a in soup.select("#pst-primary-sidebar nav.bd-links a.reference.internal")
                 if urlsplit(urljoin(f"{name}.html", a["href"])).path == "genindex.html"
                 or (name == "genindex" and a["href"] == "#")]
        if not links:
            problems.append(f"{name}: no link to the index in the sidebar")
        elif links[0].get_text(strip=True) != "Index":
            problems.append(f"{name}: the index's link reads {links[0].get_text(strip=True)!r}")
    assert not problems, "\n  ".join(problems)


def _index_link(scope):
    link = scope.locator("nav.bd-links a.reference.internal", has_text=re.compile(r"^\s*Index\s*$"))
    assert link.count() == 1, f"{link.count()} links named Index in the navigation"
    return link.first


@pytest.mark.book
@pytest.mark.browser
def test_desktop_sidebar_opens_the_index(browser, site, screenshot_dir):
    """At 1280 px the sidebar shows "Index" under the appendices; a click opens the index,
    which lists chapter entries and marks itself current in the sidebar."""
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(TIMEOUT_MS)
    log = PageLog(page, site)
    try:
        page.goto(urljoin(site, "book/xor.html"), wait_until="load")
        link = _index_link(page.locator("#pst-primary-sidebar"))
        assert link.is_visible(), "the index's link is not visible in the sidebar"
        link.click()
        page.wait_for_url(re.compile(r".*/genindex\.html$"))
        page.wait_for_load_state("load")
        assert page.locator("article h1").first.inner_text().strip().startswith("Index")
        assert page.locator('article a[href^="book/four_equations.html#"]').count() > 0
        current = page.locator("#pst-primary-sidebar nav.bd-links li.current.active > a")
        assert current.count() and current.first.inner_text().strip() == "Index"
        page.screenshot(path=str(screenshot_dir / "genindex@1280.png"), full_page=False)
    finally:
        page.close()
    assert not log.problems, log.problems


@pytest.mark.book
@pytest.mark.browser
def test_phone_menu_opens_the_index(browser, site, screenshot_dir):
    """At 390 px the menu lists "Index", and a tap on it opens the index."""
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.set_default_timeout(TIMEOUT_MS)
    log = PageLog(page, site)
    try:
        page.goto(urljoin(site, "book/chain_rule.html"), wait_until="load")
        page.locator(".primary-toggle:visible").first.tap()
        page.wait_for_selector("#pst-primary-sidebar-modal[open]", timeout=10_000)
        link = _index_link(page.locator("#pst-primary-sidebar-modal"))
        link.scroll_into_view_if_needed()
        assert link.is_visible(), "the index's link is not visible in the phone menu"
        page.screenshot(path=str(screenshot_dir / "menu-index@390.png"))
        link.tap()
        page.wait_for_url(re.compile(r".*/genindex\.html$"))
        page.wait_for_load_state("load")
        assert page.locator("article h1").first.inner_text().strip().startswith("Index")
        page.screenshot(path=str(screenshot_dir / "genindex@390.png"), full_page=False)
    finally:
        page.close()
    assert not log.problems, log.problems


# ------------------------------------------------------------------- the index's entries


@pytest.mark.book
def test_glossary_defines_the_terms_and_the_index_lists_them(built_book):
    """book/glossary.md defines the course's terms with Sphinx's glossary (so {term} links
    them); the generated index lists them and the pages' {index} entries, and the
    glossary links to it."""
    html = _built(built_book)
    names = glossary(html)
    missing = [t for t in GLOSSARY_TERMS if t.lower() not in names]
    assert not missing, f"the glossary lacks {missing}; it has {sorted(names)}"
    # In its text: every page's sidebar links the index too.
    text_links = [a["href"] for a in _article(html, "book/glossary").select("a[href]")]
    assert any(urlsplit(h).path.endswith("genindex.html") for h in text_links), "the glossary's text does not link the index"

    entries = index_entries(html)
    assert len(entries) >= 40, f"the index has only {len(entries)} links"
    mains = {main.lower() for main, _, _ in entries}
    assert not [t for t in GLOSSARY_TERMS if t.lower() not in mains], "glossary terms missing from the index"
    pages = {target.split("#")[0] for _, _, target in entries}
    for name in ("book/glossary.html", "book/notation.html", "book/errata.html"):
        assert name in pages, f"no index entry points into {name}"
    # {term} links from the other pages reach the glossary's anchors.
    anchors = {a for group in names.values() for a in group}
    notation = _article(html, "book/notation")
    links = [urljoin("book/notation.html", a["href"]) for a in notation.select('a[href*="glossary.html#"]')]
    assert links and all(link in anchors for link in links), links


@pytest.mark.book
def test_every_chapter_is_the_target_of_index_entries(built_book):
    """Chapters 1-12 each have index entries pointing into them (at least five each, so
    that a reader looking a term up finds the chapters that teach it)."""
    html = _built(built_book)
    chapters = [name for name in CHAPTERS if not name.startswith("book/article_")]  # not the audit pages
    assert len(chapters) == 12, chapters
    targets = [target.split("#")[0] for _, _, target in index_entries(html)]
    counts = {name: targets.count(f"{name}.html") for name in chapters}
    assert all(n >= 5 for n in counts.values()), f"index entries per chapter: {counts}"
    # A link into a chapter says where it leads: an entry repeated word for word is shown
    # as "entry, [1], [2]", which tells a reader nothing; give each a subentry of its own.
    entries = index_entries(html)
    texts = [(main, sub) for main, sub, _ in entries]
    repeated = sorted({f"{main}; {sub}" if sub else main for (main, sub), (_, _, target) in zip(texts, entries)
                       if texts.count((main, sub)) > 1 and target.split("#")[0][: -len(".html")] in CHAPTERS})
    assert not repeated, f"index entries that lead into a chapter under the same text as another: {repeated}"


@pytest.mark.book
def test_glossary_terms_are_indexed_where_the_chapters_use_them(built_book):
    """Every glossary entry has index entries leading into chapters, and every entry the
    chapters use has one leading into a chapter that uses it; every such index entry
    lands in a section of the chapter that names or links the term."""
    html = _built(built_book)
    names = glossary(html)
    entries_of: dict[frozenset[str], list[tuple[str, str | None, str]]] = {}
    for main, sub, target in index_entries(html):
        if main.lower() in names:
            entries_of.setdefault(names[main.lower()], []).append((main, sub, target))

    used_by: dict[frozenset[str], list[str]] = {}
    for chapter in CHAPTERS:
        for entry in uses_in(_article(html, chapter), f"{chapter}.html", html):
            used_by.setdefault(entry, []).append(chapter)

    problems = []
    for entry in set(names.values()):
        label = " / ".join(sorted(n for n, a in names.items() if a == entry))
        into = {t.split("#")[0][: -len(".html")] for _, _, t in entries_of.get(entry, [])} & set(CHAPTERS)
        if not into:
            problems.append(f"{label}: no index entry leads into a chapter (used by {used_by.get(entry, [])})")
        elif entry in used_by and not into & set(used_by[entry]):
            problems.append(f"{label}: index entries lead into {sorted(into)}, it is used in {used_by[entry]}")

    # Each entry of a term that leads into a chapter lands in a section that uses the term.
    ids = {chapter: {el["id"]: el for el in _soup(html / f"{chapter}.html").find_all(id=True)}
           for chapter in CHAPTERS}
    for entry, found in entries_of.items():
        for main, sub, target in found:
            page, _, anchor = target.partition("#")
            chapter = page[: -len(".html")]
            if chapter not in ids:
                continue
            node = ids[chapter].get(anchor)
            if node is None:
                problems.append(f"{main}; {sub}: {target} has no element with that id")
                continue
            section = node if node.name == "section" else node.find_parent("section")
            if entry not in uses_in(section, page, html, section=True):
                title = section.find(re.compile("^h[1-6]$")).get_text(" ", strip=True).rstrip("#¶ ")
                problems.append(f"{main}; {sub}: {target} lands in section {title!r}, which never names {main!r}")
    assert not problems, "\n  ".join(problems)


# ------------------------------------------------------------ glossary links in chapters


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS + AUDIT_PAGES)
def test_first_use_of_each_term_links_the_glossary(built_book, chapter):
    """In each chapter the first use of each glossary term (see this module's docstring)
    is a link to that term's entry in the glossary."""
    html = _built(built_book)
    first = first_uses(html, chapter)
    assert len(first) >= 5, f"{chapter} uses only {len(first)} glossary terms?"
    unlinked = [
        f"{word!r} in “…{context}…”" + (f" links {link}" if link else "")
        for entry, (word, context, link) in first.items()
        if link not in entry
    ]
    assert not unlinked, f"{chapter}: first uses that do not link the glossary:\n  " + "\n  ".join(unlinked)
