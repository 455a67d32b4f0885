"""The languages bplib speaks (:mod:`bplib.language`): the checkers' translated sentences, the
steppers' translated words, and how the language in use is chosen.

What a reader of the Chinese edition relies on: every checker sentence exists in Chinese with
the same fields as the English one (so no verdict falls back to English or raises a KeyError
mid-check); no sentence was left in English; Chinese punctuation is full-width, also once a
sentence is put together from its pieces (a hidden case inside a verdict); a checker called in
Chinese prints a Chinese verdict and, in English, exactly what it printed before; a stepper
built in Chinese has Chinese controls; and a cell's ``metadata.bplib.lang`` switches the
language. (That every language of the steppers' table has English's groups, keys and fields is
tested in ``tests/test_stepper.py``, ``table_problems``.)
"""

from __future__ import annotations

import copy
import re
import string

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import bplib.exercises._magic as magic
import bplib.language as language
from bplib import activations
from bplib.exercises import check
from bplib.exercises.messages import MESSAGES, PREFIXES, TRANSLATIONS, msg, prefix
from bplib.language import LANGUAGES, get_language, resolve, set_language, speaking
from bplib.stepper_words import WORDS

ZH_MESSAGES, ZH_PREFIXES = TRANSLATIONS["zh_CN"]


@pytest.fixture(autouse=True)
def english_by_default(monkeypatch):
    """Every test starts with nothing chosen and no BPLIB_LANG, and leaves nothing chosen."""
    monkeypatch.delenv("BPLIB_LANG", raising=False)
    set_language(None)
    yield
    set_language(None)


