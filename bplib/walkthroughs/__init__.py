"""The book's steppers: one backward pass each, computed by bplib and shown step by step.

Each function runs bplib on one of the book's examples and returns a
:class:`bplib.stepper.Stepper` whose every number is the one bplib computed:

* :func:`sum_over_paths` (chapter 1): a nudge of ``x`` travels both paths to the cost.
* :func:`worked_example` (chapter 2): the 2-2-1 network forward, backward, and the update.
* :func:`bp2_layers` (chapter 4): BP2 carries δ back through the curve-fit network, one
  layer per step, with the shapes.
* :func:`autodiff_order` (chapter 6): the engine's topological order, then the
  accumulation into each node, one edge per step.
* :func:`bptt` (chapter 11): a recurrent unit unrolled in time, forward one step at a time,
  then back through the steps, the shared weight's gradient summed over them.

A chapter shows one with a single line, ``walkthroughs.worked_example(...)``, as the last
line of a cell.
"""

from __future__ import annotations

from .autodiff_order import autodiff_order
from .bp2_layers import bp2_layers
from .bptt import bptt
from .sum_over_paths import sum_over_paths
from .worked_example import worked_example

__all__ = ["sum_over_paths", "worked_example", "bp2_layers", "autodiff_order", "bptt"]
