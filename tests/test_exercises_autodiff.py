"""The autodiff chapter's checkers accept the reference answers and reject typical mistakes."""

import math
import re

import numpy as np
import pytest

from bplib.autodiff import Value, bfs_order, topological_order
from bplib.exercises import check

from strategies import verdict as _verdict


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
        assert check.backward_div(wrong) is False
    out = _verdict(capsys)
    assert out.startswith("Not yet:")
    assert re.search(message, out), out


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
    assert check.value_sin(wrong) is False
    out = _verdict(capsys)
    assert out.startswith("Not yet:")
    assert re.search(message, out), out


def test_value_sin_catches_a_node_that_ignores_its_upstream_gradient(capsys):
    # Correct on its own (upstream gradient 1) but wrong inside y = sin(x*x) * x if the
    # reader hard-codes the local derivative at the wrong point (here: at x instead of x*x).
    calls = []

    def value_sin(v):
        calls.append(v)
        x = calls[0].data if len(calls) > 8 else v.data
        return Value(math.sin(v.data), _children=(v,), _local_grads=(math.cos(x),))

    assert check.value_sin(value_sin) is False
    assert re.search(r"dy/dx for y = sin\(x\*x\) \* x at x = .* is wrong", _verdict(capsys))


# ------------------------------------------------------------------ engine_backward
def _backward_pass(*, order="reversed", accumulate=True, seed=1.0, times_grad=True):
    """A hand-written backward pass with the usual switches for mistakes."""

    def my_backward(root):
        root.grad = seed
        if order == "reversed":
            nodes = list(reversed(topological_order(root)))
        elif order == "leaves first":
            nodes = topological_order(root)
        else:
            nodes = bfs_order(root)
        for node in nodes:
            for child, local in node.local_derivatives():
                contribution = local * node.grad if times_grad else local
                if accumulate:
                    child.grad += contribution
                else:
                    child.grad = contribution

    return my_backward


def test_engine_backward_accepts_the_loop_of_value_backward(capsys):
    assert check.engine_backward(_backward_pass())
    assert _verdict(capsys).startswith("Correct:")


def test_engine_backward_accepts_a_pass_that_also_resets_inner_gradients(capsys):
    def my_backward(root):
        nodes = topological_order(root)
        for node in nodes:
            if node.children:
                node.grad = 0.0
        root.grad = 1.0
        for node in reversed(nodes):
            for child, local in node.local_derivatives():
                child.grad += local * node.grad

    assert check.engine_backward(my_backward)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_backward_pass(accumulate=False), r"keeps only its last contribution.*add \(child\.grad \+="),
        (_backward_pass(order="bfs"), r"breadth-first order"),
        (_backward_pass(order="leaves first"), r"visited leaves first"),
        (_backward_pass(order="leaves first", accumulate=False), r"visited leaves first"),
        (_backward_pass(times_grad=False), r"local derivative alone"),
        (_backward_pass(seed=0.0), r"own gradient ends as 0\.0, not 1"),
        (_backward_pass(seed=2.0), r"own gradient ends as 2\.0, not 1"),
        (lambda root: root.backward(), r"called Value\.backward\(\)"),
        (lambda root: None, r"own gradient ends as 0\.0"),
        (lambda root: 1 / 0, r"raised ZeroDivisionError"),
    ],
)
def test_engine_backward_names_typical_mistakes(wrong, message, capsys):
    assert check.engine_backward(wrong) is False
    assert re.search(message, _verdict(capsys)), _verdict(capsys)


def test_engine_backward_names_a_constant_factor_only_when_every_graph_shows_it(capsys):
    def doubled(root):
        _backward_pass()(root)
        for node in topological_order(root):
            node.grad *= 2.0
        root.grad = 1.0

    assert check.engine_backward(doubled) is False
    assert "off by a constant factor of 2 on every hidden graph" in _verdict(capsys)


def test_engine_backward_leaves_value_backward_in_place():
    check.engine_backward(lambda root: root.backward())
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
