"""Batch normalization (the chapter "Batch normalization"): ``bplib.layers.BatchNorm``.

Per feature for a dense input ``(batch, features)``, per channel for images
``(batch, channels, height, width)``; training mode on the batch's statistics (and the
running statistics updated, PyTorch's convention: momentum 0.1, unbiased variance),
inference mode on the running ones.  Its ``backward`` is the compact formula of the three
paths; the properties below check it by central differences with a *random* upstream
gradient (an all-ones one would accept a wrong backward, as the chapter shows).  The
comparisons with PyTorch at the end are skipped without ``torch``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bplib.gradcheck import numerical_gradient, relative_error
from bplib.layers import Affine, BatchNorm, SoftmaxWithLoss
from bplib.models import Sequential, fit

SHAPES_2D = st.tuples(st.integers(2, 6), st.integers(1, 4))
SHAPES_4D = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(2, 3))


def _case(shape, seed):
    """A random input (spread out, so no feature is nearly constant), gamma, beta and dout."""
    rng = np.random.default_rng(seed)
    c = shape[1]
    x = rng.normal(size=shape) * rng.uniform(0.5, 3.0) + rng.normal()
    return x, rng.normal(size=c), rng.normal(size=c), rng.normal(size=shape)


def _agree(analytic, numeric):
    """Relative error below 1e-6, or (a gradient near 0: two values per feature make x_hat = +-1
    whatever x is) an absolute difference at central differences' noise level."""
    return relative_error(analytic, numeric) < 1e-6 or np.abs(analytic - numeric).max() < 1e-8


def _gradients_by_differences(x, gamma, beta, dout):
    def f(xx=x, gg=gamma, bb=beta):
        return float(np.sum(BatchNorm(gg, bb).forward(xx) * dout))

    return (numerical_gradient(lambda v: f(xx=v), x.copy()),
            numerical_gradient(lambda v: f(gg=v), gamma.copy()),
            numerical_gradient(lambda v: f(bb=v), beta.copy()))


@settings(max_examples=30, deadline=None)
@given(shape=st.one_of(SHAPES_2D, SHAPES_4D), seed=st.integers(0, 2**32 - 1))
def test_backward_matches_central_differences(shape, seed):
    x, gamma, beta, dout = _case(shape, seed)
    layer = BatchNorm(gamma, beta)
    layer.forward(x)
    dx = layer.backward(dout)
    num_dx, num_dgamma, num_dbeta = _gradients_by_differences(x, gamma, beta, dout)
    assert dx.shape == x.shape and layer.dgamma.shape == gamma.shape
    assert _agree(dx, num_dx)
    assert _agree(layer.dgamma, num_dgamma)
    assert _agree(layer.dbeta, num_dbeta)
    assert relative_error(layer.dbeta, num_dbeta) < 1e-6


@settings(max_examples=30, deadline=None)
@given(shape=st.one_of(SHAPES_2D, SHAPES_4D), seed=st.integers(0, 2**32 - 1))
def test_dx_sums_to_zero_over_the_batch(shape, seed):
    # BatchNorm forgets a shift of a whole feature: moving every x_i alike changes no output
    x, gamma, beta, dout = _case(shape, seed)
    layer = BatchNorm(gamma, beta)
    layer.forward(x)
    dx = layer.backward(dout)
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    scale = np.abs(dx).max() + 1.0
    np.testing.assert_allclose(dx.sum(axis=axes), 0.0, atol=1e-12 * scale * x.size)


