"""Reductions over axes: sum, mean, var, std, max, min, logsumexp.

``axis`` is None (all axes), an int or a tuple of ints, negative counting from the end;
``keepdims`` keeps reduced axes with size 1.  PyTorch's ``dim`` / ``keepdim`` are accepted as
aliases.  The gradient of ``max``/``min`` is shared equally among tied maxima (minima).
"""
from __future__ import annotations

import builtins

from ..function import Op
from .elementwise import sqrt
from .shape import normalize_axes

__all__ = ["sum", "mean", "var", "std", "max", "min", "logsumexp"]


def _kept_shape(shape, axes):
    """``shape`` with the reduced ``axes`` set to 1 (the keepdims shape)."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _expand_back(F, g, in_shape, axes):
    """Broadcast a reduced gradient back over the reduced axes of ``in_shape``."""
    if g.ndim != 0 and g.ndim != len(in_shape):  # reduced without keepdims
        g = F.reshape(g, _kept_shape(in_shape, axes))
    return F.broadcast_to(g, in_shape)


class Sum(Op):
    """z = sum_i a_i over ``axes``;  dz/da_i = 1"""

    def forward(self, a, axes, keepdims):
        self.axes, self.in_shape = axes, a.shape
        return self.xp.sum(a, axis=axes, keepdims=keepdims)

    def backward(self, g):
        return _expand_back(self.F, g, self.in_shape, self.axes)


class Mean(Op):
    """z = (1/n) sum_i a_i over ``axes``;  dz/da_i = 1/n"""

    def forward(self, a, axes, keepdims):
        self.axes, self.in_shape = axes, a.shape
        return self.xp.mean(a, axis=axes, keepdims=keepdims)

    def backward(self, g):
        n = 1
        for ax in self.axes:
            n *= self.in_shape[ax]
        return _expand_back(self.F, g, self.in_shape, self.axes) * (1.0 / builtins.max(n, 1))


class _Extreme(Op):
    """max/min: z = a_k for the extreme element(s) k;  dz/da_i = [a_i == z] / #ties"""

    reduce = "max"

    def forward(self, a, axes, keepdims):
        xp = self.xp
        if a.size == 0:
            raise ValueError(f"{self.reduce}: cannot reduce an empty tensor of shape {tuple(a.shape)}")
        out = getattr(xp, self.reduce)(a, axis=axes, keepdims=True)
        hit = xp.astype(a == out, a.dtype)
        self.save_for_backward(hit / xp.sum(hit, axis=axes, keepdims=True))
        self.axes = axes
        return out if keepdims else xp.reshape(out, tuple(n for i, n in enumerate(a.shape) if i not in axes))

    def backward(self, g):
        (weights,) = self.saved_tensors
        return _expand_back(self.F, g, tuple(weights.shape), self.axes) * weights


class Max(_Extreme):
    reduce = "max"


class Min(_Extreme):
    reduce = "min"


class LogSumExp(Op):
    """z = log sum_i e^{a_i}, computed as m + log sum_i e^{a_i - m} with m = max a;
    dz/da_i = e^{a_i - z} (the softmax)"""

    def forward(self, a, axes, keepdims):
        xp = self.xp
        m = xp.max(a, axis=axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, xp.zeros_like(m))
        out = xp.log(xp.sum(xp.exp(a - m), axis=axes, keepdims=True)) + m
        self.axes = axes
        self.keepdims = keepdims
        if not keepdims:
            out = xp.reshape(out, tuple(n for i, n in enumerate(a.shape) if i not in axes))
        self.save_for_backward(a, out)  # the returned array: saved as the output, so double backward sees it
        return out

    def backward(self, g):
        a, out = self.saved_tensors
        F = self.F
        if not self.keepdims:
            out = F.reshape(out, _kept_shape(a.shape, self.axes))
        return _expand_back(F, g, a.shape, self.axes) * F.exp(a - out)


def _axes(a, axis, dim, op):
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{op}: give axis or dim, not both")
        axis = dim
    return normalize_axes(axis, a.ndim, op)


def _keep(keepdims, keepdim):
    return bool(keepdims or keepdim)


def sum(a, axis=None, keepdims=False, *, dim=None, keepdim=False):
    """Sum over ``axis``: ``mg.sum(a, axis)`` or ``a.sum(axis)``.

    z = sum_i a_i over the reduced axes;  dz/da_i = 1 (the gradient is broadcast back).
    ``axis``: None (all axes), an int or a tuple of ints (``dim`` is PyTorch's alias); the reduced axes
    are dropped, or kept with size 1 if ``keepdims`` (alias ``keepdim``).
    As ``torch.sum``; an empty reduction gives 0.
    """
    return Sum.apply(a, axes=_axes(a, axis, dim, "sum"), keepdims=_keep(keepdims, keepdim))


def mean(a, axis=None, keepdims=False, *, dim=None, keepdim=False):
    """Arithmetic mean over ``axis``: ``mg.mean(a, axis)`` or ``a.mean(axis)``.

    z = (1/n) sum_i a_i, n = the number of reduced elements;  dz/da_i = 1/n.
    ``axis``: None (all axes), an int or a tuple of ints (``dim`` is PyTorch's alias); the reduced axes
    are dropped, or kept with size 1 if ``keepdims`` (alias ``keepdim``).
    As ``torch.mean``.
    """
    return Mean.apply(a, axes=_axes(a, axis, dim, "mean"), keepdims=_keep(keepdims, keepdim))


