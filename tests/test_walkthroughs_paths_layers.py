"""The steppers of chapters 1 and 4: ``walkthroughs.sum_over_paths`` and ``walkthroughs.bp2_layers``.

Each is built on its chapter's data and compared with ``tests/expected_steps/<name>.py``
(computed from bplib's public API, not by the walkthrough), with central differences and
with :meth:`bplib.Network.backprop`; and each frame is checked for what the site's test
checks in the browser (digits only inside shown numbers, at most six printed frames).
"""

from __future__ import annotations

import importlib

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bplib import Network, activations
from bplib.data import cosine_curve
from bplib.stepper import Shown, Stepper
from bplib.walkthroughs.bp2_layers import bp2_layers
from bplib.walkthroughs.sum_over_paths import sum_over_paths
from expected_steps import bp2_layers as bp2_expected
from expected_steps import sum_over_paths as paths_expected

# the module (the package's attribute of the same name is the function)
paths_module = importlib.import_module("bplib.walkthroughs.sum_over_paths")

#: A formula's constant a caption may show outside a number (as tests/test_site_steppers.py).
FORMULA_CONSTANTS = ("(1 \u2212 ",)


def chapter1() -> Stepper:
    e = paths_expected
    return sum_over_paths(e.X_IN, e.Y_T, e.W_IN, e.V_OUT)


def chapter4_net() -> Network:
    return Network(bp2_expected.SIZES, activation="sigmoid", cost="mse", seed=bp2_expected.SEED)


def chapter4() -> Stepper:
    x, y = cosine_curve()
    return bp2_layers(chapter4_net(), x[:, :1], y[:, :1])


def value_of(text: str) -> float:
    return float(text.replace("\u2212", "-"))


def half_unit(text: str) -> float:
    """Half a unit of the last digit ``text`` shows (``0.0263`` -> 5e-5, ``1e-06`` -> 5e-7)."""
    mantissa, _, exponent = text.replace("\u2212", "-").partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (-decimals) * (10.0 ** int(exponent) if exponent else 1.0)


def shown_by_key(stepper: Stepper) -> dict[str, Shown]:
    out: dict[str, Shown] = {}
    for q in stepper.numbers():
        if q.key in out:
            assert out[q.key].value == q.value, f"{q.key} is shown with two values"
        out[q.key] = q
    return out


# ------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("args, error, message", [
    (("0.5", 0.3, [0.9, -1.4], [1.2, 0.7]), TypeError, "x must be a real number"),
    ((0.5, None, [0.9, -1.4], [1.2, 0.7]), TypeError, "y must be a real number"),
    ((True, 0.3, [0.9, -1.4], [1.2, 0.7]), TypeError, "x must be a real number"),
    ((float("nan"), 0.3, [0.9, -1.4], [1.2, 0.7]), ValueError, "x must be finite"),
    ((0.5, 0.3, [0.9, -1.4, 2.0], [1.2, 0.7]), ValueError, "two paths"),
    ((0.5, 0.3, [0.9, -1.4], [1.2]), ValueError, "two paths"),
    ((0.5, 0.3, [[0.9, -1.4]], [1.2, 0.7]), ValueError, "w"),
    ((0.5, 0.3, [0.9, float("inf")], [1.2, 0.7]), ValueError, "w"),
])
def test_sum_over_paths_rejects_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        sum_over_paths(*args)


def test_bp2_layers_rejects_bad_input():
    x, y = np.array([[0.5]]), np.array([[0.2]])
    with pytest.raises(TypeError, match="must be a bplib.Network"):
        bp2_layers([[1, 8, 5, 3, 1]], x, y)
    with pytest.raises(ValueError, match="one input and one output"):
        bp2_layers(Network([2, 3, 1]), np.ones((2, 1)), y)
    with pytest.raises(ValueError, match="one input and one output"):
        bp2_layers(Network([1, 3, 2]), x, np.ones((2, 1)))
    with pytest.raises(ValueError, match="at most 8 units"):
        bp2_layers(Network([1, 9, 1]), x, y)
    with pytest.raises(ValueError, match="at least one hidden layer"):
        bp2_layers(Network([1, 1]), x, y)
    with pytest.raises(ValueError, match="at most 6 layers|2 to 6 layers"):
        bp2_layers(Network([1, 2, 2, 2, 2, 2, 2, 1]), x, y)
    with pytest.raises(ValueError, match="one sample each"):
        bp2_layers(chapter4_net(), np.array([[0.5, 0.6]]), np.array([[0.2, 0.3]]))
    with pytest.raises(ValueError):
        bp2_layers(chapter4_net(), "x", y)
    with pytest.raises(ValueError):
        bp2_layers(chapter4_net(), np.array([[np.nan]]), y)