# ------------------------------------------------------------------ helpers
def _fields(template: str) -> set[tuple[str, str, str | None]]:
    """The replacement fields of ``template``: (name, format spec, conversion) each."""
    return {(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(template)
            if name is not None}


def message_table_problems(translations: dict) -> list[str]:
    """What is wrong with the checkers' translations: ids missing or extra against English, a
    template whose fields (names, format specs, conversions) differ from English's, a template
    that does not parse, a verdict prefix missing."""
    out = []
    for lang, (table, prefixes) in translations.items():
        if set(table) != set(MESSAGES):
            out.append(f"{lang}: ids missing {sorted(set(MESSAGES) - set(table))}, "
                       f"extra {sorted(set(table) - set(MESSAGES))}")
        if set(prefixes) != {True, False} or not all(isinstance(p, str) and p.strip()
                                                     for p in prefixes.values()):
            out.append(f"{lang}: the verdict prefixes must be two non-empty words, for True and False")
        for key, template in table.items():
            if not isinstance(template, str) or not template.strip():
                out.append(f"{lang}.{key}: not a non-empty str")
                continue
            try:
                fields = _fields(template)
            except ValueError as err:
                out.append(f"{lang}.{key}: {err}")
                continue
            if key in MESSAGES and fields != _fields(MESSAGES[key]):
                out.append(f"{lang}.{key}: fields {sorted(fields)}, English has "
                           f"{sorted(_fields(MESSAGES[key]))}")
    return out


#: Characters of Chinese text (CJK ideographs).
HAN = r"[\u3400-\u4dbf\u4e00-\u9fff]"
#: A plain English word, with the punctuation that may end it in a sentence.
_WORD = re.compile(r"^[A-Za-z]+(?:'[a-z]+)?[,.;:!?]?$")


def english_runs(text: str, length: int = 6) -> list[str]:
    """Runs of ``length`` or more plain English words in a row (a sentence left in English),
    outside backticks; a token with code characters (``_ . ( ) = [ ] {``) is not a word."""
    text = re.sub(r"`[^`]*`", " ", text)
    runs, run = [], []
    for token in re.split(r"\s+", text):
        if _WORD.match(token):
            run.append(token)
            continue
        if len(run) >= length:
            runs.append(" ".join(run))
        run = []
    if len(run) >= length:
        runs.append(" ".join(run))
    return runs


def punctuation_problems(text: str) -> list[str]:
    """ASCII punctuation between Chinese characters (``，`` written ``, ``), and a space
    between two Chinese characters or next to full-width punctuation."""
    out = [m.group(0) for m in re.finditer(HAN + r"\s*[,;:?!]\s*" + HAN, text)]
    out += [m.group(0) for m in re.finditer(HAN + r" +" + HAN, text)]
    out += [m.group(0) for m in re.finditer(r"[，。：；？！、（）“”] +\S|\S +[，。：；？！、）”]", text)]
    return out


def _is_a_sentence(english: str) -> bool:
    """Whether an English template says something in words (three words of three letters or
    more), rather than being a formula or a name that stays as it is."""
    return len(re.findall(r"\b[A-Za-z]{3,}\b", english)) >= 3


def _strings_of_words(table: dict) -> list[tuple[str, str]]:
    return [(f"{group}.{key}", text) for group, entries in table.items() for key, text in entries.items()]


# ------------------------------------------------------- the tables are whole
def test_every_language_has_every_checker_message_with_the_same_fields():
    assert set(TRANSLATIONS) | {"en"} == set(LANGUAGES)
    assert len(MESSAGES) == len(ZH_MESSAGES)
    assert not message_table_problems(TRANSLATIONS)


def _edited(edit) -> dict:
    table, prefixes = copy.deepcopy(ZH_MESSAGES), dict(ZH_PREFIXES)
    edit(table, prefixes)
    return {"zh_CN": (table, prefixes)}


@pytest.mark.parametrize("edit, found", [
    (lambda t, p: t.pop("xor.no_mean"), "ids missing ['xor.no_mean']"),
    (lambda t, p: t.update({"xor.extra": "多余"}), "extra ['xor.extra']"),
    (lambda t, p: t.update({"core.wrong_shape": "{name}{at}：形状为 {got}"}), "core.wrong_shape: fields"),
    (lambda t, p: t.update({"core.returned_none": "{name}{where}：结果是 None"}), "core.returned_none: fields"),
    (lambda t, p: t.update({"case.at_v": "在 v.data = {v} 处"}), "case.at_v: fields"),
    (lambda t, p: t.update({"speed.count.not_a_pair": "{where}，{type} {got}"}), "speed.count.not_a_pair"),
    (lambda t, p: t.update({"core.mutated": "{what 原地修改"}), "core.mutated"),
    (lambda t, p: p.pop(False), "prefixes"),
])
def test_the_check_of_the_message_table_finds_a_broken_translation(edit, found):
    problems = message_table_problems(_edited(edit))
    assert any(found in p for p in problems), problems


def test_every_chinese_template_fills_with_the_fields_a_checker_gives():
    """The fields English gets are enough for Chinese (a KeyError mid-check would hide the verdict)."""
    for key, template in MESSAGES.items():
        values = {name: "7" for name, _, _ in _fields(template)}
        values.update({name: 7.0 for name, spec, _ in _fields(template) if spec})
        ZH_MESSAGES[key].format(**values)


# --------------------------------------------------- no English left, full-width
def test_the_two_checks_of_chinese_text_find_what_they_look_for():
    assert english_runs("dx 在 every hidden case but the first one 上") == [
        "every hidden case but the first one"]
    assert english_runs("请用 `this is a code span with words` 和 sigmoid_prime(z)") == []
    assert english_runs("bplib.activations.sigmoid or sigmoid_prime a b c") == []
    assert punctuation_problems("形状不对, 应为 (3, 4)") == ["对, 应"]
    assert punctuation_problems("形状不对 应为 (3, 4)") == ["对 应"]
    assert punctuation_problems("形状不对， 应为 (3, 4)") == ["， 应"]
    assert punctuation_problems("在 (3, 4) 矩阵上，dW 的形状为 (4, 3)：请用 x.T @ dout") == []


_han_text = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=8)
_words = st.lists(st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=9), min_size=6, max_size=12)


@given(left=_han_text, right=_han_text, mark=st.sampled_from([",", ";", ":", "?", "!"]),
       space=st.sampled_from(["", " "]))
def test_ascii_punctuation_between_chinese_is_found_and_full_width_is_not(left, right, mark, space):
    assert punctuation_problems(left + mark + space + right)
    assert punctuation_problems(left + " " + right)
    full = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}[mark]
    assert not punctuation_problems(left + full + right)


