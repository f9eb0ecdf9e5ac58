"""Ordering ops: sort, argsort, topk, kthvalue, msort, median, mode, and ``max``/``min`` along a dim.

Each finds int64 positions without a gradient (a stable ``argsort`` through the tensor's
``xp``), then reads the values with :func:`gather`, so the gradient flows through the values
only: d values[i] / d input[indices[i]] = 1, scattered back with repeated positions adding up.
Functions returning values and indices give PyTorch's named tuple with ``.values`` and
``.indices`` (unpackable as a pair).

Ties: ``sort`` / ``argsort`` are stable (equal elements keep their order, also when descending);
``max``/``min``(dim) give the first extreme position (as PyTorch); ``kthvalue``/``median``/``topk``
the element at that rank in the stable sort (PyTorch's pick among tied values depends on its
selection algorithm, so the index -- and where the gradient goes -- may differ on ties; the
values agree); ``mode`` the smallest of the most frequent values, at its last position.  A NaN sorts as the
largest value.  Reducing an axis of length 0 raises IndexError, as in PyTorch.
"""
from __future__ import annotations

import collections

from .indexing import _dim, arange_on, gather, wrap
from .shape import reshape, squeeze

__all__ = ["sort", "argsort", "topk", "kthvalue", "msort", "median", "mode", "extreme_along", "return_types"]


class _ReturnTypes:
    """The named tuples (values, indices) of PyTorch's ``torch.return_types``."""

    def __init__(self, names):
        for name in names:
            setattr(self, name, collections.namedtuple(name, ["values", "indices"]))


return_types = _ReturnTypes(["max", "min", "sort", "topk", "kthvalue", "median", "mode", "cummax", "cummin"])


def _pair(name, values, indices):
    return getattr(return_types, name)(values, indices)


def _nonempty(a, d, op):
    if a.ndim and a.shape[d] == 0:
        raise IndexError(f"{op}: cannot reduce the empty dim {d} (length 0) of a tensor of shape {tuple(a.shape)}")


def _as_1d(a):
    return reshape(a, (1,)) if a.ndim == 0 else a


def _stable_argsort(xp, x, axis, descending):
    """Stable ascending (or descending, equal elements still in order) positions along ``axis``."""
    if not descending:
        return xp.argsort(x, axis=axis, stable=True)
    n = x.shape[axis]
    rev = xp.argsort(xp.flip(x, axis=axis), axis=axis, stable=True)
    return (n - 1) - xp.flip(rev, axis=axis)


def _take(a, idx, d, keepdim, name):
    """(values, indices) of ``a`` at the int64 array ``idx`` (kept axis of size 1 on ``d``)."""
    values = gather(a, d, wrap(idx, a))
    indices = wrap(idx, a)
    if not keepdim:
        values, indices = squeeze(values, d), squeeze(indices, d)
    return _pair(name, values, indices)


def _undo_0d(a, pair, name):
    if a.ndim:
        return pair
    return _pair(name, reshape(pair.values, ()), reshape(pair.indices, ()))


def extreme_along(a, dim, keepdim, op):
    """``max``/``min`` along ``dim``: (values, indices), the first extreme position; gradient to it."""
    from .shape import normalize_axes

    (d,) = normalize_axes(dim, a.ndim, op) if a.ndim else (0,)
    x = _as_1d(a)
    _nonempty(x, d, op)
    xp = a._device.xp
    idx = (xp.argmax if op == "max" else xp.argmin)(x.array, axis=d, keepdims=True)
    return _undo_0d(a, _take(x, xp.astype(idx, xp.int64), d, keepdim or a.ndim == 0, op), op)


def sort(input, dim=-1, descending=False, *, stable=False):
    """(values, indices): ``input`` sorted along ``dim`` (ascending unless ``descending``), and
    where each value came from; values[i] = input[indices[i]] along dim.  Always stable."""
    d = _dim(input, dim, "sort")
    x = _as_1d(input)
    idx = _stable_argsort(input._device.xp, x.array, d, descending)
    return _undo_0d(input, _pair("sort", gather(x, d, wrap(idx, x)), wrap(idx, x)), "sort")


