"""The XOR chapter's checker accepts the true gradient of the biased network and names typical mistakes."""

import re

import numpy as np
import pytest

from bplib.exercises import check


def _sig(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


# ------------------------------------------- the fixed network: biases and cross-entropy


def _bias_reference(X, y, W1, b1, W2, b2, *, per_sample=False, out_prime=False,
                    z_prime=False, bias_mean=False, no_mean=False, mse=False, no_W2=False):
    """Written independently of the checker: the chain rule, sample by sample, then summed."""
    n = X.shape[0]
    dW1, dW2 = np.zeros((2, 2)), np.zeros((2, 1))
    rows1, rows2 = [], []
    for x_n, y_n in zip(X, y):
        z1 = x_n @ W1 + b1[0]
        h = _sig(z1)
        z2 = h @ W2[:, 0] + b2[0, 0]
        p = _sig(z2)
        d2 = (p - y_n[0]) / (1 if no_mean else n)   # d(-mean BCE)/dz2 for this sample
        if out_prime:
            d2 *= p * (1 - p)
        if mse:                                     # the chapter's MSE network's delta
            d2 = 2 / n * (p - y_n[0]) * p * (1 - p)
        prime = z1 * (1 - z1) if z_prime else h * (1 - h)
        d1 = d2 * (1.0 if no_W2 else W2[:, 0]) * prime
        dW1 += np.outer(x_n, d1)
        dW2 += np.outer(h, d2)
        rows1.append(d1)
        rows2.append([d2])
    rows1, rows2 = np.array(rows1), np.array(rows2)
    if per_sample:
        return dW1, rows1, dW2, rows2
    scale = 1 / n if bias_mean else 1.0
    return dW1, scale * rows1.sum(0, keepdims=True), dW2, scale * rows2.sum(0, keepdims=True)


def test_bias_reference_is_the_gradient_by_central_differences():
    """The test's own reference against finite differences of the mean cross-entropy."""
    rng = np.random.default_rng(0)
    X, y = rng.uniform(-2, 2, (5, 2)), rng.uniform(0, 1, (5, 1))
    params = [rng.normal(size=s) for s in ((2, 2), (1, 2), (2, 1), (1, 1))]

    def cost(W1, b1, W2, b2):
        p = _sig(_sig(X @ W1 + b1) @ W2 + b2)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    grads = _bias_reference(X, y, *params)
    for k, (param, grad) in enumerate(zip(params, grads)):
        numeric = np.zeros_like(param)
        for idx in np.ndindex(param.shape):
            up = [p.copy() for p in params]
            down = [p.copy() for p in params]
            up[k][idx] += 1e-6
            down[k][idx] -= 1e-6
            numeric[idx] = (cost(*up) - cost(*down)) / 2e-6
        assert np.allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_bias_checker_accepts_reference(capsys):
    assert check.xor_bias_backward(_bias_reference).ok is True
    out = capsys.readouterr().out
    assert out.startswith("Correct:") and out.count("\n") == 1


def test_bias_checker_accepts_a_right_answer_written_another_way(capsys):
    """Matrix products and ones-vectors instead of the loop and sums of the reference."""
    def other(X, y, W1, b1, W2, b2):
        ones = np.ones((1, X.shape[0]))
        H = _sig(X @ W1 + ones.T @ b1)
        delta2 = (_sig(H @ W2 + b2) - y) / len(X)
        delta1 = delta2 * W2.T * (H - H**2)
        return X.T @ delta1, ones @ delta1, H.T @ delta2, ones @ delta2

    assert check.xor_bias_backward(other).ok is True
    assert capsys.readouterr().out.startswith("Correct:")


def _transposed_bias(*a):
    dW1, db1, dW2, db2 = _bias_reference(*a)
    return dW1.T, db1, dW2, db2


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda *a: _bias_reference(*a, per_sample=True), r"sum over the batch is missing"),
        (lambda *a: _bias_reference(*a, z_prime=True), r"pre-activations z"),
        (_transposed_bias, r"dW1 is transposed"),
        (lambda *a: _bias_reference(*a, out_prime=True), r"it cancels"),
        (lambda *a: _bias_reference(*a, bias_mean=True), r"SUM of delta over the batch"),
        (lambda *a: tuple(-g for g in _bias_reference(*a)), r"wrong sign"),
        (lambda *a: tuple(4 * g for g in _bias_reference(*a)), r"constant factor of 4"),
        (lambda *a: _bias_reference(*a, no_mean=True),
         r"the 1/N of the mean over the N samples is missing: every gradient is N times too large"),
        (lambda *a: _bias_reference(*a, mse=True),
         r"this is the gradient of the MSE, not of the cross-entropy"),
        (lambda *a: _bias_reference(*a, no_W2=True), r"delta1 misses the weights W2"),
        (lambda *a: _bias_reference(*a)[:3], r"four arrays"),
        (lambda *a: None, r"did you forget to `return"),
        (lambda *a: (*_bias_reference(*a)[:3], _bias_reference(*a)[3].ravel()),
         r"db2 .* has shape \(1,\), expected \(1, 1\)"),
        (lambda X, y, W1, b1, W2, b2: (b1.__iadd__(1.0), _bias_reference(X, y, W1, b1, W2, b2))[1],
         r"in place"),
    ],
)
def test_bias_checker_names_the_mistake(wrong, message, capsys):
    assert check.xor_bias_backward(wrong).ok is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet:") and out.count("\n") == 1
    assert re.search(message, out), out
