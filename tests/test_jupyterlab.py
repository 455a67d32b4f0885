"""The chapters as a reader meets them in JupyterLab 4 with jupyterlab-myst (issue 22).

One JupyterLab server (this environment's, as ``make lab`` starts it) serves a copy of
``book/`` from a temporary folder; headless Chromium opens every chapter, checks that
opening it does not mark it modified, runs "Run All" (the command
``notebook:run-all-cells``, through the application object JupyterLab exposes with
``--LabApp.expose_app_in_browser``) and waits for the kernel, then checks the page:

* as opened and after Run All, every solution stays hidden: its code cell is a collapsed bar with no output under
  it, its explanation is inside a closed dropdown, and neither the book's verdict lines
  nor its tables show; opened (the dropdown clicked, the bar clicked and the cell run),
  the explanation and the solution's output show;
* no raw markers: no ``<!--`` comment and no ``%%solution`` on the page;
* every checker shows its one printed line and no ``False``/``True`` result after it;
* the markup renders as in the book: no reference or citation jupyterlab-myst cannot
  resolve (its warning icon, "... Not Found"), no unknown directive, no raw role, and under
  every figure its numbered caption (the chapters' portable forms, ``_ext/portable_markup.py``).

Every chapter is checked as opened (the solutions' markdown is rendered then too), and
again after "Run All", one browser page for all.  The install
cell runs as a reader's does, with ``$BPLIB_SOURCE`` set to this checkout (bplib is
importable here, so it installs nothing).  Screenshots of each chapter's first
exercise, and of an opened solution, go to ``_build/screenshots/jupyterlab/``.
"""

from __future__ import annotations

import html as html_lib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from site_browser import CHROMIUM_ARGS
from tool_modules import load_tool

