"""A recurrent layer and backpropagation through time (chapter 11).

Row convention, as :mod:`bplib.layers`: a batch of sequences ``x`` has shape
``(batch, time, n_in)``; at each time step ``t`` the hidden state of every
sequence is

    h_t = tanh(x_t Wx + h_{t-1} Wh + b),      h_0 given (zeros by default),

with ``x_t`` of shape ``(batch, n_in)`` and ``h_t`` of shape ``(batch, n_hidden)``.
The same ``Wx``, ``Wh`` and ``b`` serve every step, so their gradients are sums
over the time steps.  :class:`RNN` returns every hidden state,
``(batch, time, n_hidden)``; :class:`LastStep` keeps the last one, so that
``Sequential([RNN(...), LastStep(), Affine(...)], MSELoss())`` maps a sequence to
one prediction.

Backpropagation through time (``RNN.backward``) walks the steps backwards,
carrying the gradient of the loss with respect to the hidden state,

    g_{t-1} = ((g_t + dout_{t-1} ...) * (1 - h_t**2)) Wh^T,

and adds each step's term to ``dWx``, ``dWh`` and ``db``.  With
``truncate=k`` each output's gradient is carried back through at most ``k``
steps (its own and the ``k - 1`` before it), as in truncated BPTT.

:func:`bplib.training.clip_grad_norm` rescales a dict of gradients whose global
norm exceeds a threshold (PyTorch's ``torch.nn.utils.clip_grad_norm_``), and
``bplib.models.fit(..., max_norm=)`` trains with it at every step.

PyTorch's ``nn.RNN`` (``nonlinearity="tanh"``, ``batch_first=True``) computes
the same layer with ``weight_ih_l0 = Wx.T``, ``weight_hh_l0 = Wh.T`` and two
bias vectors whose sum is ``b``: ``b = bias_ih_l0 + bias_hh_l0``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_positive_int
from ._validation import as_param as _as_param
from ._validation import check_dout as _check_dout
from .activations import get_activation
from .layers import Layer

__all__ = ["RNN", "LastStep"]

_TANH = get_activation("tanh")


class RNN(Layer):
    """A vanilla recurrent layer, ``h_t = tanh(x_t Wx + h_{t-1} Wh + b)``, over whole sequences.

    Parameters
    ----------
    Wx : numpy.ndarray, shape (n_in, n_hidden)
        Input-to-hidden weights.
    Wh : numpy.ndarray, shape (n_hidden, n_hidden)
        Hidden-to-hidden (recurrent) weights.
    b : numpy.ndarray, shape (n_hidden,)
        The bias (PyTorch's ``bias_ih_l0 + bias_hh_l0``).
    truncate : int, optional
        Truncated BPTT: the gradient of each output ``h_s`` is carried back
        through at most ``truncate`` steps (``s``, ``s - 1``, ...,
        ``s - truncate + 1``).  ``None`` (the default): through all of them.

        A float64 ndarray parameter is stored as is (not copied), as in
        :class:`bplib.layers.Affine`.

    Attributes
    ----------
    Wx, Wh, b : numpy.ndarray
        The parameters.
    dWx, dWh, db : numpy.ndarray
        Their gradients after :meth:`backward` (``None`` before), each a sum
        over the batch and the time steps.
    dh0 : numpy.ndarray, shape (batch, n_hidden)
        The gradient with respect to the initial state ``h0`` after :meth:`backward`.
    hs : numpy.ndarray, shape (batch, time + 1, n_hidden)
        The states of the last :meth:`forward`, ``h0`` first.
    """

    param_names = ("Wx", "Wh", "b")

    def __init__(self, Wx: ArrayLike, Wh: ArrayLike, b: ArrayLike, *, truncate: int | None = None) -> None:
        self.Wx = _as_param(Wx, "Wx", 2)
        self.Wh = _as_param(Wh, "Wh", 2)
        self.b = _as_param(b, "b", 1)
        n_hidden = self.Wx.shape[1]
        if self.Wh.shape != (n_hidden, n_hidden):
            raise ValueError(
                f"Wh must be square, (n_hidden, n_hidden) = ({n_hidden}, {n_hidden}) for "
                f"Wx.shape={self.Wx.shape}, but Wh.shape={self.Wh.shape}"
            )
        if self.b.shape != (n_hidden,):
            raise ValueError(
                f"b must have one entry per hidden unit, shape ({n_hidden},), but b.shape={self.b.shape}"
            )
        self.truncate = None if truncate is None else check_positive_int(truncate, "truncate")
        self.x: np.ndarray | None = None
        self.hs: np.ndarray | None = None
        self._out_shape: tuple[int, ...] | None = None
        self.dWx: np.ndarray | None = None
        self.dWh: np.ndarray | None = None
        self.db: np.ndarray | None = None
        self.dh0: np.ndarray | None = None

    @property
    def n_in(self) -> int:
        """The number of input features per time step."""
        return self.Wx.shape[0]

    @property
    def n_hidden(self) -> int:
        """The number of hidden units."""
        return self.Wx.shape[1]

    def forward(self, x: ArrayLike, h0: ArrayLike | None = None) -> np.ndarray:
        """Run the sequences through the layer and return every hidden state.

        Parameters
        ----------
        x : array_like, shape (batch, time, n_in)
        h0 : array_like, shape (batch, n_hidden), optional
            The state before the first step; zeros by default.

        Returns
        -------
        numpy.ndarray, shape (batch, time, n_hidden)
            ``h_1, ..., h_T`` for each sequence.
        """
        x = as_float_array(x, "x", ndims=3)
        batch, steps, n_in = x.shape
        if n_in != self.n_in:
            raise ValueError(
                f"x must have shape (batch, time, n_in) with n_in = {self.n_in} (Wx.shape="
                f"{self.Wx.shape}), but x.shape={x.shape}"
            )
        hs = np.empty((batch, steps + 1, self.n_hidden))
        if h0 is None:
            hs[:, 0] = 0.0
        else:
            h0 = as_float_array(h0, "h0", ndims=2)
            if h0.shape != (batch, self.n_hidden):
                raise ValueError(
                    f"h0 must have shape (batch, n_hidden) = ({batch}, {self.n_hidden}), "
                    f"but h0.shape={h0.shape}"
                )
            hs[:, 0] = h0
        for t in range(steps):
            hs[:, t + 1] = _TANH.f(x[:, t] @ self.Wx + hs[:, t] @ self.Wh + self.b)
        self.x, self.hs = x, hs
        out = hs[:, 1:].copy()
        self._out_shape = out.shape
        return out

    def _step_back(self, t: int, g: np.ndarray) -> np.ndarray:
        """One step of BPTT at time index ``t`` for the gradient ``g`` w.r.t. ``h_{t+1}``.

        Adds the step's terms to the gradients and returns the gradient w.r.t. ``h_t``.
        """
        h = self.hs[:, t + 1]
        da = g * _TANH.prime_from_output(h)  # the gradient at the pre-activation
        self.dWx += self.x[:, t].T @ da
        self.dWh += self.hs[:, t].T @ da
        self.db += da.sum(axis=0)
        self._dx[:, t] += da @ self.Wx.T
        return da @ self.Wh.T  # through h_t = the previous state

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """Backpropagation through time.

        Parameters
        ----------
        dout : array_like, shape (batch, time, n_hidden)
            The gradient of the loss with respect to every hidden state the
            forward pass returned (zeros where the loss does not use a state).

        Returns
        -------
        numpy.ndarray, shape (batch, time, n_in)
            The gradient with respect to ``x``.  ``dWx``, ``dWh``, ``db`` and
            ``dh0`` are set as a side effect.
        """
        dout = _check_dout(dout, self._out_shape, "RNN")
        batch, steps, _ = dout.shape
        self.dWx = np.zeros_like(self.Wx)
        self.dWh = np.zeros_like(self.Wh)
        self.db = np.zeros_like(self.b)
        self._dx = np.zeros_like(self.x)
        self.dh0 = np.zeros((batch, self.n_hidden))
        if self.truncate is None or self.truncate >= steps:
            g = np.zeros((batch, self.n_hidden))
            for t in reversed(range(steps)):
                g = self._step_back(t, g + dout[:, t])
            self.dh0 = g
        else:
            # each output's gradient travels back at most `truncate` steps on its own
            for s in range(steps):
                g = dout[:, s]
                for t in range(s, max(s - self.truncate, -1), -1):
                    g = self._step_back(t, g)
                if s - self.truncate < 0:
                    self.dh0 += g
        dx, self._dx = self._dx, None
        return dx

    def jacobians(self) -> np.ndarray:
        """The Jacobian of every step of the last :meth:`forward`, ``dh_t/dh_{t-1}``.

        Returns
        -------
        numpy.ndarray, shape (batch, time, n_hidden, n_hidden)
            Entry ``[n, t - 1, i, j]`` is ``d h_t[i] / d h_{t-1}[j]`` for sample ``n``:
            ``diag(1 - h_t**2) @ Wh.T`` (the column convention's Jacobian).
        """
        if self.hs is None:
            raise RuntimeError("RNN.jacobians was called before RNN.forward")
        slope = _TANH.prime_from_output(self.hs[:, 1:])  # (batch, time, n_hidden)
        return slope[..., :, None] * self.Wh.T[None, None]

    def __repr__(self) -> str:
        extra = "" if self.truncate is None else f", truncate={self.truncate}"
        return f"RNN(n_in={self.n_in}, n_hidden={self.n_hidden}{extra})"


class LastStep(Layer):
    """The last time step of a sequence of states: ``(batch, time, n) -> (batch, n)``.

    ``backward`` puts ``dout`` at the last step and zeros at the others, so an
    :class:`RNN` before it learns from the last state only (many-to-one).
    """

    def __init__(self) -> None:
        self._in_shape: tuple[int, ...] | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Return ``x[:, -1]``, a new array of shape (batch, n)."""
        x = as_float_array(x, "x", ndims=3)
        self._in_shape = x.shape
        return x[:, -1].copy()

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """Return zeros of the input's shape with ``dout`` at the last time step."""
        expected = None if self._in_shape is None else (self._in_shape[0], self._in_shape[2])
        dout = _check_dout(dout, expected, "LastStep")
        dx = np.zeros(self._in_shape)
        dx[:, -1] = dout
        return dx

    def __repr__(self) -> str:
        return "LastStep()"
