"""PyTorch's indexing ops: gather, scatter_add, index_select, index_add, index_copy, take_along_dim,
masked_fill, masked_select, masked_scatter, nonzero, where(cond) (scatter and scatter_reduce:
minigrad/ops/scatter_reduce.py, on top of the ``Scatter`` op defined here).

Reading ops (gather, index_select, take_along_dim, masked_select) are one advanced-indexing
``getitem``: the key holds the index tensor on ``dim`` and ``arange`` grids on the other axes,
and the gradient is scattered back with the device's scatter-add (repeated indices accumulate,
as in PyTorch).  Writing ops add or copy ``src`` into a copy of ``input``:

* ``scatter_add``/``index_add``: out = input + scatter_add(src); d/dinput = g, d/dsrc = g[key].
* ``scatter``/``index_copy``/``masked_scatter``: out = input with the written places replaced;
  d/dinput = g where nothing was written, else 0; d/dsrc = g[key] (PyTorch's rule, also for
  an element whose place a later duplicate index overwrote).

Index tensors are int64 (any integer dtype is accepted), masks bool; indices are never
differentiable.  Negative indices count from the end, as in NumPy (PyTorch refuses them in
gather/scatter).
"""
from __future__ import annotations

import operator

from ..function import Op
from ..tracing import replayed_whole
from .elementwise import where as _where3
from .shape import GetItem, IndexAdd, _normalize_axis, getitem, reshape

__all__ = ["gather", "scatter_add", "index_select", "index_add", "index_copy", "take_along_dim", "masked_fill",
           "masked_select", "masked_scatter", "nonzero", "where", "arange_on", "along_key", "wrap"]


# ----- helpers shared by the shape/index families -------------------------------------------------
def wrap(array, like):
    """A constant (no gradient) Tensor holding ``array`` on ``like``'s device."""
    from ..tensor import Tensor

    return Tensor._make(array, like._device, False, None)


def arange_on(dev, n):
    """int64 0..n-1 on device ``dev``."""
    xp = dev.xp
    with dev.context():
        if dev.type == "strict":
            return xp.arange(n, dtype=xp.int64, device=dev.native)
        return xp.arange(n, dtype=xp.int64)


def along_key(dev, index, dim):
    """The advanced-indexing key that picks ``a[i_0, .., index[i], .., i_n]`` for every position
    i of the integer array ``index`` (PyTorch's gather rule): ``index`` on ``dim``, an arange
    grid (broadcast to index's shape) on each other axis."""
    xp = dev.xp
    nd = index.ndim
    key = []
    for d in range(nd):
        if d == dim:
            key.append(index)
        else:
            shape = tuple(index.shape[d] if i == d else 1 for i in range(nd))
            key.append(xp.reshape(arange_on(dev, index.shape[d]), shape))
    return tuple(key)


def _index_array(op, index, a, integer=True):
    """The array of an index (or mask) tensor, checked against ``a``'s device and dtype."""
    from ..tensor import Tensor

    if not isinstance(index, Tensor):
        index = Tensor(index, device=a._device)
    if index._device is not a._device:
        raise RuntimeError(f"{op}: index is on {index._device}, the tensor on {a._device}")
    kind = "bool" if str(index.dtype) == "bool" else "int" if "int" in str(index.dtype) else "float"
    if integer and kind != "int":
        raise TypeError(f"{op}: index must be an integer tensor (int64), got {index.dtype}")
    if not integer and kind != "bool":
        raise TypeError(f"{op}: mask must be a bool tensor, got {index.dtype}")
    return index.array


@replayed_whole
def _check_index_range(op, idx, n, dev):
    """IndexError naming ``op`` when an index falls outside [0, n): PyTorch's gather, scatter and
    index_* refuse negative indices, which NumPy would wrap (reads the indices: a compiled step calls
    it again on every replay)."""
    if idx.size == 0:
        return
    xp = dev.xp
    lo, hi = int(dev.to_numpy(xp.min(idx))), int(dev.to_numpy(xp.max(idx)))
    if lo < 0 or hi >= n:
        raise IndexError(f"{op}: index {lo if lo < 0 else hi} is out of bounds for dimension of size {n} "
                         f"(expected 0 <= index < {n})")


