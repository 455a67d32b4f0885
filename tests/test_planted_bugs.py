"""Every chapter that uses ``bplib`` catches a bug planted in ``bplib`` (issue 15).

For each chapter, one deliberately wrong change relevant to that chapter is
planted into a *temporary copy* of the ``bplib`` package (never the package
itself).  The chapter then runs with nbclient in a kernel whose ``PYTHONPATH``
puts that copy first (a probe cell checks ``bplib.__file__`` inside the
kernel), with a copy of ``book/`` as its working directory, and it must stop
at one of its *checking assertions*: an ``AssertionError`` raised by an
``assert`` in the chapter or by a checking call (``symbolic.assert_equivalent``,
``display.below``, ``numpy.testing``).  Any other error (a ``NameError``, a
shape ``ValueError``, ``bplib.display.UnstableRounding``, a diverged training
run) fails the test: the chapter must catch the bug by checking, not by
accident.  A control run of the cheapest chapter against the unmodified copy
shows that the harness itself runs a chapter to the end.

A plant must get past ``bplib.activations.register``, which checks every
activation record when ``bplib`` is imported (a wrong derivative on
-50 <= z <= 50 stops the import before any chapter runs): the activation
plants are wrong only where that check cannot see, in relative precision or
in the ``out=`` branch the fast trainer uses.

Each plant is a list of exact text substitutions; each ``old`` text must occur
exactly once in its file, so that a change of ``bplib`` under this test makes
it fail loudly instead of silently planting nothing.

The audit pages of the sources (``article_NNN``) are run like the chapters: each
catches a plant aimed at what its proving cells check.

The chapters that train (``xor``, ``speed``) do so on the fast path
(:class:`bplib.fast.FastTrainer`), so the plants aimed at their training go
into ``bplib/fast.py`` or into the ``prime_from_output`` kernels it uses.
A missing transpose in BP2 or in ``Affine.backward`` is not among the plants:
no weight matrix these chapters pull an error back through is square, so
``W @ delta`` in place of ``W.T @ delta`` stops every chapter with a shape
``ValueError`` before any check runs (loud, but not caught by a check).

Run one plant by hand with ``pytest tests/test_planted_bugs.py -k xor``.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
PACKAGE = ROOT / "bplib"
#: Seconds one cell may take (the slowest cells of these chapters take well under a minute).
CELL_TIMEOUT = 600
PROBE = "import bplib\nprint(bplib.__file__)"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
ARROW = re.compile(r"^\s*-+> ?(.*)$", re.M)  # IPython marks the raising line "--->"


@dataclass(frozen=True)
class Plant:
    """One planted bug: exact substitutions ``(old, new)`` in ``bplib/<file>``."""

    chapter: str
    name: str
    file: str
    substitutions: tuple[tuple[str, str], ...]
    what: str

    @property
    def id(self) -> str:
        return f"{self.chapter}-{self.name}"


#: Edits planted in two places each: a chapter, and the audit page its proofs moved to.
BP2_WITHOUT_SIGMA_PRIME = (("delta = (self.weights[-l + 1].T @ delta) * self.activation.prime(zs[-l])",
                            "delta = self.weights[-l + 1].T @ delta"),)
PRIME_FROM_OUTPUT_AS_TANHS = (("    np.subtract(1.0, a, out=out)        # in place: no temporary in the fast trainer\n"
                               "    return np.multiply(out, a, out=out)\n",
                               "    np.multiply(a, a, out=out)\n"
                               "    return np.subtract(1.0, out, out=out)\n"),)

PLANTS = [
    Plant(
        "chain_rule",
        "sigmoid_prime",
        "activations.py",
        (("    e = np.exp(-np.abs(z))\n    return e / (1.0 + e) ** 2\n",
          "    a = 1.0 / (1.0 + np.exp(-np.abs(z)))\n    return a * (1.0 - a)\n"),),
        "sigma'(z), the prime(z) kernel behind sigmoid_prime, as a (1 - a) with a = sigma(|z|), "
        "which rounds to 0 for |z| beyond about 37 (the registry's absolute check of a record "
        "lets it pass, as it must let the sigmoid's own a (1 - a) pass; the chapter's relative "
        "check at z = +-50 does not)",
    ),
    Plant(
        "worked_example",
        "bp2_without_sigma_prime",
        "network.py",
        BP2_WITHOUT_SIGMA_PRIME,
        "BP2 in Network.backprop without the factor sigma'(z^l)",
    ),
    Plant(
        "xor",
        "sigmoid_prime_from_output",
        "activations.py",
        PRIME_FROM_OUTPUT_AS_TANHS,
        "sigma' from the output (prime_from_output, what the fast trainer uses) as 1 - a^2, "
        "tanh's formula, for a (1 - a)",
    ),
    # The audit pages of issue 24 check what the chapters checked before the audits moved.
    Plant(
        "article_003",
        "bp2_without_sigma_prime",
        "network.py",
        BP2_WITHOUT_SIGMA_PRIME,
        "BP2 in Network.backprop without the factor sigma'(z^l): the audit page's gradients "
        "(bplib's against its NumPy backward pass and SymPy's)",
    ),
    Plant(
        "article_003",
        "mul_local_derivatives_swapped",
        "autodiff.py",
        (("_local_grads=(other.data, self.data))", "_local_grads=(self.data, other.data))"),),
        "Value.__mul__ with its two local derivatives swapped: the engine's second proof of "
        "article 003's errata",
    ),
    Plant(
        "article_001",
        "sigmoid_prime_from_output",
        "activations.py",
        PRIME_FROM_OUTPUT_AS_TANHS,
        "sigma' from the output as 1 - a^2: bplib's run no longer lands on the weights of "
        "article 001's script",
    ),
    Plant(
        "four_equations",
        "bp3_averaged",
        "network.py",
        (("nabla_b[-l] = delta.sum(axis=1, keepdims=True)  # BP3",
          "nabla_b[-l] = delta.mean(axis=1, keepdims=True)  # BP3"),),
        "BP3 of the hidden layers in Network.backprop averaged over the batch instead of summed",
    ),
    Plant(
        "layers",
        "softmax_loss_without_1_over_batch",
        "layers.py",
        (("        return dout * ((self.a - self.t) / batch)  # the gradient of softmax_cross_entropy_parts\n",
          "        return dout * (self.a - self.t)\n"),),
        "the 1/batch dropped from the gradient of the softmax cross-entropy, what "
        "SoftmaxWithLoss.backward returns",
    ),
    Plant(
        "layers",
        "affine_dw_over_batch",
        "layers.py",
        (("        self.dW = self.x.T @ d2\n", "        self.dW = self.x.T @ d2 / d2.shape[0]\n"),),
        "Affine.backward dividing dW by the batch size again (the loss layer already did)",
    ),
    Plant(
        "article_000",
        "mse_gradient_without_factor_2",
        "costs.py",
        (("        return 2.0 / n_out\n", "        return 1.0 / n_out\n"),),
        "the MSE's gradient without its factor 2 (Nielsen's a - y under the name 'mse'), which the "
        "audit page's comparison with the article's backprop and 2(a - y) must catch",
    ),
    Plant(
        "article_002",
        "relu_backward_in_place",
        "layers.py",
        (("        return np.where(self.mask, 0.0, dout)  # dout with the masked entries set to 0\n",
          "        dout[self.mask] = 0.0\n        return dout\n"),),
        "Relu.backward writing into the caller's dout, the article's erratum, planted into bplib's "
        "layer, which the audit page's comparison of the two layers must catch",
    ),
    Plant(
        "autodiff",
        "mul_local_derivatives_swapped",
        "autodiff.py",
        (("_local_grads=(other.data, self.data))", "_local_grads=(self.data, other.data))"),),
        "Value.__mul__ with its two local derivatives swapped (d(ab)/da = a)",
    ),
    Plant(
        "softmax",
        "softmax_backward_diagonal_only",
        "layers.py",
        (("        return a * (dout - np.sum(dout * a, axis=-1, keepdims=True))\n",
          "        return dout * a * (1 - a)\n"),),
        "Softmax.backward with only the diagonal a (1 - a) of the Jacobian diag(a) - a a^T, as if "
        "the softmax were elementwise",
    ),
    Plant(
        "recurrent",
        "rnn_dWh_last_step_only",
        "recurrent.py",
        (("        self.dWh += self.hs[:, t].T @ da\n",
          "        self.dWh = self.hs[:, t].T @ da\n"),),
        "RNN.backward keeps one step's term of dWh instead of the sum over the time steps "
        "(= for +=), the sum over time left out",
    ),
    Plant(
        "recurrent",
        "rnn_jacobian_not_transposed",
        "recurrent.py",
        (("        return da @ self.Wh.T  # through h_t = the previous state\n",
          "        return da @ self.Wh  # through h_t = the previous state\n"),),
        "RNN.backward sends the gradient back to h_(t-1) through Wh instead of Wh.T (the "
        "Jacobian transposed; Wh is square, so no shape error)",
    ),
    Plant(
        "softmax",
        "logsumexp_max_not_added_back",
        "activations.py",
        (("    return (row_max + _log_sum_exp_of_shifted(z - row_max))[..., 0]\n",
          "    return _log_sum_exp_of_shifted(z - row_max)[..., 0]\n"),),
        "logsumexp with the row maximum subtracted inside the exp but not added back",
    ),
    Plant(
        "batchnorm",
        "batchnorm_backward_without_mean_path",
        "layers.py",
        (("        return (scale / m) * (m * dout - dbeta - x_hat * dgamma)\n",
          "        return (scale / m) * (m * dout - x_hat * dgamma)\n"),),
        "BatchNorm.backward without the path through the mean (the -sum(dout) term of the "
        "compact formula)",
    ),
    Plant(
        "batchnorm",
        "batchnorm_backward_without_1_over_m",
        "layers.py",
        (("        return (scale / m) * (m * dout - dbeta - x_hat * dgamma)\n",
          "        return scale * (m * dout - dbeta - x_hat * dgamma)\n"),),
        "BatchNorm.backward without the batch division 1/m, which a gradient check with an "
        "all-ones upstream gradient cannot see",
    ),
    Plant(
        "attention",
        "attention_backward_softmax_diagonal_only",
        "attention.py",
        (("    dS = softmax_layer.backward(dA)  # A * (dA - rowsum(dA * A)): the softmax's VJP\n",
          "    dS = dA * A * (1 - A)\n"),),
        "attention's backward with only the diagonal A (1 - A) of each row's softmax Jacobian",
    ),
    Plant(
        "attention",
        "attention_dK_without_scale",
        "attention.py",
        (("    dK = np.swapaxes(dS, -1, -2) @ Q * scale\n",
          "    dK = np.swapaxes(dS, -1, -2) @ Q\n"),),
        "attention's dK without the 1/sqrt(d) of the scores",
    ),
    Plant(
        "attention",
        "self_attention_dx_value_path_only",
        "attention.py",
        (("        return dQ @ self.Wq.T + dK @ self.Wk.T + dV @ self.Wv.T\n",
          "        return dV @ self.Wv.T\n"),),
        "SelfAttention.backward's dx through the values only, not summed over the Q, K and V paths",
    ),
    Plant(
        "convolution",
        "col2im_assigns",
        "convolution.py",
        (("            img[:, :, y:y_max:stride, xx:x_max:stride] += col[:, :, y, xx, :, :]\n",
          "            img[:, :, y:y_max:stride, xx:x_max:stride] = col[:, :, y, xx, :, :]\n"),),
        "col2im with = for +=: where windows overlap, a pixel keeps one window's gradient",
    ),
    Plant(
        "convolution",
        "max_pooling_spreads",
        "layers.py",
        (("        dmax[np.arange(d.size), self.arg_max] = d\n",
          "        dmax[:] = d[:, None] / (ph * pw)\n"),),
        "MaxPooling.backward spreading each window's gradient evenly (average pooling's "
        "backward) instead of routing it to the winner",
    ),
    Plant(
        "convolution",
        "kernel_not_rotated",
        "convolution.py",
        (("    return k[::-1, ::-1].copy()\n", "    return k.copy()\n"),),
        "rotate180 returning the kernel unrotated: dx as a correlation with the kernel as it is",
    ),
    Plant(
        "convolution",
        "stride_not_dilated",
        "convolution.py",
        (("    out[::stride, ::stride] = g\n    return out\n", "    return g.copy()\n"),),
        "dilate forgetting the stride's zeros between the upstream gradient's entries",
    ),
    Plant(
        "speed",
        "fast_bp2_after_update",
        "fast.py",
        (("            dot(delta, a_t[l], grads[l])\n",
          "            dot(delta, a_t[l], grads[l])\n"
          "            np.subtract(self.params[l], grads[l], out=self.params[l])\n"),
         ("        np.subtract(self.theta, self.gradient, out=self.theta)\n", "")),
        "FastTrainer's BP2 with the weights already updated by this step (update moved before BP2)",
    ),
]


@dataclass
class Outcome:
    """How a chapter run ended: ``ename`` is None when every cell ran."""

    probe: str
    ename: str | None = None
    evalue: str = ""
    cell: str = ""  # where: "cell 17 (code cell 9, id ...)", counted in the chapter from 1
    line: str = ""  # the chapter's line that raised (the first ``---->`` of the traceback)
    traceback: str = ""

    def describe(self) -> str:
        if self.ename is None:
            return "the chapter ran to the end without an error"
        return (
            f"{self.ename} in {self.cell}\n  at: {self.line}\n  message: {self.evalue[:300]}\n"
            "  traceback (end):\n"
            + "\n".join("    " + line for line in self.traceback.splitlines()[-12:])
        )


def plant_into(package: Path, plant: Plant) -> None:
    """Apply ``plant`` to the package copy at ``package``; each ``old`` must occur once."""
    path = package / plant.file
    text = path.read_text(encoding="utf-8")
    for old, new in plant.substitutions:
        count = text.count(old)
        assert count == 1, (
            f"the plant for {plant.chapter!r} expects this text exactly once in bplib/{plant.file}, "
            f"found it {count} times (bplib changed: update the plant):\n{old}"
        )
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def run_chapter(chapter: str, workdir: Path, plant: Plant | None = None) -> Outcome:
    """Run ``book/<chapter>.ipynb`` against a copy of bplib (with ``plant`` applied)."""
    packages = workdir / "packages"
    copy = packages / "bplib"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    if plant is not None:
        plant_into(copy, plant)
    # the chapters (the benchmark results they show ship inside the bplib copy)
    book = workdir / "book"
    skip = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "_build")
    shutil.copytree(BOOK, book, ignore=skip)

    nb = nbformat.read(book / f"{chapter}.ipynb", as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(PROBE))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(packages)] + [p for p in [env.get("PYTHONPATH")] if p])
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(book)}},
    )
    error: CellExecutionError | None = None
    try:
        client.execute(env=env)
    except CellExecutionError as exc:
        error = exc

    probe_out = "".join(o.get("text", "") for o in nb.cells[0].get("outputs", [])
                        if o.get("name") == "stdout")
    outcome = Outcome(probe=probe_out.strip())
    if error is None:
        return outcome
    outcome.ename, outcome.evalue = error.ename, error.evalue
    code_cells = 0
    for index, cell in enumerate(nb.cells):
        code_cells += cell.cell_type == "code"
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            # index 0 is the probe cell, so index counts the chapter's cells from 1
            outcome.cell = f"cell {index} (code cell {code_cells - 1}, id {cell.get('id', '?')})"
            outcome.traceback = ANSI.sub("", "\n".join(errors[0].get("traceback", [])))
            arrows = [m.group(1) for m in ARROW.finditer(outcome.traceback)]
            outcome.line = arrows[0].strip() if arrows else "?"
            break
    return outcome


def _expect_copy(outcome: Outcome, workdir: Path) -> None:
    expected = workdir / "packages" / "bplib" / "__init__.py"
    assert outcome.probe == str(expected), (
        f"the kernel imported bplib from {outcome.probe!r}, not from the copy {expected}"
    )


def test_every_plant_applies_to_bplib_once(tmp_path: Path) -> None:
    """Each plant's texts are in today's bplib exactly once (quick, runs no chapter)."""
    for plant in PLANTS:
        copy = tmp_path / plant.id / "bplib"
        shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
        before = (copy / plant.file).read_text(encoding="utf-8")
        plant_into(copy, plant)
        assert (copy / plant.file).read_text(encoding="utf-8") != before, plant.id
    missing = Plant("none", "absent", "network.py", (("no such line", "x"),), "")
    with pytest.raises(AssertionError, match="found it 0 times"):
        plant_into(copy, missing)


def test_unmodified_copy_runs_a_chapter_to_the_end(tmp_path: Path) -> None:
    """Control: the harness runs the cheapest chapter against an unplanted copy, without error."""
    outcome = run_chapter("chain_rule", tmp_path)
    _expect_copy(outcome, tmp_path)
    assert outcome.ename is None, outcome.describe()


@pytest.mark.parametrize("plant", PLANTS, ids=lambda p: p.id)
def test_chapter_catches_planted_bug(plant: Plant, tmp_path: Path) -> None:
    """The chapter stops at a checking assertion when ``plant`` is in bplib."""
    outcome = run_chapter(plant.chapter, tmp_path, plant)
    _expect_copy(outcome, tmp_path)
    assert outcome.ename == "AssertionError", (
        f"with the planted bug ({plant.what}) {plant.chapter}.ipynb did not stop at a checking "
        f"assertion:\n{outcome.describe()}"
    )
    print(f"{plant.chapter}.ipynb caught: {plant.what}\n{outcome.describe()}")