pytestmark = [pytest.mark.book, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = [p.name for p in sorted((ROOT / "book").glob("*.ipynb"))]
rn = load_tool("reader_notebooks")

#: Milliseconds: JupyterLab's start in the page, and one chapter's Run All.
START_MS = 120_000
RUN_ALL_MS = 240_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a copy of book/; yields (base URL, token, folder)."""
    root = tmp_path_factory.mktemp("lab")
    book = root / "book"
    shutil.copytree(ROOT / "book", book, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    # Settings a reader would not need but a test does: every cell rendered (no
    # windowing, so the whole notebook is in the DOM) and no news pop-up.
    settings = root / "settings"
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}), encoding="utf-8")
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")
    token = secrets.token_hex(16)
    port = _free_port()
    env = dict(os.environ, BPLIB_SOURCE=str(ROOT), JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(root / "workspaces"), JUPYTER_RUNTIME_DIR=str(root / "runtime"))
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={book}", "--LabApp.expose_app_in_browser=True",
               "--ServerApp.port_retries=0"]
    if os.getuid() == 0:
        command.append("--allow-root")
    log = open(root / "lab.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(command, cwd=book, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start: {(root / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield base, token, book
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def page(lab, browser):
    """One browser page with JupyterLab loaded (the app object exposed)."""
    base, token, _ = lab
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/lab?token={token}", timeout=START_MS)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started", timeout=START_MS)
    page.evaluate("() => window.jupyterapp.started")
    yield page
    context.close()


@pytest.fixture(scope="module")
def shots(screenshot_dir) -> Path:
    path = screenshot_dir / "jupyterlab"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- what the page shows ------------------------------------------------------------------

#: JavaScript: the current notebook panel's cells as {type, source, hidden, outputs, text}.
CELLS_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return panel.content.widgets.map((cell, i) => {
    cell.node.setAttribute('data-test-cell', String(i));
    return {
      type: cell.model.type,
      source: cell.model.sharedModel.getSource(),
      inputHidden: cell.inputHidden,
      outputs: cell.model.type === 'code' ? cell.model.outputs.toJSON() : [],
      text: cell.node.innerText,
      rendered: cell.model.type === 'markdown' ? cell.node.innerText : null,
    };
  });
}"""

KERNEL_IDLE_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.sessionContext) return false;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  return !panel.content.widgets.some(c => c.model.type === 'code' &&
    (c.model.executionState === 'running' || (c.promptNode && c.promptNode.textContent.includes('*'))));
}"""


def open_chapter(page, name: str) -> None:
    page.evaluate("async (path) => { await window.jupyterapp.commands.execute('docmanager:open', {path}); }", name)
    page.wait_for_function(
        """(path) => { const w = window.jupyterapp.shell.currentWidget;
             return w && w.context && w.context.path === path && w.context.isReady &&
                    w.content.widgets.length > 0; }""", arg=name, timeout=START_MS)
    page.wait_for_function(KERNEL_IDLE_JS, timeout=START_MS)
    page.wait_for_timeout(1000)  # jupyterlab-myst renders the markdown


def run_all(page) -> None:
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_timeout(1500)
    page.wait_for_function(KERNEL_IDLE_JS, timeout=RUN_ALL_MS, polling=500)
    page.wait_for_timeout(1500)


def dirty(page) -> bool:
    return page.evaluate("() => window.jupyterapp.shell.currentWidget.context.model.dirty")


def close_chapter(page) -> None:
    page.evaluate("""async () => { const w = window.jupyterapp.shell.currentWidget;
        await w.sessionContext.shutdown(); w.context.model.dirty = false; w.dispose(); }""")


def screenshot_cell(page, index: int, path: Path, block: str = "start") -> None:
    page.evaluate("([i, block]) => document.querySelector(`[data-test-cell='${i}']`).scrollIntoView({block})",
                  [index, block])
    page.wait_for_timeout(300)
    page.screenshot(path=str(path))


def is_solution_code(cell: dict) -> bool:
    return cell["type"] == "code" and cell["source"].startswith(rn.SOLUTION_MARKER + "\n")


def is_checker_cell(cell: dict) -> bool:
    return cell["type"] == "code" and re.fullmatch(r"(\w+ = )?check\.\w+\(.*\)", cell["source"].strip()) is not None


def book_solution_lines(name: str) -> list[str]:
    """The lines the book's solutions print (stored in the chapter), to look for on the page;
    a line that a cell outside the solutions prints too (a starter's verdict that the
    solution shows again) is left out."""
    solution, other = [], set()
    for cell in nbformat.read(ROOT / "book" / name, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        lines = [line.strip() for output in cell.outputs if output.output_type == "stream"
                 for line in output.text.split("\n") if len(line.strip()) > 12]
        if cell.source.startswith(rn.SOLUTION_MARKER):
            solution += lines
        else:
            other.update(lines)
    return [line for line in solution if line not in other]


def explanation_snippet(source: str) -> str | None:
    """A run of plain words from a solution-start cell's explanation (after its fence)."""
    after = source.split("```", 2)[-1].split("```", 1)[-1]
    for word_run in re.findall(r"[A-Za-z][A-Za-z ,']{25,}", after):
        return word_run.strip()[:25]
    return None


# --- the steppers (bplib.stepper) ---------------------------------------------------------

#: The live part of a stepper's HTML, and in it one frame's figure group and caption.
_LIVE = re.compile(r'<div class="bp-stepper"[^>]*data-stepper="([^"]+)"[^>]*data-frames="(\d+)".*?<div class="bp-print">', re.S)
_QUANTITY = re.compile(r'data-q="([^"]*)">([^<]*)<')


def _frame_numbers(live: str, k: int) -> list[str]:
    """``key=text`` of every number of frame ``k`` of a stepper's live HTML: figure, then caption."""
    group = re.search(rf'<g class="bp-f" data-f="{k}"[^>]*>(.*?)</g>', live, re.S).group(1)
    cap = re.search(rf'<div class="bp-cap" data-f="{k}"[^>]*>(.*?)</div>', live, re.S).group(1)
    return [f"{html_lib.unescape(key)}={html_lib.unescape(text)}" for key, text in
            _QUANTITY.findall(group) + _QUANTITY.findall(cap)]


def stored_steppers(name: str) -> list[dict]:
    """The steppers of a chapter's stored outputs, in order: name, frame count, and the
    numbers of the first and the last frame."""
    out = []
    for cell in nbformat.read(ROOT / "book" / name, as_version=4).cells:
        for output in cell.get("outputs", []):
            page = output.get("data", {}).get("text/html", "")
            for m in _LIVE.finditer(page if isinstance(page, str) else "".join(page)):
                n = int(m.group(2))
                out.append({"name": m.group(1), "frames": n, "first": _frame_numbers(m.group(0), 0),
                            "last": _frame_numbers(m.group(0), n - 1)})
    return out


