"""Shared pytest fixtures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from site_browser import CHROMIUM, CHROMIUM_ARGS, book_site, skip_or_fail

ROOT = Path(__file__).resolve().parents[1]

# Hypothesis: no per-example deadline (a loaded 2-core CI machine runs notebooks beside
# the unit tests, and a slow example is not a wrong one).  `make test` draws new examples
# each run; `.ci/run` sets HYPOTHESIS_PROFILE=ci, which derandomizes, so that CI's verdict
# depends on the commit, not on the draw.  A failure found locally prints a reproduce blob.
settings.register_profile("dev", deadline=None, print_blob=True)
settings.register_profile("ci", deadline=None, print_blob=True, derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def _build_env() -> dict[str, str]:
    """The environment of the test builds: without ``BOOK_REPOSITORY_URL``, so that they name
    ``repository.url`` of ``_config.yml`` as the tests expect, whatever the shell exports
    (``tests/test_repository_url.py`` builds once with an override of its own)."""
    return {k: v for k, v in os.environ.items() if k != "BOOK_REPOSITORY_URL"}


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
        env=_build_env(),
    )
    return proc, out / "_build" / "html"


@pytest.fixture(scope="session")
def book_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole book as one PDF, made by ``tools/make_pdf.py`` as ``make pdf`` makes it.

    Printing takes a minute or two, so it runs once per test run, not once per
    pytest-xdist worker: the first worker to ask builds it in a directory every
    worker of this run shares (under a file lock) and the others wait for it.
    Without ``/usr/bin/chromium`` it skips, except in CI (``$CI`` set), where it
    fails.  Returns the path of the PDF.
    """
    if not Path("/usr/bin/chromium").exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium not found at /usr/bin/chromium; the PDF must be built in CI ($CI is set)")
        pytest.skip("Chromium not found at /usr/bin/chromium (apt-get install -y chromium fonts-noto-cjk)")
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / "book-pdf"
    folder.mkdir(exist_ok=True)
    pdf = folder / "backprop-tested.pdf"
    return _make_once(pdf, [sys.executable, str(ROOT / "tools" / "make_pdf.py"),
                            "--build-dir", str(folder / "_build"), "--out", str(pdf)],
                      timeout=1800, env=_build_env())


def _make_once(product: Path, command: list[str], timeout: int, env: dict | None = None) -> Path:
    """Run ``command`` to make ``product`` once per test run, whichever pytest-xdist worker
    asks first (under a file lock beside it); the others wait and reuse it.  A failure is
    remembered beside the product, so every test that needs it fails with its output."""
    import fcntl

    failed = product.with_name(product.name + ".failed.txt")
    with open(product.with_name(product.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not product.is_file() and not failed.is_file():
                proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
                if proc.returncode != 0 or not product.is_file():
                    failed.write_text(f"exit {proc.returncode}\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    if failed.is_file():
        pytest.fail(f"{Path(command[1]).name} failed:\n{failed.read_text()}")
    return product


@pytest.fixture(scope="session")
def course_download(book_pdf: Path) -> Path:
    """The course to take home, made by ``tools/make_download.py`` as ``make download``
    makes it, with ``book_pdf`` as its PDF.

    Like ``book_pdf``, it is made once per test run, by the first pytest-xdist worker to
    ask, in a directory that every worker of the run shares.  Returns the zip's path.
    """
    archive = book_pdf.parent / "backprop-tested-course.zip"
    return _make_once(archive, [sys.executable, str(ROOT / "tools" / "make_download.py"),
                                "--pdf", str(book_pdf), "--out", str(archive)], timeout=900)


@pytest.fixture(scope="session")
def built_book_with_pdf(
    built_book, book_pdf, course_download, tmp_path_factory: pytest.TempPathFactory
) -> tuple[subprocess.CompletedProcess, Path]:
    """The site as the Pages workflow publishes it: the PDF and the course's download where
    ``make pdf`` and ``make download`` put them, and the book built again, so that the intro
    links them (``_ext/book_pdf_link.py``).

    A copy of ``built_book``'s build (``built_book`` itself stays the site of ``make book``
    alone, without the PDF or a link to it) with the PDF and the download in it, built again: Sphinx reads
    only the pages that link the PDF again.
    """
    proc, html = built_book
    if proc.returncode != 0 or not html.is_dir():
        return proc, html
    out = tmp_path_factory.mktemp("book-with-pdf")
    shutil.copytree(html.parent, out / "_build", symlinks=True)
    site = out / "_build" / "html"
    shutil.copyfile(book_pdf, site / book_pdf.name)
    shutil.copyfile(course_download, site / course_download.name)
    proc = subprocess.run(
        [_jupyter_book(), "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(out)],
        capture_output=True,
        text=True,
        timeout=1200,
        env=_build_env(),
    )
    return proc, site


# ------------------------------------------------------------------- the browser
# Helpers of the browser tests are in tests/site_browser.py.


@pytest.fixture(scope="module")
def site(built_book_with_pdf) -> Iterator[str]:
    """Serve the built book, with its PDF (conftest.py), from 127.0.0.1 on a free port; yield its base URL."""
    proc, html = built_book_with_pdf
    if proc.returncode != 0 or not (html / "index.html").is_file():
        pytest.fail("the book did not build; see test_book_builds_without_warnings")
    with book_site.serve(html) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright (never downloads a browser)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Playwright for Python is not installed (pip install -r requirements.txt)")
    if not CHROMIUM.exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def screenshot_dir() -> Path:
    path = Path(os.environ.get("BOOK_SCREENSHOTS", ROOT / "_build" / "screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _registry_left_as_found() -> Iterator[None]:
    """Fail a test that leaves an activation registered (``bplib.activations.register``):
    the registry is global, so a registration would leak into the tests that run after it."""
    from bplib.activations import ACTIVATIONS

    before = dict(ACTIVATIONS)
    yield
    assert dict(ACTIVATIONS) == before, (
        f"the test changed the activation registry: {sorted(set(ACTIVATIONS) ^ set(before))} "
        "(unregister what it registers, e.g. with the `registered` fixture of tests/test_registry.py)"
    )