def _check_gather_shapes(op, a, idx, dim, src=None):
    if idx.ndim != a.ndim and not (idx.ndim <= 1 and a.ndim <= 1):
        raise RuntimeError(f"{op}: index has {idx.ndim} dimension(s), the tensor of shape {tuple(a.shape)} "
                           f"has {a.ndim}; they must be equal")
    for d in range(idx.ndim):
        if d != dim and idx.shape[d] > a.shape[d]:
            raise RuntimeError(f"{op}: index of shape {tuple(idx.shape)} is larger than the tensor of shape "
                               f"{tuple(a.shape)} on dimension {d}")
        if src is not None and idx.shape[d] > src.shape[d]:
            raise RuntimeError(f"{op}: index of shape {tuple(idx.shape)} is larger than src of shape "
                               f"{tuple(src.shape)} on dimension {d}")
    _check_index_range(op, idx, a.shape[dim] if a.ndim else 1, a._device)


def _crop(t, shape):
    """The leading block of ``t`` of ``shape`` (src of scatter may be larger than index)."""
    if tuple(t.shape) == tuple(shape):
        return t
    return getitem(t, tuple(slice(0, n) for n in shape))


def _dim(a, dim, op):
    return _normalize_axis(dim, a.ndim, op) if a.ndim else _normalize_axis(dim, 1, op)


# ----- reading --------------------------------------------------------------------------------
def gather(input, dim, index, *, sparse_grad=False):
    """out[i][j][k] = input[index[i][j][k]][j][k] (for dim 0; likewise for other dims).

    Shapes: ``index`` has input's number of dimensions and no larger size on any axis but
    ``dim``; the result has index's shape.  Gradient: g scattered back into input's shape,
    repeated indices accumulate.
    """
    d = _dim(input, dim, "gather")
    idx = _index_array("gather", index, input)
    _check_gather_shapes("gather", input, idx, d)
    if input.ndim == 0:  # a 0-d input acts as 1-D of length 1
        flat = input._device.xp.reshape(idx, (-1,))
        return reshape(GetItem.apply(reshape(input, (1,)), key=flat, device=input._device), tuple(idx.shape))
    return GetItem.apply(input, key=along_key(input._device, idx, d), device=input._device)


def take_along_dim(input, indices, dim=None):
    """PyTorch's ``take_along_dim``: gather along ``dim`` with input and ``indices`` broadcast
    against each other on the other axes; ``dim=None`` gathers from the flattened input."""
    from .shape import broadcast_to

    idx_t = indices
    if dim is None:
        return gather(reshape(input, (-1,)), 0, reshape(idx_t, (-1,)))
    d = _dim(input, dim, "take_along_dim")
    if idx_t.ndim != input.ndim:
        raise RuntimeError(f"take_along_dim: input of shape {tuple(input.shape)} and indices of shape "
                           f"{tuple(idx_t.shape)} must have the same number of dimensions")
    shape_a, shape_i = list(input.shape), list(idx_t.shape)
    for i in range(input.ndim):
        if i != d:
            n = shape_a[i] if shape_i[i] == 1 else shape_i[i]
            if shape_a[i] not in (1, n):
                raise RuntimeError(f"take_along_dim: shapes {tuple(input.shape)} and {tuple(idx_t.shape)} "
                                   f"do not broadcast outside dim {d}")
            shape_a[i] = shape_i[i] = n
    return gather(broadcast_to(input, tuple(shape_a)), d, broadcast_to(idx_t, tuple(shape_i)))


def index_select(input, dim, index):
    """Entries of ``input`` at the 1-D (or 0-d) integer ``index`` along ``dim``:
    out.shape = input.shape with dim replaced by len(index).  Gradient: scatter-add of g."""
    d = _dim(input, dim, "index_select")
    idx = _index_array("index_select", index, input)
    if idx.ndim > 1:
        raise RuntimeError(f"index_select: index must be 0-d or 1-D, got shape {tuple(idx.shape)}")
    idx = input._device.xp.reshape(idx, (-1,))
    _check_index_range("index_select", idx, input.shape[d] if input.ndim else 1, input._device)
    if input.ndim == 0:
        return reshape(input, ())
    return GetItem.apply(input, key=(slice(None),) * d + (idx,), device=input._device)


def masked_select(input, mask):
    """The 1-D tensor of ``input``'s entries where the bool ``mask`` holds (input and mask
    broadcast together), in row-major order.  Gradient: g written back at the mask's places."""
    from .shape import broadcast_to

    m = _index_array("masked_select", mask, input, integer=False)
    shape = _broadcast_shape("masked_select", input.shape, tuple(m.shape))
    a = broadcast_to(input, shape)
    m = input._device.xp.broadcast_to(m, shape)
    return GetItem.apply(a, key=m, device=input._device)


