"""The fast path of Network.sgd (bplib.fast.FastTrainer) equals the reference path.

The reference is the plain vectorised loop (``Network.sgd(fast=False)``:
``_update_batch`` + ``_backprop``).  Equality is asserted to 1e-12 for the
weights, the biases and the loss history.  No test here measures time.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bplib.activations import sigmoid, sigmoid_prime
from bplib.fast import FastTrainer
from bplib.network import Network

TOL = dict(rtol=1e-12, atol=1e-12)

COMBOS = [
    (act, cost)
    for act in ("sigmoid", "tanh", "relu", "identity")
    for cost in ("quadratic", "mse", "binary_cross_entropy")
    if cost != "binary_cross_entropy" or act == "sigmoid"
]


def make_data(sizes, n, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((sizes[0], n))
    y = rng.uniform(0.05, 0.95, (sizes[-1], n))
    return x, y


def train_both(sizes, activation, cost, bias, n, batch_size, epochs=4, lr=0.2, test=False, seed=3):
    if activation == "identity":
        lr = 0.01  # a linear network diverges at larger steps
    x, y = make_data(sizes, n, seed)
    test_data = make_data(sizes, 7, seed + 1) if test else None
    runs = []
    for fast in (False, True):
        net = Network(sizes, activation=activation, cost=cost, seed=1, bias=bias)
        history = net.sgd((x, y), epochs, batch_size, lr, seed=5, fast=fast, test_data=test_data)
        runs.append((net, history))
    return runs


def assert_same(runs):
    (ref, h_ref), (fast, h_fast) = runs
    assert len(h_fast.loss) == len(h_ref.loss)
    np.testing.assert_allclose(h_fast.loss, h_ref.loss, **TOL)
    np.testing.assert_allclose(h_fast.test_loss, h_ref.test_loss, **TOL)
    assert len(h_fast.test_loss) == len(h_ref.test_loss)
    for a, b in zip(ref.weights + ref.biases, fast.weights + fast.biases):
        assert a.shape == b.shape and b.dtype == np.float64
        np.testing.assert_allclose(b, a, **TOL)


@pytest.mark.parametrize("activation, cost", COMBOS)
@pytest.mark.parametrize("bias", [True, False])
def test_fast_equals_reference_with_ragged_last_batch(activation, cost, bias):
    # 23 samples in batches of 5: four of 5 and a ragged last batch of 3
    runs = train_both([3, 6, 4, 2], activation, cost, bias, n=23, batch_size=5, test=True)
    assert_same(runs)
    (ref, _), _ = runs
    assert not np.allclose(ref.weights[0], Network([3, 6, 4, 2], activation=activation,
                                                   cost=cost, seed=1).weights[0])  # it trained


def test_fast_equals_reference_on_article_000_task():
    x = np.linspace(-7, 7, 200).reshape(1, 200)
    y = (np.cos(x) + 1) / 2
    runs = []
    for fast in (False, True):
        net = Network([1, 8, 5, 3, 1], cost="mse", seed=0)
        runs.append((net, net.sgd((x, y), 100, 40, 0.1, fast=fast)))
    assert_same(runs)


@pytest.mark.parametrize("batch_size", [1, 8, 50])  # one sample per batch; exact; larger than n
def test_fast_equals_reference_for_any_batch_size(batch_size):
    assert_same(train_both([2, 3, 1], "sigmoid", "quadratic", True, n=8, batch_size=batch_size))


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=4),
    activation=st.sampled_from(["sigmoid", "tanh", "relu"]),
    cost=st.sampled_from(["quadratic", "mse", "binary_cross_entropy"]),
    bias=st.booleans(),
    n=st.integers(1, 30),
    batch_size=st.integers(1, 12),
    seed=st.integers(0, 2**16),
)
def test_fast_equals_reference_property(sizes, activation, cost, bias, n, batch_size, seed):
    if cost == "binary_cross_entropy":
        activation = "sigmoid"
    runs = train_both(sizes, activation, cost, bias, n, batch_size, epochs=3, seed=seed)
    assert_same(runs)


def test_large_pre_activations_give_no_warning_and_same_result():
    # |z| in the thousands: the fast sigmoid's exp(-z) overflows to inf (silenced) and gives 0
    net_ref = Network([1, 2, 1], cost="quadratic", seed=0)
    net_ref.weights[0][:] = [[3000.0], [-3000.0]]
    net_fast = Network([1, 2, 1], cost="quadratic", seed=0)
    net_fast.weights[0][:] = [[3000.0], [-3000.0]]
    x, y = np.array([[-1.0, 0.5, 1.0]]), np.array([[0.2, 0.4, 0.9]])
    h_ref = net_ref.sgd((x, y), 3, 2, 0.5, fast=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the fast path silences the exp overflow it expects
        h_fast = net_fast.sgd((x, y), 3, 2, 0.5)
    np.testing.assert_allclose(h_fast.loss, h_ref.loss, **TOL)
    for a, b in zip(net_ref.weights + net_ref.biases, net_fast.weights + net_fast.biases):
        np.testing.assert_allclose(b, a, **TOL)


def test_parameters_are_updated_in_place():
    net = Network([2, 3, 1], seed=0)
    w0, b0 = net.weights[0], net.biases[0]
    before = w0.copy()
    net.sgd((np.ones((2, 4)), np.zeros((1, 4))), 2, 2, 0.5)
    assert net.weights[0] is w0 and net.biases[0] is b0
    assert not np.array_equal(w0, before)


def test_bias_false_keeps_zero_biases():
    net = Network([2, 3, 1], seed=0, bias=False)
    net.sgd(make_data([2, 3, 1], 9, 0), 3, 4, 0.5)
    for b in net.biases:
        np.testing.assert_array_equal(b, 0.0)


def test_float32_is_close_but_not_identical():
    x, y = make_data([3, 5, 2], 40, 0)
    ref = Network([3, 5, 2], cost="mse", seed=1)
    h_ref = ref.sgd((x, y), 5, 8, 0.3, fast=False)
    f32 = Network([3, 5, 2], cost="mse", seed=1)
    h_32 = f32.sgd((x, y), 5, 8, 0.3, dtype="float32")
    np.testing.assert_allclose(h_32.loss, h_ref.loss, rtol=1e-5)
    assert h_32.loss != h_ref.loss  # it really computed in float32
    for a, b in zip(ref.weights, f32.weights):
        assert b.dtype == np.float64
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)


CUSTOM = (lambda z: sigmoid(z), lambda z: sigmoid_prime(z))


def test_custom_activation_pair_uses_reference_path():
    assert not FastTrainer.supports(Network([2, 2, 1], activation=CUSTOM))
    assert not Network([2, 2, 1], activation=CUSTOM).uses_fast_path()
    assert Network([2, 2, 1], activation="sigmoid").uses_fast_path()
    x, y = make_data([2, 2, 1], 6, 0)
    a = Network([2, 2, 1], activation=CUSTOM, seed=0)
    b = Network([2, 2, 1], activation="sigmoid", seed=0)
    np.testing.assert_allclose(a.sgd((x, y), 3, 4, 0.5).loss, b.sgd((x, y), 3, 4, 0.5).loss, **TOL)
    with pytest.raises(ValueError, match="dtype='float32' needs the fast path"):
        a.sgd((x, y), 1, 4, 0.5, dtype="float32")


def test_subclass_overriding_update_batch_is_respected():
    calls = []

    class Logged(Network):
        def update_batch(self, x, y, learning_rate):
            calls.append(np.shape(x)[1])
            super().update_batch(x, y, learning_rate)

    net = Logged([2, 2, 1], seed=0)
    assert not net.uses_fast_path()
    net.sgd(make_data([2, 2, 1], 10, 0), 2, 4, 0.5)
    assert calls == [4, 4, 2, 4, 4, 2]


@pytest.mark.parametrize("method", ["backprop", "update_batch", "backprop_per_sample", "loss",
                                    "_backprop", "_update_batch", "_backprop_per_sample", "_loss",
                                    "_forward"])
def test_no_override_of_the_taught_chain_is_ever_bypassed(method):
    calls = []
    original = getattr(Network, method)

    def logged(self, *args, **kwargs):
        calls.append(method)
        return original(self, *args, **kwargs)

    per_sample = method.endswith("backprop_per_sample")
    subclass = type("Sub", (Network,), {method: logged})([2, 2, 1], seed=0)
    subclass.sgd(make_data([2, 2, 1], 6, 0), 1, 3, 0.5, per_sample=per_sample)
    assert calls, f"sgd bypassed the subclass's {method}"
    calls.clear()
    instance = Network([2, 2, 1], seed=0)
    setattr(instance, method, logged.__get__(instance))  # a monkeypatch on one object
    assert not instance.uses_fast_path()
    instance.sgd(make_data([2, 2, 1], 6, 0), 1, 3, 0.5, per_sample=per_sample)
    assert calls, f"sgd bypassed the instance's {method}"


def test_custom_cost_with_its_own_delta_takes_the_reference_path():
    from bplib.costs import QuadraticCost

    class Doubled(QuadraticCost):
        def delta(self, a, y, z, activation):
            return 2 * super().delta(a, y, z, activation)

    net = Network([2, 2, 1], cost=Doubled(), seed=0)
    assert not net.uses_fast_path()
    ref = Network([2, 2, 1], cost="quadratic", seed=0)
    data = make_data([2, 2, 1], 6, 0)
    net.sgd(data, 1, 6, 0.5)
    ref.sgd(data, 1, 6, 1.0, fast=False)  # doubling delta = doubling the step
    np.testing.assert_allclose(net.weights[0], ref.weights[0], **TOL)


@pytest.mark.parametrize("kwargs, message", [
    (dict(dtype="float16"), "unknown dtype 'float16'; known dtypes: 'float32', 'float64'"),
    (dict(dtype="float32", fast=False), "dtype='float32' needs the fast path"),
    (dict(dtype="float32", per_sample=True), "dtype='float32' needs the fast path"),
])
def test_bad_dtype_raises(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Network([2, 2, 1]).sgd(make_data([2, 2, 1], 4, 0), 1, 2, 0.1, **kwargs)


def test_trainer_rejects_unsupported_network():
    with pytest.raises(ValueError, match="FastTrainer needs a Network whose activation has a prime_from_output"):
        FastTrainer(Network([2, 2, 1], activation=CUSTOM))


@pytest.mark.parametrize("args, message", [
    ((1, 2, -5.0), "learning_rate must be a positive number, but got -5.0"),
    ((0, 2, 0.1), "epochs must be a positive integer, but got 0"),
    ((1, 0, 0.1), "batch_size must be a positive integer, but got 0"),
])
def test_public_trainer_validates_its_inputs(args, message):
    x, y = make_data([2, 2, 1], 4, 0)
    with pytest.raises(ValueError, match=message):
        FastTrainer(Network([2, 2, 1])).train(x, y, *args)
    with pytest.raises(ValueError, match="x has 3 rows but the network's input layer has 2"):
        FastTrainer(Network([2, 2, 1])).train(np.zeros((3, 4)), y, 1, 2, 0.1)


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("learning_rate, first_bad", [
    # at 50 the cost jumps from about 1e209 after epoch 1 to NaN after epoch 2
    (50.0, "epoch 2 is nan"),
    # at 0.5 it is about 2e7 after epoch 1, overflows to inf after epoch 2 (the weights are
    # still finite) and is NaN after epoch 3: training must stop at the first inf
    (0.5, "epoch 2 is inf"),
])
def test_divergence_stops_at_the_first_cost_that_is_not_finite(fast, learning_rate, first_bad):
    x, y = make_data([1, 4, 1], 20, 0)
    net = Network([1, 4, 1], activation="identity", seed=0)
    with pytest.raises(FloatingPointError, match=rf"training diverged: the cost after {first_bad} "
                       rf"\(the weights grew without bound\); try a smaller learning_rate than "
                       rf"{learning_rate:g}$"):
        net.sgd((x, y), 20, 5, learning_rate, fast=fast)
    if first_bad.endswith("inf"):
        assert all(np.all(np.isfinite(w)) for w in net.weights)  # stopped before they overflowed


def test_diverging_paths_name_the_same_epoch():
    x, y = make_data([1, 4, 1], 20, 0)
    messages = []
    for fast in (False, True):
        with pytest.raises(FloatingPointError) as info:
            Network([1, 4, 1], activation="identity", seed=0).sgd((x, y), 20, 5, 50.0, fast=fast)
        messages.append(str(info.value).split(" is ")[0])
    assert messages[0] == messages[1]


@pytest.mark.parametrize("dtype", [np.float32, np.dtype("float32"), "float32"])
def test_dtype_may_be_a_numpy_type(monkeypatch, dtype):
    x, y = make_data([2, 2, 1], 4, 0)
    used = set()
    step = FastTrainer._step

    def recording_step(self, buf, learning_step):
        used.update(a.dtype.name for a in [*self.params, *buf.a, *buf.delta])
        step(self, buf, learning_step)

    monkeypatch.setattr(FastTrainer, "_step", recording_step)
    net = Network([2, 2, 1])
    h = net.sgd((x, y), 1, 2, 0.1, dtype=dtype)
    assert used == {"float32"}  # every array of the training arithmetic
    assert net.weights[0].dtype == np.float64  # written back as float64
    h64 = Network([2, 2, 1]).sgd((x, y), 1, 2, 0.1)
    assert len(h.loss) == 1 and h.loss != h64.loss
    np.testing.assert_allclose(h.loss, h64.loss, rtol=1e-6)
