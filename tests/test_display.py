"""bplib.display: checked rounding for printing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from tool_modules import load_tool

from bplib.display import (
    STRICT_PRINT_VARIABLE,
    UnstableRounding,
    below,
    check_rounding,
    fixed,
    set_printoptions,
    sig,
    strict_printing,
)

ROOT = Path(__file__).resolve().parents[1]

finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(finite, st.integers(0, 8))
def test_fixed_prints_what_python_prints_or_refuses(x, decimals):
    try:
        text = fixed(x, decimals)
    except UnstableRounding:
        scaled = abs(x) * 10.0**decimals
        assert abs(scaled - np.floor(scaled) - 0.5) < 1e-3
        return
    expected = f"{x:.{decimals}f}"
    assert text == expected or (float(expected) == 0 and text == expected.lstrip("-"))


@given(finite, st.integers(0, 8))
def test_a_value_that_prints_is_far_from_every_boundary(x, decimals):
    try:
        text = fixed(x, decimals)
    except UnstableRounding:
        return
    for nudge in (-5e-4, 5e-4):   # half the margin, in units of the last digit
        assert fixed(x + nudge * 10.0**-decimals, decimals, margin=0) == text


@pytest.mark.parametrize("value, decimals", [(0.125, 2), (0.755, 2), (2.5, 0), (-0.0185, 3)])
def test_values_on_a_boundary_are_refused(value, decimals):
    with pytest.raises(UnstableRounding, match="rounding boundary"):
        fixed(value, decimals)


def test_arrays_print_like_numpy():
    assert fixed([0.755, 0.68], 6) == "[0.755 0.68 ]"
    assert fixed(np.array([[1e-9, -2e-9]]), 3) == "[[0. 0.]]"
    with pytest.raises(UnstableRounding):
        fixed([0.1, 0.2345], 3)


def test_sig_and_below():
    assert sig(0.018103903, 3) == "1.81e-02"
    assert sig(0.0099999999, 3) == "1.00e-02"
    with pytest.raises(UnstableRounding):
        sig(4.5e-11, 1)
    assert below(np.array([4.9e-11, -8e-10]), 1e-9) == "< 1e-09"
    with pytest.raises(AssertionError, match="largest"):
        below(2e-9, 1e-9)
    with pytest.raises(AssertionError):
        below(np.nan, 1.0)


def test_negative_decimals_round_to_tens_and_thousands():
    assert float(check_rounding(3170.0, -3)) == 3000.0
    with pytest.raises(UnstableRounding):
        check_rounding(3499.0, -3, margin=0.2)


def test_bad_arguments_name_what_was_expected():
    with pytest.raises(TypeError, match="real number"):
        fixed(None, 2)
    with pytest.raises(TypeError, match="real number"):
        fixed("0.5", 2)
    with pytest.raises(TypeError, match="decimals must be an int"):
        fixed(0.5, 2.0)
    with pytest.raises(ValueError, match="margin"):
        fixed(0.5, 2, margin=0.7)
    with pytest.raises(ValueError, match="positive"):
        below(0.1, 0)


def test_set_printoptions_checks_every_element():
    old = np.get_printoptions()
    try:
        set_printoptions(3, strict=True)
        assert str(np.array([0.1234, 2.0])) == "[0.123 2.]"
        with pytest.raises(UnstableRounding):
            str(np.array([0.1, 0.2345]))
        with np.printoptions(precision=8):   # NumPy's own format inside a with block
            assert str(np.array([0.2345])) == "[0.2345]"
    finally:
        np.set_printoptions(**old)


def _module_in(directory, name, source):
    """Import `source` as module `name` from a file in `directory`."""
    import importlib.util

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_set_printoptions_leaves_installed_libraries_alone(tmp_path):
    # SciPy writes repr() of an unseeded random sample into its docstrings while
    # scikit-learn imports it: an element near a rounding boundary must not make
    # that import fail.  The reader's code (here: a file outside any installed
    # package directory) is still checked.
    source = "def show(a):\n    return repr(a)\n"
    library = _module_in(tmp_path / "lib" / "python3" / "site-packages", "fakelib", source)
    own = _module_in(tmp_path / "chapter", "own_code", source)
    unstable = np.array([0.1, 0.2345])
    old = np.get_printoptions()
    try:
        set_printoptions(3, strict=True)
        assert library.show(unstable) == "array([0.1, 0.234])"  # NumPy's rounding, unchecked
        with pytest.raises(UnstableRounding):
            own.show(unstable)
        with pytest.raises(UnstableRounding):
            repr(unstable)
    finally:
        np.set_printoptions(**old)


# --- strict where the book's outputs are made, never raising in a reader's session -------

#: Elements on (or within a billionth of a last digit of) a rounding boundary at 3 decimals.
NEAR_BOUNDARY = np.array([0.1, 0.2345, -1.0005, 7.0])


@pytest.fixture
def numpy_printoptions():
    old = np.get_printoptions()
    yield
    np.set_printoptions(**old)


def test_strict_printing_reads_the_environment(monkeypatch, numpy_printoptions):
    monkeypatch.setenv(STRICT_PRINT_VARIABLE, "1")
    assert strict_printing()
    set_printoptions(3)  # as every chapter's first cell calls it
    with pytest.raises(UnstableRounding, match="rounding boundary"):
        str(NEAR_BOUNDARY)
    with pytest.raises(UnstableRounding):
        print(np.array([[0.5, 0.0625]]) / 1)  # 0.0625 lies on a boundary at 3 decimals
    for reader in ("0", ""):
        monkeypatch.setenv(STRICT_PRINT_VARIABLE, reader)
        assert not strict_printing()
    monkeypatch.delenv(STRICT_PRINT_VARIABLE)
    assert not strict_printing()


def test_a_readers_print_never_raises_and_keeps_the_books_digits(monkeypatch, numpy_printoptions, capsys):
    monkeypatch.delenv(STRICT_PRINT_VARIABLE, raising=False)
    set_printoptions(3)
    print(NEAR_BOUNDARY)
    assert capsys.readouterr().out == "[0.1 0.234 -1. 7.]\n"  # np.round's digits, NumPy's layout
    assert repr(np.array([0.1234, 2.0])) == "array([0.123, 2.])"
    # The same digits as the strict format wherever that one prints.
    set_printoptions(3, strict=True)
    strict = str(np.array([0.1234, 2.0, -3e-9]))
    set_printoptions(3, strict=False)
    assert str(np.array([0.1234, 2.0, -3e-9])) == strict == "[0.123 2. 0.]"


def test_fixed_and_sig_stay_strict_in_a_readers_session(monkeypatch):
    monkeypatch.delenv(STRICT_PRINT_VARIABLE, raising=False)
    with pytest.raises(UnstableRounding):
        fixed(0.2345, 3)
    with pytest.raises(UnstableRounding):
        sig(4.5e-11, 1)


def test_a_bad_strict_setting_is_named(monkeypatch, numpy_printoptions):
    monkeypatch.setenv(STRICT_PRINT_VARIABLE, "yes")
    with pytest.raises(ValueError, match="BPLIB_STRICT_PRINT must be 1"):
        set_printoptions(3)
    with pytest.raises(TypeError, match="strict must be True, False or None"):
        set_printoptions(3, strict="1")


@st.composite
def printed_arrays(draw):
    """Arrays of every size a reader prints: 0-d, empty, small, and large enough for NumPy to
    summarise; a share of the elements sits exactly on (or a hair from) a rounding boundary."""
    precision = draw(st.integers(0, 8))
    shape = draw(st.one_of(
        st.tuples(),
        st.lists(st.integers(0, 6), min_size=1, max_size=3).map(tuple),
        st.tuples(st.integers(900, 3000)),
        st.tuples(st.integers(30, 60), st.integers(30, 60)),
    ))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = 10.0 ** draw(st.integers(-3, 3))
    values = rng.normal(size=shape) * scale
    boundary = (np.floor(values * 10.0**precision) + 0.5) / 10.0**precision
    boundary = boundary * (1 + rng.choice([0.0, 1e-12, -1e-12], size=shape))
    on_boundary = rng.random(size=shape) < draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]))
    return np.where(on_boundary, boundary, values), precision


_NUMBER = re.compile(r"-?\d+\.?\d*(?:e[-+]?\d+)?")


@given(printed_arrays())
def test_a_readers_print_of_any_array_never_raises(drawn):
    values, precision = drawn
    old = np.get_printoptions()
    try:
        # A 0-d array's str() is its scalar's (NumPy's printing is not asked); repr() is.
        show = str if values.ndim else repr
        set_printoptions(precision, strict=False)
        text = show(values)
        set_printoptions(precision, strict=True)
        try:
            strict = show(values)
        except UnstableRounding:
            strict = None
    finally:
        np.set_printoptions(**old)
    if strict is not None:
        assert text == strict  # the reader sees the book's digits
    if values.size <= 1000:  # printed in full: every number is np.round's, at the precision
        printed = [float(x) for x in _NUMBER.findall(text)]
        assert printed == (np.round(values, precision).ravel() + 0.0).tolist()
    else:
        assert "..." in text


# --- the test command and `make notebooks` run the chapters strictly ---------------------

PLANTED_PRINT = "print(np.array([0.1, 0.2345]))  # 0.2345 lies on a boundary at 3 decimals"


def planted_notebook(path: Path) -> Path:
    """A chapter-like notebook that prints an array near a rounding boundary, stored with the
    output a reader's session prints (so nbval passes it unless printing is strict)."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import numpy as np\nfrom bplib.display import set_printoptions\n\n"
                                  "set_printoptions(precision=3)"),
        nbformat.v4.new_code_cell(PLANTED_PRINT),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    env = {k: v for k, v in os.environ.items() if k != STRICT_PRINT_VARIABLE}
    NotebookClient(nb, timeout=120, kernel_name="python3").execute(env=env)
    assert nb.cells[1].outputs[0]["text"] == "[0.1 0.234]\n"
    nbformat.write(nb, path)
    return path


