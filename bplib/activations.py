"""Activation functions and their derivatives.

Every function works elementwise on an array of any shape (``softmax`` works
row-wise over the last axis) and returns a new float64 array of the same
shape.  Derivatives are written as functions of the *pre-activation* ``z``,
as in Nielsen's book: ``sigmoid_prime(z)`` is :math:`\\sigma'(z)`, not a
function of :math:`\\sigma(z)`.

Each activation has **one** definition, an :class:`Activation` record in
:data:`ACTIVATIONS`: the function ``f(z)``, its derivative ``prime(z)``, the
same derivative computed from the output ``a = f(z)`` (``prime_from_output``,
what the layers, the fast trainer and the autodiff engine use) and its SymPy
form (what :mod:`bplib.symbolic` uses).  The module-level functions
(``sigmoid``, ``sigmoid_prime``, ...) check their input and call the record.

:func:`register` is the one way into the registry, for the book's own
activations (at the end of this module) and for a reader's: it checks that
the record's derivatives agree (``prime(z)`` with ``prime_from_output(f(z))``,
and both with SymPy's derivative of the symbolic form) before any consumer
sees it.  A registered name then works everywhere: ``Network(...,
activation=name)`` and its fast path, ``TwoLayerNet(..., activation=name)``,
``bplib.layers.ActivationLayer(name)``, ``Value.activation(name)`` and
``bplib.symbolic.activation(name)``.  Adding an activation to the course
means adding one ``register(...)`` call here.

All functions are numerically stable: none of them calls ``np.exp`` on a
large positive number, so ``|z| = 1e4`` gives no overflow warning.

Examples
--------
>>> import numpy as np
>>> from bplib.activations import sigmoid, sigmoid_prime
>>> float(sigmoid(0.0)), float(sigmoid_prime(0.0))
(0.5, 0.25)
>>> from bplib.activations import register, unregister
>>> softplus = register("softplus", lambda z: np.logaddexp(0.0, z), sigmoid,
...                     prime_from_output=lambda a: -np.expm1(-a))
>>> float(softplus.prime(0.0))
0.5
>>> _ = unregister("softplus")
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_known

__all__ = [
    "Activation",
    "ACTIVATIONS",
    "get_activation",
    "register",
    "unregister",
    "sigmoid",
    "sigmoid_prime",
    "relu",
    "relu_prime",
    "tanh",
    "tanh_prime",
    "identity",
    "identity_prime",
    "softmax",
    "log_softmax",
    "logsumexp",
]

Kernel = Callable[..., np.ndarray]


@dataclass(frozen=True)
class Activation:
    """One activation: its function, its derivative two ways, and its SymPy form.

    The records of :data:`ACTIVATIONS` are made by :func:`register`, which
    checks them; a record made directly (as ``Network`` does for a pair of
    functions) is not checked and not registered.

    The kernels take float64 arrays that are already checked (the public
    functions below check); ``f`` and ``prime_from_output`` accept an ``out=``
    array so the fast trainer can work in preallocated buffers.  With ``out=``,
    ``f`` leaves NumPy's overflow reporting to the caller (the sigmoid's
    ``exp(-z)`` overflows, harmlessly, for ``z < -709.78``).

    Attributes
    ----------
    name : str
    f : callable
        ``f(z, out=None)``: the activation, elementwise, any shape.
    prime : callable
        ``prime(z)``: the derivative as a function of the pre-activation ``z``.
    prime_from_output : callable or None
        ``prime_from_output(a, out=None)``: the same derivative from the output
        ``a = f(z)`` (for the sigmoid ``a (1 - a)``); ``None`` when it cannot
        be written that way (a custom pair of functions).
    symbolic : callable or None
        ``symbolic(x)``: the activation of a SymPy expression.
    kinks : tuple of float
        The points where ``f`` has no derivative (ReLU's 0): the kernels choose
        a value there, and :func:`register`'s checks skip them.
    """

    name: str
    f: Kernel
    prime: Kernel
    prime_from_output: Kernel | None = None
    symbolic: Callable[[Any], Any] | None = None
    kinks: tuple[float, ...] = ()


# ----------------------------------------------------------------- kernels
def _sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        # e = exp(-|z|) <= 1 never overflows: 1/(1+e) for z >= 0, e/(1+e) for z < 0
        e = np.exp(-np.abs(z))
        return np.divide(np.where(z >= 0, 1.0, e), 1.0 + e)
    # In place, for the fast trainer's buffers (thousands of calls a second on small
    # arrays, so four NumPy calls and nothing else): 1 / (1 + exp(-z)), equal to the
    # form above to a few ulp.  For z < -709.78, exp(-z) overflows to inf and the
    # result is 0 (the true value is below 1e-308); the caller silences that
    # expected overflow (FastTrainer.train runs under np.errstate(over="ignore")).
    np.negative(z, out=out)
    np.exp(out, out=out)
    np.add(out, 1.0, out=out)
    return np.divide(1.0, out, out=out)


def _sigmoid_prime(z: np.ndarray) -> np.ndarray:
    # e/(1+e)**2 = sigma(z)(1 - sigma(z)), exact where 1 - sigma(z) rounds to 0
    e = np.exp(-np.abs(z))
    return e / (1.0 + e) ** 2


def _sigmoid_from_output(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        return a * (1.0 - a)
    np.subtract(1.0, a, out=out)        # in place: no temporary in the fast trainer
    return np.multiply(out, a, out=out)


def _sigmoid_symbolic(x: Any) -> Any:
    import sympy as sp

    return 1 / (1 + sp.exp(-x))


def _tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.tanh(z, out=out)


def _tanh_from_output(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.subtract(1.0, a * a, out=out)


def _tanh_prime(z: np.ndarray) -> np.ndarray:
    return _tanh_from_output(np.tanh(z))


def _tanh_symbolic(x: Any) -> Any:
    import sympy as sp

    return sp.tanh(x)


def _relu(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.maximum(z, 0.0, out=out)


def _relu_prime(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    # 1 where z > 0, else 0 (also at the kink z = 0, like the Relu layer)
    return np.greater(z, 0.0, out=out) if out is not None else (z > 0).astype(np.float64)


def _relu_symbolic(x: Any) -> Any:
    import sympy as sp

    return sp.Piecewise((x, x > 0), (0, True))


def _identity(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        return z.copy()
    if out is not z:
        np.copyto(out, z)
    return out


def _ones(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        return np.ones_like(z)
    out.fill(1.0)
    return out


_REGISTRY: dict[str, Activation] = {}

#: The one registry of activations, by name: a read-only view, filled by :func:`register`.
ACTIVATIONS: Mapping[str, Activation] = MappingProxyType(_REGISTRY)

#: The z at which :func:`register` compares a record's derivatives: -50 to 50 in steps
#: of 0.1 (0 exactly), where every book activation and its SymPy form are finite.
_CHECK_GRID = np.arange(-500, 501) / 10.0
#: Largest allowed difference between two forms of a derivative: absolute, relative
#: to the value where that exceeds 1 in size.
_CHECK_TOLERANCE = 1e-12


def _accepting_out(kernel: Kernel) -> Kernel:
    """``kernel`` itself if it takes ``out=``, else a wrapper that fills ``out``.

    The fast trainer calls ``f(z, out=buffer)`` and ``prime_from_output(a,
    out=buffer)``; a reader's ``lambda z: ...`` gets the keyword this way.
    """
    if isinstance(kernel, np.ufunc):
        return kernel
    try:
        parameters = inspect.signature(kernel).parameters
    except (TypeError, ValueError):  # a builtin without a signature
        parameters = {}
    if "out" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return kernel

    @functools.wraps(kernel)
    def with_out(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        result = kernel(z)
        if out is None:
            return np.asarray(result, dtype=np.float64)
        out[...] = result
        return out

    return with_out


def _evaluate(kernel: Callable[..., Any], z: np.ndarray, name: str, what: str) -> np.ndarray:
    """``kernel(z)`` on the check grid as a float array of z's shape, or a clear error."""
    with np.errstate(all="ignore"):
        result = np.asarray(kernel(z), dtype=np.float64)
    if result.shape != z.shape:
        result = np.broadcast_to(result, z.shape) if result.ndim == 0 else result
    if result.shape != z.shape:
        raise ValueError(
            f"activation {name!r}: {what} must return an array shaped like z (elementwise), "
            f"but on z of shape {z.shape} it returned shape {result.shape}"
        )
    return result


def _check_agree(name: str, z: np.ndarray, got: np.ndarray, want: np.ndarray,
                 got_name: str, want_name: str) -> None:
    """Raise ``ValueError`` naming the worst z where two forms of one function disagree."""
    both = np.isfinite(got) & np.isfinite(want)
    excess = np.where(both, np.abs(got - want) - _CHECK_TOLERANCE * np.maximum(1.0, np.abs(want)), 0.0)
    worst = int(np.argmax(excess))
    if excess[worst] > 0:
        raise ValueError(
            f"activation {name!r}: {got_name} and {want_name} disagree, worst at z = "
            f"{z[worst]:g}: {float(got[worst])!r} against {float(want[worst])!r} (difference "
            f"{abs(got[worst] - want[worst]):.3g}, allowed {_CHECK_TOLERANCE:g}); "
            "one of them is not the derivative it claims to be"
        )


def _check_derivatives(record: Activation) -> None:
    """Check a record's forms against each other on :data:`_CHECK_GRID` (skipping its kinks).

    ``prime(z)`` against ``prime_from_output(f(z))`` where both are finite (the
    sigmoid's two forms differ in *relative* terms beyond z = 30, where
    ``1 - a`` rounds, but by less than 1e-13 absolutely); then, for a record
    with a SymPy form, ``f`` and ``prime`` against that form and its SymPy
    derivative.
    """
    z = _CHECK_GRID[~np.isin(_CHECK_GRID, record.kinks)]
    a = _evaluate(record.f, z, record.name, "f")
    prime = _evaluate(record.prime, z, record.name, "prime")
    if record.prime_from_output is not None:
        from_output = _evaluate(record.prime_from_output, a, record.name, "prime_from_output")
        _check_agree(record.name, z, from_output, prime, "prime_from_output(f(z))", "prime(z)")
    if record.symbolic is not None:
        import sympy as sp
        from sympy.printing.numpy import NumPyPrinter

        x = sp.Symbol("z", real=True)
        form = record.symbolic(x)
        for kernel_value, expr, what in [(a, form, "f(z)"), (prime, sp.diff(form, x), "prime(z)")]:
            # NumPy code with only `numpy` in its namespace: lambdify's default
            # namespace walks all of NumPy's names, which costs a quarter second
            code = sp.lambdify(x, expr, modules=[{"numpy": np}], printer=NumPyPrinter)
            exact = _evaluate(code, z, record.name, f"SymPy's {what}")
            _check_agree(record.name, z, kernel_value, exact, what, f"SymPy's {what} of the symbolic form")


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name.isidentifier() or not name[0].isalpha():
        raise ValueError(
            "an activation's name must be a word of letters, digits and underscores "
            f"starting with a letter (it names layers, e.g. 'softplus'), but got {name!r}"
        )
    return name


def register(
    name: str,
    f: Kernel,
    prime: Kernel,
    prime_from_output: Kernel | None = None,
    symbolic: Callable[[Any], Any] | None = None,
    *,
    kinks: Iterable[float] = (),
) -> Activation:
    """Add an activation to :data:`ACTIVATIONS`, after checking its derivatives.

    Every consumer reads the registry, so once registered the name works in
    ``Network``, ``TwoLayerNet``, the layers, ``Value.activation`` and
    ``bplib.symbolic.activation``.

    Parameters
    ----------
    name : str
        A new name, a word such as ``"softplus"`` (it names layers: ``Softplus1``).
    f : callable
        ``f(z)``: the activation, elementwise on float64 arrays of any shape.
    prime : callable
        ``prime(z)``: its derivative as a function of ``z``.
    prime_from_output : callable, optional
        The same derivative as a function of the output ``a = f(z)`` (the
        sigmoid's ``a (1 - a)``).  Without it the layers keep their input for
        ``backward`` and ``Network`` trains on its reference path only.
    symbolic : callable, optional
        ``symbolic(x)``: the activation of a SymPy expression (what
        :mod:`bplib.symbolic` and the chapters derive with).
    kinks : iterable of float, optional
        Points where ``f`` has no derivative (ReLU's 0); the checks skip them.

    ``f`` and ``prime_from_output`` may take an ``out=`` array (the fast
    trainer's buffers); if they do not, they are wrapped so that they do.

    Returns
    -------
    Activation
        The record, as :func:`get_activation` will return it.

    Raises
    ------
    ValueError
        If the name is taken or not a word, if a kernel does not return an
        array shaped like its input, or if the derivatives disagree by more than
        1e-12 at some z of -50, -49.9, ..., 50 (where both are finite): the
        message names the activation, the two forms and the worst z.
    TypeError
        If ``f``, ``prime`` or a given ``prime_from_output``/``symbolic`` is not callable.
    """
    name = _check_name(name)
    if name in _REGISTRY:
        raise ValueError(f"activation {name!r} is already registered; unregister({name!r}) first")
    for what, kernel, required in [("f", f, True), ("prime", prime, True),
                                   ("prime_from_output", prime_from_output, False),
                                   ("symbolic", symbolic, False)]:
        if (required or kernel is not None) and not callable(kernel):
            raise TypeError(f"{what} must be a function, but got {type(kernel).__name__}: {kernel!r}")
    record = Activation(
        name,
        _accepting_out(f),
        prime,
        None if prime_from_output is None else _accepting_out(prime_from_output),
        symbolic,
        tuple(float(k) for k in kinks),
    )
    _check_derivatives(record)
    _REGISTRY[name] = record
    return record


def unregister(name: str) -> Activation:
    """Remove an activation added by :func:`register`; return its record.

    The book's own activations (``sigmoid``, ``relu``, ``tanh``, ``identity``)
    stay: the chapters rely on them.

    Raises
    ------
    ValueError
        For an unknown name or one of the book's own.
    """
    check_known(name, _REGISTRY, "activation")
    if name in _BOOK_ACTIVATIONS:
        raise ValueError(f"{name!r} is one of the book's own activations and cannot be removed")
    return _REGISTRY.pop(name)


def get_activation(name: str) -> Activation:
    """Look up an activation record by name.

    Parameters
    ----------
    name : str
        A registered name: the book's ``"sigmoid"``, ``"relu"``, ``"tanh"``,
        ``"identity"``, or one added with :func:`register`.

    Returns
    -------
    Activation
        ``record.f`` and ``record.prime`` are the function and its derivative.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the known names.
    """
    return ACTIVATIONS[check_known(name, ACTIVATIONS, "activation")]


# --------------------------------------------------- checked public functions
def _checked(z: ArrayLike) -> np.ndarray:
    return as_float_array(z, "z", allow_empty=True)


def sigmoid(z: ArrayLike) -> np.ndarray:
    """Logistic sigmoid :math:`\\sigma(z) = 1 / (1 + e^{-z})`.

    Computed with ``e = exp(-|z|)`` (which is at most 1, so it never
    overflows): :math:`1/(1+e)` for ``z >= 0`` and :math:`e/(1+e)` for
    ``z < 0``, which keeps full relative precision for very negative ``z``.

    Parameters
    ----------
    z : array_like, any shape
        Pre-activations.

    Returns
    -------
    numpy.ndarray, same shape as ``z``, values in [0, 1].
    """
    return _sigmoid(_checked(z))


def sigmoid_prime(z: ArrayLike) -> np.ndarray:
    """Derivative of the sigmoid, :math:`\\sigma'(z) = \\sigma(z)(1-\\sigma(z))`.

    Computed as ``e / (1 + e)**2`` with ``e = exp(-|z|)``, which stays
    accurate where ``1 - sigma(z)`` would round to 0 (``z = 40`` gives
    4.2e-18, not 0).

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    numpy.ndarray, same shape as ``z``, values in [0, 0.25].
    """
    return _sigmoid_prime(_checked(z))


def relu(z: ArrayLike) -> np.ndarray:
    """Rectified linear unit, ``max(z, 0)``; ``z`` any shape, same shape out."""
    return _relu(_checked(z))


def relu_prime(z: ArrayLike) -> np.ndarray:
    """Derivative of ReLU: 1.0 where ``z > 0``, else 0.0 (0 at the kink ``z = 0``,
    the same choice as the :class:`bplib.layers.Relu` layer, whose mask is ``x <= 0``)."""
    return _relu_prime(_checked(z))


def tanh(z: ArrayLike) -> np.ndarray:
    """Hyperbolic tangent (``np.tanh``); ``z`` any shape, values in [-1, 1]."""
    return _tanh(_checked(z))


def tanh_prime(z: ArrayLike) -> np.ndarray:
    """Derivative of tanh, :math:`1 - \\tanh^2(z)`; ``z`` any shape, values in [0, 1]."""
    return _tanh_prime(_checked(z))


def identity(z: ArrayLike) -> np.ndarray:
    """Identity (linear) activation; returns a float copy of ``z``."""
    return _identity(_checked(z))


def identity_prime(z: ArrayLike) -> np.ndarray:
    """Derivative of the identity: an array of ones shaped like ``z``."""
    return _ones(_checked(z))


def softmax(z: ArrayLike) -> np.ndarray:
    """Softmax over the last axis: ``exp(z_i) / sum_j exp(z_j)``, row by row.

    The row maximum is subtracted first (softmax is unchanged by adding a
    constant to a row), so the largest exponent is ``exp(0) = 1`` and logits
    of ``+-1e4`` are handled exactly.

    Parameters
    ----------
    z : array_like, shape (classes,) or (batch, classes)
        Logits.  A 1-D ``z`` is one sample.  (Higher dimensions also work:
        the softmax is always taken over the last axis.)

    Returns
    -------
    numpy.ndarray, same shape as ``z``; each row is non-negative and sums to 1.
    """
    shifted = _shifted_logits(z)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def log_softmax(z: ArrayLike) -> np.ndarray:
    """``log(softmax(z))`` over the last axis via log-sum-exp (no overflow).

    Computed as ``(z - m) - log(sum(exp(z - m)))`` with ``m`` the row maximum,
    that is ``z - logsumexp(z)`` (:func:`logsumexp`) without a second pass.

    Parameters
    ----------
    z : array_like, shape (classes,) or (batch, classes)
        Logits, checked like :func:`softmax`'s.

    Returns
    -------
    numpy.ndarray, same shape as ``z``; each row's exponentials sum to 1.
    """
    shifted = _shifted_logits(z)
    return shifted - _log_sum_exp_of_shifted(shifted)


def logsumexp(z: ArrayLike) -> np.ndarray:
    """``log(sum_j exp(z_j))`` over the last axis, without overflow (log-sum-exp).

    The naive ``np.log(np.sum(np.exp(z)))`` overflows once a logit passes
    ``log(np.finfo(float).max) ~= 709.78`` (``exp`` gives ``inf``) and gives
    ``-inf`` once every logit is below about ``-745`` (``exp`` underflows to
    0).  With ``m`` the row maximum, ``logsumexp(z) = m + log(sum_j exp(z_j -
    m))``: every exponent is ``<= 0`` and the largest term is ``exp(0) = 1``,
    so the sum lies in ``[1, classes]`` and its log is exact to rounding.

    Its gradient is the softmax: ``d logsumexp(z) / dz_j = softmax(z)_j``;
    and ``log_softmax(z) = z - logsumexp(z)`` (:func:`log_softmax`).

    Parameters
    ----------
    z : array_like, shape (classes,) or (batch, classes)
        Logits, checked like :func:`softmax`'s (finite, at least 1-D, not empty).

    Returns
    -------
    numpy.ndarray of shape ``z.shape[:-1]``: one value per row (a 0-d array
    for a 1-D ``z``).

    Examples
    --------
    >>> float(logsumexp([1000.0, 1000.0]) - 1000.0)  # log 2; the naive form gives inf
    0.6931471805599453
    """
    z = _checked_logits(z)
    row_max = np.max(z, axis=-1, keepdims=True)
    return (row_max + _log_sum_exp_of_shifted(z - row_max))[..., 0]


def _log_sum_exp_of_shifted(shifted: np.ndarray) -> np.ndarray:
    """``log(sum(exp(shifted)))`` over the last axis, kept as a column (every exponent <= 0)."""
    return np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _checked_logits(z: ArrayLike) -> np.ndarray:
    """Logits as a finite, non-empty float64 array of at least one dimension."""
    z = as_float_array(z, "z")
    if z.ndim == 0:
        raise ValueError("z must have at least 1 dimension (classes,), but it is 0-D")
    return z


def _shifted_logits(z: ArrayLike) -> np.ndarray:
    """Checked logits minus their row maximum (softmax and log-softmax are unchanged by it)."""
    z = _checked_logits(z)
    return z - np.max(z, axis=-1, keepdims=True)


# ------------------------------------------------------------- the book's own
register("sigmoid", _sigmoid, _sigmoid_prime, _sigmoid_from_output, _sigmoid_symbolic)
# relu'(z) = 1 exactly where a = relu(z) > 0, so one kernel serves both forms
register("relu", _relu, _relu_prime, _relu_prime, _relu_symbolic, kinks=(0.0,))
register("tanh", _tanh, _tanh_prime, _tanh_from_output, _tanh_symbolic)
register("identity", _identity, _ones, _ones, lambda x: x)
_BOOK_ACTIVATIONS = frozenset(_REGISTRY)
