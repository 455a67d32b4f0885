"""Shared machinery for the exercise checkers.

A checker calls the reader's function on hidden cases and turns the first
problem it finds into one readable sentence, taken from the table of
:mod:`bplib.exercises.messages`.  The helpers here diagnose the
usual mistakes: no return value, wrong shape, NaN, a constant factor (often 2
or 1/2), a flipped sign, a wrong value at a special point, a mutated input.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from bplib.exercises.messages import msg, prefix

__all__ = [
    "Tolerance",
    "EXACT",
    "ROUNDING",
    "CLOSE",
    "CheckFailed",
    "Verdict",
    "report",
    "as_number_array",
    "as_array_or_none",
    "arrays_close",
    "run_checks",
    "call",
    "compare",
    "first_mismatch",
    "assert_not_mutated",
    "elementwise_cases",
    "check_elementwise",
    "diagnose_factor",
]


@dataclass(frozen=True)
class Tolerance:
    """How close a reader's numbers must be to the checker's: ``|got - expected| <= atol + rtol |expected|``.

    Every checker uses one of three, named for the reason two right answers can
    differ: :data:`EXACT`, :data:`ROUNDING`, :data:`CLOSE`.
    """

    rtol: float
    atol: float

    def mismatches(self, got: np.ndarray, expected: np.ndarray) -> np.ndarray:
        """Where ``got`` is not close to ``expected`` (a boolean array; shapes must broadcast)."""
        return ~np.isclose(got, expected, rtol=self.rtol, atol=self.atol)

    def close(self, got: Any, expected: Any) -> bool:
        """``got`` has ``expected``'s shape and is close to it everywhere."""
        got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
        return got.shape == expected.shape and not np.any(self.mismatches(got, expected))


#: Exact operations or the same arithmetic in another order: a mask, the gradients of
#: one graph by two traversals.  Only the last bits may differ.
EXACT = Tolerance(rtol=1e-12, atol=1e-14)
#: The same formula written another way (``-g a / b**2`` as ``-(g * a) / (b * b)``):
#: a few roundings apart.
ROUNDING = Tolerance(rtol=1e-9, atol=1e-12)
#: Another formula for the same value (the sigmoid through ``tanh`` or ``exp``) or a
#: comparison with central differences: agreement to about six digits.
CLOSE = Tolerance(rtol=1e-6, atol=1e-9)


class CheckFailed(Exception):
    """Raised inside a checker to stop at the first problem; its message is shown.

    ``nonfinite=True`` marks a failure that is a NaN or inf in the reader's result,
    which a floating-point problem met earlier explains (see :func:`run_checks`).
    ``raised`` is the exception the reader's code raised, when that is the failure
    (:func:`call`): a checker adds a hint by its type, never by the words of the message,
    which are in the reader's language.
    """

    def __init__(self, message: str, *, nonfinite: bool = False,
                 raised: BaseException | None = None) -> None:
        super().__init__(message)
        self.nonfinite = nonfinite
        self.raised = raised


class Verdict:
    """What a checker returns: true when the answer passed, with the line it printed.

    A checker has already printed its verdict, so Jupyter shows nothing more for it:
    a ``check.x(f)`` that ends a cell adds no ``True``/``False`` result under the
    message (``_ipython_display_`` displays nothing).  Code that needs the verdict
    uses it as a bool (``if check.x(f): ...``, ``assert check.x(f)``) or reads
    ``.ok`` and ``.message``; ``print(verdict)`` prints the line again.

    Parameters
    ----------
    ok : bool
        Whether the answer passed every hidden case.
    message : str
        The line the checker printed, ``"Correct: ..."`` or ``"Not yet: ..."``.
    """

    __slots__ = ("ok", "message")

    def __init__(self, ok: bool, message: str) -> None:
        if not isinstance(ok, (bool, np.bool_)):
            raise TypeError(f"ok must be a bool, but got {type(ok).__name__}")
        if not isinstance(message, str):
            raise TypeError(f"message must be a str, but got {type(message).__name__}")
        self.ok = bool(ok)
        self.message = message

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"Verdict(ok={self.ok}, message={self.message!r})"

    def _ipython_display_(self) -> None:
        """Display nothing: the checker printed its verdict already."""


def report(ok: bool, message: str) -> Verdict:
    """Print the one-line verdict and return it as a :class:`Verdict`."""
    line = prefix(ok) + message
    print(line)
    return Verdict(ok, line)


#: The floating-point problems met in the reader's code during one :func:`run_checks`
#: (None outside one): for each, the failure's sentence and the note's.
_FP_SEEN: contextvars.ContextVar[list[tuple[str, str]] | None] = contextvars.ContextVar("_FP_SEEN", default=None)


