"""View ops that PyTorch users write in-place changes through: ``diagonal``, ``t`` and ``select``.

Each result shares storage with its input where the backend has strided arrays (NumPy, CuPy),
as in PyTorch, so an in-place op on it changes the input (``x.diagonal().fill_(1)``,
``x.t().mul_(2)``, ``x.select(1, 0).zero_()``; see :mod:`minigrad.ops.view_inplace`).

* ``diagonal(input, offset, dim1, dim2)``: z[..., i] = input[..., i, i + offset] over axes dim1,
  dim2 (moved last, the other axes keep their order; offset < 0: input[..., i - offset, i]).
  Gradient: g written onto that diagonal of zeros.  A view on NumPy, CuPy and array-api-strict
  (through DLPack); a copy only on a backend without strides or host memory, or of read-only
  memory (an ``expand``-ed input), where an in-place change of it does not reach the input.
* ``t(input)``: the transpose of a 2-D tensor (0-D and 1-D come back as they are), as ``torch.t``.
* ``select(input, dim, index)``: ``input[..., index, ...]`` at axis ``dim`` (the axis removed),
  as ``torch.select``; a negative index counts from the end.
"""
from __future__ import annotations

import operator

import numpy as np

from ..function import Op
from .indexing import arange_on
from .shape import _normalize_axis, getitem, transpose

__all__ = ["Diagonal", "diagonal", "t", "select"]


class Diagonal(Op):
    """z = the diagonal ``offset`` of axes (d1, d2) of a, as the last axis;  dz/da = g on that
    diagonal of zeros (the other entries get 0)."""

    is_view = True

    def forward(self, a, offset, d1, d2, device):
        xp = self.xp
        self.perm = tuple(i for i in range(a.ndim) if i not in (d1, d2)) + (d1, d2)
        p = xp.permute_dims(a, self.perm)
        n1, n2 = p.shape[-2], p.shape[-1]
        length = max(0, min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2))
        r0, c0 = (0, offset) if offset >= 0 else (-offset, 0)
        self.pshape, self.dev = p.shape, device
        self.key = (Ellipsis, arange_on(device, length) + r0, arange_on(device, length) + c0)
        view = _strided_diagonal(xp, p, r0, c0, length)
        if view is not None:
            return view
        self.is_view = False  # no strides on this backend: a copy, with a version counter of its own
        return device.getitem(p, self.key)

    def backward(self, g):
        F = self.F
        inverse = [0] * len(self.perm)
        for i, ax in enumerate(self.perm):
            inverse[ax] = i
        return F.permute(F.index_add(g, self.pshape, self.key, self.dev), tuple(inverse))


def _strided_diagonal(xp, p, r0, c0, length):
    """The diagonal of the last two axes of ``p`` from (r0, c0) as a strided view (writable when
    ``p`` is), or None when the array library has no strides.  array-api-strict (host memory, no
    strides in the Array API) gets the NumPy view of its memory back through DLPack, zero-copy."""
    module = type(p).__module__
    if module.startswith("cupy"):
        from cupy.lib.stride_tricks import as_strided

        q = p[..., r0:r0 + length, c0:c0 + length]
        return as_strided(q, q.shape[:-2] + (length,), q.strides[:-2] + (q.strides[-2] + q.strides[-1],))
    host = p
    if not module.startswith("numpy"):
        try:
            host = np.from_dlpack(p)  # array-api-strict: a NumPy view of the same memory
        except (BufferError, TypeError, AttributeError):  # read-only memory, or not on the host
            return None
    q = host[..., r0:r0 + length, c0:c0 + length]
    view = np.lib.stride_tricks.as_strided(q, q.shape[:-2] + (length,),
                                           q.strides[:-2] + (q.strides[-2] + q.strides[-1],),
                                           writeable=q.flags.writeable)
    if host is p:
        return view
    try:
        return xp.from_dlpack(view, device=p.device, copy=False)
    except (BufferError, TypeError, ValueError):
        return None


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal (i, i + offset) of axes ``dim1``, ``dim2``, as the last axis of the result
    (the other axes keep their order), as ``torch.diagonal``: a view of ``input`` (see the module
    docstring).  Gradient: g written back onto that diagonal."""
    if input.ndim < 2:
        raise RuntimeError(f"diagonal: needs at least 2 dimensions, got shape {tuple(input.shape)}")
    d1, d2 = _normalize_axis(dim1, input.ndim, "diagonal"), _normalize_axis(dim2, input.ndim, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal: dim1 and dim2 must differ, both are {d1}")
    return Diagonal.apply(input, offset=operator.index(offset), d1=d1, d2=d2, device=input._device)


def t(input):
    """The transpose of a matrix: (n, m) -> (m, n), a view; 0-D and 1-D tensors are returned as
    they are.  As ``torch.t``: more than 2 dimensions raise (use ``transpose(dim0, dim1)``).
    Gradient: g transposed back."""
    if input.ndim > 2:
        raise RuntimeError(f"t: expects a tensor with <= 2 dimensions, got shape {tuple(input.shape)}; "
                           "use transpose(dim0, dim1) or .mT")
    return transpose(input, 0, 1) if input.ndim == 2 else input


def select(input, dim, index):
    """``input`` at position ``index`` of axis ``dim``, that axis removed (a view), as
    ``torch.select``.  Gradient: g written back at that position (0 elsewhere)."""
    if input.ndim == 0:
        raise IndexError("select: cannot select on a 0-d tensor")
    d = _normalize_axis(dim, input.ndim, "select")
    n, i = input.shape[d], operator.index(index)
    if not -n <= i < n:
        raise IndexError(f"select: index {i} is out of range for dim {d} of length {n} (shape {tuple(input.shape)})")
    return getitem(input, (slice(None),) * d + (i % n,))