def _without_strict() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != STRICT_PRINT_VARIABLE}


def make_commands(target: str, tmp_path: Path) -> list[dict]:
    """The commands ``make <target>`` runs, with the value of $BPLIB_STRICT_PRINT each sees.

    ``PY`` is replaced by a probe that records its arguments and environment; the install
    stamp is a fresh file, so nothing is installed.
    """
    log = tmp_path / f"{target}.jsonl"
    probe = tmp_path / "probe"
    probe.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        f"with open({str(log)!r}, 'a') as f:\n"
        f"    f.write(json.dumps({{'argv': sys.argv[1:], 'strict': os.environ.get({STRICT_PRINT_VARIABLE!r})}}) + '\\n')\n"
    )
    probe.chmod(0o755)
    stamp = tmp_path / "stamp"
    stamp.touch()
    subprocess.run(["make", "-s", "--no-print-directory", target, f"PY={probe}", f"STAMP={stamp}"],
                   cwd=ROOT, env=_without_strict(), check=True, capture_output=True)
    return [json.loads(line) for line in log.read_text().splitlines()]


def _xdist_dropped(args: list[str]) -> list[str]:
    """pytest's arguments without pytest-xdist's (one notebook needs no second worker)."""
    out, skip = [], 0
    for arg in args:
        if skip:
            skip -= 1
        elif arg in ("-n", "--dist"):
            skip = 1
        else:
            out.append(arg)
    return out


