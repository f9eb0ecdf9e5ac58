"""More nn lines no test reached: loss-layer reprs, LayerNorm / GroupNorm construction and reset, batch_norm and
cosine / label-loss argument errors, each checked against a hand-worked outcome."""
import numpy as np
import pytest

import minigrad as mg
import nn
import nn.functional as F


def test_extra_loss_layer_reprs():
    assert repr(nn.HuberLoss(delta=2.0)) == "HuberLoss(reduction='mean', delta=2.0)"
    assert repr(nn.SmoothL1Loss(reduction="sum", beta=0.5)) == "SmoothL1Loss(reduction='sum', beta=0.5)"
    assert repr(nn.KLDivLoss(log_target=True)) == "KLDivLoss(reduction='mean', log_target=True)"
    assert repr(nn.CosineEmbeddingLoss(margin=0.25)) == "CosineEmbeddingLoss(margin=0.25, reduction='mean')"
    assert repr(nn.CosineSimilarity(dim=0, eps=1e-6)) == "CosineSimilarity(dim=0, eps=1e-06)"
    assert repr(nn.GroupNorm(2, 4)) == "GroupNorm(2, 4, eps=1e-05, affine=True)"


def test_layer_norm_construction_and_reset():
    for bad in ((), (2, 0), 0, (2.0,)):
        with pytest.raises(ValueError, match="^LayerNorm: normalized_shape must be positive ints"):
            nn.LayerNorm(bad)
    ln = nn.LayerNorm((2, 3), bias=False)
    assert ln.weight.shape == (2, 3) and ln.bias is None and [n for n, _ in ln.named_parameters()] == ["weight"]
    with mg.no_grad():
        ln.weight.fill_(4.0)
    ln.reset_parameters()
    assert np.all(ln.weight.numpy() == 1.0)
    full = nn.LayerNorm(3)
    with mg.no_grad():
        full.bias.fill_(2.0)
    full.reset_parameters()
    assert np.all(full.bias.numpy() == 0.0)
    bare = nn.LayerNorm(3, elementwise_affine=False)
    bare.reset_parameters()
    assert bare.weight is None and bare.bias is None and list(bare.parameters()) == []
    x = np.array([[1.0, 2.0, 6.0]])
    np.testing.assert_allclose(bare(mg.tensor(x)).numpy(), (x - 3.0) / np.sqrt(14.0 / 3.0 + 1e-5), rtol=1e-12)


def test_functional_argument_errors():
    with pytest.raises(ValueError, match=r"^batch_norm: expected input of shape \(N, C\) or \(N, C, \.\.\.\), "
                                         r"got \(3,\)$"):
        F.batch_norm(mg.ones(3), None, None, training=True)
    with pytest.raises(mg.DeviceError, match="^cosine_similarity: x1 is on cpu but x2 on strict"):
        F.cosine_similarity(mg.ones(2), mg.ones(2, device="strict"))
    with pytest.raises(ValueError, match="^cosine_similarity: needs at least 1-D inputs, got 0-d$"):
        F.cosine_similarity(mg.tensor(1.0), mg.tensor(2.0))
    with pytest.raises(ValueError, match=r"^cosine_embedding_loss: expected input1 and input2 of one shape"):
        F.cosine_embedding_loss(mg.ones(2, 3), mg.ones(2, 3), mg.ones(3))
    with pytest.raises(ValueError, match=r"^huber_loss: delta must be > 0, got 0\.0$"):
        F.huber_loss(mg.ones(2), mg.ones(2), delta=0)
    with pytest.raises(ValueError, match=r"^cross_entropy: unbatched input of shape \(3,\) needs a target of shape "
                                         r"\(3,\) \(probabilities\) or \(\) \(one class label\), got \(2,\)$"):
        F.cross_entropy(mg.ones(3), mg.ones(2))
    with pytest.raises(TypeError, match="^cross_entropy: target must hold integer class labels, got bool$"):
        F.cross_entropy(mg.ones(2, 3), mg.tensor([True, False]), label_smoothing=0.1)
    assert F.identity(x := mg.ones(2)) is x


def test_functional_batch_norm_defaults_partial_buffers_and_shape_errors():
    x = np.array([[1.0, -2.0], [3.0, 0.0], [2.0, 5.0]])
    rm, rv = np.array([0.5, -1.0]), np.array([2.0, 0.25])
    out = F.batch_norm(mg.tensor(x), mg.tensor(rm), mg.tensor(rv))  # default: evaluation, eps 1e-5
    np.testing.assert_allclose(out.numpy(), (x - rm) / np.sqrt(rv + 1e-5), rtol=1e-12)
    m, v = mg.tensor(rm), mg.tensor(rv)
    F.batch_norm(mg.tensor(x), m, v, training=True)  # default momentum 0.1, unbiased variance
    np.testing.assert_allclose(m.numpy(), 0.9 * rm + 0.1 * x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(v.numpy(), 0.9 * rv + 0.1 * x.var(0, ddof=1), rtol=1e-12)
    batch = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)
    only_var = mg.tensor(rv)
    for args in ((mg.tensor(rm), None), (None, only_var)):  # one buffer missing: batch statistics, no update
        for training in (False, True):
            np.testing.assert_allclose(F.batch_norm(mg.tensor(x), *args, training=training).numpy(), batch,
                                       rtol=1e-12)
    assert only_var.numpy().tolist() == rv.tolist()
    for i, name in enumerate(("running_mean", "running_var", "weight", "bias")):
        args = [None] * 4
        args[i] = mg.ones(3)
        with pytest.raises(ValueError, match=rf"^batch_norm: {name} has shape \(3,\), expected \(2,\) for input of "
                                             r"shape \(3, 2\)$"):
            F.batch_norm(mg.tensor(x), *args)
