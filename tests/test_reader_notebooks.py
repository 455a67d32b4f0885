"""Chapters as a reader runs them (issue 16): Jupyter, Colab, a downloaded .ipynb.

``tools/reader_notebooks.py`` puts an install cell first and hides the solutions in
Jupyter.  These tests check that

* the tool does what it says on small notebooks, and is idempotent;
* every chapter is as the tool leaves it (rerun ``python tools/reader_notebooks.py
  book/*.ipynb`` after editing a chapter) and starts with the same install cell;
* JupyterLab, reading a chapter's JSON, collapses each solution's code
  (``metadata.jupyter``), whose first line is the readable marker comment that runs it as
  ``%%solution``; the solution's markdown cells are left to jupyterlab-myst, which
  renders the ``{solution-start}`` cell as a closed dropdown holding the explanation;
* the chapters store the kernelspec JupyterLab writes, so opening one changes nothing;
* "Run All" keeps the reader's answer: a notebook whose starter cell holds the reader's
  own definition is executed with nbclient and the definition is still theirs afterwards
  (and, as a control, it is *not* without ``%%solution``);
* (that every chapter runs outside the repository, in a fresh virtual environment where
  bplib comes only from the chapter's install cell, is tests/test_download.py's test of
  the course's download, which unpacks ``make download``'s archive and runs it there.)
"""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from tool_modules import load_tool

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))

rn = load_tool("reader_notebooks")

URL = rn.repository_url()

#: Chapters tried, in this order, for "Run All keeps the reader's answer".
RUN_ALL_CHAPTERS = ["chain_rule.ipynb", "xor.ipynb", "four_equations.ipynb", "autodiff.ipynb"]


def _md(text):
    return nbformat.v4.new_markdown_cell(text)


def _code(text):
    return nbformat.v4.new_code_cell(text)


