"""Layers with ``forward`` / ``backward``, as in *Deep Learning from Scratch*.

Row convention: an input ``x`` has shape ``(batch, features)``; each row is
one sample.  Every layer remembers what its ``backward`` needs during
``forward``; ``backward(dout)`` takes the gradient of the loss with respect to
the layer's output and returns the gradient with respect to its input.

Two promises the original ``common/layers.py`` does not make:

* ``backward`` never modifies ``dout`` (the article's ``Relu`` does
  ``dout[self.mask] = 0`` in place, which silently changes the caller's
  array);
* bad input raises a ``ValueError`` that names the shapes involved.

:class:`Softmax` is the softmax alone, a layer whose ``backward`` is the
vector-Jacobian product ``a * (dout - sum(dout * a))``: it never builds the
``classes x classes`` Jacobian ``diag(a) - a a^T``.  Before a cross-entropy,
prefer :class:`SoftmaxWithLoss`, which fuses the two.

Loss layers (:class:`SoftmaxWithLoss`, :class:`MSELoss`) have
``forward(x, t) -> float`` and ``backward(dout=1.0)``.

The other layers derive from :class:`Layer`, which gives them a training
mode (``train()`` / ``eval()``, the ``training`` flag) and names their
parameters (``param_names``; the gradient of ``W`` is ``dW``), the protocol
:class:`bplib.models.Sequential` builds models from.  Every activation of
:data:`bplib.activations.ACTIVATIONS` is a layer, :class:`ActivationLayer`
(``activation_layer(name)``), so a newly registered activation needs no
class here; :class:`Relu`, :class:`Sigmoid` and :class:`Tanh` are its
book names.  A new kind of layer is a :class:`Layer` subclass in this file:
:class:`BatchNorm` (per feature, or per channel of images, with running
statistics for inference mode), and :class:`Convolution`, :class:`MaxPooling`
and :class:`Flatten`, which use the functional pieces of
:mod:`bplib.convolution`.  Layers of an idea with a module of its own
(:mod:`bplib.recurrent`, :mod:`bplib.attention`) derive from :class:`Layer`
there.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import convolution as _conv
from ._validation import as_float_array, check_same_shape
from ._validation import as_param as _as_param
from ._validation import check_dout as _check_dout
from .activations import get_activation, softmax
from .losses import mse, mse_prime, softmax_cross_entropy_parts

__all__ = [
    "Layer",
    "Affine",
    "BatchNorm",
    "ActivationLayer",
    "activation_layer",
    "Relu",
    "Sigmoid",
    "Tanh",
    "Convolution",
    "MaxPooling",
    "Flatten",
    "Softmax",
    "SoftmaxWithLoss",
    "MSELoss",
]


class Layer:
    """What every layer of a model shares: a training mode and named parameters.

    A layer computes ``forward(x)`` and ``backward(dout)`` (the gradient with
    respect to its input; the gradients of its parameters are left in
    attributes named ``d`` + the parameter's name, ``dW`` for ``W``).

    Attributes
    ----------
    training : bool
        ``True`` (the default) in training mode, ``False`` in inference mode.
        The layers of this module compute the same either way; layers such as
        dropout and batch normalization behave differently in the two modes
        and read this flag in ``forward``.  Set it with :meth:`train` and
        :meth:`eval` (as in PyTorch), or through the model that holds the layer.
    param_names : tuple of str
        The names of the layer's parameter attributes, ``("W", "b")`` for
        :class:`Affine`, ``()`` for a layer without parameters.
    """

    training: bool = True
    param_names: tuple[str, ...] = ()

    def train(self, mode: bool = True) -> "Layer":
        """Put the layer in training mode (``mode=False``: inference mode); return it."""
        if not isinstance(mode, bool):
            raise TypeError(f"mode must be True or False, but got {mode!r}")
        self.training = mode
        return self

    def eval(self) -> "Layer":
        """Put the layer in inference mode (``train(False)``); return it."""
        return self.train(False)

    @property
    def title(self) -> str:
        """The layer's name in a model, before its number: ``Affine``, ``Relu``, ..."""
        return type(self).__name__


class Affine(Layer):
    """Fully connected layer ``out = x @ W + b``.

    Parameters
    ----------
    W : numpy.ndarray, shape (n_in, n_out)
    b : numpy.ndarray, shape (n_out,)
        A float64 ndarray is stored as is (not copied), so ``layer.W`` and
        ``layer.b`` are the very arrays passed in: updating a model's
        ``params["W1"]`` in place updates the layer too, as in DLfS.  Other
        input (lists, integer arrays) is converted to a new float64 array.

    Attributes
    ----------
    W, b : numpy.ndarray
        The parameters.
    dW : numpy.ndarray, shape (n_in, n_out)
    db : numpy.ndarray, shape (n_out,)
        Gradients from the last ``backward`` (``None`` before it).

    Notes
    -----
    Like DLfS, ``forward`` keeps the input it was given (a float64 array is
    kept without a copy, reshaped to (batch, n_in)) for ``backward`` to form
    ``dW = x.T @ dout``.  Do not modify that array in place between
    ``forward`` and ``backward``, or ``dW`` is computed from the new values.
    """

    param_names = ("W", "b")

    def __init__(self, W: ArrayLike, b: ArrayLike) -> None:
        self.W = _as_param(W, "W", 2)
        self.b = _as_param(b, "b", 1)
        if self.b.shape[0] != self.W.shape[1]:
            raise ValueError(
                f"b must have one entry per output unit: W.shape={self.W.shape} "
                f"has {self.W.shape[1]} outputs but b.shape={self.b.shape}"
            )
        self.x: np.ndarray | None = None
        self.original_x_shape: tuple[int, ...] | None = None
        self._out_shape: tuple[int, ...] | None = None
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Compute ``x @ W + b``.

        Parameters
        ----------
        x : array_like, shape (batch, n_in) or (batch, d1, d2, ...) or (n_in,)
            Inputs of more than two dimensions are flattened to
            ``(batch, d1 * d2 * ...)`` (e.g. images); a 1-D ``x`` is one sample.

        Returns
        -------
        numpy.ndarray, shape (batch, n_out) (or (n_out,) for a 1-D ``x``).
        """
        x = as_float_array(x, "x")
        self.original_x_shape = x.shape
        x2 = x.reshape(1, -1) if x.ndim == 1 else x.reshape(x.shape[0], -1)
        if x2.shape[1] != self.W.shape[0]:
            raise ValueError(
                f"x has {x2.shape[1]} features per sample but W has {self.W.shape[0]} "
                f"rows (x.shape={x.shape}, W.shape={self.W.shape})"
            )
        self.x = x2
        out = x2 @ self.W + self.b
        if x.ndim == 1:
            out = out[0]
        self._out_shape = out.shape
        return out

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """Gradients: ``dx = dout @ W.T``, ``dW = x.T @ dout``, ``db = sum(dout)``.

        Parameters
        ----------
        dout : array_like, shape of the forward output

        Returns
        -------
        numpy.ndarray, shape of the forward input ``x`` (before flattening).
        """
        dout = _check_dout(dout, self._out_shape, "Affine")
        d2 = dout.reshape(1, -1) if dout.ndim == 1 else dout
        dx = d2 @ self.W.T
        self.dW = self.x.T @ d2
        self.db = np.sum(d2, axis=0)
        return dx.reshape(self.original_x_shape)


class BatchNorm(Layer):
    """Batch normalization: ``y = gamma * x_hat + beta``, ``x_hat = (x - mu) / sqrt(var + eps)``.

    Per feature for a dense input ``(batch, features)`` (PyTorch's
    ``BatchNorm1d``) and per channel for images ``(batch, channels, height,
    width)`` (PyTorch's ``BatchNorm2d``): the mean ``mu`` and the biased
    variance ``var`` (divided by ``m``) of each feature or channel are taken
    over the ``m`` values it has in the batch, that is over the batch axis for a
    2-D input and over the batch, height and width axes for a 4-D input.
    (DLfS's ``BatchNormalization`` reshapes a 4-D input to ``(N, C*H*W)`` and
    so normalizes every pixel of every channel on its own.)

    Parameters
    ----------
    gamma, beta : numpy.ndarray, shape (features,) or (channels,)
        Scale and shift, one per feature or channel (stored as given when
        float64, like :class:`Affine`'s parameters).  Usually ``np.ones(C)``
        and ``np.zeros(C)``.
    momentum : float in (0, 1], default 0.1
        PyTorch's convention: after each training batch,
        ``running = (1 - momentum) * running + momentum * batch_statistic``.
        (DLfS's ``momentum=0.9`` weights the *old* value instead.)
    eps : float, default 1e-5
        Added to the variance before the square root (PyTorch's default;
        DLfS adds ``10e-7``).
    running_mean, running_var : numpy.ndarray, shape (C,), optional
        Starting running statistics; by default 0 and 1, as in PyTorch, so a
        layer put in inference mode before any training batch is the identity
        map followed by ``gamma * . + beta`` (up to ``eps``).

    Attributes
    ----------
    gamma, beta : numpy.ndarray, shape (C,)
    dgamma, dbeta : numpy.ndarray, shape (C,)
        Gradients from the last ``backward`` (``None`` before it).
    running_mean, running_var : numpy.ndarray, shape (C,)
        Updated in place by every training-mode ``forward``; the variance is
        updated with the *unbiased* batch variance (divided by ``m - 1``), as
        in PyTorch, while the normalization itself uses the biased one.
        Inference mode (``eval()``) normalizes with these.
    x_hat : numpy.ndarray
        The normalized input of the last ``forward``, kept for ``backward``.

    Notes
    -----
    The backward pass in training mode.  Each ``x_i`` of a feature reaches the
    loss along three paths: directly through its own ``x_hat_i``, through the
    mean (every ``x_hat_j`` depends on ``mu``) and through the variance
    (every ``x_hat_j`` depends on ``var``).  Summing the three, with
    ``g = gamma * dout``, ``sum`` over the ``m`` values of the feature and
    ``s = 1 / sqrt(var + eps)``::

        dx = s / m * (m * g - sum(g) - x_hat * sum(g * x_hat))

    the first term the direct path, the second the mean's (the mean's own
    path through the variance vanishes, since ``sum(x - mu) = 0``), the third
    the variance's.  With ``dgamma = sum(dout * x_hat)`` and
    ``dbeta = sum(dout)`` this is ``gamma * s / m * (m * dout - dbeta -
    x_hat * dgamma)``.  In inference mode the statistics are constants and
    ``dx = gamma * s * dout``.

    Training mode refuses a feature with one value in the batch (a batch of
    one sample in 2-D, or of one 1x1 image): its variance is 0 and its
    normalized output 0 whatever the input, and the unbiased running variance
    is undefined (PyTorch raises too).  Use ``eval()`` for one sample.
    """

    param_names = ("gamma", "beta")

    def __init__(
        self,
        gamma: ArrayLike,
        beta: ArrayLike,
        momentum: float = 0.1,
        eps: float = 1e-5,
        running_mean: ArrayLike | None = None,
        running_var: ArrayLike | None = None,
    ) -> None:
        self.gamma = _as_param(gamma, "gamma", 1)
        self.beta = _as_param(beta, "beta", 1)
        if self.beta.shape != self.gamma.shape:
            raise ValueError(
                f"gamma and beta must have one entry per feature each, but "
                f"gamma.shape={self.gamma.shape} and beta.shape={self.beta.shape}"
            )
        if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) or not 0 < momentum <= 1:
            raise ValueError(f"momentum must be a number in (0, 1], but got {momentum!r}")
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0:
            raise ValueError(f"eps must be a positive number, but got {eps!r}")
        self.momentum = float(momentum)
        self.eps = float(eps)
        n = self.gamma.shape[0]
        self.running_mean = self._running(running_mean, 0.0, "running_mean", n)
        self.running_var = self._running(running_var, 1.0, "running_var", n)
        if np.any(self.running_var < 0):
            raise ValueError("running_var must not be negative")
        self.x_hat: np.ndarray | None = None
        self._inv_std: np.ndarray | None = None
        self._axes: tuple[int, ...] = (0,)
        self._batch_stats = True
        self._m = 0
        self._out_shape: tuple[int, ...] | None = None
        self.dgamma: np.ndarray | None = None
        self.dbeta: np.ndarray | None = None

    @staticmethod
    def _running(value: ArrayLike | None, default: float, name: str, n: int) -> np.ndarray:
        if value is None:
            return np.full(n, default)
        arr = as_float_array(value, name, ndims=1).copy()
        if arr.shape != (n,):
            raise ValueError(f"{name} must have shape ({n},) like gamma, but {name}.shape={arr.shape}")
        return arr

    def _shape(self, x: np.ndarray) -> tuple[int, ...]:
        """The shape ``gamma`` broadcasts as against ``x``: (1, C) or (1, C, 1, 1)."""
        return (1, -1) if x.ndim == 2 else (1, -1, 1, 1)

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Normalize each feature (2-D) or channel (4-D), then scale and shift.

        Parameters
        ----------
        x : array_like, shape (batch, C) or (batch, C, height, width)

        Returns
        -------
        numpy.ndarray, the shape of ``x``.

        Raises
        ------
        ValueError
            For an input that is not 2-D or 4-D, whose ``C`` is not ``gamma``'s
            length, or (training mode) with one value per feature.
        """
        x = as_float_array(x, "x")
        if x.ndim not in (2, 4):
            raise ValueError(
                "BatchNorm takes a 2-D input (batch, features) or a 4-D input (batch, channels, "
                f"height, width), but x is {x.ndim}-D (x.shape={x.shape})"
            )
        n = self.gamma.shape[0]
        if x.shape[1] != n:
            what = "features" if x.ndim == 2 else "channels"
            raise ValueError(
                f"x has {x.shape[1]} {what} (x.shape={x.shape}) but gamma has {n} entries "
                f"(gamma.shape={self.gamma.shape})"
            )
        axes = (0,) if x.ndim == 2 else (0, 2, 3)
        shape = self._shape(x)
        m = x.size // n  # values per feature or channel
        if self.training:
            if m < 2:
                raise ValueError(
                    f"BatchNorm in training mode needs more than one value per "
                    f"{'feature' if x.ndim == 2 else 'channel'} to take a variance, but "
                    f"x.shape={x.shape}; call eval() to use the running statistics"
                )
            mu = np.mean(x, axis=axes, keepdims=True)
            var = np.mean((x - mu) ** 2, axis=axes, keepdims=True)  # biased: divided by m
            self.running_mean *= 1.0 - self.momentum
            self.running_mean += self.momentum * mu.ravel()
            self.running_var *= 1.0 - self.momentum
            self.running_var += self.momentum * var.ravel() * (m / (m - 1))  # unbiased
        else:
            mu = self.running_mean.reshape(shape)
            var = self.running_var.reshape(shape)
        self._inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mu) * self._inv_std
        self._axes, self._batch_stats, self._m = axes, self.training, m
        out = self.gamma.reshape(shape) * self.x_hat + self.beta.reshape(shape)
        self._out_shape = out.shape
        return out

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """Gradients ``dx``, ``dgamma = sum(dout * x_hat)``, ``dbeta = sum(dout)``.

        In training mode ``dx = gamma / (m sqrt(var + eps)) * (m dout - sum(dout)
        - x_hat sum(dout x_hat))``, the three paths of the class's Notes; in
        inference mode ``dx = gamma dout / sqrt(running_var + eps)``.

        Parameters
        ----------
        dout : array_like, shape of the forward output

        Returns
        -------
        numpy.ndarray, the shape of the forward input.
        """
        dout = _check_dout(dout, self._out_shape, "BatchNorm")
        x_hat, m = self.x_hat, self._m
        scale = self.gamma.reshape(self._shape(dout)) * self._inv_std
        dbeta = np.sum(dout, axis=self._axes, keepdims=True)
        dgamma = np.sum(dout * x_hat, axis=self._axes, keepdims=True)
        self.dbeta, self.dgamma = dbeta.ravel(), dgamma.ravel()
        if not self._batch_stats:  # running statistics: constants
            return scale * dout
        # the direct path (m dout), the mean's (- sum dout), the variance's (- x_hat sum dout x_hat)
        return (scale / m) * (m * dout - dbeta - x_hat * dgamma)

    def __repr__(self) -> str:
        return f"BatchNorm({self.gamma.shape[0]}, momentum={self.momentum:g}, eps={self.eps:g})"


class ActivationLayer(Layer):
    """The layer of any registered activation, elementwise, any shape.

    ``forward`` is the record's ``f``; ``backward`` multiplies ``dout`` by
    the derivative, computed from the stored output with the record's
    ``prime_from_output`` (``y (1 - y)`` for the sigmoid), or, for a record
    without one, from the stored input with ``prime``.

    Parameters
    ----------
    activation : str
        A name of :data:`bplib.activations.ACTIVATIONS` (``"softplus"`` once
        registered).  :func:`activation_layer` returns the book's named class
        (:class:`Relu`, ...) where there is one.

    Attributes
    ----------
    record : bplib.activations.Activation
    out : numpy.ndarray
        The output of the last ``forward`` (``None`` before it).
    """

    def __init__(self, activation: str) -> None:
        self.record = get_activation(activation)
        self.x: np.ndarray | None = None
        self.out: np.ndarray | None = None

    @property
    def title(self) -> str:
        """The activation's name as a layer's: ``softplus`` -> ``Softplus``, ``leaky_relu`` -> ``LeakyRelu``."""
        return "".join(part.capitalize() for part in self.record.name.split("_"))

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Return the activation of ``x`` (any shape) as a new array."""
        x = as_float_array(x, "x", allow_empty=True)
        self.x = x if self.record.prime_from_output is None else None
        self.out = self.record.f(x)
        return self.out

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """Return ``dout`` times the derivative at the last ``forward``'s input, as a new array."""
        dout = _check_dout(dout, None if self.out is None else self.out.shape, self.title)
        return self._times_derivative(dout)

    def _times_derivative(self, dout: np.ndarray) -> np.ndarray:
        if self.record.prime_from_output is None:
            return dout * self.record.prime(self.x)
        return dout * self.record.prime_from_output(self.out)

    def __repr__(self) -> str:
        # the book's named layers take no argument: Relu(), Sigmoid(), Tanh()
        argument = repr(self.record.name) if type(self) is ActivationLayer else ""
        return f"{type(self).__name__}({argument})"


class Relu(ActivationLayer):
    """ReLU layer, ``out = max(x, 0)``.

    ``mask`` marks the inputs with ``x <= 0``, as in DLfS; ``backward`` sets
    the gradient there to 0 (so the derivative at exactly 0 is taken as 0,
    matching :func:`bplib.activations.relu_prime`).  It selects rather than
    multiplies by ``relu'(x)``, so a masked entry is ``0.0`` and never the
    ``-0.0`` that ``negative dout * 0`` would give.
    """

    def __init__(self) -> None:
        super().__init__("relu")

    @property
    def mask(self) -> np.ndarray | None:
        """``x <= 0`` for the last ``forward``'s input (``out = max(x, 0) <= 0`` exactly there)."""
        return None if self.out is None else self.out <= 0

    def _times_derivative(self, dout: np.ndarray) -> np.ndarray:
        return np.where(self.mask, 0.0, dout)  # dout with the masked entries set to 0


class Sigmoid(ActivationLayer):
    """Sigmoid layer (stable); ``backward`` is ``dout * y (1 - y)`` with the stored output ``y``."""

    def __init__(self) -> None:
        super().__init__("sigmoid")


class Tanh(ActivationLayer):
    """Tanh layer; ``backward`` is ``dout * (1 - y**2)`` with the stored output ``y``."""

    def __init__(self) -> None:
        super().__init__("tanh")


_NAMED_LAYERS = {"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh}


def activation_layer(activation: str) -> ActivationLayer:
    """A new layer for the registered activation ``activation``.

    The book's :class:`Relu`, :class:`Sigmoid` or :class:`Tanh` for those
    names, an :class:`ActivationLayer` for any other registered name.

    Raises
    ------
    ValueError
        For a name that is not registered (the message lists the known ones).
    """
    named = _NAMED_LAYERS.get(get_activation(activation).name)
    return named() if named is not None else ActivationLayer(activation)


class Convolution(Layer):
    """Convolution layer (a cross-correlation, as in every library), through im2col.

    ``out[n, f, i, j] = b[f] + sum_{c, p, q} W[f, c, p, q] * xpad[n, c, i*stride + p, j*stride + q]``
    where ``xpad`` is ``x`` with ``pad`` zeros on each side of its height and
    width.  ``forward`` turns the windows into the rows of a matrix
    (:func:`bplib.convolution.im2col`) and the filters into its columns, so the
    whole layer is one matrix product, as DLfS's ``Convolution``; ``backward``
    is the product's backward pass followed by
    :func:`bplib.convolution.col2im`, which adds every window's gradient back
    where the window was.

    Parameters
    ----------
    W : numpy.ndarray, shape (FN, C, FH, FW)
        ``FN`` filters, each of ``C`` channels of ``FH x FW``.
    b : numpy.ndarray, shape (FN,)
        One bias per filter.  As for :class:`Affine`, a float64 ndarray is
        stored as is (shared with the caller).
    stride : int, default 1
    pad : int, default 0
        When ``stride`` does not divide ``H + 2 pad - FH``, the last rows (and
        columns) that do not fill a window are left out (they get a zero
        gradient), as in PyTorch's ``conv2d`` and DLfS's ``im2col``.

    Attributes
    ----------
    dW : numpy.ndarray, shape (FN, C, FH, FW)
    db : numpy.ndarray, shape (FN,)
        Gradients from the last ``backward`` (``None`` before it).
    col : numpy.ndarray, shape (N * OH * OW, C * FH * FW)
        The windows of the last ``forward``'s input.

    Notes
    -----
    Input ``(N, C, H, W)``, output ``(N, FN, OH, OW)`` with
    ``OH = (H + 2 pad - FH) // stride + 1`` (:func:`bplib.convolution.output_size`).
    ``forward`` raises ``ValueError`` for an input that is not 4-D, whose channels
    are not ``C``, or smaller than the kernel even after padding.
    """

    param_names = ("W", "b")

    def __init__(self, W: ArrayLike, b: ArrayLike, stride: int = 1, pad: int = 0) -> None:
        self.W = _as_param(W, "W", 4)
        self.b = _as_param(b, "b", 1)
        if self.b.shape[0] != self.W.shape[0]:
            raise ValueError(
                f"b must have one entry per filter: W.shape={self.W.shape} has "
                f"{self.W.shape[0]} filters but b.shape={self.b.shape}"
            )
        self.stride = _conv._check_int(stride, "stride", 1)
        self.pad = _conv._check_int(pad, "pad", 0)
        self.x_shape: tuple[int, ...] | None = None
        self.col: np.ndarray | None = None
        self._out_shape: tuple[int, ...] | None = None
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Return the convolution of ``x`` (shape (N, C, H, W)) with the filters: (N, FN, OH, OW)."""
        x = as_float_array(x, "x")
        fn, c, fh, fw = self.W.shape
        oh, ow = _conv.check_conv_shapes(x.shape, fh, fw, self.stride, self.pad, channels=c)
        self.col = _conv.im2col(x, fh, fw, self.stride, self.pad)
        out = self.col @ self.W.reshape(fn, -1).T + self.b
        out = out.reshape(x.shape[0], oh, ow, fn).transpose(0, 3, 1, 2)
        self.x_shape = x.shape
        self._out_shape = out.shape
        return out

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """Gradients: ``dW``, ``db`` (left in attributes) and ``dx`` (returned).

        Parameters
        ----------
        dout : array_like, shape (N, FN, OH, OW)

        Returns
        -------
        numpy.ndarray, shape (N, C, H, W)
            ``col2im(dout_rows @ W_rows)``: the full cross-correlation of the
            (stride-dilated) upstream gradient with the kernels rotated 180
            degrees, padding cropped.
        """
        dout = _check_dout(dout, self._out_shape, "Convolution")
        fn, c, fh, fw = self.W.shape
        d2 = dout.transpose(0, 2, 3, 1).reshape(-1, fn)  # one row per window position
        self.db = d2.sum(axis=0)
        self.dW = (self.col.T @ d2).T.reshape(fn, c, fh, fw)
        dcol = d2 @ self.W.reshape(fn, -1)
        return _conv.col2im(dcol, self.x_shape, fh, fw, self.stride, self.pad)

    def __repr__(self) -> str:
        return f"Convolution(W.shape={self.W.shape}, stride={self.stride}, pad={self.pad})"


class MaxPooling(Layer):
    """Max pooling: the largest entry of each window, channel by channel (no parameters).

    ``backward`` is the max gate of the chain-rule chapter, window by window:
    each window's upstream gradient goes to its winner (the entry that was
    the maximum) and nowhere else; where windows overlap, a winner of several
    adds their gradients.  On a tie the first maximum in row-major order of
    the window wins (``np.argmax``, and the entry PyTorch's ``max_pool2d``
    routes to): the gradient is not split.

    Parameters
    ----------
    pool_h, pool_w : int
        Window height and width.
    stride : int, optional
        Defaults to the window height, as PyTorch's default (the window size):
        non-overlapping square windows.
    pad : int, default 0
        Padding with ``-inf`` (as PyTorch), so a padded entry never wins; at
        most half the window (``pad <= min(pool_h, pool_w) // 2``), so every
        window holds a real entry.  DLfS's ``Pooling`` pads with zeros.

    Notes
    -----
    Input ``(N, C, H, W)``, output ``(N, C, OH, OW)``, ``OH = (H + 2 pad -
    pool_h) // stride + 1``; rows that do not fill a window are left out.
    For square windows side by side (``stride == pool_h == pool_w``, no
    padding), the rows of im2col are a reshape of ``x`` and col2im its
    reverse, so both are taken that way (the same arrays, one copy each).
    """

    def __init__(self, pool_h: int, pool_w: int, stride: int | None = None, pad: int = 0) -> None:
        self.pool_h = _conv._check_int(pool_h, "pool_h", 1)
        self.pool_w = _conv._check_int(pool_w, "pool_w", 1)
        self.stride = self.pool_h if stride is None else _conv._check_int(stride, "stride", 1)
        self.pad = _conv._check_int(pad, "pad", 0)
        if self.pad > min(self.pool_h, self.pool_w) // 2:
            raise ValueError(
                f"pad must be at most half the window (min(pool_h, pool_w) // 2 = "
                f"{min(self.pool_h, self.pool_w) // 2}), but pad={self.pad}"
            )
        # non-overlapping windows side by side, no padding: im2col's rows are a reshape
        self._tiles = self.stride == self.pool_h == self.pool_w and self.pad == 0
        self.x_shape: tuple[int, ...] | None = None
        self.arg_max: np.ndarray | None = None
        self._out_shape: tuple[int, ...] | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Return the maximum of each window: (N, C, H, W) -> (N, C, OH, OW)."""
        x = as_float_array(x, "x")
        ph, pw, s, p = self.pool_h, self.pool_w, self.stride, self.pad
        oh, ow = _conv.check_conv_shapes(x.shape, ph, pw, s, p)
        n, c = x.shape[:2]
        if self._tiles:  # windows side by side: im2col's rows are a reshape of x
            tiles = x[:, :, :oh * ph, :ow * pw].reshape(n, c, oh, ph, ow, pw)
            col = tiles.transpose(0, 2, 4, 1, 3, 5).reshape(-1, ph * pw)
        else:
            img = np.pad(x, [(0, 0), (0, 0), (p, p), (p, p)], constant_values=-np.inf)
            col = _conv._windows(img, ph, pw, s, oh, ow).reshape(-1, ph * pw)  # one window per row
        self.arg_max = np.argmax(col, axis=1)
        out = col.max(axis=1)  # the entry at arg_max
        out = out.reshape(n, oh, ow, c).transpose(0, 3, 1, 2)
        self.x_shape = x.shape
        self._out_shape = out.shape
        return out

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """Route each window's gradient to its winner.

        Parameters
        ----------
        dout : array_like, shape (N, C, OH, OW)

        Returns
        -------
        numpy.ndarray, shape (N, C, H, W)
            Zero except at the winners, which hold the sum of the gradients
            of the windows they won.
        """
        dout = _check_dout(dout, self._out_shape, "MaxPooling")
        ph, pw = self.pool_h, self.pool_w
        d = dout.transpose(0, 2, 3, 1).ravel()  # the rows' order of forward's windows
        dmax = np.zeros((d.size, ph * pw))
        dmax[np.arange(d.size), self.arg_max] = d
        if self._tiles:  # col2im of side-by-side windows: the reshape back
            n, c, h, w = self.x_shape
            oh, ow = self._out_shape[2:]
            dx = np.zeros(self.x_shape)
            tiles = dmax.reshape(n, oh, ow, c, ph, pw).transpose(0, 3, 1, 4, 2, 5)
            dx[:, :, :oh * ph, :ow * pw] = tiles.reshape(n, c, oh * ph, ow * pw)
            return dx
        dcol = dmax.reshape(-1, self.x_shape[1] * ph * pw)
        return _conv.col2im(dcol, self.x_shape, ph, pw, self.stride, self.pad)

    def __repr__(self) -> str:
        return f"MaxPooling({self.pool_h}, {self.pool_w}, stride={self.stride}, pad={self.pad})"


class Flatten(Layer):
    """Flatten each sample: (N, C, H, W) -> (N, C * H * W), and the gradient back (no parameters).

    Any input of at least two dimensions ``(N, d1, d2, ...)`` becomes
    ``(N, d1 * d2 * ...)`` in C order (channel, row, column), the order
    PyTorch's ``nn.Flatten`` uses; ``backward`` reshapes ``dout`` back to the
    input's shape (a new array; ``dout`` is not modified).
    """

    def __init__(self) -> None:
        self.x_shape: tuple[int, ...] | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Return ``x.reshape(N, -1)``."""
        x = as_float_array(x, "x")
        if x.ndim < 2:
            raise ValueError(f"x must have a batch axis and at least one more, but x.shape={x.shape}")
        self.x_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """Return ``dout`` (shape (N, C * H * W)) reshaped to the input's shape (N, C, H, W)."""
        expected = None if self.x_shape is None else (self.x_shape[0], int(np.prod(self.x_shape[1:])))
        dout = _check_dout(dout, expected, "Flatten")
        return dout.reshape(self.x_shape).copy()

    def __repr__(self) -> str:
        return "Flatten()"


class Softmax(Layer):
    """Softmax over the last axis, row by row, as a layer (no parameters).

    ``forward`` is :func:`bplib.activations.softmax` (the row maximum is
    subtracted first, so logits of ``+-1e4`` are exact) and keeps its output
    ``a``.  Each output depends on every input of its row: the Jacobian of one
    row is ``diag(a) - a a^T``.  ``backward`` never builds it; for an upstream
    gradient ``g`` (``dout``) it returns the vector-Jacobian product
    ``J^T g = a * (g - sum_j g_j a_j)``, row by row: ``2 K`` multiplications
    per sample of ``K`` classes instead of ``K^2``.

    Before a cross-entropy use :class:`SoftmaxWithLoss`: the fused gradient
    ``(a - t) / batch`` is cheaper and stays exact where a probability
    underflows to 0 (``Softmax`` then receives ``-t / a``, which the clip of
    :func:`bplib.losses.cross_entropy_prime` sets to 0).

    Attributes
    ----------
    out : numpy.ndarray
        The probabilities ``a`` of the last ``forward`` (``None`` before it).
    """

    def __init__(self) -> None:
        self.out: np.ndarray | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Return ``softmax(x)`` over the last axis (``x`` of shape ``(batch, classes)`` or ``(classes,)``)."""
        self.out = softmax(x)
        return self.out

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """Return ``a * (dout - sum(dout * a, axis=-1))``, the gradient with respect to ``x``.

        Parameters
        ----------
        dout : array_like, shape of the forward output
            The gradient of the loss with respect to the probabilities ``a``.

        Returns
        -------
        numpy.ndarray, shape of the forward input: ``J^T dout`` for each row's
        Jacobian ``J = diag(a) - a a^T`` (symmetric, so ``J^T = J``).
        """
        dout = _check_dout(dout, None if self.out is None else self.out.shape, "Softmax")
        a = self.out
        return a * (dout - np.sum(dout * a, axis=-1, keepdims=True))

    def __repr__(self) -> str:
        return "Softmax()"


class SoftmaxWithLoss:
    """Softmax followed by cross-entropy, as one layer.

    The loss is :func:`bplib.losses.softmax_cross_entropy` of the logits (exact
    for logits of ``+-1e4``); ``backward`` is ``dout`` times
    :func:`bplib.losses.softmax_cross_entropy_prime`, the famously simple
    ``(softmax(x) - t) / batch``.  ``forward`` checks ``x`` and builds the
    one-hot targets once, and computes one log-softmax, whose ``exp`` is the
    softmax it keeps for ``backward``
    (:func:`bplib.losses.softmax_cross_entropy_parts`).

    Attributes
    ----------
    loss : float
        Loss of the last ``forward``.
    a : numpy.ndarray
        Softmax probabilities of the last ``forward``, shape of ``x``
        (DLfS calls them ``y``).
    t : numpy.ndarray
        Targets of the last ``forward`` as one-hot, shape of ``x``.
    """

    def __init__(self) -> None:
        self.loss: float | None = None
        self.x: np.ndarray | None = None
        self.a: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def forward(self, x: ArrayLike, t: ArrayLike) -> float:
        """Return the mean cross-entropy of ``softmax(x)`` against ``t``.

        Parameters
        ----------
        x : array_like, shape (batch, classes) or (classes,)
            Logits (scores).
        t : array_like
            One-hot targets of shape ``x.shape`` or integer labels of shape
            ``(batch,)``.

        Returns
        -------
        float
        """
        self.loss, self.a, self.t = softmax_cross_entropy_parts(x, t)  # checks x and t
        self.x = np.asarray(x, dtype=np.float64)
        return self.loss

    def backward(self, dout: float = 1.0) -> np.ndarray:
        """Return ``dout * (softmax(x) - t) / batch``, shape of the forward ``x``."""
        if self.x is None:
            raise RuntimeError("SoftmaxWithLoss.backward was called before forward")
        dout = float(as_float_array(dout, "dout", ndims=0))
        batch = 1 if self.a.ndim == 1 else self.a.shape[0]
        return dout * ((self.a - self.t) / batch)  # the gradient of softmax_cross_entropy_parts


class MSELoss:
    """Mean squared error over all elements, ``mean((x - t)**2)``, as a layer.

    ``forward`` is :func:`bplib.losses.mse`; ``backward`` returns ``dout``
    times :func:`bplib.losses.mse_prime`, ``2 (x - t) / x.size``.
    """

    def __init__(self) -> None:
        self.loss: float | None = None
        self.x: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def forward(self, x: ArrayLike, t: ArrayLike) -> float:
        """Return ``mean((x - t)**2)``; ``x`` and ``t`` of the same shape."""
        x = as_float_array(x, "x")
        t = as_float_array(t, "t")
        check_same_shape(x, t, "x", "t")
        self.x, self.t = x, t
        self.loss = mse(x.reshape(1, -1), t.reshape(1, -1))  # one row: the mean of all elements
        return self.loss

    def backward(self, dout: float = 1.0) -> np.ndarray:
        """Return ``dout * 2 (x - t) / x.size``, shape of the forward ``x``."""
        if self.x is None:
            raise RuntimeError("MSELoss.backward was called before forward")
        dout = float(as_float_array(dout, "dout", ndims=0))
        x, t = self.x, self.t
        return dout * mse_prime(x.reshape(1, -1), t.reshape(1, -1)).reshape(x.shape)
