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
from bplib.gradcheck import numerical_gradient

__all__ = ["affine_layer", "dense_layer", "relu_layer"]


def _methods(layer: Any, cls_name: str) -> None:
    """Fail unless ``layer`` has callable ``forward`` and ``backward``."""
    for method in ("forward", "backward"):
        if not callable(getattr(layer, method, None)):
            hint = ""
            if method == "forward" and callable(getattr(layer, "forword", None)):
                hint = " (it has 'forword': the article's misspelling)"
            raise CheckFailed(f"{cls_name} has no method {method!r}{hint}")


def _run(fn: Any, arg: np.ndarray, what: str, hint: str = "") -> Any:
    """Call ``fn(arg)``; fail on an exception or if ``arg`` was changed in place."""
    before = arg.copy()
    try:
        result = call(fn, arg, what=what)
    except CheckFailed as failure:   # an exception or a floating-point error, as everywhere
        message = str(failure)
        raise CheckFailed(message + hint if " raised " in message else message) from None
    if not np.array_equal(before, arg):
        name = "dout" if what == "backward" else "x"
        raise CheckFailed(
            f"{what} changed its argument {name} in place (the caller's array); work on a copy"
        )
    return result


def _as_array(value: Any, name: str, where: str) -> np.ndarray:
    """The layer attribute ``name`` (``dW`` or ``db``) as a float array."""
    if value is None:
        raise CheckFailed(f"{name} {where} is None: did backward set it (self.{name} = ...)?")
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
            where = f"for x of shape ({batch}, {n_in}) and W of shape ({n_in}, {n_out})"
            W, b = rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)
            x_old, x = rng.normal(size=(batch, n_in)), rng.normal(size=(batch, n_in))
            dout = rng.normal(size=(batch, n_out))
            layer = call(layer_cls, W.copy(), b.copy(), what="creating your layer")
            _methods(layer, "your layer")

            _run(layer.forward, x_old.copy(), "forward")
            out = _run(layer.forward, x.copy(), "forward")
            compare(out, x @ W + b, name="forward(x)", where=where)
            dx = _run(layer.backward, dout.copy(), "backward",
                      hint=" (does forward store what backward needs, e.g. self.x = x?)")

            def loss_of(xv: np.ndarray, Wv: np.ndarray, bv: np.ndarray) -> float:
                return float(np.sum(dout * (xv @ Wv + bv)))

            num_dx = numerical_gradient(lambda v: loss_of(v, W, b), x.copy())
            num_dW = numerical_gradient(lambda v: loss_of(x, v, b), W.copy())
            num_db = numerical_gradient(lambda v: loss_of(x, W, v), b.copy())

            compare(dx, num_dx, name="dx", where=where, tol=CLOSE)

            dW = _as_array(getattr(layer, "dW", None), "dW", where)
            if dW.shape == (n_out, n_in):
                raise CheckFailed(
                    f"dW {where} has shape {dW.shape}, the transpose of W's: use x.T @ dout"
                )
            if dW.shape == num_dW.shape and CLOSE.close(dW, x_old.T @ dout):
                raise CheckFailed(
                    "dW was computed from the x of an earlier forward call: "
                    "forward must store the current x (self.x = x) every time"
                )
            compare(dW, num_dW, name="dW", where=where, tol=CLOSE)

            db = _as_array(getattr(layer, "db", None), "db", where)
            if batch > 1 and db.shape == (batch, n_out):
                raise CheckFailed(
                    f"db {where} has shape {db.shape}, one row per sample: "
                    "sum dout over the batch axis (axis=0)"
                )
            if batch > 1 and db.shape == (batch,):
                raise CheckFailed(
                    f"db {where} has shape {db.shape}: you summed over the wrong axis (use axis=0)"
                )
            if batch > 1 and db.shape == num_db.shape and CLOSE.close(db, dout.mean(axis=0)):
                raise CheckFailed(
                    "db is the mean of dout over the batch; it must be the sum "
                    "(the loss layer has already divided by the batch size)"
                )
            compare(db, num_db, name="db", where=where, tol=CLOSE)

    return run_checks(
        "forward, dx, dW and db agree with central differences on every hidden shape, "
        "and no argument is changed in place.",
        checks,
    )


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
            ("on a vector with zeros", np.array([-2.0, -0.5, 0.0, 0.5, 2.0, 0.0])),
            ("on a (3, 4) matrix", np.where(rng.random((3, 4)) < 0.25, 0.0, rng.normal(size=(3, 4)))),
            ("on a (2, 3, 2) array", rng.normal(size=(2, 3, 2))),
        ]
        for where, x in cases:
            x_other = rng.normal(size=x.shape)
            dout = rng.normal(size=x.shape) + 3.0  # no zeros in dout
            layer = call(layer_cls, what="creating your layer")
            _methods(layer, "your Relu")
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
                    raise CheckFailed(
                        f"backward {where} passes the gradient through where x == 0 "
                        "(derivative 1 at 0); the formula says relu'(x) = 0 for x <= 0, "
                        "so mask the entries with x <= 0"
                    )
            compare(dx, expected, name="backward(dout)", where=where, tol=EXACT)

    return run_checks(
        "forward is max(x, 0), backward masks x <= 0 (including x == 0) for the latest x, "
        "and neither changes its argument.",
        checks,
    )


