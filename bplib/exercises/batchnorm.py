"""Checkers for the exercises of the chapter "Batch normalization".

Three pieces a reader writes, each checked on hidden batches with *random* upstream
gradients (an all-ones upstream gradient makes ``dx`` zero whatever the backward pass
does with the mean's and the variance's paths, so it could not tell a right answer from
most wrong ones: the chapter's pitfall):

- ``batchnorm_backward(dout, x, gamma, eps)``: the training-mode backward pass of a dense
  input ``(batch, features)``, returning ``(dx, dgamma, dbeta)``;
- ``batchnorm2d_backward(dout, x, gamma, eps)``: the same per channel for images
  ``(batch, channels, height, width)``;
- ``update_running(running_mean, running_var, x, momentum)``: PyTorch's update of the
  running statistics after one training batch.

The named mistakes: the batch division ``1/m`` missing (on the whole ``dx`` or on its two
sums), the forgotten path through the mean, through the variance, or both (``dx`` as if
the statistics were constants), ``dgamma`` without ``x_hat`` (``sum(dout)``), ``dgamma``
and ``dbeta`` swapped, a sum over the wrong axis or over the whole batch, the unbiased
variance in ``x_hat``, statistics per ``C*H*W`` feature (DLfS's reshape to ``(N, -1)``) or
from a reshape that mixes channels, a biased running variance, and DLfS's momentum
weighting the old value where PyTorch's weights the batch.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from bplib.exercises._core import (
    ROUNDING,
    CheckFailed,
    Tolerance,
    Verdict,
    arrays_close,
    assert_not_mutated,
    compare,
    run_checks,
)
from bplib.exercises._core import as_array_or_none as _as_array_or_none
from bplib.exercises.messages import msg

__all__ = ["batchnorm_backward", "batchnorm2d_backward", "update_running"]

#: Hidden dense batches (samples, features): a square one first, where a sum over the wrong
#: axis still broadcasts (and so can be named by its values), then a tall and a wide one.
_SHAPES_2D = [(4, 4), (6, 3), (3, 5)]
#: Hidden image batches (N, C, H, W).
_SHAPES_4D = [(3, 2, 2, 3), (2, 3, 3, 3)]

_TOL = Tolerance(rtol=1e-7, atol=1e-10)


def _close(got: object, expected: np.ndarray) -> bool:
    """:func:`~bplib.exercises._core.arrays_close` at this chapter's tolerance ``_TOL``."""
    return arrays_close(got, expected, _TOL)


#: The wrong dx of :func:`_backward`, by the message that names each.
_DX_MISTAKES = {
    "no_1_over_m": "batchnorm.dx.no_1_over_m",
    "sums_not_divided": "batchnorm.dx.sums_not_divided",
    "no_mean_path": "batchnorm.dx.no_mean_path",
    "no_variance_path": "batchnorm.dx.no_variance_path",
    "no_statistics_paths": "batchnorm.dx.no_statistics_paths",
    "no_gamma": "batchnorm.dx.no_gamma",
    "whole_batch": "batchnorm.dx.whole_batch",
}


def _three(got: Any, what: str, where: str) -> tuple[Any, Any, Any]:
    """The reader's ``(dx, dgamma, dbeta)``, or a CheckFailed saying what came back instead."""
    if got is None:
        raise CheckFailed(msg("core.returned_none", name=f"{what}(...)", at=f" {where}"))
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        kind = f"a {type(got).__name__}" + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else "")
        raise CheckFailed(msg("batchnorm.not_three", what=what, where=where, got=kind))
    return got[0], got[1], got[2]


