"""The book builds with no warnings (Sphinx ``-W -n``) and renders in a real browser.

The build (fixture ``built_book`` in ``conftest.py``) goes to a temporary
directory, so running the tests never touches the book in ``_build/html``.
With ``execute_notebooks: off`` the book shows the outputs stored in the
notebooks, the same outputs nbval compares.

The browser tests serve that build from 127.0.0.1 and open every page of the
table of contents in headless Chromium (Debian's ``/usr/bin/chromium``, driven
by Playwright for Python; never ``playwright install``).  They live in this
file, not in a file of their own, so that ``pytest -n 2 --dist loadfile``
builds the book once.  Full-page screenshots go to ``_build/screenshots/``
(or ``$BOOK_SCREENSHOTS``).  Without Chromium or Playwright the browser tests
are skipped with the reason, except in CI (``$CI`` set) or when
``/usr/bin/chromium`` exists: then they must run, and fail instead.
"""

from __future__ import annotations

import functools
import html as html_lib
import http.server
import importlib.util
import os
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import numpy as np
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Milliseconds to wait for a page, MathJax or the search index.
TIMEOUT_MS = 60_000


def toc_docnames(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Every document of the table of contents, in reading order (root first)."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    names = [toc["root"]]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                names.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                walk(node.get(key, []))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return [str(Path(n).with_suffix("")) if Path(n).suffix in (".md", ".ipynb") else n for n in names]


DOCNAMES = toc_docnames()


# --------------------------------------------------------------------------- build


@pytest.mark.book
def test_book_builds_without_warnings(built_book):
    proc, html = built_book
    assert proc.returncode == 0, f"jupyter-book build failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
    assert "WARNING" not in proc.stderr, proc.stderr[-6000:]
    assert (html / "index.html").is_file()


@pytest.mark.book
def test_every_toc_entry_is_rendered(built_book):
    _, html = built_book
    assert len(DOCNAMES) >= 2 and DOCNAMES[0] == "book/intro"
    for name in DOCNAMES:
        assert (html / f"{name}.html").is_file(), f"{name} is in _toc.yml but was not rendered"


@pytest.mark.book
def test_mathjax_is_served_from_the_site(built_book):
    _, html = built_book
    assert (html / "mathjax" / "tex-mml-chtml.js").is_file()
    page = (html / "book" / "chain_rule.html").read_text()
    assert "mathjax/tex-mml-chtml.js" in page
    assert "cdn.jsdelivr.net/npm/mathjax" not in page


@pytest.mark.book
def test_logo_favicon_and_launch_buttons(built_book):
    _, html = built_book
    page = (html / "book" / "chain_rule.html").read_text()
    assert re.search(r'<link rel="icon" href="[./]*_static/favicon\.png', page)
    assert re.search(r'<img src="[./]*_static/logo\.png" class="logo__image', page)
    for name in ("logo.png", "favicon.png", "custom.css"):
        assert (html / "_static" / name).is_file(), name
    # Browsers ask for /favicon.ico on pages that link no icon (the root redirect).
    assert (html / "favicon.ico").is_file()
    # Launch (Binder, Colab) and "download .ipynb" buttons on a notebook page.
    assert "mybinder.org/v2/gh/backprop-tested/backprop-tested/main?urlpath=lab/tree/book/chain_rule.ipynb" in page
    assert "colab.research.google.com/github/backprop-tested/backprop-tested/blob/main/book/chain_rule.ipynb" in page
    assert '_sources/book/chain_rule.ipynb"' in page
    assert (html / "_sources" / "book" / "chain_rule.ipynb").is_file()


def test_logo_images_are_what_make_logo_draws(tmp_path):
    """The committed PNGs match a fresh run of tools/make_logo.py (pixel by pixel, nearly)."""
    from PIL import Image

    spec = importlib.util.spec_from_file_location("make_logo", ROOT / "tools" / "make_logo.py")
    make_logo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_logo)
    for fresh in make_logo.main(tmp_path, tmp_path):
        folder = "_extra" if fresh.suffix == ".ico" else "_static"
        committed = ROOT / "book" / folder / fresh.name
        a = np.asarray(Image.open(committed).convert("RGBA"), dtype=float)
        b = np.asarray(Image.open(fresh).convert("RGBA"), dtype=float)
        assert a.shape == b.shape, f"{fresh.name}: committed {a.shape}, drawn {b.shape}; rerun tools/make_logo.py"
        assert np.abs(a - b).mean() < 2.0, f"{fresh.name} differs from what tools/make_logo.py draws"


# ------------------------------------------------------------- pages' own claims


