"""Chapter 4's BP2: the error of each layer from the next one's, one layer a step (:func:`bp2_layers`)."""

from __future__ import annotations

from typing import Optional

import math

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_float_array
from ..network import Network
from ..stepper import (Diagram, Edge, Node, Stepper, Steps, caption, given_decimals, shown,
                       steady, superscript)
from ..language import resolve as resolve_language
from ..stepper_words import words

__all__ = ["bp2_layers"]


#: The figure's limits: columns of at most this many units, at most this many layers.
MAX_UNITS = 8
MAX_LAYERS = 6

# Geometry (SVG units): the layers' circles in a row at the top, each layer's units as a
# column of dots under its circle, DOT_GAP apart (room for one number above and one below).
_WIDTH, _LEFT, _RIGHT = 490, 30, 460
_HEAD_Y, _FIRST_DOT_Y, _DOT_GAP, _DOT_R = 40, 104, 47, 3


def _diagram(sizes: list[int]) -> Diagram:
    L = len(sizes) - 1
    step = (_RIGHT - _LEFT) / (L + 1)
    tallest = max(sizes)
    mid = _FIRST_DOT_Y + (tallest - 1) / 2 * _DOT_GAP
    nodes, edges = [], []
    heads = ["x"] + [f"z{l}" for l in range(1, L + 1)] + ["C"]
    labels = ["x"] + [f"z{superscript(l)}" for l in range(1, L + 1)] + ["C"]
    for k, (key, label) in enumerate(zip(heads, labels)):
        nodes.append(Node(key, label, _LEFT + k * step, _HEAD_Y))
    for l, n in enumerate(sizes):
        cx = _LEFT + l * step
        for j in range(1, n + 1):
            key = f"x_{j}" if l == 0 else f"z{l}_{j}"
            nodes.append(Node(key, "", cx, mid + (j - (n + 1) / 2) * _DOT_GAP, r=_DOT_R))
    for a, b in zip(heads, heads[1:]):
        edges.append(Edge(a, b, label_offset=-11))
    height = mid + (tallest - 1) / 2 * _DOT_GAP + _DOT_R + 24
    return Diagram(nodes, edges, width=_WIDTH, height=height)


def _decimals(values: np.ndarray) -> int:
    """Decimals giving the largest of ``values`` three significant digits (3 to 5)."""
    largest = float(np.max(np.abs(values)))
    if largest == 0.0:
        return 3
    return int(min(5, max(3, 2 - math.floor(math.log10(largest)))))


