"""What both training paths of :class:`bplib.network.Network` share.

The reference path (``Network.sgd -> update_batch -> backprop``) and the fast
path (:class:`bplib.fast.FastTrainer`) must do the same thing, so the parts
that are not arithmetic live here once: checking the training data and the
hyper-parameters, the order of the batches, the :class:`History` they return,
and the error they both raise when training diverges.

Training data come in either of two forms (the rule that tells them apart):

* a **tuple** ``(X, Y)`` of two arrays holding the samples as columns,
  ``X`` of shape ``(n_in, n)`` and ``Y`` of shape ``(n_out, n)``;
* a **list** (or any other iterable that is not a tuple, e.g. ``zip``) of
  ``(x, y)`` pairs, one per sample, as Nielsen's ``network.py`` and
  article 000 pass them: ``x`` of shape ``(n_in, 1)`` or ``(n_in,)``.

So ``(X, Y)`` and ``[(x1, y1), (x2, y2)]`` both have length 2 but are never
confused: the type of the container decides.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    as_dtype_name,
    as_float_array,
    check_positive,
    check_positive_int,
    check_seed,
)

__all__ = [
    "History",
    "TrainingDiverged",
    "TrainingArgs",
    "TrainingRun",
    "check_columns",
    "unpack_data",
    "check_training_args",
    "check_run",
    "batch_slices",
    "check_converging",
    "global_norm",
    "clip_grad_norm",
    "DTYPES",
]

#: Floating-point types training can run in (``float32`` only on the fast path).
DTYPES = ("float64", "float32")


@dataclass
class History:
    """What training records, one entry per epoch.

    Attributes
    ----------
    loss : list of float
        Mean training cost per sample, measured after each epoch.
    test_loss : list of float
        Mean cost on ``test_data`` after each epoch (empty without test data).
    """

    loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.loss)

    def __repr__(self) -> str:
        if not self.loss:
            return "History(epochs=0)"
        text = f"History(epochs={len(self.loss)}, final loss={self.loss[-1]:.6g}"
        if self.test_loss:
            text += f", final test loss={self.test_loss[-1]:.6g}"
        return text + ")"


class TrainingDiverged(FloatingPointError):
    """Training produced a cost that is not a finite number (it diverged)."""


def check_columns(
    x: ArrayLike, y: ArrayLike, n_in: int, n_out: int, names: tuple[str, str] = ("x", "y")
) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` as float column batches of shapes (n_in, m) and (n_out, m).

    A 1-D ``x`` (``y``) is one sample and becomes a column.  Errors name the
    arguments as ``names`` (e.g. ``("test_data X", "test_data Y")``).
    """
    name_x, name_y = names
    x = as_float_array(x, name_x, ndims=(1, 2))
    y = as_float_array(y, name_y, ndims=(1, 2))
    for arr, name, n, layer in ((x, name_x, n_in, "input"), (y, name_y, n_out, "output")):
        if arr.shape[0] != n:
            one_d = (
                f"; a 1-D {name} is one sample, so it needs {n} entries: pass several samples "
                f"as the columns of a 2-D array of shape ({n}, m)"
                if arr.ndim == 1 else ""
            )
            raise ValueError(
                f"{name} has {arr.shape[0]} rows but the network's {layer} layer has "
                f"{n} units ({name}.shape={arr.shape}){one_d}"
            )
    m_x, m_y = x.size // n_in, y.size // n_out  # samples: columns, or 1 for a 1-D array
    if m_x != m_y:
        one_d = "".join(
            f"; {name} is 1-D, so it is read as one sample"
            for name, arr in ((name_x, x), (name_y, y)) if arr.ndim == 1
        )
        raise ValueError(
            f"{name_x} has {m_x} columns (samples) but {name_y} has {m_y} "
            f"({name_x}.shape={x.shape}, {name_y}.shape={y.shape}){one_d}"
        )
    return x.reshape(n_in, -1), y.reshape(n_out, -1)


