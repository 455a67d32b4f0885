"""Models built from layers: :class:`Sequential` and article 002's :class:`TwoLayerNet`.

Row convention: ``x`` has shape ``(batch, features)``.  Both models speak the
protocol of *Deep Learning from Scratch* that :mod:`bplib.gradcheck` checks:
``params`` (a dict of arrays), ``loss(x, t)``, ``gradient(x, t)``,
``numerical_gradient(x, t)``, ``predict(x)`` and ``accuracy(x, t)``.

:class:`Sequential` runs any list of layers (:mod:`bplib.layers`) into a loss
layer; :class:`TwoLayerNet` is one, Affine -> activation -> Affine ->
SoftmaxWithLoss, whose names follow DLfS and article 002 on purpose so the
chapter can put the two side by side: the constructor's signature,
``params`` keys ``W1``, ``b1``, ``W2``, ``b2``, the layer names ``Affine1``,
``Relu1``, ``Affine2``.  The loss layer is ``last_layer`` (DLfS's
``lastLayer`` is a deprecated alias).
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Iterator, MutableMapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    as_float_array,
    check_positive,
    check_positive_int,
    check_seed,
)
from .gradcheck import numerical_gradient as _numerical_gradient
from .layers import Affine, SoftmaxWithLoss, activation_layer
from .losses import to_one_hot
from .training import TrainingDiverged, check_converging, clip_grad_norm, global_norm

__all__ = ["Sequential", "TwoLayerNet", "LayerParams", "FitHistory", "fit"]


class LayerParams(MutableMapping):
    """``params`` of a layer model: a dict-like view of its layers' parameter arrays.

    ``params["W1"]`` *is* ``layers["Affine1"].W``, so both ways of updating
    reach the layers:

    * in place, ``params["W1"] -= lr * grads["W1"]`` (DLfS's way);
    * by assignment, ``params["W1"] = params["W1"] - lr * grads["W1"]``
      (what cs231n-style code does): the new array is checked (same shape,
      finite numbers) and becomes the layer's parameter.

    Keys cannot be added or removed.  :meth:`gradients` reads the gradients
    the layers left after ``backward`` (``dW`` for ``W``) under the same keys.
    """

    def __init__(self, slots: dict[str, tuple[object, str]]) -> None:
        self._slots = slots  # name -> (layer, attribute), e.g. "W1" -> (Affine1, "W")

    def __getitem__(self, name: str) -> np.ndarray:
        layer, attr = self._slots[name]
        return getattr(layer, attr)

    def __setitem__(self, name: str, value: ArrayLike) -> None:
        if name not in self._slots:
            raise KeyError(f"{name!r} is not a parameter; the parameters are {list(self._slots)}")
        layer, attr = self._slots[name]
        old = getattr(layer, attr)
        if value is old:
            return
        new = as_float_array(value, f"params[{name!r}]")
        if new.shape != old.shape:
            raise ValueError(
                f"params[{name!r}] must keep its shape {old.shape}, but the new array has "
                f"shape {new.shape}"
            )
        setattr(layer, attr, new)

    def __delitem__(self, name: str) -> None:
        raise TypeError(f"the parameters of a model cannot be removed (tried {name!r})")

    def __iter__(self) -> Iterator[str]:
        return iter(self._slots)

    def __len__(self) -> int:
        return len(self._slots)

    def gradients(self) -> dict[str, np.ndarray]:
        """The layers' gradients (attribute ``d`` + the parameter's), keyed like the parameters."""
        return {name: getattr(layer, "d" + attr) for name, (layer, attr) in self._slots.items()}

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k!r}: array{self[k].shape}" for k in self)
        return f"LayerParams({{{shapes}}})"


class Sequential:
    """Layers in a row, then a loss layer: the model the next chapters add layers to.

    Parameters
    ----------
    layers : sequence of layers
        Objects with ``forward(x)`` and ``backward(dout)``, applied in order
        (:mod:`bplib.layers`, or the reader's own in DLfS's style).  A layer's
        parameters are the attributes its ``param_names`` lists (``("W",
        "b")`` for :class:`~bplib.layers.Affine`), their gradients ``dW``,
        ``db``, ... after ``backward``.
    loss_layer : loss layer
        ``forward(y, t) -> float`` and ``backward(dout=1.0)``, e.g.
        :class:`~bplib.layers.SoftmaxWithLoss`.

    Attributes
    ----------
    layers : OrderedDict
        The layers, named as DLfS names them: the layer's kind and its number
        among the layers of that kind, ``Affine1``, ``Relu1``, ``Affine2``.
    last_layer
        The loss layer.
    params : LayerParams (a dict-like mapping of numpy.ndarray)
        Every parameter, named by its attribute and the number of its layer
        among the layers with parameters: ``W1``, ``b1``, ``W2``, ``b2``.
        They are the layers' own arrays: in-place updates and assignments
        (``params["W1"] = new``) both reach the layers.
    training : bool
        The mode :meth:`train` and :meth:`eval` set on every layer (a layer
        such as dropout or batch normalization reads it in ``forward``).
        ``gradient`` and ``predict`` run the layers in the mode they are in,
        as in PyTorch: call ``eval()`` before evaluating, ``train()`` before
        training again.

    Examples
    --------
    >>> import numpy as np
    >>> from bplib.layers import Affine, Relu, SoftmaxWithLoss
    >>> rng = np.random.default_rng(0)
    >>> model = Sequential([Affine(rng.normal(size=(4, 3)), np.zeros(3)), Relu(),
    ...                     Affine(rng.normal(size=(3, 2)), np.zeros(2))], SoftmaxWithLoss())
    >>> list(model.layers), list(model.params)
    (['Affine1', 'Relu1', 'Affine2'], ['W1', 'b1', 'W2', 'b2'])
    """

    def __init__(self, layers: Sequence[object], loss_layer: object) -> None:
        layers = list(layers)
        if not layers:
            raise ValueError("a Sequential model needs at least one layer")
        for k, layer in enumerate([*layers, loss_layer]):
            what = "loss_layer" if k == len(layers) else f"layers[{k}]"
            if not (callable(getattr(layer, "forward", None)) and callable(getattr(layer, "backward", None))):
                raise TypeError(
                    f"{what} must have forward and backward methods, but got {type(layer).__name__}"
                )
        self.layers: OrderedDict[str, object] = OrderedDict()
        slots: dict[str, tuple[object, str]] = {}
        kinds: dict[str, int] = {}
        with_params = 0
        for layer in layers:
            kind = getattr(layer, "title", type(layer).__name__)
            kinds[kind] = kinds.get(kind, 0) + 1
            self.layers[f"{kind}{kinds[kind]}"] = layer
            names = tuple(getattr(layer, "param_names", ()))
            with_params += bool(names)
            slots.update({f"{attr}{with_params}": (layer, attr) for attr in names})
        self.last_layer = loss_layer
        self.params = LayerParams(slots)

    def __setattr__(self, name: str, value: object) -> None:
        if name == "params" and "params" in self.__dict__:
            raise AttributeError(
                "net.params cannot be replaced; assign its entries instead "
                "(net.params['W1'] = new_array), which updates the layers"
            )
        super().__setattr__(name, value)

    # ------------------------------------------------------------------ mode
    @property
    def training(self) -> bool:
        """``True`` in training mode (the default), ``False`` after :meth:`eval`."""
        return all(getattr(layer, "training", True) for layer in self.layers.values())

    def train(self, mode: bool = True) -> "Sequential":
        """Put every layer in training mode (``mode=False``: inference mode); return the model."""
        if not isinstance(mode, bool):
            raise TypeError(f"mode must be True or False, but got {mode!r}")
        for layer in self.layers.values():
            if callable(getattr(layer, "train", None)):
                layer.train(mode)
        return self

    def eval(self) -> "Sequential":
        """Put every layer in inference mode (``train(False)``); return the model."""
        return self.train(False)

    # ------------------------------------------------------------------ the protocol
    def _check_x(self, x: ArrayLike) -> np.ndarray:
        """The input, checked (the layers check its shape)."""
        return as_float_array(x, "x")

    def predict(self, x: ArrayLike) -> np.ndarray:
        """The last layer's output (the scores, for a classifier) for a batch.

        Parameters
        ----------
        x : array_like, shape (batch, ...) as the first layer takes it

        Returns
        -------
        numpy.ndarray
        """
        x = self._check_x(x)
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x: ArrayLike, t: ArrayLike) -> float:
        """The loss layer's value on a batch: ``last_layer.forward(predict(x), t)``.

        Parameters
        ----------
        x : array_like, shape (batch, ...)
        t : array_like
            Targets as the loss layer takes them (for ``SoftmaxWithLoss``,
            one-hot (batch, classes) or integer labels (batch,)).

        Returns
        -------
        float
        """
        return self.last_layer.forward(self.predict(x), t)

    def accuracy(self, x: ArrayLike, t: ArrayLike) -> float:
        """Fraction of samples whose highest score is the true class (for classifiers).

        Parameters
        ----------
        x : array_like, shape (batch, ...)
        t : array_like
            One-hot (batch, classes) or integer labels (batch,).

        Returns
        -------
        float in [0, 1]
        """
        y = self.predict(x)
        onehot = to_one_hot(t, y.shape)  # also checks that labels fit the output size
        return float(np.mean(np.argmax(y, axis=1) == np.argmax(onehot, axis=1)))

    def numerical_gradient(self, x: ArrayLike, t: ArrayLike, eps: float = 1e-5) -> dict[str, np.ndarray]:
        """Gradients of :meth:`loss` by central differences (slow; for checking).

        Returns
        -------
        dict
            One array per key of ``params``, shaped like the parameter.
        """
        loss_W = lambda W: self.loss(x, t)  # noqa: E731 (DLfS's idiom)
        return {key: _numerical_gradient(loss_W, param, eps) for key, param in self.params.items()}

    def gradient(self, x: ArrayLike, t: ArrayLike) -> dict[str, np.ndarray]:
        """Gradients of :meth:`loss` by backpropagation through the layers.

        Returns
        -------
        dict
            One array per key of ``params``, shaped like the parameter.
        """
        # forward
        self.loss(x, t)

        # backward, from the loss back to the input
        dout = self.last_layer.backward(1.0)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        return self.params.gradients()

    def __repr__(self) -> str:
        layers = ", ".join(repr(layer) for layer in self.layers.values())
        return f"{type(self).__name__}([{layers}], {self.last_layer!r})"


@dataclass
class FitHistory:
    """What :func:`fit` records, one entry per epoch (measured in inference mode).

    Attributes
    ----------
    loss : list of float
        The loss on the whole training set after each epoch.
    train_accuracy, test_accuracy : list of float
        Accuracy on the training set and on the test set after each epoch, for a
        classifier (a model whose loss layer is
        :class:`~bplib.layers.SoftmaxWithLoss`); empty otherwise, and
        ``test_accuracy`` is empty without ``test``.
    test_loss : list of float
        The loss on ``test`` after each epoch (empty without it).
    grad_norm : list of float
        The global norm of every step's gradients (:func:`bplib.training.global_norm`),
        before clipping, one entry per mini-batch.
    """

    loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)


def _fit_epoch(
    model: Sequential,
    x: np.ndarray,
    t: np.ndarray,
    order: np.ndarray,
    batch_size: int,
    learning_rate: float,
    max_norm: float | None,
) -> list[float]:
    """One epoch of :func:`fit`'s updates; the global gradient norm of each step."""
    norms = []
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        grads = model.gradient(x[idx], t[idx])
        if max_norm is None:
            norms.append(global_norm(grads))
        else:
            grads, norm = clip_grad_norm(grads, max_norm)
            norms.append(norm)
        for key in model.params:
            model.params[key] -= learning_rate * grads[key]  # in place: layers share
    return norms


