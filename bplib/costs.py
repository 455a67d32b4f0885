"""Costs as objects, in the style of Nielsen's ``network2.py``.

Each cost is one object with the two things backpropagation needs from it,
taking their arrays in one order, prediction ``a``, target ``y``, weighted
input ``z``:

* ``fn(a, y, z)``: the cost of each sample, one value per column;
* ``delta(a, y, z, activation)``: the output error
  :math:`\\delta^L = \\nabla_a C \\odot \\sigma'(z^L)` (BP1).

``fn`` and ``gradient`` also take ``axis``, the axis of the output units:
``0`` (the default) for Nielsen's columns, ``-1`` for the rows of
:mod:`bplib.losses`, which call them on their arrays as they are.

Every cost here has :math:`\\nabla_a C = s\\,(a - y)` for a constant ``s``
(:meth:`Cost.scale`), and for the binary cross-entropy with the sigmoid the
:math:`\\sigma'` cancels (``cancels_prime``).  The reference path
(:meth:`bplib.network.Network.backprop`), the fast trainer
(:mod:`bplib.fast`) and the row-convention functions of :mod:`bplib.losses`
all read these definitions, so a cost is written once.

Vocabulary (see the notation page): ``a`` is the network's output (the
prediction), ``y`` the target, ``z`` the output layer's weighted input; arrays
are in Nielsen's column convention, shape ``(n_out, m)`` for ``m`` samples.

Adding a cost means adding one :class:`Cost` subclass here and putting it in
:data:`COSTS`: ``Network`` (both training paths) and :mod:`bplib.losses` read it.

``"quadratic"``
    :math:`C = \\frac12 \\lVert a - y\\rVert^2`, :math:`\\nabla_a C = a - y`.
``"mse"``
    :math:`C = \\frac1{n} \\sum_j (a_j - y_j)^2` over the ``n`` output units,
    :math:`\\nabla_a C = 2(a - y)/n` (with one output, article 000's ``2(a - y)``).
``"binary_cross_entropy"``
    :math:`C = -\\sum_j [y_j \\ln a_j + (1 - y_j) \\ln(1 - a_j)]` for sigmoid
    outputs and targets in [0, 1]; computed from ``z`` as
    ``logaddexp(0, z) - y z``, which never takes ``log(0)``, and then
    :math:`\\delta^L = a - y`.  (The categorical cross-entropy of softmax
    outputs is :func:`bplib.losses.cross_entropy`.)
"""

from __future__ import annotations

import numpy as np

from ._validation import check_known, warn_deprecated
from .activations import Activation

__all__ = [
    "Cost",
    "QuadraticCost",
    "MSECost",
    "BinaryCrossEntropyCost",
    "COSTS",
    "get_cost",
]


