"""Checkers for the exercises of the chapter "Convolution and pooling".

Three backward passes a reader writes, each checked on hidden batches of images
``(N, C, H, W)`` with random upstream gradients: a convolution's
``conv_backward(dout, x, W, stride, pad) -> (dx, dW, db)``, im2col's backward
``col2im(dcol, x_shape, fh, fw, stride, pad)`` and max pooling's
``max_pool_backward(dout, x, pool, stride)``.  The named mistakes are the ones the
chapter warns about: the kernel not rotated (a correlation where the full convolution is
needed), the stride's dilation forgotten, the padding not cropped, dW summed over the
wrong axes or db missing the sum over positions, a transposed im2col (the wrong reshape
order), ``=`` where overlapping windows must add, and the gradient spread over a pooling
window instead of routed to the winner.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from bplib import convolution as _conv
from bplib.exercises._core import (
    ROUNDING,
    CheckFailed,
    Verdict,
    assert_not_mutated,
    compare,
    run_checks,
)
from bplib.exercises._core import arrays_close as _close
from bplib.exercises._core import as_array_or_none as _as_array_or_none
from bplib.exercises.messages import msg

__all__ = ["conv_backward", "col2im", "max_pool_backward"]


def _first_named(got: object, expected: np.ndarray, wrong: dict[str, np.ndarray], **fields: object) -> None:
    """Raise the message of the first wrong candidate ``got`` equals (unless it is also right)."""
    if _close(got, expected):
        return
    for message_id, value in wrong.items():
        if _close(got, value):
            raise CheckFailed(msg(message_id, **fields))


# ------------------------------------------------------------------ conv_backward

#: Hidden cases: (x shape, W shape, stride, pad).  Stride 1 first (where only the kernel's
#: rotation can be wrong), channels != filters (a swapped dW has another shape), then strides
#: that do and do not divide, padding, a 1-channel image.
_CONV_CASES = [
    ((2, 3, 5, 5), (4, 3, 3, 3), 1, 0),
    ((2, 2, 6, 6), (3, 2, 3, 3), 1, 1),
    ((2, 2, 7, 7), (3, 2, 3, 3), 2, 0),
    ((2, 3, 6, 7), (2, 3, 3, 2), 2, 1),
    ((1, 1, 4, 4), (1, 1, 2, 2), 3, 1),
]


def _dx_with(dout, x, W, stride, pad, *, kernel=None, step=None):
    """The naive loops' dx with a (possibly wrong) kernel and window step."""
    kernel = W if kernel is None else kernel
    step = stride if step is None else step
    fn, c, fh, fw = W.shape
    n, _, h, w = x.shape
    dxpad = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    for f in range(fn):
        for i in range(dout.shape[2]):
            for j in range(dout.shape[3]):
                dxpad[:, :, i * step:i * step + fh, j * step:j * step + fw] += (
                    dout[:, f, i, j][:, None, None, None] * kernel[f])
    return dxpad


def _dW_with(dout, x, W, stride, pad, *, step=None, samples=None):
    step = stride if step is None else step
    fn, c, fh, fw = W.shape
    xpad = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    samples = range(x.shape[0]) if samples is None else samples
    dW = np.zeros_like(W)
    for n in samples:
        for i in range(dout.shape[2]):
            for j in range(dout.shape[3]):
                window = xpad[n, :, i * step:i * step + fh, j * step:j * step + fw]
                dW += dout[n, :, i, j][:, None, None, None] * window[None]
    return dW


