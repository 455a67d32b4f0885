"""Article 002's layer code, transcribed verbatim, for the tests that compare with it.

Article 002 ("python: 深度学习-误差反向传播法") copies the layer classes of
*Deep Learning from Scratch*, chapter 5.  Only the typographic quotes of the
post are made ASCII, and the two helpers it uses without defining, ``softmax``
and ``cross_entropy_error``, are taken from DLfS's ``common/functions.py``.
Used by ``test_layer_pitfalls`` and ``test_exercises_layers`` (a helper
module, not a test module, so no test module imports another).
"""

from collections import OrderedDict

import numpy as np

from bplib.gradcheck import numerical_gradient

# ---------------------------------------------------------------- the article's code
def softmax(x):  # DLfS common/functions.py
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y, t):  # DLfS common/functions.py
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class ArticleRelu:
    def __init__(self):
        self.mask = None

    def forword(self, x):
        self.mask = (x < 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        dx = dout
        return dx


class ArticleReluSpelled(ArticleRelu):
    """The article's Relu with only the method name repaired."""

    forward = ArticleRelu.forword


class ArticleSigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = 1 / (1 + np.exp(-x))
        self.out = out
        return out

    def backward(self, dout):
        dx = dout * (1.0 - self.out) * self.out
        return dx


class ArticleAffine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        out = np.dot(x, self.W) + self.b
        return out

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx


class ArticleSoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        dx = (self.y - self.t) / batch_size
        return dx


class ArticleTwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {}
        self.params["W1"] = weight_init_std * np.random.randn(input_size, hidden_size)
        self.params["b1"] = np.zeros(hidden_size)
        self.params["W2"] = weight_init_std * np.random.randn(hidden_size, output_size)
        self.params["b2"] = np.zeros(output_size)
        self.layers = OrderedDict()
        self.layers["Affine1"] = ArticleAffine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = ArticleReluSpelled()
        self.layers["Affine2"] = ArticleAffine(self.params["W2"], self.params["b2"])
        self.lastLayer = ArticleSoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        y = self.predict(x)
        return self.lastLayer.forward(y, t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = 1
        dout = self.lastLayer.backward(dout)
        layers_ = list(self.layers.values())
        layers_.reverse()
        for layer in layers_:
            dout = layer.backward(dout)
        grads = {}
        grads["W1"] = self.layers["Affine1"].dW
        grads["b1"] = self.layers["Affine1"].db
        grads["W2"] = self.layers["Affine2"].dW
        grads["b2"] = self.layers["Affine2"].db
        return grads
