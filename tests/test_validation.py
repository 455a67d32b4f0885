"""Tests for bplib._validation: every helper raises a message naming expected and given."""

import numpy as np
import pytest

from bplib import _validation as v


def test_as_float_array_accepts_and_converts():
    out = v.as_float_array([[1, 2]], "x", ndims=2)
    assert out.dtype == np.float64 and out.shape == (1, 2)
    arr = np.zeros(3)
    assert v.as_float_array(arr, "x") is arr
    assert v.as_float_array(np.zeros(0), "x", allow_empty=True).size == 0


@pytest.mark.parametrize("value, message", [
    ([1.0, np.nan, np.nan], r"x must contain only finite numbers, but it has 2 NaN value\(s\) \(x\.shape=\(3,\)\)"),
    ([np.inf, -np.inf], r"but it has 2 inf value\(s\)"),
    ([np.nan, np.inf], r"but it has 1 NaN and 1 inf value\(s\)"),
    (np.zeros((0, 3)), r"x must not be empty, but x\.shape=\(0, 3\)"),
    ("abc", r"x must be an array of numbers, but got str"),
])
def test_as_float_array_rejects(value, message):
    with pytest.raises(ValueError, match=message):
        v.as_float_array(value, "x")


def test_ndim_and_shape_checks():
    with pytest.raises(ValueError, match=r"x must be 1-D or 2-D, but it is 3-D \(x\.shape=\(1, 1, 1\)\)"):
        v.check_ndim(np.zeros((1, 1, 1)), "x", (1, 2))
    with pytest.raises(ValueError, match=r"W must be 2-D, but it is 1-D"):
        v.as_float_array([1.0], "W", ndims=2)
    with pytest.raises(ValueError, match=r"y\.shape=\(2,\) and t\.shape=\(3,\)"):
        v.check_same_shape(np.zeros(2), np.zeros(3), "y", "t")
    v.check_same_shape(np.zeros(2), np.ones(2), "y", "t")  # no error


@pytest.mark.parametrize("value", [0, -1.0, float("nan"), float("inf"), "0.1", None, True])
def test_check_positive_rejects(value):
    with pytest.raises(ValueError, match="learning_rate must be a positive number, but got"):
        v.check_positive(value, "learning_rate")


def test_check_positive_accepts_numpy_scalars():
    assert v.check_positive(np.float32(0.5), "lr") == 0.5
    assert v.check_positive_int(np.int64(3), "n") == 3


@pytest.mark.parametrize("value", [0, -3, 2.0, "2", None, False])
def test_check_positive_int_rejects(value):
    with pytest.raises(ValueError, match="batch_size must be a positive integer, but got"):
        v.check_positive_int(value, "batch_size")


def test_check_known_lists_known_names():
    assert v.check_known("b", ["a", "b"], "cost") == "b"
    with pytest.raises(ValueError, match=r"unknown cost 'c'; known costs: 'a', 'b'"):
        v.check_known("c", ["b", "a"], "cost")
    with pytest.raises(ValueError, match=r"unknown cost 3"):
        v.check_known(3, ["a"], "cost")


def test_as_labels():
    np.testing.assert_array_equal(v.as_labels([0, 2, 1], 3), [0, 2, 1])
    assert v.as_labels(np.array([1.0, 0.0]), 2).dtype == np.int64
    with pytest.raises(ValueError, match=r"labels in 0\.\.2 for an output of 3 classes, but it contains 3"):
        v.as_labels([0, 3], 3)
    with pytest.raises(ValueError, match=r"but it contains -2"):
        v.as_labels([-2, 1], 3)
    with pytest.raises(ValueError, match=r"integer class labels, but it contains 0\.5"):
        v.as_labels([0.5], 3)
    with pytest.raises(ValueError, match=r"integer class labels, but its dtype is bool"):
        v.as_labels([True, False], 3)
    with pytest.raises(ValueError, match="t must not be empty"):
        v.as_labels(np.array([], dtype=int), 3)


@pytest.mark.parametrize("value, message", [
    (None, "x must be an array of numbers, but got None"),
    (np.array([1 + 2j]), r"x must hold real numbers, but it has complex dtype complex128; pass x\.real"),
    ([1.0, 2j], "x must hold real numbers"),
])
def test_none_and_complex_are_named_not_nan_or_truncated(value, message):
    with pytest.raises(ValueError, match=message):
        v.as_float_array(value, "x")


def test_seed_bool_and_dtype_checks():
    assert v.check_seed(np.int64(3)) == 3 and v.check_seed(0) == 0
    for bad in (-1, 1.5, True, "1", None):
        with pytest.raises(ValueError, match=f"seed must be a non-negative integer, but got {bad!r}"):
            v.check_seed(bad)
    assert v.check_bool(np.bool_(True), "bias") is True
    with pytest.raises(ValueError, match="bias must be True or False, but got 'no'"):
        v.check_bool("no", "bias")
    for spelled in ("float32", np.float32, np.dtype("float32")):
        assert v.as_dtype_name(spelled, ("float64", "float32")) == "float32"
    with pytest.raises(ValueError, match="unknown dtype 'float16'"):
        v.as_dtype_name(np.float16, ("float64", "float32"))
