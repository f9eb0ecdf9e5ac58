"""Losses: values vs NumPy references for every reduction, float64 gradients vs central
differences, stability at logits of +-1e4, and bad input."""
import numpy as np
import pytest
from _numgrad import assert_grads_match
from hypothesis import given, strategies as st

import minigrad as mg
import nn
import nn.functional as F

seeds = st.integers(0, 2**16)
REDUCTIONS = ["mean", "sum", "none"]


def np_log_softmax(z, axis=1):
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


def np_reduce(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](loss)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def np_cross_entropy_labels(z, y, w=None):
    logp = np_log_softmax(z)
    picked = np.take_along_axis(logp, y[:, None], axis=1)[:, 0]
    wy = np.ones(len(y)) if w is None else w[y]
    return -wy * picked, wy


def _data(seed, m, c):
    rng = np.random.default_rng(seed)
    return rng, rng.standard_normal((m, c)) * rng.choice([0.5, 3.0]), rng.integers(0, c, m)


# ----- cross-entropy and NLL ---------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_labels_value(device, reduction):
    _, z, y = _data(0, 6, 4)
    out = nn.CrossEntropyLoss(reduction=reduction)(mg.Tensor(z, device=device), mg.Tensor(y, device=device))
    per_example, _ = np_cross_entropy_labels(z, y)
    np.testing.assert_allclose(out.numpy(), np_reduce(per_example, reduction), rtol=1e-12)