def _backward(dout: np.ndarray, x: np.ndarray, gamma: np.ndarray, eps: float, axes: tuple[int, ...],
              ddof: int = 0) -> dict[str, np.ndarray]:
    """The right gradients, and the usual wrong ones, for statistics over ``axes``."""
    shape = [1] * x.ndim
    shape[1] = -1
    g = gamma.reshape(shape)
    m = x.size // x.shape[1]
    mu = x.mean(axis=axes, keepdims=True)
    var = np.sum((x - mu) ** 2, axis=axes, keepdims=True) / (m - ddof)
    s = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * s
    sum_d = np.sum(dout, axis=axes, keepdims=True)
    sum_dx = np.sum(dout * x_hat, axis=axes, keepdims=True)
    return {
        "dx": g * s / m * (m * dout - sum_d - x_hat * sum_dx),
        "dgamma": sum_dx.ravel(),
        "dbeta": sum_d.ravel(),
        # the wrong ones
        "no_1_over_m": g * s * (m * dout - sum_d - x_hat * sum_dx),
        "sums_not_divided": g * s * (dout - sum_d - x_hat * sum_dx),
        "no_mean_path": g * s / m * (m * dout - x_hat * sum_dx),
        "no_variance_path": g * s / m * (m * dout - sum_d),
        "no_statistics_paths": g * s * dout,
        "no_gamma": s / m * (m * dout - sum_d - x_hat * sum_dx),
        "whole_batch": g * s / m * (m * dout - np.sum(dout) - x_hat * np.sum(dout * x_hat)),
    }


