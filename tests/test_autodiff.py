"""Tests for bplib.autodiff: gradients vs SymPy and central differences, and the teaching switches."""

from __future__ import annotations

import math
import warnings

import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bplib.autodiff import (
    Value,
    bfs_order,
    count_edges,
    count_nodes,
    leaves,
    topological_order,
)
from bplib.autodiff_mistakes import backward_with

# ----------------------------------------------------------------------------- random expressions
# A tree is ("var", i) | ("const", c) | (unary_op, tree) | (binary_op, tree, tree).
# Ops that need a positive or non-zero argument get one by construction
# ("log1p2" is log(t*t + 1), "div" divides by (t*t + 1), "sqrt1p2" is (t*t + 1)**0.5).
N_VARS = 3
UNARY = ["neg", "exp", "tanh", "sigmoid", "log1p2", "sq", "cube", "sqrt1p2"]
BINARY = ["add", "sub", "mul", "div", "radd", "rmul", "rsub"]

leaf = st.one_of(
    st.tuples(st.just("var"), st.integers(0, N_VARS - 1)),
    st.tuples(st.just("const"), st.floats(-2, 2, allow_nan=False).map(lambda c: round(c, 3))),
)


def _extend(children):
    return st.one_of(
        st.tuples(st.sampled_from(UNARY), children),
        st.tuples(st.sampled_from(BINARY), children, children),
    )


trees = st.recursive(leaf, _extend, max_leaves=6)
points = st.lists(st.floats(-2, 2, allow_nan=False), min_size=N_VARS, max_size=N_VARS)


def build(tree, xs, lib):
    """Evaluate ``tree`` on leaves ``xs`` with Value methods (lib="value") or SymPy (lib="sympy")."""
    kind = tree[0]
    if kind == "var":
        return xs[tree[1]]
    if kind == "const":
        return tree[1] if lib == "value" else sp.Float(tree[1])
    if kind in UNARY:
        t = build(tree[1], xs, lib)
        if kind == "neg":
            return -t
        if kind == "sq":
            return t**2
        if kind == "cube":
            return t**3
        if kind == "sqrt1p2":
            return (t * t + 1) ** 0.5
        if lib == "value":
            if not isinstance(t, Value):
                t = Value(t)
            return {"exp": t.exp, "tanh": t.tanh, "sigmoid": t.sigmoid,
                    "log1p2": lambda: (t * t + 1).log()}[kind]()
        return {"exp": sp.exp(t), "tanh": sp.tanh(t), "sigmoid": 1 / (1 + sp.exp(-t)),
                "log1p2": sp.log(t * t + 1)}[kind]
    a, b = build(tree[1], xs, lib), build(tree[2], xs, lib)
    return {"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b,
            "div": lambda: a / (b * b + 1), "radd": lambda: 1.5 + b,
            "rmul": lambda: -0.7 * b, "rsub": lambda: 0.3 - b}[kind]()


def forward_backward(tree, point):
    """Return (output value, [d out / d x_i]) computed by bplib.autodiff."""
    xs = [Value(p, label=f"x{i}") for i, p in enumerate(point)]
    out = build(tree, xs, "value")
    if not isinstance(out, Value):  # the tree did not use any variable
        return float(out), [0.0] * N_VARS
    out.backward()
    return out.data, [x.grad for x in xs]


def evaluate(tree, point) -> float:
    out = build(tree, [Value(p) for p in point], "value")
    return out.data if isinstance(out, Value) else float(out)


def safe(tree, point) -> tuple[float, list[float]]:
    try:
        out, grads = forward_backward(tree, point)
    except OverflowError:
        assume(False)
    assume(math.isfinite(out) and abs(out) < 1e6 and all(abs(g) < 1e6 for g in grads))
    return out, grads


@settings(max_examples=80, deadline=None)
@given(tree=trees, point=points)
def test_gradients_match_sympy(tree, point):
    out, grads = safe(tree, point)
    symbols = sp.symbols(f"x0:{N_VARS}")
    expr = build(tree, list(symbols), "sympy")
    values = dict(zip(symbols, point))
    assert out == pytest.approx(float(sp.sympify(expr).evalf(subs=values)), rel=1e-9, abs=1e-9)
    for s, g in zip(symbols, grads):
        expected = float(sp.diff(expr, s).evalf(subs=values))
        assert g == pytest.approx(expected, rel=1e-8, abs=1e-9)