def _dense_gradients(x: np.ndarray, W: np.ndarray, delta: np.ndarray) -> tuple:
    """``(dx, dW, db)`` of an affine map whose weighted input has gradient ``delta``."""
    return delta @ W.T, x.T @ delta, delta.sum(axis=0)


_MATMUL_HINT = (
    " (the shapes: dout and delta are (batch, n_out), W is (n_in, n_out), "
    "x is (batch, n_in); which product has the shape you need?)"
)


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
            where = f"for x of shape ({batch}, {n_in}) and W of shape ({n_in}, {n_out})"
            W, b = rng.normal(scale=0.8, size=(n_in, n_out)), rng.normal(size=n_out)
            x, dout = rng.normal(size=(batch, n_in)), rng.normal(size=(batch, n_out))
            z = x @ W + b
            a = sigmoid(z)
            layer = call(layer_cls, W.copy(), b.copy(), what="creating your layer")
            _methods(layer, "your layer")
            out = _run(layer.forward, x.copy(), "forward")
            compare(out, a, name="forward(x)", where=where)
            try:
                got_dx = _run(layer.backward, dout.copy(), "backward")
            except CheckFailed as failure:
                text = str(failure)
                if "ValueError" in text and ("matmul" in text or "aligned" in text):
                    raise CheckFailed(text + _MATMUL_HINT) from None
                raise
            dx = as_number_array(got_dx, name="dx (what backward returns)", where=where)
            dW = _as_array(getattr(layer, "dW", None), "dW", where)
            db = _as_array(getattr(layer, "db", None), "db", where)

            delta = dout * a * (1.0 - a)  # dL/dz: the sigmoid's local derivative at z
            right = _dense_gradients(x, W, delta)
            wrong_local = [
                (dout * z * (1.0 - z),
                 "sigma' was computed as a * (1 - a) on z = x @ W + b, the weighted input; "
                 "the identity sigma'(z) = a * (1 - a) needs the activation a = sigmoid(z), "
                 "the output of forward"),
                (dout * sigmoid(a) * (1.0 - sigmoid(a)),
                 "sigma' was applied to the activation: you computed sigmoid(a) * (1 - sigmoid(a)) "
                 "with a = sigmoid(z); sigma'(z) is a * (1 - a) itself"),
                (dout,
                 "the sigmoid's local derivative is missing: dout reaches W, b and x unchanged; "
                 "multiply it by a * (1 - a) first (the chain rule through the sigmoid)"),
            ]
            for local, message in wrong_local:
                wrong = _dense_gradients(x, W, local)
                if CLOSE.close(dW, wrong[1]) or CLOSE.close(dx, wrong[0]):
                    raise CheckFailed(f"{message} ({where})")
            if dx.shape == (n_in, batch) and dx.shape != x.shape and CLOSE.close(dx, right[0].T):
                raise CheckFailed(
                    f"dx {where} has shape {dx.shape}, the transpose of x's {x.shape}: "
                    "put delta first, dx = delta @ W.T"
                )
            if n_in == n_out and CLOSE.close(dx, delta @ W) and not CLOSE.close(dx, right[0]):
                raise CheckFailed(
                    f"dx {where} uses W where the chain rule needs its transpose: "
                    "dx = delta @ W.T (each input feeds every output through one row of W)"
                )
            if dW.shape == (n_out, n_in) and CLOSE.close(dW, right[1].T) and not CLOSE.close(dW, right[1]):
                raise CheckFailed(
                    f"dW {where} is the transpose of the gradient (shape {dW.shape}); "
                    "dW must have W's shape: dW = x.T @ delta"
                )
            if batch > 1 and db.shape == (batch, n_out):
                raise CheckFailed(
                    f"db {where} has shape {db.shape}, one row per sample: the sum over "
                    "the batch is missing (b is added to every row, so db = delta.sum(axis=0))"
                )
            if batch > 1 and CLOSE.close(db, delta.mean(axis=0)):
                raise CheckFailed(
                    "db is the mean of delta over the batch; it must be the sum "
                    "(b is added to every row, and dout already carries the loss's 1/batch)"
                )
            results.append((where, (dx, dW, db), right))

        names = ("dx", "dW", "db")
        # One constant factor on every case (a stray 2, a flipped sign) is named only
        # when all hidden cases show it, never from a single one.
        if all(g.shape == e.shape for _, got, exp in results for g, e in zip(got, exp)):
            diagnose_factor(
                np.concatenate([g.ravel() for _, got, _ in results for g in got]),
                np.concatenate([e.ravel() for _, _, exp in results for e in exp]),
                "dx, dW and db",
                " on every hidden case",
            )
        for where, got, expected in results:
            for name, g, e in zip(names, got, expected):
                compare(g, e, name=name, where=where, guess_factor=False)

    return run_checks(
        "forward is sigmoid(x @ W + b), and dx, dW and db follow the chain rule "
        "on every hidden shape.",
        checks,
    )
