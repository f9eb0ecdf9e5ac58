"""Hypothesis samplers for the reductions, scans, ordering, layout and indexing rows
(tests/support/op_specs_shape_index.py).  Same contract as tests/support/op_samplers.py: ``sample(draw, shape)``
gives a ``Sample`` of NumPy arrays (floating ones differentiable, integer and bool ones constant)
and keyword arguments for both the op and its reference.

Empty axes are drawn wherever the op allows them (about one shape in five has a 0-length axis;
an axis that must be reduced or indexed keeps at least one element).  Ops that pick entries
(sort, max along a dim, cummax, median, scatter_reduce's amax) draw "separated" values: no ties,
so central differences never cross a change of the chosen entry.
"""
from __future__ import annotations

import numpy as np
from hypothesis import assume, strategies as st

from minigrad.testing import array_shapes, arrays
from op_samplers import MAX_SIDE, Sample


def shape_of(draw, shape, min_dims=0, empty=True, keep=None):
    """A shape (or the given one); with ``empty`` sometimes one axis of length 0, never axis ``keep``
    (a dim that must hold an element)."""
    if shape is not None:
        return tuple(shape)
    sh = list(draw(array_shapes(min_dims, 3, 1, MAX_SIDE)))
    if empty and sh and draw(st.integers(0, 4)) == 0:
        free = [i for i in range(len(sh)) if keep is None or i != keep % len(sh)]
        if free:
            sh[draw(st.sampled_from(free))] = 0
    return tuple(sh)


def _arr(draw, shape, domain="real"):
    return draw(arrays(tuple(shape), domain))


def _dim(draw, ndim):
    return draw(st.integers(-max(ndim, 1), max(ndim, 1) - 1))


def _along(draw, shape, domain, min_dims=0, need=False, empty=True):
    """(array, dim) with dim valid; ``need``: the dim keeps at least one element."""
    if shape is not None:
        sh = tuple(shape)
        return _arr(draw, sh, domain), _dim(draw, len(sh))
    sh = list(draw(array_shapes(min_dims, 3, 1, MAX_SIDE)))
    dim = _dim(draw, len(sh))
    if empty and sh and draw(st.integers(0, 4)) == 0:
        free = [i for i in range(len(sh)) if not need or i != dim % len(sh)]
        if free:
            sh[draw(st.sampled_from(free))] = 0
    return _arr(draw, tuple(sh), domain), dim


def along(domain="real", need=False, empty=True, min_dims=0, **kw_strategies):
    """Ops of (input, dim, ...): dim drawn, other keywords from strategies."""
    def sample(draw, shape):
        a, dim = _along(draw, shape, domain, min_dims=min_dims, need=need, empty=empty)
        return Sample((a,), {"dim": dim, **{k: draw(s) for k, s in kw_strategies.items()}})

    return sample


def plain(domain="real", empty=True):
    """(input,) alone."""
    def sample(draw, shape):
        return Sample((_arr(draw, shape_of(draw, shape, empty=empty), domain),))

    return sample