#: JavaScript: stepper ``i`` of the open notebook as shown: its name, ready mark, frame,
#: counter, visible frame groups and the ``key=text`` of its visible numbers.
STEPPER_JS = """(i) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const r = panel.content.node.querySelectorAll('.bp-stepper')[i];
  if (!r) return null;
  const vis = e => { for (let x = e; x; x = x.parentElement) if (getComputedStyle(x).display === 'none' || x.hidden) return false;
                     return e.getClientRects().length > 0; };
  const live = r.querySelector('.bp-live');
  return {name: r.dataset.stepper, ready: r.hasAttribute('data-ready'), frame: r.dataset.frame,
          count: (r.querySelector('.bp-count') || {}).textContent,
          groups: [...live.querySelectorAll('.bp-f')].filter(vis).map(g => g.dataset.f),
          numbers: [...live.querySelectorAll('.bp-f [data-q]'), ...live.querySelectorAll('.bp-cap [data-q]')]
                     .filter(vis).map(q => `${q.dataset.q}=${q.textContent}`)};
}"""


def check_steppers(page, name: str, shots: Path) -> None:
    """After Run All: each stepper the chapter stores is on the page, its script ran (data-ready),
    Next moves the visible frame and the counter, and the first and last frames show the
    numbers of the stored output."""
    stored = stored_steppers(name)
    count = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.node.querySelectorAll('.bp-stepper').length")
    assert count == len(stored), f"{name}: {count} steppers on the page after Run All, {len(stored)} stored"
    for i, want in enumerate(stored):
        first = page.evaluate(STEPPER_JS, i)
        at = f"{name}: stepper {want['name']}"
        assert first["name"] == want["name"], f"{at}: the page shows {first['name']!r} in its place"
        assert first["ready"], f"{at}: its script did not run in JupyterLab (no data-ready)"
        assert first["frame"] == "0" and first["groups"] == ["0"], f"{at}: opens at {first}"
        assert first["numbers"] == want["first"], f"{at}: frame 1 shows {first['numbers']}, stored {want['first']}"
        stepper = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .bp-stepper").nth(i)
        stepper.scroll_into_view_if_needed()
        stepper.locator("[data-go=next]").click()
        second = page.evaluate(STEPPER_JS, i)
        assert second["frame"] == "1" and second["groups"] == ["1"] and second["count"] != first["count"], (
            f"{at}: Next did not move it: before {first['frame']} {first['count']!r}, after "
            f"{second['frame']} {second['count']!r} (visible groups {second['groups']})")
        stepper.locator("[data-go=last]").click()
        last = page.evaluate(STEPPER_JS, i)
        n = want["frames"]
        assert last["frame"] == str(n - 1) and last["groups"] == [str(n - 1)], f"{at}: Last went to {last['frame']}"
        assert last["numbers"] == want["last"], f"{at}: the last frame shows {last['numbers']}, stored {want['last']}"
        stepper.screenshot(path=str(shots / f"{name[:-6]}-stepper-{i}.png"))


# --- the tests -----------------------------------------------------------------------------

#: Chapters run with Run All: every one (each executes in well under 30 s).
RUN_ALL = CHAPTERS
#: The sources' audit pages (issue 24): run and rendered like the chapters, but without
#: exercises, solutions or checkers, and a figure only where the audit needs one.
AUDIT_PAGES = {name for name in CHAPTERS if name.startswith("article_")}

