"""Checkers for the exercises of the chapter "Attention".

Three steps a reader derives and writes, each checked on hidden random cases in the row
convention (one position per row): the backward pass of scaled dot-product attention
``attention_backward(dO, Q, K, V, A) -> (dQ, dK, dV)``, the masked attention weights
``masked_attention_weights(S, allowed)`` and the input gradient of a self-attention layer
``self_attention_input_gradient(x, Wq, Wk, Wv, dout)``.  The named mistakes are the ones
the chapter warns about: the softmax's Jacobian replaced by its diagonal, the ``1/sqrt(d)``
forgotten or taken as ``1/d``, a missing transpose in ``dK`` or ``dV``, the mask applied
after the softmax or with 0 in place of ``-inf``, a query with no key giving NaN, and the
input's gradient not summed over the Q, K and V paths.
"""

from __future__ import annotations

from itertools import combinations
from typing import Callable

import numpy as np

from bplib.activations import softmax as _softmax
from bplib.attention import (
    causal_mask,
    scaled_dot_product_attention,
    scaled_dot_product_attention_backward,
)
from bplib.exercises._core import (
    ROUNDING,
    CheckFailed,
    Verdict,
    as_number_array,
    assert_not_mutated,
    compare,
    run_checks,
)
from bplib.exercises._core import arrays_close as _close
from bplib.exercises._core import as_array_or_none as _array_or_none
from bplib.exercises.messages import msg

__all__ = ["attention_backward", "masked_attention_weights", "self_attention_input_gradient"]


def _named(arr: np.ndarray | None, expected: np.ndarray, wrong: dict[str, np.ndarray],
           **fields: object) -> None:
    """Raise the message of the first wrong variant ``arr`` equals (and the right one does not)."""
    for message_id, value in wrong.items():
        if _close(arr, np.asarray(value)) and not _close(arr, expected):
            raise CheckFailed(msg(message_id, **fields))


