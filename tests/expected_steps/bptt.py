"""Chapter 11's stepper (``bptt(X_SEQ, Y_T, WX, WH, B, H0)``): what it must show.

The section "The unrolled graph, step by step" of book/recurrent.ipynb: a scalar RNN
``h_t = tanh(wx x_t + wh h_{t-1} + b)`` over three steps with the cost
``C = (h_3 - y)^2 / 2``, recomputed here from :class:`bplib.recurrent.RNN` and
:mod:`bplib.activations` (not by calling the walkthrough): the terms of ``dC/dwh`` are
taken from truncated backward passes (``truncate=k`` keeps the last ``k`` terms), so
this module checks the walkthrough's running sum by another route.
"""

from __future__ import annotations

import numpy as np

from bplib import activations
from bplib.recurrent import RNN

#: The chapter's numbers (book/recurrent.ipynb, the cell before the stepper).
X_SEQ = np.array([1.0, 0.2, 0.7])
Y_T, WX, WH, B, H0 = 0.2, 0.6, 0.9, 0.1, 0.3
#: The step of the central difference the stepper shows.
EPS = 1e-6


def _run(wh: float = WH, truncate: int | None = None) -> RNN:
    layer = RNN([[WX]], [[wh]], [B], truncate=truncate)
    out = layer.forward(X_SEQ.reshape(1, -1, 1), [[H0]])
    dout = np.zeros_like(out)
    dout[0, -1, 0] = out[0, -1, 0] - Y_T
    layer.backward(dout)
    return layer


def cost(wh: float) -> float:
    out = RNN([[WX]], [[wh]], [B]).forward(X_SEQ.reshape(1, -1, 1), [[H0]])
    return float(0.5 * (out[0, -1, 0] - Y_T) ** 2)


def expected() -> dict[str, float]:
    steps = len(X_SEQ)
    layer = _run()
    hs = layer.hs[0, :, 0]                                      # h_0 ... h_T
    z = WX * X_SEQ + WH * hs[:-1] + B
    slope = activations.tanh_prime(z)                          # 1 - h_t^2, from z
    # the sum of the last k terms is truncated BPTT's dWh (truncate=k)
    last_k = {k: float(_run(truncate=k).dWh[0, 0]) for k in range(1, steps + 1)}
    terms = {t: last_k[steps - t + 1] - (last_k[steps - t] if t < steps else 0.0)
             for t in range(1, steps + 1)}
    dh = {steps: hs[steps] - Y_T}
    for t in range(steps, 0, -1):
        dh[t - 1] = dh[t] * slope[t - 1] * WH
    central = (cost(WH + EPS) - cost(WH - EPS)) / (2 * EPS)
    out = {"wx": WX, "wh": WH, "b": B, "y": Y_T, "h0": H0, "eps": EPS,
           "C": cost(WH), "dC/dhT": dh[steps], "dC/dwh": layer.dWh[0, 0],
           "dC/dwh(central)": central}
    for t in range(1, steps + 1):
        out[f"x{t}"] = X_SEQ[t - 1]
        out[f"step{t}"] = t
        out[f"h{t}"] = hs[t]
        out[f"z{t}"] = z[t - 1]
        out[f"tanh'(z{t})"] = slope[t - 1]
        out[f"delta{t}"] = dh[t] * slope[t - 1]
        out[f"term{t}"] = terms[t]
        out[f"dC/dwh[{t}:]"] = last_k[steps - t + 1]
        out[f"dh{t}/dh{t - 1}"] = slope[t - 1] * WH
    for t in range(0, steps + 1):
        out[f"dC/dh{t}"] = dh[t]
    assert abs(out["dC/dh0"] - layer.dh0[0, 0]) < 1e-12          # a check of the test itself
    return {k: float(v) for k, v in out.items()}
