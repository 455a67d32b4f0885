"""bplib.recurrent: the RNN layer's BPTT, truncation, LastStep, clipping (bplib.training) and training with it (bplib.models.fit).

Against central differences, against an independent loop, against PyTorch's ``nn.RNN``
(tanh, ``batch_first=True``, float64, ``weight_ih_l0 = Wx.T``, ``weight_hh_l0 = Wh.T``,
``bias_ih_l0 + bias_hh_l0 = b``) and ``clip_grad_norm_``, with hypothesis properties.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bplib.gradcheck import numerical_gradient, relative_error
from bplib.layers import Affine, MSELoss
from bplib.models import Sequential
from bplib.models import fit
from bplib.recurrent import RNN, LastStep
from bplib.training import clip_grad_norm, global_norm
from bplib.training import TrainingDiverged


def _params(rng, n_in, n_h, scale=0.6):
    return (rng.normal(scale=scale, size=(n_in, n_h)), rng.normal(scale=scale, size=(n_h, n_h)),
            rng.normal(scale=0.2, size=n_h))


@settings(max_examples=25, deadline=None)
@given(m=st.integers(1, 3), T=st.integers(1, 5), n_in=st.integers(1, 3), n_h=st.integers(1, 4),
       seed=st.integers(0, 2**16), with_h0=st.booleans())
def test_backward_matches_central_differences(m, T, n_in, n_h, seed, with_h0):
    rng = np.random.default_rng(seed)
    params = _params(rng, n_in, n_h)
    x = rng.normal(size=(m, T, n_in))
    G = rng.normal(size=(m, T, n_h))
    h0 = rng.normal(scale=0.5, size=(m, n_h)) if with_h0 else np.zeros((m, n_h))
    layer = RNN(*params)
    layer.forward(x, h0)
    G_before = G.copy()
    dx = layer.backward(G)
    assert np.array_equal(G, G_before)  # dout not modified

    def C(_):
        return float(np.sum(RNN(*params).forward(x, h0) * G))

    for name, arr in zip(("Wx", "Wh", "b"), params):
        assert relative_error(getattr(layer, "d" + name), numerical_gradient(C, arr)) < 1e-7, name
    assert relative_error(dx, numerical_gradient(C, x)) < 1e-7
    assert relative_error(layer.dh0, numerical_gradient(C, h0)) < 1e-7


@settings(max_examples=25, deadline=None)
@given(T=st.integers(1, 6), k=st.integers(1, 8), seed=st.integers(0, 2**16))
def test_truncation_keeps_the_last_k_terms(T, k, seed):
    """For a loss on the last state, truncate=k gives the sum of the last k terms of dWh;
    k >= T is no truncation at all."""
    rng = np.random.default_rng(seed)
    params = _params(rng, 2, 3)
    x = rng.normal(size=(2, T, 2))
    dout = np.zeros((2, T, 3))
    dout[:, -1] = rng.normal(size=(2, 3))
    full = RNN(*params)
    full.forward(x)
    full.backward(dout)
    terms, g = [], dout[:, -1]
    for t in range(T, 0, -1):
        delta = g * (1 - full.hs[:, t] ** 2)
        terms.append(full.hs[:, t - 1].T @ delta)
        g = delta @ params[1].T
    truncated = RNN(*params, truncate=k)
    truncated.forward(x)
    truncated.backward(dout)
    np.testing.assert_allclose(truncated.dWh, sum(terms[:k]), rtol=1e-12, atol=1e-14)
    if k >= T:
        np.testing.assert_allclose(truncated.dWh, full.dWh, rtol=1e-12, atol=1e-14)


def test_jacobians_are_the_steps_derivatives():
    rng = np.random.default_rng(1)
    params = _params(rng, 2, 3)
    x = rng.normal(size=(1, 4, 2))
    layer = RNN(*params)
    layer.forward(x)
    J = layer.jacobians()
    for t in range(1, 5):
        def step(h_prev, t=t):
            return np.tanh(x[0, t - 1] @ params[0] + h_prev @ params[1] + params[2])
        h_prev = layer.hs[0, t - 1].copy()
        numeric = np.stack([numerical_gradient(lambda v, i=i: float(step(v)[i]), h_prev.copy())
                            for i in range(3)])
        np.testing.assert_allclose(J[0, t - 1], numeric, rtol=1e-7, atol=1e-9)


def test_sequential_with_last_step_against_differences():
    rng = np.random.default_rng(2)
    model = Sequential([RNN(*_params(rng, 2, 4)), LastStep(), Affine(rng.normal(size=(4, 1)), np.zeros(1))],
                       MSELoss())
    x, t = rng.normal(size=(5, 6, 2)), rng.normal(size=(5, 1))
    grads, numeric = model.gradient(x, t), model.numerical_gradient(x, t)
    assert list(grads) == ["Wx1", "Wh1", "b1", "W2", "b2"]
    for k in grads:
        assert relative_error(grads[k], numeric[k]) < 1e-7, k


@pytest.mark.parametrize("call, message", [
    (lambda: RNN(np.ones((2, 3)), np.ones((3, 2)), np.ones(3)), "Wh must be square"),
    (lambda: RNN(np.ones((2, 3)), np.ones((3, 3)), np.ones(2)), "one entry per hidden unit"),
    (lambda: RNN(np.ones((2, 3)), np.ones((3, 3)), np.ones(3), truncate=0), "positive integer"),
    (lambda: RNN(np.ones((2, 3)), np.ones((3, 3)), np.ones(3)).forward(np.ones((4, 2))), "3-D|ndim|dimension"),
    (lambda: RNN(np.ones((2, 3)), np.ones((3, 3)), np.ones(3)).forward(np.ones((4, 5, 3))), "n_in = 2"),
    (lambda: RNN(np.ones((2, 3)), np.ones((3, 3)), np.ones(3)).forward(np.ones((4, 5, 2)), np.ones((4, 2))),
     "h0 must have shape"),
    (lambda: clip_grad_norm({"W": np.ones(2)}, 0.0), "positive"),
])
def test_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_backward_before_forward_and_wrong_dout():
    layer = RNN(np.ones((2, 3)), np.eye(3), np.zeros(3))
    with pytest.raises(RuntimeError, match="before"):
        layer.backward(np.ones((1, 2, 3)))
    layer.forward(np.ones((1, 2, 2)))
    with pytest.raises(ValueError, match="dout must have the shape"):
        layer.backward(np.ones((1, 3, 3)))


@settings(max_examples=40, deadline=None)
@given(scale=st.floats(1e-6, 1e6), max_norm=st.floats(1e-3, 1e3), seed=st.integers(0, 2**16))
def test_clipping_bounds_the_norm_and_keeps_the_direction(scale, max_norm, seed):
    rng = np.random.default_rng(seed)
    grads = {"a": scale * rng.normal(size=(2, 3)), "b": scale * rng.normal(size=4)}
    clipped, norm = clip_grad_norm(grads, max_norm)
    assert norm == pytest.approx(global_norm(grads))
    assert global_norm(clipped) <= max_norm * (1 + 1e-12)
    flat = np.concatenate([g.ravel() for g in grads.values()])
    flat_c = np.concatenate([g.ravel() for g in clipped.values()])
    assert flat @ flat_c / (np.linalg.norm(flat) * np.linalg.norm(flat_c)) == pytest.approx(1, abs=1e-12)
    if norm <= max_norm:
        assert all(np.array_equal(clipped[k], grads[k]) for k in grads)


def _regressor(sigma_1, seed=6):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    return Sequential([RNN(rng.normal(scale=0.5, size=(1, 8)), sigma_1 * Q, np.zeros(8)), LastStep(),
                       Affine(rng.normal(size=(8, 1)) / np.sqrt(8), np.zeros(1))], MSELoss())


def test_clipping_rescues_a_run_that_diverges():
    rng = np.random.default_rng(0)
    k = np.arange(216)
    series = np.sin(0.35 * k) + 0.05 * rng.normal(size=k.size)
    x = np.stack([series[i:i + 16] for i in range(200)])[:, :, None]
    t = series[16:216, None]
    with pytest.raises(TrainingDiverged):
        fit(_regressor(2.0), x, t, epochs=20, learning_rate=1.0, batch_size=20, seed=7)
    history = fit(_regressor(2.0), x, t, epochs=20, learning_rate=1.0, batch_size=20, seed=7,
                  max_norm=0.1)
    assert history.loss[-1] < np.mean((x[:, -1] - t) ** 2) / 2


# ------------------------------------------------------------------------ PyTorch
def test_rnn_against_torch():
    """nn.RNN with weight_ih_l0 = Wx.T, weight_hh_l0 = Wh.T and the bias split in two
    (bias_ih_l0 + bias_hh_l0 = b) gives the same states and gradients."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    m, T, n_in, n_h = 3, 7, 2, 4
    Wx, Wh, b = _params(rng, n_in, n_h)
    b_ih = rng.normal(size=n_h)
    x, G, h0 = rng.normal(size=(m, T, n_in)), rng.normal(size=(m, T, n_h)), rng.normal(size=(m, n_h))
    rnn = torch.nn.RNN(n_in, n_h, nonlinearity="tanh", batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(Wx.T))
        rnn.weight_hh_l0.copy_(torch.from_numpy(Wh.T))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b_ih))
        rnn.bias_hh_l0.copy_(torch.from_numpy(b - b_ih))
    xt = torch.from_numpy(x).requires_grad_(True)
    h0t = torch.from_numpy(h0[None]).requires_grad_(True)
    out, _ = rnn(xt, h0t)
    (out * torch.from_numpy(G)).sum().backward()
    layer = RNN(Wx, Wh, b)
    np.testing.assert_allclose(layer.forward(x, h0), out.detach().numpy(), rtol=1e-12, atol=1e-14)
    dx = layer.backward(G)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.dh0, h0t.grad.numpy()[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.dWx, rnn.weight_ih_l0.grad.numpy().T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.dWh, rnn.weight_hh_l0.grad.numpy().T, rtol=1e-10, atol=1e-12)
    # each of PyTorch's two biases gets the gradient of the one bias
    np.testing.assert_allclose(layer.db, rnn.bias_ih_l0.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.db, rnn.bias_hh_l0.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_clip_grad_norm_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    grads = {"a": 50 * rng.normal(size=(3, 2)), "b": 50 * rng.normal(size=5)}
    tensors = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads.values()]
    for p, g in zip(tensors, grads.values()):
        p.grad = torch.from_numpy(g.copy())
    total = torch.nn.utils.clip_grad_norm_(tensors, max_norm=1.0)
    clipped, norm = clip_grad_norm(grads, 1.0)
    assert norm == pytest.approx(float(total), rel=1e-12)
    for p, k in zip(tensors, grads):
        # PyTorch divides by (norm + 1e-6): the same direction, a length 1e-6 short of 1
        np.testing.assert_allclose(clipped[k], p.grad.numpy(), rtol=1e-5)
