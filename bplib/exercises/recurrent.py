"""Checkers for the exercises of the chapter "Backpropagation through time".

Two backward passes a reader writes, checked on hidden random sequences with random
upstream gradients: ``rnn_backward(x, hs, Wx, Wh, dout) -> (dWx, dWh, db)``, the RNN
layer's BPTT, and ``truncated_dWh(hs, Wh, g_last, k)``, the gradient of ``Wh`` truncated to
the last ``k`` steps for a loss on the last state. The named mistakes are the chapter's:
the sum over time left out (only the last step's term), the tanh's derivative taken on the
pre-activation side (``1 - tanh(h)**2``) or as ``1 - h`` without the square, the Jacobian
transposed (``delta @ Wh`` for ``delta @ Wh.T``), the gradient not flowing back through the
states (only each step's direct term), and a truncation off by one step or absent.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from bplib.exercises._core import (
    ROUNDING,
    CheckFailed,
    Verdict,
    assert_not_mutated,
    compare,
    run_checks,
)
from bplib.exercises.messages import msg

__all__ = ["rnn_backward", "truncated_dWh"]

#: Hidden cases (batch, time, n_in, n_hidden); W_h square and not symmetric, so a transposed
#: Jacobian gives other numbers.
_CASES = [(3, 5, 2, 4), (2, 4, 3, 3), (1, 6, 1, 2)]


def _forward(rng: np.random.Generator, m: int, T: int, n_in: int, n_h: int):
    x = rng.normal(size=(m, T, n_in))
    Wx = rng.normal(scale=0.7, size=(n_in, n_h))
    Wh = rng.normal(scale=0.7, size=(n_h, n_h))
    b = rng.normal(scale=0.2, size=n_h)
    hs = np.empty((m, T + 1, n_h))
    hs[:, 0] = rng.normal(scale=0.5, size=(m, n_h))
    for t in range(T):
        hs[:, t + 1] = np.tanh(x[:, t] @ Wx + hs[:, t] @ Wh + b)
    return x, hs, Wx, Wh


def _bptt(x, hs, Wx, Wh, dout, *, slope="right", transpose=True, carry=True, last_only=False):
    """The RNN's BPTT, or one of the named mistakes."""
    dWx, dWh = np.zeros_like(Wx), np.zeros_like(Wh)
    db, g = np.zeros(Wh.shape[0]), np.zeros_like(dout[:, 0])
    T = x.shape[1]
    for t in reversed(range(T)):
        h = hs[:, t + 1]
        factor = {"right": 1 - h**2, "tanh_of_h": 1 - np.tanh(h) ** 2, "no_square": 1 - h}[slope]
        delta = ((g if carry else 0.0) + dout[:, t]) * factor
        if not last_only or t == T - 1:
            dWx += x[:, t].T @ delta
            dWh += hs[:, t].T @ delta
            db += delta.sum(axis=0)
        g = delta @ (Wh.T if transpose else Wh)
    return dWx, dWh, db


def _triple(got: object) -> tuple | None:
    if isinstance(got, (tuple, list)) and len(got) == 3:
        try:
            return tuple(np.asarray(g, dtype=float) for g in got)
        except (TypeError, ValueError):
            return None
    return None


def _close_all(got: tuple | None, want: tuple) -> bool:
    return got is not None and all(g.shape == w.shape and ROUNDING.close(g, w) for g, w in zip(got, want))


