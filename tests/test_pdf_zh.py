"""The Chinese edition's PDF (``make pdf``: ``tools/make_pdf.py --edition zh_CN``) reads as a
Chinese book: its title page, its contents (目录) with the parts' Chinese captions, every
chapter under its Chinese title (in the text, in order, and as a bookmark at its page), its
page references in Chinese, no word of the English tool left, and Chinese drawn in an
embedded CJK font with a glyph of its own for every character (no boxes, "tofu").

The PDF comes from the session fixture ``book_pdf_zh`` (``conftest.py``), printed once per
test run from the Chinese single-page build beside it, which is what "the site" means here.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest
from pdf_reading import fonts, plain, poppler
from tool_modules import load_tool

pytestmark = [pytest.mark.book, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
EDITION = "zh_CN"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: Chinese characters, and the CJK radicals that Chromium's ToUnicode maps give instead of
#: the ideographs that share their glyph (⼀ for 一, ⻚ for 页; pdftotext reads them back).
CJK_GLYPH = re.compile(r"[\u2e80-\u2fdf\u3400-\u9fff\uf900-\ufaff]")


def _squeeze(text: str) -> str:
    """Text without any whitespace: pdftotext breaks Chinese lines anywhere."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def make_pdf():
    return load_tool("make_pdf")


