"""Non-differentiable queries of a tensor's values: ``any``, ``all``, ``argmax``, ``argmin``.

Each returns a new tensor on the same device that is never part of a graph (``requires_grad``
is False): booleans and indices have no gradient.  They are installed as Tensor methods
(``x.argmax(axis=1)``) and behave as the NumPy functions of the same name on the tensor's data.
"""
from __future__ import annotations

import operator

from .errors import AxisError, ShapeError
from .tensor import Tensor

__all__ = ["any", "all", "argmax", "argmin"]


def _result(t, array):
    return Tensor._make(array, t._device, False, None)


def any(t, axis=None):
    """Whether any element is nonzero (True), over ``axis`` (all axes by default): ``x.any(axis)``.

    A bool tensor of ``t``'s shape without ``axis`` (0-d for all axes); not differentiable.
    As ``numpy.any`` / ``torch.any`` (``axis`` is an int, a tuple or None).
    """
    return _result(t, t._device.xp.any(t.array, axis=axis))


def all(t, axis=None):
    """Whether every element is nonzero (True), over ``axis`` (all axes by default): ``x.all(axis)``.

    A bool tensor of ``t``'s shape without ``axis`` (0-d for all axes); not differentiable.
    As ``numpy.all`` / ``torch.all`` (``axis`` is an int, a tuple or None).
    """
    return _result(t, t._device.xp.all(t.array, axis=axis))


def argmax(t, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Index of the largest value along ``dim``: ``x.argmax(dim=1)`` gives the course's predicted class.

    PyTorch's ``dim``/``keepdim``; NumPy's ``axis``/``keepdims`` are accepted as aliases.
    ``dim=None``: the index into the flattened tensor (0-d; with ``keepdim`` all axes kept with
    size 1).  Ties give the first index, as NumPy and PyTorch do.  An int64 tensor, the reduced
    axis dropped or kept with size 1 if ``keepdim``; not differentiable.  A ``dim`` out of range
    raises :class:`~minigrad.errors.AxisError` (an IndexError, as in PyTorch).  As ``torch.argmax``.
    """
    return _arg_extreme(t, "argmax", dim if axis is None else axis, keepdim if keepdims is None else keepdims)


def argmin(t, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Index of the smallest value along ``dim``: ``x.argmin(dim=1)``.

    PyTorch's ``dim``/``keepdim``; NumPy's ``axis``/``keepdims`` are accepted as aliases.
    ``dim=None``: the index into the flattened tensor (0-d; with ``keepdim`` all axes kept with
    size 1).  Ties give the first index, as NumPy and PyTorch do.  An int64 tensor; not
    differentiable.  A ``dim`` out of range raises :class:`~minigrad.errors.AxisError` (an
    IndexError).  As ``torch.argmin``.
    """
    return _arg_extreme(t, "argmin", dim if axis is None else axis, keepdim if keepdims is None else keepdims)


def _arg_extreme(t, op, dim, keepdim):
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(t).__name__}")
    xp = t._device.xp
    data = t.array
    if dim is None:
        _check_extent(op, data.size, t)
        out = getattr(xp, op)(xp.reshape(data, (-1,)))
        if keepdim:
            out = xp.reshape(out, (1,) * data.ndim)
    else:
        ndim = data.ndim
        try:
            d = operator.index(dim)
        except TypeError:
            raise TypeError(f"{op}: dim must be an int or None, got {dim!r}") from None
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise AxisError(f"{op}: dim {d} is out of range for a tensor with {ndim} dimension(s) "
                            f"(expected to be in range [{-max(ndim, 1)}, {max(ndim, 1) - 1}])")
        if ndim == 0:  # PyTorch: dim 0 or -1 of a 0-d tensor is the tensor itself
            out = xp.reshape(getattr(xp, op)(xp.reshape(data, (1,))), ())
        else:
            _check_extent(op, data.shape[d % ndim], t)
            out = getattr(xp, op)(data, axis=d % ndim, keepdims=bool(keepdim))
    return _result(t, xp.astype(xp.asarray(out), xp.int64))


def _check_extent(op, n, t):
    if n == 0:
        raise ShapeError(f"{op}: cannot take the {op} over an empty axis (tensor of shape {t.shape})")
