"""Loss functions in the row convention.

Every loss takes predictions ``y`` of shape ``(batch, features)`` (a 1-D
array is one sample) and targets ``t`` and returns a Python ``float``.  Each
``*_prime`` function returns the gradient of that same float with respect to
``y`` (so any averaging over the batch is included in the derivative).

Conventions
-----------
quadratic
    :math:`\\frac{1}{m}\\sum_{k=1}^{m} \\frac12 \\lVert y_k - t_k\\rVert^2`:
    half the sum of squares per sample, mean over the ``m`` samples
    (Nielsen's quadratic cost).
mse
    mean of :math:`(y - t)^2` over *all* elements (``np.mean``), as in
    article 001's ``mse``.
cross_entropy
    :math:`-\\frac1m \\sum_k \\sum_j t_{kj} \\log y_{kj}` for probabilities
    ``y``.  To avoid ``log(0)``, ``y`` is clipped from below at ``eps=1e-12``
    before the log.  Unlike the ``log(y + 1e-7)`` of *Deep Learning from
    Scratch*, this leaves every ``y >= eps`` exactly unchanged (so the loss is
    exactly 0 for a perfect prediction); a probability of 0 for the true class
    costs ``-log(1e-12) ~= 27.6`` instead of infinity.
softmax_cross_entropy
    cross-entropy of ``softmax(logits)``, computed directly from the logits
    with the log-sum-exp trick, so it is exact and warning-free even for
    logits of ``+-1e4``.  Prefer it to ``cross_entropy(softmax(z), t)``.

Targets for the two cross-entropies are either one-hot arrays of the same
shape as ``y`` or integer labels of shape ``(batch,)`` (a scalar label for a
1-D ``y``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, as_labels, check_same_shape

__all__ = [
    "quadratic",
    "quadratic_prime",
    "mse",
    "mse_prime",
    "cross_entropy",
    "softmax_cross_entropy",
    "softmax_cross_entropy_prime",
    "to_one_hot",
]

#: Lower clip applied to probabilities before taking the log in ``cross_entropy``.
CROSS_ENTROPY_EPS = 1e-12


def _pair(y: ArrayLike, t: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Check that y and t are 1-D or 2-D float arrays of the same shape."""
    y = as_float_array(y, "y", ndims=(1, 2))
    t = as_float_array(t, "t", ndims=(1, 2))
    check_same_shape(y, t, "y", "t")
    return y, t


def _batch_size(y: np.ndarray) -> int:
    """Number of samples: rows of a 2-D array, 1 for a 1-D array."""
    return 1 if y.ndim == 1 else y.shape[0]


def to_one_hot(t: ArrayLike, shape: tuple[int, ...], name: str = "t") -> np.ndarray:
    """Return targets as a float one-hot array of the given ``shape``.

    Parameters
    ----------
    t : array_like
        Either an array of ``shape`` (one-hot, returned as float64), or integer
        labels of shape ``shape[:-1]`` with values in ``0 .. shape[-1] - 1``.
    shape : tuple of int
        Shape of the predictions, ``(batch, classes)`` or ``(classes,)``.
    name : str
        Name used in error messages.

    Returns
    -------
    numpy.ndarray of shape ``shape``.

    Raises
    ------
    ValueError
        If the width of a one-hot ``t`` differs from the number of classes, or
        a label is negative, non-integer or ``>= classes``.
    """
    t_arr = np.asarray(t)
    n_classes = shape[-1]
    if t_arr.ndim == len(shape):
        if t_arr.shape != tuple(shape):
            raise ValueError(
                f"one-hot {name} must have shape {tuple(shape)} ({n_classes} classes), "
                f"but {name}.shape={t_arr.shape}"
            )
        return as_float_array(t_arr, name)
    if t_arr.ndim == len(shape) - 1:
        if t_arr.shape != tuple(shape[:-1]):
            raise ValueError(
                f"labels {name} must have shape {tuple(shape[:-1])} (one per sample), "
                f"but {name}.shape={t_arr.shape}"
            )
        labels = as_labels(t_arr, n_classes, name)
        return np.eye(n_classes)[labels]
    raise ValueError(
        f"{name} must be one-hot with shape {tuple(shape)} or integer labels with "
        f"shape {tuple(shape[:-1])}, but {name}.shape={t_arr.shape}"
    )


