"""Checkers for the exercises of the chapter "The four equations of backpropagation" (article 000).

Shapes follow Nielsen's column convention, as :class:`bplib.network.Network`
does: a batch of ``m`` samples is a matrix whose *columns* are the samples.
The activation is the logistic sigmoid throughout.

- :func:`backprop_error` checks the batch form of BP2,
  ``delta = (W_next.T @ delta_next) * sigmoid'(z)``, and names the course's
  signature mistakes: ``W_next`` without its transpose, sigma' missing or
  computed on the wrong quantity (``a(1 - a)`` on ``z``, or ``sigmoid_prime``
  of the activation).

Both checkers report a constant factor only when every hidden case is off by
the same factor, never from one case.
- :func:`batch_backprop` checks a whole vectorised backward pass for the
  quadratic cost ``C = 1/2 ||a - y||^2`` per sample, gradients *summed* over
  the samples (the convention of :meth:`bplib.network.Network.backprop`).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from bplib import activations
from bplib.exercises._core import (
    CLOSE,
    CheckFailed,
    Verdict,
    as_number_array,
    assert_not_mutated,
    compare,
    diagnose_factor,
    first_mismatch,
    run_checks,
)
from bplib.exercises.messages import msg
from bplib.network import Network

__all__ = ["backprop_error", "batch_backprop"]


# --------------------------------------------------------------------- BP2
def _bp2(W_next: np.ndarray, delta_next: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Reference BP2: shape ``(n, m)`` for ``W_next`` (n_next, n), ``delta_next`` (n_next, m), ``z`` (n, m)."""
    return (W_next.T @ delta_next) * activations.sigmoid_prime(z)


def _bp2_cases(rng: np.random.Generator) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """Hidden (where, W_next, delta_next, z) cases; the first is square so a missing transpose still runs."""
    cases = []
    for where, n_next, n, m, z_scale in [
        (msg("case.bp2_square", shape=(3, 3), m=4), 3, 3, 4, 1.0),
        (msg("case.bp2", shape=(2, 5), m=6), 2, 5, 6, 2.0),
        (msg("case.bp2_one", shape=(4, 3)), 4, 3, 1, 1.0),
        (msg("case.bp2", shape=(1, 8), m=40), 1, 8, 40, 3.0),
    ]:
        cases.append((
            where,
            rng.normal(size=(n_next, n)),
            rng.normal(size=(n_next, m)),
            rng.normal(scale=z_scale, size=(n, m)),
        ))
    z = np.array([[0.0, 50.0, -50.0], [1e4, -1e4, 0.5]])
    cases.append((msg("case.bp2_large_z"), rng.normal(size=(3, 2)), rng.normal(size=(3, 3)), z))
    return cases


def _named_bp2_mistake(got: np.ndarray, W: np.ndarray, d: np.ndarray, z: np.ndarray) -> str | None:
    """The signature mistake that ``got`` equals on this case, in words, or None."""

    def same(alternative: np.ndarray) -> bool:
        return alternative.shape == got.shape and CLOSE.close(got, alternative)

    prime = activations.sigmoid_prime(z)
    with np.errstate(all="ignore"):
        if W.shape[0] == W.shape[1] and same((W @ d) * prime):
            return msg("four_equations.bp2.no_transpose")
        if same(W.T @ d):
            return msg("four_equations.bp2.no_prime")
        if same((W.T @ d) * activations.sigmoid(z)):
            return msg("four_equations.bp2.sigma")
        if same((W.T @ d) * z * (1 - z)):
            return msg("four_equations.bp2.on_z")
        if same((W.T @ d) * activations.sigmoid_prime(activations.sigmoid(z))):
            return msg("four_equations.bp2.of_activation")
    return None


