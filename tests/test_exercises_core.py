"""Tests of the exercise framework: the `check` namespace and the shared diagnostics."""

import re

import numpy as np
import pytest

from bplib.exercises import Checks, check
from bplib.exercises import _core


def test_check_namespace_lists_every_chapter_checker():
    assert {"sigmoid_prime", "tanh_prime", "softplus_prime"} <= set(dir(check))
    with pytest.raises(AttributeError, match="no checker named 'nope'"):
        check.nope  # noqa: B018


def test_every_checker_has_its_exercise_in_a_chapter():
    """A checker no chapter calls is dead code; a chapter calling a missing one fails in nbval."""
    from pathlib import Path

    import nbformat

    book = Path(__file__).resolve().parents[1] / "book"
    called = set()
    for path in sorted(book.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                called |= set(re.findall(r"\bcheck\.(\w+)\(", cell.source))
    assert called, "no chapter calls a checker"
    assert set(dir(check)) - called == set(), "checkers without an exercise in any chapter"


def test_checker_verdicts_raised_inside_the_readers_call_pass_through():
    def strict(z):
        raise _core.CheckFailed("the checker's own words")

    with pytest.raises(_core.CheckFailed, match="^the checker's own words$"):
        _core.call(strict, 1.0, what="f")


def test_checks_repr_names_the_checkers():
    assert repr(Checks({"b": print, "a": print})) == "Checks(a, b)"


@pytest.mark.parametrize(
    ("got", "message"),
    [
        (None, "is None: did you forget to `return` it?"),
        ("text", "is a str, not a number"),
        (np.ones(3), "has shape (3,), expected (2,)"),
        (np.array([np.nan, 1.0]), "contains NaN or inf"),
        (np.array([2.0, 4.0]), "off by a constant factor of 2"),
        (np.array([0.5, 1.0]), "off by a constant factor of 1/2"),
        (np.array([-1.0, -2.0]), "has the wrong sign"),
        (np.array([1.0, 5.0]), r"is wrong at index \(1,\)"),
    ],
)
def test_compare_names_the_mistake(got, message):
    pattern = message if message.startswith("is wrong") else re.escape(message)
    with pytest.raises(_core.CheckFailed, match=pattern):
        _core.compare(got, np.array([1.0, 2.0]))


@pytest.mark.parametrize(
    ("tol", "inside", "outside"),
    [(_core.CLOSE, 1e-7, 1e-5), (_core.ROUNDING, 1e-10, 1e-8), (_core.EXACT, 1e-13, 1e-11)],
    ids=["CLOSE", "ROUNDING", "EXACT"],
)
def test_compare_accepts_within_its_tolerance_and_rejects_beyond(tol, inside, outside):
    expected = np.array([1.0, 2.0])
    assert _core.compare(expected * (1 + inside), expected, tol=tol) is None  # accepted
    assert tol.close(expected * (1 + inside), expected)
    with pytest.raises(_core.CheckFailed, match=r"is wrong at index \(0,\)"):
        _core.compare(expected * (1 + outside), expected, tol=tol)
    with pytest.raises(_core.CheckFailed, match=r"is wrong at index \(1,\)"):
        _core.compare(expected + [0.0, 2 * outside], expected, tol=tol)
    assert not tol.close(expected + [0.0, 2 * outside], expected)
    assert not tol.close(expected[:1], expected)  # another shape is never close


def test_compare_can_leave_the_constant_factor_to_the_caller():
    with pytest.raises(_core.CheckFailed, match=r"is wrong at index \(0,\): got 2"):
        _core.compare(np.array([2.0, 4.0]), np.array([1.0, 2.0]), guess_factor=False)


def test_assert_not_mutated_catches_in_place_changes():
    def mutates(z):
        z *= 2
        return z

    with pytest.raises(_core.CheckFailed, match="changed its argument #1 in place"):
        _core.assert_not_mutated(mutates, np.ones(3), what="f")


def test_call_reports_exceptions_readably():
    def broken(z):
        raise ZeroDivisionError("boom")

    with pytest.raises(_core.CheckFailed, match="f raised ZeroDivisionError: boom"):
        _core.call(broken, 1.0, what="f")


def test_run_checks_prints_one_line(capsys):
    assert _core.run_checks("fine", lambda: None).ok is True
    assert capsys.readouterr().out == "Correct: fine\n"

    def fails():
        raise _core.CheckFailed("wrong at z = 0")

    assert _core.run_checks("fine", fails).ok is False
    assert capsys.readouterr().out == "Not yet: wrong at z = 0\n"


def test_a_single_wrong_value_is_not_called_a_constant_factor():
    with pytest.raises(_core.CheckFailed, match="is wrong: got 3"):
        _core.compare(3.0, np.array(1.0))


@pytest.mark.parametrize(
    "fn, words",
    [
        (lambda: np.exp(np.array([1e4])), "overflowed"),
        (lambda: np.log(np.array([0.0])), "divided by zero"),
        (lambda: np.array([np.inf]) - np.array([np.inf]), "invalid value"),
    ],
)
def test_floating_point_trouble_in_the_readers_code_is_a_named_failure(fn, words):
    """The one place every checker calls reader code: the same policy in every chapter."""
    import warnings

    from bplib.exercises._core import CheckFailed, call

    with warnings.catch_warnings():
        warnings.simplefilter("error")   # never a warning
        with pytest.raises(CheckFailed, match=words):
            call(fn, what="f")


def test_underflow_to_zero_is_fine():
    from bplib.exercises._core import call

    assert call(lambda: np.exp(np.array([-1e4])))[0] == 0.0


def test_a_verdict_is_not_displayed_by_jupyter():
    """A checker ending a cell shows its printed line only, no ``False`` result after it."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    verdict = _core.Verdict(False, "Not yet: wrong at z = 0")
    data, metadata = shell.display_formatter.format(verdict)
    assert data == {} and metadata == {}
    assert not verdict and _core.Verdict(True, "Correct: fine")
    assert str(verdict) == "Not yet: wrong at z = 0" and verdict.message == str(verdict)
    assert repr(verdict) == "Verdict(ok=False, message='Not yet: wrong at z = 0')"


def test_a_verdict_needs_a_bool_and_a_message():
    with pytest.raises(TypeError, match="ok must be a bool"):
        _core.Verdict("yes", "Correct: fine")
    with pytest.raises(TypeError, match="message must be a str"):
        _core.Verdict(True, None)


# ------------------------------------------------------------ the message table
def _exercise_sources():
    """(path, AST) of every checker module (the table and its translations left out)."""
    import ast
    from pathlib import Path

    import bplib.exercises

    folder = Path(bplib.exercises.__file__).parent
    return [(path, ast.parse(path.read_text(encoding="utf-8")))
            for path in sorted(folder.glob("*.py")) if not path.name.startswith("messages")]


def _message_ids_in(tree):
    """Every string constant of ``tree`` shaped like a message id (``<prefix>.<words>``)."""
    import ast
    import re

    from bplib.exercises.messages import MESSAGES

    prefixes = {key.split(".")[0] for key in MESSAGES}
    shape = re.compile(r"^(%s)(\.[A-Za-z0-9_]+)+$" % "|".join(sorted(prefixes)))
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and shape.match(node.value)}


def test_every_message_id_a_checker_uses_is_in_the_table_and_every_entry_is_used():
    from bplib.exercises.messages import MESSAGES

    used = set().union(*(_message_ids_in(tree) for _, tree in _exercise_sources()))
    assert used, "no message id found: the scan is broken"
    assert not used - set(MESSAGES), f"ids used but not in the table: {sorted(used - set(MESSAGES))}"
    assert not set(MESSAGES) - used, f"table entries no checker uses: {sorted(set(MESSAGES) - used)}"


def test_checkers_print_only_sentences_from_the_table():
    """Every ``CheckFailed(...)`` and every ``run_checks(...)`` message is built by ``msg``
    (or is a message built by it earlier, passed on in a variable): no sentence typed into
    a checker module, which a translation would miss."""
    import ast

    def from_table(node):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("msg", "_floating_point_message"):
            return True
        if isinstance(node, ast.BinOp):  # a message plus a hint, both from the table
            return from_table(node.left) and from_table(node.right)
        if isinstance(node, ast.IfExp):
            return from_table(node.body) and from_table(node.orelse)
        if isinstance(node, ast.Subscript):  # seen[0][0]: a message recorded earlier
            return True
        return isinstance(node, ast.Name) or (
            isinstance(node, ast.Call) and getattr(node.func, "id", None) == "str")

    bad = []
    for path, tree in _exercise_sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None)
            if name == "CheckFailed" or name == "run_checks":
                if node.args and not from_table(node.args[0]):
                    bad.append(f"{path.name}:{node.lineno}")
            if name == "report" and len(node.args) > 1 and not from_table(node.args[1]):
                bad.append(f"{path.name}:{node.lineno}")
    assert not bad, f"sentences typed into a checker instead of taken from the table: {bad}"


def test_msg_fills_a_template_and_names_an_unknown_id():
    from bplib.exercises.messages import MESSAGES, msg

    assert msg("core.mutated", what="f", number=2) == MESSAGES["core.mutated"].format(what="f", number=2)
    with pytest.raises(KeyError, match="no checker message with id 'core.nope'"):
        msg("core.nope")
    with pytest.raises(TypeError, match="message_id must be a str"):
        msg(3)


def test_every_template_is_a_valid_format_string():
    import string

    from bplib.exercises.messages import MESSAGES

    for key, template in MESSAGES.items():
        list(string.Formatter().parse(template))  # raises on a broken brace
        assert template.strip() == template or template.startswith(" "), key


def test_one_message_style_in_every_chapter(capsys):
    """Every checker's wrong-value line has one form, and none prints the expected value."""
    from bplib.exercises.messages import MESSAGES

    for key, template in MESSAGES.items():
        assert "expected {" not in template or "shape" in template, (key, template)


def test_a_floating_point_note_is_kept_only_for_a_right_answer(capsys):
    """Inside run_checks an overflow is noted; a right answer is Correct with the note, a
    wrong one fails naming the overflow (met first), never as a NumPy warning."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        right = _core.run_checks("fine.", lambda: _core.compare(
            _core.call(lambda: 1 / (1 + np.exp(np.array([1e4]))), what="f"), np.array([0.0])))
        wrong = _core.run_checks("fine.", lambda: _core.compare(
            _core.call(lambda: np.exp(np.array([1e4])), what="f"), np.array([0.0])))
    assert right.ok and right.message.startswith("Correct: fine. (A note, not a mistake: on a hidden case f overflowed")
    assert not wrong.ok and wrong.message.startswith("Not yet: f overflowed (NumPy: overflow encountered")
    capsys.readouterr()
