"""Checkers for the exercises of the chapter "A worked example by hand" (article 003).

The network is article 003's: two inputs, two sigmoid hidden units, one
sigmoid output, no biases, cost ``C = 1/2 (y - y_hat)^2``.  Shapes follow the
chapter's convention ``z1 = W0 @ x`` (article 003 calls ``z1`` ``h``):

- ``W0`` has shape (2, 2); ``W0[j, n]`` is the weight from input ``x_n`` to
  hidden unit ``j`` (the article's corrected index convention ``W_{jn}``);
- ``W1`` has shape (1, 2); ``W1[0, j]`` is the weight from hidden unit ``j``
  to the output;
- ``x`` has shape (2,) and ``y`` is a float.
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

__all__ = ["backward_2_2_1"]

Backward = Callable[[np.ndarray, np.ndarray, np.ndarray, float], Any]


def _backward(
    W0: np.ndarray,
    W1: np.ndarray,
    x: np.ndarray,
    y: float,
    *,
    dloss: str = "derivative",
    output_prime: bool = True,
    hidden_prime: bool = True,
    prime_on_z: bool = False,
    hidden_on_z: bool | None = None,
    output_on_z: bool | None = None,
    through_W1: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients ``(dC/dW0, dC/dW1)`` of the 2-2-1 network, shapes (2, 2) and (1, 2).

    The keyword switches build the classic wrong answers the checker
    recognises: ``dloss="loss"`` uses the loss ``1/2 (y - y_hat)^2`` where its
    derivative belongs, ``output_prime=False`` / ``hidden_prime=False`` drop a
    factor ``sigma'``, ``prime_on_z=True`` computes ``sigma'`` as ``t (1 - t)`` on
    the weighted inputs ``t = z1`` and ``t = z2`` instead of on the activations
    (``hidden_on_z`` / ``output_on_z`` do it in one layer only), and
    ``through_W1=False`` leaves the weights ``W1`` out of the hidden errors.
    """
    hidden_on_z = prime_on_z if hidden_on_z is None else hidden_on_z
    output_on_z = prime_on_z if output_on_z is None else output_on_z
    h = W0 @ x                       # (2,)
    z = activations.sigmoid(h)       # (2,)
    zy = float(W1[0] @ z)
    y_hat = float(activations.sigmoid(np.array(zy)))
    dl = y_hat - y if dloss == "derivative" else 0.5 * (y - y_hat) ** 2
    out_prime = zy * (1.0 - zy) if output_on_z else y_hat * (1.0 - y_hat)
    hid_prime = h * (1.0 - h) if hidden_on_z else z * (1.0 - z)
    delta_out = dl * (out_prime if output_prime else 1.0)
    dW1 = delta_out * z[np.newaxis, :]                                  # (1, 2)
    weights = W1[0] if through_W1 else 1.0
    delta_h = delta_out * weights * (hid_prime if hidden_prime else 1.0)  # (2,)
    dW0 = np.outer(delta_h, x)                                          # (2, 2)
    return dW0, dW1


def _article_script(W0: np.ndarray, W1: np.ndarray, x: np.ndarray, y: float) -> tuple[np.ndarray, np.ndarray]:
    """Minus the change article 003's script makes (learning rate 1), as a "gradient"."""
    l0 = x.reshape(2, 1)
    l1 = activations.sigmoid(W0 @ l0)
    l2 = activations.sigmoid(W1 @ l1)
    l2_delta = (y - l2) * l2 * (1 - l2)
    l1_delta = (l2_delta * W1) * (l1 * (1 - l1))  # (1, 2) * (2, 1) broadcasts to (2, 2)
    dW0 = -np.broadcast_to(l0.T @ l1_delta, (2, 2))
    return dW0, -(l2_delta * l1.T)


def _cases(rng: np.random.Generator) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray, float]]:
    """Hidden (where, W0, W1, x, y) cases: the article's numbers, then random ones."""
    cases = [(
        msg("case.article_example"),
        np.array([[0.1, 0.8], [0.4, 0.6]]), np.array([[0.3, 0.9]]), np.array([0.35, 0.9]), 0.5,
    )]
    for k in range(4):
        cases.append((
            msg("case.hidden_random", k=k + 1),
            rng.normal(scale=1.5, size=(2, 2)),
            rng.normal(scale=1.5, size=(1, 2)),
            rng.uniform(-2.0, 2.0, size=2),
            float(rng.uniform(0.0, 1.0)),
        ))
    cases.append((
        msg("case.saturated"),
        np.array([[40.0, -30.0], [-25.0, 35.0]]), np.array([[20.0, -20.0]]), np.array([1.0, -1.0]), 0.3,
    ))
    return cases