def backprop_error(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], Any]) -> Verdict:
    """Check a reader's ``backprop_error(W_next, delta_next, z)`` (BP2 for a batch).

    Parameters of the reader's function: ``W_next`` of shape ``(n_next, n)``
    (the weights of the *next* layer), ``delta_next`` of shape ``(n_next, m)``
    (its error, one column per sample) and ``z`` of shape ``(n, m)`` (this
    layer's weighted inputs).  It must return this layer's error, shape
    ``(n, m)``, for the sigmoid activation, without changing its inputs and
    without overflow at large ``|z|``.

    Named mistakes (each recognised on the case where it shows): the weight
    matrix not transposed, sigma' missing, sigma instead of sigma', sigma'
    computed as ``a(1 - a)`` on ``z``, sigma' applied to the activation, a sum
    over the samples, an overflow.  A constant factor is reported only when
    *every* hidden case is off by the same factor, never from one case.

    Returns
    -------
    Verdict
        True if every hidden case is right; one line is printed either way.
    """

    def checks() -> None:
        rng = np.random.default_rng(501)
        results = []
        for where, W, d, z in _bp2_cases(rng):
            got = assert_not_mutated(fn, W.copy(), d.copy(), z.copy(), what="backprop_error")
            expected = _bp2(W, d, z)
            got_arr = as_number_array(got, name=msg("four_equations.bp2.result"), where=where)
            n, m = expected.shape
            if got_arr.shape == (n, 1) and m > 1 and CLOSE.close(
                got_arr, expected.sum(axis=1, keepdims=True)):
                raise CheckFailed(msg("four_equations.bp2.summed", where=where,
                                      expected=expected.shape, got=got_arr.shape))
            if got_arr.shape != expected.shape:
                raise CheckFailed(msg("four_equations.bp2.shape", where=where,
                                      got=got_arr.shape, expected=expected.shape))
            if not np.all(np.isfinite(got_arr)):
                raise CheckFailed(msg("four_equations.bp2.not_finite", where=where), nonfinite=True)
            if CLOSE.close(got_arr, expected):
                continue
            mistake = _named_bp2_mistake(got_arr, W, d, z)
            if mistake:
                raise CheckFailed(msg("four_equations.bp2.named", where=where, mistake=mistake))
            results.append((where, got_arr, expected))
        if not results:
            return
        # A constant factor only if the same factor holds on every hidden case.
        if len(results) == len(_bp2_cases(np.random.default_rng(501))):
            diagnose_factor(
                np.concatenate([g.ravel() for _, g, _ in results]),
                np.concatenate([e.ravel() for _, _, e in results]),
                "backprop_error", msg("core.every_case"),
            )
        where, got_arr, expected = results[0]
        bad = first_mismatch(got_arr, expected, tol=CLOSE)
        raise CheckFailed(msg("four_equations.bp2.wrong_value", where=where, index=bad,
                              got=f"{got_arr[bad]:.6g}"))

    return run_checks(msg("four_equations.bp2.correct"), checks)


# ------------------------------------------------------- full batch backprop
def _bp_cases(rng: np.random.Generator) -> list[tuple[str, list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray]]:
    """Hidden (where, weights, biases, x, y) cases for :func:`batch_backprop`."""
    cases = []
    for where, sizes, m in [
        (msg("case.sizes", sizes=[2, 3, 2], m=5), [2, 3, 2], 5),
        (msg("case.sizes", sizes=[1, 8, 5, 3, 1], m=40), [1, 8, 5, 3, 1], 40),
        (msg("case.sizes_one", sizes=[3, 4, 2]), [3, 4, 2], 1),
        (msg("case.sizes_no_hidden", sizes=[4, 2], m=3), [4, 2], 3),
    ]:
        weights = [rng.normal(size=(b, a)) for a, b in zip(sizes[:-1], sizes[1:])]
        biases = [rng.normal(size=(b, 1)) for b in sizes[1:]]
        x = rng.normal(scale=2.0, size=(sizes[0], m))
        y = rng.uniform(0.0, 1.0, size=(sizes[-1], m))
        cases.append((where, weights, biases, x, y))
    return cases


def _reference_backprop(
    weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], x: np.ndarray, y: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    net = Network.from_weights(weights, biases, activation="sigmoid", cost="quadratic")
    return net.backprop(x, y)


