"""Checkers for the exercises of the chapter "Softmax with cross-entropy".

Three backward passes a reader writes, each checked on hidden batches in the row convention
(one sample per row): the softmax's vector-Jacobian product ``softmax_backward(a, dout)``,
the pair's gradient ``softmax_cross_entropy_backward(z, t)`` and a stable ``logsumexp(z)``.
The named mistakes are the ones the chapter warns about: the Jacobian's diagonal alone, a
Jacobian without its ``a a^T`` or with the sum taken over the wrong axis, the batch division
missing (or put where it does not belong), and the naive ``exp`` that overflows.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from bplib.activations import logsumexp as _logsumexp
from bplib.activations import softmax as _softmax
from bplib.exercises._core import (
    ROUNDING,
    CheckFailed,
    Verdict,
    assert_not_mutated,
    compare,
    run_checks,
)
from bplib.exercises._core import arrays_close as _close
from bplib.exercises._core import as_array_or_none as _as_array_or_none
from bplib.exercises.messages import msg

__all__ = ["softmax_backward", "softmax_cross_entropy_backward", "logsumexp"]

#: Hidden batch shapes (samples, classes): a square batch first, where a sum over the wrong
#: axis still broadcasts (and so can be named), a wide and a tall batch, and one sample.
_SHAPES = [(4, 4), (4, 5), (6, 3), (1, 3)]


# ------------------------------------------------------------- softmax_backward


def _vjp(a: np.ndarray, dout: np.ndarray) -> np.ndarray:
    return a * (dout - np.sum(dout * a, axis=-1, keepdims=True))


def softmax_backward(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Verdict:
    """Check a reader's ``softmax_backward(a, dout)``, the softmax layer's backward pass.

    ``a`` holds the probabilities the forward pass returned, one sample per row, and
    ``dout`` the upstream gradient dC/da of the same shape; the result is dC/dz,
    ``a * (dout - sum(dout * a, axis=1, keepdims=True))`` row by row.  Named mistakes: the
    Jacobian's diagonal ``a (1 - a)`` alone, ``diag(a)`` without ``- a a^T``, the sum
    unweighted by ``a``, the sum over the whole batch or over the batch axis, the
    ``(g - g.a)`` not multiplied by ``a``, a division by the batch size (which belongs to
    the loss), the Jacobian itself returned instead of its product with ``dout``, and an
    input changed in place.
    """
    rng = np.random.default_rng(2808)

    def checks() -> None:
        for n, k in _SHAPES:
            where = msg("case.softmax_batch", n=n, k=k)
            a = _softmax(rng.normal(scale=1.5, size=(n, k)))
            dout = rng.normal(size=(n, k))
            expected = _vjp(a, dout)
            got = assert_not_mutated(fn, a, dout, what="softmax_backward")
            arr = _as_array_or_none(got)
            if arr is not None and arr.shape in {(k, k), (n, k, k)} and arr.shape != expected.shape:
                raise CheckFailed(msg("softmax.vjp.jacobian_returned", where=where, got=arr.shape))
            wrong = {
                "softmax.vjp.diagonal": dout * a * (1 - a),
                "softmax.vjp.no_outer": dout * a,
                "softmax.vjp.plus_outer": a * (dout + np.sum(dout * a, axis=-1, keepdims=True)),
                "softmax.vjp.unweighted": a * (dout - np.sum(dout, axis=-1, keepdims=True)),
                "softmax.vjp.not_times_a": dout - np.sum(dout * a, axis=-1, keepdims=True),
            }
            if n > 1:
                wrong["softmax.vjp.whole_batch"] = a * (dout - np.sum(dout * a))
                wrong["softmax.vjp.batch_mean"] = expected / n
                wrong["softmax.vjp.axis0"] = a * (dout - np.sum(dout * a, axis=0))
            if n == k:  # the shapes agree: only the values can tell
                wrong["softmax.vjp.jacobian_returned"] = np.diag(a[0]) - np.outer(a[0], a[0])
                wrong["softmax.vjp.no_keepdims"] = a * (dout - np.sum(dout * a, axis=-1))
            for message_id, value in wrong.items():
                if _close(arr, value) and not _close(arr, expected):
                    raise CheckFailed(msg(message_id, where=where, got=arr.shape))
            compare(got, expected, name=msg("softmax.vjp.result"), where=where, tol=ROUNDING)

    return run_checks(msg("softmax.vjp.correct"), checks)


# ------------------------------------------------- softmax_cross_entropy_backward


def _softmax_axis0(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_cross_entropy_backward(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Verdict:
    """Check a reader's ``softmax_cross_entropy_backward(z, t)``: dC/dz of the mean cross-entropy.

    ``z`` holds logits, one sample per row, ``t`` one-hot targets of the same shape; the
    loss is the mean over the ``m`` rows of ``-sum_j t_j log softmax(z)_j`` and the result
    is ``(softmax(z) - t) / m``.  Named mistakes: the division by ``m`` missing, done twice,
    or by ``m K`` (every element); ``t - a`` for ``a - t``; the logits where the
    probabilities belong; the softmax normalised over the batch axis; cross-entropy's
    ``-t / a`` chained through the softmax's diagonal only; and a softmax that overflows
    at logits of 1000 (the naive ``exp``).
    """
    rng = np.random.default_rng(2809)
    cases = []
    for n, k in [(4, 5), (6, 3), (4, 4), (1, 3)]:  # m^2 and m K apart first
        cases.append((msg("case.softmax_batch", n=n, k=k), rng.normal(scale=2.0, size=(n, k)),
                      np.eye(k)[rng.integers(0, k, n)]))
    big = np.array([[1000.0, 0.0, -1000.0], [5.0, 800.0, 3.0]])
    cases.append((msg("case.large_logits", z="1000" + msg("core.and") + "800"), big, np.eye(3)[[2, 0]]))
    apart = np.array([[2.0, 1.0, 0.0], [-800.0, -801.0, -799.0]])
    cases.append((msg("case.rows_apart"), apart, np.eye(3)[[0, 1]]))

    def checks() -> None:
        for where, z, t in cases:
            n, k = z.shape
            a = _softmax(z)
            expected = (a - t) / n
            got = assert_not_mutated(fn, z, t, what="softmax_cross_entropy_backward")
            arr = _as_array_or_none(got)
            if arr is not None and arr.shape == expected.shape and not np.all(np.isfinite(arr)):
                with np.errstate(all="ignore"):  # the softmax shifted by the batch's maximum
                    e = np.exp(z - z.max())
                    one_max = (e / e.sum(axis=1, keepdims=True) - t) / n
                if np.allclose(arr, one_max, equal_nan=True):
                    raise CheckFailed(msg("softmax.ce.global_max", where=where))
                raise CheckFailed(msg("softmax.ce.overflow", where=where))
            wrong = {"softmax.ce.logits": (z - t) / n}
            if n > 1:
                wrong["softmax.ce.no_batch"] = a - t
                wrong["softmax.ce.axis0"] = (_softmax_axis0(z) - t) / n
            if n > 1 and n != k:  # m^2 and m K differ
                wrong["softmax.ce.twice"] = (a - t) / n**2
            if k > 1 and n != k:
                wrong["softmax.ce.all_elements"] = (a - t) / (n * k)
            wrong["softmax.ce.diagonal"] = -t * (1 - a) / n
            if n > 1:
                wrong["softmax.ce.diagonal_no_batch"] = -t * (1 - a)
            for message_id, value in wrong.items():
                if _close(arr, value) and not _close(arr, expected):
                    raise CheckFailed(msg(message_id, where=where, n=n, k=k))
            compare(got, expected, name=msg("softmax.ce.result"), where=where, tol=ROUNDING)

    return run_checks(msg("softmax.ce.correct"), checks)


# ------------------------------------------------------------------- logsumexp


def logsumexp(fn: Callable[[np.ndarray], np.ndarray]) -> Verdict:
    """Check a reader's ``logsumexp(z)``: ``log(sum(exp(z)))`` over each row, without overflow.

    ``z`` has shape ``(batch, classes)`` (or ``(classes,)``: one sample) and the result
    shape ``(batch,)`` (or ``()``).  Named mistakes: the naive form, which overflows
    beyond 709.78; the row maximum subtracted but not added back; one maximum for the whole
    batch instead of one per row (a row far below it underflows to ``log 0``); the result
    kept as a column; an input changed in place.
    """
    rng = np.random.default_rng(2810)
    cases = [
        (msg("case.matrix", shape=(3, 4)), rng.normal(scale=3.0, size=(3, 4))),
        (msg("case.vector"), rng.normal(size=5)),
        (msg("case.large_logits", z="±1000"), np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -1002.0]])),
        (msg("case.rows_apart"), np.array([[2.0, 1.0, 0.0], [-800.0, -801.0, -799.0]])),
    ]

    def checks() -> None:
        for where, z in cases:
            expected = np.asarray(_logsumexp(z))
            got = assert_not_mutated(fn, z.copy(), what="logsumexp")
            arr = _as_array_or_none(got)
            row_max = z.max(axis=-1)
            if arr is not None and arr.shape == expected.shape + (1,):
                raise CheckFailed(msg("softmax.lse.column", where=where, got=arr.shape,
                                      expected=expected.shape))
            if arr is None or arr.shape != expected.shape:
                compare(got, expected, name=msg("softmax.lse.result"), where=where, tol=ROUNDING)
            with np.errstate(all="ignore"):
                naive = np.log(np.sum(np.exp(z), axis=-1))
                one_max = z.max() + np.log(np.sum(np.exp(z - z.max()), axis=-1))
            if not np.all(np.isfinite(arr)):
                if np.allclose(arr, naive, equal_nan=True):
                    raise CheckFailed(msg("softmax.lse.overflow", where=where))
                if np.allclose(arr, one_max, equal_nan=True):
                    raise CheckFailed(msg("softmax.lse.global_max", where=where))
            if _close(arr, expected - row_max) and not _close(arr, expected):
                raise CheckFailed(msg("softmax.lse.not_added_back", where=where))
            if _close(arr, row_max) and not _close(arr, expected):
                raise CheckFailed(msg("softmax.lse.max_only", where=where))
            compare(got, expected, name=msg("softmax.lse.result"), where=where, tol=ROUNDING)

    return run_checks(msg("softmax.lse.correct"), checks)
