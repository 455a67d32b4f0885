"""``TwoLayerNet``: article 002's two-layer network built from layers.

Row convention: ``x`` has shape ``(batch, input_size)``.  The names follow
*Deep Learning from Scratch* (and article 002) so the chapter can put the two
side by side: ``params``, ``layers``, ``lastLayer``, ``predict``, ``loss``,
``accuracy``, ``numerical_gradient``, ``gradient``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, MutableMapping

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    as_float_array,
    check_known,
    check_positive,
    check_positive_int,
    check_seed,
)
from .gradcheck import numerical_gradient as _numerical_gradient
from .layers import Affine, Relu, Sigmoid, SoftmaxWithLoss, Tanh
from .losses import to_one_hot

__all__ = ["TwoLayerNet", "LayerParams"]

_HIDDEN_LAYERS = {"relu": ("Relu1", Relu), "sigmoid": ("Sigmoid1", Sigmoid), "tanh": ("Tanh1", Tanh)}


class LayerParams(MutableMapping):
    """``params`` of a layer model: a dict-like view of the Affine layers' arrays.

    ``params["W1"]`` *is* ``layers["Affine1"].W``, so both ways of updating
    reach the layers:

    * in place, ``params["W1"] -= lr * grads["W1"]`` (DLfS's way);
    * by assignment, ``params["W1"] = params["W1"] - lr * grads["W1"]``
      (what cs231n-style code does): the new array is checked (same shape,
      finite numbers) and becomes the layer's parameter.

    Keys cannot be added or removed.
    """

    def __init__(self, slots: dict[str, tuple[Affine, str]]) -> None:
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

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k!r}: array{self[k].shape}" for k in self)
        return f"LayerParams({{{shapes}}})"


class TwoLayerNet:
    """Affine -> activation -> Affine -> SoftmaxWithLoss.

    Parameters
    ----------
    input_size, hidden_size, output_size : int
    weight_init_std : float, default 0.01
        Weights are ``weight_init_std * standard_normal``; biases start at 0.
    seed : int, default 0
        Seed for ``np.random.default_rng`` (W1 is drawn before W2).
    activation : {"relu", "sigmoid", "tanh"}, default "relu"
        Hidden activation; the layer is named ``Relu1``, ``Sigmoid1`` or ``Tanh1``.

    Attributes
    ----------
    params : LayerParams (a dict-like mapping of numpy.ndarray)
        ``W1`` (input_size, hidden_size), ``b1`` (hidden_size,),
        ``W2`` (hidden_size, output_size), ``b2`` (output_size,).  They are
        the Affine layers' own arrays, so in-place updates such as
        ``net.params["W1"] -= lr * grads["W1"]`` *and* assignments such as
        ``net.params["W1"] = new_array`` both reach the layers.
    layers : OrderedDict
        ``Affine1``, the activation layer, ``Affine2``.
    last_layer : SoftmaxWithLoss
        Also available as ``lastLayer``, the article's name.
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
        check_known(activation, _HIDDEN_LAYERS, "activation")

        rng = np.random.default_rng(check_seed(seed))
        W1 = weight_init_std * rng.standard_normal((input_size, hidden_size))
        W2 = weight_init_std * rng.standard_normal((hidden_size, output_size))

        layer_name, layer_cls = _HIDDEN_LAYERS[activation]
        self.layers: OrderedDict[str, object] = OrderedDict()
        self.layers["Affine1"] = affine1 = Affine(W1, np.zeros(hidden_size))
        self.layers[layer_name] = layer_cls()
        self.layers["Affine2"] = affine2 = Affine(W2, np.zeros(output_size))
        self.last_layer = SoftmaxWithLoss()
        self.params = LayerParams({
            "W1": (affine1, "W"), "b1": (affine1, "b"), "W2": (affine2, "W"), "b2": (affine2, "b"),
        })

    @property
    def lastLayer(self) -> SoftmaxWithLoss:  # noqa: N802 (the article's spelling)
        """Alias of ``last_layer`` (the name used in article 002 and DLfS)."""
        return self.last_layer

    def __setattr__(self, name: str, value: object) -> None:
        if name == "params" and "params" in self.__dict__:
            raise AttributeError(
                "net.params cannot be replaced; assign its entries instead "
                "(net.params['W1'] = new_array), which updates the layers"
            )
        super().__setattr__(name, value)

    def _check_x(self, x: ArrayLike) -> np.ndarray:
        x = as_float_array(x, "x", ndims=2)
        n_in = self.params["W1"].shape[0]
        if x.shape[1] != n_in:
            raise ValueError(
                f"x has {x.shape[1]} columns but the network's input layer has {n_in} "
                f"units (x.shape={x.shape})"
            )
        return x

    def predict(self, x: ArrayLike) -> np.ndarray:
        """Scores (logits) for a batch.

        Parameters
        ----------
        x : array_like, shape (batch, input_size)

        Returns
        -------
        numpy.ndarray, shape (batch, output_size)
        """
        x = self._check_x(x)
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x: ArrayLike, t: ArrayLike) -> float:
        """Mean softmax cross-entropy on a batch.

        Parameters
        ----------
        x : array_like, shape (batch, input_size)
        t : array_like
            One-hot (batch, output_size) or integer labels (batch,).

        Returns
        -------
        float
        """
        y = self.predict(x)
        return self.last_layer.forward(y, t)

    def accuracy(self, x: ArrayLike, t: ArrayLike) -> float:
        """Fraction of samples whose highest score is the true class.

        Parameters
        ----------
        x : array_like, shape (batch, input_size)
        t : array_like
            One-hot (batch, output_size) or integer labels (batch,).

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
        dict with keys W1, b1, W2, b2, each shaped like the parameter.
        """
        loss_W = lambda W: self.loss(x, t)  # noqa: E731 (the article's idiom)
        return {key: _numerical_gradient(loss_W, param, eps) for key, param in self.params.items()}

    def gradient(self, x: ArrayLike, t: ArrayLike) -> dict[str, np.ndarray]:
        """Gradients of :meth:`loss` by backpropagation through the layers.

        Returns
        -------
        dict with keys W1, b1, W2, b2, each shaped like the parameter.
        """
        # forward
        self.loss(x, t)

        # backward, from the loss back to the input
        dout = self.last_layer.backward(1.0)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)

        affine1, affine2 = self.layers["Affine1"], self.layers["Affine2"]
        return {"W1": affine1.dW, "b1": affine1.db, "W2": affine2.dW, "b2": affine2.db}
