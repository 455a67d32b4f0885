"""Tests for bplib.models.TwoLayerNet and the digits data set."""

import numpy as np
import pytest

from bplib import data
from bplib.gradcheck import check_gradients, relative_error
from bplib.layers import Affine, Layer, MSELoss, Relu, Sigmoid, SoftmaxWithLoss, Tanh, activation_layer
from bplib.models import Sequential, TwoLayerNet


def test_structure_matches_article_002():
    net = TwoLayerNet(4, 5, 3)
    assert {k: v.shape for k, v in net.params.items()} == \
        {"W1": (4, 5), "b1": (5,), "W2": (5, 3), "b2": (3,)}
    assert list(net.layers) == ["Affine1", "Relu1", "Affine2"]
    assert isinstance(net.layers["Relu1"], Relu)
    assert isinstance(net.last_layer, SoftmaxWithLoss)
    assert net.layers["Affine1"].W is net.params["W1"] and net.layers["Affine2"].b is net.params["b2"]
    np.testing.assert_array_equal(net.params["b1"], 0.0)
    assert 0.005 < net.params["W1"].std() < 0.02  # weight_init_std = 0.01
    assert isinstance(TwoLayerNet(2, 2, 2, activation="sigmoid").layers["Sigmoid1"], Sigmoid)
    assert isinstance(TwoLayerNet(2, 2, 2, activation="tanh").layers["Tanh1"], Tanh)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("one_hot", [False, True])
def test_gradient_equals_numerical_gradient(activation, one_hot):
    rng = np.random.default_rng(0)
    net = TwoLayerNet(5, 4, 3, weight_init_std=1.0, seed=1, activation=activation)
    x = rng.standard_normal((3, 5))
    t = np.array([0, 2, 1])
    if one_hot:
        t = np.eye(3)[t]
    numeric = net.numerical_gradient(x, t)
    grads = net.gradient(x, t)
    for key in ("W1", "b1", "W2", "b2"):
        assert grads[key].shape == net.params[key].shape
        assert relative_error(grads[key], numeric[key]) < 1e-7, key


def test_last_layer_is_the_name_and_lastLayer_a_deprecated_alias():
    net = TwoLayerNet(4, 5, 3)
    with pytest.warns(DeprecationWarning, match="lastLayer is deprecated: use last_layer"):
        alias = net.lastLayer
    assert alias is net.last_layer


def test_predict_loss_accuracy():
    net = TwoLayerNet(2, 3, 2, weight_init_std=1.0, seed=2)
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 2.0]])
    scores = net.predict(x)
    assert scores.shape == (4, 2)
    predicted = scores.argmax(axis=1)
    labels = np.array([0, 1, 1, 0])
    assert net.accuracy(x, labels) == pytest.approx(np.mean(predicted == labels))
    assert net.accuracy(x, np.eye(2)[labels]) == net.accuracy(x, labels)
    z = scores - scores.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    assert net.loss(x, labels) == pytest.approx(-log_p[np.arange(4), labels].mean(), rel=1e-12, abs=0)


def test_training_on_digits_learns():
    d = data.digits()
    assert d.x_train.shape == (1348, 64) and d.x_test.shape == (449, 64)
    assert d.images.shape == (1797, 8, 8)
    assert d.x_train.min() >= 0 and d.x_train.max() <= 1
    assert d.t_train.dtype == np.int64 and set(np.unique(d.t_train)) == set(range(10))
    again = data.digits()
    np.testing.assert_array_equal(again.t_test, d.t_test)  # deterministic split
    assert not np.array_equal(data.digits(seed=1).t_test, d.t_test)

    net = TwoLayerNet(64, 32, 10, weight_init_std=0.1, seed=0)
    rng = np.random.default_rng(0)
    for _ in range(300):
        idx = rng.choice(len(d.x_train), 64, replace=False)
        grads = net.gradient(d.x_train[idx], d.t_train[idx])
        for key in net.params:
            net.params[key] -= 0.5 * grads[key]  # in place: the layers see it
    assert net.accuracy(d.x_test, d.t_test) > 0.85


def test_digits_bad_test_size():
    with pytest.raises(ValueError, match="test_size must be a number strictly between 0 and 1, but got 1.5"):
        data.digits(test_size=1.5)


def test_bad_inputs_raise():
    net = TwoLayerNet(4, 3, 2)
    with pytest.raises(ValueError, match=r"x has 5 columns but the network's input layer has 4 units \(x\.shape=\(2, 5\)\)"):
        net.predict(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"labels in 0\.\.1 for an output of 2 classes, but it contains 2"):
        net.loss(np.zeros((2, 4)), np.array([0, 2]))
    with pytest.raises(ValueError, match=r"one-hot t must have shape \(2, 2\)"):
        net.accuracy(np.zeros((2, 4)), np.eye(3)[[0, 1]])
    with pytest.raises(ValueError, match="unknown activation 'softsign'; known activations: 'identity', 'relu', 'sigmoid', 'tanh'"):
        TwoLayerNet(4, 3, 2, activation="softsign")
    with pytest.raises(ValueError, match="hidden_size must be a positive integer, but got 0"):
        TwoLayerNet(4, 0, 2)
    with pytest.raises(ValueError, match="x must contain only finite numbers"):
        net.predict(np.full((1, 4), np.nan))


