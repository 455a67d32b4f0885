"""Gradient checking: compare backprop with central differences.

:func:`numerical_gradient` perturbs one entry of an array at a time and
measures how a scalar function changes; :func:`relative_error` condenses the
difference of two gradients into one number; :func:`check_gradients` does
both for every parameter of a model and returns a small report.

``relative_error`` is norm-based:

.. math::  \\mathrm{rel}(a, b) = \\frac{\\lVert a - b\\rVert_2}
           {\\max(\\lVert a\\rVert_2 + \\lVert b\\rVert_2,\\ \\texttt{tiny})}

(``tiny`` is the smallest positive float64, so two zero arrays give 0).  It
lies in [0, 1]; with float64 and ``eps = 1e-5`` a correct backprop typically
gives 1e-10 or less, a wrong one 1e-2 or more.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_positive, warn_deprecated

__all__ = [
    "numerical_gradient",
    "relative_error",
    "check_gradients",
    "GradCheckReport",
    "GradCheckRow",
    "GradientModel",
]

#: Default pass threshold on the relative error.
DEFAULT_TOL = 1e-6


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-5
) -> np.ndarray:
    """Central-difference gradient of a scalar function ``f`` at ``x``.

    For each entry ``x[i]``: ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``.
    ``x`` is modified *in place* while ``f`` is evaluated (so ``f`` may ignore
    its argument and read the array by reference, as the DLfS models do with
    ``lambda W: self.loss(x, t)``) and every entry is restored to its exact
    original value afterwards, even if ``f`` raises.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.
    x : numpy.ndarray of float64, any shape
        The point; must be a writable float64 array (it is perturbed in place).
    eps : float, default 1e-5
        Step size.

    Returns
    -------
    numpy.ndarray, same shape as ``x``.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of x returning a float, but got {type(f).__name__}")
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise ValueError(
            "x must be a float64 numpy array (it is perturbed in place), but got "
            + (f"an array of dtype {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__)
        )
    as_float_array(x, "x", allow_empty=True)  # finiteness
    eps = check_positive(eps, "eps")
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        try:
            x[idx] = original + eps
            f_plus = _scalar(f(x))
            x[idx] = original - eps
            f_minus = _scalar(f(x))
        finally:
            x[idx] = original
        grad[idx] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def _scalar(value: object) -> float:
    """``f``'s result as a float; a vector (or anything else) is refused by name."""
    if isinstance(value, (bool, np.bool_)) or np.ndim(value) != 0 or np.iscomplexobj(value):
        raise ValueError(
            "f must return a real scalar (one float), but it returned "
            + (f"an array of shape {np.shape(value)}" if np.ndim(value) else repr(value))
            + "; numerical_gradient differentiates a scalar function, e.g. a loss"
        )
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"f must return a real scalar, but it returned {value!r}") from None


def relative_error(a: ArrayLike, b: ArrayLike) -> float:
    """Norm-based relative error ``||a - b|| / max(||a|| + ||b||, tiny)``.

    Parameters
    ----------
    a, b : array_like of the same shape

    Returns
    -------
    float in [0, 1]; 0 when ``a == b`` (including both zero).
    """
    a = as_float_array(a, "a", allow_empty=True)
    b = as_float_array(b, "b", allow_empty=True)
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape, but a.shape={a.shape} and b.shape={b.shape}"
        )
    denom = max(float(np.linalg.norm(a) + np.linalg.norm(b)), np.finfo(np.float64).tiny)
    return float(np.linalg.norm(a - b) / denom)


@dataclass
class GradCheckRow:
    """One parameter's comparison of analytic and numerical gradients."""

    name: str
    shape: tuple[int, ...]
    max_abs_diff: float
    relative_error: float
    ok: bool