def reduce_dims(domain="real", tuple_dims=True, need_nonempty=False):
    """(input,) with dim None, an int, or (``tuple_dims``) a tuple of axes; keepdim drawn."""
    def sample(draw, shape):
        sh = shape_of(draw, shape, empty=not need_nonempty)
        nd = len(sh)
        kinds = ["none", "int"] + (["tuple"] if tuple_dims else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "none":
            dim = None
        elif kind == "int":
            dim = _dim(draw, nd)
        else:
            axes = draw(st.lists(st.integers(0, max(nd - 1, 0)), unique=True, min_size=1, max_size=max(nd, 1)))
            dim = tuple(ax - nd if draw(st.booleans()) and nd else ax for ax in axes)
        return Sample((_arr(draw, sh, domain),), {"dim": dim, "keepdim": draw(st.booleans())})

    return sample


def var_mean_inputs(draw, shape, min_count=1):
    sh = shape_of(draw, shape, empty=False)
    dim = draw(st.sampled_from([None] + list(range(len(sh)))))
    count = int(np.prod(sh)) if dim is None else (sh[dim] if sh else 1)
    assume(count >= min_count)
    correction = draw(st.sampled_from([0, 1] if count >= 2 else [0]))
    return Sample((_arr(draw, sh, "separated"),), {"dim": dim, "correction": correction,
                                                   "keepdim": draw(st.booleans())})


def topk_inputs(draw, shape):
    a, dim = _along(draw, shape, "separated")
    n = a.shape[dim] if a.ndim else 1
    k = draw(st.integers(0 if a.ndim else 1, n))
    return Sample((a,), {"k": k, "dim": dim, "largest": draw(st.booleans())})


def kthvalue_inputs(draw, shape):
    a, dim = _along(draw, shape, "separated", need=True)
    n = a.shape[dim] if a.ndim else 1
    return Sample((a,), {"k": draw(st.integers(1, n)), "dim": dim, "keepdim": draw(st.booleans())})


def norm_inputs(kind):
    """vector norms (dim None/int/tuple, keepdim); ord 1 and 3 away from 0 (|x| has a kink there; for
    ord 3 the second derivative is only C0 at 0, so central differences are O(eps) off), ord inf without ties."""
    domain = {"1": "nonzero", "3": "nonzero", "inf": "separated"}.get(kind, "real")  # zeros: the edges

    def sample(draw, shape):
        s = reduce_dims(domain, need_nonempty=kind == "inf")(draw, shape)
        a, dim = s.args[0], s.kwargs["dim"]
        if domain == "separated":  # |x| has a kink at 0; max |x| a tie between x and -x
            assume(np.all(a != 0) and len(np.unique(np.abs(a))) == a.size)
        if kind in ("3", "fro") and a.size:  # away from the zero vector, where only the subgradient exists
            assume(np.all(np.abs(a).sum(axis=None if dim is None or a.ndim == 0 else dim) > 0.05))
        return s

    return sample


def matrix_norm_inputs(kind):
    def sample(draw, shape):
        sh = shape_of(draw, shape, min_dims=2, empty=False)
        a = _arr(draw, sh, "separated" if kind != "fro" else "real")
        if kind == "fro":  # away from the zero matrix, where only the subgradient exists
            assume(np.all(np.abs(a).sum(axis=(-2, -1)) > 0.05))
        else:  # |x| has a kink at 0; the largest column (row) sum must not be tied
            assume(np.all(a != 0))
            sums = np.abs(a).sum(axis=-2 if kind == "1" else -1)
            top = np.sort(sums, axis=-1)
            assume(sums.shape[-1] < 2 or np.all(top[..., -1] - top[..., -2] > 1e-3))
        return Sample((a,), {"keepdim": draw(st.booleans())})

    return sample


# ----- layout ---------------------------------------------------------------------------------
def flip_inputs(draw, shape):
    sh = shape_of(draw, shape)
    nd = len(sh)
    dims = tuple(draw(st.lists(st.integers(-nd, nd - 1), unique_by=lambda d: d % nd, max_size=nd))) if nd else ()
    return Sample((_arr(draw, sh),), {"dims": dims})


def roll_inputs(draw, shape):
    sh = shape_of(draw, shape)
    nd = len(sh)
    if not nd or draw(st.booleans()):
        return Sample((_arr(draw, sh),), {"shifts": draw(st.integers(-4, 4)), "dims": None})
    dims = tuple(draw(st.lists(st.integers(-nd, nd - 1), min_size=1, max_size=2)))
    return Sample((_arr(draw, sh),), {"shifts": tuple(draw(st.integers(-4, 4)) for _ in dims), "dims": dims})


def repeat_inputs(draw, shape):
    sh = shape_of(draw, shape)
    sizes = tuple(draw(st.integers(0, 2)) for _ in range(len(sh) + draw(st.integers(0, 1))))
    return Sample((_arr(draw, sh),), {"sizes": sizes})


def tile_inputs(draw, shape):
    sh = shape_of(draw, shape)
    return Sample((_arr(draw, sh),), {"dims": tuple(draw(st.integers(0, 2)) for _ in range(draw(st.integers(1, 3))))})


def repeat_interleave_inputs(draw, shape):
    sh = shape_of(draw, shape)
    dim = draw(st.sampled_from([None] + list(range(len(sh)))))
    n = int(np.prod(sh)) if dim is None else sh[dim]
    repeats = draw(st.integers(0, 2)) if draw(st.booleans()) else draw(st.lists(st.integers(0, 2), min_size=n,
                                                                                max_size=n))
    return Sample((_arr(draw, sh),), {"repeats": repeats, "dim": dim})


def triangle_inputs(draw, shape):
    sh = shape_of(draw, shape, min_dims=2)
    assume(len(sh) >= 2)
    return Sample((_arr(draw, sh),), {"diagonal": draw(st.integers(-3, 3))})


def diag_inputs(draw, shape):
    sh = shape if shape is not None else draw(array_shapes(1, 2, 0, MAX_SIDE))
    return Sample((_arr(draw, sh),), {"diagonal": draw(st.integers(-2, 2))})


def diagonal_inputs(draw, shape):
    sh = shape_of(draw, shape, min_dims=2)
    nd = len(sh)
    d1, d2 = draw(st.lists(st.integers(0, nd - 1), unique=True, min_size=2, max_size=2))
    return Sample((_arr(draw, sh),), {"offset": draw(st.integers(-2, 2)), "dim1": d1 - nd * draw(st.booleans()),
                                      "dim2": d2})


def matrix_inputs(draw, shape):
    sh = shape if shape is not None else draw(array_shapes(2, 2, 0, MAX_SIDE))
    return Sample((_arr(draw, sh),))


def chunk_inputs(draw, shape):
    a, dim = _along(draw, shape, "real", min_dims=1)
    return Sample((a,), {"chunks": draw(st.integers(1, 4)), "dim": dim})


def narrow_inputs(draw, shape):
    a, dim = _along(draw, shape, "real", min_dims=1)
    n = a.shape[dim]
    start = draw(st.integers(0, n))
    length = draw(st.integers(0, n - start))
    return Sample((a,), {"dim": dim, "start": start - n * draw(st.booleans()) if start < n else start,
                         "length": length})


def movedim_inputs(draw, shape):
    sh = shape_of(draw, shape, min_dims=1)
    nd = len(sh)
    k = draw(st.integers(1, nd))
    src = draw(st.lists(st.integers(0, nd - 1), unique=True, min_size=k, max_size=k))
    dst = draw(st.lists(st.integers(0, nd - 1), unique=True, min_size=k, max_size=k))
    return Sample((_arr(draw, sh),), {"source": tuple(src), "destination": tuple(d - nd for d in dst)})


def swapaxes_inputs(draw, shape):
    sh = shape_of(draw, shape, min_dims=1)
    return Sample((_arr(draw, sh),), {"axis0": _dim(draw, len(sh)), "axis1": _dim(draw, len(sh))})


def unflatten_inputs(draw, shape):
    a, dim = _along(draw, shape, "real", min_dims=1, empty=False)
    n = a.shape[dim]
    first = draw(st.sampled_from([f for f in range(1, n + 1) if n % f == 0]))
    sizes = (first, n // first)
    if draw(st.booleans()):
        sizes = (first, -1)
    return Sample((a,), {"dim": dim, "sizes": sizes})


def view_inputs(draw, shape):
    sh = shape_of(draw, shape)
    n = int(np.prod(sh))
    target = (n,) if draw(st.booleans()) or n == 0 else (1, n, 1)
    return Sample((_arr(draw, sh),), {"shape": target})


def as_inputs(kind):
    """view_as / expand_as: the input and an ``other`` (an integer constant whose shape is the target)."""
    def sample(draw, shape):
        sh = shape_of(draw, shape)
        if kind == "view":
            n = int(np.prod(sh))
            other = (n,) if draw(st.booleans()) else (n, 1)
        else:
            other = tuple(draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, 1)))) + tuple(
                draw(st.integers(1, 3)) if n == 1 else n for n in sh)
        return Sample((_arr(draw, sh), np.zeros(other, dtype=np.int64)))  # a constant: only its shape counts

    return sample


