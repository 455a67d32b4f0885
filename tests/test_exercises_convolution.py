"""The checkers of the convolution chapter accept the reference solutions and name typical mistakes."""

import numpy as np
import pytest

from bplib import convolution as cv
from bplib.exercises import check

# ------------------------------------------------------------- conv_backward


def conv_backward(dout, x, W, stride, pad, *, flip=False, step=None, crop="both", dW_axes="ok",
                  db="ok"):
    """The naive loops' backward pass, with one of the usual mistakes switched on."""
    n, c, h, w = x.shape
    f_count, _, kh, kw = W.shape
    step = stride if step is None else step
    kernel = W[:, :, ::-1, ::-1] if flip else W
    x_pad = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    dx_pad = np.zeros_like(x_pad)
    dW = np.zeros_like(W)
    for s in range(n):
        for f in range(f_count):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    rows, cols = slice(i * step, i * step + kh), slice(j * step, j * step + kw)
                    dx_pad[s, :, rows, cols] += dout[s, f, i, j] * kernel[f]
                    if dW_axes != "first_sample" or s == 0:
                        dW[f] += dout[s, f, i, j] * x_pad[s, :, rows, cols]
    if dW_axes == "rotated":
        dW = dW[:, :, ::-1, ::-1]
    elif dW_axes == "mean":
        dW = dW / n
    elif dW_axes == "swapped":
        dW = dW.transpose(1, 0, 2, 3)
    db = {"ok": dout.sum(axis=(0, 2, 3)), "positions": dout.sum(axis=0), "batch": dout.sum(axis=(2, 3)),
          "scalar": dout.sum(), "mean": dout.sum(axis=(0, 2, 3)) / n,
          "first_position": dout[:, :, 0, 0].sum(axis=0)}[db]
    dx = {"both": dx_pad[:, :, pad:pad + h, pad:pad + w], "none": dx_pad,
          "end": dx_pad[:, :, :h, :w]}[crop]
    return dx, dW, db


def _mutating(dout, x, W, stride, pad):
    dout *= 1.0
    dout[0, 0, 0, 0] = 0.0
    return conv_backward(dout, x, W, stride, pad)


@pytest.mark.parametrize("right", [
    conv_backward,
    lambda dout, x, W, s, p: cv.conv2d_naive_backward(dout, x, W, s, p),
])
def test_conv_backward_accepts_solutions(right, capsys):
    assert check.conv_backward(right).ok is True
    assert capsys.readouterr().out.startswith("Correct: ")


@pytest.mark.parametrize("options, message", [
    ({"flip": True}, "the kernel is not rotated"),
    ({"step": 1}, "the stride's dilation is forgotten"),
    ({"crop": "none"}, "the padding is not cropped"),
    ({"crop": "end"}, "crop pad = 1 row(s) and column(s) at the start too"),
    ({"dW_axes": "rotated"}, "dW for x of shape (2, 3, 5, 5), W of shape (4, 3, 3, 3), stride 1 and pad 0 is "
                             "rotated 180 degrees"),
    ({"dW_axes": "first_sample"}, "so dW sums over the batch too"),
    ({"dW_axes": "mean"}, "divided by the batch size N = 2"),
    ({"dW_axes": "swapped"}, "filters and channels are swapped"),
    ({"db": "positions"}, "it misses the sum over positions"),
    ({"db": "batch"}, "it misses the sum over the batch"),
    ({"db": "scalar"}, "it sums over the filters too"),
    ({"db": "mean"}, "db for x of shape (2, 3, 5, 5), W of shape (4, 3, 3, 3), stride 1 and pad 0 is divided"),
    ({"db": "first_position"}, "uses the first output pixel only"),
])
def test_conv_backward_names_the_mistake(options, message, capsys):
    assert check.conv_backward(lambda *a: conv_backward(*a, **options)).ok is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and message in out and out.count("\n") == 1, out


@pytest.mark.parametrize("wrong, message", [
    (_mutating, "changed its argument #1 in place"),
    (lambda *a: conv_backward(*a)[:2], "return the three gradients as a tuple (dx, dW, db)"),
    (lambda *a: None, "returned a NoneType"),
])
def test_conv_backward_rejects_other_answers(wrong, message, capsys):
    assert check.conv_backward(wrong).ok is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and message in out, out


# ------------------------------------------------------------- col2im