def run_checks(success_message: str, checks: Callable[[], None]) -> Verdict:
    """Run ``checks()``; report success, or the message of the first ``CheckFailed``.

    A floating-point problem in the reader's code (an overflow inside ``np.exp``, say)
    does not decide the verdict by itself: :func:`call` runs the code again with the
    warning silenced and the checks go on with its result.  If the answer is then
    right, the verdict is ``Correct`` with a note naming the overflow; if it is wrong
    because the overflow left a NaN or inf in the result, the line names the overflow;
    if it is wrong for another reason, the line names that reason.
    """
    token = _FP_SEEN.set([])
    try:
        try:
            checks()
        except CheckFailed as failure:
            seen = _FP_SEEN.get()
            return report(False, seen[0][0] if seen and failure.nonfinite else str(failure))
        seen = _FP_SEEN.get()
    finally:
        _FP_SEEN.reset(token)
    note = msg("core.overflow_note", problem=seen[0][1]) if seen else ""
    return report(True, success_message + note)


def _floating_point_message(what: str, exc: FloatingPointError, *, note: bool = False) -> str:
    kind = str(exc).split()[0] if str(exc) else ""
    problem = msg(_FLOATING_POINT.get(kind, "core.fp.other"))
    if note:
        return msg("core.floating_point_note", what=what, problem=problem, numpy=exc)
    return msg("core.floating_point", what=what, problem=problem, numpy=exc)


_FLOATING_POINT = {
    "overflow": "core.fp.overflow",
    "divide": "core.fp.divide",
    "invalid": "core.fp.invalid",
}


def call(fn: Callable[..., Any], *args: Any, what: str = "your function") -> Any:
    """Call the reader's ``fn``; turn any exception into a readable ``CheckFailed``.

    Every checker treats NumPy's floating-point problems in the reader's code the same
    way (an underflow to 0 is fine): an overflow, a division by zero or an invalid
    operation (``inf - inf``, ``0/0``) never shows as a warning that scrolls by.
    Outside :func:`run_checks` it is a failure named as such.  Inside, it is noted and
    ``fn`` runs again with the warning silenced: a right answer that overflows on the
    way (``1 / (1 + np.exp(-z))`` at ``z = -1e4`` is exactly 0) is still right.
    """
    try:
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            return fn(*args)
    except FloatingPointError as exc:
        seen = _FP_SEEN.get()
        if seen is None:
            raise CheckFailed(_floating_point_message(what, exc)) from None
        seen.append((_floating_point_message(what, exc), _floating_point_message(what, exc, note=True)))
        return _call_quietly(fn, *args, what=what)
    except CheckFailed:  # a checker's own verdict, raised from inside the reader's call
        raise
    except Exception as exc:  # the reader's code may raise anything
        raise CheckFailed(msg("core.raised", what=what, error=type(exc).__name__, text=exc),
                          raised=exc) from None


def _call_quietly(fn: Callable[..., Any], *args: Any, what: str) -> Any:
    """``fn(*args)`` with NumPy's floating-point warnings off."""
    try:
        with np.errstate(all="ignore"):
            return fn(*args)
    except CheckFailed:
        raise
    except Exception as exc:
        raise CheckFailed(msg("core.raised", what=what, error=type(exc).__name__, text=exc),
                          raised=exc) from None


def _describe_point(where: str | None) -> str:
    return f" {where}" if where else ""


def as_array_or_none(got: object) -> np.ndarray | None:
    """A reader's result as a float array, or None when it is not one (``compare`` says why)."""
    try:
        return None if got is None else np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return None


def arrays_close(got: object, expected: np.ndarray, tol: Tolerance = ROUNDING) -> bool:
    """Whether a reader's result has ``expected``'s shape and values, within ``tol``.

    The silent test a checker runs on a candidate mistake; ``compare`` is the one that
    explains a failure to the reader.
    """
    arr = as_array_or_none(got)
    return arr is not None and arr.shape == expected.shape and tol.close(arr, expected)


def as_number_array(got: Any, *, name: str = "the result", where: str | None = None) -> np.ndarray:
    """Convert the reader's result to a float array, or raise ``CheckFailed`` saying why not."""
    at = _describe_point(where)
    if got is None:
        raise CheckFailed(msg("core.returned_none", name=name, at=at))
    try:
        return np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(msg("core.not_a_number", name=name, at=at, type=type(got).__name__)) from None


def first_mismatch(got: np.ndarray, expected: np.ndarray, *, tol: Tolerance = CLOSE) -> tuple[int, ...]:
    """The index of the first entry where ``got`` is not close to ``expected`` (``()`` for 0-d).

    The arrays have one shape and differ somewhere (``tol.close`` was False).
    """
    if np.ndim(got) == 0:
        return ()
    bad = np.argwhere(tol.mismatches(got, expected))
    return tuple(int(i) for i in bad[0])


