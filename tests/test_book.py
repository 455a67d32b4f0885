"""The book builds with no warnings (Sphinx ``-W -n``), as ``make book`` does.

The build goes to a temporary directory, so running the tests never touches
``_build/``.  With ``execute_notebooks: off`` the book shows the outputs stored
in the notebooks, the same outputs nbval compares.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _jupyter_book() -> str:
    exe = Path(sys.executable).with_name("jupyter-book")
    return str(exe) if exe.exists() else (shutil.which("jupyter-book") or "jupyter-book")


@pytest.fixture(scope="module")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path_factory.mktemp("book")
    proc = subprocess.run(
        [_jupyter_book(), "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(out)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    return proc, out / "_build" / "html"


@pytest.mark.book
def test_book_builds_without_warnings(built_book):
    proc, html = built_book
    assert proc.returncode == 0, f"jupyter-book build failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
    assert "WARNING" not in proc.stderr, proc.stderr[-6000:]
    assert (html / "index.html").is_file()


@pytest.mark.book
def test_every_toc_entry_is_rendered(built_book):
    _, html = built_book
    toc = (ROOT / "_toc.yml").read_text()
    files = [line.split("file:")[1].strip() for line in toc.splitlines() if "file:" in line]
    files.append(toc.split("root:")[1].splitlines()[0].strip())
    for name in files:
        assert (html / f"{name}.html").is_file(), f"{name} is in _toc.yml but was not rendered"


@pytest.mark.book
def test_mathjax_is_served_from_the_site(built_book):
    _, html = built_book
    assert (html / "mathjax" / "tex-mml-chtml.js").is_file()
    page = (html / "book" / "chain_rule.html").read_text()
    assert "mathjax/tex-mml-chtml.js" in page
    assert "cdn.jsdelivr.net/npm/mathjax" not in page
