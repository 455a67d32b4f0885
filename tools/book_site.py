"""The book as a set of pages: the table of contents, and serving a build over HTTP.

Shared by ``tools/make_pdf.py`` (which prints the pages in order) and by the tests of
the site and of the PDF (``tests/test_book.py``, ``tests/test_pdf.py``, which load this
file through ``tests/tool_modules.py``), so that all of them read ``_toc.yml`` the same way.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _docname(file: str) -> str:
    """``book/xor.ipynb`` -> ``book/xor``: the name Sphinx gives a page (``.md``/``.ipynb`` dropped)."""
    path = Path(file)
    return str(path.with_suffix("")) if path.suffix in (".md", ".ipynb") else file


def toc_parts(toc_path: Path = ROOT / "_toc.yml") -> tuple[str, list[dict]]:
    """The root page and the parts of ``_toc.yml``: ``[{caption, numbered, docnames}]``, in
    reading order.

    The root page forms a first part of its own, without a caption and not numbered.
    """
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))

    def walk(node: object, out: list[str]) -> list[str]:
        if isinstance(node, dict):
            if "file" in node:
                out.append(_docname(node["file"]))
            for key in ("chapters", "sections"):
                walk(node.get(key, []), out)
        elif isinstance(node, list):
            for item in node:
                walk(item, out)
        return out

    root = _docname(toc["root"])
    parts = [{"caption": None, "numbered": False, "docnames": [root]}]
    if "parts" in toc:
        parts += [{"caption": p.get("caption"), "numbered": bool(p.get("numbered")),
                   "docnames": walk(p, [])} for p in toc["parts"]]
    else:
        parts[0]["docnames"] += walk(toc.get("chapters", []), [])
    return root, parts


def toc_docnames(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Every page of ``_toc.yml``, in reading order, the root page first."""
    _, parts = toc_parts(toc_path)
    return [name for part in parts for name in part["docnames"]]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A browser that has what it needs closes the connection mid-file (the PDF, a
        # large image): not an error of the site. Anything else is printed as usual.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` from 127.0.0.1 on a free port; yield the base URL (ending in ``/``)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
