"""Hypothesis samplers for the op-table rows of products, linear algebra, convolution and pooling
(tests/support/op_specs_products_conv.py).  Same contract as tests/support/op_samplers.py: ``sample(draw, shape)``
with ``shape`` the main input's shape (or None to draw one); shapes stay tiny because every
gradient check costs two calls per input element."""
from __future__ import annotations

import numpy as np
from hypothesis import assume, strategies as st

from op_samplers import Sample, _arr

_SIDE = st.integers(1, 3)


def _sides(draw, n):
    return tuple(draw(_SIDE) for _ in range(n))


# ----- products -----------------------------------------------------------------------------------
def outer_inputs(draw, shape):
    sa = shape if shape is not None else _sides(draw, 1)
    return Sample((_arr(draw, sa), _arr(draw, _sides(draw, 1))))


def dot_inputs(draw, shape):
    sa = shape if shape is not None else _sides(draw, 1)
    return Sample((_arr(draw, sa), _arr(draw, sa)))


def mv_inputs(draw, shape):
    sa = shape if shape is not None else _sides(draw, 2)
    return Sample((_arr(draw, sa), _arr(draw, sa[1:])))


def bmm_inputs(draw, shape):
    sa = shape if shape is not None else _sides(draw, 3)
    return Sample((_arr(draw, sa), _arr(draw, (sa[0], sa[2], draw(_SIDE)))))


def _broadcastable_to(draw, shape):
    """A shape that broadcasts to ``shape``: some leading axes dropped, some sizes set to 1."""
    keep = draw(st.integers(0, len(shape)))
    tail = shape[len(shape) - keep:]
    return tuple(1 if draw(st.booleans()) else n for n in tail)


def _scales(draw):
    """beta = 0 (input ignored, gradient 0) is an edge row: a gradient check that may find input
    unused would be vacuous there."""
    return {"beta": draw(st.sampled_from([1, 0.5, -2.0])), "alpha": draw(st.sampled_from([1, 2.0, -0.5]))}


def addmm_inputs(draw, shape):
    sa = shape if shape is not None else _sides(draw, 2)
    p = draw(_SIDE)
    c = _arr(draw, _broadcastable_to(draw, (sa[0], p)))
    return Sample((c, _arr(draw, sa), _arr(draw, (sa[1], p))), _scales(draw))


def baddbmm_inputs(draw, shape):
    sa = shape if shape is not None else _sides(draw, 3)
    p = draw(_SIDE)
    c = _arr(draw, _broadcastable_to(draw, (sa[0], sa[1], p)))
    return Sample((c, _arr(draw, sa), _arr(draw, (sa[0], sa[2], p))), _scales(draw))


def kron_inputs(draw, shape):
    sa = shape if shape is not None else _sides(draw, draw(st.integers(0, 2)))
    sb = tuple(draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, 2))))
    return Sample((_arr(draw, sa), _arr(draw, sb)))


def tensordot_inputs(draw, shape):
    sa = shape if shape is not None else _sides(draw, draw(st.integers(0, 3)))
    if draw(st.booleans()):
        n = draw(st.integers(0, len(sa)))
        sb = sa[len(sa) - n:] + _sides(draw, draw(st.integers(0, 1)))
        return Sample((_arr(draw, sa), _arr(draw, sb)), {"dims": n})
    axes_a = draw(st.permutations(range(len(sa))))[:draw(st.integers(0, len(sa)))]
    free = _sides(draw, draw(st.integers(0, 1)))
    order = draw(st.permutations(range(len(axes_a) + len(free))))
    sizes = [sa[i] for i in axes_a] + list(free)
    sb = tuple(sizes[k] for k in order)
    axes_b = [order.index(k) for k in range(len(axes_a))]
    return Sample((_arr(draw, sa), _arr(draw, sb)), {"dims": (list(axes_a), axes_b)})