class Cost:
    """Base class: a cost with :math:`\\nabla_a C = s (a - y)`.

    Attributes
    ----------
    name : str
        The name :class:`bplib.network.Network` accepts.
    cancels_prime : bool
        True when :math:`\\delta^L = s (a - y)` without the factor
        :math:`\\sigma'(z^L)` (the cross-entropy of sigmoid outputs).
    activation : str or None
        The output activation the cost needs (``None``: any).
    """

    name = ""
    cancels_prime = False
    activation: str | None = None

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        delta = cls.__dict__.get("delta")
        code = getattr(delta, "__code__", None)
        if code is not None and code.co_varnames[1:4] == ("z", "a", "y"):
            raise TypeError(
                f"{cls.__name__}.delta takes (z, a, y, activation), the older order: a "
                "cost's delta takes delta(a, y, z, activation), in the order of fn(a, y, z)"
            )

    def fn(self, a: np.ndarray, y: np.ndarray, z: np.ndarray | None = None, axis: int = 0) -> np.ndarray:
        """Cost of each sample: ``a``, ``y`` (and ``z``) of shape (n_out, m) -> shape (m,).

        ``axis`` is the axis of the output units, summed over (``-1`` for rows).
        """
        raise NotImplementedError

    def scale(self, n_out: int) -> float:
        """The constant ``s`` of :math:`\\nabla_a C = s (a - y)` for ``n_out`` outputs."""
        return 1.0

    def gradient(self, a: np.ndarray, y: np.ndarray, axis: int = 0) -> np.ndarray:
        """:math:`\\nabla_a C` of each sample, shape of ``a`` (n_out, m).

        ``axis`` is the axis of the output units (``-1`` for rows).
        """
        return self.scale(a.shape[axis]) * (a - y)

    def delta(self, a: np.ndarray, y: np.ndarray, z: np.ndarray, activation: Activation) -> np.ndarray:
        """BP1, the output error :math:`\\delta^L`, one column per sample.

        Parameters
        ----------
        a, y, z : numpy.ndarray, shape (n_out, m)
            Output of the last layer, the target, and the last layer's
            weighted input (the order of :meth:`fn`).
        activation : Activation
            The output layer's activation (its ``prime`` gives :math:`\\sigma'`).
        """
        if self.cancels_prime:
            return self.scale(a.shape[0]) * (a - y)
        return self.gradient(a, y) * activation.prime(z)

    def check_target(self, y: np.ndarray, name: str = "y") -> None:
        """Raise ``ValueError`` if ``y`` is not a valid target for this cost."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class QuadraticCost(Cost):
    """:math:`C = \\frac12 \\lVert a - y\\rVert^2` per sample (Nielsen's quadratic cost)."""

    name = "quadratic"

    def fn(self, a: np.ndarray, y: np.ndarray, z: np.ndarray | None = None, axis: int = 0) -> np.ndarray:
        return 0.5 * np.sum((a - y) ** 2, axis=axis)


class MSECost(Cost):
    """Mean of :math:`(a_j - y_j)^2` over the output units (article 000's cost)."""

    name = "mse"

    def fn(self, a: np.ndarray, y: np.ndarray, z: np.ndarray | None = None, axis: int = 0) -> np.ndarray:
        return np.mean((a - y) ** 2, axis=axis)

    def scale(self, n_out: int) -> float:
        return 2.0 / n_out


class BinaryCrossEntropyCost(Cost):
    """Binary cross-entropy of sigmoid outputs, summed over the output units."""

    name = "binary_cross_entropy"
    cancels_prime = True
    activation = "sigmoid"

    def fn(self, a: np.ndarray, y: np.ndarray, z: np.ndarray | None = None, axis: int = 0) -> np.ndarray:
        if z is None:
            raise ValueError("the binary cross-entropy is computed from z, but z is None")
        # -[y ln a + (1 - y) ln(1 - a)] with a = sigmoid(z), written in z: no log(0)
        return np.sum(np.logaddexp(0.0, z) - y * z, axis=axis)

    def check_target(self, y: np.ndarray, name: str = "y") -> None:
        if y.size and (y.min() < 0.0 or y.max() > 1.0):
            raise ValueError(
                f"{name} must hold targets in [0, 1] for the binary cross-entropy, but it "
                f"ranges from {float(y.min())} to {float(y.max())}"
            )


#: The one registry of costs, by name.
COSTS: dict[str, Cost] = {
    cost.name: cost for cost in (QuadraticCost(), MSECost(), BinaryCrossEntropyCost())
}

# Deprecated names, still accepted with a DeprecationWarning naming the new one:
# ``"cross_entropy"`` meant the binary one in ``Network`` (in ``bplib.losses`` it
# is the categorical one).
_RENAMED: dict[str, str] = {"cross_entropy": "binary_cross_entropy"}


def get_cost(cost: str | Cost) -> Cost:
    """The cost object for a name (or the object itself).

    Raises
    ------
    ValueError
        For an unknown name; the message lists the known names.
    """
    if isinstance(cost, Cost):
        return cost
    if isinstance(cost, str) and cost in _RENAMED:
        warn_deprecated(f"the cost name {cost!r} is deprecated; use {_RENAMED[cost]!r}")
        cost = _RENAMED[cost]
    return COSTS[check_known(cost, COSTS, "cost")]


def __getattr__(name: str) -> object:
    if name == "COST_ALIASES":
        warn_deprecated(
            "bplib.costs.COST_ALIASES is deprecated: the one name of each cost is its key "
            "in COSTS ('cross_entropy' is now 'binary_cross_entropy')"
        )
        return dict(_RENAMED)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
