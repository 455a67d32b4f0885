"""Chapter 2's stepper (``walkthroughs.worked_example(X, y, W0, W1, alpha)``): what it must show.

Article 003's 2-2-1 network (no biases, sigmoid units, quadratic cost) with the chapter's
numbers, recomputed here from bplib's public API (:meth:`bplib.Network.from_weights`,
:meth:`~bplib.Network.forward`, :meth:`~bplib.Network.backprop`, :mod:`bplib.activations`),
not by calling the walkthrough.
"""

from __future__ import annotations

import numpy as np

from bplib import Network, activations

#: Article 003's numbers, as chapter 2 (book/worked_example.ipynb) sets them.
X = np.array([[0.35], [0.9]])
Y = 0.5
W0 = np.array([[0.1, 0.8], [0.4, 0.6]])
W1 = np.array([[0.3, 0.9]])
ALPHA = 0.01


def expected() -> dict[str, float]:
    net = Network.from_weights([W0, W1], biases=None, cost="quadratic")
    zs, acts = net.forward(X)
    z1, a1 = zs[0][:, 0], acts[1][:, 0]
    z2, y_hat = zs[1][0, 0], acts[2][0, 0]
    _, nabla_w = net.backprop(X, [[Y]])

    d_yhat = y_hat - Y                                   # dC/dy_hat of C = (y - y_hat)^2 / 2
    s2 = activations.sigmoid_prime(z2)
    delta2 = d_yhat * s2
    d_a1 = W1[0] * delta2                                # dC/da1 = W1^T delta2
    s1 = activations.sigmoid_prime(z1)
    delta1 = d_a1 * s1
    # bplib's own gradients are the ones these deltas give (BP4): a check of the test itself.
    assert np.allclose(np.outer(delta1, X[:, 0]), nabla_w[0], rtol=1e-12, atol=0)
    assert np.allclose(delta2 * a1, nabla_w[1][0], rtol=1e-12, atol=0)

    out = {"x1": X[0, 0], "x2": X[1, 0], "y": Y, "alpha": ALPHA,
           "z2": z2, "y_hat": y_hat, "C": net.loss(X, [[Y]]),
           "dC/dC": 1.0, "dC/dy_hat": d_yhat, "sigma'(z2)": s2, "delta2": delta2}
    new_w0 = W0 - ALPHA * nabla_w[0]
    new_w1 = W1 - ALPHA * nabla_w[1]
    for j in (1, 2):
        out[f"z1_{j}"] = z1[j - 1]
        out[f"a1_{j}"] = a1[j - 1]
        out[f"sigma'(z1_{j})"] = s1[j - 1]
        out[f"delta1_{j}"] = delta1[j - 1]
        out[f"dC/da1_{j}"] = d_a1[j - 1]
        out[f"Wh{j}"] = W1[0, j - 1]
        out[f"dC/dWh{j}"] = nabla_w[1][0, j - 1]
        out[f"Wh{j}'"] = new_w1[0, j - 1]
        for n in (1, 2):
            out[f"W{j}{n}"] = W0[j - 1, n - 1]
            out[f"dC/dW{j}{n}"] = nabla_w[0][j - 1, n - 1]
            out[f"W{j}{n}'"] = new_w0[j - 1, n - 1]
    return {k: float(v) for k, v in out.items()}
