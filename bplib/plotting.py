"""Drawing computation graphs with matplotlib only (no Graphviz, no networkx).

- :func:`draw_graph` draws any small graph from explicit node positions: boxes
  or circles with text, arrows that stop at the node borders, optional edge
  labels (e.g. weights) and optional colour groups with a legend.
- :func:`draw_value_graph` lays out a :class:`bplib.autodiff.Value` graph in
  layers (longest path from the leaves) and shows each node's name, data and
  grad.

Both return the matplotlib ``Axes`` and are deterministic: the same input
gives the same picture.

- :func:`show_figure` is the ``plt.show()`` of the chapters: it first runs
  :func:`check_legend_placement`, which raises :class:`LegendPlacementError`
  when a legend hides data, a tick label, an axis label or a title, so that
  executing a chapter (and nbval) fails on a misplaced legend.
"""

from __future__ import annotations

from collections import Counter
from typing import Hashable, Mapping, Optional, Sequence, Union

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch
from matplotlib.transforms import Bbox

from bplib.autodiff import Value, topological_order

__all__ = [
    "draw_graph",
    "draw_value_graph",
    "format_number",
    "draw_bp2_fan_in",
    "draw_outer_product",
    "LegendPlacementError",
    "check_legend_placement",
    "show_figure",
]

# Light tints of the Okabe-Ito colour-blind-safe palette, one per group.
GROUP_COLORS: tuple[str, ...] = (
    "#cfe8f7",  # blue
    "#fde2b8",  # orange
    "#c9ecdf",  # bluish green
    "#f6d2e3",  # reddish purple
    "#fbf3b5",  # yellow
    "#d6e1f0",  # dark blue, light
    "#f3d0bd",  # vermillion, light
    "#e6e6e6",  # grey
)
DEFAULT_NODE_COLOR = "#f2f2f2"

Node = Hashable
Edge = tuple[Hashable, Hashable]


def format_number(x: float, digits: int = 4) -> str:
    """Format ``x`` with ``digits`` significant digits; never prints ``-0``.

    Examples
    --------
    >>> format_number(0.755101), format_number(-0.0), format_number(0.00123456)
    ('0.7551', '0', '0.001235')
    """
    if x == 0:
        x = 0.0
    return f"{x:.{digits}g}"


