"""Chapter 2's network, one value and one gradient per step (:func:`worked_example`)."""

from __future__ import annotations

from typing import Optional

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_float_array
from ..network import Network
from ..stepper import Diagram, Edge, Node, Stepper, Steps, caption, shown, subscript
from ..language import resolve as resolve_language
from ..stepper_words import words

__all__ = ["worked_example"]


#: Where the nodes sit (SVG units; the figure is 490 wide).
_LAYOUT = {"x1": (26, 70), "x2": (26, 214), "z1_1": (146, 70), "z1_2": (146, 214),
           "a1_1": (226, 70), "a1_2": (226, 214), "z2": (322, 142), "y_hat": (390, 142),
           "C": (456, 142)}
_LABELS = {"x1": "x\u2081", "x2": "x\u2082", "z1_1": "z\u00b9\u2081", "z1_2": "z\u00b9\u2082",
           "a1_1": "a\u00b9\u2081", "a1_2": "a\u00b9\u2082", "z2": "z\u00b2", "y_hat": "\u0177",
           "C": "C"}


def _diagram() -> Diagram:
    nodes = [Node(k, _LABELS[k], x, y) for k, (x, y) in _LAYOUT.items()]
    edges = [Edge("x1", "z1_1", label_at=0.5), Edge("x2", "z1_2", label_at=0.5, label_offset=-11),
             Edge("x1", "z1_2", label_at=0.2, label_offset=9),
             Edge("x2", "z1_1", label_at=0.3, label_offset=10),
             Edge("z1_1", "a1_1"), Edge("z1_2", "a1_2"),
             Edge("a1_1", "z2", label_at=0.64, label_offset=20),
             Edge("a1_2", "z2", label_at=0.6, label_offset=-22),
             Edge("z2", "y_hat"), Edge("y_hat", "C")]
    return Diagram(nodes, edges, width=490, height=262)


