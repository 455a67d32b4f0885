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
"""

from __future__ import annotations

import json
import re
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

#: ``[text](references.md#key)``: a citation of the BibTeX entry ``key``.
CITATION = re.compile(r"\[(?P<text>(?:\\[\[\]]|[^\[\]])+)\]\(references\.md#(?P<key>[A-Za-z][\w:.-]*)\)")
#: ``[Fig. 7.1](#fig-label)``: a numbered reference to a figure.
FIGURE_REF = re.compile(r"\[(?P<text>Fig\. \d+(?:\.\d+)?)\]\(#(?P<label>fig-[\w-]+)\)")
#: A figure-caption cell: its label line, then "**Fig. N.M** caption" ("**Fig. N**" on an unnumbered page).
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


def _on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    path = app.env.doc2path(docname)
    if str(path).endswith(".ipynb"):
        source[0] = json.dumps(notebook_for_sphinx(json.loads(source[0]), docname), ensure_ascii=False)
    elif str(path).endswith(".md"):
        source[0] = to_sphinx_markup(source[0])


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("source-read", _on_source_read)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
