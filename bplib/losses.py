"""Loss functions in the row convention (*Deep Learning from Scratch*).

Every loss takes predictions ``a`` of shape ``(batch, features)`` (a 1-D
array is one sample) and targets ``t`` and returns a Python ``float``.  Each
``*_prime`` function returns the gradient of that same float with respect to
``a`` (so any averaging over the batch is included in the derivative).

Vocabulary (the same as everywhere in ``bplib``; see the notation page):
``a`` is a prediction (an activation or probability), ``z`` a logit,
``t`` the target (``y`` in Nielsen's column convention).  ``cross_entropy``
always means the *categorical* cross-entropy; the binary one of sigmoid
outputs is the ``"binary_cross_entropy"`` cost of :mod:`bplib.costs`.

quadratic
    :math:`\\frac{1}{m}\\sum_{k=1}^{m} \\frac12 \\lVert a_k - t_k\\rVert^2`:
    :class:`bplib.costs.QuadraticCost` per sample (row), mean over the ``m`` samples.
mse
    mean of :math:`(a - t)^2` over *all* elements, as in article 001's ``mse``
    (:class:`bplib.costs.MSECost` per sample, mean over the samples).

Both read the cost objects of :mod:`bplib.costs` on the rows as they are
(``axis=-1``: the features of a row are the output units), so a cost is
written once for both conventions.
cross_entropy
    :math:`-\\frac1m \\sum_k \\sum_j t_{kj} \\log a_{kj}` for probabilities
    ``a``.  To avoid ``log(0)``, ``a`` is clipped from below at ``eps=1e-12``
    before the log.  Unlike the ``log(a + 1e-7)`` of *Deep Learning from
    Scratch*, this leaves every ``a >= eps`` exactly unchanged (so the loss is
    exactly 0 for a perfect prediction); a probability of 0 for the true class
    costs ``-log(1e-12) ~= 27.6`` instead of infinity.
cross_entropy_prime
    its gradient with respect to the probabilities, ``-t / a / m`` (0 where
    the clip is active), what a :class:`bplib.layers.Softmax` layer's
    ``backward`` receives when softmax and cross-entropy are two layers.
softmax_cross_entropy
    cross-entropy of ``softmax(z)``, computed directly from the logits ``z``
    with the log-sum-exp trick, so it is exact and warning-free even for
    logits of ``+-1e4``.  Prefer it to ``cross_entropy(softmax(z), t)``.

Targets for the two cross-entropies are either one-hot arrays of the same
shape as the prediction or integer labels of shape ``(batch,)`` (a scalar
label for 1-D input).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, as_labels, check_ndim, check_same_shape
from .activations import log_softmax
from .costs import COSTS, Cost

__all__ = [
    "quadratic",
    "quadratic_prime",
    "mse",
    "mse_prime",
    "cross_entropy",
    "cross_entropy_prime",
    "softmax_cross_entropy",
    "softmax_cross_entropy_prime",
    "softmax_cross_entropy_parts",
    "to_one_hot",
    "CROSS_ENTROPY_EPS",
]

#: Lower clip applied to probabilities before taking the log in ``cross_entropy``.
CROSS_ENTROPY_EPS = 1e-12


def _rows(a: ArrayLike, t: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Check a and t: 1-D or 2-D float arrays of the same shape."""
    a = as_float_array(a, "a", ndims=(1, 2))
    t = as_float_array(t, "t", ndims=(1, 2))
    check_same_shape(a, t, "a", "t")
    return a, t


def _batch_size(a: np.ndarray) -> int:
    """Number of samples: rows of a 2-D array, 1 for a 1-D array."""
    return 1 if a.ndim == 1 else a.shape[0]


def _mean_cost(cost: Cost, a: np.ndarray, t: np.ndarray) -> float:
    """Mean over the rows (samples) of ``cost`` on checked rows ``a``, ``t``."""
    return float(np.mean(cost.fn(a, t, axis=-1)))


