"""Reductions over axes: sum, mean, var, std, max, min, logsumexp, amax, amin, prod.

``axis`` is None (all axes), an int or a tuple of ints, negative counting from the end;
``keepdims`` keeps reduced axes with size 1.  PyTorch's ``dim`` / ``keepdim`` are accepted as
aliases (``max``/``min`` with ``dim`` give PyTorch's ``(values, indices)`` pair, see
minigrad/ops/ordering.py).  The gradient of the full ``max``/``min`` and of ``amax``/``amin`` is
shared equally among tied maxima (minima), as PyTorch's ``amax`` does.
"""
from __future__ import annotations

import builtins
import math

from ..function import Op
from .shape import _device_kw, normalize_axes

__all__ = ["sum", "mean", "var", "std", "max", "min", "logsumexp", "amax", "amin", "var_mean", "std_mean",
           "count_nonzero", "any", "all"]


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

    def forward(self, a, axes, keepdims, name=None):
        xp = self.xp
        if builtins.any(a.shape[ax] == 0 for ax in axes):  # reducing an empty axis; other empty axes are fine
            raise ValueError(f"{name or self.reduce}: cannot reduce an empty axis (axes {axes}) of a tensor of shape "
                             f"{tuple(a.shape)}")
        out = getattr(xp, self.reduce)(a, axis=axes, keepdims=True)
        hit = xp.astype(a == out, a.dtype)
        self.save_for_backward(hit / xp.sum(hit, axis=axes, keepdims=True))
        self.axes = axes
        return out if keepdims else xp.reshape(out, tuple(n for i, n in enumerate(a.shape) if i not in axes))

    def backward(self, g):
        (weights,) = self.saved_tensors
        return _expand_back(self.F, g, tuple(weights.shape), self.axes) * weights


class Max(_Extreme):
    """z = max a over ``axes``;  dz/da_i = [a_i == z] / #ties (tied maxima share the gradient)"""

    reduce = "max"


class Min(_Extreme):
    """z = min a over ``axes``;  dz/da_i = [a_i == z] / #ties (tied minima share the gradient)"""

    reduce = "min"


class LogSumExp(Op):
    """z = log sum_i e^{a_i}, computed as m + log sum_i e^{a_i - m} with m = max a;
    dz/da_i = e^{a_i - z} (the softmax)"""

    def forward(self, a, axes, keepdims):
        xp = self.xp
        if builtins.any(a.shape[ax] == 0 for ax in axes):  # an empty sum: log 0 = -inf, as PyTorch gives
            out = xp.full(_kept_shape(a.shape, axes), -math.inf, dtype=a.dtype, **_device_kw(a))
        else:
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


def _correction(op, correction, ddof, unbiased):
    if ddof is not None:
        correction = ddof
    if unbiased is not None:
        correction = 1 if unbiased else 0
    if correction is None:
        correction = 1
    if correction < 0:
        raise ValueError(f"{op}: correction must be >= 0, got {correction}")
    return correction


def var(a, axis=None, keepdims=False, correction=None, *, dim=None, keepdim=False, ddof=None, unbiased=None):
    """Variance (1 / max(0, n - correction)) sum_i (a_i - mean)^2 over ``axis`` (all axes by default).

    PyTorch's default, ``correction=1``: the unbiased estimate (Bessel's correction).  The course's,
    NumPy's and batch norm's biased form is ``correction=0`` (``unbiased=False`` and ``ddof=0`` are
    accepted as aliases).  As in PyTorch, n - correction <= 0 (a single element with correction 1,
    or an empty axis) divides by 0: NaN (inf where the squared deviations are not all 0).
    Gradient: 2 (a_i - mean) / (n - correction).
    """
    correction = _correction("var", correction, ddof, unbiased)
    axes = _axes(a, axis, dim, "var")
    n = 1
    for ax in axes:
        n *= a.shape[ax]
    dof = builtins.max(0, n - correction)
    centered = a - mean(a, axis=axes, keepdims=True)
    return sum(centered * centered, axis=axes, keepdims=_keep(keepdims, keepdim)) * (1.0 / dof if dof else math.inf)


def std(a, axis=None, keepdims=False, correction=None, *, dim=None, keepdim=False, ddof=None, unbiased=None):
    """Standard deviation: sqrt of :func:`var` with the same arguments (PyTorch's default
    ``correction=1``; ``correction=0`` is the biased form).  Gradient (a_i - mean) / ((n - correction) std);
    where std = 0 (all reduced entries equal) the gradient is 0, PyTorch's choice, not 0/0."""
    axes = _axes(a, axis, dim, "std")  # checked here, so errors name std, not var
    correction = _correction("std", correction, ddof, unbiased)
    return StdFromVar.apply(var(a, axes, keepdims, correction, keepdim=keepdim))


class StdFromVar(Op):
    """z = sqrt(v) for a variance v;  dz/dv = 1 / (2 z), and 0 where z = 0 (PyTorch's std gradient
    at a constant input: masked to 0 instead of 1/0)"""

    def forward(self, v):
        out = self.xp.sqrt(v)
        self.save_for_backward(out)
        return out

    def backward(self, g):
        (z,) = self.saved_tensors
        F = self.F
        zero = F.array_of(z) == 0
        return F.where(zero, 0.0, g / (F.where(zero, 1.0, z) * 2.0))


def var_mean(a, dim=None, *, correction=None, keepdim=False, unbiased=None, axis=None, keepdims=False):
    """PyTorch's ``var_mean``: the tuple ``(var(a, dim, correction), mean(a, dim))``, default correction=1."""
    axes = _axes(a, axis, dim, "var_mean")
    keep = _keep(keepdims, keepdim)
    return (var(a, axes, keep, _correction("var_mean", correction, None, unbiased)),
            mean(a, axis=axes, keepdims=keep))


