"""``bplib.models.fit``: chapter 5's mini-batch SGD loop, in one home for the later chapters."""

from __future__ import annotations

import numpy as np
import pytest

from bplib import data
from bplib.layers import Affine, MSELoss, SoftmaxWithLoss
from bplib.models import FitHistory, Sequential, TwoLayerNet, fit
from bplib.training import TrainingDiverged, clip_grad_norm, global_norm


@pytest.fixture(scope="module")
def digits():
    return data.digits(test_size=0.25, seed=0)


def chapter5_loop(net, x, t, x_test, t_test, epochs, lr, batch_size, seed):
    """The loop chapter 5 writes out, transcribed."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            grads = net.gradient(x[idx], t[idx])
            for key in net.params:
                net.params[key] -= lr * grads[key]
        train.append(net.accuracy(x, t))
        test.append(net.accuracy(x_test, t_test))
    return train, test


def test_fit_is_chapter_5s_loop(digits):
    ours = TwoLayerNet(64, 50, 10, weight_init_std=0.01, seed=0)
    theirs = TwoLayerNet(64, 50, 10, weight_init_std=0.01, seed=0)
    history = fit(ours, digits.x_train, digits.t_train, epochs=3, learning_rate=0.1,
                  batch_size=100, seed=0, test=(digits.x_test, digits.t_test))
    train, test = chapter5_loop(theirs, digits.x_train, digits.t_train, digits.x_test,
                                digits.t_test, 3, 0.1, 100, 0)
    assert isinstance(history, FitHistory)
    assert history.train_accuracy == train and history.test_accuracy == test
    for key in ours.params:
        np.testing.assert_array_equal(ours.params[key], theirs.params[key])
    assert len(history.loss) == 3 and history.loss[-1] < history.loss[0]
    assert history.loss[-1] == pytest.approx(ours.loss(digits.x_train, digits.t_train))


def test_fit_without_test_data_and_the_mode_is_restored(digits):
    net = TwoLayerNet(64, 10, 10, seed=1)
    net.eval()
    history = fit(net, digits.x_train[:200], digits.t_train[:200], epochs=2, learning_rate=0.1)
    assert history.test_accuracy == [] and len(history.train_accuracy) == 2
    assert net.training is False


class ModeSpy:
    """A parameter-free layer that records the mode of every forward call."""

    param_names = ()

    def __init__(self):
        self.training = True
        self.modes: list[bool] = []

    def train(self, mode=True):
        self.training = mode
        return self

    def forward(self, x):
        self.modes.append(self.training)
        return x

    def backward(self, dout):
        return dout


def test_batches_run_in_training_mode_and_measuring_in_inference_mode(digits):
    spy = ModeSpy()
    rng = np.random.default_rng(0)
    model = Sequential([Affine(0.01 * rng.standard_normal((64, 10)), np.zeros(10)), spy],
                       SoftmaxWithLoss())
    fit(model, digits.x_train[:250], digits.t_train[:250], epochs=1, learning_rate=0.1,
        batch_size=100, test=(digits.x_test, digits.t_test))
    # three batches in training mode, then the train and test losses and accuracies in
    # inference mode
    assert spy.modes == [True, True, True, False, False, False, False]


def test_divergence_is_named(digits):
    net = TwoLayerNet(64, 50, 10, weight_init_std=1.0, seed=0)
    with pytest.raises(TrainingDiverged, match="learning_rate"), np.errstate(all="ignore"):
        fit(net, digits.x_train, digits.t_train, epochs=3, learning_rate=1e300)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"epochs": 0}, ValueError, "epochs"),
        ({"learning_rate": -1.0}, ValueError, "learning_rate"),
        ({"batch_size": 2.5}, ValueError, "batch_size"),
        ({"seed": -1}, ValueError, "seed"),
        ({"test": [1, 2]}, TypeError, "test"),
        ({"max_norm": 0}, ValueError, "max_norm"),
    ],
)
def test_bad_arguments_are_named(digits, kwargs, error, match):
    args = {"epochs": 1, "learning_rate": 0.1} | kwargs
    with pytest.raises(error, match=match):
        fit(TwoLayerNet(64, 5, 10), digits.x_train, digits.t_train, **args)


def test_samples_must_agree(digits):
    with pytest.raises(ValueError, match="one row per sample"):
        fit(TwoLayerNet(64, 5, 10), digits.x_train, digits.t_train[:-1], epochs=1,
            learning_rate=0.1)
    with pytest.raises(TypeError, match="Sequential"):
        fit(object(), digits.x_train, digits.t_train, epochs=1, learning_rate=0.1)


def test_a_regression_model_has_losses_and_no_accuracy(digits):
    rng = np.random.default_rng(0)
    model = Sequential([Affine(0.01 * rng.standard_normal((64, 1)), np.zeros(1))], MSELoss())
    y = digits.t_train[:, None] / 9.0
    history = fit(model, digits.x_train, y, epochs=3, learning_rate=0.005,
                  test=(digits.x_test, digits.t_test[:, None] / 9.0))
    assert history.train_accuracy == [] and history.test_accuracy == []
    assert len(history.test_loss) == 3 and history.loss[-1] < history.loss[0]
    assert len(history.grad_norm) == 3 * 14  # 1347 samples in batches of 100


def test_clipping_rescales_each_step_to_max_norm(digits):
    """fit(max_norm=c) is the loop with every step's gradients clipped by clip_grad_norm."""
    x, t = digits.x_train[:300], digits.t_train[:300]
    ours = TwoLayerNet(64, 20, 10, weight_init_std=0.5, seed=2)
    theirs = TwoLayerNet(64, 20, 10, weight_init_std=0.5, seed=2)
    history = fit(ours, x, t, epochs=2, learning_rate=0.5, batch_size=50, seed=3, max_norm=0.05)
    rng = np.random.default_rng(3)
    norms = []
    for _ in range(2):
        order = rng.permutation(len(x))
        for start in range(0, len(x), 50):
            idx = order[start:start + 50]
            grads, norm = clip_grad_norm(theirs.gradient(x[idx], t[idx]), 0.05)
            assert global_norm(grads) <= 0.05 * (1 + 1e-12)
            norms.append(norm)
            for key in theirs.params:
                theirs.params[key] -= 0.5 * grads[key]
    assert history.grad_norm == norms and max(norms) > 0.05  # clipping did something
    for key in ours.params:
        np.testing.assert_array_equal(ours.params[key], theirs.params[key])


def test_clip_grad_norm_keeps_the_direction_and_leaves_small_gradients_alone():
    grads = {"W": np.array([[3.0, 0.0]]), "b": np.array([4.0])}
    clipped, norm = clip_grad_norm(grads, 1.0)
    assert norm == 5.0 and global_norm(clipped) == pytest.approx(1.0)
    np.testing.assert_allclose(clipped["W"], [[0.6, 0.0]])
    np.testing.assert_allclose(clipped["b"], [0.8])
    assert grads["W"][0, 0] == 3.0  # not modified
    same, norm = clip_grad_norm(grads, 10.0)
    assert norm == 5.0 and all(np.array_equal(same[k], grads[k]) for k in grads)
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm(grads, 0.0)
    with pytest.raises(TypeError, match="grads"):
        global_norm({})
