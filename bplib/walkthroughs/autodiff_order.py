"""Chapter 6's engine at work: the topological order, then one edge per step (:func:`autodiff_order`).

The stepper runs :mod:`bplib.autodiff` itself on the graph it is given: the order is
:func:`bplib.autodiff.topological_order`'s, and the backward pass is
:func:`bplib.autodiff.backward_along` along its reverse (the pass :meth:`Value.backward`
makes), with an ``update`` that adds each contribution to ``child.grad`` as the default does
and also writes it down. Each frame of the backward pass is one of those calls: one edge,
its local derivative times the upstream gradient, and the input's gradient before and after
the addition. The result must be :meth:`Value.backward`'s, or this raises.
"""

from __future__ import annotations

import math
import re
from typing import Optional

from ..autodiff import Value, backward_along, count_edges, topological_order
from ..display import UnstableRounding
from ..stepper import Diagram, Edge, Node, Shown, Stepper, Steps, caption, shown, subscript
from ..language import resolve as resolve_language
from ..stepper_words import words

__all__ = ["autodiff_order"]

GROUP = "autodiff_order"

#: The sizes of graph the figure has room for (on a 490-unit canvas, readable on a phone).
MAX_NODES = 9
MAX_LEVELS = 4
MAX_PER_LEVEL = 3


# How each operation of the engine is written: binary infix, binary call, unary call.
_INFIX = {"+": ("+", "add"), "-": ("\u2212", "sub"), "*": ("\u00b7", "mul"), "/": ("/", "div")}
_CALL2 = {"max": ("max", "max")}
_CALL1 = {"exp": ("exp", "exp"), "log": ("log", "log"), "tanh": ("tanh", "tanh"),
          "sigmoid": ("\u03c3", "sigmoid"), "relu": ("relu", "relu"), "neg": ("\u2212", "neg")}

_MAX_WIDTH = 490.0
_STEP_X = 150.0
_MARGIN_X = 48.0
_ROW = 128.0


def _number(key: str, value: float) -> Shown:
    """``value`` shown as an integer when it is one, else with the fewest stable decimals (3-6)."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e6:
        return shown(key, value, decimals=0)
    for decimals in (3, 4, 5, 6):
        try:
            return shown(key, value, decimals=decimals)
        except UnstableRounding:
            continue
    return shown(key, value, digits=4)


def _bracket_last(parts: tuple, q: Shown) -> tuple:
    """``parts`` with the last occurrence of ``q`` in brackets if it is negative: 3 · (−4)."""
    if q.value >= 0:
        return parts
    k = max(j for j, p in enumerate(parts) if p is q)
    return parts[:k] + ("(", q, ")") + parts[k + 1:]


def _names(order: list[Value]) -> tuple[dict[int, str], dict[int, str]]:
    """Each node's name on the page (Unicode) and in the data-q keys (ASCII), by id."""
    label: dict[int, str] = {}
    key: dict[int, str] = {}
    constants = [n for n in order if not n.children and not n.label]
    used_labels: set[str] = set()
    used_keys: set[str] = set()

    def unique(text: str, used: set[str], mark: str) -> str:
        while text in used:          # two nodes that would read the same: prime the second
            text += mark
        used.add(text)
        return text

    for node in order:
        if node.label:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,4}", node.label):
                raise ValueError(f"the stepper writes a node's label inside its circle: labels must be "
                                 f"1 to 5 letters, digits or _, starting with a letter, but got "
                                 f"{node.label!r}")
            lab, k = subscript(node.label), node.label
        elif not node.children:
            j = [id(n) for n in constants].index(id(node))   # by identity: == compares data
            suffix = "" if len(constants) == 1 else str(j + 1)
            lab, k = "c" + subscript(suffix), "c" + suffix
        else:
            op = node.op
            kids = node.children
            if op in _INFIX and len(kids) == 2:
                sym, word = _INFIX[op]
                a, b = label[id(kids[0])], label[id(kids[1])]
                lab = f"{a}{sym}{b}" if len(a) + len(b) <= 3 else sym
                k = f"{word}({key[id(kids[0])]},{key[id(kids[1])]})"
            elif op in _CALL2 and len(kids) == 2:
                sym, word = _CALL2[op]
                lab, k = sym, f"{word}({key[id(kids[0])]},{key[id(kids[1])]})"
            elif op in _CALL1 and len(kids) == 1:
                sym, word = _CALL1[op]
                a = label[id(kids[0])]
                lab = f"{sym}{a}" if op == "neg" and len(a) <= 2 else sym
                k = f"{word}({key[id(kids[0])]})"
            else:
                raise ValueError(f"the stepper draws the operations +, -, *, /, max, "
                                 f"{', '.join(_CALL1)}; this graph has {op!r} (label that node "
                                 "or step through a smaller graph)")
        label[id(node)] = unique(lab, used_labels, "\u2032")
        key[id(node)] = unique(k, used_keys, "'")
    return label, key


