"""Two wrong backward passes, kept for the autodiff chapter to show why they fail.

The engine of :mod:`bplib.autodiff` has one backward pass, the right one.  The
chapter also runs the two classic mistakes, which live here so the engine
stays small:

- ``order="bfs"`` visits nodes breadth-first from the output instead of in
  topological order, so a node can pass its gradient on before it has received
  all of it (wrong as soon as two paths from the output to a node have
  different lengths);
- ``accumulate=False`` assigns (``=``) instead of adding (``+=``), so a node
  used by two parents keeps only the last contribution.

Examples
--------
>>> from bplib.autodiff import Value
>>> x = Value(3.0)
>>> y = x * x
>>> _ = backward_with(y, accumulate=False)
>>> x.grad   # the right answer is 6
3.0
"""

from __future__ import annotations

from .autodiff import Value, backward_along, bfs_order, topological_order

__all__ = ["backward_with"]


def backward_with(root: Value, *, accumulate: bool = True, order: str = "topological") -> int:
    """:meth:`Value.backward` with the two teaching switches.

    With the defaults it computes what ``root.backward()`` computes: both run
    :func:`bplib.autodiff.backward_along`, this one along the order and with
    the update the switches choose.

    Parameters
    ----------
    root : Value
        The output node.
    accumulate : bool, default True
        True adds each contribution (``child.grad += ...``), which is correct;
        False assigns it (``child.grad = ...``), which is wrong for a node used twice.
    order : {"topological", "bfs"}, default "topological"
        "topological" is correct; "bfs" visits nodes breadth-first from the
        output, each once, which is wrong in general.

    Returns
    -------
    int
        The number of local-derivative multiplications performed (one per edge visited).

    Raises
    ------
    ValueError
        If ``order`` is not one of the two names.
    """
    if not isinstance(root, Value):
        raise ValueError(f"root must be a bplib.autodiff.Value, but got {type(root).__name__}")
    if order == "topological":
        nodes = list(reversed(topological_order(root)))
    elif order == "bfs":
        nodes = bfs_order(root)
    else:
        raise ValueError(f"order must be 'topological' or 'bfs', but got {order!r}")
    if accumulate:
        return backward_along(root, nodes)  # adds each contribution, as backward() does
    return backward_along(root, nodes, _assign)


def _assign(child: Value, contribution: float) -> None:
    child.grad = contribution  # wrong: a node used twice keeps only the last contribution
