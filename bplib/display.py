"""Printing numbers that every machine prints the same way.

The last bits of ``exp``, ``log`` and of a matrix product differ between CPUs
(AVX-512 and AVX2 kernels, BLAS builds).  A chapter that prints a measured
value to many digits therefore prints other digits on another machine, and a
stored output that tests compare exactly turns red there.  The helpers below
make a printed number a claim that can be checked where it is made:

* :func:`fixed` and :func:`sig` round a value for printing **and** raise
  :class:`UnstableRounding` if the unrounded value lies within ``margin`` of a
  rounding boundary.  ``margin`` is measured in units of the last printed digit
  (default ``1e-3``: a thousandth of that digit, thousands of times what
  last-bit differences move a value), so a digit that another CPU could round
  the other way fails on the machine that stores the output, not on a
  reader's.
* :func:`set_printoptions` makes NumPy print arrays at the book's precision
  (each chapter calls it once, in its first cell).  The check runs only where
  the book's stored outputs are made and compared: ``make test`` and ``make
  notebooks`` set ``BPLIB_STRICT_PRINT=1`` for the kernels that execute the
  chapters.  A reader's own ``print(net.weights[0])`` in Jupyter prints the
  same digits and never raises.
* :func:`below` prints the bound a check asserted (``< 1e-09``) instead of a
  measured error whose digits are rounding noise.

Examples
--------
>>> from bplib.display import fixed, sig, below
>>> fixed(0.0181039038, 4)
'0.0181'
>>> sig(3.1e-11 * 1.6, 2)
'5.0e-11'
>>> below(4.9e-11, 1e-9)
'< 1e-09'
"""

from __future__ import annotations

import os
import re
import sys
from decimal import Decimal
from numbers import Integral, Real

import numpy as np

__all__ = [
    "UnstableRounding",
    "DEFAULT_MARGIN",
    "check_rounding",
    "fixed",
    "sig",
    "below",
    "set_printoptions",
    "STRICT_PRINT_VARIABLE",
    "strict_printing",
]

#: The environment variable that turns on the check of :func:`set_printoptions`.
#: ``make test``, ``make notebooks``, ``tools/execute_notebook.py`` and
#: ``tools/other_cpus.py`` set it to ``1`` for the kernels that run the chapters.
STRICT_PRINT_VARIABLE = "BPLIB_STRICT_PRINT"

#: Default distance from a rounding boundary, in units of the last printed digit.
DEFAULT_MARGIN = 1e-3


class UnstableRounding(AssertionError):
    """A value to be printed lies too close to a rounding boundary.

    Another CPU's last-bit differences could print the other digit.  Print fewer
    digits, more digits, or the bound that a check asserts.
    """


def _as_real_array(value, name: str = "value") -> np.ndarray:
    if value is None:
        raise TypeError(f"{name} must be a real number or an array of them, but got None")
    arr = np.asarray(value)
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be a real number or an array of real numbers, "
            f"but got {type(value).__name__} with dtype {arr.dtype}"
        )
    return arr.astype(np.float64)


