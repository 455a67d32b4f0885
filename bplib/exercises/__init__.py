"""Automatic checkers for the book's exercises.

Each chapter has a module here (``chain_rule``, ``worked_example``, ...) whose
public functions, listed in its ``__all__``, check a reader's answer to one
exercise.  They are gathered into one namespace, ``check``::

    from bplib.exercises import check
    check.sigmoid_prime(my_sigmoid_prime)   # prints one line

A checker runs the reader's code on hidden random cases (shapes, values and
edge cases), prints ``Correct: ...`` or what is wrong, and never prints the
solution.  It returns a :class:`~bplib.exercises._core.Verdict`, true when the
answer passed (``assert check.sigmoid_prime(f)``; ``.ok`` and ``.message`` hold
the verdict), which Jupyter does not display: the printed line is the only output.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Callable

from ._core import Verdict

__all__ = ["check", "Checks", "Verdict"]


class Checks:
    """A read-only namespace of every checker, gathered from the chapter modules."""

    def __init__(self, checkers: dict[str, Callable[..., Verdict]]) -> None:
        self._checkers = dict(sorted(checkers.items()))

    def __getattr__(self, name: str) -> Callable[..., Verdict]:
        try:
            return self.__dict__["_checkers"][name]
        except KeyError:
            known = ", ".join(self.__dict__["_checkers"])
            raise AttributeError(f"no checker named {name!r}; the checkers are: {known}") from None

    def __dir__(self) -> list[str]:
        return list(self._checkers)

    def __repr__(self) -> str:
        return f"Checks({', '.join(self._checkers)})"


#: Modules of this package that hold no checkers.
_NOT_CHAPTERS = frozenset({"messages"})


def _collect() -> dict[str, Callable[..., Verdict]]:
    """Import every chapter module of this package and collect its ``__all__``."""
    found: dict[str, Callable[..., Verdict]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name in _NOT_CHAPTERS:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name in getattr(module, "__all__", []):
            if name in found:
                raise RuntimeError(f"two exercise modules define a checker named {name!r}")
            found[name] = getattr(module, name)
    return found


check = Checks(_collect())


def load_ipython_extension(ipython) -> None:
    """``%load_ext bplib.exercises`` registers the ``%%solution`` cell magic."""
    from ._magic import load_ipython_extension as load

    load(ipython)