def draw_graph(
    nodes: Sequence[Node],
    edges: Sequence[Edge],
    pos: Mapping[Node, tuple[float, float]],
    ax: Optional[Axes] = None,
    node_labels: Optional[Mapping[Node, str]] = None,
    edge_labels: Optional[Mapping[Edge, str]] = None,
    *,
    node_groups: Optional[Mapping[Node, str]] = None,
    group_colors: Optional[Mapping[str, str]] = None,
    node_shape: str = "box",
    edge_label_pos: Union[float, Mapping[Edge, float]] = 0.5,
    fontsize: float = 10.0,
    edge_fontsize: Optional[float] = None,
    legend: bool = True,
    margin: float = 0.6,
    title: Optional[str] = None,
) -> Axes:
    """Draw a directed graph with nodes at given positions.

    Parameters
    ----------
    nodes : sequence of hashable
        Node ids, e.g. ``["x1", "x2", "h1"]``. Drawing order follows this order.
    edges : sequence of (hashable, hashable)
        Directed edges ``(source, target)``; an arrow points at the target.
        A repeated edge is drawn as a separate arc.
    pos : mapping node -> (x, y)
        Centre of each node in data coordinates. Every node needs a position.
    ax : matplotlib Axes, optional
        Where to draw. If None, a new figure sized to the layout is created.
    node_labels : mapping node -> str, optional
        Text in each node (may contain newlines); default ``str(node)``.
    edge_labels : mapping (source, target) -> str, optional
        Text shown on an edge, e.g. a weight ``"w11 = 0.1"``.
    node_groups : mapping node -> str, optional
        A group name per node (e.g. "input", "hidden"); each group gets a fill
        colour and, if ``legend``, an entry in the legend. Ungrouped nodes are grey.
    group_colors : mapping group -> colour, optional
        Override the default colour of some groups.
    node_shape : {"box", "circle"}, default "box"
        Rounded boxes fit multi-line text; circles suit one short name.
    edge_label_pos : float or mapping edge -> float, default 0.5
        Where the edge label sits along the edge, as a fraction from source
        (0) to target (1). Use e.g. 0.3 for edges that cross in the middle.
    fontsize : float, default 10
        Font size of node labels.
    edge_fontsize : float, optional
        Font size of edge labels (default ``0.85 * fontsize``).
    legend : bool, default True
        Show a legend of the groups (only when ``node_groups`` is given).
    margin : float, default 0.6
        Space around the outermost node centres, in data units.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        The axes; ``ax.texts`` holds one text per node, then one per edge label.

    Raises
    ------
    ValueError
        If a node has no position, an edge or label names an unknown node, or
        ``node_shape`` is unknown.
    """
    nodes = list(nodes)
    edges = [tuple(e) for e in edges]
    node_labels = dict(node_labels or {})
    edge_labels = dict(edge_labels or {})
    node_groups = dict(node_groups or {})
    known = set(nodes)
    missing = [n for n in nodes if n not in pos]
    if missing:
        raise ValueError(f"pos must give (x, y) for every node; missing: {missing!r}")
    bad = [e for e in list(edges) + list(edge_labels) if len(e) != 2 or not set(e) <= known]
    if bad:
        raise ValueError(f"edges must be (source, target) pairs of known nodes; got {bad!r}")
    if node_shape not in ("box", "circle"):
        raise ValueError(f"node_shape must be 'box' or 'circle', got {node_shape!r}")
    edge_fontsize = 0.85 * fontsize if edge_fontsize is None else edge_fontsize

    xs = [float(pos[n][0]) for n in nodes]
    ys = [float(pos[n][1]) for n in nodes]
    if ax is None:
        width = max(xs) - min(xs) if nodes else 1.0
        height = max(ys) - min(ys) if nodes else 1.0
        figsize = (min(2.0 + 1.6 * width, 18.0), min(1.5 + 1.3 * height, 14.0))
        _, ax = plt.subplots(figsize=figsize)

    # Colours: groups in order of first appearance.
    groups = list(dict.fromkeys(node_groups[n] for n in nodes if n in node_groups))
    colors = {g: GROUP_COLORS[i % len(GROUP_COLORS)] for i, g in enumerate(groups)}
    colors.update(group_colors or {})

    boxstyle = "round,pad=0.45" if node_shape == "box" else "circle,pad=0.35"
    texts = {}
    for n in nodes:
        fill = colors[node_groups[n]] if n in node_groups else DEFAULT_NODE_COLOR
        texts[n] = ax.text(
            *pos[n], node_labels.get(n, str(n)), ha="center", va="center",
            fontsize=fontsize, zorder=3, multialignment="center",
            bbox=dict(boxstyle=boxstyle, facecolor=fill, edgecolor="#333333", linewidth=1.0),
        )

    if node_shape == "circle":
        _equalize_circles(ax, list(texts.values()))

    # Arrows are drawn after (above) the node boxes, so matplotlib can clip
    # them exactly at the box borders (patchA/patchB) in a single draw.
    seen: Counter = Counter()
    for u, v in edges:
        k = seen[(u, v)]
        seen[(u, v)] += 1
        rad = 0.0 if k == 0 else 0.25 * ((k + 1) // 2) * (1 if k % 2 else -1)
        ax.add_patch(FancyArrowPatch(
            pos[u], pos[v], arrowstyle="-|>", mutation_scale=12, color="#444444",
            linewidth=1.1, connectionstyle=f"arc3,rad={rad}", zorder=4,
            patchA=texts[u].get_bbox_patch(), patchB=texts[v].get_bbox_patch(),
            shrinkA=1, shrinkB=1,
        ))

    for (u, v), text in edge_labels.items():
        t = edge_label_pos.get((u, v), 0.5) if isinstance(edge_label_pos, Mapping) else edge_label_pos
        (x0, y0), (x1, y1) = pos[u], pos[v]
        ax.text(
            x0 + t * (x1 - x0), y0 + t * (y1 - y0), text, ha="center", va="center",
            fontsize=edge_fontsize, color="#1a1a1a", zorder=5,
            bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.9),
        )

    if nodes:
        ax.set_xlim(min(xs) - margin, max(xs) + margin)
        ax.set_ylim(min(ys) - margin, max(ys) + margin)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    if groups and legend:
        handles = [Patch(facecolor=colors[g], edgecolor="#333333", label=g) for g in groups]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                  ncol=min(len(groups), 5), frameon=False, fontsize=edge_fontsize)
    return ax