def rnn_backward(fn: Callable[..., object]) -> Verdict:
    """Check a reader's ``rnn_backward(x, hs, Wx, Wh, dout) -> (dWx, dWh, db)``.

    ``x`` is (m, T, n_in), ``hs`` the states (m, T + 1, n_h) with ``h_0`` first, ``dout``
    the gradient with respect to every state the layer returned (m, T, n_h). Named
    mistakes: only the last step's term (the sum over time left out), ``1 - tanh(h)**2``
    (the derivative formula applied to the output as if it were the pre-activation),
    ``1 - h`` (no square), ``delta @ Wh`` (the Jacobian transposed), the gradient not
    carried back through the states, and an input changed in place.
    """
    rng = np.random.default_rng(2811)

    def checks() -> None:
        for m, T, n_in, n_h in _CASES:
            where = msg("case.rnn", m=m, T=T, n_in=n_in, n_h=n_h)
            x, hs, Wx, Wh = _forward(rng, m, T, n_in, n_h)
            for upstream in ("every", "last"):
                dout = rng.normal(size=(m, T, n_h))
                if upstream == "last":
                    dout[:, :-1] = 0.0
                expected = _bptt(x, hs, Wx, Wh, dout)
                got = assert_not_mutated(fn, x, hs, Wx, Wh, dout, what="rnn_backward")
                arr = _triple(got)
                if arr is None:
                    raise CheckFailed(msg("rnn.bptt.not_triple", where=where))
                wrong = {
                    "rnn.bptt.last_only": _bptt(x, hs, Wx, Wh, dout, last_only=True),
                    "rnn.bptt.tanh_of_h": _bptt(x, hs, Wx, Wh, dout, slope="tanh_of_h"),
                    "rnn.bptt.no_square": _bptt(x, hs, Wx, Wh, dout, slope="no_square"),
                    "rnn.bptt.transposed": _bptt(x, hs, Wx, Wh, dout, transpose=False),
                    "rnn.bptt.no_carry": _bptt(x, hs, Wx, Wh, dout, carry=False),
                }
                if not _close_all(arr, expected):
                    for message_id, value in wrong.items():
                        if _close_all(arr, value):
                            raise CheckFailed(msg(message_id, where=where))
                for name, g, w in zip(("dWx", "dWh", "db"), arr, expected):
                    compare(g, w, name=name, where=where, tol=ROUNDING)

    return run_checks(msg("rnn.bptt.correct"), checks)


def _truncated(hs, Wh, g_last, k):
    T = hs.shape[1] - 1
    dWh, g = np.zeros_like(Wh), g_last
    for t in range(T, max(T - k, 0), -1):
        delta = g * (1 - hs[:, t] ** 2)
        dWh += hs[:, t - 1].T @ delta
        g = delta @ Wh.T
    return dWh


def truncated_dWh(fn: Callable[..., object]) -> Verdict:
    """Check a reader's ``truncated_dWh(hs, Wh, g_last, k)``: the last ``k`` terms of dC/dWh.

    The loss sits on the last state, ``g_last = dC/dh_T``; the result is
    ``sum over t = T - k + 1 ... T of h_{t-1}^T delta_t``. Named mistakes: ``k + 1`` or
    ``k - 1`` terms (off by one), every term (no truncation), and an input changed in place.
    """
    rng = np.random.default_rng(2812)

    def checks() -> None:
        for m, T, n_in, n_h in _CASES:
            _, hs, _, Wh = _forward(rng, m, T, n_in, n_h)
            g_last = rng.normal(size=(m, n_h))
            for k in range(1, T):
                where = msg("case.rnn_truncated", m=m, T=T, n_h=n_h, k=k)
                expected = _truncated(hs, Wh, g_last, k)
                got = assert_not_mutated(fn, hs, Wh, g_last, k, what="truncated_dWh")
                try:
                    arr = np.asarray(got, dtype=float)
                except (TypeError, ValueError):
                    arr = None
                ok = arr is not None and arr.shape == expected.shape and ROUNDING.close(arr, expected)
                if arr is not None and arr.shape == expected.shape and not ok:
                    wrong = {"rnn.trunc.no_truncation": _truncated(hs, Wh, g_last, T),
                             "rnn.trunc.one_more": _truncated(hs, Wh, g_last, k + 1),
                             "rnn.trunc.one_fewer": _truncated(hs, Wh, g_last, k - 1)}
                    for message_id, value in wrong.items():
                        if ROUNDING.close(arr, value):
                            raise CheckFailed(msg(message_id, where=where, k=k, T=T))
                compare(got, expected, name=msg("rnn.trunc.result"), where=where, tol=ROUNDING)

    return run_checks(msg("rnn.trunc.correct"), checks)
