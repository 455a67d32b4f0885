"""Activation functions and their derivatives.

Every function works elementwise on an array of any shape (``softmax`` works
row-wise over the last axis) and returns a new float64 array of the same
shape.  Derivatives are written as functions of the *pre-activation* ``z``,
as in Nielsen's book: ``sigmoid_prime(z)`` is :math:`\\sigma'(z)`, not a
function of :math:`\\sigma(z)`.

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

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_known

__all__ = [
    "sigmoid",
    "sigmoid_prime",
    "relu",
    "relu_prime",
    "tanh",
    "tanh_prime",
    "identity",
    "identity_prime",
    "softmax",
    "get_activation",
    "ACTIVATIONS",
]


def sigmoid(z: ArrayLike) -> np.ndarray:
    """Logistic sigmoid :math:`\\sigma(z) = 1 / (1 + e^{-z})`.

    Computed with ``e = exp(-|z|)`` (which is at most 1, so it never
    overflows): :math:`\\sigma(z) = 1/(1+e)` for ``z >= 0`` and
    :math:`e/(1+e)` for ``z < 0``.  Both forms are the same function; the
    split keeps full relative precision for very negative ``z`` too.

    Parameters
    ----------
    z : array_like, any shape
        Pre-activations.

    Returns
    -------
    numpy.ndarray, same shape as ``z``, values in [0, 1].
    """
    z = as_float_array(z, "z", allow_empty=True)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z: ArrayLike) -> np.ndarray:
    """Derivative of the sigmoid, :math:`\\sigma'(z) = \\sigma(z)(1-\\sigma(z))`.

    Computed as ``e / (1 + e)**2`` with ``e = exp(-|z|)``, which equals
    :math:`\\sigma(z)(1-\\sigma(z))` (the derivative is even in ``z``) and
    stays accurate where ``1 - sigma(z)`` would round to 0.

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    numpy.ndarray, same shape as ``z``, values in [0, 0.25].
    """
    z = as_float_array(z, "z", allow_empty=True)
    e = np.exp(-np.abs(z))
    return e / (1.0 + e) ** 2


def relu(z: ArrayLike) -> np.ndarray:
    """Rectified linear unit, ``max(z, 0)``.

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    numpy.ndarray, same shape as ``z``.
    """
    z = as_float_array(z, "z", allow_empty=True)
    return np.maximum(z, 0.0)


def relu_prime(z: ArrayLike) -> np.ndarray:
    """Derivative of ReLU: 1 where ``z > 0``, else 0.

    At the kink ``z = 0`` we use 0, the same choice as the
    :class:`bplib.layers.Relu` layer, whose mask is ``x <= 0``.

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    numpy.ndarray of 0.0 and 1.0, same shape as ``z``.
    """
    z = as_float_array(z, "z", allow_empty=True)
    return (z > 0).astype(np.float64)


def tanh(z: ArrayLike) -> np.ndarray:
    """Hyperbolic tangent (``np.tanh``, stable for all finite ``z``).

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    numpy.ndarray, same shape as ``z``, values in [-1, 1].
    """
    z = as_float_array(z, "z", allow_empty=True)
    return np.tanh(z)


def tanh_prime(z: ArrayLike) -> np.ndarray:
    """Derivative of tanh, :math:`1 - \\tanh^2(z)`.

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    numpy.ndarray, same shape as ``z``, values in [0, 1].
    """
    t = tanh(z)
    return 1.0 - t * t


def identity(z: ArrayLike) -> np.ndarray:
    """Identity (linear) activation; returns a float copy of ``z``."""
    z = as_float_array(z, "z", allow_empty=True)
    return z.copy()


def identity_prime(z: ArrayLike) -> np.ndarray:
    """Derivative of the identity: an array of ones shaped like ``z``."""
    z = as_float_array(z, "z", allow_empty=True)
    return np.ones_like(z)


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


Activation = Callable[[ArrayLike], np.ndarray]

#: Registry of activations by name: ``name -> (f, f_prime)``.
ACTIVATIONS: dict[str, tuple[Activation, Activation]] = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "relu": (relu, relu_prime),
    "tanh": (tanh, tanh_prime),
    "identity": (identity, identity_prime),
}


def get_activation(name: str) -> tuple[Activation, Activation]:
    """Look up an activation and its derivative by name.

    Parameters
    ----------
    name : str
        One of ``"sigmoid"``, ``"relu"``, ``"tanh"``, ``"identity"``.

    Returns
    -------
    (f, f_prime) : tuple of callables
        The activation and its derivative as a function of ``z``.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the known names.
    """
    check_known(name, ACTIVATIONS, "activation")
    return ACTIVATIONS[name]