def meshgrid_inputs(draw, shape):
    count = draw(st.integers(1, 3))
    shapes = [(draw(st.integers(0, 3)),) for _ in range(count)]
    if shape is not None:
        shapes[0] = tuple(shape) if len(shape) == 1 else (1,)
    return Sample(tuple(_arr(draw, s) for s in shapes), {"indexing": draw(st.sampled_from(["ij", "xy"]))})


def pad_torch_inputs(draw, shape):
    sh = shape_of(draw, shape, min_dims=1, empty=False)
    mode = draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    pairs = draw(st.integers(1, len(sh)))
    flat = []
    for i in range(pairs):
        n = sh[len(sh) - 1 - i]
        hi = {"reflect": n - 1, "circular": n}.get(mode, 3)
        lo = -((n - 1) // 2) if mode == "constant" else 0
        flat += [draw(st.integers(lo, min(hi, 3))), draw(st.integers(lo, min(hi, 3)))]
    kw = {"pad": tuple(flat), "mode": mode}
    if mode == "constant":
        kw["value"] = draw(st.sampled_from([0.0, -1.5]))
    return Sample((_arr(draw, sh),), kw)


# ----- indexing --------------------------------------------------------------------------------
def _index_shape(draw, sh, dim, max_side=MAX_SIDE):
    return tuple(draw(st.integers(min(1, n), n)) if i != dim % len(sh) else
                 draw(st.integers(0, max_side)) for i, n in enumerate(sh))


def gather_inputs(draw, shape):
    a, dim = _along(draw, shape, "real", min_dims=1, need=True)
    ish = _index_shape(draw, a.shape, dim)
    n = a.shape[dim]
    idx = np.array(draw(st.lists(st.integers(0, n - 1), min_size=int(np.prod(ish)), max_size=int(np.prod(ish)))),
                   dtype=np.int64).reshape(ish)
    return Sample((a, idx), {"dim": dim})


def _unique_lines(draw, ish, dim, n):
    """Indices of shape ``ish`` with no repeat along ``dim`` within each line (len <= n)."""
    if not int(np.prod(ish)):
        return np.zeros(ish, dtype=np.int64)
    lines = np.moveaxis(np.zeros(ish, dtype=np.int64), dim, -1)
    flat = lines.reshape(-1, lines.shape[-1])
    for r in range(flat.shape[0]):
        flat[r] = np.array(draw(st.permutations(range(n))), dtype=np.int64)[:flat.shape[1]]
    return np.moveaxis(flat.reshape(lines.shape), -1, dim)


def scatter_inputs(kind):
    """scatter (unique targets: an overwritten source has no effect, so no gradient check of it),
    scatter_add (repeats accumulate), scatter_reduce (``kind`` = its reduce)."""
    def sample(draw, shape):
        a, dim = _along(draw, shape, "separated" if kind in ("amax", "amin") else "real", min_dims=1, need=True)
        d = dim % a.ndim
        n = a.shape[d]
        ish = list(_index_shape(draw, a.shape, d))
        if kind == "scatter":
            ish[d] = min(ish[d], n)
            idx = _unique_lines(draw, tuple(ish), d, n)
        else:
            size = int(np.prod(ish))
            idx = np.array(draw(st.lists(st.integers(0, n - 1), min_size=size, max_size=size)),
                           dtype=np.int64).reshape(ish)
        src_shape = tuple(m + draw(st.integers(0, 1)) for m in ish) if kind in ("scatter", "add") else tuple(ish)
        if kind in ("amax", "amin"):
            both = _arr(draw, (a.size + int(np.prod(src_shape)),), "separated")
            a, src = both[:a.size].reshape(a.shape), both[a.size:].reshape(src_shape)
        else:
            src = _arr(draw, src_shape, "real" if kind != "prod" else "nonzero")
        kw = {"dim": dim}
        if kind not in ("scatter", "add"):
            kw.update(reduce=kind, include_self=draw(st.booleans()))
        return Sample((a, idx, src), kw)

    return sample


def index_inputs(kind):
    """index_select / index_add / index_copy: a 1-D index along dim (unique for index_copy)."""
    def sample(draw, shape):
        a, dim = _along(draw, shape, "real", min_dims=1, need=True)
        d = dim % a.ndim
        n = a.shape[d]
        if kind == "copy":
            idx = np.array(draw(st.permutations(range(n))), dtype=np.int64)[:draw(st.integers(0, n))]
        else:
            idx = np.array(draw(st.lists(st.integers(0, n - 1), max_size=4)), dtype=np.int64)
        if kind == "select":
            return Sample((a, idx), {"dim": dim})
        src = _arr(draw, tuple(len(idx) if i == d else m for i, m in enumerate(a.shape)))
        kw = {"dim": dim} if kind == "copy" else {"dim": dim, "alpha": draw(st.sampled_from([1, -0.5]))}
        return Sample((a, idx, src), kw)

    return sample


def take_along_dim_inputs(draw, shape):
    if draw(st.booleans()) and shape is None:
        a = _arr(draw, shape_of(draw, None, min_dims=1, empty=False))
        idx = np.array(draw(st.lists(st.integers(0, a.size - 1), max_size=4)), dtype=np.int64)
        return Sample((a, idx), {"dim": None})
    a, dim = _along(draw, shape, "real", min_dims=1, need=True)
    d = dim % a.ndim
    ish = tuple(draw(st.integers(0, 3)) if i == d else draw(st.sampled_from([1, n])) for i, n in enumerate(a.shape))
    idx = draw(st.lists(st.integers(0, a.shape[d] - 1), min_size=int(np.prod(ish)), max_size=int(np.prod(ish))))
    return Sample((a, np.array(idx, dtype=np.int64).reshape(ish)), {"dim": dim})


def _mask(draw, shape):
    return np.array(draw(st.lists(st.booleans(), min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))),
                    dtype=bool).reshape(shape)


def masked_inputs(kind):
    """masked_fill / masked_select / masked_scatter: a bool mask broadcasting to the input."""
    def sample(draw, shape):
        sh = shape_of(draw, shape)
        k = draw(st.integers(0, len(sh)))
        mshape = tuple(draw(st.sampled_from([1, n])) for n in sh[len(sh) - k:])
        mask = _mask(draw, mshape)
        a = _arr(draw, sh)
        if kind == "fill":
            return Sample((a, mask), {"value": draw(st.sampled_from([0.0, -2.5]))})
        if kind == "select":
            return Sample((a, mask))
        full = np.broadcast_to(mask, sh)
        return Sample((a, mask, _arr(draw, (int(full.sum()) + draw(st.integers(0, 2)),))))

    return sample
