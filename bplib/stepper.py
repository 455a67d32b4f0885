"""Figures a reader steps through: a backward pass shown one step at a time, with no kernel.

A :class:`Stepper` is a computation graph (a :class:`Diagram` of :class:`Node` and
:class:`Edge`) and a sequence of :class:`Frame` s, each the whole state of the figure at
one step: the values written above the nodes (the forward pass), the gradients written
below them (the backward pass), the numbers on the edges (local derivatives, weights),
the parts highlighted, and a caption saying what the step computed.

Python draws every frame as SVG: bplib computes every number when the chapter runs, and
:func:`shown` prints it with the book's portable rounding (:func:`bplib.display.fixed` or
:func:`bplib.display.sig`), so the HTML stored in a chapter is the same on every CPU.
The browser only *chooses* which frame to show: the script in the HTML is a few lines
that hide every frame but one, wired to buttons, the arrow keys and a swipe. Nothing in
the browser computes a number, so nothing there can differ from bplib.

The same HTML serves three readers:

* the book's site (the chapter's stored output, shown as it is);
* JupyterLab (a cell whose last line is a :class:`Stepper` shows it; the script runs
  in a notebook the reader ran or trusts);
* paper: printed, the interactive figure is replaced by at most six frames chosen by
  its author (``print_frames``), two to a row, each with its step number and caption.

Every word the steppers show comes from one table, :mod:`bplib.stepper_words`, so a
translation adds a language there and reuses everything else.

Examples
--------
>>> from bplib.stepper import Diagram, Edge, Node, Stepper, Steps, shown
>>> d = Diagram([Node("x", "x", 40, 40), Node("y", "y", 200, 40)], [Edge("x", "y")],
...             width=240, height=90)
>>> steps = Steps(d)
>>> steps.value("x", shown("x", 2.0, decimals=1))
>>> steps.frame(["x is ", shown("x", 2.0, decimals=1)])
>>> steps.grad("x", shown("dy/dx", 3.0, decimals=1))
>>> steps.frame(["dy/dx is ", shown("dy/dx", 3.0, decimals=1)], active=["x"], phase="backward")
>>> s = Stepper("demo", "A demo", d, steps.frames)
>>> s
Stepper('demo', 2 frames)
>>> [q.text for q in s.numbers()]
['2.0', '2.0', '3.0', '2.0', '3.0']
"""

from __future__ import annotations

import html
import math
import re
import string
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional, Sequence, Union

import numpy as np

from .display import UnstableRounding, fixed, sig
from .language import resolve as resolve_language
from .stepper_words import words

__all__ = [
    "Shown",
    "shown",
    "steady",
    "subscript",
    "superscript",
    "given_decimals",
    "Segment",
    "Node",
    "Edge",
    "Diagram",
    "Frame",
    "Steps",
    "Stepper",
    "caption",
    "MAX_PRINT_FRAMES",
    "MAX_PAYLOAD_BYTES",
]

#: Printed, a stepper shows at most this many frames.
MAX_PRINT_FRAMES = 6

#: The most HTML, script and data one stepper may weigh (the course allows 300 kB a page).
MAX_PAYLOAD_BYTES = 150_000

_KEY = re.compile(r"^[A-Za-z0-9_.:/'\-\[\]()>,]+$")
_PHASES = ("forward", "backward")


# ---------------------------------------------------------------------- numbers shown
@dataclass(frozen=True)
class Shown:
    """One number a stepper shows: which quantity it is, its value and its printed text.

    ``key`` names the quantity (``"a1_1"``, ``"delta2"``, ``"dC/dW11"``) so that a test
    can compare the text on the page with the value bplib computes.
    """

    key: str
    value: float
    text: str


