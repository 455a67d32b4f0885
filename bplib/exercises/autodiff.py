"""Checkers for the exercises of the chapter "From backpropagation to automatic differentiation"."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from bplib.autodiff import Value, bfs_order, topological_order
from bplib.exercises._core import (
    CLOSE,
    EXACT,
    ROUNDING,
    CheckFailed,
    Verdict,
    assert_not_mutated,
    call,
    compare,
    diagnose_factor,
    run_checks,
)
from bplib.exercises.messages import msg

__all__ = ["backward_div", "topological_sort", "value_sin"]


def _div_reference(a: np.ndarray, b: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of ``out = a / b`` given the upstream gradient ``g``."""
    return g / b, -g * a / b**2


def _div_cases(rng: np.random.Generator) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """Hidden (where, a, b, out_grad) cases; b stays away from 0."""
    def away_from_zero(shape: tuple[int, ...]) -> np.ndarray:
        return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 3.0, size=shape)

    return [
        (msg("case.div_at", a=3, b=2, g=1), np.array(3.0), np.array(2.0), np.array(1.0)),
        (msg("case.div_at", a=0, b=-4, g=1), np.array(0.0), np.array(-4.0), np.array(1.0)),
        (msg("case.div_at", a=1.5, b=0.5, g=-2), np.array(1.5), np.array(0.5), np.array(-2.0)),
        (msg("case.vectors"), rng.normal(size=6), away_from_zero((6,)), rng.normal(size=6)),
        (msg("case.matrices", shape=(3, 4)), rng.normal(scale=2.0, size=(3, 4)), away_from_zero((3, 4)),
         rng.normal(size=(3, 4))),
    ]


def _as_pair(result: Any) -> tuple[Any, Any]:
    """The reader's result as (grad_a, grad_b), or a readable CheckFailed."""
    if result is None:
        raise CheckFailed(msg("autodiff.div.returned_none"))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailed(msg("autodiff.div.not_a_pair", type=type(result).__name__))
    return result[0], result[1]


def backward_div(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], Any]) -> Verdict:
    """Check a reader's ``backward_div(a, b, out_grad) -> (grad_a, grad_b)``.

    For ``out = a / b`` (elementwise, arrays of one shape, ``b != 0``) and the
    upstream gradient ``out_grad = dL/d out``, it must return
    ``(dL/da, dL/db)`` with the shape of ``a``, without changing its inputs.
    """

    def checks() -> None:
        rng = np.random.default_rng(701)
        results = []
        for where, a, b, g in _div_cases(rng):
            got = _as_pair(assert_not_mutated(fn, a.copy(), b.copy(), g.copy(), what="backward_div"))
            results.append((where, a, b, g, got))
        for k, name in enumerate(["grad_a", "grad_b"]):
            # Forgot to multiply by out_grad? Then every result is the local derivative alone.
            try:
                got_all = [np.asarray(r[4][k], dtype=float) for r in results]
            except (TypeError, ValueError):
                got_all = None
            if got_all is not None and all(
                g.shape == np.shape(r[1]) and np.all(np.isfinite(g)) for g, r in zip(got_all, results)
            ):
                expected = [_div_reference(a, b, g)[k] for _, a, b, g, _ in results]
                local = [_div_reference(a, b, np.ones_like(g))[k] for _, a, b, g, _ in results]
                flat_got = np.concatenate([g.ravel() for g in got_all])
                flat_exp = np.concatenate([e.ravel() for e in expected])
                flat_loc = np.concatenate([e.ravel() for e in local])
                if not CLOSE.close(flat_got, flat_exp) and CLOSE.close(flat_got, flat_loc):
                    raise CheckFailed(msg("autodiff.div.no_upstream", name=name))
                diagnose_factor(flat_got, flat_exp, name, msg("core.every_case"))
        for where, a, b, g, got in results:
            expected_a, expected_b = _div_reference(a, b, g)
            compare(got[0], expected_a, name="grad_a", where=where, tol=ROUNDING)
            compare(got[1], expected_b, name="grad_b", where=where, tol=ROUNDING)

    return run_checks(msg("autodiff.div.correct"), checks)


#: Local derivatives a reader may store for sin instead of cos(v), and what to say.
_WRONG_SIN_LOCALS: tuple[tuple[Callable[[np.ndarray], np.ndarray], str], ...] = (
    (np.sin, "autodiff.sin.local_sin"),
    (lambda v: np.cos(np.sin(v)), "autodiff.sin.local_cos_of_output"),
    (lambda v: -np.sin(v), "autodiff.sin.local_minus_sin"),
    (np.ones_like, "autodiff.sin.local_one"),
)


