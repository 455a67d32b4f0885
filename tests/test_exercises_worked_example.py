"""The worked-example chapter's checker accepts the reference answer and names typical mistakes."""

import re

import numpy as np
import pytest

from bplib.exercises import check


def _sig(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def reference(W0, W1, x, y):
    z = _sig(W0 @ x)
    y_hat = _sig(W1[0] @ z)
    delta_out = (y_hat - y) * y_hat * (1 - y_hat)
    delta_h = delta_out * W1[0] * z * (1 - z)
    return np.outer(delta_h, x), delta_out * z[np.newaxis, :]


def _run(fn, capsys):
    ok = check.backward_2_2_1(fn).ok
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out
    return ok, out


def test_accepts_reference(capsys):
    ok, out = _run(reference, capsys)
    assert ok and out.startswith("Correct:")


def test_accepts_a_right_answer_written_another_way(capsys):
    """sigma' through bplib.activations.sigmoid_prime of the weighted inputs, BP4 as a matrix product."""
    from bplib import activations

    def other(W0, W1, x, y):
        h = W0 @ x
        zy = W1 @ _sig(h)                                   # shape (1,)
        delta_out = (_sig(zy) - y) * activations.sigmoid_prime(zy)
        delta_h = (W1.T @ delta_out) * activations.sigmoid_prime(h)
        return delta_h[:, None] @ x[None, :], delta_out[:, None] @ _sig(h)[None, :]

    ok, out = _run(other, capsys)
    assert ok and out.startswith("Correct:"), out


def test_accepts_flat_dw1(capsys):
    ok, out = _run(lambda *a: (reference(*a)[0], reference(*a)[1].ravel()), capsys)
    assert ok, out


def _transposed(W0, W1, x, y):
    dW0, dW1 = reference(W0, W1, x, y)
    return dW0.T, dW1


def _loss_not_derivative(W0, W1, x, y):
    z = _sig(W0 @ x)
    y_hat = _sig(W1[0] @ z)
    delta_out = 0.5 * (y - y_hat) ** 2 * y_hat * (1 - y_hat)
    return np.outer(delta_out * W1[0] * z * (1 - z), x), delta_out * z[np.newaxis, :]


def _no_hidden_prime(W0, W1, x, y):
    z = _sig(W0 @ x)
    y_hat = _sig(W1[0] @ z)
    delta_out = (y_hat - y) * y_hat * (1 - y_hat)
    return np.outer(delta_out * W1[0], x), delta_out * z[np.newaxis, :]


def _no_output_prime(W0, W1, x, y):
    z = _sig(W0 @ x)
    y_hat = _sig(W1[0] @ z)
    delta_out = y_hat - y
    return np.outer(delta_out * W1[0] * z * (1 - z), x), delta_out * z[np.newaxis, :]


def _prime_on_weighted_input(W0, W1, x, y):
    h = W0 @ x
    a = _sig(h)
    zy = W1[0] @ a
    delta_out = (_sig(zy) - y) * zy * (1 - zy)
    return np.outer(delta_out * W1[0] * h * (1 - h), x), delta_out * a[np.newaxis, :]


def _prime_on_h_hidden_only(W0, W1, x, y):
    h = W0 @ x
    a = _sig(h)
    y_hat = _sig(W1[0] @ a)
    delta_out = (y_hat - y) * y_hat * (1 - y_hat)          # right at the output
    return np.outer(delta_out * W1[0] * h * (1 - h), x), delta_out * a[np.newaxis, :]


def _prime_on_zy_output_only(W0, W1, x, y):
    h = W0 @ x
    a = _sig(h)
    zy = W1[0] @ a
    delta_out = (_sig(zy) - y) * zy * (1 - zy)             # on the weighted input zy
    return np.outer(delta_out * W1[0] * a * (1 - a), x), delta_out * a[np.newaxis, :]


def _forgot_W1(W0, W1, x, y):
    a = _sig(W0 @ x)
    y_hat = _sig(W1[0] @ a)
    delta_out = (y_hat - y) * y_hat * (1 - y_hat)
    return np.outer(delta_out * a * (1 - a), x), delta_out * a[np.newaxis, :]


def _article_script(W0, W1, x, y):
    l0 = x.reshape(2, 1)
    l1 = _sig(W0 @ l0)
    l2 = _sig(W1 @ l1)
    l2_delta = (y - l2) * l2 * (1 - l2)
    l1_delta = l2_delta * W1 * (l1 * (1 - l1))
    return -(np.zeros((2, 2)) + l0.T.dot(l1_delta)), -(l2_delta * l1.T)


def _mutating(W0, W1, x, y):
    out = reference(W0.copy(), W1, x, y)
    W0 -= 0.01 * out[0]  # an in-place update slipped into the gradient function
    return out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_transposed, r"dW0 is transposed"),
        (_loss_not_derivative, r"used the loss 1/2 \(y - y_hat\)\^2 where its derivative"),
        (_no_hidden_prime, r"misses the factor sigma'\(z1_j\)"),
        (_no_output_prime, r"sigma'\(z2\) = y_hat \(1 - y_hat\) of the output unit is missing"),
        (_article_script, r"article 003's script"),
        (_prime_on_weighted_input, r"sigma' computed as t \(1 - t\) on the weighted inputs"),
        (_prime_on_h_hidden_only, r"dW1 is right, but dW0 takes the hidden units' sigma' as z1 \(1 - z1\)"),
        (_prime_on_zy_output_only, r"output unit's sigma' is computed as z2 \(1 - z2\) on its weighted input"),
        (_forgot_W1, r"dW1 is right, but the hidden errors miss the weights W1"),
        (lambda *a: tuple(-g for g in reference(*a)), r"wrong sign on every hidden case"),
        (lambda *a: tuple(2 * g for g in reference(*a)), r"constant factor of 2"),
        (lambda *a: None, r"forget to `return dW0, dW1`"),
        (lambda *a: reference(*a)[0], r"must return a pair"),
        (lambda *a: (reference(*a)[0][:, :1], reference(*a)[1]), r"dW0 on the article's example has shape \(2, 1\)"),
        (_mutating, r"changed its argument #1 in place"),
        (lambda *a: 1 / 0, r"raised ZeroDivisionError"),
    ],
)
def test_rejects_typical_mistakes(wrong, message, capsys):
    ok, out = _run(wrong, capsys)
    assert ok is False and out.startswith("Not yet:")
    assert re.search(message, out), out