def _levels(order: list[Value]) -> dict[int, int]:
    """Each node's column: 0 for a leaf, else one more than its deepest input's."""
    level: dict[int, int] = {}
    for node in order:
        level[id(node)] = 1 + max((level[id(c)] for c in node.children), default=-1)
    return level


def _layout(order: list[Value], label: dict[int, str], level: dict[int, int]) -> tuple[Diagram, dict]:
    columns: dict[int, list[Value]] = {}
    for node in order:                      # within a column, in topological order
        columns.setdefault(level[id(node)], []).append(node)
    n_levels = len(columns)
    if n_levels > MAX_LEVELS or max(len(c) for c in columns.values()) > MAX_PER_LEVEL:
        raise ValueError(f"the stepper has room for a graph at most {MAX_LEVELS} operations deep "
                         f"with at most {MAX_PER_LEVEL} nodes at each depth; this one is "
                         f"{n_levels - 1} deep with up to {max(len(c) for c in columns.values())} "
                         "nodes at one depth")
    rows = max(len(c) for c in columns.values())
    height = rows * _ROW + 14
    # columns _STEP_X apart (narrower than the page allows: larger text on a phone), at most 490
    step_x = min(_STEP_X, (_MAX_WIDTH - 2 * _MARGIN_X) / max(n_levels - 1, 1))
    width = 2 * _MARGIN_X + (n_levels - 1) * step_x
    where: dict[int, tuple[float, float]] = {}
    nk = {id(n): f"n{k + 1}" for k, n in enumerate(order)}   # by identity: == compares data
    nodes = []
    for lev, members in columns.items():
        for j, node in enumerate(members):
            x = _MARGIN_X + lev * step_x
            y = height / 2 + (j - (len(members) - 1) / 2) * _ROW
            where[id(node)] = (x, y)
            nodes.append(Node(nk[id(node)], label[id(node)], x, y))
    edges = []
    edge_key: dict[tuple[int, int], str] = {}
    for parent in order:
        kids = parent.children
        for i, child in enumerate(kids):
            twins = [j for j, c in enumerate(kids) if c is child]
            (x0, y0), (x1, y1) = where[id(child)], where[id(parent)]
            source, target = nk[id(child)], nk[id(parent)]
            key = f"{source}>{target}:{i}"
            if len(twins) > 1:               # one input used twice (x * x): two arcs
                bend = -0.2 if twins.index(i) == 0 else 0.2   # the first above, the second below
                edges.append(Edge(source, target, bend=bend, label_offset=9 if bend < 0 else -12,
                                  key=key))
            elif abs(y1 - y0) < 1:           # level: the text above the middle
                edges.append(Edge(source, target, key=key))
            else:                            # slanting: the text further off the steeper line
                sine = abs(y1 - y0) / math.hypot(x1 - x0, y1 - y0)
                offset = 9 + 14 * sine
                # steeply down (across a row): nearer the target, off the crossings near the
                # source; else at the middle, clear of the text above the target
                at = 0.7 if y1 > y0 and sine > 0.5 else 0.5
                edges.append(Edge(source, target, label_at=at, label_offset=offset, key=key))
            edge_key[(id(parent), i)] = key
    return Diagram(nodes, edges, width=width, height=height), edge_key


