"""The XOR chapter's checker accepts the true MSE gradient and names typical mistakes."""

import re

import numpy as np
import pytest

from bplib.exercises import check


def _sig(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _reference(X, y, W1, W2):
    H = _sig(X @ W1)
    y_hat = _sig(H @ W2)
    delta_out = 2.0 / X.shape[0] * (y_hat - y) * y_hat * (1 - y_hat)
    delta_hid = delta_out @ W2.T * H * (1 - H)
    return X.T @ delta_hid, H.T @ delta_out


def _article(X, y, W1, W2):
    """The article's update direction: X.T @ hidden_delta with (y - y_hat)."""
    dW1, dW2 = _reference(X, y, W1, W2)
    n = X.shape[0]
    return -n / 2 * dW1, -n / 2 * dW2


def _no_mean(X, y, W1, W2):
    dW1, dW2 = _reference(X, y, W1, W2)
    return X.shape[0] / 2 * dW1, X.shape[0] / 2 * dW2


def _transposed(X, y, W1, W2):
    dW1, dW2 = _reference(X, y, W1, W2)
    return dW1.T, dW2


def _z_in_prime(X, y, W1, W2):
    Z1 = X @ W1
    H = _sig(Z1)
    Z2 = H @ W2
    y_hat = _sig(Z2)
    delta_out = 2.0 / X.shape[0] * (y_hat - y) * Z2 * (1 - Z2)
    delta_hid = delta_out @ W2.T * Z1 * (1 - Z1)
    return X.T @ delta_hid, H.T @ delta_out


def _mutating(X, y, W1, W2):
    result = _reference(X, y, W1, W2)
    W1 += 1.0
    return result


def test_accepts_reference(capsys):
    assert check.xor_backward(_reference) is True
    out = capsys.readouterr().out
    assert out.startswith("Correct:") and out.count("\n") == 1


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_article, r"article's update direction"),
        (_no_mean, r"factor 2/N of the MSE derivative is missing"),
        (lambda *a: tuple(-g for g in _reference(*a)), r"wrong sign"),
        (lambda *a: tuple(g / 2 for g in _reference(*a)), r"the 2 from differentiating the square"),
        (_transposed, r"dW1 is transposed"),
        (_z_in_prime, r"pre-activations z"),
        (lambda *a: tuple(3 * g for g in _reference(*a)), r"constant factor of 3"),
        (_mutating, r"in place"),
        (lambda *a: None, r"did you forget to `return"),
        (lambda *a: (_reference(*a)[0], _reference(*a)[1].ravel()), r"dW2 .* has shape \(2,\), expected \(2, 1\)"),
        (lambda *a: 1 / 0, r"raised ZeroDivisionError"),
    ],
)
def test_rejects_typical_mistakes(wrong, message, capsys):
    assert check.xor_backward(wrong) is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet:") and out.count("\n") == 1
    assert re.search(message, out), out