def col2im(dcol, x_shape, fh, fw, stride, pad, *, layout="ok", assign=False, step=None, crop=True):
    """DLfS's col2im, with one of the usual mistakes switched on."""
    n, c, h, w = x_shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    step = stride if step is None else step
    if layout == "no_transpose":  # straight to (N, C, fh, fw, OH, OW)
        blocks = dcol.reshape(n, c, fh, fw, oh, ow)
    elif layout == "channels_last":
        blocks = dcol.reshape(n, oh, ow, fh, fw, c).transpose(0, 5, 3, 4, 1, 2)
    elif layout == "window_transposed":
        blocks = dcol.reshape(n, oh, ow, c, fw, fh).transpose(0, 3, 5, 4, 1, 2)
    elif layout == "transposed":  # the (C fh fw, N OH OW) layout assumed
        blocks = dcol.reshape(c, fh, fw, n, oh, ow).transpose(3, 0, 1, 2, 4, 5)
    else:
        blocks = dcol.reshape(n, oh, ow, c, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + step, w + 2 * pad + step))
    for p in range(fh):
        for q in range(fw):
            region = (slice(None), slice(None), slice(p, p + step * oh, step), slice(q, q + step * ow, step))
            if assign:
                img[region] = blocks[:, :, p, q]
            else:
                img[region] += blocks[:, :, p, q]
    img = img[:, :, :h + 2 * pad, :w + 2 * pad]
    return img[:, :, pad:pad + h, pad:pad + w] if crop else img


def _col2im_by_windows_assigning(dcol, x_shape, fh, fw, stride, pad):
    n, c, h, w = x_shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    blocks = dcol.reshape(n, oh, ow, c, fh, fw)
    img = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    for i in range(oh):
        for j in range(ow):
            img[:, :, i * stride:i * stride + fh, j * stride:j * stride + fw] = blocks[:, i, j]
    return img[:, :, pad:pad + h, pad:pad + w]


def test_col2im_accepts_solutions(capsys):
    assert check.col2im(col2im).ok is True
    assert check.col2im(lambda *a: cv.col2im(*a)).ok is True
    out = capsys.readouterr().out
    assert out.count("Correct: ") == 2, out


@pytest.mark.parametrize("wrong, message", [
    (lambda *a: col2im(*a, assign=True), "only the last kernel offset's gradient"),
    (_col2im_by_windows_assigning, "only the last window's gradient where windows overlap"),
    (lambda *a: col2im(*a, layout="no_transpose"), "the wrong reshape order"),
    (lambda *a: col2im(*a, layout="channels_last"), "reads each row as (row, column, channel)"),
    (lambda *a: col2im(*a, layout="window_transposed"), "swaps the rows and columns of each window"),
    (lambda *a: col2im(*a, layout="transposed"), "reads dcol transposed"),
    (lambda *a: col2im(*a, step=1), "the stride 2 is forgotten"),
    (lambda *a: col2im(*a, crop=False), "crop the pad = 1 row(s) and column(s)"),
    (lambda *a: None, "did you forget to `return` it?"),
])
def test_col2im_names_the_mistake(wrong, message, capsys):
    assert check.col2im(wrong).ok is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and message in out and out.count("\n") == 1, out


# ------------------------------------------------------------- max_pool_backward


def max_pool_backward(dout, x, pool, stride, *, how="winner"):
    """Max pooling's backward pass by loops, or one of the usual mistakes."""
    dx = np.zeros_like(x)
    for s in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    r, q = i * stride, j * stride
                    window = x[s, c, r:r + pool, q:q + pool]
                    region = dx[s, c, r:r + pool, q:q + pool]
                    g = dout[s, c, i, j]
                    if how == "spread":
                        region += g / pool**2
                    elif how == "copied":
                        region += g
                    elif how == "all_ties":
                        region += g * (window == window.max())
                    else:
                        k = np.argmax(window) if how != "last_tie" else window.size - 1 - np.argmax(
                            window.ravel()[::-1])
                        a, b = divmod(k, pool)
                        if how == "assigned":
                            region[a, b] = g
                        elif how == "value":
                            region[a, b] += window.max()
                        else:
                            region[a, b] += g
    return dx


def test_max_pool_backward_accepts_solutions(capsys):
    assert check.max_pool_backward(max_pool_backward).ok is True
    assert check.max_pool_backward(
        lambda dout, x, pool, stride: cv.max_pool_naive_backward(dout, x, pool, pool, stride)).ok is True
    assert capsys.readouterr().out.count("Correct: ") == 2


@pytest.mark.parametrize("how, message", [
    ("spread", "that is average pooling's backward"),
    ("copied", "copied to every entry of each window"),
    ("all_ties", "goes to every tied maximum of a window"),
    ("last_tie", "goes to the last of tied maxima"),
    ("assigned", "a winner won two overlapping windows: add them (+=)"),
    ("value", "receive the maximum's value"),
])
def test_max_pool_backward_names_the_mistake(how, message, capsys):
    assert check.max_pool_backward(lambda *a: max_pool_backward(*a, how=how)).ok is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and message in out and out.count("\n") == 1, out


def test_max_pool_backward_rejects_an_in_place_change(capsys):
    def mutating(dout, x, pool, stride):
        x += 0.0
        x[0, 0, 0, 0] = 99.0
        return max_pool_backward(dout, x, pool, stride)

    assert check.max_pool_backward(mutating).ok is False
    assert "changed its argument #2 in place" in capsys.readouterr().out