def autodiff_order(root: Value, *, lang: Optional[str] = None) -> Stepper:
    """Step through :meth:`Value.backward` on the graph ending at ``root``.

    First the forward pass as the engine recorded it: the nodes in the order of
    :func:`bplib.autodiff.topological_order`, numbered, one per step, each with its value
    and the local derivatives it stored on its input edges. Then the backward pass:
    ``root.grad = 1``, and one edge per step in the order :meth:`Value.backward` visits them
    (the nodes in reverse topological order, each node's
    :meth:`Value.local_derivatives` in turn), showing the contribution local · upstream and
    the input's gradient before and after it is added. The last frame gives every leaf's
    gradient as the sum of its contributions.

    The pass shown is :func:`bplib.autodiff.backward_along` itself, with an ``update`` that
    adds as the default does and records each call; its gradients must equal those of a
    fresh :meth:`Value.backward`, or this raises ``AssertionError``. The graph is left as it
    was: every node's ``grad`` is restored afterwards.

    Parameters
    ----------
    root : Value
        The output of a small graph (at most 9 nodes, at most 4 operations deep, at most 3
        nodes at one depth), e.g. chapter 6's ``y = x * x + 3 * x``. Node labels, if set,
        are at most 5 characters.
    lang : str, optional
        The language of the words (:mod:`bplib.stepper_words`): ``"en"`` or ``"zh_CN"``;
        by default the language in use (:func:`bplib.language.get_language`).

    Returns
    -------
    Stepper

    Raises
    ------
    TypeError
        If ``root`` is not a :class:`bplib.autodiff.Value`.
    ValueError
        If ``root`` is a leaf (there is nothing to differentiate), or the graph is too big
        for the figure, or uses an operation the stepper does not write.

    Examples
    --------
    >>> from bplib.autodiff import Value
    >>> x = Value(2.0, label="x")
    >>> y = x * x + 3 * x
    >>> y.label = "y"
    >>> s = autodiff_order(y)
    >>> len(s), x.grad          # 5 nodes, the seed, 6 edges, the result; x untouched
    (13, 0.0)
    """
    lang = resolve_language(lang)
    if not isinstance(root, Value):
        raise TypeError(f"root must be a bplib.autodiff.Value (the output of a graph), "
                        f"but got {type(root).__name__}")
    t = words(lang, GROUP)
    if not root.children:
        raise ValueError("root is a leaf: its graph has no edges, so there is no backward pass "
                         "to step through; pass the output of an expression, e.g. x * x + 3 * x")
    order = topological_order(root)
    if len(order) > MAX_NODES:
        raise ValueError(f"the stepper has room for at most {MAX_NODES} nodes; this graph has "
                         f"{len(order)} (step through a smaller expression)")
    label, qkey = _names(order)
    level = _levels(order)
    d, edge_key = _layout(order, label, level)
    events = _record(root, order)

    def cap(key: str, **fields) -> tuple:
        return caption(lang, GROUP, key, **fields)

    nk = {id(n): f"n{i + 1}" for i, n in enumerate(order)}
    K = {id(n): shown(f"order({qkey[id(n)]})", i + 1, decimals=0) for i, n in enumerate(order)}
    V = {id(n): _number(f"data({qkey[id(n)]})", n.data) for n in order}
    LOCAL = {(id(p), i): _number(f"local({qkey[id(p)]},{i})", loc)
             for p in order for i, (_, loc) in enumerate(p.local_derivatives())}
    root_name = label[id(root)]
    st = Steps(d)

    # ---- forward: the order, one node per step
    for i, node in enumerate(order):
        nid = id(node)
        st.value(nk[nid], *cap("above", k=K[nid], v=V[nid]))
        kids = node.children
        for j in range(len(kids)):
            st.on_edge(edge_key[(nid, j)], LOCAL[(nid, j)])
        name = label[nid]
        if not kids:
            text = cap("leaf" if node.label else "const", k=K[nid], name=name, v=V[nid])
        elif node.op in _INFIX:
            text = _bracket_last(
                cap("op_infix", k=K[nid], name=name, a=V[id(kids[0])], op=_INFIX[node.op][0],
                    b=V[id(kids[1])], v=V[nid], l1=LOCAL[(nid, 0)], l2=LOCAL[(nid, 1)]),
                V[id(kids[1])])
        elif node.op in _CALL2:
            text = cap("op_call2", k=K[nid], name=name, a=V[id(kids[0])], op=_CALL2[node.op][0],
                       b=V[id(kids[1])], v=V[nid], l1=LOCAL[(nid, 0)], l2=LOCAL[(nid, 1)])
        else:
            text = cap("op_call1", k=K[nid], name=name, a=V[id(kids[0])], op=_CALL1[node.op][0],
                       v=V[nid], l1=LOCAL[(nid, 0)])
        if i == 0:
            text = cap("intro", root=root_name) + text
        active = [nk[nid]] + [edge_key[(nid, j)] for j in range(len(kids))]
        st.frame(text, active=active)

    # ---- backward: the seed, then one edge per step
    ONE = shown(f"grad({qkey[id(root)]})", 1.0, decimals=0)
    st.grad(nk[id(root)], ONE)
    st.frame(cap("seed", root=root_name, n=K[id(root)], first=K[id(order[0])], one=ONE),
             active=[nk[id(root)]], phase="backward")
    received: dict[int, list[tuple[Shown, Shown]]] = {}   # child -> its (contribution, grad after)
    visited = len(order)                                  # the node visited last, by number
    previous: Optional[int] = None                        # the node whose grad changed last
    for ev in events:
        parent, i, child = ev["parent"], ev["i"], ev["child"]
        pid, cid = id(parent), id(child)
        prefix: tuple = ()
        number = int(nk[pid][1:])
        for skipped in range(visited - 1, number, -1):    # leaves between: nothing to pass on
            node = order[skipped - 1]
            prefix += cap("skip", k=K[id(node)], name=label[id(node)])
        visited = number
        count = len(received.setdefault(cid, []))
        before = _number(f"grad({qkey[cid]})[{count}]", ev["before"])
        after = _number(f"grad({qkey[cid]})[{count + 1}]", ev["after"])
        up = _number(f"grad({qkey[pid]})", ev["upstream"])
        contrib = _number(f"contribution({qkey[pid]},{i})", ev["contribution"])
        received[cid].append((contrib, after))
        if previous is not None and previous != cid:
            st.grad(nk[previous], received[previous][-1][1])
        st.grad(nk[cid], before, " \u2192 ", after)
        st.on_edge(edge_key[(pid, i)],
                   *_bracket_last((LOCAL[(pid, i)], "\u00b7", up, " = ", contrib), up),
                   phase="backward")
        fields = dict(k=K[pid], parent=label[pid], up=up, child=label[cid], local=LOCAL[(pid, i)],
                      c=contrib, before=before, after=after)
        if len(parent.children) == 2:
            text = cap("edge2", nth=t[f"nth_{i}"], **fields)
        else:
            text = cap("edge1", **fields)
        text = _bracket_last(text, up)
        st.frame(prefix + text, active=[edge_key[(pid, i)], nk[cid]], phase="backward")
        previous = cid

    # ---- the result: every leaf's gradient, the sum of what it received
    if previous is not None:
        st.grad(nk[previous], received[previous][-1][1])
    E = shown("edges", len(events), decimals=0)
    text = list(cap("done", E=E, root=root_name))
    leaves = [n for n in order if not n.children]
    for j, leaf in enumerate(leaves):
        got = received[id(leaf)]
        final = _number(f"grad({qkey[id(leaf)]})", leaf_grad := got[-1][1].value)
        if len(got) > 1:
            text += cap("leaf_sum_start", name=label[id(leaf)])
            for m, (c, _) in enumerate(got):
                if m == 0:
                    text += (c,)
                else:                        # a negative term in brackets: 1 + (−4)
                    text += (" + (", c, ")") if c.value < 0 else (" + ", c)
            text += cap("leaf_sum_end", g=final)
        else:
            text += cap("leaf_one", name=label[id(leaf)], g=final)
        text += cap("sep" if j < len(leaves) - 1 else "end")
        assert leaf_grad == final.value
    for leaf in leaves:
        st.grad(nk[id(leaf)], _number(f"grad({qkey[id(leaf)]})", received[id(leaf)][-1][1].value))
    st.frame(text, active=[nk[id(n)] for n in leaves], phase="backward")

    n_fwd, n_edges = len(order), len(events)
    last = len(st.frames) - 1
    # printed: the first node numbered, all numbered, the seed, the first contribution to the
    # node that receives the most (x: its sum begins), the last edge, the result
    most = max(received, key=lambda c: len(received[c]))
    first_into_most = next(j for j, ev in enumerate(events) if id(ev["child"]) == most)
    picks = {0, n_fwd - 1, n_fwd, n_fwd + 1 + first_into_most, last - 1, last}
    return Stepper("autodiff-order", t["title"], d, st.frames, print_frames=sorted(picks)[:6],
                   description=t["description"],
                   legend="".join(cap("legend", root=root_name)), lang=lang)


