"""Tests for bplib.losses: formulas, gradients, stability and label checks."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from bplib import losses
from bplib.activations import softmax
from bplib.gradcheck import numerical_gradient


def batch_pair(draw, low=-3.0, high=3.0):
    batch = draw(st.integers(1, 5))
    width = draw(st.integers(1, 4))
    shape = (batch, width) if draw(st.booleans()) else (width,)
    elems = st.floats(low, high, allow_nan=False)
    return draw(arrays(np.float64, shape, elements=elems)), draw(arrays(np.float64, shape, elements=elems))


@st.composite
def pairs(draw):
    return batch_pair(draw)


def test_quadratic_and_mse_formulas():
    y = np.array([[1.0, 2.0], [3.0, 5.0]])
    t = np.array([[0.0, 0.0], [3.0, 3.0]])
    # per sample: 0.5*(1+4)=2.5 and 0.5*(0+4)=2, mean 2.25
    assert losses.quadratic(y, t) == pytest.approx(2.25)
    assert losses.mse(y, t) == pytest.approx((1 + 4 + 0 + 4) / 4)
    assert losses.quadratic([1.0, 2.0], [0.0, 0.0]) == pytest.approx(2.5)  # 1-D = one sample


@pytest.mark.parametrize("loss, prime", [(losses.quadratic, losses.quadratic_prime),
                                          (losses.mse, losses.mse_prime)])
@settings(max_examples=30, deadline=None)
@given(yt=pairs())
def test_regression_loss_gradients(loss, prime, yt):
    y, t = yt
    numeric = numerical_gradient(lambda v: loss(v, t), y.copy())
    np.testing.assert_allclose(prime(y, t), numeric, rtol=1e-6, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_softmax_cross_entropy_gradient_and_agreement(data):
    batch = data.draw(st.integers(1, 5))
    classes = data.draw(st.integers(2, 5))
    z = data.draw(arrays(np.float64, (batch, classes), elements=st.floats(-5, 5)))
    labels = data.draw(arrays(np.int64, (batch,), elements=st.integers(0, classes - 1)))
    onehot = np.eye(classes)[labels]
    value = losses.softmax_cross_entropy(z, labels)
    assert value == pytest.approx(losses.softmax_cross_entropy(z, onehot), rel=1e-12, abs=0)
    assert value == pytest.approx(losses.cross_entropy(softmax(z), labels), rel=1e-9, abs=0)
    numeric = numerical_gradient(lambda v: losses.softmax_cross_entropy(v, labels), z.copy())
    np.testing.assert_allclose(losses.softmax_cross_entropy_prime(z, labels), numeric,
                               rtol=1e-6, atol=1e-9)


def test_cross_entropy_values():
    y = np.array([[0.2, 0.8], [0.6, 0.4]])
    expected = -(np.log(0.8) + np.log(0.6)) / 2
    assert losses.cross_entropy(y, [1, 0]) == pytest.approx(expected, rel=1e-14, abs=0)
    assert losses.cross_entropy(y, [[0, 1], [1, 0]]) == pytest.approx(expected, rel=1e-14, abs=0)
    assert losses.cross_entropy([0.2, 0.8], 1) == pytest.approx(-np.log(0.8))  # 1-D, scalar label
    assert losses.cross_entropy([0.0, 1.0], 1) == 0.0  # no DLfS-style +1e-7 bias


def test_cross_entropy_of_zero_probability_is_finite():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = losses.cross_entropy([1.0, 0.0], 1)
    assert value == pytest.approx(-np.log(losses.CROSS_ENTROPY_EPS))


def test_softmax_cross_entropy_stable_at_1e4():
    z = np.array([[1e4, -1e4], [1e4, -1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert losses.softmax_cross_entropy(z, [0, 0]) == 0.0
        assert losses.softmax_cross_entropy(z, [1, 1]) == pytest.approx(2e4)
        grad = losses.softmax_cross_entropy_prime(z, [1, 1])
    np.testing.assert_allclose(grad, [[0.5, -0.5], [0.5, -0.5]])


@pytest.mark.parametrize("t, message", [
    ([0, 3], r"labels in 0\.\.2 for an output of 3 classes, but it contains 3"),
    ([-1, 0], r"labels in 0\.\.2 .* but it contains -1"),
    ([0.0, 1.5], r"integer class labels, but it contains 1\.5"),
    (np.eye(4)[[0, 1]], r"one-hot t must have shape \(2, 3\) \(3 classes\), but t\.shape=\(2, 4\)"),
    ([0, 1, 2], r"labels t must have shape \(2,\) \(one per sample\), but t\.shape=\(3,\)"),
    (np.zeros((2, 3, 1)), r"one-hot with shape \(2, 3\) or integer labels with shape \(2,\)"),
    (["a", "b"], r"integer class labels, but its dtype is <U1"),
])
@pytest.mark.parametrize("loss", [losses.cross_entropy, losses.softmax_cross_entropy])
def test_bad_labels_raise(loss, t, message):
    y = np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])
    with pytest.raises(ValueError, match=message):
        loss(y, t)


def test_integral_float_labels_are_accepted():
    y = np.array([[0.2, 0.8], [0.6, 0.4]])
    assert losses.cross_entropy(y, np.array([1.0, 0.0])) == losses.cross_entropy(y, [1, 0])


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"a\.shape=\(2, 3\) and t\.shape=\(2, 2\)"):
        losses.quadratic(np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"a must be 1-D or 2-D, but it is 3-D"):
        losses.mse(np.zeros((1, 2, 3)), np.zeros((1, 2, 3)))


def test_cross_entropy_rejects_non_probabilities():
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*softmax_cross_entropy"):
        losses.cross_entropy([[2.0, -1.0]], [0])


def test_nan_and_empty_inputs_raise():
    with pytest.raises(ValueError, match="a must contain only finite numbers, but it has 1 NaN"):
        losses.mse([np.nan, 1.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="z must contain only finite"):
        losses.softmax_cross_entropy([np.inf, 1.0], 0)
    with pytest.raises(ValueError, match=r"a must not be empty, but a\.shape=\(0, 2\)"):
        losses.quadratic(np.zeros((0, 2)), np.zeros((0, 2)))
