"""What book/pytorch.md says about PyTorch's behaviour, run against PyTorch itself.

The page's code blocks run in ``tests/test_book.py::test_pytorch_page_code_runs``; the
sentences around them (logits, dtypes, accumulation, ``nn.Linear``'s orientation, SGD's
update) are checked here, one test per claim, so that each marker on the page can name one.
PyTorch is optional: without it these tests are skipped.
"""

from __future__ import annotations

import numpy as np
import pytest

from bplib.autodiff import Value
from bplib.layers import SoftmaxWithLoss

torch = pytest.importorskip("torch", reason="PyTorch is not installed (it is optional)")
F = torch.nn.functional


def test_torch_cross_entropy_takes_logits_like_softmax_with_loss_and_is_stable():
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((4, 3))
    t = np.array([0, 2, 1, 2])
    ours = SoftmaxWithLoss().forward(logits, t)
    theirs = F.cross_entropy(torch.tensor(logits), torch.tensor(t)).item()
    assert theirs == pytest.approx(ours, rel=1e-12)
    # the softmax is applied inside, in a stable form: logits of 1000 do not overflow
    big = F.cross_entropy(torch.tensor([[1000.0, 0.0]], dtype=torch.float64), torch.tensor([1]))
    assert big.item() == pytest.approx(1000.0, rel=1e-12)


def test_torch_default_dtype_is_float32_and_a_float64_array_stays_float64():
    assert torch.get_default_dtype() == torch.float32
    assert torch.tensor([0.1, 0.2]).dtype == torch.float32
    assert torch.tensor(np.array([0.1, 0.2])).dtype == torch.float64


def test_torch_grad_accumulates_across_backward_calls_like_value():
    a = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    (a * a).backward()
    (a * a).backward()
    assert a.grad.item() == 8.0          # 4 + 4
    a.grad.zero_()
    (a * a).backward()
    assert a.grad.item() == 4.0
    v = Value(2.0)
    (v * v).backward()
    (v * v).backward()
    assert v.grad == 8.0                 # Value.backward adds to leaves the same way


def test_torch_linear_stores_out_by_in_and_computes_x_times_weight_transposed():
    layer = torch.nn.Linear(4, 6).double()
    assert tuple(layer.weight.shape) == (6, 4)
    x = torch.randn(5, 4, dtype=torch.float64)
    assert torch.allclose(layer(x), x @ layer.weight.T + layer.bias)


def test_torch_sgd_step_is_p_minus_lr_times_grad():
    p = torch.nn.Parameter(torch.tensor([1.0, -2.0], dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=0.1)
    (p ** 2).sum().backward()
    expected = p.detach() - 0.1 * p.grad
    opt.step()
    assert torch.equal(p.detach(), expected)


def test_torch_mse_loss_is_the_mean_over_all_elements_like_bplib():
    from bplib.layers import MSELoss

    rng = np.random.default_rng(4)
    x, t = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    theirs = torch.nn.MSELoss()(torch.tensor(x), torch.tensor(t)).item()
    assert theirs == pytest.approx(MSELoss().forward(x, t), rel=1e-12)
    assert theirs == pytest.approx(np.mean((x - t) ** 2), rel=1e-12)
