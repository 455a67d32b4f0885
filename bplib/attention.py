"""Scaled dot-product attention and a single-head self-attention layer.

Row convention, as in :mod:`bplib.layers`: queries ``Q`` of shape ``(n_q, d)``, keys
``K`` of shape ``(n_k, d)`` and values ``V`` of shape ``(n_k, d_v)``, one position per
row, with optional leading batch axes (the same for all three).  The forward pass is

    S = Q K^T / sqrt(d),    A = softmax(S) row by row,    O = A V,

and the backward pass, for an upstream gradient ``dO`` of the shape of ``O``,

    dV = A^T dO,   dA = dO V^T,   dS = A * (dA - rowsum(dA * A)),
    dQ = dS K / sqrt(d),   dK = dS^T Q / sqrt(d).

``dS`` is the softmax's vector-Jacobian product, computed by
:class:`bplib.layers.Softmax` (one home for it), and the softmax itself is
:func:`bplib.activations.softmax`.

A mask says which keys each query may attend to.  As in PyTorch, a boolean mask is
``True`` where attention is *allowed*; ``causal=True`` allows key ``j`` for query ``i``
only when ``j <= i`` (the lower triangle, top-left aligned like PyTorch's
``is_causal``).  Masked scores are set before the softmax, as if to ``-inf``: their
weights are exactly 0, the other weights of the row still sum to 1, and the softmax's
backward pass sends exactly 0 back to them.  (bplib's softmax accepts finite logits only,
so a masked score is stored as a finite number so far below its row's largest allowed
score that its exponential underflows to exactly 0.0 in float64: the same weights, bit
for bit, as ``-inf`` gives.)  A query whose every key is masked has no weights to
average with (``0/0``): a plain softmax gives ``NaN`` there, PyTorch's
``scaled_dot_product_attention`` (2.13, as the tests record) a row of zeros, and this
module raises a ``ValueError`` naming the query.

:class:`SelfAttention` is a :class:`bplib.layers.Layer` (parameters ``Wq``, ``Wk``,
``Wv``): ``x`` of shape ``(batch, n, d_model)`` gives ``Q = x Wq``, ``K = x Wk``,
``V = x Wv`` and the output ``O``; its ``dx`` is the sum of the three paths.
:class:`TakePosition` picks one position of a sequence (for a classifier's head), and
:func:`key_value_retrieval` makes the small task the chapter trains on.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array
from ._validation import as_param as _as_param
from ._validation import check_dout as _check_dout
from .layers import Layer, Softmax

__all__ = [
    "causal_mask",
    "scaled_dot_product_attention",
    "scaled_dot_product_attention_backward",
    "SelfAttention",
    "TakePosition",
    "key_value_retrieval",
]

#: How far below its row's largest allowed score a masked score is stored: with this gap
#: (plus twice the score's size) ``exp`` of the difference is exactly 0.0 in float64
#: (``exp`` underflows to 0 below about -745.1).
_MASK_GAP = 1000.0


def causal_mask(n_q: int, n_k: int | None = None) -> np.ndarray:
    """The causal mask: ``True`` where query ``i`` may attend to key ``j``, that is ``j <= i``.

    Parameters
    ----------
    n_q : int
        Number of queries (rows).
    n_k : int, optional
        Number of keys (columns); ``n_q`` when omitted.

    Returns
    -------
    numpy.ndarray of bool, shape (n_q, n_k)
        The lower triangle with the diagonal, top-left aligned (PyTorch's ``is_causal``).
    """
    n_k = n_q if n_k is None else n_k
    for name, value in (("n_q", n_q), ("n_k", n_k)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, but got {value!r}")
    return np.tril(np.ones((int(n_q), int(n_k)), dtype=bool))


def _check_qkv(Q: ArrayLike, K: ArrayLike, V: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    Q = as_float_array(Q, "Q")
    K = as_float_array(K, "K")
    V = as_float_array(V, "V")
    for name, arr in (("Q", Q), ("K", K), ("V", V)):
        if arr.ndim < 2:
            raise ValueError(
                f"{name} must have at least 2 dimensions (positions, features), one position "
                f"per row, but {name}.shape={arr.shape}"
            )
    if not (Q.shape[:-2] == K.shape[:-2] == V.shape[:-2]):
        raise ValueError(
            "Q, K and V must have the same leading (batch) axes, but "
            f"Q.shape={Q.shape}, K.shape={K.shape}, V.shape={V.shape}"
        )
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(
            "queries and keys must have the same width d (QK^T pairs them), but "
            f"Q.shape={Q.shape} and K.shape={K.shape}"
        )
    if K.shape[-2] != V.shape[-2]:
        raise ValueError(
            "K and V must have one row per key position, but "
            f"K.shape={K.shape} and V.shape={V.shape}"
        )
    return Q, K, V


def _allowed(mask: ArrayLike | None, causal: bool, shape: tuple[int, ...]) -> np.ndarray | None:
    """The boolean mask of allowed (query, key) pairs broadcast to ``shape``, or None."""
    if not isinstance(causal, (bool, np.bool_)):
        raise TypeError(f"causal must be True or False, but got {causal!r}")
    allowed = None
    if mask is not None:
        m = np.asarray(mask)
        if m.dtype != bool:
            raise TypeError(
                f"mask must be a boolean array (True where attention is allowed), but its "
                f"dtype is {m.dtype}"
            )
        try:
            allowed = np.broadcast_to(m, shape)
        except ValueError:
            raise ValueError(
                f"mask.shape={m.shape} does not broadcast to the scores' shape {shape} "
                "(..., queries, keys)"
            ) from None
    if causal:
        tri = causal_mask(shape[-2], shape[-1])
        allowed = tri if allowed is None else (allowed & tri)
        allowed = np.broadcast_to(allowed, shape)
    if allowed is not None:
        empty = ~allowed.any(axis=-1)
        if empty.any():
            where = [int(i) for i in np.argwhere(empty)[0]]
            query = f"query {where[-1]}"
            if len(where) > 1:
                query += f" of sequence {tuple(where[:-1])}"
            raise ValueError(
                f"the mask leaves {query} (counted from 0) no key to attend to: its softmax "
                "would be 0/0, NaN in a plain softmax; allow at least one key per query"
            )
    return allowed


def _masked_scores(S: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
    """The scores with every masked entry far enough below its row for exp to give 0.0."""
    if allowed is None:
        return S
    top = np.max(np.where(allowed, S, -np.inf), axis=-1, keepdims=True)  # finite: rows non-empty
    fill = top - (_MASK_GAP + 2.0 * np.abs(top))  # "-inf" for the softmax, still finite
    return np.where(allowed, S, fill)


def _attend(
    Q: np.ndarray, K: np.ndarray, V: np.ndarray, causal: bool, mask: ArrayLike | None
) -> tuple[np.ndarray, np.ndarray, Softmax]:
    """Forward pass on checked arrays: the output, the weights and the softmax that made them."""
    d = Q.shape[-1]
    S = Q @ np.swapaxes(K, -1, -2) / np.sqrt(d)
    allowed = _allowed(mask, causal, S.shape)
    softmax_layer = Softmax()
    A = softmax_layer.forward(_masked_scores(S, allowed))
    return A @ V, A, softmax_layer


def scaled_dot_product_attention(
    Q: ArrayLike,
    K: ArrayLike,
    V: ArrayLike,
    causal: bool = False,
    mask: ArrayLike | None = None,
    return_weights: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """``softmax(Q K^T / sqrt(d)) V``, row by row, with an optional mask.

    Parameters
    ----------
    Q : array_like, shape (..., n_q, d)
        Queries, one per row.
    K : array_like, shape (..., n_k, d)
        Keys, one per row.
    V : array_like, shape (..., n_k, d_v)
        Values, one row per key.
    causal : bool, default False
        Allow query ``i`` to attend only to keys ``j <= i`` (:func:`causal_mask`).
    mask : array_like of bool, optional
        ``True`` where attention is allowed, broadcastable to ``(..., n_q, n_k)``
        (PyTorch's boolean ``attn_mask``); combined with ``causal`` by "and".
    return_weights : bool, default False
        Also return the attention weights ``A``.

    Returns
    -------
    O : numpy.ndarray, shape (..., n_q, d_v)
    A : numpy.ndarray, shape (..., n_q, n_k)
        Only with ``return_weights=True``: each row is non-negative, sums to 1 and is
        exactly 0 where the mask forbids.

    Raises
    ------
    ValueError
        For shapes that do not fit together, or a mask that leaves a query no key.
    TypeError
        For a mask that is not boolean or a ``causal`` that is not a bool.
    """
    Q, K, V = _check_qkv(Q, K, V)
    O, A, _ = _attend(Q, K, V, causal, mask)
    return (O, A) if return_weights else O


def scaled_dot_product_attention_backward(
    dO: ArrayLike, Q: ArrayLike, K: ArrayLike, V: ArrayLike, A: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gradients ``(dQ, dK, dV)`` of attention, given the forward pass's weights ``A``.

    ``dV = A^T dO``, ``dA = dO V^T``, ``dS = A * (dA - rowsum(dA * A))`` (the softmax's
    vector-Jacobian product, :meth:`bplib.layers.Softmax.backward`),
    ``dQ = dS K / sqrt(d)`` and ``dK = dS^T Q / sqrt(d)``.  A masked weight is 0, so its
    ``dS`` is exactly 0: no gradient flows through a masked pair.

    Parameters
    ----------
    dO : array_like, shape (..., n_q, d_v)
        The gradient of the loss with respect to the output ``O``.
    Q, K, V : array_like
        The forward pass's inputs (shapes as in :func:`scaled_dot_product_attention`).
    A : array_like, shape (..., n_q, n_k)
        The forward pass's weights (``return_weights=True``).

    Returns
    -------
    dQ, dK, dV : numpy.ndarray, the shapes of Q, K and V.
    """
    Q, K, V = _check_qkv(Q, K, V)
    A = as_float_array(A, "A")
    weights_shape = Q.shape[:-1] + (K.shape[-2],)
    if A.shape != weights_shape:
        raise ValueError(
            f"A must have the shape of the weights (..., n_q, n_k) = {weights_shape}, "
            f"but A.shape={A.shape}"
        )
    softmax_layer = Softmax()
    softmax_layer.out = A
    return _backward(dO, Q, K, V, softmax_layer)


def _backward(
    dO: ArrayLike, Q: np.ndarray, K: np.ndarray, V: np.ndarray, softmax_layer: Softmax
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    A = softmax_layer.out
    dO = _check_dout(dO, Q.shape[:-1] + (V.shape[-1],), "scaled_dot_product_attention")
    scale = 1.0 / np.sqrt(Q.shape[-1])
    dV = np.swapaxes(A, -1, -2) @ dO
    dA = dO @ np.swapaxes(V, -1, -2)
    dS = softmax_layer.backward(dA)  # A * (dA - rowsum(dA * A)): the softmax's VJP
    dQ = dS @ K * scale
    dK = np.swapaxes(dS, -1, -2) @ Q * scale
    return dQ, dK, dV


class SelfAttention(Layer):
    """Single-head self-attention: ``softmax(x Wq (x Wk)^T / sqrt(d)) x Wv``, per sequence.

    Parameters
    ----------
    Wq : numpy.ndarray, shape (d_model, d)
    Wk : numpy.ndarray, shape (d_model, d)
    Wv : numpy.ndarray, shape (d_model, d_v)
        The projections to queries, keys and values.  A float64 ndarray is stored
        as is (not copied), as :class:`bplib.layers.Affine` stores ``W``.
    causal : bool, default False
        Let position ``i`` attend only to positions ``j <= i``.

    Attributes
    ----------
    Wq, Wk, Wv : numpy.ndarray
        The parameters (``param_names``).
    dWq, dWk, dWv : numpy.ndarray
        Their gradients from the last ``backward`` (``None`` before it).
    A : numpy.ndarray, shape (batch, n, n)
        The attention weights of the last ``forward``: ``A[b, i, j]`` is how much
        position ``i`` of sequence ``b`` takes from position ``j``.

    Notes
    -----
    No output projection, bias or residual connection: the layer is the attention alone,
    and a model adds what it needs after it (an :class:`bplib.layers.Affine` on the
    output, as a classifier's head does).
    """

    param_names = ("Wq", "Wk", "Wv")

    def __init__(self, Wq: ArrayLike, Wk: ArrayLike, Wv: ArrayLike, causal: bool = False) -> None:
        self.Wq = _as_param(Wq, "Wq", 2)
        self.Wk = _as_param(Wk, "Wk", 2)
        self.Wv = _as_param(Wv, "Wv", 2)
        if not (self.Wq.shape[0] == self.Wk.shape[0] == self.Wv.shape[0]):
            raise ValueError(
                "Wq, Wk and Wv must have one row per input feature (d_model), but "
                f"Wq.shape={self.Wq.shape}, Wk.shape={self.Wk.shape}, Wv.shape={self.Wv.shape}"
            )
        if self.Wq.shape[1] != self.Wk.shape[1]:
            raise ValueError(
                "queries and keys must have the same width d, but "
                f"Wq.shape={self.Wq.shape} and Wk.shape={self.Wk.shape}"
            )
        if not isinstance(causal, (bool, np.bool_)):
            raise TypeError(f"causal must be True or False, but got {causal!r}")
        self.causal = bool(causal)
        self.x: np.ndarray | None = None
        self.A: np.ndarray | None = None
        self._qkv: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._softmax: Softmax | None = None
        self.dWq: np.ndarray | None = None
        self.dWk: np.ndarray | None = None
        self.dWv: np.ndarray | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Attend within each sequence of the batch.

        Parameters
        ----------
        x : array_like, shape (batch, n, d_model)
            ``batch`` sequences of ``n`` positions, one position per row.

        Returns
        -------
        numpy.ndarray, shape (batch, n, d_v)
        """
        x = as_float_array(x, "x")
        if x.ndim != 3 or x.shape[2] != self.Wq.shape[0]:
            raise ValueError(
                f"x must have shape (batch, n, d_model) with d_model = {self.Wq.shape[0]} "
                f"(the rows of Wq), but x.shape={x.shape}"
            )
        Q, K, V = x @ self.Wq, x @ self.Wk, x @ self.Wv
        out, self.A, self._softmax = _attend(Q, K, V, self.causal, None)
        self.x, self._qkv = x, (Q, K, V)
        return out

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """Gradients of the three projections, and ``dx``: the sum over the Q, K and V paths.

        Parameters
        ----------
        dout : array_like, shape (batch, n, d_v)

        Returns
        -------
        numpy.ndarray, shape (batch, n, d_model):
        ``dQ Wq^T + dK Wk^T + dV Wv^T`` (``x`` feeds all three projections).
        """
        if self._qkv is None:
            raise RuntimeError("SelfAttention.backward was called before SelfAttention.forward")
        Q, K, V = self._qkv
        dQ, dK, dV = _backward(dout, Q, K, V, self._softmax)
        x = self.x
        self.dWq = np.einsum("bnm,bnd->md", x, dQ)  # sum over the batch of x^T dQ
        self.dWk = np.einsum("bnm,bnd->md", x, dK)
        self.dWv = np.einsum("bnm,bnd->md", x, dV)
        return dQ @ self.Wq.T + dK @ self.Wk.T + dV @ self.Wv.T

    def __repr__(self) -> str:
        d_model, d = self.Wq.shape
        return (f"SelfAttention(d_model={d_model}, d={d}, d_v={self.Wv.shape[1]}, "
                f"causal={self.causal})")


class TakePosition(Layer):
    """One position of each sequence: ``x[:, index, :]`` (no parameters).

    A classifier that reads a sequence through attention takes the output at one
    position (the last, where a causal layer has seen everything) into its head.

    Parameters
    ----------
    index : int, default -1
        The position taken (negative counts from the end).
    """

    def __init__(self, index: int = -1) -> None:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"index must be an integer, but got {index!r}")
        self.index = int(index)
        self._shape: tuple[int, ...] | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Return ``x[:, index, :]``, shape (batch, features), for ``x`` of shape (batch, n, features)."""
        x = as_float_array(x, "x")
        if x.ndim != 3:
            raise ValueError(f"x must have shape (batch, n, features), but x.shape={x.shape}")
        if not -x.shape[1] <= self.index < x.shape[1]:
            raise ValueError(f"index {self.index} is out of range for n = {x.shape[1]} positions")
        self._shape = x.shape
        return x[:, self.index, :]

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """``dout`` at the taken position, 0 at the others: shape (batch, n, features)."""
        if self._shape is None:
            raise RuntimeError("TakePosition.backward was called before TakePosition.forward")
        dout = _check_dout(dout, (self._shape[0], self._shape[2]), "TakePosition")
        dx = np.zeros(self._shape)
        dx[:, self.index, :] = dout
        return dx

    def __repr__(self) -> str:
        return f"TakePosition({self.index})"


def key_value_retrieval(
    samples: int, pairs: int = 4, keys: int = 8, values: int = 8, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A look-up task that needs attention: find the value stored under the queried key.

    Each sequence holds ``pairs`` positions ``(key, value)`` with distinct keys, then one
    query position holding a key of those pairs; the label is the value stored under it.
    A position is the concatenation ``[one-hot key | one-hot value | query flag]``: a pair
    has its key and value and flag 0, the query its key, no value (zeros) and flag 1.  The
    answer is not at the query's position: it must be fetched from the pair whose key
    matches, which is what an attention weight can do.

    Parameters
    ----------
    samples : int
        Number of sequences.
    pairs : int, default 4
        Key-value pairs per sequence (the sequence has ``pairs + 1`` positions).
    keys, values : int, default 8
        Sizes of the key and value vocabularies (``keys >= pairs``).
    seed : int, default 0

    Returns
    -------
    x : numpy.ndarray, shape (samples, pairs + 1, keys + values + 1)
    t : numpy.ndarray of int, shape (samples,)
        The value (``0 ... values - 1``) stored under the queried key.
    """
    for name, value in (("samples", samples), ("pairs", pairs), ("keys", keys), ("values", values)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, but got {value!r}")
    if keys < pairs:
        raise ValueError(f"the {pairs} pairs need distinct keys, but there are only keys={keys}")
    rng = np.random.default_rng(seed)
    x = np.zeros((samples, pairs + 1, keys + values + 1))
    t = np.zeros(samples, dtype=int)
    rows = np.arange(pairs)
    for s in range(samples):
        ks = rng.choice(keys, pairs, replace=False)
        vs = rng.integers(0, values, pairs)
        x[s, rows, ks] = 1.0
        x[s, rows, keys + vs] = 1.0
        asked = rng.integers(pairs)
        x[s, pairs, ks[asked]] = 1.0
        x[s, pairs, -1] = 1.0
        t[s] = vs[asked]
    return x, t
