"""Chapter 11's unrolled RNN: forward in time, then back, summing ∂C/∂wₕ over the steps (:func:`bptt`)."""

from __future__ import annotations

from typing import Optional

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_float_array
from ..activations import get_activation
from ..recurrent import RNN
from ..stepper import (Diagram, Edge, Node, Stepper, Steps, caption, given_decimals, shown,
                       steady, subscript)
from ..language import resolve as resolve_language
from ..stepper_words import words

__all__ = ["bptt"]

#: The figure's limits: 2 to 4 time steps (the unrolled chain must fit 490 units).
MIN_STEPS, MAX_STEPS = 2, 4
#: The step of the central difference the last frame shows.
_H = 1e-6

# Geometry (SVG units): the inputs x_t in a row at the top, the states h_0 ... h_T and the
# cost C in a row below them, the shared weight w_h under the row, joined to every h_t.
_WIDTH, _LEFT, _RIGHT = 490, 34, 452
_X_Y, _H_Y, _W_Y = 40, 150, 330


def _diagram(steps: int) -> Diagram:
    gap = (_RIGHT - _LEFT) / (steps + 1)
    nodes = [Node("h0", "a\u2080", _LEFT, _H_Y)]
    edges = []
    for t in range(1, steps + 1):
        cx = _LEFT + t * gap
        nodes.append(Node(f"x{t}", f"x{subscript(t)}", cx, _X_Y))
        nodes.append(Node(f"h{t}", f"a{subscript(t)}", cx, _H_Y))
        edges.append(Edge(f"x{t}", f"h{t}", label_offset=-10))
        edges.append(Edge(f"h{t - 1}", f"h{t}", label_offset=10))
    nodes.append(Node("C", "C", _RIGHT, _H_Y))
    edges.append(Edge(f"h{steps}", "C", label_offset=10))
    w_x = _LEFT + (steps + 1) / 2 * gap
    nodes.append(Node("wh", "w\u2095", w_x, _W_Y))
    for t in range(1, steps + 1):
        cx = _LEFT + t * gap
        if abs(cx - w_x) < 1e-9:  # straight up: the term beside the line, low
            edges.append(Edge("wh", f"h{t}", label_at=0.4, label_offset=-24))
        else:  # the diagonals: the terms high, where the edges are apart
            edges.append(Edge("wh", f"h{t}", label_at=0.7, label_offset=12 if cx < w_x else -12))
    return Diagram(nodes, edges, width=_WIDTH, height=_W_Y + 48)


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number, but got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, but got {value!r}")
    return value


