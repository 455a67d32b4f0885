"""Chapter 1's two paths: a nudge of ``x`` travels both to the cost (:func:`sum_over_paths`)."""

from __future__ import annotations

from typing import Optional

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_float_array
from ..activations import get_activation
from ..stepper import (Diagram, Edge, Node, Stepper, Steps, caption, given_decimals, shown,
                       steady, subscript)
from ..language import resolve as resolve_language
from ..stepper_words import words

__all__ = ["sum_over_paths"]


#: Where the nodes sit (SVG units; the figure is 490 wide): the top path above, the bottom below.
_LAYOUT = {"x": (36, 150), "z1": (124, 62), "z2": (124, 238), "a1": (236, 62), "a2": (236, 238),
           "s": (340, 150), "C": (446, 150)}
_LABELS = {"x": "x", "z1": "z\u2081", "z2": "z\u2082", "a1": "a\u2081", "a2": "a\u2082",
           "s": "s", "C": "C"}

#: The step through a central difference for the check at the end.
_H = 1e-6


def _diagram() -> Diagram:
    nodes = [Node(k, _LABELS[k], x, y) for k, (x, y) in _LAYOUT.items()]
    edges = [Edge("x", "z1", label_at=0.4, label_offset=10),
             Edge("x", "z2", label_at=0.62, label_offset=18),
             Edge("z1", "a1"), Edge("z2", "a2", label_offset=-11),
             Edge("a1", "s", label_at=0.62, label_offset=11),
             Edge("a2", "s", label_at=0.45, label_offset=-12),
             Edge("s", "C")]
    return Diagram(nodes, edges, width=490, height=292)


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number, but got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, but got {value!r}")
    return value