def _broadcast_shape(op, s1, s2):
    n = max(len(s1), len(s2))
    s1, s2 = (1,) * (n - len(s1)) + tuple(s1), (1,) * (n - len(s2)) + tuple(s2)
    out = []
    for x, y in zip(s1, s2):
        if x != y and 1 not in (x, y):
            raise RuntimeError(f"{op}: shapes {s1} and {s2} cannot be broadcast together")
        out.append(y if x == 1 else x)
    return tuple(out)


# ----- writing ------------------------------------------------------------------------------
class Scatter(Op):
    """z = a with ``src`` written at ``key`` (the last write wins on repeats);
    dz/da = g where nothing was written, else 0;  dz/dsrc = g[key]"""

    def forward(self, a, src, key, device):
        xp = self.xp
        self.key, self.dev = key, device
        hits = device.scatter_add(a.shape, key, xp.ones(src.shape, dtype=a.dtype, **_kw(a)), a.dtype)
        self.save_for_backward(hits == 0)  # the mask of places not written (freed after backward)
        out = xp.asarray(a, copy=True)
        device.setitem(out, key, src)
        return out

    def backward(self, g):
        (keep,) = self.saved_tensors
        need_a, need_src = self.needs_input_grad
        F = self.F
        return (F.where(keep, g, 0.0) if need_a else None,
                F.getitem(g, self.key, self.dev) if need_src else None)


def _kw(a):
    return {"device": a.device} if type(a).__module__.startswith("array_api_strict") else {}


def _src_tensor(op, src, like, shape):
    """``src`` (Tensor or Python number) as a Tensor of ``shape`` (a number is broadcast)."""
    from ..tensor import Tensor, as_constant_like
    from .shape import broadcast_to

    if not isinstance(src, Tensor):
        src = as_constant_like(src, like, op)
        return broadcast_to(src, tuple(shape))
    if src._device is not like._device:
        raise RuntimeError(f"{op}: src is on {src._device}, the tensor on {like._device}")
    return src


def _write(op, input, key, src, add):
    if add:
        return input + IndexAdd.apply(src, shape=tuple(input.shape), key=key, device=input._device)
    return Scatter.apply(input, src, key=key, device=input._device)


def scatter_add(input, dim, index, src):
    """out = input, then out[index[i][j]][j] += src[i][j] (dim 0); repeated indices accumulate.
    Gradient: input gets g; src gets g gathered at index."""
    d = _dim(input, dim, "scatter_add")
    idx = _index_array("scatter_add", index, input)
    _check_gather_shapes("scatter_add", input, idx, d, src)
    s = _crop(_src_tensor("scatter_add", src, input, idx.shape), tuple(idx.shape))
    return _write("scatter_add", input, along_key(input._device, idx, d), s, add=True)


def index_add(input, dim, index, source, *, alpha=1):
    """out = input, then out[..., index[i], ...] += alpha * source[..., i, ...] along ``dim``
    (repeated indices accumulate).  Gradient: input gets g; source gets alpha * g[..., index, ...]."""
    d, key = _along_dim_key("index_add", input, dim, index, source)
    src = source if alpha == 1 else source * alpha
    return _write("index_add", input, key, src, add=True)


def index_copy(input, dim, index, source):
    """out = input with out[..., index[i], ...] = source[..., i, ...] along ``dim``.
    Gradient: input gets g outside the copied slices; source gets g[..., index, ...]."""
    d, key = _along_dim_key("index_copy", input, dim, index, source)
    return _write("index_copy", input, key, source, add=False)


def _along_dim_key(op, input, dim, index, source):
    d = _dim(input, dim, op)
    idx = _index_array(op, index, input)
    if idx.ndim > 1:
        raise RuntimeError(f"{op}: index must be 0-d or 1-D, got shape {tuple(idx.shape)}")
    idx = input._device.xp.reshape(idx, (-1,))
    expected = tuple(idx.shape[0] if i == d else n for i, n in enumerate(input.shape))
    if tuple(source.shape) != expected:
        raise RuntimeError(f"{op}: source of shape {tuple(source.shape)} does not fit input of shape "
                           f"{tuple(input.shape)} with {idx.shape[0]} index(es) on dim {d}: expected {expected}")
    _check_index_range(op, idx, input.shape[d], input._device)
    return d, (slice(None),) * d + (idx,)


