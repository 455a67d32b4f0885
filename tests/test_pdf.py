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
import math
import html as html_lib
import re
from collections import Counter
from pathlib import Path

import pytest
from pdf_reading import fonts, plain, poppler
from tool_modules import load_tool

pytestmark = [pytest.mark.book, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
POPPLER = ("pdftotext", "pdffonts", "pdfimages")
#: TeX that must not be left raw in the text; it may appear as often as in the book's code.
TEX = ("$$", "\\frac", "\\begin{", "\\end{", "\\partial", "\\sigma", "\\left", "\\right", "\\mathrm",
       "\\cdot", "\\sum", "\\hat", "\\mathbf", "\\delta", "\\top", "\\odot", "\\tanh", "\\operatorname")
#: A sentence of a source quoted in Chinese (book/errata.md).
CHINESE_QUOTE = "每个层中有两个神经元"


def _toc_docnames() -> list[str]:
    return load_tool("book_site").toc_docnames()


@pytest.fixture(scope="module")
def singlehtml(book_pdf: Path) -> tuple[Path, str]:
    """The single-page build the PDF was printed from: (its directory, its page's HTML)."""
    folder = book_pdf.parent / "_build" / "singlehtml"
    root = _toc_docnames()[0]
    return folder, (folder / f"{root}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdf_text(book_pdf: Path) -> list[str]:
    """The text of each page (pdftotext), in order."""
    return poppler("pdftotext", "-enc", "UTF-8", str(book_pdf), "-").split("\f")[:-1]


@pytest.fixture(scope="module")
def chapter_titles(singlehtml) -> dict[str, str]:
    """The title of every document of _toc.yml, as the site shows it (with its number)."""
    _, page = singlehtml
    article = page[page.index("<article"):]
    titles = {}
    root_title = re.search(r"<h1[^>]*>(.*?)<a class=\"headerlink\"", article, re.S)
    titles[_toc_docnames()[0]] = plain(root_title.group(1))
    for docname, heading in re.findall(
        r'<span id="document-([^"]+)"></span>\s*<section[^>]*>\s*<h\d[^>]*>(.*?)<a class="headerlink"', article, re.S
    ):
        titles[docname] = plain(heading)
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
    code = " ".join(plain(c) for c in re.findall(r"<pre[^>]*>(.*?)</pre>|<code[^>]*>(.*?)</code>", page, re.S)
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
    rows = poppler("pdffonts", str(book_pdf)).splitlines()[2:]
    assert rows, "no fonts in the PDF"
    not_embedded = [r for r in rows if r.split()[-5] != "yes"]
    assert not not_embedded, "fonts not embedded:\n" + "\n".join(not_embedded)

    cjk_chars: set[int] = set()

    def cjk_glyphs(cmap: str) -> dict[str, int]:
        """Glyph code -> Chinese character, from a ToUnicode CMap (bfchar entries and bfrange starts)."""
        out = {}
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", cmap):
            cp = int(dst[:4], 16) if len(dst) >= 4 else 0
            if 0x4E00 <= cp <= 0x9FFF:
                out[src] = cp
        return out

    for _, font in fonts(book_pdf):
        if "/ToUnicode" in font:
            glyphs = cjk_glyphs(font["/ToUnicode"].get_object().get_data().decode("latin-1"))
            if len(glyphs) >= 2 and len(set(glyphs.values())) == len(glyphs):
                cjk_chars.update(glyphs.values())
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
    rows = [r.split() for r in poppler("pdfimages", "-list", str(book_pdf)).splitlines()[2:]]
    pdf = Counter()
    objects = set()
    for r in rows:
        if r[2] == "image" and r[10] not in objects:
            objects.add(r[10])
            pdf[(int(r[3]), int(r[4]))] += 1
    missing = site - pdf
    assert not missing, f"figures of the site not in the PDF (width, height: count): {dict(missing)}; PDF has {dict(pdf)}"


@pytest.fixture(scope="module")
def pdf_boxes(book_pdf: Path) -> str:
    """Every word of the PDF with its box (pdftotext -bbox: XHTML, points from the top left)."""
    return poppler("pdftotext", "-bbox", str(book_pdf), "-")


def test_nothing_runs_past_the_side_margins(pdf_boxes):
    """Every word (pdftotext -bbox) lies between the 15 mm side margins: long code lines
    and tables wrap or shrink instead of being cut off at the right edge."""
    boxes = pdf_boxes
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


# ------------------------------------------------- what the PDF draws (content streams)
#: The operators, names, numbers and strings of a content stream. Chromium writes its
#: strings in hex; literal strings are skipped whole so that nothing in them reads as an operator.
_TOKEN = re.compile(rb"<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\)|/[^\s/\[\]()<>{}%]+|[-+]?(?:\d+\.?\d*|\.\d+)"
                    rb"|[A-Za-z'\"*]+\d?|\[|\]|%[^\r\n]*", re.S)


def _times(m: tuple, n: tuple) -> tuple:
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


@pytest.fixture(scope="module")
def pdf_drawing(book_pdf: Path) -> dict:
    """What each page draws, read from its content stream (and the forms it calls), with
    the graphics state tracked through q/Q: every image placed (page, pixel width and
    height, drawn width and height in points, from the transformation matrix), and every
    text-showing operator counted by (font name, fill colour as printed on white, with
    the fill opacity applied) with the first page it is on."""
    from pypdf import PdfReader

    reader = PdfReader(str(book_pdf))
    images: list[tuple[int, int, int, float, float]] = []
    texts: Counter = Counter()
    first_page: dict = {}

    def walk(data: bytes, resources, ctm: tuple, number: int) -> None:
        resources = resources.get_object() if resources is not None else {}
        fonts = resources.get("/Font") or {}
        states = resources.get("/ExtGState") or {}
        xobjects = resources.get("/XObject") or {}
        stack: list = []
        color, alpha, font = (0.0, 0.0, 0.0), 1.0, "?"
        operands: list[bytes] = []
        for match in _TOKEN.finditer(data):
            token = match.group()
            head = token[:1]
            if head in b"[]%":
                continue
            if not (head.isalpha() or head in b"'\""):
                operands.append(b"" if head in b"<(" else token)
                continue
            op = token
            if op == b"q":
                stack.append((ctm, color, alpha, font))
            elif op == b"Q":
                ctm, color, alpha, font = stack.pop()
            elif op == b"cm":
                ctm = _times(tuple(float(x) for x in operands[-6:]), ctm)
            elif op in (b"rg", b"sc", b"scn") and len(operands) == 3:
                color = tuple(float(x) for x in operands)
            elif op in (b"g", b"sc", b"scn") and len(operands) == 1:
                color = (float(operands[0]),) * 3
            elif op == b"gs":
                alpha = float(states[operands[-1].decode()].get_object().get("/ca", 1))
            elif op == b"Tf":
                base = fonts[operands[-2].decode()].get_object().get("/BaseFont")
                font = str(base).split("+")[-1] if base else "(Type 3)"
            elif op in (b"Tj", b"TJ", b"'", b'"'):
                key = (font, tuple(round(1 - alpha * (1 - v), 3) for v in color))
                texts[key] += 1
                first_page.setdefault(key, number)
            elif op == b"Do":
                xobject = xobjects[operands[-1].decode()].get_object()
                if xobject["/Subtype"] == "/Image":
                    images.append((number, int(xobject["/Width"]), int(xobject["/Height"]),
                                   math.hypot(ctm[0], ctm[1]), math.hypot(ctm[2], ctm[3])))
                elif xobject["/Subtype"] == "/Form":
                    matrix = tuple(float(v) for v in xobject.get("/Matrix", (1, 0, 0, 1, 0, 0)))
                    walk(xobject.get_data(), xobject.get("/Resources"), _times(matrix, ctm), number)
            operands = []

    for number, page in enumerate(reader.pages, start=1):
        contents = page.get_contents()
        if contents is not None:
            walk(contents.get_data(), page.get("/Resources"), (1, 0, 0, 1, 0, 0), number)
    return {"images": images, "texts": texts, "first_page": first_page}


def test_every_image_is_drawn_at_its_own_aspect_ratio(pdf_drawing):
    """Every image the PDF draws (the figures, the logo) keeps its pixels' aspect ratio
    within 1%: the drawn width and height come from the transformation matrix in force
    where the page draws it. (A figure scaled to the column with its inline pixel height
    kept was drawn 1.3x too tall or up to 1.5x too wide.)"""
    images = pdf_drawing["images"]
    assert images, "the PDF draws no image"
    distorted = [f"page {page}: {w}x{h} px drawn {dw:.0f}x{dh:.0f} pt, ratio off by x{(dw / dh) / (w / h):.3f}"
                 for page, w, h, dw, dh in images if abs((dw / dh) / (w / h) - 1) > 0.01]
    assert not distorted, f"{len(distorted)} of {len(images)} images distorted: {distorted}"


def _contrast_on_white(rgb: tuple[float, float, float]) -> float:
    """WCAG contrast ratio of a colour (0..1 components) against white."""
    def linear(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
    return 1.05 / (lum + 0.05)


#: Icon fonts: their glyphs (the admonitions' symbols) are not text to read.
ICON_FONTS = ("FontAwesome",)


def test_all_text_prints_dark_and_in_a_regular_weight(pdf_drawing):
    """Every piece of text the PDF draws (body, captions, code, outputs, footers) is
    dark enough to read on paper: a fill colour with at least 7:1 contrast against
    white (WCAG AAA), and a font that is not a light or thin cut. (The theme printed
    every caption in its muted grey in DejaVu Sans ExtraLight.)"""
    texts, first_page = pdf_drawing["texts"], pdf_drawing["first_page"]
    assert sum(texts.values()) > 10_000, "hardly any text drawn"
    pale = [f"{font} in rgb{color} ({_contrast_on_white(color):.2f}:1), {n} runs from page {first_page[font, color]}"
            for (font, color), n in texts.items()
            if not font.startswith(ICON_FONTS)
            and (_contrast_on_white(color) < 7 or re.search(r"(Extra|Ultra)?Light|Thin|Hairline", font))]
    assert not pale, "text printed too pale: " + "; ".join(pale)


# ------------------------------------------------------------------------ links
def _place(page: str, target: str) -> str:
    """Where a link of the site to ``target`` leads in the PDF: a link to a whole chapter
    (``#document-book/x``, an empty marker before the chapter) leads to the chapter's section."""
    if target.startswith("document-"):
        m = re.search(rf'<span id="{re.escape(target)}"></span>\s*<section[^>]*\sid="([^"]+)"', page)
        assert m, f"no chapter after the marker {target!r}"
        return m.group(1)
    return target


def _link_annotations(book_pdf: Path) -> list[tuple[int, str, str]]:
    """Every link annotation: (page, "uri" or "dest", its URI or destination name)."""
    from pypdf import PdfReader

    out = []
    for number, page in enumerate(PdfReader(str(book_pdf)).pages, start=1):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            if action is not None and action.get_object().get("/S") == "/URI":
                out.append((number, "uri", str(action.get_object()["/URI"])))
            elif action is not None and action.get_object().get("/S") == "/GoTo":
                out.append((number, "dest", str(action.get_object()["/D"]).lstrip("/")))
            elif "/Dest" in annot:
                out.append((number, "dest", str(annot["/Dest"]).lstrip("/")))
            else:
                out.append((number, "other", repr(annot)))
    return out


def test_links_lead_to_the_web_or_into_the_pdf(book_pdf, singlehtml):
    """No link of the PDF leads to the print server (127.0.0.1 or localhost, gone once the
    PDF is printed: the figures' links to their image files, the general index); external
    links are http(s); every cross-reference of the site's pages into the book (citations,
    glossary terms, exercises, sections, errata proofs) is a link to a place in the PDF
    (a named destination that exists)."""
    from pypdf import PdfReader

    links = _link_annotations(book_pdf)
    local = [f"page {p}: {u}" for p, kind, u in links
             if kind != "dest" and re.match(r"(?i)^[a-z]+://(127\.|localhost|\[::1\])", u)]
    assert not local, f"{len(local)} link(s) to the print server: {local[:8]}"
    other = [f"page {p}: {kind} {u}" for p, kind, u in links if kind == "other" or
             (kind == "uri" and not re.match(r"https?://", u))]
    assert not other, f"links that lead neither to the web nor into the PDF: {other[:8]}"

    names = {str(n).lstrip("/") for n in PdfReader(str(book_pdf)).named_destinations}
    dangling = sorted({u for _, kind, u in links if kind == "dest" and u not in names})
    assert not dangling, f"links to destinations the PDF does not have: {dangling[:8]}"

    _, page = singlehtml
    article = page[page.index("<article"):]
    targets = {_place(page, html_lib.unescape(t))
               for t in re.findall(r'<a class="reference internal"[^>]*href="(?:book/intro\.html)?#([^"]+)"', article)}
    assert len(targets) > 50, f"only {len(targets)} cross-references found in the site's pages"
    linked = {u for _, kind, u in links if kind == "dest"}
    not_linked = sorted(targets - linked)
    assert not not_linked, f"{len(not_linked)} cross-reference target(s) with no link in the PDF: {not_linked[:8]}"


# ----------------------------------------------------------- page references
def _first_words(page: str, target: str) -> str:
    """The first words of what the element with id ``target`` starts (a paragraph, or the
    heading or cell after an empty anchor): the first run of at least four plain words
    within one block, without math (which pdftotext reads as other characters)."""
    m = re.search(rf'<\w+[^>]*\sid="{re.escape(target)}"', page)
    assert m, f"no element with id {target!r} in the site"
    html = re.sub(r'<a class="headerlink".*?</a>', "", page[m.start():m.start() + 5000], flags=re.S)
    html = re.sub(r'<span class="math[^"]*">.*?</span>|</(?:p|h\d|div|pre|li)>', "\x00", html, flags=re.S)
    for run in plain(html).split("\x00"):
        words = run.split()
        if len(words) >= 4:
            return " ".join(words[:6])
    raise AssertionError(f"no run of plain words after the id {target!r}")


def test_errata_give_the_page_of_each_proof(book_pdf, pdf_text, singlehtml, chapter_titles):
    """Every erratum's "Proof:" line names, after each proof it links to ("cell",
    "engine"), the page where that proof is, "(p. N)"; and page N of the PDF is the page
    where the proof starts (the first words of the paragraph or heading the link leads
    to are on it)."""
    _, page = singlehtml
    start = page.index('<span id="document-book/errata">')
    errata = page[start:page.index('<span id="document-', start + 10)]
    entries = [re.findall(r'href="book/intro\.html#([^"]+)"', m)
               for m in re.findall(r"<strong>Proof:</strong>(.*?)</li>", errata, re.S)]
    assert len(entries) >= 30 and all(entries), f"{len(entries)} errata entries with proofs in the site"
    markers = {t: _first_words(page, t) for refs in entries for t in refs}

    from pypdf import PdfReader

    reader = PdfReader(str(book_pdf))
    first = next(reader.get_destination_page_number(o) for o in reader.outline
                 if not isinstance(o, list) and "".join(o.title.split()) == "".join(chapter_titles["book/errata"].split()))
    # Each "Proof:" line ends at its first full stop (not the one of "p.").
    chunks = "\n".join(pdf_text[first:]).split("Proof:")[1:]
    proofs = [re.match(r"(.*?)(?<!\bp)\.(?:\s|$)", c, re.S).group(1) for c in chunks][: len(entries)]
    assert len(proofs) == len(entries), f"{len(proofs)} 'Proof:' lines in the PDF's errata for {len(entries)} entries"
    # Compared by their Latin letters and digits alone: pdftotext may place a quotation mark
    # of another font (the Chinese quotations') elsewhere on its line.
    def alnum(text: str) -> str:
        return re.sub(r"[^A-Za-z0-9]", "", text)

    plain = [alnum(t) for t in pdf_text]
    wrong = []
    for number, (refs, proof) in enumerate(zip(entries, proofs), start=1):
        cited = [int(n) for n in re.findall(r"\(p\.\s*(\d+)\)", proof)]
        if len(cited) != len(refs):
            wrong.append(f"erratum {number}: {len(refs)} proof(s) but page numbers {cited} in {' '.join(proof.split())!r}")
            continue
        for target, n in zip(refs, cited):
            if not 1 <= n <= len(pdf_text) or alnum(markers[target]) not in plain[n - 1]:
                wrong.append(f"erratum {number}: {target} ({markers[target]!r}) is not on page {n}")
    assert not wrong, f"{len(wrong)} wrong: " + "; ".join(wrong[:8])


def test_every_page_reference_gives_the_page_its_target_starts_on(book_pdf, pdf_boxes, pdf_text, singlehtml):
    """Every cross-reference printed with a page number, "(p. N)" inside a link of the PDF,
    gives the page its link leads to (the named destination's), and that page is where the
    target starts: its first words (a section's title, a paragraph's start) are on page N.
    Every {ref} and {doc} cross-reference of the site's pages has one."""
    from pypdf import PdfReader

    reader = PdfReader(str(book_pdf))
    destinations = {str(name).lstrip("/"): reader.get_destination_page_number(dest) + 1
                    for name, dest in reader.named_destinations.items()}
    boxes = pdf_boxes.split("<page ")[1:]
    word = re.compile(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)</word>')
    cited: dict[str, set[int]] = {}
    for number, page in enumerate(reader.pages, start=1):
        height = float(page.mediabox.height)
        words = [(float(x0), float(y0), float(x1), float(y1), html_lib.unescape(w))
                 for x0, y0, x1, y1, w in word.findall(boxes[number - 1])]
        # Chromium writes a link as one annotation per run of text ("cell", " (p.", "37", ")"):
        # the words inside all the annotations of one destination, in reading order.
        rects: dict[str, list[tuple[float, ...]]] = {}
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            dest = (str(annot["/Dest"]) if "/Dest" in annot else
                    str(action.get_object().get("/D")) if action is not None else None)
            if annot.get("/Subtype") == "/Link" and dest and dest != "None":
                rects.setdefault(dest.lstrip("/"), []).append(tuple(float(v) for v in annot["/Rect"]))
        for dest, areas in rects.items():
            inside = " ".join(w for x0, y0, x1, y1, w in sorted(words, key=lambda b: (round(b[1]), b[0]))
                              if any(left - 1 <= (x0 + x1) / 2 <= right + 1
                                     and height - top - 1 <= (y0 + y1) / 2 <= height - bottom + 1
                                     for left, bottom, right, top in areas))
            for n in re.findall(r"\(p\.\s*(\d+)\)", inside):
                cited.setdefault(dest, set()).add(int(n))

    _, html = singlehtml
    article = html[html.index("<article"):]
    expected = {_place(html, html_lib.unescape(t)) for t in re.findall(
        r'<a class="reference internal"[^>]*href="(?:book/intro\.html)?#([^"]+)"[^>]*>\s*<span class="(?:std std-ref|doc)"', article)}
    assert len(expected) > 20, f"only {len(expected)} {{ref}}/{{doc}} cross-references in the site's pages"
    missing = sorted(expected - set(cited))
    assert not missing, f"{len(missing)} cross-reference(s) without a page number in the PDF: {missing[:8]}"

    plain = [re.sub(r"[^A-Za-z0-9]", "", t) for t in pdf_text]
    wrong = []
    for target, pages in sorted(cited.items()):
        marker = _first_words(html, target)
        for n in pages:
            if n != destinations.get(target):
                wrong.append(f"{target}: p. {n} but the link leads to page {destinations.get(target)}")
            elif re.sub(r"[^A-Za-z0-9]", "", marker) not in plain[n - 1]:
                wrong.append(f"{target}: {marker!r} is not on page {n}")
    assert not wrong, f"{len(wrong)} wrong page reference(s): " + "; ".join(wrong[:8])


# ------------------------------------------------------------------------ steppers
def _steppers(page: str) -> list[dict]:
    """Every stepper (bplib.stepper) of the site's pages: its name, frame count, and the frames
    it prints (``.bp-pf``), each with its head, its caption and its figure's numbers."""
    out = []
    for m in re.finditer(r'<div class="bp-stepper"[^>]*data-stepper="([^"]+)"[^>]*data-frames="(\d+)"', page):
        start = page.index('<div class="bp-print">', m.end())
        end = page.index("<script>", start)
        printed = []
        for f in re.finditer(r'<div class="bp-pf" data-f="(\d+)"><p class="bp-pf-head">([^<]*)</p>(.*?)'
                             r'<div class="bp-cap">(.*?)</div></div>', page[start:end], re.S):
            printed.append({"frame": int(f.group(1)), "head": plain(f.group(2)), "caption": plain(f.group(4)),
                            "numbers": [html_lib.unescape(t) for t in re.findall(r'data-q="[^"]*">([^<]*)<', f.group(3))]})
        out.append({"name": m.group(1), "frames": int(m.group(2)), "printed": printed})
    return out


def _words_by_page(pdf_boxes: str) -> list[list[tuple[float, float, float, float, str]]]:
    """Every word of each page (pdftotext -bbox): (x0, y0, x1, y1, text), points from the top left."""
    word = re.compile(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)</word>')
    return [[(float(a), float(b), float(c), float(d), html_lib.unescape(w)) for a, b, c, d, w in word.findall(page)]
            for page in pdf_boxes.split("<page ")[1:]]


def _heads(pages, frames: int) -> list[tuple[int, float, float, int]]:
    """Where "Step k of ``frames``" is printed: (page index, x, y, k), in reading order."""
    out = []
    for number, words in enumerate(pages):
        for i in range(len(words) - 3):
            w = [x[4] for x in words[i:i + 4]]
            if w[0] == "Step" and w[1].isdigit() and w[2] == "of" and w[3] == str(frames) \
                    and abs(words[i][1] - words[i + 3][1]) < 2:
                out.append((number, words[i][0], words[i][1], int(w[1])))
    return sorted(out, key=lambda h: (h[0], round(h[2]), h[1]))


def _region_text(words, x: float, y: float, x_end: float, y_end: float) -> list[str]:
    """The words inside a box, line by line (grouped by their bottom) and left to right."""
    inside = sorted((w for w in words if x - 2 <= w[0] and w[2] <= x_end + 2 and y - 2 <= w[1] and w[3] <= y_end + 2),
                    key=lambda w: (w[3], w[0]))
    lines: list[list] = []
    for w in inside:
        if lines and abs(lines[-1][-1][3] - w[3]) < 3:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [w[4] for line in lines for w in sorted(line, key=lambda w: w[0])]


def test_every_stepper_prints_as_its_printed_frames(pdf_text, pdf_boxes, singlehtml):
    """Each step-through figure of the site prints as its fixed sequence of at most six
    frames, in order: where each printed frame's head ("Step 8 of 22") is, its figure's
    numbers and its caption are printed under it (the frames are laid out two to a row:
    from the head down to the next head in its column); no other frame's head is printed,
    and none of the live controls (the buttons, the hint)."""
    from bplib.stepper_words import WORDS

    _, page = singlehtml
    steppers = _steppers(page[page.index("<article"):])
    assert steppers, "no stepper (.bp-stepper) in the site's pages"
    pages = _words_by_page(pdf_boxes)
    widths = [float(w) for w in re.findall(r'<page width="([\d.]+)"', pdf_boxes)]
    heights = [float(h) for h in re.findall(r'<page width="[\d.]+" height="([\d.]+)"', pdf_boxes)]
    problems = []
    used: Counter = Counter()          # heads of each frame count taken by the steppers before
    for s in steppers:
        n = s["frames"]
        if not 1 <= len(s["printed"]) <= 6:
            problems.append(f"{s['name']}: {len(s['printed'])} printed frames")
        found = _heads(pages, n)[used[n]:used[n] + len(s["printed"])]
        used[n] += len(s["printed"])
        wanted = [p["frame"] + 1 for p in s["printed"]]
        if [h[3] for h in found] != wanted:
            problems.append(f"{s['name']}: the PDF prints the heads of frames {[h[3] for h in found]}, "
                            f"it should print {wanted}")
            continue
        for (number, x, y, k), printed in zip(found, s["printed"]):
            column = (widths[number] - 2 * 15 / 25.4 * 72) / 2
            below = [h[2] for h in found if h[0] == number and abs(h[1] - x) < 20 and h[2] > y + 5]
            y_end = min(below) - 2 if below else heights[number]
            words = _region_text(pages[number], x, y, x + column, y_end)
            region = " ".join(words)     # a number may be glued to its neighbours: "(8," "×0.9"
            missing = sorted(q for q in set(printed["numbers"])
                             if not re.search(rf"(?<![\d.]){re.escape(q)}(?!\d)", region))
            if missing:
                problems.append(f"{s['name']}: Step {k} of {n} (page {number + 1}): the figure's numbers "
                                f"{missing} are not printed under its head")
            if "".join(printed["caption"].split()) not in "".join(words):
                problems.append(f"{s['name']}: Step {k} of {n} (page {number + 1}): its caption "
                                f"{printed['caption'][:60]!r} is not printed under its head (found {' '.join(words)[-300:]!r})")
    for n in used:
        extra = len(_heads(pages, n)) - used[n]
        if extra > 0:
            problems.append(f"{extra} head(s) 'Step k of {n}' printed beyond the steppers' printed frames")
    text = " ".join(" ".join(pdf_text).split())
    for key in ("first", "prev", "next", "last", "hint"):
        word = WORDS["en"]["controls"][key]
        if word in text:
            problems.append(f"a live control is printed: {word!r}")
    assert not problems, "\n".join(problems)
