"""Layers with ``forward`` / ``backward``, as in *Deep Learning from Scratch*.

Row convention: an input ``x`` has shape ``(batch, features)``; each row is
one sample.  Every layer remembers what its ``backward`` needs during
``forward``; ``backward(dout)`` takes the gradient of the loss with respect to
the layer's output and returns the gradient with respect to its input.

Two promises the original ``common/layers.py`` does not make:

* ``backward`` never modifies ``dout`` (the article's ``Relu`` does
  ``dout[self.mask] = 0`` in place, which silently changes the caller's
  array);
* bad input raises a ``ValueError`` that names the shapes involved.

Loss layers (:class:`SoftmaxWithLoss`, :class:`MSELoss`) have
``forward(x, t) -> float`` and ``backward(dout=1.0)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_same_shape
from .activations import ACTIVATIONS
from .losses import mse, mse_prime, softmax_cross_entropy_parts

__all__ = ["Affine", "Relu", "Sigmoid", "Tanh", "SoftmaxWithLoss", "MSELoss"]


def _check_dout(dout: ArrayLike, expected_shape: tuple[int, ...] | None, layer: str) -> np.ndarray:
    """Validate ``dout`` against the shape of the last forward output."""
    if expected_shape is None:
        raise RuntimeError(f"{layer}.backward was called before {layer}.forward")
    dout = as_float_array(dout, "dout", allow_empty=True)
    if dout.shape != expected_shape:
        raise ValueError(
            f"dout must have the shape of {layer}'s forward output {expected_shape}, "
            f"but dout.shape={dout.shape}"
        )
    return dout


def _as_param(p: ArrayLike, name: str, ndim: int) -> np.ndarray:
    """Keep a float64 ndarray as is (shared memory); otherwise convert it."""
    if isinstance(p, np.ndarray) and p.dtype == np.float64:
        arr = p
        if arr.ndim != ndim:
            raise ValueError(f"{name} must be {ndim}-D, but {name}.shape={arr.shape}")
        as_float_array(arr, name)  # finiteness and non-empty checks
        return arr
    return as_float_array(p, name, ndims=ndim)


class Affine:
    """Fully connected layer ``out = x @ W + b``.

    Parameters
    ----------
    W : numpy.ndarray, shape (n_in, n_out)
    b : numpy.ndarray, shape (n_out,)
        A float64 ndarray is stored as is (not copied), so ``layer.W`` and
        ``layer.b`` are the very arrays passed in: updating a model's
        ``params["W1"]`` in place updates the layer too, as in DLfS.  Other
        input (lists, integer arrays) is converted to a new float64 array.

    Attributes
    ----------
    W, b : numpy.ndarray
        The parameters.
    dW : numpy.ndarray, shape (n_in, n_out)
    db : numpy.ndarray, shape (n_out,)
        Gradients from the last ``backward`` (``None`` before it).

    Notes
    -----
    Like DLfS, ``forward`` keeps the input it was given (a float64 array is
    kept without a copy, reshaped to (batch, n_in)) for ``backward`` to form
    ``dW = x.T @ dout``.  Do not modify that array in place between
    ``forward`` and ``backward``, or ``dW`` is computed from the new values.
    """

    def __init__(self, W: ArrayLike, b: ArrayLike) -> None:
        self.W = _as_param(W, "W", 2)
        self.b = _as_param(b, "b", 1)
        if self.b.shape[0] != self.W.shape[1]:
            raise ValueError(
                f"b must have one entry per output unit: W.shape={self.W.shape} "
                f"has {self.W.shape[1]} outputs but b.shape={self.b.shape}"
            )
        self.x: np.ndarray | None = None
        self.original_x_shape: tuple[int, ...] | None = None
        self._out_shape: tuple[int, ...] | None = None
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Compute ``x @ W + b``.

        Parameters
        ----------
        x : array_like, shape (batch, n_in) or (batch, d1, d2, ...) or (n_in,)
            Inputs of more than two dimensions are flattened to
            ``(batch, d1 * d2 * ...)`` (e.g. images); a 1-D ``x`` is one sample.

        Returns
        -------
        numpy.ndarray, shape (batch, n_out) (or (n_out,) for a 1-D ``x``).
        """
        x = as_float_array(x, "x")
        self.original_x_shape = x.shape
        x2 = x.reshape(1, -1) if x.ndim == 1 else x.reshape(x.shape[0], -1)
        if x2.shape[1] != self.W.shape[0]:
            raise ValueError(
                f"x has {x2.shape[1]} features per sample but W has {self.W.shape[0]} "
                f"rows (x.shape={x.shape}, W.shape={self.W.shape})"
            )
        self.x = x2
        out = x2 @ self.W + self.b
        if x.ndim == 1:
            out = out[0]
        self._out_shape = out.shape
        return out

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """Gradients: ``dx = dout @ W.T``, ``dW = x.T @ dout``, ``db = sum(dout)``.

        Parameters
        ----------
        dout : array_like, shape of the forward output

        Returns
        -------
        numpy.ndarray, shape of the forward input ``x`` (before flattening).
        """
        dout = _check_dout(dout, self._out_shape, "Affine")
        d2 = dout.reshape(1, -1) if dout.ndim == 1 else dout
        dx = d2 @ self.W.T
        self.dW = self.x.T @ d2
        self.db = np.sum(d2, axis=0)
        return dx.reshape(self.original_x_shape)


