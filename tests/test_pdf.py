"""The whole book as one PDF (``make pdf``, ``tools/make_pdf.py``) has everything the site has.

The PDF comes from the session fixture ``book_pdf`` (``conftest.py``), built once per
test run into a temporary directory next to the single-page HTML build it was printed
from; that build is what "the site" means here (every page of ``_toc.yml``, in order).
Reads the PDF with poppler-utils (``pdftotext``, ``pdffonts``, ``pdfimages``; ``.ci/run``
installs them) and pypdf.  The browser test (``tests/test_book.py``) serves the same PDF
in the built site, so the intro's link to it is checked with every other link.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from tool_modules import load_tool

pytestmark = [pytest.mark.book, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
POPPLER = ("pdftotext", "pdffonts", "pdfimages")
#: TeX that must not be left raw in the text; it may appear as often as in the book's code.
TEX = ("$$", "\\frac", "\\begin{", "\\end{", "\\partial", "\\sigma", "\\left", "\\right", "\\mathrm",
       "\\cdot", "\\sum", "\\hat", "\\mathbf", "\\delta", "\\top", "\\odot", "\\tanh", "\\operatorname")
#: A sentence of a source quoted in Chinese (book/errata.md).
CHINESE_QUOTE = "每个层中有两个神经元"


def _poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        message = f"{tool} not found (apt-get install -y poppler-utils)"
        if os.environ.get("CI") or Path("/usr/bin/chromium").exists():
            pytest.fail(message + "; .ci/run installs it")
        pytest.skip(message)
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout


def _toc_docnames() -> list[str]:
    return load_tool("book_site").toc_docnames()


def _plain(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


@pytest.fixture(scope="module")
def singlehtml(book_pdf: Path) -> tuple[Path, str]:
    """The single-page build the PDF was printed from: (its directory, its page's HTML)."""
    folder = book_pdf.parent / "_build" / "singlehtml"
    root = _toc_docnames()[0]
    return folder, (folder / f"{root}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdf_text(book_pdf: Path) -> list[str]:
    """The text of each page (pdftotext), in order."""
    return _poppler("pdftotext", "-enc", "UTF-8", str(book_pdf), "-").split("\f")[:-1]


@pytest.fixture(scope="module")
def chapter_titles(singlehtml) -> dict[str, str]:
    """The title of every document of _toc.yml, as the site shows it (with its number)."""
    _, page = singlehtml
    article = page[page.index("<article"):]
    titles = {}
    root_title = re.search(r"<h1[^>]*>(.*?)<a class=\"headerlink\"", article, re.S)
    titles[_toc_docnames()[0]] = _plain(root_title.group(1))
    for docname, heading in re.findall(
        r'<span id="document-([^"]+)"></span>\s*<section[^>]*>\s*<h\d[^>]*>(.*?)<a class="headerlink"', article, re.S
    ):
        titles[docname] = _plain(heading)
    return titles


def test_every_chapter_is_in_the_single_page_build(chapter_titles):
    assert list(chapter_titles) == _toc_docnames()


def test_page_count_is_plausible(book_pdf, pdf_text, chapter_titles):
    """At least a page per chapter plus the title page and contents; no run of empty pages."""
    from pypdf import PdfReader

    n = len(PdfReader(str(book_pdf)).pages)
    assert n == len(pdf_text)
    assert len(chapter_titles) + 2 <= n <= 40 * len(chapter_titles), n
    chars = sum(len(t.strip()) for t in pdf_text)
    assert 800 <= chars / n <= 6000, f"{chars / n:.0f} characters per page"
    # Only a page that ends a chapter may be nearly empty (the footer alone is ~25 characters).
    empty = [i + 1 for i, t in enumerate(pdf_text) if len(t.strip()) < 40 and i > 0]
    assert len(empty) <= len(chapter_titles), f"nearly empty pages: {empty}"


def test_every_chapter_title_is_in_the_text_in_order(pdf_text, chapter_titles):
    text = " ".join(" ".join(pdf_text).split())
    body = text[text.index(chapter_titles[_toc_docnames()[0]], text.index("Contents")) :]
    position = 0
    for docname, title in chapter_titles.items():
        assert title in text, f"{docname}: title {title!r} not in the PDF's text"
        found = body.find(title, position)
        assert found >= 0, f"{docname}: {title!r} is out of the table of contents' order"
        position = found + len(title)


def test_table_of_contents_and_bookmarks_give_each_chapters_page(book_pdf, pdf_text, chapter_titles):
    """The contents page lists each chapter with a page number where its title is, and the
    PDF has a bookmark for each chapter pointing at that page."""
    from pypdf import PdfReader

    contents = next(i for i, t in enumerate(pdf_text) if t.strip().startswith("Contents"))
    lines = " ".join(pdf_text[contents].split())
    reader = PdfReader(str(book_pdf))
    bookmarks = {"".join(o.title.split()): reader.get_destination_page_number(o) + 1
                 for o in reader.outline if not isinstance(o, list)}
    for docname, title in chapter_titles.items():
        m = re.search(re.escape(title) + r"\s+(\d+)", lines)
        assert m, f"{docname}: {title!r} with a page number not on the contents page"
        page = int(m.group(1))
        assert title in " ".join(pdf_text[page - 1].split()), f"{title!r} is not on page {page}"
        assert bookmarks.get("".join(title.split())) == page, f"{title!r}: bookmark {bookmarks}"


def test_no_raw_tex(pdf_text, singlehtml):
    """Math is typeset: TeX commands appear no more often than in the book's code itself."""
    _, page = singlehtml
    code = " ".join(_plain(c) for c in re.findall(r"<pre[^>]*>(.*?)</pre>|<code[^>]*>(.*?)</code>", page, re.S)
                    for c in c if c)
    text = "".join(pdf_text)
    raw = {t: (text.count(t), code.count(t)) for t in TEX if text.count(t) > code.count(t)}
    assert not raw, f"raw TeX in the PDF (count in the PDF, in the book's code): {raw}"


def test_every_font_is_embedded_and_one_has_cjk_glyphs(book_pdf, pdf_text):
    """pdffonts: every font embedded. A CJK font among them: Chromium embeds Noto CJK (an
    OpenType/CFF font) as unnamed Type 3 fonts of a few glyphs each, so pdffonts cannot name
    it; the test finds it by what the fonts' glyphs map to (ToUnicode). Chinese printed as
    boxes would be one glyph (.notdef) per font for every character; here the fonts must
    map distinct glyphs to distinct Chinese characters, for many characters in all."""
    rows = _poppler("pdffonts", str(book_pdf)).splitlines()[2:]
    assert rows, "no fonts in the PDF"
    not_embedded = [r for r in rows if r.split()[-5] != "yes"]
    assert not not_embedded, "fonts not embedded:\n" + "\n".join(not_embedded)

    from pypdf import PdfReader
    from pypdf.generic import IndirectObject

    seen: set[int] = set()
    cjk_chars: set[int] = set()

    def cjk_glyphs(cmap: str) -> dict[str, int]:
        """Glyph code -> Chinese character, from a ToUnicode CMap (bfchar entries and bfrange starts)."""
        out = {}
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", cmap):
            cp = int(dst[:4], 16) if len(dst) >= 4 else 0
            if 0x4E00 <= cp <= 0x9FFF:
                out[src] = cp
        return out

    def visit(resources) -> None:
        if not resources:
            return
        resources = resources.get_object()
        for ref in (resources.get("/Font") or {}).values():
            key = ref.idnum if isinstance(ref, IndirectObject) else id(ref)
            if key in seen:
                continue
            seen.add(key)
            font = ref.get_object()
            if "/ToUnicode" in font:
                glyphs = cjk_glyphs(font["/ToUnicode"].get_object().get_data().decode("latin-1"))
                if len(glyphs) >= 2 and len(set(glyphs.values())) == len(glyphs):
                    cjk_chars.update(glyphs.values())
        for ref in (resources.get("/XObject") or {}).values():
            xobj = ref.get_object()
            key = ref.idnum if isinstance(ref, IndirectObject) else id(ref)
            if key not in seen and xobj.get("/Subtype") == "/Form":
                seen.add(key)
                visit(xobj.get("/Resources"))

    for page in PdfReader(str(book_pdf)).pages:
        visit(page.get("/Resources"))
    assert len(cjk_chars) >= 50, f"no CJK font: only {len(cjk_chars)} Chinese characters have glyphs of their own"
    assert CHINESE_QUOTE in "".join("".join(pdf_text).split()), "the Chinese quotation of errata.md is missing"


def test_every_figure_of_the_site_is_in_the_pdf(book_pdf, singlehtml):
    """Every image of the site's pages is in the PDF at its own pixel size (pdfimages -list)."""
    from PIL import Image

    folder, page = singlehtml
    article = page[page.index("<article") :]
    sources = sorted(set(re.findall(r'<img[^>]*\ssrc="([^"]+)"', article)))
    assert sources, "no image in the site's pages"
    site, digests = Counter(), set()
    for src in sources:
        path = folder / html_lib.unescape(src)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in digests:
            continue
        digests.add(digest)
        with Image.open(path) as im:
            site[im.size] += 1
    rows = [r.split() for r in _poppler("pdfimages", "-list", str(book_pdf)).splitlines()[2:]]
    pdf = Counter()
    objects = set()
    for r in rows:
        if r[2] == "image" and r[10] not in objects:
            objects.add(r[10])
            pdf[(int(r[3]), int(r[4]))] += 1
    missing = site - pdf
    assert not missing, f"figures of the site not in the PDF (width, height: count): {dict(missing)}; PDF has {dict(pdf)}"


def test_nothing_runs_past_the_side_margins(book_pdf):
    """Every word (pdftotext -bbox) lies between the 15 mm side margins: long code lines
    and tables wrap or shrink instead of being cut off at the right edge."""
    boxes = _poppler("pdftotext", "-bbox", str(book_pdf), "-")
    margin = 15 / 25.4 * 72 - 2  # points, with 2 pt of tolerance
    outside = []
    for number, page in enumerate(boxes.split("<page ")[1:], start=1):
        width = float(re.match(r'width="([\d.]+)"', page).group(1))
        for x0, x1, word in re.findall(r'<word xMin="([-\d.]+)" yMin="[-\d.]+" xMax="([-\d.]+)" yMax="[-\d.]+">([^<]+)</word>', page):
            # MathJax's glyphs have no text, or private-use code points, and odd boxes: skipped.
            if all(0xE000 <= ord(c) <= 0xF8FF for c in html_lib.unescape(word).strip()):
                continue
            if float(x0) < margin or float(x1) > width - margin:
                outside.append(f"page {number}: {html_lib.unescape(word)!r} at x = {float(x0):.0f}..{float(x1):.0f}")
    assert not outside, f"{len(outside)} word(s) outside the margins, e.g. {outside[:8]}"
