"""Weight penalties in the course's form, to add to the cost.

L2 (the course's "L2 regularisation", weights only, biases excluded)::

    J_reg = J + (lambd / (2 m)) * sum_l ||W[l]||_F^2      =>   dW[l] += (lambd / m) W[l]

The same gradient comes from an optimizer's ``weight_decay = lambd / m`` (PyTorch's
``SGD(weight_decay=wd)`` adds ``wd * W`` to the gradient): for plain SGD the two give the same
updates, but ``weight_decay`` does not show up in the reported cost and, unlike this helper as
applied by default, PyTorch's optimizers also decay biases unless they are put in a separate
parameter group.  (For Adam the two differ; AdamW's decoupled decay is different again.)

L1::

    J_reg = J + (lambd / m) * sum_l sum |W[l]|             =>   dW[l] += (lambd / m) sign(W[l])
"""
from __future__ import annotations

import minigrad as mg

__all__ = ["l2_penalty", "l1_penalty", "penalized_weights"]


def penalized_weights(params):
    """The tensors a penalty applies to.

    From a Module (anything with ``named_parameters``): its weights, i.e. parameters with
    2 or more dimensions (W[l] of Linear, convolution kernels) -- biases and batch-norm
    gamma/beta (1-D) are excluded, as in the course.  From an iterable of tensors: all of them.
    """
    if hasattr(params, "named_parameters"):
        return [p for _, p in params.named_parameters() if p.ndim >= 2]
    params = list(params)
    for p in params:
        if not isinstance(p, mg.Tensor):
            raise TypeError(f"penalty: expected a Module or Tensors, got an element of type {type(p).__name__}")
    return params


def _check(lambd, m, op):
    if lambd < 0:
        raise ValueError(f"{op}: lambd must be >= 0, got {lambd}")
    if not m or m <= 0:
        raise ValueError(f"{op}: m (the number of examples) must be positive, got {m}")


def l2_penalty(params, lambd, m):
    """(lambd / (2 m)) * sum_l ||W[l]||_F^2 over the weights of ``params`` (see module docstring).

    Parameters
    ----------
    params : Module or iterable of Tensor
    lambd : float
        The course's regularisation strength lambda.
    m : int
        Number of examples the cost is averaged over (the mini-batch size).

    Returns
    -------
    Tensor, 0-d, differentiable: add it to the loss before ``backward()``.

    Examples
    --------
    >>> import minigrad as mg, nn
    >>> layer = nn.Linear(2, 1, init=lambda w: nn.init.constant_(w, 3.0))
    >>> nn.l2_penalty(layer, lambd=0.5, m=4).item()   # 0.5 / (2 * 4) * (3**2 + 3**2); the bias is left out
    1.125
    """
    _check(lambd, m, "l2_penalty")
    weights = penalized_weights(params)
    if not weights:
        raise ValueError("l2_penalty: no weights to penalise (no parameter with 2 or more dimensions)")
    total = sum((w * w).sum() for w in weights)
    return total * (lambd / (2.0 * m))


def l1_penalty(params, lambd, m):
    """(lambd / m) * sum_l sum |W[l]| over the weights of ``params`` (0-d Tensor)."""
    _check(lambd, m, "l1_penalty")
    weights = penalized_weights(params)
    if not weights:
        raise ValueError("l1_penalty: no weights to penalise (no parameter with 2 or more dimensions)")
    total = sum(mg.abs(w).sum() for w in weights)
    return total * (lambd / m)
