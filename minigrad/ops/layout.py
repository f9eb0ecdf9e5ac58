"""PyTorch's layout ops: flip roll repeat repeat_interleave tile tril triu diag diagonal trace chunk
unbind narrow movedim swapaxes unflatten view view_as expand_as meshgrid.

Each moves or copies values without changing them, so each gradient moves g back:

* flip: flip g again;  tril/triu: the same triangle of g (the rest of the input gets 0).
* roll, chunk, unbind, narrow, movedim, swapaxes, unflatten, view: compositions of slicing,
  concatenation, permutation and reshape, whose gradients are those ops'.
* repeat/tile (copies of the whole tensor) and expand_as: broadcast + reshape, so the gradient
  sums the copies; repeat_interleave: an integer-array index, repeated entries accumulate.
* diagonal: a strided view of one diagonal (minigrad/ops/views.py); trace sums it;  diag of a vector: the vector
  scattered onto a diagonal (its gradient reads that diagonal of g).
"""
from __future__ import annotations

import operator

from ..function import Op
from ..view_links import mark_multi_output
from .indexing import _dim, arange_on
from .shape import (IndexAdd, _normalize_axis, _shape_arg, broadcast_to, concatenate, expand, getitem, permute,
                    reshape, split, transpose)
from .views import diagonal  # a view op (minigrad/ops/views.py), re-exported here with the layout ops

__all__ = ["flip", "roll", "repeat", "repeat_interleave", "tile", "tril", "triu", "diag", "diagonal", "trace",
           "chunk", "unbind", "narrow", "movedim", "swapaxes", "unflatten", "view", "view_as", "expand_as",
           "meshgrid"]


class Flip(Op):
    """z = a reversed along ``axes``;  dz/da: flip g along the same axes"""

    def forward(self, a, axes):
        self.axes = axes
        return self.xp.flip(a, axis=axes)

    def backward(self, g):
        return self.F.apply(Flip, g, axes=self.axes)


class Tril(Op):
    """z = a on and below diagonal ``k`` of the last two axes, 0 above;  dz/da = tril(g, k)"""

    upper = False

    def forward(self, a, k):
        self.k = k
        return (self.xp.triu if self.upper else self.xp.tril)(a, k=k)

    def backward(self, g):
        return self.F.apply(type(self), g, k=self.k)


class Triu(Tril):
    """z = a on and above diagonal ``k`` of the last two axes, 0 below;  dz/da = triu(g, k)"""

    upper = True


def _axes_arg(dims, ndim, op):
    from .shape import normalize_axes

    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    return normalize_axes(dims, ndim, op) if ndim else ()


def flip(input, dims):
    """Reverse the order of entries along each axis in ``dims`` (an int or a tuple)."""
    axes = _axes_arg(dims, input.ndim, "flip")
    return Flip.apply(input, axes=axes) if axes else input


def roll(input, shifts, dims=None):
    """Shift entries by ``shifts`` along ``dims``, wrapping around (``dims=None``: the flattened
    tensor, shape restored).  out[(i + shift) % n] = input[i]."""
    if dims is None:
        if isinstance(shifts, (tuple, list)) and len(shifts) != 1:
            raise RuntimeError(f"roll: with dims=None give one shift, got {shifts!r}")
        s = shifts[0] if isinstance(shifts, (tuple, list)) else shifts
        return reshape(_roll1(reshape(input, (-1,)), operator.index(s), 0), tuple(input.shape))
    shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    out = input
    for s, d in zip(shifts, dims):
        out = _roll1(out, operator.index(s), _dim(input, d, "roll"))
    return out


def _roll1(a, shift, d):
    if a.ndim == 0:
        return a
    n = a.shape[d]
    if n == 0 or shift % n == 0:
        return a
    k = shift % n
    pre = (slice(None),) * d
    return concatenate([getitem(a, pre + (slice(n - k, n),)), getitem(a, pre + (slice(0, n - k),))], axis=d)


