"""The taught chain ``sgd -> update_batch -> backprop`` as a narrow protocol (issue 23).

* A reader who subclasses ``Network`` and overrides ``update_batch`` or
  ``backprop`` with the signatures the book shows
  (``update_batch(self, x, y, learning_rate)``, ``backprop(self, x, y)``) gets
  their method called by ``sgd``.
* ``sgd`` checks its arguments once per call, whatever the path, the number of
  epochs and batches, ``per_sample`` or ``test_data``: inside, checked arrays
  flow through unchecked private kernels.
* Every batch sees the samples of the epoch's permutation, in its order, on
  both paths.
* A 1-D target given to a network with several outputs is refused with a
  message that says how it was read.
"""

import numpy as np
import pytest

import bplib.training
from bplib.fast import FastTrainer
from bplib.network import Network


def make_data(sizes, n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((sizes[0], n)), rng.uniform(0.05, 0.95, (sizes[-1], n))


# ------------------------------------------------------ overrides with the book's signatures
def test_update_batch_with_the_books_signature_is_called():
    calls = []

    class Logged(Network):
        def update_batch(self, x, y, learning_rate):  # the book's signature
            calls.append((np.shape(x)[1], learning_rate))
            super().update_batch(x, y, learning_rate)

    x, y = make_data([2, 3, 1], 10)
    net = Logged([2, 3, 1], seed=0)
    assert not net.uses_fast_path()
    net.sgd((x, y), 2, 4, 0.5)
    assert calls == [(4, 0.5), (4, 0.5), (2, 0.5)] * 2
    plain = Network([2, 3, 1], seed=0)
    plain.sgd((x, y), 2, 4, 0.5, fast=False)
    for a, b in zip(net.weights + net.biases, plain.weights + plain.biases):
        np.testing.assert_array_equal(a, b)  # the override changed nothing but the log


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("per_sample", [False, True])
def test_backprop_with_the_books_signature_is_called(fast, per_sample):
    shapes = []

    class Halved(Network):
        def backprop(self, x, y):  # the book's signature
            shapes.append(x.shape)
            nabla_b, nabla_w = super().backprop(x, y)
            return [nb / 2 for nb in nabla_b], [nw / 2 for nw in nabla_w]

    x, y = make_data([2, 3, 1], 6)
    net = Halved([2, 3, 1], seed=0)
    net.sgd((x, y), 1, 3, 0.4, fast=fast, per_sample=per_sample)
    assert shapes == ([(2, 1)] * 6 if per_sample else [(2, 3), (2, 3)])
    plain = Network([2, 3, 1], seed=0)
    plain.sgd((x, y), 1, 3, 0.2, fast=False)  # halving the gradients = halving the step
    for a, b in zip(net.weights + net.biases, plain.weights + plain.biases):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15)


def test_loss_override_records_the_history():
    class Doubled(Network):
        def loss(self, x, y):
            return 2 * super().loss(x, y)

    x, y = make_data([2, 3, 1], 6)
    net = Doubled([2, 3, 1], seed=0)
    history = net.sgd((x, y), 2, 3, 0.4, test_data=(x, y))
    plain = Network([2, 3, 1], seed=0).sgd((x, y), 2, 3, 0.4, fast=False)
    assert history.loss == [2 * v for v in plain.loss]
    assert history.test_loss == history.loss


def test_per_sample_needs_an_update_batch_that_takes_it():
    class Three(Network):
        def update_batch(self, x, y, learning_rate):
            super().update_batch(x, y, learning_rate)

    with pytest.raises(TypeError, match=r"sgd\(per_sample=True\) calls update_batch\(x, y, "
                       r"learning_rate, per_sample=True\), but Three.update_batch takes no per_sample"):
        Three([2, 3, 1]).sgd(make_data([2, 3, 1], 4), 1, 2, 0.1, per_sample=True)

    calls = []

    class Four(Network):
        def update_batch(self, x, y, learning_rate, per_sample=False):
            calls.append(per_sample)
            super().update_batch(x, y, learning_rate, per_sample)

    Four([2, 3, 1]).sgd(make_data([2, 3, 1], 4), 1, 2, 0.1, per_sample=True)
    assert calls == [True, True]


# ------------------------------------------------------------------------- checked once
@pytest.fixture
def count_checks(monkeypatch):
    """Count the arrays checked by the column checks (``bplib.training.as_float_array``)."""
    checked = []
    original = bplib.training.as_float_array

    def counting(x, name, *args, **kwargs):
        checked.append(name)
        return original(x, name, *args, **kwargs)

    monkeypatch.setattr(bplib.training, "as_float_array", counting)
    return checked