def conv_backward(fn: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]]) -> Verdict:
    """Check a reader's ``conv_backward(dout, x, W, stride, pad) -> (dx, dW, db)``.

    ``x`` is ``(N, C, H, W)``, ``W`` the filters ``(FN, C, FH, FW)``, ``dout`` the
    upstream gradient ``(N, FN, OH, OW)`` of the cross-correlation with zero padding
    ``pad`` and step ``stride``.  Named mistakes, for dx: the kernel not rotated (the
    windows get the flipped kernel), the stride's dilation forgotten (windows one pixel
    apart), the padding not cropped or cropped from one side only; for dW: the kernel's
    gradient rotated, the stride forgotten, the sum over the batch missing or replaced
    by a mean, filters and channels swapped; for db: the sum over the positions or over
    the batch missing, a mean, a sum over the filters too; and an input changed in place.
    """
    rng = np.random.default_rng(2710)

    def checks() -> None:
        for x_shape, w_shape, stride, pad in _CONV_CASES:
            where = msg("convolution.case.conv", x=x_shape, W=w_shape, stride=stride, pad=pad)
            x = rng.normal(size=x_shape)
            W = rng.normal(size=w_shape)
            oh, ow = _conv.check_conv_shapes(x_shape, w_shape[2], w_shape[3], stride, pad)
            dout = rng.normal(size=(x_shape[0], w_shape[0], oh, ow))
            dx, dW, db = _conv.conv2d_naive_backward(dout, x, W, stride, pad)
            got = assert_not_mutated(fn, dout, x, W, stride, pad, what="conv_backward")
            if not (isinstance(got, (tuple, list)) and len(got) == 3):
                raise CheckFailed(msg("convolution.backward.not_three", where=where,
                                      got=type(got).__name__))
            got_dx, got_dW, got_db = got
            n, c, h, w = x_shape

            # dx
            arr = _as_array_or_none(got_dx)
            dxpad = _dx_with(dout, x, W, stride, pad)
            if pad and arr is not None and arr.shape == dxpad.shape:
                if _close(arr, dxpad):
                    raise CheckFailed(msg("convolution.backward.not_cropped", where=where, pad=pad,
                                          got=arr.shape))
            wrong = {"convolution.backward.not_rotated":
                     _dx_with(dout, x, W, stride, pad, kernel=W[:, :, ::-1, ::-1])[:, :, pad:pad + h, pad:pad + w]}
            if stride > 1:
                wrong["convolution.backward.no_dilation"] = _dx_with(dout, x, W, stride, pad, step=1)[
                    :, :, pad:pad + h, pad:pad + w]
            if pad:
                wrong["convolution.backward.cropped_one_side"] = dxpad[:, :, :h, :w]
            _first_named(arr, dx, wrong, where=where, pad=pad, stride=stride, stride_minus_one=stride - 1)
            compare(got_dx, dx, name=msg("convolution.backward.dx"), where=where, tol=ROUNDING)

            # dW
            arr = _as_array_or_none(got_dW)
            if arr is not None and arr.shape == (c, w_shape[0]) + w_shape[2:] and c != w_shape[0]:
                raise CheckFailed(msg("convolution.backward.dW_swapped", where=where, got=arr.shape))
            wrong = {"convolution.backward.dW_rotated": dW[:, :, ::-1, ::-1]}
            if stride > 1:
                wrong["convolution.backward.dW_no_stride"] = _dW_with(dout, x, W, stride, pad, step=1)
            if n > 1:
                wrong["convolution.backward.dW_one_sample"] = _dW_with(dout, x, W, stride, pad, samples=[0])
                wrong["convolution.backward.dW_mean"] = dW / n
            _first_named(arr, dW, wrong, where=where, n=n)
            compare(got_dW, dW, name=msg("convolution.backward.dW"), where=where, tol=ROUNDING)

            # db
            arr = _as_array_or_none(got_db)
            if arr is not None and arr.shape != db.shape:
                shapes = {
                    dout.sum(axis=0).shape: "convolution.backward.db_positions",
                    dout.sum(axis=(2, 3)).shape: "convolution.backward.db_batch",
                    (): "convolution.backward.db_scalar",
                }
                if arr.shape in shapes:
                    raise CheckFailed(msg(shapes[arr.shape], where=where, got=arr.shape))
            wrong = {"convolution.backward.db_first_position": dout[:, :, 0, 0].sum(axis=0)}
            if n > 1:
                wrong["convolution.backward.db_mean"] = db / n
            _first_named(arr, db, wrong, where=where, n=n)
            compare(got_db, db, name=msg("convolution.backward.db"), where=where, tol=ROUNDING)

    return run_checks(msg("convolution.backward.correct"), checks)


# ------------------------------------------------------------------ col2im

#: Hidden cases: (x shape, fh, fw, stride, pad): overlapping windows (stride 1) first, a
#: non-square window (rows and columns of a window tell apart), then strides and padding.
_COL2IM_CASES = [
    ((2, 3, 5, 6), 3, 2, 1, 0),
    ((2, 2, 6, 5), 3, 3, 2, 0),
    ((1, 3, 5, 5), 2, 3, 1, 1),
    ((2, 2, 7, 6), 3, 2, 2, 1),
]


