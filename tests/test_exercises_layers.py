"""The layers chapter's checkers accept the reference answers and reject typical mistakes."""


import numpy as np
import pytest

from bplib import layers
from bplib.exercises import check

from strategies import assert_rejected, verdict as _verdict

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
    assert_rejected(check.affine_layer(wrong), capsys, message)


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
    assert_rejected(check.relu_layer(wrong), capsys, message)


# ------------------------------------------------------------------ dense_layer
def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class GoodDense:
    """a = sigmoid(x @ W + b), backward from dL/da."""

    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        self.z = x @ self.W + self.b
        self.a = _sigmoid(self.z)
        return self.a

    def _finish(self, delta, dx=None, dW=None, db=None):
        self.dW = self.x.T @ delta if dW is None else dW
        self.db = delta.sum(axis=0) if db is None else db
        return delta @ self.W.T if dx is None else dx

    def backward(self, dout):
        return self._finish(dout * self.a * (1 - self.a))


class BplibDense:
    """The same layer composed from bplib's Affine and Sigmoid layers."""

    def __init__(self, W, b):
        self.affine, self.sigmoid = layers.Affine(W, b), layers.Sigmoid()

    def forward(self, x):
        return self.sigmoid.forward(self.affine.forward(x))

    def backward(self, dout):
        dx = self.affine.backward(self.sigmoid.backward(dout))
        self.dW, self.db = self.affine.dW, self.affine.db
        return dx


def _dense(backward):
    return type("WrongDense", (GoodDense,), {"backward": backward})


def _delta(self, dout):
    return dout * self.a * (1 - self.a)


DENSE_MISTAKES = {
    "sigma' as a(1-a) on z": (
        _dense(lambda self, dout: self._finish(dout * self.z * (1 - self.z))),
        r"sigma' was computed as a \* \(1 - a\) on z = x @ W \+ b, the weighted input"),
    "sigma' of the activation": (
        _dense(lambda self, dout: self._finish(dout * _sigmoid(self.a) * (1 - _sigmoid(self.a)))),
        r"sigma' was applied to the activation"),
    "sigmoid factor missing": (
        _dense(lambda self, dout: self._finish(dout)),
        r"the sigmoid's local derivative is missing"),
    "W instead of W.T in dx": (
        _dense(lambda self, dout: self._finish(_delta(self, dout),
                                                dx=_delta(self, dout) @ self.W)),
        r"dx .* uses W where the chain rule needs its transpose"),
    "dx transposed": (
        _dense(lambda self, dout: self._finish(_delta(self, dout),
                                                dx=self.W @ _delta(self, dout).T)),
        r"dx .* the transpose of x's"),
    "dW transposed": (
        _dense(lambda self, dout: self._finish(_delta(self, dout),
                                                dW=_delta(self, dout).T @ self.x)),
        r"dW .* is the transpose of the gradient"),
    "db not summed over the batch": (
        _dense(lambda self, dout: self._finish(_delta(self, dout), db=_delta(self, dout))),
        r"db .* one row per sample: the sum over the batch is missing"),
    "db averaged over the batch": (
        _dense(lambda self, dout: self._finish(_delta(self, dout),
                                                db=_delta(self, dout).mean(axis=0))),
        r"db is the mean of delta over the batch; it must be the sum"),
    "factor 2 everywhere": (
        _dense(lambda self, dout: self._finish(2 * _delta(self, dout))),
        r"dx, dW and db is off by a constant factor of 2 on every hidden case"),
    "sign flipped everywhere": (
        _dense(lambda self, dout: self._finish(-_delta(self, dout))),
        r"dx, dW and db has the wrong sign on every hidden case"),
    "no return": (
        _dense(lambda self, dout: None if self._finish(_delta(self, dout)) is not None else 0),
        r"dx \(what backward returns\) .* is None"),
    "backward mutates dout": (
        _dense(lambda self, dout: (dout.__imul__(0.5), GoodDense.backward(self, dout))[1]),
        r"backward changed its argument dout in place"),
    "not implemented": (
        _dense(lambda self, dout: (_ for _ in ()).throw(NotImplementedError("derive it"))),
        r"backward raised NotImplementedError: derive it$"),
    "a product of mismatched shapes": (
        _dense(lambda self, dout: self._finish(
            _delta(self, dout),
            dx=(_delta(self, dout) @ self.W.T if self.W.shape[0] == self.W.shape[1]
                else self.x @ _delta(self, dout)))),
        r"backward raised ValueError: .*matmul.*which product has the shape you need\?\)$"),
}


@pytest.mark.parametrize("cls", [GoodDense, BplibDense])
def test_dense_layer_accepts_reference(cls, capsys):
    assert check.dense_layer(cls)
    assert _verdict(capsys).startswith("Correct:")


@pytest.mark.parametrize("mistake", list(DENSE_MISTAKES))
def test_dense_layer_names_each_signature_mistake(mistake, capsys):
    wrong, message = DENSE_MISTAKES[mistake]
    assert_rejected(check.dense_layer(wrong), capsys, message)


def test_dense_layer_names_a_factor_only_when_every_case_shows_it(capsys):
    """Off by 2 in one hidden case only: not diagnosed as "a constant factor"."""
    calls = {"n": 0}

    def backward(self, dout):
        calls["n"] += 1
        scale = 2.0 if calls["n"] == 2 else 1.0
        return self._finish(scale * _delta(self, dout))

    assert check.dense_layer(_dense(backward)).ok is False
    out = _verdict(capsys)
    assert "is wrong at index" in out and "factor" not in out, out


def test_dense_layer_starter_does_not_raise(capsys):
    """The notebook's starter (backward not written yet) gets a verdict, not an error."""
    wrong, _ = DENSE_MISTAKES["not implemented"]
    assert check.dense_layer(wrong).ok is False