@given(before=_han_text, words=_words, after=_han_text)
def test_six_english_words_in_a_row_are_found_unless_in_backticks(before, words, after):
    sentence = " ".join(words)
    assert english_runs(f"{before} {sentence} {after}") == [sentence]
    assert english_runs(f"{before} `{sentence}` {after}") == []
    assert english_runs(f"{before} {' '.join(words[:5])} {after}") == []


@pytest.mark.parametrize("key", sorted(ZH_MESSAGES))
def test_no_checker_sentence_is_left_in_english_and_its_punctuation_is_chinese(key):
    text = ZH_MESSAGES[key]
    assert not english_runs(text), (key, english_runs(text))
    assert not punctuation_problems(text), (key, punctuation_problems(text))
    if _is_a_sentence(MESSAGES[key]):
        assert re.search(HAN, text), f"{key} is not translated: {text!r}"


def test_the_verdict_prefixes_are_chinese_words_with_a_full_width_colon():
    assert ZH_PREFIXES == {True: "正确：", False: "还不对："}
    assert ZH_PREFIXES[True] != ZH_PREFIXES[False]


@pytest.mark.parametrize("key, text", _strings_of_words(WORDS["zh_CN"]),
                         ids=[key for key, _ in _strings_of_words(WORDS["zh_CN"])])
def test_no_stepper_word_is_left_in_english_and_its_punctuation_is_chinese(key, text):
    assert not english_runs(text), (key, english_runs(text))
    assert not punctuation_problems(text.replace("\u00a0", " ")), (key, punctuation_problems(text))
    english = WORDS["en"][key.split(".")[0]][key.split(".")[1]]
    if _is_a_sentence(english):
        assert re.search(HAN, text), f"{key} is not translated: {text!r}"


#: The ids whose sentence names a result, passed to the shared checks as ``name`` (and then
#: followed by a hidden case, " 在……时").
RESULT_NAMES = [k for k in MESSAGES if k.endswith((".result", "_name")) or k in (
    "autodiff.sin.data", "autodiff.sin.gradient", "autodiff.sin.composite", "autodiff.topo.gradient",
    "layers.dense.all_grads")]
#: The hidden cases, as the checkers name them.
CASES = [k for k in MESSAGES if k.startswith(("case.", "convolution.case.")) and not k.startswith(
    ("case.graph_", "case.causal", "case.attention_batch"))] + ["autodiff.topo.on_graph"]


def _fill(key: str, **given: str) -> str:
    template = ZH_MESSAGES[key]
    values = {name: ("7" if not spec else 7.0) for name, spec, _ in _fields(template)}
    values.update(given)
    return template.format(**values)


def _hidden_cases() -> list[tuple[str, str]]:
    """Every hidden case as a checker names it, the attention cases with and without their
    causal mask and batch."""
    out = []
    for key in CASES:
        if key == "case.attention":
            for causal in ("", _fill("case.causal")):
                for batch in ("", _fill("case.attention_batch")):
                    out.append((key, _fill(key, causal=causal, batch=batch)))
        else:
            out.append((key, _fill(key, where=_fill("case.graph_batch"))))
    return out


def test_a_verdict_put_together_from_its_pieces_reads_as_chinese():
    """Where a template receives a hidden case (``{where}``, or ``{name}{at}`` in the shared
    checks, ``at`` being " " + the case), the sentence put together has no space between
    Chinese characters and no ASCII punctuation between them: every template with every case,
    and every result's name in the shared checks."""
    cases = _hidden_cases()
    keys = sorted(k for k in ZH_MESSAGES if "{where}" in ZH_MESSAGES[k] or "{at}" in ZH_MESSAGES[k])
    assert len(cases) > 40 and len(keys) > 150
    bad = []
    for key in keys:
        # a result's name reaches the shared checks; the chapters' own templates name an array
        names = [_fill(n, label="x") for n in RESULT_NAMES] if "{at}" in ZH_MESSAGES[key] else ["dgamma"]
        for case_key, where in cases:
            for name in names:
                text = _fill(key, where=where, at=" " + where, name=name, suffix="",
                             position=_fill("core.at_index"), mistake=_fill("four_equations.bp2.no_prime"))
                if punctuation_problems(text):
                    bad.append((key, case_key, text))
    assert not bad, bad[:5]


# ------------------------------------------------------------- bplib.language
def test_the_language_is_english_by_default():
    assert get_language() == "en"
    assert resolve(None) == "en"
    assert prefix(True) == PREFIXES[True] and prefix(False) == PREFIXES[False]