def _as_pair(result: Any) -> tuple[Any, Any]:
    if result is None:
        raise CheckFailed(msg("worked_example.returned_none"))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailed(msg("worked_example.not_a_pair", type=type(result).__name__))
    return result[0], result[1]


def _flat(pairs: list[tuple[Any, Any]]) -> np.ndarray | None:
    """All results concatenated, or None if any is not a finite (2, 2), (1, 2) pair."""
    parts = []
    for dW0, dW1 in pairs:
        try:
            a, b = np.asarray(dW0, dtype=float), np.asarray(dW1, dtype=float)
        except (TypeError, ValueError):
            return None
        if a.shape != (2, 2) or b.size != 2 or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            return None
        parts += [a.ravel(), b.ravel()]
    return np.concatenate(parts)


_MISTAKES: list[tuple[str, Callable[..., tuple[np.ndarray, np.ndarray]]]] = [
    ("worked_example.transposed", lambda *a: (_backward(*a)[0].T, _backward(*a)[1])),
    ("worked_example.loss_not_derivative", lambda *a: _backward(*a, dloss="loss")),
    ("worked_example.no_output_prime", lambda *a: _backward(*a, output_prime=False)),
    ("worked_example.no_hidden_prime", lambda *a: _backward(*a, hidden_prime=False)),
    ("worked_example.prime_on_z_both", lambda *a: _backward(*a, prime_on_z=True)),
    ("worked_example.prime_on_z_hidden", lambda *a: _backward(*a, hidden_on_z=True)),
    ("worked_example.prime_on_z_output", lambda *a: _backward(*a, output_on_z=True)),
    ("worked_example.no_W1", lambda *a: _backward(*a, through_W1=False)),
    ("worked_example.article_script", _article_script),
]


def backward_2_2_1(fn: Backward) -> Verdict:
    """Check a reader's ``backward_2_2_1(W0, W1, x, y) -> (dW0, dW1)``.

    Parameters of the reader's function: ``W0`` (2, 2), ``W1`` (1, 2), ``x``
    (2,), ``y`` float, for the network ``y_hat = sigma(W1 @ sigma(W0 @ x))``
    with loss ``1/2 (y - y_hat)^2``.  It must return the gradients
    ``dC/dW0`` (2, 2) and ``dC/dW1`` (1, 2) and leave its inputs unchanged.
    Named mistakes: a transposed ``dW0``, the loss for its derivative, a missing
    sigma' (output or hidden), sigma' taken on the weighted inputs (in both layers
    or in one), ``W1`` missing from the hidden errors, the article script's update.

    Returns
    -------
    Verdict
        True if every hidden case is right; prints one line either way.
    """

    def checks() -> None:
        rng = np.random.default_rng(303)
        cases = _cases(rng)
        results = []
        with np.errstate(all="ignore"):
            for where, W0, W1, x, y in cases:
                got = _as_pair(assert_not_mutated(
                    lambda a, b, c: fn(a, b, c, y), W0.copy(), W1.copy(), x.copy(),
                    what="backward_2_2_1",
                ))
                results.append((where, W0, W1, x, y, got))
        got_flat = _flat([r[5] for r in results])
        if got_flat is not None:
            expected = _flat([_backward(W0, W1, x, y) for _, W0, W1, x, y, _ in results])
            if not CLOSE.close(got_flat, expected):
                for message_id, mistake in _MISTAKES:
                    candidate = _flat([mistake(W0, W1, x, y) for _, W0, W1, x, y, _ in results])
                    if CLOSE.close(got_flat, candidate):
                        raise CheckFailed(msg(message_id))
                diagnose_factor(got_flat, expected, "(dW0, dW1)", msg("core.every_case"))
        for where, W0, W1, x, y, (dW0, dW1) in results:
            ref0, ref1 = _backward(W0, W1, x, y)
            if dW1 is not None and np.shape(dW1) == (2,):
                ref1 = ref1[0]  # accept a flat (2,) dW1 as well
            compare(dW1, ref1, name="dW1", where=where, tol=CLOSE)
            compare(dW0, ref0, name="dW0", where=where, tol=CLOSE)

    return run_checks(msg("worked_example.correct"), checks)