def bp2_layers(net: Network, x: ArrayLike, y: ArrayLike, *, lang: Optional[str] = None) -> Stepper:
    """Step BP2 back through the layers of ``net``, one layer a step, with the shapes.

    The figure draws each layer as a column of its units. The forward pass writes
    σ′(z) above each unit; then the output error δ^L (BP1) appears under the output
    unit, and each step computes the errors of one layer from the next one's (BP2,
    ``δ^l = ((W^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^l)``), with the shapes of the product. The last
    step gives the shape of every weight gradient (BP4). The values come from
    :meth:`bplib.Network.forward` and the cost's and activation's own derivatives; the
    builder raises if its errors do not reproduce :meth:`bplib.Network.backprop`'s
    gradients.

    Parameters
    ----------
    net : Network
        A network with one input and one output unit (like chapter 4's
        ``[1, 8, 5, 3, 1]``), at most ``MAX_UNITS`` units a layer and ``MAX_LAYERS``
        layers after the input.
    x : array_like, shape (1, 1) or (1,)
        One input sample.
    y : array_like, shape (1, 1) or (1,)
        Its target.
    lang : str, optional
        The language of the words (:mod:`bplib.stepper_words`): ``"en"`` or ``"zh_CN"``;
        by default the language in use (:func:`bplib.language.get_language`).

    Returns
    -------
    Stepper

    Raises
    ------
    TypeError
        If ``net`` is not a :class:`bplib.Network`.
    ValueError
        If the network does not fit the figure, or ``x`` or ``y`` is not one sample.
    """
    lang = resolve_language(lang)
    if not isinstance(net, Network):
        raise TypeError(f"net must be a bplib.Network, but got {type(net).__name__}")
    sizes = list(net.sizes)
    if sizes[0] != 1 or sizes[-1] != 1:
        raise ValueError(f"bp2_layers shows a network with one input and one output unit, like "
                         f"[1, 8, 5, 3, 1], but net.sizes is {sizes}")
    if len(sizes) - 1 > MAX_LAYERS or max(sizes) > MAX_UNITS or len(sizes) < 3:
        raise ValueError(f"bp2_layers draws 2 to {MAX_LAYERS} layers after the input (at least "
                         f"one hidden layer, for BP2 to act) of at most {MAX_UNITS} units each, "
                         f"but net.sizes is {sizes}")
    x = as_float_array(x, "x", ndims=(0, 1, 2))
    y = as_float_array(y, "y", ndims=(0, 1, 2))
    if x.size != 1 or y.size != 1:
        raise ValueError(f"x and y must be one sample each (one number: the network has one "
                         f"input and one output), but got x of shape {x.shape} and y of shape "
                         f"{y.shape}")
    x, y = x.reshape(1, 1), y.reshape(1, 1)

    # the forward pass, then BP1 and BP2 one product at a time
    L = len(sizes) - 1
    zs, acts = net.forward(x)
    cost = net.cost_function
    prime = net.activation.prime
    z = {l: zs[l - 1] for l in range(1, L + 1)}             # z^l
    a = {l: acts[l] for l in range(0, L + 1)}               # a^l, a^0 = x
    W = {l: net.weights[l - 1] for l in range(1, L + 1)}    # W^l
    sp = {l: prime(z[l]) for l in range(1, L + 1)}          # σ′(z^l)
    scale = cost.scale(sizes[-1])
    grad_a = scale * (a[L] - y)                              # ∇ₐC
    delta = {L: grad_a if cost.cancels_prime else grad_a * sp[L]}
    for l in range(L - 1, 0, -1):
        delta[l] = (W[l + 1].T @ delta[l + 1]) * sp[l]
    nabla_b, nabla_w = net.backprop(x, y)
    for l in range(1, L + 1):
        ok = np.allclose(delta[l] @ a[l - 1].T, nabla_w[l - 1], rtol=1e-12, atol=1e-15)
        if net.bias:
            ok = ok and np.allclose(delta[l], nabla_b[l - 1], rtol=1e-12, atol=1e-15)
        if not ok:
            raise AssertionError(f"the error of layer {l} disagrees with Network.backprop")
    C = float(np.sum(cost.fn(a[L], y, z[L])))

    def cap(key: str, **fields):
        return caption(lang, "bp2_layers", key, **fields)

    t = words(lang, "bp2_layers")
    d = _diagram(sizes)
    st = Steps(d)
    N = {l: shown(f"n{l}", sizes[l], decimals=0) for l in range(L + 1)}
    M = shown("m", 1, decimals=0)
    up = {l: superscript(l) for l in range(L + 2)}

    # forward: the input, σ′(z) of every unit, the cost
    X, Y = steady("x", x[0, 0], 2), steady("y", y[0, 0], 4)
    st.value("x_1", X)
    for l in range(1, L + 1):
        for j in range(1, sizes[l] + 1):
            st.value(f"z{l}_{j}", steady(f"sigma'(z{l}_{j})", sp[l][j - 1, 0], 3))
    for l in range(1, L + 1):
        st.on_edge(("x" if l == 1 else f"z{l - 1}") + f">z{l}", f"W{up[l]}")
    A, CC = steady(f"a{L}", a[L][0, 0], 4), steady("C", C, 4)
    st.value("C", CC)
    st.frame(cap("forward", x=X, y=Y, L=up[L], a=A, C=CC),
             active=[e.key for e in d.edges] + [n.key for n in d.nodes if "_" not in n.key])

    def show_delta(l: int) -> None:
        dec = _decimals(delta[l])
        for j in range(1, sizes[l] + 1):
            st.grad(f"z{l}_{j}", steady(f"delta{l}_{j}", delta[l][j - 1, 0], dec))
        st.grad(f"z{l}", "(", N[l], ", ", M, ")")

    def layer(l: int) -> list[str]:
        return [f"z{l}"] + [f"z{l}_{j}" for j in range(1, sizes[l] + 1)]

    # BP1 at the output
    show_delta(L)
    D = steady(f"delta{L}_1", delta[L][0, 0], _decimals(delta[L]))
    if cost.cancels_prime:
        words_bp1 = cap("bp1_cancel", L=up[L], a=A, y=Y, d=D, n=N[L], m=M)
    else:
        words_bp1 = cap("bp1", L=up[L], s=shown("scale", scale, decimals=0), a=A, y=Y,
                        g=steady("dC/da", grad_a[0, 0], 4),
                        sp=steady(f"sigma'(z{L}_1)", sp[L][0, 0], 4), d=D, n=N[L], m=M)
    st.frame(words_bp1, active=[f"z{L}>C"] + layer(L), phase="backward")

    # BP2, one layer a step
    for l in range(L - 1, 0, -1):
        show_delta(l)
        st.on_edge(f"z{l}>z{l + 1}", f"(W{up[l + 1]})\u1d40", phase="backward")
        st.frame(cap("bp2", l=up[l], k=up[l + 1], r=N[l], c=N[l + 1], m=M),
                 active=[f"z{l}>z{l + 1}"] + layer(l), phase="backward")

    # BP4: every weight gradient, shaped like its W
    parts: list = list(cap("grads", l="\u02e1", lm="\u02e1\u207b\u00b9"))
    for l in range(1, L + 1):
        st.on_edge(("x" if l == 1 else f"z{l - 1}") + f">z{l}", "(", N[l], ", ", N[l - 1], ")",
                   phase="backward")
        parts += cap("grad_shape", l=up[l], r=N[l], c=N[l - 1], m=M)
        parts += cap("sep" if l < L else "end")
    st.frame(parts, active=[e.key for e in d.edges if e.target != "C"], phase="backward")

    n = len(st.frames)
    print_frames = range(n) if n <= 6 else (0, 1, 2, 3, n - 2, n - 1)
    return Stepper("bp2-layers", t["title"], d, st.frames, description=t["description"],
                   legend=t["legend"], print_frames=print_frames, lang=lang)