class Relu:
    """ReLU layer, ``out = max(x, 0)``.

    ``mask`` marks the inputs with ``x <= 0``; their gradient is 0 (so the
    derivative at exactly 0 is taken as 0, matching
    :func:`bplib.activations.relu_prime`).
    """

    def __init__(self) -> None:
        self.mask: np.ndarray | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Return ``max(x, 0)`` (a new array); ``x`` any shape."""
        x = as_float_array(x, "x", allow_empty=True)
        self.mask = x <= 0
        return np.where(self.mask, 0.0, x)

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """Return ``dout`` with the masked entries set to 0, as a new array."""
        dout = _check_dout(dout, None if self.mask is None else self.mask.shape, "Relu")
        return np.where(self.mask, 0.0, dout)


class _ActivationLayer:
    """An elementwise activation layer; ``backward`` uses the stored output.

    Subclasses name their record of :data:`bplib.activations.ACTIVATIONS`:
    ``forward`` is its ``f``, ``backward`` multiplies by its
    ``prime_from_output`` of the stored output (``y (1 - y)`` for the sigmoid).
    """

    activation = ""

    def __init__(self) -> None:
        self.out: np.ndarray | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Return the activation of ``x`` (any shape) as a new array."""
        self.out = ACTIVATIONS[self.activation].f(as_float_array(x, "x", allow_empty=True))
        return self.out

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """Return ``dout`` times the derivative, as a new array."""
        name = type(self).__name__
        dout = _check_dout(dout, None if self.out is None else self.out.shape, name)
        return dout * ACTIVATIONS[self.activation].prime_from_output(self.out)


class Sigmoid(_ActivationLayer):
    """Sigmoid layer (stable); ``backward`` is ``dout * y (1 - y)`` with the stored output ``y``."""

    activation = "sigmoid"


class Tanh(_ActivationLayer):
    """Tanh layer; ``backward`` is ``dout * (1 - y**2)`` with the stored output ``y``."""

    activation = "tanh"


class SoftmaxWithLoss:
    """Softmax followed by cross-entropy, as one layer.

    The loss is :func:`bplib.losses.softmax_cross_entropy` of the logits (exact
    for logits of ``+-1e4``); ``backward`` is ``dout`` times
    :func:`bplib.losses.softmax_cross_entropy_prime`, the famously simple
    ``(softmax(x) - t) / batch``.  ``forward`` checks ``x`` and builds the
    one-hot targets once, and computes one log-softmax, whose ``exp`` is the
    softmax it keeps for ``backward``
    (:func:`bplib.losses.softmax_cross_entropy_parts`).

    Attributes
    ----------
    loss : float
        Loss of the last ``forward``.
    a : numpy.ndarray
        Softmax probabilities of the last ``forward``, shape of ``x``
        (DLfS calls them ``y``).
    t : numpy.ndarray
        Targets of the last ``forward`` as one-hot, shape of ``x``.
    """

    def __init__(self) -> None:
        self.loss: float | None = None
        self.x: np.ndarray | None = None
        self.a: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def forward(self, x: ArrayLike, t: ArrayLike) -> float:
        """Return the mean cross-entropy of ``softmax(x)`` against ``t``.

        Parameters
        ----------
        x : array_like, shape (batch, classes) or (classes,)
            Logits (scores).
        t : array_like
            One-hot targets of shape ``x.shape`` or integer labels of shape
            ``(batch,)``.

        Returns
        -------
        float
        """
        self.loss, self.a, self.t = softmax_cross_entropy_parts(x, t)  # checks x and t
        self.x = np.asarray(x, dtype=np.float64)
        return self.loss

    def backward(self, dout: float = 1.0) -> np.ndarray:
        """Return ``dout * (softmax(x) - t) / batch``, shape of the forward ``x``."""
        if self.x is None:
            raise RuntimeError("SoftmaxWithLoss.backward was called before forward")
        dout = float(as_float_array(dout, "dout", ndims=0))
        batch = 1 if self.a.ndim == 1 else self.a.shape[0]
        return dout * ((self.a - self.t) / batch)  # the gradient of softmax_cross_entropy_parts


class MSELoss:
    """Mean squared error over all elements, ``mean((x - t)**2)``, as a layer.

    ``forward`` is :func:`bplib.losses.mse`; ``backward`` returns ``dout``
    times :func:`bplib.losses.mse_prime`, ``2 (x - t) / x.size``.
    """

    def __init__(self) -> None:
        self.loss: float | None = None
        self.x: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def forward(self, x: ArrayLike, t: ArrayLike) -> float:
        """Return ``mean((x - t)**2)``; ``x`` and ``t`` of the same shape."""
        x = as_float_array(x, "x")
        t = as_float_array(t, "t")
        check_same_shape(x, t, "x", "t")
        self.x, self.t = x, t
        self.loss = mse(x.reshape(1, -1), t.reshape(1, -1))  # one row: the mean of all elements
        return self.loss

    def backward(self, dout: float = 1.0) -> np.ndarray:
        """Return ``dout * 2 (x - t) / x.size``, shape of the forward ``x``."""
        if self.x is None:
            raise RuntimeError("MSELoss.backward was called before forward")
        dout = float(as_float_array(dout, "dout", ndims=0))
        x, t = self.x, self.t
        return dout * mse_prime(x.reshape(1, -1), t.reshape(1, -1)).reshape(x.shape)
