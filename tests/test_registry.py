"""The activation registry: ``register`` checks a record, and every consumer reads the registry.

A test that registers an activation does so through the ``registered`` fixture,
which removes it again; ``conftest.py`` fails any test that leaves one behind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import numpy as np
import pytest
import sympy as sp

from bplib import Network, TwoLayerNet, activations, symbolic
from bplib.activations import ACTIVATIONS, register, sigmoid, unregister
from bplib.autodiff import Value
from bplib.gradcheck import check_gradients, numerical_gradient, relative_error
from bplib.layers import ActivationLayer, Affine, SoftmaxWithLoss, activation_layer
from bplib.models import Sequential

BOOK = {"sigmoid", "relu", "tanh", "identity"}


def softplus(z):
    return np.logaddexp(0.0, z)  # log(1 + e^z), no overflow


def softplus_from_output(a):
    return -np.expm1(-a)  # e^a = 1 + e^z, so sigma(z) = 1 - e^-a


def softplus_symbolic(x):
    return sp.log(1 + sp.exp(x))


@pytest.fixture
def registered() -> Iterator[Callable[..., activations.Activation]]:
    """``register`` for one test: whatever it registers is unregistered afterwards."""
    names: list[str] = []

    def register_for_this_test(name, *args, **kwargs):
        record = register(name, *args, **kwargs)
        names.append(name)
        return record

    yield register_for_this_test
    for name in names:
        unregister(name)


@pytest.fixture
def softplus_record(registered):
    return registered("softplus", softplus, sigmoid, softplus_from_output, softplus_symbolic)


# ------------------------------------------------------------------ every consumer
def test_a_registered_activation_works_in_every_consumer(softplus_record):
    assert ACTIVATIONS["softplus"] is softplus_record is activations.get_activation("softplus")

    # Value: the value and the local derivative from the record
    x = Value(0.3)
    y = x.activation("softplus")
    y.backward()
    assert y.op == "softplus"
    assert y.data == pytest.approx(np.log1p(np.exp(0.3)), rel=1e-15)
    assert x.grad == pytest.approx(1 / (1 + np.exp(-0.3)), rel=1e-15)

    # symbolic: the record's SymPy form
    z = sp.Symbol("z")
    assert symbolic.activation("softplus")(z) == sp.log(1 + sp.exp(z))

    # the layer, with no class written for it
    layer = activation_layer("softplus")
    assert type(layer) is ActivationLayer and layer.title == "Softplus"
    assert repr(layer) == "ActivationLayer('softplus')"
    rng = np.random.default_rng(0)
    x_in, dout = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    numeric = numerical_gradient(lambda v: float(np.sum(layer.forward(v) * dout)), x_in.copy())
    layer.forward(x_in)
    assert relative_error(layer.backward(dout), numeric) < 1e-8

    # TwoLayerNet (DLfS's signature) and its gradient check
    net = TwoLayerNet(4, 5, 3, weight_init_std=1.0, seed=1, activation="softplus")
    assert list(net.layers) == ["Affine1", "Softplus1", "Affine2"]
    t = np.array([0, 2, 1])
    assert check_gradients(net, x_in, t).ok

    # Network, on the fast path and on the reference path, to the same weights
    xs, ys = rng.normal(size=(2, 8)), rng.uniform(size=(1, 8))
    fast, plain = (Network([2, 3, 1], activation="softplus", seed=2) for _ in range(2))
    assert fast.uses_fast_path()
    fast.sgd((xs, ys), 5, 4, 0.5)
    plain.sgd((xs, ys), 5, 4, 0.5, fast=False)
    for w_fast, w_plain in zip(fast.weights, plain.weights):
        np.testing.assert_allclose(w_fast, w_plain, rtol=1e-12, atol=1e-14)
    assert not np.allclose(fast.weights[0], Network([2, 3, 1], seed=2).weights[0])  # it trained


def test_a_record_without_prime_from_output_or_symbolic_form(registered):
    registered("softplus", softplus, sigmoid)  # a plain pair of functions
    with pytest.raises(ValueError, match="activation 'softplus' has no SymPy form"):
        symbolic.activation("softplus")
    # the layer keeps its input and differentiates with prime(x)
    layer = ActivationLayer("softplus")
    x = np.array([[-1.0, 0.0, 2.0]])
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(np.ones_like(x)), sigmoid(x), rtol=1e-15)
    # Value falls back on prime(z) too
    v = Value(2.0)
    v.activation("softplus").backward()
    assert v.grad == pytest.approx(float(sigmoid(2.0)), rel=1e-15)
    # Network trains it on the reference path
    assert not Network([1, 2, 1], activation="softplus").uses_fast_path()


def test_a_readers_kernels_need_no_out_argument(registered):
    record = registered("softplus", lambda z: np.logaddexp(0.0, z), sigmoid,
                        lambda a: -np.expm1(-a))
    buffer = np.empty(3)
    z = np.array([-1.0, 0.0, 1.0])
    assert record.f(z, out=buffer) is buffer
    np.testing.assert_array_equal(buffer, softplus(z))
    assert record.prime_from_output(softplus(z), out=buffer) is buffer


# ------------------------------------------------------------------ the checks
def _bump_at_3(z):
    """A small error in a derivative, largest at z = 3 (a point of the check grid)."""
    return 1e-6 * np.exp(-((z - 3.0) ** 2))


@pytest.mark.parametrize(
    "fields, message",
    [
        # prime_from_output(a) disagrees with prime(z)
        (dict(prime=sigmoid, prime_from_output=lambda a: -np.expm1(-a) + _bump_at_3(np.log(np.expm1(a))),
              symbolic=None),
         r"prime_from_output\(f\(z\)\) and prime\(z\) disagree, worst at z = 3:"),
        # prime(z) disagrees with SymPy's derivative (no prime_from_output to compare with)
        (dict(prime=lambda z: sigmoid(z) + _bump_at_3(z), prime_from_output=None,
              symbolic=softplus_symbolic),
         r"prime\(z\) and SymPy's prime\(z\) of the symbolic form disagree, worst at z = 3:"),
        # the classic slip: the sigmoid's a (1 - a) reused for another activation
        (dict(prime=sigmoid, prime_from_output=lambda a: a * (1 - a), symbolic=None),
         r"prime_from_output\(f\(z\)\) and prime\(z\) disagree, worst at z = "),
        # a symbolic form of another function
        (dict(prime=sigmoid, prime_from_output=softplus_from_output,
              symbolic=lambda x: sp.log(1 + sp.exp(2 * x))),
         r"f\(z\) and SymPy's f\(z\) of the symbolic form disagree"),
    ],
    ids=["prime_from_output", "prime-vs-sympy", "sigmoid-form", "symbolic-form"],
)
def test_register_refuses_a_wrong_derivative_naming_the_worst_z(fields, message, registered):
    with pytest.raises(ValueError, match=r"^activation 'softplus': " + message):
        registered("softplus", softplus, **fields)
    assert "softplus" not in ACTIVATIONS


def test_the_sigmoids_two_forms_differ_relatively_beyond_30_and_pass():
    """What the chain-rule chapter shows: a (1 - a) loses sigma'(z) where 1 - a rounds."""
    record = ACTIVATIONS["sigmoid"]
    z = np.array([40.0])
    exact, from_output = record.prime(z)[0], record.prime_from_output(record.f(z))[0]
    assert from_output == 0.0 and exact > 4e-18  # 100% apart in relative terms
    assert abs(exact - from_output) < 1e-12     # within the check's absolute tolerance


