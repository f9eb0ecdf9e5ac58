"""Convolutions as ops: ``conv1d``, ``conv2d``, ``conv_transpose2d``, ``unfold`` and ``fold``.

PyTorch's layouts: input (N, C, H, W) (or (C, H, W) unbatched), weight (out, in / groups, kH, kW),
``conv_transpose2d``'s weight (in, out / groups, kH, kW).  As in PyTorch these are
cross-correlations (the kernel is not flipped):

    Z[n, o, y, x] = b[o] + sum_{c, i, j} W[o, c, i, j] * Xpad[n, g*C_g + c, y*s0 + i*d0, x*s1 + j*d1]

Everything is built on two linear ops that are each other's adjoint, written with slicing alone
(no ``as_strided``, so every Array API backend runs them):

* ``Im2Col``: cols[n, y, x, c, i, j] = Xpad[n, c, y*s0 + i*d0, x*s1 + j*d1]   (one strided slice
  per kernel offset (i, j), stacked);
* ``Col2Im``: its adjoint, X[n, c, h, w] = sum of the cols that read (h, w) (one strided slice-add
  per kernel offset).

The backward of each is the other, applied through ``F``, so with ``create_graph=True`` it is
recorded and every convolution has second derivatives.  A convolution is then Im2Col, a reshape
and one matrix product with the weight (``linear``; with groups a batched ``matmul``): the product
rule of those ops gives dX (a Col2Im of G W) and dW (G^T cols).
"""
from __future__ import annotations

import operator

from ..device import DeviceError
from ..function import Op
from ..tensor import Tensor
from ._errors import ShapeError
from .dtype_rules import require_same_dtype
from .linalg import linear, matmul
from .shape import _device_kw, permute, reshape, transpose

__all__ = ["conv1d", "conv2d", "conv_transpose2d", "unfold", "fold"]


class Im2Col(Op):
    """cols[n, y, x, c, i, j] = Xpad[n, c, y*s0 + i*d0, x*s1 + j*d1]: x (N, C, H, W) ->
    cols (N, oH, oW, C, kH, kW); Xpad is x with ``padding`` ((top, bottom), (left, right)) of
    ``fill`` around it.  Linear in x (for a finite ``fill``): d cols / dX is Col2Im."""

    def forward(self, x, kernel, stride, padding, dilation, fill=0.0):
        self.geometry = dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                             size=tuple(x.shape[2:]))
        return im2col_array(self.xp, x, kernel, stride, padding, dilation, fill)

    def backward(self, g):
        return self.F.apply(Col2Im, g, **self.geometry)


class Col2Im(Op):
    """X[n, c, h, w] = sum over (y, x, i, j) with (y*s0 + i*d0 - top, x*s1 + j*d1 - left) = (h, w)
    of cols[n, y, x, c, i, j]: the adjoint of Im2Col, cols (N, oH, oW, C, kH, kW) -> (N, C, *size).
    Linear: d X / d cols is Im2Col."""

    def forward(self, cols, kernel, stride, padding, dilation, size):
        self.geometry = dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation)
        return col2im_array(self.xp, cols, kernel, stride, padding, dilation, size)

    def backward(self, g):
        return self.F.apply(Im2Col, g, **self.geometry)


# ----- array kernels (also used by pooling) ------------------------------------------------------
def _window_slices(k, s, d, out):
    """For each kernel offset i: the slice of padded positions i*d, i*d + s, ... (``out`` of them)."""
    return [slice(i * d, i * d + s * (out - 1) + 1, s) for i in range(k)]


def _buffer(size, p, k, s, d, out):
    """Length of the padded axis: the input with its padding, and at least the windows' reach
    (a negative end padding, as conv_transpose2d's output_padding makes, crops instead)."""
    return max(p[0] + size + max(p[1], 0), (out - 1) * s + d * (k - 1) + 1)


def out_size(size, k, s, p, d):
    """Windows along one axis: floor((size + p_lo + p_hi - d (k - 1) - 1) / s) + 1."""
    return (size + p[0] + p[1] - d * (k - 1) - 1) // s + 1


