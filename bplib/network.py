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

Costs (per sample, i.e. per column; :meth:`Network.loss` averages over
samples) are the objects of :mod:`bplib.costs`: ``"quadratic"``, ``"mse"``
and ``"binary_cross_entropy"``.

Training, the *taught chain*: :meth:`Network.sgd` checks its arguments once,
then calls ``self.update_batch(x, y, learning_rate)`` on each batch, which
calls ``self.backprop(x, y)`` (Nielsen's chain, the *reference path*), and
records ``self.loss(x, y)`` after each epoch.  A subclass (or an instance)
may override any of them with those signatures, and its method is called;
what is not overridden runs as an unchecked private kernel (``_update_batch``,
``_backprop``, ...) on the arrays ``sgd`` checked, so nothing is checked twice.
The public methods called directly check their input and call the same kernels.
When none of those methods is overridden the same computation runs on the
*fast path*, :class:`bplib.fast.FastTrainer`, equal to the reference to float
rounding; :meth:`Network.uses_fast_path` says which path ``sgd`` takes, and
``sgd(fast=False)`` always takes the reference path.

Vocabulary: ``x`` input, ``z`` weighted input, ``a`` activation (the output
``a^L`` is the prediction), ``y`` target.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_bool, check_positive, check_seed, warn_deprecated
from .activations import Activation, get_activation
from .costs import Cost, get_cost
from .fast import FastTrainer
from .training import History, TrainingRun, batch_slices, check_columns, check_converging, check_run

__all__ = ["Network", "History"]

ActivationPair = tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]

# The taught chain: the public methods ``sgd`` calls, each with an unchecked kernel
# ``_<name>``.  An override of either (in a subclass or on an instance), or of
# ``_forward``, makes ``sgd`` take the reference path, so the override runs.
_TAUGHT_CHAIN = ("update_batch", "backprop", "backprop_per_sample", "loss")


def _as_activation(activation: object) -> Activation:
    """A name, an :class:`Activation` record or a pair ``(f, f_prime)`` as a record."""
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str):
        return get_activation(activation)
    if isinstance(activation, tuple) and len(activation) == 2 and all(map(callable, activation)):
        f, f_prime = activation
        return Activation(getattr(f, "__name__", "custom"), lambda z, out=None: f(z), f_prime)
    raise ValueError(
        "activation must be a name such as 'sigmoid', an Activation record or a pair "
        f"(f, f_prime) of functions, but got {activation!r}"
    )