@settings(max_examples=30, deadline=None)
@given(shape=st.one_of(SHAPES_2D, SHAPES_4D), seed=st.integers(0, 2**32 - 1))
def test_an_all_ones_upstream_gradient_gives_dx_zero(shape, seed):
    # why a gradient check with ones sees nothing: sum(y) does not depend on x
    x, gamma, beta, _ = _case(shape, seed)
    layer = BatchNorm(gamma, beta)
    layer.forward(x)
    dx = layer.backward(np.ones(x.shape))
    assert np.abs(dx).max() < 1e-12 * (np.abs(gamma).max() + 1) / x.std()
    np.testing.assert_allclose(layer.dbeta, x.size // x.shape[1])


@settings(max_examples=30, deadline=None)
@given(shape=st.one_of(SHAPES_2D, SHAPES_4D), seed=st.integers(0, 2**32 - 1))
def test_training_output_is_normalized_per_feature_or_channel(shape, seed):
    x, _, _, _ = _case(shape, seed)
    c = shape[1]
    y = BatchNorm(np.ones(c), np.zeros(c)).forward(x)
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    var = x.var(axis=axes)  # biased, as the normalization's
    np.testing.assert_allclose(y.mean(axis=axes), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=axes), var / (var + 1e-5), rtol=1e-9)


def test_4d_statistics_are_per_channel_not_per_pixel():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 2, 3, 3)) + np.arange(9.0).reshape(1, 1, 3, 3)  # pixels differ
    y = BatchNorm(np.ones(2), np.zeros(2)).forward(x)
    mu = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    np.testing.assert_allclose(y, (x - mu) / np.sqrt(var + 1e-5), rtol=1e-12)
    # the per-pixel (DLfS) normalization is a different function
    per_pixel = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-5)
    assert np.abs(y - per_pixel).max() > 0.5