def im2col_array(xp, x, kernel, stride, padding, dilation, fill=0.0):
    """The forward of :class:`Im2Col` on an array."""
    n, c, h, w = x.shape
    (pt, pb), (pl, pr) = padding
    oh = out_size(h, kernel[0], stride[0], padding[0], dilation[0])
    ow = out_size(w, kernel[1], stride[1], padding[1], dilation[1])
    xh = xp.permute_dims(x, (0, 2, 3, 1))  # NHWC: each slice below is then (N, oH, oW, C)
    if pt or pb or pl or pr:
        hp, wp = _buffer(h, padding[0], kernel[0], stride[0], dilation[0], oh), \
            _buffer(w, padding[1], kernel[1], stride[1], dilation[1], ow)
        padded = xp.full((n, hp, wp, c), fill, dtype=x.dtype, **_device_kw(x))
        padded[:, pt:pt + h, pl:pl + w, :] = xh
        xh = padded
    rows = _window_slices(kernel[0], stride[0], dilation[0], oh)
    cols = _window_slices(kernel[1], stride[1], dilation[1], ow)
    pieces = [xh[:, r, q, :] for r in rows for q in cols]
    out = xp.stack(pieces, axis=-1) if len(pieces) > 1 else xp.reshape(pieces[0], pieces[0].shape + (1,))
    return xp.reshape(out, (n, oh, ow, c) + tuple(kernel))


def col2im_array(xp, cols, kernel, stride, padding, dilation, size):
    """The forward of :class:`Col2Im` on an array."""
    n, oh, ow, c = cols.shape[:4]
    (pt, pb), (pl, pr) = padding
    h, w = size
    hp, wp = _buffer(h, padding[0], kernel[0], stride[0], dilation[0], oh), \
        _buffer(w, padding[1], kernel[1], stride[1], dilation[1], ow)
    out = xp.zeros((n, hp, wp, c), dtype=cols.dtype, **_device_kw(cols))
    rows = _window_slices(kernel[0], stride[0], dilation[0], oh)
    colsl = _window_slices(kernel[1], stride[1], dilation[1], ow)
    for i, r in enumerate(rows):
        for j, q in enumerate(colsl):
            out[:, r, q, :] = out[:, r, q, :] + cols[:, :, :, :, i, j]
    out = out[:, pt:pt + h, pl:pl + w, :]
    return xp.permute_dims(out, (0, 3, 1, 2))


# ----- argument handling -------------------------------------------------------------------------
def pair(v, op, name, n=2, minimum=0):
    """An int or a tuple of ``n`` ints as a tuple of ``n`` ints >= ``minimum`` (checked)."""
    vals = (v,) * n if not isinstance(v, (tuple, list)) else tuple(v)
    try:
        vals = tuple(operator.index(x) for x in vals)
    except TypeError:
        raise TypeError(f"{op}: {name} must be an int or a tuple of {n} ints, got {v!r}") from None
    if len(vals) != n or any(x < minimum for x in vals):
        raise ShapeError(f"{op}: {name} must be an int or a tuple of {n} ints >= {minimum}, got {v!r}")
    return vals


