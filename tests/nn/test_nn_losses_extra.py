"""PyTorch's loss options and the regression / divergence / similarity losses: values against NumPy
transcriptions of PyTorch's documented formulas, float64 gradients against central differences,
and bad input.  (Parity with PyTorch itself: tests/torch_parity/test_parity_nn.py.)"""
import numpy as np
import pytest
from _numgrad import assert_grads_match

import minigrad as mg
import nn
import nn.functional as F

REDUCTIONS = ["mean", "sum", "none"]


def np_log_softmax(z, axis=1):
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


def np_ce(z, y, w=None, ignore_index=-100, eps=0.0, reduction="mean"):
    """PyTorch's documented cross-entropy with class indices, written out per example."""
    n, c = z.shape
    w = np.ones(c) if w is None else w
    logp = np_log_softmax(z)
    losses, denom = np.zeros(n), 0.0
    for i in range(n):
        if y[i] == ignore_index:
            continue
        nll = -w[y[i]] * logp[i, y[i]]
        smooth = -np.sum(w * logp[i]) / c
        losses[i] = (1 - eps) * nll + eps * smooth
        denom += w[y[i]]
    return {"none": losses, "sum": losses.sum(), "mean": losses.sum() / denom if denom else np.nan}[reduction]


def _t(a, device, **kw):
    return mg.Tensor(np.asarray(a), device=device, **kw)


# ----- cross-entropy / NLL: ignore_index, label smoothing, unbatched -----------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("eps", [0.0, 0.2])
def test_cross_entropy_ignore_index_and_smoothing(device, reduction, weighted, eps):
    rng = np.random.default_rng(0)
    z, y = rng.standard_normal((7, 4)) * 2, np.array([0, 3, -100, 1, 2, -100, 3])
    w = rng.uniform(0.5, 2.0, 4) if weighted else None
    out = F.cross_entropy(_t(z, device), _t(y, device), weight=None if w is None else _t(w, device),
                          reduction=reduction, label_smoothing=eps)
    np.testing.assert_allclose(out.numpy(), np_ce(z, y, w, eps=eps, reduction=reduction), rtol=1e-12, atol=1e-14)


def test_cross_entropy_ignore_index_gradient_and_zero_rows(device):
    rng = np.random.default_rng(1)
    z, y = rng.standard_normal((5, 3)), np.array([2, 0, 0, 1, 0])
    for eps in (0.0, 0.3):
        assert_grads_match(lambda z, y: F.cross_entropy(z, y, ignore_index=0, label_smoothing=eps), [z, y],
                           device=device)
    zt = _t(z, device, requires_grad=True)
    F.cross_entropy(zt, _t(y, device), ignore_index=0).backward()
    g = zt.grad.numpy()
    assert np.all(g[y == 0] == 0) and np.all(np.abs(g[y != 0]).sum(axis=1) > 0)


def test_cross_entropy_all_ignored_is_nan_like_pytorch(device):
    out = F.cross_entropy(_t(np.zeros((2, 3)), device), _t([-100, -100], device))
    assert np.isnan(out.item())
    assert F.cross_entropy(_t(np.zeros((2, 3)), device), _t([-100, -100], device), reduction="sum").item() == 0


def test_cross_entropy_unbatched(device):
    rng = np.random.default_rng(2)
    z = rng.standard_normal(5)
    for reduction in REDUCTIONS:
        out = F.cross_entropy(_t(z, device), _t(np.array(3), device), reduction=reduction)
        assert out.shape == ()
        np.testing.assert_allclose(out.item(), -np_log_softmax(z[None])[0, 3], rtol=1e-12)
    p = rng.dirichlet(np.ones(5))
    out = F.cross_entropy(_t(z, device), _t(p, device), label_smoothing=0.1)
    q = 0.9 * p + 0.1 / 5
    np.testing.assert_allclose(out.item(), -np.sum(q * np_log_softmax(z[None])[0]), rtol=1e-12)
    assert_grads_match(lambda z: F.cross_entropy(z, _t(np.array(1), device)), [z], device=device)