def test_bplib_lang_sets_the_language_and_set_language_overrides_it(monkeypatch):
    monkeypatch.setenv("BPLIB_LANG", "zh_CN")
    assert get_language() == "zh_CN"
    monkeypatch.setenv("BPLIB_LANG", " zh_CN ")
    assert get_language() == "zh_CN"
    set_language("en")
    assert get_language() == "en"
    set_language(None)                      # back to BPLIB_LANG
    assert get_language() == "zh_CN"
    monkeypatch.setenv("BPLIB_LANG", "")
    assert get_language() == "en"


def test_speaking_speaks_inside_and_restores_what_was_spoken_before():
    set_language("zh_CN")
    with speaking("en") as lang:
        assert lang == "en" and get_language() == "en"
        with speaking("zh_CN"):
            assert get_language() == "zh_CN"
        assert get_language() == "en"
    assert get_language() == "zh_CN"
    with pytest.raises(RuntimeError), speaking("en"):
        raise RuntimeError("inside")
    assert get_language() == "zh_CN"
    set_language(None)
    with speaking("zh_CN"):
        pass
    assert get_language() == "en"


@pytest.mark.parametrize("call", [set_language, resolve, lambda lang: speaking(lang).__enter__()])
def test_a_language_bplib_does_not_speak_is_refused_naming_what_was_expected_and_given(call):
    with pytest.raises(ValueError, match=r"must be one of \('en', 'zh_CN'\), but got 'fr'"):
        call("fr")
    with pytest.raises(ValueError, match=r"but got 'zh-CN'"):
        call("zh-CN")
    with pytest.raises(TypeError, match=r"must be a str, one of \('en', 'zh_CN'\), but got int"):
        call(1)
    assert get_language() == "en"


def test_a_bad_bplib_lang_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.setenv("BPLIB_LANG", "de")
    with pytest.raises(ValueError, match=r"the environment variable BPLIB_LANG must be one of .*'de'"):
        get_language()
    set_language("zh_CN")                   # a choice made in the code wins over the variable
    assert get_language() == "zh_CN"


def test_msg_speaks_the_language_in_use_at_each_call():
    assert msg("core.mutated", what="f", number=2) == MESSAGES["core.mutated"].format(what="f", number=2)
    with speaking("zh_CN"):
        assert msg("core.mutated", what="f", number=2) == "f 原地修改了它的第 2 个参数；请在副本上计算"
        assert prefix(True) == "正确：" and prefix(False) == "还不对："
    assert prefix(False) == "Not yet: "


# --------------------------------------------------------- a checker in Chinese
def _on_z(z):
    return z * (1 - z)


def _constant(z):
    return np.full(np.shape(z), 0.3)


def test_a_checker_speaks_chinese_and_english_is_unchanged(capsys):
    with speaking("zh_CN"):
        wrong = check.sigmoid_prime(_on_z)
        right = check.sigmoid_prime(activations.sigmoid_prime)
    out = capsys.readouterr().out.splitlines()
    assert out == [wrong.message, right.message]
    assert not wrong.ok and wrong.message == "还不对：" + ZH_MESSAGES["chain_rule.sigmoid_prime.on_z"]
    assert right.ok and right.message.startswith("正确：" + ZH_MESSAGES["chain_rule.sigmoid_prime.correct"])

    wrong = check.sigmoid_prime(_on_z)
    right = check.sigmoid_prime(activations.sigmoid_prime)
    out = capsys.readouterr().out.splitlines()
    assert out == [wrong.message, right.message]
    assert wrong.message == "Not yet: " + MESSAGES["chain_rule.sigmoid_prime.on_z"]
    assert right.message.startswith("Correct: " + MESSAGES["chain_rule.sigmoid_prime.correct"])


def test_a_chinese_verdict_names_the_hidden_case_and_never_the_expected_value(capsys):
    """sigma'(0) is 0.25: the verdict says where and what the code gave, not what it should."""
    with speaking("zh_CN"):
        verdict = check.sigmoid_prime(_constant)
    line = capsys.readouterr().out.strip()
    assert line == verdict.message
    assert line == "还不对：sigmoid_prime(z) 在 z = 0 处：值不对，得到的是 0.3，与期望值不符"
    assert "0.25" not in line


