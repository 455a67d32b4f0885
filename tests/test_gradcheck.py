"""Tests for bplib.gradcheck."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from bplib.gradcheck import (
    check_gradients,
    check_network_gradients,
    numerical_gradient,
    relative_error,
)
from bplib.models import TwoLayerNet
from bplib.network import Network


@settings(max_examples=40, deadline=None)
@given(x=arrays(np.float64, array_shapes(min_dims=0, max_dims=3, max_side=4),
                elements=st.floats(-10, 10, allow_nan=False)))
def test_numerical_gradient_of_known_function_and_exact_restore(x):
    before = x.copy()
    grad = numerical_gradient(lambda v: float(np.sum(v ** 3 + 2 * v)), x)
    assert grad.shape == x.shape
    np.testing.assert_allclose(grad, 3 * before ** 2 + 2, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(x, before)  # bit-for-bit restored


def test_numerical_gradient_reads_by_reference_dlfs_style():
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    loss = lambda _: float(np.sum(W * W))  # ignores its argument  # noqa: E731
    np.testing.assert_allclose(numerical_gradient(loss, W), 2 * W, rtol=1e-8)


def test_numerical_gradient_restores_when_f_raises():
    x = np.array([1.0, 2.0])

    def f(v):
        if v[0] != 1.0:
            raise ZeroDivisionError
        return 0.0

    with pytest.raises(ZeroDivisionError):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_rejects_non_float_arrays():
    with pytest.raises(ValueError, match="x must be a float64 numpy array .* dtype int64"):
        numerical_gradient(lambda v: 0.0, np.array([1, 2]))
    with pytest.raises(ValueError, match="x must be a float64 numpy array .* list"):
        numerical_gradient(lambda v: 0.0, [1.0, 2.0])
    with pytest.raises(ValueError, match="eps must be a positive number, but got 0.0"):
        numerical_gradient(lambda v: 0.0, np.zeros(2), eps=0.0)
    with pytest.raises(TypeError, match="f must be a function of x returning a float, but got ndarray"):
        numerical_gradient(np.zeros(2), np.zeros(2))   # the arguments swapped


def test_relative_error_definition():
    a = np.array([3.0, 0.0])
    b = np.array([0.0, 4.0])
    assert relative_error(a, b) == pytest.approx(5.0 / (3.0 + 4.0))
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, b) == relative_error(b, a)
    assert relative_error(a, -a) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"a\.shape=\(2,\) and b\.shape=\(3,\)"):
        relative_error(a, np.zeros(3))


def test_check_gradients_two_layer_net_passes_and_prints_a_table():
    net = TwoLayerNet(4, 3, 2, weight_init_std=1.0, seed=0)
    x = np.random.default_rng(0).standard_normal((3, 4))
    report = check_gradients(net, x, np.array([0, 1, 1]))
    assert report.ok
    assert [r.name for r in report.rows] == ["W1", "b1", "W2", "b2"]
    assert report["W1"].shape == (4, 3)
    text = str(report)
    lines = text.splitlines()
    assert lines[0].split() == ["param", "shape", "max", "|diff|", "rel.", "error", "ok"]
    assert lines[1].startswith("W1") and "(4, 3)" in lines[1] and lines[1].endswith("yes")
    assert "all gradients match" in lines[-1]


class BuggyNet(TwoLayerNet):
    """Backprop with a bug: the gradient of b2 comes out doubled."""

    def gradient(self, x, t):
        grads = super().gradient(x, t)
        grads["b2"] = 2 * grads["b2"]
        return grads


def test_check_gradients_detects_a_wrong_gradient():
    net = BuggyNet(4, 3, 2, weight_init_std=1.0, seed=0)
    x = np.random.default_rng(0).standard_normal((3, 4))
    report = check_gradients(net, x, np.array([0, 1, 1]))
    assert not report.ok
    assert report["W1"].ok and not report["b2"].ok
    assert report["b2"].relative_error == pytest.approx(1 / 3, rel=1e-4, abs=0)
    assert "NO" in str(report) and "SOME GRADIENTS DIFFER" in str(report)


@pytest.mark.parametrize("bias", [True, False])
def test_check_gradients_accepts_a_network(bias):
    net = Network([3, 4, 2], activation="tanh", cost="mse", seed=0, bias=bias)
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((3, 5)), rng.uniform(size=(2, 5))
    report = check_gradients(net, x, y)
    assert report.ok
    assert [r.name for r in report.rows] == (["w0", "b0", "w1", "b1"] if bias else ["w0", "w1"])
    with pytest.warns(DeprecationWarning, match="check_network_gradients is deprecated; use "
                      "check_gradients"):
        assert str(check_network_gradients(net, x, y)) == str(report)


def test_check_gradients_rejects_other_objects():
    with pytest.raises(ValueError, match="model must have params, loss and gradient"):
        check_gradients(object(), np.zeros((1, 1)), np.zeros(1))


def test_numerical_gradient_of_a_vector_function_is_refused_by_name():
    x = np.ones(3)
    with pytest.raises(ValueError, match=r"f must return a real scalar \(one float\), but it returned an array of shape \(3,\)"):
        numerical_gradient(lambda v: v * 2, x)
    np.testing.assert_array_equal(x, 1.0)  # restored
    assert numerical_gradient(lambda v: np.sum(v**2), x)[0] == pytest.approx(2.0, rel=1e-8, abs=0)


class _Stub:
    """A model whose gradients are analytic + a chosen error, to test the verdict."""

    def __init__(self, scale, error):
        self.params = {"w": np.array([1.0, -2.0, 0.5]) * scale}
        self.error = error

    def loss(self, x, t):
        return float(np.sum(self.params["w"] ** 2) / 2)

    def gradient(self, x, t):
        return {"w": self.params["w"] * (1 + self.error)}


@pytest.mark.parametrize("scale", [1e-9, 1.0, 1e6])
@pytest.mark.parametrize("error, ok", [(0.0, True), (1e-9, True), (1e-3, False), (0.5, False)])
def test_verdict_is_the_reported_relative_error_against_tol(scale, error, ok):
    # tiny gradients (scale 1e-9) with a 50% error have a tiny absolute difference:
    # the verdict must still say NO, because the *relative* error it reports is large
    report = check_gradients(_Stub(scale, error), None, None, eps=1e-4 * scale)
    row = report["w"]
    assert row.ok == (row.relative_error <= report.tol) == report.ok == ok
    assert ("all gradients match" in str(report)) == ok
