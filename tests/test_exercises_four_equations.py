"""The four-equations chapter's checkers accept the reference answers and reject typical mistakes."""


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bplib import Network, activations
from bplib.exercises import check

from strategies import assert_rejected, verdict as _verdict
from bplib.exercises.four_equations import _bp2


# ------------------------------------------------------------ backprop_error
def _bp2_ok(W, d, z):
    return (W.T @ d) * activations.sigmoid_prime(z)


def test_backprop_error_accepts_reference(capsys):
    assert check.backprop_error(_bp2_ok)
    assert _verdict(capsys).startswith("Correct:")


def _naive_sigmoid_prime(z):
    s = 1.0 / (1.0 + np.exp(-z))
    return s * (1 - s)


def _doubled_on_one_case(W, d, z):
    # right on every hidden case but the one-sample case, where it doubles
    return _bp2_ok(W, d, z) * (2.0 if d.shape[1] == 1 else 1.0)


def _mutating_bp2(W, d, z):
    z *= 1.0
    d -= 0.0
    z[...] = activations.sigmoid_prime(z)
    return (W.T @ d) * z


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda W, d, z: (W @ d) * activations.sigmoid_prime(z), r"used W_next where BP2 needs its transpose"),
        (lambda W, d, z: W.T @ d, r"forgot the factor sigma'\(z\)"),
        (lambda W, d, z: (W.T @ d) * activations.sigmoid(z), r"sigma\(z\) instead of its derivative"),
        (lambda W, d, z: _bp2_ok(W, d, z).sum(axis=1, keepdims=True), r"summed over the samples"),
        (lambda W, d, z: 2 * _bp2_ok(W, d, z), r"off by a constant factor of 2 on every hidden case"),
        (lambda W, d, z: (W.T @ d) * z * (1 - z), r"computed sigma' as a\(1 - a\) on z"),
        (
            lambda W, d, z: (W.T @ d) * activations.sigmoid_prime(activations.sigmoid(z)),
            r"applied sigma' to the activation sigma\(z\)",
        ),
        (_doubled_on_one_case, r"with W_next \(4, 3\) and one sample is wrong at index"),
        (lambda W, d, z: None, r"did you forget to `return"),
        (lambda W, d, z: _bp2_ok(W, d, z).T, r"has shape"),
        (lambda W, d, z: (W.T @ d) * np.exp(-z) / (1 + np.exp(-z)) ** 2, r"overflowed"),  # inf/inf
        (_mutating_bp2, r"changed its argument #3 in place"),
        (lambda W, d, z: 1 / 0, r"raised ZeroDivisionError"),
    ],
)
def test_backprop_error_rejects_typical_mistakes(wrong, message, capsys):
    assert_rejected(check.backprop_error(wrong), capsys, message)


