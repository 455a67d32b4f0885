"""SymPy helpers shared by the chapters.

The book derives every chain-rule formula symbolically, then checks it against
``bplib``'s NumPy code.  These helpers keep that bookkeeping short:
symbolic activations that mirror :mod:`bplib.activations`, matrices of named
symbols, an equivalence test that must *prove* two expressions equal, and a
bridge from SymPy expressions to NumPy functions.
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping

import numpy as np
import sympy as sp

from .activations import get_activation

__all__ = [
    "sigmoid",
    "relu",
    "activation",
    "matrix_symbols",
    "vector_symbols",
    "equivalent",
    "assert_equivalent",
    "to_float",
    "to_numpy",
    "chain_factors",
]


def sigmoid(x: sp.Expr) -> sp.Expr:
    """The logistic function ``1 / (1 + exp(-x))`` as a SymPy expression."""
    return activation("sigmoid")(x)


def relu(x: sp.Expr) -> sp.Expr:
    """``max(0, x)`` as a SymPy ``Piecewise`` (derivative 0 for x <= 0, like bplib)."""
    return activation("relu")(x)


def activation(name: str) -> Callable[[sp.Expr], sp.Expr]:
    """Return the symbolic form of the activation called ``name``.

    The forms are the ``symbolic`` fields of :data:`bplib.activations.ACTIVATIONS`
    (the book's ``sigmoid``, ``tanh``, ``relu``, ``identity``, and any
    activation registered with a ``symbolic`` form).

    Raises
    ------
    ValueError
        If ``name`` is not a registered activation, or was registered without
        a SymPy form.
    """
    record = get_activation(name)
    if record.symbolic is None:
        raise ValueError(
            f"activation {name!r} has no SymPy form: it was registered without one "
            "(bplib.activations.register(..., symbolic=lambda x: ...) gives it one)"
        )
    return record.symbolic


def matrix_symbols(name: str, rows: int, cols: int, **assumptions: bool) -> sp.Matrix:
    """A ``rows x cols`` matrix of symbols ``name_{ij}`` with 1-based indices.

    Examples
    --------
    >>> matrix_symbols("w", 2, 2)
    Matrix([
    [w_11, w_12],
    [w_21, w_22]])
    """
    if rows < 1 or cols < 1:
        raise ValueError(f"a symbol matrix needs rows, cols >= 1, got ({rows}, {cols})")
    return sp.Matrix(
        rows, cols, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}", **assumptions)
    )


def vector_symbols(name: str, n: int, **assumptions: bool) -> sp.Matrix:
    """An ``n x 1`` column of symbols ``name_1 ... name_n``."""
    if n < 1:
        raise ValueError(f"a symbol vector needs n >= 1, got {n}")
    return sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"{name}_{i + 1}", **assumptions))


def equivalent(a: sp.Expr | sp.MatrixBase, b: sp.Expr | sp.MatrixBase) -> bool:
    """True when SymPy can *prove* ``a - b`` simplifies to zero (elementwise for matrices).

    ``False`` means "not proved equal", which for the book's expressions
    (rational functions of exponentials) means they differ.
    """
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        a, b = sp.Matrix(a), sp.Matrix(b)
        if a.shape != b.shape:
            return False
        return all(sp.simplify(x - y) == 0 for x, y in zip(a, b))
    return sp.simplify(a - b) == 0


def assert_equivalent(a: sp.Expr | sp.MatrixBase, b: sp.Expr | sp.MatrixBase, what: str = "") -> None:
    """Raise ``AssertionError`` unless :func:`equivalent` proves ``a == b``."""
    if not equivalent(a, b):
        label = f" ({what})" if what else ""
        raise AssertionError(f"SymPy could not show the two expressions are equal{label}")


def to_float(expr: sp.Expr, subs: Mapping[sp.Symbol, float]) -> float:
    """Substitute numbers into ``expr`` and return a Python float (error if symbols remain)."""
    value = sp.sympify(expr).subs(subs).evalf(30)
    if value.free_symbols:
        names = ", ".join(sorted(map(str, value.free_symbols)))
        raise ValueError(f"expression still depends on {names} after substitution")
    return float(value)


def to_numpy(expr: sp.Expr, symbols: Iterable[sp.Symbol]) -> Callable[..., np.ndarray]:
    """``sympy.lambdify`` for NumPy, returning arrays the shape of the inputs (constants broadcast)."""
    symbols = list(symbols)
    f = sp.lambdify(symbols, expr, modules="numpy")

    def g(*args: np.ndarray) -> np.ndarray:
        out = f(*args)
        shape = np.broadcast_shapes(*(np.shape(a) for a in args)) if args else ()
        return np.broadcast_to(np.asarray(out, dtype=float), shape).copy()

    return g


def chain_factors(
    path: list[tuple[sp.Symbol, sp.Expr]], wrt: sp.Symbol
) -> list[sp.Expr]:
    """The local derivatives along a chain of definitions, outermost first.

    ``path`` lists ``(name, definition)`` pairs from the output back to the
    variable ``wrt``: the first definition is in terms of the second name, and
    so on, the last one in terms of ``wrt``.  The derivative of the output with
    respect to ``wrt`` is the product of the returned factors (the chain rule).

    Examples
    --------
    >>> x, u, y = sp.symbols("x u y")
    >>> chain_factors([(y, sp.sin(u)), (u, x**2)], x)
    [cos(u), 2*x]
    """
    if not path:
        raise ValueError("path must list at least one (name, definition) pair")
    factors = []
    for k, (_, definition) in enumerate(path):
        inner = path[k + 1][0] if k + 1 < len(path) else wrt
        factors.append(sp.diff(definition, inner))
    return factors