def _check_int(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int, but got {type(value).__name__} {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, but got {value}")
    return int(value)


def _check_margin(margin) -> float:
    if isinstance(margin, bool) or not isinstance(margin, Real) or not 0 <= margin < 0.5:
        raise ValueError(f"margin must be a number in [0, 0.5), but got {margin!r}")
    return float(margin)


def check_rounding(value, decimals: int, *, margin: float = DEFAULT_MARGIN) -> np.ndarray:
    """Round ``value`` to ``decimals`` places, refusing values near a boundary.

    Parameters
    ----------
    value : float or array_like of shape (...)
        Finite real numbers to round (NaN and ±inf are passed through: they
        print the same everywhere).
    decimals : int
        Decimal places kept; may be negative (``-2`` rounds to hundreds).
    margin : float, optional
        Smallest allowed distance between the value and a rounding boundary,
        in units of the last kept digit (``10**-decimals``).

    Returns
    -------
    numpy.ndarray of shape (...)
        ``np.round(value, decimals)``: the same floats on every machine.

    Raises
    ------
    UnstableRounding
        If an element lies closer than ``margin`` to a boundary.
    """
    decimals = _check_int(decimals, "decimals", -300, 300)
    margin = _check_margin(margin)
    arr = _as_real_array(value)
    finite = np.isfinite(arr)
    scaled = arr[finite] * 10.0**decimals
    distance = np.abs(scaled - np.floor(scaled) - 0.5)  # 0 means exactly on a boundary
    bad = distance < margin
    if np.any(bad):
        worst = arr[finite][bad][0]
        raise UnstableRounding(
            f"{float(worst)!r} lies {float(distance[bad][0]):.2g} of a unit in the last place from "
            f"a rounding boundary at {decimals} decimals (at least {margin:g} needed): another "
            "CPU may print the other digit. Print fewer or more digits, or the bound a check "
            "asserts."
        )
    return np.round(arr, decimals)


def fixed(value, decimals: int, *, margin: float = DEFAULT_MARGIN, sign: bool = False,
          separator: str = " ") -> str:
    """Format with ``decimals`` fixed decimal places, checked by :func:`check_rounding`.

    Parameters
    ----------
    value : float or array_like of shape (...)
        Real numbers.  An array is formatted like NumPy prints it, with
        trailing zeros dropped (``[0.755 0.68 ]``).
    decimals : int
        Decimal places printed, at least 0.
    margin : float, optional
        See :func:`check_rounding`.
    sign : bool, optional
        Always print the sign of a scalar (``+0.0689``).
    separator : str, optional
        Between array elements, as in ``np.array2string``.

    Returns
    -------
    str
    """
    decimals = _check_int(decimals, "decimals", 0, 300)
    rounded = check_rounding(value, decimals, margin=margin)
    if rounded.ndim == 0:
        x = float(rounded)
        if x == 0.0:
            x = 0.0  # never print "-0.000"
        return f"{x:+.{decimals}f}" if sign else f"{x:.{decimals}f}"
    rounded = rounded + 0.0  # -0.0 -> 0.0
    return np.array2string(rounded, precision=decimals, floatmode="maxprec",
                           suppress_small=True, separator=separator,
                           formatter={"float_kind": None})  # NumPy's own padded format


def sig(value, digits: int, *, margin: float = DEFAULT_MARGIN) -> str:
    """Format a scalar in scientific notation with ``digits`` significant digits.

    Parameters
    ----------
    value : float
        A real number.
    digits : int
        Significant digits, at least 1 (``sig(0.018104, 3) == '1.81e-02'``).
    margin : float, optional
        See :func:`check_rounding`; measured in units of the last printed digit.

    Returns
    -------
    str
    """
    digits = _check_int(digits, "digits", 1, 17)
    arr = _as_real_array(value)
    if arr.ndim != 0:
        raise ValueError(f"sig formats one number, but got an array of shape {arr.shape}")
    x = float(arr)
    if x == 0.0 or not np.isfinite(x):
        return f"{x:.{digits - 1}e}"
    exponent = int(np.floor(np.log10(abs(x))))
    # the mantissa, exactly: 10.0**exponent underflows to 0 for subnormal x (5e-324)
    mantissa = float(Decimal(x).scaleb(-exponent))
    check_rounding(mantissa, digits - 1, margin=margin)
    return f"{x:.{digits - 1}e}"


def below(value, bound: float) -> str:
    """Assert that ``max |value| < bound`` and return ``"< bound"`` for printing.

    An error measured as ``4.33e-11`` on one machine is ``4.41e-11`` on another;
    the bound a cell asserts is the same everywhere, so that is what to print.

    Parameters
    ----------
    value : float or array_like of shape (...)
        Measured errors (their absolute values are compared).
    bound : float
        A positive bound.

    Returns
    -------
    str
        ``"< 1e-09"`` for ``bound=1e-9`` (Python's ``:g`` format of the bound).

    Raises
    ------
    AssertionError
        If some ``|value|`` is not below ``bound`` (or is NaN).
    """
    if isinstance(bound, bool) or not isinstance(bound, Real) or not bound > 0:
        raise ValueError(f"bound must be a positive number, but got {bound!r}")
    arr = np.abs(_as_real_array(value))
    worst = float(np.max(arr)) if arr.size else 0.0
    if not worst < bound:  # also catches NaN
        raise AssertionError(f"expected every |value| < {bound:g}, but the largest is {worst!r}")
    return f"< {bound:g}"


# Callers in an installed third-party package format arrays for their own
# purposes, not for the reader: SciPy, for one, writes ``repr`` of a fresh,
# unseeded random sample into its docstrings while ``scipy.stats`` (imported by
# scikit-learn) is being imported.  Such an array is printed unchecked; the
# reader's own code, bplib, and IPython/Jupyter displaying a cell's value are
# always checked.
_ALWAYS_CHECKED = ("bplib", "IPython", "ipykernel")


def _printed_for_the_reader() -> bool:
    """Whether the array being formatted was asked for by the reader's code.

    Walks out of NumPy's printing frames to the first caller.  That caller is
    "the reader's" unless its file lives in an installed package directory
    (``site-packages``/``dist-packages``) of a package other than those in
    ``_ALWAYS_CHECKED``.
    """
    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__") or ""
        if module.split(".")[0] != "numpy" and module != __name__:
            break
        frame = frame.f_back
    if frame is None:
        return True
    if module.split(".")[0] in _ALWAYS_CHECKED:
        return True
    parts = re.split(r"[\\/]", frame.f_code.co_filename)
    return not ({"site-packages", "dist-packages"} & set(parts))


def _checked_element(decimals: int, margin: float):
    def format_element(x) -> str:
        try:
            rounded = float(check_rounding(x, decimals, margin=margin))
        except UnstableRounding:
            if _printed_for_the_reader():
                raise
            rounded = float(x)
        rounded += 0.0  # no "-0."
        return np.format_float_positional(rounded, precision=decimals, unique=True, trim=".")

    return format_element


def _unchecked_element(decimals: int):
    """The reader's format: the same rounding and digits as the checked one, never raising."""

    def format_element(x) -> str:
        rounded = float(np.round(np.float64(x), decimals))  # as check_rounding rounds
        rounded += 0.0  # no "-0."
        return np.format_float_positional(rounded, precision=decimals, unique=True, trim=".")

    return format_element


def strict_printing() -> bool:
    """Whether :func:`set_printoptions` checks arrays (``$BPLIB_STRICT_PRINT``).

    ``"1"`` means checked (the test command and ``make notebooks``); unset,
    empty or ``"0"`` means a reader's session, where printing never raises.

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        If the variable holds anything else.
    """
    value = os.environ.get(STRICT_PRINT_VARIABLE, "").strip()
    if value not in ("", "0", "1"):
        raise ValueError(
            f"{STRICT_PRINT_VARIABLE} must be 1 (check printed arrays) or 0/unset (a reader's "
            f"session), but got {value!r}"
        )
    return value == "1"


def set_printoptions(precision: int = 6, *, margin: float = DEFAULT_MARGIN,
                     strict: bool | None = None) -> None:
    """Make NumPy print every float array rounded to ``precision`` decimals.

    Like ``np.set_printoptions(precision=precision, suppress=True)``: at most
    ``precision`` decimals, trailing zeros dropped, tiny values shown as ``0.``.
    Columns are not padded to a common width (NumPy pads only its own format).
    ``np.printoptions(...)`` inside a ``with`` block restores NumPy's own format,
    as a transcribed article's code needs to print exactly like the article.

    **Strict** (where the book's outputs are stored and compared: ``make test``
    and ``make notebooks`` set ``BPLIB_STRICT_PRINT=1``), each element is
    rounded by :func:`check_rounding`, and one within ``margin`` of a rounding
    boundary raises :class:`UnstableRounding` instead of printing a digit
    another CPU may not.  Arrays that an installed third-party package formats
    for itself (SciPy writes random samples into its docstrings on import) are
    not checked, so importing a library never fails; everything the chapter's
    code, bplib or Jupyter's display prints is.

    **A reader's session** (the variable unset): the same rounding and the same
    digits, unchecked, so a reader's own ``print(net.weights[0])`` never raises.
    :func:`fixed` and :func:`sig` stay checked in both: they print the book's
    own claims.

    Parameters
    ----------
    precision : int, optional
        Decimal places, at least 0.
    margin : float, optional
        See :func:`check_rounding` (strict only).
    strict : bool or None, optional
        Check every element (``True``) or not (``False``); ``None``, the
        default, reads ``$BPLIB_STRICT_PRINT`` (:func:`strict_printing`).

    Raises
    ------
    ValueError
        If ``$BPLIB_STRICT_PRINT`` is read and holds something other than 0 or 1.
    """
    precision = _check_int(precision, "precision", 0, 300)
    margin = _check_margin(margin)
    if strict is None:
        strict = strict_printing()
    elif not isinstance(strict, bool):
        raise TypeError(f"strict must be True, False or None, but got {type(strict).__name__} {strict!r}")
    element = _checked_element(precision, margin) if strict else _unchecked_element(precision)
    np.set_printoptions(precision=precision, suppress=True, formatter={"float_kind": element})
