"""Non-differentiable queries of a tensor's values: ``any``, ``all``, ``argmax``, ``argmin``.

Each returns a new tensor on the same device that is never part of a graph (``requires_grad``
is False): booleans and indices have no gradient.  They are installed as Tensor methods
(``x.argmax(axis=1)``) and behave as the NumPy functions of the same name on the tensor's data.
"""
from __future__ import annotations

from .tensor import Tensor

__all__ = ["any", "all", "argmax", "argmin"]


def _result(t, array):
    return Tensor._make(array, t._device, False, None)


def any(t, axis=None):
    """Whether any element is nonzero (True), over ``axis`` (all axes by default): ``x.any(axis)``.

    A bool tensor of ``t``'s shape without ``axis`` (0-d for all axes); not differentiable.
    As ``numpy.any`` / ``torch.any`` (``axis`` is an int, a tuple or None).
    """
    return _result(t, t._device.xp.any(t.data, axis=axis))


def all(t, axis=None):
    """Whether every element is nonzero (True), over ``axis`` (all axes by default): ``x.all(axis)``.

    A bool tensor of ``t``'s shape without ``axis`` (0-d for all axes); not differentiable.
    As ``numpy.all`` / ``torch.all`` (``axis`` is an int, a tuple or None).
    """
    return _result(t, t._device.xp.all(t.data, axis=axis))


def argmax(t, axis=None, keepdims=False):
    """Index of the largest value along ``axis``: ``x.argmax(axis=1)`` gives the course's predicted class.

    ``axis=None``: the index into the flattened tensor (0-d).  Ties give the first index, as NumPy
    and PyTorch do.  An int64 tensor, the reduced axis dropped or kept with size 1
    if ``keepdims``; not differentiable.  PyTorch's ``dim``/``keepdim`` are not accepted.
    """
    return _result(t, t._device.xp.argmax(t.data, axis=axis, keepdims=keepdims))


def argmin(t, axis=None, keepdims=False):
    """Index of the smallest value along ``axis``: ``x.argmin(axis=1)``.

    ``axis=None``: the index into the flattened tensor (0-d).  Ties give the first index, as NumPy
    and PyTorch do.  An int64 tensor, the reduced axis dropped or kept with size 1
    if ``keepdims``; not differentiable.  PyTorch's ``dim``/``keepdim`` are not accepted.
    """
    return _result(t, t._device.xp.argmin(t.data, axis=axis, keepdims=keepdims))