def masked_fill(input, mask, value):
    """out = value where ``mask`` else input (mask broadcasts to input's shape; value a number or
    a 0-d Tensor, which gets the sum of g over the mask as its gradient).  Keeps input's dtype."""
    m = _index_array("masked_fill", mask, input, integer=False)
    _broadcast_shape("masked_fill", input.shape, tuple(m.shape))
    if len(m.shape) > input.ndim or any(x not in (1, y) for x, y in zip(m.shape[::-1], input.shape[::-1])):
        raise RuntimeError(f"masked_fill: mask of shape {tuple(m.shape)} does not broadcast to the input's "
                           f"shape {tuple(input.shape)}")
    if hasattr(value, "ndim") and value.ndim != 0:
        raise RuntimeError(f"masked_fill: value must be a number or a 0-d tensor, got shape {tuple(value.shape)}")
    if hasattr(value, "dtype") and hasattr(value, "requires_grad"):  # a Tensor: cast (differentiably) to input's dtype
        value = value.to(dtype=input.dtype)
    else:  # a number: a constant of input's dtype (where would promote it: int input, 1.5 gives float)
        value = wrap(input.device.asarray(value, dtype=input.array.dtype), input)
    return _where3(wrap(m, input), value, input)


def masked_scatter(input, mask, source):
    """out = input with the places where ``mask`` holds filled, in row-major order, by the first
    mask.sum() elements of ``source``.  Gradient: input gets g outside the mask; those source
    elements get g at the mask's places (the rest of source gets 0)."""
    from .shape import broadcast_to

    m = _index_array("masked_scatter", mask, input, integer=False)
    shape = _broadcast_shape("masked_scatter", input.shape, tuple(m.shape))
    if shape != tuple(input.shape):
        raise RuntimeError(f"masked_scatter: mask of shape {tuple(m.shape)} does not broadcast to the input's "
                           f"shape {tuple(input.shape)}")
    dev = input._device
    m = dev.xp.broadcast_to(m, shape)
    count = int(dev.to_numpy(dev.xp.sum(dev.xp.astype(m, dev.xp.int64))))
    if source.numel() < count:
        raise RuntimeError(f"masked_scatter: source has {source.numel()} elements, the mask selects {count}")
    flat = reshape(source, (-1,))
    picked = getitem(flat, slice(0, count))
    return Scatter.apply(broadcast_to(input, shape), picked, key=m, device=dev)


# ----- non-differentiable: positions -------------------------------------------------------------
def nonzero(input, *, as_tuple=False):
    """Positions of the non-zero (True) entries in row-major order: an int64 (n, ndim) tensor, or
    with ``as_tuple=True`` a tuple of ndim int64 1-D tensors (a 0-d input counts as 1-D)."""
    dev = input._device
    xp = dev.xp
    a = input.array if input.ndim else xp.reshape(input.array, (1,))
    parts = tuple(xp.astype(p, xp.int64) for p in xp.nonzero(a))
    if as_tuple:
        return tuple(wrap(p, input) for p in parts)
    if input.ndim == 0:  # PyTorch: shape (1, 0) for a non-zero scalar, (0, 0) for zero
        return wrap(xp.zeros((parts[0].shape[0], 0), dtype=xp.int64, **_kw(a)), input)
    return wrap(xp.stack(parts, axis=1), input)


def where(condition, input=None, other=None):
    """``where(cond)``: ``nonzero(cond, as_tuple=True)``.  ``where(cond, input, other)``: input
    where cond holds, else other (broadcast together; either may be a number, both numbers give
    the default float dtype, or the integer dtype for two ints, as in PyTorch).  Gradient: g to
    input where cond, to other elsewhere."""
    from ..tensor import Tensor

    if input is None and other is None:
        if not isinstance(condition, Tensor):
            raise TypeError(f"where: condition must be a Tensor, got {type(condition).__name__}")
        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where: give both input and other, or neither")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        if not isinstance(condition, Tensor):
            raise TypeError("where: at least one of condition, input and other must be a Tensor")
        input = _scalar_tensor(input, other, condition)
    return _where3(condition, input, other)


def _scalar_tensor(x, other, like):
    """A Python number as a 0-d Tensor of PyTorch's result dtype for where(cond, x, other)."""
    from .. import dtypes
    from ..tensor import Tensor

    if isinstance(x, bool) and isinstance(other, bool):
        dt = "bool"
    elif isinstance(x, int) and isinstance(other, int) and not isinstance(x, bool):
        dt = "int64"
    else:
        dt = dtypes.get_default_dtype()
    return Tensor(x, dtype=dt, device=like._device)


def _normalize_index(i, n, op):
    try:
        i = operator.index(i)
    except TypeError:
        raise TypeError(f"{op}: index must be an int, got {i!r}") from None
    if not -n <= i < n:
        raise IndexError(f"{op}: index {i} is out of range for a dimension of size {n}")
    return i % n