@settings(max_examples=80, deadline=None)
@given(tree=trees, point=points)
def test_gradients_match_central_differences(tree, point):
    _, grads = safe(tree, point)
    h = 1e-6
    for i, g in enumerate(grads):
        up, down = list(point), list(point)
        up[i] += h
        down[i] -= h
        numeric = (evaluate(tree, up) - evaluate(tree, down)) / (2 * h)
        assert g == pytest.approx(numeric, rel=1e-4, abs=1e-5)


@settings(max_examples=60, deadline=None)
@given(tree=trees, point=points)
def test_topological_order_puts_inputs_first(tree, point):
    out = build(tree, [Value(p) for p in point], "value")
    assume(isinstance(out, Value))
    order = topological_order(out)
    position = {id(n): k for k, n in enumerate(order)}
    assert len(position) == len(order)  # each node once
    assert order[-1] is out
    for node in order:
        assert all(position[id(c)] < position[id(node)] for c in node.children)
    assert {id(n) for n in bfs_order(out)} == set(position)


# ----------------------------------------------------------------------------- accumulation
def test_node_used_twice_in_mul_gets_both_contributions():
    a = Value(3.0)
    out = a * a
    out.backward()
    assert a.grad == 6.0


def test_node_used_twice_in_add_gets_both_contributions():
    a = Value(-1.25)
    out = a + a
    out.backward()
    assert a.grad == 2.0


def diamond():
    """a feeds b and c, d = b * c: dd/da = 3 * (5a) + 5 * (3a) = 30a."""
    a = Value(2.0, label="a")
    b = a * 3
    c = a * 5
    return a, b * c


def lopsided_diamond():
    """a feeds L directly and through b: L = a + 4a, with a = 2x. dL/dx = 10."""
    x = Value(0.5, label="x")
    a = x * 2
    b = a * 4
    return x, a + b


def test_diamond_gradient():
    a, d = diamond()
    d.backward()
    assert a.grad == pytest.approx(60.0)


def test_lopsided_diamond_gradient():
    x, out = lopsided_diamond()
    out.backward()
    assert x.grad == pytest.approx(10.0)


def test_assignment_instead_of_accumulation_is_wrong_on_a_diamond():
    a, d = diamond()
    backward_with(d, accumulate=False)
    assert a.grad != pytest.approx(60.0)
    assert a.grad == pytest.approx(30.0)  # only the last contribution survives
    x, out = lopsided_diamond()
    backward_with(out, accumulate=False)
    assert x.grad != pytest.approx(10.0)


def test_bfs_order_is_wrong_on_a_lopsided_diamond():
    x, out = lopsided_diamond()
    backward_with(out, order="bfs")
    # `a` passes its gradient on before receiving the contribution through `b`.
    assert x.grad != pytest.approx(10.0)
    assert x.grad == pytest.approx(2.0)


def test_backward_accumulates_across_calls_until_zero_grad():
    a, d = diamond()
    d.backward()
    d.backward()
    assert a.grad == pytest.approx(120.0)
    d.zero_grad()
    assert all(n.grad == 0.0 for n in topological_order(d))
    d.backward()
    assert a.grad == pytest.approx(60.0)


def test_backward_rejects_unknown_order():
    _, d = diamond()
    with pytest.raises(ValueError, match="order must be 'topological' or 'bfs'"):
        backward_with(d, order="dfs")


# ----------------------------------------------------------------------------- depth, counting
def test_deep_chain_does_not_recurse():
    x = Value(0.3)
    v = x
    for _ in range(10_000):
        v = v * 1.0001
    v.backward()
    assert x.grad == pytest.approx(1.0001**10_000, rel=1e-9, abs=0)
    assert count_nodes(v) == 20_001  # x, 10,000 constants and 10,000 products


def test_counts_and_backward_return_value():
    a, d = diamond()  # nodes: a, 3, 5, b, c, d; edges: 2 + 2 + 2
    assert count_nodes(d) == 6
    assert count_edges(d) == 6
    assert d.backward() == count_edges(d)
    sq = a * a
    assert count_nodes(sq) == 2 and count_edges(sq) == 2
    assert [n.data for n in leaves(d)] == [2.0, 3.0, 5.0]


