"""Reading a printed PDF, for the English and the Chinese PDF's tests (a test module never
imports another): poppler's tools, an HTML fragment's text, and every font of the PDF."""

from __future__ import annotations

import html as html_lib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def poppler(tool: str, *args: str) -> str:
    """The output of poppler's ``tool`` (pdftotext, pdffonts, ...); fails in CI, and where
    Chromium is installed, when poppler-utils is missing, else skips."""
    if shutil.which(tool) is None:
        message = f"{tool} not found (apt-get install -y poppler-utils)"
        if os.environ.get("CI") or Path("/usr/bin/chromium").exists():
            pytest.fail(message + "; .ci/run installs it")
        pytest.skip(message)
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout


def plain(fragment: str) -> str:
    """An HTML fragment's text, its whitespace collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def fonts(pdf: Path) -> Iterator[tuple[int, object]]:
    """Every font the pages of ``pdf`` use, directly or through form XObjects, each once:
    (a key that names it, the font dictionary)."""
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject

    seen: set[int] = set()

    def visit(resources) -> Iterator[tuple[int, object]]:
        if not resources:
            return
        resources = resources.get_object()
        for ref in (resources.get("/Font") or {}).values():
            key = ref.idnum if isinstance(ref, IndirectObject) else id(ref)
            if key not in seen:
                seen.add(key)
                yield key, ref.get_object()
        for ref in (resources.get("/XObject") or {}).values():
            xobj = ref.get_object()
            key = ref.idnum if isinstance(ref, IndirectObject) else id(ref)
            if key not in seen and xobj.get("/Subtype") == "/Form":
                seen.add(key)
                yield from visit(xobj.get("/Resources"))

    for page in PdfReader(str(pdf)).pages:
        yield from visit(page.get("/Resources"))
