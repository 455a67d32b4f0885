"""Small deterministic data sets used by the chapters (no downloads).

* :func:`xor` — the four XOR points of article 001 (row convention).
* :func:`cosine_curve` — ``y = (cos x + 1) / 2`` of article 000 (column convention).
* :func:`digits` — scikit-learn's bundled 8x8 handwritten digits, standing in
  for MNIST (article 002), which cannot be downloaded here.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validation import check_positive_int, check_seed

__all__ = ["xor", "cosine_curve", "digits", "Digits"]


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The XOR truth table in the row convention.

    Returns
    -------
    X : numpy.ndarray, shape (4, 2)
        ``[[0, 0], [0, 1], [1, 0], [1, 1]]`` as float64.
    y : numpy.ndarray, shape (4, 1)
        ``[[0], [1], [1], [0]]`` as float64.
    """
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    return X, y


def cosine_curve(n: int = 200, low: float = -7.0, high: float = 7.0) -> tuple[np.ndarray, np.ndarray]:
    """Article 000's target curve ``y = (cos x + 1) / 2`` on an even grid.

    Parameters
    ----------
    n : int, default 200
        Number of points (``np.linspace(low, high, n)``).
    low, high : float, default -7, 7
        Interval ends, ``low < high``.

    Returns
    -------
    x : numpy.ndarray, shape (1, n)
    y : numpy.ndarray, shape (1, n), values in [0, 1]
        Column convention: one sample per column, ready for ``Network``.
    """
    n = check_positive_int(n, "n")
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"need finite low < high, but got low={low!r}, high={high!r}")
    x = np.linspace(low, high, n).reshape(1, n)
    y = (np.cos(x) + 1.0) / 2.0
    return x, y


class Digits(NamedTuple):
    """The 8x8 digits split into a training and a test set.

    Attributes
    ----------
    x_train : numpy.ndarray, shape (n_train, 64), values in [0, 1]
    t_train : numpy.ndarray of int64, shape (n_train,), labels 0..9
    x_test : numpy.ndarray, shape (n_test, 64), values in [0, 1]
    t_test : numpy.ndarray of int64, shape (n_test,)
    images : numpy.ndarray, shape (1797, 8, 8), values in [0, 1]
        All images in scikit-learn's order (``x_train``/``x_test`` rows are
        these images flattened; reshape a row with ``.reshape(8, 8)``).
    """

    x_train: np.ndarray
    t_train: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray
    images: np.ndarray


def digits(test_size: float = 0.25, seed: int = 0) -> Digits:
    """scikit-learn's 1797 handwritten digits (8x8, bundled, offline).

    Pixel values 0..16 are divided by 16.  The split is a permutation from
    ``np.random.default_rng(seed)``: the first ``round(test_size * 1797)``
    samples of it form the test set.

    Parameters
    ----------
    test_size : float, default 0.25
        Fraction of samples in the test set, strictly between 0 and 1.
    seed : int, default 0

    Returns
    -------
    Digits
        Named tuple ``(x_train, t_train, x_test, t_test, images)``.
    """
    if not (isinstance(test_size, (int, float)) and 0.0 < test_size < 1.0):
        raise ValueError(f"test_size must be a number strictly between 0 and 1, but got {test_size!r}")
    from sklearn.datasets import load_digits  # lazy: scikit-learn is only needed here

    bunch = load_digits()
    images = bunch.images.astype(np.float64) / 16.0
    x = images.reshape(len(images), -1)
    t = bunch.target.astype(np.int64)
    order = np.random.default_rng(check_seed(seed)).permutation(len(x))
    n_test = int(round(test_size * len(x)))
    if not 0 < n_test < len(x):
        raise ValueError(f"test_size={test_size!r} leaves an empty training or test set")
    test, train = order[:n_test], order[n_test:]
    return Digits(x[train], t[train], x[test], t[test], images)
