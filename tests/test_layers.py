"""Tests for bplib.layers: backward vs numerical gradients, no mutation, shapes, errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from bplib.gradcheck import numerical_gradient
from bplib.layers import Affine, MSELoss, Relu, Sigmoid, SoftmaxWithLoss, Tanh

from strategies import ELEMS



@st.composite
def batches(draw, max_batch=4, max_features=5):
    batch = draw(st.integers(1, max_batch))
    features = draw(st.integers(1, max_features))
    return draw(arrays(np.float64, (batch, features), elements=ELEMS))


def input_gradient(layer, x, dout):
    """Numerical gradient of sum(forward(x) * dout) with respect to x."""
    return numerical_gradient(lambda v: float(np.sum(layer.forward(v) * dout)), x.copy())


@pytest.mark.parametrize("layer_cls", [Relu, Sigmoid, Tanh])
@settings(max_examples=30, deadline=None)
@given(x=batches(), seed=st.integers(0, 2**16))
def test_activation_layer_backward_matches_numerical(layer_cls, x, seed):
    if layer_cls is Relu:
        x = np.where(np.abs(x) < 1e-3, 0.5, x)  # away from the kink
    dout = np.random.default_rng(seed).standard_normal(x.shape)
    layer = layer_cls()
    numeric = input_gradient(layer, x, dout)
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(dout), numeric, rtol=1e-6, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(x=batches(), n_out=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_affine_backward_matches_numerical(x, n_out, seed):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((x.shape[1], n_out))
    b = rng.standard_normal(n_out)
    dout = rng.standard_normal((x.shape[0], n_out))
    layer = Affine(W, b)

    def f(_):
        return float(np.sum(layer.forward(x) * dout))

    numeric_dW = numerical_gradient(f, layer.W)
    numeric_db = numerical_gradient(f, layer.b)
    numeric_dx = input_gradient(layer, x, dout)
    layer.forward(x)
    dx = layer.backward(dout)
    np.testing.assert_allclose(dx, numeric_dx, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(layer.dW, numeric_dW, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(layer.db, numeric_db, rtol=1e-6, atol=1e-9)


def test_affine_shares_parameter_memory_and_flattens():
    rng = np.random.default_rng(0)
    W, b = rng.standard_normal((12, 3)), np.zeros(3)
    layer = Affine(W, b)
    assert layer.W is W and layer.b is b
    x = rng.standard_normal((2, 3, 2, 2))  # images: flattened to (2, 12)
    out = layer.forward(x)
    np.testing.assert_allclose(out, x.reshape(2, 12) @ W)
    dx = layer.backward(np.ones((2, 3)))
    assert dx.shape == x.shape
    W -= 1.0  # an in-place update (like params["W1"] -= ...) reaches the layer
    np.testing.assert_allclose(layer.forward(x), x.reshape(2, 12) @ W)


def test_affine_one_sample_1d():
    W, b = np.arange(6.0).reshape(3, 2), np.array([1.0, -1.0])
    layer = Affine(W, b)
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(layer.forward(x), x @ W + b)
    dx = layer.backward(np.array([1.0, 0.0]))
    np.testing.assert_allclose(dx, W[:, 0])
    np.testing.assert_allclose(layer.dW, np.outer(x, [1.0, 0.0]))


def make_layers():
    rng = np.random.default_rng(1)
    return [Relu(), Sigmoid(), Tanh(), Affine(rng.standard_normal((3, 3)), np.zeros(3))]


@pytest.mark.parametrize("layer", make_layers(), ids=lambda l: type(l).__name__)
def test_backward_does_not_mutate_dout(layer):
    x = np.array([[-1.0, 0.0, 2.0], [3.0, -4.0, 0.5]])
    x_before = x.copy()
    layer.forward(x)
    dout = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    dout_before = dout.copy()
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dout, dout_before)
    np.testing.assert_array_equal(x, x_before)
    assert dx is not dout


def test_relu_mask_is_x_le_zero():
    layer = Relu()
    out = layer.forward(np.array([[-1.0, 0.0, 2.0]]))
    np.testing.assert_array_equal(out, [[0.0, 0.0, 2.0]])
    np.testing.assert_array_equal(layer.mask, [[True, True, False]])


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_softmax_with_loss_backward(data):
    batch = data.draw(st.integers(1, 4))
    classes = data.draw(st.integers(2, 5))
    x = data.draw(arrays(np.float64, (batch, classes), elements=ELEMS))
    labels = data.draw(arrays(np.int64, (batch,), elements=st.integers(0, classes - 1)))
    onehot = np.eye(classes)[labels]
    layer = SoftmaxWithLoss()
    numeric = numerical_gradient(lambda v: layer.forward(v, labels), x.copy())
    loss_labels = layer.forward(x, labels)
    dx = layer.backward()
    np.testing.assert_allclose(dx, numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dx, (layer.a - onehot) / batch)
    assert layer.forward(x, onehot) == pytest.approx(loss_labels, rel=1e-12, abs=0)
    np.testing.assert_allclose(layer.backward(2.0), 2.0 * dx)


def test_softmax_with_loss_stable_at_1e4():
    layer = SoftmaxWithLoss()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = layer.forward(np.array([[1e4, -1e4]]), np.array([1]))
        dx = layer.backward()
    assert loss == pytest.approx(2e4)
    np.testing.assert_allclose(dx, [[1.0, -1.0]])


def test_softmax_with_loss_checks_and_computes_each_thing_once(monkeypatch):
    import bplib.activations
    import bplib.layers
    import bplib.losses

    counts = {"x checked": 0, "one-hot built": 0, "log-softmax": 0, "softmax": 0}

    def counting(module, name, key, only=None):
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            if only is None or only(*args):
                counts[key] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    is_logits = lambda arr, name, *rest: name in ("x", "z")  # noqa: E731
    counting(bplib.layers, "as_float_array", "x checked", is_logits)
    counting(bplib.losses, "as_float_array", "x checked", is_logits)
    counting(bplib.activations, "as_float_array", "x checked", is_logits)
    counting(bplib.losses, "to_one_hot", "one-hot built")
    counting(bplib.losses, "log_softmax", "log-softmax")
    counting(bplib.activations, "softmax", "softmax")

    x = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    labels = np.array([1, 2])
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, labels)
    assert counts == {"x checked": 1, "one-hot built": 1, "log-softmax": 1, "softmax": 0}
    dx = layer.backward()
    assert counts == {"x checked": 1, "one-hot built": 1, "log-softmax": 1, "softmax": 0}  # reused
    # and the results are those of the public functions, computed separately
    from bplib.losses import softmax_cross_entropy, softmax_cross_entropy_prime

    assert loss == softmax_cross_entropy(x, labels)
    np.testing.assert_array_equal(dx, softmax_cross_entropy_prime(x, labels))
    np.testing.assert_allclose(layer.a, bplib.activations.softmax(x), rtol=1e-15, atol=0)


def test_mse_loss_layer():
    rng = np.random.default_rng(3)
    x, t = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    layer = MSELoss()
    numeric = numerical_gradient(lambda v: layer.forward(v, t), x.copy())
    assert layer.forward(x, t) == pytest.approx(np.mean((x - t) ** 2))
    np.testing.assert_allclose(layer.backward(), numeric, rtol=1e-6, atol=1e-9)


def test_affine_shape_errors_name_both_shapes():
    layer = Affine(np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match=r"x has 4 features per sample but W has 3 rows "
                                         r"\(x\.shape=\(5, 4\), W\.shape=\(3, 2\)\)"):
        layer.forward(np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r"W\.shape=\(3, 2\) has 2 outputs but b\.shape=\(3,\)"):
        Affine(np.zeros((3, 2)), np.zeros(3))
    layer.forward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"forward output \(5, 2\), but dout\.shape=\(5, 3\)"):
        layer.backward(np.zeros((5, 3)))


def test_layer_errors():
    with pytest.raises(RuntimeError, match="before"):
        Relu().backward(np.zeros(3))
    with pytest.raises(RuntimeError, match="before"):
        SoftmaxWithLoss().backward()
    with pytest.raises(ValueError, match="x must contain only finite numbers, but it has 1 NaN"):
        Sigmoid().forward(np.array([np.nan, 0.0]))
    with pytest.raises(ValueError, match=r"labels in 0\.\.1 .* but it contains 2"):
        SoftmaxWithLoss().forward(np.zeros((2, 2)), np.array([0, 2]))
    with pytest.raises(ValueError, match=r"x\.shape=\(2, 2\) and t\.shape=\(2, 1\)"):
        MSELoss().forward(np.zeros((2, 2)), np.zeros((2, 1)))
