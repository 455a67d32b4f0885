"""The chapters' markup reads right in JupyterLab and builds the same book (issue 22).

jupyterlab-myst shows Jupyter Book's ``{cite}``, ``{numref}``, ``{doc}``, ``{glue:text}`` and
a text-less ``{ref}`` as raw keys (most under a warning icon), and has no figure captions
(myst-nb keeps them in cell metadata).  The chapters use portable forms instead, which
``_ext/portable_markup.py`` turns into the Sphinx markup at build time.  These tests check:

* the chapters hold none of the Sphinx-only forms, every figure has its caption cell, and
  every citation names an entry of ``references.bib`` (static);
* the extension's conversion, on small notebooks (unit tests);
* on the built book, the numbers and texts the portable forms show in JupyterLab ("Fig. 6.1",
  "[Karpathy, 2020]") are the ones Sphinx prints, and every caption is the figure's.

How the chapters look in JupyterLab itself is ``tests/test_jupyterlab.py``'s.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from tool_modules import load_extension

ROOT = Path(__file__).resolve().parents[1]
pm = load_extension("portable_markup")
CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))

#: Markup JupyterLab cannot render: a role it has no data for, or a page it cannot link.
SPHINX_ONLY = {
    "{cite}": re.compile(r"\{cite(:\w+)?\}`"),
    "{numref}": re.compile(r"\{numref\}`"),
    "{doc}": re.compile(r"\{doc\}`"),
    "{glue}": re.compile(r"\{glue(:\w+)?\}`"),
    "{ref} without its text": re.compile(r"\{ref\}`[^`<]*`"),
}


def _markdown_cells(path: Path) -> list[tuple[int, nbformat.NotebookNode]]:
    nb = nbformat.read(path, as_version=4)
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]


def _shows_image(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and any(
        "image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {}) for o in cell.outputs)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_markup_that_jupyterlab_shows_raw(path):
    found = [f"cell {i}: {name}: {m.group(0)}..." for i, cell in _markdown_cells(path)
             for name, pattern in SPHINX_ONLY.items() for m in pattern.finditer(cell.source)]
    assert not found, f"{path.name} uses markup JupyterLab shows raw:\n" + "\n".join(found)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_figure_has_its_caption_cell(path):
    """The cell after every cell that draws a figure is its caption, and captions follow figures."""
    cells = nbformat.read(path, as_version=4).cells
    labels = []
    for i, cell in enumerate(cells):
        caption = pm.parse_caption(cell) if cell.cell_type == "markdown" else None
        if _shows_image(cell):
            following = pm.parse_caption(cells[i + 1]) if i + 1 < len(cells) else None
            assert following, f"{path.name}: the figure of cell {i} has no caption cell after it"
        if caption:
            assert i > 0 and _shows_image(cells[i - 1]), (
                f"{path.name}: the caption of {caption['label']} (cell {i}) follows no figure")
            assert "figure" not in cells[i - 1].metadata.get("mystnb", {}), (
                f"{path.name}: cell {i - 1} keeps a caption in its metadata as well")
            labels.append(caption["label"])
    assert len(labels) == len(set(labels)), f"{path.name}: a figure label twice: {labels}"


def test_every_citation_names_an_entry_of_the_bibliography():
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", (ROOT / "book" / "references.bib").read_text(), re.M))
    cited = {m["key"] for path in CHAPTERS for _, cell in _markdown_cells(path)
             for m in pm.CITATION.finditer(cell.source)}
    assert cited, "no chapter cites anything"
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"


# --- the extension -------------------------------------------------------------------------

def _nb(*cells: nbformat.NotebookNode) -> dict:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def _caption_cell(text: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = ["figure-caption"]
    return cell


def test_the_extension_turns_links_into_roles():
    text = ("As [\\[Karpathy, 2020\\]](references.md#karpathy2020micrograd) shows, "
            "[Fig. 6.1](#fig-autodiff-poly) draws it; see [the notation](notation.md).")
    assert pm.to_sphinx_markup(text) == (
        "As {cite}`karpathy2020micrograd` shows, {numref}`fig-autodiff-poly` draws it; "
        "see [the notation](notation.md).")


def test_the_extension_moves_a_caption_into_the_figure_and_drops_its_cell():
    code = nbformat.v4.new_code_cell("plot()")
    code.metadata["mystnb"] = {"image": {"alt": "a plot"}}
    nb = _nb(code, _caption_cell("(fig-a)=\n**Fig. 1.1** A plot\nof *two* lines."),
             nbformat.v4.new_markdown_cell("[Fig. 1.1](#fig-a) shows it."))
    out = pm.notebook_for_sphinx(nb)
    assert [c["cell_type"] for c in out["cells"]] == ["code", "markdown"]
    assert out["cells"][0]["metadata"]["mystnb"] == {
        "image": {"alt": "a plot"}, "figure": {"caption": "A plot of *two* lines.", "name": "fig-a"}}
    assert out["cells"][1]["source"] == "{numref}`fig-a` shows it."
    assert "figure" not in code.metadata["mystnb"], "the input notebook was changed"


@pytest.mark.parametrize("cells, message", [
    (lambda: [nbformat.v4.new_code_cell("plot()"), _caption_cell("**Fig. 1.1** no label")], "must read"),
    (lambda: [nbformat.v4.new_code_cell("plot()"), _caption_cell("(fig-a)=\nA plot, no number")], "must read"),
    (lambda: [nbformat.v4.new_markdown_cell("text"), _caption_cell("(fig-a)=\n**Fig. 1.1** A plot")],
     "does not follow a code cell"),
])
def test_the_extension_refuses_a_malformed_caption(cells, message):
    from sphinx.errors import ExtensionError
    with pytest.raises(ExtensionError, match=message):
        pm.notebook_for_sphinx(_nb(*cells()))


# --- on the built book ---------------------------------------------------------------------

def _soup(html: Path, name: str):
    from bs4 import BeautifulSoup
    return BeautifulSoup((html / "book" / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


@pytest.mark.book
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_what_jupyterlab_shows_is_what_the_book_prints(built_book, path):
    """Typed figure numbers, figure references and citation texts equal Sphinx's."""
    proc, html = built_book
    if proc.returncode != 0:
        pytest.fail("the book did not build; see test_book_builds_without_warnings")
    article = _soup(html, path.stem).select_one("article")
    printed = {}
    for figure in article.select("figure[id]"):
        number = figure.select_one(".caption-number")
        caption = figure.select_one("figcaption")
        printed[figure["id"]] = (number.get_text(strip=True).rstrip("."),
                                 " ".join(caption.get_text(" ", strip=True).split()) if caption else "")
    cells = nbformat.read(path, as_version=4).cells
    captions = [pm.parse_caption(c) for c in cells if c.cell_type == "markdown"]
    captions = [c for c in captions if c]
    assert [c["label"] for c in captions] == list(printed), (
        f"{path.name}: the book's figures {list(printed)} are not the caption cells' "
        f"{[c['label'] for c in captions]}")
    for caption in captions:
        number, text = printed[caption["label"]]
        assert caption["number"] == number, (
            f"{path.name}: JupyterLab reads {caption['number']} for {caption['label']}; the book prints {number}")
        def plain(t: str) -> str:  # the words, without markup or typographic quotes
            return re.sub(r"[`*$\\]", "", t.replace("\u2019", "'"))
        first_words = plain(caption["caption"]).split()[:3]
        assert " ".join(first_words) in plain(text), (
            f"{path.name}: {caption['label']}'s caption in the book is {text[:80]!r}")

    # Figure references: the text typed for JupyterLab is the number the book prints.
    links = {a["href"].split("#", 1)[1]: a.get_text(strip=True)
             for a in article.select("a.reference.internal[href*='#fig-']")}
    for _, cell in ((i, c) for i, c in enumerate(cells) if c.cell_type == "markdown"):
        for m in pm.FIGURE_REF.finditer(cell.source):
            assert m["label"] in printed, f"{path.name}: {m.group(0)} names no figure of this chapter"
            assert m["text"] == printed[m["label"]][0] == links.get(m["label"]), (
                f"{path.name}: {m.group(0)}, but the book prints {printed[m['label']][0]}")

    # Citations: "[Karpathy, 2020]" typed for JupyterLab, in the order the book prints them.
    typed = [m["text"].replace("\\[", "[").replace("\\]", "]") for c in cells if c.cell_type == "markdown"
             for m in pm.CITATION.finditer(c.source)]
    shown = []
    for a in article.select('a[href^="references.html#"]'):
        shown.append(f"[{a.get_text(strip=True)}]")
    assert typed == shown, f"{path.name}: JupyterLab shows {typed}, the book prints {shown}"


def test_references_md_lists_the_bibliography_for_jupyterlab():
    """A citation link opens references.md: its plain list is references.bib's, up to date
    (refresh it with ``python _ext/portable_markup.py``), and the book drops it."""
    page = (ROOT / "book" / "references.md").read_text(encoding="utf-8")
    assert pm.reader_reference_list(ROOT / "book" / "references.bib") in page, (
        "references.md's reference list is stale: run python _ext/portable_markup.py")
    assert "{bibliography}" in pm.without_reader_list(page)
    assert pm.READER_LIST_START not in pm.without_reader_list(page)


@pytest.mark.book
def test_the_books_reference_page_lists_each_entry_once(built_book):
    proc, html = built_book
    if proc.returncode != 0:
        pytest.fail("the book did not build; see test_book_builds_without_warnings")
    text = _soup(html, "references").select_one("article").get_text(" ")
    assert "READER_LIST" not in text
    for title in ("tiny scalar-valued autograd engine", "Neural Networks and Deep Learning"):
        assert text.count(title) == 1, f"{title!r} is on the references page {text.count(title)} times"
