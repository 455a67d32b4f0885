"""Softmax, log-sum-exp and the softmax/cross-entropy pair (the chapter "Softmax with cross-entropy").

``bplib.activations.softmax``, ``log_softmax`` and ``logsumexp``; the ``bplib.layers.Softmax``
layer, whose ``backward`` is the vector-Jacobian product ``a * (g - g.a)``; and
``bplib.losses.cross_entropy_prime``, which chained with it gives ``SoftmaxWithLoss``'s
``(a - t) / N`` wherever no probability is clipped.  The comparisons with PyTorch at the end
are skipped without ``torch``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from bplib import activations as act
from bplib import layers, losses
from bplib.gradcheck import numerical_gradient, relative_error
from bplib.models import Sequential

LOGITS = st.floats(-30, 30, allow_nan=False, allow_infinity=False)


def jacobian(a: np.ndarray) -> np.ndarray:
    """The softmax's Jacobian of one row of probabilities, built: diag(a) - a a^T."""
    return np.diag(a) - np.outer(a, a)


# ------------------------------------------------------------------ logsumexp


def test_logsumexp_matches_the_naive_form_where_that_is_finite():
    z = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]])
    np.testing.assert_allclose(act.logsumexp(z), np.log(np.exp(z).sum(axis=1)), rtol=1e-15)
    assert act.logsumexp(z).shape == (2,)
    assert act.logsumexp(z[0]).shape == ()  # one sample: one value


def test_logsumexp_is_exact_where_the_naive_form_overflows_or_underflows():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning either
        assert float(act.logsumexp([1000.0, 1000.0])) == 1000.0 + np.log(2.0)
        assert float(act.logsumexp([-1000.0, -1000.0])) == -1000.0 + np.log(2.0)
        assert float(act.logsumexp([1e4, -1e4])) == 1e4
        # the row maximum is taken per row, not over the batch
        np.testing.assert_array_equal(act.logsumexp([[1e4, 1e4], [-1e4, -1e4]]),
                                      [1e4 + np.log(2.0), -1e4 + np.log(2.0)])
    with np.errstate(over="ignore"):
        assert np.isinf(np.log(np.sum(np.exp([1000.0, 1000.0]))))  # what it fixes


def test_logsumexp_checks_its_input_like_softmax():
    with pytest.raises(ValueError, match="at least 1 dimension"):
        act.logsumexp(1.0)
    with pytest.raises(ValueError, match="must not be empty"):
        act.logsumexp(np.zeros((2, 0)))
    with pytest.raises(ValueError, match=r"z must contain only finite numbers.*1 inf"):
        act.logsumexp([0.0, np.inf])


@settings(max_examples=60, deadline=None)
@given(z=arrays(np.float64, array_shapes(min_dims=1, max_dims=2, max_side=6), elements=LOGITS),
       shift=st.floats(-1e3, 1e3))