def _equalize_circles(ax: Axes, texts: list) -> None:
    """Give all circular nodes the diameter of the largest one.

    matplotlib sizes a ``circle`` box to its text; we measure each text (Agg
    renderer, deterministic) and enlarge the padding of the smaller ones.
    """
    get_renderer = getattr(ax.figure.canvas, "get_renderer", None)
    if get_renderer is None or not texts:  # pragma: no cover - non-Agg canvas
        return
    renderer = get_renderer()
    sizes = [max(t.get_window_extent(renderer).size) for t in texts]
    biggest = max(sizes)
    for t, size in zip(texts, sizes):
        patch = t.get_bbox_patch()
        font_px = renderer.points_to_pixels(t.get_fontsize())
        patch.set_boxstyle("circle", pad=0.35 + (biggest - size) / (2 * font_px))


def _layers(root: Value) -> tuple[list[Value], dict[int, int]]:
    """Topological order and each node's layer.

    An inner node's layer is its longest path from a leaf; a leaf sits one
    layer before its first user, so constants do not stretch across the figure.
    """
    order = topological_order(root)
    layer: dict[int, int] = {}
    for node in order:  # children come first, so their layers are known
        layer[id(node)] = 1 + max((layer[id(c)] for c in node.children), default=-1)
    first_use: dict[int, int] = {}
    for node in order:
        for c in node.children:
            if not c.children:
                first_use[id(c)] = min(first_use.get(id(c), layer[id(node)]), layer[id(node)])
    for key, user_layer in first_use.items():
        layer[key] = user_layer - 1
    return order, layer


def _node_text(node: Value, show_grad: bool) -> str:
    """``"name"`` line (label and/or op), then data and grad with 4 significant digits."""
    if node.label and node.op:
        name = f"{node.label} ({node.op})"
    else:
        name = node.label or node.op
    lines = [name] if name else []
    lines.append(f"data {format_number(node.data)}")
    if show_grad:
        lines.append(f"grad {format_number(node.grad)}")
    return "\n".join(lines)