_EINSUM = (("ij,jk->ik", ((2, 3), (3, 2))), ("bij,bjk->bik", ((2, 2, 3), (2, 3, 1))), ("ii->i", ((3, 3),)),
           ("ii", ((2, 2),)), ("ij->", ((2, 3),)), ("ij->ji", ((2, 3),)), ("i,j->ij", ((2,), (3,))),
           ("...ij,...jk", ((2, 1, 2, 3), (2, 3, 2))), ("bn,anm,bm->ba", ((2, 3), (2, 3, 2), (2, 2))),
           ("i,i,i->", ((3,), (3,), (3,))), ("iij->j", ((2, 2, 3),)), ("ij,ij->ij", ((2, 3), (1, 3))),
           ("i...->...", ((2, 3),)), ("ba,b", ((3, 2), (3,))), ("", ((),)), (",->", ((), ())))


def einsum_inputs(draw, shape):
    """A fixed equation (matrix products, batches, diagonals, traces, broadcasting, ``...``,
    three operands, 0-d) with its operand shapes."""
    if shape is not None:
        eq = {0: "->", 1: "i->i", 2: "ij->ji"}.get(len(shape), "...->...")
        return Sample((_arr(draw, shape),), {"equation": eq})
    eq, shapes = draw(st.sampled_from(_EINSUM))
    return Sample(tuple(_arr(draw, s) for s in shapes), {"equation": eq})


# ----- linear algebra -----------------------------------------------------------------------------
def _well_conditioned(draw, shape):
    """Square matrices M + n I with entries of M in [-0.5, 0.5]: diagonally dominant, invertible,
    condition number below ~5, so float32 and central differences stay accurate."""
    n = shape[-1]
    m = _arr(draw, shape, min_value=-0.5, max_value=0.5)
    return m + n * np.eye(n)


def square_inputs(draw, shape):
    if shape is None:
        n = draw(_SIDE)
        shape = _sides(draw, draw(st.integers(0, 1))) + (n, n)
    assume(len(shape) >= 2 and shape[-1] == shape[-2])
    return Sample((_well_conditioned(draw, shape),))


def solve_inputs(draw, shape):
    a = square_inputs(draw, shape).args[0]
    n, batch = a.shape[-1], a.shape[:-2]
    kind = draw(st.sampled_from(["matrix", "vector", "batched vector", "broadcast"]))
    if kind == "vector":
        b = (n,)
    elif kind == "batched vector" and batch:
        b = batch + (n,)
    elif kind == "broadcast":
        b = (n, draw(_SIDE))
    else:
        b = batch + (n, draw(_SIDE))
    return Sample((a, _arr(draw, b)))


# ----- convolution and pooling -------------------------------------------------------------------
def _image(draw, shape, min_hw=1, domain="real"):
    if shape is None:
        shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(min_hw, 4)),
                 draw(st.integers(min_hw, 4)))
    return _arr(draw, shape, domain), shape


def _conv_geometry(draw, size, kernel):
    """stride, padding, dilation with at least one window per axis."""
    stride = tuple(draw(st.integers(1, 2)) for _ in size)
    dilation = tuple(draw(st.integers(1, 2)) for _ in size)
    padding = tuple(draw(st.integers(0, 1)) for _ in size)
    for n, k, p, d in zip(size, kernel, padding, dilation):
        assume(n + 2 * p - d * (k - 1) - 1 >= 0)
    return stride, padding, dilation


