"""Input checks shared by the public functions of :mod:`bplib`.

Every helper raises a :class:`ValueError` whose message says what was
expected and what was given, so a reader who passes the wrong thing learns
how to fix it from the message alone.  The helpers are private: chapters
call the public functions, which call these.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "as_float_array",
    "check_finite",
    "check_nonempty",
    "check_ndim",
    "check_same_shape",
    "check_positive",
    "check_positive_int",
    "check_known",
    "as_labels",
    "check_seed",
    "check_bool",
    "as_dtype_name",
    "check_dout",
    "as_param",
    "warn_deprecated",
]

_PACKAGE = Path(__file__).resolve().parent


def check_finite(x: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` if ``x`` contains NaN or +-inf, naming which."""
    x = np.asarray(x)
    if x.dtype.kind not in "fc":
        return
    if np.all(np.isfinite(x)):
        return
    n_nan = int(np.count_nonzero(np.isnan(x)))
    n_inf = int(np.count_nonzero(np.isinf(x)))
    found = []
    if n_nan:
        found.append(f"{n_nan} NaN")
    if n_inf:
        found.append(f"{n_inf} inf")
    raise ValueError(
        f"{name} must contain only finite numbers, but it has {' and '.join(found)} "
        f"value(s) ({name}.shape={x.shape})"
    )