@pytest.mark.book
def test_the_test_command_runs_chapters_with_strict_printing(tmp_path, monkeypatch):
    """A near-boundary print that a reader's session prints fails wherever the suite executes
    chapters: `make test`'s nbval pass, tools/other_cpus.py's passes, and
    tools/execute_notebook.py (`make notebooks`).  The download's test
    (tests/test_download.py) passes the variable to its kernels and checks that they see it."""
    planted = planted_notebook(tmp_path / "planted.ipynb")

    # make test: both its commands see the variable, and its nbval command fails the plant.
    commands = make_commands("test", tmp_path)
    assert len(commands) == 2 and [c["strict"] for c in commands] == ["1", "1"], commands
    pytest_args = next(c["argv"] for c in commands if c["argv"][:2] == ["-m", "pytest"])
    assert pytest_args[-2:] == ["tests", "book"]
    command = [sys.executable, *_xdist_dropped(pytest_args[:-2]), "-p", "no:cacheprovider", str(planted)]
    strict = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                            env={**_without_strict(), STRICT_PRINT_VARIABLE: commands[0]["strict"]})
    assert strict.returncode != 0 and "UnstableRounding" in strict.stdout, strict.stdout[-3000:]

    # tools/other_cpus.py sets the variable for its nbval passes itself.
    other_cpus = load_tool("other_cpus")
    seen = []
    monkeypatch.setattr(other_cpus.subprocess, "call",
                        lambda command, cwd, env: seen.append(env.get(STRICT_PRINT_VARIABLE)) or 0)
    monkeypatch.delenv(STRICT_PRINT_VARIABLE, raising=False)
    assert other_cpus.main([str(planted)]) == 0
    assert seen and set(seen) == {"1"}, seen

    # make notebooks: both tools run with the variable, and execute_notebook sets it itself.
    assert {c["strict"] for c in make_commands("notebooks", tmp_path)} == {"1"}
    with pytest.raises(CellExecutionError, match="UnstableRounding"):
        load_tool("execute_notebook").execute(planted)


@pytest.mark.parametrize("value, digits, text", [(5e-324, 1, "5e-324"), (-2.5e-310, 2, "-2.5e-310")])
def test_sig_prints_a_subnormal_number(value, digits, text):
    # 10.0**exponent underflows to 0 for these: the mantissa must not be divided by it
    assert sig(value, digits) == text
