"""Chapter 6's stepper, :func:`bplib.walkthroughs.autodiff_order.autodiff_order`.

It must show the engine's own order and updates: the nodes numbered as
``topological_order`` lists them, then one frame per edge in the order ``Value.backward``
visits them, with each input's gradient growing by local · upstream, ending with the
gradients ``Value.backward`` (and SymPy) give; and it must leave the graph as it found it.
"""

from __future__ import annotations

import importlib

import re
import sys
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bplib.autodiff import Value, backward_along, count_edges, topological_order
from bplib.stepper import MAX_PRINT_FRAMES, Shown
from bplib.walkthroughs.autodiff_order import autodiff_order

sys.path.insert(0, str(Path(__file__).resolve().parent))
from expected_steps.autodiff_order import expected  # noqa: E402

# the module (the package's attribute of the same name is the function)
walkthrough = importlib.import_module("bplib.walkthroughs.autodiff_order")


def poly(x0: float = 2.0) -> tuple[Value, Value]:
    """The chapter's graph: y = x * x + 3 * x."""
    x = Value(x0, label="x")
    y = x * x + 3 * x
    y.label = "y"
    return x, y


def captions(s) -> list[str]:
    """The captions as plain text, no-break spaces as spaces."""
    return [c.replace("\u00a0", " ") for c in s.captions()]


def shown_value(part: Shown) -> float:
    return float(part.text.replace("\u2212", "-"))


def last(parts) -> Shown:
    numbers = [p for p in parts if isinstance(p, Shown)]
    return numbers[-1]


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize("root", [2.0, None, "y", [Value(1.0)]])
def test_a_root_that_is_not_a_value_is_a_type_error(root):
    with pytest.raises(TypeError, match="root must be a bplib.autodiff.Value"):
        autodiff_order(root)


def test_bad_lang_is_rejected():
    _, y = poly()
    with pytest.raises(TypeError, match="lang must be a str"):
        autodiff_order(y, lang=1)
    with pytest.raises(ValueError, match="lang must be one of"):
        autodiff_order(y, lang="xx")


def test_a_leaf_has_no_backward_pass_to_step_through():
    with pytest.raises(ValueError, match="root is a leaf"):
        autodiff_order(Value(2.0, label="x"))


def test_graphs_the_figure_cannot_hold_are_value_errors():
    xs = [Value(float(k), label=f"x{k}") for k in range(6)]
    total = xs[0]
    for v in xs[1:]:
        total = total + v                  # 11 nodes
    with pytest.raises(ValueError, match="at most 9 nodes"):
        autodiff_order(total)
    a, b, c, d = (Value(1.0, label=n) for n in "abcd")
    with pytest.raises(ValueError, match="at most 3 nodes at each depth"):
        autodiff_order((a + b) * (c + d))  # four leaves at depth 0
    x = Value(1.0, label="x")
    deep = (((x.exp()).log()).tanh()).sigmoid().relu()
    with pytest.raises(ValueError, match="at most 4 operations deep"):
        autodiff_order(deep)
    with pytest.raises(ValueError, match="the stepper draws the operations"):
        autodiff_order(x ** 2)
    long = Value(1.0, label="weight") * x
    with pytest.raises(ValueError, match="1 to 5 letters"):
        autodiff_order(long)


# ---------------------------------------------------------------------- what it shows
def test_the_forward_frames_number_the_nodes_in_topological_order():
    x, y = poly()
    s = autodiff_order(y)
    order = topological_order(y)
    for k, node in enumerate(order):
        frame = s.frames[k]
        assert frame.phase == "forward" and frame.active[0] == f"n{k + 1}"
        above = frame.above[f"n{k + 1}"]
        numbers = [p for p in above if isinstance(p, Shown)]
        assert [shown_value(q) for q in numbers] == [k + 1, node.data]
        assert set(frame.above) == {f"n{j + 1}" for j in range(k + 1)}  # one node more a step
    assert [s.diagram.node(f"n{k + 1}").label for k in range(len(order))] == [
        "x", "x\u00b7x", "c", "c\u00b7x", "y"]


def test_the_backward_frames_are_the_engines_edges_in_its_order():
    x, y = poly()
    s = autodiff_order(y)
    order = topological_order(y)
    index = {id(n): k + 1 for k, n in enumerate(order)}
    visited = [(index[id(p)], i, index[id(c)], local) for p in reversed(order)
               for i, (c, local) in enumerate(p.local_derivatives())]
    n = len(order)
    assert len(s) == n + 1 + count_edges(y) + 1
    seed = s.frames[n]
    assert seed.phase == "backward" and shown_value(last(seed.below[f"n{n}"])) == 1
    grads = {k: 0.0 for k in range(1, n + 1)}
    grads[n] = 1.0
    for frame, (p, i, c, local) in zip(s.frames[n + 1:-1], visited):
        edge = f"n{c}>n{p}:{i}"
        assert frame.phase == "backward" and frame.active == (edge, f"n{c}")
        on_edge = [shown_value(q) for q in frame.on_edges[edge] if isinstance(q, Shown)]
        assert on_edge == [local, grads[p], local * grads[p]]        # local · upstream = c
        below = [shown_value(q) for q in frame.below[f"n{c}"] if isinstance(q, Shown)]
        assert below == [grads[c], grads[c] + local * grads[p]]      # before -> after
        grads[c] += local * grads[p]
    # x received 3 (from 3x), then 2 and 2 (from x*x): 0 -> 3 -> 5 -> 7
    x_frames = [f for f in s.frames[n + 1:-1] if f.active[1] == "n1"]
    assert [[shown_value(q) for q in f.below["n1"] if isinstance(q, Shown)]
            for f in x_frames] == [[0, 3], [3, 5], [5, 7]]


