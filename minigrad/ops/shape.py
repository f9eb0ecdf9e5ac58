"""Shape and indexing ops: reshape, permute, broadcast, concatenate, pad, indexing.

All of them move values without changing them, so each backward moves the gradient back:
reshape back, permute by the inverse permutation, sum over broadcast axes (``sum_to``, the one
place where broadcasting is undone), slice the gradient of a concatenation, and scatter-add
the gradient of an indexing (repeated integer indices accumulate).
"""
from __future__ import annotations

import builtins
import operator

from ..errors import AxisError
from ..function import Op
from ..tensor import Tensor
from ..view_links import mark_multi_output

__all__ = ["reshape", "permute", "transpose", "broadcast_to", "expand", "sum_to", "squeeze", "unsqueeze",
           "flatten", "concatenate", "cat", "stack", "split", "pad", "getitem", "normalize_axes"]


# ----- argument checking ---------------------------------------------------------------
_ALL_AXES = [tuple(range(n)) for n in range(33)]


def normalize_axes(axis, ndim, op):
    """``axis`` (None, int or tuple) as a sorted tuple of non-negative ints, checked."""
    if axis is None:
        return _ALL_AXES[ndim] if ndim < 33 else tuple(range(ndim))
    if axis.__class__ is int and 0 <= axis < ndim:
        return (axis,)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for ax in axes:
        try:
            ax = operator.index(ax)
        except TypeError:
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}") from None
        if not -builtins.max(ndim, 1) <= ax < builtins.max(ndim, 1) or (ndim == 0 and ax not in (0, -1)):
            raise AxisError(f"{op}: axis {ax} is out of range for a tensor with {ndim} dimension(s) "
                             f"(valid: {-ndim} .. {ndim - 1})")
        out.append(ax % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis!r}")
    return tuple(sorted(out)) if ndim else ()


def _normalize_axis(axis, ndim, op):
    try:
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(f"{op}: axis must be an int, got {axis!r}") from None
    if not -ndim <= axis < ndim:
        raise AxisError(f"{op}: axis {axis} is out of range for a tensor with {ndim} dimension(s)")
    return axis % ndim


def _shape_arg(shape, op):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    try:
        return tuple(operator.index(n) for n in shape)
    except TypeError:
        raise TypeError(f"{op}: shape must be ints, got {shape!r}") from None


# ----- ops -------------------------------------------------------------------------------
class Reshape(Op):
    """z = a with a new shape (same elements, C order);  dz/da: reshape back"""

    is_view = True

    def forward(self, a, shape):
        self.in_shape = a.shape
        return self.xp.reshape(a, shape)

    def backward(self, g):
        return self.F.reshape(g, self.in_shape)


class Permute(Op):
    """z = a with axes reordered by ``axes``;  dz/da: reorder by the inverse permutation"""

    is_view = True

    def forward(self, a, axes):
        self.axes = axes
        return self.xp.permute_dims(a, axes)

    def backward(self, g):
        inverse = [0] * len(self.axes)
        for i, ax in enumerate(self.axes):
            inverse[ax] = i
        return self.F.permute(g, tuple(inverse))


class BroadcastTo(Op):
    """z = a repeated along broadcast axes;  dz/da = the sum of the gradient over them"""

    is_view = True

    def forward(self, a, shape):
        self.in_shape = a.shape
        return self.xp.broadcast_to(a, shape)

    def backward(self, g):
        return self.F.sum_to(g, self.in_shape)


class SumTo(Op):
    """z = a summed over the axes along which ``shape`` was broadcast to a's shape;
    dz/da: broadcast back"""

    def forward(self, a, shape):
        self.in_shape = a.shape
        lead = a.ndim - len(shape)
        if a.shape[lead:] == shape:  # the common case, a bias: only leading axes were added
            return self.xp.sum(a, axis=_ALL_AXES[lead] if lead < 33 else tuple(range(lead)))
        axes = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(shape) if n == 1 and a.shape[lead + i] != 1)
        out = self.xp.sum(a, axis=axes, keepdims=True) if axes else a
        return self.xp.reshape(out, shape)

    def backward(self, g):
        return self.F.broadcast_to(g, self.in_shape)


