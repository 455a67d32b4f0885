"""bplib.stepper (the step-through figures) and bplib.stepper_words (their words), unit and property tests.

What the browser test (tests/test_site_steppers.py) relies on, checked without a browser:
every number is a :func:`~bplib.stepper.shown` printed with the book's portable rounding
and carried in a ``data-q`` element; the HTML is the same string for the same inputs (nbval
compares it exactly); every frame and caption is there, at most six printed frames, and
no more than :data:`~bplib.stepper.MAX_PAYLOAD_BYTES`; bad input raises a clear error; and
every language of the words table has the groups, keys and fields of English.
"""

from __future__ import annotations

import copy
import doctest
import re
import string
from html.parser import HTMLParser

import numpy as np
import pytest
from expected_steps import parse_shown, tolerance
from hypothesis import assume, given
from hypothesis import strategies as st

import bplib.stepper as stepper_module
import bplib.stepper_words as words_module
from bplib.display import UnstableRounding, fixed, sig
from bplib.stepper import (MAX_PAYLOAD_BYTES, MAX_PRINT_FRAMES, Diagram, Edge, Frame, Node, Shown,
                           Stepper, Steps, caption, shown)
from bplib.stepper_words import WORDS, words

MINUS = "\u2212"


# ------------------------------------------------------------------------ helpers
def small_diagram() -> Diagram:
    return Diagram([Node("x", "x", 40, 50), Node("y", "y", 200, 50), Node("C", "C", 320, 50)],
                   [Edge("x", "y"), Edge("y", "C")], width=360, height=110)


def small_stepper(values=(2.0, 3.0, -0.25), *, print_frames=None, name="demo") -> Stepper:
    d = small_diagram()
    steps = Steps(d)
    x, y, c = (shown(k, v, decimals=2) for k, v in zip(("x", "y", "C"), values))
    steps.value("x", x)
    steps.on_edge("x>y", shown("w", 0.5, decimals=1))
    steps.frame(["x is ", x])
    steps.value("y", y)
    steps.frame(["y is ", y], active=["x>y", "y"])
    steps.grad("y", c)
    steps.on_edge("y>C", shown("dC/dy", values[2] * 2, decimals=2), phase="backward")
    steps.frame(["the gradient is ", c], active=["y"], phase="backward")
    return Stepper(name, "A demo", d, steps.frames, print_frames=print_frames)


