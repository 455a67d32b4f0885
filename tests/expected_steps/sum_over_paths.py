"""Chapter 1's stepper (``sum_over_paths(x_in, y_t, w_in, v_out)``): what it must show.

The section "Many paths: the chain rule adds" of book/chain_rule.ipynb: ``z_j = w_j x``,
``a_j = sigmoid(z_j)``, ``s = v_1 a_1 + v_2 a_2``, ``C = (s - y)^2 / 2``, with the chapter's
numbers, recomputed here from :mod:`bplib.activations` (not by calling the walkthrough).
"""

from __future__ import annotations

import numpy as np

from bplib import activations

#: The chapter's numbers (book/chain_rule.ipynb, the cell after the section's formula).
X_IN, Y_T = 0.5, 0.3
W_IN = np.array([0.9, -1.4])
V_OUT = np.array([1.2, 0.7])
#: The step of the central difference the stepper shows.
H = 1e-6


def cost(x: float) -> float:
    return float(0.5 * (V_OUT @ activations.sigmoid(W_IN * x) - Y_T) ** 2)


def expected() -> dict[str, float]:
    z = W_IN * X_IN
    a = activations.sigmoid(z)
    s = float(V_OUT @ a)
    prime = activations.sigmoid_prime(z)
    paths = (s - Y_T) * V_OUT * prime * W_IN      # the chapter's one product per path
    central = (cost(X_IN + H) - cost(X_IN - H)) / (2 * H)
    assert abs(central - paths.sum()) < 1e-9       # a check of the test itself
    out = {"x": X_IN, "y": Y_T, "s": s, "C": cost(X_IN), "h": H,
           "ds/dx(top)": W_IN[0] * prime[0] * V_OUT[0],
           "ds/dx(bottom)": W_IN[1] * prime[1] * V_OUT[1],
           "ds/dx": float(np.sum(W_IN * prime * V_OUT)),
           "dC/ds": s - Y_T, "dC/dx": paths.sum(), "dC/dx(top)": paths[0],
           "dC/dx(bottom)": paths[1], "dC/dx(central)": central}
    for j in (1, 2):
        out[f"w{j}"] = out[f"dz{j}/dx"] = W_IN[j - 1]
        out[f"v{j}"] = out[f"ds/da{j}"] = V_OUT[j - 1]
        out[f"z{j}"] = z[j - 1]
        out[f"a{j}"] = a[j - 1]
        out[f"sigma'(z{j})"] = prime[j - 1]
        out[f"da{j}/dx"] = W_IN[j - 1] * prime[j - 1]
    return {k: float(v) for k, v in out.items()}
