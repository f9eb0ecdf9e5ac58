"""Regression, divergence and similarity losses with PyTorch's definitions: ``huber_loss``,
``smooth_l1_loss``, ``kl_div``, ``cosine_similarity`` and ``cosine_embedding_loss``.

All are compositions of core ops (differentiable, twice where the ops are, on every device).
As with the other losses here, ``input`` and ``target`` must have equal shapes (no silent
broadcasting), and ``size_average`` / ``reduce`` are PyTorch's deprecated spellings of
``reduction``.
"""
from __future__ import annotations

import numpy as np

import minigrad as mg

from .loss import _as_tensor, _check_float, _check_reduction, _reduce, _same_shape
from .loss_labels import legacy_reduction

__all__ = ["huber_loss", "smooth_l1_loss", "kl_div", "cosine_similarity", "cosine_embedding_loss"]


def _pair(input, target, reduction, op):
    _check_reduction(reduction, op)
    _check_float(input, op)
    target = _as_tensor(target, input, op).to(dtype=input.dtype)
    _same_shape(input, target, op)
    return target


def _positive(value, name, op, allow_zero):
    value = float(value)
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{op}: {name} must be {'>= 0' if allow_zero else '> 0'}, got {value}")
    return value


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Huber loss, elementwise with d = input - target::

        l = 0.5 d^2                      if |d| < delta
            delta (|d| - 0.5 delta)       otherwise

    dl/dinput = d inside, delta * sign(d) outside (the two agree at |d| = delta, so the
    gradient is continuous); 0 at d = 0.  ``delta`` > 0.  ``huber_loss(delta=b) = b *
    smooth_l1_loss(beta=b)``.  ``weight`` (the input's shape) multiplies each element's loss
    before the reduction ('mean' is then sum(w l) / n, as in PyTorch).
    """
    op = "huber_loss"
    target = _pair(input, target, reduction, op)
    delta = _positive(delta, "delta", op, allow_zero=False)
    d = input - target
    a = mg.abs(d)
    loss = mg.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))
    if weight is not None:
        weight = _as_tensor(weight, input, op).to(dtype=input.dtype)
        if weight.shape != input.shape:
            raise ValueError(f"{op}: weight of shape {weight.shape} must have the input's shape {input.shape}")
        loss = loss * weight
    return _reduce(loss, reduction, op)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Smooth L1 loss, elementwise with d = input - target::

        l = 0.5 d^2 / beta               if |d| < beta
            |d| - 0.5 beta               otherwise

    dl/dinput = d / beta inside, sign(d) outside (continuous at |d| = beta).  ``beta=0`` is
    the L1 loss |d| (gradient sign(d), 0 at d = 0), as in PyTorch.
    """
    op = "smooth_l1_loss"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    target = _pair(input, target, reduction, op)
    beta = _positive(beta, "beta", op, allow_zero=True)
    d = input - target
    a = mg.abs(d)
    if beta == 0.0:
        return _reduce(a, reduction, op)
    loss = mg.where(a < beta, (0.5 / beta) * d * d, a - 0.5 * beta)
    return _reduce(loss, reduction, op)


def _xlogx(t):
    """t log t with 0 log 0 = 0 (PyTorch's xlogy(t, t)); the gradient log t + 1 where t > 0."""
    positive = t > 0
    return mg.where(positive, t * mg.log(mg.where(positive, t, 1.0)), 0.0)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence KL(target || model), with ``input`` = log q (log-probabilities,
    e.g. :func:`log_softmax`) and ``target`` = p (or log p when ``log_target``), elementwise::

        l = p (log p - log q)  = xlogy(p, p) - p * input       (0 where p = 0)
        l = exp(t) (t - input)                                  (log_target=True, t = log p)

    Reductions are PyTorch's: 'mean' averages over every element (PyTorch's default, which is
    not the KL divergence of a batch), 'batchmean' divides the sum by the batch size
    ``input.shape[0]`` (the true mean KL per example), 'sum', 'none'.
    dl/dinput = -p.
    """
    op = "kl_div"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    if reduction == "batchmean":
        target = _pair(input, target, "sum", op)
    else:
        target = _pair(input, target, reduction, op)
    if log_target:
        loss = mg.exp(target) * (target - input)
    else:
        loss = _xlogx(target) - target * input
    if reduction == "batchmean":
        n = input.shape[0] if input.ndim else 1
        return loss.sum() / n
    return _reduce(loss, reduction, op)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between x1 and x2 along ``dim`` (shapes broadcast, ``dim`` removed)::

        cos = sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps), dim)

    Each norm is clamped at ``eps`` separately, as in PyTorch 2.x, so a zero vector gives 0.
    Below ``eps`` the clamped norm is a constant (its gradient is not followed); above it the
    gradient is that of the formula.
    """
    op = "cosine_similarity"
    for name, t in (("x1", x1), ("x2", x2)):
        _check_float(t, op, name)
    if x1.device != x2.device:
        raise mg.DeviceError(f"{op}: x1 is on {x1.device} but x2 on {x2.device}; move one with .to()")
    x1, x2 = _broadcast(x1, x2, op)
    if x1.ndim == 0:
        raise ValueError(f"{op}: needs at least 1-D inputs, got 0-d")
    eps = float(eps)
    n1 = mg.sqrt(mg.maximum(mg.sum(x1 * x1, axis=dim, keepdims=True), eps * eps))
    n2 = mg.sqrt(mg.maximum(mg.sum(x2 * x2, axis=dim, keepdims=True), eps * eps))
    return mg.sum((x1 / n1) * (x2 / n2), axis=dim)


def _broadcast(a, b, op):
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"{op}: shapes {a.shape} and {b.shape} do not broadcast") from None
    return mg.broadcast_to(a, shape), mg.broadcast_to(b, shape)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """Cosine embedding loss of pairs (x1_n, x2_n) labelled y_n = 1 (similar) or -1 (dissimilar)::

        cos_n = sum(x1_n x2_n) / sqrt((sum(x1_n^2) + 1e-12) (sum(x2_n^2) + 1e-12))
        l_n = 1 - cos_n                     if y_n = 1
              max(0, cos_n - margin)        if y_n = -1

    (PyTorch's formula, 1e-12 included).  ``input1``, ``input2``: (N, D) with ``target`` (N,),
    or (D,) with a 0-d target.  At cos_n = margin the hinge passes the gradient (PyTorch's
    clamp_min convention).
    """
    op = "cosine_embedding_loss"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    _check_reduction(reduction, op)
    for name, t in (("input1", input1), ("input2", input2)):
        _check_float(t, op, name)
    target = _as_tensor(target, input1, op)
    if input1.shape != input2.shape or input1.ndim not in (1, 2) or target.shape != input1.shape[:-1]:
        raise ValueError(f"{op}: expected input1 and input2 of one shape (N, D) with target (N,), or (D,) with a "
                         f"0-d target; got {input1.shape}, {input2.shape} and {target.shape}")
    if int(((target == 1).to(dtype=mg.int64) + (target == -1).to(dtype=mg.int64)).sum().item()) != target.numel():
        raise ValueError(f"{op}: target values must be 1 or -1")
    axis = input1.ndim - 1
    dot = mg.sum(input1 * input2, axis=axis)
    mag1 = mg.sum(input1 * input1, axis=axis) + 1e-12
    mag2 = mg.sum(input2 * input2, axis=axis) + 1e-12
    cos = dot / mg.sqrt(mag1 * mag2)
    similar = target == 1
    loss = mg.where(similar, 1.0 - cos, mg.clip(cos - float(margin), min=0.0))
    return _reduce(loss, reduction, op)