def _mean_cost_prime(cost: Cost, a: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Gradient of :func:`_mean_cost` with respect to ``a`` (checked rows)."""
    return cost.gradient(a, t, axis=-1) / _batch_size(a)


def _probabilities(a: ArrayLike, for_scores: str) -> np.ndarray:
    """``a`` checked to hold probabilities in [0, 1]; the error names ``for_scores``, the
    function to call with raw scores instead."""
    a = as_float_array(a, "a", ndims=(1, 2))
    if np.any(a < 0) or np.any(a > 1):
        raise ValueError(
            "a must hold probabilities in [0, 1], but it ranges from "
            f"{float(a.min())} to {float(a.max())}; for raw scores use {for_scores}"
        )
    return a


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
    if t is None:
        raise ValueError(f"{name} must be one-hot targets or integer labels, but got None")
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


def quadratic(a: ArrayLike, t: ArrayLike) -> float:
    """Quadratic cost: half the sum of squares per sample, mean over the batch.

    Parameters
    ----------
    a, t : array_like, shape (batch, features) or (features,)
        Prediction and target.

    Returns
    -------
    float
        ``mean_k 0.5 * sum_j (a[k, j] - t[k, j])**2``.
    """
    return _mean_cost(COSTS["quadratic"], *_rows(a, t))


def quadratic_prime(a: ArrayLike, t: ArrayLike) -> np.ndarray:
    """Gradient of :func:`quadratic` with respect to ``a``: ``(a - t) / batch``.

    Returns
    -------
    numpy.ndarray, same shape as ``a``; for one sample (1-D ``a``) simply ``a - t``.
    """
    return _mean_cost_prime(COSTS["quadratic"], *_rows(a, t))


def mse(a: ArrayLike, t: ArrayLike) -> float:
    """Mean squared error over all elements, ``np.mean((a - t)**2)``.

    Parameters
    ----------
    a, t : array_like, shape (batch, features) or (features,)

    Returns
    -------
    float
    """
    return _mean_cost(COSTS["mse"], *_rows(a, t))


def mse_prime(a: ArrayLike, t: ArrayLike) -> np.ndarray:
    """Gradient of :func:`mse` with respect to ``a``: ``2 (a - t) / a.size``.

    Returns
    -------
    numpy.ndarray, same shape as ``a``: every element's share of the mean over all of them.
    """
    return _mean_cost_prime(COSTS["mse"], *_rows(a, t))


def cross_entropy(a: ArrayLike, t: ArrayLike, eps: float = CROSS_ENTROPY_EPS) -> float:
    """Categorical cross-entropy of predicted probabilities, mean over the batch.

    Parameters
    ----------
    a : array_like, shape (batch, classes) or (classes,)
        Probabilities in [0, 1] (for example the output of ``softmax``).
    t : array_like
        One-hot targets of the same shape as ``a``, or integer labels of shape
        ``(batch,)`` (a scalar label when ``a`` is 1-D).
    eps : float, default 1e-12
        ``a`` is clipped to ``[eps, 1]`` before the log (see the module notes).

    Returns
    -------
    float
        ``-sum(t * log(max(a, eps))) / batch``.
    """
    a = _probabilities(a, "softmax_cross_entropy")
    onehot = to_one_hot(t, a.shape)
    return float(-np.sum(onehot * np.log(np.clip(a, eps, 1.0))) / _batch_size(a))


def cross_entropy_prime(a: ArrayLike, t: ArrayLike, eps: float = CROSS_ENTROPY_EPS) -> np.ndarray:
    """Gradient of :func:`cross_entropy` with respect to the probabilities ``a``.

    ``-t / a / batch`` where ``a >= eps``.  Below ``eps`` the loss uses the
    constant ``log(eps)`` (the clip), so its derivative there is 0: a
    probability that underflowed to 0 sends no gradient back.  Chained with
    the softmax's backward (:class:`bplib.layers.Softmax`), this gives the
    ``(softmax(z) - t) / batch`` of :func:`softmax_cross_entropy_prime` as
    long as no probability is clipped; the chapter "Softmax with
    cross-entropy" shows where the two routes part.

    Parameters
    ----------
    a : array_like, shape (batch, classes) or (classes,)
        Probabilities in [0, 1].
    t : array_like
        One-hot targets of the same shape as ``a``, or integer labels of shape
        ``(batch,)`` (a scalar label when ``a`` is 1-D).
    eps : float, default 1e-12
        The clip of :func:`cross_entropy`.

    Returns
    -------
    numpy.ndarray, same shape as ``a``.
    """
    a = _probabilities(a, "softmax_cross_entropy_prime")
    onehot = to_one_hot(t, a.shape)
    unclipped = a >= eps
    return np.where(unclipped, -onehot / np.where(unclipped, a, 1.0), 0.0) / _batch_size(a)


def softmax_cross_entropy(z: ArrayLike, t: ArrayLike) -> float:
    """Cross-entropy of ``softmax(z)``, computed stably from the logits ``z``.

    Uses :math:`\\log \\mathrm{softmax}(z)_j = z_j - m - \\log\\sum_i e^{z_i - m}`
    with :math:`m = \\max_i z_i`, so no exponent is ever positive.

    Parameters
    ----------
    z : array_like, shape (batch, classes) or (classes,)
        Logits.
    t : array_like
        One-hot targets of the same shape, or integer labels of shape (batch,).

    Returns
    -------
    float
        Mean over the batch of ``-sum_j t_j log softmax(z)_j``.
    """
    return softmax_cross_entropy_parts(z, t)[0]


def softmax_cross_entropy_prime(z: ArrayLike, t: ArrayLike) -> np.ndarray:
    """Gradient of :func:`softmax_cross_entropy`: ``(softmax(z) - t) / batch``.

    Returns
    -------
    numpy.ndarray, same shape as ``z``.
    """
    _, a, onehot = softmax_cross_entropy_parts(z, t)
    return (a - onehot) / _batch_size(a)


def softmax_cross_entropy_parts(z: ArrayLike, t: ArrayLike) -> tuple[float, np.ndarray, np.ndarray]:
    """:func:`softmax_cross_entropy` with what its gradient needs, each computed once.

    ``z`` is checked and the one-hot targets are built once; one
    log-softmax gives the loss, and its ``exp`` the probabilities
    ``softmax(z)``.  The gradient of the loss with respect to ``z`` is then
    ``(a - onehot) / batch`` (:func:`softmax_cross_entropy_prime`); this is
    what :class:`bplib.layers.SoftmaxWithLoss` keeps for its ``backward``.

    Parameters
    ----------
    z, t : array_like
        Logits and targets, as for :func:`softmax_cross_entropy`.

    Returns
    -------
    loss : float
        As :func:`softmax_cross_entropy`.
    a : numpy.ndarray, shape of ``z``
        ``softmax(z)``, each row non-negative and summing to 1.
    onehot : numpy.ndarray, shape of ``z``
        The targets as one-hot rows.
    """
    log_p = log_softmax(z)  # checks z (the one check)
    check_ndim(log_p, "z", (1, 2))
    onehot = to_one_hot(t, log_p.shape)
    return float(-np.sum(onehot * log_p) / _batch_size(log_p)), np.exp(log_p), onehot
