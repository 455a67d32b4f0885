"""Links to the book's PDF and to the course's download that the site shows exactly when
the file is in the site.

``make pdf`` (``tools/make_pdf.py``) writes the whole book as one PDF into the built site,
``_build/html/backprop-tested.pdf``, and ``make download`` (``tools/make_download.py``)
writes ``_build/html/backprop-tested-course.zip``; ``make book`` alone writes neither
(printing takes minutes and a Chromium).  A page links them with the roles
``{book-pdf}`text``` and ``{book-download}`text```.  When the HTML site being built holds
the file, the role is a link to it; otherwise the list item holding the role (or, outside
a list, its paragraph) is left out of the page, so that no reader meets a dead link.  In the
single-page build that the PDF is printed from, neither is linked: the item is left out
there too.

The decision is made when a page is read, and recorded: when the PDF appears or goes
(``make pdf`` after ``make book``, then ``make book`` again, as the Pages workflow runs
them the other way round), the next build reads the pages that use the role again.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxRole
from sphinx.util.osutil import relative_uri

PDF_NAME = "backprop-tested.pdf"
DOWNLOAD_NAME = "backprop-tested-course.zip"
#: Each role and the file of the built site it links.
ROLES = {"book-pdf": PDF_NAME, "book-download": DOWNLOAD_NAME}


def pdf_in_site(builder_name: str, outdir: Path, pdf_name: str = PDF_NAME) -> bool:
    """Whether a page built by ``builder_name`` into ``outdir`` may link the PDF.

    Parameters
    ----------
    builder_name : str
        Sphinx's builder: only the HTML site (``html``) links the PDF, not the single page
        (``singlehtml``) the PDF is printed from.
    outdir : Path
        The builder's output directory, where ``make pdf`` puts the PDF.
    pdf_name : str
        The PDF's file name.

    Returns
    -------
    bool
        True when ``outdir / pdf_name`` is a file and the builder is ``html``.
    """
    return builder_name == "html" and (Path(outdir) / pdf_name).is_file()


class pdf_absent(nodes.Inline, nodes.Element):
    """Where a ``{book-pdf}`` role stood while the PDF is absent; removed with its item."""


class BookFileRole(SphinxRole):
    """``{book-pdf}`text``` or ``{book-download}`text```: a link to the file, or a mark that
    drops the enclosing item."""

    def __init__(self, filename: str) -> None:
        super().__init__()
        self.filename = filename

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        if self.env.app.builder.name == "gettext":
            # The catalogs hold the item's words whether or not a PDF is in some site.
            return [nodes.reference(self.rawtext, self.text, refuri=self.filename)], []
        present = pdf_in_site(self.env.app.builder.name, Path(self.env.app.outdir), self.filename)
        _record(self.env, self.env.docname, self.filename, present)
        if not present:
            return [pdf_absent()], []
        target = relative_uri(self.env.app.builder.get_target_uri(self.env.docname), self.filename)
        link = nodes.reference(self.rawtext, self.text, refuri=target, classes=[self.name])
        return [link], []


class DropItemsWithoutPdf(SphinxTransform):
    """Remove the list item (else the paragraph) around each ``pdf_absent`` mark."""

    default_priority = 200

    def apply(self, **kwargs: object) -> None:
        for mark in list(self.document.findall(pdf_absent)):
            container = mark.parent
            while container is not None and not isinstance(container, nodes.list_item):
                container = container.parent
            if container is None:
                container = mark.parent
                while container is not None and not isinstance(container, nodes.paragraph):
                    container = container.parent
            target = container if container is not None else mark
            if target.parent is not None:
                target.parent.remove(target)
        # A list left with no item would render as an empty list.
        for lst in list(self.document.findall(lambda n: isinstance(n, (nodes.bullet_list, nodes.enumerated_list)))):
            if not lst.children:
                lst.parent.remove(lst)


def _record(env: BuildEnvironment, docname: str, filename: str, present: bool) -> None:
    if not hasattr(env, "book_pdf_docs"):
        env.book_pdf_docs = {}
    env.book_pdf_docs.setdefault(docname, {})[filename] = present


def _outdated(app: Sphinx, env: BuildEnvironment, added, changed, removed) -> list[str]:
    """Pages whose link to the PDF or the download was decided otherwise than it would be now."""
    return [
        name
        for name, decided in getattr(env, "book_pdf_docs", {}).items()
        if name not in removed
        and any(pdf_in_site(app.builder.name, Path(app.outdir), f) != was for f, was in decided.items())
    ]


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "book_pdf_docs", {}).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames, other: BuildEnvironment) -> None:
    for name in docnames:
        for filename, present in getattr(other, "book_pdf_docs", {}).get(name, {}).items():
            _record(env, name, filename, present)


def setup(app: Sphinx) -> dict:
    for role, filename in ROLES.items():
        app.add_role(role, BookFileRole(filename))
    app.add_node(pdf_absent)
    app.add_transform(DropItemsWithoutPdf)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    return {"version": "1.0", "env_version": 2, "parallel_read_safe": True, "parallel_write_safe": True}