def repeat(input, *sizes):
    """PyTorch's ``repeat``: tile the whole tensor ``sizes[i]`` times along axis i (len(sizes) >=
    ndim; extra leading sizes add axes).  Gradient: the sum of g over the copies."""
    sizes = _shape_arg(sizes, "repeat")
    if len(sizes) < input.ndim:
        raise RuntimeError(f"repeat: {len(sizes)} repeat size(s) for a tensor with {input.ndim} dimensions; "
                           "give at least one per dimension")
    if any(r < 0 for r in sizes):
        raise RuntimeError(f"repeat: repeat sizes must be >= 0, got {sizes}")
    shape = (1,) * (len(sizes) - input.ndim) + tuple(input.shape)
    split_shape, big, final = [], [], []
    for r, n in zip(sizes, shape):
        split_shape += [1, n]
        big += [r, n]
        final.append(r * n)
    return reshape(broadcast_to(reshape(input, tuple(split_shape)), tuple(big)), tuple(final))


def tile(input, dims):
    """NumPy/PyTorch ``tile``: like :func:`repeat`, with fewer ``dims`` than axes padded with 1s
    in front."""
    dims = _shape_arg((dims,) if isinstance(dims, int) else tuple(dims), "tile")
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def repeat_interleave(input, repeats, dim=None, *, output_size=None):
    """Repeat each entry ``repeats`` times (an int, or a 1-D integer tensor, one count per entry)
    along ``dim`` (None: the flattened tensor).  Gradient: each entry gets the sum of its copies."""
    from ..tensor import Tensor

    if dim is None:
        input, d = reshape(input, (-1,)), 0
    else:
        d = _dim(input, dim, "repeat_interleave")
    n = input.shape[d] if input.ndim else 1
    dev = input._device
    if isinstance(repeats, Tensor):
        counts = [int(c) for c in dev.to_numpy(repeats.array).reshape(-1)]
        if len(counts) == 1:
            counts = counts * n
    else:
        counts = [operator.index(repeats)] * n
    if len(counts) != n or any(c < 0 for c in counts):
        raise RuntimeError(f"repeat_interleave: repeats must be >= 0 and one per entry ({n}) of dim {d}, "
                           f"got {counts}")
    index = [i for i, c in enumerate(counts) for _ in range(c)]
    if input.ndim == 0:
        input = reshape(input, (1,))
    idx = dev.asarray(index, dtype=dev.xp.int64)
    from .shape import GetItem

    return GetItem.apply(input, key=(slice(None),) * d + (idx,), device=dev)


def tril(input, diagonal=0):
    """Lower triangle of the last two axes: entries (i, j) with j - i <= ``diagonal`` kept, the
    rest 0.  Gradient: tril of g."""
    _matrix("tril", input)
    return Tril.apply(input, k=operator.index(diagonal))


def triu(input, diagonal=0):
    """Upper triangle of the last two axes: entries with j - i >= ``diagonal`` kept, the rest 0."""
    _matrix("triu", input)
    return Triu.apply(input, k=operator.index(diagonal))


def _matrix(op, a):
    if a.ndim < 2:
        raise RuntimeError(f"{op}: needs a tensor with at least 2 dimensions, got shape {tuple(a.shape)}")


