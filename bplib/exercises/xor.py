"""Checkers for the exercises of the chapter "Learning XOR" (article 001).

The network is article 001's, in its row convention: a batch ``X`` of shape
(N, 2) (one sample per row), hidden layer ``H = sigmoid(X @ W1)`` with ``W1``
of shape (2, 2) (``W1[i, j]`` joins input ``i`` to hidden unit ``j``), output
``y_hat = sigmoid(H @ W2)`` with ``W2`` of shape (2, 1), no biases, and the
loss ``MSE = mean over the N rows of (y_hat - y)^2``.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from bplib import activations
from bplib.exercises._core import (
    CheckFailed,
    assert_not_mutated,
    compare,
    diagnose_factor,
    run_checks,
)

__all__ = ["xor_backward"]

Backward = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], Any]


def _backward(
    X: np.ndarray,
    y: np.ndarray,
    W1: np.ndarray,
    W2: np.ndarray,
    *,
    scale: str = "2/N",
    sign: float = 1.0,
    prime_of: str = "activation",
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients ``(dMSE/dW1, dMSE/dW2)``, shapes (2, 2) and (2, 1).

    The keyword switches build the classic wrong answers the checker
    recognises: ``scale`` is the factor in front of ``y_hat - y`` (``"2/N"``
    is right; ``"1"``, ``"2"`` and ``"1/N"`` drop part of it), ``sign=-1``
    gives the article's update direction, and ``prime_of="z"`` applies the
    helper ``a (1 - a)`` to the pre-activations instead of the activations.
    """
    n = X.shape[0]
    Z1 = X @ W1                          # (N, 2) hidden pre-activations
    H = activations.sigmoid(Z1)          # (N, 2)
    Z2 = H @ W2                          # (N, 1)
    y_hat = activations.sigmoid(Z2)      # (N, 1)
    factor = {"2/N": 2.0 / n, "1": 1.0, "2": 2.0, "1/N": 1.0 / n}[scale]
    if prime_of == "activation":
        d_out, d_hid = y_hat * (1.0 - y_hat), H * (1.0 - H)
    else:
        d_out, d_hid = Z2 * (1.0 - Z2), Z1 * (1.0 - Z1)
    delta_out = sign * factor * (y_hat - y) * d_out     # (N, 1)
    delta_hid = (delta_out @ W2.T) * d_hid              # (N, 2)
    return X.T @ delta_hid, H.T @ delta_out             # (2, 2), (2, 1)


def _cases(rng: np.random.Generator) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Hidden (where, X, y, W1, W2) cases: XOR itself, then random batches of several sizes."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    cases = [(
        "on the XOR batch",
        X, np.array([[0.0], [1.0], [1.0], [0.0]]),
        rng.normal(size=(2, 2)), rng.normal(size=(2, 1)),
    )]
    for n in (1, 3, 7, 16):
        cases.append((
            f"on a hidden random batch of N = {n} rows",
            rng.uniform(-2.0, 2.0, size=(n, 2)),
            rng.uniform(0.0, 1.0, size=(n, 1)),
            rng.normal(scale=1.5, size=(2, 2)),
            rng.normal(scale=1.5, size=(2, 1)),
        ))
    return cases


_MISTAKES: list[tuple[str, dict[str, Any]]] = [
    ("this is minus N/2 times the gradient: it is the article's update direction "
     "(y - y_hat) without the factor 2/N; the gradient of the MSE has (2/N) (y_hat - y)",
     {"scale": "1", "sign": -1.0}),
    ("the gradient has the wrong sign: d/dy_hat (y_hat - y)^2 is 2 (y_hat - y), not 2 (y - y_hat)",
     {"sign": -1.0}),
    ("the factor 2/N of the MSE derivative is missing: the MSE is a mean over the N rows "
     "of a square", {"scale": "1"}),
    ("the 1/N of the mean is missing (the result is N times too large)", {"scale": "2"}),
    ("the 2 from differentiating the square is missing (the result is half the gradient)",
     {"scale": "1/N"}),
    ("you applied the helper a (1 - a) to the pre-activations z; it gives sigma'(z) only "
     "when it is fed the activation a = sigmoid(z)", {"prime_of": "z"}),
]


