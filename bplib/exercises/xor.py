"""Checkers for the exercises of the chapter "Learning XOR" (article 001).

``xor_bias_backward`` checks the chapter's fixed network, in article 001's row
convention: a batch ``X`` of shape (N, 2) (one sample per row), hidden layer
``H = sigmoid(X @ W1 + b1)`` with ``W1`` of shape (2, 2) (``W1[i, j]`` joins
input ``i`` to hidden unit ``j``) and ``b1`` (1, 2), output
``y_hat = sigmoid(H @ W2 + b2)`` with ``W2`` (2, 1) and ``b2`` (1, 1), and the
mean binary cross-entropy.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from bplib import activations
from bplib.exercises._core import (
    CLOSE,
    CheckFailed,
    Verdict,
    assert_not_mutated,
    compare,
    diagnose_factor,
    run_checks,
)
from bplib.exercises.messages import msg

__all__ = ["xor_bias_backward"]

# ------------------------------------------------ the fixed network: biases, cross-entropy

BiasBackward = Callable[..., Any]
_BIAS_NAMES = ("dW1", "db1", "dW2", "db2")


def _bias_backward(
    X: np.ndarray,
    y: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
    *,
    sum_biases: bool = True,
    bias_scale: float = 1.0,
    output_prime: bool = False,
    prime_of: str = "activation",
    mean: bool = True,
    mse: bool = False,
    through_W2: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the mean binary cross-entropy: ``(dW1, db1, dW2, db2)``.

    The switches build the wrong answers the checker names: ``sum_biases=False``
    returns the per-sample bias gradients (the rows of delta, not their sum),
    ``bias_scale=1/N`` averages deltas that already carry the 1/N,
    ``output_prime=True`` keeps the factor y_hat (1 - y_hat) of the MSE in the
    output delta, and ``prime_of="z"`` feeds the helper a (1 - a) with z;
    ``mean=False`` forgets the 1/N of the mean, ``mse=True`` uses the output delta of
    the chapter's MSE network, 2/N (y_hat - y) y_hat (1 - y_hat), and
    ``through_W2=False`` leaves W2 out of delta1.
    """
    n = X.shape[0]
    Z1 = X @ W1 + b1                      # (N, 2)
    H = activations.sigmoid(Z1)
    Z2 = H @ W2 + b2                      # (N, 1)
    y_hat = activations.sigmoid(Z2)
    delta2 = (y_hat - y) / (n if mean else 1)  # (N, 1): dC/dz2, the sigmoid's sigma' cancels
    if output_prime:
        delta2 = delta2 * y_hat * (1.0 - y_hat)
    if mse:
        delta2 = 2.0 * delta2 * y_hat * (1.0 - y_hat)
    d_hid = H * (1.0 - H) if prime_of == "activation" else Z1 * (1.0 - Z1)
    delta1 = (delta2 @ W2.T if through_W2 else delta2) * d_hid      # (N, 2)
    if sum_biases:
        db1 = bias_scale * delta1.sum(axis=0, keepdims=True)
        db2 = bias_scale * delta2.sum(axis=0, keepdims=True)
    else:
        db1, db2 = delta1, delta2
    return X.T @ delta1, db1, H.T @ delta2, db2