def _t(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


# ----------------------------------------------------------------- attention_backward

#: Hidden cases (batch axes, n_q, n_k, d, d_v, causal): square first (a missing transpose
#: still fits there, so it can be named), d = 4 so that 1/sqrt(d) and 1/d differ.
_BACKWARD_CASES = [((), 3, 3, 4, 2, False), ((), 2, 4, 3, 5, False), ((2,), 4, 4, 4, 3, True),
                   ((), 1, 3, 2, 2, False)]


def attention_backward(fn: Callable[..., object]) -> Verdict:
    """Check a reader's ``attention_backward(dO, Q, K, V, A)``, returning ``(dQ, dK, dV)``.

    ``A = softmax(Q K^T / sqrt(d))`` (row by row, perhaps causal) is given, as the forward
    pass keeps it; ``dO`` is a random upstream gradient.  The answer is ``dV = A^T dO``,
    ``dS = A * (dA - rowsum(dA * A))`` with ``dA = dO V^T``, ``dQ = dS K / sqrt(d)`` and
    ``dK = dS^T Q / sqrt(d)``.  Named mistakes: ``A dO`` for ``A^T dO``; the softmax's
    Jacobian replaced by its diagonal (``dA * A (1 - A)``) or left out (``dS = dA``); the
    ``1/sqrt(d)`` forgotten or taken as ``1/d`` (applied twice); ``dS Q`` for ``dS^T Q``
    and ``dS^T K`` for ``dS K``; an input changed in place.
    """
    rng = np.random.default_rng(2812)

    def checks() -> None:
        for batch, n_q, n_k, d, d_v, causal in _BACKWARD_CASES:
            where = msg("case.attention", n_q=n_q, n_k=n_k, d=d, d_v=d_v,
                        causal=msg("case.causal") if causal else "",
                        batch=msg("case.attention_batch", m=batch[0]) if batch else "")
            Q = rng.normal(size=(*batch, n_q, d))
            K = rng.normal(size=(*batch, n_k, d))
            V = rng.normal(size=(*batch, n_k, d_v))
            O, A = scaled_dot_product_attention(Q, K, V, causal=causal, return_weights=True)
            dO = rng.normal(size=O.shape)
            dQ, dK, dV = scaled_dot_product_attention_backward(dO, Q, K, V, A)
            got = assert_not_mutated(fn, dO, Q, K, V, A, what="attention_backward")
            if not isinstance(got, (tuple, list)) or len(got) != 3:
                raise CheckFailed(msg("attention.bwd.not_three", where=where,
                                      got=type(got).__name__))
            got_q, got_k, got_v = (_array_or_none(g) for g in got)
            scale = 1.0 / np.sqrt(d)
            # dV
            _named(got_v, dV, {"attention.bwd.dV_no_transpose": A @ dO} if n_q == n_k else {},
                   where=where)
            compare(got[2], dV, name="dV", where=where, tol=ROUNDING)
            # dQ: the softmax's backward and the scale
            dA = dO @ _t(V)
            dS = A * (dA - np.sum(dA * A, axis=-1, keepdims=True))
            dS_diagonal = dA * A * (1 - A)
            wrong_q = {
                "attention.bwd.diagonal": dS_diagonal @ K * scale,
                "attention.bwd.no_softmax": dA @ K * scale,
                "attention.bwd.no_scale": dS @ K,
                "attention.bwd.over_d": dS @ K / d,
                "attention.bwd.diagonal_no_scale": dS_diagonal @ K,
            }
            if n_q == n_k:
                wrong_q["attention.bwd.dQ_transposed"] = _t(dS) @ K * scale
            _named(got_q, dQ, wrong_q, where=where, which="dQ", d=d)
            compare(got[0], dQ, name="dQ", where=where, tol=ROUNDING)
            wrong_k = {
                "attention.bwd.diagonal": _t(dS_diagonal) @ Q * scale,
                "attention.bwd.no_scale": _t(dS) @ Q,
                "attention.bwd.over_d": _t(dS) @ Q / d,
            }
            if n_q == n_k:
                wrong_k["attention.bwd.dK_no_transpose"] = dS @ Q * scale
            _named(got_k, dK, wrong_k, where=where, which="dK", d=d)
            compare(got[1], dK, name="dK", where=where, tol=ROUNDING)

    return run_checks(msg("attention.bwd.correct"), checks)


# ----------------------------------------------------------- masked_attention_weights


def _masked_softmax(S: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        top = np.max(np.where(allowed, S, -np.inf), axis=-1, keepdims=True)
        e = np.where(allowed, np.exp(S - top), 0.0)
        return e / e.sum(axis=-1, keepdims=True)


def masked_attention_weights(fn: Callable[[np.ndarray, np.ndarray], object]) -> Verdict:
    """Check a reader's ``masked_attention_weights(S, allowed)``: the masked row-wise softmax.

    ``S`` holds scaled scores ``(n_q, n_k)``, ``allowed`` a boolean array of the same shape,
    ``True`` where query ``i`` may attend to key ``j``.  The answer is the softmax of each
    row with the forbidden scores set to ``-inf`` first: forbidden weights exactly 0, each
    row summing to 1, and a ``ValueError`` for a query with no allowed key.  Named
    mistakes: the mask applied after the softmax (rows no longer sum to 1); forbidden
    scores set to 0 instead of ``-inf``; the mask read the wrong way round (a
    ``ValueError`` where every query keeps a key, or weights where the mask is False); the
    softmax over the columns; an ``exp`` that overflows at scores of 800, or whose allowed
    terms all underflow because a forbidden score set the shift; a query with no key
    giving NaN, or zeros, or another error instead of a ``ValueError``.
    """
    rng = np.random.default_rng(2813)
    random_mask = rng.random((3, 5)) < 0.5
    columns = rng.permutation(5)
    random_mask[:, columns[0]] = True  # every query keeps a key
    random_mask[:, columns[1]] = False  # and loses one (so an inverted mask is one too)
    cases = [  # the random mask first: read inverted, it still leaves every query a key
        (msg("case.mask_scores", shape=(3, 5)), rng.normal(scale=2.0, size=(3, 5)), random_mask),
        (msg("case.causal_scores", n=4), rng.normal(scale=2.0, size=(4, 4)), causal_mask(4)),
        (msg("case.large_scores"), np.array([[800.0, -5.0, 799.0], [1.0, 900.0, 2.0]]),
         np.array([[True, True, False], [True, False, True]])),
    ]
    empty_row = np.ones((3, 4), dtype=bool)
    empty_row[1] = False
    S_empty = rng.normal(size=(3, 4))

    def checks() -> None:
        for where, S, allowed in cases:
            expected = _masked_softmax(S, allowed)
            try:  # every query here keeps a key: a ValueError reads the mask the wrong way
                with np.errstate(all="ignore"):
                    fn(S.copy(), allowed.copy())
            except ValueError:
                raise CheckFailed(msg("attention.mask.raised_on_valid", where=where)) from None
            except Exception:  # named by the call below
                pass
            got = assert_not_mutated(fn, S, allowed, what="masked_attention_weights")
            arr = _array_or_none(got)
            with np.errstate(all="ignore"):
                by_columns = _t(_masked_softmax(_t(S), _t(allowed)))
                if arr is not None and arr.shape == S.shape and not np.all(np.isfinite(arr)):
                    if np.allclose(arr, by_columns, equal_nan=True):  # a column with no key
                        raise CheckFailed(msg("attention.mask.axis0", where=where))
                    raise CheckFailed(msg("attention.mask.overflow", where=where))
                wrong = {
                    "attention.mask.after_softmax": _softmax(S) * allowed,
                    "attention.mask.zero_score": _softmax(np.where(allowed, S, 0.0)),
                    "attention.mask.axis0": by_columns,
                }
                if np.all((~allowed).any(axis=-1)):
                    wrong["attention.mask.inverted"] = _masked_softmax(S, ~allowed)
            _named(arr, expected, wrong, where=where)
            compare(got, expected, name=msg("attention.mask.result"), where=where, tol=ROUNDING)
        where = msg("case.empty_row")
        try:
            with np.errstate(all="ignore"):
                got = fn(S_empty.copy(), empty_row.copy())
        except ValueError:
            return
        except Exception as exc:  # the reader's code may raise anything
            raise CheckFailed(msg("attention.mask.wrong_error", where=where,
                                  error=type(exc).__name__)) from None
        arr = as_number_array(got, name=msg("attention.mask.result"), where=where)
        if arr.shape == S_empty.shape and np.isnan(arr[1]).any():
            raise CheckFailed(msg("attention.mask.nan_row", where=where))
        if arr.shape == S_empty.shape and np.all(arr[1] == 0):
            raise CheckFailed(msg("attention.mask.zero_row", where=where))
        raise CheckFailed(msg("attention.mask.no_error", where=where))

    return run_checks(msg("attention.mask.correct"), checks)


# ------------------------------------------------------- self_attention_input_gradient

#: Hidden cases (batch, n, d_model, d, d_v): d_model = d = d_v first, where a missing
#: transpose still fits (and can be named).
_INPUT_CASES = [(2, 3, 3, 3, 3), (2, 4, 5, 2, 3), (1, 2, 3, 4, 2)]


def self_attention_input_gradient(fn: Callable[..., object]) -> Verdict:
    """Check a reader's ``self_attention_input_gradient(x, Wq, Wk, Wv, dout)``: ``dL/dx``.

    ``x`` has shape ``(batch, n, d_model)``; ``Q = x Wq``, ``K = x Wk``, ``V = x Wv`` and
    the layer's output is ``softmax(Q K^T / sqrt(d)) V`` (no mask); ``dout`` is a random
    upstream gradient.  ``x`` feeds all three projections, so the answer is the sum
    ``dQ Wq^T + dK Wk^T + dV Wv^T``.  Named mistakes: any one or two of the three paths
    left out; the three averaged instead of summed; ``dQ Wq`` for ``dQ Wq^T`` (and the
    same for K and V); an input changed in place.
    """
    rng = np.random.default_rng(2814)

    def checks() -> None:
        for batch, n, d_model, d, d_v in _INPUT_CASES:
            where = msg("case.self_attention", batch=batch, n=n, d_model=d_model, d=d, d_v=d_v)
            x = rng.normal(size=(batch, n, d_model))
            Ws = [rng.normal(size=(d_model, d)), rng.normal(size=(d_model, d)),
                  rng.normal(size=(d_model, d_v))]
            Q, K, V = (x @ W for W in Ws)
            O, A = scaled_dot_product_attention(Q, K, V, return_weights=True)
            dout = rng.normal(size=O.shape)
            grads = scaled_dot_product_attention_backward(dout, Q, K, V, A)
            paths = {name: g @ W.T for name, g, W in zip("QKV", grads, Ws)}
            expected = sum(paths.values())
            got = assert_not_mutated(fn, x, *Ws, dout, what="self_attention_input_gradient")
            arr = _array_or_none(got)
            wrong: dict[str, np.ndarray] = {"attention.dx.mean": expected / 3}
            for size in (1, 2):
                for kept in combinations("QKV", size):
                    missing = "".join(p for p in "QKV" if p not in kept)
                    value = sum(paths[p] for p in kept)
                    key = "attention.dx.only_one" if size == 1 else "attention.dx.one_missing"
                    if _close(arr, value) and not _close(arr, expected):
                        raise CheckFailed(msg(key, where=where, kept=msg("core.and").join(kept),
                                              missing=msg("core.and").join(missing)))
            if d_model == d == d_v:
                wrong["attention.dx.no_transpose"] = sum(g @ W for g, W in zip(grads, Ws))
            _named(arr, expected, wrong, where=where)
            compare(got, expected, name="dx", where=where, tol=ROUNDING)

    return run_checks(msg("attention.dx.correct"), checks)