def test_cross_entropy_is_the_course_softmax_cost(device):
    """J = -(1/m) sum y log softmax(z), with one-hot Y; dZ = (A - Y)/m."""
    _, z, y = _data(1, 5, 3)
    onehot = np.eye(3)[y]
    zt = mg.Tensor(z, device=device, requires_grad=True)
    loss = F.cross_entropy(zt, mg.Tensor(onehot, device=device))
    a = np.exp(np_log_softmax(z))
    np.testing.assert_allclose(loss.item(), -np.sum(onehot * np.log(a)) / 5, rtol=1e-12)
    loss.backward()
    np.testing.assert_allclose(zt.grad.numpy(), (a - onehot) / 5, rtol=1e-10, atol=1e-15)
    labels = F.cross_entropy(mg.Tensor(z, device=device), mg.Tensor(y, device=device))
    np.testing.assert_allclose(labels.item(), loss.item(), rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_class_weights(reduction):
    _, z, y = _data(2, 7, 3)
    w = np.array([0.2, 1.0, 3.0])
    out = F.cross_entropy(mg.tensor(z), mg.tensor(y), weight=mg.tensor(w), reduction=reduction)
    per, wy = np_cross_entropy_labels(z, y, w)
    expected = per.sum() / wy.sum() if reduction == "mean" else np_reduce(per, reduction)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    module = nn.CrossEntropyLoss(weight=mg.tensor(w), reduction=reduction)
    np.testing.assert_allclose(module(mg.tensor(z), mg.tensor(y)).numpy(), expected, rtol=1e-12)


def test_cross_entropy_soft_targets_and_spatial():
    rng, z, _ = _data(3, 4, 3)
    p = rng.dirichlet(np.ones(3), size=4)
    out = F.cross_entropy(mg.tensor(z), mg.tensor(p), reduction="none")
    np.testing.assert_allclose(out.numpy(), -(p * np_log_softmax(z)).sum(1), rtol=1e-12)
    z4 = rng.standard_normal((2, 3, 2, 2))  # (N, C, H, W) with labels (N, H, W)
    y4 = rng.integers(0, 3, (2, 2, 2))
    out = F.cross_entropy(mg.tensor(z4), mg.tensor(y4), reduction="none")
    expected = -np.take_along_axis(np_log_softmax(z4), y4[:, None], axis=1)[:, 0]
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_spatial_labels_with_class_weights(device, reduction):
    """(N, C, H, W) logits, (N, H, W) labels, class weights: PyTorch's 'mean' divides by the
    summed weight of the targets; gradients against central differences."""
    rng = np.random.default_rng(5)
    z, y, w = rng.standard_normal((2, 3, 2, 3)), rng.integers(0, 3, (2, 2, 3)), np.array([0.5, 2.0, 1.5])
    per = -w[y] * np.take_along_axis(np_log_softmax(z), y[:, None], axis=1)[:, 0]
    expected = per.sum() / w[y].sum() if reduction == "mean" else np_reduce(per, reduction)
    out = F.cross_entropy(mg.Tensor(z, device=device), mg.Tensor(y, device=device),
                          weight=mg.Tensor(w, device=device), reduction=reduction)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    assert_grads_match(lambda z, y: F.cross_entropy(z, y, weight=mg.Tensor(w, device=device), reduction=reduction),
                       [z, y], device=device)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_soft_targets_get_gradients_too(device, reduction):
    """A probability target that requires grad gets dJ/dY = -log softmax(z) (scaled)."""
    rng = np.random.default_rng(6)
    z, p = rng.standard_normal((3, 4, 2)), rng.dirichlet(np.ones(4), size=(3, 2)).transpose(0, 2, 1)
    per = -(p * np_log_softmax(z)).sum(1)
    out = F.cross_entropy(mg.Tensor(z, device=device), mg.Tensor(p, device=device), reduction=reduction)
    np.testing.assert_allclose(out.numpy(), np_reduce(per, reduction), rtol=1e-12)
    assert_grads_match(lambda z, p: F.cross_entropy(z, p, reduction=reduction), [z, p], device=device)


@given(m=st.integers(1, 4), c=st.integers(2, 4), reduction=st.sampled_from(REDUCTIONS), seed=seeds)
def test_cross_entropy_gradients(device, m, c, reduction, seed):
    rng, z, y = _data(seed, m, c)
    assert_grads_match(lambda z, y: F.cross_entropy(z, y, reduction=reduction), [z, y], device=device)
    p = rng.dirichlet(np.ones(c), size=m)
    assert_grads_match(lambda z, p: nn.CrossEntropyLoss(reduction=reduction)(z, p), [z, p], wrt=[0], device=device)


@given(m=st.integers(1, 4), c=st.integers(2, 4), seed=seeds)
def test_nll_loss_value_and_gradients(device, m, c, seed):
    _, z, y = _data(seed, m, c)
    logp = np_log_softmax(z)
    out = nn.NLLLoss()(mg.Tensor(logp, device=device), mg.Tensor(y, device=device))
    np.testing.assert_allclose(out.item(), -logp[np.arange(m), y].mean(), rtol=1e-12)
    w = np.linspace(0.5, 2.0, c)
    assert_grads_match(lambda lp, y: F.nll_loss(lp, y, weight=mg.Tensor(w, device=device)), [logp, y], device=device)
    # LogSoftmax + NLLLoss is CrossEntropyLoss
    pair = nn.NLLLoss()(nn.LogSoftmax(dim=1)(mg.Tensor(z)), mg.Tensor(y))
    np.testing.assert_allclose(pair.item(), nn.CrossEntropyLoss()(mg.Tensor(z), mg.Tensor(y)).item(), rtol=1e-12)


# ----- binary cross-entropy ------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_value(device, reduction):
    rng = np.random.default_rng(4)
    z, y = rng.standard_normal((5, 2)) * 3, rng.random((5, 2))
    a = _sigmoid(z)
    expected = -(y * np.log(a) + (1 - y) * np.log(1 - a))  # the course's cost, per example
    out = nn.BCEWithLogitsLoss(reduction=reduction)(mg.Tensor(z, device=device), mg.Tensor(y, device=device))
    np.testing.assert_allclose(out.numpy(), np_reduce(expected, reduction), rtol=1e-10)
    w = rng.random(2)
    out = F.binary_cross_entropy_with_logits(mg.Tensor(z), mg.Tensor(y), weight=mg.Tensor(w), reduction=reduction)
    np.testing.assert_allclose(out.numpy(), np_reduce(expected * w, reduction), rtol=1e-10)


@given(m=st.integers(1, 4), n=st.integers(1, 3), reduction=st.sampled_from(REDUCTIONS), seed=seeds)
def test_bce_gradients(device, m, n, reduction, seed):
    rng = np.random.default_rng(seed)
    z, y = rng.standard_normal((m, n)) * 2, rng.random((m, n))
    assert_grads_match(lambda z, y: nn.BCEWithLogitsLoss(reduction=reduction)(z, y), [z, y], wrt=[0], device=device)
    p = _sigmoid(z)
    assert_grads_match(lambda p, y: nn.BCELoss(reduction=reduction)(p, y), [p, y], wrt=[0], device=device)


def test_bce_with_logits_gradient_is_sigmoid_minus_y_including_zero(device):
    z = np.array([[-3.0, 0.0, 0.0, 2.0]])
    y = np.array([[1.0, 0.0, 1.0, 0.5]])
    zt = mg.Tensor(z, device=device, requires_grad=True)
    F.binary_cross_entropy_with_logits(zt, mg.Tensor(y, device=device), reduction="sum").backward()
    np.testing.assert_allclose(zt.grad.numpy(), _sigmoid(z) - y, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_probabilities_value_and_clamp(device, reduction):
    p = np.array([0.0, 1e-50, 0.3, 1.0, 1.0])
    y = np.array([1.0, 1.0, 0.0, 0.0, 1.0])
    pt = mg.Tensor(p, device=device, requires_grad=True)
    out = nn.BCELoss(reduction=reduction)(pt, mg.Tensor(y, device=device))
    with np.errstate(divide="ignore"):
        expected = -(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log(1 - p), -100))
    np.testing.assert_allclose(out.numpy(), np_reduce(expected, reduction), rtol=1e-12)
    out.sum().backward()
    assert np.all(np.isfinite(pt.grad.numpy()))


# ----- regression losses ---------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(seed=seeds)
def test_mse_and_l1(device, reduction, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    out = nn.MSELoss(reduction=reduction)(mg.Tensor(x, device=device), mg.Tensor(y, device=device))
    np.testing.assert_allclose(out.numpy(), np_reduce((x - y) ** 2, reduction), rtol=1e-12)
    out = nn.L1Loss(reduction=reduction)(mg.Tensor(x, device=device), mg.Tensor(y, device=device))
    np.testing.assert_allclose(out.numpy(), np_reduce(np.abs(x - y), reduction), rtol=1e-12)
    assert_grads_match(nn.MSELoss(reduction=reduction), [x, y], device=device)
    assert_grads_match(nn.L1Loss(reduction=reduction), [x, y], device=device)


# ----- stability -----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [mg.float32, mg.float64])
def test_extreme_logits_give_finite_losses_and_gradients(device, dtype):
    z = mg.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]], dtype=dtype, device=device, requires_grad=True)
    labels = mg.tensor([1, 1], device=device)
    soft = mg.tensor([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]], dtype=dtype, device=device)
    binary = mg.tensor([[1.0, 0.0, 1.0], [1.0, 1.0, 0.0]], dtype=dtype, device=device)
    cases = {
        "ce-labels": (F.cross_entropy(z, labels), (2e4 + 0.0) / 2),
        "ce-soft": (F.cross_entropy(z, soft), None),
        "nll": (F.nll_loss(F.log_softmax(z, dim=1), labels), 1e4),
        "bce-logits": (F.binary_cross_entropy_with_logits(z, binary), None),
        "bce-probs": (F.binary_cross_entropy(F.sigmoid(z), binary), None),
    }
    for name, (loss, expected) in cases.items():
        z.grad = None
        loss.backward()
        assert np.isfinite(loss.item()), name
        assert np.all(np.isfinite(z.grad.numpy())), name
        if expected is not None:
            assert loss.item() == pytest.approx(expected, rel=1e-6), name
    big = F.binary_cross_entropy_with_logits(z, binary, reduction="none").numpy()
    np.testing.assert_allclose(big[0], [0.0, 0.0, np.log(2)], atol=1e-6)
    np.testing.assert_allclose(big[1, :2], [1e4, 0.0], rtol=1e-6)


