"""Code fits the desktop column: no code block of the book scrolls sideways at 1280 px,
and no SymPy formula a chapter prints is wider than the column.

Two kinds of test:

- a static one, fast and without a browser: every line of every chapter's code cells and
  of every ``` code block of the book's pages is at most as wide as the column it is shown
  in (the limits below, measured);
- browser ones at 1280 x 900 with the sidebar shown: on every page, no code block
  (``div.highlight pre`` of a cell's source or of a page's code block) is wider than its
  box, and no SymPy output (``.output.text_latex``) is wider than the column.

Printed messages (cell outputs, and the ```text blocks that quote them) are not code: the
site's CSS wraps them, so they are left to the tests of the outputs.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import urljoin

import nbformat
import pytest
from site_browser import DESKTOP, DOCNAMES, TIMEOUT_MS, PageLog, wait_for_mathjax

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"

# ------------------------------------------------------------------ the column, measured
# Measured in Chromium at 1280 x 900 (the sidebar shown, as a desktop reader sees it): the
# content box of a code block's <pre> (clientWidth minus padding) and the advance of its
# font, 14 px monospace (DejaVu Sans Mono here; Menlo, Consolas, Cascadia Code and SF Mono,
# the theme's first choices elsewhere, have the same 0.6 em advance): 8.43 px a character.
#
#   where the code is shown                            box     characters
#   a chapter's code cell                              652 px  77.4 -> 77
#   a folded cell (hide-input, hide-cell)              634 px  75.2 -> 75
#   a cell inside a solution's dropdown, opened        585 px  69.4 -> 69
#   a ``` block of a page (.md) or a markdown cell     654 px  77.6 -> 77
#   a ``` block inside a list item of a page           622 px  73.8 -> 73
#
# A CJK character (the articles' comments) is drawn 14 px wide: it counts as two columns.
CELL_COLUMNS = 77
FOLDED_CELL_COLUMNS = 75
SOLUTION_CELL_COLUMNS = 69
PAGE_BLOCK_COLUMNS = 77
LIST_BLOCK_COLUMNS = 73

#: Languages of ``` blocks that show printed output rather than code (wrapped by the CSS).
OUTPUT_LANGUAGES = {"text", "none", "output", "console"}

#: A fence line: indentation, ``` or ~~~ (3 or more), and what follows.
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
#: MyST directives whose body is code (others, such as {note} or {glossary}, hold prose).
CODE_DIRECTIVES = re.compile(r"^\{(?:code-block|code-cell|code|sourcecode)\}\s*(?P<lang>\S*)")


def columns(line: str) -> int:
    """How many monospace columns ``line`` takes: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def code_blocks(text: str) -> list[tuple[int, str, list[str]]]:
    """The ``` (or ~~~) code blocks of Markdown ``text``: (indentation, language, lines).

    Fences nest (a {note} holding a code block); a directive other than a code directive
    is a container, not code.  Lines are returned without the block's indentation.
    """
    blocks: list[tuple[int, str, list[str]]] = []
    stack: list[tuple[str, int, str, list[str] | None]] = []  # fence, indent, lang, lines
    for line in text.split("\n"):
        m = FENCE.match(line)
        inside_code = bool(stack) and stack[-1][3] is not None
        if m and stack and m["info"] == "" and m["fence"][0] == stack[-1][0][0] \
                and len(m["fence"]) >= len(stack[-1][0]):
            fence, indent, lang, lines = stack.pop()
            if lines is not None:
                blocks.append((indent, lang, lines))
            continue
        if inside_code:
            indent = stack[-1][1]
            stack[-1][3].append(line[indent:] if line[:indent].strip() == "" else line)
            continue
        if m:
            info = m["info"].strip()
            directive = CODE_DIRECTIVES.match(info)
            if info.startswith("{") and not directive:
                stack.append((m["fence"], len(m["indent"]), "", None))
            else:
                lang = directive["lang"] if directive else info.split()[0] if info else ""
                stack.append((m["fence"], len(m["indent"]), lang, []))
    return blocks


