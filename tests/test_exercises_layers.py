"""The layers chapter's checkers accept the reference answers and reject typical mistakes."""

import re

import numpy as np
import pytest

from bplib import layers
from bplib.exercises import check

from strategies import verdict as _verdict

# Article 002's Relu, verbatim, and with only its method name repaired (one copy, shared).
from article_002 import ArticleRelu, ArticleReluSpelled


# ------------------------------------------------------------------ affine_layer
class GoodAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.x = self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


def _affine_variant(**overrides):
    """A GoodAffine subclass with some methods replaced."""
    return type("WrongAffine", (GoodAffine,), overrides)


def _bw_transposed_dW(self, dout):
    dx = GoodAffine.backward(self, dout)
    self.dW = dout.T @ self.x
    return dx


def _bw_no_batch_sum(self, dout):
    dx = GoodAffine.backward(self, dout)
    self.db = dout
    return dx


def _bw_mean_db(self, dout):
    dx = GoodAffine.backward(self, dout)
    self.db = dout.mean(axis=0)
    return dx


def _bw_wrong_axis(self, dout):
    dx = GoodAffine.backward(self, dout)
    self.db = dout.sum(axis=1)
    return dx


def _bw_mutates(self, dout):
    dout *= 1.0
    dout[0] = 0.0
    return GoodAffine.backward(self, dout)


def _bw_no_return(self, dout):
    GoodAffine.backward(self, dout)


def _bw_wrong_dx(self, dout):
    GoodAffine.backward(self, dout)
    return 2.0 * (dout @ self.W.T)


def _bw_db_slightly_off(self, dout):
    dx = GoodAffine.backward(self, dout)
    self.db = self.db * 1.01
    return dx


def _fw_one_percent_off(self, x):
    return 1.01 * GoodAffine.forward(self, x)


def _fw_no_store(self, x):
    return x @ self.W + self.b


class _StaleX(GoodAffine):
    """Keeps the first x it ever saw."""

    def forward(self, x):
        if self.x is None:
            self.x = x
        return x @ self.W + self.b


@pytest.mark.parametrize("cls", [GoodAffine, layers.Affine])
def test_affine_layer_accepts_reference(cls, capsys):
    assert check.affine_layer(cls)
    assert _verdict(capsys).startswith("Correct:")


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_affine_variant(backward=_bw_transposed_dW), r"dW .* the transpose of W's: use x\.T @ dout"),
        (_affine_variant(backward=_bw_no_batch_sum), r"db .* one row per sample: sum dout over the batch axis"),
        (_affine_variant(backward=_bw_mean_db), r"db is the mean of dout over the batch; it must be the sum"),
        (_affine_variant(backward=_bw_wrong_axis), r"summed over the wrong axis"),
        (_affine_variant(backward=_bw_mutates), r"backward changed its argument dout in place"),
        (_affine_variant(backward=_bw_no_return), r"dx .* is None: did you forget to `return"),
        (_affine_variant(backward=_bw_wrong_dx), r"dx .* off by a constant factor of 2"),
        (_affine_variant(forward=_fw_no_store), r"backward raised AttributeError.*self\.x = x"),
        (_StaleX, r"dW was computed from the x of an earlier forward call"),
        (_affine_variant(backward=_bw_db_slightly_off), r"db .* (is wrong|off by a constant factor of 1\.01)"),
        (_affine_variant(forward=_fw_one_percent_off), r"forward\(x\) .* (is wrong|off by a constant factor of 1\.01)"),
        (_affine_variant(forward=None), r"has no method 'forward'"),
    ],
)
def test_affine_layer_rejects_typical_mistakes(wrong, message, capsys):
    assert check.affine_layer(wrong) is False
    out = _verdict(capsys)
    assert out.startswith("Not yet:")
    assert re.search(message, out), out


# ------------------------------------------------------------------ relu_layer
class CopyingReluStrictMask(ArticleReluSpelled):
    """Works on a copy, but still masks x < 0 only."""

    def backward(self, dout):
        return np.where(self.mask, 0.0, dout)


class GoodRelu:
    def forward(self, x):
        self.mask = x <= 0
        return np.where(self.mask, 0.0, x)

    def backward(self, dout):
        return np.where(self.mask, 0.0, dout)


class ReluMutatesX(GoodRelu):
    def forward(self, x):
        self.mask = x <= 0
        x[self.mask] = 0.0
        return x


@pytest.mark.parametrize("cls", [GoodRelu, layers.Relu])
def test_relu_layer_accepts_reference(cls, capsys):
    assert check.relu_layer(cls)
    assert _verdict(capsys).startswith("Correct:")


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (ArticleRelu, r"has no method 'forward' \(it has 'forword'"),
        (ArticleReluSpelled, r"backward changed its argument dout in place"),
        (CopyingReluStrictMask, r"passes the gradient through where x == 0"),
        (ReluMutatesX, r"forward changed its argument x in place"),
        (type("NoReturn", (GoodRelu,), {"backward": lambda self, dout: None}), r"is None"),
        (type("OnePercentOff", (GoodRelu,), {"forward": lambda self, x: 1.01 * GoodRelu.forward(self, x)}),
         r"forward\(x\) .* (is wrong|off by a constant factor of 1\.01)"),
    ],
)
def test_relu_layer_rejects_typical_mistakes(wrong, message, capsys):
    assert check.relu_layer(wrong) is False
    out = _verdict(capsys)
    assert out.startswith("Not yet:")
    assert re.search(message, out), out
