"""Tests of bplib.symbolic: the SymPy helpers the chapters share."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from bplib import activations, symbolic


def test_matrix_symbols_names_and_shape():
    w = symbolic.matrix_symbols("w", 2, 3)
    assert w.shape == (2, 3)
    assert str(w[1, 2]) == "w_23"
    with pytest.raises(ValueError, match="rows, cols >= 1"):
        symbolic.matrix_symbols("w", 0, 3)


def test_vector_symbols():
    x = symbolic.vector_symbols("x", 3)
    assert x.shape == (3, 1) and str(x[2]) == "x_3"
    with pytest.raises(ValueError, match="n >= 1"):
        symbolic.vector_symbols("x", 0)


def test_sigmoid_derivative_identity_is_proved():
    z = sp.Symbol("z")
    s = symbolic.sigmoid(z)
    assert symbolic.equivalent(sp.diff(s, z), s * (1 - s))
    # A wrong identity must not be "proved".
    assert not symbolic.equivalent(sp.diff(s, z), s * (1 + s))
    with pytest.raises(AssertionError, match="could not show"):
        symbolic.assert_equivalent(sp.diff(s, z), 2 * s * (1 - s), "sigma'")


def test_equivalent_matrices_checks_shape_and_entries():
    a = sp.Matrix([[1, 2]])
    assert symbolic.equivalent(a, sp.Matrix([[1, 2]]))
    assert not symbolic.equivalent(a, sp.Matrix([[1], [2]]))
    assert not symbolic.equivalent(a, sp.Matrix([[1, 3]]))


@settings(max_examples=40, deadline=None)
@given(st.floats(-30, 30), st.sampled_from(["sigmoid", "tanh", "relu"]))
def test_symbolic_activations_match_numpy(z0, name):
    z = sp.Symbol("z")
    expr = symbolic.activation(name)(z)
    f = {"sigmoid": activations.sigmoid, "tanh": activations.tanh, "relu": activations.relu}[name]
    assert symbolic.to_float(expr, {z: z0}) == pytest.approx(float(f(np.array(z0))), rel=1e-12, abs=1e-15)


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown activation 'softsign'; known activations"):
        symbolic.activation("softsign")


def test_to_float_rejects_leftover_symbols():
    x, y = sp.symbols("x y")
    with pytest.raises(ValueError, match="still depends on y"):
        symbolic.to_float(x + y, {x: 1.0})


def test_to_numpy_broadcasts_constants():
    x = sp.Symbol("x")
    g = symbolic.to_numpy(sp.Integer(3), [x])
    out = g(np.zeros((2, 3)))
    assert out.shape == (2, 3) and np.all(out == 3)


def test_chain_factors_multiply_to_the_derivative():
    x, u, v, y = sp.symbols("x u v y")
    path = [(y, sp.exp(v)), (v, sp.sin(u)), (u, x**2)]
    factors = symbolic.chain_factors(path, x)
    assert factors == [sp.exp(v), sp.cos(u), 2 * x]
    product = sp.Mul(*factors).subs({v: sp.sin(u)}).subs({u: x**2})
    assert sp.simplify(product - sp.diff(sp.exp(sp.sin(x**2)), x)) == 0
    with pytest.raises(ValueError, match="at least one"):
        symbolic.chain_factors([], x)


def test_relu_derivative_conventions_at_zero():
    """What chapter 5 says of SymPy at the kink: the Piecewise form's derivative is 0 at 0
    (its condition is z > 0), max(z, 0)'s is the Heaviside step, 1/2 at 0 by SymPy's default,
    and the one-sided difference quotients are 0 and 1."""
    z = sp.Symbol("z", real=True)
    eps = sp.Symbol("epsilon", positive=True)
    assert sp.diff(symbolic.relu(z), z).subs(z, 0) == 0
    heaviside = sp.diff(sp.Max(z, 0), z)
    assert heaviside.has(sp.Heaviside) and heaviside.subs(z, 0) == sp.Rational(1, 2)
    quotient = lambda t: (symbolic.relu(t) - symbolic.relu(0)) / t
    assert (sp.limit(quotient(-eps), eps, 0), sp.limit(quotient(eps), eps, 0)) == (0, 1)
