"""A tiny reverse-mode automatic differentiation engine on scalars.

In the spirit of Andrej Karpathy's *micrograd*: every arithmetic operation on a
:class:`Value` creates a new node that remembers its inputs (``children``), the
operation that made it (``op``) and the *local derivative* of its output with
respect to each input.  :meth:`Value.local_derivatives` returns the pairs
``(child, d node / d child)``; :meth:`Value.backward`, forward mode and the
graph drawing of :mod:`bplib.plotting` all read the graph through it.
:meth:`Value.backward` applies the chain rule once per edge, visiting the
nodes in reverse topological order.

Storing the local derivatives on the node (instead of a closure per node, as
micrograd does) keeps the backward pass to three lines and makes it easy to
count its work: one multiplication ``local * node.grad`` per edge of the graph,
see :func:`count_edges`.  (The pass itself is :func:`backward_along`; the chapter's deliberately
wrong backward passes, breadth-first order and ``=`` instead of ``+=``, run
it from :mod:`bplib.autodiff_mistakes`, not from here.)

Comparisons: as in PyTorch, ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``
compare ``data`` and return a plain ``bool`` (they are not part of the graph),
so ``Value(1.0) == Value(1.0)`` is True.  Nodes are hashed by identity: to ask
whether two nodes are *the same node*, use ``is``.

Activations: :meth:`Value.activation` applies any activation of
:data:`bplib.activations.ACTIVATIONS` (the book's or one added with
:func:`bplib.activations.register`); the value is the record's ``f``, the
local derivative its ``prime_from_output`` of that value (``prime`` of the
input for a record without one).  ``tanh()``, ``sigmoid()`` and ``relu()``
are its short names for the book's three.

``max(other)`` is the max gate: the gradient goes to the larger input (shared
1/2 each at a tie, as in PyTorch).

Examples
--------
>>> from bplib.autodiff import Value
>>> x = Value(2.0, label="x")
>>> y = x * x + 3 * x
>>> _ = y.backward()
>>> x.grad
7.0
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable
from numbers import Real
from typing import Union

import numpy as np

from .activations import get_activation

__all__ = [
    "Value",
    "backward_along",
    "topological_order",
    "bfs_order",
    "leaves",
    "count_nodes",
    "count_edges",
]

Number = Union[int, float]


def _as_value(other: Union["Value", Real]) -> "Value":
    """Wrap a plain number in a constant leaf :class:`Value` (pass Values through)."""
    return other if isinstance(other, Value) else Value(other)


class Value:
    """A scalar node of a computation graph, with its gradient.

    Parameters
    ----------
    data : float
        The scalar value (any real number: int, float, NumPy scalar; not bool).
    label : str, optional
        A name for printing and drawing, e.g. ``"h1"``.
    _children : tuple of Value, optional
        The inputs of the operation that produced this node (internal).
    _op : str, optional
        The name of that operation, e.g. ``"*"`` or ``"tanh"`` (internal).
    _local_grads : tuple of float, optional
        ``d self / d child`` for each child, in the same order (internal).

    Attributes
    ----------
    data : float
        The value computed by the forward pass.
    grad : float
        ``d output / d self`` after :meth:`backward` on some output; starts at 0.
    label : str
        The node's name ("" if none).

    Notes
    -----
    A node used twice (``a * a``) appears twice in its parent's ``children``;
    the backward pass then adds both contributions to ``a.grad``.
    """

    def __init__(
        self,
        data: Real,
        label: str = "",
        _children: tuple["Value", ...] = (),
        _op: str = "",
        _local_grads: tuple[float, ...] = (),
    ) -> None:
        if isinstance(data, bool) or not isinstance(data, Real):
            raise TypeError(
                f"Value expects a real number as data, got {type(data).__name__}: {data!r}"
            )
        if not _children and not math.isfinite(data):
            raise ValueError(
                f"a leaf Value must hold a finite number, but got {data!r} "
                "(NaN or inf would make every gradient that depends on it meaningless)"
            )
        if len(_children) != len(_local_grads):
            raise ValueError(
                f"expected one local gradient per child, got {len(_children)} children "
                f"and {len(_local_grads)} local gradients"
            )
        self.data: float = float(data)
        self.grad: float = 0.0
        self.label: str = label
        self._prev: tuple[Value, ...] = tuple(_children)
        self._op: str = _op
        self._local_grads: tuple[float, ...] = tuple(float(g) for g in _local_grads)

    # ------------------------------------------------------------------ the graph
    @property
    def children(self) -> tuple["Value", ...]:
        """The inputs of the operation that made this node (empty for a leaf)."""
        return self._prev

    @property
    def op(self) -> str:
        """The operation that made this node, e.g. ``"*"`` (``""`` for a leaf)."""
        return self._op

    def local_derivatives(self) -> tuple[tuple["Value", float], ...]:
        """The pairs ``(child, d self / d child)``, one per input, in order.

        The one way into the local derivatives: :meth:`backward`, forward mode
        (``tangent = sum(local * tangent[child])``) and
        :func:`bplib.plotting.draw_value_graph` all use it.  A child used twice
        appears twice.
        """
        return tuple(zip(self._prev, self._local_grads))

    # ------------------------------------------------------------------ comparisons
    def _compare_data(self, other: object) -> float | None:
        if isinstance(other, Value):
            return other.data
        if isinstance(other, Real) and not isinstance(other, bool):
            return float(other)
        return None

    def __eq__(self, other: object) -> bool:
        value = self._compare_data(other)
        return NotImplemented if value is None else self.data == value

    def __ne__(self, other: object) -> bool:
        value = self._compare_data(other)
        return NotImplemented if value is None else self.data != value

    def __lt__(self, other: object) -> bool:
        value = self._compare_data(other)
        return NotImplemented if value is None else self.data < value

    def __le__(self, other: object) -> bool:
        value = self._compare_data(other)
        return NotImplemented if value is None else self.data <= value

    def __gt__(self, other: object) -> bool:
        value = self._compare_data(other)
        return NotImplemented if value is None else self.data > value

    def __ge__(self, other: object) -> bool:
        value = self._compare_data(other)
        return NotImplemented if value is None else self.data >= value

    __hash__ = object.__hash__  # by identity, as in PyTorch: use `is` for "same node"

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other: Union["Value", Real]) -> "Value":
        if not isinstance(other, (Value, Real)):
            return NotImplemented
        other = _as_value(other)
        return Value(self.data + other.data, _children=(self, other), _op="+",
                     _local_grads=(1.0, 1.0))

    def __radd__(self, other: Real) -> "Value":
        return _as_value(other) + self if isinstance(other, Real) else NotImplemented

    def __sub__(self, other: Union["Value", Real]) -> "Value":
        if not isinstance(other, (Value, Real)):
            return NotImplemented
        other = _as_value(other)
        return Value(self.data - other.data, _children=(self, other), _op="-",
                     _local_grads=(1.0, -1.0))

    def __rsub__(self, other: Real) -> "Value":
        return _as_value(other) - self if isinstance(other, Real) else NotImplemented

    def __mul__(self, other: Union["Value", Real]) -> "Value":
        if not isinstance(other, (Value, Real)):
            return NotImplemented
        other = _as_value(other)
        return Value(self.data * other.data, _children=(self, other), _op="*",
                     _local_grads=(other.data, self.data))

    def __rmul__(self, other: Real) -> "Value":
        return _as_value(other) * self if isinstance(other, Real) else NotImplemented

    def __truediv__(self, other: Union["Value", Real]) -> "Value":
        if not isinstance(other, (Value, Real)):
            return NotImplemented
        other = _as_value(other)
        if other.data == 0.0:
            raise ZeroDivisionError(
                f"division by a Value with data 0.0 (numerator data {self.data!r})"
            )
        # d(a/b)/da = 1/b,  d(a/b)/db = -a/b**2
        return Value(self.data / other.data, _children=(self, other), _op="/",
                     _local_grads=(1.0 / other.data, -self.data / other.data**2))

    def __rtruediv__(self, other: Real) -> "Value":
        return _as_value(other) / self if isinstance(other, Real) else NotImplemented

    def max(self, other: Union["Value", Real]) -> "Value":
        """``max(self, other)``: the larger of the two, as a node of the graph.

        The max gate of CS231n's notes: its local derivative is 1 for the input
        that won the forward pass and 0 for the other, so the backward pass
        routes the upstream gradient to the winner only.  At a tie the two
        inputs share it, 1/2 each, as ``torch.maximum`` does (any split that
        sums to 1 is a valid subgradient; this one is symmetric).

        Parameters
        ----------
        other : Value or real number
            The second input (a number becomes a constant leaf).

        Returns
        -------
        Value
            A node with ``op == "max"`` and the children ``(self, other)``.

        Examples
        --------
        >>> z, w = Value(2.0), Value(-1.0)
        >>> m = z.max(w)
        >>> _ = m.backward()
        >>> (m.data, z.grad, w.grad)
        (2.0, 1.0, 0.0)
        """
        if isinstance(other, bool) or not isinstance(other, (Value, Real)):
            raise TypeError(
                f"Value.max expects a Value or a real number, got {type(other).__name__}: {other!r}"
            )
        other = _as_value(other)
        if self.data > other.data:
            local = (1.0, 0.0)       # self won: it gets the whole gradient
        elif self.data < other.data:
            local = (0.0, 1.0)       # other won
        else:
            local = (0.5, 0.5)       # a tie: shared, as in PyTorch
        return Value(max(self.data, other.data), _children=(self, other), _op="max",
                     _local_grads=local)

    def __neg__(self) -> "Value":
        return Value(-self.data, _children=(self,), _op="neg", _local_grads=(-1.0,))

    def __pow__(self, exponent: Number) -> "Value":
        """``self ** exponent`` for a constant int or float exponent.

        Raises
        ------
        TypeError
            If the exponent is a Value (only constant exponents are supported).
        ValueError
            If the result is not a real number (negative base, non-integer
            exponent) or is undefined (zero base, negative exponent).

        Notes
        -----
        At a zero base with ``0 < exponent < 1`` (``Value(0.0) ** 0.5``) the
        value is 0 and the local derivative is ``inf``, as in PyTorch.
        """
        if isinstance(exponent, bool) or not isinstance(exponent, Real):
            raise TypeError(
                f"Value ** exponent expects an int or float exponent, "
                f"got {type(exponent).__name__}: {exponent!r}"
            )
        n = float(exponent)
        if self.data < 0 and not n.is_integer():
            raise ValueError(
                f"Value ** {exponent!r}: a negative base ({self.data!r}) needs an "
                f"integer exponent for a real result"
            )
        if self.data == 0 and n < 0:
            raise ValueError(f"Value ** {exponent!r}: zero base with a negative exponent")
        if n == 0:
            local = 0.0
        elif self.data == 0 and n < 1:
            local = math.inf  # d x**n / dx = n x**(n-1) -> inf at 0 for 0 < n < 1
        else:
            local = n * self.data ** (n - 1)
        return Value(self.data**n, _children=(self,), _op=f"**{exponent:g}",
                     _local_grads=(local,))

    # ------------------------------------------------------------------ functions
    def exp(self) -> "Value":
        """Exponential ``e**x``; its local derivative is ``e**x`` itself."""
        try:
            out = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp({self.data!r}) overflows a float (data must be <= about 709.78)"
            ) from None
        return Value(out, _children=(self,), _op="exp", _local_grads=(out,))

    def log(self) -> "Value":
        """Natural logarithm; local derivative ``1/x``.

        Raises
        ------
        ValueError
            If ``data <= 0`` (the logarithm is only defined for positive numbers).
        """
        if not self.data > 0:
            raise ValueError(f"log expects data > 0, got data={self.data!r}")
        return Value(math.log(self.data), _children=(self,), _op="log",
                     _local_grads=(1.0 / self.data,))

    def activation(self, name: str) -> "Value":
        """Apply the registered activation ``name``, e.g. ``x.activation("softplus")``.

        Parameters
        ----------
        name : str
            A name of :data:`bplib.activations.ACTIVATIONS`.

        Returns
        -------
        Value
            A node with ``op == name`` whose local derivative is the record's
            derivative at this input.

        Raises
        ------
        ValueError
            For a name that is not registered (the message lists the known ones).
        """
        record = get_activation(name)
        z = np.float64(self.data)
        a = record.f(z)
        local = record.prime(z) if record.prime_from_output is None else record.prime_from_output(a)
        return Value(float(a), _children=(self,), _op=record.name, _local_grads=(float(local),))

    def tanh(self) -> "Value":
        """Hyperbolic tangent; local derivative ``1 - tanh(x)**2``."""
        return self.activation("tanh")

    def sigmoid(self) -> "Value":
        """Logistic sigmoid ``1 / (1 + e**-x)``; local derivative ``s (1 - s)``.

        Numerically stable (``bplib.activations``'s kernel): large ``|x|``
        (e.g. 1e4) neither overflows nor warns.
        """
        return self.activation("sigmoid")

    def relu(self) -> "Value":
        """Rectified linear unit ``max(0, x)``; local derivative 1 if x > 0 else 0."""
        return self.activation("relu")

    # ------------------------------------------------------------------ backward
    def backward(self) -> int:
        """Fill ``grad`` of every node in the graph with ``d self / d node``.

        Seeds ``self.grad = 1`` and, for each node in reverse topological order
        (every node after all nodes that use it), adds ``local * node.grad`` to
        each of its children. As in PyTorch, the gradients of *leaves* (inputs,
        parameters) are not reset: a second call adds ``d self / d leaf``
        again, so call :meth:`zero_grad` between passes. Inner nodes are reset
        to 0 at the start of each pass (otherwise their stale gradients would
        be passed on again and compound).

        Returns
        -------
        int
            The number of local-derivative multiplications performed, one per
            edge: :func:`count_edges`.
        """
        return backward_along(self, reversed(topological_order(self)))

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 on every node of the graph that ends at ``self``."""
        for node in topological_order(self):
            node.grad = 0.0

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"


# ---------------------------------------------------------------------- the reverse pass
def _add(child: Value, contribution: float) -> None:
    child.grad += contribution


def backward_along(
    root: Value,
    nodes: Iterable[Value],
    update: Callable[[Value, float], None] = _add,
) -> int:
    """The chain rule along ``nodes``, an order of the nodes of the graph ending at ``root``.

    Sets ``grad`` of the inner nodes to 0, seeds ``root.grad = 1`` and, for
    each node in turn, hands each of its children the contribution ``local *
    node.grad`` through ``update(child, contribution)``, which by default
    adds it to ``child.grad``.  :meth:`Value.backward` is this pass along the
    reverse topological order, the only order that is right in general;
    :func:`bplib.autodiff_mistakes.backward_with` runs it along another order,
    or with an update that assigns, to show why.

    Returns
    -------
    int
        The number of local-derivative multiplications performed (one per edge visited).
    """
    nodes = list(nodes)
    for node in nodes:
        if node.children:
            node.grad = 0.0
    root.grad = 1.0
    multiplications = 0
    for node in nodes:
        for child, local in node.local_derivatives():
            update(child, local * node.grad)
            multiplications += 1
    return multiplications


# ---------------------------------------------------------------------- graph tools
def topological_order(root: Value) -> list[Value]:
    """All nodes of the graph ending at ``root``, each after all of its inputs.

    Depth-first post-order, computed with an explicit stack (no recursion), so
    graphs of any depth work. The order is deterministic: children are explored
    in the order they were given to their operation.

    Parameters
    ----------
    root : Value
        The output node.

    Returns
    -------
    list of Value
        Every node once; leaves come first and ``root`` is last. Backward
        passes visit this list in reverse.
    """
    order: list[Value] = []
    visited: set[int] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:           # all inputs are already in `order`
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))  # come back after the children
        for child in reversed(node.children):
            if id(child) not in visited:
                stack.append((child, False))
    return order


