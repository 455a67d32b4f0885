"""Shared hypothesis strategies and numerical helpers for the tests.

One home for what several test modules need (as minitorch's
``tests/strategies.py``): bounded finite floats, arrays of them, the
central-difference derivative, and the one-line verdict of a checker (with
``assert_rejected``, the one body of every "rejects typical mistakes" test).  A
helper module, not a test module: test modules import it, never each other.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays


def floats(low: float, high: float) -> st.SearchStrategy[float]:
    """Finite floats in ``[low, high]`` (no NaN, no inf)."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


#: Pre-activations where every activation is well inside float64 range.
FINITE = floats(-20, 20)

#: Moderate values for layer inputs and logits.
ELEMS = floats(-3, 3)

#: Arrays of any shape up to 3-D (0-D included) with FINITE entries.
Z = arrays(np.float64, array_shapes(min_dims=0, max_dims=3, max_side=5), elements=FINITE)


def float_arrays(shape: tuple[int, ...], low: float = -3.0, high: float = 3.0) -> st.SearchStrategy:
    """float64 arrays of ``shape`` with entries in ``[low, high]``."""
    return arrays(np.float64, shape, elements=floats(low, high))


def central_difference(f: Callable[[np.ndarray], np.ndarray], z: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Elementwise derivative ``(f(z + h) - f(z - h)) / (2 h)`` of an elementwise ``f``.

    (For the gradient of a scalar function of an array, use
    :func:`bplib.gradcheck.numerical_gradient`.)
    """
    return (f(z + h) - f(z - h)) / (2 * h)


def verdict(capsys) -> str:
    """The one line a checker printed (and fail if it printed more or less)."""
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out  # exactly one line
    return out


def assert_rejected(result, capsys, pattern: str) -> str:
    """Assert that a checker rejected an answer in one line ``Not yet: ...`` matching ``pattern``.

    ``result`` is what the checker returned; the line it printed is read from
    ``capsys`` and returned.
    """
    out = verdict(capsys)
    assert result.ok is False and out.startswith("Not yet: "), out
    assert re.search(pattern, out), out
    return out
