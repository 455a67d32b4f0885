"""Tests for bplib.plotting: the right texts and arrows, determinism, clear errors."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402

from bplib.autodiff import Value, count_edges, count_nodes  # noqa: E402
from bplib.plotting import (  # noqa: E402
    LegendPlacementError,
    check_legend_placement,
    draw_graph,
    draw_value_graph,
    format_number,
    show_figure,
)

NODES_003 = ["x1", "x2", "h1", "h2", "z1", "z2", "z_y", "y_hat", "L"]
POS_003 = {"x1": (0, 1), "x2": (0, -1), "h1": (2, 1), "h2": (2, -1), "z1": (3.5, 1),
           "z2": (3.5, -1), "z_y": (5.5, 0), "y_hat": (7, 0), "L": (8.5, 0)}
EDGES_003 = [("x1", "h1"), ("x1", "h2"), ("x2", "h1"), ("x2", "h2"), ("h1", "z1"),
             ("h2", "z2"), ("z1", "z_y"), ("z2", "z_y"), ("z_y", "y_hat"), ("y_hat", "L")]
WEIGHTS_003 = {("x1", "h1"): "w11 = 0.1", ("x1", "h2"): "w21 = 0.4", ("x2", "h1"): "w12 = 0.8",
               ("x2", "h2"): "w22 = 0.6", ("z1", "z_y"): "wh1 = 0.3", ("z2", "z_y"): "wh2 = 0.9"}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def neuron() -> Value:
    x1, x2 = Value(0.35, label="x1"), Value(0.9, label="x2")
    w1, w2 = Value(0.1, label="w1"), Value(0.4, label="w2")
    h = x1 * w1 + x2 * w2
    h.label = "h"
    out = h.sigmoid()
    out.label = "y_hat"
    return out


def pixels(ax) -> np.ndarray:
    ax.figure.canvas.draw()
    return np.asarray(ax.figure.canvas.buffer_rgba()).copy()


def arrows(ax) -> list:
    return [p for p in ax.patches if isinstance(p, FancyArrowPatch)]


def test_draw_graph_003_has_one_text_per_node_and_edge_label():
    ax = draw_graph(NODES_003, EDGES_003, POS_003, edge_labels=WEIGHTS_003,
                    node_groups={"x1": "input", "x2": "input", "L": "loss"},
                    node_shape="circle", edge_label_pos={("x1", "h2"): 0.3, ("x2", "h1"): 0.3})
    assert isinstance(ax, matplotlib.axes.Axes)
    assert len(ax.texts) == len(NODES_003) + len(WEIGHTS_003)
    assert [t.get_text() for t in ax.texts[: len(NODES_003)]] == NODES_003
    assert len(arrows(ax)) == len(EDGES_003)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["input", "loss"]
    # the label of a crossing edge sits 30 % of the way from its source
    label = next(t for t in ax.texts if t.get_text() == "w21 = 0.4")
    assert label.get_position() == pytest.approx((0.6, 0.4))


def test_draw_graph_circles_have_equal_size():
    ax = draw_graph(NODES_003, EDGES_003, POS_003, node_shape="circle")
    ax.figure.canvas.draw()
    widths = [t.get_bbox_patch().get_window_extent().width for t in ax.texts]
    assert max(widths) == pytest.approx(min(widths), rel=0.02, abs=0)


def test_draw_graph_is_deterministic_and_uses_given_axes():
    _, ax1 = plt.subplots(figsize=(6, 3))
    _, ax2 = plt.subplots(figsize=(6, 3))
    assert draw_graph(NODES_003, EDGES_003, POS_003, ax=ax1, edge_labels=WEIGHTS_003) is ax1
    draw_graph(NODES_003, EDGES_003, POS_003, ax=ax2, edge_labels=WEIGHTS_003)
    assert np.array_equal(pixels(ax1), pixels(ax2))


def test_draw_graph_rejects_bad_input():
    with pytest.raises(ValueError, match="missing: \\['L'\\]"):
        draw_graph(NODES_003, EDGES_003, {k: v for k, v in POS_003.items() if k != "L"})
    with pytest.raises(ValueError, match="known nodes"):
        draw_graph(NODES_003, [("x1", "nowhere")], POS_003)
    with pytest.raises(ValueError, match="node_shape"):
        draw_graph(NODES_003, EDGES_003, POS_003, node_shape="hexagon")


def test_draw_value_graph_shows_every_node_with_data_and_grad():
    out = neuron()
    out.backward()
    ax = draw_value_graph(out)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert len(ax.texts) == count_nodes(out)
    assert len(arrows(ax)) == count_edges(out)
    texts = [t.get_text() for t in ax.texts]
    assert f"y_hat (sigmoid)\ndata {out.data:.4g}\ngrad 1" in texts
    h = out._prev[0]
    assert f"h (+)\ndata 0.395\ngrad {h.grad:.4g}" in texts


def test_draw_value_graph_layers_and_options():
    out = neuron()
    ax = draw_value_graph(out, rankdir="TB", show_grad=False, show_local_grads=True)
    assert len(ax.texts) == count_nodes(out) + count_edges(out)
    assert not any("grad" in t.get_text() for t in ax.texts)
    # top to bottom: the output is the lowest node, an input among the highest
    y = {t.get_text().split("\n")[0]: t.get_position()[1] for t in ax.texts[: count_nodes(out)]}
    assert y["y_hat (sigmoid)"] == min(y.values())
    assert y["x1"] > y["h (+)"]
    with pytest.raises(ValueError, match="rankdir"):
        draw_value_graph(out, rankdir="RL")
    with pytest.raises(TypeError, match="Value"):
        draw_value_graph(0.5)


def test_draw_value_graph_is_deterministic():
    images = []
    for _ in range(2):
        out = neuron()
        out.backward()
        images.append(pixels(draw_value_graph(out)))
    assert np.array_equal(*images)


def test_format_number():
    assert format_number(0.755101) == "0.7551"
    assert format_number(-0.0) == "0"
    assert format_number(1.0) == "1"
    assert format_number(0.00123456) == "0.001235"


def _layered_graph() -> Value:
    """Article 003's 2-2-1 network on Values: ten layers deep, six leaves wide."""
    x = [Value(0.35, label="x1"), Value(0.9, label="x2")]
    W0 = [[Value(w, label=f"w{i}{j}") for j, w in enumerate(row, 1)]
          for i, row in enumerate([[0.1, 0.8], [0.4, 0.6]], 1)]
    h = [row[0] * x[0] + row[1] * x[1] for row in W0]
    z = [hi.sigmoid() for hi in h]
    zy = Value(0.3, label="wh1") * z[0] + Value(0.9, label="wh2") * z[1]
    loss = 0.5 * (0.5 - zy.sigmoid()) ** 2
    loss.backward()
    return loss


