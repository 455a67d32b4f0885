"""Checkers for the exercises of the chapter "The chain rule with SymPy"."""

from __future__ import annotations

from typing import Callable

import numpy as np

from bplib import activations
from bplib.exercises._core import (
    CLOSE,
    CheckFailed,
    Verdict,
    assert_not_mutated,
    check_elementwise,
    compare,
    diagnose_factor,
    run_checks,
)
from bplib.exercises.messages import msg

__all__ = ["sigmoid_prime", "tanh_prime", "softplus_prime", "two_paths"]


def _quietly(checker: Callable[..., None], *args, **kwargs) -> None:
    """Run ``checker`` with NumPy's floating-point warnings off: an overflow in the
    reader's code is reported as a NaN or inf in the result, never as a warning."""
    with np.errstate(all="ignore"):
        checker(*args, **kwargs)


#: The inputs a reader's derivative is first tried on, to recognise a named mistake.
_NAMING_CASES: tuple[np.ndarray, ...] = (np.array(0.0), np.array(1.0), np.array(-2.5),
                                        np.linspace(-3.0, 3.0, 7))


def _name_the_mistake(
    fn: Callable[[np.ndarray], np.ndarray],
    what: str,
    right: Callable[[np.ndarray], np.ndarray],
    mistakes: tuple[tuple[Callable[[np.ndarray], np.ndarray], str], ...],
) -> None:
    """Raise ``CheckFailed`` naming the mistake if ``fn`` computes one of ``mistakes``.

    ``fn`` is called on :data:`_NAMING_CASES` (and must leave them unchanged); if what it
    returns is finite, has the right shape and differs from ``right``, it is compared with
    each wrong formula in ``mistakes`` (pairs of the formula and its message id), in order.
    Anything else is left to the general comparison that follows.
    """
    got = [assert_not_mutated(fn, z.copy(), what=what) for z in _NAMING_CASES]
    try:
        flat = np.concatenate([np.ravel(np.asarray(g, dtype=float)) for g in got])
    except (TypeError, ValueError):
        return
    zs = np.concatenate([np.ravel(z) for z in _NAMING_CASES])
    if flat.shape != zs.shape or not np.all(np.isfinite(flat)) or CLOSE.close(flat, right(zs)):
        return
    for wrong, message_id in mistakes:
        if CLOSE.close(flat, wrong(zs)):
            raise CheckFailed(msg(message_id))


def sigmoid_prime(fn: Callable[[np.ndarray], np.ndarray]) -> Verdict:
    """Check a reader's ``sigmoid_prime(z)``: the derivative of the logistic function at ``z``.

    It must work elementwise on any shape, not change ``z``, and stay finite at
    large ``|z|``.  A right answer built on the naive ``1 / (1 + np.exp(-z))``, which
    overflows inside NumPy at ``z = -1e4`` but returns the right 0, is accepted with a
    note.  Named mistakes: the helper ``a (1 - a)`` applied to ``z`` (articles 001 and
    003's ``x * (1 - x)``), sigma applied twice, sigma instead of sigma'.
    """

    def checks() -> None:
        _name_the_mistake(fn, "sigmoid_prime", activations.sigmoid_prime, _SIGMOID_PRIME_MISTAKES)
        _quietly(check_elementwise,
            fn,
            activations.sigmoid_prime,
            fn_name="sigmoid_prime",
            seed=101,
            extra_cases=[(msg("case.at_z", z="±1e4"), np.array([-1e4, 1e4]))],
        )

    return run_checks(msg("chain_rule.sigmoid_prime.correct"), checks)


#: What a reader's sigmoid_prime may compute instead of sigma'(z), and its message id.
_SIGMOID_PRIME_MISTAKES: tuple[tuple[Callable[[np.ndarray], np.ndarray], str], ...] = (
    (lambda z: z * (1.0 - z), "chain_rule.sigmoid_prime.on_z"),
    (lambda z: activations.sigmoid_prime(activations.sigmoid(z)),
     "chain_rule.sigmoid_prime.of_activation"),
    (activations.sigmoid, "chain_rule.sigmoid_prime.sigma"),
)


def tanh_prime(fn: Callable[[np.ndarray], np.ndarray]) -> Verdict:
    """Check a reader's ``tanh_prime(z)``: the derivative of ``tanh`` at ``z``, elementwise.

    Named mistakes: ``1 - tanh(z)`` (the square forgotten), the output form ``1 - a**2``
    applied to ``z``, and ``tanh`` itself instead of its derivative.
    """

    def checks() -> None:
        _name_the_mistake(fn, "tanh_prime", activations.tanh_prime, _TANH_PRIME_MISTAKES)
        _quietly(check_elementwise, fn, activations.tanh_prime, fn_name="tanh_prime", seed=102)

    return run_checks(msg("chain_rule.tanh_prime.correct"), checks)


#: What a reader's tanh_prime may compute instead of tanh'(z), and its message id.
_TANH_PRIME_MISTAKES: tuple[tuple[Callable[[np.ndarray], np.ndarray], str], ...] = (
    (lambda z: 1.0 - np.tanh(z), "chain_rule.tanh_prime.unsquared"),
    (lambda z: 1.0 - z * z, "chain_rule.tanh_prime.on_z"),
    (np.tanh, "chain_rule.tanh_prime.tanh"),
)


