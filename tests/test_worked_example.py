"""bplib on article 003's worked example (2-2-1 sigmoid network, no biases).

The expected numbers below were computed independently with SymPy (30 digits)
in the chapter book/worked_example.ipynb; here they pin what ``bplib`` gives,
so a change to ``Network`` that breaks this example fails a test.
Convention: ``h = W0 @ x``, ``W0[j, n]`` is the weight from input n to hidden unit j.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bplib.gradcheck import numerical_gradient, relative_error
from bplib.network import Network

W0 = [[0.1, 0.8], [0.4, 0.6]]
W1 = [[0.3, 0.9]]
X = np.array([[0.35], [0.9]])
Y = np.array([[0.5]])


def net() -> Network:
    return Network.from_weights([W0, W1], biases=None, cost="quadratic")


def test_forward_values():
    n = net()
    h = n.weights[0] @ X
    np.testing.assert_allclose(h[:, 0], [0.755, 0.68], rtol=1e-15)
    y_hat = n.feedforward(X)
    np.testing.assert_allclose(y_hat, [[0.6902834929076443]], rtol=1e-13)
    assert n.loss(X, Y) == pytest.approx(0.01810390383656677, rel=1e-12, abs=0)


def test_backprop_gradients():
    nabla_b, nabla_w = net().backprop(X, Y)
    np.testing.assert_allclose(
        nabla_w[0],
        [[0.00092907116080966010, 0.0023890401277962688], [0.0028600757724454550, 0.0073544805577168843]],
        rtol=1e-12,
    )
    np.testing.assert_allclose(nabla_w[1], [[0.027674034938717868, 0.027001636991007414]], rtol=1e-12)
    assert all(np.all(b == 0) for b in nabla_b)  # no biases


def test_backprop_matches_central_differences():
    n = net()
    _, nabla_w = n.backprop(X, Y)
    for k in range(2):
        numeric = numerical_gradient(lambda _: n.loss(X, Y), n.weights[k])
        assert relative_error(nabla_w[k], numeric) < 1e-9


def test_one_step_of_0_01():
    n = net()
    n.update_batch(X, Y, learning_rate=0.01)
    np.testing.assert_allclose(
        n.weights[0], [[0.0999907092883919, 0.799976109598722], [0.399971399242276, 0.599926455194423]], rtol=1e-13
    )
    np.testing.assert_allclose(n.weights[1], [[0.299723259650613, 0.899729983630090]], rtol=1e-13)


def test_gradient_is_not_the_articles_transposed_matrix():
    # The article prints [[0.00093, 0.002861], [0.002392, 0.00736]]: the off-diagonal
    # entries of the true dL/dW0 swapped.  bplib must give the untransposed one.
    _, nabla_w = net().backprop(X, Y)
    g = nabla_w[0]
    assert g[0, 1] == pytest.approx(0.002389, abs=1e-6)
    assert g[1, 0] == pytest.approx(0.002860, abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(
    w=st.lists(st.floats(-3, 3), min_size=6, max_size=6),
    x=st.lists(st.floats(-2, 2), min_size=2, max_size=2),
    y=st.floats(0, 1),
)
def test_backprop_matches_closed_form_for_any_2_2_1(w, x, y):
    W0_ = np.array(w[:4]).reshape(2, 2)
    W1_ = np.array(w[4:]).reshape(1, 2)
    x_ = np.array(x).reshape(2, 1)
    n = Network.from_weights([W0_, W1_], biases=None, cost="quadratic")
    _, nabla_w = n.backprop(x_, [[y]])
    z = 1 / (1 + np.exp(-(W0_ @ x_)))
    y_hat = 1 / (1 + np.exp(-(W1_ @ z)))
    delta_out = (y_hat - y) * y_hat * (1 - y_hat)
    delta_h = (W1_.T @ delta_out) * z * (1 - z)
    np.testing.assert_allclose(nabla_w[1], delta_out @ z.T, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(nabla_w[0], delta_h @ x_.T, rtol=1e-9, atol=1e-15)


def test_articles_w0_update_is_larger_than_the_gradient_step_but_points_downhill():
    # The chapter's claim about article 003's script: its W0 change (learning rate 1) is
    # not small (norm 0.0151 against 0.0083 for -dL/dW0) but has cosine 0.89 with -dL/dW0.
    n = net()
    l1 = 1 / (1 + np.exp(-(n.weights[0] @ X)))
    l2 = 1 / (1 + np.exp(-(n.weights[1] @ l1)))
    l2_delta = (Y - l2) * l2 * (1 - l2)
    change = np.broadcast_to(X.T @ ((l2_delta * n.weights[1]) * (l1 * (1 - l1))), (2, 2))
    downhill = -n.backprop(X, Y)[1][0]
    cosine = np.sum(change * downhill) / (np.linalg.norm(change) * np.linalg.norm(downhill))
    assert np.linalg.norm(change) == pytest.approx(0.015118, abs=1e-6)
    assert np.linalg.norm(downhill) == pytest.approx(0.008297, abs=1e-6)
    assert cosine == pytest.approx(0.8899, abs=1e-4)