def quadratic(y: ArrayLike, t: ArrayLike) -> float:
    """Quadratic cost: half the sum of squares per sample, mean over the batch.

    Parameters
    ----------
    y, t : array_like, shape (batch, features) or (features,)

    Returns
    -------
    float
        ``mean_k 0.5 * sum_j (y[k, j] - t[k, j])**2``.
    """
    y, t = _pair(y, t)
    d = y - t
    return float(0.5 * np.sum(d * d) / _batch_size(y))


def quadratic_prime(y: ArrayLike, t: ArrayLike) -> np.ndarray:
    """Gradient of :func:`quadratic` with respect to ``y``: ``(y - t) / batch``.

    Returns
    -------
    numpy.ndarray, same shape as ``y``.
    """
    y, t = _pair(y, t)
    return (y - t) / _batch_size(y)


def mse(y: ArrayLike, t: ArrayLike) -> float:
    """Mean squared error over all elements, ``np.mean((y - t)**2)``.

    Parameters
    ----------
    y, t : array_like, shape (batch, features) or (features,)

    Returns
    -------
    float
    """
    y, t = _pair(y, t)
    d = y - t
    return float(np.mean(d * d))


def mse_prime(y: ArrayLike, t: ArrayLike) -> np.ndarray:
    """Gradient of :func:`mse` with respect to ``y``: ``2 (y - t) / y.size``.

    Returns
    -------
    numpy.ndarray, same shape as ``y``.
    """
    y, t = _pair(y, t)
    return 2.0 * (y - t) / y.size


def cross_entropy(y: ArrayLike, t: ArrayLike, eps: float = CROSS_ENTROPY_EPS) -> float:
    """Cross-entropy of predicted probabilities, mean over the batch.

    Parameters
    ----------
    y : array_like, shape (batch, classes) or (classes,)
        Probabilities in [0, 1] (for example the output of ``softmax``).
    t : array_like
        One-hot targets of the same shape as ``y``, or integer labels of shape
        ``(batch,)`` (a scalar label when ``y`` is 1-D).
    eps : float, default 1e-12
        ``y`` is clipped to ``[eps, 1]`` before the log (see the module notes).

    Returns
    -------
    float
        ``-sum(t * log(max(y, eps))) / batch``.
    """
    y = as_float_array(y, "y", ndims=(1, 2))
    if np.any(y < 0) or np.any(y > 1):
        raise ValueError(
            "y must hold probabilities in [0, 1], but it ranges from "
            f"{float(y.min())} to {float(y.max())}; for raw scores use softmax_cross_entropy"
        )
    onehot = to_one_hot(t, y.shape)
    return float(-np.sum(onehot * np.log(np.clip(y, eps, 1.0))) / _batch_size(y))


def _log_softmax(z: np.ndarray) -> np.ndarray:
    """``log(softmax(z))`` over the last axis via log-sum-exp (no overflow)."""
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def softmax_cross_entropy(logits: ArrayLike, t: ArrayLike) -> float:
    """Cross-entropy of ``softmax(logits)``, computed stably from the logits.

    Uses :math:`\\log \\mathrm{softmax}(z)_j = z_j - m - \\log\\sum_i e^{z_i - m}`
    with :math:`m = \\max_i z_i`, so no exponent is ever positive.

    Parameters
    ----------
    logits : array_like, shape (batch, classes) or (classes,)
    t : array_like
        One-hot targets of the same shape, or integer labels of shape (batch,).

    Returns
    -------
    float
        Mean over the batch of ``-sum_j t_j log softmax(logits)_j``.
    """
    z = as_float_array(logits, "logits", ndims=(1, 2))
    onehot = to_one_hot(t, z.shape)
    return float(-np.sum(onehot * _log_softmax(z)) / _batch_size(z))


def softmax_cross_entropy_prime(logits: ArrayLike, t: ArrayLike) -> np.ndarray:
    """Gradient of :func:`softmax_cross_entropy`: ``(softmax(logits) - t) / batch``.

    Returns
    -------
    numpy.ndarray, same shape as ``logits``.
    """
    z = as_float_array(logits, "logits", ndims=(1, 2))
    onehot = to_one_hot(t, z.shape)
    return (np.exp(_log_softmax(z)) - onehot) / _batch_size(z)
