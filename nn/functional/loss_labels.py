"""Class-label losses beyond the common case: ``ignore_index``, label smoothing, unbatched input.

PyTorch's definitions, used by :func:`nn.functional.cross_entropy` and
:func:`nn.functional.nll_loss` for what their plain bodies cannot take.  For log-probabilities
L (N, C, d1, ...), integer targets y, class weights w (all ones when not given), smoothing eps
and keep_n = [y_n != ignore_index]::

    loss_n = keep_n * ( (1 - eps) * (-w[y_n] L[n, y_n])  +  (eps / C) * sum_c (-w_c L[n, c]) )
    'mean' = sum_n loss_n / sum_n keep_n w[y_n]            'sum' = sum_n loss_n

so ignored positions add nothing, neither to the loss nor to the denominator, and their
gradient is zero.  If every target is ignored, 'mean' is 0/0 = nan (as in PyTorch).  Both terms
go into one target distribution T = keep * w * ((1 - eps) onehot(y) + eps / C), giving a single
:func:`minigrad.nll` node: dJ/dL = -T / denominator.
"""
from __future__ import annotations

import minigrad as mg

__all__ = ["legacy_reduction", "masked_nll", "unbatched", "smooth_probabilities", "check_label_smoothing",
           "check_label_target", "may_ignore", "holds"]


def legacy_reduction(size_average, reduce, reduction, op):
    """PyTorch's deprecated ``size_average`` / ``reduce`` flags turned into a ``reduction`` string.

    Both None: ``reduction`` stands.  Otherwise (each None counting as True): ``reduce=False``
    gives 'none', else ``size_average`` gives 'mean' and its absence 'sum'.
    """
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else bool(size_average)
    reduce = True if reduce is None else bool(reduce)
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _keep_mask(target, ignore_index, like):
    """(labels with ignored ones replaced by class 0, float mask 1 = kept) for targets (N, ...)."""
    ignored = target == ignore_index
    safe = mg.where(ignored, 0, target)
    keep = (target != ignore_index).to(dtype=like.dtype)
    return safe, keep


def masked_nll(log_probs, target, weight, ignore_index, reduction, label_smoothing, op):
    """The loss of the module docstring for checked inputs: ``log_probs`` (N, C, ...) floating,
    ``target`` integer (N, ...), ``weight`` a (C,) tensor broadcast along axis 1 or None."""
    num_classes = log_probs.shape[1]
    safe, keep = _keep_mask(target, ignore_index, log_probs)
    try:
        hot = mg.one_hot(safe, num_classes, axis=1, dtype=log_probs.dtype)
    except ValueError as e:  # labels out of range that are not ignore_index
        raise ValueError(f"{op}: {e} (ignore_index={ignore_index} marks targets to skip)") from None
    keep = keep.reshape(keep.shape[:1] + (1,) + keep.shape[1:])
    picked = hot * keep if weight is None else hot * keep * weight  # keep_n w[y_n] at y_n
    dist = picked
    if label_smoothing:
        eps = float(label_smoothing)
        spread = keep if weight is None else keep * weight  # keep_n w_c at every c
        dist = picked * (1.0 - eps) + spread * (eps / num_classes)
    if reduction == "none":
        return mg.nll(log_probs, dist, axis=1)
    if reduction == "sum":
        return mg.nll(log_probs, dist, axis=1, scale=1.0)
    return mg.nll(log_probs, dist, axis=1, scale=1.0) / picked.sum()


def smooth_probabilities(target, label_smoothing, num_classes):
    """Probability targets smoothed as PyTorch does: T' = (1 - eps) T + eps / C."""
    eps = float(label_smoothing)
    return target * (1.0 - eps) + eps / num_classes


def unbatched(loss_fn, input, target, op, **kwargs):
    """An unbatched call, ``input`` (C,) with ``target`` () labels or (C,) probabilities: run it
    as a batch of one; 'none' then gives a 0-d result (PyTorch's shapes)."""
    float_target = target.dtype.is_floating_point
    if float_target and target.shape != input.shape:
        raise ValueError(f"{op}: unbatched input of shape {input.shape} needs a target of shape {input.shape} "
                         f"(probabilities) or () (one class label), got {target.shape}")
    if not float_target and target.ndim != 0:
        raise ValueError(f"{op}: unbatched input of shape {input.shape} (one example, C classes) needs a 0-d "
                         f"integer target (one class label), got shape {target.shape}")
    out = loss_fn(input.reshape(1, -1), target.reshape((1,) + target.shape), **kwargs)
    return out.reshape(()) if kwargs.get("reduction") == "none" else out


def may_ignore(input, target, ignore_index):
    """Whether ``ignore_index`` is a class of ``input`` (N, C, ...): then any label may be one to skip,
    and only the masked path gives the right answer."""
    integer = not target.dtype.is_floating_point and target.dtype != "bool"
    return integer and input.ndim >= 2 and 0 <= ignore_index < input.shape[1]


def holds(input, target, ignore_index):
    """Whether integer ``target`` fitting ``input`` holds ``ignore_index`` somewhere (one host read)."""
    expected = (input.shape[0],) + input.shape[2:] if input.ndim >= 2 else None
    if target.dtype.is_floating_point or target.dtype == "bool" or target.shape != expected:
        return False
    return bool((target == ignore_index).any())


def check_label_smoothing(label_smoothing, op):
    """``label_smoothing`` must be a float in [0, 1]."""
    eps = float(label_smoothing)
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0.0, 1.0], got {label_smoothing}")
    return eps


def check_label_target(input, target, op):
    """Integer labels (N, d1, ...) for an input (N, C, d1, ...), or a clear error."""
    if target.dtype == "bool":
        raise TypeError(f"{op}: target must hold integer class labels, got {target.dtype}")
    expected = (input.shape[0],) + input.shape[2:]
    if target.shape != expected:
        raise ValueError(f"{op}: target shape {target.shape} does not match input shape {input.shape}: "
                         f"expected {expected} (input without its class axis 1)")
