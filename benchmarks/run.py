"""Speed benchmarks for bplib (issue 10).  Run with ``make bench``.

Measures, in one process, on the same data, architecture and initial weights:

a. article 000's task (``[1, 8, 5, 3, 1]``, 200 points, batch 40, 5000 epochs,
   cost "mse", learning rate 0.1): the per-sample loop (``Network.sgd(per_sample=True)``
   and a transcription of the article's own class), the plain vectorised
   reference path (``fast=False``) and the fast path (the default);
b. digits-sized MLPs (64-100-10 and 784-100-10, sigmoid, "mse", synthetic data,
   batch 100): bplib's fast path against PyTorch on the CPU (if installed), in
   float64 and float32, with 1 thread in both libraries and with the default
   number of threads;
c. the limit: the matrix products alone that one epoch needs (NumPy's BLAS,
   preallocated contiguous operands), so the report shows what fraction of an
   epoch is overhead;
d. the convolution layer (chapter 10): one forward and backward pass of
   ``bplib.layers.Convolution`` (im2col and one matrix product) against
   PyTorch's ``conv2d`` with autograd, one thread, float64, on a digits-sized
   batch and a CIFAR-sized one; on the digits-sized batch also the naive loops
   (``bplib.convolution.conv2d_naive`` and ``conv2d_naive_backward``).

Every time is the minimum of several repeats (on a shared machine the run
least disturbed by other programs is the closest to the code's own cost); the
contenders of one case run interleaved (A, B, A, B, ...) so a load change on
the machine hits all of them.  Results go to ``bplib/benchmark_results/results.json`` and ``results.md``
(package data: the speed chapter reads them with importlib.resources).

Usage::

    python benchmarks/run.py            # the full run (a few minutes)
    python benchmarks/run.py --quick    # a smoke test (seconds; numbers are rough)
    python benchmarks/run.py --cases d  # only the convolution, updating the last results
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import numpy as np

import bplib
from bplib.convolution import conv2d_naive, conv2d_naive_backward
from bplib.data import cosine_curve
from bplib.layers import Convolution
from bplib.fast import FastTrainer
from bplib.network import Network
from bplib.training import check_run

# Shipped inside the package (package data), so that the speed chapter can show the
# last run's table wherever it runs: importlib.resources.files("bplib") / "benchmark_results".
RESULTS = Path(__file__).resolve().parents[1] / "bplib" / "benchmark_results"

try:  # scikit-learn brings threadpoolctl; without it BLAS threads cannot be limited
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None
    threadpool_info = None

try:
    import torch
except ImportError:
    torch = None


# --------------------------------------------------------------------------- timing
def best_times(contenders: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Minimum wall time of each contender, run interleaved ``repeats`` times after a warm-up."""
    for fn in contenders.values():  # warm-up: imports, first allocations, BLAS threads
        fn()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: min(ts) for name, ts in times.items()}


@contextmanager
def threads(n: int | None):
    """Limit NumPy's BLAS and PyTorch to ``n`` threads (``None``: the defaults)."""
    torch_default = torch.get_num_threads() if torch is not None else None
    if n is not None and torch is not None:
        torch.set_num_threads(n)
    try:
        if n is not None and threadpool_limits is not None:
            with threadpool_limits(limits=n):
                yield
        else:
            yield
    finally:
        if torch is not None:
            torch.set_num_threads(torch_default)