def _summed_bp1_backprop(
    weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], x: np.ndarray, y: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The gradients a backward pass gives when BP1 is summed over the samples.

    The output error keeps one column, ``sum_j (a_j - y_j) sigma'(z_j)``; BP2 then
    broadcasts it against every sample's ``sigma'(z)``, so the hidden layers get
    gradients of the right shapes and wrong values.  Only the hidden layers' entries
    are meaningful (the last layer's weight gradient needs some reshaping to run).
    """
    zs, acts = [], [x]
    for w, b in zip(weights, biases):
        zs.append(w @ acts[-1] + b)
        acts.append(activations.sigmoid(zs[-1]))
    delta = ((acts[-1] - y) * activations.sigmoid_prime(zs[-1])).sum(axis=1, keepdims=True)
    nabla_b, nabla_w = [None] * len(weights), [None] * len(weights)
    for l in reversed(range(len(weights))):
        nabla_b[l] = delta.sum(axis=1, keepdims=True)
        nabla_w[l] = delta @ acts[l].sum(axis=1, keepdims=True).T if delta.shape[1] == 1 \
            else delta @ acts[l].T
        if l > 0:
            delta = (weights[l].T @ delta) * activations.sigmoid_prime(zs[l - 1])
    return nabla_b, nabla_w


def _as_gradient_lists(result: Any, n_layers: int) -> tuple[list[Any], list[Any]]:
    if result is None:
        raise CheckFailed(msg("four_equations.batch.returned_none"))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailed(msg("four_equations.batch.not_a_pair", type=type(result).__name__))
    nabla_b, nabla_w = result
    for name, grads in [("nabla_b", nabla_b), ("nabla_w", nabla_w)]:
        if not isinstance(grads, (list, tuple)) or len(grads) != n_layers:
            length = len(grads) if isinstance(grads, (list, tuple)) else type(grads).__name__
            raise CheckFailed(msg("four_equations.batch.not_a_list", name=name, layers=n_layers,
                                  got=length))
    return list(nabla_b), list(nabla_w)


def batch_backprop(
    fn: Callable[[list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray], Any],
) -> Verdict:
    """Check a reader's ``batch_backprop(weights, biases, x, y) -> (nabla_b, nabla_w)``.

    The network is sigmoid everywhere with the quadratic cost
    ``C = 1/2 ||a - y||^2`` per sample; ``weights[l]`` has shape
    ``(n_{l+1}, n_l)``, ``biases[l]`` shape ``(n_{l+1}, 1)``, ``x`` shape
    ``(n_0, m)`` and ``y`` shape ``(n_L, m)``.  The result must be the
    gradients of the cost *summed* over the ``m`` samples, in one pass over
    the whole batch (no loop over samples is required, but it is not
    detected either), shaped like the parameters, without changing the inputs.

    Named mistakes: per-sample bias gradients (BP3 not summed), the mean instead of
    the sum, BP1 summed over the samples (recognised from the hidden layers'
    gradients, or hinted at when a product no longer fits), a constant factor on
    every case, inputs changed in place.

    Returns
    -------
    Verdict
        True if every hidden case is right; one line is printed either way.
    """

    def checks() -> None:
        rng = np.random.default_rng(502)
        pairs_seen = []
        summed_bp1 = []  # per case with m > 1 and a hidden layer: is it "BP1 summed"?
        for where, weights, biases, x, y in _bp_cases(rng):
            ws, bs = [w.copy() for w in weights], [b.copy() for b in biases]
            xs, ys = x.copy(), y.copy()
            m = x.shape[1]
            try:
                got = assert_not_mutated(lambda xx, yy: fn(ws, bs, xx, yy), xs, ys,
                                         what="batch_backprop")
            except CheckFailed as failure:
                text = str(failure)
                if m > 1 and isinstance(failure.raised, ValueError) and any(
                        word in str(failure.raised) for word in ("matmul", "aligned", "broadcast")):
                    raise CheckFailed(text + msg("four_equations.batch.matmul_hint")) from None
                raise
            if any(not np.array_equal(a, b) for a, b in zip(ws + bs, weights + biases)):
                raise CheckFailed(msg("four_equations.batch.mutated"))
            nabla_b, nabla_w = _as_gradient_lists(got, len(weights))
            exp_b, exp_w = _reference_backprop(weights, biases, x, y)
            arrays = {}
            for l in reversed(range(len(weights))):
                pairs = [(f"nabla_b[{l}]", nabla_b[l], exp_b[l]), (f"nabla_w[{l}]", nabla_w[l], exp_w[l])]
                for name, g, e in pairs:
                    g_arr = as_number_array(g, name=name, where=where)
                    if name.startswith("nabla_b") and g_arr.shape == (e.shape[0], m) and m > 1:
                        raise CheckFailed(msg("four_equations.batch.bias_columns", name=name,
                                              where=where, got=g_arr.shape, expected=e.shape))
                    averaged = g_arr.shape == e.shape and m > 1 and CLOSE.close(g_arr * m, e)
                    if averaged and not CLOSE.close(g_arr, e):
                        raise CheckFailed(msg("four_equations.batch.mean", name=name, where=where,
                                              m=m))
                    if g_arr.shape != e.shape or not np.all(np.isfinite(g_arr)):
                        compare(g_arr, e, name=name, where=where, tol=CLOSE)
                    pairs_seen.append((f"{name} {where}", g_arr, e))
                    arrays[name] = g_arr
            if m > 1 and len(weights) > 1:
                alt_b, alt_w = _summed_bp1_backprop(weights, biases, x, y)
                summed_bp1.append((where, all(
                    CLOSE.close(arrays[f"nabla_b[{l}]"], alt_b[l])
                    and CLOSE.close(arrays[f"nabla_w[{l}]"], alt_w[l])
                    for l in range(len(weights) - 1)
                )))
        wrong = [p for p in pairs_seen if not CLOSE.close(p[1], p[2])]
        if not wrong:
            return
        if summed_bp1 and all(same for _, same in summed_bp1):
            raise CheckFailed(msg("four_equations.batch.bp1_summed", where=summed_bp1[0][0]))
        # A constant factor only if the same factor holds on every gradient of every case.
        diagnose_factor(
            np.concatenate([g.ravel() for _, g, _ in pairs_seen]),
            np.concatenate([e.ravel() for _, _, e in pairs_seen]),
            msg("four_equations.batch.gradients"), msg("core.every_case"),
        )
        what, g_arr, e = wrong[0]
        bad = first_mismatch(g_arr, e, tol=CLOSE)
        raise CheckFailed(msg("four_equations.batch.wrong_value", what=what, index=bad,
                              got=f"{g_arr[bad]:.6g}"))

    return run_checks(msg("four_equations.batch.correct"), checks)