def test_running_statistics_follow_pytorchs_convention():
    rng = np.random.default_rng(4)
    layer = BatchNorm(np.ones(3), np.zeros(3))
    np.testing.assert_array_equal(layer.running_mean, 0.0)
    np.testing.assert_array_equal(layer.running_var, 1.0)
    x = rng.normal(size=(5, 3)) * 2 + 1
    layer.forward(x)
    np.testing.assert_allclose(layer.running_mean, 0.9 * 0 + 0.1 * x.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(layer.running_var, 0.9 * 1 + 0.1 * x.var(axis=0, ddof=1), rtol=1e-14)


def test_running_statistics_converge_to_the_datas():
    rng = np.random.default_rng(5)
    layer = BatchNorm(np.ones(2), np.zeros(2))
    mean, std = np.array([3.0, -1.0]), np.array([2.0, 0.5])
    for _ in range(200):
        layer.forward(mean + std * rng.normal(size=(64, 2)))
    np.testing.assert_allclose(layer.running_mean, mean, atol=0.15)
    np.testing.assert_allclose(layer.running_var, std**2, rtol=0.15)


def test_eval_uses_the_running_statistics_and_leaves_them_alone():
    rng = np.random.default_rng(6)
    gamma, beta = rng.normal(size=3), rng.normal(size=3)
    layer = BatchNorm(gamma, beta, running_mean=[1.0, 2.0, 3.0], running_var=[4.0, 0.25, 1.0])
    x = rng.normal(size=(4, 3))
    before = layer.running_mean.copy(), layer.running_var.copy()
    y = layer.eval().forward(x)
    np.testing.assert_allclose(y, gamma * (x - [1, 2, 3]) / np.sqrt(np.array([4, 0.25, 1]) + 1e-5) + beta,
                               rtol=1e-13)
    np.testing.assert_array_equal(layer.running_mean, before[0])
    np.testing.assert_array_equal(layer.running_var, before[1])
    # one sample is fine in inference mode, and gives the same row as in the batch
    np.testing.assert_allclose(layer.forward(x[:1]), y[:1], rtol=1e-15)
    # and the same input in training mode gives something else
    assert np.abs(layer.train().forward(x) - y).max() > 0.1


def test_eval_before_any_training_batch_is_the_affine_map():
    layer = BatchNorm(np.array([2.0]), np.array([1.0])).eval()
    x = np.array([[0.0], [3.0]])
    np.testing.assert_allclose(layer.forward(x), 2.0 * x / np.sqrt(1 + 1e-5) + 1.0)


@settings(max_examples=20, deadline=None)
@given(shape=st.one_of(SHAPES_2D, SHAPES_4D), seed=st.integers(0, 2**32 - 1))
def test_backward_in_eval_mode_matches_central_differences(shape, seed):
    x, gamma, beta, dout = _case(shape, seed)
    c = shape[1]
    rm, rv = np.linspace(-1, 1, c), np.linspace(0.5, 2, c)
    layer = BatchNorm(gamma, beta, running_mean=rm, running_var=rv).eval()
    layer.forward(x)
    dx = layer.backward(dout)

    def f(v):
        return float(np.sum(BatchNorm(gamma, beta, running_mean=rm, running_var=rv).eval().forward(v) * dout))

    assert relative_error(dx, numerical_gradient(f, x.copy())) < 1e-7


def test_backward_does_not_modify_dout_and_is_a_layer_of_a_model():
    rng = np.random.default_rng(7)
    x, t = rng.normal(size=(6, 4)), rng.integers(0, 3, 6)
    model = Sequential([Affine(rng.normal(size=(4, 5)), np.zeros(5)), BatchNorm(np.ones(5), np.zeros(5)),
                        Affine(rng.normal(size=(5, 3)), np.zeros(3))], SoftmaxWithLoss())
    assert list(model.layers) == ["Affine1", "BatchNorm1", "Affine2"]
    assert list(model.params) == ["W1", "b1", "gamma2", "beta2", "W3", "b3"]
    grads = model.gradient(x, t)
    for key, param in model.params.items():
        numeric = numerical_gradient(lambda _: model.loss(x, t), param)
        assert _agree(grads[key], numeric), key
    # the bias before a BatchNorm shifts a whole feature, which BatchNorm removes: no gradient
    assert np.abs(grads["b1"]).max() < 1e-15
    layer = model.layers["BatchNorm1"]
    dout = rng.normal(size=(6, 5))
    kept = dout.copy()
    layer.forward(rng.normal(size=(6, 5)))
    layer.backward(dout)
    np.testing.assert_array_equal(dout, kept)
    model.eval()
    assert model.layers["BatchNorm1"].training is False


def test_fit_trains_a_model_with_batchnorm_and_measures_in_inference_mode():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(120, 4))
    t = (x[:, 0] + x[:, 1] > 0).astype(int)
    model = Sequential([Affine(0.1 * rng.normal(size=(4, 8)), np.zeros(8)), BatchNorm(np.ones(8), np.zeros(8)),
                        Affine(0.1 * rng.normal(size=(8, 2)), np.zeros(2))], SoftmaxWithLoss())
    history = fit(model, x, t, epochs=20, learning_rate=0.5, batch_size=20, seed=0)
    assert history.train_accuracy[-1] > 0.9
    assert model.training  # back in the mode it was in
    layer = model.layers["BatchNorm1"]
    assert np.abs(layer.running_mean).max() > 0  # the running statistics moved


@pytest.mark.parametrize("make, message", [
    (lambda: BatchNorm(np.ones((2, 2)), np.zeros(2)), "gamma must be 1-D"),
    (lambda: BatchNorm(np.ones(3), np.zeros(2)), r"gamma.shape=\(3,\) and beta.shape=\(2,\)"),
    (lambda: BatchNorm(np.ones(3), np.zeros(3), momentum=0.0), "momentum must be a number in"),
    (lambda: BatchNorm(np.ones(3), np.zeros(3), momentum=1.5), "momentum must be a number in"),
    (lambda: BatchNorm(np.ones(3), np.zeros(3), eps=0), "eps must be a positive number"),
    (lambda: BatchNorm(np.ones(3), np.zeros(3), running_mean=np.zeros(2)), r"running_mean must have shape \(3,\)"),
    (lambda: BatchNorm(np.ones(3), np.zeros(3), running_var=-np.ones(3)), "running_var must not be negative"),
])
def test_bad_parameters_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("x, message", [
    (np.zeros(3), r"2-D input \(batch, features\) or a 4-D input.*x is 1-D"),
    (np.zeros((2, 3, 4)), r"x is 3-D"),
    (np.zeros((4, 2)), r"x has 2 features \(x.shape=\(4, 2\)\) but gamma has 3"),
    (np.zeros((4, 2, 5, 5)), r"x has 2 channels"),
    (np.ones((1, 3)), "more than one value per feature.*call eval"),
    (np.ones((1, 3, 1, 1)), "more than one value per channel"),
    (np.array([[0.0, np.nan, 1.0], [1.0, 2.0, 3.0]]), "NaN"),
])
def test_bad_input_is_named(x, message):
    with pytest.raises(ValueError, match=message):
        BatchNorm(np.ones(3), np.zeros(3)).forward(x)