# ----------------------------------------------------------------------------- operations
def test_values_and_local_derivatives_of_each_operation():
    x = Value(0.8)
    cases = {
        "exp": (x.exp(), math.exp(0.8), math.exp(0.8)),
        "log": (x.log(), math.log(0.8), 1 / 0.8),
        "tanh": (x.tanh(), math.tanh(0.8), 1 - math.tanh(0.8) ** 2),
        "sigmoid": (x.sigmoid(), 1 / (1 + math.exp(-0.8)),
                    math.exp(-0.8) / (1 + math.exp(-0.8)) ** 2),
        "relu": (x.relu(), 0.8, 1.0),
        "relu-": ((-x).relu(), 0.0, 0.0),
        "pow": (x**-1.5, 0.8**-1.5, -1.5 * 0.8**-2.5),
        "rsub": (2 - x, 1.2, -1.0),
        "rdiv": (2 / x, 2.5, -2 / 0.64),
        "neg": (-x, -0.8, -1.0),
    }
    for name, (out, value, derivative) in cases.items():
        x.grad = 0.0
        out.backward()
        assert out.data == pytest.approx(value, rel=1e-12, abs=0), name
        assert x.grad == pytest.approx(derivative, rel=1e-12, abs=0), name


@pytest.mark.parametrize("data", [0.0, -1.0, -1e-300])
def test_log_of_non_positive_raises(data):
    with pytest.raises(ValueError, match=r"log expects data > 0"):
        Value(data).log()


@pytest.mark.parametrize("z", [1e4, -1e4, 800.0, -800.0])
def test_sigmoid_is_stable_for_large_inputs(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = Value(z).sigmoid()
        s.backward()
    assert s.data == (1.0 if z > 0 else 0.0)
    assert s.children[0].grad == 0.0


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(TypeError, match="real number"):
        Value("1.0")
    with pytest.raises(TypeError, match="real number"):
        Value(True)
    with pytest.raises(TypeError, match="int or float exponent"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(ValueError, match="negative base"):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError, match="zero base"):
        Value(0.0) ** -1
    with pytest.raises(ZeroDivisionError, match="data 0.0"):
        Value(1.0) / 0
    with pytest.raises(OverflowError, match="overflows"):
        Value(1000.0).exp()
    with pytest.raises(TypeError):
        Value(1.0) + "a"
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match="a leaf Value must hold a finite number"):
            Value(bad)


def test_zero_to_a_fractional_power_is_zero_with_infinite_gradient_like_pytorch():
    x = Value(0.0)
    out = x**0.5
    out.backward()
    assert out.data == 0.0 and x.grad == math.inf
    y = Value(0.0)
    (y**2).backward()  # an integer power > 1 has derivative 0 at 0
    assert y.grad == 0.0


def test_comparisons_compare_data_and_nodes_hash_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a == b and not (a != b) and a == 1.0 and 1.0 == a
    assert Value(1.0) < Value(2.0) and Value(2.0) > 1 and Value(1.0) <= 1.0 and Value(1.0) >= b
    assert a is not b and len({a, b}) == 2  # two nodes with equal data stay two nodes
    assert (a == "1.0") is False
    with pytest.raises(TypeError):
        _ = a < "2"


def test_local_derivatives_is_the_one_view_of_an_edge():
    x = Value(3.0)
    y = x * x + 2 * x
    pairs = y.local_derivatives()
    assert [c.op for c, _ in pairs] == ["*", "*"] and [g for _, g in pairs] == [1.0, 1.0]
    square = pairs[0][0]
    assert [(c is x, g) for c, g in square.local_derivatives()] == [(True, 3.0), (True, 3.0)]
    assert backward_with(y) == y.backward() == count_edges(y)


def _grads_after(backward, build):
    """Every node's gradient after ``backward(root)`` twice on a fresh graph from ``build()``
    (the second pass adds to the leaves and starts the inner nodes again from 0)."""
    root = build()
    backward(root)
    backward(root)
    return [(node.op, node.data, node.grad) for node in topological_order(root)]


def _network_graph():
    """A 2-2-1 tanh/sigmoid network with its squared error: nodes used twice, paths of different lengths."""
    x = [Value(0.5, label="x1"), Value(-1.5, label="x2")]
    w = [[Value(0.3), Value(-0.8)], [Value(1.1), Value(0.4)]]
    h = [(w[j][0] * x[0] + w[j][1] * x[1] + 0.1).tanh() for j in range(2)]
    out = (h[0] * 0.7 - h[1] * 1.2 + h[0] * h[1]).sigmoid()
    return (out - 0.25) ** 2 + x[0].relu() * out


@pytest.mark.parametrize("build", [lambda: diamond()[1], lambda: lopsided_diamond()[1], _network_graph],
                         ids=["diamond", "lopsided-diamond", "network"])