def argsort(input, dim=-1, descending=False, stable=False):
    """The int64 ``indices`` of :func:`sort` (no gradient)."""
    return sort(input, dim, descending, stable=stable).indices


def msort(input):
    """``sort(input, dim=0).values``."""
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True):
    """(values, indices) of the ``k`` largest (``largest=False``: smallest) entries along ``dim``,
    in sorted order.  Gradient: g to the chosen entries."""
    d = _dim(input, dim, "topk")
    x = _as_1d(input)
    n = x.shape[d]
    if not 0 <= k <= n:
        raise IndexError(f"topk: k={k} is out of range for dim {d} of length {n} (shape {tuple(input.shape)})")
    xp = input._device.xp
    idx = _stable_argsort(xp, x.array, d, largest)
    idx = idx[(slice(None),) * d + (slice(0, k), Ellipsis)]
    return _undo_0d(input, _pair("topk", gather(x, d, wrap(idx, x)), wrap(idx, x)), "topk")


def _rank(input, k, dim, keepdim, op):
    """(values, indices) of the element of 0-based rank ``k`` in the stable ascending sort."""
    d = _dim(input, dim, op)
    x = _as_1d(input)
    _nonempty(x, d, op)
    n = x.shape[d]
    if not 0 <= k < n:
        raise IndexError(f"{op}: k={k + 1} is out of range for dim {d} of length {n}")
    xp = input._device.xp
    idx = _stable_argsort(xp, x.array, d, False)[(slice(None),) * d + (slice(k, k + 1), Ellipsis)]
    return _undo_0d(input, _take(x, idx, d, keepdim or input.ndim == 0, op), op)


def kthvalue(input, k, dim=-1, keepdim=False):
    """(values, indices) of the ``k``-th smallest entry (k = 1 is the minimum) along ``dim``."""
    return _rank(input, k - 1, dim, keepdim, "kthvalue")


def median(input, dim=None, keepdim=False):
    """The lower median (the element of rank (n - 1) // 2, PyTorch's, not the mean of the two
    middle ones).  Without ``dim``: a 0-d value of the flattened input; with ``dim``: the pair
    (values, indices).  Gradient: g to the median element."""
    if dim is None:
        flat = reshape(input, (-1,))
        _nonempty(flat, 0, "median")
        return reshape(_rank(flat, (flat.shape[0] - 1) // 2, 0, False, "median").values, ())
    d = _dim(input, dim, "median")
    n = input.shape[d] if input.ndim else 1
    return _rank(input, (n - 1) // 2, d, keepdim, "median")


def mode(input, dim=-1, keepdim=False):
    """(values, indices): the most frequent value along ``dim`` (the smallest of the most frequent
    ones), and the position of its last occurrence.  Counting compares all pairs: O(n^2) memory
    per row.  Gradient: g to that position."""
    d = _dim(input, dim, "mode")
    x = _as_1d(input)
    _nonempty(x, d, "mode")
    xp = input._device.xp
    a = xp.moveaxis(x.array, d, -1)
    n = a.shape[-1]
    eq = xp.expand_dims(a, axis=-1) == xp.expand_dims(a, axis=-2)  # (..., n, n)
    counts = xp.sum(xp.astype(eq, xp.int64), axis=-1)  # (..., n)
    best = xp.max(counts, axis=-1, keepdims=True)
    # among the most frequent: the smallest value, then its last position
    order = _stable_argsort(xp, a, -1, False)  # ascending values
    sorted_counts = xp.take_along_axis(counts, order, axis=-1)
    first = xp.argmax(xp.astype(sorted_counts == best, xp.int8), axis=-1, keepdims=True)
    value_pos = xp.take_along_axis(order, first, axis=-1)
    value = xp.take_along_axis(a, value_pos, axis=-1)
    pos = arange_on(input._device, n)
    last = xp.max(xp.where(a == value, pos, xp.zeros_like(pos) - 1), axis=-1, keepdims=True)
    idx = xp.moveaxis(xp.astype(last, xp.int64), -1, d)
    return _undo_0d(input, _take(x, idx, d, keepdim or input.ndim == 0, "mode"), "mode")