def test_a_deep_graph_drawn_top_to_bottom_has_labels_readable_in_the_column(tmp_path):
    # The book's column is 688 CSS px; a figure wider than that (at 100 dpi) is shrunk.
    # Labels must stay at least 9 CSS px: font_pt * 100/72 * min(1, 688 / width_px) >= 9.
    ax = draw_value_graph(_layered_graph(), rankdir="TB", fontsize=9)
    path = tmp_path / "graph.png"
    ax.figure.savefig(path, dpi=100, bbox_inches="tight")
    width_px = plt.imread(path).shape[1]
    assert 9 * 100 / 72 * min(1.0, 688 / width_px) >= 9
    # and the layers are far enough apart that no two node boxes overlap
    ax.figure.canvas.draw()
    boxes = [t.get_bbox_patch().get_window_extent() for t in ax.texts]
    overlaps = [(i, j) for i in range(len(boxes)) for j in range(i)
                if boxes[i].overlaps(boxes[j])]
    assert not overlaps


# ------------------------------------------------------- legends that hide nothing
def curve_figure():
    """A cosine over [0, 10] with y from -1 to 1: the top left corner holds data."""
    fig, ax = plt.subplots(figsize=(5, 3))
    x = np.linspace(0, 10, 200)
    ax.plot(x, np.cos(x), label="cos x")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("a curve")
    return fig, ax


