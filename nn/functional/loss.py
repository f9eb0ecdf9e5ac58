"""Losses in their stateless form; each is stable for extreme logits (+-1e4 stay finite).

Every loss takes ``reduction``: 'mean' (default; the course's 1/m sum over examples), 'sum'
or 'none' (one value per example).  Losses on scores take *logits*, never probabilities:
the softmax/sigmoid is folded into a stable log-softmax / softplus.
"""
from __future__ import annotations

import math

import minigrad as mg

from . import loss_labels as _labels
from .activation import log_softmax, softplus

__all__ = ["cross_entropy", "nll_loss", "binary_cross_entropy_with_logits", "binary_cross_entropy", "mse_loss",
           "l1_loss"]

_REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss, reduction, op):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()


def _check_reduction(reduction, op):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _as_tensor(t, like, op):
    if isinstance(t, mg.Tensor):
        if t.device != like.device:
            raise mg.DeviceError(f"{op}: input is on {like.device} but target on {t.device}; move one with .to()")
        return t
    return mg.tensor(t, device=like.device)


def _check_float(x, op, what="input"):
    if not isinstance(x, mg.Tensor):
        raise TypeError(f"{op}: {what} must be a Tensor, got {type(x).__name__}")
    if not x.dtype.is_floating_point:
        raise TypeError(f"{op}: {what} must be floating, got {x.dtype}")


def _same_shape(x, y, op):
    if x.shape != y.shape:
        raise ValueError(f"{op}: input shape {x.shape} and target shape {y.shape} differ; they must be equal "
                         "(reshape one of them; a (m, 1) vs (m,) mismatch would broadcast to (m, m))")


def _named(op, core_loss, *args, **kwargs):
    """``core_loss(*args, **kwargs)``, its ValueError (labels out of range: the core ops own that
    check, in ``minigrad.ops.loss.check_labels``) prefixed with the loss's own name ``op``."""
    try:
        return core_loss(*args, **kwargs)
    except ValueError as e:
        raise ValueError(f"{op}: {e}") from None


def _check_label_shape(target, input, op):
    """Integer labels (N, d1, ...) must fit input (N, C, d1, ...): its shape without axis 1."""
    expected = (input.shape[0],) + input.shape[2:]
    if target.shape != expected:
        raise ValueError(f"{op}: target shape {target.shape} does not match input shape {input.shape}: "
                         f"expected {expected} (input without its class axis 1)")


def _one_hot(target, num_classes, like, op):
    """Float one-hot of integer labels (N, d1, ...) as (N, C, d1, ...), classes on axis 1."""
    return _named(op, mg.one_hot, target, num_classes, axis=1, dtype=like.dtype)


def _class_weights(weight, like, op):
    """Per-class weights (C,) shaped to broadcast along the class axis 1 of ``like``."""
    if weight is None:
        return None
    num_classes = like.shape[1]
    weight = _as_tensor(weight, like, op)
    if weight.shape != (num_classes,):
        raise ValueError(f"{op}: weight must have shape ({num_classes},) (one per class), got {weight.shape}")
    return weight.to(dtype=like.dtype).reshape((num_classes,) + (1,) * (like.ndim - 2))


def _nll(log_probs, probs, reduction, denominator=None):
    """-sum_k probs_k log_probs_k over the class axis 1, reduced: one graph node (mg.nll)."""
    if reduction == "none":
        return mg.nll(log_probs, probs, axis=1)
    if reduction == "sum" or denominator is not None:
        loss = mg.nll(log_probs, probs, axis=1, scale=1.0)
        return loss if denominator is None else loss / denominator
    count = math.prod(log_probs.shape[:1] + log_probs.shape[2:])  # examples (and positions)
    return mg.nll(log_probs, probs, axis=1, scale=1.0 / count if count else math.nan)


