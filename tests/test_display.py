"""bplib.display: checked rounding for printing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bplib.display import UnstableRounding, below, check_rounding, fixed, set_printoptions, sig

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
        set_printoptions(3)
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
        set_printoptions(3)
        assert library.show(unstable) == "array([0.1, 0.234])"  # NumPy's rounding, unchecked
        with pytest.raises(UnstableRounding):
            own.show(unstable)
        with pytest.raises(UnstableRounding):
            repr(unstable)
    finally:
        np.set_printoptions(**old)
