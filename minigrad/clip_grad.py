"""Gradient clipping against exploding gradients: by total norm, or by value.

They work on anything that yields Tensors (``model.parameters()``, a list, one Tensor), change
``.grad`` in place between ``backward()`` and the optimizer's ``step()``, and skip parameters
whose ``.grad`` is None.  They live in the core so that training loops can use them without
importing ``optim`` (which re-exports them).
"""
from __future__ import annotations

import math

from .tensor import Tensor
from .tracing import replayed_whole

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _params(parameters):
    """The parameters as a list (a generator such as ``model.parameters()`` is read once here, so a
    compiled step can call the clipping again on every replay)."""
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _grads(parameters):
    return [p.grad for p in parameters if p.grad is not None]


def _norm(array, xp, norm_type):
    """The ``norm_type``-norm of all elements of ``array`` as a Python float."""
    if array.size == 0:
        return 0.0
    if norm_type == math.inf:
        return float(xp.max(xp.abs(array)))
    if norm_type == 2.0:
        return math.sqrt(float(xp.sum(array * array)))
    return float(xp.sum(xp.abs(array) ** norm_type)) ** (1.0 / norm_type)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    r"""Rescale the gradients so that their total norm is at most ``max_norm``.

    The total norm is taken over all gradients together, as if they were one vector,
    :math:`\|g\| = (\sum_i \|g_i\|_p^p)^{1/p}` (``norm_type`` :math:`p`; ``inf`` for the
    largest absolute value).  When :math:`\|g\| > \text{max\_norm}` every gradient is
    multiplied by :math:`\text{max\_norm} / (\|g\| + 10^{-6})`, which keeps the direction of
    the step and bounds its length (as PyTorch's ``clip_grad_norm_``).

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
    max_norm : float
    norm_type : float, default 2.0
        :math:`p` > 0, or ``math.inf``.
    error_if_nonfinite : bool, default False
        Raise if the total norm is NaN or infinite (otherwise the gradients become NaN).

    Returns
    -------
    Tensor
        The total norm before clipping (0-d, float32 on the first gradient's device).

    Examples
    --------
    >>> import minigrad as mg
    >>> w = mg.tensor([0.0, 0.0], requires_grad=True)
    >>> w.grad = mg.tensor([3.0, 4.0])
    >>> float(mg.clip_grad_norm_([w], max_norm=1.0))
    5.0
    >>> w.grad
    tensor([0.6, 0.8], dtype=float32, device='cpu')
    """
    return _clip_norm(_params(parameters), max_norm, norm_type, error_if_nonfinite)


@replayed_whole
def _clip_norm(parameters, max_norm, norm_type, error_if_nonfinite):
    grads = _grads(parameters)
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not max_norm >= 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be a number >= 0, got {max_norm!r}")
    if not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be > 0 or inf, got {norm_type!r}")
    if not grads:
        return Tensor(0.0)
    norms = [_norm(g.array, g.device.xp, norm_type) for g in grads]
    total = max(norms) if norm_type == math.inf else math.fsum(n ** norm_type for n in norms) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total {norm_type}-norm of the gradients is {total}; pass "
                           "error_if_nonfinite=False to scale them anyway")
    coef = max_norm / (total + 1e-6)
    if not coef >= 1.0:  # NaN totals scale too, as in PyTorch
        for g in grads:
            g.array[...] = g.array * coef
            g.bump_version()
    return Tensor(total, dtype="float32", device=grads[0].device)


def clip_grad_value_(parameters, clip_value):
    """Clip every gradient element into ``[-clip_value, clip_value]``, in place.

    Examples
    --------
    >>> import minigrad as mg
    >>> w = mg.zeros(3, requires_grad=True)
    >>> w.grad = mg.tensor([-5.0, 0.5, 2.0])
    >>> mg.clip_grad_value_([w], 1.0)
    >>> w.grad
    tensor([-1. ,  0.5,  1. ], dtype=float32, device='cpu')
    """
    _clip_value(_params(parameters), clip_value)


@replayed_whole
def _clip_value(parameters, clip_value):
    clip_value = float(clip_value)
    if not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be a number >= 0, got {clip_value!r}")
    for g in _grads(parameters):
        g.array[...] = g.device.xp.clip(g.array, -clip_value, clip_value)
        g.bump_version()