def worked_example(x: ArrayLike, y: float, w0: ArrayLike, w1: ArrayLike, alpha: float, *,
                   lang: Optional[str] = None) -> Stepper:
    """Step through chapter 2's 2-2-1 network: forward, backward, then one update.

    The values come from :meth:`bplib.Network.forward` of a network built with these
    weights and no biases; the weight gradients from :meth:`bplib.Network.backprop`; the
    errors δ from the chain rule, one product per step (and they must give
    ``backprop``'s gradients, or this raises).

    Parameters
    ----------
    x : array_like, shape (2, 1) or (2,)
        The input sample.
    y : float
        The target.
    w0 : array_like, shape (2, 2)
        ``w0[j, n]`` is the weight from input ``n`` to hidden unit ``j``.
    w1 : array_like, shape (1, 2)
        The weights from the hidden units to the output.
    alpha : float
        The learning rate of the update shown last.
    lang : str, optional
        The language of the words (:mod:`bplib.stepper_words`): ``"en"`` or ``"zh_CN"``;
        by default the language in use (:func:`bplib.language.get_language`).

    Returns
    -------
    Stepper
    """
    lang = resolve_language(lang)
    x = as_float_array(x, "x", ndims=(1, 2)).reshape(-1, 1)
    w0 = as_float_array(w0, "w0", ndims=(2,))
    w1 = as_float_array(w1, "w1", ndims=(1, 2)).reshape(1, -1)
    if x.shape != (2, 1) or w0.shape != (2, 2) or w1.shape != (1, 2):
        raise ValueError("the worked example is a 2-2-1 network: x must have 2 entries, w0 shape "
                         f"(2, 2) and w1 shape (1, 2), but got x {x.shape}, w0 {w0.shape}, "
                         f"w1 {w1.shape}")
    for name, v in (("y", y), ("alpha", alpha)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
            raise TypeError(f"{name} must be a real number, but got {type(v).__name__}")
    y, alpha = float(y), float(alpha)

    net = Network.from_weights([w0, w1], biases=None, cost="quadratic")
    zs, acts = net.forward(x)
    _, nabla_w = net.backprop(x, [[y]])
    prime = net.activation.prime
    z1, a1, z2, y_hat = zs[0][:, 0], acts[1][:, 0], zs[1][0, 0], acts[2][0, 0]
    cost = net.loss(x, [[y]])

    # the backward pass, one chain-rule product per step
    d_yhat = y_hat - y
    local_out = float(prime(np.array([z2]))[0])
    delta2 = d_yhat * local_out
    d_a1 = delta2 * w1[0]
    local_hidden = prime(z1)
    delta1 = d_a1 * local_hidden
    grad_w1 = delta2 * a1
    grad_w0 = np.outer(delta1, x[:, 0])
    if not (np.allclose(grad_w1, nabla_w[1][0], rtol=1e-12, atol=1e-15)
            and np.allclose(grad_w0, nabla_w[0], rtol=1e-12, atol=1e-15)):
        raise AssertionError("the step-by-step products disagree with Network.backprop")
    new_w0 = w0 - alpha * nabla_w[0]
    new_w1 = w1 - alpha * nabla_w[1]

    def cap(key, **fields):
        return caption(lang, "worked_example", key, **fields)

    d = _diagram()
    st = Steps(d)
    X = {n: shown(f"x{n}", x[n - 1, 0], decimals=2) for n in (1, 2)}
    W = {(j, n): shown(f"W{j}{n}", w0[j - 1, n - 1], decimals=1) for j in (1, 2) for n in (1, 2)}
    WH = {j: shown(f"Wh{j}", w1[0, j - 1], decimals=1) for j in (1, 2)}
    Y = shown("y", y, decimals=1)
    for n in (1, 2):
        st.value(f"x{n}", X[n])
    for (j, n), q in W.items():
        st.on_edge(f"x{n}>z1_{j}", q)
    for j in (1, 2):
        st.on_edge(f"a1_{j}>z2", WH[j])
    for a, b in (("z1_1", "a1_1"), ("z1_2", "a1_2"), ("z2", "y_hat")):
        st.on_edge(f"{a}>{b}", "\u03c3")
    st.frame(cap("start", x1=X[1], x2=X[2], y=Y))

    # forward
    Z1 = {j: shown(f"z1_{j}", z1[j - 1], decimals=4) for j in (1, 2)}
    A1 = {j: shown(f"a1_{j}", a1[j - 1], decimals=4) for j in (1, 2)}
    for j in (1, 2):
        st.value(f"z1_{j}", Z1[j])
        st.frame(cap("z_hidden", j=subscript(j), w1=W[(j, 1)], w2=W[(j, 2)], x1=X[1], x2=X[2], z=Z1[j]),
                 active=[f"x1>z1_{j}", f"x2>z1_{j}", f"z1_{j}"])
    for j in (1, 2):
        st.value(f"a1_{j}", A1[j])
        st.frame(cap("a_hidden", j=subscript(j), z=Z1[j], a=A1[j]), active=[f"z1_{j}>a1_{j}", f"a1_{j}"])
    Z2 = shown("z2", z2, decimals=4)
    st.value("z2", Z2)
    st.frame(cap("z_out", w1=WH[1], w2=WH[2], a1=A1[1], a2=A1[2], z=Z2),
             active=["a1_1>z2", "a1_2>z2", "z2"])
    YH = shown("y_hat", y_hat, decimals=4)
    st.value("y_hat", YH)
    st.frame(cap("y_hat", z=Z2, yhat=YH), active=["z2>y_hat", "y_hat"])
    CC = shown("C", cost, decimals=5)
    st.value("C", CC)
    st.frame(cap("cost", y=Y, yhat=YH, C=CC), active=["y_hat>C", "C"])

    # backward
    ONE = shown("dC/dC", 1.0, decimals=0)
    st.grad("C", ONE)
    st.frame(cap("seed", one=ONE), active=["C"], phase="backward")
    G = shown("dC/dy_hat", d_yhat, decimals=4)
    st.grad("y_hat", G)
    st.frame(cap("d_yhat", yhat=YH, y=Y, g=G), active=["y_hat>C", "y_hat"], phase="backward")
    LOCAL2 = shown("sigma'(z2)", local_out, decimals=4)
    D2 = shown("delta2", delta2, decimals=5)
    st.grad("z2", D2)
    st.frame(cap("delta2", g=G, local=LOCAL2, delta=D2), active=["z2>y_hat", "z2"],
             phase="backward")
    for j in (1, 2):
        g = shown(f"dC/dWh{j}", grad_w1[j - 1], decimals=5)
        st.on_edge(f"a1_{j}>z2", g, phase="backward")
        st.frame(cap("grad_wh", j=subscript(j), delta=D2, a=A1[j], g=g), active=[f"a1_{j}>z2"],
                 phase="backward")
    GA = {j: shown(f"dC/da1_{j}", d_a1[j - 1], decimals=5) for j in (1, 2)}
    for j in (1, 2):
        st.grad(f"a1_{j}", GA[j])
        st.frame(cap("d_a_hidden", j=subscript(j), delta=D2, w=WH[j], g=GA[j]),
                 active=[f"a1_{j}>z2", f"a1_{j}"], phase="backward")
    D1 = {j: shown(f"delta1_{j}", delta1[j - 1], decimals=6) for j in (1, 2)}
    for j in (1, 2):
        local = shown(f"sigma'(z1_{j})", local_hidden[j - 1], decimals=4)
        st.grad(f"z1_{j}", D1[j])
        st.frame(cap("delta1", j=subscript(j), g=GA[j], local=local, delta=D1[j]),
                 active=[f"z1_{j}>a1_{j}", f"z1_{j}"], phase="backward")
    for j in (1, 2):
        for n in (1, 2):
            g = shown(f"dC/dW{j}{n}", grad_w0[j - 1, n - 1], decimals=6)
            st.on_edge(f"x{n}>z1_{j}", g, phase="backward")
            st.frame(cap("grad_w_in", j=subscript(j), n=subscript(n), delta=D1[j], x=X[n], g=g),
                     active=[f"x{n}>z1_{j}"], phase="backward")

    # the update
    ALPHA = shown("alpha", alpha, decimals=2)
    for j in (1, 2):
        for n in (1, 2):
            st.on_edge(f"x{n}>z1_{j}", shown(f"W{j}{n}'", new_w0[j - 1, n - 1], decimals=6))
    for j in (1, 2):
        st.on_edge(f"a1_{j}>z2", shown(f"Wh{j}'", new_w1[0, j - 1], decimals=5))
    st.frame(cap("update", alpha=ALPHA, w=W[(1, 1)], g=shown("dC/dW11", grad_w0[0, 0], decimals=6),
                 new=shown("W11'", new_w0[0, 0], decimals=8), wh=WH[1],
                 gh=shown("dC/dWh1", grad_w1[0], decimals=5),
                 newh=shown("Wh1'", new_w1[0, 0], decimals=7)),
             active=[e.key for e in d.edges if e.source.startswith(("x", "a1"))])

    t = words(lang, "worked_example")
    n = len(st.frames)
    return Stepper("worked-example", t["title"], d, st.frames, description=t["description"],
                   legend=t["legend"], print_frames=(0, 7, 10, 16, n - 2, n - 1), lang=lang)