def _as_pair(result: Any) -> tuple[Any, Any]:
    if result is None:
        raise CheckFailed("xor_backward returned None: did you forget to `return dW1, dW2`?")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailed(f"xor_backward must return a pair (dW1, dW2), got {type(result).__name__}")
    return result[0], result[1]


def _flat(pairs: list[tuple[Any, Any]]) -> np.ndarray | None:
    """All results concatenated, or None if any is not a finite (2, 2), (2, 1) pair."""
    parts = []
    for dW1, dW2 in pairs:
        try:
            a, b = np.asarray(dW1, dtype=float), np.asarray(dW2, dtype=float)
        except (TypeError, ValueError):
            return None
        if a.shape != (2, 2) or b.shape != (2, 1) or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            return None
        parts += [a.ravel(), b.ravel()]
    return np.concatenate(parts)


def xor_backward(fn: Backward) -> bool:
    """Check a reader's ``xor_backward(X, y, W1, W2) -> (dW1, dW2)``.

    Parameters of the reader's function: ``X`` (N, 2), ``y`` (N, 1), ``W1``
    (2, 2), ``W2`` (2, 1), for ``y_hat = sigmoid(sigmoid(X @ W1) @ W2)`` and
    ``MSE = mean((y_hat - y) ** 2)``.  It must return the gradients
    ``dMSE/dW1`` (2, 2) and ``dMSE/dW2`` (2, 1) and leave its inputs unchanged.

    Returns
    -------
    bool
        True if every hidden case is right; prints one line either way.
    """

    def checks() -> None:
        cases = _cases(np.random.default_rng(401))
        results = []
        with np.errstate(all="ignore"):
            for where, X, y, W1, W2 in cases:
                got = _as_pair(assert_not_mutated(
                    fn, X.copy(), y.copy(), W1.copy(), W2.copy(), what="xor_backward"
                ))
                results.append((where, X, y, W1, W2, got))
            got_flat = _flat([r[5] for r in results])
            if got_flat is not None:
                expected = _flat([_backward(X, y, W1, W2) for _, X, y, W1, W2, _ in results])
                if not np.allclose(got_flat, expected, rtol=1e-6, atol=1e-10):
                    transposed = _flat([
                        (_backward(X, y, W1, W2)[0].T, _backward(X, y, W1, W2)[1])
                        for _, X, y, W1, W2, _ in results
                    ])
                    if np.allclose(got_flat, transposed, rtol=1e-6, atol=1e-10):
                        raise CheckFailed(
                            "dW1 is transposed: with H = sigmoid(X @ W1), entry [i, j] joins input i "
                            "to hidden unit j, so dW1 = X.T @ delta_hidden, shape (2, 2)"
                        )
                    for message, switches in _MISTAKES:
                        candidate = _flat([
                            _backward(X, y, W1, W2, **switches) for _, X, y, W1, W2, _ in results
                        ])
                        if np.allclose(got_flat, candidate, rtol=1e-6, atol=1e-10):
                            raise CheckFailed(message)
                    diagnose_factor(got_flat, expected, "(dW1, dW2)", " on every hidden case")
        for where, X, y, W1, W2, (dW1, dW2) in results:
            ref1, ref2 = _backward(X, y, W1, W2)
            compare(dW2, ref2, name="dW2", where=where, rtol=1e-6, atol=1e-10)
            compare(dW1, ref1, name="dW1", where=where, rtol=1e-6, atol=1e-10)

    return run_checks(
        "xor_backward matches the gradient of the MSE on the XOR batch and on every hidden batch.",
        checks,
    )