def draw_value_graph(
    root: Value,
    ax: Optional[Axes] = None,
    rankdir: str = "LR",
    *,
    show_grad: bool = True,
    show_local_grads: bool = False,
    fontsize: float = 9.0,
    title: Optional[str] = None,
) -> Axes:
    """Draw the computation graph that ends at ``root``, one box per :class:`Value`.

    Each box shows the node's label and/or operation, its ``data`` and its
    ``grad`` (4 significant digits), e.g. ``"h1 (tanh)\\ndata 0.7551\\ngrad 0.0012"``.
    Nodes are placed in layers by their longest path from a leaf; within a
    layer they are ordered by the mean position of their inputs (fewer
    crossings), ties broken by topological order. Leaves are blue, inner nodes
    grey, the root orange.

    Parameters
    ----------
    root : Value
        The output node.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the graph if None.
    rankdir : {"LR", "TB"}, default "LR"
        Left to right (inputs on the left) or top to bottom (inputs on top).
    show_grad : bool, default True
        Show the ``grad`` line (turn off before calling ``backward``).
    show_local_grads : bool, default False
        Label each edge with its local derivative ``d parent / d child``.
    fontsize : float, default 9
        Font size of the node text.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        The axes; ``ax.texts`` holds one text per node (then edge labels).

    Raises
    ------
    TypeError
        If ``root`` is not a Value.
    ValueError
        If ``rankdir`` is not "LR" or "TB".
    """
    if not isinstance(root, Value):
        raise TypeError(f"root must be a bplib.autodiff.Value, got {type(root).__name__}")
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"rankdir must be 'LR' or 'TB', got {rankdir!r}")

    order, layer = _layers(root)
    index = {id(n): i for i, n in enumerate(order)}          # node ids for draw_graph
    users: dict[int, list[Value]] = {id(n): [] for n in order}
    for n in order:
        for c in n.children:
            users[id(c)].append(n)
    n_layers = 1 + max(layer.values())
    by_layer: list[list[Value]] = [[] for _ in range(n_layers)]
    for node in order:
        by_layer[layer[id(node)]].append(node)
    # Order each layer by the mean position of its already placed neighbours
    # (two sweeps: first inputs only, then inputs and users); ties by topological order.
    slot: dict[int, float] = {}
    for _ in range(2):
        for members in by_layer:
            def key(n: Value) -> tuple[float, int]:
                near = [slot[id(m)] for m in (*n.children, *users[id(n)]) if id(m) in slot]
                return (sum(near) / len(near) if near else float(index[id(n)]), index[id(n)])
            members.sort(key=key)
            for k, n in enumerate(members):
                slot[id(n)] = k - (len(members) - 1) / 2

    step_layer, step_slot = (2.4, 1.35) if rankdir == "LR" else (1.5, 2.2)
    pos = {}
    for node in order:
        a, b = layer[id(node)] * step_layer, slot[id(node)] * step_slot
        pos[index[id(node)]] = (a, -b) if rankdir == "LR" else (b, -a)

    if ax is None:  # about 1.5 in per layer and 0.8 in per node of a layer, at fontsize 9
        depth = n_layers
        breadth = max(len(members) for members in by_layer)
        scale = fontsize / 9.0
        if rankdir == "LR":
            figsize = (0.6 + 1.55 * scale * depth, 0.6 + 0.95 * scale * breadth)
        else:
            figsize = (0.6 + 1.55 * scale * breadth, 0.6 + 1.05 * scale * depth)
        _, ax = plt.subplots(figsize=figsize)

    nodes = [index[id(n)] for n in order]
    edges = [(index[id(c)], index[id(n)]) for n in order for c in n.children]
    labels = {index[id(n)]: _node_text(n, show_grad) for n in order}
    groups = {index[id(n)]: ("output" if n is root else "input" if not n.children else "inner")
              for n in order}
    edge_labels = None
    if show_local_grads:
        edge_labels = {(index[id(c)], index[id(n)]): format_number(g)
                       for n in order for c, g in n.local_derivatives()}
    return draw_graph(
        nodes, edges, pos, ax=ax, node_labels=labels, edge_labels=edge_labels,
        node_groups=groups, group_colors={"input": GROUP_COLORS[0], "output": GROUP_COLORS[1],
                                          "inner": DEFAULT_NODE_COLOR},
        fontsize=fontsize, legend=False, margin=0.9, title=title,
    )


