"""Chapter 6's stepper (``autodiff_order(y)``): what it must show.

The chapter's graph, ``y = x * x + 3 * x`` at ``x = 2`` (book/autodiff.ipynb, Fig. 6.1),
rebuilt here with :mod:`bplib.autodiff` and recomputed from its public API
(:func:`~bplib.autodiff.topological_order`, :meth:`~bplib.autodiff.Value.local_derivatives`,
:meth:`~bplib.autodiff.Value.backward`, :func:`~bplib.autodiff.count_edges`), not by calling
the walkthrough. The gradients' running sums are the chapter's four-line loop, replayed here
edge by edge.

Keys: a node's name is ``x``, ``c`` (the constant 3), ``mul(x,x)``, ``mul(c,x)`` and ``y``;
``order(n)`` is its number in the topological order, ``data(n)`` its value, ``local(n,i)``
the local derivative of ``n`` with respect to its input ``i``, ``contribution(n,i)`` that
times ``n``'s gradient, ``grad(n)[j]`` ``n``'s gradient after it has received ``j``
contributions, and ``grad(n)`` its final gradient.
"""

from __future__ import annotations

from bplib.autodiff import Value, count_edges, topological_order

#: The chapter's point: x = 2 (book/autodiff.ipynb, "A Value remembers how it was made").
X0 = 2.0


def expected() -> dict[str, float]:
    x = Value(X0, label="x")
    y = x * x + 3 * x
    y.label = "y"
    xx, cx = y.children
    c = cx.children[0]
    assert xx.children[0] is x and xx.children[1] is x and cx.children[1] is x
    name = {id(x): "x", id(c): "c", id(xx): "mul(x,x)", id(cx): "mul(c,x)", id(y): "y"}

    order = topological_order(y)
    out: dict[str, float] = {"edges": count_edges(y)}
    for k, node in enumerate(order, start=1):
        n = name[id(node)]
        out[f"order({n})"] = k
        out[f"data({n})"] = node.data
        for i, (_, local) in enumerate(node.local_derivatives()):
            out[f"local({n},{i})"] = local

    # the chapter's loop, one edge at a time, writing down each gradient as it grows
    grads = {id(node): 0.0 for node in order}
    received = {id(node): 0 for node in order}
    grads[id(y)] = 1.0
    out["grad(y)"] = 1.0
    for node in reversed(order):
        for i, (child, local) in enumerate(node.local_derivatives()):
            contribution = local * grads[id(node)]
            out[f"contribution({name[id(node)]},{i})"] = contribution
            out[f"grad({name[id(child)]})[{received[id(child)]}]"] = grads[id(child)]
            grads[id(child)] += contribution
            received[id(child)] += 1
            out[f"grad({name[id(child)]})[{received[id(child)]}]"] = grads[id(child)]

    y.backward()
    for node in order:
        assert grads[id(node)] == node.grad, name[id(node)]
        out[f"grad({name[id(node)]})"] = node.grad
    assert x.grad == 2 * X0 + 3           # dy/dx = 2x + 3
    return {k: float(v) for k, v in out.items()}