class Parsed(HTMLParser):
    """A stepper's HTML read back: its text outside and inside data-q elements, by part."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.quantities: list[tuple[str, str, str]] = []    # (part, key, text)
        self.loose: list[tuple[str, str]] = []              # (classes of the enclosing elements, text)
        self.groups: list[dict] = []
        self.captions: list[dict] = []
        self.printed: list[dict] = []
        self._q: list | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.stack.append((tag, a))
        cls = a.get("class", "")
        if tag == "g" and "bp-f" in cls.split():
            self.groups.append(a)
        if "bp-cap" in cls.split() and not self._inside("bp-print"):
            self.captions.append(a)
        if "bp-pf" in cls.split():
            self.printed.append(a)
        if "data-q" in a:
            self._q = [a["data-q"], ""]

    def handle_endtag(self, tag):
        _, a = self.stack.pop()
        if "data-q" in a and self._q is not None:
            part = "print" if self._inside("bp-print") else "live"
            self.quantities.append((part, self._q[0], self._q[1]))
            self._q = None

    def handle_data(self, data):
        if not self.stack or self.stack[-1][0] in ("style", "script"):
            return
        if self._q is not None:
            self._q[1] += data
        elif data.strip():
            self.loose.append((" ".join(a.get("class", "") for _, a in self.stack), data))

    def _inside(self, cls: str) -> bool:
        return any(cls in a.get("class", "").split() for _, a in self.stack)


# ------------------------------------------------------------------------ shown()
def test_shown_prints_with_fixed_and_sig_and_a_true_minus():
    assert shown("a", 0.123456, decimals=3) == Shown("a", 0.123456, "0.123")
    assert shown("a", -0.0181, decimals=4).text == MINUS + "0.0181"
    assert shown("a", 0.5, decimals=2, sign=True).text == "+0.50"
    assert shown("a", 1.0, decimals=0).text == "1"
    assert shown("a", 0.018104, digits=3).text == "1.81e" + MINUS + "02"
    assert shown("a", np.float64(2.5), decimals=1).value == 2.5
    assert "-" not in shown("dC/dW11", -1.5e-7, digits=2).text


@given(st.floats(-1e6, 1e6, allow_nan=False), st.integers(0, 7))
def test_shown_fixed_is_bplib_display_fixed_and_reads_back(value, decimals):
    try:
        q = shown("v", value, decimals=decimals)
    except UnstableRounding:
        with pytest.raises(UnstableRounding):
            fixed(value, decimals)
        return
    assert q.text == fixed(value, decimals).replace("-", MINUS)
    back, half = parse_shown(q.text)
    assert abs(back - value) <= tolerance(half) * (1 + 1e-9) + abs(value) * 1e-15


@given(st.floats(-1e12, 1e12, allow_nan=False).filter(lambda v: v != 0), st.integers(1, 6))
def test_shown_sig_is_bplib_display_sig_and_reads_back(value, digits):
    try:
        q = shown("v", value, digits=digits)
    except UnstableRounding:
        return
    assert q.text == sig(value, digits).replace("-", MINUS)
    back, half = parse_shown(q.text)
    assert abs(back - value) <= tolerance(half) * (1 + 1e-9)


@pytest.mark.parametrize("value, decimals", [(0.125, 2), (0.0181500000000001, 4), (-2.5, 0), (1.05, 1)])
def test_shown_refuses_a_value_on_a_rounding_boundary(value, decimals):
    with pytest.raises(UnstableRounding, match="rounding boundary"):
        shown("v", value, decimals=decimals)


@given(st.integers(-10**6, 10**6), st.integers(1, 6))
def test_shown_refuses_every_exact_half_unit(n, decimals):
    value = (n + 0.5) / 10 ** decimals
    assume(abs(value * 10 ** decimals - (n + 0.5)) < 1e-9)
    with pytest.raises(UnstableRounding):
        shown("v", value, decimals=decimals)


@pytest.mark.parametrize("key", ["", "a b", 'a"b', "a<b", "a&b", "δ", None, 3])
def test_shown_refuses_a_bad_key(key):
    with pytest.raises(ValueError, match="key must be"):
        shown(key, 1.0, decimals=1)


@pytest.mark.parametrize("kwargs", [{}, {"decimals": 2, "digits": 3}])
def test_shown_needs_exactly_one_of_decimals_and_digits(kwargs):
    with pytest.raises(TypeError, match="exactly one of decimals"):
        shown("a", 1.0, **kwargs)


@pytest.mark.parametrize("value, error", [(True, TypeError), ("1.0", TypeError), (None, TypeError),
                                          ([1.0, 2.0], TypeError), (float("nan"), ValueError),
                                          (float("inf"), ValueError)])
def test_shown_refuses_a_bad_value(value, error):
    with pytest.raises(error):
        shown("a", value, decimals=1)


@pytest.mark.parametrize("kwargs", [{"decimals": -1.5}, {"decimals": "2"}, {"digits": 0}])
def test_shown_refuses_bad_digits(kwargs):
    with pytest.raises((ValueError, TypeError)):
        shown("a", 1.0, **kwargs)


# ------------------------------------------------------------------------ Diagram, Steps
@pytest.mark.parametrize("make, match", [
    (lambda: Diagram([], [], 100, 100), "at least one node"),
    (lambda: Diagram([Node("a", "a", 1, 1)], [], 0, 100), "positive"),
    (lambda: Diagram([Node("a", "a", 1, 1), Node("a", "b", 2, 2)], [], 100, 100), "unique"),
    (lambda: Diagram([Node("a", "a", 1, 1), Node("b", "b", 2, 2)], [Edge("a", "b"), Edge("a", "b")], 100, 100),
     "edge keys must be unique"),
    (lambda: Diagram([Node("a", "a", 1, 1)], [Edge("a", "zz")], 100, 100), "names node 'zz'"),
    (lambda: Node("a b", "a", 1, 1), "key"),
    (lambda: Node("a", "a", float("nan"), 1), "finite"),
    (lambda: Node("a", "a", 1, 1, r=0), "positive"),
    (lambda: Edge("a", "a"), "two different nodes"),
    (lambda: Edge("a", "b", label_at=1.5), r"\[0, 1\]"),
])
def test_a_bad_diagram_raises_a_clear_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_two_edges_between_the_same_nodes_need_their_own_keys():
    nodes = [Node("a", "a", 10, 10), Node("b", "b", 90, 10)]
    d = Diagram(nodes, [Edge("a", "b", bend=0.2), Edge("a", "b", bend=-0.2, key="a>b/2")], 100, 30)
    assert [e.key for e in d.edges] == ["a>b", "a>b/2"]


def test_steps_refuses_unknown_nodes_edges_and_phases():
    steps = Steps(small_diagram())
    with pytest.raises(ValueError, match="no node 'q'"):
        steps.value("q", "1")
    with pytest.raises(ValueError, match="no node 'q'"):
        steps.grad("q", "1")
    with pytest.raises(ValueError, match="no edge 'x>C'"):
        steps.on_edge("x>C", "w")
    with pytest.raises(ValueError, match="phase"):
        steps.on_edge("x>y", "w", phase="sideways")
    with pytest.raises(ValueError, match="neither a node nor an edge"):
        steps.frame("caption", active=["x>C"])
    with pytest.raises(ValueError, match="phase"):
        steps.frame("caption", phase="up")
    with pytest.raises(TypeError, match="str or a Shown"):
        steps.value("x", 1.0)
    with pytest.raises(TypeError, match="str or a Shown"):
        steps.frame(["x is ", 2.0])
    with pytest.raises(TypeError, match="Diagram"):
        Steps("not a diagram")


def test_steps_is_a_blackboard():
    """Text stays from frame to frame until replaced or erased; a frame is a snapshot."""
    steps = Steps(small_diagram())
    steps.value("x", "a")
    steps.frame("one")
    steps.value("x", "b")
    steps.grad("y", "g")
    steps.frame("two")
    steps.value("x")
    steps.frame("three")
    above = [dict(f.above) for f in steps.frames]
    assert above == [{"x": ("a",)}, {"x": ("b",)}, {}]
    assert [dict(f.below) for f in steps.frames] == [{}, {"y": ("g",)}, {"y": ("g",)}]


# ------------------------------------------------------------------------ Stepper
@pytest.mark.parametrize("kwargs, error, match", [
    ({"name": "Demo"}, ValueError, "lowercase"),
    ({"name": "1demo"}, ValueError, "lowercase"),
    ({"name": "de mo"}, ValueError, "lowercase"),
    ({"title": ""}, ValueError, "title"),
    ({"frames": []}, ValueError, "at least one frame"),
    ({"frames": ["a frame"]}, TypeError, "Frame"),
    ({"diagram": "d"}, TypeError, "Diagram"),
    ({"print_frames": []}, ValueError, "1 to 6"),
    ({"print_frames": list(range(7))}, ValueError, "1 to 6"),
    ({"print_frames": [2, 1]}, ValueError, "increasing"),
    ({"print_frames": [1, 1]}, ValueError, "increasing"),
    ({"print_frames": [0, 3]}, ValueError, "increasing frame numbers in 0..2"),
    ({"print_frames": [-1]}, ValueError, "increasing frame numbers"),
    ({"print_frames": [0.0, 1.5]}, TypeError, "int"),
    ({"print_frames": [True]}, TypeError, "int"),
    ({"lang": "xx"}, ValueError, "lang must be one of"),
])
def test_a_bad_stepper_raises_a_clear_error(kwargs, error, match):
    base = small_stepper()
    args = {"name": "demo", "title": "A demo", "diagram": base.diagram, "frames": base.frames}
    args.update(kwargs)
    extra = {k: args.pop(k) for k in ("print_frames", "lang") if k in args}
    with pytest.raises(error, match=match):
        Stepper(args["name"], args["title"], args["diagram"], args["frames"], **extra)


def test_more_than_six_frames_print_six_at_most():
    d = small_diagram()
    frames = [Frame((f"frame {k}",)) for k in range(20)]
    assert Stepper("many", "Many", d, frames).print_frames == (0, 4, 8, 11, 15, 19)
    with pytest.raises(ValueError, match="1 to 6 frames, but got 7"):
        Stepper("many", "Many", d, frames, print_frames=range(0, 14, 2))


@given(st.integers(1, 60))
def test_default_printed_frames_are_the_ends_and_between(n):
    frames = [Frame(("f",)) for _ in range(n)]
    pf = Stepper("s", "S", small_diagram(), frames).print_frames
    assert 1 <= len(pf) <= MAX_PRINT_FRAMES
    assert pf[0] == 0 and pf[-1] == n - 1
    assert list(pf) == sorted(set(pf))
    assert len(pf) == min(n, MAX_PRINT_FRAMES)


# ------------------------------------------------------------------------ the HTML
def test_html_is_the_same_string_for_the_same_inputs():
    assert small_stepper().to_html() == small_stepper().to_html()
    assert small_stepper()._repr_html_() == small_stepper().to_html()
    assert small_stepper((2.0, 3.0, -0.25)).to_html() != small_stepper((2.0, 3.0, -0.5)).to_html()


@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=3, max_size=3),
       st.integers(0, 6))
def test_every_number_of_the_html_is_in_a_data_q_element(values, decimals):
    """Drawn at random: every shown number is a data-q element with its text; no digit is
    outside one except in the step counters; each frame has its group and caption (only
    the first showing); the printed frames are the ones asked for, with their heads."""
    try:
        s = small_stepper(values)
    except UnstableRounding:
        assume(False)
    html = s.to_html()
    p = Parsed(html)
    n = len(s)
    live = [(k, t) for part, k, t in p.quantities if part == "live"]
    assert live == [(q.key, q.text) for q in _in_drawing_order(s)]
    for where, text in p.loose:
        if re.search(r"[0-9]", text):
            assert "bp-count" in where.split() or "bp-pf-head" in where.split(), (where, text)
    assert [g["data-f"] for g in p.groups[:n]] == [str(k) for k in range(n)]
    assert [g["display"] for g in p.groups[:n]] == ["inline"] + ["none"] * (n - 1)
    assert [c["data-f"] for c in p.captions] == [str(k) for k in range(n)]
    assert ["hidden" in c for c in p.captions] == [False] + [True] * (n - 1)
    assert [int(pf["data-f"]) for pf in p.printed] == list(s.print_frames)
    heads = re.findall(r'<p class="bp-pf-head">([^<]*)</p>', html)
    assert heads == [f"Step {k + 1} of {n}" for k in s.print_frames]
    for k in s.print_frames:    # a printed frame shows the live frame's numbers
        printed = re.search(rf'<div class="bp-pf" data-f="{k}">(.*?)</div></div>', html).group(1)
        group = re.search(rf'<g class="bp-f" data-f="{k}"[^>]*>(.*?)</g>', html).group(1)
        assert re.findall(r'data-q="[^"]*">[^<]*<', group) == re.findall(
            r'data-q="[^"]*">[^<]*<', printed.split("</svg>")[0])


def _in_drawing_order(s: Stepper) -> list[Shown]:
    """The numbers in the order the HTML has them: every frame's figure (edges, then above
    and below each node), then every caption."""
    figure, captions = [], []
    for f in s.frames:
        for e in s.diagram.edges:
            figure += [p for p in f.on_edges.get(e.key, ()) if isinstance(p, Shown)]
        for nd in s.diagram.nodes:
            figure += [p for p in f.above.get(nd.key, ()) if isinstance(p, Shown)]
            figure += [p for p in f.below.get(nd.key, ()) if isinstance(p, Shown)]
        captions += [p for p in f.caption if isinstance(p, Shown)]
    return figure + captions


def test_text_is_escaped():
    d = small_diagram()
    s = Stepper("esc", 'A <b>"title"</b>', d, [Frame(("<script>alert(1)</script> & ",))])
    html = s.to_html()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert 'aria-label="A &lt;b&gt;&quot;title&quot;&lt;/b&gt;"' in html


def test_the_widget_keeps_its_size_within_the_budget():
    """A stepper heavier than MAX_PAYLOAD_BYTES refuses to draw itself; chapter 2's weighs less."""
    from bplib.walkthroughs import worked_example

    s = worked_example([0.35, 0.9], 0.5, [[0.1, 0.8], [0.4, 0.6]], [[0.3, 0.9]], 0.01)
    assert len(s.to_html().encode("utf-8")) <= MAX_PAYLOAD_BYTES
    d = small_diagram()
    steps = Steps(d)
    for k in range(600):
        steps.value("x", shown("x", k / 7 + 1e-4, decimals=3))
        steps.frame(["a long caption that repeats itself, frame ", shown("k", k, decimals=0)] * 6)
    with pytest.raises(ValueError, match="MAX_PAYLOAD_BYTES"):
        Stepper("heavy", "Heavy", d, steps.frames).to_html()


