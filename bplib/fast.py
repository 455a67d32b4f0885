"""The fast path of :meth:`bplib.network.Network.sgd`.

:meth:`Network.backprop` and :meth:`Network.update_batch` are the reference:
short, readable, and what the book teaches.  They allocate a dozen new arrays
per batch and loop over the lists ``weights`` and ``biases`` separately.  On
a small network such as article 000's ``[1, 8, 5, 3, 1]`` that per-batch
bookkeeping, not arithmetic, is most of the time.  :class:`FastTrainer` does
the *same* computation (the same shuffles, the same batches, the same four
equations, so the same weights and loss history up to float rounding) with
less overhead:

* **Biases folded into the matrix product.**  Layer ``l`` keeps one matrix
  ``P = [W | b]`` of shape ``(n_l, n_{l-1} + 1)`` and every activation buffer
  has an extra last row of ones, so ``z = P @ [a; 1] = W a + b`` is one
  matrix product, and ``delta @ [a; 1].T = [delta a^T | sum(delta)]`` gives
  BP4 and BP3 at once.  One update ``P -= step * grad`` moves both.
* **Preallocated buffers, in-place ufuncs.**  Every ``z``, ``a``, ``delta``
  and gradient lives in an array allocated once per batch size (the ragged
  last batch gets its own set) and is overwritten with ``out=`` arguments;
  the views of those arrays that the four equations read are made once too.
* **sigma' from the activations, of every layer in one call.**
  ``sigma'(z) = a (1 - a)`` for the sigmoid, ``1 - a**2`` for tanh, ``a > 0``
  for ReLU (each activation record's ``prime_from_output``, the same kernels
  the layers use): no second ``exp``.  The activations of all layers are
  blocks of one array, so one call gives sigma' of all of them.
* **The step folded into the output error.**  BP2-BP4 are linear in
  ``delta^L``, so multiplying ``delta^L`` once by ``learning_rate / m`` (and
  by the cost's constant, ``Cost.scale``) scales every gradient; the update
  is then a subtraction, and a single one for all layers: every ``[W | b]``
  is a block of one array, ``theta``, and every gradient a block of another.
* **np.dot for the matrix products**: the same BLAS call as ``np.matmul`` for
  these 2-D arrays, with about half its overhead per call on small arrays.
* **Each batch gathered from the shuffled indices.**  The training data are
  copied once per run into one array with a row per *sample*, ``[x | 1 | y]``;
  each batch is then one ``np.take`` of its rows (the samples
  ``order[k : k + m]`` of the epoch's permutation, in that order) into a small
  buffer that stays in the CPU's cache, instead of a copy of the whole
  shuffled data set every epoch.
* **No validation in the hot loop**: inputs are checked once, by
  :meth:`FastTrainer.train` or ``Network.sgd``, never per batch.
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
    TrainingArgs,
    batch_slices,
    check_converging,
    check_run,
)

__all__ = ["FastTrainer", "DTYPES"]


class _Samples:
    """Samples as rows: inputs ``[x | 1]`` and targets ``y``, with their column views.

    ``x_t`` has shape ``(m, n_in + 1)`` (no column of ones when the biases
    are not folded) and ``y_t`` shape ``(m, n_out)``, both C-contiguous, one
    row per sample.  ``x = x_t.T`` is the input with its row of ones in the
    column convention, and ``x_t`` is the ``[a; 1].T`` of BP3 + BP4 for the
    first layer; ``y = y_t.T`` is the target, ``(n_out, m)``.  Views, not
    copies: a ``take`` into ``x_t`` and ``y_t`` updates them.
    """

    def __init__(self, x_t: np.ndarray, y_t: np.ndarray) -> None:
        self.x_t, self.y_t = x_t, y_t
        self.x, self.y = x_t.T, y_t.T


class _Buffers:
    """Work arrays for ``m`` columns, and the views the four equations use.

    The activations of the layers ``l >= 1`` are stacked in one array,
    ``stack``; ``a[l]`` is layer ``l``'s block of it, shape ``(n_l + 1, m)``
    with a last row of ones for hidden layers when the biases are folded in,
    ``(n_l, m)`` otherwise.  ``z[l]`` is where layer ``l + 1``'s weighted
    input goes (the rows of ``a[l + 1]`` above the ones, where the activation
    then overwrites it in place; a separate ``z_out`` for the output layer,
    which the cost may need), and ``out[l]`` where its activation goes.

    With the ``samples`` of a batch, the buffers also serve the backward pass:
    ``a[0]`` is the batch's input ``samples.x``, ``a_t[l]`` is ``a[l].T``;
    ``primes`` has the shape of ``stack``, so that one ``prime_from_output``
    call gives :math:`\\sigma'` of every layer (``prime[l]`` is layer
    ``l + 1``'s; the rows of ones give values nobody reads), and ``delta[l]``
    has shape ``(n_{l+1}, m)``.  Without, they serve the forward passes of
    the recorded losses.
    """

    def __init__(
        self, sizes: list[int], m: int, dtype: np.dtype, aug: bool, samples: _Samples | None = None
    ) -> None:
        last = len(sizes) - 1
        heights = [n + (aug and l < last) for l, n in enumerate(sizes[1:], start=1)]
        tops = np.cumsum([0, *heights])
        self.stack = np.empty((sum(heights), m), dtype=dtype)
        self.a: list[np.ndarray | None] = [None if samples is None else samples.x]
        for top, n, height in zip(tops, sizes[1:], heights):
            block = self.stack[top : top + height]
            block[n:] = 1.0  # the row of ones, if any
            self.a.append(block)
        self.z_out = np.empty((sizes[-1], m), dtype=dtype)
        self.out = [a[:n] for a, n in zip(self.a[1:], sizes[1:])]
        self.z = self.out[:-1] + [self.z_out]
        if samples is not None:
            self.samples = samples
            self.a_t = [a.T for a in self.a]  # [a; 1].T of BP3 + BP4
            self.primes = np.empty_like(self.stack)
            self.prime = [self.primes[top : top + n] for top, n in zip(tops, sizes[1:])]
            self.delta = [np.empty((n, m), dtype=dtype) for n in sizes[1:]]


#: Columns per forward pass of a recorded loss: the activations of a chunk stay in the
#: CPU's cache between the layer's matrix product and its activation function.
LOSS_CHUNK = 256


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

    @staticmethod
    def supports(net: Any) -> bool:
        """Whether ``net``'s activation can run here (it has ``prime_from_output``)."""
        activation = getattr(net, "activation", None)
        return getattr(activation, "prime_from_output", None) is not None

    # ----------------------------------------------------------------- helpers
    def _load(self) -> None:
        """Copy the network's parameters into ``[W | b]`` matrices of the training dtype.

        The matrices are consecutive blocks of one array, ``theta``, and their
        gradients blocks of another, ``gradient``, so that one subtraction
        updates every layer.
        """
        net = self.net
        if self.aug:
            matrices = [np.hstack([w, b]) for w, b in zip(net.weights, net.biases)]
        else:
            matrices = list(net.weights)
        self.theta = np.concatenate([m.ravel() for m in matrices]).astype(self.dtype)
        self.gradient = np.empty_like(self.theta)
        ends = np.cumsum([m.size for m in matrices])
        self.params = [self.theta[end - m.size : end].reshape(m.shape) for m, end in zip(matrices, ends)]
        self.grads = [self.gradient[end - m.size : end].reshape(m.shape) for m, end in zip(matrices, ends)]
        # (W^l).T without the bias column (a view: it follows the updates), for BP2
        self.weights_t = [p[:, : p.shape[1] - 1].T if self.aug else p.T for p in self.params]

    def _samples(self, x: np.ndarray, y: np.ndarray) -> _Samples:
        """Checked column batches ``x``, ``y`` as rows ``[x | 1]`` and ``y`` (copies)."""
        n_in, m = x.shape
        x_t = np.empty((m, n_in + self.aug), dtype=self.dtype)
        for k in range(0, m, 16):  # the transposed copy in blocks of 16 samples: cache-friendly
            x_t[k : k + 16, :n_in] = x[:, k : k + 16].T
        if self.aug:
            x_t[:, n_in] = 1.0
        return _Samples(x_t, np.array(y.T, dtype=self.dtype, order="C"))

    def _forward(self, x: np.ndarray, buf: _Buffers) -> np.ndarray:
        """Forward pass of the columns of ``x`` through ``buf``; returns the output activations.

        The output layer's ``z`` is kept in ``buf.z_out`` (the cost may need it).
        """
        f, dot = self.activation.f, np.dot  # np.dot: half matmul's overhead on small arrays
        a = x
        for p, z, out, a_next in zip(self.params, buf.z, buf.out, buf.a[1:]):
            dot(p, a, z)
            f(z, out=out)
            a = a_next
        return out

    def _loss_pass(self, data: _Samples) -> Any:
        """What :meth:`_mean_cost` needs for ``data``: its targets, chunks and cost vector."""
        n = data.x_t.shape[0]
        buffers: dict[int, _Buffers] = {}
        chunks = []
        for cols in batch_slices(n, LOSS_CHUNK):
            m = cols.stop - cols.start
            if m not in buffers:
                buffers[m] = _Buffers(self.sizes, m, self.dtype, self.aug)
            chunks.append((data.x[:, cols], cols, buffers[m]))
        # the targets as one C-ordered array: the cost sums as in Network.loss
        return np.ascontiguousarray(data.y), chunks, np.empty(n, dtype=self.dtype)

    def _mean_cost(self, loss_pass: Any) -> float:
        """Mean cost per sample of a data set (as ``Network.loss``), one chunk at a time."""
        y, chunks, costs = loss_pass
        fn = self.cost.fn
        for x, cols, buf in chunks:
            costs[cols] = fn(self._forward(x, buf), y[:, cols], buf.z_out)
        return float(costs.mean())

    def _step(self, buf: _Buffers, step: float) -> None:
        """One SGD step on the batch in ``buf.samples``: the four equations, then the update.

        ``step`` is ``learning_rate / m`` times the cost's constant ``Cost.scale``.
        """
        dot, multiply = np.dot, np.multiply
        prime_from_output = self.activation.prime_from_output
        weights_t, grads = self.weights_t, self.grads
        a_t, primes, deltas = buf.a_t, buf.prime, buf.delta

        a_out = self._forward(buf.a[0], buf)
        # sigma'(z^l) of every layer at once, from the stacked activations a^l
        prime_from_output(buf.stack, out=buf.primes)
        # BP1, already multiplied by the step: delta^L = step (a - y) ⊙ sigma'(z^L)
        delta = deltas[-1]
        np.subtract(a_out, buf.samples.y, out=delta)
        if not self.cost.cancels_prime:  # for the cross-entropy sigma' cancels
            multiply(delta, primes[-1], out=delta)
        multiply(delta, step, out=delta)

        for l in range(len(grads) - 1, -1, -1):
            # BP3 + BP4 in one product: delta @ [a; 1].T = [delta a^T | sum delta]
            dot(delta, a_t[l], grads[l])
            if l > 0:
                # BP2 with the weights *before* this step's update
                delta_prev = deltas[l - 1]
                dot(weights_t[l], delta, delta_prev)
                multiply(delta_prev, primes[l - 1], out=delta_prev)
                delta = delta_prev
        # the update of every layer at once: theta holds all the [W | b], gradient their grads
        np.subtract(self.theta, self.gradient, out=self.theta)

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
        run = check_run(self.net, (x, y), epochs, batch_size, learning_rate, seed,
                        test_data=test_data, names=("x", "y"))
        return self._train(run.x, run.y, run.args, run.test_data)

    def _train(
        self,
        x: np.ndarray,
        y: np.ndarray,
        args: TrainingArgs,
        test_data: tuple[np.ndarray, np.ndarray] | None,
    ) -> History:
        """:meth:`train` on inputs already checked (``Network.sgd`` checks them once)."""
        sizes, dtype, aug = self.sizes, self.dtype, self.aug
        data = self._samples(x, y)
        n = data.x_t.shape[0]
        train_loss = self._loss_pass(data)
        if test_data is not None:
            test_loss = self._loss_pass(self._samples(*test_data))

        # batches as (columns of the permutation, step, buffers); the last one may be ragged
        scale = self.cost.scale(sizes[-1])
        buffers: dict[int, _Buffers] = {}
        batches = []
        for cols in batch_slices(n, args.batch_size):
            m = cols.stop - cols.start
            if m not in buffers:
                batch = _Samples(np.empty((m, data.x_t.shape[1]), dtype), np.empty((m, sizes[-1]), dtype))
                buffers[m] = _Buffers(sizes, m, dtype, aug, batch)
            batches.append((cols, args.learning_rate / m * scale, buffers[m]))

        self._load()
        rng = np.random.default_rng(args.seed)
        history = History()
        take_x, take_y, train_step = data.x_t.take, data.y_t.take, self._step
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # divergence is checked per epoch
                for epoch in range(args.epochs):
                    order = rng.permutation(n)
                    for cols, step, buf in batches:
                        # the batch's samples, in the order of the permutation; mode="clip"
                        # lets take write straight into out (order is always in range)
                        batch = order[cols]
                        take_x(batch, 0, buf.samples.x_t, "clip")
                        take_y(batch, 0, buf.samples.y_t, "clip")
                        train_step(buf, step)
                    history.loss.append(self._mean_cost(train_loss))
                    check_converging(history.loss[-1], epoch, args.learning_rate)
                    if test_data is not None:
                        history.test_loss.append(self._mean_cost(test_loss))
        finally:
            self._write_back()
        return history
