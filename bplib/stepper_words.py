"""Every word the steppers (:mod:`bplib.stepper`, :mod:`bplib.walkthroughs`) show, in one table.

``WORDS[lang][group][key]`` is a string; a caption is a template whose ``{fields}`` a
walkthrough fills with the numbers it shows (:func:`bplib.stepper.caption`). A translation adds a
language to :data:`WORDS` with the same groups and keys and the same fields in each
template (``tests/test_stepper.py`` checks that), and every stepper speaks it.

Mathematical names (``z¹₁``, ``δ²``, ``∂C/∂x``) are written in Unicode, the same in every
language.
"""

from __future__ import annotations

__all__ = ["WORDS", "LANGUAGES", "words"]

WORDS: dict[str, dict[str, dict[str, str]]] = {
    "en": {
        # the buttons and the step counter of every stepper
        "controls": {
            "stepper": "step-by-step figure",
            "first": "\u00ab",
            "first_label": "First step",
            "prev": "\u25c0 Back",
            "prev_label": "Previous step",
            "next": "Next \u25b6",
            "next_label": "Next step",
            "last": "\u00bb",
            "last_label": "Last step",
            "step_of": "Step {i} of {n}",
            "hint": "Step with the buttons, the arrow keys or a swipe; Home and End jump to the ends.",
        },
        # chapter 2: article 003's 2-2-1 network, forward then backward, then the update
        "worked_example": {
            "title": "Step through the forward and backward pass",
            "description": "The 2-2-1 network of chapter 2: each step computes one value "
                           "(forward pass) or one gradient (backward pass).",
            "legend": "Above a node: its value. Below: \u2202C/\u2202(node). "
                      "On an edge: its weight, later its gradient.",
            "start": "The inputs x\u2081 = {x1} and x\u2082 = {x2}, the target y = {y}, and the "
                     "weights on the edges. Nothing is computed yet.",
            "z_hidden": "Forward: z\u00b9{j} = W{j}\u2081\u00b7x\u2081 + W{j}\u2082\u00b7x\u2082 = "
                        "{w1}\u00b7{x1} + {w2}\u00b7{x2} = {z}",
            "a_hidden": "Forward: a\u00b9{j} = \u03c3(z\u00b9{j}) = \u03c3({z}) = {a}",
            "z_out": "Forward: z\u00b2 = W\u2095\u2081\u00b7a\u00b9\u2081 + W\u2095\u2082\u00b7a\u00b9\u2082 = "
                     "{w1}\u00b7{a1} + {w2}\u00b7{a2} = {z}",
            "y_hat": "Forward: \u0177 = \u03c3(z\u00b2) = \u03c3({z}) = {yhat}",
            "cost": "Forward: C = \u00bd(y \u2212 \u0177)\u00b2 = \u00bd({y} \u2212 {yhat})\u00b2 = {C}",
            "seed": "Backward starts at the cost: \u2202C/\u2202C = {one}.",
            "d_yhat": "Backward: \u2202C/\u2202\u0177 = \u0177 \u2212 y = {yhat} \u2212 {y} = {g}",
            "delta2": "Backward: \u03b4\u00b2 = \u2202C/\u2202z\u00b2 = \u2202C/\u2202\u0177 \u00b7 \u03c3\u2032(z\u00b2) "
                      "= {g} \u00b7 {local} = {delta}   (\u03c3\u2032(z\u00b2) = \u0177(1 \u2212 \u0177))",
            "grad_wh": "Backward: \u2202C/\u2202W\u2095{j} = \u03b4\u00b2 \u00b7 a\u00b9{j} = {delta} \u00b7 {a} = {g}",
            "d_a_hidden": "Backward: \u2202C/\u2202a\u00b9{j} = \u03b4\u00b2 \u00b7 W\u2095{j} = {delta} \u00b7 {w} = {g}",
            "delta1": "Backward: \u03b4\u00b9{j} = \u2202C/\u2202a\u00b9{j} \u00b7 \u03c3\u2032(z\u00b9{j}) = "
                      "{g} \u00b7 {local} = {delta}   (\u03c3\u2032 = a(1 \u2212 a))",
            "grad_w_in": "Backward: \u2202C/\u2202W{j}{n} = \u03b4\u00b9{j} \u00b7 x{n} = {delta} \u00b7 {x} = {g}",
            "update": "Update, with \u03b1 = {alpha}: each weight moves against its gradient, "
                      "W\u2032 = W \u2212 \u03b1\u00b7\u2202C/\u2202W. W\u2081\u2081\u2032 = {w} \u2212 {alpha}\u00b7{g} = {new}; "
                      "W\u2095\u2081\u2032 = {wh} \u2212 {alpha}\u00b7{gh} = {newh}.",
        },
        # chapter 1: the two paths from x to C; a nudge of x travels both, and they add at s
        "sum_over_paths": {
            "title": "Step a nudge of x along both paths",
            "description": "The graph of chapter 1 with two paths from x to the cost C: a nudge "
                           "of x travels the top path and the bottom path edge by edge, and at s "
                           "the two effects add.",
            "legend": "Above a node: its value. On an edge: its weight, later its local "
                      "derivative. Below: how far the node moves when x moves by \u0394x.",
            "top": "Top",
            "bottom": "Bottom",
            "start": "The input x = {x} feeds two sigmoid units; the target is y = {y}. On the "
                     "edges: the weights w\u2081 = {w1}, w\u2082 = {w2}, v\u2081 = {v1} and v\u2082 = {v2}.",
            "forward_units": "Forward: z\u2081 = w\u2081x = {z1} and a\u2081 = \u03c3(z\u2081) = {a1}; "
                             "z\u2082 = w\u2082x = {z2} and a\u2082 = \u03c3(z\u2082) = {a2}.",
            "forward_out": "Forward: s = v\u2081a\u2081 + v\u2082a\u2082 = {s}, and the cost "
                           "C = \u00bd(s \u2212 y)\u00b2 = {C}.",
            "nudge": "Now nudge x by a small \u0394x. The nudge reaches C along two paths; "
                     "follow the top one first, one edge at a time.",
            "edge_w": "{path} path, x \u2192 z{j}: the local derivative is \u2202z{j}/\u2202x = w{j} "
                      "= {local}, so z{j} moves by {run}\u00b7\u0394x.",
            "edge_sigma": "{path} path, z{j} \u2192 a{j}: the local derivative is "
                          "\u2202a{j}/\u2202z{j} = \u03c3\u2032(z{j}) = {local}, so a{j} moves by "
                          "{prev} \u00d7 {local} = {run} times \u0394x.",
            "edge_v": "{path} path, a{j} \u2192 s: the local derivative is \u2202s/\u2202a{j} = "
                      "v{j} = {local}, so along this path s moves by {prev} \u00d7 {local} = "
                      "{run} times \u0394x.",
            "add": "At s the two paths meet, and their effects add: s moves by "
                   "{top}\u00b7\u0394x + ({bottom})\u00b7\u0394x = {sum}\u00b7\u0394x. "
                   "So \u2202s/\u2202x = {sum}.",
            "cost": "The last edge, s \u2192 C: \u2202C/\u2202s = s \u2212 y = {local}, so C moves by "
                    "{local} \u00d7 {ds} = {dC} times \u0394x: \u2202C/\u2202x = {dC}.",
            "check": "One product per path, summed: (s \u2212 y)\u00b7v\u2081\u03c3\u2032(z\u2081)w\u2081 = "
                     "{top} along the top path, plus (s \u2212 y)\u00b7v\u2082\u03c3\u2032(z\u2082)w\u2082 = "
                     "{bottom} along the bottom one, is \u2202C/\u2202x = {dC}. A real nudge "
                     "agrees: moving x to x \u00b1 h, h = {h}, changes C at the rate {fd}.",
        },
        # chapter 4: BP2 carries the error back through the curve-fit network, one layer a step
        "bp2_layers": {
            "title": "Step the error back through the layers",
            "description": "The network's layers as columns of units: the forward pass writes "
                           "\u03c3\u2032(z) above each unit, then each step computes the errors "
                           "\u03b4 of one layer from those of the next, with the shapes.",
            "legend": "A column is a layer, a dot one of its units. Above a unit: "
                      "\u03c3\u2032(z); below: its error \u03b4 = \u2202C/\u2202z. "
                      "Under a circle: the shape of \u03b4.",
            "forward": "The forward pass on one training sample, x = {x} with target y = {y}, "
                       "kept every z and a. Above each unit: \u03c3\u2032(z), which the backward "
                       "pass needs. The output is a{L} = {a} and the cost C = {C}.",
            "bp1": "Start at the output: \u03b4{L} = \u2207\u2090C \u2299 \u03c3\u2032(z{L}). For this "
                   "cost \u2207\u2090C = {s}(a{L} \u2212 y) = {s}({a} \u2212 {y}) = {g}, so "
                   "\u03b4{L} = {g} \u00d7 {sp} = {d}, of shape ({n}, {m}).",
            "bp1_cancel": "Start at the output: for this cost the factor \u03c3\u2032(z{L}) cancels, "
                          "and \u03b4{L} = a{L} \u2212 y = {a} \u2212 {y} = {d}, of shape ({n}, {m}).",
            "bp2": "One layer back: \u03b4{l} = ((W{k})\u1d40 \u03b4{k}) \u2299 \u03c3\u2032(z{l}). "
                   "(W{k})\u1d40 is ({r}, {c}) and \u03b4{k} is ({c}, {m}), so their product is "
                   "({r}, {m}): each unit adds up one term per unit of the next layer, one for each "
                   "path from it. "
                   "\u03c3\u2032(z{l}) is ({r}, {m}) too, and \u2299 multiplies entry by entry: "
                   "\u03b4{l} is ({r}, {m}).",
            "grads": "Every error is known, and each weight gradient is one product away, "
                     "\u2202C/\u2202W{l} = \u03b4{l}(a{lm})\u1d40, shaped like W{l}: ",
            "grad_shape": "\u2202C/\u2202W{l} is ({r}, {m})\u00b7({m}, {c}) \u2192 ({r}, {c})",
            "sep": "; ",
            "end": ". (The bias gradients are the errors themselves.)",
        },
        # chapter 11: a scalar RNN unrolled in time; back through the steps, dC/dwₕ summed
        "bptt": {
            "title": "Step backpropagation through time",
            "description": "A recurrent unit unrolled over the time steps: the same weight "
                           "w\u2095 is used at every step. Forward, one step at a time; then "
                           "back through the steps, adding each step's term to \u2202C/\u2202w\u2095.",
            "legend": "Above a node: its value. Below a state: \u2202C/\u2202a\u209c; below "
                      "w\u2095: the sum of the terms so far. Going back, on an edge: the factor "
                      "\u2202a\u209c/\u2202a\u209c\u208b\u2081, or the step's term of \u2202C/\u2202w\u2095.",
            "start": "The unit computes a\u209c = tanh(w\u2093x\u209c + w\u2095a\u209c\u208b\u2081 + b) "
                     "at every step, with the same weights w\u2093 = {wx}, w\u2095 = {wh} and "
                     "bias b = {b}. It starts from a\u2080 = {h0}; the cost compares the last "
                     "state a{T} with the target y = {y}.",
            "forward_first": "Forward, step {n}: a{t} = tanh(w\u2093x{t} + w\u2095a{p} + b) = "
                             "tanh({wx}\u00b7{x} + {wh}\u00b7{h_prev} + {b}) = tanh({z}) = {h}.",
            "forward": "Forward, step {n}: the same weights again, with the state a{p} the last "
                       "step left: a{t} = tanh({wx}\u00b7{x} + {wh}\u00b7{h_prev} + {b}) = tanh({z}) = {h}.",
            "cost": "The cost on the last state: C = \u00bd(a{T} \u2212 y)\u00b2 = "
                    "\u00bd({h} \u2212 {y})\u00b2 = {C}.",
            "seed": "Backward starts at the cost: \u2202C/\u2202a{T} = a{T} \u2212 y = "
                    "{h} \u2212 {y} = {g}.",
            "term_first": "Step {n}, back: through tanh, \u03b4{t} = \u2202C/\u2202a{t} \u00b7 "
                          "(1 \u2212 a{t}\u00b2) = {g} \u00b7 {local} = {d}. Step {n} used "
                          "w\u2095 on a{p}, so its term of \u2202C/\u2202w\u2095 is \u03b4{t}\u00b7a{p} "
                          "= {d} \u00b7 {h_prev} = {term}: the sum so far.",
            "term": "Step {n}, back: \u03b4{t} = \u2202C/\u2202a{t} \u00b7 (1 \u2212 a{t}\u00b2) "
                    "= {g} \u00b7 {local} = {d}. The same w\u2095 acted here too: its term "
                    "\u03b4{t}\u00b7a{p} = {d} \u00b7 {h_prev} = {term} is added, "
                    "{before} \u2192 {run}.",
            "back": "Hand the gradient back to a{p}: \u2202a{t}/\u2202a{p} = (1 \u2212 a{t}\u00b2)\u00b7w\u2095 "
                    "= {local} \u00b7 {wh} = {J}, so \u2202C/\u2202a{p} = {g} \u00b7 {J} = {out}.",
            "back_h0": "Back to the start: \u2202a{t}/\u2202a{p} = (1 \u2212 a{t}\u00b2)\u00b7w\u2095 = "
                       "{local} \u00b7 {wh} = {J}, so \u2202C/\u2202a{p} = {g} \u00b7 {J} = {out}: "
                       "the gradient the initial state receives (RNN.backward's dh\u2080). No step is left.",
            "total_start": "Done: \u2202C/\u2202w\u2095 is the sum of one term per step, ",
            "plus": " + ",
            "equals": " = ",
            "total_end": "{total}, what RNN.backward gives as dWh. A real nudge agrees: moving "
                         "w\u2095 by \u00b1\u03b5, \u03b5 = {h}, changes C at the rate {fd}.",
        },
        # chapter 6: the autodiff engine on y = x·x + 3x, its order, then one edge per step
        "autodiff_order": {
            "title": "Step through the engine: the topological order, then one edge at a time",
            "description": "An expression graph of chapter 6: first its nodes are numbered in "
                           "topological order, each with its value; then the backward pass hands "
                           "each edge's contribution, local derivative times upstream gradient, to "
                           "the edge's input, where the contributions add up.",
            "legend": "Above a node: its number in topological_order({root}) and its value. On "
                      "an edge: its local derivative, then, going back, local \u00b7 upstream = "
                      "contribution. Below a node: its grad, \u2202{root}/\u2060\u2202node.",
            "above": "#{k}: {v}",
            "intro": "Forward: topological_order({root}) lists every node after all of its inputs. ",
            "leaf": "#{k}: {name} = {v}, a leaf (an input): nothing to wait for.",
            "const": "#{k}: {name} = {v}, a constant leaf (a number in the code, made a Value).",
            "op_infix": "#{k}: {name} = {a}\u00a0{op}\u00a0{b}\u00a0=\u00a0{v}, after its inputs. The forward pass "
                        "stores its local derivatives, {l1} and {l2}, on its input edges.",
            "op_call2": "#{k}: {name} = {op}({a}, {b}) = {v}, after its inputs. The forward pass "
                        "stores its local derivatives, {l1} and {l2}, on its input edges.",
            "op_call1": "#{k}: {name} = {op}({a}) = {v}, after its input. The forward pass stores "
                        "its local derivative, {l1}, on its input edge.",
            "seed": "Backward: Value.backward visits the nodes in reverse order, #{n} down to "
                    "#{first}, and starts with {root}.grad = {one}.",
            "skip": "#{k} {name} is a leaf: no inputs to pass its grad to. ",
            "nth_0": "first",
            "nth_1": "second",
            "edge2": "#{k} {parent}, whose grad {up} is complete, hands its {nth} input, {child}, "
                     "local \u00b7 upstream = {local}\u00a0\u00b7\u00a0{up}\u00a0=\u00a0{c}; {child}.grad: "
                     "{before}\u00a0\u2192\u00a0{after}.",
            "edge1": "#{k} {parent}, whose grad {up} is complete, hands its input, {child}, "
                     "local \u00b7 upstream = {local}\u00a0\u00b7\u00a0{up}\u00a0=\u00a0{c}; {child}.grad: "
                     "{before}\u00a0\u2192\u00a0{after}.",
            "done": "Done: {E} edges, {E} multiplications. Each leaf's grad is the sum of what "
                    "its edges handed it, as Value.backward finds (\u2202{root}/\u2202leaf): ",
            "leaf_sum_start": "{name}.grad = ",
            "leaf_sum_end": " = {g}",
            "leaf_one": "{name}.grad = {g}",
            "sep": "; ",
            "end": ".",
        },
    },
}

from .stepper_words_zh_CN import WORDS as _ZH_CN  # noqa: E402  (it needs nothing above)

WORDS["zh_CN"] = _ZH_CN

#: The languages the table has.
LANGUAGES = tuple(WORDS)


def words(lang: str, group: str) -> dict[str, str]:
    """The words of ``group`` (``"controls"``, or a walkthrough's name) in language ``lang``."""
    if lang not in WORDS:
        raise ValueError(f"lang must be one of {LANGUAGES}, but got {lang!r}")
    if group not in WORDS[lang]:
        raise ValueError(f"no words for {group!r} in {lang!r}; the groups are {sorted(WORDS[lang])}")
    return WORDS[lang][group]
