"""Convolution and pooling (the chapter "Convolution and pooling").

``bplib.convolution``'s functional pieces (im2col / col2im as DLfS defines them, the naive
loops, the chapter's formulas ``correlate2d``, ``rotate180``, ``dilate``) and the layers
``bplib.layers.Convolution``, ``MaxPooling`` and ``Flatten``: central differences for random
small shapes, strides and paddings, the adjoint identity of col2im, max pooling's routing to
the winners, the layers in ``Sequential`` and ``fit``.  The comparisons with PyTorch at the
end are skipped without ``torch``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bplib import convolution as cv
from bplib.gradcheck import numerical_gradient
from bplib.layers import Affine, Convolution, Flatten, MaxPooling, Relu, SoftmaxWithLoss
from bplib.models import Sequential, fit


@st.composite
def conv_cases(draw, max_side: int = 6):
    """(x, W, b, stride, pad) with small random shapes whose kernel fits the padded input."""
    n = draw(st.integers(1, 2))
    c = draw(st.integers(1, 3))
    fn = draw(st.integers(1, 3))
    fh = draw(st.integers(1, 3))
    fw = draw(st.integers(1, 3))
    pad = draw(st.integers(0, 2))
    h = draw(st.integers(max(1, fh - 2 * pad), max_side))
    w = draw(st.integers(max(1, fw - 2 * pad), max_side))
    stride = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, c, h, w)), rng.normal(size=(fn, c, fh, fw)),
            rng.normal(size=fn), stride, pad, rng)


@st.composite
def pool_cases(draw):
    """(x, pool_h, pool_w, stride, pad) with distinct entries (no ties: the max is differentiable)."""
    n = draw(st.integers(1, 2))
    c = draw(st.integers(1, 3))
    ph = draw(st.integers(1, 3))
    pw = draw(st.integers(1, 3))
    pad = draw(st.integers(0, min(ph, pw) // 2))
    h = draw(st.integers(max(1, ph - 2 * pad), 7))
    w = draw(st.integers(max(1, pw - 2 * pad), 7))
    stride = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.permutation(n * c * h * w).reshape(n, c, h, w) / 4.0 - 3.0  # distinct, spaced by 0.25
    return x, ph, pw, stride, pad, rng


# ------------------------------------------------------------------ output size and shape checks


def test_output_size_is_the_floored_formula():
    assert cv.output_size(8, 3, 1, 1) == 8  # "same" padding
    assert cv.output_size(7, 3, 2, 0) == 3
    assert cv.output_size(8, 3, 2, 0) == 3  # (8 - 3) / 2 = 2.5: the last column is left out
    assert cv.output_size(4, 4) == 1
    with pytest.raises(ValueError, match="larger than the padded input"):
        cv.output_size(4, 7, 1, 1)
    with pytest.raises(ValueError, match="stride must be positive"):
        cv.output_size(4, 2, 0)
    with pytest.raises(TypeError, match="stride must be an integer"):
        cv.output_size(4, 2, 1.5)
    with pytest.raises(ValueError, match="pad must be at least 0"):
        cv.output_size(4, 2, 1, -1)


def test_convolution_rejects_bad_shapes_with_clear_messages():
    rng = np.random.default_rng(0)
    layer = Convolution(rng.normal(size=(2, 3, 3, 3)), np.zeros(2))
    with pytest.raises(ValueError, match=r"x has 1 channels .* the kernel expects 3"):
        layer.forward(np.zeros((1, 1, 5, 5)))
    with pytest.raises(ValueError, match=r"4-D batch of images \(N, C, H, W\), but x.shape=\(3, 5, 5\)"):
        layer.forward(np.zeros((3, 5, 5)))
    with pytest.raises(ValueError, match=r"kernel \(3 x 3\) is larger than the padded input \(2 x 5"):
        layer.forward(np.zeros((1, 3, 2, 5)))
    with pytest.raises(ValueError, match="b must have one entry per filter"):
        Convolution(np.zeros((2, 3, 3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="W must be 4-D"):
        Convolution(np.zeros((2, 3, 3)), np.zeros(2))
    with pytest.raises(TypeError, match="stride must be an integer"):
        Convolution(np.zeros((2, 3, 3, 3)), np.zeros(2), stride=2.0)
    with pytest.raises(RuntimeError, match="before Convolution.forward"):
        layer.backward(np.zeros((1, 2, 3, 3)))
    out = layer.forward(np.zeros((1, 3, 5, 5)))
    with pytest.raises(ValueError, match=r"dout must have the shape of Convolution's forward output \(1, 2, 3, 3\)"):
        layer.backward(np.zeros((1, 2, 3, 4)))
    assert out.shape == (1, 2, 3, 3)


def test_pooling_and_flatten_reject_bad_input():
    with pytest.raises(ValueError, match=r"pad must be at most half the window"):
        MaxPooling(2, 2, pad=2)
    with pytest.raises(ValueError, match="pool_h must be positive"):
        MaxPooling(0, 2)
    with pytest.raises(ValueError, match="larger than the padded input"):
        MaxPooling(3, 3).forward(np.zeros((1, 1, 2, 2)))
    with pytest.raises(ValueError, match="at least one more"):
        Flatten().forward(np.zeros(3))
    f = Flatten()
    f.forward(np.zeros((2, 3, 4, 5)))
    with pytest.raises(ValueError, match=r"\(2, 60\)"):
        f.backward(np.zeros((2, 59)))


def test_stride_not_dividing_leaves_the_last_rows_out_with_zero_gradient():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 1, 6, 6))  # (6 - 3) / 2 = 1.5: windows at rows 0 and 2, row 5 unused
    layer = Convolution(rng.normal(size=(1, 1, 3, 3)), np.zeros(1), stride=2)
    out = layer.forward(x)
    assert out.shape == (1, 1, 2, 2)
    dx = layer.backward(rng.normal(size=out.shape))
    assert np.all(dx[0, 0, 5, :] == 0) and np.all(dx[0, 0, :, 5] == 0)
    assert np.all(dx[0, 0, :5, :5] != 0)


# ------------------------------------------------------------------ im2col / col2im


def test_im2col_rows_are_the_windows_in_channel_row_column_order():
    x = np.arange(2 * 2 * 4 * 5, dtype=float).reshape(2, 2, 4, 5)
    col = cv.im2col(x, 2, 3, stride=1, pad=0)
    oh, ow = 3, 3
    assert col.shape == (2 * oh * ow, 2 * 2 * 3)
    for n in range(2):
        for i in range(oh):
            for j in range(ow):
                np.testing.assert_array_equal(col[(n * oh + i) * ow + j], x[n, :, i:i + 2, j:j + 3].ravel())


@settings(max_examples=40, deadline=None)
@given(conv_cases())
def test_col2im_is_the_adjoint_of_im2col(case):
    x, W, _, stride, pad, rng = case
    fh, fw = W.shape[2:]
    col = cv.im2col(x, fh, fw, stride, pad)
    c = rng.normal(size=col.shape)
    back = cv.col2im(c, x.shape, fh, fw, stride, pad)
    assert back.shape == x.shape
    assert np.sum(col * c) == pytest.approx(np.sum(x * back), rel=1e-12, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(conv_cases())
def test_im2col_convolution_equals_the_naive_loops(case):
    x, W, b, stride, pad, rng = case
    expected = cv.conv2d_naive(x, W, b, stride, pad)
    np.testing.assert_allclose(cv.conv2d(x, W, b, stride, pad), expected, rtol=1e-12, atol=1e-12)
    layer = Convolution(W, b, stride, pad)
    out = layer.forward(x)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    dout = rng.normal(size=out.shape)
    dx_naive, dW_naive, db_naive = cv.conv2d_naive_backward(dout, x, W, stride, pad)
    np.testing.assert_allclose(layer.backward(dout), dx_naive, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.dW, dW_naive, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.db, db_naive, rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------ central differences


def _check_layer_gradients(layer, x, dout, names=()):
    """dx (and d<name> for each parameter) against central differences of sum(forward * dout)."""
    layer.forward(x)
    dx = layer.backward(dout)
    loss = lambda _: float(np.sum(layer.forward(x) * dout))  # noqa: E731
    np.testing.assert_allclose(dx, numerical_gradient(loss, x), rtol=1e-6, atol=1e-7)
    for name in names:
        np.testing.assert_allclose(getattr(layer, "d" + name), numerical_gradient(loss, getattr(layer, name)),
                                   rtol=1e-6, atol=1e-7)


@settings(max_examples=40, deadline=None)
@given(conv_cases(max_side=5))
def test_convolution_gradients_match_central_differences(case):
    x, W, b, stride, pad, rng = case
    layer = Convolution(W, b, stride, pad)
    dout = rng.normal(size=layer.forward(x).shape)
    _check_layer_gradients(layer, x, dout, names=("W", "b"))


@settings(max_examples=40, deadline=None)
@given(pool_cases())
def test_max_pooling_gradient_matches_central_differences(case):
    x, ph, pw, stride, pad, rng = case
    layer = MaxPooling(ph, pw, stride, pad)
    dout = rng.normal(size=layer.forward(x).shape)
    _check_layer_gradients(layer, x, dout)


@settings(max_examples=40, deadline=None)
@given(pool_cases())
def test_max_pooling_gradient_lands_only_on_winners_and_keeps_the_sum(case):
    x, ph, pw, stride, pad, rng = case
    layer = MaxPooling(ph, pw, stride, pad)
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    dx = layer.backward(dout)
    assert np.sum(dx) == pytest.approx(np.sum(dout), rel=1e-12, abs=1e-12)
    # an entry can receive gradient only if it equals the output of some window
    winners = np.isin(x, out)
    assert np.all(dx[~winners] == 0)
    if stride >= max(ph, pw) and pad == 0:  # windows do not overlap: one window per winner
        assert np.count_nonzero(dx) == np.count_nonzero(dout)
        np.testing.assert_array_equal(np.sort(dx[dx != 0]), np.sort(dout[dout != 0]))


@settings(max_examples=30, deadline=None)
@given(pool_cases())
def test_max_pooling_equals_the_naive_loops_without_padding(case):
    x, ph, pw, stride, _, rng = case
    assume(x.shape[2] >= ph and x.shape[3] >= pw)  # fits without the padding
    layer = MaxPooling(ph, pw, stride)
    out = layer.forward(x)
    np.testing.assert_array_equal(out, cv.max_pool_naive(x, ph, pw, stride))
    dout = rng.normal(size=out.shape)
    # overlapping windows add in another order: equal to the last bits
    np.testing.assert_allclose(layer.backward(dout), cv.max_pool_naive_backward(dout, x, ph, pw, stride),
                               rtol=1e-12, atol=1e-14)


def test_max_pooling_tie_goes_to_the_first_maximum_in_row_major_order():
    x = np.array([[[[0.0, 2.0], [2.0, 1.0]]]])
    layer = MaxPooling(2, 2)
    layer.forward(x)
    np.testing.assert_array_equal(layer.backward(np.array([[[[5.0]]]])), [[[[0.0, 5.0], [0.0, 0.0]]]])


def test_flatten_round_trip_and_dout_untouched():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 2, 4, 5))
    f = Flatten()
    out = f.forward(x)
    np.testing.assert_array_equal(out, x.reshape(3, 40))
    dout = rng.normal(size=out.shape)
    keep = dout.copy()
    dx = f.backward(dout)
    np.testing.assert_array_equal(dx, dout.reshape(x.shape))
    dx[...] = 0
    np.testing.assert_array_equal(dout, keep)


def test_backward_never_modifies_dout():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 2, 5, 5))
    for layer in (Convolution(rng.normal(size=(3, 2, 3, 3)), rng.normal(size=3), 2, 1), MaxPooling(2, 2)):
        dout = rng.normal(size=layer.forward(x).shape)
        keep = dout.copy()
        layer.backward(dout)
        np.testing.assert_array_equal(dout, keep)


# ------------------------------------------------------------------ the formulas


def test_correlate2d_rotate180_dilate():
    a = np.arange(16.0).reshape(4, 4)
    k = np.array([[1.0, 2.0], [3.0, 4.0]])
    valid = cv.correlate2d(a, k)
    assert valid.shape == (3, 3) and valid[0, 0] == 0 * 1 + 1 * 2 + 4 * 3 + 5 * 4
    full = cv.correlate2d(a, k, "full")
    assert full.shape == (5, 5) and full[0, 0] == a[0, 0] * k[1, 1]
    np.testing.assert_array_equal(cv.rotate180(k), [[4.0, 3.0], [2.0, 1.0]])
    np.testing.assert_array_equal(cv.dilate(k, 2), [[1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [3.0, 0.0, 4.0]])
    np.testing.assert_array_equal(cv.dilate(k, 1), k)


@settings(max_examples=40, deadline=None)
@given(st.integers(3, 7), st.integers(3, 7), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
       st.integers(0, 2), st.integers(0, 2**32 - 1))
def test_the_chapters_formulas_give_the_layers_gradients(h, w, k, stride, pad_extra, _, seed):
    """dW = correlate(xpad, dilate(g)); dx = crop(full correlate(dilate(g), rot180(W)))."""
    pad = min(pad_extra, k - 1)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(1, 1, h, w))
    W = rng.normal(size=(1, 1, k, k))
    layer = Convolution(W, np.zeros(1), stride, pad)
    out = layer.forward(x)
    g = rng.normal(size=out.shape)
    dx = layer.backward(g)
    dg = cv.dilate(g[0, 0], stride)
    xpad = np.pad(x[0, 0], pad)
    # windows that do not fit (stride not dividing) are cut: correlate only the part they covered
    used = xpad[:dg.shape[0] + k - 1, :dg.shape[1] + k - 1]
    np.testing.assert_allclose(cv.correlate2d(used, dg), layer.dW[0, 0], rtol=1e-12, atol=1e-12)
    dxpad = np.zeros_like(xpad)
    full = cv.correlate2d(dg, cv.rotate180(W[0, 0]), "full")
    dxpad[:full.shape[0], :full.shape[1]] = full
    np.testing.assert_allclose(dxpad[pad:pad + h, pad:pad + w], dx[0, 0], rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------ in a model


def _small_cnn(seed: int) -> Sequential:
    rng = np.random.default_rng(seed)
    return Sequential(
        [Convolution(0.1 * rng.normal(size=(4, 1, 3, 3)), np.zeros(4), pad=1), Relu(), MaxPooling(2, 2),
         Flatten(), Affine(0.1 * rng.normal(size=(4 * 4 * 4, 10)), np.zeros(10))],
        SoftmaxWithLoss(),
    )


def test_layers_in_sequential_gradient_matches_numerical_gradient():
    model = _small_cnn(0)
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 1, 8, 8))
    t = rng.integers(0, 10, size=3)
    assert list(model.layers) == ["Convolution1", "Relu1", "MaxPooling1", "Flatten1", "Affine1"]
    assert list(model.params) == ["W1", "b1", "W2", "b2"]
    grads, numerical = model.gradient(x, t), model.numerical_gradient(x, t)
    for key in grads:
        np.testing.assert_allclose(grads[key], numerical[key], rtol=1e-5, atol=1e-8)


def test_fit_trains_a_small_cnn():
    rng = np.random.default_rng(5)
    t = rng.integers(0, 2, size=60)
    x = rng.normal(scale=0.3, size=(60, 1, 8, 8))
    x[t == 1, 0, :4, :] += 1.0  # class 1: bright top half
    model = _small_cnn(1)
    history = fit(model, x, t, epochs=15, learning_rate=0.1, batch_size=20, seed=0)
    assert history.loss[-1] < history.loss[0]
    assert history.train_accuracy[-1] == 1.0


# ------------------------------------------------------------------ PyTorch


@pytest.mark.parametrize("stride,pad,shape,kernel", [
    (1, 0, (2, 3, 7, 6), (4, 3, 3, 2)),
    (2, 1, (2, 2, 7, 7), (3, 2, 3, 3)),
    (3, 2, (1, 3, 8, 5), (2, 3, 2, 3)),
    (2, 0, (2, 1, 6, 6), (2, 1, 3, 3)),  # stride not dividing: the last row is left out
])
def test_convolution_against_torch_conv2d(stride, pad, shape, kernel):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (it is optional)")
    F = torch.nn.functional
    rng = np.random.default_rng(6)
    x, W, b = rng.normal(size=shape), rng.normal(size=kernel), rng.normal(size=kernel[0])
    layer = Convolution(W.copy(), b.copy(), stride, pad)
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    dx = layer.backward(dout)
    xt, Wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
    ot = F.conv2d(xt, Wt, bt, stride=stride, padding=pad)
    ot.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, ot.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.dW, Wt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.db, bt.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("pool,stride,pad,shape", [
    (2, None, 0, (2, 3, 6, 6)),
    (3, 2, 1, (2, 2, 7, 7)),
    (2, 1, 1, (1, 2, 5, 4)),
    (3, 3, 0, (1, 1, 8, 8)),  # stride not dividing
])
def test_max_pooling_against_torch_max_pool2d(pool, stride, pad, shape):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (it is optional)")
    F = torch.nn.functional
    rng = np.random.default_rng(7)
    x = rng.normal(size=shape)
    layer = MaxPooling(pool, pool, stride, pad)
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    dx = layer.backward(dout)
    xt = torch.tensor(x, requires_grad=True)
    ot = F.max_pool2d(xt, pool, stride=stride, padding=pad)
    ot.backward(torch.tensor(dout))
    np.testing.assert_array_equal(out, ot.detach().numpy())
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-15, atol=1e-15)


def test_max_pooling_ties_and_flatten_against_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (it is optional)")
    F = torch.nn.functional
    rng = np.random.default_rng(8)
    x = rng.integers(0, 3, size=(2, 2, 6, 6)).astype(float)  # many ties
    layer = MaxPooling(2, 2)
    dout = rng.normal(size=layer.forward(x).shape)
    dx = layer.backward(dout)
    xt = torch.tensor(x, requires_grad=True)
    F.max_pool2d(xt, 2).backward(torch.tensor(dout))
    np.testing.assert_array_equal(dx, xt.grad.numpy())  # the same winner on every tie
    np.testing.assert_array_equal(Flatten().forward(x), torch.nn.Flatten()(torch.tensor(x)).numpy())


@pytest.mark.parametrize("shape,kernel,stride,pad", [((2, 3, 7, 6), (3, 2), 2, 1), ((1, 2, 5, 5), (3, 3), 1, 0)])
def test_im2col_and_col2im_are_torch_unfold_and_fold(shape, kernel, stride, pad):
    """im2col is F.unfold with its blocks transposed into rows; col2im is F.fold (it adds overlaps)."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (it is optional)")
    F = torch.nn.functional
    rng = np.random.default_rng(9)
    x = rng.normal(size=shape)
    n, c = shape[:2]
    k = c * kernel[0] * kernel[1]
    col = cv.im2col(x, *kernel, stride, pad)
    unfolded = F.unfold(torch.tensor(x), kernel, padding=pad, stride=stride)  # (N, C kh kw, L)
    np.testing.assert_array_equal(col, unfolded.transpose(1, 2).reshape(-1, k).numpy())
    dcol = rng.normal(size=col.shape)
    folded = F.fold(torch.tensor(dcol).reshape(n, -1, k).transpose(1, 2), shape[2:], kernel,
                    padding=pad, stride=stride)
    np.testing.assert_allclose(cv.col2im(dcol, shape, *kernel, stride, pad), folded.numpy(),
                               rtol=1e-14, atol=1e-14)