class Concatenate(Op):
    """z = [a_1, a_2, ...] joined along ``axis`` in their promoted dtype (as ``torch.cat``);
    dz/da_k = the slice of the gradient of a_k"""

    promotes = True

    def forward(self, *arrays, axis, device):
        self.axis = axis
        self.sizes = [a.shape[axis] for a in arrays]
        self.dev = device
        return self.xp.concat(arrays, axis=axis)

    def backward(self, g):
        grads, start = [], 0
        for size, need in zip(self.sizes, self.needs_input_grad):
            if need:
                index = (slice(None),) * self.axis + (slice(start, start + size),)
                grads.append(self.F.getitem(g, index, self.dev))
            else:
                grads.append(None)
            start += size
        return tuple(grads)


class Pad(Op):
    """z = a surrounded by ``value`` (``pad_width`` per axis: (before, after));
    dz/da = the gradient's central block"""

    def forward(self, a, pad_width, value, device):
        xp = self.xp
        self.dev = device
        out_shape = tuple(n + lo + hi for n, (lo, hi) in zip(a.shape, pad_width))
        out = xp.full(out_shape, value, dtype=a.dtype, **_device_kw(a))
        self.inner = tuple(slice(lo, lo + n) for n, (lo, _) in zip(a.shape, pad_width))
        out[self.inner] = a
        return out

    def backward(self, g):
        return self.F.getitem(g, self.inner, self.dev)


class GetItem(Op):
    """z = a[key] (NumPy indexing rules);  dz/da = zeros with the gradient scattered (added) at key"""

    is_view = True

    def forward(self, a, key, device):
        self.key, self.in_shape, self.dev = key, a.shape, device
        if _copies(key):
            self.is_view = False  # integer-array or mask indexing copies: no shared version counter
        elif _picks_one_element(key, a.ndim):  # a[i, j] would be NumPy's scalar (a copy); a[i, j, ...]
            return device.getitem(a, (key if key.__class__ is tuple else (key,)) + (Ellipsis,))  # a 0-d view
        return device.getitem(a, key)

    def backward(self, g):
        return self.F.index_add(g, self.in_shape, self.key, self.dev)


class IndexAdd(Op):
    """z = zeros(shape) with a added at key (repeated indices accumulate);  dz/da = z-gradient[key]"""

    def forward(self, a, shape, key, device):
        self.key, self.dev = key, device
        xp = self.xp
        if _is_plain_key(key) and device.type != "strict":  # no index repeats: assignment is enough
            out = xp.zeros(shape, dtype=a.dtype)
            out[key] = a
            return out
        return device.scatter_add(shape, key, a, a.dtype)

    def backward(self, g):
        return self.F.getitem(g, self.key, self.dev)


def _picks_one_element(key, ndim):
    """Whether ``key`` is one int per axis (NumPy returns a scalar, not a view, for it)."""
    if key.__class__ is int:
        return ndim == 1
    return key.__class__ is tuple and len(key) == ndim and all(k.__class__ is int for k in key)


def _device_kw(a):
    return {"device": a.device} if type(a).__module__.startswith("array_api_strict") else {}


def _copies(key):
    """Whether indexing with ``key`` surely makes a copy: it holds an integer array of one or more
    dimensions, or a boolean mask (a 0-d integer array indexes like an int, which may give a view)."""
    parts = key if isinstance(key, tuple) else (key,)
    return any(getattr(k, "ndim", 0) > 0 or "bool" in str(getattr(k, "dtype", "")) for k in parts)


def _is_plain_key(key):
    """Basic indexing or a single boolean mask: no element is selected twice."""
    parts = key if isinstance(key, tuple) else (key,)
    arrays = [k for k in parts if not (isinstance(k, (int, slice)) or k is None or k is Ellipsis)]
    if not arrays:
        return True
    return len(arrays) == 1 and str(getattr(arrays[0], "dtype", "")).endswith("bool")


