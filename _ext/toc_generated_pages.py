"""Sphinx's generated pages (the index, ``genindex.html``) in the table of contents.

``_toc.yml`` (sphinx-external-toc) accepts only documents (``file:``) and absolute URLs
(``url:``, which must contain ``://``), so it cannot name ``genindex``, which Sphinx writes
without a source document.  Sphinx itself can: a toctree entry whose target is ``genindex``,
``modindex`` or ``search`` becomes an internal link to that page, relative to the page it
is on, so that it works offline and from every page.  An entry of ``_toc.yml`` such as::

    - url: sphinx://genindex
      title: Index

is turned into exactly that entry here, right after sphinx-external-toc has built the
toctrees (``InsertToctrees``, transform priority 100).  Without this extension the entry
would be a dead link to ``sphinx://genindex``; ``tools/book_site.py`` skips it (it is not a
page of the book, and the PDF does not print it).
"""

from __future__ import annotations

import re
from typing import Any

from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain
from sphinx.errors import ExtensionError
from sphinx.transforms import SphinxTransform

#: ``sphinx://genindex`` -> ``genindex``.
GENERATED = re.compile(r"sphinx://(?P<name>[\w-]+)/?")


class GeneratedPagesInToctrees(SphinxTransform):
    """Point ``sphinx://NAME`` entries of the toctrees at Sphinx's generated page NAME."""

    default_priority = 101  # after sphinx_external_toc.events.InsertToctrees (100)

    def apply(self, **kwargs: Any) -> None:
        for toctree in self.document.findall(addnodes.toctree):
            entries = []
            for title, ref in toctree["entries"]:
                match = GENERATED.fullmatch(ref or "")
                if match:
                    name = match["name"]
                    if name not in StandardDomain._virtual_doc_names:
                        known = ", ".join(f"sphinx://{n}" for n in sorted(StandardDomain._virtual_doc_names))
                        raise ExtensionError(f"_toc.yml: {ref!r} is not a page Sphinx generates (one of {known})")
                    ref = name
                entries.append((title, ref))
            toctree["entries"] = entries


def setup(app: Sphinx) -> dict[str, bool]:
    app.setup_extension("sphinx_external_toc")
    app.add_transform(GeneratedPagesInToctrees)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