def test_the_last_frame_gives_value_backwards_and_sympys_gradients():
    x, y = poly()
    s = autodiff_order(y)
    reference_x, reference_y = poly()
    reference_y.backward()
    order = topological_order(reference_y)
    final = s.frames[-1]
    for k, node in enumerate(order):
        assert last(final.below[f"n{k + 1}"]).value == node.grad
    xs, cs = sp.symbols("x c")
    expression = xs * xs + cs * xs
    at = {xs: 2, cs: 3}
    assert last(final.below["n1"]).value == float(sp.diff(expression, xs).subs(at)) == 7.0
    assert last(final.below["n3"]).value == float(sp.diff(expression, cs).subs(at)) == 2.0
    text = captions(s)[-1]
    assert "x.grad = 3 + 2 + 2 = 7" in text and "c.grad = 2" in text


def test_every_number_it_shows_is_the_expected_one():
    # tests/expected_steps/autodiff_order.py, which the browser test uses on the site
    values = expected()
    _, y = poly()
    numbers = autodiff_order(y).numbers()
    assert {q.key for q in numbers} == set(values)
    for q in numbers:
        assert shown_value(q) == values[q.key], q.key


def test_no_digit_is_shown_outside_a_number():
    _, y = poly()
    s = autodiff_order(y)
    texts = [n.label for n in s.diagram.nodes]
    for f in s.frames:
        for parts in [f.caption, *f.above.values(), *f.below.values(), *f.on_edges.values()]:
            texts += [p for p in parts if isinstance(p, str)]
    assert not [t for t in texts if re.search(r"[0-9]", t)]


def test_the_graph_is_left_as_it_was():
    x, y = poly()
    y.backward()
    y.backward()                           # leaves accumulate: x.grad = 14
    before = [(n.data, n.grad) for n in topological_order(y)]
    autodiff_order(y)
    assert [(n.data, n.grad) for n in topological_order(y)] == before
    assert x.grad == 14.0


def test_html_is_deterministic_and_prints_at_most_six_frames():
    x1, y1 = poly()
    x2, y2 = poly()
    y2.backward()                          # stale gradients change nothing shown
    a, b = autodiff_order(y1), autodiff_order(y2)
    assert a.to_html() == b.to_html() == autodiff_order(y1).to_html()
    assert 1 <= len(a.print_frames) <= MAX_PRINT_FRAMES
    n = len(topological_order(y1))
    # the order, the seed, x's first contribution, its last, the result
    assert a.print_frames == (0, n - 1, n, n + 4, len(a) - 2, len(a) - 1)
    assert a.to_html().count('class="bp-pf"') == len(a.print_frames)


def test_a_pass_that_disagrees_with_the_engine_raises(monkeypatch):
    def doubling(root, nodes, update):                # hands on twice each contribution
        return backward_along(root, nodes, update=lambda c, g: update(c, 2 * g))

    monkeypatch.setattr(walkthrough, "backward_along", doubling)
    x, y = poly()
    with pytest.raises(AssertionError, match="is not local \\* upstream"):
        autodiff_order(y)
    assert x.grad == 0.0                              # restored even so


def test_the_copy_circuit_of_the_chapter_works_too():
    # g = xy + max(x, z): x feeds a multiply gate and a max gate, and gets -4 + 1 = -3
    x, y, z = (Value(v, label=n) for v, n in [(3.0, "x"), (-4.0, "y"), (2.0, "z")])
    g = x * y + x.max(z)
    g.label = "g"
    s = autodiff_order(g)
    assert "x.grad = 1 + (\u22124) = \u22123" in captions(s)[-1]   # max is visited first
    assert any("max(3, 2) = 3" in c for c in captions(s)[:len(topological_order(g))])


# ---------------------------------------------------------------------- any small graph
_OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
        "max": lambda a, b: a.max(b)}
_leaf = st.sampled_from(["x", "z", "c"])
_tree = st.recursive(_leaf, lambda inner: st.tuples(st.sampled_from(sorted(_OPS)), inner, inner),
                     max_leaves=4)


def _build(tree, leaves):
    if isinstance(tree, str):
        return leaves[tree] if tree != "c" else Value(2.0)
    op, a, b = tree
    return _OPS[op](_build(a, leaves), _build(b, leaves))


@settings(max_examples=60, deadline=None)
@given(_tree, st.integers(-6, 6), st.integers(-6, 6))
def test_any_small_graph_ends_with_value_backwards_gradients(tree, xi, zi):
    assume(not isinstance(tree, str))
    leaves = {"x": Value(xi / 2, label="x"), "z": Value(zi / 2, label="z")}
    root = _build(tree, leaves)
    try:
        s = autodiff_order(root)
    except ValueError as error:                       # too big for the figure: said so
        assert "room" in str(error)
        assume(False)
    order = topological_order(root)
    grads_before = [n.grad for n in order]
    assert len(s) == len(order) + count_edges(root) + 2
    for n in order:
        n.grad = 0.0
    root.backward()
    for k, node in enumerate(order):
        if not node.children:
            assert last(s.frames[-1].below[f"n{k + 1}"]).value == node.grad
    assert grads_before == [0.0] * len(order)         # the stepper left them at 0


def test_a_negative_second_factor_is_in_brackets():
    x = Value(-2.0, label="x")
    y = (x * x) * x                        # x·x = −2 · (−2); then an upstream of −2
    y.label = "y"
    texts = captions(autodiff_order(y))
    assert "x\u00b7x = \u22122 \u00b7 (\u22122) = 4" in texts[1]
    assert "local \u00b7 upstream = \u22122 \u00b7 (\u22122) = 4; x.grad: 4" in texts[-3]
