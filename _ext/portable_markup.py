"""Chapters written in MyST that reads right in JupyterLab *and* builds the book.

A reader opens the chapters in JupyterLab 4 with jupyterlab-myst (``make lab``, or the
course download).  jupyterlab-myst renders one notebook alone: it has no bibliography, no
figure captions stored in cell metadata and no other pages, so Jupyter Book's roles show
there as raw keys under a warning icon (``{cite}`seed001```, ``{numref}`fig-x```).  The
chapters therefore use three plain forms that JupyterLab renders, and this extension
turns them into the Sphinx markup when the book is built (Sphinx's ``source-read`` event,
before myst-nb parses the notebook):

* a **citation** is a link to the reference list with the BibTeX key as its fragment,
  ``[\\[Karpathy, 2020\\]](references.md#karpathy2020micrograd)`` (the brackets escaped, so
  JupyterLab shows "[Karpathy, 2020]", linked to the reference list): in the book it
  becomes ``{cite}`karpathy2020micrograd``` (the same text, linked to the entry);
* a **figure reference** is a link to the figure's label with its number as text,
  ``[Fig. 7.1](#fig-autodiff-poly)``: in the book it becomes ``{numref}`fig-autodiff-poly```;
* a **figure caption** is the markdown cell right after the code cell that draws the
  figure, tagged ``figure-caption``, in the form::

      (fig-autodiff-poly)=
      **Fig. 7.1** The graph of ...

  In the book its text becomes the caption (and its label the name) of the figure the code
  cell shows (myst-nb's ``mystnb.figure`` metadata), and the cell itself goes.

The numbers typed in JupyterLab's forms ("Fig. 7.1") are checked against the numbers
Sphinx gives by ``tests/test_portable_markup.py``, on the built book.

A citation link opens ``references.md``, whose ``{bibliography}`` directive JupyterLab
cannot render; so that page also holds the reference list as plain Markdown, between the
comments ``READER_LIST_START`` and ``READER_LIST_END``, written from ``references.bib`` by
``python _ext/portable_markup.py`` (a test fails when it is stale).  The book drops that
block and prints sphinxcontrib-bibtex's list instead.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

#: ``[text](references.md#key)``: a citation of the BibTeX entry ``key``.
CITATION = re.compile(r"\[(?P<text>(?:\\[\[\]]|[^\[\]])+)\]\(references\.md#(?P<key>[A-Za-z][\w:.-]*)\)")
#: ``[Fig. 7.1](#fig-label)``: a numbered reference to a figure.
FIGURE_REF = re.compile(r"\[(?P<text>Fig\. \d+(?:\.\d+)?)\]\(#(?P<label>fig-[\w-]+)\)")
#: A figure-caption cell: its label line, then "**Fig. N.M** caption" ("**Fig. N**" on a page
#: outside the numbered chapters, such as the audit pages).
CAPTION = re.compile(r"\A\((?P<label>fig-[\w-]+)\)=\s*\n\*\*(?P<number>Fig\. \d+(?:\.\d+)?)\*\*\s+(?P<caption>\S.*)\Z", re.S)
CAPTION_TAG = "figure-caption"


def to_sphinx_markup(text: str) -> str:
    """Citation and figure links of a markdown text as Sphinx roles."""
    text = CITATION.sub(lambda m: f"{{cite}}`{m['key']}`", text)
    return FIGURE_REF.sub(lambda m: f"{{numref}}`{m['label']}`", text)


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def parse_caption(cell: dict[str, Any]) -> dict[str, str] | None:
    """A figure-caption cell's label, typed number and caption; None for another cell."""
    if CAPTION_TAG not in cell.get("metadata", {}).get("tags", []):
        return None
    match = CAPTION.match(_source(cell).strip())
    if match is None:
        raise ExtensionError(
            f"a cell tagged {CAPTION_TAG!r} must read '(fig-label)=' then '**Fig. N.M** caption' ('**Fig. N**' on an unnumbered page); "
            f"it reads {_source(cell)[:120]!r}")
    return {"label": match["label"], "number": match["number"], "caption": " ".join(match["caption"].split())}


def notebook_for_sphinx(notebook: dict[str, Any], docname: str = "") -> dict[str, Any]:
    """The notebook as myst-nb should read it: roles for the links, captions in metadata."""
    cells: list[dict[str, Any]] = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            cells.append(cell)
            continue
        caption = parse_caption(cell)
        if caption is None:
            cell = dict(cell, source=to_sphinx_markup(_source(cell)))
            cells.append(cell)
            continue
        figure_cell = cells[-1] if cells else None
        if figure_cell is None or figure_cell["cell_type"] != "code":
            raise ExtensionError(f"{docname}: the caption of {caption['label']} does not follow a code cell")
        metadata = dict(figure_cell.get("metadata", {}))
        mystnb = dict(metadata.get("mystnb", {}))
        mystnb["figure"] = dict(mystnb.get("figure", {}), caption=caption["caption"], name=caption["label"])
        metadata["mystnb"] = mystnb
        cells[-1] = dict(figure_cell, metadata=metadata)
    return dict(notebook, cells=cells)


READER_LIST_START = "<!-- READER_LIST_START: the references for JupyterLab; written by _ext/portable_markup.py -->"
READER_LIST_END = "<!-- READER_LIST_END -->"
_READER_LIST = re.compile(re.escape(READER_LIST_START) + r".*?" + re.escape(READER_LIST_END) + r"\n?", re.S)


def reader_reference_list(bib: Path) -> str:
    """The entries of ``bib`` as a Markdown list (pybtex's ``unsrt`` style), each after
    its key as a label, for readers of ``references.md`` outside the book."""
    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    style = find_plugin("pybtex.style.formatting", "unsrt")()
    backend = find_plugin("pybtex.backends", "markdown")()
    entries = style.format_entries(parse_file(str(bib)).entries.values())
    items = [f"({e.key})=\n- {' '.join(e.text.render(backend).split())}" for e in entries]
    return READER_LIST_START + "\n\n" + "\n\n".join(items) + "\n\n" + READER_LIST_END + "\n"


def without_reader_list(text: str) -> str:
    """``references.md`` as the book reads it: the Markdown reference list removed."""
    return _READER_LIST.sub("", text)


def _on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    path = app.env.doc2path(docname)
    if str(path).endswith(".ipynb"):
        source[0] = json.dumps(notebook_for_sphinx(json.loads(source[0]), docname), ensure_ascii=False)
    elif str(path).endswith(".md"):
        source[0] = to_sphinx_markup(without_reader_list(source[0]))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("source-read", _on_source_read)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


def write_reader_list(page: Path, bib: Path) -> bool:
    """Write the reference list into ``page`` (replacing the old one, or at its end);
    returns whether the page changed."""
    text = page.read_text(encoding="utf-8")
    block = reader_reference_list(bib)
    new = _READER_LIST.sub(lambda _: block, text) if _READER_LIST.search(text) else text.rstrip("\n") + "\n\n" + block
    if new != text:
        page.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":  # python _ext/portable_markup.py: refresh references.md's list
    book = Path(__file__).resolve().parents[1] / "book"
    changed = write_reader_list(book / "references.md", book / "references.bib")
    print("book/references.md: " + ("reference list rewritten" if changed else "up to date"))
    sys.exit(0)