def _bias_cases(rng: np.random.Generator) -> list[tuple[str, tuple[np.ndarray, ...]]]:
    """Hidden (where, (X, y, W1, b1, W2, b2)) cases: XOR, then random batches."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    cases = []
    for where, X_, y_ in [(msg("case.xor_batch"), X, y)] + [
        (msg("case.hidden_batch", n=n),
         rng.uniform(-2.0, 2.0, size=(n, 2)), rng.uniform(0.0, 1.0, size=(n, 1)))
        for n in (3, 7, 16)
    ]:
        params = (
            rng.normal(scale=1.5, size=(2, 2)), rng.normal(size=(1, 2)),
            rng.normal(scale=1.5, size=(2, 1)), rng.normal(size=(1, 1)),
        )
        cases.append((where, (X_, y_) + params))
    return cases


_BIAS_MISTAKES: list[tuple[str, dict[str, Any]]] = [
    ("xor.output_prime", {"output_prime": True}),
    ("xor.mse_delta", {"mse": True}),
    ("xor.mse_delta", {"mse": True, "mean": False}),
    ("xor.prime_on_z", {"prime_of": "z"}),
    ("xor.bias_mean", {"bias_scale": "1/N"}),
    ("xor.no_mean", {"mean": False}),
    ("xor.no_W2", {"through_W2": False}),
]


def _bias_flat(results: list[tuple[Any, ...]], shapes: list[tuple[tuple[int, ...], ...]]):
    """All results as one vector, or None if any is not finite or has another shape."""
    parts = []
    for result, want in zip(results, shapes):
        for got, shape in zip(result, want):
            try:
                arr = np.asarray(got, dtype=float)
            except (TypeError, ValueError):
                return None
            if arr.shape != shape or not np.all(np.isfinite(arr)):
                return None
            parts.append(arr.ravel())
    return np.concatenate(parts)


def xor_bias_backward(fn: BiasBackward) -> Verdict:
    """Check a reader's ``xor_bias_backward(X, y, W1, b1, W2, b2)``.

    The network is ``H = sigmoid(X @ W1 + b1)``, ``y_hat = sigmoid(H @ W2 + b2)``
    with ``X`` (N, 2), ``y`` (N, 1), ``W1`` (2, 2), ``b1`` (1, 2), ``W2``
    (2, 1), ``b2`` (1, 1), and the cost is the mean binary cross-entropy
    ``C = -mean(y ln y_hat + (1 - y) ln(1 - y_hat))``.  The function must
    return ``(dW1, db1, dW2, db2)``, the gradients of ``C``, each with the shape
    of its parameter, and leave its inputs unchanged.

    Named mistakes: per-sample bias gradients, a transposed ``dW1``, the output
    delta keeping ``y_hat (1 - y_hat)``, the MSE network's output delta, the helper
    ``a (1 - a)`` fed ``z``, bias gradients averaged, the 1/N of the mean missing,
    ``W2`` missing from ``delta1``.

    Returns
    -------
    Verdict
        True if every hidden case is right; prints one line either way.
    """

    def checks() -> None:
        cases = _bias_cases(np.random.default_rng(402))
        results = []
        with np.errstate(all="ignore"):
            for where, args in cases:
                got = assert_not_mutated(
                    fn, *(a.copy() for a in args), what="xor_bias_backward"
                )
                if got is None:
                    raise CheckFailed(msg("xor.returned_none"))
                if not isinstance(got, (tuple, list)) or len(got) != 4:
                    raise CheckFailed(msg("xor.not_four", type=type(got).__name__))
                results.append(tuple(got))
            expected = [_bias_backward(*args) for _, args in cases]
            right_shapes = [tuple(e.shape for e in exp) for exp in expected]
            per_sample = [tuple(e.shape for e in _bias_backward(*args, sum_biases=False))
                          for _, args in cases]
            if _bias_flat(results, per_sample) is not None and any(
                    args[0].shape[0] > 1 for _, args in cases):
                summed = [(r[0], np.sum(r[1], axis=0, keepdims=True), r[2],
                           np.sum(r[3], axis=0, keepdims=True)) for r in results]
                if CLOSE.close(_bias_flat(summed, right_shapes),
                               _bias_flat(expected, right_shapes)):
                    raise CheckFailed(msg("xor.bias_per_sample"))
            got_flat = _bias_flat(results, right_shapes)
            if got_flat is not None:
                want = _bias_flat(expected, right_shapes)
                if not CLOSE.close(got_flat, want):
                    transposed = [(e[0].T,) + tuple(e[1:]) for e in expected]
                    if CLOSE.close(got_flat, _bias_flat(transposed, right_shapes)):
                        raise CheckFailed(msg("xor.transposed"))
                    sizes = ", ".join(str(args[0].shape[0]) for _, args in cases)
                    for message_id, switches in _BIAS_MISTAKES:
                        if switches.get("bias_scale") == "1/N":
                            candidate = [_bias_backward(*args, bias_scale=1.0 / args[0].shape[0])
                                         for _, args in cases]
                        else:
                            candidate = [_bias_backward(*args, **switches) for _, args in cases]
                        if CLOSE.close(got_flat, _bias_flat(candidate, right_shapes)):
                            raise CheckFailed(msg(message_id, sizes=sizes))
                    diagnose_factor(got_flat, want, "(dW1, db1, dW2, db2)",
                                    msg("core.every_case"))
        for (where, _), got, exp in zip(cases, results, expected):
            for name, g, e in zip(_BIAS_NAMES, got, exp):
                compare(g, e, name=name, where=where, tol=CLOSE)

    return run_checks(msg("xor.correct"), checks)