def test_logsumexp_properties(z, shift):
    lse = act.logsumexp(z)
    # bounds: max <= lse <= max + log K
    assert np.all(lse >= z.max(axis=-1) - 1e-12)
    assert np.all(lse <= z.max(axis=-1) + np.log(z.shape[-1]) + 1e-12)
    # a shift of every logit shifts it by the same amount
    np.testing.assert_allclose(act.logsumexp(z + shift), lse + shift, rtol=1e-12, atol=1e-9)
    # log_softmax is z - logsumexp(z), and its exponentials sum to 1
    np.testing.assert_allclose(act.log_softmax(z), z - lse[..., None], atol=1e-12)
    np.testing.assert_allclose(np.exp(act.log_softmax(z)).sum(axis=-1), 1.0, rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(z=arrays(np.float64, (3, 4), elements=st.floats(-5, 5)))
def test_the_gradient_of_logsumexp_is_the_softmax(z):
    numeric = numerical_gradient(lambda v: float(np.sum(act.logsumexp(v))), z.copy())
    np.testing.assert_allclose(numeric, act.softmax(z), rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------- the Softmax layer


def test_softmax_layer_forward_is_the_softmax_and_keeps_it():
    z = np.array([[1.0, 2.0, 3.0], [1e4, -1e4, 0.0]])
    layer = layers.Softmax()
    out = layer.forward(z)
    np.testing.assert_array_equal(out, act.softmax(z))
    assert layer.out is out and layer.param_names == () and repr(layer) == "Softmax()"
    assert layers.Softmax().forward(z[0]).shape == (3,)  # one sample


def test_softmax_layer_backward_is_the_jacobian_times_dout_row_by_row():
    rng = np.random.default_rng(0)
    z, dout = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    layer = layers.Softmax()
    a = layer.forward(z)
    built = np.stack([jacobian(row).T @ g for row, g in zip(a, dout)])
    np.testing.assert_allclose(layer.backward(dout), built, rtol=1e-12, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(z=arrays(np.float64, array_shapes(min_dims=1, max_dims=2, min_side=2, max_side=6),
                elements=st.floats(-5, 5)),
       seed=st.integers(0, 2**32 - 1))
def test_softmax_layer_backward_against_central_differences(z, seed):
    dout = np.random.default_rng(seed).normal(size=z.shape)
    layer = layers.Softmax()
    layer.forward(z)
    numeric = numerical_gradient(lambda v: float(np.sum(layers.Softmax().forward(v) * dout)), z.copy())
    np.testing.assert_allclose(layer.backward(dout), numeric, rtol=1e-6, atol=1e-8)


@settings(max_examples=40, deadline=None)
@given(z=arrays(np.float64, array_shapes(min_dims=2, max_dims=2, min_side=2, max_side=6), elements=LOGITS),
       seed=st.integers(0, 2**32 - 1), c=st.floats(-10, 10))
def test_softmax_backward_properties(z, seed, c):
    """Each row of the result sums to 0 (a shift of a row's logits changes nothing), and an
    upstream gradient that is constant along a row is sent back as 0."""
    dout = np.random.default_rng(seed).normal(size=z.shape)
    layer = layers.Softmax()
    layer.forward(z)
    dx = layer.backward(dout)
    np.testing.assert_allclose(dx.sum(axis=-1), 0.0, atol=1e-12 * (1 + np.abs(dout).max()))
    np.testing.assert_allclose(layer.backward(dout + c), dx, atol=1e-12 * (1 + abs(c) + np.abs(dout).max()))


def test_softmax_layer_checks_and_does_not_modify_dout():
    layer = layers.Softmax()
    with pytest.raises(RuntimeError, match="before Softmax.forward"):
        layer.backward(np.ones(3))
    layer.forward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"dout must have the shape of Softmax's forward output \(2, 3\)"):
        layer.backward(np.ones((3, 2)))
    dout = np.arange(6.0).reshape(2, 3)
    before = dout.copy()
    layer.backward(dout)
    np.testing.assert_array_equal(dout, before)


def test_softmax_layer_runs_in_a_sequential_model():
    rng = np.random.default_rng(1)
    model = Sequential([layers.Affine(rng.normal(size=(4, 3)), np.zeros(3)), layers.Softmax(),
                        layers.Affine(rng.normal(size=(3, 2)), np.zeros(2))], layers.SoftmaxWithLoss())
    x, t = rng.normal(size=(5, 4)), rng.integers(0, 2, 5)
    grads, numeric = model.gradient(x, t), model.numerical_gradient(x, t)
    for name in grads:
        assert relative_error(grads[name], numeric[name]) < 1e-7, name


# ------------------------------------------------- cross-entropy's gradient, the pair


def test_cross_entropy_prime_is_the_gradient_of_cross_entropy():
    rng = np.random.default_rng(2)
    a = act.softmax(rng.normal(size=(4, 3)))
    t = np.array([0, 2, 1, 1])
    numeric = numerical_gradient(lambda v: losses.cross_entropy(v, t), a.copy(), eps=1e-7)
    np.testing.assert_allclose(losses.cross_entropy_prime(a, t), numeric, rtol=1e-6)
    np.testing.assert_array_equal(losses.cross_entropy_prime(a, t), losses.cross_entropy_prime(a, np.eye(3)[t]))


def test_cross_entropy_prime_is_zero_where_the_clip_is_active_and_checks_its_input():
    a = np.array([[1.0, 0.0], [0.5, 0.5]])
    np.testing.assert_array_equal(losses.cross_entropy_prime(a, [1, 0]), [[0.0, 0.0], [-1.0, 0.0]])
    with pytest.raises(ValueError, match="probabilities in"):
        losses.cross_entropy_prime([[2.0, -1.0]], [0])
    with pytest.raises(ValueError, match="labels t must have shape"):
        losses.cross_entropy_prime(a, [0, 1, 1])


@settings(max_examples=50, deadline=None)
@given(z=arrays(np.float64, array_shapes(min_dims=2, max_dims=2, min_side=2, max_side=6),
                elements=st.floats(-8, 8)),
       seed=st.integers(0, 2**32 - 1))
def test_softmax_then_cross_entropy_is_softmax_with_loss(z, seed):
    """The two layers chained give the fused (a - t) / N wherever no probability is clipped."""
    t = np.random.default_rng(seed).integers(0, z.shape[1], z.shape[0])
    softmax_layer, fused = layers.Softmax(), layers.SoftmaxWithLoss()
    a = softmax_layer.forward(z)
    loss = fused.forward(z, t)
    assert losses.cross_entropy(a, t) == pytest.approx(loss, rel=1e-9, abs=1e-12)
    chained = softmax_layer.backward(losses.cross_entropy_prime(a, t))
    np.testing.assert_allclose(chained, fused.backward(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(chained, (a - np.eye(z.shape[1])[t]) / z.shape[0], rtol=1e-9, atol=1e-12)


def test_the_chained_route_loses_the_gradient_of_a_confident_mistake():
    """Logits 800 apart: the true class's probability underflows to 0, the clip cuts its
    gradient, and the chain of the two layers sends back 0 where the fused layer sends (a - t)."""
    z, t = np.array([[800.0, 0.0]]), np.array([1])
    softmax_layer, fused = layers.Softmax(), layers.SoftmaxWithLoss()
    a = softmax_layer.forward(z)
    assert a[0, 1] == 0.0
    np.testing.assert_array_equal(softmax_layer.backward(losses.cross_entropy_prime(a, t)), [[0.0, 0.0]])
    fused.forward(z, t)
    np.testing.assert_array_equal(fused.backward(), [[1.0, -1.0]])


# ---------------------------------------------------------------- PyTorch


def test_softmax_and_logsumexp_against_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (it is optional)")
    rng = np.random.default_rng(4)
    z = rng.normal(scale=4.0, size=(6, 5))
    z[0] = [1e3, 999.0, -1e3, 0.0, 5.0]  # far beyond the naive form's overflow
    zt = torch.tensor(z)
    np.testing.assert_allclose(act.softmax(z), torch.softmax(zt, dim=-1).numpy(), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(act.log_softmax(z), torch.log_softmax(zt, dim=-1).numpy(), rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(act.logsumexp(z), torch.logsumexp(zt, dim=-1).numpy(), rtol=1e-14)


def test_softmax_backward_and_jacobian_against_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (it is optional)")
    rng = np.random.default_rng(5)
    z, dout = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    zt = torch.tensor(z, requires_grad=True)
    torch.softmax(zt, dim=-1).backward(torch.tensor(dout))
    layer = layers.Softmax()
    a = layer.forward(z)
    np.testing.assert_allclose(layer.backward(dout), zt.grad.numpy(), rtol=1e-12, atol=1e-15)
    # the Jacobian of one row, as autograd builds it, is diag(a) - a a^T
    built = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, dim=-1), torch.tensor(z[0]))
    np.testing.assert_allclose(built.numpy(), jacobian(a[0]), rtol=1e-12, atol=1e-15)


def test_softmax_with_loss_gradient_against_torch_cross_entropy():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (it is optional)")
    rng = np.random.default_rng(6)
    z, t = rng.normal(scale=3.0, size=(7, 4)), rng.integers(0, 4, 7)
    z[0, (t[0] + 1) % 4] = 800.0  # a confident mistake: the fused gradient stays exact in both
    zt = torch.tensor(z, requires_grad=True)
    torch.nn.functional.cross_entropy(zt, torch.tensor(t)).backward()
    layer = layers.SoftmaxWithLoss()
    loss = layer.forward(z, t)
    assert loss == pytest.approx(torch.nn.functional.cross_entropy(torch.tensor(z), torch.tensor(t)).item(),
                                 rel=1e-13)
    np.testing.assert_allclose(layer.backward(), zt.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_torch_modules_and_nll_of_log_probabilities_match_bplib():
    """The names book/pytorch.md's table gives: nn.Softmax, nn.LogSoftmax, F.log_softmax, and
    F.nll_loss of log-probabilities as losses.cross_entropy with cross_entropy_prime."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (it is optional)")
    F = torch.nn.functional
    rng = np.random.default_rng(7)
    z, t = rng.normal(size=(5, 3)), rng.integers(0, 3, 5)
    zt = torch.tensor(z)
    np.testing.assert_allclose(torch.nn.Softmax(dim=1)(zt).numpy(), act.softmax(z), rtol=1e-13)
    np.testing.assert_allclose(torch.nn.LogSoftmax(dim=1)(zt).numpy(), act.log_softmax(z), rtol=1e-13)
    np.testing.assert_allclose(F.log_softmax(zt, dim=1).numpy(), act.log_softmax(z), rtol=1e-13)
    a = act.softmax(z)
    at = torch.tensor(a, requires_grad=True)
    loss = F.nll_loss(torch.log(at), torch.tensor(t))
    loss.backward()
    assert loss.item() == pytest.approx(losses.cross_entropy(a, t), rel=1e-13)
    np.testing.assert_allclose(at.grad.numpy(), losses.cross_entropy_prime(a, t), rtol=1e-13)