# ----- bad input ------------------------------------------------------------------------------------
def test_bad_inputs():
    z = mg.randn(4, 3)
    with pytest.raises(ValueError, match=r"class labels must be in \[0, 3\), got values from 0 to 3"):
        F.cross_entropy(z, mg.tensor([0, 1, 2, 3]))
    with pytest.raises(ValueError, match=r"from -1 to"):
        F.cross_entropy(z, mg.tensor([0, 1, 2, -1]))
    with pytest.raises(ValueError, match=r"target shape \(3,\) does not match input shape \(4, 3\)"):
        F.cross_entropy(z, mg.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="probability targets must have the input's shape"):
        F.cross_entropy(z, mg.ones(4, 2))
    with pytest.raises(ValueError, match=r"unbatched input of shape \(4,\) .* needs a 0-d integer target"):
        F.cross_entropy(mg.randn(4), mg.tensor([0]))  # (C,) is one example: its label is 0-d
    with pytest.raises(ValueError, match="classes on axis 1"):
        F.cross_entropy(mg.randn(()), mg.tensor(0))
    with pytest.raises(TypeError, match="integer class labels"):
        F.nll_loss(z, mg.ones(4))
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match=r"input shape \(4, 1\) and target shape \(4,\) differ"):
        F.mse_loss(mg.ones(4, 1), mg.ones(4))
    with pytest.raises(ValueError, match=r"differ"):
        F.binary_cross_entropy_with_logits(mg.ones(4, 1), mg.ones(4))
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\], got values from -0.5"):
        F.binary_cross_entropy(mg.tensor([-0.5, 0.5]), mg.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
        F.cross_entropy(z, mg.tensor([0, 1, 2, 0]), weight=mg.ones(2))
    with pytest.raises(TypeError, match="must be floating"):
        F.cross_entropy(mg.tensor([[1, 2]]), mg.tensor([0]))
    with pytest.raises(mg.DeviceError, match="target on strict"):
        F.mse_loss(mg.ones(2), mg.ones(2, device="strict"))