def bptt(x: ArrayLike, y: float, wx: float, wh: float, b: float, h0: float = 0.0, *,
         lang: Optional[str] = None) -> Stepper:
    """Step backpropagation through time on a scalar RNN unrolled over 2 to 4 steps.

    The network is ``h_t = tanh(wx x_t + wh h_{t-1} + b)`` (one input, one hidden unit)
    with the cost ``C = (h_T - y)^2 / 2`` on the last state. The stepper shows the
    forward pass one step at a time, then the backward pass: at each step back the
    gradient at the pre-activation, ``δ_t = ∂C/∂h_t (1 - h_t²)``, the step's term
    ``δ_t h_{t-1}`` of ``∂C/∂wₕ`` added to a running sum on the shared weight, and the
    gradient handed to the previous state, ``∂C/∂h_{t-1} = δ_t wₕ``. The values come from
    :class:`bplib.recurrent.RNN` and the tanh record of :mod:`bplib.activations`; the
    builder raises if the sum disagrees with ``RNN.backward``'s ``dWh`` or with a central
    difference.

    Parameters
    ----------
    x : array_like, shape (T,)
        The inputs ``x_1 ... x_T``, 2 <= T <= 4.
    y : float
        The target of the last state.
    wx, wh, b : float
        The input weight, the recurrent weight and the bias.
    h0 : float, optional
        The state before the first step.
    lang : str, optional
        The language of the words (:mod:`bplib.stepper_words`): ``"en"`` or ``"zh_CN"``;
        by default the language in use (:func:`bplib.language.get_language`).

    Returns
    -------
    Stepper

    Raises
    ------
    TypeError
        If a scalar argument is not a real number.
    ValueError
        If ``x`` does not hold 2 to 4 finite numbers, or a number is not finite.
    """
    lang = resolve_language(lang)
    y, wx, wh, b, h0 = (_number(v, n) for v, n in ((y, "y"), (wx, "wx"), (wh, "wh"), (b, "b"),
                                                    (h0, "h0")))
    x = as_float_array(x, "x", ndims=(1,))
    steps = x.shape[0]
    if not MIN_STEPS <= steps <= MAX_STEPS:
        raise ValueError(f"bptt unrolls {MIN_STEPS} to {MAX_STEPS} time steps (the figure's "
                         f"width), but x holds {steps} numbers")

    tanh = get_activation("tanh")
    layer = RNN([[wx]], [[wh]], [b])
    seq = x.reshape(1, steps, 1)
    hs = np.concatenate([[h0], layer.forward(seq, [[h0]])[0, :, 0]])  # h_0 ... h_T
    z = {t: wx * x[t - 1] + wh * hs[t - 1] + b for t in range(1, steps + 1)}
    C = 0.5 * (hs[steps] - y) ** 2

    # backward, one step at a time, as the figure shows it
    dh = {steps: hs[steps] - y}                     # ∂C/∂h_T
    local, delta, term, jac, running = {}, {}, {}, {}, {}
    total = 0.0
    for t in range(steps, 0, -1):
        local[t] = float(tanh.prime_from_output(np.array(hs[t])))  # 1 - h_t²
        delta[t] = dh[t] * local[t]                 # ∂C/∂(pre-activation of step t)
        term[t] = delta[t] * hs[t - 1]              # this step's term of ∂C/∂wₕ
        total += term[t]
        running[t] = total
        jac[t] = local[t] * wh                      # ∂h_t/∂h_{t-1}
        dh[t - 1] = delta[t] * wh                   # = ∂C/∂h_t · ∂h_t/∂h_{t-1}

    dout = np.zeros((1, steps, 1))
    dout[0, -1, 0] = hs[steps] - y
    layer.backward(dout)
    if not np.isclose(total, layer.dWh[0, 0], rtol=1e-12, atol=1e-15):
        raise AssertionError(f"the sum over the steps, {total!r}, disagrees with RNN.backward's "
                             f"dWh, {layer.dWh[0, 0]!r}")

    def cost(w: float) -> float:
        out = RNN([[wx]], [[w]], [b]).forward(seq, [[h0]])
        return float(0.5 * (out[0, -1, 0] - y) ** 2)

    central = (cost(wh + _H) - cost(wh - _H)) / (2 * _H)
    if not abs(central - total) <= 1e-7 * max(1.0, abs(total)):
        raise AssertionError(f"the sum over the steps, {total!r}, disagrees with the central "
                             f"difference {central!r}")

    def cap(key: str, **fields):
        return caption(lang, "bptt", key, **fields)

    t_words = words(lang, "bptt")
    d = _diagram(steps)
    st = Steps(d)
    T = subscript(steps)

    # the given numbers as typed; the computed ones with 4 decimals
    X = {t: steady(f"x{t}", x[t - 1], given_decimals(x[t - 1])) for t in range(1, steps + 1)}
    WX = steady("wx", wx, given_decimals(wx))
    WH = steady("wh", wh, given_decimals(wh))
    B = steady("b", b, given_decimals(b))
    Y = steady("y", y, given_decimals(y))
    H0 = steady("h0", h0, given_decimals(h0))
    for t in range(1, steps + 1):
        st.value(f"x{t}", X[t])
        st.on_edge(f"h{t - 1}>h{t}", "w\u2095")
        st.on_edge(f"x{t}>h{t}", "w\u2093")
    st.value("h0", H0)
    st.value("wh", WH)
    st.frame(cap("start", T=T, wx=WX, wh=WH, b=B, h0=H0, y=Y),
             active=["h0", "wh"] + [f"x{t}" for t in range(1, steps + 1)])

    # forward, one step a frame
    Hs = {0: H0}
    for t in range(1, steps + 1):
        Hs[t] = steady(f"h{t}", hs[t], 4)
        Z = steady(f"z{t}", z[t], 4)
        st.value(f"h{t}", Hs[t])
        key = "forward_first" if t == 1 else "forward"
        st.frame(cap(key, n=shown(f"step{t}", t, decimals=0), t=subscript(t),
                     p=subscript(t - 1), wx=WX, x=X[t], wh=WH,
                     h_prev=Hs[t - 1], b=B, z=Z, h=Hs[t]),
                 active=[f"x{t}>h{t}", f"h{t - 1}>h{t}", "wh>h" + str(t), f"h{t}"])
    CC = steady("C", C, 4)
    st.value("C", CC)
    st.frame(cap("cost", T=T, h=Hs[steps], y=Y, C=CC), active=[f"h{steps}>C", "C"])

    # backward: the seed, then one step back per frame pair
    DH = {steps: steady(f"dC/dh{steps}", dh[steps], 4)}
    st.grad(f"h{steps}", DH[steps])
    st.on_edge(f"h{steps}>C", "\u00d7", steady("dC/dhT", dh[steps], 4), phase="backward")
    st.frame(cap("seed", T=T, h=Hs[steps], y=Y, g=DH[steps]),
             active=[f"h{steps}>C", f"h{steps}"], phase="backward")
    RUN = {}
    for t in range(steps, 0, -1):
        sub, prev = subscript(t), subscript(t - 1)
        N = shown(f"step{t}", t, decimals=0)
        L = steady(f"tanh'(z{t})", local[t], 4)
        D = steady(f"delta{t}", delta[t], 4)
        TERM = steady(f"term{t}", term[t], 4)
        RUN[t] = steady(f"dC/dwh[{t}:]", running[t], 4)
        st.on_edge(f"wh>h{t}", TERM, phase="backward")
        st.grad("wh", RUN[t])
        if t == steps:
            words_term = cap("term_first", n=N, t=sub, p=prev, g=DH[t], local=L, d=D,
                             h_prev=Hs[t - 1], term=TERM)
        else:
            words_term = cap("term", n=N, t=sub, p=prev, g=DH[t], local=L, d=D,
                             h_prev=Hs[t - 1], term=TERM, before=RUN[t + 1], run=RUN[t])
        st.frame(words_term, active=[f"wh>h{t}", "wh", f"h{t}"], phase="backward")
        J = steady(f"dh{t}/dh{t - 1}", jac[t], 4)
        DH[t - 1] = steady(f"dC/dh{t - 1}", dh[t - 1], 4)
        st.on_edge(f"h{t - 1}>h{t}", "\u00d7", J, phase="backward")
        st.grad(f"h{t - 1}", DH[t - 1])
        key = "back" if t > 1 else "back_h0"
        st.frame(cap(key, t=sub, p=prev, local=L, wh=WH, J=J, g=DH[t], out=DH[t - 1]),
                 active=[f"h{t - 1}>h{t}", f"h{t - 1}"], phase="backward")

    # the total, beside the layer's dWh and a central difference
    TOTAL = steady("dC/dwh", total, 4)
    st.grad("wh", TOTAL)
    parts: list = list(cap("total_start"))
    for t in range(1, steps + 1):
        parts.append(steady(f"term{t}", term[t], 4))
        parts += cap("plus" if t < steps else "equals")
    parts += cap("total_end", total=TOTAL, h=shown("eps", _H, digits=1),
                 fd=steady("dC/dwh(central)", central, 4))
    st.frame(parts, active=["wh"] + [f"wh>h{t}" for t in range(1, steps + 1)], phase="backward")

    n = len(st.frames)
    prints = (steps, steps + 1, steps + 2, steps + 4, n - 2, n - 1)
    return Stepper("bptt", t_words["title"], d, st.frames, description=t_words["description"],
                   legend=t_words["legend"], print_frames=prints, lang=lang)
