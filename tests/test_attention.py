"""Scaled dot-product attention and the self-attention layer (the chapter "Attention").

``bplib.attention``: the functional forward and backward passes, the causal and boolean
masks (masked weights exactly 0, masked pairs exactly 0 gradient, a query with no key a
ValueError), ``SelfAttention`` (whose ``dx`` sums the Q, K and V paths) and
``TakePosition``, checked against central differences, by hypothesis properties and, at
the end, against PyTorch's ``scaled_dot_product_attention`` (skipped without ``torch``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bplib import attention as att
from bplib.gradcheck import numerical_gradient, relative_error
from bplib.layers import Affine, SoftmaxWithLoss
from bplib.models import Sequential, fit

SIZES = st.integers(1, 4)


def qkv(rng, n_q=3, n_k=4, d=2, d_v=3, batch=()):
    return (rng.normal(size=(*batch, n_q, d)), rng.normal(size=(*batch, n_k, d)),
            rng.normal(size=(*batch, n_k, d_v)))


def reference(Q, K, V, allowed=None):
    """Attention written out with -inf on the masked scores (NumPy's exp(-inf) = 0)."""
    S = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if allowed is not None:
        S = np.where(allowed, S, -np.inf)
    e = np.exp(S - S.max(axis=-1, keepdims=True))
    A = e / e.sum(axis=-1, keepdims=True)
    return A @ V, A


def gradients_by_differences(Q, K, V, dO, **kw):
    def loss_of(which):
        def f(arr):
            args = [Q, K, V]
            args[which] = arr
            return float(np.sum(att.scaled_dot_product_attention(*args, **kw) * dO))
        return f
    return [numerical_gradient(loss_of(i), arr.copy()) for i, arr in enumerate((Q, K, V))]


# ----------------------------------------------------------------- forward


def test_forward_is_softmax_of_scaled_scores_times_values():
    rng = np.random.default_rng(0)
    Q, K, V = qkv(rng, batch=(2,))
    O, A = att.scaled_dot_product_attention(Q, K, V, return_weights=True)
    O_ref, A_ref = reference(Q, K, V)
    np.testing.assert_allclose(O, O_ref, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(A, A_ref, rtol=1e-13, atol=1e-15)
    assert O.shape == (2, 3, 3) and A.shape == (2, 3, 4)
    np.testing.assert_array_equal(att.scaled_dot_product_attention(Q, K, V), O)


def test_causal_weights_equal_those_of_minus_infinity_bit_for_bit():
    rng = np.random.default_rng(1)
    Q, K, V = qkv(rng, n_q=5, n_k=5, d=4)
    Q *= 30.0  # large scores: the fill must stay below every allowed score
    O, A = att.scaled_dot_product_attention(Q, K, V, causal=True, return_weights=True)
    _, A_ref = reference(Q, K, V, att.causal_mask(5))
    assert np.all(A[np.triu_indices(5, 1)] == 0.0)
    np.testing.assert_allclose(A, A_ref, rtol=1e-13, atol=0)
    np.testing.assert_allclose(A.sum(axis=-1), 1.0, rtol=1e-15)


def test_causal_mask_is_the_lower_triangle_top_left_aligned():
    np.testing.assert_array_equal(att.causal_mask(3), [[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    np.testing.assert_array_equal(att.causal_mask(2, 3), [[1, 0, 0], [1, 1, 0]])
    with pytest.raises(ValueError, match="positive integer"):
        att.causal_mask(0)


def test_a_boolean_mask_combines_with_causal():
    rng = np.random.default_rng(2)
    Q, K, V = qkv(rng, n_q=3, n_k=3)
    mask = np.array([[True, True, True], [False, True, True], [True, False, True]])
    _, A = att.scaled_dot_product_attention(Q, K, V, causal=True, mask=mask, return_weights=True)
    _, A_ref = reference(Q, K, V, mask & att.causal_mask(3))
    np.testing.assert_allclose(A, A_ref, rtol=1e-13)
    assert A[1, 0] == 0.0 and A[2, 1] == 0.0 and A[0, 1] == 0.0


def test_a_query_with_no_key_is_a_clear_error():
    rng = np.random.default_rng(3)
    Q, K, V = qkv(rng)
    mask = np.ones((3, 4), dtype=bool)
    mask[1] = False
    with pytest.raises(ValueError, match=r"query 1 \(counted from 0\) no key.*NaN"):
        att.scaled_dot_product_attention(Q, K, V, mask=mask)
    with pytest.raises(ValueError, match=r"query 1 of sequence \(1,\)"):
        att.scaled_dot_product_attention(*qkv(rng, batch=(2,)), mask=np.stack([np.ones((3, 4), bool), mask]))


def test_bad_input_raises_clear_errors():
    rng = np.random.default_rng(4)
    Q, K, V = qkv(rng)
    with pytest.raises(ValueError, match="same width d"):
        att.scaled_dot_product_attention(Q, K[:, :1], V)
    with pytest.raises(ValueError, match="one row per key"):
        att.scaled_dot_product_attention(Q, K, V[:2])
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        att.scaled_dot_product_attention(Q[0], K, V)
    with pytest.raises(ValueError, match="leading"):
        att.scaled_dot_product_attention(Q[None], K, V)
    with pytest.raises(TypeError, match="boolean"):
        att.scaled_dot_product_attention(Q, K, V, mask=np.ones((3, 4)))
    with pytest.raises(ValueError, match="does not broadcast"):
        att.scaled_dot_product_attention(Q, K, V, mask=np.ones((2, 2), dtype=bool))
    with pytest.raises(TypeError, match="causal"):
        att.scaled_dot_product_attention(Q, K, V, causal="yes")
    with pytest.raises(ValueError, match="finite"):
        att.scaled_dot_product_attention(Q * np.nan, K, V)


# ----------------------------------------------------------------- backward


@pytest.mark.parametrize("causal", [False, True])
def test_backward_against_central_differences(causal):
    rng = np.random.default_rng(5)
    Q, K, V = qkv(rng, n_q=4, n_k=4, d=3, d_v=2, batch=(2,))
    O, A = att.scaled_dot_product_attention(Q, K, V, causal=causal, return_weights=True)
    dO = rng.normal(size=O.shape)
    grads = att.scaled_dot_product_attention_backward(dO, Q, K, V, A)
    for name, g, n in zip("QKV", grads, gradients_by_differences(Q, K, V, dO, causal=causal)):
        assert relative_error(g, n) < 1e-8, name


def test_masked_pairs_get_exactly_zero_gradient():
    rng = np.random.default_rng(6)
    Q, K, V = qkv(rng, n_q=4, n_k=4)
    _, A = att.scaled_dot_product_attention(Q, K, V, causal=True, return_weights=True)
    dO = rng.normal(size=(4, 3))
    _, dK, _ = att.scaled_dot_product_attention_backward(dO, Q, K, V, A)
    # key 3 is seen only by query 3; key 0 by all: only query 3's row reaches dK[3]
    dS = A * ((dO @ V.T) - np.sum((dO @ V.T) * A, axis=-1, keepdims=True))
    assert np.all(dS[np.triu_indices(4, 1)] == 0.0)
    np.testing.assert_allclose(dK[3], dS[3, 3] * Q[3] / np.sqrt(2), rtol=1e-13)


def test_backward_checks_its_input_and_leaves_dout_alone():
    rng = np.random.default_rng(7)
    Q, K, V = qkv(rng)
    O, A = att.scaled_dot_product_attention(Q, K, V, return_weights=True)
    dO = rng.normal(size=O.shape)
    before = dO.copy()
    att.scaled_dot_product_attention_backward(dO, Q, K, V, A)
    np.testing.assert_array_equal(dO, before)
    with pytest.raises(ValueError, match="dout must have the shape"):
        att.scaled_dot_product_attention_backward(dO[:, :2], Q, K, V, A)
    with pytest.raises(ValueError, match="A must have the shape"):
        att.scaled_dot_product_attention_backward(dO, Q, K, V, A.T)


# ----------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None)
@given(batch=st.integers(1, 2), n=SIZES, d=SIZES, d_v=SIZES, causal=st.booleans(),
       seed=st.integers(0, 2**31 - 1))
def test_properties_of_the_weights(batch, n, d, d_v, causal, seed):
    rng = np.random.default_rng(seed)
    Q, K, V = qkv(rng, n_q=n, n_k=n, d=d, d_v=d_v, batch=(batch,))
    _, A = att.scaled_dot_product_attention(Q, K, V, causal=causal, return_weights=True)
    np.testing.assert_allclose(A.sum(axis=-1), 1.0, rtol=1e-13)
    assert np.all(A >= 0)
    if causal:
        assert np.all(A[..., np.triu_indices(n, 1)[0], np.triu_indices(n, 1)[1]] == 0.0)


@settings(max_examples=25, deadline=None)
@given(n_q=SIZES, n_k=SIZES, d=SIZES, d_v=SIZES, causal=st.booleans(),
       seed=st.integers(0, 2**31 - 1))
def test_gradients_against_central_differences_on_random_shapes(n_q, n_k, d, d_v, causal, seed):
    rng = np.random.default_rng(seed)
    Q, K, V = qkv(rng, n_q=n_q, n_k=n_k, d=d, d_v=d_v)
    O, A = att.scaled_dot_product_attention(Q, K, V, causal=causal, return_weights=True)
    dO = rng.normal(size=O.shape)
    grads = att.scaled_dot_product_attention_backward(dO, Q, K, V, A)
    for g, n in zip(grads, gradients_by_differences(Q, K, V, dO, causal=causal)):
        np.testing.assert_allclose(g, n, rtol=1e-5, atol=1e-7)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 5), d=SIZES, seed=st.integers(0, 2**31 - 1))
def test_self_attention_without_mask_is_permutation_equivariant(n, d, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, n, 3))
    layer = att.SelfAttention(*(rng.normal(size=(3, d)) for _ in range(3)))
    perm = rng.permutation(n)
    out = layer.forward(x)
    np.testing.assert_allclose(layer.forward(x[:, perm]), out[:, perm], rtol=1e-12, atol=1e-14)
    dout = rng.normal(size=out.shape)
    layer.forward(x)
    dx = layer.backward(dout)
    layer.forward(x[:, perm])
    np.testing.assert_allclose(layer.backward(dout[:, perm]), dx[:, perm], rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------- the layers


def self_attention(rng, d_model=3, d=2, d_v=4, causal=False):
    return att.SelfAttention(rng.normal(size=(d_model, d)), rng.normal(size=(d_model, d)),
                             rng.normal(size=(d_model, d_v)), causal=causal)


@pytest.mark.parametrize("causal", [False, True])
def test_self_attention_gradients_against_central_differences(causal):
    rng = np.random.default_rng(8)
    layer = self_attention(rng, causal=causal)
    x = rng.normal(size=(2, 4, 3))
    dout = rng.normal(size=(2, 4, 4))
    layer.forward(x)
    dx = layer.backward(dout)

    def loss(_=None):
        return float(np.sum(layer.forward(x) * dout))

    assert relative_error(dx, numerical_gradient(lambda v: float(np.sum(layer.forward(v) * dout)),
                                                 x.copy())) < 1e-8
    for name in layer.param_names:
        analytic = getattr(layer, "d" + name)
        numeric = numerical_gradient(lambda _: loss(), getattr(layer, name))
        assert relative_error(analytic, numeric) < 1e-8, name


def test_self_attention_dx_is_the_sum_of_the_three_paths():
    rng = np.random.default_rng(9)
    layer = self_attention(rng)
    x = rng.normal(size=(2, 3, 3))
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    dx = layer.backward(dout)
    Q, K, V = x @ layer.Wq, x @ layer.Wk, x @ layer.Wv
    dQ, dK, dV = att.scaled_dot_product_attention_backward(dout, Q, K, V, layer.A)
    paths = [dQ @ layer.Wq.T, dK @ layer.Wk.T, dV @ layer.Wv.T]
    np.testing.assert_allclose(dx, sum(paths), rtol=1e-13)
    for one in paths:  # no single path is the whole gradient
        assert relative_error(one, dx) > 1e-2


def test_self_attention_checks_its_input():
    rng = np.random.default_rng(10)
    with pytest.raises(ValueError, match="one row per input feature"):
        att.SelfAttention(np.ones((3, 2)), np.ones((4, 2)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="same width d"):
        att.SelfAttention(np.ones((3, 2)), np.ones((3, 3)), np.ones((3, 2)))
    with pytest.raises(TypeError, match="causal"):
        att.SelfAttention(np.ones((3, 2)), np.ones((3, 2)), np.ones((3, 2)), causal=1)
    layer = self_attention(rng)
    with pytest.raises(RuntimeError, match="before"):
        layer.backward(np.ones((1, 2, 4)))
    with pytest.raises(ValueError, match=r"\(batch, n, d_model\) with d_model = 3"):
        layer.forward(np.ones((2, 3)))
    out = layer.forward(np.ones((1, 2, 3)))
    with pytest.raises(ValueError, match="dout must have the shape"):
        layer.backward(np.ones((1, 2, 3)))
    dout = np.ones_like(out)
    layer.backward(dout)
    assert np.all(dout == 1.0)
    assert repr(layer) == "SelfAttention(d_model=3, d=2, d_v=4, causal=False)"


def test_take_position():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(2, 3, 4))
    layer = att.TakePosition(-1)
    np.testing.assert_array_equal(layer.forward(x), x[:, 2])
    dx = layer.backward(np.ones((2, 4)))
    assert dx.shape == x.shape and np.all(dx[:, 2] == 1) and np.all(dx[:, :2] == 0)
    with pytest.raises(ValueError, match="out of range"):
        att.TakePosition(3).forward(x)
    with pytest.raises(TypeError, match="integer"):
        att.TakePosition(1.0)


def test_key_value_retrieval_is_consistent():
    x, t = att.key_value_retrieval(50, pairs=3, keys=5, values=4, seed=3)
    assert x.shape == (50, 4, 10) and t.shape == (50,)
    for s in range(50):
        asked = np.argmax(x[s, 3, :5])
        (row,) = np.flatnonzero(x[s, :3, asked])
        assert np.argmax(x[s, row, 5:9]) == t[s]
        assert x[s, 3, -1] == 1 and x[s, :3, -1].sum() == 0 and x[s, 3, 5:9].sum() == 0
    with pytest.raises(ValueError, match="distinct keys"):
        att.key_value_retrieval(5, pairs=4, keys=3)


def test_a_model_with_self_attention_learns_the_retrieval_task():
    rng = np.random.default_rng(0)
    x, t = att.key_value_retrieval(600, seed=1)
    d_model = x.shape[2]
    model = Sequential([
        att.SelfAttention(*(rng.normal(0, 0.5, (d_model, 16)) for _ in range(3)), causal=True),
        att.TakePosition(-1), Affine(rng.normal(0, 0.1, (16, 8)), np.zeros(8))], SoftmaxWithLoss())
    assert list(model.params) == ["Wq1", "Wk1", "Wv1", "W2", "b2"]
    history = fit(model, x, t, epochs=12, learning_rate=0.5, batch_size=50, seed=0)
    assert history.train_accuracy[-1] > 0.9


# ----------------------------------------------------------------- PyTorch


@pytest.mark.parametrize("causal", [False, True])
def test_attention_against_torch_scaled_dot_product_attention(causal):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (it is optional)")
    F = torch.nn.functional
    rng = np.random.default_rng(12)
    Q, K, V = qkv(rng, n_q=5, n_k=5, d=4, d_v=3, batch=(2,))
    O, A = att.scaled_dot_product_attention(Q, K, V, causal=causal, return_weights=True)
    dO = rng.normal(size=O.shape)
    tq, tk, tv = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (Q, K, V))
    out = F.scaled_dot_product_attention(tq, tk, tv, is_causal=causal)
    out.backward(torch.tensor(dO))
    np.testing.assert_allclose(O, out.detach().numpy(), rtol=1e-12, atol=1e-14)
    for mine, theirs in zip(att.scaled_dot_product_attention_backward(dO, Q, K, V, A), (tq, tk, tv)):
        np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=1e-11, atol=1e-13)


def test_boolean_mask_against_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (it is optional)")
    F = torch.nn.functional
    rng = np.random.default_rng(13)
    Q, K, V = qkv(rng, n_q=3, n_k=4)
    mask = np.array([[1, 0, 1, 1], [0, 1, 0, 0], [1, 1, 1, 0]], dtype=bool)
    O = att.scaled_dot_product_attention(Q, K, V, mask=mask)
    theirs = F.scaled_dot_product_attention(*(torch.tensor(a) for a in (Q, K, V)),
                                            attn_mask=torch.tensor(mask))
    np.testing.assert_allclose(O, theirs.numpy(), rtol=1e-12, atol=1e-14)


def test_self_attention_layer_against_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (it is optional)")
    F = torch.nn.functional
    rng = np.random.default_rng(14)
    layer = self_attention(rng, d_model=3, d=2, d_v=4, causal=True)
    x = rng.normal(size=(2, 5, 3))
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    dx = layer.backward(dout)
    tx = torch.tensor(x, requires_grad=True)
    tw = [torch.tensor(w, requires_grad=True) for w in (layer.Wq, layer.Wk, layer.Wv)]
    tout = F.scaled_dot_product_attention(tx @ tw[0], tx @ tw[1], tx @ tw[2], is_causal=True)
    tout.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-11, atol=1e-13)
    for name, w in zip(layer.param_names, tw):
        np.testing.assert_allclose(getattr(layer, "d" + name), w.grad.numpy(), rtol=1e-11, atol=1e-13)


def test_a_fully_masked_row_in_torch_is_what_the_chapter_says():
    """The chapter: a softmax of a row of -inf is NaN (torch.softmax too), while PyTorch's
    scaled_dot_product_attention returns zeros for a query with no key; bplib raises."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (it is optional)")
    F = torch.nn.functional
    rng = np.random.default_rng(15)
    Q, K, V = (torch.tensor(a) for a in qkv(rng))
    mask = torch.ones(3, 4, dtype=torch.bool)
    mask[1] = False
    assert torch.isnan(torch.softmax(torch.full((4,), -torch.inf, dtype=torch.float64), 0)).all()
    out = F.scaled_dot_product_attention(Q, K, V, attn_mask=mask)
    assert torch.all(out[1] == 0) and torch.isfinite(out).all()
