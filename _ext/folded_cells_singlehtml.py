"""Folded cells (``hide-input``/``hide-cell`` tags) in the single-page build too.

myst-nb registers the HTML of its folded-cell node for the ``html`` builder
only.  Sphinx looks a builder's node handlers up by the builder's *name* first
(``singlehtml``) and falls back to its format (``html``) only when no extension
registered any handler under that name; sphinx-design and others do, so the
single-page build that ``make pdf`` prints stopped at the first folded cell
("departing unknown node type: HideCodeCellNode").  This registers the same
handlers under ``singlehtml``.
"""

from __future__ import annotations

from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput
from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict[str, bool]:
    app.setup_extension("myst_nb")
    handlers = (visit_HideCellInput, depart_HideCellInput)
    app.add_node(HideCodeCellNode, override=True, html=handlers, singlehtml=handlers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