def _col2im_variant(dcol, x_shape, fh, fw, stride, pad, *, layout="ncpq", step=None, add=True, crop=True):
    """col2im reading each row in another ``layout`` (or assigning, or not cropping)."""
    n, c, h, w = x_shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    step = stride if step is None else step
    if layout == "ncpq":  # the right one: rows (n, i, j), columns (c, p, q)
        blocks = dcol.reshape(n, oh, ow, c, fh, fw)
    elif layout == "pqc":  # columns read as (p, q, c), channels last
        blocks = dcol.reshape(n, oh, ow, fh, fw, c).transpose(0, 1, 2, 5, 3, 4)
    elif layout == "qp":  # each window read column by column (its rows and columns swapped)
        blocks = dcol.reshape(n, oh, ow, c, fw, fh).transpose(0, 1, 2, 3, 5, 4)
    elif layout == "no_transpose":  # the flat matrix reshaped straight to (N, C, fh, fw, OH, OW)
        blocks = dcol.reshape(n, c, fh, fw, oh, ow).transpose(0, 4, 5, 1, 2, 3)
    else:  # "transposed": the matrix's rows taken as its columns, (C fh fw, N OH OW) read row-major
        blocks = dcol.reshape(-1).reshape(c, fh, fw, n, oh, ow).transpose(3, 4, 5, 0, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride, w + 2 * pad + stride))
    for i in range(oh):
        for j in range(ow):
            region = (slice(None), slice(None), slice(i * step, i * step + fh), slice(j * step, j * step + fw))
            if add:
                img[region] += blocks[:, i, j]
            else:
                img[region] = blocks[:, i, j]
    img = img[:, :, :h + 2 * pad, :w + 2 * pad]
    return img[:, :, pad:pad + h, pad:pad + w] if crop else img


def _col2im_assigned_by_offset(dcol, x_shape, fh, fw, stride, pad):
    """DLfS's col2im loop over the kernel offsets (y, x) with ``=`` for ``+=``."""
    n, c, h, w = x_shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    col = dcol.reshape(n, oh, ow, c, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1))
    for y in range(fh):
        for x in range(fw):
            img[:, :, y:y + stride * oh:stride, x:x + stride * ow:stride] = col[:, :, y, x]
    return img[:, :, pad:h + pad, pad:w + pad]


def col2im(fn: Callable[..., np.ndarray]) -> Verdict:
    """Check a reader's ``col2im(dcol, x_shape, fh, fw, stride, pad)``, im2col's backward pass.

    ``dcol`` has im2col's layout, one row per window ``(n, i, j)`` and one column per
    ``(c, p, q)``; the result, shaped ``x_shape``, adds every row back where its window
    was, padding cropped.  Named mistakes: ``=`` where overlapping windows must add, the
    wrong reshape order (a transposed im2col, channels last, a window's rows and
    columns swapped, the flat matrix reshaped without its transpose), the stride
    forgotten, the padding not cropped; and an input changed in place.
    """
    rng = np.random.default_rng(2711)

    def checks() -> None:
        for x_shape, fh, fw, stride, pad in _COL2IM_CASES:
            where = msg("convolution.case.col2im", x=x_shape, fh=fh, fw=fw, stride=stride, pad=pad)
            oh, ow = _conv.check_conv_shapes(x_shape, fh, fw, stride, pad)
            dcol = rng.normal(size=(x_shape[0] * oh * ow, x_shape[1] * fh * fw))
            expected = _conv.col2im(dcol, x_shape, fh, fw, stride, pad)
            got = assert_not_mutated(fn, dcol, x_shape, fh, fw, stride, pad, what="col2im")
            arr = _as_array_or_none(got)
            args = (dcol, x_shape, fh, fw, stride, pad)
            if pad and arr is not None and _close(arr, _col2im_variant(*args, crop=False)):
                raise CheckFailed(msg("convolution.col2im.not_cropped", where=where, pad=pad, got=arr.shape))
            wrong = {
                "convolution.col2im.assigned": _col2im_assigned_by_offset(*args),
                "convolution.col2im.assigned_by_window": _col2im_variant(*args, add=False),
                "convolution.col2im.transposed": _col2im_variant(*args, layout="transposed"),
                "convolution.col2im.no_transpose": _col2im_variant(*args, layout="no_transpose"),
                "convolution.col2im.channels_last": _col2im_variant(*args, layout="pqc"),
                "convolution.col2im.window_transposed": _col2im_variant(*args, layout="qp"),
            }
            if stride > 1:
                wrong["convolution.col2im.no_stride"] = _col2im_variant(*args, step=1)
            _first_named(arr, expected, wrong, where=where, stride=stride)
            compare(got, expected, name=msg("convolution.col2im.result"), where=where, tol=ROUNDING)

    return run_checks(msg("convolution.col2im.correct"), checks)


