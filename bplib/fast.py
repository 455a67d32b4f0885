"""The fast path of :meth:`bplib.network.Network.sgd`.

:meth:`Network._backprop` and :meth:`Network._update_batch` are the reference:
short, readable, and what the book teaches.  They allocate a dozen new arrays
per batch, validate their inputs on every activation call and loop over the
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
  ``1 - a**2`` for tanh, ``a > 0`` for ReLU: no second ``exp`` per layer.
* **The step folded into the output error.**  BP2-BP4 are linear in
  ``delta^L``, so multiplying ``delta^L`` once by ``learning_rate / m`` (and
  by ``2 / n_out`` for the ``"mse"`` cost) scales every gradient; the update
  is then a single subtraction per layer.
* **One shuffle per epoch** with ``np.take(..., out=)`` into a preallocated
  array; the batches are column slices of it (views, no copies).
* **No validation in the hot loop**: inputs are checked once, in ``sgd``.
* **float32 as an option** (``dtype="float32"``): half the memory traffic and
  about twice the BLAS throughput, at float32 precision.  The default is
  float64, which gives the same results as the reference path.

The trainer works on its own copies of the parameters and writes them back
into ``net.weights`` and ``net.biases`` *in place* at the end, so arrays a
caller holds keep referring to the network's parameters, as with the
reference path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ._validation import check_known
from .activations import ACTIVATIONS
from .network import History

if TYPE_CHECKING:  # pragma: no cover
    from .network import Network

__all__ = ["FastTrainer", "DTYPES"]

#: Floating-point types the fast path can train in.
DTYPES = ("float64", "float32")

# Methods of Network that define what one step of ``sgd`` computes.  A subclass
# that overrides any of them gets the reference path, so its override is used.
_REFERENCE_METHODS = (
    "_update_batch",
    "_backprop",
    "_forward",
    "_output_error",
    "_costs_per_sample",
    "_cost",
)


# ----------------------------------------------------------------------------
# In-place activations.  ``f(z, out)`` writes f(z) into ``out`` (which may be
# ``z`` itself); ``scale_by_prime(delta, a, tmp)`` multiplies ``delta`` in place
# by sigma'(z), computed from the activation a = sigma(z).
# ----------------------------------------------------------------------------
def _sigmoid(z: np.ndarray, out: np.ndarray) -> None:
    # 1 / (1 + exp(-z)); for z < -709 exp(-z) overflows to inf and the result
    # is 0, which is what we want (the caller silences the overflow warning).
    np.negative(z, out=out)
    np.exp(out, out=out)
    np.add(out, 1.0, out=out)
    np.divide(1.0, out, out=out)


def _sigmoid_prime(delta: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
    np.subtract(1.0, a, out=tmp)  # 1 - a
    np.multiply(tmp, a, out=tmp)  # a (1 - a) = sigma'(z)
    np.multiply(delta, tmp, out=delta)


def _tanh(z: np.ndarray, out: np.ndarray) -> None:
    np.tanh(z, out=out)


def _tanh_prime(delta: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
    np.multiply(a, a, out=tmp)
    np.subtract(1.0, tmp, out=tmp)  # 1 - tanh(z)**2
    np.multiply(delta, tmp, out=delta)


def _relu(z: np.ndarray, out: np.ndarray) -> None:
    np.maximum(z, 0.0, out=out)


def _relu_prime(delta: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
    np.greater(a, 0.0, out=tmp)  # a > 0 exactly where z > 0; stored as 1.0 / 0.0
    np.multiply(delta, tmp, out=delta)


def _identity(z: np.ndarray, out: np.ndarray) -> None:
    if out is not z:
        np.copyto(out, z)


def _identity_prime(delta: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
    return None  # sigma' = 1


_INPLACE: dict[str, tuple[Callable[..., None], Callable[..., None]]] = {
    "sigmoid": (_sigmoid, _sigmoid_prime),
    "tanh": (_tanh, _tanh_prime),
    "relu": (_relu, _relu_prime),
    "identity": (_identity, _identity_prime),
}


class _Buffers:
    """Work arrays for batches of ``m`` columns.

    ``a[l]`` holds the activations of layer ``l`` for ``l >= 1``, shape
    ``(n_l + 1, m)`` with a last row of ones for hidden layers when the
    biases are folded in, ``(n_l, m)`` otherwise (``a[0]`` is filled in per
    batch with a view of the input).  ``delta[l]`` and ``tmp[l]`` have shape
    ``(n_l, m)``.
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
        self.delta: list[np.ndarray | None] = [None] + [
            np.empty((n, m), dtype=dtype) for n in sizes[1:]
        ]
        self.tmp: list[np.ndarray | None] = [None] + [
            np.empty((n, m), dtype=dtype) for n in sizes[1:]
        ]
        # the output layer's z, kept separately for the cross-entropy cost
        self.z_out = np.empty((sizes[-1], m), dtype=dtype)


