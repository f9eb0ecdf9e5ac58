"""Op-table rows (tests/support/op_specs.py) for products, linear algebra, convolution and pooling.

The references are NumPy written independently of minigrad: ``np.einsum``/``np.kron``/``np.linalg``
for the products, and plain loops over output positions, straight from the definitions, for the
convolutions and pools (no im2col, no shared code with minigrad/ops/conv.py).
"""
from __future__ import annotations

import itertools
import math

import numpy as np

import minigrad as mg
import op_samplers_products_conv as smp
from op_specs import Edge, OpSpec


# ----- references -----------------------------------------------------------------------------------
def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _conv2d_ref(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """Z[n, o, y, x] = b[o] + sum_{c, i, j} W[o, c, i, j] Xpad[n, g*Cg + c, y s0 + i d0, x s1 + j d1]."""
    s, d = _pair(stride), _pair(dilation)
    kh, kw = w.shape[2:]
    if padding == "valid":
        pads = ((0, 0), (0, 0))
    elif padding == "same":
        tot = (d[0] * (kh - 1), d[1] * (kw - 1))
        pads = tuple((t // 2, t - t // 2) for t in tot)
    else:
        p = _pair(padding)
        pads = ((p[0], p[0]), (p[1], p[1]))
    xp_ = np.pad(x, ((0, 0), (0, 0)) + pads)
    n, c = x.shape[:2]
    o, cg = w.shape[:2]
    oh = (xp_.shape[2] - d[0] * (kh - 1) - 1) // s[0] + 1
    ow = (xp_.shape[3] - d[1] * (kw - 1) - 1) // s[1] + 1
    out = np.zeros((n, o, oh, ow))
    og = o // groups
    for oc, y, xx in itertools.product(range(o), range(oh), range(ow)):
        g = oc // og
        patch = xp_[:, g * cg:(g + 1) * cg, y * s[0]:y * s[0] + d[0] * (kh - 1) + 1:d[0],
                    xx * s[1]:xx * s[1] + d[1] * (kw - 1) + 1:d[1]]
        out[:, oc, y, xx] = np.sum(patch * w[oc], axis=(1, 2, 3))
    return out + (0.0 if b is None else b[None, :, None, None])


def _conv1d_ref(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    pad = padding if isinstance(padding, str) else (0, padding)
    out = _conv2d_ref(x[:, :, None, :], w[:, :, None, :], b, (1, stride), pad, (1, dilation), groups)
    return out[:, :, 0, :]


def _conv_transpose2d_ref(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Each input pixel scatters X[n, c, y, x] W[c, o, i, j] to (y s0 + i d0 - p0, x s1 + j d1 - p1)."""
    s, p, op, d = _pair(stride), _pair(padding), _pair(output_padding), _pair(dilation)
    n, c, h, wd = x.shape
    kh, kw = w.shape[2:]
    og = w.shape[1]
    cg = c // groups
    size = ((h - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + op[0] + 1,
            (wd - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + op[1] + 1)
    out = np.zeros((n, og * groups) + size)
    for ci, y, xx, i, j in itertools.product(range(c), range(h), range(wd), range(kh), range(kw)):
        oy, ox = y * s[0] + i * d[0] - p[0], xx * s[1] + j * d[1] - p[1]
        if 0 <= oy < size[0] and 0 <= ox < size[1]:
            g = ci // cg
            out[:, g * og:(g + 1) * og, oy, ox] += x[:, ci, y, xx][:, None] * w[ci, :, i, j][None, :]
    return out + (0.0 if b is None else b[None, :, None, None])


def _blocks(size, kernel, dilation, padding, stride):
    """(block index, kernel offset (i, j), padded-free input position or None) for unfold/fold."""
    k, d, p, s = _pair(kernel), _pair(dilation), _pair(padding), _pair(stride)
    oh = (size[0] + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    ow = (size[1] + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    for y, xx, i, j in itertools.product(range(oh), range(ow), range(k[0]), range(k[1])):
        r, q = y * s[0] + i * d[0] - p[0], xx * s[1] + j * d[1] - p[1]
        inside = 0 <= r < size[0] and 0 <= q < size[1]
        yield y * ow + xx, i * k[1] + j, (r, q) if inside else None


def _unfold_ref(x, kernel_size, dilation=1, padding=0, stride=1):
    k = _pair(kernel_size)
    n, c = x.shape[:2]
    kk = k[0] * k[1]
    blocks = list(_blocks(x.shape[2:], kernel_size, dilation, padding, stride))
    out = np.zeros((n, c * kk, max(b for b, _, _ in blocks) + 1))
    for blk, off, pos in blocks:
        if pos is not None:
            out[:, np.arange(c) * kk + off, blk] = x[:, :, pos[0], pos[1]]
    return out


def _fold_ref(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    k = _pair(kernel_size)
    kk = k[0] * k[1]
    n, ckk = x.shape[:2]
    c = ckk // kk
    out = np.zeros((n, c) + tuple(output_size))
    for blk, off, pos in _blocks(output_size, kernel_size, dilation, padding, stride):
        if pos is not None:
            out[:, :, pos[0], pos[1]] += x[:, np.arange(c) * kk + off, blk]
    return out


def _pool_windows(size, kernel, stride, padding, dilation, ceil_mode):
    """Per axis: the output length and each window's (start, positions) by PyTorch's documented rule."""
    axes = []
    for n, k, s, p, d in zip(size, kernel, stride, padding, dilation):
        span = n + 2 * p - d * (k - 1) - 1
        o = (math.ceil(span / s) if ceil_mode else span // s) + 1
        if ceil_mode and (o - 1) * s >= n + p:
            o -= 1
        axes.append([(y * s - p, [y * s - p + i * d for i in range(k)]) for y in range(o)])
    return axes


def _max_pool2d_ref(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    k = _pair(kernel_size)
    s = k if stride is None else _pair(stride)
    rows, cols = _pool_windows(x.shape[2:], k, s, _pair(padding), _pair(dilation), ceil_mode)
    out = np.empty(x.shape[:2] + (len(rows), len(cols)))
    for (y, (_, rs)), (xx, (_, cs)) in itertools.product(enumerate(rows), enumerate(cols)):
        rs_in = [r for r in rs if 0 <= r < x.shape[2]]
        cs_in = [q for q in cs if 0 <= q < x.shape[3]]
        out[:, :, y, xx] = x[:, :, rs_in][:, :, :, cs_in].max(axis=(2, 3))
    return out


def _avg_pool2d_ref(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                    divisor_override=None):
    """Window sum / divisor; with count_include_pad the divisor counts padding up to the padded
    input's edge (not the ceil_mode overhang), else only real pixels (PyTorch's documented rule)."""
    k = _pair(kernel_size)
    s = k if stride is None else _pair(stride)
    p = _pair(padding)
    h, w = x.shape[2:]
    rows, cols = _pool_windows((h, w), k, s, p, (1, 1), ceil_mode)
    out = np.empty(x.shape[:2] + (len(rows), len(cols)))
    for (y, (r0, rs)), (xx, (c0, cs)) in itertools.product(enumerate(rows), enumerate(cols)):
        rs_in = [r for r in rs if 0 <= r < h]
        cs_in = [q for q in cs if 0 <= q < w]
        total = x[:, :, rs_in][:, :, :, cs_in].sum(axis=(2, 3))
        if divisor_override is not None:
            div = divisor_override
        elif count_include_pad:
            div = (min(r0 + k[0], h + p[0]) - r0) * (min(c0 + k[1], w + p[1]) - c0)
        else:
            div = len(rs_in) * len(cs_in)
        out[:, :, y, xx] = total / div
    return out


def _adaptive_avg_pool2d_ref(x, output_size):
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    oh, ow = (n if o is None else o for o, n in zip(sizes, x.shape[2:]))
    h, w = x.shape[2:]
    out = np.empty(x.shape[:2] + (oh, ow))
    for y, xx in itertools.product(range(oh), range(ow)):
        r0, r1 = (y * h) // oh, math.ceil((y + 1) * h / oh)
        c0, c1 = (xx * w) // ow, math.ceil((xx + 1) * w / ow)
        out[:, :, y, xx] = x[:, :, r0:r1, c0:c1].mean(axis=(2, 3))
    return out


def _tensordot_ref(a, b, dims):
    return np.tensordot(a, b, axes=dims)


def _solve_ref(a, b):
    if b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1]):
        return np.linalg.solve(a, b[..., None])[..., 0]
    return np.linalg.solve(a, b)


def _addmm_ref(c, a, b, beta=1, alpha=1):
    return alpha * (a @ b) + (beta * c if beta != 0 else 0.0)


_TIE = np.array([[[[1.0, 3.0, 3.0], [0.0, 3.0, 2.0]]]])
_KINKS = np.array([[[[-1.0, 0.0], [2.0, 0.5]]]])

ROWS = [
    OpSpec("conv2d", mg.conv2d, _conv2d_ref, smp.conv2d_inputs, min_ndim=4,
           domain="x, W, b real; stride/padding/dilation/groups drawn", small_shapes=((1, 1, 1, 1),)),
    OpSpec("conv1d", mg.conv1d, _conv1d_ref, smp.conv1d_inputs, min_ndim=3, small_shapes=((1, 1, 1),)),
    OpSpec("conv_transpose2d", mg.conv_transpose2d, _conv_transpose2d_ref, smp.conv_transpose2d_inputs,
           min_ndim=4, small_shapes=((1, 1, 1, 1),)),
    OpSpec("unfold", mg.unfold, _unfold_ref, smp.unfold_inputs, min_ndim=4, small_shapes=((1, 1, 1, 1),)),
    OpSpec("fold", mg.fold, _fold_ref, smp.fold_inputs, min_ndim=3, small_shapes=((1, 1, 1),)),
    OpSpec("max_pool2d", mg.max_pool2d, _max_pool2d_ref, smp.max_pool2d_inputs, min_ndim=4,
           domain="distinct values (no ties in a window)", small_shapes=((1, 1, 1, 1),),
           edges=(Edge("ties: the first maximum (row-major) takes the gradient", (_TIE,), {"kernel_size": 2,
                       "stride": 1}, expected_grad=(np.array([[[[0.0, 2.0, 0.0], [0.0, 0.0, 0.0]]]]),)),)),
    OpSpec("avg_pool2d", mg.avg_pool2d, _avg_pool2d_ref, smp.avg_pool2d_inputs, min_ndim=4,
           small_shapes=((1, 1, 1, 1),)),
    OpSpec("adaptive_avg_pool2d", mg.adaptive_avg_pool2d, _adaptive_avg_pool2d_ref, smp.adaptive_avg_pool2d_inputs,
           min_ndim=4, small_shapes=((1, 1, 1, 1),)),
    OpSpec("einsum", lambda *ts, equation: mg.einsum(equation, *ts),
           lambda *arrs, equation: np.einsum(equation, *arrs), smp.einsum_inputs),
    OpSpec("outer", mg.outer, np.outer, smp.outer_inputs, min_ndim=1, small_shapes=((1,),)),
    OpSpec("dot", mg.dot, np.dot, smp.dot_inputs, min_ndim=1, small_shapes=((1,),)),
    OpSpec("mv", mg.mv, lambda a, v: a @ v, smp.mv_inputs, min_ndim=2, small_shapes=((1, 1),)),
    OpSpec("bmm", mg.bmm, np.matmul, smp.bmm_inputs, min_ndim=3, small_shapes=((1, 1, 1),)),
    OpSpec("addmm", mg.addmm, _addmm_ref, smp.addmm_inputs, min_ndim=2, small_shapes=((1, 1),),
           edges=(Edge("beta=0: input ignored (NaN too), its gradient 0", (np.full((2, 2), np.nan), np.eye(2),
                                                                           np.array([[1.0, 2.0], [3.0, 4.0]])),
                       {"beta": 0}, expected_grad=(np.zeros((2, 2)), np.array([[3.0, 7.0], [3.0, 7.0]]),
                                                   np.ones((2, 2)))),)),
    OpSpec("baddbmm", mg.baddbmm, _addmm_ref, smp.baddbmm_inputs, min_ndim=3, small_shapes=((1, 1, 1),)),
    OpSpec("kron", mg.kron, np.kron, smp.kron_inputs),
    OpSpec("tensordot", mg.tensordot, _tensordot_ref, smp.tensordot_inputs),
    OpSpec("inverse", mg.inverse, np.linalg.inv, smp.square_inputs, min_ndim=2, domain="M + n I, |M_ij| <= 0.5",
           small_shapes=((1, 1),)),
    OpSpec("det", mg.det, np.linalg.det, smp.square_inputs, min_ndim=2, domain="M + n I, |M_ij| <= 0.5",
           small_shapes=((1, 1),)),
    OpSpec("linalg_solve", mg.linalg_solve, _solve_ref, smp.solve_inputs, min_ndim=2,
           domain="A = M + n I, |M_ij| <= 0.5; B matrix, vector, batched or broadcast", small_shapes=((1, 1),)),
]
