"""Facts of the XOR chapter (article 001), pinned with bplib.

Row convention as in the article: X (4, 2), y (4, 1); bplib.Network is
column-convention, so arrays are transposed when it is called.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import bplib
from bplib import Network, activations

X, Y = bplib.data.xor()
weights = arrays(np.float64, (2, 2), elements=st.floats(-20, 20))
out_weights = arrays(np.float64, (1, 2), elements=st.floats(-20, 20))


def _article_direction(W1, W2):
    """The article's update direction (what it multiplies by the learning rate), row convention."""
    H = activations.sigmoid(X @ W1)
    p = activations.sigmoid(H @ W2)
    d2 = (Y - p) * p * (1 - p)
    d1 = d2 @ W2.T * H * (1 - H)
    return X.T @ d1, H.T @ d2


def test_xor_data_is_the_truth_table():
    assert X.shape == (4, 2) and Y.shape == (4, 1)
    assert np.array_equal(Y.ravel(), np.logical_xor(X[:, 0], X[:, 1]).astype(float))


@settings(max_examples=50, deadline=None)
@given(weights, out_weights)
def test_no_bias_net_maps_origin_to_sigmoid_of_half_the_output_weights(W1, W2):
    net = Network.from_weights([W1, W2])          # no biases
    out = net.feedforward(np.zeros(2))
    assert np.allclose(out, activations.sigmoid(0.5 * W2.sum()), rtol=1e-12, atol=0)
    # the hidden layer sees exactly 0 at [0, 0], so it outputs 1/2 whatever W1 is
    hidden = Network.from_weights([W1]).feedforward(np.zeros(2))
    assert np.array_equal(hidden, np.full(2, 0.5))


@settings(max_examples=30, deadline=None)
@given(weights, out_weights, st.floats(0, 1))
def test_origin_gives_no_gradient_to_the_first_layer(W1, W2, target):
    net = Network.from_weights([W1, W2], cost="mse")
    _, (nabla_W1, nabla_W2) = net.backprop(np.zeros((2, 1)), np.array([[target]]))
    assert np.array_equal(nabla_W1, np.zeros((2, 2)))


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (2, 2), elements=st.floats(-3, 3)), arrays(np.float64, (2, 1), elements=st.floats(-3, 3)))
def test_article_direction_is_minus_half_of_bplib_summed_mse_gradient(W1, W2):
    u1, u2 = _article_direction(W1, W2)
    net = Network.from_weights([W1.T, W2.T], cost="mse")
    _, (n1, n2) = net.backprop(X.T, Y.T)
    assert np.allclose(n1.T, -2 * u1, rtol=1e-10, atol=1e-14)
    assert np.allclose(n2.T, -2 * u2, rtol=1e-10, atol=1e-14)


def test_article_training_equals_bplib_quadratic_with_learning_rate_0_4():
    rng = np.random.default_rng(1)
    W1, W2 = rng.random((2, 2)), rng.random((2, 1))
    net = Network.from_weights([W1.T, W2.T], cost="quadratic")
    for _ in range(200):
        u1, u2 = _article_direction(W1, W2)
        W2 = W2 + 0.1 * u2
        W1 = W1 + 0.1 * u1
    net.sgd((X.T, Y.T), epochs=200, batch_size=4, learning_rate=0.4, seed=0)
    assert np.allclose(net.weights[0].T, W1, atol=1e-12, rtol=0)
    assert np.allclose(net.weights[1].T, W2, atol=1e-12, rtol=0)


def test_article_setting_does_not_learn_xor_in_1000_epochs():
    rng = np.random.default_rng(1)
    net = Network.from_weights([rng.random((2, 2)).T, rng.random((2, 1)).T], cost="quadratic")
    net.sgd((X.T, Y.T), epochs=1000, batch_size=4, learning_rate=0.4, seed=0)
    p = net.feedforward(X.T).ravel()
    assert np.all(np.abs(p - 0.5) < 0.05)
    assert not np.array_equal(p > 0.5, Y.ravel() > 0.5)


def test_biased_network_with_fixed_seed_learns_xor():
    net = Network([2, 2, 1], cost="binary_cross_entropy", seed=0, bias=True)
    net.sgd((X.T, Y.T), epochs=1000, batch_size=4, learning_rate=2.0, seed=0)
    p = net.feedforward(X.T).ravel()
    assert np.array_equal(p > 0.5, Y.ravel() > 0.5)
    assert np.max(np.abs(p - Y.ravel())) < 0.1


def test_no_bias_hand_made_xor_solution():
    # Both hidden units increase along x1 + x2; output weights t (4/5, -1).
    net = Network.from_weights([[[10.0, 10.0], [1.0, 1.0]], [[0.8 * 40, -40.0]]])
    p = net.feedforward(X.T).ravel()
    assert np.array_equal(p > 0.5, Y.ravel() > 0.5)