class FastTrainer:
    """Mini-batch SGD for a :class:`~bplib.network.Network`, with low overhead.

    Computes exactly what ``Network.sgd`` with the reference path computes
    (same shuffles, batches and update rule), so the weights and the loss
    history agree with it up to float rounding (about 1e-15 in float64).

    Parameters
    ----------
    net : Network
        The network to train; its activation must be one of ``"sigmoid"``,
        ``"tanh"``, ``"relu"``, ``"identity"`` (see :meth:`supports`).
    dtype : {"float64", "float32"}, default "float64"
        Precision of the training arithmetic.  The trained parameters are
        written back into ``net`` as float64 either way.

    Examples
    --------
    Usually reached through ``Network.sgd`` (the default ``fast=True``):

    >>> import numpy as np
    >>> from bplib.network import Network
    >>> x = np.linspace(-1, 1, 10).reshape(1, 10)
    >>> y = (x + 1) / 2
    >>> net = Network([1, 3, 1], cost="mse", seed=0)
    >>> h = FastTrainer(net).train(x, y, epochs=2, batch_size=4, learning_rate=0.1)
    >>> len(h.loss)
    2
    """

    def __init__(self, net: "Network", dtype: str = "float64") -> None:
        if not self.supports(net):
            raise ValueError(
                "FastTrainer needs a Network with activation 'sigmoid', 'tanh', 'relu' or "
                f"'identity' and no overridden training methods, but got {net!r}"
            )
        self.net = net
        self.dtype = np.dtype(check_known(dtype, DTYPES, "dtype"))
        self.aug = net.bias  # fold biases into the matrices?
        self.sizes = list(net.sizes)
        self.act, self.scale_by_prime = _INPLACE[net.activation]
        self.cost_name = net.cost_name
        # the mse cost's nabla_a C = 2 (a - y) / n_out: its factor goes into the step
        self.cost_factor = 2.0 / self.sizes[-1] if self.cost_name == "mse" else 1.0
        if self.aug:
            self.params = [
                np.hstack([w, b]).astype(self.dtype) for w, b in zip(net.weights, net.biases)
            ]
        else:
            self.params = [np.array(w, dtype=self.dtype) for w in net.weights]
        # W^l without the bias column (a view), for BP2
        self.weights = [p[:, : p.shape[1] - 1] if self.aug else p for p in self.params]
        self.grads = [np.empty_like(p) for p in self.params]
        self._buffers: dict[int, _Buffers] = {}

    @staticmethod
    def supports(net: "Network") -> bool:
        """Whether the fast path computes the same thing as ``net``'s reference path.

        True for the named activations ``"sigmoid"``, ``"tanh"``, ``"relu"``
        and ``"identity"`` when ``type(net)`` overrides none of the methods
        that define a training step; False for a custom ``(f, f_prime)`` pair
        or such a subclass, which then train on the reference path.
        """
        from .network import Network

        if not isinstance(net, Network) or net.activation not in _INPLACE:
            return False
        if (net.act, net.act_prime) != ACTIVATIONS[net.activation]:
            return False
        cls = type(net)
        return all(getattr(cls, name) is getattr(Network, name) for name in _REFERENCE_METHODS)

    # ----------------------------------------------------------------- helpers
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
        """Forward pass of the columns of ``x`` into ``buf``; returns the output activations."""
        act, matmul = self.act, np.matmul
        a = x
        last = len(self.params) - 1
        for l, p in enumerate(self.params):
            out = buf.a[l + 1]
            n = p.shape[0]
            z = out[:n] if l < last else out  # the rows above the ones row
            matmul(p, a, out=z)
            act(z, z)
            a = out
        return a

    def _mean_cost(self, x: np.ndarray, y: np.ndarray, buf: _Buffers) -> float:
        """Mean cost per sample over the columns of ``x`` (as ``Network.cost``)."""
        act, params = self.act, self.params
        a = x
        for p, out in zip(params[:-1], buf.a[1:-1]):
            z = out[: p.shape[0]]
            np.matmul(p, a, out=z)
            act(z, z)
            a = out
        z_out, a_out = buf.z_out, buf.a[-1]
        np.matmul(params[-1], a, out=z_out)
        act(z_out, a_out)
        m = x.shape[1]
        if self.cost_name == "cross_entropy":
            # sum over outputs of logaddexp(0, z) - y z, mean over samples
            d = buf.delta[-1]
            np.logaddexp(0.0, z_out, out=d)
            np.multiply(y, z_out, out=buf.tmp[-1])
            np.subtract(d, buf.tmp[-1], out=d)
            return float(d.sum(axis=0).mean())
        d = buf.delta[-1]
        np.subtract(a_out, y, out=d)
        squares = float(np.vdot(d, d))  # sum of all (a - y)**2
        if self.cost_name == "quadratic":
            return 0.5 * squares / m
        return squares / (self.sizes[-1] * m)

    def _step(self, x: np.ndarray, y: np.ndarray, step: float, buf: _Buffers) -> None:
        """One SGD step on the batch ``(x, y)``: the four equations, then the update.

        ``step`` is ``learning_rate / m`` times the cost's constant factor.
        """
        matmul, subtract, multiply = np.matmul, np.subtract, np.multiply
        scale_by_prime = self.scale_by_prime
        params, weights, grads = self.params, self.weights, self.grads
        a_bufs, deltas, tmps = buf.a, buf.delta, buf.tmp

        a_out = self._forward(x, buf)
        # BP1, already multiplied by the step: delta^L = step (a - y) ⊙ sigma'(z^L)
        delta = deltas[-1]
        subtract(a_out, y, out=delta)
        if self.cost_name != "cross_entropy":  # for cross-entropy sigma' cancels
            scale_by_prime(delta, a_out, tmps[-1])
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
                scale_by_prime(delta_prev, a_prev[:n], tmps[l])
                delta = delta_prev
            subtract(params[l], grads[l], out=params[l])

    def _write_back(self) -> None:
        """Copy the trained parameters into ``net.weights``/``net.biases`` in place."""
        for w, b, p in zip(self.net.weights, self.net.biases, self.params):
            w[...] = p[:, : w.shape[1]]
            if self.aug:
                b[...] = p[:, -1:]

    # -------------------------------------------------------------------- train
    def train(
        self,
        x: np.ndarray,
        y: np.ndarray,
        epochs: int,
        batch_size: int,
        learning_rate: float,
        seed: int = 0,
        test_data: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> History:
        """Run ``epochs`` epochs of mini-batch SGD, as ``Network.sgd`` does.

        The arguments must already be checked (``Network.sgd`` does that):
        ``x`` of shape (n_in, n) and ``y`` of shape (n_out, n), float arrays;
        positive ``epochs``, ``batch_size`` and ``learning_rate``.

        Returns
        -------
        History
            The mean training cost (and test cost) after every epoch.
        """
        n = x.shape[1]
        x_aug, y_c = self._with_ones(x), np.ascontiguousarray(y, dtype=self.dtype)
        x_shuf, y_shuf = np.empty_like(x_aug), np.empty_like(y_c)
        full = self._buffers_for(n)
        if test_data is not None:
            xt_aug = self._with_ones(test_data[0])
            yt_c = np.ascontiguousarray(test_data[1], dtype=self.dtype)
            test_buf = _Buffers(self.sizes, xt_aug.shape[1], self.dtype, self.aug)

        # batches as (start, stop, step size, buffers); the last one may be ragged
        batches = []
        for k in range(0, n, batch_size):
            m = min(batch_size, n - k)
            step = learning_rate / m * self.cost_factor
            batches.append((k, k + m, step, self._buffers_for(m)))

        rng = np.random.default_rng(seed)
        history = History()
        take, train_step = np.take, self._step
        with np.errstate(over="ignore"):  # exp(-z) -> inf for z < -709 in the sigmoid
            for _ in range(epochs):
                order = rng.permutation(n)
                # mode="clip" lets take write straight into out (the default
                # mode="raise" goes through a temporary); order is always in range
                take(x_aug, order, axis=1, out=x_shuf, mode="clip")
                take(y_c, order, axis=1, out=y_shuf, mode="clip")
                for start, stop, step, buf in batches:
                    train_step(x_shuf[:, start:stop], y_shuf[:, start:stop], step, buf)
                history.loss.append(self._mean_cost(x_aug, y_c, full))
                if test_data is not None:
                    history.test_loss.append(self._mean_cost(xt_aug, yt_c, test_buf))
        self._write_back()
        return history
