"""One test per behaviour of ``bplib`` that differs from article 002's layer code.

Article 002 ("python: 深度学习-误差反向传播法") copies the layer classes of
*Deep Learning from Scratch*, chapter 5.  Its classes are transcribed in
``tests/article_002.py``.

Every test states a property as a function ``_property(...)``, shows that
``bplib`` has it, and shows that the article's code does not (the same
function raises on the transcription).  So each test fails if ``bplib`` loses
the property, and also if the transcription stops reproducing the pitfall.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from bplib import layers
from bplib.activations import relu_prime
from bplib.gradcheck import numerical_gradient, relative_error
from bplib.models import TwoLayerNet

from article_002 import (
    ArticleAffine,
    ArticleRelu,
    ArticleReluSpelled,
    ArticleSigmoid,
    ArticleSoftmaxWithLoss,
    ArticleTwoLayerNet,
)


def _input_gradient(forward, x, dout):
    """Central-difference gradient of sum(forward(x) * dout) with respect to x."""
    return numerical_gradient(lambda v: float(np.sum(forward(v) * dout)), x.copy())


# ---------------------------------------------------------------- 1. method name
def _generic_forward_pass(layer_classes, x):
    """What TwoLayerNet.predict does: call ``forward`` on each layer in turn."""
    for cls in layer_classes:
        x = cls().forward(x)
    return x


def test_relu_method_is_named_forward():
    x = np.array([[-1.0, 2.0]])
    np.testing.assert_array_equal(_generic_forward_pass([layers.Relu, layers.Sigmoid], x),
                                  layers.Sigmoid().forward(np.array([[0.0, 2.0]])))
    with pytest.raises(AttributeError, match="forward"):
        _generic_forward_pass([ArticleRelu, ArticleSigmoid], x)


# ---------------------------------------------------------------- 2. dout not mutated
def _backward_leaves_dout_alone(relu_cls, x, dout):
    layer = relu_cls()
    layer.forward(x)
    before = dout.copy()
    dx = layer.backward(dout)
    assert np.array_equal(dout, before), "backward changed the caller's dout"
    assert dx is not dout


@settings(max_examples=25, deadline=None)
@given(x=arrays(np.float64, array_shapes(min_dims=1, max_dims=3, max_side=4),
                elements=st.floats(-3, 3, allow_nan=False)))
def test_relu_backward_does_not_mutate_dout(x):
    dout = np.ones_like(x) + 1.0
    _backward_leaves_dout_alone(layers.Relu, x, dout)
    if np.any(x < 0):  # the article's Relu only writes where its mask (x < 0) is set
        with pytest.raises(AssertionError, match="changed the caller's dout"):
            _backward_leaves_dout_alone(ArticleReluSpelled, x, dout.copy())


def test_shared_upstream_gradient_reaches_both_branches():
    """out = relu(x1) + relu(x2): both branches receive the same dout."""
    x1, x2 = np.array([[-1.0, 2.0, 3.0]]), np.array([[4.0, -5.0, 6.0]])

    def branch_gradients(relu_cls):
        r1, r2 = relu_cls(), relu_cls()
        r1.forward(x1), r2.forward(x2)
        dout = np.ones((1, 3))
        return r1.backward(dout), r2.backward(dout)

    def _property(relu_cls):
        _, g2 = branch_gradients(relu_cls)
        np.testing.assert_allclose(g2, _input_gradient(layers.Relu().forward, x2, np.ones((1, 3))), atol=1e-9)

    _property(layers.Relu)
    with pytest.raises(AssertionError):
        _property(ArticleReluSpelled)


# ---------------------------------------------------------------- 3. mask at x = 0
def _zero_is_inactive(relu_cls):
    """At x = 0 the forward output is 0 and backward stops the gradient (relu'(0) = 0)."""
    x = np.array([-1.0, 0.0, 1.0])
    layer = relu_cls()
    out = layer.forward(x)
    dx = layer.backward(np.ones(3))
    np.testing.assert_array_equal(out, [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(dx, relu_prime(x))  # the formula's convention, 0 at x = 0


def test_relu_mask_treats_zero_as_inactive():
    assert relu_prime(np.array(0.0)) == 0.0
    _zero_is_inactive(layers.Relu)
    with pytest.raises(AssertionError):
        _zero_is_inactive(ArticleReluSpelled)  # mask is x < 0: gradient 1 at x = 0


# ---------------------------------------------------------------- 4. Affine shapes
def _affine_on_images(affine_cls):
    rng = np.random.default_rng(4)
    W, b = rng.normal(size=(16, 3)), rng.normal(size=3)
    x = rng.normal(size=(5, 4, 4))  # five 4x4 "images"
    layer = affine_cls(W, b)
    out = layer.forward(x)
    np.testing.assert_allclose(out, x.reshape(5, 16) @ W + b)
    dout = rng.normal(size=(5, 3))
    dx = layer.backward(dout)
    assert dx.shape == x.shape
    np.testing.assert_allclose(dx, _input_gradient(affine_cls(W, b).forward, x, dout), atol=1e-8)


def test_affine_flattens_image_batches():
    _affine_on_images(layers.Affine)
    with pytest.raises(ValueError, match="not aligned"):
        _affine_on_images(ArticleAffine)


def _affine_on_one_sample(affine_cls, n_in, n_out):
    rng = np.random.default_rng(5)
    W, b = rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)
    x, dout = rng.normal(size=n_in), rng.normal(size=n_out)
    layer = affine_cls(W, b)
    layer.forward(x)
    layer.backward(dout)
    assert np.shape(layer.dW) == (n_in, n_out) and np.shape(layer.db) == (n_out,)
    np.testing.assert_allclose(layer.dW, np.outer(x, dout))
    np.testing.assert_allclose(layer.db, dout)


@pytest.mark.parametrize(("n_in", "n_out"), [(3, 2), (3, 3)])
def test_affine_single_1d_sample(n_in, n_out):
    _affine_on_one_sample(layers.Affine, n_in, n_out)
    # n_in != n_out: np.dot(x.T, dout) of two 1-D vectors fails; n_in == n_out: dW is a scalar.
    with pytest.raises(ValueError if n_in != n_out else AssertionError):
        _affine_on_one_sample(ArticleAffine, n_in, n_out)


# ---------------------------------------------------------------- 5. SoftmaxWithLoss
def _integer_labels_work(loss_cls, batch):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(batch, 10))
    labels = rng.integers(0, 10, size=batch)
    with_labels, with_onehot = loss_cls(), loss_cls()
    assert np.isclose(with_labels.forward(x, labels), with_onehot.forward(x, np.eye(10)[labels]))
    np.testing.assert_allclose(with_labels.backward(1), with_onehot.backward(1))


@pytest.mark.parametrize("batch", [4, 10])
def test_softmax_with_loss_accepts_integer_labels(batch):
    _integer_labels_work(layers.SoftmaxWithLoss, batch)
    # batch != classes: (y - t) cannot broadcast; batch == classes: it broadcasts, silently wrong.
    with pytest.raises(ValueError if batch != 10 else AssertionError):
        _integer_labels_work(ArticleSoftmaxWithLoss, batch)


def _backward_scales_with_dout(loss_cls):
    x, t = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]), np.eye(3)[[1, 2]]
    layer = loss_cls()
    layer.forward(x, t)
    np.testing.assert_allclose(layer.backward(2.5), 2.5 * layer.backward(1.0))