@dataclass
class GradCheckReport:
    """Result of :func:`check_gradients`.

    Attributes
    ----------
    rows : list of GradCheckRow
        One per parameter, in the model's order.
    tol : float
        A parameter passes when its relative error is ``<= tol``.
    ok : bool
        True when every parameter passes.
    """

    rows: list[GradCheckRow] = field(default_factory=list)
    tol: float = DEFAULT_TOL

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    def __getitem__(self, name: str) -> GradCheckRow:
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(name)

    def __str__(self) -> str:
        header = ("param", "shape", "max |diff|", "rel. error", "ok")
        body = [
            (r.name, str(r.shape), f"{r.max_abs_diff:.2e}", f"{r.relative_error:.2e}",
             "yes" if r.ok else "NO")
            for r in self.rows
        ]
        widths = [max(len(line[i]) for line in [header, *body]) for i in range(5)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip()
                 for line in [header, *body]]
        verdict = "all gradients match" if self.ok else "SOME GRADIENTS DIFFER"
        lines.append(f"tolerance {self.tol:.0e} on the relative error: {verdict}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"GradCheckReport(ok={self.ok}, params={[r.name for r in self.rows]})"


def _row(name: str, analytic: np.ndarray, numeric: np.ndarray, tol: float) -> GradCheckRow:
    analytic = np.asarray(analytic, dtype=np.float64)
    rel = relative_error(analytic, numeric)
    diff = float(np.max(np.abs(analytic - numeric))) if analytic.size else 0.0
    return GradCheckRow(name, tuple(analytic.shape), diff, rel, rel <= tol)


@runtime_checkable
class GradientModel(Protocol):
    """What :func:`check_gradients` needs from a model (both bplib models have it).

    ``params`` maps names to the model's own float64 arrays (perturbed in place),
    ``loss(x, t)`` is a float, and ``gradient(x, t)`` maps the same names to
    the gradients of that float.
    """

    params: Mapping[str, np.ndarray]

    def loss(self, x: Any, t: Any) -> float: ...

    def gradient(self, x: Any, t: Any) -> Mapping[str, np.ndarray]: ...


def check_gradients(
    model: GradientModel, x: ArrayLike, t: ArrayLike, eps: float = 1e-5, tol: float = DEFAULT_TOL
) -> GradCheckReport:
    """Compare a model's backprop gradients with numerical ones, parameter by parameter.

    Parameters
    ----------
    model : GradientModel
        An object with a ``params`` mapping of float64 arrays, a
        ``loss(x, t) -> float`` and a ``gradient(x, t) -> dict`` with the same
        keys: :class:`bplib.models.TwoLayerNet` (rows ``W1, b1, W2, b2``) or
        :class:`bplib.network.Network` (rows ``w0, b0, w1, b1, ...``; its
        ``loss`` is the mean cost).
    x, t : array_like
        Inputs and targets in the model's own convention.
    eps : float, default 1e-5
        Central-difference step.
    tol : float, default 1e-6
        Pass threshold on :func:`relative_error`: a row passes when the
        relative error it reports is ``<= tol``.

    Returns
    -------
    GradCheckReport
        ``print(report)`` shows a table; ``report.ok`` is the verdict.
    """
    for attr in ("params", "loss", "gradient"):
        if not hasattr(model, attr):
            raise ValueError(
                "model must have params, loss and gradient (like TwoLayerNet or "
                f"Network), but {type(model).__name__} has no {attr!r}"
            )
    tol = check_positive(tol, "tol")
    grads = model.gradient(x, t)
    report = GradCheckReport(tol=tol)
    for name, param in model.params.items():
        numeric = numerical_gradient(lambda _: model.loss(x, t), param, eps)
        report.rows.append(_row(name, grads[name], numeric, tol))
    return report


def check_network_gradients(
    net: GradientModel, x: ArrayLike, y: ArrayLike, eps: float = 1e-5, tol: float = DEFAULT_TOL
) -> GradCheckReport:
    """Deprecated name of :func:`check_gradients` (which checks a ``Network`` as well)."""
    warn_deprecated("check_network_gradients is deprecated; use check_gradients (the same check)")
    return check_gradients(net, x, y, eps=eps, tol=tol)
