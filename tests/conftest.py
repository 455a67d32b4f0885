"""Shared pytest fixtures."""

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


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    """Build the book once per test session, as ``make book`` does (``-W -n``).

    The build goes to a temporary directory, so tests never touch ``_build/``.
    Returns the finished process and the path of the HTML directory.  Under
    pytest-xdist a session fixture runs once per worker: keep every test that
    uses it in ``tests/test_book.py`` so that ``--dist loadfile`` builds once.
    """
    out = tmp_path_factory.mktemp("book")
    proc = subprocess.run(
        [_jupyter_book(), "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(out)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    return proc, out / "_build" / "html"