def conv2d_inputs(draw, shape):
    x, shape = _image(draw, shape)
    n, c, h, w = shape
    groups = draw(st.sampled_from([g for g in (1, 2) if c % g == 0]))
    out = groups * draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, min(h + 2, 3))), draw(st.integers(1, min(w + 2, 3))))
    kw = {}
    if draw(st.booleans()):
        kw["padding"] = draw(st.sampled_from(["same", "valid"]))
        kw["dilation"] = draw(st.integers(1, 2))
        if kw["padding"] == "valid":
            assume(all(s - kw["dilation"] * (k - 1) >= 1 for s, k in zip((h, w), kernel)))
    else:
        kw["stride"], kw["padding"], kw["dilation"] = _conv_geometry(draw, (h, w), kernel)
    kw["groups"] = groups
    wt = _arr(draw, (out, c // groups) + kernel)
    args = (x, wt) + ((_arr(draw, (out,)),) if draw(st.booleans()) else ())
    return Sample(args, kw)


def conv1d_inputs(draw, shape):
    if shape is None:
        shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 5)))
    x = _arr(draw, shape)
    n, c, length = shape
    groups = draw(st.sampled_from([g for g in (1, 2) if c % g == 0]))
    out = groups * draw(st.integers(1, 2))
    k = draw(st.integers(1, min(length + 2, 3)))
    (s,), (p,), (d,) = _conv_geometry(draw, (length,), (k,))
    kw = {"stride": s, "padding": p if draw(st.booleans()) or s != 1 else "same", "dilation": d, "groups": groups}
    args = (x, _arr(draw, (out, c // groups, k))) + ((_arr(draw, (out,)),) if draw(st.booleans()) else ())
    return Sample(args, kw)


def conv_transpose2d_inputs(draw, shape):
    x, shape = _image(draw, shape)
    n, c, h, w = shape
    groups = draw(st.sampled_from([g for g in (1, 2) if c % g == 0]))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(2))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(2))
    padding = tuple(draw(st.integers(0, 1)) for _ in range(2))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    for i, size in enumerate((h, w)):
        assume((size - 1) * stride[i] - 2 * padding[i] + dilation[i] * (kernel[i] - 1) + output_padding[i] + 1 >= 1)
    wt = _arr(draw, (c, draw(st.integers(1, 2))) + kernel)
    args = (x, wt) + ((_arr(draw, (wt.shape[1] * groups,)),) if draw(st.booleans()) else ())
    return Sample(args, {"stride": stride, "padding": padding, "output_padding": output_padding, "groups": groups,
                         "dilation": dilation})


def unfold_inputs(draw, shape):
    x, shape = _image(draw, shape)
    kernel = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    stride, padding, dilation = _conv_geometry(draw, shape[2:], kernel)
    return Sample((x,), {"kernel_size": kernel, "dilation": dilation, "padding": padding, "stride": stride})


def fold_inputs(draw, shape):
    size = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    kernel = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    stride, padding, dilation = _conv_geometry(draw, size, kernel)
    blocks = 1
    for n, k, s, p, d in zip(size, kernel, stride, padding, dilation):
        blocks *= (n + 2 * p - d * (k - 1) - 1) // s + 1
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    x = _arr(draw, (n, c * kernel[0] * kernel[1], blocks))
    return Sample((x,), {"output_size": size, "kernel_size": kernel, "dilation": dilation, "padding": padding,
                         "stride": stride})


def _pool_geometry(draw, shape, with_dilation):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.sampled_from([None, 1, 2, (1, 2)]))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if with_dilation else (1, 1)
    # padding only without dilation: a dilated window could then fall wholly in the padding (-inf)
    padding = tuple(draw(st.integers(0, k // 2)) if d == 1 else 0 for k, d in zip(kernel, dilation))
    for n, k, p, d in zip(shape[2:], kernel, padding, dilation):
        assume(n + 2 * p - d * (k - 1) - 1 >= 0)
    kw = {"kernel_size": kernel, "stride": stride, "padding": padding, "ceil_mode": draw(st.booleans())}
    if with_dilation:
        kw["dilation"] = dilation
    return kw


def max_pool2d_inputs(draw, shape):
    """Distinct values (the "separated" grid): no ties inside a window."""
    x, shape = _image(draw, shape, domain="separated")
    return Sample((x,), _pool_geometry(draw, shape, True))


def avg_pool2d_inputs(draw, shape):
    x, shape = _image(draw, shape)
    kw = _pool_geometry(draw, shape, False)
    kw["count_include_pad"] = draw(st.booleans())
    kw["divisor_override"] = draw(st.sampled_from([None, None, 3]))
    return Sample((x,), kw)


def adaptive_avg_pool2d_inputs(draw, shape):
    x, shape = _image(draw, shape)
    size = draw(st.sampled_from([1, (2, 3), (None, 2), (3, None), (5, 1)]))
    return Sample((x,), {"output_size": size})