def var(a, axis=None, keepdims=False, correction=0, *, dim=None, keepdim=False, ddof=None, unbiased=None):
    """Variance over ``axis``: ``mg.var(a, axis)`` or ``a.var(axis)``.

    z = 1/(n - correction) sum_i (a_i - mean(a))^2, n = the number of reduced elements;
    dz/da_i = 2 (a_i - mean(a)) / (n - correction).
    ``axis``: None (all axes), an int or a tuple of ints (``dim`` is PyTorch's alias); the reduced axes
    are dropped, or kept with size 1 if ``keepdims`` (alias ``keepdim``).
    ``correction=0`` (the default here) is the biased variance of NumPy, of the course and of batch
    norm's normalisation; ``correction=1`` (or ``unbiased=True``, ``ddof=1``) is the unbiased estimate
    and PyTorch's default.  ``n - correction <= 0`` raises ``ValueError``.
    """
    if ddof is not None:
        correction = ddof
    if unbiased is not None:
        correction = 1 if unbiased else 0
    axes = _axes(a, axis, dim, "var")
    n = 1
    for ax in axes:
        n *= a.shape[ax]
    if n - correction <= 0:
        raise ValueError(f"var: correction={correction} needs more than {correction} element(s) over axes "
                         f"{axes} of a tensor of shape {a.shape}, but there are {n}")
    centered = a - mean(a, axis=axes, keepdims=True)
    return sum(centered * centered, axis=axes, keepdims=_keep(keepdims, keepdim)) * (1.0 / (n - correction))


def std(a, axis=None, keepdims=False, correction=0, *, dim=None, keepdim=False, ddof=None, unbiased=None):
    """Standard deviation over ``axis``: ``mg.std(a, axis)`` or ``a.std(axis)``.

    z = sqrt(var(a, axis, correction=correction));  dz/da_i = (a_i - mean(a)) / ((n - correction) z)
    (nan where z = 0, i.e. all reduced elements equal; PyTorch gives 0 there).
    Arguments as :func:`var` (default ``correction=0``, the biased form; PyTorch's default is 1).
    """
    axes = _axes(a, axis, dim, "std")  # checked here, so errors name std, not var
    return sqrt(var(a, axes, keepdims, correction, keepdim=keepdim, ddof=ddof, unbiased=unbiased))


def max(a, axis=None, keepdims=False, *, dim=None, keepdim=False):
    """Largest value over ``axis``: ``mg.max(a, axis)`` or ``a.max(axis)``.

    z = max_i a_i;  dz/da_i = [a_i == z] / (number of ties): tied maxima share the gradient equally,
    as ``torch.amax`` (and ``torch.max(a)`` without ``dim``) do.  Returns the values only, not
    ``(values, indices)`` like ``torch.max(a, dim)``.
    ``axis``: None (all axes), an int or a tuple of ints (``dim`` is PyTorch's alias); the reduced axes
    are dropped, or kept with size 1 if ``keepdims`` (alias ``keepdim``).
    An empty tensor raises ``ValueError``.

    >>> import minigrad as mg
    >>> x = mg.tensor([[1.0, 5.0, 5.0], [4.0, 0.0, 2.0]], requires_grad=True)
    >>> x.max(axis=1).sum().backward()
    >>> x.grad
    tensor([[0. , 0.5, 0.5],
            [1. , 0. , 0. ]], dtype=float32, device='cpu')
    """
    return Max.apply(a, axes=_axes(a, axis, dim, "max"), keepdims=_keep(keepdims, keepdim))


def min(a, axis=None, keepdims=False, *, dim=None, keepdim=False):
    """Smallest value over ``axis``: ``mg.min(a, axis)`` or ``a.min(axis)``.

    z = min_i a_i;  dz/da_i = [a_i == z] / (number of ties): tied minima share the gradient equally,
    as ``torch.amin`` (and ``torch.min(a)`` without ``dim``) do.  Returns the values only, not
    ``(values, indices)`` like ``torch.min(a, dim)``.
    ``axis``: None (all axes), an int or a tuple of ints (``dim`` is PyTorch's alias); the reduced axes
    are dropped, or kept with size 1 if ``keepdims`` (alias ``keepdim``).
    An empty tensor raises ``ValueError``.
    """
    return Min.apply(a, axes=_axes(a, axis, dim, "min"), keepdims=_keep(keepdims, keepdim))


def logsumexp(a, axis=None, keepdims=False, *, dim=None, keepdim=False):
    """log(sum(exp(a))) over ``axis``: ``mg.logsumexp(a, axis)`` or ``a.logsumexp(axis)``.

    z = m + log sum_i e^(a_i - m), m = max_i a_i, so finite for large |a|;  dz/da_i = e^(a_i - z)
    (the softmax of ``a`` over ``axis``).
    ``axis``: None (all axes), an int or a tuple of ints (``dim`` is PyTorch's alias); the reduced axes
    are dropped, or kept with size 1 if ``keepdims`` (alias ``keepdim``).
    As ``torch.logsumexp``.
    """
    return LogSumExp.apply(a, axes=_axes(a, axis, dim, "logsumexp"), keepdims=_keep(keepdims, keepdim))