def test_backward_with_in_its_correct_mode_is_value_backward(build):
    """The chapter's switchable copy, with the defaults, fills exactly the gradients of backward()."""
    assert _grads_after(backward_with, build) == _grads_after(Value.backward, build)
    assert _grads_after(lambda r: backward_with(r, accumulate=True, order="topological"), build) \
        == _grads_after(Value.backward, build)


def test_backward_has_no_teaching_switches():
    with pytest.raises(TypeError):
        Value(1.0).backward(order="bfs")
    with pytest.raises(TypeError):
        Value(1.0).backward(accumulate=False)


def test_repr_has_no_address_and_sum_works():
    assert repr(Value(0.5)) == "Value(data=0.5, grad=0.0)"
    assert repr(Value(1, label="w")) == "Value(data=1.0, grad=0.0, label='w')"
    total = sum([Value(1.0), Value(2.0), Value(3.5)])
    assert total.data == 6.5
    assert "0x" not in repr(total)


def test_second_backward_adds_exactly_one_more_gradient_to_leaves():
    x, out = lopsided_diamond()
    out.backward()
    inner = [n.grad for n in topological_order(out) if n.children]
    out.backward()
    assert x.grad == pytest.approx(20.0)
    assert [n.grad for n in topological_order(out) if n.children] == inner


# ----------------------------------------------------------------------------- the max gate
def test_max_routes_the_gradient_to_the_winner():
    """CS231n's circuit f = 2 (x y + max(z, w)) at x=3, y=-4, z=2, w=-1: -8, 6, 2, 0."""
    x, y, z, w = Value(3.0), Value(-4.0), Value(2.0), Value(-1.0)
    f = 2 * (x * y + z.max(w))
    f.backward()
    assert f.data == -20.0
    assert (x.grad, y.grad, z.grad, w.grad) == (-8.0, 6.0, 2.0, 0.0)
    # the other way round, and against a plain number
    z2, w2 = Value(-1.0), Value(2.0)
    m = z2.max(w2)
    m.backward()
    assert (m.data, m.op, z2.grad, w2.grad) == (2.0, "max", 0.0, 1.0)
    v = Value(0.5)
    r = v.max(0)             # relu written as a max gate
    r.backward()
    assert (r.data, v.grad) == (0.5, 1.0)


def test_max_at_a_tie_shares_the_gradient_and_a_value_against_itself_gets_all_of_it():
    a, b = Value(1.5), Value(1.5)
    m = a.max(b)
    m.backward()
    assert (a.grad, b.grad) == (0.5, 0.5)
    c = Value(-2.0)
    c.max(c).backward()      # max(c, c) = c: both halves land on c
    assert c.grad == 1.0


@settings(max_examples=60, deadline=None)
@given(a=st.floats(-3, 3, allow_nan=False), b=st.floats(-3, 3, allow_nan=False),
       k=st.floats(-2, 2, allow_nan=False))
def test_max_gradients_match_central_differences(a, b, k):
    assume(abs(a - b) > 1e-3)  # away from the kink, where the derivative exists
    h = 1e-6

    def f(p, q):
        return (Value(p).max(Value(q)) * k).data

    x, y = Value(a), Value(b)
    (x.max(y) * k).backward()
    assert x.grad == pytest.approx((f(a + h, b) - f(a - h, b)) / (2 * h), rel=1e-6, abs=1e-6)
    assert y.grad == pytest.approx((f(a, b + h) - f(a, b - h)) / (2 * h), rel=1e-6, abs=1e-6)


def test_max_rejects_what_is_not_a_number():
    with pytest.raises(TypeError, match="Value.max expects a Value or a real number"):
        Value(1.0).max("2")
    with pytest.raises(TypeError, match="Value.max expects"):
        Value(1.0).max(True)


@pytest.mark.parametrize("a, b", [(2.0, -1.0), (-1.0, 2.0), (1.5, 1.5)])
def test_max_gate_matches_torch_maximum(a, b):
    """Value.max and torch.maximum give the same value and gradients, ties included."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (it is optional)")
    ta = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    out_t = torch.maximum(ta, tb) * 3.0
    out_t.backward()
    va, vb = Value(a), Value(b)
    out_v = va.max(vb) * 3.0
    out_v.backward()
    assert out_v.data == out_t.item()
    assert (va.grad, vb.grad) == (ta.grad.item(), tb.grad.item())
