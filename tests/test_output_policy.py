"""Stored outputs are compared exactly, except in the places listed here.

nbval compares every stored output of every chapter with what a fresh run
prints (``make test``).  A cell may opt out (the ``nbval-ignore-output`` tag,
or a ``# NBVAL_IGNORE_OUTPUT`` / ``# NBVAL_SKIP`` comment) only when its
output is a wall-clock timing, or when the cell itself asserts everything its
output would have shown.  Each such place is listed in ``IGNORED`` with its
reason; a new one fails this test until it is listed here, where a reviewer
sees it.  The nbval sanitize file may only hide memory addresses.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))

TIMING = "wall-clock timings"

#: (notebook, cell id) -> why its output is not compared.
IGNORED: dict[tuple[str, str], str] = {
    ("four_equations.ipynb", "987754fb"): TIMING + " of the 5000-epoch fit (its losses print in the next cell)",
    ("article_000.ipynb", "bf78af99"): TIMING + " of the article's loop and Network.sgd (its "
    "cost after 100 epochs is asserted equal to history.loss, not printed)",
    ("four_equations.ipynb", "ed4a5b89"): TIMING + " per epoch for two batch sizes",
    ("layers.ipynb", "4ab473d8"): TIMING + " of numerical vs backprop gradients (agreement asserted)",
    ("speed.ipynb", "bdc04031"): TIMING + " of the three training paths",
    ("speed.ipynb", "af46a8bb"): TIMING + " of backprop vs central differences",
    ("speed.ipynb", "b81916c2"): "the committed benchmark table: timings measured by `make bench`",
    ("speed.ipynb", "caddf72e"): TIMING + " plotted against width and batch size",
    ("speed.ipynb", "6429c1eb"): TIMING + " of float64 vs float32; the loss is asserted equal in both "
    "and printed with bplib.display.fixed",
}

_COMMENT = re.compile(r"^\s*#\s*NBVAL_(IGNORE_OUTPUT|SKIP)\b", re.IGNORECASE | re.MULTILINE)
_TAGS = {"nbval-ignore-output", "nbval-skip"}


def opted_out(path: Path) -> dict[tuple[str, str], str]:
    """Every cell of the notebook at ``path`` whose output nbval does not compare."""
    found = {}
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = set(cell.get("metadata", {}).get("tags", [])) & _TAGS
        comment = _COMMENT.search(cell.source)
        if tags or comment:
            how = ", ".join(sorted(tags)) or comment.group(0).strip()
            found[(path.name, cell.get("id", f"index {index}"))] = f"cell {index} ({how})"
    return found


def test_every_opt_out_is_listed_with_its_reason():
    found = {}
    for path in NOTEBOOKS:
        found.update(opted_out(path))
    unlisted = {key: where for key, where in found.items() if key not in IGNORED}
    assert not unlisted, (
        "cells that skip nbval's output comparison without a listed reason (add them to IGNORED "
        f"only if the output is a timing or the cell asserts all it shows): {unlisted}"
    )
    stale = sorted(set(IGNORED) - set(found))
    assert not stale, f"IGNORED lists cells that no longer opt out (remove them): {stale}"


@pytest.mark.parametrize("key", sorted(k for k in IGNORED if IGNORED[k].startswith(TIMING)))
def test_a_timing_cell_measures_time(key):
    name, cell_id = key
    nb = nbformat.read(ROOT / "book" / name, as_version=4)
    (cell,) = [c for c in nb.cells if c.get("id") == cell_id]
    assert re.search(r"perf_counter|seconds\(", cell.source), f"{key} is listed as a timing but times nothing"


def test_opt_outs_are_found_in_both_forms(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nprint(1)"),
        nbformat.v4.new_code_cell("print(2)", metadata={"tags": ["nbval-ignore-output"]}),
        nbformat.v4.new_code_cell("  # nbval_skip\nprint(3)"),
    ]
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    assert [where.split(" ")[1] for where in opted_out(path).values()] == ["1", "2", "3"]


def test_sanitize_rules_hide_only_memory_addresses():
    config = configparser.ConfigParser()
    config.read(ROOT / "tests" / "sanitize.cfg")
    assert config.sections() == ["memory-addresses"]
    assert config["memory-addresses"]["regex"] == "0x[0-9a-fA-F]+"