def unpack_data(
    data: object, n_in: int, n_out: int, name: str, names: tuple[str, str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Training data in either form (see the module notes) as column batches ``(X, Y)``.

    Errors name a tuple's two arrays ``names``, by default ``f"{name} X"`` and ``f"{name} Y"``.
    """
    if isinstance(data, tuple):
        if len(data) != 2:
            raise ValueError(
                f"{name} as a tuple must be (X, Y), two arrays of shapes ({n_in}, n) and "
                f"({n_out}, n), but it has length {len(data)}"
            )
        return check_columns(data[0], data[1], n_in, n_out, names or (f"{name} X", f"{name} Y"))
    if isinstance(data, (str, bytes, np.ndarray)) or not hasattr(data, "__iter__"):
        raise ValueError(
            f"{name} must be a tuple (X, Y) of arrays or a list of (x, y) pairs, "
            f"but got {type(data).__name__}"
        )
    xs, ys = [], []
    for i, pair in enumerate(data):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(
                f"{name} is a {type(data).__name__}, so it is read as (x, y) pairs, one per "
                f"sample, but {name}[{i}] is a {type(pair).__name__}"
                + (f" of shape {pair.shape}" if isinstance(pair, np.ndarray) else "")
                + "; pass arrays of samples as a tuple (X, Y)"
            )
        x, y = check_columns(pair[0], pair[1], n_in, n_out, (f"{name}[{i}] x", f"{name}[{i}] y"))
        if x.shape[1] != 1:
            raise ValueError(
                f"{name}[{i}] x must be one sample, shape ({n_in}, 1) or ({n_in},), "
                f"but it has {x.shape[1]} columns"
            )
        xs.append(x)
        ys.append(y)
    if not xs:
        raise ValueError(f"{name} must hold at least one sample, but it is empty")
    return np.hstack(xs), np.hstack(ys)


@dataclass(frozen=True)
class TrainingArgs:
    """The checked hyper-parameters of one training run."""

    epochs: int
    batch_size: int
    learning_rate: float
    seed: int
    dtype: str = "float64"


def check_training_args(
    epochs: object, batch_size: object, learning_rate: object, seed: object, dtype: object = "float64"
) -> TrainingArgs:
    """Check the hyper-parameters both training paths take (errors name the argument)."""
    return TrainingArgs(
        epochs=check_positive_int(epochs, "epochs"),
        batch_size=check_positive_int(batch_size, "batch_size"),
        learning_rate=check_positive(learning_rate, "learning_rate"),
        seed=check_seed(seed),
        dtype=as_dtype_name(dtype, DTYPES),
    )


@dataclass(frozen=True)
class TrainingRun:
    """The checked inputs of one training run: what both training paths work on.

    ``x`` and ``y`` are column batches of shapes ``(n_in, n)`` and
    ``(n_out, n)``; ``test_data`` is ``None`` or such a pair.
    """

    x: np.ndarray
    y: np.ndarray
    args: TrainingArgs
    test_data: tuple[np.ndarray, np.ndarray] | None


def check_run(
    net: Any,
    training_data: object,
    epochs: object,
    batch_size: object,
    learning_rate: object,
    seed: object,
    dtype: object = "float64",
    test_data: object = None,
    names: tuple[str, str] | None = None,
) -> TrainingRun:
    """Check everything one training run of ``net`` takes, once.

    ``net`` is read for ``sizes`` and ``cost_function`` (whose ``check_target``
    checks the targets).  ``training_data`` and ``test_data`` come in either
    form of the module notes; ``names`` names the two arrays of a tuple
    ``training_data`` in errors (default ``"training_data X"``, ``"training_data Y"``).
    Both training paths call this and then run unchecked kernels on the result.
    """
    n_in, n_out, cost = net.sizes[0], net.sizes[-1], net.cost_function
    x, y = unpack_data(training_data, n_in, n_out, "training_data", names)
    cost.check_target(y, names[1] if names else "training_data Y")
    args = check_training_args(epochs, batch_size, learning_rate, seed, dtype)
    if test_data is not None:
        test_data = unpack_data(test_data, n_in, n_out, "test_data")
        cost.check_target(test_data[1], "test_data Y")
    return TrainingRun(x, y, args, test_data)


def batch_slices(n: int, batch_size: int) -> Iterator[slice]:
    """The column slices of the batches of one epoch; the last may be smaller."""
    for k in range(0, n, batch_size):
        yield slice(k, min(k + batch_size, n))


def check_converging(loss: float, epoch: int, learning_rate: float) -> None:
    """Raise :class:`TrainingDiverged` if the cost after ``epoch`` (0-based) is not finite."""
    if not np.isfinite(loss):
        raise TrainingDiverged(
            f"training diverged: the cost after epoch {epoch + 1} is {loss} (the weights "
            f"grew without bound); try a smaller learning_rate than {learning_rate:g}"
        )


def global_norm(grads: Mapping[str, ArrayLike]) -> float:
    """The norm of all gradients together: the square root of the sum of every squared entry.

    Parameters
    ----------
    grads : dict of array_like
        E.g. ``model.gradient(x, t)``.

    Returns
    -------
    float
    """
    if not isinstance(grads, Mapping) or not grads:
        raise TypeError("grads must be a non-empty dict of arrays, e.g. model.gradient(x, t)")
    arrays = [as_float_array(g, f"grads[{k!r}]", allow_empty=True) for k, g in grads.items()]
    return float(np.sqrt(sum(np.sum(np.square(g)) for g in arrays)))


def clip_grad_norm(grads: Mapping[str, ArrayLike], max_norm: float) -> tuple[dict[str, np.ndarray], float]:
    """Rescale ``grads`` together so that their global norm is at most ``max_norm``.

    Every gradient is multiplied by the same factor ``min(1, max_norm / norm)``,
    so the direction of the whole update is unchanged (PyTorch's
    ``torch.nn.utils.clip_grad_norm_`` does the same, in place).

    Parameters
    ----------
    grads : dict of array_like
        E.g. ``model.gradient(x, t)``; not modified.
    max_norm : float
        The threshold, > 0.

    Returns
    -------
    (dict of numpy.ndarray, float)
        The clipped gradients (new arrays), and the global norm *before* clipping.
    """
    max_norm = check_positive(max_norm, "max_norm")
    norm = global_norm(grads)
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: np.asarray(g, dtype=np.float64) * scale for k, g in grads.items()}, norm