def test_assigning_a_parameter_reaches_the_layers_like_cs231n():
    x = np.random.default_rng(0).standard_normal((5, 4))
    t = np.array([0, 1, 2, 1, 0])
    net = TwoLayerNet(4, 6, 3, seed=0)
    before = net.loss(x, t)
    grads = net.gradient(x, t)
    for key in net.params:
        net.params[key] = net.params[key] - 0.5 * grads[key]  # rebinding, not in place
    assert net.layers["Affine1"].W is net.params["W1"] and net.layers["Affine2"].b is net.params["b2"]
    assert net.loss(x, t) < before
    assert check_gradients(net, x, t).ok  # the check sees the weights predict uses


def test_bad_parameter_assignments_are_refused_loudly():
    net = TwoLayerNet(4, 6, 3, seed=0)
    with pytest.raises(ValueError, match=r"params\['W1'\] must keep its shape \(4, 6\), but the new array has shape \(6, 4\)"):
        net.params["W1"] = np.zeros((6, 4))
    with pytest.raises(KeyError, match="'W3' is not a parameter"):
        net.params["W3"] = np.zeros(3)
    with pytest.raises(TypeError, match="cannot be removed"):
        del net.params["b1"]
    with pytest.raises(AttributeError, match=r"net.params cannot be replaced"):
        net.params = {}
    with pytest.raises(ValueError, match="seed must be a non-negative integer, but got -1"):
        TwoLayerNet(4, 6, 3, seed=-1)


# ------------------------------------------------------------------ Sequential
def _layers_like(net):
    """The layers of a TwoLayerNet, rebuilt from copies of its weights."""
    p = {k: v.copy() for k, v in net.params.items()}
    hidden = activation_layer(net.layers[list(net.layers)[1]].record.name)
    return [Affine(p["W1"], p["b1"]), hidden, Affine(p["W2"], p["b2"])]


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_sequential_is_twolayernet_given_the_same_weights(activation):
    rng = np.random.default_rng(5)
    net = TwoLayerNet(6, 5, 4, weight_init_std=1.0, seed=3, activation=activation)
    model = Sequential(_layers_like(net), SoftmaxWithLoss())
    assert list(model.layers) == list(net.layers) and list(model.params) == list(net.params)
    x, t = rng.normal(size=(7, 6)), rng.integers(0, 4, 7)
    assert model.loss(x, t) == net.loss(x, t)
    np.testing.assert_array_equal(model.predict(x), net.predict(x))
    assert model.accuracy(x, t) == net.accuracy(x, t)
    ours, theirs = model.gradient(x, t), net.gradient(x, t)
    assert list(ours) == list(theirs)
    for key in theirs:
        np.testing.assert_array_equal(ours[key], theirs[key])


def test_sequential_of_more_layers_passes_the_gradient_check():
    rng = np.random.default_rng(6)
    model = Sequential([Affine(rng.normal(size=(3, 5)), rng.normal(size=5)), Tanh(),
                        Affine(rng.normal(size=(5, 4)), rng.normal(size=4)), Relu(),
                        Affine(rng.normal(size=(4, 2)), rng.normal(size=2))], MSELoss())
    assert list(model.layers) == ["Affine1", "Tanh1", "Affine2", "Relu1", "Affine3"]
    assert list(model.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    x, t = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    report = check_gradients(model, x, t)
    assert report.ok and [row.name for row in report.rows] == list(model.params)
    numeric = model.numerical_gradient(x, t)
    grads = model.gradient(x, t)
    assert all(relative_error(grads[k], numeric[k]) < 1e-7 for k in model.params)
    assert model.params["W2"] is model.layers["Affine2"].W


class _HalfInTraining(Layer):
    """A layer that behaves differently in the two modes, as dropout will (scale 1/2 when training)."""

    def forward(self, x):
        self.scale = 0.5 if self.training else 1.0
        return self.scale * x

    def backward(self, dout):
        return self.scale * dout


def test_train_and_eval_reach_every_layer():
    half = _HalfInTraining()
    model = Sequential([Affine(np.eye(2), np.zeros(2)), half, Relu()], SoftmaxWithLoss())
    x = np.array([[1.0, 2.0]])
    assert model.training and all(layer.training for layer in model.layers.values())
    np.testing.assert_array_equal(model.predict(x), [[0.5, 1.0]])
    assert model.eval() is model and not model.training
    assert not any(layer.training for layer in model.layers.values())
    np.testing.assert_array_equal(model.predict(x), [[1.0, 2.0]])
    assert model.train() is model and model.training and half.training
    assert Relu().eval().training is False and Layer().train(False).train().training is True
    with pytest.raises(TypeError, match="mode must be True or False, but got 'eval'"):
        model.train("eval")


def test_sequential_refuses_what_is_not_a_model():
    with pytest.raises(ValueError, match="needs at least one layer"):
        Sequential([], SoftmaxWithLoss())
    with pytest.raises(TypeError, match=r"layers\[1\] must have forward and backward methods, but got int"):
        Sequential([Relu(), 3], SoftmaxWithLoss())
    with pytest.raises(TypeError, match="loss_layer must have forward and backward methods"):
        Sequential([Relu()], None)