def _diagnose_sin_local(points: np.ndarray, got: np.ndarray, expected: np.ndarray) -> None:
    """Name a wrong local derivative of sin when it explains every hidden point."""
    if EXACT.close(got, expected):
        return
    for wrong, message_id in _WRONG_SIN_LOCALS:
        if ROUNDING.close(got, wrong(points)):
            raise CheckFailed(msg(message_id))


def value_sin(fn: Callable[[Value], Any]) -> Verdict:
    """Check a reader's ``value_sin(v)``: a new :class:`Value` node for ``sin(v)``.

    The node must hold ``sin(v.data)``, remember ``v`` as its input and carry
    the local derivative ``cos(v.data)``, so that ``backward()`` gives the right
    gradients, also inside larger expressions and for a node used twice.
    """

    def checks() -> None:
        rng = np.random.default_rng(702)
        points = [0.0, 1.0, -2.5, math.pi / 2, *rng.uniform(-4.0, 4.0, size=4).tolist()]
        grads_got, grads_exp = [], []
        for x0 in points:
            where = msg("case.at_v", v=x0)
            v = Value(x0, label="v")
            out = call(fn, v, what="value_sin")
            if not isinstance(out, Value):
                raise CheckFailed(msg("autodiff.sin.not_a_value", where=where,
                                      type=type(out).__name__))
            if out is v or v.data != x0:
                raise CheckFailed(msg("autodiff.sin.changed_v", where=where))
            compare(out.data, math.sin(x0), name=msg("autodiff.sin.data"), where=where,
                    tol=EXACT)
            if not any(child is v for child in out.children):
                raise CheckFailed(msg("autodiff.sin.no_children"))
            out.backward()
            grads_got.append(v.grad)
            grads_exp.append(math.cos(x0))
        _diagnose_sin_local(np.array(points), np.array(grads_got), np.array(grads_exp))
        diagnose_factor(np.array(grads_got), np.array(grads_exp), msg("autodiff.sin.gradient"),
                        msg("core.every_point"))
        for x0, got, expected in zip(points, grads_got, grads_exp):
            compare(got, expected, name=msg("autodiff.sin.gradient"),
                    where=msg("case.at_v", v=x0), tol=EXACT)
        # Inside a larger expression, with x used twice: y = sin(x * x) * x.
        for x0 in rng.uniform(-2.0, 2.0, size=3).tolist():
            x = Value(x0, label="x")
            y = call(fn, x * x, what="value_sin") * x
            y.backward()
            expected = math.cos(x0 * x0) * 2 * x0 * x0 + math.sin(x0 * x0)
            compare(x.grad, expected, name=msg("autodiff.sin.composite"),
                    where=msg("case.at_x", x=x0), tol=ROUNDING)

    return run_checks(msg("autodiff.sin.correct"), checks)


# ------------------------------------------------------------ ordering the graph

def _graph_poly() -> tuple[Value, list[Value]]:
    """``y = x * x + 3 * x`` at x = 2: x is used three times; the constant 3 is a leaf too."""
    x = Value(2.0, label="x")
    return x * x + 3 * x, [x]


def _graph_tanh_from_exp() -> tuple[Value, list[Value]]:
    """``tanh x = (e - 1) (e + 1)^-1`` with ``e = exp(2x)``, at x = 0.8: paths of two lengths."""
    x = Value(0.8, label="x")
    e = (2 * x).exp()
    return (e - 1) * (e + 1) ** -1, [x]


def _graph_equal_data() -> tuple[Value, list[Value]]:
    """Two different leaves holding the same number, ``(a + b) * (a * b)`` at a = b = 1.5."""
    a, b = Value(1.5, label="a"), Value(1.5, label="b")
    return (a + b) * (a * b), [a, b]


def _graph_batch() -> tuple[Value, list[Value]]:
    """A 2-2-1 sigmoid network on three samples, mean squared error: each weight used 3 times."""
    rng = np.random.default_rng(703)
    W = [[Value(float(rng.normal()), label=f"w{i}{j}") for j in range(2)] for i in range(2)]
    v = [Value(float(rng.normal()), label=f"v{j}") for j in range(2)]
    c = Value(float(rng.normal()), label="c")
    loss = Value(0.0)
    for x, t in [((0.0, 1.0), 1.0), ((1.0, 1.0), 0.0), ((0.5, -1.0), 0.3)]:
        hidden = [(W[0][j] * x[0] + W[1][j] * x[1]).sigmoid() for j in range(2)]
        out = (hidden[0] * v[0] + hidden[1] * v[1] + c).sigmoid()
        loss = loss + (out - t) ** 2
    return loss * (1 / 3), [w for row in W for w in row] + v + [c]


