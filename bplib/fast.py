"""The fast path of :meth:`bplib.network.Network.sgd`.

:meth:`Network.backprop` and :meth:`Network.update_batch` are the reference:
short, readable, and what the book teaches.  They allocate a dozen new arrays
per batch, validate their inputs on every call and loop over the
lists ``weights`` and ``biases`` separately.  On a small network such as
article 000's ``[1, 8, 5, 3, 1]`` that per-batch bookkeeping, not arithmetic,
is most of the time.  :class:`FastTrainer` does the *same* computation (the
same shuffles, the same batches, the same four equations, so the same weights
and loss history up to float rounding) with less overhead:

* **Biases folded into the matrix product.**  Layer ``l`` keeps one matrix
  ``P = [W | b]`` of shape ``(n_l, n_{l-1} + 1)`` and every activation buffer
  has an extra last row of ones, so ``z = P @ [a; 1] = W a + b`` is one
  matrix product, and ``delta @ [a; 1].T = [delta a^T | sum(delta)]`` gives
  BP4 and BP3 at once.  One update ``P -= step * grad`` moves both.
* **Preallocated buffers, in-place ufuncs.**  Every ``z``, ``a``, ``delta``
  and gradient lives in an array allocated once per batch size (the ragged
  last batch gets its own set) and is overwritten with ``out=`` arguments.
* **sigma' from the activations.**  ``sigma'(z) = a (1 - a)`` for the sigmoid,
  ``1 - a**2`` for tanh, ``a > 0`` for ReLU (each activation record's
  ``prime_from_output``, the same kernels the layers use): no second ``exp``.
* **The step folded into the output error.**  BP2-BP4 are linear in
  ``delta^L``, so multiplying ``delta^L`` once by ``learning_rate / m`` (and
  by the cost's constant, ``Cost.scale``) scales every gradient; the update
  is then a single subtraction per layer.
* **One shuffle per epoch** with ``np.take(..., out=)`` into a preallocated
  array; the batches are column slices of it (views, no copies).
* **No validation in the hot loop**: inputs are checked once, in :meth:`FastTrainer.train`.
* **float32 as an option** (``dtype="float32"``): half the memory traffic and
  about twice the BLAS throughput, at float32 precision.  The default is
  float64, which gives the same results as the reference path.

The trainer works on its own copies of the parameters and writes them back
into ``net.weights`` and ``net.biases`` *in place* at the end, so arrays a
caller holds keep referring to the network's parameters, as with the
reference path.

This module does not import :mod:`bplib.network`: the trainer reads a
network's ``sizes``, ``weights``, ``biases``, ``bias``, ``activation`` (an
:class:`~bplib.activations.Activation` record) and ``cost_function`` (a
:class:`~bplib.costs.Cost`).  ``Network.sgd`` decides when to use it (see
:meth:`bplib.network.Network.uses_fast_path`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_dtype_name
from .training import (
    DTYPES,
    History,
    batch_slices,
    check_columns,
    check_converging,
    check_training_args,
    unpack_data,
)

__all__ = ["FastTrainer", "DTYPES"]


class _Buffers:
    """Work arrays for batches of ``m`` columns.

    ``a[l]`` holds the activations of layer ``l`` for ``l >= 1``, shape
    ``(n_l + 1, m)`` with a last row of ones for hidden layers when the
    biases are folded in, ``(n_l, m)`` otherwise (``a[0]`` is the input).
    ``delta[l]`` and ``tmp[l]`` have shape ``(n_l, m)``; ``z_out`` keeps the
    output layer's ``z`` for the cost.
    """

    def __init__(self, sizes: list[int], m: int, dtype: np.dtype, aug: bool) -> None:
        last = len(sizes) - 1
        self.a: list[np.ndarray | None] = [None]
        for l in range(1, last + 1):
            extra = 1 if (aug and l < last) else 0
            buf = np.empty((sizes[l] + extra, m), dtype=dtype)
            if extra:
                buf[-1] = 1.0
            self.a.append(buf)
        self.delta = [None] + [np.empty((n, m), dtype=dtype) for n in sizes[1:]]
        self.tmp = [None] + [np.empty((n, m), dtype=dtype) for n in sizes[1:]]
        self.z_out = np.empty((sizes[-1], m), dtype=dtype)


class FastTrainer:
    """Mini-batch SGD for a :class:`~bplib.network.Network`, with low overhead.

    Computes exactly what ``Network.sgd(fast=False)`` computes (same shuffles,
    batches and update rule, the same activation and cost records), so the
    weights and the loss history agree with it up to float rounding (about
    1e-15 in float64).  Using it directly trains ``net`` even if ``net``'s
    class overrides ``update_batch`` or ``backprop``: that is an explicit
    choice; ``Network.sgd`` only makes it when nothing is overridden.

    Parameters
    ----------
    net : Network
        The network to train; its activation needs a ``prime_from_output``
        (every named activation has one; see :meth:`supports`).
    dtype : {"float64", "float32"} or numpy dtype, default "float64"
        Precision of the training arithmetic.  The trained parameters are
        written back into ``net`` as float64 either way.

    Examples
    --------
    >>> import numpy as np
    >>> from bplib.network import Network
    >>> x = np.linspace(-1, 1, 10).reshape(1, 10)
    >>> y = (x + 1) / 2
    >>> net = Network([1, 3, 1], cost="mse", seed=0)
    >>> h = FastTrainer(net).train(x, y, epochs=2, batch_size=4, learning_rate=0.1)
    >>> len(h.loss)
    2
    """

    def __init__(self, net: Any, dtype: object = "float64") -> None:
        if not self.supports(net):
            raise ValueError(
                "FastTrainer needs a Network whose activation has a prime_from_output "
                f"(a named activation such as 'sigmoid'), but got {net!r}"
            )
        self.net = net
        self.dtype = np.dtype(as_dtype_name(dtype, DTYPES))
        self.aug = net.bias  # fold biases into the matrices?
        self.sizes = list(net.sizes)
        self.activation = net.activation
        self.cost = net.cost_function
        self._buffers: dict[int, _Buffers] = {}

    @staticmethod
    def supports(net: Any) -> bool:
        """Whether ``net``'s activation can run here (it has ``prime_from_output``)."""
        activation = getattr(net, "activation", None)
        return getattr(activation, "prime_from_output", None) is not None

    # ----------------------------------------------------------------- helpers
    def _load(self) -> None:
        """Copy the network's parameters into ``[W | b]`` matrices of the training dtype."""
        net = self.net
        if self.aug:
            self.params = [np.hstack([w, b]).astype(self.dtype) for w, b in zip(net.weights, net.biases)]
        else:
            self.params = [np.array(w, dtype=self.dtype) for w in net.weights]
        # W^l without the bias column (a view), for BP2
        self.weights = [p[:, : p.shape[1] - 1] if self.aug else p for p in self.params]
        self.grads = [np.empty_like(p) for p in self.params]

    def _buffers_for(self, m: int) -> _Buffers:
        buf = self._buffers.get(m)
        if buf is None:
            buf = self._buffers[m] = _Buffers(self.sizes, m, self.dtype, self.aug)
        return buf

    def _with_ones(self, x: np.ndarray) -> np.ndarray:
        """``x`` in the training dtype, with a row of ones appended if biases are folded."""
        if not self.aug:
            return np.ascontiguousarray(x, dtype=self.dtype)
        out = np.empty((x.shape[0] + 1, x.shape[1]), dtype=self.dtype)
        out[:-1] = x
        out[-1] = 1.0
        return out

    def _forward(self, x: np.ndarray, buf: _Buffers) -> np.ndarray:
        """Forward pass of the columns of ``x`` into ``buf``; returns the output activations.

        The output layer's ``z`` is kept in ``buf.z_out`` (the cost may need it).
        """
        f, matmul = self.activation.f, np.matmul
        a = x
        last = len(self.params) - 1
        for l, p in enumerate(self.params):
            out = buf.a[l + 1]
            z = out[: p.shape[0]] if l < last else buf.z_out  # the rows above the ones row
            matmul(p, a, out=z)
            f(z, out=out[: p.shape[0]])
            a = out
        return a

    def _mean_cost(self, x: np.ndarray, y: np.ndarray, buf: _Buffers) -> float:
        """Mean cost per sample over the columns of ``x`` (as ``Network.cost``)."""
        a_out = self._forward(x, buf)
        return float(np.mean(self.cost.fn(a_out, y, buf.z_out)))

    def _step(self, x: np.ndarray, y: np.ndarray, step: float, buf: _Buffers) -> None:
        """One SGD step on the batch ``(x, y)``: the four equations, then the update.

        ``step`` is ``learning_rate / m`` times the cost's constant ``Cost.scale``.
        """
        matmul, multiply = np.matmul, np.multiply
        prime_from_output = self.activation.prime_from_output
        params, weights, grads = self.params, self.weights, self.grads
        a_bufs, deltas, tmps = buf.a, buf.delta, buf.tmp

        a_out = self._forward(x, buf)
        # BP1, already multiplied by the step: delta^L = step (a - y) ⊙ sigma'(z^L)
        delta = deltas[-1]
        np.subtract(a_out, y, out=delta)
        if not self.cost.cancels_prime:  # for the cross-entropy sigma' cancels
            multiply(delta, prime_from_output(a_out, out=tmps[-1]), out=delta)
        multiply(delta, step, out=delta)

        for l in range(len(params) - 1, -1, -1):
            a_prev = a_bufs[l] if l > 0 else x
            # BP3 + BP4 in one product: delta @ [a; 1].T = [delta a^T | sum delta]
            matmul(delta, a_prev.T, out=grads[l])
            if l > 0:
                # BP2 with the weights *before* this step's update
                n = weights[l].shape[1]
                delta_prev = deltas[l]
                matmul(weights[l].T, delta, out=delta_prev)
                multiply(delta_prev, prime_from_output(a_prev[:n], out=tmps[l]), out=delta_prev)
                delta = delta_prev
            np.subtract(params[l], grads[l], out=params[l])

    def _write_back(self) -> None:
        """Copy the trained parameters into ``net.weights``/``net.biases`` in place."""
        for w, b, p in zip(self.net.weights, self.net.biases, self.params):
            w[...] = p[:, : w.shape[1]]
            if self.aug:
                b[...] = p[:, -1:]

    # -------------------------------------------------------------------- train
    def train(
        self,
        x: ArrayLike,
        y: ArrayLike,
        epochs: int,
        batch_size: int,
        learning_rate: float,
        seed: int = 0,
        test_data: tuple[ArrayLike, ArrayLike] | list | None = None,
    ) -> History:
        """Run ``epochs`` epochs of mini-batch SGD, as ``Network.sgd`` does.

        Parameters
        ----------
        x : array_like, shape (n_in, n)
        y : array_like, shape (n_out, n)
        epochs, batch_size : int >= 1
        learning_rate : float > 0
        seed : int >= 0, default 0
            Seed of the shuffling generator.
        test_data : tuple (X, Y) or list of (x, y) pairs, optional
            Its mean cost is recorded after every epoch.

        Returns
        -------
        History
            The mean training cost (and test cost) after every epoch.

        Raises
        ------
        ValueError
            For bad input (the message names the argument).
        bplib.training.TrainingDiverged
            If the cost stops being a finite number; the trained parameters
            are still written back into the network.
        """
        sizes = self.sizes
        x, y = check_columns(x, y, sizes[0], sizes[-1])
        args = check_training_args(epochs, batch_size, learning_rate, seed)
        n = x.shape[1]
        x_aug, y_c = self._with_ones(x), np.ascontiguousarray(y, dtype=self.dtype)
        x_shuf, y_shuf = np.empty_like(x_aug), np.empty_like(y_c)
        full = self._buffers_for(n)
        if test_data is not None:
            xt, yt = unpack_data(test_data, sizes[0], sizes[-1], "test_data")
            xt_aug, yt_c = self._with_ones(xt), np.ascontiguousarray(yt, dtype=self.dtype)
            test_buf = _Buffers(sizes, xt_aug.shape[1], self.dtype, self.aug)

        # batches as (slice, step, buffers); the last one may be ragged
        scale = self.cost.scale(sizes[-1])
        batches = []
        for cols in batch_slices(n, args.batch_size):
            m = cols.stop - cols.start
            batches.append((cols, args.learning_rate / m * scale, self._buffers_for(m)))

        self._load()
        rng = np.random.default_rng(args.seed)
        history = History()
        take, train_step = np.take, self._step
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # divergence is checked per epoch
                for epoch in range(args.epochs):
                    order = rng.permutation(n)
                    # mode="clip" lets take write straight into out (the default
                    # mode="raise" goes through a temporary); order is always in range
                    take(x_aug, order, axis=1, out=x_shuf, mode="clip")
                    take(y_c, order, axis=1, out=y_shuf, mode="clip")
                    for cols, step, buf in batches:
                        train_step(x_shuf[:, cols], y_shuf[:, cols], step, buf)
                    history.loss.append(self._mean_cost(x_aug, y_c, full))
                    check_converging(history.loss[-1], epoch, args.learning_rate)
                    if test_data is not None:
                        history.test_loss.append(self._mean_cost(xt_aug, yt_c, test_buf))
        finally:
            self._write_back()
        return history
