"""Chapter 11's stepper, ``walkthroughs.bptt``: the unrolled RNN forward, then back in time.

Built on the chapter's numbers and compared with ``tests/expected_steps/bptt.py`` (computed
from :class:`bplib.recurrent.RNN` with truncated backward passes, not by the walkthrough);
the frames' order; the browser test's rules (digits only inside shown numbers, at most six
printed frames, deterministic HTML); and the builder's own checks.
"""

from __future__ import annotations

import importlib
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bplib import walkthroughs
from bplib.recurrent import RNN
from bplib.stepper import Shown, Stepper
from expected_steps import bptt as expected_module

bptt_module = importlib.import_module("bplib.walkthroughs.bptt")
FORMULA_CONSTANTS = ("(1 \u2212 ",)


def chapter11() -> Stepper:
    e = expected_module
    return walkthroughs.bptt(e.X_SEQ, e.Y_T, e.WX, e.WH, e.B, e.H0)


def value_of(text: str) -> float:
    return float(text.replace("\u2212", "-"))


def half_unit(text: str) -> float:
    mantissa, _, exponent = text.replace("\u2212", "-").partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (-decimals) * (10.0 ** int(exponent) if exponent else 1.0)


def test_every_number_shown_is_expected():
    expected = expected_module.expected()
    shown = chapter11().numbers()
    problems = [f"{q.key!r} shows {q.text}, expected {expected.get(q.key)!r}" for q in shown
                if q.key not in expected
                or abs(value_of(q.text) - expected[q.key]) > half_unit(q.text) * (1 + 1e-9)]
    missing = set(expected) - {q.key for q in shown}
    assert not problems and not missing, (problems, sorted(missing))


def test_frames_forward_then_back_one_step_at_a_time():
    """The start, T forward steps, the cost, the seed, then per step back its term and the
    hand-back, then the total; the running sum below w_h grows by one term per step back."""
    s = chapter11()
    T = len(expected_module.X_SEQ)
    caps = s.captions()
    assert len(s) == 1 + T + 1 + 1 + 2 * T + 1 and len(s.print_frames) <= 6
    assert all(c.startswith("Forward") for c in caps[1:T + 1])
    assert caps[T + 2].startswith("Backward starts")
    runs = [next(p for p in f.below["wh"] if isinstance(p, Shown)).key
            for f in s.frames if "wh" in f.below]
    assert runs[0] == f"dC/dwh[{T}:]" and runs[-1] == "dC/dwh"
    last = {q.key: q for q in s.frames[-1].caption if isinstance(q, Shown)}
    assert last["dC/dwh"].text == last["dC/dwh(central)"].text
    terms = [last[f"term{t}"].value for t in range(1, T + 1)]
    assert sum(terms) == pytest.approx(last["dC/dwh"].value, rel=1e-12)


def test_digits_only_in_shown_numbers():
    s = chapter11()
    stray = []
    for k, f in enumerate(s.frames):
        for parts in [f.caption, *f.above.values(), *f.below.values(), *f.on_edges.values()]:
            for p in parts:
                if isinstance(p, str):
                    bare = p
                    for constant in FORMULA_CONSTANTS:
                        bare = bare.replace(constant, "")
                    if re.search(r"[0-9]", bare):
                        stray.append((k, p))
    labels = [n.label for n in s.diagram.nodes]
    assert not stray and not any(re.search(r"[0-9]", t) for t in labels), (stray, labels)


def test_html_is_deterministic_and_small():
    a, b = chapter11().to_html(), chapter11().to_html()
    assert a == b and len(a.encode()) < 150_000 and a.count('class="bp-pf"') <= 6


@pytest.mark.parametrize("args, error, message", [
    (([1.0], 0.2, 0.6, 0.9, 0.1), ValueError, "2 to 4 time steps"),
    (([1.0] * 5, 0.2, 0.6, 0.9, 0.1), ValueError, "2 to 4 time steps"),
    (([[1.0, 2.0]], 0.2, 0.6, 0.9, 0.1), ValueError, "x"),
    (([1.0, 2.0], "0.2", 0.6, 0.9, 0.1), TypeError, "y must be a real number"),
    (([1.0, 2.0], 0.2, float("nan"), 0.9, 0.1), ValueError, "wx must be finite"),
    (([1.0, np.inf], 0.2, 0.6, 0.9, 0.1), ValueError, "x"),
])
def test_rejects_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        walkthroughs.bptt(*args)


@settings(max_examples=30, deadline=None)
@given(x=st.lists(st.floats(-2, 2), min_size=2, max_size=4), y=st.floats(-1, 1),
       wx=st.floats(-2, 2), wh=st.floats(-2, 2), b=st.floats(-1, 1), h0=st.floats(-1, 1))
def test_builds_for_any_small_network(x, y, wx, wh, b, h0):
    """Any input: the builder's own checks (the running sum against RNN.backward and a
    central difference) pass, and the total shown is RNN.backward's dWh."""
    s = walkthroughs.bptt(x, y, wx, wh, b, h0)
    layer = RNN([[wx]], [[wh]], [b])
    out = layer.forward(np.reshape(x, (1, -1, 1)), [[h0]])
    dout = np.zeros_like(out)
    dout[0, -1, 0] = out[0, -1, 0] - y
    layer.backward(dout)
    total = {q.key: q for q in s.numbers()}["dC/dwh"]
    assert total.value == pytest.approx(layer.dWh[0, 0], rel=1e-9, abs=1e-15)


def test_refuses_a_sum_that_disagrees_with_the_layer(monkeypatch):
    """Planted: the tanh's derivative as 1 - a (no square) in the step-by-step sum; the
    builder compares with RNN.backward and raises instead of drawing it."""
    real = bptt_module.get_activation("tanh")

    class Slipped:
        f = staticmethod(real.f)

        @staticmethod
        def prime_from_output(a):
            return 1 - a

    monkeypatch.setattr(bptt_module, "get_activation", lambda name: Slipped)
    with pytest.raises(AssertionError, match="disagrees with RNN.backward"):
        chapter11()
