"""What each stepper of the book must show: one module per stepper, ``<name>.py``.

A stepper's HTML carries its name (``data-stepper="worked-example"``); its module here is
that name with ``-`` as ``_`` (``worked_example.py``) and defines ``expected()``, every
``data-q`` key the stepper shows mapped to its value, computed in the test from bplib's
public API and the chapter's data, never by calling the walkthrough that drew the stepper.
``tests/test_site_steppers.py`` steps through every stepper of the built site and compares
each number it shows with these values, to the digits shown.
"""

from __future__ import annotations

import importlib
import math
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent

__all__ = ["module_name", "expected_for", "parse_shown", "tolerance", "agrees", "MissingExpectations"]


class MissingExpectations(LookupError):
    """A stepper on the site has no module of expected values here."""


def module_name(stepper: str) -> str:
    """The module of expected values of the stepper named ``stepper`` (its data-stepper)."""
    if not re.fullmatch(r"[a-z][a-z0-9-]*", stepper or ""):
        raise ValueError(f"not a stepper name: {stepper!r}")
    return stepper.replace("-", "_")


_CACHE: dict[str, dict[str, float]] = {}


def expected_for(stepper: str) -> dict[str, float]:
    """``expected()`` of the stepper's module, checked (str keys, finite float values), cached.

    Raises
    ------
    MissingExpectations
        If ``tests/expected_steps/<module>.py`` does not exist: the message says which file
        to write.
    """
    name = module_name(stepper)
    if name in _CACHE:
        return _CACHE[name]
    path = HERE / f"{name}.py"
    if not path.is_file():
        raise MissingExpectations(
            f"the stepper {stepper!r} has no expected values: write {path.relative_to(HERE.parents[1])} "
            "defining expected() -> dict[str, float] (every data-q key the stepper shows, computed "
            "from bplib's public API and the chapter's data; see tests/expected_steps/worked_example.py)")
    module = importlib.import_module(f"{__name__}.{name}")
    values = module.expected()
    if not isinstance(values, dict) or not values:
        raise TypeError(f"{path.name}: expected() must return a non-empty dict, got {type(values).__name__}")
    out = {}
    for key, value in values.items():
        if not isinstance(key, str):
            raise TypeError(f"{path.name}: key {key!r} is not a str")
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"{path.name}: {key!r} is {value}")
        out[key] = value
    _CACHE[name] = out
    return out


#: A number as a stepper prints it: bplib.display.fixed ("−0.0181", "+0.5", "3") or sig
#: ("1.81e−02"), with U+2212 for minus.
_FIXED = re.compile(r"^[+\-]?\d+(?:\.(\d+))?$")
_SIG = re.compile(r"^[+\-]?\d(?:\.(\d+))?e([+\-]\d+)$")


def parse_shown(text: str) -> tuple[float, float]:
    """The value a shown number's text means and half a unit of its last digit.

    >>> parse_shown("\u22120.0181")
    (-0.0181, 5e-05)
    """
    plain = text.strip().replace("\u2212", "-")
    m = _FIXED.match(plain)
    if m:
        decimals = len(m.group(1) or "")
        return float(plain), 0.5 * 10.0 ** -decimals
    m = _SIG.match(plain)
    if m:
        decimals = len(m.group(1) or "")
        return float(plain), 0.5 * 10.0 ** (int(m.group(2)) - decimals)
    raise ValueError(f"not a number as bplib.display prints one: {text!r}")


def tolerance(half_unit: float) -> float:
    """How far a value may lie from its shown text: half a unit of the last digit, plus
    1e-12 for the representation of the decimal text itself."""
    return half_unit + 1e-12


def agrees(text: str, value: float) -> bool:
    """Whether ``text`` is ``value`` rounded to the digits it shows."""
    shown, half = parse_shown(text)
    return abs(shown - value) <= tolerance(half)