def trace(input):
    """Sum of the main diagonal of a 2-D tensor.  Gradient: g on the diagonal, 0 elsewhere."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: needs a 2-D tensor, got shape {tuple(input.shape)}")
    from .reductions import sum

    return sum(diagonal(input))


def diag(input, diagonal=0):
    """1-D input: the square matrix with ``input`` on diagonal ``diagonal`` (0 elsewhere);
    2-D input: its diagonal ``diagonal`` as 1-D.  Gradient: the matching diagonal of g / g on it."""
    k = operator.index(diagonal)
    if input.ndim == 2:
        return globals()["diagonal"](input, k)
    if input.ndim != 1:
        raise RuntimeError(f"diag: needs a 1-D or 2-D tensor, got shape {tuple(input.shape)}")
    n = input.shape[0]
    size = n + abs(k)
    dev = input._device
    rows = arange_on(dev, n) + (0 if k >= 0 else -k)
    cols = arange_on(dev, n) + (k if k >= 0 else 0)
    return IndexAdd.apply(input, shape=(size, size), key=(rows, cols), device=dev)


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` pieces of ceil(n / chunks) along ``dim`` (the last may be smaller;
    fewer pieces when n is not enough, as in PyTorch)."""
    chunks = operator.index(chunks)
    if chunks < 1:
        raise RuntimeError(f"chunk: chunks must be >= 1, got {chunks}")
    d = _dim(input, dim, "chunk")
    n = input.shape[d]
    return split(input, max(1, -(-n // chunks)), axis=d)


def unbind(input, dim=0):
    """The tuple of slices input[..., i, ...] along ``dim`` (that axis removed)."""
    d = _dim(input, dim, "unbind")
    pieces = tuple(getitem(input, (slice(None),) * d + (i,)) for i in range(input.shape[d]))
    mark_multi_output(pieces, "Unbind")  # PyTorch refuses in-place changes of them in the graph
    return pieces


def narrow(input, dim, start, length):
    """input[..., start:start + length, ...] along ``dim`` (``start`` may be negative)."""
    d = _dim(input, dim, "narrow")
    n = input.shape[d]
    start = operator.index(start)
    start = start + n if start < 0 else start
    if not (0 <= start <= n and 0 <= length and start + length <= n):
        raise IndexError(f"narrow: start {start} and length {length} do not fit dim {d} of length {n}")
    return getitem(input, (slice(None),) * d + (slice(start, start + length),))


def movedim(input, source, destination):
    """Move axes ``source`` to positions ``destination`` (ints or equal-length tuples); the other
    axes keep their order."""
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: source {src} and destination {dst} must have the same length")
    nd = input.ndim
    src = [_normalize_axis(s, nd, "movedim") for s in src]
    dst = [_normalize_axis(s, nd, "movedim") for s in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in source {tuple(src)} or destination {tuple(dst)}")
    order = [None] * nd
    for s, t in zip(src, dst):
        order[t] = s
    rest = iter(i for i in range(nd) if i not in src)
    order = [next(rest) if o is None else o for o in order]
    return permute(input, tuple(order))


def swapaxes(input, axis0, axis1):
    """Exchange two axes (PyTorch's ``swapaxes`` / ``swapdims`` / ``transpose(dim0, dim1)``)."""
    return transpose(input, _normalize_axis(axis0, input.ndim, "swapaxes"),
                     _normalize_axis(axis1, input.ndim, "swapaxes"))


def unflatten(input, dim, sizes):
    """Split axis ``dim`` into ``sizes`` (one entry may be -1)."""
    d = _dim(input, dim, "unflatten")
    sizes = _shape_arg(tuple(sizes), "unflatten")
    known = 1
    for s in sizes:
        known *= s if s != -1 else 1
    n = input.shape[d]
    if sizes.count(-1) == 1 and known:
        sizes = tuple(n // known if s == -1 else s for s in sizes)
    total = 1
    for s in sizes:
        total *= s
    if total != n:
        raise RuntimeError(f"unflatten: sizes {sizes} do not multiply to {n}, the length of dim {d}")
    return reshape(input, tuple(input.shape[:d]) + sizes + tuple(input.shape[d + 1:]))


def view(input, *shape):
    """PyTorch's ``view``: ``reshape`` (minigrad arrays may copy; values and gradients agree)."""
    return reshape(input, *shape)


def view_as(input, other):
    """``input.view(other.shape)``."""
    return reshape(input, tuple(other.shape))


def expand_as(input, other):
    """``input.expand(other.shape)``: broadcast to other's shape; gradient: g summed back."""
    return expand(input, tuple(other.shape))


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-D (or 0-d) tensors: out[k] has shape (n_0, .., n_last) and varies
    along axis k (``indexing='xy'`` swaps the first two axes).  PyTorch's default is 'ij'.
    Gradient: each input gets g summed over the other axes."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    ts = [reshape(t, (-1,)) if t.ndim == 0 else t for t in tensors]
    for t in ts:
        if t.ndim != 1:
            raise RuntimeError(f"meshgrid: expects 0-d or 1-D tensors, got shape {tuple(t.shape)}")
    if indexing == "xy" and len(ts) >= 2:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.shape[0] for t in ts)
    out = []
    for k, t in enumerate(ts):
        grid = broadcast_to(reshape(t, tuple(-1 if i == k else 1 for i in range(len(ts)))), shape)
        out.append(grid)
    if indexing == "xy" and len(ts) >= 2:
        out[0], out[1] = out[1], out[0]
    return tuple(out)
