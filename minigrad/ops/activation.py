"""Normalised exponentials along an axis: softmax and log-softmax.

Both subtract the row maximum first, so logits of +-1e4 give finite values and gradients.
"""
from __future__ import annotations

from ..function import Op
from .shape import _normalize_axis, reshape

__all__ = ["softmax", "log_softmax"]


class Softmax(Op):
    """s_i = e^{a_i - m} / sum_j e^{a_j - m} (m = max_j a_j);  da_i = s_i (g_i - sum_j g_j s_j)"""

    def forward(self, a, axis):
        xp = self.xp
        e = xp.exp(a - _row_max(xp, a, axis))
        out = e / xp.sum(e, axis=axis, keepdims=True)
        self.axis = axis
        self.save_for_backward(out)
        return out

    def backward(self, g):
        (s,) = self.saved_tensors
        return s * (g - self.F.sum(g * s, axis=self.axis, keepdims=True))


class LogSoftmax(Op):
    """l_i = a_i - logsumexp(a);  da_i = g_i - e^{l_i} sum_j g_j"""

    def forward(self, a, axis):
        xp = self.xp
        shifted = a - _row_max(xp, a, axis)
        out = shifted - xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True)) if a.shape[axis] else shifted
        self.axis = axis
        self.save_for_backward(out)
        return out

    def backward(self, g):
        (out,) = self.saved_tensors
        F = self.F
        return g - F.exp(out) * F.sum(g, axis=self.axis, keepdims=True)


def _row_max(xp, a, axis):
    """max along ``axis`` (kept); zeros for an empty axis, whose softmax is empty as in PyTorch."""
    if a.shape[axis] == 0:
        return xp.zeros_like(a)
    return xp.max(a, axis=axis, keepdims=True)


def _axis(a, axis, dim, op):
    if dim is not None:
        axis = dim
    if a.ndim == 0:
        raise ValueError(f"{op}: needs at least one dimension, got a 0-d tensor")
    return _normalize_axis(axis, a.ndim, op)


def softmax(a, axis=-1, *, dim=None):
    """Softmax along ``axis`` (default the last; ``dim`` is PyTorch's alias): ``mg.softmax(a)``, ``a.softmax()``.

    s_i = e^(a_i - m) / sum_j e^(a_j - m), m = max_j a_j (finite for logits of any size); same shape
    as ``a``;  da_i = s_i (g_i - sum_j g_j s_j).  The course's A = softmax(Z) with the classes on
    ``axis`` (rows are examples here: axis=-1 on (m, C) logits).  As ``torch.softmax``; a 0-d tensor
    (axis 0 or -1) gives 1.0, as in PyTorch.  For a cost use the logits directly
    (``nn.functional.cross_entropy``), not softmax.
    """
    if getattr(a, "ndim", 1) == 0:
        return _of_scalar(Softmax, a, axis, dim, "softmax")
    return Softmax.apply(a, axis=_axis(a, axis, dim, "softmax"))


def log_softmax(a, axis=-1, *, dim=None):
    """log(softmax(a)) along ``axis`` (default the last; ``dim`` alias): ``mg.log_softmax(a)``, ``a.log_softmax()``.

    l_i = a_i - logsumexp_j(a_j), computed stably; same shape as ``a``;  da_i = g_i - e^(l_i) sum_j g_j.
    With :func:`nll` it gives the cross-entropy -sum_k y_k log softmax(z)_k.  As ``torch.log_softmax``;
    a 0-d tensor (axis 0 or -1) gives 0.0, as in PyTorch.
    """
    if getattr(a, "ndim", 1) == 0:
        return _of_scalar(LogSoftmax, a, axis, dim, "log_softmax")
    return LogSoftmax.apply(a, axis=_axis(a, axis, dim, "log_softmax"))


def _of_scalar(op, a, axis, dim, name):
    """softmax / log_softmax of a 0-d tensor: the op over a 1-element axis (PyTorch's 1.0 / 0.0)."""
    _normalize_axis(axis if dim is None else dim, 1, name)  # 0 or -1, as PyTorch allows
    return reshape(op.apply(reshape(a, (1,)), axis=0), ())

