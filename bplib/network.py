"""A fully connected network in Nielsen's style, trained by backpropagation.

Column convention (as in Nielsen's *Neural Networks and Deep Learning* and
article 000): a batch of ``m`` samples is an array ``x`` of shape
``(n_in, m)`` whose *columns* are the samples; layer ``l`` has weights of
shape ``(n_l, n_{l-1})`` and biases of shape ``(n_l, 1)``, and computes

.. math::  z^l = W^l a^{l-1} + b^l, \\qquad a^l = \\sigma(z^l).

The backward pass uses the four equations of backpropagation:

* **BP1** output error: :math:`\\delta^L = \\nabla_a C \\odot \\sigma'(z^L)`
* **BP2** error of layer l: :math:`\\delta^l = ((W^{l+1})^T \\delta^{l+1}) \\odot \\sigma'(z^l)`
* **BP3** bias gradient: :math:`\\partial C / \\partial b^l = \\delta^l`
* **BP4** weight gradient: :math:`\\partial C / \\partial W^l = \\delta^l (a^{l-1})^T`

With a batch, every :math:`\\delta^l` has one column per sample;
``delta @ a.T`` then *sums* BP4 over the samples, and BP3 sums ``delta``
over its columns.

Costs (per sample, i.e. per column; ``Network.cost`` averages over samples):

``"quadratic"``
    :math:`C = \\frac12 \\lVert a - y\\rVert^2`, :math:`\\nabla_a C = a - y`.
``"mse"``
    :math:`C = \\frac1{n} \\sum_j (a_j - y_j)^2` over the ``n`` output units,
    :math:`\\nabla_a C = 2(a - y)/n` (with one output, article 000's ``2(a - y)``).
``"cross_entropy"``
    binary cross-entropy summed over output units,
    :math:`C = -\\sum_j [y_j \\ln a_j + (1 - y_j) \\ln(1 - a_j)]`; it needs the
    sigmoid activation, and then :math:`\\delta^L = a - y` (the
    :math:`\\sigma'` cancels).  The cost is computed from :math:`z^L` as
    ``logaddexp(0, z) - y z``, which never takes ``log(0)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    as_float_array,
    check_known,
    check_positive,
    check_positive_int,
)
from .activations import get_activation, sigmoid

__all__ = ["Network", "History", "COSTS"]

#: Names of the costs ``Network`` understands.
COSTS = ("quadratic", "mse", "cross_entropy")

ActivationPair = tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]


@dataclass
class History:
    """What :meth:`Network.sgd` records, one entry per epoch.

    Attributes
    ----------
    loss : list of float
        Mean training cost per sample, measured after each epoch.
    test_loss : list of float
        Mean cost on ``test_data`` after each epoch (empty without test data).
    """

    loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.loss)

    def __repr__(self) -> str:
        if not self.loss:
            return "History(epochs=0)"
        text = f"History(epochs={len(self.loss)}, final loss={self.loss[-1]:.6g}"
        if self.test_loss:
            text += f", final test loss={self.test_loss[-1]:.6g}"
        return text + ")"


class Network:
    """A fully connected feed-forward network (Nielsen's column convention).

    Parameters
    ----------
    sizes : sequence of int
        Units per layer, input layer first, e.g. ``[1, 8, 5, 3, 1]``.
    activation : str or (f, f_prime), default "sigmoid"
        Activation used by every layer: ``"sigmoid"``, ``"relu"``, ``"tanh"``
        or ``"identity"`` (see :func:`bplib.activations.get_activation`), or a
        pair of functions ``(f, f_prime)`` of ``z``.
    cost : {"quadratic", "mse", "cross_entropy"}, default "quadratic"
        Per-sample cost; see the module docstring for the formulas.
    seed : int, default 0
        Seed for ``np.random.default_rng``; weights and biases are drawn from
        the standard normal distribution like Nielsen's (biases first).
    bias : bool, default True
        ``bias=False`` builds a network without biases (articles 001 and 003):
        ``biases`` are then zero arrays that are never updated, and
        ``backprop`` returns zero bias gradients, because the biases are not
        parameters of such a network.

    Attributes
    ----------
    sizes : list of int
    num_layers : int
        ``len(sizes)``, counting the input layer.
    weights : list of numpy.ndarray
        ``weights[l]`` has shape ``(sizes[l+1], sizes[l])``.
    biases : list of numpy.ndarray
        ``biases[l]`` has shape ``(sizes[l+1], 1)``.
    activation : str
        Name of the activation.
    cost_name : str
        Name of the cost.
    bias : bool
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | ActivationPair = "sigmoid",
        cost: str = "quadratic",
        seed: int = 0,
        bias: bool = True,
    ) -> None:
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(
                f"sizes must list at least 2 layers (input and output), but got {sizes!r}"
            )
        for i, n in enumerate(sizes):
            check_positive_int(n, f"sizes[{i}]")
        self.sizes = [int(n) for n in sizes]
        self.num_layers = len(self.sizes)
        self._set_activation(activation)
        self.cost_name = check_known(cost, COSTS, "cost")
        if self.cost_name == "cross_entropy" and self.act is not sigmoid:
            raise ValueError(
                "cost='cross_entropy' is the binary cross-entropy of sigmoid outputs, so "
                f"it needs activation='sigmoid', but got activation={self.activation!r}"
            )
        self.bias = bool(bias)
        rng = np.random.default_rng(seed)
        self.biases = [rng.standard_normal((n, 1)) for n in self.sizes[1:]]
        self.weights = [
            rng.standard_normal((n_out, n_in))
            for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])
        ]
        if not self.bias:
            self.biases = [np.zeros((n, 1)) for n in self.sizes[1:]]

    def _set_activation(self, activation: str | ActivationPair) -> None:
        if isinstance(activation, str):
            self.act, self.act_prime = get_activation(activation)
            self.activation = activation
        elif (
            isinstance(activation, tuple)
            and len(activation) == 2
            and all(callable(f) for f in activation)
        ):
            self.act, self.act_prime = activation
            self.activation = getattr(self.act, "__name__", "custom")
        else:
            raise ValueError(
                "activation must be a name such as 'sigmoid' or a pair (f, f_prime) of "
                f"functions, but got {activation!r}"
            )

    @classmethod
    def from_weights(
        cls,
        weights: Sequence[ArrayLike],
        biases: Sequence[ArrayLike] | None = None,
        activation: str | ActivationPair = "sigmoid",
        cost: str = "quadratic",
    ) -> "Network":
        """Build a network with exactly the given weights (copied).

        Parameters
        ----------
        weights : sequence of array_like
            ``weights[l]`` of shape ``(n_{l+1}, n_l)``; consecutive shapes must
            fit together.
        biases : sequence of array_like or None, default None
            ``biases[l]`` of shape ``(n_{l+1}, 1)`` or ``(n_{l+1},)``.  ``None``
            means a network without biases (``bias=False``).
        activation, cost
            As for :class:`Network`.

        Returns
        -------
        Network

        Examples
        --------
        Article 003's network (no biases):

        >>> net = Network.from_weights([[[0.1, 0.8], [0.4, 0.6]], [[0.3, 0.9]]])
        >>> net.sizes
        [2, 2, 1]
        """
        if len(weights) == 0:
            raise ValueError("weights must contain at least one matrix, but got none")
        ws = [as_float_array(w, f"weights[{i}]", ndims=2).copy() for i, w in enumerate(weights)]
        for i in range(1, len(ws)):
            if ws[i].shape[1] != ws[i - 1].shape[0]:
                raise ValueError(
                    f"weights[{i}] has {ws[i].shape[1]} columns but weights[{i - 1}] has "
                    f"{ws[i - 1].shape[0]} rows (weights[{i}].shape={ws[i].shape}, "
                    f"weights[{i - 1}].shape={ws[i - 1].shape})"
                )
        sizes = [ws[0].shape[1]] + [w.shape[0] for w in ws]
        net = cls(sizes, activation=activation, cost=cost, seed=0, bias=biases is not None)
        net.weights = ws
        if biases is not None:
            if len(biases) != len(ws):
                raise ValueError(
                    f"biases must have one entry per weight matrix ({len(ws)}), "
                    f"but got {len(biases)}"
                )
            bs = []
            for i, (b, w) in enumerate(zip(biases, ws)):
                b = as_float_array(b, f"biases[{i}]", ndims=(1, 2))
                if b.shape not in ((w.shape[0],), (w.shape[0], 1)):
                    raise ValueError(
                        f"biases[{i}] must have shape ({w.shape[0]}, 1) to match "
                        f"weights[{i}].shape={w.shape}, but biases[{i}].shape={b.shape}"
                    )
                bs.append(b.reshape(-1, 1).copy())
            net.biases = bs
        return net

    def __repr__(self) -> str:
        return (
            f"Network(sizes={self.sizes}, activation={self.activation!r}, "
            f"cost={self.cost_name!r}, bias={self.bias})"
        )

    # ------------------------------------------------------------------ checks
    def _check_x(self, x: ArrayLike) -> np.ndarray:
        """x as a float array of shape (n_in, m) or (n_in,)."""
        x = as_float_array(x, "x", ndims=(1, 2))
        if x.shape[0] != self.sizes[0]:
            raise ValueError(
                f"x has {x.shape[0]} rows but the network's input layer has "
                f"{self.sizes[0]} units (x.shape={x.shape})"
            )
        return x

    def _check_xy(self, x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """x, y as 2-D column batches (n_in, m) and (n_out, m)."""
        x = self._check_x(x)
        y = as_float_array(y, "y", ndims=(1, 2))
        if y.shape[0] != self.sizes[-1]:
            raise ValueError(
                f"y has {y.shape[0]} rows but the network's output layer has "
                f"{self.sizes[-1]} units (y.shape={y.shape})"
            )
        if x.ndim == 1:
            x = x.reshape(-1, 1)
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        if x.shape[1] != y.shape[1]:
            raise ValueError(
                f"x has {x.shape[1]} columns (samples) but y has {y.shape[1]} "
                f"(x.shape={x.shape}, y.shape={y.shape})"
            )
        return x, y

    # ----------------------------------------------------------- forward pass
    def feedforward(self, a: ArrayLike) -> np.ndarray:
        """Return the network's output for input ``a``.

        Parameters
        ----------
        a : array_like, shape (n_in,) or (n_in, m)

        Returns
        -------
        numpy.ndarray, shape (n_out,) or (n_out, m)
        """
        a = self._check_x(a)
        one_sample = a.ndim == 1
        if one_sample:
            a = a.reshape(-1, 1)
        for b, w in zip(self.biases, self.weights):
            a = self.act(w @ a + b)
        return a[:, 0] if one_sample else a

    def _forward(self, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Forward pass keeping every ``z^l`` and ``a^l`` (``activations[0] = x``)."""
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = w @ activation + b
            zs.append(z)
            activation = self.act(z)
            activations.append(activation)
        return zs, activations

    # ------------------------------------------------------------------ costs
    def _costs_per_sample(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Cost of each column, shape (m,)."""
        if self.cost_name == "quadratic":
            return 0.5 * np.sum((a - y) ** 2, axis=0)
        if self.cost_name == "mse":
            return np.mean((a - y) ** 2, axis=0)
        # binary cross-entropy of a = sigmoid(z), written in z so no log(0) occurs
        return np.sum(np.logaddexp(0.0, z) - y * z, axis=0)

    def _output_error(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """BP1: delta^L = nabla_a C ⊙ sigma'(z^L), one column per sample."""
        if self.cost_name == "quadratic":
            return (a - y) * self.act_prime(z)
        if self.cost_name == "mse":
            return (2.0 / self.sizes[-1]) * (a - y) * self.act_prime(z)
        # cross-entropy with sigmoid: nabla_a C = (a - y) / (a (1 - a)) and
        # sigma'(z) = a (1 - a) cancel exactly, leaving a - y.
        return a - y

    def cost(self, x: ArrayLike, y: ArrayLike) -> float:
        """Mean cost per sample over the columns of ``x``.

        Parameters
        ----------
        x : array_like, shape (n_in, m) or (n_in,)
        y : array_like, shape (n_out, m) or (n_out,)

        Returns
        -------
        float
        """
        x, y = self._check_xy(x, y)
        return self._cost(x, y)

    def _cost(self, x: np.ndarray, y: np.ndarray) -> float:
        zs, activations = self._forward(x)
        return float(np.mean(self._costs_per_sample(zs[-1], activations[-1], y)))

    # --------------------------------------------------------- backward pass
    def backprop(self, x: ArrayLike, y: ArrayLike) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Gradients of the cost *summed* over the samples, in one matrix pass.

        Parameters
        ----------
        x : array_like, shape (n_in, m) or (n_in,)
            ``m`` samples as columns.
        y : array_like, shape (n_out, m) or (n_out,)
            Targets as columns.

        Returns
        -------
        nabla_b : list of numpy.ndarray
            ``nabla_b[l]`` has the shape of ``biases[l]``, ``(n_{l+1}, 1)``;
            all zeros when ``bias=False``.
        nabla_w : list of numpy.ndarray
            ``nabla_w[l]`` has the shape of ``weights[l]``.
        """
        x, y = self._check_xy(x, y)
        return self._backprop(x, y)

    def _backprop(self, x: np.ndarray, y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Vectorised backprop on checked 2-D arrays (columns are samples)."""
        nabla_b = [np.zeros_like(b) for b in self.biases]
        nabla_w = [np.zeros_like(w) for w in self.weights]
        zs, activations = self._forward(x)

        # BP1: error at the output layer, shape (n_out, m)
        delta = self._output_error(zs[-1], activations[-1], y)
        # BP3 (summed over the m columns) and BP4 (delta @ a.T sums over them too)
        nabla_b[-1] = delta.sum(axis=1, keepdims=True)
        nabla_w[-1] = delta @ activations[-2].T

        # walk back through the hidden layers: l = 2 is the last hidden layer
        for l in range(2, self.num_layers):
            # BP2: pull the error back through W^{l+1}, then through sigma'
            delta = (self.weights[-l + 1].T @ delta) * self.act_prime(zs[-l])
            nabla_b[-l] = delta.sum(axis=1, keepdims=True)  # BP3
            nabla_w[-l] = delta @ activations[-l - 1].T  # BP4

        if not self.bias:
            nabla_b = [np.zeros_like(b) for b in self.biases]
        return nabla_b, nabla_w

    def backprop_per_sample(
        self, x: ArrayLike, y: ArrayLike
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Same result as :meth:`backprop`, one sample at a time (article 000's loop).

        Each column of ``x`` is passed through backprop as an ``(n_in, 1)``
        array and the gradients are added up, exactly like the source
        article's ``update_batch``.  It is slower; it exists so the vectorised
        version can be compared with it.

        Parameters, Returns
            As for :meth:`backprop`.
        """
        x, y = self._check_xy(x, y)
        return self._backprop_per_sample(x, y)

    def _backprop_per_sample(
        self, x: np.ndarray, y: np.ndarray
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        nabla_b = [np.zeros_like(b) for b in self.biases]
        nabla_w = [np.zeros_like(w) for w in self.weights]
        for j in range(x.shape[1]):
            delta_nabla_b, delta_nabla_w = self._backprop(x[:, j : j + 1], y[:, j : j + 1])
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        return nabla_b, nabla_w

    # --------------------------------------------------------------- training
    def update_batch(
        self, x: ArrayLike, y: ArrayLike, learning_rate: float, per_sample: bool = False
    ) -> None:
        """One gradient-descent step on one batch (Nielsen's ``update_mini_batch``).

        ``w -= learning_rate / m * nabla_w`` (and the same for ``b`` unless
        ``bias=False``), where ``m`` is the number of columns of ``x``.

        Parameters
        ----------
        x : array_like, shape (n_in, m) or (n_in,)
        y : array_like, shape (n_out, m) or (n_out,)
        learning_rate : float > 0
        per_sample : bool, default False
            Use :meth:`backprop_per_sample` instead of :meth:`backprop`.
        """
        x, y = self._check_xy(x, y)
        learning_rate = check_positive(learning_rate, "learning_rate")
        self._update_batch(x, y, learning_rate, per_sample)

    def _update_batch(
        self, x: np.ndarray, y: np.ndarray, learning_rate: float, per_sample: bool
    ) -> None:
        """The update step used by :meth:`sgd`, on checked arrays.

        A faster implementation can replace this method; it must leave the
        weights exactly as this one does (up to float rounding).
        """
        if per_sample:
            nabla_b, nabla_w = self._backprop_per_sample(x, y)
        else:
            nabla_b, nabla_w = self._backprop(x, y)
        step = learning_rate / x.shape[1]
        for w, nw in zip(self.weights, nabla_w):
            w -= step * nw
        if self.bias:
            for b, nb in zip(self.biases, nabla_b):
                b -= step * nb

    def sgd(
        self,
        training_data: tuple[ArrayLike, ArrayLike],
        epochs: int,
        batch_size: int,
        learning_rate: float,
        seed: int = 0,
        per_sample: bool = False,
        test_data: tuple[ArrayLike, ArrayLike] | None = None,
        fast: bool = True,
        dtype: str = "float64",
    ) -> History:
        """Train with mini-batch stochastic gradient descent.

        Each epoch shuffles the samples with ``np.random.default_rng(seed)``
        (one generator for the whole run), cuts them into batches of
        ``batch_size`` columns (the last batch may be smaller and then uses its
        real size) and calls :meth:`update_batch` on each.  Nothing is printed.

        That loop, with :meth:`_update_batch` and :meth:`backprop`, is the
        *reference path*.  By default the same computation runs on the *fast
        path*, :class:`bplib.fast.FastTrainer` (preallocated buffers, biases
        folded into the matrix products, no per-batch validation), which gives
        the same weights and loss history up to float rounding (tested to
        1e-12).  The fast path is used when ``fast=True``, ``per_sample=False``
        and the activation is one of the named ones (a custom ``(f, f_prime)``
        pair, or a subclass overriding a training method, uses the reference
        path).

        Parameters
        ----------
        training_data : (x, y)
            ``x`` of shape (n_in, n) and ``y`` of shape (n_out, n).
        epochs, batch_size : int >= 1
        learning_rate : float > 0
        seed : int, default 0
            Seed of the shuffling generator.
        per_sample : bool, default False
            Use the per-sample loop; same shuffles, so the same result up to
            float rounding.
        test_data : (x, y) or None
            If given, its mean cost is recorded after every epoch.
        fast : bool, default True
            Use the fast path when it applies; ``fast=False`` forces the
            reference path (what the book's chapters on backprop describe).
        dtype : {"float64", "float32"}, default "float64"
            Precision of the fast path's arithmetic; ``"float32"`` is faster
            on large layers but only float32-accurate.  It needs the fast path.

        Returns
        -------
        History
            ``history.loss[e]`` is the mean training cost after epoch ``e``.
        """
        from .fast import DTYPES, FastTrainer  # fast.py imports this module

        x, y = self._unpack(training_data, "training_data")
        epochs = check_positive_int(epochs, "epochs")
        batch_size = check_positive_int(batch_size, "batch_size")
        learning_rate = check_positive(learning_rate, "learning_rate")
        dtype = check_known(dtype, DTYPES, "dtype")
        if test_data is not None:
            x_test, y_test = self._unpack(test_data, "test_data")

        use_fast = fast and not per_sample and FastTrainer.supports(self)
        if dtype != "float64" and not use_fast:
            raise ValueError(
                f"dtype={dtype!r} needs the fast path (fast=True, per_sample=False and a "
                f"named activation), but got fast={fast!r}, per_sample={per_sample!r}, "
                f"activation={self.activation!r}"
            )
        if use_fast:
            trainer = FastTrainer(self, dtype=dtype)
            test = (x_test, y_test) if test_data is not None else None
            return trainer.train(x, y, epochs, batch_size, learning_rate, seed, test)

        rng = np.random.default_rng(seed)
        n = x.shape[1]
        history = History()
        for _ in range(epochs):
            order = rng.permutation(n)
            x_shuffled, y_shuffled = x[:, order], y[:, order]
            for k in range(0, n, batch_size):
                self._update_batch(
                    x_shuffled[:, k : k + batch_size],
                    y_shuffled[:, k : k + batch_size],
                    learning_rate,
                    per_sample,
                )
            history.loss.append(self._cost(x, y))
            if test_data is not None:
                history.test_loss.append(self._cost(x_test, y_test))
        return history

    def _unpack(self, data: object, name: str) -> tuple[np.ndarray, np.ndarray]:
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError(
                f"{name} must be a pair (x, y) of arrays with shapes (n_in, n) and "
                f"(n_out, n), but got {type(data).__name__}"
                + (f" of length {len(data)}" if isinstance(data, (tuple, list)) else "")
            )
        return self._check_xy(data[0], data[1])