# ------------------------------------------------------------- the chapter's numbers
@pytest.mark.parametrize("build, module", [(chapter1, paths_expected), (chapter4, bp2_expected)],
                         ids=["sum_over_paths", "bp2_layers"])
def test_every_number_shown_is_expected(build, module):
    """Every data-q key the stepper shows is in expected(), and its text is expected()'s
    value to the digits shown (what the browser test checks on the site); and every key of
    expected() is shown."""
    expected = module.expected()
    shown = build().numbers()
    problems = []
    for q in shown:
        if q.key not in expected:
            problems.append(f"{q.key!r} is shown but not in expected()")
        elif abs(value_of(q.text) - expected[q.key]) > half_unit(q.text) * (1 + 1e-9):
            problems.append(f"{q.key!r} shows {q.text}, expected {expected[q.key]!r}")
    missing = set(expected) - {q.key for q in shown}
    assert not problems and not missing, (problems, sorted(missing))


def test_sum_over_paths_frames():
    """Forward values first, then the nudge along the top path edge by edge, the bottom one,
    the meeting at s, the last edge, and the sum beside a central difference."""
    s = chapter1()
    caps = s.captions()
    assert len(s) == 13 and len(s.print_frames) <= 6 and s.print_frames[-1] == len(s) - 1
    assert caps[1].startswith("Forward") and caps[2].startswith("Forward")
    assert [c.split(",")[0] for c in caps[4:10]] == [
        "Top path", "Top path", "Top path", "Bottom path", "Bottom path", "Bottom path"]
    assert [c.split(":")[0].split(",")[1].strip() for c in caps[4:10]] == [
        "x \u2192 z\u2081", "z\u2081 \u2192 a\u2081", "a\u2081 \u2192 s",
        "x \u2192 z\u2082", "z\u2082 \u2192 a\u2082", "a\u2082 \u2192 s"]
    # the running product grows one node a step: below z1, a1, s, then z2, a2
    below = [set(f.below) for f in s.frames]
    assert below[4] == {"x", "z1"} and below[6] == {"x", "z1", "a1", "s"}
    assert below[9] == {"x", "z1", "a1", "s", "z2", "a2"} and below[11] >= {"C"}
    last = {q.key: q for q in s.frames[-1].caption if isinstance(q, Shown)}
    assert last["dC/dx"].text == last["dC/dx(central)"].text == "0.0263"
    assert [p.text for p in s.frames[-1].below["x"] if isinstance(p, Shown)] == ["0.0263"]


def test_bp2_layers_one_layer_a_step():
    """Frame 0 is the forward pass (σ′ above every unit, no δ); frame 1 adds δ of the output
    layer (BP1); each next frame adds δ of exactly one layer, the one before, with its shape;
    the last gives the weight gradients' shapes."""
    s = chapter4()
    sizes = bp2_expected.SIZES
    L = len(sizes) - 1
    assert len(s) == L + 2 and list(s.print_frames) == list(range(len(s)))

    def layers_with_delta(frame):
        return {int(k.split("_")[0][1:]) for k in frame.below if "_" in k}

    assert not s.frames[0].below
    assert {k for k in s.frames[0].above if k.startswith("z")} == {
        f"z{l}_{j}" for l in range(1, L + 1) for j in range(1, sizes[l] + 1)}
    for k in range(1, L + 1):
        assert layers_with_delta(s.frames[k]) == set(range(L - k + 1, L + 1)), k
        shape = [p.text for p in s.frames[k].below[f"z{L - k + 1}"] if isinstance(p, Shown)]
        assert shape == [str(sizes[L - k + 1]), "1"]
    for k, l in enumerate(range(L - 1, 0, -1), start=2):
        numbers = [p.text for p in s.frames[k].caption if isinstance(p, Shown)]
        # (W^{l+1})ᵀ is (n_l, n_{l+1}), δ^{l+1} is (n_{l+1}, 1), the product and δ^l are (n_l, 1)
        assert numbers[:4] == [str(sizes[l]), str(sizes[l + 1]), str(sizes[l + 1]), "1"], numbers
        assert s.frames[k].active[0] == f"z{l}>z{l + 1}"
    edges = s.frames[-1].on_edges
    for l in range(1, L + 1):
        source = "x" if l == 1 else f"z{l - 1}"
        assert [p.text for p in edges[f"{source}>z{l}"] if isinstance(p, Shown)] == [
            str(sizes[l]), str(sizes[l - 1])]