def test_one_image_has_enough_values_per_channel_in_training_mode():
    y = BatchNorm(np.ones(3), np.zeros(3)).forward(np.random.default_rng(9).normal(size=(1, 3, 2, 2)))
    assert y.shape == (1, 3, 2, 2)


def test_backward_checks_dout():
    layer = BatchNorm(np.ones(3), np.zeros(3))
    with pytest.raises(RuntimeError, match="before BatchNorm.forward"):
        layer.backward(np.ones((2, 3)))
    layer.forward(np.arange(6.0).reshape(2, 3))
    with pytest.raises(ValueError, match=r"forward output \(2, 3\)"):
        layer.backward(np.ones((3, 2)))


# ----------------------------------------------------------------- PyTorch

def _torch_pair(torch, shape, seed, momentum=0.1):
    x, gamma, beta, dout = _case(shape, seed)
    c = shape[1]
    cls = torch.nn.BatchNorm1d if len(shape) == 2 else torch.nn.BatchNorm2d
    ref = cls(c, momentum=momentum, eps=1e-5).double()
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(gamma))
        ref.bias.copy_(torch.from_numpy(beta))
    return x, gamma, beta, dout, ref


@pytest.mark.parametrize("shape", [(5, 3), (2, 4), (4, 3, 2, 5), (1, 2, 3, 3)])
def test_forward_backward_and_running_statistics_against_torch(shape):
    torch = pytest.importorskip("torch")
    x, gamma, beta, dout, ref = _torch_pair(torch, shape, seed=sum(shape))
    layer = BatchNorm(gamma.copy(), beta.copy())
    for step in range(3):  # three training batches, then inference
        xs = x + step
        y = layer.forward(xs)
        dx = layer.backward(dout)
        tx = torch.from_numpy(xs.copy()).requires_grad_(True)
        ref.zero_grad()
        ty = ref(tx)
        ty.backward(torch.from_numpy(dout))
        np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(layer.dgamma, ref.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(layer.dbeta, ref.bias.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(layer.running_mean, ref.running_mean.numpy(), rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(layer.running_var, ref.running_var.numpy(), rtol=1e-13)
    layer.eval()
    ref.eval()
    tx = torch.from_numpy(x.copy()).requires_grad_(True)
    ty = ref(tx)
    ty.backward(torch.from_numpy(dout))
    np.testing.assert_allclose(layer.forward(x), ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.backward(dout), tx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_torch_defaults_are_bplibs():
    torch = pytest.importorskip("torch")
    layer = BatchNorm(np.ones(3), np.zeros(3))
    for ref in (torch.nn.BatchNorm1d(3), torch.nn.BatchNorm2d(3)):
        assert (ref.momentum, ref.eps) == (layer.momentum, layer.eps) == (0.1, 1e-5)
        np.testing.assert_array_equal(ref.running_mean.numpy(), layer.running_mean)
        np.testing.assert_array_equal(ref.running_var.numpy(), layer.running_var)
        np.testing.assert_array_equal(ref.weight.detach().numpy(), layer.gamma)
        np.testing.assert_array_equal(ref.bias.detach().numpy(), layer.beta)


def test_a_single_value_per_channel_is_refused_like_torch():
    torch = pytest.importorskip("torch")
    ref = torch.nn.BatchNorm1d(3).double()
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        ref(torch.ones(1, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match="more than one value per feature"):
        BatchNorm(np.ones(3), np.zeros(3)).forward(np.ones((1, 3)))
