"""Loss modules: each stores its options and calls the function of the same name in ``nn.functional``.

All take ``reduction`` in {'mean' (default), 'sum', 'none'} and are stable for extreme
logits (+-1e4 give finite losses and gradients).
"""
from __future__ import annotations

from .. import functional as F
from ..functional.loss import _check_reduction
from ..module import Module

__all__ = ["CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss", "BCELoss", "MSELoss", "L1Loss"]


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        _check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def extra_repr(self):
        return f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        if weight is not None:
            self.register_buffer("weight", weight)
        else:
            self.weight = None


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy on logits (N, C): the course's softmax cost
    J = -(1/m) sum_i sum_k y_ik log softmax(z_i)_k, with dZ = (A - Y)/m.

    ``loss(logits, target)``: ``target`` is int64 labels (N,) or one-hot / probability rows
    (N, C).  Optional per-class ``weight`` (C,).  See :func:`nn.functional.cross_entropy`.
    """

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of int64 labels given log-probabilities (use after ``LogSoftmax(dim=1)``)."""

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Sigmoid + binary cross-entropy in one stable step: softplus(z) - y z; gradient sigmoid(z) - y.

    The course's logistic cost -(1/m) sum (y log a + (1-y) log(1-a)), a = sigmoid(z), from logits.
    ``weight`` rescales each element (broadcast to the input).
    """

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities, each log clamped at -100 like PyTorch's (prefer
    :class:`BCEWithLogitsLoss`)."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class MSELoss(_Loss):
    """Squared error (input - target)^2, averaged (``reduction='mean'``) or summed; shapes must be equal.

    The module form of :func:`nn.functional.mse_loss`; as ``torch.nn.MSELoss``.
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Absolute error |input - target|, averaged (``reduction='mean'``) or summed; shapes must be equal.

    Gradient sign(input - target), 0 at equality (PyTorch's choice).  The module form of
    :func:`nn.functional.l1_loss`; as ``torch.nn.L1Loss``.
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)