#: JavaScript: what jupyterlab-myst could not render in the open notebook's markdown: its
#: warning marks ("Citation Not Found", "Cross Reference Not Found", ...) and unknown
#: directives, each with the text it shows.
UNRESOLVED_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const found = [];
  panel.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'markdown') return;
    cell.node.querySelectorAll('.myst [title]').forEach(e => {
      if (/not found|unknown|error/i.test(e.title)) found.push(`cell ${i}: ${e.title}: ${e.textContent}`);
    });
    cell.node.querySelectorAll('.myst .myst-exercise-title').forEach(e => {
      if (/unknown directive/i.test(e.textContent)) found.push(`cell ${i}: ${e.textContent}`);
    });
  });
  return found;
}"""

#: A role as written (``{cite}`key```) showing in rendered text.
RAW_ROLE = re.compile(r"\{[a-z]+(:[a-z]+)?\}`")


def check_markup_rendered(page, name: str, cells: list[dict]) -> int:
    """No unresolved reference, unknown directive or raw role; every figure captioned.
    Returns the index of the first caption cell."""
    unresolved = page.evaluate(UNRESOLVED_JS)
    assert not unresolved, f"{name}: jupyterlab-myst could not render: {unresolved}"
    first = None
    for i, cell in enumerate(cells):
        if cell["type"] != "markdown":
            continue
        shown = (cell["rendered"] or "").replace("\xa0", " ")
        assert not RAW_ROLE.search(shown), f"{name}: cell {i} shows a raw role: {shown[:200]!r}"
        caption = re.match(r"\((fig-[\w-]+)\)=\s*\n\*\*(Fig\. \d+(?:\.\d+)?)\*\*", cell["source"])
        if caption:
            first = i if first is None else first
            assert shown.strip().startswith(caption[2]) and "(fig-" not in shown, (
                f"{name}: the caption of {caption[1]} shows {shown[:120]!r}")
            figure = cells[i - 1]
            assert figure["type"] == "code" and any(
                "image/png" in o.get("data", {}) for o in figure["outputs"]), (
                f"{name}: the caption of {caption[1]} is not under a figure")
    for i, cell in enumerate(cells):
        if cell["type"] == "code" and any("image/png" in o.get("data", {}) for o in cell["outputs"]):
            after = cells[i + 1] if i + 1 < len(cells) else {"type": None, "source": ""}
            assert after["type"] == "markdown" and re.match(r"\(fig-[\w-]+\)=", after["source"]), (
                f"{name}: the figure of cell {i} has no caption under it")
    assert first is not None or name in AUDIT_PAGES, f"{name}: no figure caption"
    return first


def notebook_text(page) -> str:
    return page.inner_text(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")


def check_no_raw_markers(name: str, text: str, when: str) -> None:
    for raw in ("<!--", "%%solution"):
        assert raw not in text, f"{name}: {raw!r} shows on the page {when}"


def check_solutions_hidden(name: str, cells: list[dict], text: str, after_run_all: bool) -> list[int]:
    """Solution code collapsed (no output after Run All), markdown closed dropdowns; returns
    the indices of the solution code cells."""
    solutions = [i for i, c in enumerate(cells) if is_solution_code(c)]
    assert solutions, f"{name}: no solution code cell"
    for i in solutions:
        cell = cells[i]
        assert cell["inputHidden"], f"{name}: solution cell {i} shows its code"
        if after_run_all:
            assert cell["outputs"] == [], f"{name}: solution cell {i} printed {cell['outputs']}"
        assert cell["text"].strip().startswith(rn.SOLUTION_MARKER), (
            f"{name}: solution cell {i}'s bar reads {cell['text'][:80]!r}")
    for line in book_solution_lines(name):
        assert line not in text, f"{name}: the book's solution output {line!r} shows"
    starts = [i for i, c in enumerate(cells) if c["type"] == "markdown" and "{solution-start}" in c["source"]]
    assert starts and len(starts) <= len(solutions)
    # Every markdown cell from a {solution-start} to its {solution-end} shows a closed
    # dropdown's title, or nothing (the end): no explanation is readable.
    inside = False
    for i, cell in enumerate(cells):
        if cell["type"] == "markdown" and "{solution-start}" in cell["source"]:
            inside = True
        if inside and cell["type"] == "markdown":
            shown = (cell["rendered"] or "").replace("\xa0", " ").strip()
            assert re.fullmatch(r"Start of Solution to Exercise \d+( #)?|Discussion|", shown), (
                f"{name}: solution cell {i} shows {shown[:200]!r}, not a closed dropdown")
        if cell["type"] == "markdown" and "{solution-end}" in cell["source"]:
            inside = False
    for i in starts:
        snippet = explanation_snippet(cells[i]["source"])
        assert snippet is None or snippet not in text
    return solutions


@pytest.mark.parametrize("name", CHAPTERS)
def test_a_chapter_as_opened_in_jupyterlab(name, page, shots):
    """Opening changes nothing; no raw markers; solutions collapsed or closed."""
    open_chapter(page, name)
    try:
        assert not dirty(page), f"{name}: opening it marked it modified"
        text = notebook_text(page)
        check_no_raw_markers(name, text, "as opened")
        cells = page.evaluate(CELLS_JS)
        caption = check_markup_rendered(page, name, cells)
        if caption is not None:
            screenshot_cell(page, caption, shots / f"{name[:-6]}-figure.png", block="end")
        if name in AUDIT_PAGES:
            screenshot_cell(page, 1, shots / f"{name[:-6]}-opened.png")
            return
        check_solutions_hidden(name, cells, text, after_run_all=False)
        first_exercise = next(i for i, c in enumerate(cells) if "{exercise-start}" in c["source"])
        screenshot_cell(page, first_exercise, shots / f"{name[:-6]}-opened.png")
    finally:
        close_chapter(page)


@pytest.mark.parametrize("name", RUN_ALL)
def test_a_chapter_after_run_all_in_jupyterlab(name, page, shots):
    open_chapter(page, name)
    try:
        assert not dirty(page), f"{name}: opening it marked it modified"
        run_all(page)
        cells = page.evaluate(CELLS_JS)
        errors = [c["source"][:60] for c in cells if any(o.get("output_type") == "error" for o in c["outputs"])]
        assert not errors, f"{name}: Run All stopped at an error in {errors}"
        text = notebook_text(page)
        check_no_raw_markers(name, text, "after Run All")
        check_markup_rendered(page, name, cells)
        check_steppers(page, name, shots)
        if name in AUDIT_PAGES:
            screenshot_cell(page, len(cells) - 1, shots / f"{name[:-6]}-after-run-all.png")
            return

        # Each checker: its printed line, and no True/False result after it.
        checkers = [c for c in cells if is_checker_cell(c)]
        assert checkers, f"{name}: no checker cell"
        for cell in checkers:
            kinds = [o["output_type"] for o in cell["outputs"]]
            assert kinds == ["stream"], f"{name}: {cell['source']} shows {kinds}"
            shown = cell["text"].split(cell["source"].strip(), 1)[-1]
            assert not re.search(r"^\s*(\[\d+\]:\s*)?(False|True)\s*$", shown, re.M), (
                f"{name}: a bare {shown!r} after {cell['source']}")

        solutions = check_solutions_hidden(name, cells, text, after_run_all=True)
        starts = [i for i, c in enumerate(cells) if c["type"] == "markdown" and "{solution-start}" in c["source"]]
        first_exercise = next(i for i, c in enumerate(cells) if "{exercise-start}" in c["source"])
        screenshot_cell(page, first_exercise, shots / f"{name[:-6]}-after-run-all.png")

        # Opened, the first solution shows its explanation, its code and (run) its output.
        start, code = starts[0], solutions[0]
        page.locator(f"[data-test-cell='{start}']").get_by_text(
            re.compile("^Start of Solution")).first.click()
        page.wait_for_timeout(500)
        opened = page.evaluate(CELLS_JS)[start]["rendered"].replace("\u2019", "'")  # typographic quotes
        snippet = explanation_snippet(cells[start]["source"])
        assert len(opened.strip()) > len("Start of Solution to Exercise 1 #") + 10, f"{name}: empty dropdown"
        assert snippet is None or snippet in opened, f"{name}: the opened dropdown lacks {snippet!r}"
        page.locator(f"[data-test-cell='{code}'] .jp-InputPlaceholder").click()
        page.wait_for_timeout(300)
        page.locator(f"[data-test-cell='{code}']").click()
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-cell')")
        page.wait_for_timeout(1000)
        page.wait_for_function(KERNEL_IDLE_JS, timeout=RUN_ALL_MS, polling=500)
        after = page.evaluate(CELLS_JS)[code]
        assert not after["inputHidden"] and after["outputs"], f"{name}: the opened solution printed nothing"
        screenshot_cell(page, start, shots / f"{name[:-6]}-solution-opened.png")
    finally:
        close_chapter(page)