def test_softmax_with_loss_backward_uses_dout():
    _backward_scales_with_dout(layers.SoftmaxWithLoss)
    with pytest.raises(AssertionError):
        _backward_scales_with_dout(ArticleSoftmaxWithLoss)  # dout is ignored


def _confident_mistake_costs_its_logit_gap(loss_cls, gap):
    layer = loss_cls()
    loss = layer.forward(np.array([[0.0, gap]]), np.array([[1.0, 0.0]]))
    assert np.isclose(loss, gap, rtol=1e-9), loss  # -log softmax = log(1 + e^gap) ~ gap


@pytest.mark.parametrize("gap", [50.0, 1e4])
def test_softmax_with_loss_is_exact_for_confident_mistakes(gap):
    _confident_mistake_costs_its_logit_gap(layers.SoftmaxWithLoss, gap)
    with pytest.raises(AssertionError):  # -log(0 + 1e-7) = 16.118...: the loss is capped
        with np.errstate(under="ignore"):
            _confident_mistake_costs_its_logit_gap(ArticleSoftmaxWithLoss, gap)


def _gradient_check_below(net, x, t, tol):
    grads = net.gradient(x, t)
    for key, param in net.params.items():
        numeric = numerical_gradient(lambda _: net.loss(x, t), param)
        assert relative_error(grads[key], numeric) < tol, key


def test_gradient_check_not_limited_by_log_delta():
    """The article's loss is log(y + 1e-7): its numerical gradient is off by ~1e-7 / (2 y)."""
    rng = np.random.default_rng(7)
    x, labels = rng.normal(size=(8, 6)), rng.integers(0, 10, size=8)
    ours = TwoLayerNet(6, 5, 10, seed=3)
    _gradient_check_below(ours, x, labels, tol=1e-8)
    theirs = ArticleTwoLayerNet(6, 5, 10)
    for key in theirs.params:
        theirs.params[key][...] = ours.params[key]  # same point, in place (layers share arrays)
    with pytest.raises(AssertionError):
        _gradient_check_below(theirs, x, np.eye(10)[labels], tol=1e-8)


# ---------------------------------------------------------------- 6. Sigmoid overflow
def _no_overflow(sigmoid_cls):
    with np.errstate(over="raise"):
        out = sigmoid_cls().forward(np.array([-1e4, 0.0, 1e4]))
    np.testing.assert_array_equal(out, [0.0, 0.5, 1.0])


def test_sigmoid_does_not_overflow():
    _no_overflow(layers.Sigmoid)
    with pytest.raises(FloatingPointError, match="overflow"):
        _no_overflow(ArticleSigmoid)
    with warnings.catch_warnings(record=True) as caught:  # by default: a RuntimeWarning
        warnings.simplefilter("always")
        ArticleSigmoid().forward(np.array([-1e4]))
    assert any(issubclass(w.category, RuntimeWarning) for w in caught)


# ---------------------------------------------------------------- 7. reproducible init
def _same_arguments_same_network(make):
    state = np.random.get_state()
    a, b = make(), make()
    for key in a.params:
        np.testing.assert_array_equal(a.params[key], b.params[key])
    after = np.random.get_state()
    assert all(np.array_equal(u, v) for u, v in zip(state, after)), "used the global RNG"


def test_two_layer_net_is_reproducible_without_global_rng():
    _same_arguments_same_network(lambda: TwoLayerNet(4, 3, 2, seed=11))
    with pytest.raises(AssertionError):
        _same_arguments_same_network(lambda: ArticleTwoLayerNet(4, 3, 2))