@pytest.fixture(scope="module")
def singlehtml(book_pdf_zh: Path, make_pdf) -> str:
    """The HTML of the Chinese single-page build the PDF was printed from."""
    folder = make_pdf.singlehtml_dir(book_pdf_zh.parent / "_build", EDITION)
    root = load_tool("book_site").toc_docnames()[0]
    return (folder / f"{root}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def chapter_titles(singlehtml: str) -> dict[str, str]:
    """Every document of _toc.yml with its title as the Chinese site shows it (numbered)."""
    article = singlehtml[singlehtml.index("<article"):]
    titles = {load_tool("book_site").toc_docnames()[0]:
              plain(re.search(r"<h1[^>]*>(.*?)<a class=\"headerlink\"", article, re.S).group(1))}
    for docname, heading in re.findall(
        r'<span id="document-([^"]+)"></span>\s*<section[^>]*>\s*<h\d[^>]*>(.*?)<a class="headerlink"', article, re.S
    ):
        titles[docname] = plain(heading)
    return titles


@pytest.fixture(scope="module")
def pdf_text(book_pdf_zh: Path) -> list[str]:
    """The text of each page in the order it is drawn (``pdftotext -raw``: the default
    layout order puts the Chinese of a heading, drawn in another font at another baseline,
    before its Latin words)."""
    return poppler("pdftotext", "-raw", "-enc", "UTF-8", str(book_pdf_zh), "-").split("\f")[:-1]


@pytest.fixture(scope="module")
def contents_page(pdf_text: list[str]) -> int:
    """The index of the page that starts with the contents' heading, 目录."""
    found = [i for i, t in enumerate(pdf_text) if t.strip().startswith("目录")]
    assert found, "no page of the PDF starts with 目录; pages 1-3 start with " + repr(
        [t.strip()[:20] for t in pdf_text[:3]])
    return found[0]


def test_every_chapter_has_its_chinese_title_in_the_single_page_build(chapter_titles):
    assert list(chapter_titles) == load_tool("book_site").toc_docnames()
    english = [t for d, t in chapter_titles.items() if not CJK.search(t)]
    assert not english, f"chapters without a Chinese title in the Chinese build: {english}"


def test_the_title_page_is_the_chinese_editions(pdf_text, make_pdf):
    """Page 1: the edition's title, the Chinese subtitle and meta lines (the day of printing
    in Chinese), the repository; none of the English title page's words."""
    title = load_tool("build_editions").EDITIONS[EDITION]["title"]
    words = make_pdf.WORDS[EDITION]
    page = _squeeze(pdf_text[0])
    assert _squeeze(title) in page, f"{title!r} not on the title page: {pdf_text[0][:300]!r}"
    assert _squeeze(words["subtitle"]) in page and CJK.search(words["subtitle"])
    printed = re.search(r"印制自JupyterBook版，(\d{4})年(\d{1,2})月(\d{1,2})日", page)
    assert printed, f"no Chinese date of printing on the title page: {pdf_text[0]!r}"
    assert "github.com/" in page
    english = make_pdf.WORDS["en"]
    for phrase in (english["subtitle"], "Printed from", "Backprop, Tested", "authors"):
        assert _squeeze(phrase) not in page, f"English on the Chinese title page: {phrase!r}"


def test_the_contents_lists_the_parts_in_chinese_and_every_chapter_with_its_page(
        book_pdf_zh, pdf_text, contents_page, chapter_titles):
    """目录 lists each part under its caption as the root page's catalog translates it (and
    not the English caption), then each chapter's Chinese title with the page where that
    title is printed, in the order of _toc.yml; each chapter has a bookmark at that page,
    titled as the chapter."""
    import polib
    from pypdf import PdfReader

    root, parts = load_tool("book_site").toc_parts()
    catalog = {e.msgid: e.msgstr for e in polib.pofile(str(ROOT / "locale" / EDITION / "LC_MESSAGES" / f"{root}.po"))
               if e.msgstr and "fuzzy" not in e.flags}
    contents = " ".join(pdf_text[contents_page].split())
    position = 0
    reader = PdfReader(str(book_pdf_zh))
    bookmarks = {_squeeze(o.title): reader.get_destination_page_number(o) + 1
                 for o in reader.outline if not isinstance(o, list)}
    for part in parts:
        if part["caption"]:
            caption = catalog.get(part["caption"])
            assert caption and CJK.search(caption), f"no Chinese for the part {part['caption']!r} in {root}.po"
            found = contents.find(caption, position)
            assert found >= 0, f"part caption {caption!r} not in 目录 (in order): {contents[position:position + 200]!r}"
            assert part["caption"] not in contents, f"English part caption {part['caption']!r} in 目录"
            position = found + len(caption)
        for docname in part["docnames"]:
            title = chapter_titles[docname]
            m = re.compile(re.escape(title) + r"\s+(\d+)").search(contents, position)
            assert m, f"{docname}: {title!r} with a page number not in 目录 after {contents[position:position + 80]!r}"
            page = int(m.group(1))
            assert _squeeze(title) in _squeeze(pdf_text[page - 1]), f"{title!r} is not on page {page}"
            assert bookmarks.get(_squeeze(title)) == page, f"{title!r}: no bookmark at page {page}: {bookmarks}"
            position = m.end()


def test_every_chapter_is_printed_in_order_and_its_text_is_chinese(pdf_text, contents_page, chapter_titles):
    """After 目录, every chapter's title in the order of _toc.yml, and the words a reader
    meets most ("反向传播") extracted as text: the Chinese is real text in real glyphs."""
    body = _squeeze(" ".join(pdf_text[contents_page + 1:]))
    position = 0
    for docname, title in chapter_titles.items():
        found = body.find(_squeeze(title), position)
        assert found >= 0, f"{docname}: {title!r} not in the PDF's text after 目录, in order"
        position = found + len(_squeeze(title))
    assert body.count("反向传播") > 200, body.count("反向传播")
    # The code, its outputs and the formulas are the English edition's: a tenth at least is Chinese.
    chinese = len(CJK.findall(body))
    assert chinese > 0.1 * len(body), f"only {chinese} of {len(body)} characters are Chinese"


def test_page_count_is_plausible(book_pdf_zh, pdf_text, chapter_titles):
    """At least a page per chapter plus the title page and contents, at most 40 a chapter;
    every page has its footer (the Chinese title, "k / n"); no run of empty pages."""
    from pypdf import PdfReader

    n = len(PdfReader(str(book_pdf_zh)).pages)
    assert n == len(pdf_text)
    assert len(chapter_titles) + 2 <= n <= 40 * len(chapter_titles), n
    title = _squeeze(load_tool("build_editions").EDITIONS[EDITION]["title"])
    no_footer = [k for k, t in enumerate(pdf_text, 1) if f"{title}·{k}/{n}" not in _squeeze(t)]
    assert not no_footer, f"pages without the footer '{title} · k / {n}': {no_footer[:10]}"
    empty = [k for k, t in enumerate(pdf_text, 1) if len(_squeeze(t)) < len(title) + 15 and k > 1]
    assert len(empty) <= len(chapter_titles), f"nearly empty pages: {empty}"


def _to_unicode(cmap: str) -> list[tuple[str, int]]:
    """(glyph code, character) of every entry of a ToUnicode CMap: its bfchar pairs and
    every code of its bfrange ranges (``<lo> <hi> <first>`` or ``<lo> <hi> [<c1> ...]``)."""
    out = []
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out.append((src.upper(), int(dst[:4], 16)))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, first, array in re.findall(
                r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(?:<([0-9A-Fa-f]+)>|\[([^\]]*)\])", block):
            codes = range(int(lo, 16), int(hi, 16) + 1)
            targets = ([int(first[:4], 16) + k for k in range(len(codes))] if first
                       else [int(d[:4], 16) for d in re.findall(r"<([0-9A-Fa-f]+)>", array)])
            out += [(f"{code:0{len(lo)}X}", cp) for code, cp in zip(codes, targets)]
    return out


def test_every_font_is_embedded_and_every_chinese_character_has_a_glyph(book_pdf_zh, pdf_text):
    """pdffonts: every font embedded. No tofu: every Chinese character of the text is drawn
    with a glyph of its own. Chromium embeds Noto CJK as Type 3 fonts whose glyphs are named
    by their glyph id ("/g2E0A"); a character no font has would be drawn as the .notdef box,
    glyph 0 ("/g0"), shared by every such character. So each Chinese character that a
    font's ToUnicode map lists must have a glyph other than /g0 that no other character
    shares, with a drawing (a CharProc that is not empty)."""
    rows = poppler("pdffonts", str(book_pdf_zh)).splitlines()[2:]
    assert rows, "no fonts in the PDF"
    not_embedded = [r for r in rows if r.split()[-5] != "yes"]
    assert not not_embedded, "fonts not embedded:\n" + "\n".join(not_embedded)

    drawn: set[int] = set()       # Chinese characters drawn with a real glyph of their own
    boxes: dict[int, str] = {}    # Chinese characters drawn with .notdef or a shared glyph

    for key, font in fonts(book_pdf_zh):
        if font.get("/Subtype") != "/Type3" or "/ToUnicode" not in font:
            continue
        names: dict[int, str] = {}
        code = 0
        for item in font["/Encoding"].get_object().get("/Differences", []):
            if isinstance(item, int) or str(item).lstrip("-").isdigit():
                code = int(item)
            else:
                names[code] = str(item)
                code += 1
        procs = font["/CharProcs"].get_object()
        chars = [(int(src, 16), cp) for src, cp in
                 _to_unicode(font["/ToUnicode"].get_object().get_data().decode("latin-1"))
                 if CJK_GLYPH.match(chr(cp))]
        shared = {name for name in (names.get(c) for c, _ in chars)
                  if sum(names.get(c) == name for c, _ in chars) > 1}
        for c, cp in chars:
            name = names.get(c)
            if name in (None, "/g0", "/.notdef") or name in shared:
                boxes[cp] = f"font {key}: code {c} is {name}"
            elif not procs[name].get_object().get_data().strip():
                boxes[cp] = f"font {key}: {name} draws nothing"
            else:
                drawn.add(cp)

    assert not boxes, f"{len(boxes)} Chinese characters drawn as a box: " + "; ".join(
        f"{chr(cp)} ({why})" for cp, why in list(boxes.items())[:10])
    assert len(drawn) > 800, f"only {len(drawn)} distinct Chinese characters drawn"
    in_text = {ord(c) for c in CJK.findall("".join(pdf_text))}
    assert len(in_text) > 800, f"only {len(in_text)} distinct Chinese characters in the text"


def test_the_pdf_says_it_is_chinese(book_pdf_zh, singlehtml):
    """The printed page's language is zh-CN (Chromium writes it into the PDF's catalog,
    /Lang, from <html lang>), and the PDF's title is the edition's."""
    from pypdf import PdfReader

    assert re.search(r'<html[^>]*\slang="zh-CN"', singlehtml), "the Chinese single-page build is not lang=zh-CN"
    reader = PdfReader(str(book_pdf_zh))
    assert reader.trailer["/Root"].get("/Lang") == "zh-CN", reader.trailer["/Root"].get("/Lang")
    assert reader.metadata.title == load_tool("build_editions").EDITIONS[EDITION]["title"]


def test_no_word_of_the_english_tool_is_left(pdf_text, make_pdf):
    """What make_pdf.py writes itself is Chinese: no "Contents", no "(p. N)", no folded
    block titled "Folded on the site" or with myst-nb's English "{type}" ("source"); the
    folded blocks say 网站上折叠."""
    text = " ".join(" ".join(pdf_text).split())
    english = make_pdf.WORDS["en"]
    leftovers = {phrase: text.count(phrase) for phrase in
                 (english["contents"], "Folded on the site", "Hide code cell", "代码单元的source",
                  "代码单元的output", "代码单元的content", "隐藏代码单元")
                 if phrase in text}
    assert not leftovers, f"English words of the tool in the Chinese PDF: {leftovers}"
    assert not re.search(r"\(p\.\s*\d+\)", text), re.search(r".{40}\(p\.\s*\d+\).{10}", text)
    assert text.count("网站上折叠") >= 100, text.count("网站上折叠")


def test_every_page_reference_is_in_chinese_and_gives_the_page_its_link_leads_to(book_pdf_zh, pdf_text, singlehtml):
    """Every {ref}/{doc} cross-reference of the Chinese site is a link in the PDF, printed
    with "（第 N 页）"; on every page, the numbers N printed are the pages that the page's
    cross-reference links lead to (pdftotext cuts Chinese into runs wider than a link, so
    the numbers are matched with the links page by page)."""
    from pypdf import PdfReader

    article = singlehtml[singlehtml.index("<article"):]
    expected = set()
    for target in re.findall(r'<a class="reference internal"[^>]*href="(?:book/intro\.html)?#([^"]+)"[^>]*>'
                             r'\s*<span class="(?:std std-ref|doc)"', article):
        target = html_lib.unescape(target)
        if target.startswith("document-"):  # prepare.js leads a chapter's marker to its section
            section = re.search(rf'<span id="{re.escape(target)}"></span>\s*<section[^>]*\sid="([^"]+)"', singlehtml)
            assert section, f"no chapter after the marker {target!r}"
            target = section.group(1)
        expected.add(target)
    assert len(expected) > 20, f"only {len(expected)} {{ref}}/{{doc}} cross-references in the Chinese site"

    reader = PdfReader(str(book_pdf_zh))
    destinations = {str(name).lstrip("/"): reader.get_destination_page_number(dest) + 1
                    for name, dest in reader.named_destinations.items()}
    linked, wrong, printed_total = set(), [], 0
    given: set[str] = set()  # targets whose page a page that links them prints
    for number, page in enumerate(reader.pages, start=1):
        leads_to: dict[int, set[str]] = {}
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            dest = (str(annot["/Dest"]) if "/Dest" in annot else
                    str(action.get_object().get("/D")) if action is not None else "")
            dest = dest.lstrip("/")
            if annot.get("/Subtype") == "/Link" and dest in expected:
                linked.add(dest)
                leads_to.setdefault(destinations.get(dest), set()).add(dest)
        printed = {int(n) for n in re.findall(r"（第\s*(\d+)\s*页）", pdf_text[number - 1])}
        printed_total += len(printed)
        if not printed <= set(leads_to):
            wrong.append(f"page {number}: prints 第 {sorted(printed - set(leads_to))} 页, but its "
                         f"cross-references lead to {sorted(leads_to)}")
        for n in printed & set(leads_to):
            given |= leads_to[n]
    missing = sorted(expected - linked)
    assert not missing, f"{len(missing)} cross-reference(s) that are no link in the PDF: {missing[:8]}"
    assert printed_total >= 20, f"only {printed_total} page references （第 N 页） printed"
    assert not wrong, f"{len(wrong)} page(s) with wrong page references: " + "; ".join(wrong[:8])
    without = sorted(expected - given)
    assert not without, f"{len(without)} cross-reference(s) printed without （第 N 页）: {without[:8]}"
