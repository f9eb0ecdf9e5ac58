"""Op-table rows (tests/support/op_specs.py) for reductions, scans, ordering, layout and indexing (issue 14).

References are NumPy, written independently of minigrad (loops where NumPy has no one-liner).
Ops returning PyTorch's (values, indices) pair are checked through ``.values`` here (indices
against NumPy in tests/minigrad/ops/test_shape_index_ops.py and against PyTorch in tests/torch_parity/).
"""
from __future__ import annotations

import functools

import numpy as np

import minigrad as mg
import op_samplers_shape_index as smp
from op_specs import Edge, OpSpec


def _a(*v):
    return np.array(v, dtype=np.float64)


def _ax(dim, nd):
    return None if dim is None else dim


def _np_dims(dim):
    return tuple(dim) if isinstance(dim, (tuple, list)) else dim


def _as1d(f):
    """Reference of a dim-op where a 0-d input acts as 1-D."""
    def ref(a, *args, dim, **kw):
        if a.ndim == 0:
            return np.asarray(f(a.reshape(1), *args, dim=0, **kw)).reshape(())
        return f(a, *args, dim=dim, **kw)

    return ref


# ----- references --------------------------------------------------------------------------------
def _prod_ref(a, dim, keepdim):
    if dim is None:
        return np.prod(a)
    if a.ndim == 0:
        return a
    return np.prod(a, axis=dim, keepdims=keepdim)


def _scan(fn):
    return _as1d(lambda a, dim: fn(a, axis=dim))


def _logcumsumexp_ref(a, axis):
    return np.logaddexp.accumulate(a, axis=axis)


def _reduce_ref(fn):
    def ref(a, dim, keepdim):
        if a.ndim == 0:
            return a
        return fn(a, axis=_np_dims(dim), keepdims=keepdim)

    return ref


def _select_ref(pick):
    """A dim-op whose values are ``pick(sorted_along_last_axis)`` at one rank."""
    def ref(a, dim, keepdim=False, **kw):
        if a.ndim == 0:
            return a
        s = np.moveaxis(np.sort(a, axis=dim), dim, -1)
        v = pick(s, **kw)[..., None]
        v = np.moveaxis(v, -1, dim)
        return v if keepdim else np.squeeze(v, axis=dim)

    return ref