def test_cross_entropy_probability_targets_with_smoothing(device):
    rng = np.random.default_rng(3)
    z, p = rng.standard_normal((4, 3)), rng.dirichlet(np.ones(3), 4)
    out = F.cross_entropy(_t(z, device), _t(p, device), label_smoothing=0.25)
    q = 0.75 * p + 0.25 / 3
    np.testing.assert_allclose(out.item(), -np.sum(q * np_log_softmax(z)) / 4, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_ignore_index_spatial(device, reduction):
    """(N, C, d) log-probabilities with weights and an in-range ignore_index (a padding class)."""
    rng = np.random.default_rng(4)
    logp = np_log_softmax(rng.standard_normal((3, 4, 5)))
    y, w = rng.integers(0, 4, (3, 5)), rng.uniform(0.5, 2, 4)
    out = F.nll_loss(_t(logp, device), _t(y, device), weight=_t(w, device), ignore_index=2, reduction=reduction)
    keep = y != 2
    picked = -np.take_along_axis(logp, y[:, None], axis=1)[:, 0] * w[y] * keep
    ref = {"none": picked, "sum": picked.sum(), "mean": picked.sum() / (w[y] * keep).sum()}[reduction]
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12)
    assert_grads_match(lambda lp: F.nll_loss(lp, _t(y, device), ignore_index=2, reduction=reduction), [logp],
                       device=device)


def test_loss_modules_carry_the_options(device):
    rng = np.random.default_rng(5)
    z, y = rng.standard_normal((6, 3)), np.array([0, 1, 2, 1, -1, 0])
    ce = nn.CrossEntropyLoss(ignore_index=-1, label_smoothing=0.1)
    np.testing.assert_allclose(ce(_t(z, device), _t(y, device)).item(), np_ce(z, y, ignore_index=-1, eps=0.1),
                               rtol=1e-12)
    nll = nn.NLLLoss(ignore_index=-1, reduction="sum")
    np.testing.assert_allclose(nll(_t(np_log_softmax(z), device), _t(y, device)).item(),
                               np_ce(z, y, ignore_index=-1, reduction="sum"), rtol=1e-12)
    assert nn.CrossEntropyLoss(size_average=False).reduction == "sum"
    assert nn.MSELoss(reduce=False).reduction == "none"


def test_label_option_errors():
    z = mg.randn(4, 3)
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0.0, 1.0\]"):
        F.cross_entropy(z, mg.tensor([0, 1, 2, 0]), label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"class labels must be in \[0, 3\).*ignore_index=-100"):
        F.cross_entropy(z, mg.tensor([0, 5, -100, 0]))
    with pytest.raises(ValueError, match=r"target shape \(3,\)"):
        F.cross_entropy(z, mg.tensor([0, 1, 2]), label_smoothing=0.1)


# ----- BCE with pos_weight -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_pos_weight(device, reduction):
    rng = np.random.default_rng(6)
    z, y, pw = rng.standard_normal((5, 3)) * 3, rng.integers(0, 2, (5, 3)).astype(float), np.array([0.5, 1.0, 3.0])
    out = nn.BCEWithLogitsLoss(reduction=reduction, pos_weight=_t(pw, device))(_t(z, device), _t(y, device))
    s = 1 / (1 + np.exp(-z))
    ref = -(pw * y * np.log(s) + (1 - y) * np.log(1 - s))
    np.testing.assert_allclose(out.numpy(), {"none": ref, "sum": ref.sum(), "mean": ref.mean()}[reduction],
                               rtol=1e-10)
    assert_grads_match(lambda z: F.binary_cross_entropy_with_logits(z, _t(y, device), pos_weight=_t(pw, device),
                                                                    reduction=reduction), [z], device=device)