# ------------------------------------------------------------------ max_pool_backward

#: Hidden cases: (x shape, pool, stride, ties): non-overlapping windows, then overlapping
#: ones (stride < pool: a winner of two windows gets both gradients), then ties.
_POOL_CASES = [
    ((2, 3, 4, 6), 2, 2, False),
    ((2, 2, 5, 5), 3, 1, False),
    ((1, 2, 7, 6), 3, 2, False),
    ((2, 2, 4, 4), 2, 2, True),
]


def _pool_variant(dout, x, pool, stride, how):
    n, c, h, w = x.shape
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * stride, i * stride + pool), slice(j * stride, j * stride + pool)
            window = x[:, :, rows, cols]
            g = dout[:, :, i, j][:, :, None, None]
            if how == "spread":
                dx[:, :, rows, cols] += g / pool**2
            elif how == "copied":
                dx[:, :, rows, cols] += g
            elif how == "all_ties":
                dx[:, :, rows, cols] += g * (window == window.max(axis=(2, 3), keepdims=True))
            elif how == "last_tie":  # the last maximum in row-major order
                flat = window.reshape(n, c, -1)[:, :, ::-1]
                k = pool * pool - 1 - flat.argmax(axis=2)
                mask = np.zeros_like(flat)
                np.put_along_axis(mask, k[:, :, None], 1.0, axis=2)
                dx[:, :, rows, cols] += g * mask.reshape(window.shape)
            elif how in ("assigned", "value"):
                flat = window.reshape(n, c, -1)
                k = flat.argmax(axis=2)
                mask = np.zeros_like(flat)
                np.put_along_axis(mask, k[:, :, None], 1.0, axis=2)
                mask = mask.reshape(window.shape).astype(bool)
                source = np.broadcast_to(window.max(axis=(2, 3), keepdims=True) if how == "value" else g, window.shape)
                region = dx[:, :, rows, cols]
                if how == "assigned":
                    region[mask] = source[mask]
                else:
                    region[mask] += source[mask]
    return dx


def max_pool_backward(fn: Callable[..., np.ndarray]) -> Verdict:
    """Check a reader's ``max_pool_backward(dout, x, pool, stride)``: square windows, no padding.

    Each window's upstream gradient goes to its winner, the window's largest entry (the
    first in row-major order on a tie, as ``np.argmax``), and adds up where windows
    overlap.  Named mistakes: the gradient spread evenly over the window (average
    pooling's backward) or copied to every entry, given to every tied maximum, to the
    last of tied maxima, assigned where overlapping windows must add, the maximum's value
    routed instead of the gradient; and an input changed in place.
    """
    rng = np.random.default_rng(2712)

    def checks() -> None:
        for x_shape, pool, stride, ties in _POOL_CASES:
            where = msg("convolution.case.pool_ties" if ties else "convolution.case.pool",
                        x=x_shape, pool=pool, stride=stride)
            if ties:
                x = rng.integers(0, 2, size=x_shape).astype(float)
            else:
                x = rng.permutation(int(np.prod(x_shape))).reshape(x_shape) / 8.0 - 1.0
            oh, ow = _conv.check_conv_shapes(x_shape, pool, pool, stride, 0)
            dout = rng.normal(size=x_shape[:2] + (oh, ow))
            expected = _conv.max_pool_naive_backward(dout, x, pool, pool, stride)
            got = assert_not_mutated(fn, dout, x, pool, stride, what="max_pool_backward")
            wrong = {
                "convolution.pool.spread": _pool_variant(dout, x, pool, stride, "spread"),
                "convolution.pool.copied": _pool_variant(dout, x, pool, stride, "copied"),
                "convolution.pool.value": _pool_variant(dout, x, pool, stride, "value"),
            }
            if stride < pool:
                wrong["convolution.pool.assigned"] = _pool_variant(dout, x, pool, stride, "assigned")
            if ties:
                wrong["convolution.pool.all_ties"] = _pool_variant(dout, x, pool, stride, "all_ties")
                wrong["convolution.pool.last_tie"] = _pool_variant(dout, x, pool, stride, "last_tie")
            _first_named(got, expected, wrong, where=where)
            compare(got, expected, name=msg("convolution.pool.result"), where=where, tol=ROUNDING)

    return run_checks(msg("convolution.pool.correct"), checks)
