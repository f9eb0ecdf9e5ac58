"""Norms: ``vector_norm``, ``matrix_norm`` (``torch.linalg``'s) and ``norm`` (``torch.norm``).

vector_norm, over ``dim`` (None: all entries):

* ord = p >= 1 (2 by default): ||x||_p = (sum_i |x_i|^p)^(1/p);
  d/dx_i = sign(x_i) |x_i|^(p-1) / ||x||_p^(p-1)  (for p = 2: x_i / ||x||_2);
  at x = 0 the gradient is 0 (PyTorch's subgradient), not 0/0.
* ord = 1: sum_i |x_i| (gradient sign(x_i), 0 at 0).
* ord = inf / -inf: max_i |x_i| / min_i |x_i|; tied entries share the gradient equally (amax).
* ord = 0: the number of non-zero entries (gradient 0).

matrix_norm over the two axes ``dim`` (default the last two): 'fro' = sqrt(sum a_ij^2) (the
vector 2-norm, same gradient rule at 0); ord = 1 / -1: max / min over columns of the column
sums of |a|; inf / -inf: max / min over rows of the row sums of |a| (ties share the gradient).
'nuc' (sum of the singular values), 2 (the largest) and -2 (the smallest) are computed from the
SVD in :mod:`minigrad.ops.svd_norms`, which gives their gradients (U V^T, u_1 v_1^T, u_k v_k^T) and
the rules at repeated and zero singular values.
"""
from __future__ import annotations

import math

from ..function import Op
from .elementwise import Abs, PowScalar, where
from .reductions import _axes, amax, amin, sum
from .svd_norms import svd_matrix_norm
from .unary_math import isfinite

__all__ = ["vector_norm", "matrix_norm", "norm"]


class PNorm(Op):
    """z = (sum |a|^p)^(1/p) over ``axes``;  dz/da = sign(a) |a|^(p-1) / z^(p-1), 0 where z = 0"""

    def forward(self, a, p, axes, keepdims):
        xp = self.xp
        self.p, self.axes, self.keepdims = p, axes, keepdims
        if p == 2:
            out = xp.sqrt(xp.sum(a * a, axis=axes, keepdims=True))
        else:
            out = xp.sum(xp.abs(a) ** p, axis=axes, keepdims=True) ** (1.0 / p)
        if not keepdims:
            out = xp.reshape(out, tuple(n for i, n in enumerate(a.shape) if i not in axes))
        self.save_for_backward(a, out)  # the returned array: saved as the output, so double backward sees it
        return out

    def backward(self, g):
        a, out = self.saved_tensors
        F, p = self.F, self.p
        shape = tuple(a.shape)
        kept = tuple(1 if i in self.axes else n for i, n in enumerate(shape))
        z = F.reshape(out, kept)
        zero = F.array_of(z) == 0
        safe = F.where(zero, 1.0, z)  # the numerator is 0 wherever z is: gradient 0 there
        g = F.broadcast_to(F.reshape(g, kept), shape)
        if p == 2:
            return g * a / safe
        sign = self.xp.sign(F.array_of(a))  # piecewise constant: no gradient of its own
        num = F.apply(PowScalar, F.apply(Abs, a), p=p - 1)
        return g * sign * num / F.apply(PowScalar, safe, p=p - 1)


def _cast(x, dtype):
    return x if dtype is None else x.to(dtype=dtype)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """||x||_ord over ``dim`` (an int, a tuple, or None for all entries); see the module docstring
    for each ord and its gradient (0 at x = 0)."""
    x = _cast(x, dtype)
    axes = _axes(x, None, dim, "vector_norm")
    if isinstance(ord, str):
        raise ValueError(f"vector_norm: ord must be a number, got {ord!r}")
    if ord == math.inf:
        return amax(x.abs(), axes, keepdim)
    if ord == -math.inf:
        return amin(x.abs(), axes, keepdim)
    if ord == 0:
        nonzero = (x != 0).to(dtype=x.dtype)  # NaN and +-inf count, as in PyTorch
        finite = where(isfinite(x), x, 0.0)  # x * 0.0 keeps the graph (gradient 0); inf * 0.0 would be NaN
        return sum(finite * 0.0, axis=axes, keepdims=keepdim) + sum(nonzero, axis=axes, keepdims=keepdim)
    if ord == 1:
        return sum(x.abs(), axis=axes, keepdims=keepdim)
    if ord < 1:
        raise ValueError(f"vector_norm: ord must be >= 1, 0 or +-inf here, got {ord}")
    return PNorm.apply(x, p=float(ord) if ord != 2 else 2, axes=axes, keepdims=bool(keepdim))


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The matrix norm ``ord`` over the two axes ``dim``: 'fro', 'nuc', 1, -1, 2, -2, inf, -inf (see
    the module docstring), as ``torch.linalg.matrix_norm``; batched over the other axes."""
    A = _cast(A, dtype)
    if A.ndim < 2:
        raise RuntimeError(f"matrix_norm: needs at least 2 dimensions, got shape {tuple(A.shape)}")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"matrix_norm: dim must be a pair of axes, got {dim!r}")
    d0, d1 = (d % A.ndim for d in dim)
    if d0 == d1:
        raise RuntimeError(f"matrix_norm: the two dims must differ, got {dim!r}")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        return svd_matrix_norm(A, ord, d0, d1, keepdim)
    if ord in (1, -1):
        sums, over = sum(A.abs(), axis=d0, keepdims=True), d1
    elif ord in (math.inf, -math.inf):
        sums, over = sum(A.abs(), axis=d1, keepdims=True), d0
    else:
        raise ValueError(f"matrix_norm: ord must be 'fro', 'nuc', 1, -1, 2, -2, inf or -inf, got {ord!r}")
    out = (amax if ord > 0 else amin)(sums, over, True)
    return out if keepdim else out.squeeze((d0, d1))


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """``torch.norm``: p='fro' (or 2) is the 2-norm of the entries over ``dim`` (None: all); a
    number p is :func:`vector_norm` of that order over ``dim``; p='nuc' is the nuclear norm
    (:func:`matrix_norm`) of a 2-D input, or over the pair of axes ``dim``."""
    if p == "nuc":
        if dim is None and input.ndim != 2:
            raise RuntimeError(f"norm: p='nuc' needs a 2-D input or a pair of axes dim, got shape {tuple(input.shape)}")
        return matrix_norm(input, "nuc", (0, 1) if dim is None else dim, keepdim, dtype=dtype)
    if p == "fro":
        p = 2
    if isinstance(p, str):
        raise ValueError(f"norm: p must be 'fro', 'nuc' or a number, got {p!r}")
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """``torch.linalg.norm``: with ``ord=None`` the 2-norm of the flattened input (dim None) or
    of ``dim``; with ``ord`` a matrix norm over a 2-D input or a pair ``dim``, else a vector norm."""
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if (dim is not None and len(dim) == 2) or (dim is None and A.ndim == 2):
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if dim is None and A.ndim != 1:
        raise RuntimeError(f"linalg.norm: ord={ord!r} needs a 1-D or 2-D input or dim, got shape {tuple(A.shape)}")
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)