def test_backprop_error_accepts_a_right_answer_on_the_naive_sigmoid_with_a_note(capsys):
    """1 / (1 + exp(-z)) overflows inside NumPy at z = -1e4 and returns the right 0."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = check.backprop_error(lambda W, d, z: (W.T @ d) * _naive_sigmoid_prime(z))
    out = _verdict(capsys)
    assert result.ok is True and out.startswith("Correct:"), out
    assert "A note, not a mistake" in out and "overflow" in out


def test_a_factor_on_one_case_is_not_called_a_constant_factor(capsys):
    assert check.backprop_error(_doubled_on_one_case).ok is False
    assert "constant factor" not in _verdict(capsys)


@settings(max_examples=30, deadline=None)
@given(n_next=st.integers(1, 5), n=st.integers(1, 5), m=st.integers(1, 6), seed=st.integers(0, 2**31))
def test_reference_bp2_is_the_derivative_of_the_cost(n_next, n, m, seed):
    """_bp2 equals dC/dz for C = sum(delta_next * z_next), z_next = W sigma(z) (central differences)."""
    rng = np.random.default_rng(seed)
    W, d, z = rng.normal(size=(n_next, n)), rng.normal(size=(n_next, m)), rng.normal(size=(n, m))

    def cost(zz):
        return float(np.sum(d * (W @ activations.sigmoid(zz))))

    eps, num = 1e-6, np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += eps
        zm[idx] -= eps
        num[idx] = (cost(zp) - cost(zm)) / (2 * eps)
    assert np.allclose(_bp2(W, d, z), num, atol=1e-7)


# ------------------------------------------------------------ batch_backprop
def _forward(weights, biases, x):
    zs, acts = [], [x]
    for w, b in zip(weights, biases):
        zs.append(w @ acts[-1] + b)
        acts.append(activations.sigmoid(zs[-1]))
    return zs, acts


def _make_backprop(*, average=False, keep_columns=False, no_transpose=False, output_prime=True,
                   sum_bp1=None):
    """The reference backward pass, or a mistaken one.  ``sum_bp1`` sums BP1 over the
    samples, and the last layer's BP4 then needs a fix to run: "sum" multiplies by the
    summed activations, "mean" by their mean, "matmul" leaves the product as it is."""
    def batch_backprop(weights, biases, x, y):
        zs, acts = _forward(weights, biases, x)
        delta = (acts[-1] - y) * (activations.sigmoid_prime(zs[-1]) if output_prime else 1.0)
        if sum_bp1:
            delta = delta.sum(axis=1, keepdims=True)
        nb, nw = [None] * len(weights), [None] * len(weights)
        for l in reversed(range(len(weights))):
            nb[l] = delta if keep_columns else delta.sum(axis=1, keepdims=True)
            a_prev = acts[l]
            if delta.shape[1] == 1 and a_prev.shape[1] > 1 and sum_bp1 == "sum":
                a_prev = a_prev.sum(axis=1, keepdims=True)
            elif delta.shape[1] == 1 and a_prev.shape[1] > 1 and sum_bp1 == "mean":
                a_prev = a_prev.mean(axis=1, keepdims=True)
            nw[l] = delta @ a_prev.T
            if l > 0:
                w = weights[l] if no_transpose else weights[l].T
                delta = (w @ delta) * activations.sigmoid_prime(zs[l - 1])
        if average:
            m = x.shape[1]
            nb, nw = [g / m for g in nb], [g / m for g in nw]
        return nb, nw

    return batch_backprop


def test_batch_backprop_accepts_reference(capsys):
    assert check.batch_backprop(_make_backprop())
    assert _verdict(capsys).startswith("Correct:")


def test_batch_backprop_accepts_network_backprop(capsys):
    def via_network(weights, biases, x, y):
        return Network.from_weights(weights, biases, cost="quadratic").backprop(x, y)

    assert check.batch_backprop(via_network)
    assert _verdict(capsys).startswith("Correct:")


def _scaled_backprop(factor_of_m):
    def scaled(weights, biases, x, y):
        nb, nw = _make_backprop()(weights, biases, x, y)
        f = factor_of_m(x.shape[1])
        return [f * g for g in nb], [f * g for g in nw]

    return scaled


def _mutating_backprop(weights, biases, x, y):
    result = _make_backprop()(weights, biases, x, y)
    weights[0] -= 0.1 * result[1][0]
    return result


def _mutating_biases(weights, biases, x, y):
    result = _make_backprop()(weights, biases, x, y)
    biases[-1] -= 0.1 * result[0][-1]  # in place: the caller's bias array changes
    return result


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_mutating_biases, r"changed the weights or biases in place"),
        (_make_backprop(average=True), r"is the mean over the 5 samples"),
        (_make_backprop(keep_columns=True), r"nabla_b\[1\] .* one column per sample"),
        (_make_backprop(no_transpose=True), r"raised ValueError|nabla_\w\[0\] .* (is wrong|has shape)"),
        (_make_backprop(output_prime=False), r"nabla_b\[1\] .* is wrong"),
        (lambda w, b, x, y: None, r"did you forget to `return"),
        (lambda w, b, x, y: _make_backprop()(w, b, x, y)[1], r"must return a pair|must be a list"),
        (lambda w, b, x, y: ([], []), r"must be a list with one array per weight matrix"),
        (_mutating_backprop, r"changed the weights or biases in place"),
        (_scaled_backprop(lambda m: 2.0), r"off by a constant factor of 2 on every hidden case"),
        (_make_backprop(sum_bp1="sum"), r"BP1 was summed over the samples: the output error delta\^L must "
                                        r"keep one column per sample"),
        (_make_backprop(sum_bp1="mean"), r"BP1 was summed over the samples"),
        (_make_backprop(sum_bp1="matmul"), r"raised ValueError: .*was BP1 summed over the samples\?"),
        (_scaled_backprop(lambda m: 2.0 if m == 1 else 1.0), r"for sizes \[3, 4, 2\] and one sample is wrong"),
    ],
)
def test_batch_backprop_rejects_typical_mistakes(wrong, message, capsys):
    assert_rejected(check.batch_backprop(wrong), capsys, message)
