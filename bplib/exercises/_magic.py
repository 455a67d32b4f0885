"""Run an exercise's solution without replacing the reader's answer.

A chapter's first cell loads this with ``%load_ext bplib.exercises``.  A solution
cell then starts with the line :data:`SOLUTION_MARKER` (a comment, so that a
collapsed solution in JupyterLab reads as plain words) or, equivalently, with the
cell magic ``%%solution``.  Its code runs in a *copy* of the notebook's namespace,
so "Run All" checks the book's solution and leaves the reader's own ``def`` above
it untouched.

In JupyterLab (and Notebook 7) a solution cell is stored collapsed
(``metadata.jupyter.source_hidden``), and the front end sends a cell's metadata with
each execution request.  While the reader has not opened the solution, it runs
silently: "Run All" shows the reader's own verdicts only, and the book's solution
prints nothing under its collapsed bar (JupyterLab expands a cell's outputs whenever
it runs it, so a printed solution would show).  Once the reader opens the cell, it
prints as in the book.  Anywhere else (the book's own execution, nbval, a terminal)
it always prints.
"""

from __future__ import annotations

from typing import Any

from bplib.language import LANGUAGES, set_language

#: The first line of a solution cell.
SOLUTION_MARKER = "# The book's solution (it runs apart: your own answer above is kept)"
#: What :func:`solution_marker_transformer` recognises (the marker's fixed words).
MARKER_PREFIX = "# The book's solution"


def run_solution(cell: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """Execute ``cell`` in a shallow copy of ``namespace`` and return that copy.

    Parameters
    ----------
    cell : str
        Python source of the solution.
    namespace : dict
        The notebook's namespace (``get_ipython().user_ns``); it is not changed.

    Returns
    -------
    dict
        The copy, holding whatever the solution defined.
    """
    if not isinstance(cell, str):
        raise TypeError(f"cell must be Python source (str), but got {type(cell).__name__}")
    scope = dict(namespace)
    exec(compile(cell, "<solution>", "exec"), scope)  # noqa: S102 - the book's own code
    return scope


def is_collapsed(request_metadata: dict[str, Any] | None) -> bool:
    """Whether an execution request comes from a solution cell the reader has not opened.

    Parameters
    ----------
    request_metadata : dict or None
        The ``metadata`` of the kernel's current ``execute_request``.  JupyterLab and
        Notebook 7 send the cell's own metadata there; other clients (nbclient, nbval)
        send none.

    Returns
    -------
    bool
        True when the cell's source is hidden (``metadata.jupyter.source_hidden``).
    """
    if request_metadata is None:
        return False
    if not isinstance(request_metadata, dict):
        raise TypeError(f"request_metadata must be a dict or None, but got {type(request_metadata).__name__}")
    jupyter = request_metadata.get("jupyter") or {}
    return isinstance(jupyter, dict) and jupyter.get("source_hidden") is True


def _request_metadata(ipython) -> dict[str, Any] | None:
    """The metadata of the execution request being run, or None outside a kernel."""
    kernel = getattr(ipython, "kernel", None)
    if kernel is None or not hasattr(kernel, "get_parent"):
        return None
    try:
        parent = kernel.get_parent("shell")
    except TypeError:  # an older ipykernel: get_parent() without a channel
        parent = kernel.get_parent()
    metadata = (parent or {}).get("metadata")
    return metadata if isinstance(metadata, dict) else None


def solution(line: str, cell: str) -> None:
    """Cell magic body: run ``cell`` apart from the reader's definitions.

    Silent (output captured and dropped; errors still raised, with what the solution
    had printed) while the reader has not opened the cell in JupyterLab.
    """
    from IPython import get_ipython
    from IPython.utils.capture import capture_output

    ipython = get_ipython()
    if not is_collapsed(_request_metadata(ipython)):
        run_solution(cell, ipython.user_ns)
        return
    captured = None
    try:
        with capture_output() as captured:
            run_solution(cell, ipython.user_ns)
    except BaseException:
        if captured is not None:  # a broken solution is never silent
            captured.show()
        raise


def solution_marker_transformer(lines: list[str]) -> list[str]:
    """IPython input transformer: a cell whose first line starts with the marker runs
    as ``%%solution`` (the comment stays the first line of the solution's code)."""
    if lines and lines[0].startswith(MARKER_PREFIX):
        return ["%%solution\n", *lines]
    return lines


def cell_language(request_metadata: dict[str, Any] | None) -> str | None:
    """The language a cell asks bplib to speak: ``metadata.bplib.lang`` (the Chinese
    edition's notebooks carry ``"zh_CN"`` on every code cell), or None.

    Parameters
    ----------
    request_metadata : dict or None
        The ``metadata`` of the kernel's current ``execute_request`` (the cell's own, from
        JupyterLab and Notebook 7; nothing from nbclient and nbval).
    """
    if not isinstance(request_metadata, dict):
        return None
    own = request_metadata.get("bplib")
    lang = own.get("lang") if isinstance(own, dict) else None
    return lang if isinstance(lang, str) and lang in LANGUAGES else None


def follow_cell_language(*_args: Any) -> None:
    """IPython ``pre_run_cell`` hook: speak the language the running cell asks for."""
    from IPython import get_ipython

    lang = cell_language(_request_metadata(get_ipython()))
    if lang is not None:
        set_language(lang)


def load_ipython_extension(ipython) -> None:
    """Register ``%%solution``, the marker line and the cell-language hook (called by
    ``%load_ext bplib.exercises``)."""
    ipython.register_magic_function(solution, magic_kind="cell", magic_name="solution")
    # The cell that loads the extension has already passed pre_run_cell: read its own
    # language now, then every later cell's before it runs.
    follow_cell_language()
    if follow_cell_language not in ipython.events.callbacks["pre_run_cell"]:
        ipython.events.register("pre_run_cell", follow_cell_language)
    cleanup = ipython.input_transformers_cleanup
    if solution_marker_transformer not in cleanup:
        cleanup.append(solution_marker_transformer)
