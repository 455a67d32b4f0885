"""The checkers of the BPTT chapter accept the reference solutions and name the usual mistakes."""

import re

import numpy as np
import pytest

from bplib.exercises import check


def bptt(x, hs, Wx, Wh, dout, *, slope=lambda a: 1 - a**2, transpose=True, carry=True,
         last_only=False):
    """BPTT of h_t = tanh(x_t Wx + h_(t-1) Wh + b), or one of the named mistakes."""
    dWx, dWh = np.zeros_like(Wx), np.zeros_like(Wh)
    db, g = np.zeros(Wh.shape[0]), np.zeros_like(dout[:, 0])
    T = x.shape[1]
    for t in reversed(range(T)):
        delta = ((g if carry else 0.0) + dout[:, t]) * slope(hs[:, t + 1])
        if not last_only or t == T - 1:
            dWx += x[:, t].T @ delta
            dWh += hs[:, t].T @ delta
            db += delta.sum(axis=0)
        g = delta @ (Wh.T if transpose else Wh)
    return dWx, dWh, db


def _mutating(x, hs, Wx, Wh, dout):
    out = bptt(x, hs, Wx, Wh, dout)
    dout *= 0.0
    return out


def test_rnn_backward_accepts_the_solution(capsys):
    assert check.rnn_backward(bptt).ok is True
    assert capsys.readouterr().out.startswith("Correct: ")


@pytest.mark.parametrize("wrong, message", [
    (lambda *a: bptt(*a, last_only=True), "only the last step's term"),
    (lambda *a: bptt(*a, slope=lambda h: 1 - np.tanh(h) ** 2), "takes the weighted input z"),
    (lambda *a: bptt(*a, slope=lambda h: 1 - h), "the square is missing"),
    (lambda *a: bptt(*a, transpose=False), "the Jacobian is transposed"),
    (lambda *a: bptt(*a, carry=False), "does not flow back through the states"),
    (lambda *a: bptt(*a)[:2], "must return three arrays"),
    (_mutating, "changed|modif"),
])
def test_rnn_backward_names_the_mistake(wrong, message, capsys):
    verdict = check.rnn_backward(wrong)
    out = capsys.readouterr().out
    assert verdict.ok is False and out.startswith("Not yet: ")
    assert re.search(message, out), out


def truncated(hs, Wh, g_last, k, *, extra=0, everything=False):
    T = hs.shape[1] - 1
    dWh, g = np.zeros_like(Wh), g_last
    stop = 0 if everything else max(T - k - extra, 0)
    for t in range(T, stop, -1):
        delta = g * (1 - hs[:, t] ** 2)
        dWh += hs[:, t - 1].T @ delta
        g = delta @ Wh.T
    return dWh


def test_truncated_dWh_accepts_the_solution(capsys):
    assert check.truncated_dWh(truncated).ok is True
    assert capsys.readouterr().out.startswith("Correct: ")


@pytest.mark.parametrize("wrong, message", [
    (lambda *a: truncated(*a, everything=True), "nothing is truncated"),
    (lambda *a: truncated(*a, extra=1), "one step too many"),
    (lambda *a: truncated(*a, extra=-1), "one step too few"),
])
def test_truncated_dWh_names_the_mistake(wrong, message, capsys):
    verdict = check.truncated_dWh(wrong)
    out = capsys.readouterr().out
    assert verdict.ok is False and message in out, out
