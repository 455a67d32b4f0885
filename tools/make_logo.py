"""Draw the book's logo and favicon with matplotlib.

The logo is a tiny computation graph, ``x -> z = w x -> a = sigma(z) -> C``,
with the forward pass as grey arrows and the backward pass as one red arrow
curving back from the loss to the input: backpropagation in one picture.

The images are committed (``book/_static/logo.png``, ``book/_static/favicon.png``
and ``book/_extra/favicon.ico``), so ``make book`` never runs this script.  The
``.ico`` copy is served from the site's root, where browsers ask for
``/favicon.ico`` on pages that name no icon (the root ``index.html`` redirect).  Run it
again only to change the design::

    .venv/bin/python tools/make_logo.py

The output is deterministic for a given matplotlib version (no dates or
randomness are written into the PNG metadata).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "book" / "_static"
EXTRA = ROOT / "book" / "_extra"

#: Colours: node fill, forward arrows, the backward arrow, text.
NODE, FORWARD, BACKWARD, INK = "#dbe9f6", "#4d4d4d", "#c0392b", "#1f2d3d"

#: Metadata without the matplotlib version or a date, so reruns give the same bytes.
PNG_METADATA = {"Software": None}


def _draw_graph(ax: plt.Axes, names: list[str], labels: bool, radius: float, lw: float) -> None:
    """Draw nodes left to right, forward arrows, and one backward arrow.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes with data limits x in [0, len(names)], y in [0, 2].
    names : list of str
        Node names, input first, loss last.
    labels : bool
        Write the node names (x, z, a, C) inside the circles.
    radius : float
        Node radius in data units.
    lw : float
        Line width of the arrows, in points.
    """
    xs = [0.5 + i for i in range(len(names))]
    y = 1.3
    for x, name in zip(xs, names):
        ax.add_patch(Circle((x, y), radius, facecolor=NODE, edgecolor=INK, linewidth=lw * 0.8, zorder=3))
        if labels:
            ax.text(x, y, f"${name}$", ha="center", va="center", fontsize=22, color=INK, zorder=4)
    for x0, x1 in zip(xs[:-1], xs[1:]):
        ax.add_patch(
            FancyArrowPatch(
                (x0 + radius, y), (x1 - radius, y),
                arrowstyle="-|>", mutation_scale=12 + 4 * lw, linewidth=lw, color=FORWARD, zorder=2,
            )
        )
    # The backward pass: from L back to x, below the graph.
    ax.add_patch(
        FancyArrowPatch(
            (xs[-1], y - radius), (xs[0], y - radius),
            connectionstyle="arc3,rad=-0.45",
            arrowstyle="-|>", mutation_scale=12 + 4 * lw, linewidth=lw * 1.3, color=BACKWARD, zorder=2,
        )
    )


def make_logo(path: Path) -> None:
    """Write the wide logo shown above the table of contents (PNG, 600 x 300 px)."""
    fig = plt.figure(figsize=(4, 2), dpi=150)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 4)
    ax.set_ylim(0, 2)
    ax.set_aspect("equal")
    ax.axis("off")
    _draw_graph(ax, ["x", "z", "a", "C"], labels=True, radius=0.3, lw=2.0)
    ax.text(2.0, 0.66, r"$\partial C / \partial x$", ha="center", va="center", fontsize=15, color=BACKWARD)
    fig.savefig(path, transparent=True, metadata=PNG_METADATA)
    plt.close(fig)


def make_favicon(path: Path) -> None:
    """Write the favicon (PNG, 64 x 64 px): three unlabelled nodes and the backward arrow."""
    fig = plt.figure(figsize=(1, 1), dpi=64)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0.05, 2.95)
    ax.set_ylim(-0.05, 2.85)
    ax.set_aspect("equal")
    ax.axis("off")
    _draw_graph(ax, ["x", "a", "C"], labels=False, radius=0.4, lw=1.8)
    fig.savefig(path, transparent=True, metadata=PNG_METADATA)
    plt.close(fig)


def make_favicon_ico(png: Path, path: Path) -> None:
    """Write ``png`` (the favicon) as a Windows icon with 16, 32 and 64 px images."""
    from PIL import Image  # Pillow comes with matplotlib

    with Image.open(png) as image:
        image.save(path, format="ICO", sizes=[(16, 16), (32, 32), (64, 64)])


def main(out_dir: Path = STATIC, extra_dir: Path = EXTRA) -> list[Path]:
    """Write ``logo.png`` and ``favicon.png`` into ``out_dir``, ``favicon.ico`` into
    ``extra_dir`` (copied to the site's root), and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    extra_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "logo.png", out_dir / "favicon.png", extra_dir / "favicon.ico"]
    make_logo(paths[0])
    make_favicon(paths[1])
    make_favicon_ico(paths[1], paths[2])
    for path in paths:
        print(f"wrote {path}")
    return paths


if __name__ == "__main__":
    main()