def compare(
    got: Any,
    expected: np.ndarray | float,
    *,
    name: str = "the result",
    where: str | None = None,
    tol: Tolerance = CLOSE,
    guess_factor: bool = True,
) -> None:
    """Check that ``got`` matches ``expected`` within ``tol``; raise ``CheckFailed`` naming the problem.

    Diagnoses, in order: ``None`` returned, a non-numeric result, wrong shape,
    NaN/inf, a constant factor (e.g. "off by a factor of 2") and a flipped
    sign (unless ``guess_factor=False``: a checker that sees a factor only
    across all its cases looks for it there), and otherwise the first point
    where the values differ.
    """
    at = _describe_point(where)
    got_arr = as_number_array(got, name=name, where=where)
    exp_arr = np.asarray(expected, dtype=float)
    if got_arr.shape != exp_arr.shape:
        raise CheckFailed(msg("core.wrong_shape", name=name, at=at, got=got_arr.shape,
                              expected=exp_arr.shape))
    if not np.all(np.isfinite(got_arr)):
        raise CheckFailed(msg("core.not_finite", name=name, at=at), nonfinite=True)
    if tol.close(got_arr, exp_arr):
        return
    if guess_factor:
        diagnose_factor(got_arr, exp_arr, f"{name}{at}")
    index = first_mismatch(got_arr, exp_arr, tol=tol)
    position = msg("core.at_index", index=index) if index else ""
    raise CheckFailed(msg("core.wrong_value", name=name, at=at, position=position,
                          got=f"{got_arr[index]:.6g}"))


def diagnose_factor(got: np.ndarray, expected: np.ndarray, name: str, suffix: str = "") -> None:
    """Raise ``CheckFailed`` if ``got`` is ``expected`` times one constant (not 1).

    Needs at least two clearly non-zero expected values: with a single value
    every wrong answer is "a constant factor" away, which would mislead.
    """
    got, expected = np.ravel(got), np.ravel(expected)
    big = np.abs(expected) > 1e-6
    if np.count_nonzero(big) < 2:
        return
    ratios = got[big] / expected[big]
    r = float(np.median(ratios))
    if abs(r) < 1e-12 or np.isclose(r, 1.0) or not np.allclose(ratios, r, rtol=1e-6):
        return
    if np.isclose(r, -1.0):
        raise CheckFailed(msg("core.wrong_sign", name=name, suffix=suffix))
    factor = f"{r:g}" if abs(r) >= 1 else f"1/{1 / r:g}"
    raise CheckFailed(msg("core.constant_factor", name=name, factor=factor, suffix=suffix))


def assert_not_mutated(fn: Callable[..., Any], *args: np.ndarray, what: str = "your function") -> Any:
    """Call ``fn(*args)`` and fail if it changed any of its array arguments in place."""
    copies = [np.array(a, copy=True) for a in args]
    result = call(fn, *args, what=what)
    for i, (before, after) in enumerate(zip(copies, args)):
        if not np.array_equal(before, after, equal_nan=True):
            raise CheckFailed(msg("core.mutated", what=what, number=i + 1))
    return result


def elementwise_cases(rng: np.random.Generator) -> Iterable[tuple[str, np.ndarray]]:
    """Hidden inputs for an elementwise function of z: special points, then random arrays."""
    yield msg("case.at_z", z=0), np.array(0.0)
    yield msg("case.at_z", z=1), np.array(1.0)
    yield msg("case.at_z", z=-2.5), np.array(-2.5)
    yield msg("case.vector"), rng.normal(size=7)
    yield msg("case.matrix", shape=(3, 4)), rng.normal(scale=3.0, size=(3, 4))
    yield msg("case.array", shape=(2, 3, 2)), rng.normal(size=(2, 3, 2))
    yield msg("case.large_z", z="±50"), np.array([-50.0, 50.0])


def check_elementwise(
    fn: Callable[[np.ndarray], Any],
    reference: Callable[[np.ndarray], np.ndarray],
    *,
    fn_name: str,
    seed: int,
    extra_cases: Sequence[tuple[str, np.ndarray]] = (),
    tol: Tolerance = CLOSE,
) -> None:
    """Compare an elementwise function with ``reference`` on hidden cases."""
    rng = np.random.default_rng(seed)
    name = f"{fn_name}(z)"
    results = []
    for where, z in [*elementwise_cases(rng), *extra_cases]:
        got = assert_not_mutated(fn, z.copy(), what=fn_name)
        results.append((where, got, reference(z)))
    # A constant factor on *every* case (forgotten 1/2, extra 2, flipped sign) is
    # the most useful thing to say, so look for it across all cases first.
    try:
        pairs = [(np.asarray(g, dtype=float), e) for _, g, e in results]
    except (TypeError, ValueError):
        pairs = []
    if pairs and all(g.shape == e.shape and np.all(np.isfinite(g)) for g, e in pairs):
        diagnose_factor(
            np.concatenate([g.ravel() for g, _ in pairs]),
            np.concatenate([e.ravel() for _, e in pairs]),
            name,
            msg("core.every_case"),
        )
    for where, got, expected in results:
        compare(got, expected, name=name, where=where, tol=tol)
