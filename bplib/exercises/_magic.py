"""``%%solution``: run an exercise's solution without replacing the reader's answer.

A chapter's first cell loads it with ``%load_ext bplib.exercises``.  A solution
cell then starts with ``%%solution``; its code runs in a *copy* of the
notebook's namespace, so "Run All" checks the book's solution and leaves the
reader's own ``def`` above it untouched.
"""

from __future__ import annotations

from typing import Any


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


def solution(line: str, cell: str) -> None:
    """Cell magic body: run ``cell`` apart from the reader's definitions."""
    from IPython import get_ipython

    run_solution(cell, get_ipython().user_ns)


def load_ipython_extension(ipython) -> None:
    """Register ``%%solution`` (called by ``%load_ext bplib.exercises``)."""
    ipython.register_magic_function(solution, magic_kind="cell", magic_name="solution")