def test_a_kink_is_skipped_only_where_declared(registered):
    def half_at_zero(z):  # relu' with the central difference's 1/2 at the kink
        return np.where(z > 0, 1.0, np.where(z == 0, 0.5, 0.0))

    with pytest.raises(ValueError, match=r"'bent': prime_from_output\(f\(z\)\) and prime\(z\) disagree, worst at z = 0:"):
        registered("bent", activations.relu, half_at_zero, activations.relu_prime)
    record = registered("bent", activations.relu, half_at_zero, activations.relu_prime, kinks=[0.0])
    assert record.kinks == (0.0,) and ACTIVATIONS["relu"].kinks == (0.0,)


def test_register_and_unregister_refuse_bad_requests(registered):
    with pytest.raises(ValueError, match="'relu' is already registered"):
        register("relu", softplus, sigmoid)
    with pytest.raises(ValueError, match="a word of letters, digits and underscores"):
        register("soft plus", softplus, sigmoid)
    with pytest.raises(TypeError, match="prime must be a function, but got float"):
        register("softplus", softplus, 0.5)
    with pytest.raises(ValueError, match=r"f must return an array shaped like z .* returned shape \(2,\)"):
        register("softplus", lambda z: np.zeros(2), sigmoid)
    with pytest.raises(ValueError, match="'tanh' is one of the book's own activations"):
        unregister("tanh")
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        unregister("softplus")
    with pytest.raises(TypeError):
        ACTIVATIONS["softplus"] = ACTIVATIONS["relu"]  # read-only: register is the way in
    assert set(ACTIVATIONS) == BOOK


def test_the_books_activations_are_registered_through_register():
    source = activations.__loader__.get_source(activations.__name__)
    assert set(re.findall(r'^register\("(\w+)"', source, flags=re.M)) == BOOK == set(ACTIVATIONS)


def test_every_name_of_the_registry_is_a_layer_and_a_value_method():
    rng = np.random.default_rng(3)
    for name in ACTIVATIONS:
        layer = activation_layer(name)
        x = rng.normal(size=(2, 3))
        out = layer.forward(x)
        np.testing.assert_array_equal(out, ACTIVATIONS[name].f(x))
        assert Value(0.7).activation(name).data == pytest.approx(float(ACTIVATIONS[name].f(np.float64(0.7))))
    with pytest.raises(ValueError, match="unknown activation 'softsign'"):
        Value(1.0).activation("softsign")
    with pytest.raises(ValueError, match="unknown activation 'softsign'"):
        ActivationLayer("softsign")


def test_sequential_runs_a_registered_activation(softplus_record):
    rng = np.random.default_rng(4)
    model = Sequential([Affine(rng.normal(size=(3, 4)), np.zeros(4)), ActivationLayer("softplus"),
                        Affine(rng.normal(size=(4, 2)), np.zeros(2))], SoftmaxWithLoss())
    assert list(model.layers) == ["Affine1", "Softplus1", "Affine2"]
    assert check_gradients(model, rng.normal(size=(5, 3)), rng.integers(0, 2, 5)).ok
