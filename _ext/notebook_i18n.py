"""Translate what Sphinx's i18n does not reach: notebook cell metadata and ``_toc.yml``'s
part captions.

Sphinx translates a page's paragraphs, headings, captions, table cells and index entries
from its catalog (``locale/<language>/LC_MESSAGES/book/<page>.po``). Three kinds of text
are outside its reach, and this extension gives them the same catalogs:

* a figure's alt text and a folded cell's button labels, which a notebook keeps in its
  cells' metadata (``mystnb.image.alt``, ``mystnb.code_prompt_show``/``_hide``): the
  gettext builder gets them as messages of the page, and a translated build reads the
  notebook with them translated (``source-read``, before MyST-NB parses it);
* the outputs of a notebook's code cells, which hold the words bplib prints (a checker's
  verdict, a stepper's buttons and captions): a translated build shows the outputs of the
  edition's own executed notebook, ``book/<language>/<page>.ipynb``, whose code cells
  must be the English ones (a warning, an error under ``-W``, says where they are not);
* the text of a sphinx-design button (``{button-ref}`` with content), which has no source
  line, so Sphinx's i18n skips it: :class:`TranslatableButtons` gives it one before
  Sphinx's translation step, and it is then a message like any other;
* the part captions of ``_toc.yml``, which sphinx-external-toc inserts after Sphinx's
  translation step: they are messages of the root page's catalog (Sphinx extracts them
  there), and the translated build translates them once the toctrees are in place.
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.gettext import MsgOrigin
from sphinx.locale import init as init_locale
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain

logger = logging.getLogger(__name__)

#: The cell metadata paths whose strings are messages: (``mystnb`` key, sub-key or None).
METADATA_TEXTS = (("image", "alt"), ("code_prompt_show", None), ("code_prompt_hide", None))


def metadata_messages(notebook: dict) -> list[tuple[int, str]]:
    """The translatable strings of a notebook's cell metadata, with their cell's index."""
    found = []
    for index, cell in enumerate(notebook.get("cells", [])):
        mystnb = cell.get("metadata", {}).get("mystnb") or {}
        for key, sub in METADATA_TEXTS:
            value = mystnb.get(key)
            if sub is not None:
                value = value.get(sub) if isinstance(value, dict) else None
            if isinstance(value, str) and value.strip():
                found.append((index, value))
    return found


def _translator(app: Sphinx, docname: str):
    """The ``gettext`` function of ``docname``'s catalog in the build's language."""
    dirs = [str(Path(app.srcdir, d)) for d in app.config.locale_dirs]
    domain = docname_to_domain(docname, app.config.gettext_compact)
    catalog, _ = init_locale(dirs, app.config.language, domain)
    return catalog.gettext


def _translating(app: Sphinx) -> bool:
    return app.config.language not in (None, "", "en") and app.builder.name != "gettext"


def translate_notebook_source(app: Sphinx, docname: str, source: list[str]) -> None:
    """``source-read``: in a translated build, put the translations into the notebook's
    cell metadata before MyST-NB reads it."""
    if not _translating(app) or not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    notebook = json.loads(source[0])
    gettext = _translator(app, docname)
    _take_outputs(app, docname, notebook)
    for cell in notebook.get("cells", []):
        mystnb = cell.get("metadata", {}).get("mystnb") or {}
        for key, sub in METADATA_TEXTS:
            if sub is None and isinstance(mystnb.get(key), str):
                mystnb[key] = gettext(mystnb[key])
            elif sub is not None and isinstance(mystnb.get(key), dict) and isinstance(mystnb[key].get(sub), str):
                mystnb[key][sub] = gettext(mystnb[key][sub])
    source[0] = json.dumps(notebook, ensure_ascii=False)


def _take_outputs(app: Sphinx, docname: str, notebook: dict) -> None:
    """Give ``notebook``'s code cells the outputs of the edition's executed notebook."""
    path = Path(app.srcdir, "book", app.config.language, Path(docname).name + ".ipynb")
    if not path.exists():
        logger.warning("no %s notebook %s: the page shows the English outputs",
                       app.config.language, path.relative_to(app.srcdir), location=docname)
        return
    edition = json.loads(path.read_text(encoding="utf-8"))
    ours = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    theirs = [c for c in edition["cells"] if c["cell_type"] == "code"]
    sources = [("".join(c["source"]) if isinstance(c["source"], list) else c["source"]) for c in theirs]
    if len(ours) != len(theirs) or any(
            ("".join(c["source"]) if isinstance(c["source"], list) else c["source"]) != s
            for c, s in zip(ours, sources)):
        logger.warning("the code cells of %s are not those of the English page: run "
                       "`make notebooks` (tools/i18n.py notebooks, then executes them)",
                       path.relative_to(app.srcdir), location=docname)
        return
    for cell, theirs_cell in zip(ours, theirs):
        cell["outputs"] = theirs_cell.get("outputs", [])
        cell["execution_count"] = theirs_cell.get("execution_count")


def add_metadata_messages(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: the gettext builder also extracts the cell metadata strings
    and the buttons' words."""
    if app.builder.name != "gettext":
        return
    path = Path(app.env.doc2path(docname))
    catalog = app.builder.catalogs[docname_to_domain(docname, app.config.gettext_compact)]
    for text in doctree.get("bt_button_messages", []):
        catalog.add(text, MsgOrigin(str(path), 0))
    if path.suffix != ".ipynb":
        return
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for index, text in metadata_messages(notebook):
        catalog.add(text, MsgOrigin(str(path), index))


def translate_toc_captions(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: translate the captions of the toctrees sphinx-external-toc put in."""
    if not _translating(app):
        return
    toctrees = list(doctree.findall(addnodes.toctree))
    if not toctrees:
        return
    gettext = _translator(app, app.env.docname)
    for toctree in toctrees:
        if toctree.get("caption"):
            toctree["caption"] = gettext(toctree["caption"])
        # An entry with a title of its own (`url:` and `title:`, such as the Index) takes it
        # from the page's catalog, else from Sphinx's own words ("Index" is 索引 there).
        toctree["entries"] = [(_entry_title(gettext, title), ref) if title else (title, ref)
                              for title, ref in toctree.get("entries", [])]


class TranslatableButtons(SphinxTransform):
    """Mark the text of sphinx-design's buttons translatable, with their source line, ahead
    of Sphinx's ``Locale`` transform (priority 20) and its message extraction."""

    default_priority = 10

    def apply(self, **kwargs: object) -> None:
        for node in self.document.findall(nodes.Element):
            if "sd-btn" not in node.get("classes", []):
                continue
            for inline in node.findall(nodes.inline):
                if inline.children and all(isinstance(c, nodes.Text) for c in inline.children):
                    inline["translatable"] = True
                    inline.source, inline.line = node.source, node.line
                    inline.rawsource = inline.astext()
                    # Resolving the button's reference rebuilds its text node, after which
                    # the gettext builder could not see it: keep its words on the document.
                    self.document.setdefault("bt_button_messages", []).append(inline.astext())


def _entry_title(gettext, title: str) -> str:
    translated = gettext(title)
    if translated == title:
        from sphinx.locale import _ as sphinx_words

        translated = sphinx_words(title)
    return translated


def setup(app: Sphinx) -> dict:
    app.add_transform(TranslatableButtons)
    app.connect("source-read", translate_notebook_source)
    app.connect("doctree-resolved", add_metadata_messages)
    app.connect("doctree-read", translate_toc_captions)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
