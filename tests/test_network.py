"""Tests for bplib.network.Network (column convention) and the small data sets."""

import warnings

import numpy as np
import pytest

from bplib import data
from bplib.activations import sigmoid
from bplib.gradcheck import check_gradients, numerical_gradient
from bplib.network import History, Network

CASES = [
    ([2, 3, 1], "sigmoid", "quadratic", True),
    ([3, 4, 4, 2], "tanh", "mse", True),
    ([2, 5, 3], "relu", "quadratic", False),
    ([4, 3, 2], "sigmoid", "binary_cross_entropy", True),
    ([1, 8, 5, 3, 1], "sigmoid", "mse", False),
    ([2, 2], "identity", "mse", True),
]


def make_batch(net, m, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((net.sizes[0], m))
    y = rng.uniform(0.05, 0.95, (net.sizes[-1], m))
    return x, y


@pytest.mark.parametrize("sizes, activation, cost, bias", CASES)
@pytest.mark.parametrize("m", [1, 7])
def test_vectorised_backprop_equals_per_sample_sum(sizes, activation, cost, bias, m):
    net = Network(sizes, activation=activation, cost=cost, seed=1, bias=bias)
    x, y = make_batch(net, m, seed=2)
    nb, nw = net.backprop(x, y)
    nb_loop, nw_loop = net.backprop_per_sample(x, y)
    for a, b, param in zip(nb + nw, nb_loop + nw_loop, net.biases + net.weights):
        assert a.shape == b.shape == param.shape
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("sizes, activation, cost, bias", CASES)
def test_backprop_matches_numerical_gradient_of_summed_cost(sizes, activation, cost, bias):
    net = Network(sizes, activation=activation, cost=cost, seed=3, bias=bias)
    x, y = make_batch(net, 5, seed=4)
    if activation == "relu":
        x = x + 0.1  # keep pre-activations of this seed away from the kink
    nabla_b, nabla_w = net.backprop(x, y)

    def summed_cost(_):
        return 5 * net.loss(x, y)

    for w, nw in zip(net.weights, nabla_w):
        np.testing.assert_allclose(nw, numerical_gradient(summed_cost, w), rtol=1e-5, atol=1e-8)
    for b, nb in zip(net.biases, nabla_b):
        if bias:
            np.testing.assert_allclose(nb, numerical_gradient(summed_cost, b), rtol=1e-5, atol=1e-8)
        else:
            np.testing.assert_array_equal(nb, 0.0)
    report = check_gradients(net, x, y)
    assert report.ok, str(report)


def test_article_003_worked_example_by_hand():
    W0 = np.array([[0.1, 0.8], [0.4, 0.6]])
    W1 = np.array([[0.3, 0.9]])
    x, y = np.array([[0.35], [0.9]]), np.array([[0.5]])
    net = Network.from_weights([W0, W1], activation="sigmoid", cost="quadratic")
    assert net.sizes == [2, 2, 1] and net.bias is False
    # the same numbers, computed step by step
    h = sigmoid(W0 @ x)
    out = sigmoid(W1 @ h)
    assert net.feedforward(x)[0, 0] == pytest.approx(out[0, 0], rel=1e-15, abs=0)
    assert net.loss(x, y) == pytest.approx(0.5 * (out[0, 0] - 0.5) ** 2, rel=1e-14, abs=0)
    d_out = (out - y) * out * (1 - out)
    d_hidden = W1.T @ d_out * h * (1 - h)
    _, (nw0, nw1) = net.backprop(x, y)
    np.testing.assert_allclose(nw1, d_out @ h.T, rtol=1e-14)
    np.testing.assert_allclose(nw0, d_hidden @ x.T, rtol=1e-14)
    net.update_batch(x, y, 0.01)
    np.testing.assert_allclose(net.weights[0], W0 - 0.01 * d_hidden @ x.T, rtol=1e-15)
    np.testing.assert_allclose(W0, [[0.1, 0.8], [0.4, 0.6]])  # from_weights copied


def test_feedforward_1d_and_2d_agree():
    net = Network([3, 4, 2], seed=5)
    x = np.random.default_rng(0).standard_normal((3, 6))
    batch = net.feedforward(x)
    assert batch.shape == (2, 6)
    for j in range(6):
        np.testing.assert_allclose(net.feedforward(x[:, j]), batch[:, j], rtol=1e-14)


def test_init_is_seeded_standard_normal_like_nielsen():
    net = Network([2, 3, 1], seed=7)
    rng = np.random.default_rng(7)
    b = [rng.standard_normal((3, 1)), rng.standard_normal((1, 1))]
    w = [rng.standard_normal((3, 2)), rng.standard_normal((1, 3))]
    for got, want in zip(net.biases + net.weights, b + w):
        np.testing.assert_array_equal(got, want)
    assert [w.shape for w in net.weights] == [(3, 2), (1, 3)]
    assert [b.shape for b in net.biases] == [(3, 1), (1, 1)]
    assert not np.array_equal(Network([2, 3, 1], seed=8).weights[0], net.weights[0])


def test_cross_entropy_cost_is_stable_and_correct():
    net = Network.from_weights([[[1e4, 0.0]], ], biases=[[0.0]], cost="binary_cross_entropy")
    x = np.array([[1.0, -1.0], [0.0, 0.0]])
    y = np.array([[0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = net.loss(x, y)
        nb, nw = net.backprop(x, y)
    assert value == pytest.approx(1e4 / 2)  # -log(1 - sigmoid(1e4)) = 1e4, and 0 for the second
    small = Network([2, 1], cost="binary_cross_entropy", seed=0)
    a = small.feedforward(x)
    expected = -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))
    assert small.loss(x, y) == pytest.approx(expected, rel=1e-12, abs=0)


def test_sgd_per_sample_equals_vectorised_and_is_deterministic():
    x, y = data.cosine_curve(n=30)
    histories, weights = [], []
    for per_sample in (False, True):
        net = Network([1, 4, 3, 1], cost="mse", seed=2)
        histories.append(net.sgd((x, y), epochs=5, batch_size=7, learning_rate=0.5,
                                 seed=11, per_sample=per_sample).loss)
        weights.append(net.weights)
    np.testing.assert_allclose(histories[0], histories[1], rtol=1e-12)
    for a, b in zip(*weights):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    again = Network([1, 4, 3, 1], cost="mse", seed=2).sgd((x, y), 5, 7, 0.5, seed=11)
    assert again.loss == histories[0]
    other = Network([1, 4, 3, 1], cost="mse", seed=2).sgd((x, y), 5, 7, 0.5, seed=12)
    assert other.loss != histories[0]


def test_sgd_ragged_last_batch_uses_its_real_length():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((2, 10)), rng.uniform(size=(1, 10))
    net = Network([2, 3, 1], seed=1)
    manual = Network([2, 3, 1], seed=1)
    history = net.sgd((x, y), epochs=2, batch_size=4, learning_rate=0.3, seed=5)
    shuffler = np.random.default_rng(5)
    for _ in range(2):
        order = shuffler.permutation(10)
        for k in (0, 4, 8):  # batches of 4, 4 and 2 columns
            cols = order[k:k + 4]
            nb, nw = manual.backprop(x[:, cols], y[:, cols])
            for p, g in zip(manual.weights + manual.biases, nw + nb):
                p -= 0.3 / len(cols) * g
    for a, b in zip(net.weights + net.biases, manual.weights + manual.biases):
        np.testing.assert_allclose(a, b, rtol=1e-13)
    assert len(history) == 2 and history.loss[-1] == pytest.approx(net.loss(x, y))


def test_sgd_learns_and_records_test_loss():
    x = np.linspace(-2, 2, 40).reshape(1, 40)
    y = 0.2 + 0.6 * sigmoid(3 * x)
    net = Network([1, 3, 1], cost="quadratic", seed=0)
    start = net.loss(x, y)
    history = net.sgd((x, y), epochs=60, batch_size=10, learning_rate=1.0, test_data=(x, y))
    assert isinstance(history, History)
    assert history.loss[-1] < 0.1 * start
    np.testing.assert_allclose(history.test_loss, history.loss)
    assert repr(history).startswith("History(epochs=60, final loss=")


def test_bias_false_keeps_zero_biases():
    X, y = data.xor()
    net = Network([2, 2, 1], cost="mse", seed=0, bias=False)
    net.sgd((X.T, y.T), epochs=20, batch_size=4, learning_rate=0.1)
    for b in net.biases:
        np.testing.assert_array_equal(b, 0.0)
    assert Network([2, 2, 1], seed=0, bias=False).weights[0].tolist() == \
        Network([2, 2, 1], seed=0).weights[0].tolist()


def test_data_sets():
    X, y = data.xor()
    assert X.shape == (4, 2) and y.shape == (4, 1)
    np.testing.assert_array_equal(y[:, 0], np.logical_xor(X[:, 0], X[:, 1]))
    x, t = data.cosine_curve()
    assert x.shape == t.shape == (1, 200)
    assert x[0, 0] == -7 and x[0, -1] == 7
    np.testing.assert_allclose(t, (np.cos(x) + 1) / 2)
    with pytest.raises(ValueError, match="need finite low < high"):
        data.cosine_curve(low=1, high=0)


@pytest.mark.parametrize("call, message", [
    (lambda n: n.feedforward(np.zeros((3, 5))),
     r"x has 3 rows but the network's input layer has 2 units \(x\.shape=\(3, 5\)\)"),
    (lambda n: n.backprop(np.zeros((2, 5)), np.zeros((2, 5))),
     r"y has 2 rows but the network's output layer has 1 units \(y\.shape=\(2, 5\)\)"),
    (lambda n: n.loss(np.zeros((2, 5)), np.zeros((1, 4))),
     r"x has 5 columns \(samples\) but y has 4 \(x\.shape=\(2, 5\), y\.shape=\(1, 4\)\)"),
    (lambda n: n.feedforward(np.array([[np.nan], [0.0]])), "x must contain only finite.*1 NaN"),
    (lambda n: n.backprop(np.zeros((2, 1)), np.array([[np.inf]])), "y must contain only finite.*1 inf"),
    (lambda n: n.feedforward(np.zeros((2, 0))), r"x must not be empty, but x\.shape=\(2, 0\)"),
    (lambda n: n.sgd((np.zeros((2, 4)), np.zeros((1, 4))), 1, 2, 0.0),
     "learning_rate must be a positive number, but got 0.0"),
    (lambda n: n.sgd((np.zeros((2, 4)), np.zeros((1, 4))), 1, 0, 0.1),
     "batch_size must be a positive integer, but got 0"),
    (lambda n: n.sgd((np.zeros((2, 4)), np.zeros((1, 4))), -1, 2, 0.1),
     "epochs must be a positive integer, but got -1"),
    (lambda n: n.sgd((np.zeros((2, 4)), np.zeros((1, 4))), 1, 2.5, 0.1),
     "batch_size must be a positive integer, but got 2.5"),
    (lambda n: n.sgd(np.zeros((2, 4)), 1, 2, 0.1),
     r"training_data must be a tuple \(X, Y\) of arrays or a list of \(x, y\) pairs, but got ndarray"),
    (lambda n: n.sgd([np.zeros((2, 4)), np.zeros((1, 4))], 1, 2, 0.1),
     r"training_data is a list, so it is read as \(x, y\) pairs.*training_data\[0\] is a ndarray"
     r" of shape \(2, 4\); pass arrays of samples as a tuple \(X, Y\)"),
    (lambda n: n.sgd((np.zeros((2, 4)), np.zeros((1, 4))), 1, 2, 0.1, test_data=(np.zeros((3, 4)), np.zeros((1, 4)))),
     r"test_data X has 3 rows but the network's input layer has 2 units"),
    (lambda n: n.sgd((np.zeros((2, 4)), np.zeros((1, 4))), 1, 2, 0.1, test_data=np.zeros(3)),
     r"test_data must be a tuple \(X, Y\) of arrays or a list of \(x, y\) pairs"),
    (lambda n: n.sgd((np.zeros((2, 4)), np.zeros((1, 4))), 1, 2, 0.1, seed=-1),
     "seed must be a non-negative integer, but got -1"),
    (lambda n: n.sgd((np.zeros((2, 4)), np.zeros((1, 4))), 1, 2, 0.1, seed=1.5),
     "seed must be a non-negative integer, but got 1.5"),
    (lambda n: n.loss(None, np.zeros(1)), "x must be an array of numbers, but got None"),
    (lambda n: n.backprop(np.zeros((2, 1)), None), "y must be an array of numbers, but got None"),
    (lambda n: n.feedforward(np.ones((2, 1)) * 1j), "x must hold real numbers, but it has complex dtype"),
    (lambda n: n.loss(np.ones((2, 1)), np.ones((1, 1)) + 0j), "y must hold real numbers"),
    (lambda n: n.update_batch(np.zeros((2, 4)), np.zeros((1, 4)), -0.1),
     "learning_rate must be a positive number, but got -0.1"),
])
def test_bad_input_raises(call, message):
    with pytest.raises(ValueError, match=message):
        call(Network([2, 3, 1]))


def test_bad_construction_raises():
    with pytest.raises(ValueError, match=r"unknown activation 'sigmod'; known activations: .*'sigmoid'"):
        Network([2, 1], activation="sigmod")
    with pytest.raises(ValueError, match=r"unknown cost 'l2'; known costs: 'binary_cross_entropy', 'mse', 'quadratic'"):
        Network([2, 1], cost="l2")
    with pytest.raises(ValueError, match=r"sizes must be a list of layer sizes such as \[2, 3, 1\].*but got int 3"):
        Network(3)
    with pytest.raises(ValueError, match=r"sizes must be a list of layer sizes.*but got str"):
        Network("231")
    for seed in (-1, 1.5, "0"):
        with pytest.raises(ValueError, match=f"seed must be a non-negative integer, but got {seed!r}"):
            Network([2, 1], seed=seed)
    for bias in ("no", 0, None):
        with pytest.raises(ValueError, match=f"bias must be True or False, but got {bias!r}"):
            Network([2, 1], bias=bias)
    with pytest.raises(ValueError, match=r"y must hold targets in \[0, 1\] for the binary cross-entropy, "
                       r"but it ranges from -1.0 to 2.0"):
        Network([2, 1], cost="binary_cross_entropy").loss(np.zeros((2, 2)), [[-1.0, 2.0]])
    with pytest.raises(ValueError, match=r"training_data Y must hold targets in \[0, 1\]"):
        Network([2, 1], cost="binary_cross_entropy").sgd((np.zeros((2, 2)), [[0.5, 2.0]]), 1, 1, 0.1)
    with pytest.raises(ValueError, match=r"needs activation='sigmoid', but got activation='relu'"):
        Network([2, 1], activation="relu", cost="binary_cross_entropy")
    with pytest.raises(ValueError, match=r"sizes\[1\] must be a positive integer, but got 0"):
        Network([2, 0, 1])
    with pytest.raises(ValueError, match="at least 2 layers"):
        Network([2])
    with pytest.raises(ValueError, match=r"weights\[1\] has 3 columns but weights\[0\] has 2 rows"):
        Network.from_weights([np.zeros((2, 2)), np.zeros((1, 3))])
    with pytest.raises(ValueError, match=r"biases\[0\] must have shape \(2, 1\) .* but biases\[0\]\.shape=\(3,\)"):
        Network.from_weights([np.zeros((2, 2))], biases=[np.zeros(3)])


def test_custom_activation_pair_and_repr():
    net = Network([2, 1], activation=(np.tanh, lambda z: 1 - np.tanh(z) ** 2), seed=0)
    ref = Network([2, 1], activation="tanh", seed=0)
    x = np.ones((2, 3))
    np.testing.assert_allclose(net.feedforward(x), ref.feedforward(x))
    assert repr(ref) == "Network(sizes=[2, 1], activation='tanh', cost='quadratic', bias=True)"


def test_deprecated_names_warn_and_name_the_new_one():
    with pytest.warns(DeprecationWarning, match="the cost name 'cross_entropy' is deprecated; "
                      "use 'binary_cross_entropy'") as record:
        net = Network([2, 1], cost="cross_entropy")
    assert record[0].filename == __file__  # the warning points at the caller's line
    assert net.cost_function.name == "binary_cross_entropy"
    with pytest.warns(DeprecationWarning, match=r"Network.cost_name is deprecated; use "
                      r"Network.cost_function.name") as record:
        assert net.cost_name == "binary_cross_entropy"
    assert record[0].filename == __file__
    x, y = np.ones((2, 3)), np.full((1, 3), 0.5)
    with pytest.warns(DeprecationWarning, match=r"Network.cost is deprecated; use Network.loss"):
        assert net.cost(x, y) == net.loss(x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the names that survive do not warn
        Network([2, 1], cost="binary_cross_entropy").loss(x, y)


# ------------------------------------------------------------ the sources' calls
def _pairs(x, y):
    """Nielsen's form: a list of (x, y) column-vector pairs, one per sample."""
    return [(x[:, j : j + 1], y[:, j : j + 1]) for j in range(x.shape[1])]


@pytest.mark.parametrize("n", [1, 2, 5])
@pytest.mark.parametrize("fast", [True, False])
def test_sgd_accepts_a_list_of_pairs_like_nielsen(n, fast):
    rng = np.random.default_rng(n)
    x, y = rng.standard_normal((2, n)), rng.uniform(0, 1, (1, n))
    as_arrays, as_pairs = Network([2, 3, 1], seed=0), Network([2, 3, 1], seed=0)
    h1 = as_arrays.sgd((x, y), 3, 2, 0.5, fast=fast)
    h2 = as_pairs.sgd(_pairs(x, y), 3, 2, 0.5, fast=fast, test_data=_pairs(x, y))
    assert h1.loss == h2.loss and h2.test_loss == h2.loss
    for a, b in zip(as_arrays.weights, as_pairs.weights):
        np.testing.assert_array_equal(a, b)
    # 1-D vectors, and a zip object (Python 3's zip of Nielsen's loader), work too
    flat = Network([2, 3, 1], seed=0)
    assert flat.sgd(list(zip(x.T, y.T)), 3, 2, 0.5, fast=fast).loss == h1.loss
    zipped = Network([2, 3, 1], seed=0)
    assert zipped.sgd(zip(x.T, y.T), 3, 2, 0.5, fast=fast).loss == h1.loss


def test_two_samples_as_pairs_and_as_arrays_are_never_confused():
    # n = 2: both forms have length 2; the container type decides
    x, y = np.array([[0.1, 0.9], [0.3, -0.2]]), np.array([[0.2, 0.7]])
    pairs = _pairs(x, y)
    assert len(pairs) == len((x, y)) == 2
    a, b = Network([2, 2, 1], seed=0), Network([2, 2, 1], seed=0)
    assert a.sgd((x, y), 2, 1, 0.3).loss == b.sgd(pairs, 2, 1, 0.3).loss
    with pytest.raises(ValueError, match=r"training_data\[0\] x must be one sample"):
        Network([2, 2, 1]).sgd([(x, y), (x, y)], 1, 1, 0.1)  # pairs of batches are not samples
    with pytest.raises(ValueError, match="as a tuple must be \\(X, Y\\).*length 3"):
        Network([2, 2, 1]).sgd((x, y, y), 1, 1, 0.1)
    with pytest.raises(ValueError, match="must hold at least one sample"):
        Network([2, 2, 1]).sgd([], 1, 1, 0.1)


def test_gradient_protocol_is_the_mean_of_backprop():
    net = Network([2, 3, 2], seed=1)
    x, y = np.random.default_rng(0).standard_normal((2, 4)), np.full((2, 4), 0.5)
    nabla_b, nabla_w = net.backprop(x, y)
    grads = net.gradient(x, y)
    assert list(grads) == list(net.params) == ["w0", "b0", "w1", "b1"]
    np.testing.assert_allclose(grads["w1"], nabla_w[1] / 4, rtol=1e-15)
    np.testing.assert_allclose(grads["b0"], nabla_b[0] / 4, rtol=1e-15)
    assert net.loss(x, y) == pytest.approx(np.mean(0.5 * np.sum((net.feedforward(x) - y) ** 2, axis=0)),
                                           rel=1e-15, abs=0)
    assert list(Network([2, 1], bias=False).params) == ["w0"]
    assert net.params["w0"] is net.weights[0]
