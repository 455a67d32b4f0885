"""Issue 25: what the prose says about other code is checked, and its numbers are computed.

The checks live in ``tools/prose_claims.py`` (run it by hand for the list of problems);
these tests run them on every page, and plant each defect once in a small text to show
that the check sees it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tool_modules import load_tool

claims = load_tool("prose_claims")

PAGES = claims.all_pages()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_claims_about_other_code_name_what_was_checked(page):
    problems = claims.codebase_claim_problems(page)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", claims.notebooks(), ids=lambda p: p.name)
def test_numbers_in_prose_are_computed_by_a_cell(page):
    problems = claims.unbacked_number_problems(page)
    assert not problems, "\n".join(problems)


def _notebook(tmp_path: Path, cells: list[tuple[str, str]], name="page.ipynb") -> Path:
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}
    for kind, source in cells:
        cell = {"cell_type": kind, "source": source, "metadata": {}}
        if kind == "code":
            cell.update(outputs=[], execution_count=None)
        nb["cells"].append(cell)
    path = tmp_path / name
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_a_claim_about_dlfs_code_without_a_marker_is_caught(tmp_path):
    claim = "DLfS's `Affine.backward` flattens its input first."
    bare = _notebook(tmp_path, [("markdown", claim)])
    assert len(claims.codebase_claim_problems(bare)) == 1
    marked = _notebook(tmp_path, [("markdown", claim + "\n\n<!-- checked: "
                                   "oreilly-japan/deep-learning-from-scratch@0123abc ch05/layers.py:Affine -->")],
                       name="marked.ipynb")
    assert claims.codebase_claim_problems(marked) == []


def test_prose_about_a_source_without_code_needs_no_marker(tmp_path):
    page = _notebook(tmp_path, [("markdown", "Nielsen's book explains the four equations well.")])
    assert claims.codebase_claim_problems(page) == []


@pytest.mark.parametrize("item, ok", [
    ("karpathy/micrograd@c911406 micrograd/engine.py:Value.backward", True),
    ("karpathy/micrograd micrograd/engine.py", False),           # no commit
    ("tests/test_prose_claims.py::test_a_claim_about_dlfs_code_without_a_marker_is_caught", True),
    ("tests/test_prose_claims.py::test_that_does_not_exist", False),
    ("tests/no_such_file.py::test_x", False),
    ("benchmarks/run.py:torch_trainer", True),                  # a file of this repository
    ("benchmarks/no_such_file.py", False),
])
def test_a_marker_names_a_commit_or_an_existing_test(item, ok):
    assert (claims.marker_problems(item) == []) is ok


def test_a_typed_number_is_caught_and_an_asserted_one_is_not(tmp_path):
    typed = _notebook(tmp_path, [("code", "rel = 0.5812"), ("markdown", "The relative error is 0.58 at z = 36.5.")])
    problems = claims.unbacked_number_problems(typed)
    assert [p.split(": ")[1].split(" ")[0] for p in problems] == ["0.58", "36.5"]
    asserted = _notebook(tmp_path, [("code", "z = 36.5\nassert abs(rel - 0.58) < 0.01"),
                                    ("markdown", ("The relative error is 0.58 at z = 36.5, "
                                                  "below $10^{-16}$ nowhere (Fig. 4.3, exercise 7.2)."))],
                         name="asserted.ipynb")
    assert [p for p in claims.unbacked_number_problems(asserted) if "10^" not in p] == []
    assert len(claims.unbacked_number_problems(asserted)) == 1      # 1e-16 is in no cell


def test_a_printed_number_backs_the_prose(tmp_path):
    page = _notebook(tmp_path, [("code", "print(fixed(x, 3))"), ("markdown", "It prints 1.11e-16.")])
    nb = json.loads(page.read_text())
    nb["cells"][0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "1.11e-16\n"}]
    page.write_text(json.dumps(nb))
    assert claims.unbacked_number_problems(page) == []