# ------------------------------------------------------- a. article 000's task
class ArticleNetwork:
    """Article 000's ``NeuralNetwork`` class, transcribed (sigmoid, cost derivative 2(a - y)).

    Two changes only, so it runs on the same footing as bplib: the initial
    weights are passed in (the article draws them with ``np.random.randn``),
    and each epoch takes the samples in the order of
    ``np.random.default_rng(seed).permutation`` (as ``Network.sgd`` does)
    instead of ``random.shuffle``, then records the mean loss instead of
    printing "Epoch j complete".
    """

    def __init__(self, weights, biases):
        self.num_layers = len(weights) + 1
        self.weights = [w.copy() for w in weights]
        self.biases = [b.copy() for b in biases]

    @staticmethod
    def act(z):
        return 1.0 / (1.0 + np.exp(-z))

    def act_derivative(self, z):
        return self.act(z) * (1 - self.act(z))

    @staticmethod
    def cost_derivative(output_activations, y):
        return 2 * (output_activations - y)

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = self.act(np.dot(w, a) + b)
        return a

    def SGD(self, training_data, epochs, batch_size, learning_rate, seed):
        rng = np.random.default_rng(seed)
        n = len(training_data)
        losses = []
        x = np.hstack([s[0] for s in training_data])
        y = np.hstack([s[1] for s in training_data])
        for _ in range(epochs):
            shuffled = [training_data[i] for i in rng.permutation(n)]
            batches = [shuffled[k : k + batch_size] for k in range(0, n, batch_size)]
            for batch in batches:
                self.update_batch(batch, learning_rate)
            losses.append(float(np.mean((self.feedforward(x) - y) ** 2)))
        return losses

    def update_batch(self, batch, learning_rate):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [w - (learning_rate / len(batch)) * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (learning_rate / len(batch)) * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = self.act(z)
            activations.append(activation)
        d = self.cost_derivative(activations[-1], y) * self.act_derivative(zs[-1])
        nabla_b[-1] = d
        nabla_w[-1] = np.dot(d, activations[-2].transpose())
        for l in range(2, self.num_layers):
            sp = self.act_derivative(zs[-l])
            d = np.dot(self.weights[-l + 1].transpose(), d) * sp
            nabla_b[-l] = d
            nabla_w[-l] = np.dot(d, activations[-l - 1].transpose())
        return nabla_b, nabla_w


SEED000 = dict(sizes=[1, 8, 5, 3, 1], cost="mse", batch_size=40, learning_rate=0.1, epochs=5000)


def seed000_case(args) -> dict:
    """Case a: per-sample loops vs plain vectorised vs fast path on article 000's task."""
    x, y = cosine_curve()
    sizes, cost = SEED000["sizes"], SEED000["cost"]
    batch, lr, epochs = SEED000["batch_size"], SEED000["learning_rate"], SEED000["epochs"]
    loop_epochs = args.loop_epochs

    def bplib_run(n_epochs, **kw):
        return lambda: Network(sizes, cost=cost, seed=0).sgd((x, y), n_epochs, batch, lr, **kw)

    ref = Network(sizes, cost=cost, seed=0)
    article_data = [(x[:, j : j + 1], y[:, j : j + 1]) for j in range(x.shape[1])]

    def article_run(n_epochs):
        return lambda: ArticleNetwork(ref.weights, ref.biases).SGD(article_data, n_epochs, batch, lr, 0)

    bplib_loop = "per-sample loop: Network.sgd(per_sample=True)"
    article_loop = "per-sample loop: article 000's class, transcribed"
    contenders = {
        bplib_loop: bplib_run(loop_epochs, per_sample=True),
        article_loop: article_run(loop_epochs),
        "plain vectorised: Network.sgd(fast=False)": bplib_run(loop_epochs, fast=False),
        "fast path: Network.sgd()": bplib_run(loop_epochs),
        "fast path, float32: Network.sgd(dtype='float32')": bplib_run(loop_epochs, dtype="float32"),
    }
    print(f"a. article 000's task: all paths on {loop_epochs} epochs x {args.loop_repeats}, "
          "interleaved ...", flush=True)
    with threads(1):
        times = best_times(contenders, args.loop_repeats)
        # the two loops follow the same trajectory (same weights, same shuffles)
        short = [bplib_run(loop_epochs, per_sample=True)().loss, article_run(loop_epochs)()]
        loops_agree = float(np.max(np.abs(np.subtract(short[0], short[1]))))
        # final losses and times of full-length runs (the slow loop only without --quick)
        losses, full_seconds = {}, {}
        full_runs = [(name, bplib_run(epochs, **kw)) for name, kw in [
            ("plain vectorised: Network.sgd(fast=False)", dict(fast=False)),
            ("fast path: Network.sgd()", {}),
            ("fast path, float32: Network.sgd(dtype='float32')", dict(dtype="float32")),
        ]]
        if args.full_loop:
            full_runs.insert(0, (bplib_loop, bplib_run(epochs, per_sample=True)))
        print(f"   one full {epochs}-epoch run of each bplib path, for the final loss ...",
              flush=True)
        for name, run in full_runs:
            start = time.perf_counter()
            losses[name] = run().loss[-1]
            full_seconds[name] = time.perf_counter() - start

    rows = []
    for name, t in times.items():
        per_epoch = t / loop_epochs
        rows.append(dict(name=name, seconds_per_epoch=per_epoch, seconds_5000=per_epoch * epochs,
                         measured_epochs=loop_epochs, extrapolated=True,
                         full_run_seconds=full_seconds.get(name), final_loss=losses.get(name)))
    base = rows[0]["seconds_per_epoch"]
    for row in rows:
        row["speedup_vs_per_sample"] = base / row["seconds_per_epoch"]
    fast = next(r for r in rows if r["name"] == "fast path: Network.sgd()")
    plain = next(r for r in rows if r["name"].startswith("plain"))
    loop_loss = rows[0]["final_loss"]
    rel = None if loop_loss is None else abs(fast["final_loss"] - loop_loss) / abs(loop_loss)
    speedup_vs_article = fast["speedup_vs_per_sample"] / rows[1]["speedup_vs_per_sample"]
    return dict(
        task=SEED000 | {"n_points": x.shape[1], "threads": 1},
        rows=rows,
        loops_max_loss_difference=loops_agree,
        target_a=dict(
            speedup=fast["speedup_vs_per_sample"],
            plain_speedup=plain["speedup_vs_per_sample"],
            speedup_vs_article=speedup_vs_article,
            final_loss_rel_diff=rel,
            # judged against the loop written independently of bplib, the article's class
            met=bool(speedup_vs_article >= 50 and (rel is None or rel <= 0.01)),
        ),
    )


# --------------------------------------------- b. and c. digits-sized MLPs
def synthetic_data(n_in: int, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Inputs uniform in [0, 1), labels of 10 classes from a random linear teacher, one-hot."""
    rng = np.random.default_rng(seed)
    x = rng.random((n_in, n))
    teacher = rng.standard_normal((10, n_in))
    labels = np.argmax(teacher @ (x - 0.5), axis=0)
    return x, np.eye(10)[:, labels]


def torch_trainer(net: Network, x: np.ndarray, y: np.ndarray, batch: int, lr: float, dtype: str):
    """An idiomatic PyTorch loop doing what ``Network.sgd`` does (same weights and shuffles)."""
    tdtype = getattr(torch, dtype)
    layers = []
    for w, b in zip(net.weights, net.biases):
        linear = torch.nn.Linear(w.shape[1], w.shape[0], dtype=tdtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.copy_(torch.from_numpy(b[:, 0]))
        layers += [linear, torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    X = torch.from_numpy(np.ascontiguousarray(x.T)).to(tdtype)  # rows are samples in PyTorch
    Y = torch.from_numpy(np.ascontiguousarray(y.T)).to(tdtype)
    mse = torch.nn.functional.mse_loss  # mean over outputs and samples = bplib's "mse"

    def train(epochs: int, seed: int = 0) -> list[float]:
        rng = np.random.default_rng(seed)
        n, losses = X.shape[0], []
        for _ in range(epochs):
            order = torch.from_numpy(rng.permutation(n))
            xs, ys = X[order], Y[order]
            for k in range(0, n, batch):
                opt.zero_grad()
                loss = mse(model(xs[k : k + batch]), ys[k : k + batch])
                loss.backward()
                opt.step()
            with torch.no_grad():
                losses.append(float(mse(model(X), Y)))
        return losses

    return train


def bare_matmuls(sizes: list[int], n: int, batch: int, dtype: str) -> Callable[[], None]:
    """One epoch's matrix products alone: forward, BP2 and BP3+4 per batch, and the loss pass.

    Same shapes as the fast path (biases folded: an extra input row), with
    preallocated contiguous operands, so this is what the epoch would cost
    with zero overhead.
    """
    rng = np.random.default_rng(0)
    P = [rng.standard_normal((o, i + 1)).astype(dtype) for i, o in zip(sizes[:-1], sizes[1:])]
    G = [np.empty_like(p) for p in P]
    W = [np.ascontiguousarray(p[:, :-1]) for p in P]

    def operands(m):
        A = [rng.random((s + 1, m)).astype(dtype) for s in sizes[:-1]]
        Z = [np.empty((o, m), dtype) for o in sizes[1:]]
        D = [rng.random((o, m)).astype(dtype) for o in sizes[1:]]
        return A, Z, D

    batches = [min(batch, n - k) for k in range(0, n, batch)]
    ops = {m: operands(m) for m in set(batches)}
    full = operands(n)

    def epoch() -> None:
        for m in batches:
            A, Z, D = ops[m]
            for l, p in enumerate(P):  # forward
                np.matmul(p, A[l], out=Z[l])
            for l in range(len(P) - 1, -1, -1):  # backward
                np.matmul(D[l], A[l].T, out=G[l])  # BP3 + BP4
                if l > 0:
                    np.matmul(W[l].T, D[l], out=D[l - 1])  # BP2
        A, Z, _ = full
        for l, p in enumerate(P):  # the loss recorded after the epoch
            np.matmul(p, A[l], out=Z[l])

    return epoch


def setup(net: Network, x, y, epochs: int, batch: int, lr: float, dtype: str) -> Callable[[], object]:
    """What one ``sgd`` call does once before its first epoch: check the data, copy them
    into one row per sample of the training dtype (``FastTrainer._samples``)."""

    def run() -> object:
        checked = check_run(net, (x, y), epochs, batch, lr, 0)
        return FastTrainer(net, dtype)._samples(checked.x, checked.y)

    return run


def mlp_case(sizes: list[int], args) -> dict:
    """Cases b and c for one architecture."""
    n, batch, lr, epochs = args.mlp_samples, 100, 0.5, args.mlp_epochs
    x, y = synthetic_data(sizes[0], n)
    results = []
    for n_threads in (1, None):
        label = "1" if n_threads == 1 else f"default ({os.cpu_count()} cores)"
        for dtype in ("float64", "float32"):
            print(f"b/c. {'-'.join(map(str, sizes))}, {dtype}, threads {label} ...", flush=True)
            contenders = {
                "bplib": lambda: Network(sizes, cost="mse", seed=0).sgd(
                    (x, y), epochs, batch, lr, dtype=dtype
                ),
                # the one-off set-up of an sgd call alone: checking the data once and
                # copying them into one row per sample of the training dtype
                "set-up": setup(Network(sizes, cost="mse", seed=0), x, y, epochs, batch, lr, dtype),
                "matmuls only": (lambda ep: lambda: [ep() for _ in range(epochs)])(
                    bare_matmuls(sizes, n, batch, dtype)
                ),
            }
            if torch is not None:
                contenders["torch"] = lambda: torch_trainer(
                    Network(sizes, cost="mse", seed=0), x, y, batch, lr, dtype
                )(epochs)
            with threads(n_threads):
                t = best_times(contenders, args.repeats)
                bp_loss = Network(sizes, cost="mse", seed=0).sgd((x, y), epochs, batch, lr, dtype=dtype).loss
                th_loss = (
                    torch_trainer(Network(sizes, cost="mse", seed=0), x, y, batch, lr, dtype)(epochs)
                    if torch is not None else None
                )
            row = dict(
                sizes=sizes, threads=label, dtype=dtype, n_samples=n, batch_size=batch,
                epochs_per_repeat=epochs,
                bplib_ms_per_epoch=1e3 * t["bplib"] / epochs,
                matmul_ms_per_epoch=1e3 * t["matmuls only"] / epochs,
                overhead_fraction=1.0 - t["matmuls only"] / t["bplib"],
                # the one-off set-up, and an epoch without it
                setup_ms=1e3 * t["set-up"],
                steady_ms_per_epoch=1e3 * (t["bplib"] - t["set-up"]) / epochs,
                bplib_final_loss=bp_loss[-1],
            )
            row["steady_overhead_fraction"] = 1.0 - row["matmul_ms_per_epoch"] / row["steady_ms_per_epoch"]
            if torch is not None:
                row |= dict(
                    torch_ms_per_epoch=1e3 * t["torch"] / epochs,
                    bplib_over_torch=t["bplib"] / t["torch"],
                    torch_final_loss=th_loss[-1],
                    loss_rel_diff=abs(bp_loss[-1] - th_loss[-1]) / abs(th_loss[-1]),
                )
            results.append(row)
    return dict(sizes=sizes, rows=results)


# ----------------------------------------------------------------- d. convolution
#: (name, batch, channels, height = width, filters, kernel, pad, with the naive loops)
CONV_CASES = [
    ("digits-sized", 100, 1, 8, 16, 3, 1, True),
    ("CIFAR-sized", 32, 3, 32, 16, 3, 1, False),
]


def conv_case(args) -> dict:
    """Case d: one forward + backward pass of a convolution layer, 1 thread, float64."""
    rows = []
    for name, n, c, hw, fn, k, pad, naive in CONV_CASES:
        print(f"d. convolution, {name} ...", flush=True)
        rng = np.random.default_rng(0)
        x = rng.standard_normal((n, c, hw, hw))
        W = 0.1 * rng.standard_normal((fn, c, k, k))
        b = rng.standard_normal(fn)
        layer = Convolution(W, b, stride=1, pad=pad)
        dout = rng.standard_normal(layer.forward(x).shape)

        def ours():
            layer.forward(x)
            return layer.backward(dout)

        contenders = {"bplib": ours}
        if naive:
            contenders["naive"] = lambda: conv2d_naive_backward(
                dout, x, W, 1, pad) + (conv2d_naive(x, W, b, 1, pad),)
        if torch is not None:
            xt = torch.tensor(x, requires_grad=True)
            Wt = torch.tensor(W, requires_grad=True)
            bt = torch.tensor(b, requires_grad=True)
            dt = torch.tensor(dout)

            def theirs():
                xt.grad = Wt.grad = bt.grad = None
                torch.nn.functional.conv2d(xt, Wt, bt, stride=1, padding=pad).backward(dt)
                return xt.grad

            contenders["torch"] = theirs
        with threads(1):
            t = best_times(contenders, args.conv_repeats)
        row = dict(case=name, input_shape=[n, c, hw, hw], filters_shape=[fn, c, k, k], pad=pad,
                   bplib_ms=1e3 * t["bplib"])
        if naive:
            dx, dW, db = conv2d_naive_backward(dout, x, W, 1, pad)
            layer.forward(x)
            row |= dict(naive_ms=1e3 * t["naive"], naive_over_bplib=t["naive"] / t["bplib"],
                        naive_max_abs_difference=float(max(
                            np.max(np.abs(dx - layer.backward(dout))),
                            np.max(np.abs(dW - layer.dW)), np.max(np.abs(db - layer.db)))))
        if torch is not None:
            layer.forward(x)
            ours_dx = layer.backward(dout)
            theirs()
            row |= dict(torch_ms=1e3 * t["torch"], bplib_over_torch=t["bplib"] / t["torch"],
                        torch_max_abs_difference=float(max(
                            np.max(np.abs(ours_dx - xt.grad.numpy())),
                            np.max(np.abs(layer.dW - Wt.grad.numpy())))))
        rows.append(row)
    return dict(rows=rows)


# ------------------------------------------------------------------- reporting
def machine_info() -> dict:
    info = dict(
        date=datetime.datetime.now().isoformat(timespec="seconds"),
        python=platform.python_version(),
        platform=platform.platform(),
        cpu_count=os.cpu_count(),
        numpy=np.__version__,
        bplib=bplib.__version__ if hasattr(bplib, "__version__") else None,
        torch=torch.__version__ if torch is not None else None,
        load_average_at_start=list(os.getloadavg()),
    )
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        info["cpu"] = platform.processor()
    if threadpool_info is not None:
        info["blas"] = [
            {k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for d in threadpool_info()
        ]
    return info


def markdown(report: dict) -> str:
    m = report["machine"]
    out = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (`benchmarks/run.py`) on {m['date']}: {m.get('cpu')}, "
        f"{m['cpu_count']} cores, Python {m['python']}, NumPy {m['numpy']}, "
        f"PyTorch {m['torch'] or 'not installed'}; load average at start "
        f"{', '.join(f'{v:.2f}' for v in m['load_average_at_start'])}. Times are the minimum "
        f"of {report['settings']['repeats']} interleaved repeats (article 000's task: "
        f"{report['settings']['loop_repeats']}).",
        "",
    ]
    a = report["seed000"]
    t = a["task"]
    out += [
        f"## a. Article 000's task: {t['sizes']}, {t['n_points']} points, batch {t['batch_size']}, "
        f"{t['epochs']} epochs (1 thread)",
        "",
        "| implementation | s / epoch | s for 5000 epochs | speed-up vs per-sample | final loss |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in a["rows"]:
        total = f"{r['seconds_5000']:.2f}" + (
            f" (extrapolated from {r['measured_epochs']} epochs)" if r["extrapolated"] else ""
        )
        if r.get("full_run_seconds"):
            total += f"; one full run: {r['full_run_seconds']:.2f}"
        loss = "" if r["final_loss"] is None else f"{r['final_loss']:.6g}"
        out.append(f"| {r['name']} | {r['seconds_per_epoch']:.3g} | {total} | "
                   f"{r['speedup_vs_per_sample']:.1f}x | {loss} |")
    ta = a["target_a"]
    rel = "not measured (--quick)" if ta["final_loss_rel_diff"] is None else f"{ta['final_loss_rel_diff']:.1e}"
    out += ["", f"All rows were timed interleaved on {a['rows'][0]['measured_epochs']} epochs "
            "(the 5000-epoch column is extrapolated from them); the final losses come from one "
            f"full 5000-epoch run each. The two per-sample loops follow the same trajectory "
            f"(largest loss difference {a['loops_max_loss_difference']:.1e} over the timed "
            "epochs); the transcription of the article's class is faster than "
            "`Network.sgd(per_sample=True)` because it skips bplib's input validation.", "",
            f"Target (a), the fast path >= 50x a per-sample loop written independently of "
            f"bplib (the article's class, transcribed), final loss within 1% of bplib's "
            f"per-sample loop: {ta['speedup_vs_article']:.0f}x (against "
            f"`Network.sgd(per_sample=True)`: {ta['speedup']:.0f}x), relative loss difference "
            f"{rel}: **{'met' if ta['met'] else 'missed'}**.", ""]
    out += [
        "## b, c. Digits-sized MLPs (sigmoid, mse, batch 100, synthetic data)",
        "",
        "| sizes | threads | dtype | bplib ms/epoch | PyTorch ms/epoch | bplib / PyTorch | "
        "matmuls alone ms/epoch | overhead share of bplib's epoch | the same, set-up aside | "
        "set-up ms per sgd call |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for case in report["mlp"]:
        for r in case["rows"]:
            tm = f"{r['torch_ms_per_epoch']:.1f}" if "torch_ms_per_epoch" in r else "skipped"
            ratio = f"{r['bplib_over_torch']:.2f}" if "bplib_over_torch" in r else "-"
            out.append(
                f"| {'-'.join(map(str, r['sizes']))} | {r['threads']} | {r['dtype']} | "
                f"{r['bplib_ms_per_epoch']:.1f} | {tm} | {ratio} | {r['matmul_ms_per_epoch']:.1f} | "
                f"{100 * r['overhead_fraction']:.0f}% | {100 * r['steady_overhead_fraction']:.0f}% | "
                f"{r['setup_ms']:.1f} |"
            )
    out += [""]
    if "conv" in report:
        out += [
            "## d. The convolution layer: one forward and backward pass (1 thread, float64)",
            "",
            f"Measured on {report['conv']['date']} (load average at start "
            f"{', '.join(f'{v:.2f}' for v in report['conv']['load_average_at_start'])}); "
            f"times are the minimum of {report['conv']['repeats']} interleaved repeats.",
            "",
            "| case | input N×C×H×W | filters FN×C×FH×FW | bplib (im2col) ms | naive loops ms | naive / bplib | "
            "PyTorch conv2d ms | bplib / PyTorch |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in report["conv"]["rows"]:
            naive = (f"{r['naive_ms']:.1f} | {r['naive_over_bplib']:.0f}x" if "naive_ms" in r
                     else "not run | -")
            tm = (f"{r['torch_ms']:.2f} | {r['bplib_over_torch']:.1f}" if "torch_ms" in r
                  else "skipped | -")
            n, c, h, w = r["input_shape"]
            out.append(f"| {r['case']} | {n}×{c}×{h}×{w}, pad {r['pad']} | "
                       f"{'×'.join(map(str, r['filters_shape']))} | {r['bplib_ms']:.2f} | "
                       f"{naive} | {tm} |")
        out += ["", "The naive loops and the im2col layer compute the same gradients (largest "
                "difference " + ", ".join(f"{r['naive_max_abs_difference']:.1e}"
                                           for r in report["conv"]["rows"]
                                           if "naive_max_abs_difference" in r)
                + "); PyTorch's agree with bplib's to "
                + (", ".join(f"{r['torch_max_abs_difference']:.1e}" for r in report["conv"]["rows"]
                             if "torch_max_abs_difference" in r) or "(not measured)") + ".", ""]
    for key, text in report["targets"].items():
        out.append(f"- {key}: {text}")
    out.append("")
    return "\n".join(out)


def assess(report: dict) -> dict:
    """Targets (a), (b), (c) of issue 10 in words."""
    targets = {}
    ta = report["seed000"]["target_a"]
    targets["(a) >= 50x vs a per-sample loop written independently of bplib, loss within 1%"] = (
        f"{ta['speedup_vs_article']:.0f}x ({'met' if ta['met'] else 'missed'}); "
        f"against Network.sgd(per_sample=True) {ta['speedup']:.0f}x"
    )
    rows = [r for case in report["mlp"] for r in case["rows"] if r["threads"] == "1"]
    big = [r for r in rows if r["sizes"][0] == 784]
    small = [r for r in rows if r["sizes"][0] != 784]
    if all("bplib_over_torch" in r for r in rows):
        ok_big = all(r["bplib_over_torch"] <= 1.5 for r in big)
        ok_small = all(r["bplib_over_torch"] < 1.0 for r in small)
        targets["(b) within 1.5x of PyTorch at 784-100-10, faster on small nets (1 thread)"] = (
            ", ".join(f"{r['dtype']} {r['bplib_over_torch']:.2f}x" for r in big)
            + "; small: " + ", ".join(f"{r['dtype']} {r['bplib_over_torch']:.2f}x" for r in small)
            + f" ({'met' if ok_big and ok_small else 'missed'})"
        )
    else:
        targets["(b) vs PyTorch"] = "not measured: PyTorch is not installed (pip install torch==2.13.0)"
    ok_c = all(r["overhead_fraction"] <= 0.25 for r in big)
    targets["(c) overhead <= 25% of an epoch at 784-100-10 (1 thread)"] = (
        ", ".join(f"{r['dtype']} {100 * r['overhead_fraction']:.0f}%" for r in big)
        + f" ({'met' if ok_c else 'missed'})"
    )
    return targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke test: few epochs and repeats")
    parser.add_argument("--out", type=Path, default=None,
                        help="directory for results.json/.md (default: bplib/benchmark_results, "
                        "or a temporary directory with --quick)")
    parser.add_argument("--cases", default="abcd", choices=["abcd", "a", "bc", "d"],
                        help="run only these cases and update them in the existing results "
                        "(default: all; b and c run together)")
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = Path(tempfile.gettempdir()) / "bplib_bench_quick" if args.quick else RESULTS
    args.repeats = 2 if args.quick else 7
    args.loop_repeats = 1 if args.quick else 7
    args.loop_epochs = 20 if args.quick else 200
    args.full_loop = not args.quick
    args.mlp_samples = 2000 if args.quick else 10000
    args.mlp_epochs = 1 if args.quick else 5
    args.conv_repeats = 2 if args.quick else 7
    if torch is None:
        print("PyTorch is not installed: skipping the PyTorch comparison "
              "(pip install torch==2.13.0, or pip install -e '.[bench]').", flush=True)
    if threadpool_limits is None:
        print("threadpoolctl is not installed: NumPy's BLAS threads cannot be limited.", flush=True)

    previous = args.out / "results.json"
    if args.cases != "abcd":
        if not previous.exists():
            parser.error(f"--cases {args.cases} updates {previous}, which does not exist: run all cases")
        report = json.loads(previous.read_text())
    else:
        report = dict(machine=machine_info(), settings=dict(
            quick=args.quick, repeats=args.repeats, loop_repeats=args.loop_repeats,
            loop_epochs=args.loop_epochs, mlp_samples=args.mlp_samples, mlp_epochs=args.mlp_epochs))
    if "a" in args.cases:
        report["seed000"] = seed000_case(args)
    if "b" in args.cases or "c" in args.cases:
        report["mlp"] = [mlp_case([64, 100, 10], args), mlp_case([784, 100, 10], args)]
    if "d" in args.cases:
        machine = machine_info()
        report["conv"] = conv_case(args) | dict(
            date=machine["date"], repeats=args.conv_repeats,
            load_average_at_start=machine["load_average_at_start"])
    if args.cases == "abcd":
        report["machine"]["load_average_at_end"] = list(os.getloadavg())
    report["targets"] = assess(report)

    text = markdown(report)
    print("\n" + text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "results.md").write_text(text)
    print(f"written: {args.out / 'results.json'} and {args.out / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
