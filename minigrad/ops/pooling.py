"""Pooling as ops: ``max_pool2d``, ``avg_pool2d``, ``adaptive_avg_pool2d`` (PyTorch's, NCHW).

Windows are read with the convolutions' ``Im2Col`` (strided slices, every backend):

* ``max_pool2d``: Z = max over the window of Xpad (padding -inf).  dZ/dX: the gradient of each
  window goes to its maximum; on ties, to the first maximum in row-major window order (PyTorch's
  choice), not shared.  Overlapping windows add their gradients.  The backward is a Col2Im of
  the gradient times a fixed one-hot mask, so it is recorded with ``create_graph=True``
  (the second derivative with respect to X is 0 almost everywhere, as in PyTorch).
* ``avg_pool2d``: Z = (sum over the window of Xpad, padding 0) / divisor; the divisor is the
  window's size (``count_include_pad=True``, counting padding but not the part of a ``ceil_mode``
  window past the padded input), the number of real pixels in it (``count_include_pad=False``),
  or ``divisor_override``.  Linear.
* ``adaptive_avg_pool2d``: output cell (y, x) averages rows floor(y H / oH) .. ceil((y + 1) H / oH) - 1
  and the same columns: Z = A_H X A_W^T with fixed averaging matrices.  Linear.
"""
from __future__ import annotations

import math

import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._errors import ShapeError
from .conv import Col2Im, Im2Col, _batched, im2col_array, out_size, pair
from .linalg import matmul
from .reductions import sum as _sum
from .shape import permute, reshape, transpose

__all__ = ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d"]


class MaxPool2d(Op):
    """Z[n, c, y, x] = max_{i, j} Xpad[n, c, y s0 + i d0, x s1 + j d1] (Xpad: -inf padding);
    dZ/dX: 1 at the window's first maximum, 0 elsewhere (accumulated over overlapping windows)."""

    def forward(self, x, kernel, stride, padding, dilation):
        xp = self.xp
        self.geometry = dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                             size=tuple(x.shape[2:]))
        cols, argmax = _windows(xp, x, kernel, stride, padding, dilation)
        self.indices_shape = cols.shape[:4] + (1,)
        hit = xp.reshape(argmax, self.indices_shape) == xp.arange(cols.shape[-1], **_device(x))
        self.save_for_backward(xp.astype(hit, x.dtype))  # the mask, freed with the graph
        return xp.permute_dims(xp.max(cols, axis=-1), (0, 3, 1, 2))

    def backward(self, g):
        (mask,) = self.saved_tensors
        F = self.F
        n, oh, ow, c = self.indices_shape[:4]
        g = F.reshape(F.permute(g, (0, 2, 3, 1)), self.indices_shape) * mask
        kernel = self.geometry["kernel"]
        return F.apply(Col2Im, F.reshape(g, (n, oh, ow, c) + kernel), **self.geometry)



def _windows(xp, x, kernel, stride, padding, dilation):
    """The (n, oh, ow, c, kh * kw) windows of ``x`` (-inf padding) and each window's first maximum
    (NaN counts as the maximum)."""
    cols = im2col_array(xp, x, kernel, stride, padding, dilation, fill=-math.inf)
    cols = xp.reshape(cols, cols.shape[:4] + (kernel[0] * kernel[1],))
    return cols, xp.argmax(cols, axis=-1)


def _flat_indices(xp, argmax, kernel, stride, padding, dilation, width):
    """PyTorch's ``return_indices``: h * W + w of each window's maximum in the unpadded input."""
    k, s, p, d = kernel, stride, padding, dilation
    _, oh, ow, _ = argmax.shape
    i, j = argmax // k[1], argmax % k[1]
    ys = xp.reshape(xp.arange(oh, **_device(argmax)), (1, oh, 1, 1)) * s[0] - p[0][0]
    xs = xp.reshape(xp.arange(ow, **_device(argmax)), (1, 1, ow, 1)) * s[1] - p[1][0]
    flat = (ys + i * d[0]) * width + xs + j * d[1]
    return xp.permute_dims(xp.astype(flat, xp.int64), (0, 3, 1, 2))