def _median_all_ref(a):
    f = np.sort(a.reshape(-1))
    return f[(f.size - 1) // 2]


def _var_mean_ref(a, dim, correction, keepdim):
    return (np.var(a, axis=dim, ddof=correction, keepdims=keepdim), np.mean(a, axis=dim, keepdims=keepdim))


def _std_mean_ref(a, dim, correction, keepdim):
    return (np.std(a, axis=dim, ddof=correction, keepdims=keepdim), np.mean(a, axis=dim, keepdims=keepdim))


def _vector_norm_ref(p):
    def ref(a, dim, keepdim):
        ax = _np_dims(dim) if a.ndim else None
        if p == np.inf:
            return np.max(np.abs(a), axis=ax, keepdims=keepdim) if a.size else np.zeros(())
        return np.sum(np.abs(a) ** p, axis=ax, keepdims=keepdim) ** (1.0 / p)

    return ref


def _matrix_norm_ref(kind):
    def ref(a, keepdim):
        if kind == "fro":
            out = np.sqrt(np.sum(a * a, axis=(-2, -1), keepdims=True))
        elif kind == "1":
            out = np.max(np.sum(np.abs(a), axis=-2, keepdims=True), axis=-1, keepdims=True)
        else:  # inf
            out = np.max(np.sum(np.abs(a), axis=-1, keepdims=True), axis=-2, keepdims=True)
        return out if keepdim else out[..., 0, 0]

    return ref


def _sort_ref(a, dim, descending=False):
    if a.ndim == 0:
        return a
    s = np.sort(a, axis=dim)
    return np.flip(s, axis=dim) if descending else s


def _topk_ref(a, k, dim, largest):
    if a.ndim == 0:
        return a.reshape(1)[:k].reshape(()) if k else np.zeros(())
    s = _sort_ref(a, dim, largest)
    return np.take(s, np.arange(k), axis=dim)


def _kth(s, k):
    return s[..., k - 1]


def _roll_ref(a, shifts, dims):
    return np.roll(a, shifts, axis=dims)


def _repeat_interleave_ref(a, repeats, dim):
    return np.repeat(a if dim is not None else a.reshape(-1), repeats, axis=dim if dim is not None else 0)


def _chunk_ref(a, chunks, dim):
    n = a.shape[dim]
    size = max(1, -(-n // chunks))
    cuts = list(range(size, n, size))
    return np.split(a, cuts, axis=dim)


def _unbind_ref(a, dim):
    return [np.take(a, i, axis=dim) for i in range(a.shape[dim])]


def _narrow_ref(a, dim, start, length):
    start = start % a.shape[dim] if start < 0 else start
    return np.take(a, np.arange(start, start + length), axis=dim)


def _unflatten_ref(a, dim, sizes):
    d = dim % a.ndim
    return a.reshape(a.shape[:d] + tuple(sizes) + a.shape[d + 1:])


def _meshgrid_ref(*arrs, indexing):
    return np.meshgrid(*arrs, indexing=indexing)


def _pad_torch_ref(a, pad, mode, value=0.0):
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]
    widths = [(0, 0)] * (a.ndim - len(pairs)) + pairs[::-1]
    crop = tuple(slice(max(0, -lo), n - max(0, -hi)) for n, (lo, hi) in zip(a.shape, widths))
    a = a[crop]
    grow = [(max(0, lo), max(0, hi)) for lo, hi in widths]
    np_mode = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    kw = {"constant_values": value} if mode == "constant" else {}
    return np.pad(a, grow, mode=np_mode, **kw)


def _gather_ref(a, index, dim):
    d = dim % a.ndim
    block = a[tuple(slice(None) if i == d else slice(0, n) for i, n in enumerate(index.shape))]
    return np.take_along_axis(block, index % a.shape[d], axis=d)


def _targets(index, dim):
    """For each position i of index: the target position (i with coordinate dim = index[i])."""
    for i in np.ndindex(index.shape):
        j = list(i)
        j[dim] = index[i]
        yield i, tuple(j)


def _scatter_ref(a, index, src, dim):
    out = a.copy()
    for i, j in _targets(index, dim % a.ndim):
        out[j] = src[i]
    return out


def _scatter_add_ref(a, index, src, dim):
    out = a.copy()
    for i, j in _targets(index, dim % a.ndim):
        out[j] += src[i]
    return out


def _scatter_reduce_ref(a, index, src, dim, reduce, include_self):
    groups = {}
    for i, j in _targets(index, dim % a.ndim):
        groups.setdefault(j, [a[j]] if include_self else []).append(src[i])
    out = a.copy()
    fn = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}[reduce]
    for j, values in groups.items():
        out[j] = fn(values)
    return out


def _index_add_ref(a, index, src, dim, alpha=1):
    out = a.copy()
    d = dim % a.ndim
    for k, t in enumerate(index):
        sl = (slice(None),) * d
        out[sl + (t,)] += alpha * src[sl + (k,)]
    return out


def _index_copy_ref(a, index, src, dim):
    out = a.copy()
    d = dim % a.ndim
    for k, t in enumerate(index):
        out[(slice(None),) * d + (t,)] = src[(slice(None),) * d + (k,)]
    return out


def _take_along_dim_ref(a, index, dim):
    if dim is None:
        return a.reshape(-1)[index]
    d = dim % a.ndim
    shape = tuple(np.broadcast_shapes((n,), (m,))[0] if i != d else m for i, (n, m) in enumerate(zip(a.shape,
                                                                                                     index.shape)))
    a_b = np.broadcast_to(a, tuple(n if i != d else a.shape[d] for i, n in enumerate(shape)))
    return np.take_along_axis(a_b, np.broadcast_to(index, shape), axis=d)


def _masked_scatter_ref(a, mask, src):
    out = a.copy()
    full = np.broadcast_to(mask, a.shape)
    out[full] = src[:int(full.sum())]
    return out


# ----- minigrad forms ------------------------------------------------------------------------------
def _values(fn):
    return lambda *a, **kw: fn(*a, **kw).values


def _dim_first(fn):
    """PyTorch's fn(input, dim, index, ...) called as the table calls ops: fn(*tensors, dim=...)."""
    return lambda a, index, *rest, dim, **kw: fn(a, dim, index, *rest, **kw)


def _repeat_interleave(a, repeats, dim):
    r = mg.tensor(repeats, dtype="int64", device=a.device) if isinstance(repeats, list) else repeats
    return mg.repeat_interleave(a, r, dim)


_ZERO_ROW = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 1.5], [1.0, 2.0, -0.5]])
_TIES = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])


