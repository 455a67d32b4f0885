"""Checkers for the exercises of the chapter "From backpropagation to automatic differentiation"."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from bplib.autodiff import Value, topological_order
from bplib.autodiff_mistakes import backward_with
from bplib.exercises._core import (
    CheckFailed,
    assert_not_mutated,
    call,
    compare,
    diagnose_factor,
    run_checks,
)

__all__ = ["backward_div", "engine_backward", "value_sin"]


def _div_reference(a: np.ndarray, b: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of ``out = a / b`` given the upstream gradient ``g``."""
    return g / b, -g * a / b**2


def _div_cases(rng: np.random.Generator) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """Hidden (where, a, b, out_grad) cases; b stays away from 0."""
    def away_from_zero(shape: tuple[int, ...]) -> np.ndarray:
        return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 3.0, size=shape)

    return [
        ("at a = 3, b = 2, out_grad = 1", np.array(3.0), np.array(2.0), np.array(1.0)),
        ("at a = 0, b = -4, out_grad = 1", np.array(0.0), np.array(-4.0), np.array(1.0)),
        ("at a = 1.5, b = 0.5, out_grad = -2", np.array(1.5), np.array(0.5), np.array(-2.0)),
        ("on vectors", rng.normal(size=6), away_from_zero((6,)), rng.normal(size=6)),
        ("on (3, 4) matrices", rng.normal(scale=2.0, size=(3, 4)), away_from_zero((3, 4)),
         rng.normal(size=(3, 4))),
    ]


def _as_pair(result: Any) -> tuple[Any, Any]:
    """The reader's result as (grad_a, grad_b), or a readable CheckFailed."""
    if result is None:
        raise CheckFailed("backward_div returned None: did you forget to `return grad_a, grad_b`?")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailed(
            f"backward_div must return a pair (grad_a, grad_b), got {type(result).__name__}"
        )
    return result[0], result[1]


def backward_div(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], Any]) -> bool:
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
                if not np.allclose(flat_got, flat_exp) and np.allclose(flat_got, flat_loc):
                    raise CheckFailed(
                        f"{name} ignores out_grad: multiply the local derivative by the "
                        "upstream gradient (chain rule)"
                    )
                diagnose_factor(flat_got, flat_exp, name, " on every hidden case")
        for where, a, b, g, got in results:
            expected_a, expected_b = _div_reference(a, b, g)
            compare(got[0], expected_a, name="grad_a", where=where, rtol=1e-9, atol=1e-12)
            compare(got[1], expected_b, name="grad_b", where=where, rtol=1e-9, atol=1e-12)

    return run_checks(
        "backward_div returns out_grad / b and -out_grad * a / b**2 on every hidden case.",
        checks,
    )


#: Local derivatives a reader may store for sin instead of cos(v), and what to say.
_WRONG_SIN_LOCALS: tuple[tuple[Callable[[np.ndarray], np.ndarray], str], ...] = (
    (np.sin, "the local derivative is sin(v), the function itself; the derivative of sin is "
             "cos, evaluated at the input: _local_grads=(math.cos(v.data),)"),
    (lambda v: np.cos(np.sin(v)), "the local derivative is cos taken at the output sin(v); "
                                  "take it at the input: math.cos(v.data)"),
    (lambda v: -np.sin(v), "the local derivative is -sin(v), the derivative of cos; the "
                           "derivative of sin is cos(v)"),
    (np.ones_like, "the local derivative is 1, as for an addition, so backward() passes the "
                   "gradient through unchanged; for sin it is cos(v.data)"),
)


def _diagnose_sin_local(points: np.ndarray, got: np.ndarray, expected: np.ndarray) -> None:
    """Name a wrong local derivative of sin when it explains every hidden point."""
    if np.allclose(got, expected, rtol=1e-12, atol=1e-12):
        return
    for wrong, message in _WRONG_SIN_LOCALS:
        if np.allclose(got, wrong(points), rtol=1e-9, atol=1e-12):
            raise CheckFailed(message)


