"""The checkers of the batch-normalization chapter accept right answers and name typical mistakes."""

import numpy as np
import pytest

from bplib.exercises import check


def _parts(dout, x, gamma, eps, ddof=0, axis=0):
    m = x.shape[axis]
    mu = x.mean(axis=axis, keepdims=True)
    var = np.sum((x - mu) ** 2, axis=axis, keepdims=True) / (m - ddof)
    s = 1 / np.sqrt(var + eps)
    x_hat = (x - mu) * s
    return m, s, x_hat, dout.sum(axis=0), (dout * x_hat).sum(axis=0)


def batchnorm_backward(dout, x, gamma, eps):
    m, s, x_hat, dbeta, dgamma = _parts(dout, x, gamma, eps)
    return gamma * s / m * (m * dout - dbeta - x_hat * dgamma), dgamma, dbeta


def _staged(dout, x, gamma, eps):
    # DLfS's staged backward (through xc, std, var, mu): right, and accepted
    m = x.shape[0]
    xc = x - x.mean(axis=0)
    std = np.sqrt(np.mean(xc**2, axis=0) + eps)
    xn = xc / std
    dxn = gamma * dout
    dxc = dxn / std
    dstd = -np.sum(dxn * xc / (std * std), axis=0)
    dvar = 0.5 * dstd / std
    dxc = dxc + (2.0 / m) * xc * dvar
    dx = dxc - dxc.sum(axis=0) / m
    return dx, np.sum(xn * dout, axis=0), dout.sum(axis=0)


def _mutating(dout, x, gamma, eps):
    dout *= gamma
    return batchnorm_backward(dout / gamma, x, gamma, eps)


def _wrong(kind):
    def fn(dout, x, gamma, eps):
        m, s, x_hat, dbeta, dgamma = _parts(dout, x, gamma, eps, ddof=1 if kind == "unbiased" else 0)
        g = gamma * s
        dx = {
            "no_1_over_m": g * (m * dout - dbeta - x_hat * dgamma),
            "sums_not_divided": g * (dout - dbeta - x_hat * dgamma),
            "no_mean_path": g / m * (m * dout - x_hat * dgamma),
            "no_variance_path": g / m * (m * dout - dbeta),
            "elementwise": g * dout,
            "no_gamma": s / m * (m * dout - dbeta - x_hat * dgamma),
            "whole_batch": g / m * (m * dout - dout.sum() - x_hat * (dout * x_hat).sum()),
            "axis1": g / m * (m * dout - dout.sum(axis=1, keepdims=True)
                              - x_hat * (dout * x_hat).sum(axis=1, keepdims=True)),
            "unbiased": g / m * (m * dout - dbeta - x_hat * dgamma),
        }.get(kind, g / m * (m * dout - dbeta - x_hat * dgamma))
        if kind == "dgamma_sum":
            return dx, dbeta, dbeta
        if kind == "swapped":
            return dx, dbeta, dgamma
        if kind == "params_axis1":
            return dx, (dout * x_hat).sum(axis=1), dout.sum(axis=1)
        if kind == "keepdims":
            return dx, dgamma[None, :], dbeta[None, :]
        if kind == "list2":
            return [dx, dgamma]
        return dx, dgamma, dbeta
    return fn


@pytest.mark.parametrize("right", [batchnorm_backward, _staged])
def test_batchnorm_backward_accepts_solutions(right, capsys):
    assert check.batchnorm_backward(right).ok is True
    assert capsys.readouterr().out.startswith("Correct: ")


@pytest.mark.parametrize("kind, message", [
    ("no_1_over_m", "the batch division is missing"),
    ("sums_not_divided", "without dividing them by m"),
    ("no_mean_path", "forgets the path through the mean"),
    ("no_variance_path", "forgets the path through the variance"),
    ("elementwise", "as if the mean and the variance were constants"),
    ("no_gamma", "missing the factor gamma"),
    ("whole_batch", "over the whole array"),
    ("axis1", "sums over the features (axis=1)"),
    ("unbiased", "uses the unbiased variance"),
    ("dgamma_sum", "dgamma on a batch of 4 samples and 4 features is Σdout, without x̂"),
    ("swapped", "dgamma and dbeta on a batch of 4 samples and 4 features are swapped"),
    ("params_axis1", "summed over the features (axis=1)"),
    ("keepdims", "drop the kept dimensions"),
    ("list2", "return the three gradients as a tuple"),
])
def test_batchnorm_backward_names_the_mistake(kind, message, capsys):
    assert check.batchnorm_backward(_wrong(kind)).ok is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and message in out and out.count("\n") == 1, out


def test_batchnorm_backward_rejects_none_and_in_place_changes(capsys):
    assert not check.batchnorm_backward(lambda *a: None).ok
    assert "did you forget to `return` it?" in capsys.readouterr().out
    assert not check.batchnorm_backward(_mutating).ok
    assert "changed its argument #1 in place" in capsys.readouterr().out


def test_the_checker_uses_random_upstream_gradients(capsys):
    # a backward that is right for dout = ones only (dx = 0) must not pass
    assert not check.batchnorm_backward(
        lambda dout, x, gamma, eps: (np.zeros_like(x), *batchnorm_backward(dout, x, gamma, eps)[1:])).ok
    assert capsys.readouterr().out.startswith("Not yet: dx")


# ----------------------------------------------------------- batchnorm2d_backward


def _to_rows(a):
    return a.transpose(0, 2, 3, 1).reshape(-1, a.shape[1])


def _from_rows(rows, shape):
    n, c, h, w = shape
    return rows.reshape(n, h, w, c).transpose(0, 3, 1, 2)


