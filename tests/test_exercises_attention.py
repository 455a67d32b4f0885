"""The checkers of the attention chapter accept the reference solutions and name typical mistakes."""

import numpy as np
import pytest

from bplib.attention import scaled_dot_product_attention, scaled_dot_product_attention_backward
from bplib.exercises import check


def T(a):
    return np.swapaxes(a, -1, -2)


# ------------------------------------------------------------- attention_backward


def attention_backward(dO, Q, K, V, A, *, softmax="vjp", scale="sqrt", dK_t=True, dV_t=True,
                       dQ_t=False):
    d = Q.shape[-1]
    factor = {"sqrt": 1 / np.sqrt(d), "none": 1.0, "d": 1 / d}[scale]
    dV = (T(A) if dV_t else A) @ dO
    dA = dO @ T(V)
    if softmax == "vjp":
        dS = A * (dA - np.sum(dA * A, axis=-1, keepdims=True))
    elif softmax == "diagonal":
        dS = dA * A * (1 - A)
    else:
        dS = dA
    dQ = (T(dS) if dQ_t else dS) @ K * factor
    dK = (T(dS) if dK_t else dS) @ Q * factor
    return dQ, dK, dV


def _library(dO, Q, K, V, A):
    return scaled_dot_product_attention_backward(dO, Q, K, V, A)


def _mutating(dO, Q, K, V, A):
    dO *= 1.0
    A -= 0.0
    V[...] = V + 1.0
    return attention_backward(dO, Q, K, V - 1.0, A)


@pytest.mark.parametrize("right", [attention_backward, _library])
def test_attention_backward_accepts_solutions(right, capsys):
    assert check.attention_backward(right).ok is True
    assert capsys.readouterr().out.startswith("Correct: ")


@pytest.mark.parametrize("wrong, message", [
    (lambda *a: attention_backward(*a, softmax="diagonal"), "only the diagonal of each row's"),
    (lambda *a: attention_backward(*a, softmax="diagonal", scale="none"),
     "diagonal dA ⊙ A (1 − A) alone, and the 1/√d is missing too"),
    (lambda *a: attention_backward(*a, softmax="none"), "uses dS = dA"),
    (lambda *a: attention_backward(*a, scale="none"), "√d = √4 times too large"),
    (lambda *a: attention_backward(*a, scale="d"), "divided by d = 4 (1/√d applied twice?)"),
    (lambda *a: attention_backward(*a, dK_t=False), "dK = dSᵀ Q/√d"),
    (lambda *a: attention_backward(*a, dQ_t=True), "the transpose belongs to dK"),
    (lambda *a: attention_backward(*a, dV_t=False), "dV = Aᵀ dO"),
    (lambda *a: attention_backward(*a)[:2], "return the three gradients as a tuple"),
    (_mutating, "changed its argument #4 in place"),
    (lambda *a: None, "return the three gradients"),
])
def test_attention_backward_rejects(wrong, message, capsys):
    assert check.attention_backward(wrong).ok is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and message in out and out.count("\n") == 1, out


# ------------------------------------------------------- masked_attention_weights


def masked_attention_weights(S, allowed):
    empty = ~allowed.any(axis=-1)
    if empty.any():
        raise ValueError("a query with no key")
    masked = np.where(allowed, S, -np.inf)
    e = np.exp(masked - masked.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _renormalized(S, allowed):
    # the softmax, zeroed, then renormalised: the same weights in exact arithmetic, but the
    # shift by a forbidden score underflows every allowed term at the scores of 900
    if not allowed.any(axis=-1).all():
        raise ValueError("a query with no key")
    e = np.exp(S - S.max(axis=-1, keepdims=True)) * allowed
    return e / e.sum(axis=-1, keepdims=True)


def _softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _no_check(S, allowed):
    masked = np.where(allowed, S, -np.inf)
    e = np.exp(masked - masked.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _zeros_for_empty(S, allowed):
    out = np.zeros_like(S)
    keep = allowed.any(axis=-1)
    out[keep] = masked_attention_weights(S[keep], allowed[keep])
    return out


def _uniform_for_empty(S, allowed):
    out = np.full_like(S, 1 / S.shape[-1])
    keep = allowed.any(axis=-1)
    out[keep] = masked_attention_weights(S[keep], allowed[keep])
    return out


def _always_raises(S, allowed):
    raise ValueError("no key")


def _type_error(S, allowed):
    if not allowed.any(axis=-1).all():
        raise TypeError("no key")
    return masked_attention_weights(S, allowed)


def _naive(S, allowed):
    if not allowed.any(axis=-1).all():
        raise ValueError("no key")
    e = np.exp(S) * allowed
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("right", [masked_attention_weights])
def test_masked_attention_weights_accepts_solutions(right, capsys):
    assert check.masked_attention_weights(right).ok is True
    assert capsys.readouterr().out.startswith("Correct: ")


@pytest.mark.parametrize("wrong, message", [
    (lambda S, m: _softmax(S) * m, "set the forbidden scores to −∞ BEFORE the softmax"),
    (lambda S, m: _softmax(np.where(m, S, 0.0)), "e⁰ = 1 is not 0"),
    (lambda S, m: masked_attention_weights(S, ~m), "nonzero exactly where the mask is False"),
    (_always_raises, "the mask read the wrong way round?"),
    (lambda S, m: T(_no_check(T(S), T(m))), "down the columns (axis=0)"),
    (_naive, "exp of a score of 800 overflows"),
    (_renormalized, "subtract each row's largest allowed score"),
    (_no_check, "returned NaN in that row"),
    (_zeros_for_empty, "returned a row of zeros"),
    (_uniform_for_empty, "raise a ValueError instead"),
    (_type_error, "raised TypeError"),
])
def test_masked_attention_weights_rejects(wrong, message, capsys):
    assert check.masked_attention_weights(wrong).ok is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and message in out and out.count("\n") == 1, out


# --------------------------------------------------- self_attention_input_gradient


def _paths(x, Wq, Wk, Wv, dout):
    Q, K, V = x @ Wq, x @ Wk, x @ Wv
    _, A = scaled_dot_product_attention(Q, K, V, return_weights=True)
    dQ, dK, dV = scaled_dot_product_attention_backward(dout, Q, K, V, A)
    return {"Q": dQ @ Wq.T, "K": dK @ Wk.T, "V": dV @ Wv.T}, (dQ, dK, dV)


def self_attention_input_gradient(x, Wq, Wk, Wv, dout):
    return sum(_paths(x, Wq, Wk, Wv, dout)[0].values())


def test_self_attention_input_gradient_accepts_the_solution(capsys):
    assert check.self_attention_input_gradient(self_attention_input_gradient).ok is True
    assert capsys.readouterr().out.startswith("Correct: ")


@pytest.mark.parametrize("wrong, message", [
    (lambda *a: _paths(*a)[0]["V"], "is the V path alone"),
    (lambda *a: _paths(*a)[0]["Q"], "is the Q path alone"),
    (lambda *a: _paths(*a)[0]["Q"] + _paths(*a)[0]["V"], "also feeds the K projection"),
    (lambda *a: self_attention_input_gradient(*a) / 3, "the mean of the three paths"),
    (lambda x, Wq, Wk, Wv, g: sum(d @ W for d, W in zip(_paths(x, Wq, Wk, Wv, g)[1], (Wq, Wk, Wv))),
     "instead of their transposes"),
    (lambda *a: -self_attention_input_gradient(*a), "the wrong sign"),
])
def test_self_attention_input_gradient_rejects(wrong, message, capsys):
    assert check.self_attention_input_gradient(wrong).ok is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and message in out and out.count("\n") == 1, out