def test_unrecognised_wrong_answer_gets_a_position(capsys):
    def off_in_one_entry(W0, W1, x, y):
        dW0, dW1 = reference(W0, W1, x, y)
        dW0 = dW0.copy()
        dW0[1, 0] += 0.5
        return dW0, dW1

    ok, out = _run(off_in_one_entry, capsys)
    assert not ok and "dW0 on the article's example is wrong at index (1, 0)" in out


def _dW0_by_central_differences(W0, W1, x, y, h=1e-2):
    """dW1 by backprop, dW0 by central differences of the loss: right to about five digits."""
    def loss(W):
        return 0.5 * (y - _sig(W1[0] @ _sig(W @ x))) ** 2

    dW0 = np.zeros((2, 2))
    for index in np.ndindex(2, 2):
        step = np.zeros((2, 2))
        step[index] = h
        dW0[index] = (loss(W0 + step) - loss(W0 - step)) / (2 * h)
    return dW0, reference(W0, W1, x, y)[1]


def test_a_gradient_right_to_five_digits_is_not_accepted(capsys):
    """The checker's tolerance on dW0 is six digits: a numerical estimate (relative error
    1e-5 here) is close, but it is not the chain rule's answer."""
    W0, W1 = np.array([[0.1, 0.8], [0.4, 0.6]]), np.array([[0.3, 0.9]])
    x, y = np.array([0.35, 0.9]), 0.5
    estimate, exact = _dW0_by_central_differences(W0, W1, x, y)[0], reference(W0, W1, x, y)[0]
    assert 1e-6 < np.max(np.abs(estimate - exact) / np.abs(exact)) < 1e-3
    ok, out = _run(_dW0_by_central_differences, capsys)
    assert not ok and re.search(r"dW0 on the article's example is wrong at index \(\d, \d\)", out), out
