"""``HuberLoss``, ``SmoothL1Loss``, ``KLDivLoss``, ``CosineEmbeddingLoss`` and ``CosineSimilarity``:
modules holding the options of the functions of the same name (PyTorch's signatures)."""
from __future__ import annotations

from .. import functional as F
from ..functional.loss import _check_reduction
from ..functional.loss_labels import legacy_reduction
from ..module import Module
from .loss import _Loss

__all__ = ["HuberLoss", "SmoothL1Loss", "KLDivLoss", "CosineEmbeddingLoss", "CosineSimilarity"]


class HuberLoss(_Loss):
    """0.5 d^2 if |d| < delta else delta (|d| - 0.5 delta), d = input - target (see
    :func:`nn.functional.huber_loss`)."""

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        if float(delta) <= 0:
            raise ValueError(f"HuberLoss: delta must be > 0, got {delta}")
        self.delta = float(delta)

    def forward(self, input, target):
        """The loss of ``input`` against ``target`` (equal shapes), reduced as configured."""
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)

    def extra_repr(self):
        return f"reduction={self.reduction!r}, delta={self.delta}"


class SmoothL1Loss(_Loss):
    """0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta; beta = 0 is the L1 loss (see
    :func:`nn.functional.smooth_l1_loss`)."""

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        if float(beta) < 0:
            raise ValueError(f"SmoothL1Loss: beta must be >= 0, got {beta}")
        self.beta = float(beta)

    def forward(self, input, target):
        """The loss of ``input`` against ``target`` (equal shapes), reduced as configured."""
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)

    def extra_repr(self):
        return f"reduction={self.reduction!r}, beta={self.beta}"


class KLDivLoss(Module):
    """KL(target || exp(input)) elementwise, ``input`` = log-probabilities; reduction 'mean' (over
    elements, PyTorch's default), 'batchmean' (the mean KL per example), 'sum' or 'none' (see
    :func:`nn.functional.kl_div`)."""

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__()
        reduction = legacy_reduction(size_average, reduce, reduction, "KLDivLoss")
        if reduction != "batchmean":
            _check_reduction(reduction, "KLDivLoss")
        self.reduction, self.log_target = reduction, bool(log_target)

    def forward(self, input, target):
        """KL divergence of log-probabilities ``input`` from ``target``, reduced as configured."""
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)

    def extra_repr(self):
        return f"reduction={self.reduction!r}, log_target={self.log_target}"


class CosineEmbeddingLoss(_Loss):
    """1 - cos(x1, x2) for pairs labelled 1, max(0, cos(x1, x2) - margin) for pairs labelled -1
    (see :func:`nn.functional.cosine_embedding_loss`); called as ``loss(x1, x2, y)``."""

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = float(margin)

    def forward(self, input1, input2, target):
        """The loss of the pairs (input1, input2) labelled ``target`` (1 or -1), reduced as configured."""
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)

    def extra_repr(self):
        return f"margin={self.margin}, reduction={self.reduction!r}"


class CosineSimilarity(Module):
    """cos(x1, x2) along ``dim``, each norm clamped at ``eps`` (see :func:`nn.functional.cosine_similarity`)."""

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim, self.eps = int(dim), float(eps)

    def forward(self, x1, x2):
        """cos(x1, x2) along ``dim`` (shapes broadcast)."""
        return F.cosine_similarity(x1, x2, dim=self.dim, eps=self.eps)

    def extra_repr(self):
        return f"dim={self.dim}, eps={self.eps}"