def test_legend_clear_of_everything_passes():
    fig, ax = curve_figure()
    ax.set_ylim(-1.1, 2.0)  # room above the curve
    ax.legend(loc="upper right")
    check_legend_placement(fig)


def test_legend_over_tick_labels_raises():
    # Fig 4.3's defect: a legend anchored at the top centre, wider than the axes,
    # spreads over the y tick labels on the left.
    fig, ax = curve_figure()
    ax.set_ylim(-1.1, 2.0)
    ax.legend(["a very long legend entry that is wider than the axes themselves"] * 2,
              loc="upper center", ncol=2, fontsize=9)
    with pytest.raises(LegendPlacementError, match=r"y tick label '2\.0'"):
        check_legend_placement(fig)


def test_legend_over_data_raises_and_names_the_line():
    fig, ax = curve_figure()
    ax.legend(loc="upper left")  # cos starts at 1, top left
    with pytest.raises(LegendPlacementError, match=r"data 'cos x'"):
        check_legend_placement(fig)


@pytest.mark.parametrize("draw, loc, message", [
    (lambda ax: ax.plot([0.05, 0.95], [0.95, 0.05], "o", label="markers only"), "upper left", "markers only"),
    (lambda ax: ax.scatter([0.97], [0.97], label="points"), "upper right", "data 'points'"),
    # two points far apart: the segment between them crosses the legend
    (lambda ax: ax.plot([0, 1], [0.95, 0.95], label="segment"), "upper center", "segment"),
], ids=["markers", "scatter", "segment"])
def test_legend_over_the_data_raises(draw, loc, message):
    fig, ax = plt.subplots()
    draw(ax)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc=loc)
    with pytest.raises(LegendPlacementError, match=message):
        check_legend_placement(fig)


def test_legend_over_the_neighbours_labels_raises():
    fig, (left, right) = plt.subplots(1, 2, figsize=(6, 3))
    left.plot([0, 1], [0, 0.1], label="a long label that reaches the next axes")
    right.plot([0, 1], [0, 1])
    right.set_ylabel("right's y label")
    left.legend(loc="upper left", bbox_to_anchor=(0.2, 1.0))
    fig.tight_layout()
    with pytest.raises(LegendPlacementError, match="right's y label|tick label"):
        check_legend_placement(fig)


def test_legend_below_the_axes_and_figure_legend_pass_when_clear():
    fig, ax = curve_figure()
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25))
    fig.tight_layout()
    check_legend_placement(fig)
    fig, ax = curve_figure()
    fig.legend(loc="outside right upper")
    check_legend_placement(fig)


def test_figure_legend_over_data_raises():
    fig, ax = curve_figure()
    fig.legend(loc="center")  # the middle of the axes, where cos crosses zero
    with pytest.raises(LegendPlacementError, match="figure legend covers data"):
        check_legend_placement(fig)


def test_graph_legend_of_draw_graph_passes():
    ax = draw_graph(NODES_003, EDGES_003, POS_003, node_groups={"x1": "input", "L": "loss"})
    check_legend_placement(ax.figure)


def test_check_legend_placement_rejects_an_axes():
    fig, ax = curve_figure()
    with pytest.raises(TypeError, match="Figure, got Axes"):
        check_legend_placement(ax)


def test_show_figure_closes_and_raises_on_a_bad_legend():
    fig, ax = curve_figure()
    ax.legend(loc="upper left")
    with pytest.raises(LegendPlacementError):
        show_figure(fig)
    assert not plt.fignum_exists(fig.number)
    fig, ax = curve_figure()
    ax.set_ylim(-1.1, 2.0)
    ax.legend(loc="upper right")
    show_figure(fig)  # Agg: nothing to show, and no error
