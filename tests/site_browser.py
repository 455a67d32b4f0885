"""What the browser tests share: Debian's Chromium, the pages in reading order, the
phone and desktop sizes, and a log of what goes wrong on a page.

The fixtures that use these (``browser``, ``site``, ``screenshot_dir``) are in
``tests/conftest.py``; a browser test module imports its helpers from here.
"""

from __future__ import annotations

import functools
import html as html_lib
import os
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin

import pytest
from tool_modules import load_tool

book_site = load_tool("book_site")

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


#: Every page of ``_toc.yml`` in reading order (tools/book_site.py, as make_pdf reads it).
DOCNAMES = book_site.toc_docnames()



#: A phone's width (CSS px) and a desktop's.
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

def skip_or_fail(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; the browser test must run in CI ($CI is set)")
    if CHROMIUM.exists():
        pytest.fail(f"{reason}; the browser test must run where {CHROMIUM} exists")
    pytest.skip(reason)


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
def fetch(url: str) -> tuple[int, str]:
    """GET ``url`` from the local server: (status, text for HTML pages)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            body = resp.read()
            kind = resp.headers.get_content_type()
            return resp.status, body.decode("utf-8", "replace") if kind == "text/html" else ""
    except urllib.error.HTTPError as err:
        return err.code, ""


def ids(page_html: str) -> set[str]:
    return {html_lib.unescape(m) for m in re.findall(r'\s(?:id|name)="([^"]+)"', page_html)}


def wait_for_mathjax(page) -> None:
    page.wait_for_function(
        "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=TIMEOUT_MS
    )
    page.evaluate("() => MathJax.startup.promise")


def open_page(browser, site: str, path: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    log = PageLog(page, site)
    page.goto(urljoin(site, path), wait_until="load")
    return page, log




#: The two readers of the site tests: a phone (touch, 390 px) and a desktop (mouse, 1280 px).
SIZES = {"390": PHONE, "1280": DESKTOP}


def open_at(browser, site: str, path: str, width: str):
    """Open ``path`` at ``width`` ("390": a phone, touch and mobile viewport; "1280": a
    desktop), wait until it is typeset, its images are loaded and reading.js has run.
    Returns the page and its :class:`PageLog`."""
    phone = width == "390"
    page = browser.new_page(viewport=SIZES[width], is_mobile=phone, has_touch=phone)
    page.set_default_timeout(TIMEOUT_MS)
    log = PageLog(page, site)
    page.goto(urljoin(site, path), wait_until="load")
    settle(page)
    return page, log


def settle(page) -> None:
    """Wait for MathJax (if the page has math), every image, and two animation frames
    (reading.js updates its scroll cues in the frame after a change)."""
    if page.evaluate("() => document.querySelectorAll('.math, .output_latex, .text_latex').length > 0"):
        wait_for_mathjax(page)
    page.evaluate(
        """() => Promise.all(Array.from(document.images).map(img => img.complete ? null :
               new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })))"""
    )
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def unfold_all(page) -> None:
    """Open every folded solution and cell (as a reader who opens them all would), then settle."""
    page.evaluate(
        """() => { document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
                   document.querySelectorAll('details').forEach(d => { d.open = true; }); }"""
    )
    settle(page)
