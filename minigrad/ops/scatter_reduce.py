"""``scatter`` and ``scatter_reduce``: PyTorch's scatter, plain and with a reduction ('sum', 'prod',
'mean', 'amax', 'amin').

``scatter`` writes src at the places index names (see :func:`scatter`).

For dim d, every src[i] (i a position of ``index``'s shape) goes to out[j] where j is i with
coordinate d replaced by index[i]; each out[j] that receives anything becomes

    reduce({input[j]} (if include_self) U {src[i] : i goes to j})

and every other out[j] stays input[j].  'sum' scatter-adds; 'mean' divides that sum by the
number of terms.  'prod', 'amax' and 'amin' are computed densely: a membership mask
M[i, j] = (index[i] == j) over a new axis of length n = input.shape[d] (memory index.size * n),
then the product (exact gradient with zeros) or amax/amin (tied values share the gradient
equally, input's included, as in PyTorch) over the sources.  Every gradient is that of this
composition; indices get none.
"""
from __future__ import annotations

from .indexing import (_check_gather_shapes, _crop, _dim, _index_array, _src_tensor, _write, along_key,
                       arange_on, wrap)
from .shape import IndexAdd, concatenate, pad, reshape

__all__ = ["scatter", "scatter_reduce"]

_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """out = input with out[index[i][j]][j] = src[i][j] (dim 0; likewise for other dims).
    ``src`` may be a Tensor (its leading block of index's shape is used) or a number (``value``).
    ``reduce='add'``/``'multiply'`` are PyTorch's legacy forms (use scatter_add/scatter_reduce).
    Gradient: input gets g where nothing was written; src gets g gathered at index."""
    src = value if src is None else src
    if src is None:
        raise TypeError("scatter: give src (a Tensor) or value (a number)")
    if reduce is not None:
        return scatter_reduce(input, dim, index, src, {"add": "sum", "multiply": "prod"}.get(reduce, reduce))
    d = _dim(input, dim, "scatter")
    idx = _index_array("scatter", index, input)
    _check_gather_shapes("scatter", input, idx, d, src if hasattr(src, "shape") else None)
    s = _crop(_src_tensor("scatter", src, input, idx.shape), tuple(idx.shape))
    return _write("scatter", input, along_key(input._device, idx, d), s, add=False)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """See the module docstring: out[j] = reduce of input[j] (if include_self) and the src values
    scattered to j; unreached out[j] = input[j]."""
    from .elementwise import where

    if reduce not in _REDUCES:
        raise ValueError(f"scatter_reduce: reduce must be one of {_REDUCES}, got {reduce!r}")
    d = _dim(input, dim, "scatter_reduce")
    idx = _index_array("scatter_reduce", index, input)
    _check_gather_shapes("scatter_reduce", input, idx, d, src if hasattr(src, "shape") else None)
    s = _crop(_src_tensor("scatter_reduce", src, input, idx.shape), tuple(idx.shape))
    dev = input._device
    xp = dev.xp
    if idx.size == 0:  # nothing is written: out = input
        return input * 1  # a new tensor, as PyTorch gives
    key = along_key(dev, idx, d)
    ones = xp.ones(tuple(idx.shape), dtype=input.array.dtype, **_kw(input.array))
    count = dev.scatter_add(tuple(input.shape), key, ones, input.array.dtype)
    hit = wrap(count > 0, input)
    if reduce in ("sum", "mean"):
        total = IndexAdd.apply(s, shape=tuple(input.shape), key=key, device=dev)
        if include_self:
            total = total + input
        if reduce == "mean":
            n = count + 1 if include_self else xp.where(count > 0, count, xp.ones_like(count))
            total = total / wrap(n, input)
        return where(hit, total, input)
    reduced = _dense(input, s, idx, d, reduce, include_self)
    return where(hit, reduced, input)


def _kw(a):
    return {"device": a.device} if type(a).__module__.startswith("array_api_strict") else {}


def _dense(input, s, idx, d, reduce, include_self):
    """reduce over the sources of each target (shape of input), via the mask M[..., i, .., j]."""
    from .elementwise import where
    from .reductions import amax, amin
    from .scans import prod

    dev = input._device
    xp = dev.xp
    n = input.shape[d]
    S = tuple(idx.shape)
    j = xp.reshape(arange_on(dev, n), (1,) * len(S) + (n,))
    member = wrap(xp.expand_dims(idx % n if n else idx, axis=-1) == j, input)  # S + (n,)
    src_e = reshape(s, S + (1,))
    fill = {"prod": 1.0, "amax": -float("inf"), "amin": float("inf")}[reduce]
    cand = where(member, src_e, fill)  # S + (n,): src where it goes to j, else the neutral value
    # the targets: the reduced axis d holds the sources; the new last axis the targets
    if include_self:
        own = _input_block(input, S, d)  # S with d of length 1, then targets on the last axis
        cand = concatenate([own, cand], axis=d)
    if reduce == "prod":
        out = prod(cand, d)
    else:
        out = (amax if reduce == "amax" else amin)(cand, d)
    out = _targets_to_dim(out, d)  # S with d replaced by n
    widths = tuple((0, input.shape[k] - out.shape[k]) for k in range(input.ndim))
    return pad(out, pad_width=widths, value=fill if reduce == "prod" else 0.0) if any(w[1] for w in widths) else out


def _input_block(input, S, d):
    """input's block over S's extent on the axes other than d, arranged as S[d]=1 + (n,)."""
    from .layout import movedim
    from .shape import getitem, unsqueeze

    block = getitem(input, tuple(slice(None) if k == d else slice(0, S[k]) for k in range(input.ndim)))
    return unsqueeze(movedim(block, d, -1), d)


def _targets_to_dim(out, d):
    from .layout import movedim

    return movedim(out, -1, d)