def bfs_order(root: Value) -> list[Value]:
    """All nodes of the graph, breadth-first from ``root``, each once.

    This is *not* a valid order for backpropagation in general; it exists to
    show why (see :func:`bplib.autodiff_mistakes.backward_with`).

    Parameters
    ----------
    root : Value
        The output node.

    Returns
    -------
    list of Value
        ``root`` first, then nodes by increasing shortest distance from it.
    """
    order: list[Value] = []
    seen: set[int] = {id(root)}
    queue: deque[Value] = deque([root])
    while queue:
        node = queue.popleft()
        order.append(node)
        for child in node.children:
            if id(child) not in seen:
                seen.add(id(child))
                queue.append(child)
    return order


def leaves(root: Value) -> list[Value]:
    """The leaf nodes (inputs, parameters and constants) of the graph, in topological order."""
    return [node for node in topological_order(root) if not node.children]


def count_nodes(root: Value) -> int:
    """Number of distinct nodes in the graph ending at ``root`` (leaves included)."""
    return len(topological_order(root))


def count_edges(root: Value) -> int:
    """Number of edges (input uses) in the graph ending at ``root``.

    This is the number of local-derivative multiplications ``local * node.grad``
    one backward pass performs. An input used twice by the same operation
    (``a * a``) counts twice.
    """
    return sum(len(node.children) for node in topological_order(root))

