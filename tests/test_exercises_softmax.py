"""The checkers of the softmax chapter accept the reference solutions and name typical mistakes."""

import numpy as np
import pytest

from bplib.exercises import check


def softmax(z, axis=-1):
    """Softmax over ``axis``; ``axis=None``: each row's, shifted by the batch's one maximum."""
    e = np.exp(z - z.max(axis=axis, keepdims=True)) if axis is not None else np.exp(z - z.max())
    return e / e.sum(axis=-1 if axis is None else axis, keepdims=True)


# ------------------------------------------------------------- softmax_backward


def softmax_backward(a, dout):
    return a * (dout - np.sum(dout * a, axis=1, keepdims=True))


def _built_jacobians(a, dout):
    # right, but builds each sample's K x K Jacobian: accepted (the chapter says why not to)
    return np.stack([(np.diag(row) - np.outer(row, row)) @ g for row, g in zip(a, dout)])


def _mutating_vjp(a, dout):
    dout -= np.sum(dout * a, axis=1, keepdims=True)
    return a * dout


@pytest.mark.parametrize("right", [softmax_backward, _built_jacobians])
def test_softmax_backward_accepts_solutions(right, capsys):
    assert check.softmax_backward(right).ok is True
    assert capsys.readouterr().out.startswith("Correct: ")


@pytest.mark.parametrize("wrong, message", [
    (lambda a, g: g * a * (1 - a), "only the Jacobian's diagonal"),
    (lambda a, g: g * a, "the - a a^T part is missing"),
    (lambda a, g: a * (g + np.sum(g * a, axis=1, keepdims=True)), "diag(a) MINUS a a^T"),
    (lambda a, g: a * (g - g.sum(axis=1, keepdims=True)), "subtracts the plain sum of dout"),
    (lambda a, g: g - np.sum(g * a, axis=1, keepdims=True), "must be multiplied by a"),
    (lambda a, g: a * (g - np.sum(g * a)), "one sum over the whole batch"),
    (lambda a, g: a * (g - np.sum(g * a, axis=0)), "over the batch axis (axis=0)"),
    (lambda a, g: a * (g - np.sum(g * a, axis=1)), "keepdims=True"),
    (lambda a, g: softmax_backward(a, g) / len(a), "the 1/m belongs to the loss's gradient"),
    (lambda a, g: np.diag(a[0]) - np.outer(a[0], a[0]), "that is the Jacobian itself"),
    (lambda a, g: -softmax_backward(a, g), "the wrong sign"),
    (_mutating_vjp, "changed its argument #2 in place"),
    (lambda a, g: None, "did you forget to `return` it?"),
])
def test_softmax_backward_rejects(wrong, message, capsys):
    assert check.softmax_backward(wrong).ok is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and message in out and out.count("\n") == 1, out


# ------------------------------------------------- softmax_cross_entropy_backward


def softmax_cross_entropy_backward(z, t):
    return (softmax(z) - t) / len(z)


def naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def test_softmax_cross_entropy_backward_accepts_the_solution(capsys):
    assert check.softmax_cross_entropy_backward(softmax_cross_entropy_backward).ok is True
    out = capsys.readouterr().out
    assert out.startswith("Correct: ") and "A note" not in out


@pytest.mark.parametrize("wrong, message", [
    (lambda z, t: softmax(z) - t, "the division by the batch size is missing"),
    (lambda z, t: (softmax(z) - t) / len(z) ** 2, "divided by m = 4 twice"),
    (lambda z, t: (softmax(z) - t) / z.size, "the number of elements"),
    (lambda z, t: (t - softmax(z)) / len(z), "the wrong sign"),
    (lambda z, t: (z - t) / len(z), "uses the logits z"),
    (lambda z, t: (softmax(z, axis=0) - t) / len(z), "normalised over the batch (axis=0)"),
    (lambda z, t: -t * (1 - softmax(z)) / len(z), "the softmax's diagonal a (1 - a) only"),
    (lambda z, t: -t * (1 - softmax(z)), "and without the division by m = 4"),
    (lambda z, t: (naive_softmax(z) - t) / len(z), "exp(z) overflows beyond z = 709.78"),
    (lambda z, t: (softmax(z, axis=None) - t) / len(z), "one maximum for the whole batch"),
    (lambda z, t: None, "did you forget to `return` it?"),
])
def test_softmax_cross_entropy_backward_rejects(wrong, message, capsys):
    assert check.softmax_cross_entropy_backward(wrong).ok is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and message in out and out.count("\n") == 1, out


# ------------------------------------------------------------------- logsumexp


def logsumexp(z):
    m = z.max(axis=-1, keepdims=True)
    return (m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True)))[..., 0]


def _mutating_lse(z):
    m = z.max(axis=-1, keepdims=True)
    z -= m
    return (m + np.log(np.sum(np.exp(z), axis=-1, keepdims=True)))[..., 0]


def test_logsumexp_accepts_solutions(capsys):
    assert check.logsumexp(logsumexp).ok is True
    out = capsys.readouterr().out
    assert out.startswith("Correct: ") and "A note" not in out


def _one_max(z):
    m = z.max()
    return m + np.log(np.sum(np.exp(z - m), axis=-1))


@pytest.mark.parametrize("wrong, message", [
    (lambda z: np.log(np.sum(np.exp(z), axis=-1)), "the naive log(sum(exp(z))) overflows"),
    (_one_max, "one maximum for the whole batch"),
    (lambda z: logsumexp(z) - z.max(axis=-1), "add it back outside the log"),
    (lambda z: z.max(axis=-1), "each row's maximum M alone"),
    (lambda z: logsumexp(z)[..., None], "a column"),
    (lambda z: logsumexp(z) + 1.0, "logsumexp(z) on a (3, 4) matrix is wrong at index (0,)"),
    (_mutating_lse, "changed its argument #1 in place"),
    (lambda z: None, "did you forget to `return` it?"),
])
def test_logsumexp_rejects(wrong, message, capsys):
    assert check.logsumexp(wrong).ok is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and message in out and out.count("\n") == 1, out
