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
            "first": "\u00ab First",
            "first_label": "First step",
            "prev": "\u25c0 Back",
            "prev_label": "Previous step",
            "next": "Next \u25b6",
            "next_label": "Next step",
            "last": "Last \u00bb",
            "last_label": "Last step",
            "step_of": "Step {i} of {n}",
            "hint": "Step with the buttons, the arrow keys or a swipe; Home and End jump to the ends.",
        },
        # chapter 2: article 003's 2-2-1 network, forward then backward, then the update
        "worked_example": {
            "title": "Step through the forward and backward pass",
            "description": "The 2-2-1 network of chapter 2: each step computes one value "
                           "(forward pass) or one gradient (backward pass).",
            "legend": "Above a node: its value. Below it: the gradient of the cost with "
                      "respect to it, ∂C/∂(node). On an edge: its weight, then the weight's gradient.",
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

#: The languages the table has.
LANGUAGES = tuple(WORDS)


def words(lang: str, group: str) -> dict[str, str]:
    """The words of ``group`` (``"controls"``, or a walkthrough's name) in language ``lang``."""
    if lang not in WORDS:
        raise ValueError(f"lang must be one of {LANGUAGES}, but got {lang!r}")
    if group not in WORDS[lang]:
        raise ValueError(f"no words for {group!r} in {lang!r}; the groups are {sorted(WORDS[lang])}")
    return WORDS[lang][group]