def batchnorm2d_backward(dout, x, gamma, eps):
    dx, dgamma, dbeta = batchnorm_backward(_to_rows(dout), _to_rows(x), gamma, eps)
    return _from_rows(dx, x.shape), dgamma, dbeta


def _per_pixel(dout, x, gamma, eps):
    n = x.shape[0]
    hw = x[0, 0].size
    dx, dg, db = batchnorm_backward(dout.reshape(n, -1), x.reshape(n, -1), np.repeat(gamma, hw), eps)
    return dx.reshape(x.shape), dg.reshape(-1, hw).sum(axis=1), db.reshape(-1, hw).sum(axis=1)


def _per_pixel_params(dout, x, gamma, eps):
    n = x.shape[0]
    hw = x[0, 0].size
    dx, dg, db = batchnorm_backward(dout.reshape(n, -1), x.reshape(n, -1), np.repeat(gamma, hw), eps)
    return dx.reshape(x.shape), dg, db


def _mixed(dout, x, gamma, eps):
    c = x.shape[1]
    dx, dg, db = batchnorm_backward(dout.reshape(-1, c), x.reshape(-1, c), gamma, eps)
    return dx.reshape(x.shape), dg, db


def _batch_axis_only(dout, x, gamma, eps):
    m = x.shape[0]
    mu, var = x.mean(axis=0), x.var(axis=0)
    s = 1 / np.sqrt(var + eps)
    x_hat = (x - mu) * s
    g = gamma[:, None, None] * s
    dx = g / m * (m * dout - dout.sum(axis=0) - x_hat * (dout * x_hat).sum(axis=0))
    return dx, (dout * x_hat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))


def _no_mean_path_4d(dout, x, gamma, eps):
    dx, dg, db = batchnorm2d_backward(dout, x, gamma, eps)
    m = x.size // x.shape[1]
    s = 1 / np.sqrt(x.var(axis=(0, 2, 3), keepdims=True) + eps)
    return dx - gamma[None, :, None, None] * s / m * dout.sum(axis=(0, 2, 3), keepdims=True) * -1, dg, db


def test_batchnorm2d_backward_accepts_the_solution(capsys):
    assert check.batchnorm2d_backward(batchnorm2d_backward).ok is True
    assert capsys.readouterr().out.startswith("Correct: ")


@pytest.mark.parametrize("wrong, message", [
    (_per_pixel, "as a feature of its own"),
    (_per_pixel_params, "one entry per value of an image"),
    (_mixed, "without moving the channel axis last"),
    (_batch_axis_only, "as a feature of its own"),  # per pixel over the batch: DLfS's, by another road
    (_no_mean_path_4d, "forgets the path through the mean"),
    (lambda dout, x, gamma, eps: (batchnorm2d_backward(dout, x, gamma, eps)[0] * x.size / x.shape[1],
                                  *batchnorm2d_backward(dout, x, gamma, eps)[1:]),
     "the batch division is missing"),
])
def test_batchnorm2d_backward_names_the_mistake(wrong, message, capsys):
    assert check.batchnorm2d_backward(wrong).ok is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and message in out and out.count("\n") == 1, out


# ------------------------------------------------------------------ update_running


def update_running(running_mean, running_var, x, momentum):
    return ((1 - momentum) * running_mean + momentum * x.mean(axis=0),
            (1 - momentum) * running_var + momentum * x.var(axis=0, ddof=1))


def _in_place(running_mean, running_var, x, momentum):
    running_mean *= 1 - momentum
    running_mean += momentum * x.mean(axis=0)
    return running_mean, (1 - momentum) * running_var + momentum * x.var(axis=0, ddof=1)


def test_update_running_accepts_the_solution(capsys):
    assert check.update_running(update_running).ok is True
    assert capsys.readouterr().out.startswith("Correct: ")


@pytest.mark.parametrize("wrong, message", [
    (lambda rm, rv, x, k: ((1 - k) * rm + k * x.mean(0), (1 - k) * rv + k * x.var(0)), "biased batch variance"),
    (lambda rm, rv, x, k: (k * rm + (1 - k) * x.mean(0), k * rv + (1 - k) * x.var(0, ddof=1)), "DLfS's convention"),
    (lambda rm, rv, x, k: ((1 - k) * rm + k * x.mean(0), k * rv + (1 - k) * x.var(0, ddof=1)), "DLfS's convention"),
    (lambda rm, rv, x, k: ((1 - k) * rm + k * x.mean(0), (1 - k) * rv + k * x.std(0, ddof=1)), "standard deviation"),
    (lambda rm, rv, x, k: ((1 - k) * rm + k * x.mean(0), (1 - k) * rv + k * x.std(0)), "biased standard"),
    (lambda rm, rv, x, k: ((1 - k) * rm + k * x.mean(), (1 - k) * rv + k * x.var(0, ddof=1)), "one mean of the whole"),
    (lambda rm, rv, x, k: ((1 - k) * rm + k * x.mean(0)), "return the pair"),
    (_in_place, "changed its argument #1 in place"),
])
def test_update_running_names_the_mistake(wrong, message, capsys):
    assert check.update_running(wrong).ok is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and message in out and out.count("\n") == 1, out


def test_update_running_names_the_wrong_axis(capsys):
    # the square batch (4 x 4) is the one where axis=1 still has the right shape
    wrong = lambda rm, rv, x, k: ((1 - k) * rm + k * x.mean(1), (1 - k) * rv + k * x.var(1, ddof=1))  # noqa: E731
    assert check.update_running(wrong).ok is False
    out = capsys.readouterr().out
    assert "averages over the features (axis=1)" in out, out
