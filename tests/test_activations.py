"""Tests for bplib.activations: derivatives vs central differences, stability, registry."""

import warnings

import numpy as np
import sympy as sp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from bplib import activations as act
from bplib.layers import Relu

from strategies import FINITE, Z, central_difference


PAIRS = [
    (act.sigmoid, act.sigmoid_prime),
    (act.tanh, act.tanh_prime),
    (act.relu, act.relu_prime),
    (act.identity, act.identity_prime),
]


@pytest.mark.parametrize("f, f_prime", PAIRS, ids=lambda p: getattr(p, "__name__", ""))
@settings(max_examples=40, deadline=None)
@given(z=Z)
def test_derivative_matches_central_difference(f, f_prime, z):
    if f is act.relu:
        z = np.where(np.abs(z) < 1e-3, 0.5, z)  # stay away from the kink
    numeric = central_difference(f, z)
    analytic = f_prime(z)
    assert analytic.shape == z.shape
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_sigmoid_known_values_and_symmetry():
    z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(act.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_allclose(act.sigmoid(-z), 1 - act.sigmoid(z), atol=1e-16)
    assert act.sigmoid(0.0) == 0.5 and act.sigmoid_prime(0.0) == 0.25


def test_sigmoid_keeps_relative_precision_for_very_negative_z():
    # 1/(1+exp(40)) ~ 4.25e-18; computing it as 0.5*(1+tanh(-20)) would give 0
    assert act.sigmoid(-40.0) == pytest.approx(np.exp(-40.0) / (1 + np.exp(-40.0)), rel=1e-14, abs=0)
    assert act.sigmoid_prime(-40.0) == pytest.approx(np.exp(-40.0), rel=1e-12, abs=0)
    # sigma'(40) = e^-40 / (1 + e^-40)^2 = 4.248e-18; a(1 - a) would round it to 0
    exact = float(sp.N(sp.exp(-40) / (1 + sp.exp(-40)) ** 2, 30))
    assert act.sigmoid_prime(40.0) == pytest.approx(exact, rel=1e-12, abs=0)
    assert act.sigmoid_prime(40.0) == act.sigmoid_prime(-40.0)  # even
    # abs=0 above: these values are far below pytest.approx's default abs=1e-12, which would
    # accept the 0 that the textbook form a (1 - a) gives at z = 40
    a = act.sigmoid(40.0)
    assert a * (1 - a) == 0.0 and act.sigmoid_prime(40.0) > 4e-18


@pytest.mark.parametrize("f", [act.sigmoid, act.sigmoid_prime, act.tanh, act.tanh_prime,
                               act.relu, act.relu_prime, act.softmax])
def test_no_warnings_at_large_inputs(f):
    z = np.array([-1e4, -800.0, 0.0, 800.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = f(z)
    assert np.all(np.isfinite(out))


def test_sigmoid_limits_at_1e4():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(act.sigmoid(np.array([-1e4, 1e4])), [0.0, 1.0])
        np.testing.assert_array_equal(act.sigmoid_prime(np.array([-1e4, 1e4])), [0.0, 0.0])


def test_relu_prime_is_zero_at_zero_like_the_relu_layer():
    z = np.array([[-1.0, 0.0, 2.0]])
    assert act.relu_prime(0.0) == 0.0
    layer = Relu()
    layer.forward(z)
    np.testing.assert_array_equal(layer.backward(np.ones_like(z)), act.relu_prime(z))


@settings(max_examples=40, deadline=None)
@given(z=arrays(np.float64, array_shapes(min_dims=1, max_dims=2, max_side=6), elements=FINITE),
       shift=st.floats(-100, 100))
def test_softmax_rows_sum_to_one_and_shift_invariance(z, shift):
    s = act.softmax(z)
    assert s.shape == z.shape
    assert np.all(s >= 0)
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(act.softmax(z + shift), s, atol=1e-12)


def test_softmax_is_row_wise_and_exact_at_1e4():
    z = np.array([[1e4, -1e4, 0.0], [1.0, 2.0, 3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = act.softmax(z)
    np.testing.assert_array_equal(s[0], [1.0, 0.0, 0.0])
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(s[1], e / e.sum(), rtol=1e-15)
    np.testing.assert_allclose(act.softmax(z[1]), s[1])  # 1-D input = one sample


def test_get_activation_registry():
    for name in ("sigmoid", "relu", "tanh", "identity"):
        record = act.get_activation(name)
        assert record is act.ACTIVATIONS[name] and record.name == name
        z = np.linspace(-3, 3, 13)
        np.testing.assert_array_equal(record.f(z), getattr(act, name)(z))
        np.testing.assert_array_equal(record.prime(z), getattr(act, f"{name}_prime")(z))
        # the derivative from the output a = f(z) is the same derivative
        np.testing.assert_allclose(record.prime_from_output(record.f(z)), record.prime(z), rtol=1e-12)
    with pytest.raises(ValueError, match=r"unknown activation 'sigmod'.*'relu'.*'sigmoid'.*'tanh'"):
        act.get_activation("sigmod")


@pytest.mark.parametrize("bad, word", [(np.nan, "NaN"), (np.inf, "inf")])
def test_non_finite_input_raises(bad, word):
    with pytest.raises(ValueError, match=f"z must contain only finite numbers.*1 {word}"):
        act.sigmoid(np.array([0.0, bad]))


def test_softmax_rejects_scalar_and_empty():
    with pytest.raises(ValueError, match="at least 1 dimension"):
        act.softmax(1.0)
    with pytest.raises(ValueError, match="must not be empty"):
        act.softmax(np.zeros((2, 0)))


def test_log_softmax_checks_its_input_like_softmax():
    np.testing.assert_allclose(act.log_softmax([[1.0, 2.0, 3.0]]), np.log(act.softmax([[1.0, 2.0, 3.0]])),
                               rtol=1e-15)
    np.testing.assert_array_equal(act.log_softmax([1e4, -1e4]), [0.0, -2e4])  # no overflow
    with pytest.raises(ValueError, match=r"z must contain only finite numbers.*1 NaN"):
        act.log_softmax(np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match="at least 1 dimension"):
        act.log_softmax(1.0)
    with pytest.raises(ValueError, match="must not be empty"):
        act.log_softmax(np.zeros((2, 0)))