def _check_dgamma_dbeta(dgamma: Any, dbeta: Any, right: dict[str, np.ndarray], where: str,
                        axis1: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    dg, db = _as_array_or_none(dgamma), _as_array_or_none(dbeta)
    if _close(dg, right["dbeta"]) and _close(db, right["dgamma"]):
        raise CheckFailed(msg("batchnorm.swapped", where=where))
    if _close(dg, right["dbeta"]):
        raise CheckFailed(msg("batchnorm.dgamma_without_xhat", where=where))
    if axis1 is not None and (_close(dg, axis1[0]) or _close(db, axis1[1])):
        raise CheckFailed(msg("batchnorm.params_axis1", where=where))
    for value, name in ((dg, "dgamma"), (db, "dbeta")):
        expected = right[name]
        if value is not None and value.shape != expected.shape and value.size == expected.size:
            raise CheckFailed(msg("batchnorm.param_shape", name=name, where=where, got=value.shape,
                                  expected=expected.shape))
    compare(dgamma, right["dgamma"], name="dgamma", where=where, tol=_TOL)
    compare(dbeta, right["dbeta"], name="dbeta", where=where, tol=_TOL)


def _check_dx(dx: Any, right: dict[str, np.ndarray], wrong: dict[str, np.ndarray], where: str, **fields: Any) -> None:
    arr = _as_array_or_none(dx)
    for message_id, value in wrong.items():
        if _close(arr, value) and not _close(arr, right["dx"]):
            raise CheckFailed(msg(message_id, where=where, **fields))
    compare(dx, right["dx"], name="dx", where=where, tol=_TOL)


# ------------------------------------------------------------- batchnorm_backward


def batchnorm_backward(fn: Callable[[np.ndarray, np.ndarray, np.ndarray, float], Any]) -> Verdict:
    """Check a reader's ``batchnorm_backward(dout, x, gamma, eps) -> (dx, dgamma, dbeta)``.

    Training mode, a dense input ``x`` of shape ``(m, features)`` normalized per feature
    with the batch's mean and biased variance; ``dout`` is a random upstream gradient of
    the same shape, ``gamma`` has shape ``(features,)``.  The result is
    ``dx = gamma / (m sqrt(var + eps)) * (m dout - sum(dout) - x_hat sum(dout x_hat))``,
    ``dgamma = sum(dout x_hat)`` and ``dbeta = sum(dout)``, sums over the batch axis.
    Named mistakes: see the module's docstring.
    """
    rng = np.random.default_rng(2909)

    def checks() -> None:
        for n, c in _SHAPES_2D:
            where = msg("case.batchnorm_batch", n=n, c=c)
            x = rng.normal(size=(n, c)) * rng.uniform(0.5, 2.0, size=c) + rng.normal(size=c)
            gamma = rng.uniform(0.5, 2.0, size=c) * rng.choice([-1.0, 1.0], size=c)
            dout = rng.normal(size=(n, c))  # random: ones would hide the statistics' paths
            eps = 1e-5
            right = _backward(dout, x, gamma, eps, (0,))
            got = assert_not_mutated(fn, dout, x, gamma, eps, what="batchnorm_backward")
            dx, dgamma, dbeta = _three(got, "batchnorm_backward", where)
            wrong = {message_id: right[k] for k, message_id in _DX_MISTAKES.items()}
            wrong["batchnorm.dx.unbiased"] = _backward(dout, x, gamma, eps, (0,), ddof=1)["dx"]
            if n == c:  # the sums over the features (axis=1) still broadcast
                s_d = np.sum(dout, axis=1, keepdims=True)
                xm = x - x.mean(axis=0)
                x_hat = xm / np.sqrt(xm.var(axis=0) + eps)
                s_dx = np.sum(dout * x_hat, axis=1, keepdims=True)
                wrong["batchnorm.dx.axis1"] = gamma / (n * np.sqrt(xm.var(axis=0) + eps)) * (
                    n * dout - s_d - x_hat * s_dx)
                wrong["batchnorm.dx.axis1_stats"] = _backward(dout.T, x.T, gamma, eps, (0,))["dx"].T
                axis1 = (s_dx.ravel(), s_d.ravel())
            else:
                axis1 = None
            _check_dx(dx, right, wrong, where, n=n)
            _check_dgamma_dbeta(dgamma, dbeta, right, where, axis1)

    return run_checks(msg("batchnorm.backward.correct"), checks)


# ----------------------------------------------------------- batchnorm2d_backward


def batchnorm2d_backward(fn: Callable[[np.ndarray, np.ndarray, np.ndarray, float], Any]) -> Verdict:
    """Check a reader's ``batchnorm2d_backward(dout, x, gamma, eps) -> (dx, dgamma, dbeta)``.

    Images ``x`` of shape ``(N, C, H, W)`` normalized per channel (statistics over the
    batch, height and width, ``m = N H W`` values each), as PyTorch's ``BatchNorm2d``;
    ``gamma`` has shape ``(C,)``, ``dout`` is random, ``dx`` has the shape of ``x`` and
    ``dgamma``, ``dbeta`` the shape ``(C,)``.  Named mistakes: DLfS's statistics per
    ``C*H*W`` feature (``x.reshape(N, -1)``), a ``reshape(-1, C)`` without moving the
    channel axis last first (it mixes channels), the mistakes of
    :func:`batchnorm_backward`, and parameters' gradients of shape ``(C*H*W,)``.
    """
    rng = np.random.default_rng(2910)

    def checks() -> None:
        for n, c, h, w in _SHAPES_4D:
            where = msg("case.batchnorm_images", shape=(n, c, h, w))
            x = rng.normal(size=(n, c, h, w)) + rng.normal(size=(1, c, 1, 1)) + rng.normal(size=(1, 1, h, w))
            gamma = rng.uniform(0.5, 2.0, size=c) * rng.choice([-1.0, 1.0], size=c)
            dout = rng.normal(size=x.shape)
            eps = 1e-5
            right = _backward(dout, x, gamma, eps, (0, 2, 3))
            got = assert_not_mutated(fn, dout, x, gamma, eps, what="batchnorm2d_backward")
            dx, dgamma, dbeta = _three(got, "batchnorm2d_backward", where)
            # DLfS: every one of the C*H*W values of a sample is a feature of its own
            flat = _backward(dout.reshape(n, -1), x.reshape(n, -1), np.repeat(gamma, h * w), eps, (0,))
            mixed = _backward(dout.reshape(-1, c), x.reshape(-1, c), gamma, eps, (0,))
            dg = _as_array_or_none(dgamma)
            if dg is not None and dg.shape == (c * h * w,):
                raise CheckFailed(msg("batchnorm.per_pixel_params", where=where, got=dg.shape, c=c))
            wrong = {
                "batchnorm.per_pixel": flat["dx"].reshape(x.shape),
                "batchnorm.mixed_channels": mixed["dx"].reshape(x.shape),
            }
            wrong.update({message_id: right[k] for k, message_id in _DX_MISTAKES.items()})
            wrong["batchnorm.dx.unbiased"] = _backward(dout, x, gamma, eps, (0, 2, 3), ddof=1)["dx"]
            _check_dx(dx, right, wrong, where, n=n * h * w)
            _check_dgamma_dbeta(dgamma, dbeta, right, where)

    return run_checks(msg("batchnorm.backward2d.correct"), checks)


# ------------------------------------------------------------------ update_running


def update_running(fn: Callable[[np.ndarray, np.ndarray, np.ndarray, float], Any]) -> Verdict:
    """Check a reader's ``update_running(running_mean, running_var, x, momentum)``.

    One training batch ``x`` of shape ``(m, features)``; the result is the pair
    ``(new_mean, new_var)`` with PyTorch's convention,
    ``new = (1 - momentum) * old + momentum * batch_statistic``, the batch's variance
    *unbiased* (divided by ``m - 1``).  Named mistakes: the biased variance (divided by
    ``m``, what the normalization itself uses), DLfS's momentum weighting the old value,
    the statistics over the wrong axis or the whole batch, the standard deviation where
    the variance belongs, and the running arrays changed in place.
    """
    rng = np.random.default_rng(2911)

    def checks() -> None:
        for n, c in [(4, 4), (5, 3), (8, 2)]:  # square first: axis=1 still fits
            where = msg("case.batchnorm_batch", n=n, c=c)
            x = rng.normal(size=(n, c)) * rng.uniform(0.5, 3.0, size=c) + rng.normal(size=c)
            old_mean, old_var = rng.normal(size=c), rng.uniform(0.5, 2.0, size=c)
            momentum = 0.1
            got = assert_not_mutated(fn, old_mean, old_var, x, momentum, what="update_running")
            if got is None:
                raise CheckFailed(msg("core.returned_none", name="update_running(...)", at=f" {where}"))
            if not isinstance(got, (tuple, list)) or len(got) != 2:
                raise CheckFailed(msg("batchnorm.running.not_two", where=where, got=type(got).__name__))
            new_mean, new_var = (_as_array_or_none(v) for v in got)

            def mix(old: np.ndarray, new: np.ndarray, k: float = momentum) -> np.ndarray:
                return (1 - k) * old + k * new

            mean, var = x.mean(axis=0), x.var(axis=0, ddof=1)
            if _close(new_mean, momentum * old_mean + (1 - momentum) * mean):
                raise CheckFailed(msg("batchnorm.running.dlfs_momentum", where=where))
            if new_mean is not None and n == c and _close(new_mean, mix(old_mean, x.mean(axis=1))):
                raise CheckFailed(msg("batchnorm.running.axis1", where=where))
            if new_mean is not None and _close(new_mean, mix(old_mean, np.full(c, x.mean()))):
                raise CheckFailed(msg("batchnorm.running.whole_batch", where=where))
            compare(got[0], mix(old_mean, mean), name=msg("batchnorm.running.new_mean"), where=where, tol=ROUNDING)
            wrong_var = {
                "batchnorm.running.biased": mix(old_var, x.var(axis=0)),
                "batchnorm.running.dlfs_momentum": momentum * old_var + (1 - momentum) * var,
                "batchnorm.running.std": mix(old_var, x.std(axis=0, ddof=1)),
                "batchnorm.running.biased_std": mix(old_var, x.std(axis=0)),
            }
            for message_id, value in wrong_var.items():
                if _close(new_var, value):
                    raise CheckFailed(msg(message_id, where=where, n=n))
            compare(got[1], mix(old_var, var), name=msg("batchnorm.running.new_var"), where=where, tol=ROUNDING)

    return run_checks(msg("batchnorm.running.correct"), checks)