_GRAPHS: tuple[tuple[str, Callable[[], tuple[Value, list[Value]]]], ...] = (
    ("case.graph_poly", _graph_poly),
    ("case.graph_tanh", _graph_tanh_from_exp),
    ("case.graph_equal", _graph_equal_data),
    ("case.graph_batch", _graph_batch),
)


def _describe(node: Value) -> str:
    return repr(node.label) if node.label else msg("autodiff.topo.leaf", op=node.op or "leaf",
                                                      data=node.data)


def _check_order(order: Any, root: Value, where: str) -> list[Value]:
    """Raise CheckFailed naming the first problem of ``order``; return it as a list."""
    if order is None:
        raise CheckFailed(msg("autodiff.topo.returned_none"))
    try:
        order = list(order)
    except TypeError:
        raise CheckFailed(msg("autodiff.topo.not_a_list", type=type(order).__name__)) from None
    strangers = [item for item in order if not isinstance(item, Value)]
    if strangers:
        raise CheckFailed(msg("autodiff.topo.not_values", type=type(strangers[0]).__name__))
    nodes = topological_order(root)   # bplib's own: every node once
    listed = {id(node) for node in order}
    missing = [node for node in nodes if id(node) not in listed]
    if len(order) != len(listed):
        counts: dict[int, int] = {}
        for node in order:
            counts[id(node)] = counts.get(id(node), 0) + 1
        twice = next(node for node in order if counts[id(node)] > 1)
        raise CheckFailed(msg("autodiff.topo.twice", where=where, node=_describe(twice),
                              count=counts[id(twice)]))
    if missing:
        lookalike = any(node.data == other.data for node in missing for other in order)
        hint = msg("autodiff.topo.lookalike_hint" if lookalike else "autodiff.topo.visit_hint")
        raise CheckFailed(msg("autodiff.topo.missing", where=where, missing=len(missing),
                              total=len(nodes), node=_describe(missing[0]), hint=hint))
    extra = len(order) - len(nodes)
    if extra:
        if extra == 1:
            raise CheckFailed(msg("autodiff.topo.extra_one", where=where))
        raise CheckFailed(msg("autodiff.topo.extra_many", where=where, count=extra))
    position = {id(node): k for k, node in enumerate(order)}
    if order[0] is root and len(order) > 1:
        raise CheckFailed(msg("autodiff.topo.output_first", where=where))
    for node in order:
        for child in node.children:
            if position[id(child)] > position[id(node)]:
                bfs = [id(n) for n in reversed(bfs_order(root))]
                why = msg("autodiff.topo.bfs_hint") if [id(n) for n in order] == bfs else ""
                raise CheckFailed(msg("autodiff.topo.before_input", where=where,
                                      node=_describe(node), child=_describe(child), why=why))
    return order


def _backward_along(order: list[Value], root: Value) -> None:
    root.grad = 1.0
    for node in reversed(order):
        for child, local in node.local_derivatives():
            child.grad += local * node.grad


def topological_sort(fn: Callable[[Value], Any]) -> Verdict:
    """Check a reader's ``my_topological_order(root)``.

    It must return a list of every node of the graph that ends at ``root``,
    each exactly once (nodes are told apart by identity, not by their data),
    every node after all of its inputs (``node.children``).  The hidden graphs
    have a node used several times, paths of different lengths from the output
    to one node, two leaves holding the same number, and a small network on a
    batch; on each, a backward pass along the reader's order must give the
    gradients of ``Value.backward()``.  Named mistakes: a node listed twice,
    nodes missing (with the ``in``-a-list trap), the output first (the
    backward order), a node before its input, and reversed breadth-first order.
    """

    def checks() -> None:
        for graph, build in _GRAPHS:
            where = msg(graph)
            root, leaves = build()
            order = _check_order(call(fn, root, what="my_topological_order"), root, where)
            _backward_along(order, root)
            got = [leaf.grad for leaf in leaves]
            reference_root, reference_leaves = build()
            reference_root.backward()
            for leaf, g, ref in zip(leaves, got, reference_leaves):
                compare(g, ref.grad, name=msg("autodiff.topo.gradient", label=leaf.label),
                        where=msg("autodiff.topo.on_graph", where=where), tol=EXACT)

    return run_checks(msg("autodiff.topo.correct"), checks)