# ----- public functions ------------------------------------------------------------------
def reshape(a, *shape):
    """``a`` with a new shape, same elements in C order: ``mg.reshape(a, shape)``, ``a.reshape(2, -1)``, ``a.view``.

    ``shape`` is a tuple or separate ints; one entry may be -1 (inferred).  The element count must
    match (``ValueError`` otherwise).  dz/da: the gradient reshaped back to ``a.shape``.  A no-op
    reshape returns ``a`` itself.  As ``torch.reshape`` (``view`` is an alias: no stride rules here).
    """
    if len(shape) == 1 and shape[0].__class__ is tuple:
        shape = shape[0]
        if shape == a.array.shape:
            return a
        if -1 not in shape and _prod(shape) == a.array.size:
            return Reshape.apply(a, shape=shape)
    shape = _shape_arg(shape, "reshape")
    if shape == a.array.shape:
        return a
    size = 1
    for n in shape:
        size *= n if n != -1 else 1
    unknown = shape.count(-1)
    total = a.array.size
    if unknown > 1 or (unknown == 0 and size != total) or (unknown == 1 and (size == 0 or total % size)):
        raise ValueError(f"reshape: cannot reshape a tensor of shape {tuple(a.shape)} ({total} elements) "
                         f"into shape {shape}")
    if unknown:
        shape = tuple(total // size if n == -1 else n for n in shape)
    return Reshape.apply(a, shape=shape)


def permute(a, *axes):
    """``a`` with its axes reordered: ``mg.permute(a, axes)`` or ``a.permute(1, 0, 2)``.

    Output axis i is input axis ``axes[i]`` (a tuple or separate ints, negatives count from the end;
    a permutation of all axes);  dz/da: the gradient permuted by the inverse permutation.
    As ``torch.permute``.
    """
    if len(axes) == 1 and axes[0].__class__ is tuple and len(axes[0]) == a.array.ndim == 2:
        if axes[0] == (0, 1):
            return a
        if axes[0] == (1, 0):
            return Permute.apply(a, axes=(1, 0))
    axes = _shape_arg(axes, "permute")
    nd = a.ndim
    if sorted(ax % nd if nd else ax for ax in axes) != list(range(nd)):
        raise ValueError(f"permute: {axes} is not a permutation of the {nd} axes of a tensor of shape {a.shape}")
    axes = tuple(ax % nd for ax in axes)
    if axes == tuple(range(nd)):
        return a
    return Permute.apply(a, axes=axes)


def transpose(a, axis0=-2, axis1=-1):
    """Swap axes ``axis0`` and ``axis1``: ``mg.transpose(a, 0, 1)`` or ``a.transpose()``.

    By default the last two axes (``a.mT``); a 0-d or 1-D tensor is returned as is with the defaults;
    dz/da: the gradient with the same two axes swapped back.  As ``torch.transpose(a, dim0, dim1)``
    when both axes are given.
    """
    nd = a.array.ndim
    if axis0 == -2 and axis1 == -1:
        if nd < 2:
            return a
        return Permute.apply(a, axes=_ALL_AXES[nd - 2] + (nd - 1, nd - 2) if nd < 33 else
                             tuple(range(nd - 2)) + (nd - 1, nd - 2))
    i, j = _normalize_axis(axis0, a.ndim, "transpose"), _normalize_axis(axis1, a.ndim, "transpose")
    axes = list(range(a.ndim))
    axes[i], axes[j] = axes[j], axes[i]
    return permute(a, tuple(axes))


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def broadcast_to(a, *shape):
    """``a`` repeated to ``shape`` by broadcasting (NumPy's = PyTorch's rules): ``a.broadcast_to(shape)``.

    Size-1 axes are repeated and leading axes added;  dz/da: the gradient summed over the broadcast
    axes back to ``a.shape``.  ``ValueError`` if ``a.shape`` does not broadcast to ``shape``.
    As ``torch.broadcast_to``.
    """
    if len(shape) == 1 and shape[0].__class__ is tuple and a.array.ndim == 0:
        return BroadcastTo.apply(a, shape=shape[0]) if shape[0] else a  # a 0-d tensor fits any shape
    shape = _shape_arg(shape, "broadcast_to")
    if shape == a.array.shape:
        return a
    src = a.shape
    ok = len(shape) >= len(src) and all(s in (1, n) for s, n in zip(src[::-1], shape[::-1]))
    if not ok:
        raise ValueError(f"broadcast_to: cannot broadcast a tensor of shape {src} to shape {shape}")
    return BroadcastTo.apply(a, shape=shape)


def expand(a, *shape):
    """PyTorch's ``expand``: :func:`broadcast_to`, with -1 meaning "keep this axis's size".

    ``mg.expand(a, 3, -1)`` or ``a.expand(3, -1)``;  dz/da: the gradient summed over the expanded axes.
    As ``torch.Tensor.expand``.
    """
    shape = _shape_arg(shape, "expand")
    lead = len(shape) - a.ndim
    shape = tuple(a.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(shape))
    return broadcast_to(a, shape)


def sum_to(a, shape):
    """Sum ``a`` down to ``shape``, undoing broadcasting: ``mg.sum_to(a, shape)`` or ``a.sum_to(shape)``.

    z = a summed over the axes along which ``shape`` broadcasts to ``a.shape`` (leading axes dropped,
    size-1 axes kept);  dz/da: the gradient broadcast back to ``a.shape``.  The rule every broadcasting
    op's backward uses.  ``ValueError`` if ``shape`` does not broadcast to ``a.shape``.
    """
    shape = tuple(shape)
    if shape == a.array.shape:
        return a
    src = a.shape
    if len(shape) > len(src) or not all(s in (1, n) for s, n in zip(shape[::-1], src[::-1])):
        raise ValueError(f"sum_to: shape {shape} does not broadcast to {src}")
    return SumTo.apply(a, shape=shape)


def squeeze(a, axis=None, *, dim=None):
    """Remove axes of size 1: all of them, or those in ``axis`` (``dim`` alias): ``a.squeeze(0)``.

    dz/da: the gradient reshaped back.  Naming an axis whose size is not 1 raises ``ValueError``
    (``torch.squeeze`` returns the tensor unchanged there).
    """
    axis = dim if axis is None else axis
    if axis is None:
        axes = tuple(i for i, n in enumerate(a.shape) if n == 1)
    else:
        axes = normalize_axes(axis, a.ndim, "squeeze")
        for ax in axes:
            if a.shape[ax] != 1:
                raise ValueError(f"squeeze: axis {ax} of a tensor of shape {a.shape} has size {a.shape[ax]}, not 1")
    return reshape(a, tuple(n for i, n in enumerate(a.shape) if i not in axes))


def unsqueeze(a, axis):
    """Insert an axis of size 1 at position ``axis`` of the result: ``mg.unsqueeze(a, 0)``, ``a.unsqueeze(-1)``.

    ``axis`` in [-a.ndim - 1, a.ndim];  dz/da: the gradient reshaped back.  As ``torch.unsqueeze``.
    """
    axis = _normalize_axis(axis, a.ndim + 1, "unsqueeze")
    shape = list(a.shape)
    shape.insert(axis, 1)
    return reshape(a, tuple(shape))


def flatten(a, start_dim=0, end_dim=-1):
    """Merge axes ``start_dim..end_dim`` (inclusive) into one: ``mg.flatten(a)``, ``a.flatten(1)``.

    (d0, ..., ds, ..., de, ...) -> (d0, ..., ds * ... * de, ...); a 0-d tensor becomes shape (1,);
    dz/da: the gradient reshaped back.  As ``torch.flatten`` (defaults 0, -1; ``nn.Flatten`` starts
    at 1).
    """
    if a.ndim == 0:
        return reshape(a, (1,))
    s = _normalize_axis(start_dim, a.ndim, "flatten")
    e = _normalize_axis(end_dim, a.ndim, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    merged = 1
    for n in a.shape[s:e + 1]:
        merged *= n
    return reshape(a, a.shape[:s] + (merged,) + a.shape[e + 1:])


def concatenate(tensors, axis=0, *, dim=None):
    """Join tensors along an existing axis: ``mg.concatenate([a, b], axis=0)`` (``mg.cat``; ``dim`` alias).

    All shapes must match except along ``axis``; z has the sum of their lengths there;
    dz/da_k: the slice of the gradient that a_k filled.  As ``torch.cat``.
    """
    axis = axis if dim is None else dim
    tensors = list(tensors)
    if not tensors:
        raise ValueError("concatenate: needs at least one tensor")
    nd = tensors[0].ndim
    if nd == 0:
        raise ValueError("concatenate: 0-d tensors cannot be concatenated; use stack")
    ax = _normalize_axis(axis, nd, "concatenate")
    for t in tensors[1:]:
        if t.ndim != nd or any(n != m for i, (n, m) in enumerate(zip(t.shape, tensors[0].shape)) if i != ax):
            raise ValueError("concatenate: shapes " + ", ".join(str(x.shape) for x in tensors)
                             + f" differ outside axis {ax}")
    return Concatenate.apply(*tensors, axis=ax, device=tensors[0]._device)


cat = concatenate


def stack(tensors, axis=0, *, dim=None):
    """Join same-shaped tensors along a new axis: ``mg.stack([a, b], axis=0)`` (``dim`` alias).

    z[..., k, ...] = a_k with the new axis at ``axis``;  dz/da_k: slice k of the gradient.
    As ``torch.stack``.
    """
    axis = axis if dim is None else dim
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError("stack: all tensors must have the same shape, got " + ", ".join(str(t.shape) for t in tensors))
    ax = _normalize_axis(axis, tensors[0].ndim + 1, "stack")
    return concatenate([unsqueeze(t, ax) for t in tensors], axis=ax)


def split(a, split_size_or_sections, axis=0, *, dim=None):
    """Split ``a`` into pieces along ``axis``: ``mg.split(a, 2)`` or ``a.split([1, 3], axis=1)`` (``dim`` alias).

    An int gives pieces of that size (the last may be smaller); a list gives each piece's size (they
    must add up to the axis length).  Returns a list of tensors;  d/da: each piece's gradient put back
    in its slice.  As ``torch.split``.
    """
    axis = _normalize_axis(axis if dim is None else dim, a.ndim, "split")
    n = a.shape[axis]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step < 1:
            raise ValueError(f"split: piece size must be positive, got {step}")
        sizes = [builtins.min(step, n - i) for i in range(0, n, step)] or [0]  # an empty axis: one empty piece
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if builtins.sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(f"split: sizes {sizes} do not add up to {n}, the length of axis {axis}")
    pieces, start = [], 0
    for s in sizes:
        pieces.append(getitem(a, (slice(None),) * axis + (slice(start, start + s),)))
        start += s
    mark_multi_output(pieces, "Split")  # PyTorch refuses in-place changes of them in the graph
    return pieces


def pad(a, pad_width, value=0.0):
    """Pad ``a`` with the constant ``value``: ``mg.pad(a, ((0, 0), (1, 2)))`` or ``a.pad(1)``.

    ``pad_width`` is NumPy's form: one (before, after) pair per axis (or one pair for every axis, or
    an int for every side of every axis), all >= 0 -- not ``torch.nn.functional.pad``'s flat tuple
    starting from the last axis.  dz/da: the gradient with the padding sliced off.
    """
    if isinstance(pad_width, int):
        widths = ((pad_width, pad_width),) * a.ndim
    else:
        widths = tuple(tuple(int(v) for v in w) for w in pad_width)
        if len(widths) == 1 and a.ndim > 1:
            widths = widths * a.ndim
    if len(widths) != a.ndim or any(len(w) != 2 or w[0] < 0 or w[1] < 0 for w in widths):
        raise ValueError(f"pad: pad_width {pad_width!r} does not give (before, after) >= 0 for each of the "
                         f"{a.ndim} axes of a tensor of shape {a.shape}")
    return Pad.apply(a, pad_width=widths, value=value, device=a._device)


def normalize_key(key, a):
    """An indexing key with Tensors replaced by arrays on ``a``'s device, checked."""
    parts = key if isinstance(key, tuple) else (key,)
    out = []
    for k in parts:
        if isinstance(k, Tensor):
            if k._device is not a._device:
                raise IndexError(f"getitem: index tensor is on {k._device}, the tensor on {a._device}")
            if k.dtype.is_floating_point:
                raise IndexError(f"getitem: index tensors must be integer or bool, got {k.dtype}")
            k = k.array
        elif isinstance(k, (list,)):
            k = a._device.asarray(k)
        elif _is_numpy_integer(k):
            k = operator.index(k)  # indexes like an int (a view), as in NumPy itself
        elif hasattr(k, "__array_namespace__") or hasattr(k, "__array__") and not isinstance(k, (int, slice)):
            k = a._device.asarray(k)
        out.append(k)
    return tuple(out) if isinstance(key, tuple) or len(out) != 1 else out[0]


def _is_numpy_integer(k):
    """A NumPy integer scalar or 0-d integer array (np.int64(1), np.intp(i), ...)."""
    return type(k).__module__ == "numpy" and getattr(k, "ndim", None) == 0 and k.dtype.kind in "iu"


def getitem(a, key):
    """``a[key]`` with NumPy's indexing rules: ``a[0]``, ``a[:, 1:3]``, ``a[idx]``, ``a[mask]``, ``mg.getitem(a, key)``.

    ``key``: ints, slices, None, Ellipsis, integer arrays / lists / Tensors, or one bool mask;
    dz/da: zeros of ``a.shape`` with the gradient added at ``key`` -- repeated indices accumulate their
    gradients, as in PyTorch.  A bad index raises ``IndexError`` naming the key and the shape.
    """
    key = normalize_key(key, a)
    try:
        return GetItem.apply(a, key=key, device=a._device)
    except IndexError as e:
        raise IndexError(f"getitem: index {_describe_key(key)} is invalid for a tensor of shape {a.shape}: {e}") from None


def _describe_key(key):
    parts = key if isinstance(key, tuple) else (key,)
    return "[" + ", ".join(f"array{tuple(k.shape)}" if hasattr(k, "shape") else repr(k) for k in parts) + "]"

