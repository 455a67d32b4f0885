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


def _build_editions(out: Path, log: Path) -> subprocess.CompletedProcess:
    """``make book`` into ``out`` (both editions, ``tools/build_editions.py``), once per test
    run: the first pytest-xdist worker to ask builds, under a lock, and records the build's
    output in ``log``; the others wait and read it."""
    import fcntl
    import json

    with open(log.with_name(log.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not log.is_file():
                proc = subprocess.run([sys.executable, str(ROOT / "tools" / "build_editions.py"), "--out", str(out)],
                                      capture_output=True, text=True, timeout=2400, env=_build_env())
                log.write_text(json.dumps({"returncode": proc.returncode, "stdout": proc.stdout,
                                           "stderr": proc.stderr}))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    record = json.loads(log.read_text())
    return subprocess.CompletedProcess(args=["build_editions.py"], **record)


def _shared_dir(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A directory that every pytest-xdist worker of this run shares."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / name
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    """Build the book once per test run, as ``make book`` does: both editions, ``-W -n``,
    English at the site's root and Chinese in its ``zh_CN/`` (``tools/build_editions.py``).

    The build goes to a temporary directory shared by the pytest-xdist workers, so tests
    never touch ``_build/``.  Returns the finished build (its output is both editions') and
    the path of the HTML directory.
    """
    folder = _shared_dir(tmp_path_factory, "book")
    proc = _build_editions(folder, folder / "build.json")
    return proc, folder / "_build" / "html"


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
def book_pdf_zh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Chinese edition's PDF, made by ``tools/make_pdf.py --edition zh_CN`` as ``make pdf``
    makes it (once per test run, like ``book_pdf``)."""
    if not Path("/usr/bin/chromium").exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium not found at /usr/bin/chromium; the PDF must be built in CI ($CI is set)")
        pytest.skip("Chromium not found at /usr/bin/chromium (apt-get install -y chromium fonts-noto-cjk)")
    folder = _shared_dir(tmp_path_factory, "book-pdf-zh_CN")
    pdf = folder / "backprop-tested.pdf"
    return _make_once(pdf, [sys.executable, str(ROOT / "tools" / "make_pdf.py"), "--edition", "zh_CN",
                            "--build-dir", str(folder / "_build"), "--out", str(pdf)],
                      timeout=1800, env=_build_env())


@pytest.fixture(scope="session")
def course_download_zh(book_pdf_zh: Path) -> Path:
    """The Chinese edition's course download, made by ``tools/make_download.py --edition
    zh_CN`` with ``book_pdf_zh`` as its PDF (once per test run)."""
    archive = book_pdf_zh.parent / "backprop-tested-course.zip"
    return _make_once(archive, [sys.executable, str(ROOT / "tools" / "make_download.py"), "--edition", "zh_CN",
                                "--pdf", str(book_pdf_zh), "--out", str(archive)], timeout=900)


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
    built_book, book_pdf, course_download, book_pdf_zh, course_download_zh,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess, Path]:
    """The site as the Pages workflow publishes it: each edition's PDF and course download
    where ``make pdf`` and ``make download`` put them, and the book built again, so that the
    intro links them (``_ext/book_pdf_link.py``).

    A copy of ``built_book``'s build (``built_book`` itself stays the site of ``make book``
    alone, without the PDF or a link to it) with the files in it, built again (once per test
    run): Sphinx reads only the pages that link the PDF again.
    """
    proc, html = built_book
    if proc.returncode != 0 or not html.is_dir():
        return proc, html
    folder = _shared_dir(tmp_path_factory, "book-with-pdf")
    with open(folder / "copy.lock", "w") as lock:
        import fcntl

        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (folder / "_build").is_dir():
                shutil.copytree(html.parent, folder / "_build", symlinks=True)
                site = folder / "_build" / "html"
                shutil.copyfile(book_pdf, site / book_pdf.name)
                shutil.copyfile(course_download, site / course_download.name)
                # The Chinese edition's PDF and download, where its own build looks for them.
                zh_out = folder / "_build" / "zh_CN" / "_build" / "html"
                shutil.copyfile(book_pdf_zh, zh_out / book_pdf.name)
                shutil.copyfile(course_download_zh, zh_out / course_download.name)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    proc = _build_editions(folder, folder / "build.json")
    return proc, folder / "_build" / "html"


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
