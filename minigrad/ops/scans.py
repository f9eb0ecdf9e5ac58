"""Scans and products along a dim: cumsum, cumprod, cummax, cummin, logcumsumexp, prod.

* cumsum: z_i = sum_{j<=i} a_j;  da_k = sum_{i>=k} g_i (a reversed cumsum of g).
* cumprod: z_i = prod_{j<=i} a_j;  da_k = sum_{i>=k} g_i prod_{j<=i, j!=k} a_j.  Without zeros this
  is revcumsum(g z) / a; with a zero (or |a| < 1e-4) it is computed exactly, with no division,
  from the exclusive products (O(n^2) memory per row, only then), so zeros get PyTorch's gradient.
* prod: z = prod_j a_j;  da_k = prod_{j!=k} a_j = (exclusive prefix product) * (exclusive suffix
  product), exact with one or more zeros.
* cummax / cummin: (values, indices), indices int64 of the running extreme (on ties the later
  position, as PyTorch); the gradient goes to that position.
* logcumsumexp: z_i = log sum_{j<=i} e^{a_j}, by a log-depth scan of pairwise
  logaddexp(x, y) = m + log(e^{x-m} + e^{y-m}), m = max(x, y), stable for any spread of values;
  the gradient is that of the composition: da_k = sum_{i>=k} g_i e^{a_k - z_i}.

A 0-d input acts as 1-D of length 1 (``dim`` 0 or -1).  Integer inputs give int64 sums and
products, as PyTorch (no gradient).
"""
from __future__ import annotations

from ..function import Op
from .indexing import _dim, arange_on, wrap
from .layout import Flip
from .shape import Pad, normalize_axes, reshape

__all__ = ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "prod"]

_NEAR_ZERO = 1e-4  # |a| below this takes cumprod's division-free gradient


def _flip(F, x, axis):
    return F.apply(Flip, x, axes=(axis,))


def _exclusive(F, c, axis, dev):
    """[1, c_0, .., c_{n-2}] along ``axis``: a cumulative product shifted right by one."""
    nd = len(c.shape)
    cut = F.getitem(c, (slice(None),) * axis + (slice(0, c.shape[axis] - 1), Ellipsis), dev)
    return F.apply(Pad, cut, pad_width=tuple((1, 0) if i == axis else (0, 0) for i in range(nd)), value=1.0,
                   device=dev)


def _int_to_int64(xp, a):
    from ..dtypes import is_floating

    return a if is_floating(a.dtype) or "int64" in str(a.dtype) else xp.astype(a, xp.int64)


class CumSum(Op):
    """z_i = sum_{j<=i} a_j along ``axis``;  da = flip(cumsum(flip(g)))"""

    def forward(self, a, axis):
        self.axis = axis
        return self.xp.cumulative_sum(_int_to_int64(self.xp, a), axis=axis)

    def backward(self, g):
        F = self.F
        return _flip(F, F.apply(CumSum, _flip(F, g, self.axis), axis=self.axis), self.axis)


class CumProd(Op):
    """z_i = prod_{j<=i} a_j along ``axis``;  da_k = sum_{i>=k} g_i prod_{j<=i, j!=k} a_j"""

    def forward(self, a, axis, device):
        xp = self.xp
        self.axis, self.dev = axis, device
        wide = _int_to_int64(xp, a)  # bool and small integers: int64 (and |bool| has no meaning)
        out = xp.cumulative_prod(wide, axis=axis)
        # a zero or a near-zero entry: the division-free form (dividing by a tiny a_k is exact to
        # first order, but its own derivative cancels terms of size 1/a_k^2: double backward breaks)
        small = (xp.abs(a) < _NEAR_ZERO) if _floating(a) else (wide == 0)  # integers: only 0 is near 0
        self.has_zero = bool(xp.any(small)) if a.size else False
        self.save_for_backward(a, out)
        return out

    def backward(self, g):
        a, out = self.saved_tensors
        F, ax = self.F, self.axis
        if not self.has_zero:
            return _flip(F, F.apply(CumSum, _flip(F, g * out, ax), axis=ax), ax) / a
        return self._backward_with_zeros(g, a, out)

    def _backward_with_zeros(self, g, a, out):
        """sum_{i>=k} g_i L_k P[k, i] with L_k = prod_{j<k} a_j and P[k, i] = prod_{k<j<=i} a_j,
        P built as the cumprod over j of (a_j if j > k else 1) on an added axis k."""
        F, ax, dev = self.F, self.axis, self.dev
        s = tuple(a.shape)
        n = s[ax]
        xp = dev.xp
        pos = arange_on(dev, n)
        tail = (1,) * (len(s) - ax - 1)
        k_idx, j_idx = xp.reshape(pos, (n, 1) + tail), xp.reshape(pos, (1, n) + tail)
        big = s[:ax] + (n, n) + s[ax + 1:]
        row = s[:ax] + (1, n) + s[ax + 1:]
        a_b = F.broadcast_to(F.reshape(a, row), big)
        p = F.apply(CumProd, F.where(j_idx > k_idx, a_b, 1.0), axis=ax + 1, device=dev)
        g_b = F.broadcast_to(F.reshape(g, row), big)
        total = F.sum(F.where(j_idx >= k_idx, g_b * p, 0.0), axis=ax + 1)
        return _exclusive(F, out, ax, dev) * total