def test_preface_quotes_what_the_checkers_print(capsys):
    """The preface shows two checker lines; they must be what the checkers print."""
    from bplib.exercises import check

    preface = (ROOT / "book" / "preface.md").read_text(encoding="utf-8")
    assert check.tanh_prime(lambda z: 1.0 - np.tanh(z) ** 2)
    assert not check.sigmoid_prime(lambda x: x * (1 - x))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert line in preface, f"preface.md should quote the checker's line {line!r}"


def test_pytorch_page_code_runs():
    """Run every ``python`` block of book/pytorch.md, in order, with its asserts."""
    pytest.importorskip("torch", reason="PyTorch is not installed (it is optional): pytorch.md not run")
    text = (ROOT / "book" / "pytorch.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    assert len(blocks) >= 4
    exec(compile("\n".join(blocks), str(ROOT / "book" / "pytorch.md"), "exec"), {"__name__": "pytorch_md"})


# ------------------------------------------------------------------- the browser


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; the browser test must run in CI ($CI is set)")
    if CHROMIUM.exists():
        pytest.fail(f"{reason}; the browser test must run where {CHROMIUM} exists")
    pytest.skip(reason)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def site(built_book_with_pdf) -> Iterator[str]:
    """Serve the built book, with its PDF (conftest.py), from 127.0.0.1 on a free port; yield its base URL."""
    proc, html = built_book_with_pdf
    if proc.returncode != 0 or not (html / "index.html").is_file():
        pytest.fail("the book did not build; see test_book_builds_without_warnings")
    handler = functools.partial(_QuietHandler, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright (never downloads a browser)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("Playwright for Python is not installed (pip install -r requirements.txt)")
    if not CHROMIUM.exists():
        _skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
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


class PageLog:
    """Console errors, uncaught exceptions and failed requests seen by one page."""

    def __init__(self, page, base_url: str) -> None:
        self.base = base_url
        self.problems: list[str] = []
        self.external: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"uncaught exception: {exc}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("request", self._request)

    def _console(self, msg) -> None:
        if msg.type == "error":
            self.problems.append(f"console error: {msg.text} ({msg.location.get('url', '')})")

    def _failed(self, request) -> None:
        if request.url.startswith(self.base):
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.url.startswith(self.base) and response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _request(self, request) -> None:
        if not request.url.startswith((self.base, "data:", "blob:", "about:")):
            self.external.append(request.url)


@functools.lru_cache(maxsize=None)
def _fetch(url: str) -> tuple[int, str]:
    """GET ``url`` from the local server: (status, text for HTML pages)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            body = resp.read()
            kind = resp.headers.get_content_type()
            return resp.status, body.decode("utf-8", "replace") if kind == "text/html" else ""
    except urllib.error.HTTPError as err:
        return err.code, ""


def _ids(page_html: str) -> set[str]:
    return {html_lib.unescape(m) for m in re.findall(r'\s(?:id|name)="([^"]+)"', page_html)}


def _wait_for_mathjax(page) -> None:
    page.wait_for_function(
        "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=TIMEOUT_MS
    )
    page.evaluate("() => MathJax.startup.promise")


def _open(browser, site: str, path: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    log = PageLog(page, site)
    page.goto(urljoin(site, path), wait_until="load")
    return page, log


def _check_page(page, log: PageLog, site: str, docname: str, screenshot_dir: Path) -> list[str]:
    """Every check of one page; returns the list of problems found."""
    problems: list[str] = []
    url = page.url

    # Math: typeset, nothing raw left, no TeX errors.
    has_math = page.evaluate("() => document.querySelectorAll('.math, .output_latex, .output.text_latex').length > 0")
    if has_math:
        _wait_for_mathjax(page)
        n_mjx = page.evaluate("() => document.querySelectorAll('mjx-container').length")
        if n_mjx == 0:
            problems.append("page has math but no mjx-container: MathJax did not typeset")
        raw = page.evaluate(
            """() => Array.from(document.querySelectorAll('.math'))
                 .filter(el => !el.querySelector('mjx-container'))
                 .map(el => el.textContent.trim().slice(0, 80))"""
        )
        if raw:
            problems.append(f"{len(raw)} math element(s) not typeset, e.g. {raw[:3]}")
        # TeX errors, and undefined macros (MathJax's noundefined shows them as red text).
        errors = page.evaluate(
            """() => Array.from(document.querySelectorAll('mjx-merror, mjx-assistive-mml mtext[mathcolor="red"]'))
                 .map(e => e.textContent)"""
        )
        if errors:
            problems.append(f"MathJax errors or undefined macros: {errors[:3]}")
    # Text outside code: a `$$` shown as code is fine, one left in prose is not.
    text = page.evaluate(
        """() => { const main = (document.querySelector('main') || document.body).cloneNode(true);
                   main.querySelectorAll('pre, code, .highlight').forEach(e => e.remove());
                   return main.textContent; }"""
    )
    if "$$" in text:
        i = text.index("$$")
        problems.append(f"raw $$ left in the text: {text[max(0, i - 60): i + 60]!r}")

    # Images: every one loaded (wait for lazy/pending ones first).
    page.evaluate(
        """() => Promise.all(Array.from(document.images).map(img => img.complete ? null :
               new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })))"""
    )
    broken = page.evaluate(
        "() => Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    if broken:
        problems.append(f"images not loaded: {broken}")

    # Internal links: the target page exists, and so does the anchor in it.
    hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    for href in sorted(set(hrefs)):
        if not href.startswith(site):
            continue
        target, anchor = urldefrag(href)
        target = target.split("?", 1)[0]
        status, body = _fetch(target)
        if status != 200:
            problems.append(f"link to {href} from {docname}: HTTP {status}")
            continue
        if anchor and body and unquote(anchor) not in _ids(body):
            problems.append(f"link to {href} from {docname}: no element with id {unquote(anchor)!r}")

    page.screenshot(path=str(screenshot_dir / f"{docname.replace('/', '__')}.png"), full_page=True)
    problems += [p for p in dict.fromkeys(log.problems)]
    if log.external:
        problems.append(f"requests left 127.0.0.1: {sorted(set(log.external))[:5]}")
    return problems


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", DOCNAMES)
def test_page_renders_in_browser(browser, site, screenshot_dir, docname):
    """No console errors or failed requests, images loaded, math typeset, links resolve."""
    page, log = _open(browser, site, f"{docname}.html")
    try:
        problems = _check_page(page, log, site, docname, screenshot_dir)
    finally:
        page.close()
    assert not problems, f"{docname}:\n  " + "\n  ".join(problems)


@pytest.mark.book
@pytest.mark.browser
def test_index_redirects_to_the_first_page(browser, site):
    page, log = _open(browser, site, "index.html")
    try:
        page.wait_for_url(re.compile(r".*/book/intro\.html$"), timeout=TIMEOUT_MS)
    finally:
        page.close()
    assert not log.problems


@pytest.mark.book
@pytest.mark.browser
def test_search_finds_sigmoid(browser, site, screenshot_dir):
    page, log = _open(browser, site, "search.html?q=sigmoid")
    try:
        page.wait_for_selector("#search-results ul.search li", timeout=TIMEOUT_MS)
        results = page.evaluate(
            "() => Array.from(document.querySelectorAll('#search-results ul.search li a')).map(a => a.href)"
        )
        page.screenshot(path=str(screenshot_dir / "search_sigmoid.png"), full_page=True)
    finally:
        page.close()
    assert any("/book/chain_rule.html" in r for r in results), results
    assert not log.problems, log.problems


def _pages_with_dropdown_solutions(html: Path) -> list[str]:
    return [d for d in DOCNAMES if 'class="solution dropdown' in (html / f"{d}.html").read_text(encoding="utf-8")]


@pytest.mark.book
@pytest.mark.browser
def test_dropdown_solutions_start_collapsed_and_open_on_click(built_book, browser, site):
    """sphinx-exercise renders ``:class: dropdown`` solutions as ``div.solution.dropdown``;
    sphinx-togglebutton hides them (class ``toggle-hidden``) until their title is clicked."""
    _, html = built_book
    pages = _pages_with_dropdown_solutions(html)
    assert pages, "no page has a dropdown solution (the chain-rule chapter should)"
    for docname in pages:
        page, log = _open(browser, site, f"{docname}.html")
        try:
            page.wait_for_selector(".solution.dropdown .toggle-button", state="attached")
            ids = page.evaluate("() => Array.from(document.querySelectorAll('.solution.dropdown')).map(e => e.id)")
            assert ids, docname
            for sol_id in ids:
                sol = page.locator(f"[id={sol_id!r}]")
                body = sol.locator(":scope > :not(.admonition-title)").first
                button = sol.locator(".toggle-button")
                assert "toggle-hidden" in sol.get_attribute("class"), f"{docname} {sol_id} starts open"
                assert button.get_attribute("aria-expanded") == "false"
                assert not body.is_visible(), f"{docname} {sol_id}: the solution is visible before a click"
                sol.locator(":scope > .admonition-title").click()
                page.wait_for_function(
                    "id => !document.getElementById(id).classList.contains('toggle-hidden')", arg=sol_id
                )
                assert body.is_visible(), f"{docname} {sol_id}: the solution stays hidden after a click"
                assert button.get_attribute("aria-expanded") == "true"
        finally:
            page.close()
        assert not log.problems, f"{docname}: {log.problems}"