def _nll_loss(input, target, weight=None, reduction="mean"):
    """Negative log-likelihood of integer labels given log-probabilities.

    ``input`` is (N, C) or (N, C, d1, ...) log-probabilities (e.g. :func:`log_softmax` over
    axis 1), ``target`` is (N,) or (N, d1, ...) integers in [0, C).  With class weights w::

        loss_i = -w[y_i] * input[i, y_i];   'mean' = sum_i loss_i / sum_i w[y_i]
    """
    op = "nll_loss"
    _check_reduction(reduction, op)
    _check_float(input, op)
    target = _as_tensor(target, input, op)
    if input.ndim < 2:
        raise ValueError(f"{op}: input must be (N, C) or (N, C, ...) with classes on axis 1, got shape {input.shape}")
    if target.dtype.is_floating_point or target.dtype == "bool":
        raise TypeError(f"{op}: target must hold integer class labels, got {target.dtype}")
    _check_label_shape(target, input, op)
    probs = _one_hot(target, input.shape[1], input, op)
    w = _class_weights(weight, input, op)
    if w is None:
        return _nll(input, probs, reduction)
    probs = probs * w
    return _nll(input, probs, reduction, denominator=probs.sum() if reduction == "mean" else None)


def _cross_entropy(input, target, weight=None, reduction="mean"):
    """Softmax cross-entropy from logits: the course's J = -(1/m) sum_i sum_k y_ik log softmax(z_i)_k.

    ``input`` holds logits (N, C) (or (N, C, d1, ...)), classes on axis 1 -- the course's Z[L]
    transposed.  ``target`` is either integer labels (N,) (or (N, d1, ...)) or class
    probabilities / one-hot rows of the same shape as ``input``.  The softmax is folded into
    a stable log-softmax, so the gradient is the course's dZ = (A - Y) / m and logits of
    +-1e4 give finite values.  Never apply softmax before this loss.

    (N, C) logits with integer labels and no class weights -- the usual case -- make one graph
    node (:func:`minigrad.softmax_cross_entropy`); anything else is a log-softmax and one
    :func:`minigrad.nll` node.

    Parameters
    ----------
    input : Tensor, shape (N, C, ...)
    target : Tensor of int64 labels (N, ...) or floating probabilities (N, C, ...)
    weight : Tensor, shape (C,), optional
        Per-class weights.  With labels, 'mean' divides by the total weight of the targets;
        with probabilities, by N (PyTorch's conventions).
    reduction : {'mean', 'sum', 'none'}
    """
    op = "cross_entropy"
    _check_reduction(reduction, op)
    _check_float(input, op)
    target = _as_tensor(target, input, op)
    if input.ndim < 2:
        raise ValueError(f"{op}: input must be (N, C) logits with classes on axis 1, got shape {input.shape}")
    if not target.dtype.is_floating_point and input.ndim == 2 and weight is None:
        _check_label_shape(target, input, op)
        m = input.shape[0]  # the common case, one graph node
        scale = {"none": None, "sum": 1.0}.get(reduction, 1.0 / m if m else math.nan)
        return _named(op, mg.softmax_cross_entropy, input, target, scale=scale)
    logp = log_softmax(input, dim=1)
    if not target.dtype.is_floating_point:
        return nll_loss(logp, target, weight=weight, reduction=reduction)
    if target.shape != input.shape:
        raise ValueError(f"{op}: probability targets must have the input's shape {input.shape}, got "
                         f"{target.shape}; integer class labels should be int64 of shape "
                         f"{input.shape[:1] + input.shape[2:]}")
    probs = target.to(dtype=input.dtype)
    w = _class_weights(weight, input, op)
    return _nll(logp, probs if w is None else probs * w, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """Sigmoid cross-entropy from logits, stable for any logit:

        loss = -y log sigmoid(z) - (1 - y) log(1 - sigmoid(z)) = softplus(z) - y z

    the course's cost -(1/m) sum (y log a + (1 - y) log(1 - a)) with a = sigmoid(z) folded in;
    its gradient is exactly sigmoid(z) - y (the course's dZ = A - Y).

    Parameters
    ----------
    input : Tensor, logits of any shape
    target : Tensor of the same shape, values in [0, 1]
    weight : Tensor, optional, broadcastable to input: per-element rescaling
    reduction : {'mean', 'sum', 'none'}
    pos_weight : Tensor, optional, broadcastable to input (e.g. (C,) for (N, C) logits)
        p, the weight of the positive term (PyTorch's): loss = -p y log sigmoid(z) - (1 - y)
        log(1 - sigmoid(z)) = (1 + (p - 1) y) softplus(z) - p y z; gradient
        (1 + (p - 1) y) sigmoid(z) - p y.

    ``size_average`` / ``reduce`` are PyTorch's deprecated spellings of ``reduction``.
    """
    op = "binary_cross_entropy_with_logits"
    reduction = _labels.legacy_reduction(size_average, reduce, reduction, op)
    _check_reduction(reduction, op)
    _check_float(input, op)
    target = _as_tensor(target, input, op).to(dtype=input.dtype)
    _same_shape(input, target, op)
    if pos_weight is None:
        loss = softplus(input) - target * input
    else:
        py = _as_tensor(pos_weight, input, op).to(dtype=input.dtype) * target
        loss = (1.0 + py - target) * softplus(input) - py * input
    if weight is not None:
        loss = loss * _as_tensor(weight, input, op).to(dtype=input.dtype)
    return _reduce(loss, reduction, op)


def _clamped_log(p):
    """log(p) clamped below at -100 (PyTorch's BCELoss convention), with finite gradients at p = 0."""
    positive = p > 0
    safe = mg.where(positive, p, 1.0)
    return mg.where(positive, mg.log(safe), -100.0).clamp(min=-100.0)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """Cross-entropy of probabilities: -(y log p + (1 - y) log(1 - p)), each log clamped at -100.

    Prefer :func:`binary_cross_entropy_with_logits` (stable and exact); this one takes
    probabilities (e.g. after a sigmoid) and clamps like PyTorch's ``BCELoss`` so p = 0 or 1
    gives a finite loss (at most 100 per element) and finite gradients.
    """
    op = "binary_cross_entropy"
    _check_reduction(reduction, op)
    _check_float(input, op)
    target = _as_tensor(target, input, op).to(dtype=input.dtype)
    _same_shape(input, target, op)
    xp = input.device.xp
    if input.numel():
        lo = float(input.device.to_numpy(xp.min(input.array)))
        hi = float(input.device.to_numpy(xp.max(input.array)))
        if not (0.0 <= lo and hi <= 1.0):
            raise ValueError(f"{op}: input must hold probabilities in [0, 1], got values from {lo} to {hi}; "
                             "for logits use binary_cross_entropy_with_logits")
    loss = -(target * _clamped_log(input) + (1.0 - target) * _clamped_log(1.0 - input))
    if weight is not None:
        loss = loss * _as_tensor(weight, input, op).to(dtype=input.dtype)
    return _reduce(loss, reduction, op)


def mse_loss(input, target, reduction="mean"):
    """Squared error (input - target)^2 per element, reduced: ``'mean'`` (default), ``'sum'`` or ``'none'``.

    Shapes must be equal (no silent broadcasting);  d/d input = 2 (input - target) / n for the mean
    over n elements.  As ``torch.nn.functional.mse_loss``.
    """
    op = "mse_loss"
    _check_reduction(reduction, op)
    _check_float(input, op)
    target = _as_tensor(target, input, op).to(dtype=input.dtype)
    _same_shape(input, target, op)
    diff = input - target
    return _reduce(diff * diff, reduction, op)


def l1_loss(input, target, reduction="mean"):
    """Absolute error |input - target| per element, reduced: ``'mean'`` (default), ``'sum'`` or ``'none'``.

    Shapes must be equal;  d/d input = sign(input - target) / n for the mean, 0 where input == target
    (PyTorch's choice).  As ``torch.nn.functional.l1_loss``.
    """
    op = "l1_loss"
    _check_reduction(reduction, op)
    _check_float(input, op)
    target = _as_tensor(target, input, op).to(dtype=input.dtype)
    _same_shape(input, target, op)
    return _reduce(mg.abs(input - target), reduction, op)


# ----- nn15: PyTorch's signatures of nll_loss and cross_entropy ---------------------------------------------------
# The bodies above (``_nll_loss``, ``_cross_entropy``) handle labels that are all in range; these wrappers add
# ignore_index, label smoothing, unbatched input and the deprecated size_average / reduce, and send what the
# bodies cannot take to nn/functional/loss_labels.py.  Labels equal to a negative ignore_index are found only
# when the body rejects them as out of range, so the common call pays for no extra check.
def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood of integer labels given log-probabilities (PyTorch's signature).

    ``input`` is (N, C) or (N, C, d1, ...) log-probabilities (e.g. :func:`log_softmax` over
    axis 1), or (C,) for one example; ``target`` is (N,) or (N, d1, ...) integers in [0, C)
    (or () for one example).  With class weights w and keep_i = [y_i != ignore_index]::

        loss_i = -keep_i * w[y_i] * input[i, y_i];   'mean' = sum_i loss_i / sum_i keep_i w[y_i]

    Ignored targets (default -100) give 0 loss and 0 gradient and are left out of the mean (all
    ignored: nan).  ``size_average`` / ``reduce`` are PyTorch's deprecated spellings of
    ``reduction``.  See :mod:`nn.functional.loss_labels`.
    """
    op = "nll_loss"
    reduction = _labels.legacy_reduction(size_average, reduce, reduction, op)
    _check_reduction(reduction, op)
    _check_float(input, op)
    target = _as_tensor(target, input, op)
    if input.ndim == 1:
        return _labels.unbatched(nll_loss, input, target, op, weight=weight, ignore_index=ignore_index,
                                 reduction=reduction)
    if not _labels.may_ignore(input, target, ignore_index):
        try:
            return _nll_loss(input, target, weight, reduction)
        except ValueError:
            if not _labels.holds(input, target, ignore_index):
                raise
    return _masked(input, target, weight, ignore_index, reduction, 0.0, op)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """Softmax cross-entropy from logits: the course's J = -(1/m) sum_i sum_k y_ik log softmax(z_i)_k.

    ``input`` holds logits (N, C) (or (N, C, d1, ...)), classes on axis 1 -- the course's Z[L]
    transposed -- or (C,) for one example.  ``target`` is either integer labels (N,) (or
    (N, d1, ...); () for one example) or class probabilities of the input's shape.  The softmax
    is folded into a stable log-softmax, so the gradient is the course's dZ = (A - Y) / m and
    logits of +-1e4 give finite values.  Never apply softmax before this loss.

    Parameters
    ----------
    input : Tensor, shape (N, C, ...) or (C,)
    target : Tensor of int64 labels (N, ...) or floating probabilities (N, C, ...)
    weight : Tensor, shape (C,), optional
        Per-class weights.  With labels, 'mean' divides by the total weight of the targets;
        with probabilities, by N (PyTorch's conventions).
    ignore_index : int
        Labels equal to it (default -100) add no loss, no gradient and no weight to the mean.
    reduction : {'mean', 'sum', 'none'}
    label_smoothing : float in [0, 1]
        eps: the target becomes (1 - eps) onehot(y) + eps / C (for probability targets,
        (1 - eps) T + eps / C), as in PyTorch.

    ``size_average`` / ``reduce`` are PyTorch's deprecated spellings of ``reduction``.  (N, C)
    logits with in-range labels, no weights and no smoothing -- the usual case -- make one graph
    node (:func:`minigrad.softmax_cross_entropy`); the label cases are spelled out in
    :mod:`nn.functional.loss_labels`.
    """
    op = "cross_entropy"
    reduction = _labels.legacy_reduction(size_average, reduce, reduction, op)
    _check_reduction(reduction, op)
    _check_float(input, op)
    eps = _labels.check_label_smoothing(label_smoothing, op)
    target = _as_tensor(target, input, op)
    if input.ndim == 1:
        return _labels.unbatched(cross_entropy, input, target, op, weight=weight, ignore_index=ignore_index,
                                 reduction=reduction, label_smoothing=eps)
    if input.ndim < 2:
        return _cross_entropy(input, target, weight, reduction)  # which says what it expects
    if target.dtype.is_floating_point:
        if eps:
            target = _labels.smooth_probabilities(target.to(dtype=input.dtype), eps, input.shape[1])
        return _cross_entropy(input, target, weight, reduction)
    if not eps and not _labels.may_ignore(input, target, ignore_index):
        try:
            return _cross_entropy(input, target, weight, reduction)
        except ValueError:
            if not _labels.holds(input, target, ignore_index):
                raise
    return _masked(log_softmax(input, dim=1), target, weight, ignore_index, reduction, eps, op)


def _masked(log_probs, target, weight, ignore_index, reduction, eps, op):
    """The ignore_index / label-smoothing path, after the shape checks the bodies above make."""
    _labels.check_label_target(log_probs, target, op)
    w = _class_weights(weight, log_probs, op)
    return _labels.masked_nll(log_probs, target, w, int(ignore_index), reduction, eps, op)