class Prod(Op):
    """z = prod_j a_j over ``axis`` (None: all);  da_k = prod_{j!=k} a_j (exact with zeros)"""

    def forward(self, a, axis, keepdims, device):
        xp = self.xp
        self.axis, self.keepdims, self.dev = axis, keepdims, device
        self.save_for_backward(a)
        return xp.prod(_int_to_int64(xp, a), axis=axis, keepdims=keepdims)

    def backward(self, g):
        (a,) = self.saved_tensors
        F, dev = self.F, self.dev
        shape = tuple(a.shape)
        x = a if self.axis is not None else F.reshape(a, (-1,))
        ax = self.axis if self.axis is not None else 0
        if self.axis is not None and not self.keepdims:
            g = F.reshape(g, tuple(1 if i == ax else n for i, n in enumerate(shape)))
        if x.shape[ax] == 0:  # an empty product: nothing to differentiate
            return F.broadcast_to(g, shape) * 0.0
        before = _exclusive(F, F.apply(CumProd, x, axis=ax, device=dev), ax, dev)
        after = _flip(F, _exclusive(F, F.apply(CumProd, _flip(F, x, ax), axis=ax, device=dev), ax, dev), ax)
        others = F.reshape(before * after, shape)
        return F.broadcast_to(g, shape) * others


# ----- public functions ----------------------------------------------------------------------------
def _scan(op, input, dim, fn):
    d = _dim(input, dim, op)
    if input.ndim == 0:
        return reshape(fn(reshape(input, (1,)), 0), ())
    return fn(input, d)


def _cast(input, dtype):
    return input if dtype is None else input.to(dtype=dtype)


def cumsum(input, dim, *, dtype=None):
    """Cumulative sum along ``dim``: z_i = sum_{j<=i} a_j.  Gradient: the reversed cumulative sum of g."""
    return _scan("cumsum", _cast(input, dtype), dim, lambda a, d: CumSum.apply(a, axis=d))


def cumprod(input, dim, *, dtype=None):
    """Cumulative product along ``dim``: z_i = prod_{j<=i} a_j.  Gradient: sum_{i>=k} g_i z_i / a_k
    without zeros; with zeros the exact products of the other factors (PyTorch's values)."""
    return _scan("cumprod", _cast(input, dtype), dim,
                 lambda a, d: CumProd.apply(a, axis=d, device=a._device))


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of all entries (0-d), or along the int ``dim``.  Gradient: the product of the other
    entries, exact with one or more zeros (PyTorch's)."""
    x = _cast(input, dtype)
    if dim is None:
        return Prod.apply(x, axis=None, keepdims=False, device=x._device)
    (d,) = normalize_axes(dim, x.ndim, "prod") if x.ndim else (0,)
    if x.ndim == 0:
        return reshape(Prod.apply(reshape(x, (1,)), axis=0, keepdims=False, device=x._device), ())
    return Prod.apply(x, axis=d, keepdims=bool(keepdim), device=x._device)


def _running_extreme(xp, dev, a, greater):
    """int64 positions of the running max (``greater``) or min along the last axis, ties to the
    later position: a log-depth scan combining (value, position) of the earlier prefix."""
    n = a.shape[-1]
    pos = xp.broadcast_to(arange_on(dev, n), a.shape)
    v, i = a, pos
    s = 1
    while s < n:
        pv = xp.concat([v[..., :s], v[..., :n - s]], axis=-1)
        pi = xp.concat([i[..., :s], i[..., :n - s]], axis=-1)
        better = (pv > v) if greater else (pv < v)
        take = xp.logical_and(pos >= s, xp.logical_or(better, xp.logical_and(xp.isnan(pv), ~xp.isnan(v)))
                              if _floating(a) else better)
        v, i = xp.where(take, pv, v), xp.where(take, pi, i)
        s *= 2
    return i


def _floating(a):
    from ..dtypes import is_floating

    return is_floating(a.dtype)


def _cumextreme(input, dim, name, greater):
    from .indexing import gather
    from .ordering import _pair

    def run(a, d):
        xp, dev = a._device.xp, a._device
        idx = xp.moveaxis(_running_extreme(xp, dev, xp.moveaxis(a.array, d, -1), greater), -1, d)
        return _pair(name, gather(a, d, wrap(idx, a)), wrap(idx, a))

    d = _dim(input, dim, name)
    if input.ndim == 0:
        r = run(reshape(input, (1,)), 0)
        return _pair(name, reshape(r.values, ()), reshape(r.indices, ()))
    return run(input, d)


def cummax(input, dim):
    """(values, indices): running maximum along ``dim`` and where it is (ties: the later position;
    a NaN, once seen, stays).  Gradient: g_i to input at indices[i]."""
    return _cumextreme(input, dim, "cummax", True)


def cummin(input, dim):
    """(values, indices): running minimum along ``dim``; as :func:`cummax`."""
    return _cumextreme(input, dim, "cummin", False)


def logcumsumexp(input, dim):
    """z_i = log sum_{j<=i} exp(a_j) along ``dim``, stable (pairwise logaddexp in a log-depth scan).
    Gradient: da_k = sum_{i>=k} g_i exp(a_k - z_i)."""
    return _scan("logcumsumexp", input, dim, _logcumsumexp)


def _logcumsumexp(a, d):
    from .elementwise import exp, log, maximum, where
    from .shape import concatenate, getitem

    n = a.shape[d]
    dev = a._device
    xp = dev.xp
    pos = wrap(xp.reshape(arange_on(dev, n), (n,) + (1,) * (a.ndim - d - 1)), a)
    x = a
    s = 1
    while s < n:
        pre = (slice(None),) * d
        prev = concatenate([getitem(x, pre + (slice(0, s),)), getitem(x, pre + (slice(0, n - s),))], axis=d)
        m = maximum(x, prev).detach()
        m = where(wrap(xp.isfinite(m.array), a), m, 0.0)
        both = m + log(exp(x - m) + exp(prev - m))
        x = where(pos >= s, both, x)
        s *= 2
    return x

