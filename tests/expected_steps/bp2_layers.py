"""Chapter 4's stepper (``bp2_layers(curve_net, x_curve[:, :1], y_curve[:, :1])``): what it must show.

The curve-fit network of book/four_equations.ipynb (``Network([1, 8, 5, 3, 1],
activation="sigmoid", cost="mse", seed=SEED)``, SEED = 0) on the first sample of
:func:`bplib.data.cosine_curve`. The errors δ^l are read off :meth:`bplib.Network.backprop`'s
bias gradients (BP3: ∂C/∂b^l = δ^l), not computed by BP2 as the walkthrough does.
"""

from __future__ import annotations

import numpy as np

from bplib import Network, activations
from bplib.data import cosine_curve

SEED = 0
SIZES = [1, 8, 5, 3, 1]


def expected() -> dict[str, float]:
    net = Network(SIZES, activation="sigmoid", cost="mse", seed=SEED)
    x_all, y_all = cosine_curve()
    x, y = x_all[:, :1], y_all[:, :1]
    zs, acts = net.forward(x)
    nabla_b, nabla_w = net.backprop(x, y)
    a_out = acts[-1][0, 0]
    out = {"x": x[0, 0], "y": y[0, 0], "a4": a_out, "C": net.loss(x, y), "m": 1.0,
           "scale": 2.0,                      # "mse" with one output: C = (a - y)^2
           "dC/da": 2 * (a_out - y[0, 0])}
    for l, n in enumerate(SIZES):
        out[f"n{l}"] = n
    for l in range(1, len(SIZES)):
        prime = activations.sigmoid_prime(zs[l - 1])[:, 0]
        for j in range(1, SIZES[l] + 1):
            out[f"sigma'(z{l}_{j})"] = prime[j - 1]
            out[f"delta{l}_{j}"] = nabla_b[l - 1][j - 1, 0]
        # BP4 with those errors gives backprop's weight gradients: a check of the test itself
        assert np.allclose(nabla_b[l - 1] @ acts[l - 1].T, nabla_w[l - 1], rtol=1e-12, atol=0)
    return {k: float(v) for k, v in out.items()}