def _record(root: Value, order: list[Value]) -> list[dict]:
    """Run :func:`backward_along` on the reverse of ``order``, writing down every update.

    Every node's ``grad`` is set to 0 first (so that the leaves start from 0, as after
    :meth:`Value.zero_grad`) and restored at the end. The recorded gradients are checked
    against a fresh :meth:`Value.backward`.
    """
    saved = [(node, node.grad) for node in order]
    # the edges in the order backward_along visits them: reverse topological order, each
    # node's local derivatives in turn
    edges = [(parent, i, child, local) for parent in reversed(order)
             for i, (child, local) in enumerate(parent.local_derivatives())]
    events: list[dict] = []

    def update(child: Value, contribution: float) -> None:
        # the default update (child.grad += contribution), writing down what it does
        parent, i, expected_child, local = edges[len(events)]
        if child is not expected_child:
            raise AssertionError("backward_along visited the edges in another order than "
                                 "reversed(topological_order) and local_derivatives()")
        upstream = parent.grad                  # complete: all of its users came before
        if contribution != local * upstream:
            raise AssertionError(f"the contribution {contribution!r} is not local * upstream "
                                 f"= {local!r} * {upstream!r}")
        before = child.grad
        child.grad += contribution
        events.append(dict(parent=parent, i=i, child=child, local=local, upstream=upstream,
                           contribution=contribution, before=before, after=child.grad))

    try:
        for node in order:
            node.grad = 0.0
        multiplications = backward_along(root, reversed(order), update=update)
        recorded = [node.grad for node in order]
        for node in order:
            node.grad = 0.0
        reference = root.backward()
        if not (multiplications == reference == len(events) == count_edges(root)):
            raise AssertionError(f"{multiplications} multiplications recorded, but "
                                 f"Value.backward made {reference} on {count_edges(root)} edges")
        if recorded != [node.grad for node in order]:
            raise AssertionError("the gradients stepped through disagree with Value.backward's")
    finally:
        for node, grad in saved:
            node.grad = grad
    return events