def softplus_prime(fn: Callable[[np.ndarray], np.ndarray]) -> Verdict:
    """Check a reader's derivative of softplus, ``log(1 + exp(z))``, elementwise.

    Named mistakes: softplus itself, sigma'(z) (one derivative too many) and
    ``sigma(-z)`` (a sign slip).  A right answer that overflows inside NumPy at
    ``z = -1e4`` but returns the right value is accepted with a note; one that returns
    ``nan`` (``exp(z) / (1 + exp(z))`` at ``z = 1e4``) is not.
    """

    def checks() -> None:
        _name_the_mistake(fn, "softplus_prime", activations.sigmoid, _SOFTPLUS_PRIME_MISTAKES)
        _quietly(check_elementwise,
            fn,
            activations.sigmoid,
            fn_name="softplus_prime",
            seed=103,
            extra_cases=[(msg("case.at_z", z="±1e4"), np.array([-1e4, 1e4]))],
        )

    return run_checks(msg("chain_rule.softplus_prime.correct"), checks)


#: What a reader's softplus_prime may compute instead of sigma(z), and its message id.
_SOFTPLUS_PRIME_MISTAKES: tuple[tuple[Callable[[np.ndarray], np.ndarray], str], ...] = (
    (lambda z: np.logaddexp(0.0, z), "chain_rule.softplus_prime.softplus"),
    (activations.sigmoid_prime, "chain_rule.softplus_prime.sigma_prime"),
    (lambda z: activations.sigmoid(-z), "chain_rule.softplus_prime.sign"),
)


# --- Two paths: a weight shared by two units -----------------------------------
#
# The network of the exercise: one weight w feeds two sigmoid units,
#     z_j = w * x_j,  a_j = sigma(z_j)   (j = 1, 2)
#     s = v_1 a_1 + v_2 a_2,  C = 1/2 (s - y)^2,
# so w reaches the cost C along two paths, and dC/dw is the SUM of one chain-rule
# product per path:  (s - y) * (v_1 sigma'(z_1) x_1 + v_2 sigma'(z_2) x_2).


def _two_paths(w: float, x: np.ndarray, v: np.ndarray, y: float, *, variant: str = "right") -> float:
    """dC/dw of the exercise's network, or one of the signature mistakes."""
    z = w * x
    a = activations.sigmoid(z)
    s = float(v @ a)
    if variant == "z(1-z)":
        local = z * (1.0 - z)                 # sigma' computed as a(1-a) on z
    elif variant == "no sigma'":
        local = np.ones_like(z)
    else:
        local = a * (1.0 - a)
    paths = (s - y) * v * local * x           # one product per path
    if variant == "path 1":
        return float(paths[0])
    if variant == "path 2":
        return float(paths[1])
    if variant == "product":
        return float(paths[0] * paths[1])
    return float(paths.sum())


_TWO_PATH_MISTAKES = [
    ("path 1", "chain_rule.two_paths.path1"),
    ("path 2", "chain_rule.two_paths.path2"),
    ("product", "chain_rule.two_paths.product"),
    ("z(1-z)", "chain_rule.two_paths.on_z"),
    ("no sigma'", "chain_rule.two_paths.no_prime"),
]


def _two_path_cases(rng: np.random.Generator) -> list[tuple[str, float, np.ndarray, np.ndarray, float]]:
    cases = [(msg("case.chapter_example"), 0.8, np.array([0.5, -1.5]), np.array([1.2, 0.7]), 0.3)]
    for k in range(4):
        cases.append((
            msg("case.hidden_random", k=k + 1),
            float(rng.normal()),
            rng.uniform(-2.0, 2.0, size=2),
            rng.normal(size=2),
            float(rng.uniform(0.0, 1.0)),
        ))
    return cases


def two_paths(fn: Callable[..., float]) -> Verdict:
    """Check a reader's ``dC_dw(w, x, v, y)`` for a weight shared by two units.

    ``w`` and ``y`` are floats, ``x`` and ``v`` arrays of shape (2,); the
    network is ``z_j = w x_j``, ``a_j = sigma(z_j)``, ``s = v @ a``,
    ``C = 1/2 (s - y)^2``.  The answer must be one number (shape ``()``).
    A missing path, paths multiplied instead of added, sigma' taken on ``z``
    and a missing sigma' are named in words.
    """

    def checks() -> None:
        cases = _two_path_cases(np.random.default_rng(104))
        results = []
        with np.errstate(all="ignore"):
            for where, w, x, v, y in cases:
                got = assert_not_mutated(
                    lambda xx, vv: fn(w, xx, vv, y), x.copy(), v.copy(), what="dC_dw"
                )
                results.append((where, w, x, v, y, got))
        try:
            flat = np.array([float(np.asarray(r[5], dtype=float)) for r in results])
        except (TypeError, ValueError):
            flat = None
        if flat is not None and np.all(np.isfinite(flat)):
            expected = np.array([_two_paths(w, x, v, y) for _, w, x, v, y, _ in results])
            if not CLOSE.close(flat, expected):
                for variant, message_id in _TWO_PATH_MISTAKES:
                    wrong = np.array([_two_paths(w, x, v, y, variant=variant)
                                      for _, w, x, v, y, _ in results])
                    if CLOSE.close(flat, wrong):
                        raise CheckFailed(msg(message_id))
                diagnose_factor(flat, expected, "dC_dw", msg("core.every_case"))
        for where, w, x, v, y, got in results:
            compare(got, np.array(_two_paths(w, x, v, y)), name="dC_dw", where=where,
                    tol=CLOSE)

    return run_checks(msg("chain_rule.two_paths.correct"), checks)
