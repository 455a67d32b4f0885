"""Make the chapter notebooks work as a reader runs them (issue 16). Idempotent.

Usage::

    python tools/reader_notebooks.py book/*.ipynb           # rewrite what needs it
    python tools/reader_notebooks.py --check book/*.ipynb   # exit 1 if any would change

For every chapter it:

1. puts one install cell first (cell id ``install-bplib``, tag ``remove-cell``: the book
   leaves it out; Jupyter, Colab and a downloaded .ipynb show it).  When ``import bplib``
   fails it installs the project's distribution ``backprop-tested`` (the import name stays
   ``bplib``; ``bplib`` on PyPI is another project) from ``repository.url`` in
   ``_config.yml``, or from ``$BPLIB_SOURCE`` (a URL pip understands, or a folder such as a
   local checkout) when that is set.  The ``[book]`` extra (scikit-learn) is asked for only
   by chapters whose code uses it.
2. splits markdown cells where a solution begins or ends, so that everything from a
   ``{solution-start}`` to its ``{solution-end}`` sits in cells of its own.  With
   jupyterlab-myst a ``{solution-start}`` cell renders as a closed dropdown holding the
   explanation that follows the fence in the same cell, before and after "Run All"
   alike, so these markdown cells are left visible (JupyterLab shows a hidden
   cell's first line raw, and "Run All" un-hides every markdown cell anyway).  Prose
   after the solution's code, which jupyterlab-myst would show unfolded, is put in a
   closed ``{dropdown}`` titled "Discussion" (:func:`fold_discussion`).
3. marks each solution *code* cell collapsed for JupyterLab and Notebook 7
   (``metadata.jupyter.source_hidden`` and ``outputs_hidden``) and makes its first line
   the comment :data:`bplib.exercises._magic.SOLUTION_MARKER` instead of ``%%solution``
   (the collapsed bar shows that line; ``%load_ext bplib.exercises`` runs a cell that
   starts with it as ``%%solution``).  While collapsed, the cell runs silently, so
   "Run All" shows the reader's own verdicts and no solution output; opened, it prints
   as in the book.  The book ignores these keys and keeps its dropdown.
4. stores the kernelspec JupyterLab writes when its kernel starts (``Python 3
   (ipykernel)``), so that opening a chapter does not mark it modified.

Cell contents other helpers write are left as they are: the tool adds and moves cells,
splits markdown at gate fences and sets metadata; it never executes a notebook (run
``tools/execute_notebook.py`` afterwards to store outputs).  It warns about a solution
code cell that does not start with ``%%solution`` (Run All would replace the reader's
answer) and about one used before ``%load_ext bplib.exercises``.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import re
import sys
from pathlib import Path

import nbformat
import yaml

from bplib.exercises._magic import MARKER_PREFIX, SOLUTION_MARKER

ROOT = Path(__file__).resolve().parents[1]

#: What JupyterLab writes into a notebook's metadata when its ipykernel starts.
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

INSTALL_CELL_ID = "install-bplib"
INSTALL_TAGS = ["remove-cell"]
DISTRIBUTION = "backprop-tested"
SOURCE_VARIABLE = "BPLIB_SOURCE"

#: Code that needs the ``[book]`` extra (scikit-learn): ``bplib.data.digits`` or sklearn.
_NEEDS_BOOK_EXTRA = re.compile(r"\bsklearn\b|\bdigits\s*\(")

#: A gated directive's opening line: ```{solution-start} label, :::{exercise-end} ...
_GATE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{(?P<name>(?:exercise|solution)-(?:start|end))\}(?P<arg>.*)$"
)

#: First-line comments an older version of this tool wrote into hidden markdown cells
#: (JupyterLab showed them raw); they are removed.
OLD_COMMENTS = (
    "<!-- Solution (hidden): click to show it. -->",
    "<!-- End of the solution. -->",
    "<!-- Part of the solution. -->",
)


def repository_url(config: Path = ROOT / "_config.yml") -> str:
    """``repository.url`` in ``_config.yml``: the one place the URL is set."""
    return yaml.safe_load(config.read_text(encoding="utf-8"))["repository"]["url"]


def install_source(url: str, book_extra: bool, wheel: str | None = None) -> str:
    """The source of the install cell, for the repository at ``url``.

    ``wheel``: the file name of a wheel of the distribution that sits beside the chapter
    (the downloaded course, ``tools/make_download.py``); the cell installs it when present,
    else from the repository.
    """
    name = DISTRIBUTION + ("[book]" if book_extra else "")
    if wheel:
        default = [
            f'    wheel = Path("{wheel}")  # beside this chapter in the downloaded course',
            f'    source = source or (wheel.resolve().as_uri() if wheel.is_file() else "git+{url}")',
        ]
    else:
        default = [f'    source = source or "git+{url}"']
    return "\n".join(
        [
            "# Running this chapter outside the book's repository (Colab, a downloaded",
            f'# notebook)? This installs bplib (the package "{DISTRIBUTION}") if needed.',
            "try:",
            "    import bplib",
            "except ImportError:",
            "    import os",
            "    from pathlib import Path",
            "",
            f'    source = os.environ.get("{SOURCE_VARIABLE}")',
            *default,
            "    if Path(source).is_dir():  # a local checkout",
            "        source = Path(source).resolve().as_uri()",
            f'    %pip install --quiet "{name} @ {{source}}"',
        ]
    )


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def is_install_cell(cell) -> bool:
    return cell.get("id") == INSTALL_CELL_ID or (
        cell.get("cell_type") == "code" and SOURCE_VARIABLE in _source(cell)
    )


def needs_book_extra(nb) -> bool:
    return any(
        cell.cell_type == "code"
        and not is_install_cell(cell)
        and _NEEDS_BOOK_EXTRA.search(_source(cell))
        for cell in nb.cells
    )


def install_cell(url: str, book_extra: bool, old=None, wheel: str | None = None):
    """The install cell; ``old`` (a previous install cell) keeps its outputs and counts.

    ``wheel``: see :func:`install_source` (the downloaded course's copy of a chapter).
    """
    cell = old if old is not None else nbformat.v4.new_code_cell()
    cell.source = install_source(url, book_extra, wheel)
    cell.id = INSTALL_CELL_ID
    tags = [tag for tag in cell.metadata.get("tags", []) if tag not in INSTALL_TAGS]
    cell.metadata["tags"] = INSTALL_TAGS + tags
    return cell


# --- markdown split at the gates --------------------------------------------------------


def _pieces(text: str):
    """Split markdown into (kind, text) pieces: ("gate", name, fence text) or ("text", ...).

    A gate piece is the directive's whole fence: opening line, option lines, closing line.
    """
    lines = text.split("\n")
    pieces: list[tuple[str, str | None, str]] = []
    buffer: list[str] = []
    i = 0
    while i < len(lines):
        m = _GATE.match(lines[i])
        if not m:
            buffer.append(lines[i])
            i += 1
            continue
        fence = m.group("fence")
        end = i + 1
        while end < len(lines) and not (
            lines[end].startswith(fence) and lines[end].strip() == fence[0] * len(lines[end].strip())
        ):
            end += 1
        if end == len(lines):  # unclosed fence: leave the text alone
            buffer.append(lines[i])
            i += 1
            continue
        if buffer:
            pieces.append(("text", None, "\n".join(buffer)))
            buffer = []
        pieces.append(("gate", m.group("name"), "\n".join(lines[i : end + 1])))
        i = end + 1
    if buffer:
        pieces.append(("text", None, "\n".join(buffer)))
    return pieces


def _chunks(text: str, in_solution: bool):
    """Group a markdown cell's pieces into runs inside / outside a solution.

    Returns ``([(inside, text), ...], in_solution_after)``.  A ``{solution-start}`` fence
    and a ``{solution-end}`` fence both belong to the solution they open and close.
    """
    runs: list[list] = []
    for kind, name, piece in _pieces(text):
        if kind == "gate" and name == "solution-start":
            in_solution = True
        inside = in_solution
        if kind == "gate" and name == "solution-end":
            in_solution = False
        if runs and runs[-1][0] == inside:
            runs[-1][1].append(piece)
        else:
            runs.append([inside, [piece]])
    chunks = []
    for inside, parts in runs:
        body = "\n".join(parts).strip("\n")
        if body.strip():
            chunks.append((inside, body))
    return chunks, in_solution


def _derived_id(cell_id: str, k: int, taken: set[str]) -> str:
    n = 0
    while True:
        new = hashlib.sha1(f"{cell_id}:{k}:{n}".encode()).hexdigest()[:8]
        if new not in taken:
            return new
        n += 1


def _hide(cell) -> None:
    """Collapse a solution code cell in JupyterLab (input and stored outputs)."""
    jupyter = dict(cell.metadata.get("jupyter", {}))
    jupyter["source_hidden"] = True
    if cell.cell_type == "code":
        jupyter["outputs_hidden"] = True
        cell.metadata["collapsed"] = True  # what JupyterLab itself writes with outputs_hidden
    cell.metadata["jupyter"] = jupyter


def _show(cell) -> None:
    """Drop the collapse keys from a cell that readers should see rendered."""
    jupyter = dict(cell.metadata.get("jupyter", {}))
    jupyter.pop("source_hidden", None)
    jupyter.pop("outputs_hidden", None)
    if jupyter:
        cell.metadata["jupyter"] = jupyter
    else:
        cell.metadata.pop("jupyter", None)
    if cell.cell_type != "code":
        cell.metadata.pop("collapsed", None)


def _is_tool_comment(line: str) -> bool:
    return line in OLD_COMMENTS


def solution_source(src: str) -> str:
    """A solution cell's source with :data:`SOLUTION_MARKER` as its first line.

    ``%%solution`` (with or without arguments) or an older marker is replaced; a cell
    that starts with neither is returned unchanged (the caller warns).
    """
    first, _, rest = src.partition("\n")
    if first.strip() == "%%solution" or first.startswith(MARKER_PREFIX):
        return SOLUTION_MARKER + "\n" + rest
    return src


def transform(nb, url: str, warn=None):
    """Return a copy of ``nb`` as the reader should get it (see the module's docstring)."""
    nb = copy.deepcopy(nb)
    warn = warn or (lambda message: None)

    # 1. Exactly one install cell, first.
    book_extra = needs_book_extra(nb)
    old = [cell for cell in nb.cells if is_install_cell(cell)]
    cells = [cell for cell in nb.cells if not is_install_cell(cell)]
    cells.insert(0, install_cell(url, book_extra, old[0] if old else None))

    # 2. + 3. Solutions in cells of their own; their code collapsed in Jupyter.
    taken = {cell.get("id") for cell in cells}
    out = []
    in_solution = False
    seen_code = False
    loaded = False
    for cell in cells:
        if cell.cell_type == "code":
            src = _source(cell)
            if "%load_ext bplib.exercises" in src:
                loaded = True
            is_solution = src.startswith("%%solution") or src.startswith(MARKER_PREFIX)
            if is_solution and not loaded:
                warn(f"cell {cell.get('id')}: a solution before %load_ext bplib.exercises")
            if in_solution:
                seen_code = True
                if not is_solution:
                    warn(f"cell {cell.get('id')}: a solution code cell without %%solution "
                         "(Run All would replace the reader's answer)")
                cell.source = solution_source(src)
                _hide(cell)
            out.append(cell)
            continue
        if cell.cell_type != "markdown":
            if in_solution:
                _hide(cell)
            out.append(cell)
            continue
        text = _source(cell)
        # Drop the first-line comments an older version wrote.
        lines = text.split("\n")
        while lines and _is_tool_comment(lines[0]):
            lines.pop(0)
        chunks, in_solution = _chunks("\n".join(lines), in_solution)
        if not chunks:
            out.append(cell)
            continue
        for k, (inside, body) in enumerate(chunks):
            if k == 0:
                new = cell
            else:
                new = nbformat.v4.new_markdown_cell()
                new.id = _derived_id(cell.get("id", "cell"), k, taken)
                taken.add(new.id)
                new.metadata = {
                    key: copy.deepcopy(value)
                    for key, value in cell.metadata.items()
                    if key != "jupyter"
                }
            _show(new)
            if inside and _starts_solution(body):
                seen_code = False
            elif inside and seen_code:
                body = fold_discussion(body)
            new.source = body
            out.append(new)
    if in_solution:
        warn("a {solution-start} without its {solution-end}")
    nb.cells = out
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    return nb


#: The closed dropdown that holds a solution's prose after its code (see fold_discussion).
DISCUSSION_OPEN = ":::{dropdown} Discussion"
DISCUSSION_CLOSE = ":::"


def fold_discussion(body: str) -> str:
    """Put a solution's prose that follows its code into a closed ``{dropdown}``.

    JupyterLab renders every markdown cell on "Run All", and jupyterlab-myst cannot see
    that prose after the code belongs to the dropdown a ``{solution-start}`` cell opened:
    unfolded, the explanation would show to a reader who has not opened the solution.
    The book shows the dropdown inside the solution (the PDF prints it open).  Already
    folded prose, and a cell that is only the ``{solution-end}`` fence, are unchanged.
    """
    pieces = _pieces(body)
    cut = next((i for i, piece in enumerate(pieces) if piece[0] == "gate"), len(pieces))
    prose = "\n".join(piece[2] for piece in pieces[:cut]).strip("\n")
    rest = "\n".join(piece[2] for piece in pieces[cut:])
    if not prose.strip() or prose.startswith(DISCUSSION_OPEN):
        return body
    folded = f"{DISCUSSION_OPEN}\n{prose}\n{DISCUSSION_CLOSE}"
    return folded + ("\n\n" + rest if rest else "")


def _starts_solution(body: str) -> bool:
    return any(kind == "gate" and name == "solution-start" for kind, name, _ in _pieces(body))


def process(path: Path, url: str, check: bool = False) -> bool:
    """Rewrite the notebook at ``path`` if it needs it; return whether it did (or would)."""
    nb = nbformat.read(path, as_version=4)

    def warn(message: str) -> None:
        print(f"{path}: warning: {message}", file=sys.stderr)

    new = transform(nb, url, warn)
    if new == nb:
        return False
    if not check:
        nbformat.validate(new)
        nbformat.write(new, path)
    return True


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if any would change")
    args = parser.parse_args(argv)
    url = repository_url()
    changed = [path for path in args.notebooks if process(path, url, check=args.check)]
    for path in changed:
        print(f"{'would change' if args.check else 'changed'}: {path}")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