def check_nonempty(x: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` if ``x`` has no elements."""
    if np.size(x) == 0:
        raise ValueError(
            f"{name} must not be empty, but {name}.shape={np.shape(x)}"
        )


def check_ndim(x: np.ndarray, name: str, ndims: int | Iterable[int]) -> None:
    """Raise ``ValueError`` unless ``x.ndim`` is one of ``ndims``."""
    allowed = (ndims,) if isinstance(ndims, int) else tuple(ndims)
    if np.ndim(x) not in allowed:
        want = " or ".join(f"{d}-D" for d in allowed)
        raise ValueError(
            f"{name} must be {want}, but it is {np.ndim(x)}-D ({name}.shape={np.shape(x)})"
        )


def as_float_array(
    x: object,
    name: str,
    ndims: int | Iterable[int] | None = None,
    allow_empty: bool = False,
) -> np.ndarray:
    """Convert ``x`` to a float64 array and check it.

    Parameters
    ----------
    x : array_like
        The value to convert.  Non-numeric input raises ``ValueError``.
    name : str
        Name used in error messages (``"x"``, ``"weights[0]"``, ...).
    ndims : int or iterable of int, optional
        Allowed numbers of dimensions; ``None`` allows any.
    allow_empty : bool, default False
        Whether an array with zero elements is acceptable.

    Returns
    -------
    numpy.ndarray
        ``x`` as float64 (the same object if it already was a float64 array).
    """
    if x is None:
        raise ValueError(f"{name} must be an array of numbers, but got None")
    if np.iscomplexobj(x):
        raise ValueError(
            f"{name} must hold real numbers, but it has complex dtype "
            f"{np.asarray(x).dtype}; pass x.real if the imaginary part is 0"
        )
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be an array of numbers, but got {type(x).__name__}: {exc}"
        ) from None
    if ndims is not None:
        check_ndim(arr, name, ndims)
    if not allow_empty:
        check_nonempty(arr, name)
    check_finite(arr, name)
    return arr


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same shape."""
    if np.shape(a) != np.shape(b):
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, but "
            f"{name_a}.shape={np.shape(a)} and {name_b}.shape={np.shape(b)}"
        )


def check_positive(value: object, name: str) -> float:
    """Return ``value`` as a float after checking it is a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a positive number, but got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, but got {value}")
    return value


def check_positive_int(value: object, name: str) -> int:
    """Return ``value`` as an int after checking it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be a positive integer, but got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, but got {int(value)}")
    return int(value)


def check_known(name: str, known: Iterable[str], what: str) -> str:
    """Raise ``ValueError`` unless ``name`` is one of ``known``.

    The message lists the known names, e.g.
    ``unknown activation 'sigmod'; known activations: 'identity', 'relu', ...``.
    """
    known = sorted(known)
    if not isinstance(name, str) or name not in known:
        listed = ", ".join(repr(k) for k in known)
        raise ValueError(f"unknown {what} {name!r}; known {what}s: {listed}")
    return name


def as_labels(t: object, n_classes: int, name: str = "t") -> np.ndarray:
    """Check integer class labels and return them as an int64 array.

    Parameters
    ----------
    t : array_like of int
        Labels; float values are accepted only if they are whole numbers.
    n_classes : int
        Number of classes; every label must satisfy ``0 <= label < n_classes``.
    name : str
        Name used in error messages.

    Returns
    -------
    numpy.ndarray of int64, same shape as ``t``.
    """
    arr = np.asarray(t)
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        raise ValueError(
            f"{name} must hold integer class labels, but its dtype is {arr.dtype}"
        )
    check_nonempty(arr, name)
    if arr.dtype.kind == "f":
        check_finite(arr, name)
        if not np.all(arr == np.round(arr)):
            bad = float(arr[arr != np.round(arr)].flat[0])
            raise ValueError(
                f"{name} must hold integer class labels, but it contains {bad!r}"
            )
    labels = arr.astype(np.int64)
    if labels.min() < 0 or labels.max() >= n_classes:
        bad = labels.min() if labels.min() < 0 else labels.max()
        raise ValueError(
            f"{name} must hold labels in 0..{n_classes - 1} for an output of "
            f"{n_classes} classes, but it contains {int(bad)}"
        )
    return labels


def check_seed(seed: object, name: str = "seed") -> int:
    """Return ``seed`` as an int after checking it is an integer >= 0.

    ``np.random.default_rng`` accepts only non-negative integers; this says so
    before NumPy does, naming the argument.
    """
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise ValueError(f"{name} must be a non-negative integer, but got {seed!r}")
    return int(seed)


def check_bool(value: object, name: str) -> bool:
    """Return ``value`` after checking it is a bool (``"no"`` is not ``False``)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, but got {value!r}")
    return bool(value)


def as_dtype_name(dtype: object, known: Iterable[str], name: str = "dtype") -> str:
    """The canonical name of a floating dtype given as a string or a NumPy type.

    ``"float32"``, ``np.float32`` and ``np.dtype("float32")`` all give
    ``"float32"``; anything not in ``known`` raises ``ValueError``.
    """
    try:
        canonical = np.dtype(dtype).name if dtype is not None else None
    except TypeError:
        canonical = None
    return check_known(canonical if canonical is not None else dtype, known, name)


def warn_deprecated(message: str) -> None:
    """Issue a ``DeprecationWarning`` attributed to the first caller outside ``bplib``.

    So the warning points at the reader's line (and Python and IPython show
    it there), however deep inside ``bplib`` the deprecated name was reached.
    """
    level, frame = 2, sys._getframe(1)  # stacklevel 2 is warn_deprecated's caller
    while frame is not None and Path(frame.f_code.co_filename).resolve().is_relative_to(_PACKAGE):
        level, frame = level + 1, frame.f_back
    warnings.warn(message, DeprecationWarning, stacklevel=level)


def check_dout(dout: ArrayLike, expected_shape: tuple[int, ...] | None, layer: str) -> np.ndarray:
    """Validate a layer's ``dout`` against the shape of its last forward output (``None``: no forward yet)."""
    if expected_shape is None:
        raise RuntimeError(f"{layer}.backward was called before {layer}.forward")
    dout = as_float_array(dout, "dout", allow_empty=True)
    if dout.shape != expected_shape:
        raise ValueError(
            f"dout must have the shape of {layer}'s forward output {expected_shape}, "
            f"but dout.shape={dout.shape}"
        )
    return dout


def as_param(p: ArrayLike, name: str, ndim: int) -> np.ndarray:
    """A layer's parameter: a float64 ndarray is kept as is (shared memory), anything else converted."""
    if isinstance(p, np.ndarray) and p.dtype == np.float64:
        arr = p
        if arr.ndim != ndim:
            raise ValueError(f"{name} must be {ndim}-D, but {name}.shape={arr.shape}")
        as_float_array(arr, name)  # finiteness and non-empty checks
        return arr
    return as_float_array(p, name, ndims=ndim)