def shown(key: str, value: float, *, decimals: Optional[int] = None,
          digits: Optional[int] = None, sign: bool = False) -> Shown:
    """A number to show, printed with the book's portable rounding.

    Parameters
    ----------
    key : str
        The quantity's name (letters, digits and ``_ . : / ' - [ ] ( ) > ,``).
    value : float
        Its value, as bplib computed it.
    decimals : int, optional
        Print with this many decimal places (:func:`bplib.display.fixed`).
    digits : int, optional
        Print in scientific notation with this many significant digits
        (:func:`bplib.display.sig`). Give exactly one of ``decimals`` and ``digits``.
    sign : bool, optional
        With ``decimals``: always print the sign.

    Returns
    -------
    Shown

    Raises
    ------
    bplib.display.UnstableRounding
        If the value is too close to a rounding boundary to print the same on every CPU.
    """
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError(f"key must be a non-empty name of letters, digits and _.:/'-[]()>, "
                         f"but got {key!r}")
    if (decimals is None) == (digits is None):
        raise TypeError("give exactly one of decimals= (fixed) and digits= (sig), "
                        f"but got decimals={decimals!r}, digits={digits!r}")
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        raise TypeError(f"value must be a real number, but got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"value of {key!r} must be finite, but got {value!r}")
    if decimals is not None:
        text = fixed(value, decimals, sign=sign)
    else:
        text = sig(value, digits)
    return Shown(key, value, text.replace("-", "\u2212"))


def steady(key: str, value: float, decimals: int) -> Shown:
    """:func:`shown` with ``decimals``, or one more or one fewer if that digit is unstable.

    For numbers a walkthrough computes from its caller's input: the book's own examples
    print with the digits asked for, and another input does not fail for lying near a
    rounding boundary (:class:`bplib.display.UnstableRounding` if all three do).
    """
    for d in (decimals, decimals + 1, decimals - 1):
        try:
            return shown(key, value, decimals=d)
        except UnstableRounding:
            continue
    return shown(key, value, decimals=decimals)  # raises, naming the value


def given_decimals(value: float, most: int = 4) -> int:
    """The fewest decimals (at least 1, at most ``most``) that print a given number exactly.

    For a number the caller gave (a weight 0.9, an input 0.5): printed as given.
    """
    for d in range(1, most):
        if round(float(value), d) == float(value):
            return d
    return most


_SUBSCRIPT = str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089")
_SUPERSCRIPT = str.maketrans("0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def subscript(index: Union[int, str]) -> str:
    """``index`` in Unicode subscript digits (``subscript(12) == "\u2081\u2082"``), for names such as z\u2081.

    Index digits are names, not numbers shown: the page never checks them against bplib.
    """
    return str(index).translate(_SUBSCRIPT)


def superscript(index: Union[int, str]) -> str:
    """``index`` in Unicode superscript digits (``superscript(3) == "\u00b3"``), for a layer such as \u03b4\u00b3."""
    return str(index).translate(_SUPERSCRIPT)


#: A piece of a caption or label: plain text, or a number shown.
Segment = Union[str, Shown]


def _segments(parts: Union[Segment, Iterable[Segment]], where: str) -> tuple[Segment, ...]:
    if isinstance(parts, (str, Shown)):
        parts = (parts,)
    out = tuple(parts)
    for part in out:
        if not isinstance(part, (str, Shown)):
            raise TypeError(f"{where}: each part must be a str or a Shown number, "
                            f"but got {type(part).__name__}")
    return out


def caption(lang: str, group: str, key: str, **fields: object) -> tuple[Segment, ...]:
    """The template ``WORDS[lang][group][key]`` with its ``{fields}`` filled in, as segments.

    A field is text (an index such as ``"₁"``) or a :class:`Shown` number, which
    the page marks as a number.

    Raises
    ------
    ValueError
        If the template has no such key, or names a field not given (or is given one it
        does not name).
    """
    table = words(lang, group)
    if key not in table:
        raise ValueError(f"no caption {key!r} in {group!r} ({lang!r}); the keys are {sorted(table)}")
    template = table[key]
    parts: list = []
    named = set()
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if literal:
            parts.append(literal)
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            raise ValueError(f"caption {group}.{key}: fields are plain names, but got {{{name}}}")
        if name not in fields:
            raise ValueError(f"caption {group}.{key} needs the field {name!r}; given {sorted(fields)}")
        named.add(name)
        value = fields[name]
        if not isinstance(value, (str, Shown)):
            raise TypeError(f"caption {group}.{key}: field {name!r} must be text or a shown "
                            f"number (bplib.stepper.shown), but got {type(value).__name__}")
        parts.append(value)
    extra = set(fields) - named
    if extra:
        raise ValueError(f"caption {group}.{key} does not use the fields {sorted(extra)}")
    return tuple(parts)


# ---------------------------------------------------------------------- the graph
@dataclass(frozen=True)
class Node:
    """A node of the diagram: a circle with ``label`` inside, centred at ``(x, y)``.

    Coordinates are in the SVG's units (the figure is ``Diagram.width`` units wide and
    scales to the page), ``r`` is the circle's radius.
    """

    key: str
    label: str
    x: float
    y: float
    r: float = 19.0

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not _KEY.match(self.key):
            raise ValueError(f"a node's key must be a non-empty name of letters, digits and "
                             f"_.:/'-[]()>, but got {self.key!r}")
        if not isinstance(self.label, str):
            raise TypeError(f"node {self.key!r}: label must be a str, but got {type(self.label).__name__}")
        for name in ("x", "y", "r"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ValueError(f"node {self.key!r}: {name} must be a finite number, but got {v!r}")
        if self.r <= 0:
            raise ValueError(f"node {self.key!r}: r must be positive, but got {self.r!r}")


@dataclass(frozen=True)
class Edge:
    """An arrow from node ``source`` to node ``target``.

    ``bend`` curves it (a fraction of its length, to the left of the arrow when
    positive): two edges between the same nodes need different bends. Its text sits at
    ``label_at`` of the way along it, ``label_offset`` units to its left (negative:
    to its right). ``key`` defaults to ``"source>target"``.
    """

    source: str
    target: str
    bend: float = 0.0
    label_at: float = 0.5
    label_offset: float = 9.0
    key: str = ""

    def __post_init__(self) -> None:
        for end in (self.source, self.target):
            if not isinstance(end, str) or not end:
                raise ValueError(f"an edge's source and target are node keys, but got {end!r}")
        if self.source == self.target:
            raise ValueError(f"an edge joins two different nodes, but got {self.source!r} to itself")
        for name in ("bend", "label_at", "label_offset"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ValueError(f"edge {self.source}>{self.target}: {name} must be a finite "
                                 f"number, but got {v!r}")
        if not 0 <= self.label_at <= 1:
            raise ValueError(f"edge {self.source}>{self.target}: label_at is a fraction of the "
                             f"edge, in [0, 1], but got {self.label_at!r}")
        if not isinstance(self.key, str):
            raise TypeError(f"an edge's key must be a str, but got {type(self.key).__name__}")
        if not self.key:
            object.__setattr__(self, "key", f"{self.source}>{self.target}")


@dataclass(frozen=True)
class Diagram:
    """The nodes and edges a stepper draws, on a ``width`` x ``height`` canvas."""

    nodes: Sequence[Node]
    edges: Sequence[Edge]
    width: float
    height: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", tuple(self.nodes))
        object.__setattr__(self, "edges", tuple(self.edges))
        if not self.nodes:
            raise ValueError("a diagram needs at least one node")
        if not (self.width > 0 and self.height > 0):
            raise ValueError(f"width and height must be positive, but got {self.width}, {self.height}")
        keys = [n.key for n in self.nodes]
        if len(set(keys)) != len(keys):
            raise ValueError(f"node keys must be unique, but got {keys}")
        edge_keys = [e.key for e in self.edges]
        if len(set(edge_keys)) != len(edge_keys):
            raise ValueError(f"edge keys must be unique (give a key= to a second edge "
                             f"between the same nodes), but got {edge_keys}")
        for e in self.edges:
            for end in (e.source, e.target):
                if end not in keys:
                    raise ValueError(f"edge {e.key!r} names node {end!r}, which is not in the diagram")

    def node(self, key: str) -> Node:
        """The node ``key`` (a ValueError names the diagram's nodes if there is none)."""
        for n in self.nodes:
            if n.key == key:
                return n
        raise ValueError(f"no node {key!r} in the diagram; its nodes are {[n.key for n in self.nodes]}")

    def edge(self, key: str) -> Edge:
        """The edge ``key`` (a ValueError names the diagram's edges if there is none)."""
        for e in self.edges:
            if e.key == key:
                return e
        raise ValueError(f"no edge {key!r} in the diagram; its edges are {[e.key for e in self.edges]}")


# ---------------------------------------------------------------------- frames
@dataclass(frozen=True)
class Frame:
    """The whole figure at one step.

    Attributes
    ----------
    caption : tuple of Segment
        What this step computed, in words and numbers.
    above, below : mapping of node key to tuple of Segment
        Text written above a node (its value, the forward pass) and below it (its
        gradient, the backward pass).
    on_edges : mapping of edge key to tuple of Segment
        Text written along an edge (a weight, a local derivative, a path's factor).
    edge_phase : mapping of edge key to {"forward", "backward"}
        The colour of each edge's text: a forward quantity's or a gradient's.
    active : tuple of str
        The nodes and edges this step works on, drawn highlighted.
    phase : {"forward", "backward"}
        The highlight's colour: the forward pass's or the backward pass's.
    """

    caption: tuple[Segment, ...]
    above: Mapping[str, tuple[Segment, ...]] = field(default_factory=dict)
    below: Mapping[str, tuple[Segment, ...]] = field(default_factory=dict)
    on_edges: Mapping[str, tuple[Segment, ...]] = field(default_factory=dict)
    edge_phase: Mapping[str, str] = field(default_factory=dict)
    active: tuple[str, ...] = ()
    phase: str = "forward"


class Steps:
    """Builds the frames of a stepper one step at a time.

    The text written on the figure persists from frame to frame until replaced or
    cleared, as on a blackboard; :meth:`frame` takes a snapshot of it with a caption.

    Parameters
    ----------
    diagram : Diagram
        The graph the frames are drawn on.
    """

    def __init__(self, diagram: Diagram) -> None:
        if not isinstance(diagram, Diagram):
            raise TypeError(f"diagram must be a Diagram, but got {type(diagram).__name__}")
        self.diagram = diagram
        self.frames: list[Frame] = []
        self._above: dict[str, tuple[Segment, ...]] = {}
        self._below: dict[str, tuple[Segment, ...]] = {}
        self._edges: dict[str, tuple[Segment, ...]] = {}
        self._edge_phase: dict[str, str] = {}

    def value(self, node: str, *parts: Segment) -> None:
        """Write ``parts`` above ``node`` (no parts: erase it)."""
        self.diagram.node(node)
        self._set(self._above, node, parts, f"value of {node!r}")

    def grad(self, node: str, *parts: Segment) -> None:
        """Write ``parts`` below ``node`` (no parts: erase it)."""
        self.diagram.node(node)
        self._set(self._below, node, parts, f"gradient of {node!r}")

    def on_edge(self, edge: str, *parts: Segment, phase: str = "forward") -> None:
        """Write ``parts`` along ``edge`` (no parts: erase it), in ``phase``'s colour."""
        self.diagram.edge(edge)
        if phase not in _PHASES:
            raise ValueError(f"phase must be one of {_PHASES}, but got {phase!r}")
        self._set(self._edges, edge, parts, f"text on edge {edge!r}")
        self._edge_phase[edge] = phase

    @staticmethod
    def _set(store: dict, key: str, parts: tuple, where: str) -> None:
        if parts:
            store[key] = _segments(parts, where)
        else:
            store.pop(key, None)

    def frame(self, caption: Union[Segment, Iterable[Segment]], *, active: Iterable[str] = (),
              phase: str = "forward") -> None:
        """Snapshot the figure as it is now, with ``caption``, as the next frame."""
        if phase not in _PHASES:
            raise ValueError(f"phase must be one of {_PHASES}, but got {phase!r}")
        active = tuple(active)
        known = {n.key for n in self.diagram.nodes} | {e.key for e in self.diagram.edges}
        for key in active:
            if key not in known:
                raise ValueError(f"active names {key!r}, which is neither a node nor an edge "
                                 "of the diagram")
        self.frames.append(Frame(_segments(caption, "caption"), dict(self._above),
                                 dict(self._below), dict(self._edges),
                                 {k: self._edge_phase[k] for k in self._edges}, active, phase))


# ---------------------------------------------------------------------- drawing
_CSS = """
.bp-stepper{--bp-fwd:#a34100;--bp-bwd:#00589a;--bp-line:#6b6b6b;
 --bp-bg:var(--pst-color-background,var(--jp-layout-color0,#fff));
 margin:1.2em 0;padding:.6em .6em .4em;border:1px solid var(--bp-line);border-radius:6px;
 color:inherit;max-width:100%;box-sizing:border-box}
html[data-theme=dark] .bp-stepper,body[data-jp-theme-light=false] .bp-stepper{
 --bp-fwd:#ffac6b;--bp-bwd:#86c8ff;--bp-line:#9a9a9a}
html[data-theme=dark] .bd-content div.cell_output div.output.text_html:has(>.bp-stepper){
 background:transparent;color:inherit;padding:0}
@media (max-width:480px){.bp-stepper{padding:.5em .25em .3em}}
.bp-stepper:focus-visible{outline:3px solid var(--bp-bwd);outline-offset:-3px}
.bp-title{font-weight:600;margin:0 0 .2em}
.bp-legend{font-size:.9em;margin:0 0 .3em}
.bp-svg{display:block;width:100%;height:auto;margin:0 auto}
.bp-svg text{fill:currentColor;font-family:inherit}
.bp-svg .bp-nl{font-size:16px;font-style:italic;text-anchor:middle;dominant-baseline:central}
.bp-svg .bp-v,.bp-svg .bp-g,.bp-svg .bp-et{font-size:15px;text-anchor:middle;
 paint-order:stroke;stroke:var(--bp-bg);stroke-width:4px;stroke-linejoin:round}
.bp-svg .bp-v{fill:var(--bp-fwd)}
.bp-svg .bp-g{fill:var(--bp-bwd);font-weight:600}
.bp-svg .bp-et{font-size:15px}
.bp-svg .bp-eg{fill:var(--bp-bwd);font-weight:600}
.bp-svg .bp-n{fill:none;stroke:currentColor;stroke-width:1.4}
.bp-svg .bp-e{fill:none;stroke:var(--bp-line);stroke-width:1.3}
.bp-svg .bp-h{fill:var(--bp-line);stroke:none}
.bp-svg .bp-on-forward{stroke:var(--bp-fwd);stroke-width:3.2;fill:none}
.bp-svg .bp-on-backward{stroke:var(--bp-bwd);stroke-width:3.2;fill:none}
.bp-svg .bp-hon-forward{fill:var(--bp-fwd)}
.bp-svg .bp-hon-backward{fill:var(--bp-bwd)}
.bp-caps{min-height:3.2em;margin:.4em 0 .2em;line-height:1.45}
.bp-cap [data-q]{font-variant-numeric:tabular-nums;white-space:nowrap}
.bp-controls{display:flex;flex-wrap:wrap;align-items:center;justify-content:center;gap:.4em;margin-top:.3em}
.bp-controls button{min-width:44px;min-height:44px;padding:0 .8em;font:inherit;color:inherit;
 background:transparent;border:1px solid var(--bp-line);border-radius:6px;cursor:pointer}
.bp-controls button[aria-disabled=true]{opacity:.45;cursor:default}
.bp-count{flex-basis:100%;text-align:center;font-variant-numeric:tabular-nums;order:-1}
.bp-hint{font-size:.85em;opacity:.85;text-align:center;margin:.2em 0 0}
.bp-stepper:not([data-ready]) .bp-controls,.bp-stepper:not([data-ready]) .bp-hint{display:none}
.bp-print{display:none}
@media print{.bp-live{display:none!important}
 .bp-print{display:grid!important;grid-template-columns:1fr 1fr;gap:.3em 1.4em;align-items:start}
 .bp-stepper.bp-stepper.bp-stepper{border:none;padding:0;--bp-fwd:#8f3900;--bp-bwd:#00589a;--bp-line:#555;--bp-bg:#fff;color:#222832}
 .bp-pf{break-inside:avoid;page-break-inside:avoid;margin:0 0 .5em}
 .bp-pf .bp-svg{max-width:100%!important}
 .bp-pf .bp-cap{font-size:.85em;line-height:1.35}
 .bp-svg .bp-v,.bp-svg .bp-g,.bp-svg .bp-et{stroke:none}
 .bp-pf-head{font-weight:600;margin:.2em 0;font-size:.9em}}
"""

# Shows one frame at a time. It finds its stepper from itself, so two copies of a page
# or of an output never step each other.
_JS = """(function(){var s=document.currentScript,r=s&&s.closest?s.closest(".bp-stepper"):null;
if(!r||r.getAttribute("data-ready"))return;r.setAttribute("data-ready","1");
var L=r.querySelector(".bp-live"),g=L.querySelectorAll(".bp-f"),c=L.querySelectorAll(".bp-cap"),
n=g.length,i=0,k=r.querySelector(".bp-count"),t=r.getAttribute("data-count"),b={};
L.querySelectorAll("[data-go]").forEach(function(x){b[x.getAttribute("data-go")]=x;
x.addEventListener("click",function(){go(x.getAttribute("data-go"))})});
function show(j){i=Math.max(0,Math.min(n-1,j));for(var m=0;m<n;m++){
g[m].setAttribute("display",m===i?"inline":"none");c[m].hidden=m!==i}
k.textContent=t.replace("{i}",i+1).replace("{n}",n);
b.first.setAttribute("aria-disabled",i===0);b.prev.setAttribute("aria-disabled",i===0);
b.next.setAttribute("aria-disabled",i===n-1);b.last.setAttribute("aria-disabled",i===n-1);
r.setAttribute("data-frame",i)}
function go(w){show(w==="first"?0:w==="prev"?i-1:w==="next"?i+1:n-1)}
r.addEventListener("keydown",function(e){var w={ArrowRight:"next",ArrowLeft:"prev",
Home:"first",End:"last"}[e.key];if(w){e.preventDefault();go(w)}});
var x0=null,y0=0,F=L.querySelector(".bp-svg");
F.addEventListener("touchstart",function(e){x0=e.touches[0].clientX;y0=e.touches[0].clientY},{passive:true});
F.addEventListener("touchend",function(e){if(x0===null)return;var dx=e.changedTouches[0].clientX-x0,
dy=e.changedTouches[0].clientY-y0;x0=null;if(Math.abs(dx)>40&&Math.abs(dx)>2*Math.abs(dy))go(dx<0?"next":"prev")},{passive:true});
show(0)})();"""


def _n(v: float) -> str:
    """A coordinate, with at most one decimal (stable text)."""
    text = f"{round(float(v), 1):.1f}"
    return text[:-2] if text.endswith(".0") else text


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _marked(parts: Sequence[Segment], tag: str) -> str:
    """``parts`` as escaped text, each shown number in a ``<tag data-q="key">`` element."""
    return "".join(f'<{tag} data-q="{_esc(p.key)}">{_esc(p.text)}</{tag}>' if isinstance(p, Shown)
                   else _esc(p) for p in parts)


def _plain(parts: Sequence[Segment]) -> str:
    return "".join(p.text if isinstance(p, Shown) else p for p in parts)


def _edge_geometry(d: Diagram, e: Edge) -> tuple[tuple[float, float], tuple[float, float],
                                                   tuple[float, float], tuple[float, float]]:
    """Start, control point, end (on the circles) and the unit direction at the end."""
    a, b = d.node(e.source), d.node(e.target)
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length, dx / length          # left of the arrow (y grows downwards)
    cx = (a.x + b.x) / 2 + e.bend * length * nx
    cy = (a.y + b.y) / 2 + e.bend * length * ny

    def towards(px, py, qx, qy, r):
        ux, uy = qx - px, qy - py
        n = math.hypot(ux, uy) or 1.0
        return px + r * ux / n, py + r * uy / n

    start = towards(a.x, a.y, cx, cy, a.r)
    end = towards(b.x, b.y, cx, cy, b.r + 1.5)
    ux, uy = end[0] - cx, end[1] - cy
    n = math.hypot(ux, uy) or 1.0
    return start, (cx, cy), end, (ux / n, uy / n)


def _on_curve(start, control, end, t):
    x = (1 - t) ** 2 * start[0] + 2 * (1 - t) * t * control[0] + t ** 2 * end[0]
    y = (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * control[1] + t ** 2 * end[1]
    return x, y


def _path(start, control, end) -> str:
    return (f"M{_n(start[0])},{_n(start[1])} Q{_n(control[0])},{_n(control[1])} "
            f"{_n(end[0])},{_n(end[1])}")


def _head(end, direction, cls: str) -> str:
    ux, uy = direction
    size, half = 8.0, 4.0
    bx, by = end[0] - size * ux, end[1] - size * uy
    pts = [end, (bx - half * uy, by + half * ux), (bx + half * uy, by - half * ux)]
    return f'<polygon class="{cls}" points="' + " ".join(f"{_n(x)},{_n(y)}" for x, y in pts) + '"/>'


def _skeleton(d: Diagram) -> str:
    parts = []
    for e in d.edges:
        start, control, end, direction = _edge_geometry(d, e)
        parts.append(f'<path class="bp-e" d="{_path(start, control, end)}"/>'
                     + _head(end, direction, "bp-h"))
    for nd in d.nodes:
        parts.append(f'<circle class="bp-n" cx="{_n(nd.x)}" cy="{_n(nd.y)}" r="{_n(nd.r)}"/>'
                     f'<text class="bp-nl" x="{_n(nd.x)}" y="{_n(nd.y)}">{_esc(nd.label)}</text>')
    return "".join(parts)


def _frame_group(d: Diagram, f: Frame) -> str:
    parts = []
    for key in f.active:
        if any(nd.key == key for nd in d.nodes):
            nd = d.node(key)
            parts.append(f'<circle class="bp-on-{f.phase}" cx="{_n(nd.x)}" cy="{_n(nd.y)}" '
                         f'r="{_n(nd.r)}"/>')
        else:
            e = d.edge(key)
            start, control, end, direction = _edge_geometry(d, e)
            parts.append(f'<path class="bp-on-{f.phase}" d="{_path(start, control, end)}"/>'
                         + _head(end, direction, f"bp-hon-{f.phase}"))
    for e in d.edges:
        if e.key in f.on_edges:
            start, control, end, _ = _edge_geometry(d, e)
            x, y = _on_curve(start, control, end, e.label_at)
            # the text sits to the left of the arrow's direction at that point
            t = e.label_at
            tx = 2 * (1 - t) * (control[0] - start[0]) + 2 * t * (end[0] - control[0])
            ty = 2 * (1 - t) * (control[1] - start[1]) + 2 * t * (end[1] - control[1])
            norm = math.hypot(tx, ty) or 1.0
            ox, oy = ty / norm, -tx / norm
            if oy > 0 or (oy == 0 and ox > 0):    # keep "left" meaning "above" for rightward arrows
                ox, oy = -ox, -oy
            off = e.label_offset
            lx, ly = x + off * ox, y + off * oy + (4.5 if off < 0 else 0.0)
            cls = "bp-et bp-eg" if f.edge_phase.get(e.key) == "backward" else "bp-et"
            parts.append(f'<text class="{cls}" x="{_n(lx)}" y="{_n(ly)}">'
                         f'{_marked(f.on_edges[e.key], "tspan")}</text>')
    for nd in d.nodes:
        if nd.key in f.above:
            parts.append(f'<text class="bp-v" x="{_n(nd.x)}" y="{_n(nd.y - nd.r - 6)}">'
                         f'{_marked(f.above[nd.key], "tspan")}</text>')
        if nd.key in f.below:
            parts.append(f'<text class="bp-g" x="{_n(nd.x)}" y="{_n(nd.y + nd.r + 16)}">'
                         f'{_marked(f.below[nd.key], "tspan")}</text>')
    return "".join(parts)


class Stepper:
    """A figure the reader steps through, frame by frame (see the module's docstring).

    Parameters
    ----------
    name : str
        A name unique on its page (letters, digits, ``-``); the HTML's ids derive from it.
    title : str
        One line above the figure.
    diagram : Diagram
        The graph.
    frames : sequence of Frame
        At least one; usually :attr:`Steps.frames`.
    print_frames : sequence of int, optional
        The frames (0-based, increasing) printed on paper, at most
        :data:`MAX_PRINT_FRAMES`. Default: the first and last, and up to four evenly
        between them.
    description : str, optional
        What the figure shows, for screen readers (default: the title).
    legend : str, optional
        One line under the title saying how to read the figure.
    lang : str, optional
        The language of the controls' words (:mod:`bplib.stepper_words`); by default the
        language in use (:func:`bplib.language.get_language`).
    """

    def __init__(self, name: str, title: str, diagram: Diagram, frames: Sequence[Frame], *,
                 print_frames: Optional[Sequence[int]] = None, description: str = "",
                 legend: str = "", lang: Optional[str] = None) -> None:
        if not isinstance(name, str) or not re.match(r"^[a-z][a-z0-9-]*$", name):
            raise ValueError(f"name must be lowercase letters, digits and '-', starting with a "
                             f"letter, but got {name!r}")
        if not isinstance(diagram, Diagram):
            raise TypeError(f"diagram must be a Diagram, but got {type(diagram).__name__}")
        if not isinstance(title, str) or not title.strip():
            raise ValueError(f"title must be a non-empty str, but got {title!r}")
        frames = tuple(frames)
        if not frames:
            raise ValueError("a stepper needs at least one frame")
        for f in frames:
            if not isinstance(f, Frame):
                raise TypeError(f"frames must be Frame objects, but got {type(f).__name__}")
        n = len(frames)
        if print_frames is None:
            count = min(MAX_PRINT_FRAMES, n)
            print_frames = sorted({round(k * (n - 1) / max(count - 1, 1)) for k in range(count)})
        print_frames = tuple(print_frames)
        for k in print_frames:
            if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
                raise TypeError(f"print_frames must be frame numbers (int), but got {k!r}")
        print_frames = tuple(int(k) for k in print_frames)
        if not 1 <= len(print_frames) <= MAX_PRINT_FRAMES:
            raise ValueError(f"print_frames must name 1 to {MAX_PRINT_FRAMES} frames, "
                             f"but got {len(print_frames)}")
        if list(print_frames) != sorted(set(print_frames)) or not all(0 <= k < n for k in print_frames):
            raise ValueError(f"print_frames must be increasing frame numbers in 0..{n - 1}, "
                             f"but got {print_frames}")
        lang = resolve_language(lang)
        self.controls = words(lang, "controls")
        self.name, self.title, self.diagram, self.frames = name, title, diagram, frames
        self.print_frames = print_frames
        self.description = description or title
        self.legend = legend
        self.lang = lang

    def __repr__(self) -> str:
        return f"Stepper({self.name!r}, {len(self.frames)} frames)"

    def __len__(self) -> int:
        return len(self.frames)

    # -- what it shows
    def numbers(self) -> list[Shown]:
        """Every number the stepper shows, frame by frame (captions, then the figure)."""
        out: list[Shown] = []
        for f in self.frames:
            for parts in [f.caption, *f.above.values(), *f.below.values(), *f.on_edges.values()]:
                out.extend(p for p in parts if isinstance(p, Shown))
        return out

    def captions(self) -> list[str]:
        """Each frame's caption as plain text."""
        return [_plain(f.caption) for f in self.frames]

    # -- drawing
    def svg(self, frame: Optional[int] = None) -> str:
        """The figure as SVG: every frame (one shown) when ``frame`` is None, else that one."""
        d = self.diagram
        if frame is None:
            groups = "".join(
                f'<g class="bp-f" data-f="{k}" display="{"inline" if k == 0 else "none"}">'
                f"{_frame_group(d, f)}</g>" for k, f in enumerate(self.frames))
        else:
            groups = f'<g class="bp-f" data-f="{frame}">{_frame_group(d, self.frames[frame])}</g>'
        return (f'<svg class="bp-svg" viewBox="0 0 {_n(d.width)} {_n(d.height)}" '
                f'style="max-width:{_n(d.width * 1.3)}px" role="img" '
                f'aria-label="{_esc(self.description)}" xmlns="http://www.w3.org/2000/svg">'
                f"{_skeleton(d)}{groups}</svg>")

    def _count(self, k: int) -> str:
        return self.controls["step_of"].format(i=k + 1, n=len(self.frames))

    def to_html(self) -> str:
        """The stepper as one self-contained piece of HTML (style, SVG, captions, script).

        Raises
        ------
        ValueError
            If it weighs more than :data:`MAX_PAYLOAD_BYTES` (UTF-8): fewer frames, or
            fewer printed frames.
        """
        out = self._html()
        size = len(out.encode("utf-8"))
        if size > MAX_PAYLOAD_BYTES:
            raise ValueError(f"stepper {self.name!r} weighs {size:,} bytes of HTML, more than "
                             f"MAX_PAYLOAD_BYTES = {MAX_PAYLOAD_BYTES:,}: show fewer frames")
        return out

    def _html(self) -> str:
        w = self.controls
        caps = "".join(
            f'<div class="bp-cap" data-f="{k}"{"" if k == 0 else " hidden"}>{_marked(f.caption, "span")}</div>'
            for k, f in enumerate(self.frames))
        buttons = "".join(
            f'<button type="button" data-go="{go}" aria-label="{_esc(w[go + "_label"])}">'
            f"{_esc(w[go])}</button>" + (f'<span class="bp-count" aria-hidden="true">'
                                         f"{_esc(self._count(0))}</span>" if go == "prev" else "")
            for go in ("first", "prev", "next", "last"))
        live = (f'<div class="bp-live">{self.svg()}'
                f'<div class="bp-caps" aria-live="polite">{caps}</div>'
                f'<div class="bp-controls">{buttons}</div>'
                f'<p class="bp-hint">{_esc(w["hint"])}</p></div>')
        printed = "".join(
            f'<div class="bp-pf" data-f="{k}"><p class="bp-pf-head">{_esc(self._count(k))}</p>'
            f'{self.svg(k)}<div class="bp-cap">{_marked(self.frames[k].caption, "span")}</div></div>'
            for k in self.print_frames)
        return (f'<div class="bp-stepper" id="bp-stepper-{self.name}" data-stepper="{self.name}" '
                f'data-count="{_esc(w["step_of"])}" data-frames="{len(self.frames)}" '
                f'tabindex="0" role="group" aria-roledescription="{_esc(w["stepper"])}" '
                f'aria-label="{_esc(self.title)}" lang="{_esc(self.lang.replace("_", "-"))}">'
                f"<style>{_CSS.strip()}</style>"
                f'<p class="bp-title">{_esc(self.title)}</p>'
                + (f'<p class="bp-legend">{_esc(self.legend)}</p>' if self.legend else "")
                + f'{live}'
                f'<div class="bp-print">{printed}</div>'
                f"<script>{_JS}</script></div>")

    def _repr_html_(self) -> str:
        return self.to_html()