class Network:
    """A fully connected feed-forward network (Nielsen's column convention).

    Parameters
    ----------
    sizes : sequence of int
        Units per layer, input layer first, e.g. ``[1, 8, 5, 3, 1]``.
    activation : str, Activation or (f, f_prime), default "sigmoid"
        Activation used by every layer: ``"sigmoid"``, ``"relu"``, ``"tanh"``
        or ``"identity"`` (see :data:`bplib.activations.ACTIVATIONS`), or a
        pair of functions ``(f, f_prime)`` of ``z`` (trained on the reference path).
    cost : str or Cost, default "quadratic"
        ``"quadratic"``, ``"mse"`` or ``"binary_cross_entropy"`` (see
        :mod:`bplib.costs`; the binary cross-entropy needs ``activation="sigmoid"``).
    seed : int >= 0, default 0
        Seed for ``np.random.default_rng``; weights and biases are drawn from
        the standard normal distribution like Nielsen's (biases first).
    bias : bool, default True
        ``bias=False`` builds a network without biases (articles 001 and 003):
        ``biases`` are then zero arrays that are never updated, and
        ``backprop`` returns zero bias gradients.

    Attributes
    ----------
    sizes : list of int
    num_layers : int
        ``len(sizes)``, counting the input layer.
    weights : list of numpy.ndarray
        ``weights[l]`` has shape ``(sizes[l+1], sizes[l])``.
    biases : list of numpy.ndarray
        ``biases[l]`` has shape ``(sizes[l+1], 1)``.
    activation : Activation
        The activation record (``activation.name``, ``activation.f``, ...).
    cost_function : Cost
        The cost object (``cost_function.name``, ``fn``, ``delta``).
    bias : bool
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | Activation | ActivationPair = "sigmoid",
        cost: str | Cost = "quadratic",
        seed: int = 0,
        bias: bool = True,
    ) -> None:
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (Sequence, np.ndarray)):
            raise ValueError(
                "sizes must be a list of layer sizes such as [2, 3, 1] (input layer first), "
                f"but got {type(sizes).__name__} {sizes!r}"
            )
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(
                f"sizes must list at least 2 layers (input and output), but got {sizes!r}"
            )
        for i, n in enumerate(sizes):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"sizes[{i}] must be a positive integer, but got {n!r}")
        self.sizes = [int(n) for n in sizes]
        self.num_layers = len(self.sizes)
        self.activation = _as_activation(activation)
        self.cost_function = get_cost(cost)
        needed = self.cost_function.activation
        if needed is not None and self.activation.name != needed:
            raise ValueError(
                f"cost={self.cost_function.name!r} is computed for {needed} outputs, so it "
                f"needs activation={needed!r}, but got activation={self.activation.name!r}"
            )
        self.bias = check_bool(bias, "bias")
        rng = np.random.default_rng(check_seed(seed))
        self.biases = [rng.standard_normal((n, 1)) for n in self.sizes[1:]]
        self.weights = [
            rng.standard_normal((n_out, n_in))
            for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])
        ]
        if not self.bias:
            self.biases = [np.zeros((n, 1)) for n in self.sizes[1:]]

    @property
    def cost_name(self) -> str:
        """Deprecated: the name of the cost is ``cost_function.name``."""
        warn_deprecated("Network.cost_name is deprecated; use Network.cost_function.name")
        return self.cost_function.name

    @classmethod
    def from_weights(
        cls,
        weights: Sequence[ArrayLike],
        biases: Sequence[ArrayLike] | None = None,
        activation: str | Activation | ActivationPair = "sigmoid",
        cost: str | Cost = "quadratic",
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
        if weights is None or len(weights) == 0:
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
            f"Network(sizes={self.sizes}, activation={self.activation.name!r}, "
            f"cost={self.cost_function.name!r}, bias={self.bias})"
        )

    # ------------------------------------------------------------------ checks
    def _check_xy(self, x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """x, y as 2-D column batches (n_in, m) and (n_out, m), y a valid target."""
        x, y = check_columns(x, y, self.sizes[0], self.sizes[-1])
        self.cost_function.check_target(y)
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
        a = as_float_array(a, "x", ndims=(1, 2))
        _, activations = self.forward(a)
        return activations[-1][:, 0] if a.ndim == 1 else activations[-1]

    def forward(self, x: ArrayLike) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The forward pass, keeping what the backward pass needs: every ``z^l`` and ``a^l``.

        Parameters
        ----------
        x : array_like, shape (n_in, m) or (n_in,)
            ``m`` samples as columns.

        Returns
        -------
        zs : list of numpy.ndarray
            ``zs[l]`` is the weighted input of layer ``l + 1``, shape ``(sizes[l+1], m)``.
        activations : list of numpy.ndarray
            ``activations[0]`` is ``x`` as a column batch, ``activations[l]`` the
            activation of layer ``l``, shape ``(sizes[l], m)``.
        """
        x = as_float_array(x, "x", ndims=(1, 2))
        if x.shape[0] != self.sizes[0]:
            raise ValueError(
                f"x has {x.shape[0]} rows but the network's input layer has "
                f"{self.sizes[0]} units (x.shape={x.shape})"
            )
        return self._forward(x.reshape(self.sizes[0], -1))

    def _forward(self, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Forward pass keeping every ``z^l`` and ``a^l`` (``activations[0] = x``)."""
        f = self.activation.f
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = w @ activation + b
            zs.append(z)
            activation = f(z)
            activations.append(activation)
        return zs, activations

    # ------------------------------------------------------------------- loss
    def loss(self, x: ArrayLike, y: ArrayLike) -> float:
        """Mean cost per sample over the columns of ``x``.

        ``loss`` is the word of the gradient-check protocol (``params``,
        ``loss``, ``gradient``) that every model of ``bplib`` speaks; the cost
        of one sample is ``cost_function.fn`` (Nielsen's :math:`C_x`).

        Parameters
        ----------
        x : array_like, shape (n_in, m) or (n_in,)
        y : array_like, shape (n_out, m) or (n_out,)
            Targets.

        Returns
        -------
        float
        """
        x, y = self._check_xy(x, y)
        return self._loss(x, y)

    def _loss(self, x: np.ndarray, y: np.ndarray) -> float:
        """:meth:`loss` of checked column batches."""
        zs, activations = self._forward(x)
        return float(np.mean(self.cost_function.fn(activations[-1], y, zs[-1])))

    def cost(self, x: ArrayLike, y: ArrayLike) -> float:
        """Deprecated name of :meth:`loss` (the same mean cost)."""
        warn_deprecated("Network.cost is deprecated; use Network.loss (the same mean cost per sample)")
        return self.loss(x, y)

    # ----------------------------------------------- the gradient-check protocol
    @property
    def params(self) -> dict[str, np.ndarray]:
        """The parameters by name, ``w0, b0, w1, b1, ...`` (no ``b`` when ``bias=False``).

        The arrays are the network's own (changing one in place changes the
        network), which is what :func:`bplib.gradcheck.check_gradients` needs.
        """
        out: dict[str, np.ndarray] = {}
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            out[f"w{i}"] = w
            if self.bias:
                out[f"b{i}"] = b
        return out

    def gradient(self, x: ArrayLike, y: ArrayLike) -> dict[str, np.ndarray]:
        """Gradients of :meth:`loss` (the *mean* cost) by name, as :attr:`params`.

        :meth:`backprop` returns sums over the samples; this divides by their number.
        """
        x, y = self._check_xy(x, y)
        nabla_b, nabla_w = self._taught("backprop")(x, y)
        m = x.shape[1]
        grads = {f"w{i}": nw / m for i, nw in enumerate(nabla_w)}
        grads.update({f"b{i}": nb / m for i, nb in enumerate(nabla_b)})
        return {name: grads[name] for name in self.params}

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
        """:meth:`backprop` of checked column batches."""
        nabla_b = [np.zeros_like(b) for b in self.biases]
        nabla_w = [np.zeros_like(w) for w in self.weights]
        zs, activations = self._forward(x)

        # BP1: error at the output layer, shape (n_out, m)
        delta = self.cost_function.delta(activations[-1], y, zs[-1], self.activation)
        # BP3 (summed over the m columns) and BP4 (delta @ a.T sums over them too)
        nabla_b[-1] = delta.sum(axis=1, keepdims=True)
        nabla_w[-1] = delta @ activations[-2].T

        # walk back through the hidden layers: l = 2 is the last hidden layer
        for l in range(2, self.num_layers):
            # BP2: pull the error back through W^{l+1}, then through sigma'
            delta = (self.weights[-l + 1].T @ delta) * self.activation.prime(zs[-l])
            nabla_b[-l] = delta.sum(axis=1, keepdims=True)  # BP3
            nabla_w[-l] = delta @ activations[-l - 1].T  # BP4

        if not self.bias:
            nabla_b = [np.zeros_like(b) for b in self.biases]
        return nabla_b, nabla_w

    def backprop_per_sample(
        self, x: ArrayLike, y: ArrayLike
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Same result as :meth:`backprop`, one sample at a time (article 000's loop).

        Each column of ``x`` is passed through :meth:`backprop` as an
        ``(n_in, 1)`` array and the gradients are added up, exactly like the
        source article's ``update_batch``.  It is slower; it exists so the
        vectorised version can be compared with it.

        Parameters, Returns
            As for :meth:`backprop`.
        """
        x, y = self._check_xy(x, y)
        return self._backprop_per_sample(x, y)

    def _backprop_per_sample(
        self, x: np.ndarray, y: np.ndarray
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """:meth:`backprop_per_sample` of checked column batches."""
        backprop = self._taught("backprop")
        nabla_b = [np.zeros_like(b) for b in self.biases]
        nabla_w = [np.zeros_like(w) for w in self.weights]
        for j in range(x.shape[1]):
            delta_nabla_b, delta_nabla_w = backprop(x[:, j : j + 1], y[:, j : j + 1])
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
        self._update_batch(x, y, learning_rate, per_sample=check_bool(per_sample, "per_sample"))

    def _update_batch(
        self, x: np.ndarray, y: np.ndarray, learning_rate: float, per_sample: bool = False
    ) -> None:
        """:meth:`update_batch` of checked column batches and a checked learning rate."""
        backprop = self._taught("backprop_per_sample" if per_sample else "backprop")
        nabla_b, nabla_w = backprop(x, y)
        step = learning_rate / x.shape[1]
        for w, nw in zip(self.weights, nabla_w):
            w -= step * nw
        if self.bias:
            for b, nb in zip(self.biases, nabla_b):
                b -= step * nb

    def uses_fast_path(self, per_sample: bool = False) -> bool:
        """Whether :meth:`sgd` (with ``fast=True``) runs on :class:`bplib.fast.FastTrainer`.

        True only when the fast path computes what the reference chain
        ``sgd -> update_batch -> backprop`` computes: no method of that chain
        (nor ``backprop_per_sample``, ``loss``, their private kernels or
        ``_forward``) is overridden in ``type(self)`` or set on the instance,
        the activation has a ``prime_from_output``, the cost is of the form
        ``s (a - y)`` (its ``delta`` and ``gradient`` are not overridden), and
        ``per_sample`` is False.  An override is therefore never bypassed.
        """
        if per_sample or not FastTrainer.supports(self):
            return False
        cost_type = type(self.cost_function)
        if cost_type.delta is not Cost.delta or cost_type.gradient is not Cost.gradient:
            return False
        names = [*_TAUGHT_CHAIN, *(f"_{name}" for name in _TAUGHT_CHAIN), "_forward"]
        return not any(self._overrides(name) for name in names)

    def _overrides(self, name: str) -> bool:
        """Whether the method ``name`` is overridden in ``type(self)`` or set on the instance."""
        return getattr(type(self), name) is not getattr(Network, name) or name in vars(self)

    def _taught(self, name: str) -> Callable:
        """The method ``name`` of the taught chain as the chain calls it.

        The reader's override of the public method when there is one (it
        checks its input or not, as its author wrote it), else the unchecked
        kernel ``_<name>``: the arrays reaching it were checked by the caller.
        """
        return getattr(self, name if self._overrides(name) else f"_{name}")

    def sgd(
        self,
        training_data: tuple[ArrayLike, ArrayLike] | list,
        epochs: int,
        batch_size: int,
        learning_rate: float,
        seed: int = 0,
        per_sample: bool = False,
        test_data: tuple[ArrayLike, ArrayLike] | list | None = None,
        fast: bool = True,
        dtype: str | type = "float64",
    ) -> History:
        """Train with mini-batch stochastic gradient descent.

        ``sgd`` checks its arguments once.  Each epoch shuffles the samples
        with ``np.random.default_rng(seed)`` (one generator for the whole run),
        cuts them into batches of ``batch_size`` columns (the last batch may be
        smaller and then uses its real size), calls
        ``self.update_batch(x, y, learning_rate)`` on each batch, and records
        ``self.loss`` of the training data (and of ``test_data``).  Nothing is
        printed.

        That loop, with :meth:`update_batch` and :meth:`backprop`, is the
        *reference path*.  Its methods may be overridden with the signatures
        ``update_batch(self, x, y, learning_rate)``, ``backprop(self, x, y)``
        and ``loss(self, x, y)``, and the override is called (with checked
        float64 column batches); what is not overridden runs as its unchecked
        kernel.  With ``fast=True`` (the default) the same computation runs on
        the *fast path*, :class:`bplib.fast.FastTrainer`, whenever
        :meth:`uses_fast_path` is True (nothing overridden); it gives the same
        weights and loss history up to float rounding (tested to 1e-12).

        Parameters
        ----------
        training_data : tuple (X, Y) or list of (x, y) pairs
            A tuple of two arrays, ``X`` of shape (n_in, n) and ``Y`` of shape
            (n_out, n), or a list (or ``zip``) of ``(x, y)`` pairs of column
            vectors, one per sample, as in Nielsen's book.  The container type
            decides: a tuple is ``(X, Y)``, anything else is a list of pairs.
        epochs, batch_size : int >= 1
        learning_rate : float > 0
        seed : int >= 0, default 0
            Seed of the shuffling generator.
        per_sample : bool, default False
            Use the per-sample loop: ``update_batch(x, y, learning_rate,
            per_sample=True)``, which calls :meth:`backprop_per_sample`.  Same
            shuffles, so the same result up to float rounding.
        test_data : same forms as training_data, or None
            If given, its mean cost is recorded after every epoch.
        fast : bool, default True
            Use the fast path when it applies; ``fast=False`` forces the
            reference path (what the book's chapters on backprop describe).
        dtype : {"float64", "float32"} or numpy dtype, default "float64"
            Precision of the fast path's arithmetic; ``"float32"`` is faster
            on large layers but only float32-accurate.  It needs the fast path.

        Returns
        -------
        History
            ``history.loss[e]`` is the mean training cost after epoch ``e``.

        Raises
        ------
        ValueError
            For bad input; the message names the argument.
        TypeError
            For ``per_sample=True`` with an override of ``update_batch`` that
            takes no ``per_sample``.
        bplib.training.TrainingDiverged
            If the cost stops being finite; the message names the epoch and
            suggests a smaller learning rate (on both paths).
        """
        run = check_run(self, training_data, epochs, batch_size, learning_rate, seed, dtype,
                        test_data)
        per_sample = check_bool(per_sample, "per_sample")
        use_fast = check_bool(fast, "fast") and self.uses_fast_path(per_sample)
        if run.args.dtype != "float64" and not use_fast:
            raise ValueError(
                f"dtype={run.args.dtype!r} needs the fast path (fast=True, per_sample=False, a "
                f"named activation and no overridden training method), but got fast={fast!r}, "
                f"per_sample={per_sample!r}, activation={self.activation.name!r}"
            )
        if use_fast:
            return FastTrainer(self, dtype=run.args.dtype)._train(run.x, run.y, run.args,
                                                                  run.test_data)
        return self._sgd(run, per_sample)

    def _sgd(self, run: TrainingRun, per_sample: bool) -> History:
        """The reference path of :meth:`sgd` on checked inputs: the taught chain."""
        update_batch, loss = self._taught("update_batch"), self._taught("loss")
        options = {}
        if per_sample:  # the book's update_batch(x, y, learning_rate) is called without it
            if not _takes_keyword(update_batch, "per_sample"):
                raise TypeError(
                    f"sgd(per_sample=True) calls update_batch(x, y, learning_rate, "
                    f"per_sample=True), but {type(self).__name__}.update_batch takes no "
                    "per_sample argument; call sgd without per_sample, or override "
                    "backprop_per_sample instead"
                )
            options["per_sample"] = True
        x, y, args = run.x, run.y, run.args
        rng = np.random.default_rng(args.seed)
        n = x.shape[1]
        history = History()
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is checked per epoch
            for epoch in range(args.epochs):
                order = rng.permutation(n)
                for cols in batch_slices(n, args.batch_size):
                    batch = order[cols]  # the batch's samples, in the permutation's order
                    update_batch(x[:, batch], y[:, batch], args.learning_rate, **options)
                history.loss.append(loss(x, y))
                check_converging(history.loss[-1], epoch, args.learning_rate)
                if run.test_data is not None:
                    history.test_loss.append(loss(*run.test_data))
        return history


def _takes_keyword(method: Callable, name: str) -> bool:
    """Whether ``method`` accepts the keyword argument ``name`` (or any ``**kwargs``)."""
    parameters = inspect.signature(method).parameters.values()
    return any(
        (p.name == name and p.kind is not p.POSITIONAL_ONLY) or p.kind is p.VAR_KEYWORD
        for p in parameters
    )