def cell_columns(cell: nbformat.NotebookNode) -> tuple[int, str]:
    """The column a code cell is shown in at 1280 px: (characters, where)."""
    tags = cell.metadata.get("tags", [])
    if cell.metadata.get("jupyter", {}).get("source_hidden"):
        return SOLUTION_CELL_COLUMNS, "a solution's cell"
    if "hide-input" in tags or "hide-cell" in tags:
        return FOLDED_CELL_COLUMNS, "a folded cell"
    return CELL_COLUMNS, "a code cell"


def too_wide_lines() -> list[str]:
    """Every line of code in the book wider than the column it is shown in."""
    found: list[str] = []

    def check(where: str, lines: list[str], limit: int, kind: str) -> None:
        for number, line in enumerate(lines, start=1):
            if columns(line) > limit:
                found.append(f"{where} line {number}: {columns(line)} > {limit} columns "
                             f"({kind}): {line.strip()[:60]}")

    def check_markdown(where: str, text: str) -> None:
        for indent, lang, lines in code_blocks(text):
            if lang.lower() in OUTPUT_LANGUAGES:
                continue
            limit, kind = ((LIST_BLOCK_COLUMNS, "a code block in a list") if indent
                           else (PAGE_BLOCK_COLUMNS, "a code block"))
            check(f"{where} ```{lang} block", lines, limit, kind)

    for path in sorted(BOOK.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            where = f"{path.name} cell {index} ({cell.get('id', '?')})"
            if cell.cell_type == "code":
                if "remove-cell" in cell.metadata.get("tags", []):
                    continue  # not in the book (the install cell)
                limit, kind = cell_columns(cell)
                check(where, cell.source.split("\n"), limit, kind)
            elif cell.cell_type == "markdown":
                check_markdown(where, cell.source)
    for path in sorted(BOOK.glob("*.md")):
        check_markdown(path.name, path.read_text(encoding="utf-8"))
    return found


def test_code_lines_fit_the_desktop_column():
    """Every line of code the book shows fits its column at 1280 px (no sideways scroll)."""
    found = too_wide_lines()
    assert not found, "code lines wider than the column at 1280 px:\n  " + "\n  ".join(found)


def test_the_static_check_reads_blocks_and_cells_as_the_book_shows_them():
    text = (
        "```{note}\nprose that is long " + "x" * 80 + "\n```\n"
        "```python\nshort\n" + "y" * 78 + "\n```\n"
        "1. an item\n\n   ```bash\n   " + "z" * 74 + "\n   ```\n"
        "```text\n" + "o" * 90 + "\n```\n"
        "````{code-block} python\nprint(1)\n```\n````\n"
    )
    blocks = code_blocks(text)
    assert [(indent, lang, [len(line) for line in lines]) for indent, lang, lines in blocks] == [
        (0, "python", [5, 78]), (3, "bash", [74]), (0, "text", [90]), (0, "python", [8, 3])]
    assert columns("#公式(36)") == 9  # two wide characters
    hidden = nbformat.v4.new_code_cell("x", metadata={"jupyter": {"source_hidden": True}})
    folded = nbformat.v4.new_code_cell("x", metadata={"tags": ["hide-input"]})
    assert cell_columns(hidden)[0] < cell_columns(folded)[0] < cell_columns(nbformat.v4.new_code_cell("x"))[0]


# ------------------------------------------------------------------------- the browser
# Everything folded is opened first (hide-input/hide-cell <details>, the solutions'
# dropdowns), so that every block is laid out and measured at the width a reader gets.
_OPEN_ALL_JS = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('.dropdown').forEach(e => e.classList.remove('toggle-hidden'));
}"""

_WIDE_CODE_JS = """() => {
  const out = [];
  document.querySelectorAll('.bd-article div.highlight pre').forEach(pre => {
    if (pre.closest('.cell_output, .highlight-text, .highlight-none')) return;  // printed output
    const first = (pre.textContent.split('\\n').find(l => l.length > 0) || '').trim().slice(0, 50);
    if (pre.clientWidth === 0) { out.push(['not laid out', 0, 0, first]); return; }
    if (pre.scrollWidth > pre.clientWidth + 1) {
      const longest = pre.textContent.split('\\n').reduce((a, b) => (b.length > a.length ? b : a), '');
      out.push(['scrolls', pre.scrollWidth, pre.clientWidth, longest.trim().slice(0, 60)]);
    }
  });
  return out;
}"""

_WIDE_LATEX_JS = """() => {
  const out = [];
  document.querySelectorAll('.bd-article .cell_output .output.text_latex').forEach(box => {
    const m = box.querySelector('mjx-container');
    if (!m) { out.push(['not typeset', 0, 0, box.textContent.trim().slice(0, 60)]); return; }
    // The formula's own width: the theme lets mjx-container scroll, so measure the
    // typeset math inside it (mjx-math), not the container's box.
    const inner = m.querySelector('mjx-math') || m;
    const width = Math.max(inner.getBoundingClientRect().width, m.scrollWidth, box.scrollWidth);
    if (width > box.clientWidth + 1)
      out.push(['wider than the column', Math.round(width), box.clientWidth,
                (m.getAttribute('aria-label') || box.textContent).trim().slice(0, 60)]);
  });
  return out;
}"""


@pytest.fixture(scope="module")
def desktop(browser, site):
    """``desktop(docname)``: what is too wide on the page at 1280 px, each page opened once."""
    cache: dict[str, dict] = {}

    def get(docname: str) -> dict:
        if docname not in cache:
            page = browser.new_page(viewport=DESKTOP)
            page.set_default_timeout(TIMEOUT_MS)
            log = PageLog(page, site)
            try:
                page.goto(urljoin(site, f"{docname}.html"), wait_until="load")
                if page.evaluate("() => document.querySelectorAll('.math, .text_latex').length > 0"):
                    wait_for_mathjax(page)
                page.evaluate(_OPEN_ALL_JS)
                cache[docname] = {
                    "sidebar": page.evaluate(
                        "() => { const s = document.querySelector('.bd-sidebar-primary');"
                        " return !!s && s.getBoundingClientRect().width > 0; }"),
                    "code": page.evaluate(_WIDE_CODE_JS),
                    "latex": page.evaluate(_WIDE_LATEX_JS),
                    "blocks": page.evaluate(
                        "() => document.querySelectorAll('.bd-article div.highlight pre').length"),
                    "problems": log.problems,
                }
            finally:
                page.close()
        return cache[docname]

    return get


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", DOCNAMES)
def test_no_code_block_scrolls_sideways_at_1280(desktop, docname):
    seen = desktop(docname)
    assert seen["sidebar"], f"{docname}: the sidebar is not shown at 1280 px (the column measured is with it)"
    assert not seen["code"], (
        f"{docname}: code blocks wider than their box at 1280 px (kind, scrollWidth, clientWidth, "
        "longest line):\n  " + "\n  ".join(map(str, seen["code"])))


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", DOCNAMES)
def test_sympy_outputs_fit_the_desktop_column(desktop, docname):
    seen = desktop(docname)
    assert not seen["latex"], (
        f"{docname}: SymPy outputs wider than the column at 1280 px (kind, width, column, "
        "formula):\n  " + "\n  ".join(map(str, seen["latex"])))


@pytest.mark.book
@pytest.mark.browser
def test_the_browser_check_sees_code_on_the_chapters(desktop):
    """The measurement is not vacuous: the chapters' code blocks are found and laid out."""
    counts = {name: desktop(name)["blocks"] for name in DOCNAMES}
    chapters = [name for name in DOCNAMES if (ROOT / f"{name}.ipynb").is_file()]
    assert chapters and all(counts[name] > 10 for name in chapters), counts
