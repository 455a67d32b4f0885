"""Checkers for the exercises of the chapter "How fast is backpropagation?"."""

from __future__ import annotations

from typing import Callable

import numpy as np

from bplib.exercises._core import (
    CLOSE,
    ROUNDING,
    CheckFailed,
    Verdict,
    assert_not_mutated,
    call,
    compare,
    run_checks,
)
from bplib.exercises.messages import msg

__all__ = ["count_flops", "folded_gradient"]


def _reference_counts(sizes: list[int], batch: int) -> tuple[int, int]:
    """Multiply-adds of the matrix products of one forward and one backward pass."""
    layers = list(zip(sizes[:-1], sizes[1:]))  # (n_in, n_out) of each weight matrix
    forward = batch * sum(n_in * n_out for n_in, n_out in layers)
    bp4 = forward  # delta^l (a^{l-1})^T: one product of the same size per layer
    bp2 = batch * sum(n_in * n_out for n_in, n_out in layers[1:])  # no delta for the inputs
    return forward, bp4 + bp2


_COUNT_CASES = [
    ([1, 8, 5, 3, 1], 1),
    ([1, 8, 5, 3, 1], 40),
    ([784, 100, 10], 100),
    ([3, 2], 7),  # one layer: no BP2 at all
    ([5, 4, 3, 2, 6], 3),
]


def count_flops(fn: Callable[[list[int], int], tuple[int, int]]) -> Verdict:
    """Check a reader's ``count_flops(sizes, batch) -> (forward, backward)``.

    ``forward`` and ``backward`` are the numbers of multiply-adds in the matrix
    products of one forward and one backward pass over a batch of ``batch``
    samples (biases and elementwise operations not counted).  Named mistakes: the
    factor ``batch`` missing, a multiply-add counted twice, BP2 counted for the input
    layer, a backward count of BP4 only or of BP2 only.
    """

    def checks() -> None:
        for sizes, batch in _COUNT_CASES:
            where = msg("case.count", sizes=sizes, batch=batch)
            got = call(fn, list(sizes), batch, what="count_flops")
            if not isinstance(got, (tuple, list)) or len(got) != 2:
                raise CheckFailed(msg("speed.count.not_a_pair", where=where,
                                      type=type(got).__name__, got=got))
            forward, backward = _reference_counts(sizes, batch)
            try:
                f_got, b_got = int(got[0]), int(got[1])
            except (TypeError, ValueError):
                raise CheckFailed(msg("speed.count.not_numbers", where=where)) from None
            if f_got != forward:
                if f_got * batch == forward:
                    raise CheckFailed(msg("speed.count.no_batch", which="forward", where=where))
                if f_got == 2 * forward:
                    raise CheckFailed(msg("speed.count.twice_forward", where=where))
                raise CheckFailed(msg("speed.count.wrong", which="forward", where=where, got=f_got))
            if b_got != backward:
                extra = batch * sizes[0] * sizes[1]
                bp4 = forward
                if b_got == backward + extra:
                    raise CheckFailed(msg("speed.count.input_bp2", where=where))
                if b_got * batch == backward:
                    raise CheckFailed(msg("speed.count.no_batch", which="backward", where=where))
                if b_got == 2 * backward:
                    raise CheckFailed(msg("speed.count.twice_backward", where=where))
                if b_got == bp4:
                    raise CheckFailed(msg("speed.count.bp4_only", where=where))
                if b_got == backward - bp4:
                    raise CheckFailed(msg("speed.count.bp2_only", where=where))
                raise CheckFailed(msg("speed.count.wrong", which="backward", where=where, got=b_got))

    return run_checks(msg("speed.count.correct"), checks)


def folded_gradient(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Verdict:
    """Check a reader's ``folded_gradient(delta, a_prev)``.

    For ``delta`` of shape ``(n_out, m)`` and ``a_prev`` of shape ``(n_in, m)``
    (one column per sample), it must return the ``(n_out, n_in + 1)`` matrix
    ``[sum_j delta_j a_j^T | sum_j delta_j]``: BP4 in the first ``n_in``
    columns and BP3 in the last, summed over the samples, as one product
    ``delta @ [a_prev; 1].T``, without changing its inputs.
    """
    rng = np.random.default_rng(1010)

    def checks() -> None:
        for n_out, n_in, m in [(3, 2, 5), (1, 1, 1), (4, 6, 9), (2, 3, 1)]:
            where = msg("case.folded", delta=(n_out, m), a_prev=(n_in, m))
            delta = rng.standard_normal((n_out, m))
            a_prev = rng.uniform(0.05, 0.95, (n_in, m))
            expected = np.hstack([delta @ a_prev.T, delta.sum(axis=1, keepdims=True)])
            got = assert_not_mutated(fn, delta, a_prev, what="folded_gradient")
            got_arr = np.asarray(got, dtype=float) if got is not None else None
            if got_arr is not None and got_arr.shape == (n_out, n_in):
                raise CheckFailed(msg("speed.folded.no_bias", where=where, got=got_arr.shape))
            if got_arr is not None and got_arr.shape == expected.shape and n_in > 1:
                moved = np.hstack([expected[:, -1:], expected[:, :-1]])
                if CLOSE.close(got_arr, moved):
                    raise CheckFailed(msg("speed.folded.bias_first", where=where))
            if got_arr is not None and got_arr.shape == expected.shape and m > 1:
                if CLOSE.close(got_arr * m, expected):
                    raise CheckFailed(msg("speed.folded.mean", where=where))
            compare(got, expected, name=msg("speed.folded.result"), where=where, tol=ROUNDING)

    return run_checks(msg("speed.folded.correct"), checks)