def test_the_module_examples_run():
    result = doctest.testmod(stepper_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# ------------------------------------------------------------------------ words
def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


#: The controls' words the widget uses, and the fields of its counter.
CONTROLS = {"stepper", "first", "first_label", "prev", "prev_label", "next", "next_label", "last",
            "last_label", "step_of", "hint"}


def table_problems(table: dict) -> list[str]:
    """What is wrong with a words table: a language without a group, key or field that English
    has (or with one English lacks), a template field that is not a plain name, the controls
    without a word the widget shows, a walkthrough's group without its title, description
    and legend."""
    out = []
    en = table["en"]
    for lang, groups in table.items():
        if set(groups) != set(en):
            out.append(f"{lang}: groups {sorted(set(groups) ^ set(en))} differ from English")
        for group, entries in groups.items():
            if group not in en:
                continue
            if set(entries) != set(en[group]):
                out.append(f"{lang}.{group}: keys {sorted(set(entries) ^ set(en[group]))} differ from English")
            for key, template in entries.items():
                if not isinstance(template, str) or not template.strip():
                    out.append(f"{lang}.{group}.{key}: not a non-empty str")
                    continue
                try:
                    parsed = list(string.Formatter().parse(template))
                except ValueError as err:
                    out.append(f"{lang}.{group}.{key}: {err}")
                    continue
                for _, name, spec, conversion in parsed:
                    if name is not None and (spec or conversion or not name.isidentifier()):
                        out.append(f"{lang}.{group}.{key}: field {{{name}}} is not a plain name")
                if key in en[group] and _fields(template) != _fields(en[group][key]):
                    out.append(f"{lang}.{group}.{key}: fields {sorted(_fields(template))}, English has "
                               f"{sorted(_fields(en[group][key]))}")
    if set(en.get("controls", {})) != CONTROLS:
        out.append(f"en.controls: keys {sorted(set(en.get('controls', {})) ^ CONTROLS)} differ from the widget's")
    elif _fields(en["controls"]["step_of"]) != {"i", "n"}:
        out.append("en.controls.step_of: its fields must be {i} and {n}")
    for group, entries in en.items():
        if group != "controls":
            missing = {"title", "description", "legend"} - set(entries)
            if missing:
                out.append(f"en.{group}: no {sorted(missing)}")
    return out


def test_the_words_table_is_whole_in_every_language():
    assert not table_problems(WORDS)
    assert words_module.LANGUAGES == tuple(WORDS)


def _translated(edit) -> dict:
    table = copy.deepcopy(WORDS)
    table["xx"] = copy.deepcopy(table["en"])
    edit(table["xx"])
    return table


@pytest.mark.parametrize("edit, found", [
    (lambda t: t.pop("worked_example"), "groups"),
    (lambda t: t["controls"].pop("hint"), "keys ['hint']"),
    (lambda t: t["worked_example"].update(extra="x"), "keys ['extra']"),
    (lambda t: t["worked_example"].update(start="no fields here"), "fields []"),
    (lambda t: t["worked_example"].update(start="{x1} {x2} {y:.2f}"), "not a plain name"),
    (lambda t: t["controls"].update(next="{"), "Single '{'"),
])
def test_the_check_of_the_table_finds_a_broken_translation(edit, found):
    problems = table_problems(_translated(edit))
    assert any(found in p for p in problems), problems


def test_words_and_caption_refuse_unknown_languages_groups_and_keys():
    with pytest.raises(ValueError, match="lang must be one of"):
        words("xx", "controls")
    with pytest.raises(ValueError, match="no words for 'nope'"):
        words("en", "nope")
    with pytest.raises(ValueError, match="no caption 'nope'"):
        caption("en", "worked_example", "nope")


def test_caption_fills_a_template_with_text_and_numbers():
    one = shown("dC/dC", 1.0, decimals=0)
    parts = caption("en", "worked_example", "seed", one=one)
    assert parts == ("Backward starts at the cost: \u2202C/\u2202C = ", one, ".")
    sub = caption("en", "worked_example", "a_hidden", j="\u2081", z=shown("z", 0.755, decimals=3),
                  a=shown("a", 0.68, decimals=3))
    assert "".join(p.text if isinstance(p, Shown) else p for p in sub) == \
        "Forward: a\u00b9\u2081 = \u03c3(z\u00b9\u2081) = \u03c3(0.755) = 0.680"


def test_caption_refuses_missing_extra_and_wrong_fields(monkeypatch):
    one = shown("one", 1.0, decimals=0)
    with pytest.raises(ValueError, match="needs the field 'one'"):
        caption("en", "worked_example", "seed")
    with pytest.raises(ValueError, match=r"does not use the fields \['two'\]"):
        caption("en", "worked_example", "seed", one=one, two=one)
    with pytest.raises(TypeError, match="must be text or a shown number"):
        caption("en", "worked_example", "seed", one=1.0)
    table = copy.deepcopy(WORDS)
    table["en"]["worked_example"]["seed"] = "{one:.2f}"
    monkeypatch.setattr(words_module, "WORDS", table)
    with pytest.raises(ValueError, match="plain names"):
        caption("en", "worked_example", "seed", one=one)