def _padding(padding, kernel, stride, dilation, op):
    """((top, bottom), (left, right)) for PyTorch's ``padding``: ints, 'valid' or 'same'
    ('same' needs stride 1; an odd total d (k - 1) puts the extra row/column at the end)."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0), (0, 0))
        if padding != "same":
            raise ShapeError(f"{op}: padding must be 'valid', 'same', an int or a tuple, got {padding!r}")
        if any(s != 1 for s in stride):
            raise ShapeError(f"{op}: padding='same' is not supported for strided convolutions "
                             f"(stride={stride})")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    p = pair(padding, op, "padding")
    return ((p[0], p[0]), (p[1], p[1]))


def _as_tensor(x, op, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor, got {type(x).__name__}")
    return x


def _batched(x, op, ndim):
    """(x with a batch axis, whether one was added) for an input of ``ndim`` or ``ndim - 1`` dims."""
    if x.ndim == ndim:
        return x, False
    if x.ndim == ndim - 1:
        return reshape(x, (1,) + x.shape), True
    raise ShapeError(f"{op}: expected a {ndim - 1}-D (unbatched) or {ndim}-D (batched) input, "
                     f"got shape {x.shape}")


def _check_conv(op, x, weight, bias, groups, in_axis=1):
    """Shapes of a (transposed) convolution: channels, groups, bias."""
    if not isinstance(groups, int) or groups < 1:
        raise ShapeError(f"{op}: groups must be a positive int, got {groups!r}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.dtype != x.dtype:
            require_same_dtype(op, input=x, **{name: t})
    if not x.dtype.is_floating_point:
        raise TypeError(f"{op}: input must be floating, got {x.dtype}")
    c_in = x.shape[1]
    if in_axis == 1:
        if weight.shape[0] % groups:
            raise ShapeError(f"{op}: out_channels ({weight.shape[0]}) must be divisible by groups ({groups})")
        expected, out_channels = weight.shape[1] * groups, weight.shape[0]
    else:
        expected, out_channels = weight.shape[0], weight.shape[1] * groups
        if weight.shape[0] % groups:
            raise ShapeError(f"{op}: in_channels ({weight.shape[0]}) must be divisible by groups ({groups})")
    if c_in != expected:
        raise ShapeError(f"{op}: input of shape {x.shape} has {c_in} channels, but weight of shape "
                         f"{weight.shape} with groups={groups} expects {expected}")
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise ShapeError(f"{op}: bias of shape {bias.shape} does not fit {out_channels} output channels: "
                         f"expected ({out_channels},)")
    for t in (weight, bias):
        if t is not None and t._device is not x._device:
            raise DeviceError(f"{op}: input on {x._device}, but a parameter on {t._device}")
    return out_channels


def _check_windows(op, size, kernel, stride, padding, dilation):
    outs = tuple(out_size(n, k, s, p, d) for n, k, s, p, d in zip(size, kernel, stride, padding, dilation))
    if any(o < 1 for o in outs):
        raise ShapeError(f"{op}: input of spatial size {tuple(size)} with padding {padding} is smaller than the "
                         f"(dilated) kernel {kernel} (dilation {dilation}): output size {outs} would be empty")
    return outs


# ----- public functions --------------------------------------------------------------------------
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation), PyTorch's ``torch.nn.functional.conv2d``.

    Z[n, o] = b[o] + sum_{c, i, j} W[o, c, i, j] Xpad[n, g C_g + c, y s0 + i d0, x s1 + j d1]
    (g = o // (out / groups)), the course's Z = W * A_prev + b with "valid"/"same" padding.

    Parameters
    ----------
    input : Tensor (N, C_in, H, W) or (C_in, H, W)
    weight : Tensor (C_out, C_in / groups, kH, kW)
    bias : Tensor (C_out,), optional
    stride, dilation : int or (int, int) (>= 1)
    padding : int, (int, int), 'valid' or 'same' (zeros; 'same' needs stride 1 and puts an odd
        extra row/column at the bottom/right, as PyTorch does)
    groups : int, dividing C_in and C_out

    Returns
    -------
    Tensor (N, C_out, oH, oW) with oH = floor((H + 2 p0 - d0 (kH - 1) - 1) / s0) + 1 (likewise oW).
    Differentiable in input, weight and bias, to any order (it is bilinear).
    """
    op = "conv2d"
    x, w = _as_tensor(input, op, "input"), _as_tensor(weight, op, "weight")
    if w.ndim != 4:
        raise ShapeError(f"{op}: weight must be 4-D (out_channels, in_channels/groups, kH, kW), got shape {w.shape}")
    x, unbatched = _batched(x, op, 4)
    out = _conv2d(op, x, w, bias, stride, padding, dilation, groups)
    return reshape(out, out.shape[1:]) if unbatched else out


