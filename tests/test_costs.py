"""The cost objects of bplib.costs: one argument order, both conventions, their targets, their names."""

import warnings

import numpy as np
import pytest

import bplib.costs
from bplib import losses
from bplib.activations import get_activation
from bplib.costs import COSTS, Cost, QuadraticCost
from bplib.network import Network

RNG = np.random.default_rng(0)
A = RNG.uniform(0.05, 0.95, (3, 5))  # 3 output units, 5 samples as columns
Y = RNG.uniform(0.05, 0.95, (3, 5))
Z = np.log(A / (1 - A))  # A = sigmoid(Z)


@pytest.mark.parametrize("name", sorted(COSTS))
def test_fn_and_delta_take_a_y_z_in_that_order(name):
    cost = COSTS[name]
    sigmoid = get_activation("sigmoid")
    # the order is (a, y, z): swapping any two arrays changes the result
    reference = cost.delta(A, Y, Z, sigmoid)
    expected = cost.gradient(A, Y) if cost.cancels_prime else cost.gradient(A, Y) * sigmoid.prime(Z)
    np.testing.assert_allclose(reference, expected, rtol=1e-15, atol=0)
    assert not np.allclose(cost.delta(Z, A, Y, sigmoid), reference)  # the older (z, a, y)
    value = cost.fn(A, Y, Z)
    assert value.shape == (5,)
    assert not np.allclose(cost.fn(Z, Y, A), value)


def test_a_subclass_written_for_the_older_delta_order_is_refused():
    with pytest.raises(TypeError, match=r"Old.delta takes \(z, a, y, activation\), the older order: a "
                       r"cost's delta takes delta\(a, y, z, activation\)"):
        class Old(QuadraticCost):  # noqa: F841 (defining it is the test)
            def delta(self, z, a, y, activation):
                return super().delta(a, y, z, activation)

    class New(QuadraticCost):
        def delta(self, a, y, z, activation):
            return 3 * super().delta(a, y, z, activation)

    assert isinstance(New(), Cost)


@pytest.mark.parametrize("name", sorted(COSTS))
def test_rows_and_columns_give_the_same_cost(name):
    cost = COSTS[name]
    np.testing.assert_array_equal(cost.fn(A.T, Y.T, Z.T, axis=-1), cost.fn(A, Y, Z))
    np.testing.assert_array_equal(cost.gradient(A.T, Y.T, axis=-1), cost.gradient(A, Y).T)


@pytest.mark.parametrize("row_loss, row_prime, name", [
    (losses.quadratic, losses.quadratic_prime, "quadratic"),
    (losses.mse, losses.mse_prime, "mse"),
])
def test_row_losses_are_the_cost_objects_on_rows(row_loss, row_prime, name):
    a, t = A.T, Y.T  # 5 samples as rows
    assert row_loss(a, t) == float(np.mean(COSTS[name].fn(A, Y)))
    np.testing.assert_array_equal(row_prime(a, t), COSTS[name].gradient(A, Y).T / 5)
    assert row_loss(a[0], t[0]) == float(COSTS[name].fn(A[:, :1], Y[:, :1])[0])  # 1-D: one sample


# --------------------------------------------------------- binary cross-entropy targets
@pytest.mark.parametrize("bad", [1.2, 1.0 + 1e-9, -1e-9, -0.2])
def test_binary_cross_entropy_refuses_targets_outside_0_1(bad):
    net = Network([2, 1], cost="binary_cross_entropy", seed=0)
    x = np.zeros((2, 3))
    y = np.array([[0.0, 1.0, bad]])
    message = r"must hold targets in \[0, 1\] for the binary cross-entropy, but it ranges from"
    with pytest.raises(ValueError, match="y " + message):
        net.loss(x, y)
    with pytest.raises(ValueError, match="training_data Y " + message):
        net.sgd((x, y), 1, 3, 0.1)
    with pytest.raises(ValueError, match="test_data Y " + message):
        net.sgd((x, np.full((1, 3), 0.5)), 1, 3, 0.1, test_data=(x, y))


def test_binary_cross_entropy_accepts_targets_0_and_1():
    net = Network([2, 1], cost="binary_cross_entropy", seed=0)
    x, y = np.zeros((2, 3)), np.array([[0.0, 1.0, 0.5]])
    assert np.isfinite(net.loss(x, y))
    assert len(net.sgd((x, y), 1, 3, 0.1)) == 1


# ------------------------------------------------------------------- names and aliases
def test_each_cost_has_one_name_and_older_ones_warn():
    assert sorted(COSTS) == ["binary_cross_entropy", "mse", "quadratic"]
    assert "COST_ALIASES" not in bplib.costs.__all__
    with pytest.warns(DeprecationWarning, match=r"COST_ALIASES is deprecated.*'cross_entropy' is now "
                      r"'binary_cross_entropy'") as record:
        aliases = bplib.costs.COST_ALIASES
    assert record[0].filename == __file__
    assert aliases == {"cross_entropy": "binary_cross_entropy"}
    with pytest.warns(DeprecationWarning, match="use 'binary_cross_entropy'"):
        assert bplib.costs.get_cost("cross_entropy") is COSTS["binary_cross_entropy"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in COSTS:
            assert bplib.costs.get_cost(name) is COSTS[name]
    with pytest.raises(AttributeError, match="has no attribute 'COST_ALIAS'"):
        bplib.costs.COST_ALIAS  # noqa: B018


# ------------------------------------------------ a new cost: one class in bplib/costs.py
class ScaledQuadratic(Cost):
    """A cost a reader might add: 3/2 ||a - y||^2, so nabla_a C = 3 (a - y)."""

    name = "scaled_quadratic"

    def fn(self, a, y, z=None, axis=0):
        return 1.5 * np.sum((a - y) ** 2, axis=axis)

    def scale(self, n_out):
        return 3.0


def test_a_cost_added_to_the_registry_trains_on_both_paths_and_checks(monkeypatch):
    from bplib.gradcheck import check_gradients

    monkeypatch.setitem(COSTS, "scaled_quadratic", ScaledQuadratic())
    x, y = RNG.standard_normal((2, 9)), RNG.uniform(0.1, 0.9, (2, 9))
    nets = [Network([2, 3, 2], cost="scaled_quadratic", seed=0) for _ in range(3)]
    assert nets[0].uses_fast_path()
    histories = [nets[0].sgd((x, y), 3, 4, 0.1), nets[1].sgd((x, y), 3, 4, 0.1, fast=False)]
    np.testing.assert_allclose(histories[0].loss, histories[1].loss, rtol=1e-12, atol=0)
    # the same training as the quadratic cost with three times the learning rate
    quadratic = Network([2, 3, 2], cost="quadratic", seed=0)
    quadratic.sgd((x, y), 3, 4, 0.3, fast=False)
    np.testing.assert_allclose(nets[1].weights[0], quadratic.weights[0], rtol=1e-12, atol=1e-14)
    assert check_gradients(nets[2], x, y).ok
