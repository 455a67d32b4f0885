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


# ------------------------------------------------------------------------------
# Checks that the English site's tests and tests/test_site_zh.py both run on every page
# (a test module never imports another).

# From test_site_overflow.py.
# A line of aligned columns: indented, or with a run of two or more spaces inside it; a
# printout with two or more such lines is a table. (The same rule as reading.js: it is
# the specification of which printed lines may keep their layout.)
_PRINTED_JS = """() => {
  const aligned = l => /^\\s+\\S/.test(l) || /\\S {2,}\\S/.test(l);
  const out = [];
  const pres = Array.from(document.querySelectorAll('.bd-article .cell_output .output.stream pre'));
  for (const pre of pres) {
    if (!pre.getClientRects().length) continue;
    const texts = [];
    const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(), pos = 0; n; pos += n.length, n = walker.nextNode()) texts.push([n, pos]);
    const point = (offset) => {
      for (const [node, pos] of texts) if (offset <= pos + node.length) return [node, offset - pos];
      const [node] = texts[texts.length - 1]; return [node, node.length];
    };
    const lines = pre.textContent.split('\\n');
    const table = lines.filter(aligned).length >= 2;
    const box = pre.getBoundingClientRect();
    const right = box.left + pre.clientLeft + pre.clientWidth;
    const label = (pre.textContent.trim().split('\\n')[0] || '').slice(0, 50);
    if (!table && pre.scrollWidth > pre.clientWidth)
      out.push(`printed message scrolls sideways (${pre.scrollWidth} px in ${pre.clientWidth} px): "${label}"`);
    let offset = 0;
    for (const line of lines) {
      const start = offset, end = offset + line.length;
      offset = end + 1;
      if (!line.trim()) continue;
      const range = document.createRange();
      range.setStart(...point(start));
      range.setEnd(...point(end));
      const rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
      if (!rects.length) continue;
      const lineRight = Math.max(...rects.map(r => r.right));
      const rows = new Set(rects.map(r => Math.round(r.bottom))).size;
      if (table && aligned(line)) {
        if (rows > 1) out.push(`aligned line wrapped onto ${rows} lines: "${line.trim().slice(0, 50)}"`);
      } else if (lineRight > right + 1) {
        out.push(`printed line runs ${Math.round(lineRight - right)} px past its box: "${line.trim().slice(0, 60)}"`);
      }
    }
  }
  return out;
}"""

# From test_site_overflow.py.
# Every element of the article wider inside than its box (MathJax's own insides
# excepted): its overflow, its cue (the mask reading.js and custom.css give it), and a
# label. The elements are numbered in data-overflow-test for the second look.
_WIDE_JS = """() => {
  const out = [];
  const article = document.querySelector('.bd-article');
  let i = 0;
  for (const el of article.querySelectorAll('*')) {
    if (el.parentElement.closest('mjx-container')) continue;
    if (!el.getClientRects().length || el.scrollWidth <= el.clientWidth) continue;
    const cs = getComputedStyle(el);
    el.dataset.overflowTest = String(i++);
    out.push({id: el.dataset.overflowTest, overflow: cs.overflowX,
              mask: cs.maskImage !== 'none' ? cs.maskImage : (cs.webkitMaskImage || 'none'),
              scroll: el.scrollWidth, client: el.clientWidth,
              label: el.tagName.toLowerCase() + '.' + String(el.className).trim().split(/\\s+/).slice(0, 3).join('.')
                     + ' "' + el.textContent.trim().replace(/\\s+/g, ' ').slice(0, 50) + '"'});
  }
  return out;
}"""

# From test_site_navigation.py.
#: TeX left in a snippet: a math delimiter, or a control word such as \delta or \frac
#: outside a string of code (a snippet can quote code: ``ax.annotate(r"$\Delta w$", ...)``).
RAW_TEX = re.compile(r"\\[()\[\]]|\$\$|\\[A-Za-z]+")

# From test_site_navigation.py.
CODE_STRING = re.compile(r"""(?:\b[rRbBfF])?("[^"\n]*"|'[^'\n]*')""")

# From test_site_figures.py.
#: Largest relative difference between the drawn and the natural aspect ratio.
TOLERANCE = 0.01

# From test_site_figures.py.
_IMAGES_JS = """() => Array.from(document.querySelectorAll('.bd-article img')).map(img => {
  const r = img.getBoundingClientRect();
  return {src: img.getAttribute('src'), width: r.width, height: r.height,
          naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight};
})"""

# From test_book.py.
#: A Markdown table's delimiter row left as text (SmartyPants turns --- into an em dash).
RAW_TABLE = re.compile(r"\|\s*:?(?:-{3,}|[—–]):?\s*\|")

# From test_book.py.
#: MyST syntax that should have been parsed, left as text.
RAW_MYST = re.compile(r"```|:::+\s*\{|\{(?:solution|exercise)-(?:start|end)\}|\{[a-z][\w:-]*\}`")

# From test_book.py.
_CUT_MATH_JS = """() => {
  const article = document.querySelector('.bd-article');
  if (!article) return [];
  const right = article.getBoundingClientRect().right;
  const label = m => (m.getAttribute('aria-label') || m.textContent).trim().slice(0, 60);
  const out = [];
  article.querySelectorAll('mjx-container:not([display="true"])').forEach(m => {
    const r = m.getBoundingClientRect();
    if (r.width > 0 && r.right > right + 1 && !m.closest('table, .cell_output, .highlight'))
      out.push(['inline', Math.round(r.width), label(m)]);
  });
  article.querySelectorAll('div.math').forEach(d => {
    if (!d.closest('.cell_output') && d.scrollWidth > d.clientWidth + 2)
      out.push(['display', d.scrollWidth, label(d)]);
  });
  return out;
}"""