def fit(
    model: Sequential,
    x: ArrayLike,
    t: ArrayLike,
    *,
    epochs: int,
    learning_rate: float,
    batch_size: int = 100,
    seed: int = 0,
    test: tuple[ArrayLike, ArrayLike] | None = None,
    max_norm: float | None = None,
) -> FitHistory:
    """Train ``model`` in place by mini-batch SGD: chapter 5's loop, kept in one home.

    Each epoch draws a new order of the samples
    (``np.random.default_rng(seed).permutation``, one generator for the whole
    run), takes the batches in that order, and updates every parameter
    in place, ``params[k] -= learning_rate * grads[k]``.  The batches run in
    training mode; after each epoch the model is put in inference mode
    (:meth:`Sequential.eval`, which matters for batch normalization) to
    measure, and back in the mode it was in.

    Parameters
    ----------
    model : Sequential
        Any model of this module (``gradient``, ``loss``, ``accuracy``, ``params``).
    x : array_like, shape (n, ...)
        The training samples, one per row (or per first index: images are
        ``(n, channels, height, width)``).
    t : array_like, shape (n, ...)
        The targets as the model's loss layer takes them: integer labels or
        one-hot rows for :class:`~bplib.layers.SoftmaxWithLoss`, values for
        :class:`~bplib.layers.MSELoss`.
    epochs : int
    learning_rate : float
    batch_size : int, default 100
        The last batch of an epoch may be smaller.  A model with batch
        normalization cannot train on a batch of one sample (its variance is
        0), so choose ``batch_size`` such that ``n % batch_size != 1``: the
        layer raises otherwise, as PyTorch's does.
    seed : int, default 0
        Seed of the generator that orders the samples.
    test : (x_test, t_test), optional
        Measured after each epoch, never trained on.
    max_norm : float, optional
        Gradient clipping: every step's gradients are rescaled together to this
        global norm when theirs is larger (:func:`bplib.training.clip_grad_norm`).

    Returns
    -------
    FitHistory

    Raises
    ------
    bplib.training.TrainingDiverged
        If the training loss stops being finite.
    ValueError, TypeError
        For a bad hyper-parameter or data whose number of samples disagree.
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a bplib.models.Sequential, but got {type(model).__name__}")
    epochs = check_positive_int(epochs, "epochs")
    learning_rate = check_positive(learning_rate, "learning_rate")
    batch_size = check_positive_int(batch_size, "batch_size")
    if max_norm is not None:
        max_norm = check_positive(max_norm, "max_norm")
    rng = np.random.default_rng(check_seed(seed))
    x = as_float_array(x, "x")
    t = np.asarray(t)
    if t.shape[:1] != x.shape[:1]:
        raise ValueError(
            f"x and t must have one row per sample, but x.shape={x.shape} and t.shape={t.shape}"
        )
    if test is not None:
        if not (isinstance(test, tuple) and len(test) == 2):
            raise TypeError("test must be a tuple (x_test, t_test)")
        x_test, t_test = as_float_array(test[0], "x_test"), np.asarray(test[1])
        if t_test.shape[:1] != x_test.shape[:1]:
            raise ValueError(
                f"x_test and t_test must have one row per sample, but x_test.shape="
                f"{x_test.shape} and t_test.shape={t_test.shape}"
            )

    was_training = model.training
    history = FitHistory()
    for epoch in range(epochs):
        model.train()
        order = rng.permutation(len(x))
        try:
            # a diverging run overflows before its loss stops being finite: that is
            # reported below as TrainingDiverged, not as NumPy's warnings on the way
            with np.errstate(over="ignore", invalid="ignore"):
                history.grad_norm += _fit_epoch(model, x, t, order, batch_size, learning_rate,
                                                max_norm)
                model.eval()
                loss = float(model.loss(x, t))
        except ValueError as err:
            # x was checked finite above, so a layer refusing an inf or nan means the
            # weights have grown without bound: say that, not which array overflowed
            if "only finite numbers" not in str(err):
                raise
            try:
                check_converging(float("nan"), epoch, learning_rate)
            except TrainingDiverged as diverged:
                raise diverged from err
        history.loss.append(loss)
        check_converging(loss, epoch, learning_rate)
        if test is not None:
            history.test_loss.append(float(model.loss(x_test, t_test)))
        if isinstance(model.last_layer, SoftmaxWithLoss):
            history.train_accuracy.append(model.accuracy(x, t))
            if test is not None:
                history.test_accuracy.append(model.accuracy(x_test, t_test))
    model.train(was_training)
    return history


class TwoLayerNet(Sequential):
    """Affine -> activation -> Affine -> SoftmaxWithLoss, as in article 002.

    The signature and the names are DLfS's on purpose (the chapter reads the
    article's class next to this one); only ``seed`` and ``activation`` are
    added, after DLfS's arguments.

    Parameters
    ----------
    input_size, hidden_size, output_size : int
    weight_init_std : float, default 0.01
        Weights are ``weight_init_std * standard_normal``; biases start at 0.
    seed : int, default 0
        Seed for ``np.random.default_rng`` (W1 is drawn before W2).
    activation : str, default "relu"
        Any name of :data:`bplib.activations.ACTIVATIONS`: the book's
        ``"relu"``, ``"sigmoid"``, ``"tanh"``, ``"identity"`` or one added
        with :func:`bplib.activations.register`.  The hidden layer is named
        after it: ``Relu1``, ``Sigmoid1``, ``Tanh1``, ``Softplus1``, ...

    Attributes
    ----------
    params : LayerParams (a dict-like mapping of numpy.ndarray)
        ``W1`` (input_size, hidden_size), ``b1`` (hidden_size,),
        ``W2`` (hidden_size, output_size), ``b2`` (output_size,): DLfS's
        names.  They are the Affine layers' own arrays, so in-place updates
        such as ``net.params["W1"] -= lr * grads["W1"]`` *and* assignments
        such as ``net.params["W1"] = new_array`` both reach the layers.
    layers : OrderedDict
        ``Affine1``, the activation layer, ``Affine2``.
    last_layer : SoftmaxWithLoss
        The loss layer (the chapters' name; ``lastLayer``, the article's and
        DLfS's spelling, still works but is deprecated).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        weight_init_std: float = 0.01,
        seed: int = 0,
        activation: str = "relu",
    ) -> None:
        input_size = check_positive_int(input_size, "input_size")
        hidden_size = check_positive_int(hidden_size, "hidden_size")
        output_size = check_positive_int(output_size, "output_size")
        weight_init_std = check_positive(weight_init_std, "weight_init_std")
        hidden = activation_layer(activation)  # checks the name first

        rng = np.random.default_rng(check_seed(seed))
        W1 = weight_init_std * rng.standard_normal((input_size, hidden_size))
        W2 = weight_init_std * rng.standard_normal((hidden_size, output_size))
        super().__init__(
            [Affine(W1, np.zeros(hidden_size)), hidden, Affine(W2, np.zeros(output_size))],
            SoftmaxWithLoss(),
        )

    @property
    def lastLayer(self) -> SoftmaxWithLoss:  # noqa: N802 (the article's spelling)
        """Deprecated alias of ``last_layer`` (the name in article 002 and DLfS)."""
        warnings.warn(
            "TwoLayerNet.lastLayer is deprecated: use last_layer, the name the chapters "
            "teach (lastLayer is the spelling of article 002 and DLfS)",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.last_layer

    def _check_x(self, x: ArrayLike) -> np.ndarray:
        x = as_float_array(x, "x", ndims=2)
        n_in = self.params["W1"].shape[0]
        if x.shape[1] != n_in:
            raise ValueError(
                f"x has {x.shape[1]} columns but the network's input layer has {n_in} "
                f"units (x.shape={x.shape})"
            )
        return x