# ------------------------------------------------ pictures of the four equations
def draw_bp2_fan_in(ax: Axes, n_next: int = 3, fontsize: float = 11) -> Axes:
    """BP2 as a picture: the errors of layer l+1 flow back into one unit k of layer l.

    Unit ``k`` of layer ``l`` (left) fed ``n_next`` units of layer ``l+1``
    (right) through the weights ``w_jk``; backwards, each ``delta_j`` travels
    the same edge against the arrow of the forward pass, is multiplied by that
    weight, and the sum is multiplied by ``sigma'(z_k)``.  Summing over ``j``
    for fixed ``k`` is a *column* of ``W^{l+1}``, a row of its transpose.
    """
    ys = [0.5 + (n_next - 1) / 2 - j for j in range(n_next)]
    ax.add_patch(plt.Circle((0.0, 0.5), 0.28, fc=GROUP_COLORS[1], ec="black"))
    ax.text(0.0, 0.5, r"$\delta^l_k$", ha="center", va="center", fontsize=fontsize + 1)
    for j, y in enumerate(ys, start=1):
        ax.add_patch(plt.Circle((3.0, y), 0.28, fc=GROUP_COLORS[0], ec="black"))
        ax.text(3.0, y, rf"$\delta^{{l+1}}_{j}$", ha="center", va="center", fontsize=fontsize)
        ax.add_patch(FancyArrowPatch((2.7, y), (0.3, 0.5 + 0.12 * (y - 0.5)),
                                     arrowstyle="-|>", mutation_scale=14, color="0.25"))
        mid = (y + 0.5 + 0.12 * (y - 0.5)) / 2  # the arrow's height at x = 1.5
        below = y < 0.5
        ax.text(1.5, mid - 0.1 if below else mid + 0.1, rf"$\times\, w^{{l+1}}_{{{j}k}}$",
                ha="center", va="top" if below else "bottom", fontsize=fontsize - 1)
    ax.text(0.0, -0.05 - 0.5 * (n_next - 1),
            r"$\delta^l_k = \sigma'(z^l_k)\,\sum_j w^{l+1}_{jk}\,\delta^{l+1}_j$"
            "\n"
            r"$= \sigma'(z^l_k)\,((W^{l+1})^{T}\delta^{l+1})_k$",
            ha="left", va="top", fontsize=fontsize)
    ax.text(0.0, 0.95 + 0.5 * (n_next - 1), "layer $l$", ha="center", fontsize=fontsize - 1)
    ax.text(3.0, 0.95 + 0.5 * (n_next - 1), "layer $l+1$", ha="center", fontsize=fontsize - 1)
    ax.set_xlim(-0.5, 4.6)
    ax.set_ylim(-0.9 - 0.5 * (n_next - 1), 1.2 + 0.5 * (n_next - 1))
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def draw_outer_product(ax: Axes, n_out: int = 3, n_in: int = 4, fontsize: float = 10) -> Axes:
    """BP4 as a picture: a column ``delta^l`` times a row ``(a^{l-1})^T`` is a matrix shaped like ``W^l``.

    The column has ``n_out`` entries (one per unit of layer ``l``), the row
    ``n_in`` (one per unit of layer ``l-1``); entry ``(j, k)`` of the product
    is ``delta_j a_k``, the gradient of the weight ``w_jk``.
    """

    def box(x0: float, y0: float, text: str, color: str) -> None:
        ax.add_patch(plt.Rectangle((x0, y0), 1, 1, fc=color, ec="black"))
        ax.text(x0 + 0.5, y0 + 0.5, text, ha="center", va="center", fontsize=fontsize)

    top = n_out  # rows drawn from the top down
    for j in range(n_out):
        box(0, top - 1 - j, rf"$\delta_{j + 1}$", GROUP_COLORS[1])
    ax.text(1.6, top / 2, r"$\times$", ha="center", va="center", fontsize=fontsize + 4)
    for k in range(n_in):
        box(2.2 + k, top / 2 - 0.5, rf"$a_{k + 1}$", GROUP_COLORS[0])
    ax.text(2.8 + n_in, top / 2, "=", ha="center", va="center", fontsize=fontsize + 4)
    x0 = 3.4 + n_in
    for j in range(n_out):
        for k in range(n_in):
            box(x0 + k, top - 1 - j, rf"$\delta_{j + 1} a_{k + 1}$", GROUP_COLORS[2])
    ax.text(0.5, -0.35, rf"$\delta^l$: ${n_out}\times 1$", ha="center", va="top", fontsize=fontsize)
    ax.text(2.2 + n_in / 2, top / 2 - 0.85, rf"$(a^{{l-1}})^{{T}}$: $1\times {n_in}$",
            ha="center", va="top", fontsize=fontsize)
    ax.text(x0 + n_in / 2, -0.35,
            rf"$\partial C/\partial W^l$: ${n_out}\times {n_in}$, shaped like $W^l$",
            ha="center", va="top", fontsize=fontsize)
    ax.set_xlim(-0.2, x0 + n_in + 0.2)
    ax.set_ylim(-1.1, top + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


# ------------------------------------------------------------ legends that hide nothing
class LegendPlacementError(ValueError):
    """A legend covers data, a tick label, an axis label or a title of its figure."""


def _visible_texts(ax: Axes) -> list[tuple[str, object]]:
    """(description, Text) of what a reader must be able to read around ``ax``."""
    found: list[tuple[str, object]] = []
    for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
        if not (ax.axison and axis.get_visible()):
            continue
        low, high = sorted(axis.get_view_interval())
        for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
            if not low <= tick.get_loc() <= high:  # not drawn: outside the view
                continue
            for label in (tick.label1, tick.label2):
                if label.get_visible() and label.get_text():
                    found.append((f"{name} tick label {label.get_text()!r}", label))
        if axis.label.get_visible() and axis.label.get_text():
            found.append((f"{name} axis label {axis.label.get_text()!r}", axis.label))
    titles = (ax.title, getattr(ax, "_left_title", None), getattr(ax, "_right_title", None))
    for title in (t for t in titles if t is not None):
        if title.get_visible() and title.get_text():
            found.append((f"title {title.get_text()!r}", title))
    for text in ax.texts:
        if text.get_visible() and text.get_text().strip():
            found.append((f"text {text.get_text()!r}", text))
    return found


def _data_hit(artist, box: Bbox) -> bool:
    """Whether the drawn data of a line or collection enters ``box`` (display pixels)."""
    if isinstance(artist, Line2D):
        xy = artist.get_transform().transform(artist.get_xydata())
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        if len(xy) == 0:
            return False
        inside = ((xy[:, 0] > box.x0) & (xy[:, 0] < box.x1)
                  & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1))
        if inside.any():
            return True
        if artist.get_linestyle() in ("None", "none", "", " "):
            return False  # markers only: the points are the data
        path = artist.get_transform().transform_path(artist.get_path())
        return bool(path.intersects_bbox(box, filled=False))
    offsets = artist.get_offsets()
    if len(offsets) == 0:
        return False
    xy = artist.get_offset_transform().transform(offsets)
    return bool(np.any((xy[:, 0] > box.x0) & (xy[:, 0] < box.x1)
                       & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1)))


