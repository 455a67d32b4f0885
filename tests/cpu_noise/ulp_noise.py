"""Make NumPy's transcendental functions round like another CPU's kernels.

NumPy computes ``exp``, ``log``, ``tanh`` ... with different code on different
CPUs (AVX-512, AVX2, or the C library), and the results may differ in the last
bit.  A stored notebook output that depends on such a bit passes on the machine
that stored it and fails on another one.

Loaded into a Jupyter kernel (as an IPython startup file, see the Makefile's
``test`` target), this module wraps each of those functions so that its result
moves by one unit in the last place, up or down, for about half of all
inputs.  The choice is a fixed function of the input's bits, as a different
kernel's would be, so two code paths that evaluate the same function on the
same numbers still agree with each other exactly.  Strict nbval then compares
every stored output with what this "other CPU" prints.
"""

from __future__ import annotations

import functools

import numpy as np

_FUNCTIONS = ("exp", "log", "tanh", "expm1", "log1p", "exp2", "log2", "log10",
              "sin", "cos", "logaddexp")
_MULT = np.uint64(0x9E3779B97F4A7C15)   # Fibonacci hashing of the input bits


def _direction(r: np.ndarray) -> np.ndarray:
    """-1, 0 or +1 per element: a fixed pseudo-random function of r's bits.

    Hashing the result (a function of the inputs) rather than the inputs keeps
    the nudge deterministic without caring how the inputs broadcast.
    """
    bits = np.asarray(r, dtype=np.float64).copy().view(np.uint64)
    with np.errstate(over="ignore"):
        h = (bits * _MULT) >> np.uint64(61)          # 3 top bits: 0..7
    return np.select([h < 3, h < 6], [-1.0, 1.0], 0.0)


def _nudge(result):
    """Move about 3 in 4 elements of a float64 result by one ulp, up or down.

    Results that every correctly written kernel returns exactly (0, +-1, +-inf,
    NaN, subnormals) are left alone, as are the float32 results.
    """
    r = np.asarray(result)
    if r.dtype != np.float64 or r.size == 0:
        return result
    step = _direction(r)
    movable = np.isfinite(r) & (np.abs(r) >= np.finfo(np.float64).tiny) & (np.abs(r) != 1.0)
    moved = np.where(movable & (step > 0), np.nextafter(r, np.inf), r)
    moved = np.where(movable & (step < 0), np.nextafter(r, -np.inf), moved)
    if isinstance(result, np.ndarray) and result.ndim > 0:
        result[...] = moved
        return result
    return np.float64(moved) if np.ndim(moved) == 0 else moved


def _wrap(name: str):
    original = getattr(np, name)

    @functools.wraps(original)
    def noisy(*args, **kwargs):
        result = original(*args, **kwargs)
        if not args or isinstance(result, tuple):
            return result
        return _nudge(result)

    noisy.__wrapped_ufunc__ = original
    return noisy


def install() -> None:
    """Replace NumPy's transcendental functions with their nudged versions."""
    for name in _FUNCTIONS:
        if not hasattr(getattr(np, name), "__wrapped_ufunc__"):
            setattr(np, name, _wrap(name))


install()