def _device(a):
    return {"device": a.device} if type(a).__module__.startswith("array_api_strict") else {}


# ----- window geometry ---------------------------------------------------------------------------
def _pool_geometry(op, x, kernel_size, stride, padding, dilation, ceil_mode):
    """kernel, stride, dilation, ((top, bottom), (left, right)) padding and output size, as PyTorch
    computes them: out = floor_or_ceil((n + 2p - d (k - 1) - 1) / s) + 1, and with ``ceil_mode`` a
    last window must start inside the input or the left padding.  The bottom/right padding is
    extended so that ceil-mode windows fit."""
    kernel = pair(kernel_size, op, "kernel_size", minimum=1)
    stride = kernel if stride is None or stride == () else pair(stride, op, "stride", minimum=1)
    dilation = pair(dilation, op, "dilation", minimum=1)
    p = pair(padding, op, "padding")
    if any(pp > k // 2 for pp, k in zip(p, kernel)):
        raise ShapeError(f"{op}: padding {p} should be at most half of the kernel size {kernel}")
    outs, pads = [], []
    for n, k, s, pp, d in zip(x.shape[2:], kernel, stride, p, dilation):
        span = n + 2 * pp - d * (k - 1) - 1
        o = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (o - 1) * s >= n + pp:
            o -= 1
        if o < 1:
            raise ShapeError(f"{op}: input of shape {x.shape} is too small for kernel {kernel} (padding {p}, "
                             f"dilation {dilation}): the output would be empty")
        outs.append(o)
        pads.append((pp, max(pp, (o - 1) * s + d * (k - 1) + 1 - n - pp)))
    return kernel, stride, dilation, p, tuple(pads), tuple(outs)


def _check_input(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(x).__name__}")
    if not x.dtype.is_floating_point:
        raise TypeError(f"{op}: input must be a floating tensor, got {x.dtype}")
    return _batched(x, op, 4)


# ----- public functions --------------------------------------------------------------------------
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """2-D max pooling, PyTorch's ``torch.nn.functional.max_pool2d``.

    Z[n, c, y, x] = max over the kH x kW window at (y s0 - p0, x s1 - p1) (dilation d) of X, with
    -inf padding.  Gradient: all of a window's gradient goes to its first maximum (row-major
    order) on ties; overlapping windows add.

    Parameters
    ----------
    input : Tensor (N, C, H, W) or (C, H, W)
    kernel_size : int or (int, int)
    stride : int or pair, default ``kernel_size``
    padding : int or pair, at most half the kernel;  dilation : int or pair
    ceil_mode : bool -- ceil instead of floor in the output size
    return_indices : bool -- also return the flat index h * W + w of each maximum (int64)

    Returns
    -------
    Tensor (N, C, oH, oW) (and the indices), oH = floor((H + 2 p0 - d0 (kH - 1) - 1) / s0) + 1.
    """
    op = "max_pool2d"
    x, unbatched = _check_input(input, op)
    kernel, stride, dilation, _, pads, _ = _pool_geometry(op, x, kernel_size, stride, padding, dilation, ceil_mode)
    out = MaxPool2d.apply(x, kernel=kernel, stride=stride, padding=pads, dilation=dilation)
    if unbatched:
        out = reshape(out, out.shape[1:])
    if not return_indices:
        return out
    xp = x._device.xp  # the indices: the window arithmetic once more, on the arrays, outside the graph
    with x._device.context():
        _, argmax = _windows(xp, x.array, kernel, stride, pads, dilation)
        idx = _flat_indices(xp, argmax, kernel, stride, pads, dilation, x.shape[3])
    idx = Tensor._make(idx[0, ...] if unbatched else idx, x._device, False, None)  # (the Array API needs the ...)
    return out, idx


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-D average pooling, PyTorch's ``torch.nn.functional.avg_pool2d``.

    Z[n, c, y, x] = (sum over the kH x kW window of Xpad, zero padding) / divisor, divisor =
    ``divisor_override`` if given, else the window's size clipped to the padded input
    (``count_include_pad=True``) or the number of real input pixels in it (False).  Linear:
    dZ/dX spreads each output's gradient / divisor over its window.

    Parameters
    ----------
    input : Tensor (N, C, H, W) or (C, H, W)
    kernel_size : int or pair;  stride : int or pair, default ``kernel_size``
    padding : int or pair, at most half the kernel;  ceil_mode : bool
    count_include_pad : bool;  divisor_override : int, optional

    Returns
    -------
    Tensor (N, C, oH, oW)
    """
    op = "avg_pool2d"
    x, unbatched = _check_input(input, op)
    kernel, stride, dilation, p, pads, outs = _pool_geometry(op, x, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and (not isinstance(divisor_override, int) or divisor_override == 0):
        raise ShapeError(f"{op}: divisor_override must be a nonzero int, got {divisor_override!r}")
    cols = Im2Col.apply(x, kernel=kernel, stride=stride, padding=pads, dilation=dilation)
    total = _sum(cols, axis=(4, 5))  # (N, oH, oW, C)
    divisor = _divisors(x.shape[2:], kernel, stride, p, outs, count_include_pad, divisor_override)
    scale = Tensor._make(x._device.asarray(1.0 / divisor[:, :, None], dtype=x.array.dtype), x._device, False, None)
    out = permute(total * scale, (0, 3, 1, 2))
    return reshape(out, out.shape[1:]) if unbatched else out


def _divisors(size, kernel, stride, padding, outs, count_include_pad, divisor_override):
    """(oH, oW) float64 NumPy array of each window's divisor (host-side geometry, no tensor data)."""
    if divisor_override is not None:
        return np.full(outs, float(divisor_override))
    per_axis = []
    for n, k, s, p, o in zip(size, kernel, stride, padding, outs):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if count_include_pad:
            per_axis.append((end - start).astype(np.float64))
        else:
            per_axis.append((np.minimum(end, n) - np.maximum(start, 0)).astype(np.float64))
    return per_axis[0][:, None] * per_axis[1][None, :]


def adaptive_avg_pool2d(input, output_size):
    """Adaptive 2-D average pooling, PyTorch's ``torch.nn.functional.adaptive_avg_pool2d``.

    Output cell (y, x) averages input rows floor(y H / oH) .. ceil((y + 1) H / oH) - 1 and the
    columns likewise: Z = A_H X A_W^T with A_H[y, h] = 1 / (row count) on those rows.  Linear.

    Parameters
    ----------
    input : Tensor (N, C, H, W) or (C, H, W)
    output_size : int or (int or None, int or None) -- None keeps that input size

    Returns
    -------
    Tensor (N, C, oH, oW)
    """
    op = "adaptive_avg_pool2d"
    x, unbatched = _check_input(input, op)
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(sizes) != 2:
        raise ShapeError(f"{op}: output_size must be an int or a pair, got {output_size!r}")
    sizes = tuple(n if o is None else o for o, n in zip(sizes, x.shape[2:]))
    sizes = pair(sizes, op, "output_size", minimum=1)
    if any(n == 0 for n in x.shape[2:]):
        raise ShapeError(f"{op}: input of shape {x.shape} has an empty spatial axis")
    a_h, a_w = (_averaging_matrix(n, o, x) for n, o in zip(x.shape[2:], sizes))
    out = matmul(a_h, matmul(x, transpose(a_w)))
    return reshape(out, out.shape[1:]) if unbatched else out


def _averaging_matrix(n, o, like):
    """(o, n): row y averages inputs floor(y n / o) .. ceil((y + 1) n / o) - 1."""
    a = np.zeros((o, n))
    for y in range(o):
        lo, hi = (y * n) // o, -(-((y + 1) * n) // o)
        a[y, lo:hi] = 1.0 / (hi - lo)
    return Tensor._make(like._device.asarray(a, dtype=like.array.dtype), like._device, False, None)
