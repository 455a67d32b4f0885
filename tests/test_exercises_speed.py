"""The checkers of the speed chapter accept the reference solutions and reject typical mistakes."""

import numpy as np
import pytest

from bplib.exercises import check


def count_flops(sizes, batch):
    layers = list(zip(sizes[:-1], sizes[1:]))
    forward = batch * sum(i * o for i, o in layers)
    return forward, forward + batch * sum(i * o for i, o in layers[1:])


def folded_gradient(delta, a_prev):
    ones = np.ones((1, a_prev.shape[1]))
    return delta @ np.vstack([a_prev, ones]).T


def test_count_flops_accepts_solution(capsys):
    assert check.count_flops(count_flops).ok is True
    assert capsys.readouterr().out.startswith("Correct: ")


@pytest.mark.parametrize("wrong, message", [
    (lambda s, b: (count_flops(s, b)[0], 2 * count_flops(s, b)[0]),
     "includes BP2 for the input layer"),
    (lambda s, b: tuple(c // b for c in count_flops(s, b)), "missing the factor batch"),
    (lambda s, b: tuple(2 * c for c in count_flops(s, b)), "twice too large"),
    (lambda s, b: None, "returned NoneType None"),
    (lambda s, b: 1 / 0, "raised ZeroDivisionError"),
    (lambda s, b: (count_flops(s, b)[0], count_flops(s, b)[0]),
     "counts BP4 only (one product delta^l (a^(l-1))^T per layer"),
    (lambda s, b: (count_flops(s, b)[0], count_flops(s, b)[1] - count_flops(s, b)[0]),
     "counts BP2 only"),
    (lambda s, b: (count_flops(s, b)[0], count_flops(s, b)[1] + 1), "the backward count for sizes="),
])
def test_count_flops_rejects(wrong, message, capsys):
    assert check.count_flops(wrong).ok is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and message in out and out.count("\n") == 1


def test_count_flops_accepts_a_loop_over_the_layers(capsys):
    def by_loop(sizes, batch):
        forward = backward = 0
        for k, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
            forward += n_in * n_out * batch
            backward += n_in * n_out * batch * (1 if k == 0 else 2)   # BP4, and BP2 above the inputs
        return forward, backward

    assert check.count_flops(by_loop).ok is True
    assert capsys.readouterr().out.startswith("Correct: ")


def test_folded_gradient_accepts_solution(capsys):
    assert check.folded_gradient(folded_gradient).ok is True
    assert capsys.readouterr().out.startswith("Correct: ")


def _mutating(delta, a_prev):
    delta *= 1.0
    delta[0, 0] += 1.0
    return folded_gradient(delta, a_prev)


@pytest.mark.parametrize("wrong, message", [
    (lambda d, a: d @ a.T, "the bias column is missing"),
    (lambda d, a: d @ np.vstack([np.ones((1, a.shape[1])), a]).T, "the bias column"),
    (lambda d, a: folded_gradient(d, a) / d.shape[1], "mean over the samples"),
    (lambda d, a: a @ d.T, "has shape"),
    (_mutating, "changed its argument #1 in place"),
    (lambda d, a: None, "did you forget to `return` it?"),
])
def test_folded_gradient_rejects(wrong, message, capsys):
    assert check.folded_gradient(wrong).ok is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and message in out and out.count("\n") == 1