def test_bce_with_logits_pos_weight_is_stable():
    z = mg.tensor([1e4, -1e4, 1e4, -1e4], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(z, mg.tensor([1.0, 1.0, 0.0, 0.0]), pos_weight=mg.tensor(2.0),
                                              reduction="none")
    np.testing.assert_allclose(loss.numpy(), [0.0, 2e4, 1e4, 0.0], rtol=1e-6)
    loss.sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), [0.0, -2.0, 1.0, 0.0], atol=1e-6)


# ----- Huber, SmoothL1 --------------------------------------------------------------------------------------------
def np_huber(d, delta):
    a = np.abs(d)
    return np.where(a < delta, 0.5 * d ** 2, delta * (a - 0.5 * delta))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_huber_and_smooth_l1_values(device, reduction):
    rng = np.random.default_rng(7)
    x, t = rng.standard_normal((4, 5)) * 2, rng.standard_normal((4, 5))
    red = {"none": lambda v: v, "sum": np.sum, "mean": np.mean}[reduction]
    out = nn.HuberLoss(reduction=reduction, delta=0.7)(_t(x, device), _t(t, device))
    np.testing.assert_allclose(out.numpy(), red(np_huber(x - t, 0.7)), rtol=1e-12)
    out = nn.SmoothL1Loss(reduction=reduction, beta=0.7)(_t(x, device), _t(t, device))
    np.testing.assert_allclose(out.numpy(), red(np_huber(x - t, 0.7) / 0.7), rtol=1e-12)
    out = nn.SmoothL1Loss(reduction=reduction, beta=0.0)(_t(x, device), _t(t, device))
    np.testing.assert_allclose(out.numpy(), red(np.abs(x - t)), rtol=1e-12)


def test_huber_weight(device):
    rng = np.random.default_rng(13)
    x, t, w = rng.standard_normal((3, 4)) * 2, rng.standard_normal((3, 4)), rng.uniform(0, 2, (3, 4))
    out = F.huber_loss(_t(x, device), _t(t, device), delta=0.5, weight=_t(w, device))
    np.testing.assert_allclose(out.item(), np.mean(w * np_huber(x - t, 0.5)), rtol=1e-12)
    with pytest.raises(ValueError, match="weight of shape"):
        F.huber_loss(_t(x, device), _t(t, device), weight=_t(w[0], device))


def test_huber_and_smooth_l1_gradients(device):
    rng = np.random.default_rng(8)
    x, t = rng.standard_normal((3, 4)) * 2, rng.standard_normal((3, 4))
    assert_grads_match(lambda x, t: F.huber_loss(x, t, delta=0.5), [x, t], device=device)
    assert_grads_match(lambda x, t: F.smooth_l1_loss(x, t, beta=1.5), [x, t], device=device)


def test_huber_gradient_at_the_kinks(device):
    """d = 0: 0; |d| = delta: delta * sign(d) from either side (continuous); SmoothL1 beta=0 at d = 0: 0."""
    x = _t(np.array([0.0, 0.5, -0.5, 2.0]), device, requires_grad=True)
    F.huber_loss(x, _t(np.zeros(4), device), reduction="sum", delta=0.5).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.5, -0.5, 0.5])
    x = _t(np.array([0.0, 1.0]), device, requires_grad=True)
    F.smooth_l1_loss(x, _t(np.zeros(2), device), reduction="sum", beta=0.0).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0])


# ----- KL divergence ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_values(device, reduction, log_target):
    rng = np.random.default_rng(9)
    logq = np_log_softmax(rng.standard_normal((3, 4)))
    p = rng.dirichlet(np.ones(4), 3)
    p[0, 1] = 0.0  # 0 log 0 = 0
    pointwise = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - logq), 0.0)
    target = np.log(np.where(p > 0, p, 1e-300)) if log_target else p
    if log_target:
        pointwise = np.exp(target) * (target - logq)
    ref = {"none": pointwise, "sum": pointwise.sum(), "mean": pointwise.mean(), "batchmean": pointwise.sum() / 3}
    out = nn.KLDivLoss(reduction=reduction, log_target=log_target)(_t(logq, device), _t(target, device))
    np.testing.assert_allclose(out.numpy(), ref[reduction], rtol=1e-12, atol=1e-300)