def value_sin(fn: Callable[[Value], Any]) -> bool:
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
            where = f"at v.data = {x0:.4g}"
            v = Value(x0, label="v")
            out = call(fn, v, what="value_sin")
            if not isinstance(out, Value):
                raise CheckFailed(
                    f"value_sin {where} returned a {type(out).__name__}, not a Value: "
                    "build the node with Value(..., _children=(v,), _op='sin', _local_grads=(...,))"
                )
            if out is v or v.data != x0:
                raise CheckFailed(
                    f"value_sin changed v.data {where} or returned v itself; "
                    "create a new Value instead"
                )
            compare(out.data, math.sin(x0), name="the data of value_sin(v)", where=where,
                    rtol=1e-12, atol=1e-12)
            if not any(child is v for child in out.children):
                raise CheckFailed(
                    "the new node does not remember its input: pass _children=(v,), "
                    "otherwise backward() never reaches v"
                )
            out.backward()
            grads_got.append(v.grad)
            grads_exp.append(math.cos(x0))
        _diagnose_sin_local(np.array(points), np.array(grads_got), np.array(grads_exp))
        diagnose_factor(np.array(grads_got), np.array(grads_exp), "d sin(v)/dv from backward()",
                        " on every hidden point")
        for x0, got, expected in zip(points, grads_got, grads_exp):
            compare(got, expected, name="d sin(v)/dv from backward()", where=f"at v.data = {x0:.4g}",
                    rtol=1e-12, atol=1e-12)
        # Inside a larger expression, with x used twice: y = sin(x * x) * x.
        for x0 in rng.uniform(-2.0, 2.0, size=3).tolist():
            x = Value(x0, label="x")
            y = call(fn, x * x, what="value_sin") * x
            y.backward()
            expected = math.cos(x0 * x0) * 2 * x0 * x0 + math.sin(x0 * x0)
            compare(x.grad, expected, name="dy/dx for y = sin(x*x) * x",
                    where=f"at x = {x0:.4g}", rtol=1e-10, atol=1e-12)

    return run_checks(
        "value_sin gives sin(v) and, through backward(), the gradient cos(v), "
        "also inside larger expressions.",
        checks,
    )


# ------------------------------------------------------------ the engine's backward pass

def _graph_poly() -> tuple[Value, list[Value]]:
    """``y = x * x + 3 * x`` at x = 2: x is used three times (accumulation matters)."""
    x = Value(2.0, label="x")
    return x * x + 3 * x, [x]


def _graph_tanh_from_exp() -> tuple[Value, list[Value]]:
    """``tanh x = (e - 1) (e + 1)^-1`` with ``e = exp(2x)``, at x = 0.8: paths of two lengths."""
    x = Value(0.8, label="x")
    e = (2 * x).exp()
    return (e - 1) * (e + 1) ** -1, [x]


def _graph_neuron() -> tuple[Value, list[Value]]:
    """One tanh neuron, two inputs, squared error: ``(tanh(w1 x1 + w2 x2 + b) - t)^2``."""
    leaves = [Value(v, label=n) for v, n in
              [(0.5, "x1"), (-1.5, "x2"), (0.8, "w1"), (-0.3, "w2"), (0.1, "b")]]
    x1, x2, w1, w2, b = leaves
    return ((w1 * x1 + w2 * x2 + b).tanh() - 0.4) ** 2, leaves


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
    ("y = x*x + 3x at x = 2", _graph_poly),
    ("tanh(x) built as (e - 1)/(e + 1) with e = exp(2x), at x = 0.8", _graph_tanh_from_exp),
    ("one tanh neuron with a squared error", _graph_neuron),
    ("a 2-2-1 sigmoid network on a batch of three samples", _graph_batch),
)


def _local_only_backward(root: Value) -> None:
    """Right order, but each child gets the local derivative alone, not times ``node.grad``."""
    root.grad = 1.0
    for node in reversed(topological_order(root)):
        for child, local in node.local_derivatives():
            child.grad += local


def _leaves_first_backward(root: Value, *, accumulate: bool) -> None:
    """A backward pass that walks the topological order forwards (leaves first): wrong."""
    root.grad = 1.0
    for node in topological_order(root):
        for child, local in node.local_derivatives():
            if accumulate:
                child.grad += local * node.grad
            else:
                child.grad = local * node.grad


