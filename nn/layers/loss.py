"""Loss modules: each stores its options and calls the function of the same name in ``nn.functional``.

All take ``reduction`` in {'mean' (default), 'sum', 'none'} and are stable for extreme
logits (+-1e4 give finite losses and gradients).
"""
from __future__ import annotations

from .. import functional as F
from ..functional.loss import _check_reduction
from ..functional.loss_labels import check_label_smoothing, legacy_reduction
from ..module import Module

__all__ = ["CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss", "BCELoss", "MSELoss", "L1Loss"]


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        reduction = legacy_reduction(size_average, reduce, reduction, type(self).__name__)
        _check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def extra_repr(self):
        return f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        if weight is not None:
            self.register_buffer("weight", weight)
        else:
            self.weight = None


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy on logits (N, C): the course's softmax cost
    J = -(1/m) sum_i sum_k y_ik log softmax(z_i)_k, with dZ = (A - Y)/m.

    ``loss(logits, target)``: ``target`` is int64 labels (N,) or one-hot / probability rows
    (N, C); a (C,) input is one example.  Optional per-class ``weight`` (C,), ``ignore_index``
    (labels to skip, default -100) and ``label_smoothing`` eps (target (1 - eps) onehot + eps/C),
    with PyTorch's signature.  See :func:`nn.functional.cross_entropy`.
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                 label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = int(ignore_index)
        self.label_smoothing = check_label_smoothing(label_smoothing, "CrossEntropyLoss")

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of int64 labels given log-probabilities (use after ``LogSoftmax(dim=1)``);
    targets equal to ``ignore_index`` (default -100) are skipped.  See :func:`nn.functional.nll_loss`."""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = int(ignore_index)

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Sigmoid + binary cross-entropy in one stable step: softplus(z) - y z; gradient sigmoid(z) - y.

    The course's logistic cost -(1/m) sum (y log a + (1-y) log(1-a)), a = sigmoid(z), from logits.
    ``weight`` rescales each element (broadcast to the input); ``pos_weight`` p weights the
    positive term: -p y log sigmoid(z) - (1 - y) log(1 - sigmoid(z)).
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
        super().__init__(weight, size_average, reduce, reduction)
        if pos_weight is not None:
            self.register_buffer("pos_weight", pos_weight)
        else:
            self.pos_weight = None

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


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