def test_a_chinese_verdict_from_a_checker_of_a_later_chapter(capsys):
    def backward_div(a, b, out_grad):        # the upstream gradient forgotten
        return 1 / b, -a / b ** 2

    with speaking("zh_CN"):
        verdict = check.backward_div(backward_div)
    assert not verdict.ok
    assert verdict.message == "还不对：grad_a 忽略了 out_grad：要把局部导数乘以上游梯度（链式法则）"
    assert capsys.readouterr().out.strip() == verdict.message


# --------------------------------------------------------- a stepper in Chinese
def _worked_example(**kwargs):
    from bplib.walkthroughs import worked_example

    return worked_example(np.array([[0.35], [0.9]]), 0.5, np.array([[0.1, 0.8], [0.4, 0.6]]),
                          np.array([[0.3, 0.9]]), 0.01, **kwargs)


def test_a_stepper_built_in_chinese_has_chinese_controls_and_captions():
    zh = _worked_example(lang="zh_CN")._repr_html_()
    assert 'lang="zh-CN"' in zh
    for word in ("下一步 \u25b6", "\u25c0 上一步", "第 {i} 步，共 {n} 步", WORDS["zh_CN"]["controls"]["hint"],
                 "逐步走过前向传播和反向传递", "反向传递从代价开始"):
        assert word in zh, word
    assert "Next \u25b6" not in zh and "Backward starts" not in zh
    with speaking("zh_CN"):                  # the language in use, when none is given
        assert _worked_example()._repr_html_() == zh
    en = _worked_example()._repr_html_()
    assert 'lang="en"' in en and "Next \u25b6" in en and "下一步" not in en


# ------------------------------------------------------ a cell's metadata.bplib.lang
@pytest.mark.parametrize("metadata, lang", [
    ({"bplib": {"lang": "zh_CN"}}, "zh_CN"),
    ({"bplib": {"lang": "en"}, "jupyter": {"source_hidden": True}}, "en"),
    ({}, None),
    ({"jupyter": {"source_hidden": True}}, None),
    ({"bplib": {}}, None),
    ({"bplib": {"lang": "fr"}}, None),
    ({"bplib": {"lang": ["zh_CN"]}}, None),
    ({"bplib": "zh_CN"}, None),
    (None, None),
    ("zh_CN", None),
    ([("bplib", {"lang": "zh_CN"})], None),
])
def test_cell_language_reads_a_known_language_from_the_cells_metadata(metadata, lang):
    assert magic.cell_language(metadata) == lang


def test_follow_cell_language_switches_to_the_language_the_running_cell_asks_for(monkeypatch):
    sent = {}
    monkeypatch.setattr(magic, "_request_metadata", lambda ipython: sent.get("metadata"))
    magic.follow_cell_language()             # nbclient, nbval: no metadata, nothing changes
    assert get_language() == "en"
    sent["metadata"] = {"bplib": {"lang": "zh_CN"}}
    magic.follow_cell_language()
    assert get_language() == "zh_CN"
    assert msg("core.every_case") == ZH_MESSAGES["core.every_case"]
    sent["metadata"] = {"jupyter": {"source_hidden": True}}
    magic.follow_cell_language()             # a cell without the key keeps the language
    assert get_language() == "zh_CN"
    sent["metadata"] = {"bplib": {"lang": "xx"}}
    magic.follow_cell_language()
    assert get_language() == "zh_CN"
    sent["metadata"] = {"bplib": {"lang": "en"}}
    magic.follow_cell_language()
    assert get_language() == "en"


class _AffineWithoutStoredInput:
    """An Affine layer whose forward forgets x: its backward raises AttributeError."""

    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        return x @ self.W + self.b

    def backward(self, dout):
        return dout @ self.W.T, self.x.T @ dout  # self.x was never stored


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_a_checkers_hint_follows_the_exception_not_the_words(lang, capsys):
    """A hint is added because the reader's code raised (CheckFailed.raised), so it is
    given in every language, not only where the sentence says " raised "."""
    with speaking(lang):
        verdict = check.affine_layer(_AffineWithoutStoredInput)
        hint = msg("layers.stale_x_hint")
    out = capsys.readouterr().out
    assert not verdict and hint in out, out
