"""Convolution and pooling, the functional pieces (the chapter "Convolution and pooling").

Images follow DLfS and PyTorch: a batch is ``x`` of shape ``(N, C, H, W)``
(samples, channels, height, width); the filters of a convolution are ``W`` of
shape ``(FN, C, FH, FW)`` (one ``C x FH x FW`` kernel per output channel) and
``b`` of shape ``(FN,)``; the output is ``(N, FN, OH, OW)`` with

    OH = (H + 2 pad - FH) // stride + 1,   OW = (W + 2 pad - FW) // stride + 1.

What every deep-learning library calls a convolution is a *cross-correlation*:
the kernel slides over the (zero-padded) input unflipped,

    out[n, f, i, j] = b[f] + sum_{c, p, q} W[f, c, p, q] * xpad[n, c, i*stride + p, j*stride + q].

When ``stride`` does not divide ``H + 2 pad - FH`` the last rows (or columns)
that do not fill a window are left out, as in PyTorch's ``conv2d`` and
DLfS's ``im2col`` (both floor the division): they get no gradient.

Two implementations of the same forward pass live here, side by side:

* :func:`conv2d_naive` and :func:`conv2d_naive_backward`, the loops of the
  definition, one output pixel at a time;
* :func:`im2col` / :func:`col2im` as DLfS's ``common/util.py`` defines them
  (the windows of the input become the rows of a matrix, so the convolution
  is one matrix product), which :class:`bplib.layers.Convolution` and
  :class:`bplib.layers.MaxPooling` use.

The chapter's formulas for the backward pass are functions too, written
with Python loops so that they run on NumPy arrays of SymPy symbols as well
as on floats: :func:`correlate2d` (``"valid"`` or ``"full"``),
:func:`rotate180` and :func:`dilate` (the zeros a stride leaves between the
entries of the upstream gradient).
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array

__all__ = [
    "output_size",
    "check_conv_shapes",
    "im2col",
    "col2im",
    "conv2d",
    "conv2d_naive",
    "conv2d_naive_backward",
    "max_pool_naive",
    "max_pool_naive_backward",
    "correlate2d",
    "rotate180",
    "dilate",
]


def _check_int(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, but got {value!r}")
    if value < minimum:
        what = "positive" if minimum == 1 else f"at least {minimum}"
        raise ValueError(f"{name} must be {what}, but got {int(value)}")
    return int(value)


def output_size(input_size: int, filter_size: int, stride: int = 1, pad: int = 0) -> int:
    """The number of window positions along one axis: ``(input + 2 pad - filter) // stride + 1``.

    Parameters
    ----------
    input_size, filter_size : int
        Height (or width) of the input and of the kernel (or pooling window).
    stride : int, default 1
        Step between two windows, at least 1.
    pad : int, default 0
        Zeros added on each side, at least 0.

    Returns
    -------
    int
        The division is floored (as in PyTorch): when ``stride`` does not divide
        ``input + 2 pad - filter``, the last rows that do not fill a window are
        left out.

    Raises
    ------
    ValueError
        If the kernel is larger than the padded input.
    """
    input_size = _check_int(input_size, "input_size", 1)
    filter_size = _check_int(filter_size, "filter_size", 1)
    stride = _check_int(stride, "stride", 1)
    pad = _check_int(pad, "pad", 0)
    if filter_size > input_size + 2 * pad:
        raise ValueError(
            f"the kernel ({filter_size}) is larger than the padded input "
            f"({input_size} + 2*{pad} = {input_size + 2 * pad}): no window fits"
        )
    return (input_size + 2 * pad - filter_size) // stride + 1


def check_conv_shapes(
    x_shape: tuple[int, ...], kh: int, kw: int, stride: int, pad: int, channels: int | None = None
) -> tuple[int, int]:
    """Check an image batch's shape against a kernel; return ``(OH, OW)``.

    Parameters
    ----------
    x_shape : tuple of int
        Must be ``(N, C, H, W)``.
    kh, kw : int
        Kernel (or pooling window) height and width.
    stride, pad : int
    channels : int, optional
        The number of channels the kernel expects (``W.shape[1]``).

    Raises
    ------
    ValueError
        For an input that is not 4-D, a channel mismatch, or a kernel larger
        than the padded input; the message names the shapes.
    TypeError
        For a stride or padding that is not an integer.
    """
    if len(x_shape) != 4:
        raise ValueError(
            f"x must be a 4-D batch of images (N, C, H, W), but x.shape={tuple(x_shape)}"
        )
    kh, kw = _check_int(kh, "kh", 1), _check_int(kw, "kw", 1)
    stride = _check_int(stride, "stride", 1)
    pad = _check_int(pad, "pad", 0)
    n, c, h, w = x_shape
    if channels is not None and c != channels:
        raise ValueError(
            f"x has {c} channels (x.shape={tuple(x_shape)}) but the kernel expects {channels}"
        )
    if kh > h + 2 * pad or kw > w + 2 * pad:
        raise ValueError(
            f"the kernel ({kh} x {kw}) is larger than the padded input "
            f"({h + 2 * pad} x {w + 2 * pad}: x.shape={tuple(x_shape)}, pad={pad})"
        )
    return (h + 2 * pad - kh) // stride + 1, (w + 2 * pad - kw) // stride + 1


def im2col(x: ArrayLike, kh: int, kw: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """The windows of a batch of images as the rows of one matrix (DLfS's ``im2col``).

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
    kh, kw : int
        Window height and width.
    stride : int, default 1
    pad : int, default 0
        Zeros added on each side of the height and width.

    Returns
    -------
    numpy.ndarray, shape (N * OH * OW, C * kh * kw)
        Row ``(n * OH + i) * OW + j`` is the window of sample ``n`` whose
        top-left corner is at ``(i * stride, j * stride)`` in the padded image,
        flattened in the order (channel, row, column), the order of
        ``W[f].ravel()`` for filters ``W`` of shape (FN, C, kh, kw).  A
        convolution is then ``im2col(x) @ W.reshape(FN, -1).T``.
    """
    x = as_float_array(x, "x")
    oh, ow = check_conv_shapes(x.shape, kh, kw, stride, pad)
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    return _windows(img, kh, kw, stride, oh, ow)


def _windows(img: np.ndarray, kh: int, kw: int, stride: int, oh: int, ow: int) -> np.ndarray:
    """im2col of an already padded batch, unchecked (max pooling pads with -inf)."""
    n, c = img.shape[:2]
    col = np.zeros((n, c, kh, kw, oh, ow))
    for y in range(kh):
        y_max = y + stride * oh
        for xx in range(kw):
            x_max = xx + stride * ow
            col[:, :, y, xx, :, :] = img[:, :, y:y_max:stride, xx:x_max:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1)


def col2im(
    col: ArrayLike, input_shape: tuple[int, int, int, int], kh: int, kw: int, stride: int = 1, pad: int = 0
) -> np.ndarray:
    """The adjoint of :func:`im2col` (DLfS's ``col2im``): each row added back where its window was.

    Where windows overlap, their entries are *added* (``+=``); the padding is
    cropped at the end.  This is the backward pass of ``im2col``: for every
    ``x`` and ``c``, ``sum(im2col(x) * c) == sum(x * col2im(c))``.

    Parameters
    ----------
    col : array_like, shape (N * OH * OW, C * kh * kw)
    input_shape : (N, C, H, W)
        The shape of the images ``col`` was taken from.
    kh, kw, stride, pad : int
        As given to :func:`im2col`.

    Returns
    -------
    numpy.ndarray, shape (N, C, H, W)
    """
    input_shape = tuple(int(s) for s in input_shape)
    oh, ow = check_conv_shapes(input_shape, kh, kw, stride, pad)
    n, c, h, w = input_shape
    col = as_float_array(col, "col", ndims=2)
    if col.shape != (n * oh * ow, c * kh * kw):
        raise ValueError(
            f"col must have shape (N*OH*OW, C*kh*kw) = {(n * oh * ow, c * kh * kw)} for "
            f"input_shape={input_shape}, but col.shape={col.shape}"
        )
    col = col.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1))
    for y in range(kh):
        y_max = y + stride * oh
        for xx in range(kw):
            x_max = xx + stride * ow
            img[:, :, y:y_max:stride, xx:x_max:stride] += col[:, :, y, xx, :, :]
    return img[:, :, pad:h + pad, pad:w + pad]


def _check_filters(W: ArrayLike, b: ArrayLike | None) -> tuple[np.ndarray, np.ndarray | None]:
    W = as_float_array(W, "W", ndims=4)
    if b is None:
        return W, None
    b = as_float_array(b, "b", ndims=1)
    if b.shape[0] != W.shape[0]:
        raise ValueError(
            f"b must have one entry per filter: W.shape={W.shape} has {W.shape[0]} filters "
            f"but b.shape={b.shape}"
        )
    return W, b


def conv2d(x: ArrayLike, W: ArrayLike, b: ArrayLike, stride: int = 1, pad: int = 0) -> np.ndarray:
    """The convolution (cross-correlation) as one matrix product through :func:`im2col`.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
    W : array_like, shape (FN, C, FH, FW)
    b : array_like, shape (FN,)
    stride, pad : int

    Returns
    -------
    numpy.ndarray, shape (N, FN, OH, OW)
    """
    x = as_float_array(x, "x")
    W, b = _check_filters(W, b)
    fn, c, fh, fw = W.shape
    oh, ow = check_conv_shapes(x.shape, fh, fw, stride, pad, channels=c)
    out = im2col(x, fh, fw, stride, pad) @ W.reshape(fn, -1).T + b
    return out.reshape(x.shape[0], oh, ow, fn).transpose(0, 3, 1, 2)


def conv2d_naive(x: ArrayLike, W: ArrayLike, b: ArrayLike, stride: int = 1, pad: int = 0) -> np.ndarray:
    """The convolution (cross-correlation) by its definition: one output pixel at a time.

    ``out[n, f, i, j] = b[f] + sum(W[f] * xpad[n, :, i*s:i*s+FH, j*s:j*s+FW])``.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
    W : array_like, shape (FN, C, FH, FW)
    b : array_like, shape (FN,)
    stride, pad : int

    Returns
    -------
    numpy.ndarray, shape (N, FN, OH, OW)
    """
    x = as_float_array(x, "x")
    W, b = _check_filters(W, b)
    fn, c, fh, fw = W.shape
    oh, ow = check_conv_shapes(x.shape, fh, fw, stride, pad, channels=c)
    xpad = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    out = np.empty((x.shape[0], fn, oh, ow))
    for n in range(x.shape[0]):
        for f in range(fn):
            for i in range(oh):
                for j in range(ow):
                    window = xpad[n, :, i * stride:i * stride + fh, j * stride:j * stride + fw]
                    out[n, f, i, j] = np.sum(window * W[f]) + b[f]
    return out


def conv2d_naive_backward(
    dout: ArrayLike, x: ArrayLike, W: ArrayLike, stride: int = 1, pad: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The backward pass of :func:`conv2d_naive`, by the same loops.

    Each output pixel ``out[n, f, i, j]`` was a dot product of ``W[f]`` with one
    window of the padded input, so its upstream gradient ``g = dout[n, f, i, j]``
    adds ``g * window`` to ``dW[f]``, ``g * W[f]`` to that window of ``dxpad``
    and ``g`` to ``db[f]``; the padding's rows and columns of ``dxpad`` are
    cropped at the end.

    Parameters
    ----------
    dout : array_like, shape (N, FN, OH, OW)
    x : array_like, shape (N, C, H, W)
    W : array_like, shape (FN, C, FH, FW)
    stride, pad : int

    Returns
    -------
    dx : numpy.ndarray, shape (N, C, H, W)
    dW : numpy.ndarray, shape (FN, C, FH, FW)
    db : numpy.ndarray, shape (FN,)
    """
    x = as_float_array(x, "x")
    W, _ = _check_filters(W, None)
    fn, c, fh, fw = W.shape
    oh, ow = check_conv_shapes(x.shape, fh, fw, stride, pad, channels=c)
    dout = as_float_array(dout, "dout")
    if dout.shape != (x.shape[0], fn, oh, ow):
        raise ValueError(
            f"dout must have the output's shape {(x.shape[0], fn, oh, ow)}, but dout.shape={dout.shape}"
        )
    xpad = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    dxpad = np.zeros_like(xpad)
    dW = np.zeros_like(W)
    for n in range(x.shape[0]):
        for f in range(fn):
            for i in range(oh):
                for j in range(ow):
                    rows = slice(i * stride, i * stride + fh)
                    cols = slice(j * stride, j * stride + fw)
                    dW[f] += dout[n, f, i, j] * xpad[n, :, rows, cols]
                    dxpad[n, :, rows, cols] += dout[n, f, i, j] * W[f]
    db = dout.sum(axis=(0, 2, 3))
    h, w = x.shape[2:]
    return dxpad[:, :, pad:pad + h, pad:pad + w], dW, db


def max_pool_naive(x: ArrayLike, ph: int, pw: int, stride: int | None = None) -> np.ndarray:
    """Max pooling by its definition (no padding): the maximum of each window, channel by channel.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
    ph, pw : int
        Window height and width.
    stride : int, optional
        Defaults to the window's height (non-overlapping windows for a square one).

    Returns
    -------
    numpy.ndarray, shape (N, C, OH, OW)
    """
    x = as_float_array(x, "x")
    stride = ph if stride is None else stride
    oh, ow = check_conv_shapes(x.shape, ph, pw, stride, 0)
    out = np.empty(x.shape[:2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out


def max_pool_naive_backward(dout: ArrayLike, x: ArrayLike, ph: int, pw: int, stride: int | None = None) -> np.ndarray:
    """The backward pass of :func:`max_pool_naive`: each window's gradient goes to its winner.

    The max is a max gate: its output equals one input (the window's largest,
    the first in row-major order on a tie, as PyTorch and ``np.argmax`` pick),
    so the upstream gradient of a window is added to that entry alone; every
    other entry of the window gets nothing from it.

    Parameters
    ----------
    dout : array_like, shape (N, C, OH, OW)
    x : array_like, shape (N, C, H, W)
    ph, pw : int
    stride : int, optional

    Returns
    -------
    numpy.ndarray, shape (N, C, H, W)
    """
    x = as_float_array(x, "x")
    stride = ph if stride is None else stride
    oh, ow = check_conv_shapes(x.shape, ph, pw, stride, 0)
    dout = as_float_array(dout, "dout")
    if dout.shape != x.shape[:2] + (oh, ow):
        raise ValueError(
            f"dout must have the output's shape {x.shape[:2] + (oh, ow)}, but dout.shape={dout.shape}"
        )
    dx = np.zeros_like(x)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(oh):
                for j in range(ow):
                    window = x[n, c, i * stride:i * stride + ph, j * stride:j * stride + pw]
                    p, q = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + p, j * stride + q] += dout[n, c, i, j]
    return dx


# ---------------------------------------------------------------- the formulas, for any dtype


def correlate2d(a: np.ndarray, k: np.ndarray, mode: str = "valid") -> np.ndarray:
    """The 2-D cross-correlation of ``a`` with ``k``, by loops (floats or SymPy objects).

    ``valid``: ``out[i, j] = sum_{p, q} a[i + p, j + q] * k[p, q]``, shape
    ``(A - K + 1)`` per axis.  ``full``: the same after padding ``a`` with
    ``K - 1`` zeros on every side, so every overlap counts, shape ``(A + K - 1)``.

    Parameters
    ----------
    a, k : numpy.ndarray, 2-D
        Any dtype whose entries add and multiply (float, or ``object`` holding
        SymPy expressions).
    mode : {"valid", "full"}

    Returns
    -------
    numpy.ndarray, 2-D, of ``a``'s kind (``object`` if either input is).
    """
    a, k = np.asarray(a), np.asarray(k)
    if a.ndim != 2 or k.ndim != 2:
        raise ValueError(f"a and k must be 2-D, but a.shape={a.shape} and k.shape={k.shape}")
    if mode not in ("valid", "full"):
        raise ValueError(f"mode must be 'valid' or 'full', but got {mode!r}")
    if mode == "full":
        kh, kw = k.shape
        padded = np.zeros((a.shape[0] + 2 * (kh - 1), a.shape[1] + 2 * (kw - 1)), dtype=np.result_type(a, k))
        if padded.dtype == object:
            padded[...] = 0
        padded[kh - 1:kh - 1 + a.shape[0], kw - 1:kw - 1 + a.shape[1]] = a
        a = padded
    oh, ow = a.shape[0] - k.shape[0] + 1, a.shape[1] - k.shape[1] + 1
    if oh < 1 or ow < 1:
        raise ValueError(f"k (shape {k.shape}) is larger than a (shape {a.shape})")
    dtype = object if object in (a.dtype, k.dtype) else np.result_type(a, k)
    out = np.empty((oh, ow), dtype=dtype)
    for i in range(oh):
        for j in range(ow):
            total = 0
            for p in range(k.shape[0]):
                for q in range(k.shape[1]):
                    total = total + a[i + p, j + q] * k[p, q]
            out[i, j] = total
    return out


def rotate180(k: np.ndarray) -> np.ndarray:
    """The kernel turned half a turn: ``k[::-1, ::-1]`` (a true convolution's flip)."""
    k = np.asarray(k)
    if k.ndim != 2:
        raise ValueError(f"k must be 2-D, but k.shape={k.shape}")
    return k[::-1, ::-1].copy()


def dilate(g: np.ndarray, stride: int) -> np.ndarray:
    """``g`` with ``stride - 1`` zeros inserted between neighbouring entries (stride 1: ``g`` itself).

    The upstream gradient of a strided convolution, spread back onto the grid
    of every window position: entry ``(i, j)`` goes to ``(i * stride, j * stride)``.

    Parameters
    ----------
    g : numpy.ndarray, 2-D, shape (OH, OW)
    stride : int

    Returns
    -------
    numpy.ndarray, shape ((OH - 1) * stride + 1, (OW - 1) * stride + 1)
    """
    g = np.asarray(g)
    stride = _check_int(stride, "stride", 1)
    if g.ndim != 2:
        raise ValueError(f"g must be 2-D, but g.shape={g.shape}")
    out = np.zeros(((g.shape[0] - 1) * stride + 1, (g.shape[1] - 1) * stride + 1), dtype=g.dtype)
    if out.dtype == object:
        out[...] = 0
    out[::stride, ::stride] = g
    return out