@pytest.mark.parametrize("fast, per_sample", [(False, False), (False, True), (True, False)])
@pytest.mark.parametrize("epochs", [1, 3])
def test_sgd_checks_each_array_once_per_call(count_checks, fast, per_sample, epochs):
    x, y = make_data([2, 3, 2], 8)
    net = Network([2, 3, 2], seed=0)
    assert net.uses_fast_path(per_sample) == (not per_sample)
    net.sgd((x, y), epochs, 4, 0.1, fast=fast, per_sample=per_sample)  # 2 batches per epoch
    assert count_checks == ["training_data X", "training_data Y"]
    count_checks.clear()
    net.sgd((x, y), epochs, 4, 0.1, fast=fast, per_sample=per_sample, test_data=(x[:, :3], y[:, :3]))
    assert count_checks == ["training_data X", "training_data Y", "test_data X", "test_data Y"]


def test_public_methods_check_their_input(count_checks):
    x, y = make_data([2, 3, 2], 4)
    net = Network([2, 3, 2], seed=0)
    for call in (net.loss, net.backprop, net.backprop_per_sample, net.gradient,
                 lambda x, y: net.update_batch(x, y, 0.1)):
        count_checks.clear()
        call(x, y)
        assert count_checks == ["x", "y"]
    count_checks.clear()
    FastTrainer(net).train(x, y, 2, 2, 0.1, test_data=(x, y))
    assert count_checks == ["x", "y", "test_data X", "test_data Y"]


# ------------------------------------------------------------- the samples of each batch
def expected_batches(x, epochs, batch_size, seed):
    """The columns of each batch: ``order[k : k + batch_size]`` of each epoch's permutation."""
    rng = np.random.default_rng(seed)
    n = x.shape[1]
    out = []
    for _ in range(epochs):
        order = rng.permutation(n)
        out += [x[:, order[k : k + batch_size]] for k in range(0, n, batch_size)]
    return out


@pytest.mark.parametrize("bias", [True, False])
def test_every_batch_sees_the_permutations_samples_in_order(monkeypatch, bias):
    sizes, epochs, batch_size, seed = [3, 4, 2], 3, 4, 7
    x, y = make_data(sizes, 11, seed=1)  # batches of 4, 4 and a ragged 3
    x[0] = np.arange(11)  # every sample tells which it is
    want = expected_batches(x, epochs, batch_size, seed)

    seen_reference = []

    class Recording(Network):
        def update_batch(self, x, y, learning_rate):
            seen_reference.append(x.copy())
            super().update_batch(x, y, learning_rate)

    Recording(sizes, seed=0, bias=bias).sgd((x, y), epochs, batch_size, 0.1, seed=seed)

    seen_fast = []
    step = FastTrainer._step

    def recording_step(self, buf, learning_step):
        seen_fast.append(np.array(buf.samples.x[: sizes[0]]))  # without the row of ones
        step(self, buf, learning_step)

    monkeypatch.setattr(FastTrainer, "_step", recording_step)
    net = Network(sizes, seed=0, bias=bias)
    assert net.uses_fast_path()
    net.sgd((x, y), epochs, batch_size, 0.1, seed=seed)

    assert len(seen_reference) == len(seen_fast) == len(want) == 9
    for got_ref, got_fast, expected in zip(seen_reference, seen_fast, want):
        np.testing.assert_array_equal(got_ref, expected)
        np.testing.assert_array_equal(got_fast, expected)


# ------------------------------------------------------------ a 1-D target, several outputs
@pytest.mark.parametrize("call", [
    lambda net, x, y: net.sgd((x, y), 1, 2, 0.1),
    lambda net, x, y: net.sgd((x, y), 1, 2, 0.1, fast=False),
    lambda net, x, y: net.loss(x, y),
    lambda net, x, y: net.backprop(x, y),
    lambda net, x, y: net.update_batch(x, y, 0.1),
    lambda net, x, y: net.gradient(x, y),
    lambda net, x, y: FastTrainer(net).train(x, y, 1, 2, 0.1),
])
def test_one_d_target_for_several_outputs_is_refused(call):
    net = Network([2, 3, 2], seed=0)
    before = [w.copy() for w in net.weights]
    x = np.zeros((2, 2))
    # y of shape (2,): one sample of 2 outputs, but x holds 2 samples
    with pytest.raises(ValueError, match=r"(?i)x has 2 columns \(samples\) but (training_data )?y has 1 "
                       r"\(.*y\.shape=\(2,\)\); (training_data )?y is 1-D, so it is read as one sample"):
        call(net, x, np.array([0.2, 0.8]))
    # y of shape (4,): a target per sample, for a network with 2 outputs
    with pytest.raises(ValueError, match=r"(?i)y has 4 rows but the network's output layer has 2 units "
                       r"\(.*y\.shape=\(4,\)\); a 1-D .*y is one sample, so it needs 2 entries"):
        call(net, np.zeros((2, 4)), np.array([0.1, 0.2, 0.3, 0.4]))
    for w, b in zip(net.weights, before):
        np.testing.assert_array_equal(w, b)  # nothing was trained