def test_kl_div_gradients(device):
    rng = np.random.default_rng(10)
    logq, p = rng.standard_normal((3, 4)), rng.dirichlet(np.ones(4), 3)
    assert_grads_match(lambda q, p: F.kl_div(q, p, reduction="batchmean"), [logq, p], device=device)
    assert_grads_match(lambda q, t: F.kl_div(q, t, reduction="sum", log_target=True), [logq, np.log(p)],
                       device=device)


# ----- cosine similarity / embedding loss ---------------------------------------------------------------------------
def test_cosine_similarity(device):
    rng = np.random.default_rng(11)
    a, b = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    ref = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    np.testing.assert_allclose(F.cosine_similarity(_t(a, device), _t(b, device)).numpy(), ref, rtol=1e-12)
    out = nn.CosineSimilarity(dim=0)(_t(a, device), _t(b[:1], device))  # broadcasting (1, 5) against (4, 5)
    bb = np.broadcast_to(b[:1], a.shape)
    np.testing.assert_allclose(out.numpy(), (a * bb).sum(0) / (np.linalg.norm(a, axis=0) * np.linalg.norm(bb, axis=0)),
                               rtol=1e-12)
    zero = F.cosine_similarity(_t(np.zeros((1, 3)), device), _t(np.ones((1, 3)), device))
    assert zero.item() == 0.0
    assert_grads_match(lambda a, b: F.cosine_similarity(a, b), [a, b], device=device)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding_loss(device, reduction):
    rng = np.random.default_rng(12)
    a, b, y = rng.standard_normal((6, 3)), rng.standard_normal((6, 3)), np.array([1, -1, 1, -1, -1, 1])
    cos = (a * b).sum(1) / np.sqrt(((a * a).sum(1) + 1e-12) * ((b * b).sum(1) + 1e-12))
    per = np.where(y == 1, 1 - cos, np.maximum(0, cos - 0.1))
    out = nn.CosineEmbeddingLoss(margin=0.1, reduction=reduction)(_t(a, device), _t(b, device), _t(y, device))
    np.testing.assert_allclose(out.numpy(), {"none": per, "sum": per.sum(), "mean": per.mean()}[reduction], rtol=1e-12)
    assert_grads_match(lambda a, b: F.cosine_embedding_loss(a, b, _t(y, device), margin=-0.5), [a, b], device=device)
    one = F.cosine_embedding_loss(_t(a[0], device), _t(b[0], device), _t(np.array(1), device), reduction="none")
    assert one.shape == () and np.isclose(one.item(), 1 - cos[0], rtol=1e-12)


def test_extra_loss_bad_input():
    with pytest.raises(ValueError, match=r"huber_loss: input shape \(3,\) and target shape \(2,\) differ"):
        F.huber_loss(mg.ones(3), mg.ones(2))
    with pytest.raises(ValueError, match="delta must be > 0"):
        nn.HuberLoss(delta=0)
    with pytest.raises(ValueError, match="beta must be >= 0"):
        nn.SmoothL1Loss(beta=-1)
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.KLDivLoss(reduction="avg")
    with pytest.raises(ValueError, match="target values must be 1 or -1"):
        F.cosine_embedding_loss(mg.ones(2, 3), mg.ones(2, 3), mg.tensor([1, 0]))
    with pytest.raises(ValueError, match="do not broadcast"):
        F.cosine_similarity(mg.ones(2, 3), mg.ones(2, 4))
    with pytest.raises(TypeError, match="must be floating"):
        F.kl_div(mg.tensor([1, 2]), mg.tensor([0.5, 0.5]))
