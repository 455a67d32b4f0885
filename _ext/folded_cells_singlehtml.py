"""Folded cells (``hide-input``/``hide-cell`` tags) and dropdowns in the single-page build too.

myst-nb registers the HTML of its folded-cell node for the ``html`` builder
only.  Sphinx looks a builder's node handlers up by the builder's *name* first
(``singlehtml``) and falls back to its format (``html``) only when no extension
registered any handler under that name; sphinx-design and others do, so the
single-page build that ``make pdf`` prints stopped at the first folded cell
("departing unknown node type: HideCodeCellNode").  This registers the same
handlers under ``singlehtml``, and sphinx-design's for its ``{dropdown}`` (the
closed "Discussion" after a solution's code), which it too registers for ``html`` only.
"""

from __future__ import annotations

from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput
from sphinx.application import Sphinx
from sphinx_design.dropdown import (
    depart_dropdown_main,
    depart_dropdown_title,
    dropdown_main,
    dropdown_title,
    visit_dropdown_main,
    visit_dropdown_title,
)


def setup(app: Sphinx) -> dict[str, bool]:
    app.setup_extension("myst_nb")
    handlers = (visit_HideCellInput, depart_HideCellInput)
    app.add_node(HideCodeCellNode, override=True, html=handlers, singlehtml=handlers)
    app.setup_extension("sphinx_design")
    for node, visit, depart in (
        (dropdown_main, visit_dropdown_main, depart_dropdown_main),
        (dropdown_title, visit_dropdown_title, depart_dropdown_title),
    ):
        app.add_node(node, override=True, html=(visit, depart), singlehtml=(visit, depart))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