def _conv2d(op, x, w, bias, stride, padding, dilation, groups):
    if bias is not None:
        bias = _as_tensor(bias, op, "bias")
    out_c = _check_conv(op, x, w, bias, groups)
    kernel = tuple(w.shape[2:])
    stride = pair(stride, op, "stride", minimum=1)
    dilation = pair(dilation, op, "dilation", minimum=1)
    pads = _padding(padding, kernel, stride, dilation, op)
    oh, ow = _check_windows(op, x.shape[2:], kernel, stride, pads, dilation)
    n, ckk = x.shape[0], w.shape[1] * kernel[0] * kernel[1]  # ckk: C_in/groups * kH * kW
    cols = Im2Col.apply(x, kernel=kernel, stride=stride, padding=pads, dilation=dilation)
    if groups == 1:
        z = linear(reshape(cols, (n * oh * ow, ckk)), reshape(w, (out_c, ckk)), bias)
    else:
        c = permute(reshape(cols, (n * oh * ow, groups, ckk)), (1, 0, 2))  # (G, N*L, C_g*kH*kW)
        z = matmul(c, transpose(reshape(w, (groups, out_c // groups, ckk))))  # (G, N*L, O_g)
        z = reshape(permute(z, (1, 0, 2)), (n * oh * ow, out_c))
        if bias is not None:
            z = z + bias
    return permute(reshape(z, (n, oh, ow, out_c)), (0, 3, 1, 2))


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation), PyTorch's ``torch.nn.functional.conv1d``.

    Z[n, o, t] = b[o] + sum_{c, i} W[o, c, i] Xpad[n, g C_g + c, t s + i d].

    Parameters
    ----------
    input : Tensor (N, C_in, L) or (C_in, L)
    weight : Tensor (C_out, C_in / groups, k)
    bias : Tensor (C_out,), optional
    stride, dilation : int (>= 1);  padding : int, 'valid' or 'same';  groups : int

    Returns
    -------
    Tensor (N, C_out, oL), oL = floor((L + 2 p - d (k - 1) - 1) / s) + 1.  It is conv2d on a
    height-1 image, so its gradients are conv2d's.
    """
    op = "conv1d"
    x, w = _as_tensor(input, op, "input"), _as_tensor(weight, op, "weight")
    if w.ndim != 3:
        raise ShapeError(f"{op}: weight must be 3-D (out_channels, in_channels/groups, k), got shape {w.shape}")
    x, unbatched = _batched(x, op, 3)
    s = pair(stride, op, "stride", n=1, minimum=1)[0]
    d = pair(dilation, op, "dilation", n=1, minimum=1)[0]
    p = padding if isinstance(padding, str) else (0, pair(padding, op, "padding", n=1)[0])
    x4 = reshape(x, (x.shape[0], x.shape[1], 1, x.shape[2]))
    w4 = reshape(w, (w.shape[0], w.shape[1], 1, w.shape[2]))
    out = _conv2d(op, x4, w4, bias, (1, s), p, (1, d), groups)
    out = reshape(out, (out.shape[0], out.shape[1], out.shape[3]))
    return reshape(out, out.shape[1:]) if unbatched else out


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-D transposed convolution, PyTorch's ``torch.nn.functional.conv_transpose2d`` (the
    gradient of conv2d with respect to its input, sometimes called a deconvolution).

    Y = Col2Im(X W) : each input pixel X[n, :, y, x] scatters X[n, c, y, x] W[c, o, i, j] to
    output position (y s0 + i d0 - p0, x s1 + j d1 - p1); contributions add.

    Parameters
    ----------
    input : Tensor (N, C_in, H, W) or (C_in, H, W)
    weight : Tensor (C_in, C_out / groups, kH, kW)
    bias : Tensor (C_out,), optional
    stride, dilation : int or pair (>= 1);  padding : int or pair (cropped from each side)
    output_padding : int or pair, smaller than stride or dilation (extra rows/columns at the end)
    groups : int

    Returns
    -------
    Tensor (N, C_out, oH, oW), oH = (H - 1) s0 - 2 p0 + d0 (kH - 1) + output_padding0 + 1.
    Bilinear in input and weight, so differentiable to any order.
    """
    op = "conv_transpose2d"
    x, w = _as_tensor(input, op, "input"), _as_tensor(weight, op, "weight")
    if w.ndim != 4:
        raise ShapeError(f"{op}: weight must be 4-D (in_channels, out_channels/groups, kH, kW), got shape {w.shape}")
    x, unbatched = _batched(x, op, 4)
    if bias is not None:
        bias = _as_tensor(bias, op, "bias")
    out_c = _check_conv(op, x, w, bias, groups, in_axis=0)
    kernel = tuple(w.shape[2:])
    stride = pair(stride, op, "stride", minimum=1)
    dilation = pair(dilation, op, "dilation", minimum=1)
    p = pair(padding, op, "padding")
    op_ = pair(output_padding, op, "output_padding")
    if any(o >= s and o >= d for o, s, d in zip(op_, stride, dilation)):
        raise ShapeError(f"{op}: output_padding {op_} must be smaller than stride {stride} or dilation {dilation}")
    n, _, h, wd = x.shape
    size = tuple((i - 1) * s - 2 * pp + d * (k - 1) + o + 1
                 for i, s, pp, d, k, o in zip((h, wd), stride, p, dilation, kernel, op_))
    if any(v < 1 for v in size):
        raise ShapeError(f"{op}: output size {size} (from input {x.shape}, kernel {kernel}, padding {p}) is empty")
    c_in, okk = x.shape[1], w.shape[1] * kernel[0] * kernel[1]  # okk: C_out/groups * kH * kW
    xr = reshape(permute(x, (0, 2, 3, 1)), (n * h * wd, c_in))
    if groups == 1:
        cols = matmul(xr, reshape(w, (c_in, okk)))  # (N*H*W, C_out*kH*kW)
    else:
        xg = permute(reshape(xr, (n * h * wd, groups, c_in // groups)), (1, 0, 2))  # (G, N*H*W, C_in_g)
        cols = matmul(xg, reshape(w, (groups, c_in // groups, okk)))  # (G, N*H*W, C_out_g*kk)
        cols = permute(cols, (1, 0, 2))
    cols = reshape(cols, (n, h, wd, out_c) + kernel)
    pads = ((p[0], p[0] - op_[0]), (p[1], p[1] - op_[1]))  # a conv2d of the output gives back (H, W)
    out = Col2Im.apply(cols, kernel=kernel, stride=stride, padding=pads, dilation=dilation, size=size)
    if bias is not None:
        out = out + reshape(bias, (out_c, 1, 1))
    return reshape(out, out.shape[1:]) if unbatched else out


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col, PyTorch's ``torch.nn.functional.unfold``: the sliding kH x kW blocks of a
    (N, C, H, W) input (zero padding) as columns, (N, C*kH*kW, L), L = oH * oW the number of blocks,
    row index c*kH*kW + i*kW + j.  Linear; its gradient is :func:`fold`."""
    op = "unfold"
    x = _as_tensor(input, op, "input")
    x, unbatched = _batched(x, op, 4)
    kernel = pair(kernel_size, op, "kernel_size", minimum=1)
    stride = pair(stride, op, "stride", minimum=1)
    dilation = pair(dilation, op, "dilation", minimum=1)
    p = pair(padding, op, "padding")
    pads = ((p[0], p[0]), (p[1], p[1]))
    oh, ow = _check_windows(op, x.shape[2:], kernel, stride, pads, dilation)
    cols = Im2Col.apply(x, kernel=kernel, stride=stride, padding=pads, dilation=dilation)
    out = permute(reshape(cols, (x.shape[0], oh * ow, x.shape[1] * kernel[0] * kernel[1])), (0, 2, 1))
    return reshape(out, out.shape[1:]) if unbatched else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im, PyTorch's ``torch.nn.functional.fold``: sums the columns of a (N, C*kH*kW, L)
    input back into a (N, C, H, W) image, (H, W) = ``output_size``; overlapping blocks add.
    The adjoint of :func:`unfold` (fold(unfold(x)) multiplies each pixel by the number of blocks
    covering it).  Linear; its gradient is :func:`unfold`."""
    op = "fold"
    x = _as_tensor(input, op, "input")
    x, unbatched = _batched(x, op, 3)
    size = pair(output_size, op, "output_size", minimum=1)
    kernel = pair(kernel_size, op, "kernel_size", minimum=1)
    stride = pair(stride, op, "stride", minimum=1)
    dilation = pair(dilation, op, "dilation", minimum=1)
    p = pair(padding, op, "padding")
    pads = ((p[0], p[0]), (p[1], p[1]))
    oh, ow = _check_windows(op, size, kernel, stride, pads, dilation)
    kk = kernel[0] * kernel[1]
    n, rows, length = x.shape
    if rows % kk or length != oh * ow:
        raise ShapeError(f"{op}: input of shape {(n, rows, length)} does not fit kernel {kernel} and output_size "
                         f"{size}: expected (N, C*{kk}, {oh * ow})")
    cols = reshape(permute(x, (0, 2, 1)), (n, oh, ow, rows // kk) + kernel)
    out = Col2Im.apply(cols, kernel=kernel, stride=stride, padding=pads, dilation=dilation, size=size)
    return reshape(out, out.shape[1:]) if unbatched else out
