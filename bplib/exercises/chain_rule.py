"""Checkers for the exercises of the chapter "The chain rule with SymPy"."""

from __future__ import annotations

from typing import Callable

import numpy as np

from bplib import activations
from bplib.exercises._core import check_elementwise, run_checks

__all__ = ["sigmoid_prime", "tanh_prime", "softplus_prime"]


def sigmoid_prime(fn: Callable[[np.ndarray], np.ndarray]) -> bool:
    """Check a reader's ``sigmoid_prime(z)``: the derivative of the logistic function at ``z``.

    It must work elementwise on any shape, not change ``z``, and stay finite at
    large ``|z|``.
    """
    return run_checks(
        "sigmoid_prime matches σ(z)(1 − σ(z)) on every hidden case, large |z| included.",
        lambda: check_elementwise(
            fn,
            activations.sigmoid_prime,
            fn_name="sigmoid_prime",
            seed=101,
            extra_cases=[("at z = ±1e4", np.array([-1e4, 1e4]))],
        ),
    )


def tanh_prime(fn: Callable[[np.ndarray], np.ndarray]) -> bool:
    """Check a reader's ``tanh_prime(z)``: the derivative of ``tanh`` at ``z``, elementwise."""
    return run_checks(
        "tanh_prime matches 1 − tanh(z)² on every hidden case.",
        lambda: check_elementwise(fn, activations.tanh_prime, fn_name="tanh_prime", seed=102),
    )


def softplus_prime(fn: Callable[[np.ndarray], np.ndarray]) -> bool:
    """Check a reader's derivative of softplus, ``log(1 + exp(z))``, elementwise."""
    return run_checks(
        "softplus_prime matches the derivative of log(1 + e^z) on every hidden case.",
        lambda: check_elementwise(
            fn,
            activations.sigmoid,
            fn_name="softplus_prime",
            seed=103,
            extra_cases=[("at z = ±1e4", np.array([-1e4, 1e4]))],
        ),
    )
