"""Issue 24: one notation from chapter 1 to the end.

$z$ the weighted input, $a$ the activation, $\\delta = \\partial C/\\partial z$, $C$ the cost;
a superscript $L$ is the last layer, and a plain $L$ is never the loss.  Article 003's $h$,
$Z$, $Z_y$ and the articles' ``l1_delta`` live on the audit pages (and in cells tagged
``audit``), and a teaching chapter may name them once, in a sentence that translates them.
The check is ``notation_problems`` in ``tools/prose_claims.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tool_modules import load_tool

claims = load_tool("prose_claims")

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("page", claims.teaching_pages(), ids=lambda p: p.name)
def test_teaching_pages_use_one_notation(page):
    problems = claims.notation_problems(page)
    assert not problems, "\n".join(problems)


def test_the_audit_pages_are_not_teaching_pages():
    names = {p.name for p in claims.teaching_pages()}
    assert "chain_rule.ipynb" in names and "pytorch.md" in names
    assert not any(n.startswith("article_") for n in names)


@pytest.mark.parametrize("math, retired", [
    (r"\partial L / \partial w", ["L"]),
    (r"L = \tfrac12 (a - y)^2", ["L"]),
    (r"\mathcal{L}(w)", ["L", r"\mathcal{L}"]),
    (r"Z_y = W_1 Z", ["Z_y", "Z"]),
    (r"h = W_0 X", ["h"]),
    (r"h_1", ["h"]),
    (r"\delta^L = \nabla_a C \odot \sigma'(z^L)", []),
    (r"W^{L-1} a^{L-2}", []),
    (r"\frac{\partial C}{\partial W^l} = \delta^l (a^{l-1})^\top", []),
    (r"\hat y = \sigma(z^2)", []),
    (r"\text{Loss} \quad \left( x \right)", []),
])
def test_retired_letters_in_formulas(math, retired):
    assert claims.retired_math(math) == retired


def _page(tmp_path: Path, cells) -> Path:
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}
    for kind, source, tags in cells:
        cell = {"cell_type": kind, "source": source, "metadata": {"tags": tags}}
        if kind == "code":
            cell.update(outputs=[], execution_count=None)
        nb["cells"].append(cell)
    path = tmp_path / "chapter.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_retired_names_in_code_and_prose_are_caught_outside_audit_cells(tmp_path):
    page = _page(tmp_path, [
        ("code", "h = W0 @ X\nZ = sigmoid(h)\nl1_delta = 0", []),
        ("markdown", "The loss $L$ falls.", []),
        ("code", "h = W0 @ X  # the article's own names", ["audit"]),
        ("markdown", "The article calls $z^1$ $h$ and $a^1$ $Z$.", []),
        ("markdown", "Its $h$ and $Z$ again.", ["audit"]),
    ])
    problems = claims.notation_problems(page)
    assert sorted(p.split(": ", 1)[1] for p in problems) == sorted([
        "$L$ uses the retired L",
        "the code names a variable 'Z' (retired: see notation.md)",
        "the code names a variable 'h' (retired: see notation.md)",
        "the code names a variable 'l1_delta' (retired: see notation.md)",
    ])