def std_mean(a, dim=None, *, correction=None, keepdim=False, unbiased=None, axis=None, keepdims=False):
    """PyTorch's ``std_mean``: the tuple ``(std(a, dim, correction), mean(a, dim))``, default correction=1."""
    axes = _axes(a, axis, dim, "std_mean")
    keep = _keep(keepdims, keepdim)
    return (std(a, axes, keep, _correction("std_mean", correction, None, unbiased)),
            mean(a, axis=axes, keepdims=keep))


def max(a, dim=None, keepdim=False, *, axis=None, keepdims=False):
    """PyTorch's ``max``, with NumPy's ``axis=`` kept.

    * ``max(a)``: the largest value (0-d); ties share the gradient equally (PyTorch's full ``max``).
    * ``max(a, dim, keepdim=False)`` (``dim`` an int, positional or keyword): the named tuple
      ``(values, indices)`` along ``dim``, indices int64 (the first maximum); the gradient goes to
      the element ``indices`` names, as in PyTorch.
    * ``max(a, other)`` with a Tensor ``other``: the elementwise :func:`maximum`.
    * ``max(a, axis=..., keepdims=...)``: NumPy's form, values only, ``axis`` may be a tuple;
      ties share the gradient equally (same as :func:`amax`).
    An axis of length 0 cannot be reduced (ValueError); other empty axes give empty results.

    >>> import minigrad as mg
    >>> x = mg.tensor([[1.0, 5.0, 5.0], [4.0, 0.0, 2.0]], requires_grad=True)
    >>> x.max(axis=1).sum().backward()
    >>> x.grad
    tensor([[0. , 0.5, 0.5],
            [1. , 0. , 0. ]], dtype=float32, device='cpu')
    >>> x.max(dim=1).indices
    tensor([1, 0], dtype=int64, device='cpu')
    """
    return _extreme(a, dim, keepdim, axis, keepdims, "max", Max)


def min(a, dim=None, keepdim=False, *, axis=None, keepdims=False):
    """PyTorch's ``min``: as :func:`max` with the smallest value (``min(a, other)`` is :func:`minimum`)."""
    return _extreme(a, dim, keepdim, axis, keepdims, "min", Min)


def _extreme(a, dim, keepdim, axis, keepdims, op, cls):
    if dim is None or isinstance(dim, (tuple, list)) or axis is not None:  # full or NumPy-style: values
        return cls.apply(a, axes=_axes(a, axis, dim, op), keepdims=_keep(keepdims, keepdim))
    if hasattr(dim, "_device"):  # a Tensor: the elementwise form
        from .elementwise import maximum, minimum

        return (maximum if op == "max" else minimum)(a, dim)
    from .ordering import extreme_along

    return extreme_along(a, dim, keepdim or keepdims, op)


def amax(a, dim=(), keepdim=False, *, axis=None, keepdims=False):
    """PyTorch's ``amax``: the largest value over ``dim`` (an int or a tuple; () or None: all axes).
    Gradient: shared equally among tied maxima, g / #ties each (as PyTorch's amax)."""
    dim = None if dim == () else dim
    return Max.apply(a, axes=_axes(a, axis, dim, "amax"), keepdims=_keep(keepdims, keepdim), name="amax")


def amin(a, dim=(), keepdim=False, *, axis=None, keepdims=False):
    """PyTorch's ``amin``: the smallest value over ``dim``; tied minima share the gradient equally."""
    dim = None if dim == () else dim
    return Min.apply(a, axes=_axes(a, axis, dim, "amin"), keepdims=_keep(keepdims, keepdim), name="amin")


def logsumexp(a, axis=None, keepdims=False, *, dim=None, keepdim=False):
    """log(sum(exp(a))) over ``axis``: ``mg.logsumexp(a, axis)`` or ``a.logsumexp(axis)``.

    z = m + log sum_i e^(a_i - m), m = max_i a_i, so finite for large |a|;  dz/da_i = e^(a_i - z)
    (the softmax of ``a`` over ``axis``).
    ``axis``: None (all axes), an int or a tuple of ints (``dim`` is PyTorch's alias); the reduced axes
    are dropped, or kept with size 1 if ``keepdims`` (alias ``keepdim``).
    As ``torch.logsumexp``.
    """
    return LogSumExp.apply(a, axes=_axes(a, axis, dim, "logsumexp"), keepdims=_keep(keepdims, keepdim))


# ----- not differentiable: counts and truth values -------------------------------------------------
def _flag_reduce(a, dim, keepdim, op, fn):
    from ..tensor import Tensor

    xp = a._device.xp
    axes = _axes(a, None, dim, op)
    data = a.array if a.dtype == "bool" else a.array != 0
    return Tensor._make(fn(xp)(data, axis=axes, keepdims=bool(keepdim)), a._device, False, None)


def count_nonzero(input, dim=None):
    """The number of non-zero entries over ``dim`` (an int, a tuple, or None for all): int64, no gradient."""
    from ..tensor import Tensor

    xp = input._device.xp
    axes = _axes(input, None, dim, "count_nonzero")
    data = input.array != 0 if input.dtype != "bool" else input.array
    return Tensor._make(xp.sum(xp.astype(data, xp.int64), axis=axes), input._device, False, None)


def any(input, dim=None, keepdim=False):
    """Whether any entry over ``dim`` is non-zero (True): a bool tensor, no gradient."""
    return _flag_reduce(input, dim, keepdim, "any", lambda xp: xp.any)


def all(input, dim=None, keepdim=False):
    """Whether every entry over ``dim`` is non-zero (True): a bool tensor, no gradient."""
    return _flag_reduce(input, dim, keepdim, "all", lambda xp: xp.all)