def _prod_others(a, axis):
    """d prod / d a_k = product of the other entries along ``axis`` (independent loop)."""
    out = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        line = np.take(a[idx[:axis] + (slice(None),) + idx[axis + 1:]], np.arange(a.shape[axis]), axis=0)
        out[idx] = np.prod(np.delete(line, idx[axis]))
    return out


SPECS_SHAPE_INDEX = [
    # reductions
    OpSpec("prod", mg.prod, _prod_ref, smp.reduce_dims(tuple_dims=False),
           edges=(Edge("one or two zeros in a row: products of the others", (_ZERO_ROW,), {"dim": 1, "keepdim": False},
                       expected_grad=(_prod_others(_ZERO_ROW, 1),)),
                  Edge("zeros, all entries", (_ZERO_ROW,), {"dim": None, "keepdim": False}))),
    OpSpec("amax", mg.amax, _reduce_ref(np.max), smp.reduce_dims("separated", need_nonempty=True),
           domain="distinct values",
           edges=(Edge("ties share the gradient", (_TIES,), {"dim": 1, "keepdim": False},
                       expected_grad=(np.array([[0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]]),)),)),
    OpSpec("amin", mg.amin, _reduce_ref(np.min), smp.reduce_dims("separated", need_nonempty=True),
           domain="distinct values",
           edges=(Edge("ties share the gradient", (_TIES,), {"dim": 0, "keepdim": True},
                       expected_grad=(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]]),)),)),
    OpSpec("max", _values(mg.max), _select_ref(lambda s: s[..., -1]), smp.along("separated", need=True,
                                                                                 keepdim=smp.st.booleans()),
           variant="dim", domain="distinct values",
           edges=(Edge("ties: the first maximum gets the gradient", (_TIES,), {"dim": 1},
                       expected_grad=(np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]),)),)),
    OpSpec("min", _values(mg.min), _select_ref(lambda s: s[..., 0]), smp.along("separated", need=True,
                                                                               keepdim=smp.st.booleans()),
           variant="dim", domain="distinct values"),
    OpSpec("median", mg.median, _median_all_ref, smp.plain("separated", empty=False),
           variant="all", domain="distinct values"),
    OpSpec("median", _values(mg.median), _select_ref(lambda s: s[..., (s.shape[-1] - 1) // 2]),
           smp.along("separated", need=True, keepdim=smp.st.booleans()), variant="dim", domain="distinct values"),
    OpSpec("mode", _values(mg.mode), _select_ref(lambda s: s[..., 0]),
           smp.along("separated", need=True, keepdim=smp.st.booleans()),
           domain="distinct values: each appears once, the mode is the smallest (repeats: tests/torch_parity)"),
    OpSpec("var_mean", mg.var_mean, _var_mean_ref, smp.var_mean_inputs, domain="distinct values"),
    OpSpec("std_mean", mg.std_mean, _std_mean_ref, functools.partial(smp.var_mean_inputs, min_count=2),
           domain="distinct values, >= 2 per reduction (std is not differentiable at 0)", small_shapes=((1, 2),)),
    OpSpec("norm", lambda a, dim, keepdim: mg.norm(a, "fro", dim, keepdim), _vector_norm_ref(2),
           smp.norm_inputs("fro"), variant="fro",
           edges=(Edge("zero vector: subgradient 0", (np.zeros((2, 3)),), {"dim": 1, "keepdim": False},
                       expected_grad=(np.zeros((2, 3)),)),)),
    OpSpec("norm", lambda a, dim, keepdim: mg.norm(a, 3, dim, keepdim), _vector_norm_ref(3),
           smp.norm_inputs("3"), variant="p3", domain="nonzero (zero entries and the zero vector: the edge)",
           edges=(Edge("zero vector and zero entries: gradient 0 there", (_ZERO_ROW * np.array([[1], [0], [1]]),),
                       {"dim": 1, "keepdim": False}),)),
    OpSpec("norm", lambda a, dim, keepdim: mg.linalg.vector_norm(a, 1, dim, keepdim), _vector_norm_ref(1),
           smp.norm_inputs("1"), variant="vector_norm-1", domain="nonzero (kink at 0)"),
    OpSpec("norm", lambda a, dim, keepdim: mg.linalg.vector_norm(a, float("inf"), dim, keepdim),
           _vector_norm_ref(np.inf), smp.norm_inputs("inf"), variant="vector_norm-inf", domain="distinct |values|"),
    OpSpec("norm", lambda a, keepdim: mg.linalg.matrix_norm(a, "fro", keepdim=keepdim), _matrix_norm_ref("fro"),
           smp.matrix_norm_inputs("fro"), variant="matrix_norm-fro", min_ndim=2, small_shapes=((1, 1),)),
    OpSpec("norm", lambda a, keepdim: mg.linalg.matrix_norm(a, 1, keepdim=keepdim), _matrix_norm_ref("1"),
           smp.matrix_norm_inputs("1"), variant="matrix_norm-1", min_ndim=2, small_shapes=((1, 1),)),
    OpSpec("norm", lambda a, keepdim: mg.linalg.matrix_norm(a, float("inf"), keepdim=keepdim),
           _matrix_norm_ref("inf"), smp.matrix_norm_inputs("inf"), variant="matrix_norm-inf", min_ndim=2,
           small_shapes=((1, 1),)),
    # scans
    OpSpec("cumsum", mg.cumsum, _scan(np.cumsum), smp.along()),
    OpSpec("cumprod", mg.cumprod, _scan(np.cumprod), smp.along(),
           edges=(Edge("zeros in a row", (_ZERO_ROW,), {"dim": 1}),
                  Edge("zeros down a column", (_ZERO_ROW,), {"dim": 0}))),
    OpSpec("cummax", _values(mg.cummax), _scan(np.maximum.accumulate), smp.along("separated"),
           domain="distinct values"),
    OpSpec("cummin", _values(mg.cummin), _scan(np.minimum.accumulate), smp.along("separated"),
           domain="distinct values"),
    OpSpec("logcumsumexp", mg.logcumsumexp, _scan(_logcumsumexp_ref), smp.along(),
           edges=(Edge("values 1000 apart", (_a(-1000.0, 0.0, 1000.0, 999.0),), {"dim": 0}),)),
    # ordering
    OpSpec("sort", _values(mg.sort), _sort_ref, smp.along("separated", descending=smp.st.booleans()),
           domain="distinct values"),
    OpSpec("topk", _values(mg.topk), _topk_ref, smp.topk_inputs, domain="distinct values"),
    OpSpec("kthvalue", _values(mg.kthvalue), _as1d(lambda a, k, dim, keepdim: _select_ref(_kth)(a, dim, keepdim, k=k)),
           smp.kthvalue_inputs, domain="distinct values"),
    OpSpec("msort", mg.msort, lambda a: np.sort(a, axis=0) if a.ndim else a, smp.plain("separated"),
           domain="distinct values"),
]

SPECS_SHAPE_INDEX += [
    # layout
    OpSpec("flip", mg.flip, lambda a, dims: np.flip(a, axis=dims) if dims else a, smp.flip_inputs),
    OpSpec("roll", mg.roll, _roll_ref, smp.roll_inputs),
    OpSpec("repeat", lambda a, sizes: a.repeat(*sizes), lambda a, sizes: np.tile(a, sizes), smp.repeat_inputs),
    OpSpec("tile", mg.tile, lambda a, dims: np.tile(a, dims), smp.tile_inputs),
    OpSpec("repeat_interleave", _repeat_interleave, _repeat_interleave_ref, smp.repeat_interleave_inputs),
    OpSpec("tril", mg.tril, lambda a, diagonal: np.tril(a, diagonal), smp.triangle_inputs, min_ndim=2),
    OpSpec("triu", mg.triu, lambda a, diagonal: np.triu(a, diagonal), smp.triangle_inputs, min_ndim=2),
    OpSpec("diag", mg.diag, lambda a, diagonal: np.diag(a, diagonal), smp.diag_inputs, min_ndim=1,
           small_shapes=((1,), (1, 1))),
    OpSpec("diagonal", mg.diagonal, lambda a, offset, dim1, dim2: np.diagonal(a, offset, dim1, dim2),
           smp.diagonal_inputs, min_ndim=2),
    OpSpec("trace", mg.trace, np.trace, smp.matrix_inputs, min_ndim=2, small_shapes=((1, 1),)),
    OpSpec("chunk", mg.chunk, _chunk_ref, smp.chunk_inputs, min_ndim=1),
    OpSpec("unbind", mg.unbind, _unbind_ref, smp.along(min_dims=1, need=True), min_ndim=1),
    OpSpec("narrow", mg.narrow, _narrow_ref, smp.narrow_inputs, min_ndim=1),
    OpSpec("movedim", mg.movedim, np.moveaxis, smp.movedim_inputs, min_ndim=1),
    OpSpec("swapaxes", mg.swapaxes, lambda a, axis0, axis1: np.swapaxes(a, axis0, axis1), smp.swapaxes_inputs,
           min_ndim=1),
    OpSpec("unflatten", mg.unflatten, _unflatten_ref, smp.unflatten_inputs, min_ndim=1),
    OpSpec("view", lambda a, shape: a.view(*shape), np.reshape, smp.view_inputs),
    OpSpec("view_as", mg.view_as, lambda a, other: a.reshape(other.shape), smp.as_inputs("view")),
    OpSpec("expand_as", mg.expand_as, lambda a, other: np.broadcast_to(a, other.shape), smp.as_inputs("expand")),
    OpSpec("meshgrid", lambda *ts, indexing: mg.meshgrid(*ts, indexing=indexing), _meshgrid_ref,
           smp.meshgrid_inputs, min_ndim=1, small_shapes=((1,),)),
    OpSpec("pad", mg.pad, _pad_torch_ref, smp.pad_torch_inputs, variant="torch", min_ndim=1,
           domain="PyTorch's flat widths (negative crops), modes constant/reflect/replicate/circular"),
    # indexing
    OpSpec("gather", _dim_first(mg.gather), _gather_ref, smp.gather_inputs, min_ndim=1,
           edges=(Edge("repeated indices accumulate", (_a(1.0, 2.0, 3.0), np.array([0, 0, 2, 0])), {"dim": 0},
                       expected_grad=(_a(3.0, 0.0, 1.0),)),)),
    OpSpec("scatter", _dim_first(mg.scatter), _scatter_ref, smp.scatter_inputs("scatter"), min_ndim=1,
           domain="no repeated target (an overwritten source has no effect)"),
    OpSpec("scatter_add", _dim_first(mg.scatter_add), _scatter_add_ref, smp.scatter_inputs("add"), min_ndim=1),
]
for _reduce in ("sum", "prod", "mean", "amax", "amin"):
    SPECS_SHAPE_INDEX.append(OpSpec(
        "scatter_reduce", _dim_first(mg.scatter_reduce), _scatter_reduce_ref, smp.scatter_inputs(_reduce),
        variant=_reduce,
        min_ndim=1, domain="amax/amin: distinct values over input and src; prod: src nonzero"))
SPECS_SHAPE_INDEX += [
    OpSpec("index_select", _dim_first(mg.index_select), lambda a, index, dim: np.take(a, index, axis=dim),
           smp.index_inputs("select"), min_ndim=1),
    OpSpec("index_add", _dim_first(mg.index_add), _index_add_ref, smp.index_inputs("add"), min_ndim=1),
    OpSpec("index_copy", _dim_first(mg.index_copy), _index_copy_ref, smp.index_inputs("copy"), min_ndim=1,
           domain="no repeated index"),
    OpSpec("take_along_dim", mg.take_along_dim, _take_along_dim_ref, smp.take_along_dim_inputs, min_ndim=1),
    OpSpec("masked_fill", mg.masked_fill, lambda a, mask, value: np.where(mask, value, a), smp.masked_inputs("fill")),
    OpSpec("masked_select", mg.masked_select,
           lambda a, mask: np.broadcast_to(a, np.broadcast_shapes(a.shape, mask.shape))[
               np.broadcast_to(mask, np.broadcast_shapes(a.shape, mask.shape))], smp.masked_inputs("select")),
    OpSpec("masked_scatter", mg.masked_scatter, _masked_scatter_ref, smp.masked_inputs("scatter")),
]
