"""Checkers for the exercises of the chapter "Layers as building blocks".

Every checker takes a reader's *class* written in the style of article 002 and
*Deep Learning from Scratch*: ``__init__``, ``forward(x)`` and
``backward(dout)``, with the row convention ``x.shape == (batch, features)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bplib.activations import sigmoid
from bplib.exercises._core import (
    CLOSE,
    EXACT,
    CheckFailed,
    Verdict,
    as_number_array,
    call,
    compare,
    diagnose_factor,
    run_checks,
)
from bplib.exercises.messages import msg
from bplib.gradcheck import numerical_gradient

__all__ = ["affine_layer", "dense_layer", "relu_layer"]


def _methods(layer: Any, cls_name: str) -> None:
    """Fail unless ``layer`` has callable ``forward`` and ``backward``."""
    for method in ("forward", "backward"):
        if not callable(getattr(layer, method, None)):
            hint = ""
            if method == "forward" and callable(getattr(layer, "forword", None)):
                hint = msg("layers.forword")
            raise CheckFailed(msg("layers.no_method", cls=cls_name, method=method, hint=hint))


def _run(fn: Any, arg: np.ndarray, what: str, hint: str = "") -> Any:
    """Call ``fn(arg)``; fail on an exception or if ``arg`` was changed in place."""
    before = arg.copy()
    try:
        result = call(fn, arg, what=what)
    except CheckFailed as failure:   # an exception or a floating-point error, as everywhere
        message = str(failure)
        raise CheckFailed(message + hint if failure.raised is not None else message) from None
    if not np.array_equal(before, arg):
        name = "dout" if what == "backward" else "x"
        raise CheckFailed(msg("layers.in_place", what=what, name=name))
    return result


def _as_array(value: Any, name: str, where: str) -> np.ndarray:
    """The layer attribute ``name`` (``dW`` or ``db``) as a float array."""
    if value is None:
        raise CheckFailed(msg("layers.attribute_none", name=name, where=where))
    return as_number_array(value, name=name, where=where)


def affine_layer(layer_cls: type) -> Verdict:
    """Check a reader's ``Affine`` class.

    ``layer_cls(W, b)`` with ``W`` of shape ``(n_in, n_out)`` and ``b`` of shape
    ``(n_out,)``; ``forward(x)`` returns ``x @ W + b`` for ``x`` of shape
    ``(batch, n_in)``; ``backward(dout)`` returns ``dx`` and sets ``self.dW`` and
    ``self.db``.  The checker compares them with central-difference gradients on
    hidden shapes, calls ``forward`` twice before ``backward`` (the layer must use
    the latest ``x``), and makes sure neither method changes its argument.
    """

    def checks() -> None:
        rng = np.random.default_rng(602)
        # (batch, n_in, n_out): never square, so a transposed dW shows in its shape.
        for batch, n_in, n_out in [(4, 5, 3), (6, 2, 7), (1, 3, 2)]:
            where = msg("case.x_and_W", x=(batch, n_in), W=(n_in, n_out))
            W, b = rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)
            x_old, x = rng.normal(size=(batch, n_in)), rng.normal(size=(batch, n_in))
            dout = rng.normal(size=(batch, n_out))
            layer = call(layer_cls, W.copy(), b.copy(), what=msg("layers.creating"))
            _methods(layer, msg("layers.your_layer"))

            _run(layer.forward, x_old.copy(), "forward")
            out = _run(layer.forward, x.copy(), "forward")
            compare(out, x @ W + b, name="forward(x)", where=where)
            dx = _run(layer.backward, dout.copy(), "backward",
                      hint=msg("layers.stale_x_hint"))

            def loss_of(xv: np.ndarray, Wv: np.ndarray, bv: np.ndarray) -> float:
                return float(np.sum(dout * (xv @ Wv + bv)))

            num_dx = numerical_gradient(lambda v: loss_of(v, W, b), x.copy())
            num_dW = numerical_gradient(lambda v: loss_of(x, v, b), W.copy())
            num_db = numerical_gradient(lambda v: loss_of(x, W, v), b.copy())

            compare(dx, num_dx, name="dx", where=where, tol=CLOSE)

            dW = _as_array(getattr(layer, "dW", None), "dW", where)
            if dW.shape == (n_out, n_in):
                raise CheckFailed(msg("layers.affine.dW_transposed", where=where, got=dW.shape))
            if dW.shape == num_dW.shape and CLOSE.close(dW, x_old.T @ dout):
                raise CheckFailed(msg("layers.affine.stale_x"))
            compare(dW, num_dW, name="dW", where=where, tol=CLOSE)

            db = _as_array(getattr(layer, "db", None), "db", where)
            if batch > 1 and db.shape == (batch, n_out):
                raise CheckFailed(msg("layers.affine.db_rows", where=where, got=db.shape))
            if batch > 1 and db.shape == (batch,):
                raise CheckFailed(msg("layers.affine.db_axis", where=where, got=db.shape))
            if batch > 1 and db.shape == num_db.shape and CLOSE.close(db, dout.mean(axis=0)):
                raise CheckFailed(msg("layers.affine.db_mean"))
            compare(db, num_db, name="db", where=where, tol=CLOSE)

    return run_checks(msg("layers.affine.correct"), checks)


def relu_layer(layer_cls: type) -> Verdict:
    """Check a reader's ``Relu`` class (``layer_cls()``, ``forward``, ``backward``).

    ``forward(x)`` must return ``max(x, 0)`` for any shape; ``backward(dout)``
    must return ``dout`` with the entries where ``x <= 0`` set to 0 (so the
    derivative at exactly 0 is 0, as in the formula ``relu'(x) = 0 for x <= 0``),
    without changing ``dout`` or ``x`` in place.
    """

    def checks() -> None:
        rng = np.random.default_rng(603)
        cases = [
            (msg("case.vector_with_zeros"), np.array([-2.0, -0.5, 0.0, 0.5, 2.0, 0.0])),
            (msg("case.matrix", shape=(3, 4)), np.where(rng.random((3, 4)) < 0.25, 0.0, rng.normal(size=(3, 4)))),
            (msg("case.array", shape=(2, 3, 2)), rng.normal(size=(2, 3, 2))),
        ]
        for where, x in cases:
            x_other = rng.normal(size=x.shape)
            dout = rng.normal(size=x.shape) + 3.0  # no zeros in dout
            layer = call(layer_cls, what=msg("layers.creating"))
            _methods(layer, msg("layers.your_relu"))
            _run(layer.forward, x_other.copy(), "forward")
            out = _run(layer.forward, x.copy(), "forward")
            compare(out, np.maximum(x, 0.0), name="forward(x)", where=where)
            dx = _run(layer.backward, dout.copy(), "backward")
            expected = np.where(x > 0, dout, 0.0)
            if dx is not None:
                got = np.asarray(dx, dtype=float)
                zero = x == 0
                if (got.shape == x.shape and np.any(zero)
                        and CLOSE.close(got[~zero], expected[~zero])
                        and CLOSE.close(got[zero], dout[zero])):
                    raise CheckFailed(msg("layers.relu.through_zero", where=where))
            compare(dx, expected, name="backward(dout)", where=where, tol=EXACT)

    return run_checks(msg("layers.relu.correct"), checks)


def _dense_gradients(x: np.ndarray, W: np.ndarray, delta: np.ndarray) -> tuple:
    """``(dx, dW, db)`` of an affine map whose weighted input has gradient ``delta``."""
    return delta @ W.T, x.T @ delta, delta.sum(axis=0)


def dense_layer(layer_cls: type) -> Verdict:
    """Check a reader's ``Dense`` class: an affine map followed by a sigmoid.

    ``layer_cls(W, b)``; ``forward(x)`` returns ``a = sigmoid(x @ W + b)`` for ``x``
    of shape ``(batch, n_in)``; ``backward(dout)``, with ``dout = dL/da`` of shape
    ``(batch, n_out)``, returns ``dx`` (shape of ``x``) and sets ``self.dW`` (shape
    of ``W``) and ``self.db`` (shape of ``b``). The checker compares them with the
    chain rule through the sigmoid and the affine map on hidden shapes, and names
    the course's signature mistakes: sigma' computed on the wrong quantity (``z * (1
    - z)`` on the weighted input, or sigma' of the activation), the sigmoid's factor
    left out, ``W`` instead of ``W.T`` in ``dx``, a transposed ``dx`` or ``dW``,
    ``db`` not summed over the batch (or averaged), and one constant factor on every
    hidden case.
    """

    def checks() -> None:
        rng = np.random.default_rng(605)
        # The first case is square (n_in == n_out), so ``dout @ W`` runs there and
        # can be named; the others are not, so a transposed dW shows in its shape.
        shapes = [(4, 3, 3), (5, 4, 2), (1, 2, 3), (6, 2, 5)]
        results = []
        for batch, n_in, n_out in shapes:
            where = msg("case.x_and_W", x=(batch, n_in), W=(n_in, n_out))
            W, b = rng.normal(scale=0.8, size=(n_in, n_out)), rng.normal(size=n_out)
            x, dout = rng.normal(size=(batch, n_in)), rng.normal(size=(batch, n_out))
            z = x @ W + b
            a = sigmoid(z)
            layer = call(layer_cls, W.copy(), b.copy(), what=msg("layers.creating"))
            _methods(layer, msg("layers.your_layer"))
            out = _run(layer.forward, x.copy(), "forward")
            compare(out, a, name="forward(x)", where=where)
            try:
                got_dx = _run(layer.backward, dout.copy(), "backward")
            except CheckFailed as failure:
                text = str(failure)
                if "ValueError" in text and ("matmul" in text or "aligned" in text):
                    raise CheckFailed(text + msg("layers.dense.matmul_hint")) from None
                raise
            dx = as_number_array(got_dx, name=msg("layers.dense.dx_name"), where=where)
            dW = _as_array(getattr(layer, "dW", None), "dW", where)
            db = _as_array(getattr(layer, "db", None), "db", where)

            delta = dout * a * (1.0 - a)  # dL/dz: the sigmoid's local derivative at z
            right = _dense_gradients(x, W, delta)
            wrong_local = [
                (dout * z * (1.0 - z), "layers.dense.on_z"),
                (dout * sigmoid(a) * (1.0 - sigmoid(a)), "layers.dense.of_activation"),
                (dout, "layers.dense.no_prime"),
            ]
            for local, message_id in wrong_local:
                wrong = _dense_gradients(x, W, local)
                if CLOSE.close(dW, wrong[1]) or CLOSE.close(dx, wrong[0]):
                    raise CheckFailed(msg(message_id, where=where))
            if dx.shape == (n_in, batch) and dx.shape != x.shape and CLOSE.close(dx, right[0].T):
                raise CheckFailed(msg("layers.dense.dx_transposed", where=where, got=dx.shape,
                                      expected=x.shape))
            if n_in == n_out and CLOSE.close(dx, delta @ W) and not CLOSE.close(dx, right[0]):
                raise CheckFailed(msg("layers.dense.dx_no_transpose", where=where))
            if dW.shape == (n_out, n_in) and CLOSE.close(dW, right[1].T) and not CLOSE.close(dW, right[1]):
                raise CheckFailed(msg("layers.dense.dW_transposed", where=where, got=dW.shape))
            if batch > 1 and db.shape == (batch, n_out):
                raise CheckFailed(msg("layers.dense.db_rows", where=where, got=db.shape))
            if batch > 1 and CLOSE.close(db, delta.mean(axis=0)):
                raise CheckFailed(msg("layers.dense.db_mean"))
            results.append((where, (dx, dW, db), right))

        names = ("dx", "dW", "db")
        # One constant factor on every case (a stray 2, a flipped sign) is named only
        # when all hidden cases show it, never from a single one.
        if all(g.shape == e.shape for _, got, exp in results for g, e in zip(got, exp)):
            diagnose_factor(
                np.concatenate([g.ravel() for _, got, _ in results for g in got]),
                np.concatenate([e.ravel() for _, _, exp in results for e in exp]),
                msg("layers.dense.all_grads"),
                msg("core.every_case"),
            )
        for where, got, expected in results:
            for name, g, e in zip(names, got, expected):
                compare(g, e, name=name, where=where, guess_factor=False)

    return run_checks(msg("layers.dense.correct"), checks)
