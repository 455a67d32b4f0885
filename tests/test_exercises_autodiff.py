"""The autodiff chapter's checkers accept the reference answers and reject typical mistakes."""

import math
import re

import numpy as np
import pytest

from bplib.autodiff import Value, bfs_order, topological_order
from bplib.exercises import check

from strategies import assert_rejected, verdict as _verdict


# ------------------------------------------------------------------ backward_div
def test_backward_div_accepts_reference(capsys):
    assert check.backward_div(lambda a, b, g: (g / b, -g * a / b**2))
    assert _verdict(capsys).startswith("Correct:")


def _mutating(a, b, g):
    b *= 1.0  # harmless
    g[...] = g / b  # writes into out_grad
    return g, -g * a / b


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda a, b, g: (g / b, g * a / b**2), r"grad_b has the wrong sign on every hidden case"),
        (lambda a, b, g: (1 / b, -a / b**2), r"grad_a ignores out_grad"),
        (lambda a, b, g: (g / b, -g * a / b), r"grad_b at a = 3, b = 2, out_grad = 1 is wrong"),
        (lambda a, b, g: (g / b, -2 * g * a / b**2), r"grad_b is off by a constant factor of 2"),
        (lambda a, b, g: None, r"did you forget to `return"),
        (lambda a, b, g: g / b, r"must return a pair"),
        (lambda a, b, g: (g / b, -g * a / float(np.sum(b)) ** 2), r"grad_b .* is wrong"),
        (_mutating, r"changed its argument #3 in place"),
        (lambda a, b, g: 1 / 0, r"raised ZeroDivisionError"),
    ],
)
def test_backward_div_rejects_typical_mistakes(wrong, message, capsys):
    with np.errstate(all="ignore"):
        assert_rejected(check.backward_div(wrong), capsys, message)


# ------------------------------------------------------------------ value_sin
def _sin_with_local(local):
    def value_sin(v):
        return Value(math.sin(v.data), _children=(v,), _op="sin", _local_grads=(local(v.data),))

    return value_sin


def test_value_sin_accepts_reference(capsys):
    assert check.value_sin(_sin_with_local(math.cos))
    assert _verdict(capsys).startswith("Correct:")


def _sin_in_place(v):
    v.data = math.sin(v.data)
    return v


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_sin_with_local(lambda x: -math.cos(x)), r"d sin\(v\)/dv from backward\(\) has the wrong sign"),
        (_sin_with_local(math.sin), r"the local derivative is sin\(v\), the function itself"),
        (_sin_with_local(lambda x: math.cos(math.sin(x))), r"cos taken at the output sin\(v\)"),
        (_sin_with_local(lambda x: -math.sin(x)), r"-sin\(v\), the derivative of cos"),
        (_sin_with_local(lambda x: 1.0), r"the local derivative is 1, as for an addition"),
        (lambda v: Value(math.sin(v.data)), r"does not remember its input"),
        (lambda v: math.sin(v.data), r"returned a float, not a Value"),
        (lambda v: Value(math.cos(v.data), _children=(v,), _local_grads=(-math.sin(v.data),)),
         r"the data of value_sin\(v\) at v.data = 0 is wrong"),
        (_sin_in_place, r"changed v.data"),
        (lambda v: v.sin(), r"raised AttributeError"),
    ],
)
def test_value_sin_rejects_typical_mistakes(wrong, message, capsys):
    assert_rejected(check.value_sin(wrong), capsys, message)


def test_value_sin_catches_a_node_that_ignores_its_upstream_gradient(capsys):
    # Correct on its own (upstream gradient 1) but wrong inside y = sin(x*x) * x if the
    # reader hard-codes the local derivative at the wrong point (here: at x instead of x*x).
    calls = []

    def value_sin(v):
        calls.append(v)
        x = calls[0].data if len(calls) > 8 else v.data
        return Value(math.sin(v.data), _children=(v,), _local_grads=(math.cos(x),))

    assert check.value_sin(value_sin).ok is False
    assert re.search(r"dy/dx for y = sin\(x\*x\) \* x at x = .* is wrong", _verdict(capsys))


# ------------------------------------------------------------------ topological_sort
def _depth_first(*, visited="set", reverse=False):
    """A recursive depth-first order; `visited` is "set", "list" (the == trap) or None."""

    def my_topological_order(root):
        order, seen = [], set()

        def visit(node):
            if visited == "set":
                if node in seen:
                    return
                seen.add(node)
            elif visited == "list" and node in order:
                return
            for child in node.children:
                visit(child)
            order.append(node)

        visit(root)
        return order[::-1] if reverse else order

    return my_topological_order


def _reversed_breadth_first(*, dedupe):
    def my_topological_order(root):
        order, queue, seen = [], [root], set()
        while queue:
            node = queue.pop(0)
            if dedupe:
                if node in seen:
                    continue
                seen.add(node)
            order.append(node)
            queue.extend(node.children)
        return order[::-1]

    return my_topological_order


def test_topological_sort_accepts_depth_first_and_bplibs_order(capsys):
    assert check.topological_sort(_depth_first())
    assert _verdict(capsys).startswith("Correct:")
    assert check.topological_sort(topological_order)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_depth_first(visited=None), r"'x' is listed 3 times.*visited"),
        (_reversed_breadth_first(dedupe=False), r"listed 3 times"),
        (_reversed_breadth_first(dedupe=True), r"comes before its input.*breadth-first order"),
        (lambda root: list(reversed(bfs_order(root))), r"breadth-first order from the output, reversed"),
        (_depth_first(visited="list"), r"misses 1 of its .*compares with ==, which compares data"),
        (_depth_first(reverse=True), r"the output comes first.*the order backward\(\) walks"),
        (lambda root: [root], r"misses 4 of its 5 nodes.*Visit the children"),
        (lambda root: [n.data for n in topological_order(root)], r"holds a float, not a Value"),
        (lambda root: topological_order(root) + [Value(1.0)], r"the list has 1 node that is not part of the graph"),
        (lambda root: None, r"did you forget to `return"),
        (lambda root: 1 / 0, r"raised ZeroDivisionError"),
    ],
)
def test_topological_sort_names_typical_mistakes(wrong, message, capsys):
    assert_rejected(check.topological_sort(wrong), capsys, message)


def test_topological_sort_rejects_an_order_that_breaks_only_inside_the_network(capsys):
    def swapped(root):
        order = topological_order(root)
        if len(order) > 30:   # only the batch network: swap a node with its first input
            k = next(i for i, node in enumerate(order) if node.children)
            j = next(i for i, node in enumerate(order) if node is order[k].children[0])
            order[k], order[j] = order[j], order[k]
        return order

    assert check.topological_sort(swapped).ok is False
    assert "comes before its input" in _verdict(capsys)