@pytest.mark.parametrize("build", [chapter1, chapter4], ids=["sum_over_paths", "bp2_layers"])
def test_digits_only_in_shown_numbers(build):
    """No ASCII digit in a caption or on the figure outside a shown number (the browser test's
    rule: a digit typed into a template would be a number no test compares)."""
    s = build()
    stray = []
    for k, f in enumerate(s.frames):
        texts = [f.caption, *f.above.values(), *f.below.values(), *f.on_edges.values()]
        for parts in texts:
            for p in parts:
                if isinstance(p, str):
                    bare = p
                    for constant in FORMULA_CONSTANTS:
                        bare = bare.replace(constant, "")
                    if re.search(r"[0-9]", bare):
                        stray.append((k, p))
    labels = [n.label for n in s.diagram.nodes]
    assert not stray and not any(re.search(r"[0-9]", t) for t in labels), (stray, labels)


@pytest.mark.parametrize("build", [chapter1, chapter4], ids=["sum_over_paths", "bp2_layers"])
def test_html_is_deterministic_and_small(build):
    a, b = build().to_html(), build().to_html()
    assert a == b
    assert len(a.encode()) < 150_000
    assert a.count('class="bp-pf"') <= 6


# ----------------------------------------------- against differences and backprop
@settings(max_examples=40, deadline=None)
@given(x=st.floats(-2, 2), y=st.floats(-1, 1),
       w=st.lists(st.floats(-3, 3), min_size=2, max_size=2),
       v=st.lists(st.floats(-3, 3), min_size=2, max_size=2))
def test_sum_over_paths_agrees_with_a_central_difference(x, y, w, v):
    """For any graph, the ∂C/∂x the stepper shows is a central difference of C, and each
    path's share is the path's own product of local derivatives."""
    s = sum_over_paths(x, y, w, v)
    q = shown_by_key(s)
    w, v = np.array(w), np.array(v)

    def cost(x_):
        return 0.5 * (v @ activations.sigmoid(w * x_) - y) ** 2

    h = 1e-5
    fd = (cost(x + h) - cost(x - h)) / (2 * h)
    assert abs(q["dC/dx"].value - fd) < 1e-7
    assert abs(value_of(q["dC/dx"].text) - fd) <= half_unit(q["dC/dx"].text) + 1e-7
    prime = activations.sigmoid_prime(w * x)
    for j, path in ((1, "top"), (2, "bottom")):
        assert q[f"ds/dx({path})"].value == pytest.approx(w[j - 1] * prime[j - 1] * v[j - 1],
                                                          rel=1e-12, abs=1e-15)
    assert q["dC/dx(top)"].value + q["dC/dx(bottom)"].value == pytest.approx(fd, abs=1e-7)


@settings(max_examples=25, deadline=None)
@given(hidden=st.lists(st.integers(1, 8), min_size=1, max_size=5),
       seed=st.integers(0, 10_000), x=st.floats(-3, 3), y=st.floats(0, 1),
       cost=st.sampled_from(["quadratic", "mse", "binary_cross_entropy"]))
def test_bp2_layers_errors_are_backprops(hidden, seed, x, y, cost):
    """For any network that fits the figure, each δ^l_j shown is the bias gradient
    Network.backprop returns (BP3), to the digits shown."""
    net = Network([1, *hidden, 1], activation="sigmoid", cost=cost, seed=seed)
    s = bp2_layers(net, [[x]], [[y]])
    q = shown_by_key(s)
    nabla_b, _ = net.backprop([[x]], [[y]])
    for l, n in enumerate(hidden + [1], start=1):
        for j in range(1, n + 1):
            shown_q = q[f"delta{l}_{j}"]
            truth = nabla_b[l - 1][j - 1, 0]
            assert shown_q.value == pytest.approx(truth, rel=1e-10, abs=1e-15)
            assert abs(value_of(shown_q.text) - truth) <= half_unit(shown_q.text) * (1 + 1e-9)


# ------------------------------------------------------------- the builders' checks
def test_bp2_layers_refuses_errors_that_disagree_with_backprop(monkeypatch):
    """If the errors computed step by step did not give backprop's gradients, the builder
    raises instead of drawing them (planted: a backprop off by 1%)."""
    real = Network.backprop

    def off(self, x, y):
        nabla_b, nabla_w = real(self, x, y)
        return nabla_b, [g * 1.01 for g in nabla_w]

    monkeypatch.setattr(Network, "backprop", off)
    x, y = cosine_curve()
    with pytest.raises(AssertionError, match="disagrees with Network.backprop"):
        bp2_layers(chapter4_net(), x[:, :1], y[:, :1])


def test_sum_over_paths_refuses_a_sum_the_nudge_contradicts(monkeypatch):
    """If the local derivatives were wrong (planted: σ′ computed as a(1 - a) of z, the slip
    chapter 1 warns about), the central difference disagrees and the builder raises."""
    real = activations.get_activation("sigmoid")

    class Slipped:
        f = staticmethod(real.f)

        @staticmethod
        def prime(z):
            return z * (1 - z)

    monkeypatch.setattr(paths_module, "get_activation", lambda name: Slipped)
    with pytest.raises(AssertionError, match="disagrees with the central difference"):
        chapter1()