#: Wrong backward passes the checker recognises, and what to say about each.
_WRONG_BACKWARDS: tuple[tuple[Callable[[Value], Any], str], ...] = (
    (lambda root: backward_with(root, accumulate=False),
     "a node used more than once keeps only its last contribution: its gradient is the sum "
     "over all its uses, so add (child.grad += local * node.grad) instead of assigning (=)"),
    (lambda root: backward_with(root, order="bfs"),
     "this is breadth-first order from the output: a node can then pass its gradient on before "
     "all of it has arrived (paths of different lengths); visit the nodes in reversed "
     "topological order, so every node comes after all the nodes that use it"),
    (_local_only_backward,
     "each contribution is the local derivative alone: the chain rule multiplies it by the "
     "gradient that has reached the node, child.grad += local * node.grad"),
    (lambda root: _leaves_first_backward(root, accumulate=True),
     "the nodes are visited leaves first: topological_order(root) lists each node after its "
     "inputs, and a backward pass needs the opposite, reversed(topological_order(root))"),
    (lambda root: _leaves_first_backward(root, accumulate=False),
     "the nodes are visited leaves first (use reversed(topological_order(root))), and each "
     "contribution is assigned (=) where it must be added (+=)"),
)


def _leaf_grads(backward: Callable[[Value], Any],
                build: Callable[[], tuple[Value, list[Value]]]) -> np.ndarray:
    """The leaves' gradients after ``backward`` runs on a fresh copy of the graph."""
    root, leaves = build()
    backward(root)
    return np.array([leaf.grad for leaf in leaves], dtype=float)


def _call_without_engine(fn: Callable[[Value], Any], root: Value) -> None:
    """Call the reader's backward pass with ``Value.backward`` switched off (the loop is the exercise)."""
    def refuse(self: Value) -> None:
        raise CheckFailed("my_backward called Value.backward(): the exercise is to write its loop "
                          "yourself, from topological_order and local_derivatives()")

    engine = Value.backward
    Value.backward = refuse
    try:
        call(fn, root, what="my_backward")
    finally:
        Value.backward = engine


def engine_backward(fn: Callable[[Value], Any]) -> bool:
    """Check a reader's ``my_backward(root)``: the engine's backward pass, written out.

    Called on the output ``root`` of a freshly built graph (every ``grad`` is 0),
    it must leave in each node's ``grad`` the derivative of ``root`` with
    respect to that node, as ``root.backward()`` does; its return value is
    ignored.  The hidden graphs have a node used several times, paths of
    different lengths from the output to one node, and a small network on a
    batch.  Named mistakes: assigning instead of adding the contributions,
    breadth-first order, the topological order walked leaves first, the local
    derivative not multiplied by the node's gradient, the output's own gradient
    not 1, a constant factor on every graph.
    """

    def checks() -> None:
        got_all, expected_all, root_grads = [], [], []
        for where, build in _GRAPHS:
            root, leaves = build()
            _call_without_engine(fn, root)
            got = np.array([leaf.grad for leaf in leaves], dtype=float)
            if not np.all(np.isfinite(got)):
                raise CheckFailed(f"a gradient is not a finite number on the graph {where}: {got}")
            got_all.append(got)
            root_grads.append(root.grad)
            expected_all.append(_leaf_grads(lambda r: r.backward(), build))
        if all(np.allclose(g, e, rtol=1e-12, atol=1e-14) for g, e in zip(got_all, expected_all)):
            return
        if any(g != 1.0 for g in root_grads):
            raise CheckFailed(
                f"the output's own gradient ends as {root_grads[0]!r}, not 1: start the pass "
                "with root.grad = 1.0 (d root / d root), the number every other gradient is "
                "multiplied from"
            )
        # A mistake is named only when it explains the results on every hidden graph.
        for wrong, message in _WRONG_BACKWARDS:
            if all(np.allclose(g, _leaf_grads(wrong, build), rtol=1e-12, atol=1e-14)
                   for g, (_, build) in zip(got_all, _GRAPHS)):
                raise CheckFailed(message)
        flat_got, flat_expected = np.concatenate(got_all), np.concatenate(expected_all)
        diagnose_factor(flat_got, flat_expected, "every gradient", " on every hidden graph")
        for (where, build), got, expected in zip(_GRAPHS, got_all, expected_all):
            _, leaves = build()
            for leaf, g, e in zip(leaves, got, expected):
                compare(g, e, name=f"the gradient of {leaf.label}", where=f"on the graph {where}",
                        rtol=1e-12, atol=1e-14)

    return run_checks(
        "my_backward gives every gradient that Value.backward() gives, on graphs with shared "
        "nodes, paths of different lengths and a batch.",
        checks,
    )
