"""Activation functions and their derivatives.

Every function works elementwise on an array of any shape (``softmax`` works
row-wise over the last axis) and returns a new float64 array of the same
shape.  Derivatives are written as functions of the *pre-activation* ``z``,
as in Nielsen's book: ``sigmoid_prime(z)`` is :math:`\\sigma'(z)`, not a
function of :math:`\\sigma(z)`.

Each activation has **one** definition, an :class:`Activation` record in
:data:`ACTIVATIONS`: the function ``f(z)``, its derivative ``prime(z)``, the
same derivative computed from the output ``a = f(z)`` (``prime_from_output``,
what the layers, the fast trainer and the autodiff engine use) and its SymPy
form (what :mod:`bplib.symbolic` uses).  The module-level functions
(``sigmoid``, ``sigmoid_prime``, ...) check their input and call the record.

All functions are numerically stable: none of them calls ``np.exp`` on a
large positive number, so ``|z| = 1e4`` gives no overflow warning.

Examples
--------
>>> import numpy as np
>>> from bplib.activations import sigmoid, sigmoid_prime
>>> float(sigmoid(0.0)), float(sigmoid_prime(0.0))
(0.5, 0.25)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_known

__all__ = [
    "Activation",
    "ACTIVATIONS",
    "get_activation",
    "sigmoid",
    "sigmoid_prime",
    "relu",
    "relu_prime",
    "tanh",
    "tanh_prime",
    "identity",
    "identity_prime",
    "softmax",
    "log_softmax",
]

Kernel = Callable[..., np.ndarray]


@dataclass(frozen=True)
class Activation:
    """One activation: its function, its derivative two ways, and its SymPy form.

    The kernels take float64 arrays that are already checked (the public
    functions below check); ``f`` and ``prime_from_output`` accept an ``out=``
    array so the fast trainer can work in preallocated buffers.  With ``out=``,
    ``f`` leaves NumPy's overflow reporting to the caller (the sigmoid's
    ``exp(-z)`` overflows, harmlessly, for ``z < -709.78``).

    Attributes
    ----------
    name : str
    f : callable
        ``f(z, out=None)``: the activation, elementwise, any shape.
    prime : callable
        ``prime(z)``: the derivative as a function of the pre-activation ``z``.
    prime_from_output : callable or None
        ``prime_from_output(a, out=None)``: the same derivative from the output
        ``a = f(z)`` (for the sigmoid ``a (1 - a)``); ``None`` when it cannot
        be written that way (a custom pair of functions).
    symbolic : callable or None
        ``symbolic(x)``: the activation of a SymPy expression.
    """

    name: str
    f: Kernel
    prime: Kernel
    prime_from_output: Kernel | None = None
    symbolic: Callable[[Any], Any] | None = None


# ----------------------------------------------------------------- kernels
def _sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        # e = exp(-|z|) <= 1 never overflows: 1/(1+e) for z >= 0, e/(1+e) for z < 0
        e = np.exp(-np.abs(z))
        return np.divide(np.where(z >= 0, 1.0, e), 1.0 + e)
    # In place, for the fast trainer's buffers (thousands of calls a second on small
    # arrays, so four NumPy calls and nothing else): 1 / (1 + exp(-z)), equal to the
    # form above to a few ulp.  For z < -709.78, exp(-z) overflows to inf and the
    # result is 0 (the true value is below 1e-308); the caller silences that
    # expected overflow (FastTrainer.train runs under np.errstate(over="ignore")).
    np.negative(z, out=out)
    np.exp(out, out=out)
    np.add(out, 1.0, out=out)
    return np.divide(1.0, out, out=out)


def _sigmoid_prime(z: np.ndarray) -> np.ndarray:
    # e/(1+e)**2 = sigma(z)(1 - sigma(z)), exact where 1 - sigma(z) rounds to 0
    e = np.exp(-np.abs(z))
    return e / (1.0 + e) ** 2


def _sigmoid_from_output(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        return a * (1.0 - a)
    np.subtract(1.0, a, out=out)        # in place: no temporary in the fast trainer
    return np.multiply(out, a, out=out)


def _sigmoid_symbolic(x: Any) -> Any:
    import sympy as sp

    return 1 / (1 + sp.exp(-x))


def _tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.tanh(z, out=out)


def _tanh_from_output(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.subtract(1.0, a * a, out=out)


def _tanh_prime(z: np.ndarray) -> np.ndarray:
    return _tanh_from_output(np.tanh(z))


def _tanh_symbolic(x: Any) -> Any:
    import sympy as sp

    return sp.tanh(x)


def _relu(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.maximum(z, 0.0, out=out)


def _relu_prime(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    # 1 where z > 0, else 0 (also at the kink z = 0, like the Relu layer)
    return np.greater(z, 0.0, out=out) if out is not None else (z > 0).astype(np.float64)


def _relu_symbolic(x: Any) -> Any:
    import sympy as sp

    return sp.Piecewise((x, x > 0), (0, True))


def _identity(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        return z.copy()
    if out is not z:
        np.copyto(out, z)
    return out


def _ones(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        return np.ones_like(z)
    out.fill(1.0)
    return out


#: The one registry of activations, by name.
ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", _sigmoid, _sigmoid_prime, _sigmoid_from_output, _sigmoid_symbolic),
    # relu'(z) = 1 exactly where a = relu(z) > 0, so one kernel serves both forms
    "relu": Activation("relu", _relu, _relu_prime, _relu_prime, _relu_symbolic),
    "tanh": Activation("tanh", _tanh, _tanh_prime, _tanh_from_output, _tanh_symbolic),
    "identity": Activation("identity", _identity, _ones, _ones, lambda x: x),
}


def get_activation(name: str) -> Activation:
    """Look up an activation record by name.

    Parameters
    ----------
    name : str
        One of ``"sigmoid"``, ``"relu"``, ``"tanh"``, ``"identity"``.

    Returns
    -------
    Activation
        ``record.f`` and ``record.prime`` are the function and its derivative.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the known names.
    """
    return ACTIVATIONS[check_known(name, ACTIVATIONS, "activation")]


# --------------------------------------------------- checked public functions
def _checked(z: ArrayLike) -> np.ndarray:
    return as_float_array(z, "z", allow_empty=True)


def sigmoid(z: ArrayLike) -> np.ndarray:
    """Logistic sigmoid :math:`\\sigma(z) = 1 / (1 + e^{-z})`.

    Computed with ``e = exp(-|z|)`` (which is at most 1, so it never
    overflows): :math:`1/(1+e)` for ``z >= 0`` and :math:`e/(1+e)` for
    ``z < 0``, which keeps full relative precision for very negative ``z``.

    Parameters
    ----------
    z : array_like, any shape
        Pre-activations.

    Returns
    -------
    numpy.ndarray, same shape as ``z``, values in [0, 1].
    """
    return _sigmoid(_checked(z))


def sigmoid_prime(z: ArrayLike) -> np.ndarray:
    """Derivative of the sigmoid, :math:`\\sigma'(z) = \\sigma(z)(1-\\sigma(z))`.

    Computed as ``e / (1 + e)**2`` with ``e = exp(-|z|)``, which stays
    accurate where ``1 - sigma(z)`` would round to 0 (``z = 40`` gives
    4.2e-18, not 0).

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    numpy.ndarray, same shape as ``z``, values in [0, 0.25].
    """
    return _sigmoid_prime(_checked(z))


def relu(z: ArrayLike) -> np.ndarray:
    """Rectified linear unit, ``max(z, 0)``; ``z`` any shape, same shape out."""
    return _relu(_checked(z))


def relu_prime(z: ArrayLike) -> np.ndarray:
    """Derivative of ReLU: 1.0 where ``z > 0``, else 0.0 (0 at the kink ``z = 0``,
    the same choice as the :class:`bplib.layers.Relu` layer, whose mask is ``x <= 0``)."""
    return _relu_prime(_checked(z))


def tanh(z: ArrayLike) -> np.ndarray:
    """Hyperbolic tangent (``np.tanh``); ``z`` any shape, values in [-1, 1]."""
    return _tanh(_checked(z))


def tanh_prime(z: ArrayLike) -> np.ndarray:
    """Derivative of tanh, :math:`1 - \\tanh^2(z)`; ``z`` any shape, values in [0, 1]."""
    return _tanh_prime(_checked(z))


def identity(z: ArrayLike) -> np.ndarray:
    """Identity (linear) activation; returns a float copy of ``z``."""
    return _identity(_checked(z))


def identity_prime(z: ArrayLike) -> np.ndarray:
    """Derivative of the identity: an array of ones shaped like ``z``."""
    return _ones(_checked(z))


def softmax(z: ArrayLike) -> np.ndarray:
    """Softmax over the last axis: ``exp(z_i) / sum_j exp(z_j)``, row by row.

    The row maximum is subtracted first (softmax is unchanged by adding a
    constant to a row), so the largest exponent is ``exp(0) = 1`` and logits
    of ``+-1e4`` are handled exactly.

    Parameters
    ----------
    z : array_like, shape (classes,) or (batch, classes)
        Logits.  A 1-D ``z`` is one sample.  (Higher dimensions also work:
        the softmax is always taken over the last axis.)

    Returns
    -------
    numpy.ndarray, same shape as ``z``; each row is non-negative and sums to 1.
    """
    z = as_float_array(z, "z")
    if z.ndim == 0:
        raise ValueError("z must have at least 1 dimension (classes,), but it is 0-D")
    shifted = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """``log(softmax(z))`` over the last axis via log-sum-exp (no overflow).

    ``z`` must be a checked float array of at least 1 dimension.
    """
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