def exercise_notebook(solution_magic: bool = True):
    """A small chapter with one gated exercise, in the form the chapters use."""
    magic = "%%solution\n" if solution_magic else ""  # the tool turns it into the marker
    cells = [
        _md("# A chapter"),
        _code("%load_ext bplib.exercises\nimport numpy as np"),
        _md("Some text.\n\n```{exercise-start}\n:label: ex-double\n```\n\n"
            "Write `double(x)`.\n\n```{exercise-end}\n```"),
        _code("def double(x):\n    return x  # your answer"),
        _code("print('double(2) =', double(2))"),
        _md("Try it first.\n\n```{solution-start} ex-double\n:class: dropdown\n```\n\n"
            "Multiply by two; any factor but two is wrong."),
        _code(magic + "def double(x):\n    return 2 * x\n\n\nassert double(2) == 4"),
        _md("```{solution-end}\n```\n\n## Summary\n\nDone."),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def hidden(cell) -> bool:
    jupyter = cell.metadata.get("jupyter", {})
    if cell.cell_type == "code":
        return bool(jupyter.get("source_hidden") and jupyter.get("outputs_hidden"))
    return bool(jupyter.get("source_hidden"))


def is_solution_code(cell) -> bool:
    return cell.cell_type == "code" and cell.source.startswith(rn.SOLUTION_MARKER + "\n")


def solution_cells(nb):
    """Indices of the cells from each ``{solution-start}`` to its ``{solution-end}``."""
    inside, found = False, []
    for i, cell in enumerate(nb.cells):
        text = cell.source
        starts = cell.cell_type == "markdown" and "{solution-start}" in text
        if inside or starts:
            found.append(i)
        if starts:
            inside = True
        if cell.cell_type == "markdown" and "{solution-end}" in text:
            inside = False
    return found


# --- the tool on small notebooks ---------------------------------------------------------


def test_the_tool_splits_hides_and_installs():
    nb = rn.transform(exercise_notebook(), URL)
    sources = [cell.source for cell in nb.cells]
    assert nb.cells[0].id == rn.INSTALL_CELL_ID
    assert nb.cells[0].metadata["tags"] == ["remove-cell"]
    assert f'"git+{URL}"' in sources[0] and "BPLIB_SOURCE" in sources[0]
    assert '"backprop-tested @ {source}"' in sources[0]  # no scikit-learn needed here
    # The markdown is split at the gates: the solution's start with its explanation, its
    # end, and the text around them are cells of their own, all left visible (rendered
    # by jupyterlab-myst: the start cell is a closed dropdown).
    assert "Try it first." in sources and "## Summary\n\nDone." in sources
    assert ("```{solution-start} ex-double\n:class: dropdown\n```\n\n"
            "Multiply by two; any factor but two is wrong.") in sources
    assert "```{solution-end}\n```" in sources
    # Only the solution's code is collapsed, its first line the marker, not %%solution.
    hidden_sources = [cell.source for cell in nb.cells if hidden(cell)]
    assert hidden_sources == [
        rn.SOLUTION_MARKER + "\ndef double(x):\n    return 2 * x\n\n\nassert double(2) == 4",
    ]
    assert not any("source_hidden" in cell.metadata.get("jupyter", {})
                   for cell in nb.cells if cell.cell_type == "markdown")
    assert nb.metadata["kernelspec"] == rn.KERNELSPEC
    ids = [cell.id for cell in nb.cells]
    assert len(set(ids)) == len(ids)
    nbformat.validate(nb)


def test_the_tool_replaces_what_an_older_version_wrote():
    """Hidden markdown with HTML-comment first lines and %%solution become the new form."""
    new = rn.transform(exercise_notebook(), URL)
    old = copy.deepcopy(new)
    for cell in old.cells:
        if cell.cell_type == "markdown" and "{solution-" in cell.source:
            comment = rn.OLD_COMMENTS[0 if "solution-start" in cell.source else 1]
            cell.source = comment + "\n" + cell.source
            cell.metadata["jupyter"] = {"source_hidden": True}
        if is_solution_code(cell):
            cell.source = cell.source.replace(rn.SOLUTION_MARKER, "%%solution", 1)
    old.metadata["kernelspec"]["display_name"] = "Python 3"
    assert rn.transform(old, URL) == new


def test_the_tool_folds_prose_after_a_solutions_code():
    """JupyterLab renders that markdown cell on Run All, outside the start cell's dropdown:
    the tool puts the prose in a closed dropdown of its own, once."""
    nb = exercise_notebook()
    nb.cells[-1].source = "It doubles.\n\n" + nb.cells[-1].source
    new = rn.transform(nb, URL)
    assert (rn.DISCUSSION_OPEN + "\nIt doubles.\n" + rn.DISCUSSION_CLOSE + "\n\n```{solution-end}\n```"
            in [cell.source for cell in new.cells])
    assert rn.transform(new, URL) == new
    # Prose in a cell of its own between the code and the end is folded alike.
    nb.cells.insert(-1, _md("More words."))
    folded = [c.source for c in rn.transform(nb, URL).cells if c.source.startswith(rn.DISCUSSION_OPEN)]
    assert folded == [rn.DISCUSSION_OPEN + "\nMore words.\n" + rn.DISCUSSION_CLOSE,
                      rn.DISCUSSION_OPEN + "\nIt doubles.\n" + rn.DISCUSSION_CLOSE + "\n\n```{solution-end}\n```"]


def test_the_tool_is_idempotent():
    once = rn.transform(exercise_notebook(), URL)
    assert rn.transform(once, URL) == once
    # An install cell that was moved, edited or stale is put back first, once.
    moved = copy.deepcopy(once)
    stale = moved.cells.pop(0)
    stale.source = stale.source.replace("backprop-tested", "bplib")
    moved.cells.insert(3, stale)
    assert rn.transform(moved, URL) == once


def test_an_executed_install_cell_keeps_its_count():
    """Rerunning the tool on executed chapters changes nothing."""
    nb = rn.transform(exercise_notebook(), URL)
    nb.cells[0].execution_count = 1
    assert rn.transform(nb, URL) == nb


def test_the_book_extra_only_where_scikit_learn_is_used():
    nb = exercise_notebook()
    nb.cells.append(_code("digits = data.digits(test_size=0.25, seed=0)"))
    assert '"backprop-tested[book] @ {source}"' in rn.transform(nb, URL).cells[0].source
    assert not rn.needs_book_extra(exercise_notebook())


def test_the_tool_warns_about_a_solution_without_the_magic():
    warnings = []
    rn.transform(exercise_notebook(solution_magic=False), URL, warnings.append)
    assert any("without %%solution" in w for w in warnings)
    warnings.clear()
    rn.transform(exercise_notebook(), URL, warnings.append)
    assert warnings == []


# --- the chapters ------------------------------------------------------------------------


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_chapter_is_as_the_tool_leaves_it(path):
    nb = nbformat.read(path, as_version=4)
    assert rn.transform(nb, URL) == nb, (
        f"{path.name} is not as tools/reader_notebooks.py leaves it: run "
        "`python tools/reader_notebooks.py book/*.ipynb` (then re-execute the chapter)"
    )


def test_every_chapter_starts_with_the_same_install_cell():
    firsts = {}
    for path in CHAPTERS:
        nb = nbformat.read(path, as_version=4)
        first = nb.cells[0]
        assert first.id == rn.INSTALL_CELL_ID and first.cell_type == "code", path.name
        assert "remove-cell" in first.metadata.get("tags", []), path.name
        assert sum(rn.is_install_cell(cell) for cell in nb.cells) == 1, path.name
        firsts[path.name] = first.source.replace("backprop-tested[book]", "backprop-tested")
    assert len(set(firsts.values())) == 1, "the chapters' install cells differ"
    source = next(iter(firsts.values()))
    assert f'source or "git+{URL}"' in source  # the URL of _config.yml, as pip reads it
    assert "pip install bplib" not in source  # bplib on PyPI is another project


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_solutions_are_hidden_as_jupyterlab_reads_them(path):
    """Each solution's code is collapsed and starts with the marker; its markdown is the
    ``{solution-start}`` cell (explanation inside), prose after the code folded in a
    "Discussion" dropdown, and the ``{solution-end}``, left visible for jupyterlab-myst
    to render (closed dropdowns); nothing else is hidden."""
    nb = nbformat.read(path, as_version=4)  # JupyterLab reads this JSON; the metadata decides
    inside = solution_cells(nb)
    # every chapter ends with exercises; the sources' audit pages (article_NNN) have none
    assert inside or path.stem.startswith("article_"), f"{path.name} has no solution"
    for i in inside:
        cell = nb.cells[i]
        if cell.cell_type == "code":
            assert hidden(cell), f"{path.name} cell {i} ({cell.id}) is a solution's code but shown"
            assert is_solution_code(cell), f"{path.name} cell {i} lacks the solution marker"
        else:
            text = cell.source
            assert ("{solution-start}" in text or text == "```{solution-end}\n```"
                    or text.startswith(rn.DISCUSSION_OPEN)), (
                f"{path.name} cell {i} ({cell.id}): unfolded prose after a solution's code"
            )
            assert not hidden(cell), f"{path.name} cell {i} ({cell.id}) shows its raw first line"
            if "{solution-start}" in text:
                # In JupyterLab the dropdown holds only this cell's text: never open onto nothing.
                body = text.split("```", 2)[-1].strip()
                assert len(body.split()) >= 8, (
                    f"{path.name} cell {i} ({cell.id}): the solution's dropdown opens onto {body!r}")
    for i, cell in enumerate(nb.cells):
        if i not in inside:
            assert not hidden(cell), f"{path.name} cell {i} ({cell.id}) is hidden but not a solution"
    if not inside:
        return
    setup = [i for i, c in enumerate(nb.cells) if "%load_ext bplib.exercises" in c.source]
    assert setup and setup[0] < min(i for i in inside if nb.cells[i].cell_type == "code")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_the_kernelspec_is_what_jupyterlab_writes(path):
    """JupyterLab writes its kernel's spec into the notebook when the kernel starts: a
    different stored one marks the chapter modified as soon as it is opened."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    stored = nbformat.read(path, as_version=4).metadata["kernelspec"]
    assert stored == {"name": "python3", "display_name": spec.display_name, "language": spec.language}


# --- Run All keeps the reader's answer --------------------------------------------------


def _defined_names(source: str) -> set[str]:
    code = "\n".join(line for line in source.split("\n") if not line.lstrip().startswith("%"))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def readers_answers(nb):
    """(starter index, name) for each visible cell defining what a later solution redefines."""
    inside = set(solution_cells(nb))
    pairs = []
    for i in sorted(inside):
        cell = nb.cells[i]
        if cell.cell_type != "code":
            continue
        for name in sorted(_defined_names(cell.source)):
            for j in range(i - 1, 0, -1):
                other = nb.cells[j]
                if j not in inside and other.cell_type == "code" and name in _defined_names(other.source):
                    pairs.append((j, name))
                    break
    return sorted(set(pairs))


def run_all_with_readers_answers(nb, cwd: Path):
    """Mark each reader's definition, Run All, and return what each name is afterwards."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    pairs = readers_answers(nb)
    assert pairs, "no starter cell that a solution redefines"
    for j, name in pairs:
        # The reader's own answer: their definition, marked as theirs.
        nb.cells[j].source += f"\n{name}.__reader__ = 'mine'"
    names = sorted({name for _, name in pairs})
    nb.cells.append(_code(f"print([getattr(f, '__reader__', 'replaced') for f in [{', '.join(names)}]])"))
    NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    return dict(zip(names, ast.literal_eval(out.strip())))


def test_run_all_keeps_the_readers_answer(tmp_path):
    nb = rn.transform(exercise_notebook(), URL)
    solution = [c for c in nb.cells if is_solution_code(c)]
    assert solution and all(hidden(c) for c in solution)
    nb.cells.pop(0)  # the install cell: bplib is installed here
    assert run_all_with_readers_answers(nb, tmp_path) == {"double": "mine"}
    # The control: without the marker (or %%solution), Run All replaces the reader's answer.
    plain = rn.transform(exercise_notebook(solution_magic=False), URL)
    plain.cells.pop(0)
    assert run_all_with_readers_answers(plain, tmp_path) == {"double": "replaced"}


@pytest.mark.book
def test_run_all_keeps_the_readers_answer_in_a_chapter():
    """A real chapter, opened as JupyterLab would: hidden solutions, reader's answers kept."""
    for name in RUN_ALL_CHAPTERS:
        nb = nbformat.read(ROOT / "book" / name, as_version=4)
        code = [nb.cells[i] for i in solution_cells(nb) if nb.cells[i].cell_type == "code"]
        if code and all(is_solution_code(c) for c in code) and readers_answers(nb):
            break
    else:
        pytest.skip(f"none of {RUN_ALL_CHAPTERS} has its solutions on %%solution yet")
    assert all(hidden(c) for c in code)
    kept = run_all_with_readers_answers(nb, ROOT / "book")
    assert kept and set(kept.values()) == {"mine"}, f"{name}: Run All replaced {kept}"