def sum_over_paths(x: float, y: float, w: ArrayLike, v: ArrayLike, *, lang: Optional[str] = None) -> Stepper:
    """Step a nudge of ``x`` along the two paths of chapter 1's graph to the cost.

    The graph is ``z_j = w_j x``, ``a_j = sigmoid(z_j)`` (``j = 1, 2``),
    ``s = v_1 a_1 + v_2 a_2`` and ``C = (s - y)^2 / 2``. The stepper shows the forward
    values, then a nudge ``Δx`` travelling the top path edge by edge (each edge's local
    derivative, and how far ``z_1``, ``a_1`` and ``s`` move per unit of ``Δx``), then the
    bottom path, the two effects adding at ``s``, the last edge to ``C``, and the sum
    ``∂C/∂x`` beside a central difference of ``C``. Every number is computed with
    :mod:`bplib.activations`; the builder raises if the sum of the two path products
    disagrees with the central difference.

    Parameters
    ----------
    x : float
        The input nudged.
    y : float
        The target.
    w : array_like, shape (2,)
        The weights ``w_1, w_2`` from ``x`` to the two units.
    v : array_like, shape (2,)
        The weights ``v_1, v_2`` from the two units to ``s``.
    lang : str, optional
        The language of the words (:mod:`bplib.stepper_words`): ``"en"`` or ``"zh_CN"``;
        by default the language in use (:func:`bplib.language.get_language`).

    Returns
    -------
    Stepper

    Raises
    ------
    TypeError
        If ``x`` or ``y`` is not a real number.
    ValueError
        If ``w`` or ``v`` does not hold two finite numbers, or a number is not finite.
    """
    lang = resolve_language(lang)
    x, y = _number(x, "x"), _number(y, "y")
    w = as_float_array(w, "w", ndims=(1,))
    v = as_float_array(v, "v", ndims=(1,))
    if w.shape != (2,) or v.shape != (2,):
        raise ValueError(f"the graph has two paths: w and v must each hold 2 numbers, but got "
                         f"w of shape {w.shape} and v of shape {v.shape}")

    sigmoid = get_activation("sigmoid")

    def cost(x_: float) -> float:
        return float(0.5 * (v @ sigmoid.f(w * x_) - y) ** 2)

    z = w * x
    a = sigmoid.f(z)
    local = sigmoid.prime(z)                   # ∂a_j/∂z_j = σ′(z_j)
    s = float(v @ a)
    C = cost(x)
    dz = w                                     # ∂z_j/∂x along path j
    da = dz * local                            # ∂a_j/∂x along path j
    ds_path = da * v                           # how far s moves per unit Δx, along each path
    ds = float(ds_path.sum())
    dC_ds = s - y
    dC = dC_ds * ds
    dC_path = dC_ds * ds_path                  # one product per path
    central = (cost(x + _H) - cost(x - _H)) / (2 * _H)
    if not abs(central - dC) <= 1e-8 * max(1.0, abs(dC)):
        raise AssertionError(f"the sum over the paths, {dC!r}, disagrees with the central "
                             f"difference {central!r}")

    def cap(key: str, **fields):
        return caption(lang, "sum_over_paths", key, **fields)

    t = words(lang, "sum_over_paths")
    d = _diagram()
    st = Steps(d)
    # the given numbers as they were typed (0.9, not 0.9000); the computed ones with 4 decimals
    X, Y = steady("x", x, given_decimals(x)), steady("y", y, given_decimals(y))
    W = {j: steady(f"w{j}", w[j - 1], given_decimals(w[j - 1])) for j in (1, 2)}
    V = {j: steady(f"v{j}", v[j - 1], given_decimals(v[j - 1])) for j in (1, 2)}

    # the graph and its numbers
    st.value("x", X)
    for j in (1, 2):
        st.on_edge(f"x>z{j}", W[j])
        st.on_edge(f"z{j}>a{j}", "\u03c3")
        st.on_edge(f"a{j}>s", V[j])
    st.frame(cap("start", x=X, y=Y, w1=W[1], w2=W[2], v1=V[1], v2=V[2]))

    # forward
    Z = {j: steady(f"z{j}", z[j - 1], 4) for j in (1, 2)}
    A = {j: steady(f"a{j}", a[j - 1], 4) for j in (1, 2)}
    for j in (1, 2):
        st.value(f"z{j}", Z[j])
        st.value(f"a{j}", A[j])
    st.frame(cap("forward_units", z1=Z[1], a1=A[1], z2=Z[2], a2=A[2]),
             active=["x>z1", "z1>a1", "x>z2", "z2>a2", "z1", "a1", "z2", "a2"])
    S, CC = steady("s", s, 4), steady("C", C, 4)
    st.value("s", S)
    st.value("C", CC)
    st.frame(cap("forward_out", s=S, C=CC), active=["a1>s", "a2>s", "s>C", "s", "C"])

    # the nudge, one path after the other, one edge a step
    st.grad("x", "\u0394x")
    st.frame(cap("nudge"), active=["x"], phase="backward")
    DS = {}
    for j in (1, 2):
        path = t["top"] if j == 1 else t["bottom"]
        sub = subscript(j)
        LW = RZ = steady(f"dz{j}/dx", dz[j - 1], given_decimals(dz[j - 1]))
        st.on_edge(f"x>z{j}", "\u00d7", LW, phase="backward")
        st.grad(f"z{j}", RZ, "\u0394x")
        st.frame(cap("edge_w", path=path, j=sub, local=LW, run=RZ),
                 active=[f"x>z{j}", f"z{j}"], phase="backward")
        LS = steady(f"sigma'(z{j})", local[j - 1], 4)
        RA = steady(f"da{j}/dx", da[j - 1], 4)
        st.on_edge(f"z{j}>a{j}", "\u00d7", LS, phase="backward")
        st.grad(f"a{j}", RA, "\u0394x")
        st.frame(cap("edge_sigma", path=path, j=sub, local=LS, prev=RZ, run=RA),
                 active=[f"z{j}>a{j}", f"a{j}"], phase="backward")
        LV = steady(f"ds/da{j}", v[j - 1], given_decimals(v[j - 1]))
        DS[j] = steady(f"ds/dx({'top' if j == 1 else 'bottom'})", ds_path[j - 1], 4)
        st.on_edge(f"a{j}>s", "\u00d7", LV, phase="backward")
        if j == 1:
            st.grad("s", DS[1], "\u0394x")
        else:
            # both effects so far, the second with its sign: "0.2568Δx −0.2173Δx"
            st.grad("s", DS[1], "\u0394x " if ds_path[1] < 0 else "\u0394x + ", DS[2], "\u0394x")
        st.frame(cap("edge_v", path=path, j=sub, local=LV, prev=RA, run=DS[j]),
                 active=[f"a{j}>s", "s"], phase="backward")

    # the paths meet at s, then the last edge
    DSUM = steady("ds/dx", ds, 4)
    st.grad("s", DSUM, "\u0394x")
    st.frame(cap("add", top=DS[1], bottom=DS[2], sum=DSUM), active=["a1>s", "a2>s", "s"],
             phase="backward")
    LC = steady("dC/ds", dC_ds, 4)
    DC = steady("dC/dx", dC, 4)
    st.on_edge("s>C", "\u00d7", LC, phase="backward")
    st.grad("C", DC, "\u0394x")
    st.frame(cap("cost", local=LC, ds=DSUM, dC=DC), active=["s>C", "C"], phase="backward")

    # the sum, one product per path, and a nudge that agrees
    st.grad("x", DC)
    st.frame(cap("check", top=steady("dC/dx(top)", dC_path[0], 4),
                 bottom=steady("dC/dx(bottom)", dC_path[1], 4), dC=DC,
                 h=shown("h", _H, digits=1), fd=steady("dC/dx(central)", central, 4)),
             active=[e.key for e in d.edges] + ["x"], phase="backward")

    n = len(st.frames)
    return Stepper("sum-over-paths", t["title"], d, st.frames, description=t["description"],
                   legend=t["legend"], print_frames=(2, 6, 9, n - 3, n - 2, n - 1), lang=lang)