def check_legend_placement(fig: Figure) -> None:
    """Raise :class:`LegendPlacementError` if a legend of ``fig`` hides anything.

    Every legend of the figure (of its axes, or ``fig.legend``) is compared,
    as drawn, with every axes of the figure: its box must not overlap a tick
    label, an axis label, a title or a text, and no plotted line or marker
    (``ax.lines``, or the points of a scatter) may pass under it.  Filled areas
    (``axvspan``, images, contours) and grid lines may.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, after everything has been drawn on it.

    Raises
    ------
    TypeError
        If ``fig`` is not a matplotlib Figure.
    LegendPlacementError
        A ``ValueError`` naming the legend and the first things it covers.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1], label="y = x")
    >>> _ = ax.legend(loc="upper left")
    >>> check_legend_placement(fig)  # the diagonal stays clear of the corner
    >>> plt.close(fig)
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    fig.canvas.draw()  # positions of ticks, labels and legends as they are shown
    renderer = fig.canvas.get_renderer()
    legends = [(ax, ax.get_legend()) for ax in fig.axes if ax.get_legend() is not None]
    legends += [(None, legend) for legend in fig.legends]
    problems: list[str] = []
    for owner, legend in legends:
        if not legend.get_visible():
            continue
        box = legend.get_window_extent(renderer)
        covered: list[str] = []
        for ax in fig.axes:
            for what, text in _visible_texts(ax):
                if text.get_window_extent(renderer).overlaps(box):
                    covered.append(what)
            scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
            data = [*ax.lines, *scatters]
            for artist in data:
                if artist.get_visible() and _data_hit(artist, box):
                    label = artist.get_label()
                    covered.append("data" + ("" if label.startswith("_") else f" {label!r}"))
        if covered:
            where = "figure legend" if owner is None else (
                f"legend of the axes {owner.get_title()!r}" if owner.get_title() else "legend")
            shown = ", ".join(dict.fromkeys(covered))
            problems.append(f"the {where} covers {shown}")
    if problems:
        raise LegendPlacementError(
            "; ".join(problems) + ". Move the legend (loc=..., or bbox_to_anchor outside the "
            "axes) or make room for it (set_ylim)."
        )


def show_figure(fig: Figure) -> None:
    """Check that no legend of ``fig`` hides anything, then ``plt.show()``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The finished figure.

    Raises
    ------
    TypeError
        If ``fig`` is not a matplotlib Figure.
    LegendPlacementError
        If :func:`check_legend_placement` finds a legend over data or labels
        (the figure is closed, so it is not shown half-right).
    """
    try:
        check_legend_placement(fig)
    except LegendPlacementError:
        plt.close(fig)
        raise
    plt.show()
