"""Elementwise math of two (or three) tensors: atan2, fmod, remainder, lerp, logaddexp, hypot, xlogy,
clamp with tensor bounds, and the non-differentiable tests isclose / allclose.

Inputs broadcast together; the Function base class sums each gradient back to its input's shape.
Dtypes as in PyTorch: an integer tensor meeting a float tensor computes in the float tensor's
dtype; two integer tensors give the default float dtype for float functions (atan2, xlogy) and
stay integer for fmod / remainder.  Undefined points follow PyTorch: atan2 and hypot at (0, 0)
give gradients 0 and NaN; xlogy(0, y) is 0 (NaN for y = NaN) with gradient 0 for x where y <= 0.
"""
from __future__ import annotations

import math

import numpy as np
from numpy import generic as _np_generic

from ..function import Op
from ..tensor import Tensor, as_constant_like
from .elementwise import Clip, Log, Sigmoid, _integral, _number
from .unary_math import _floating, need_floating

__all__ = ["atan2", "fmod", "remainder", "lerp", "logaddexp", "hypot", "xlogy", "clamp", "clamp_min",
           "clamp_max", "isclose", "allclose"]


def _promote(xp, a, b, to_float):
    """a, b with an integer array cast to the other's float dtype (PyTorch's category rule); two
    integer arrays become the default float dtype when ``to_float``.  Python numbers pass."""
    ia, ib = _integral(xp, a), _integral(xp, b)
    num_a, num_b = a.__class__ in (int, float), b.__class__ in (int, float)
    if ia and ib:
        return (_floating(xp, a) if not num_a else a, _floating(xp, b) if not num_b else b) if to_float else (a, b)
    if ia and not num_a and not num_b:
        return xp.astype(a, b.dtype), b
    if ib and not num_b and not num_a:
        return a, xp.astype(b, a.dtype)
    return a, b


class Atan2(Op):
    """z = atan2(a, b), the angle of the point (b, a);  dz/da = b / (a^2 + b^2), dz/db = -a / (a^2 + b^2),
    both 0 at (0, 0) (PyTorch's)"""

    broadcasts = True
    promotes = True

    def forward(self, a, b):
        a, b = _promote(self.xp, a, b, True)
        self.save_for_backward(a, b)
        return self.xp.atan2(a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        F = self.F
        den = a * a + b * b
        r = F.where(F.array_of(den) == 0, 0.0, g / den)  # PyTorch's 0 (not NaN) at (0, 0)
        need_a, need_b = self.needs_input_grad
        return (r * b if need_a else None), (-(r * a) if need_b else None)


class Fmod(Op):
    """z = a - b trunc(a / b), with the sign of a (C's fmod);  dz/da = 1, dz/db = -trunc(a / b)"""

    broadcasts = True
    promotes = True

    def forward(self, a, b):
        xp = self.xp
        a, b = _promote(xp, a, b, False)
        if hasattr(xp, "fmod"):
            out = xp.fmod(a, b)
        else:  # the Array API has remainder only: fmod(a, b) = sign(a) * (|a| mod |b|), exact
            out = xp.sign(a) * xp.remainder(xp.abs(a), abs(b) if b.__class__ in (int, float) else xp.abs(b))
        if self._float_divisor(b):
            self.q = xp.trunc(a / b)  # the divisor's gradient factor (a constant: its own gradient is 0)
        return out

    def _float_divisor(self, b):
        """Whether ``b`` may need a gradient (a floating array)."""
        return b.__class__ not in (int, float) and not _integral(self.xp, b)

    def backward(self, g):
        need_a, need_b = self.needs_input_grad
        return (g if need_a else None), (-(g * self.q) if need_b else None)


class Remainder(Fmod):
    """z = a - b floor(a / b), with the sign of b (Python's %);  dz/da = 1, dz/db = -floor(a / b)"""

    def forward(self, a, b):
        xp = self.xp
        a, b = _promote(xp, a, b, False)
        if self._float_divisor(b):
            self.q = xp.floor(a / b)
        return xp.remainder(a, b)


class Lerp(Op):
    """z = a + w (b - a) (PyTorch's form: b - (b - a)(1 - w) where |w| >= 0.5);
    dz/da = 1 - w, dz/db = w, dz/dw = b - a"""

    broadcasts = True
    promotes = True

    def forward(self, a, b, w):
        xp = self.xp
        self.save_for_backward(a, b, w)
        diff = b - a
        if w.__class__ is float or w.__class__ is int:
            return a + w * diff if abs(w) < 0.5 else b - diff * (1.0 - w)
        return xp.where(xp.abs(w) < 0.5, a + w * diff, b - diff * (1.0 - w))

    def backward(self, g):
        a, b, w = self.saved_tensors
        need_a, need_b, need_w = self.needs_input_grad
        gb = g * w if need_a or need_b else None
        return (g - gb if need_a else None), (gb if need_b else None), (g * (b - a) if need_w else None)



class LogAddExp(Op):
    """z = ln(e^a + e^b), computed stably;  dz/da = sigmoid(a - b) = 1 / (1 + e^{b - a}),
    dz/db = sigmoid(b - a)"""

    broadcasts = True
    promotes = True

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return self.xp.logaddexp(a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        F = self.F
        return (g * F.apply(Sigmoid, a - b) if need_a else None), (g * F.apply(Sigmoid, b - a) if need_b else None)


class Hypot(Op):
    """z = sqrt(a^2 + b^2) without overflow;  dz/da = a / z, dz/db = b / z  (NaN at (0, 0), as in PyTorch)"""

    broadcasts = True
    promotes = True

    def forward(self, a, b):
        out = self.xp.hypot(a, b)
        self.save_for_backward(a, b, out)
        return out

    def backward(self, g):
        a, b, out = self.saved_tensors
        r = g / out
        need_a, need_b = self.needs_input_grad
        return (r * a if need_a else None), (r * b if need_b else None)


class XLogY(Op):
    """z = x ln y, and 0 where x = 0 (unless y is NaN);
    dz/dx = ln y (0 where x = 0 and y <= 0), dz/dy = x / y  (PyTorch's rules)"""

    broadcasts = True
    promotes = True

    def forward(self, x, y):
        xp = self.xp
        x, y = _promote(xp, x, y, True)
        self.save_for_backward(x, y)
        zero_x = x == 0
        self.no_log = zero_x & (y <= 0)
        positive = y > 0
        special = xp.where(y == 0, xp.full_like(y, -math.inf), xp.full_like(y, math.nan))  # log of y <= 0
        log_y = xp.where(positive, xp.log(xp.where(positive, y, xp.ones_like(y))), special)
        out = x * log_y
        return xp.where(zero_x & ~xp.isnan(y), xp.zeros_like(out), out)

    def backward(self, g):
        x, y = self.saved_tensors
        need_x, need_y = self.needs_input_grad
        F = self.F
        gx = None
        if need_x:
            safe_y = F.where(self.no_log, 1.0, y)
            gx = F.where(self.no_log, 0.0, g * F.apply(Log, safe_y))
        return gx, (g * x / y if need_y else None)


class ClampMin(Op):
    """z = max(a, lo) for a tensor bound lo;  dz/da = [a >= lo], dz/dlo = [a < lo]  (PyTorch's)"""

    broadcasts = True
    promotes = True

    def forward(self, a, lo):
        xp = self.xp
        a, lo = _promote(xp, a, lo, False)
        self.ga, self.gb = a >= lo, a < lo
        return xp.maximum(a, lo)

    def backward(self, g):
        need_a, need_b = self.needs_input_grad
        F = self.F
        return (F.where(self.ga, g, 0.0) if need_a else None), (F.where(self.gb, g, 0.0) if need_b else None)


class ClampMax(ClampMin):
    """z = min(a, hi) for a tensor bound hi;  dz/da = [a <= hi], dz/dhi = [a > hi]  (PyTorch's)"""

    def forward(self, a, hi):
        xp = self.xp
        a, hi = _promote(xp, a, hi, False)
        self.ga, self.gb = a <= hi, a > hi
        return xp.minimum(a, hi)


class Clamp(Op):
    """z = min(max(a, lo), hi) with tensor bounds (hi wins where lo > hi);
    dz/da = [lo <= a <= hi], dz/dlo = [a < lo and lo < hi], dz/dhi = [a > hi or hi < lo]  (PyTorch's)"""

    broadcasts = True
    promotes = True

    def forward(self, a, lo, hi):
        xp = self.xp
        a, lo = _promote(xp, a, lo, False)
        a, hi = _promote(xp, a, hi, False)
        lo, hi = _promote(xp, lo, hi, False)
        self.masks = ((a >= lo) & (a <= hi), (a < lo) & (lo < hi), (a > hi) | (hi < lo))
        return xp.minimum(xp.maximum(a, lo), hi)

    def backward(self, g):
        F = self.F
        return tuple(F.where(m, g, 0.0) if need else None for m, need in zip(self.masks, self.needs_input_grad))


# ----- the public functions ----------------------------------------------------------------------
def atan2(input, other):
    """atan2(a, b): the angle in (-pi, pi] of the point (b, a);  gradients b / (a^2 + b^2) and
    -a / (a^2 + b^2) (0 at (0, 0), as in PyTorch).  Integer tensors give the default float dtype."""
    return Atan2.apply(input, _number(other))


def fmod(input, other):
    """a - b * trunc(a / b): the C remainder, with the sign of ``input`` (PyTorch's ``fmod``);
    integer tensors stay integer.  Gradients 1 and -trunc(a / b)."""
    return Fmod.apply(input, _number(other))


def remainder(input, other):
    """a - b * floor(a / b): Python's ``%``, with the sign of ``other`` (PyTorch's ``remainder``);
    integer tensors stay integer.  Gradients 1 and -floor(a / b)."""
    return Remainder.apply(input, _number(other))


def lerp(input, end, weight):
    """input + weight * (end - input); ``weight`` a number or a tensor (floating tensors only, as in
    PyTorch).  Gradients 1 - weight, weight and end - input."""
    need_floating("lerp", input, end, weight)
    return Lerp.apply(input, end, _number(weight))


def logaddexp(input, other):
    """log(e^a + e^b), stable for large |a|, |b| (floating tensors only, as in PyTorch);
    gradients sigmoid(a - b) and sigmoid(b - a)."""
    need_floating("logaddexp", input, other)
    return LogAddExp.apply(input, _number(other))


def hypot(input, other):
    """sqrt(a^2 + b^2) without overflow (floating tensors only, as in PyTorch);  gradients a / z and
    b / z (NaN at (0, 0), as in PyTorch)."""
    need_floating("hypot", input, other)
    return Hypot.apply(input, _number(other))


def xlogy(input, other):
    """x * log(y), and 0 where x == 0 (NaN where y is NaN), PyTorch's ``xlogy``;  gradients log(y)
    for x (0 where x == 0 and y <= 0) and x / y for y.  Integer tensors give the default float dtype."""
    like = input if isinstance(input, Tensor) else other
    if not isinstance(like, Tensor):
        raise TypeError("xlogy: at least one of input and other must be a Tensor")
    input, other = (t if isinstance(t, Tensor) else as_constant_like(_number(t), like, "xlogy") for t in (input, other))
    return XLogY.apply(input, other)


def clamp(input, min=None, max=None):
    """min(max(a, min), max), elementwise; ``min`` and ``max`` may be numbers, tensors or None (not
    both).  Where min > max every element becomes max (PyTorch's rule).  Gradients (PyTorch's):
    input gets [min <= a <= max] (bounds included); a tensor min gets [a < min and min < max]; a
    tensor max gets [a > max or max < min]."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    for name, bound in (("min", min), ("max", max)):
        if bound is not None and not isinstance(bound, (Tensor, int, float, _np_generic)) or isinstance(bound, bool):
            raise TypeError(f"clamp: {name} must be a number, a Tensor or None, got {type(bound).__name__}")
    if not isinstance(min, Tensor) and not isinstance(max, Tensor):
        return clip(input, min, max)
    min, max = _number(min), _number(max)
    if max is None:
        return ClampMin.apply(input, min)
    if min is None:
        return ClampMax.apply(input, max)
    return Clamp.apply(input, min, max)


def clip(a, min=None, max=None):
    """Clamp every element into ``[min, max]``: ``mg.clip(a, min, max)``, ``mg.clamp``, ``a.clip``, ``a.clamp``.

    z = min(max(a, min), max), shape of ``a`` broadcast with the bounds; either bound may be None
    (at least one is given), a Python number or a Tensor (see :func:`minigrad.clamp` for the
    gradients of tensor bounds).  Where min > max every element becomes max, as in PyTorch;
    dz/da = [min <= a <= max]: the gradient passes at the bounds themselves, as in ``torch.clamp``.

    >>> import minigrad as mg
    >>> x = mg.tensor([-2.0, -1.0, 0.5, 1.0, 3.0], requires_grad=True)
    >>> x.clamp(-1.0, 1.0).sum().backward()
    >>> x.grad
    tensor([0., 1., 1., 1., 0.], dtype=float32, device='cpu')
    """
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return clamp(a, min, max)
    min, max = _number(min), _number(max)
    if min is None and max is None:
        raise ValueError("clip: at least one of min and max must be given")
    return Clip.apply(a, lo=min, hi=max)


def clamp_min(input, min):
    """max(a, min): ``clamp(input, min=min)``."""
    return clamp(input, min=min)


def clamp_max(input, max):
    """min(a, max): ``clamp(input, max=max)``."""
    return clamp(input, max=max)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """A bool tensor: |a - b| <= atol + rtol * |b| elementwise (equal infinities are close; NaNs are
    close to each other only with ``equal_nan``).  PyTorch's defaults.  Not differentiable."""
    if not isinstance(input, Tensor):
        raise TypeError(f"isclose: input must be a Tensor, got {type(input).__name__}")
    if not isinstance(other, Tensor):
        other = as_constant_like(other, input, "isclose")
    xp = input._device.xp
    a, b = _promote(xp, input.array, other.array, False)
    close = a == b
    if equal_nan and not _integral(xp, a):
        close = close | (xp.isnan(a) & xp.isnan(b))
    if rtol == 0 and atol == 0:
        return Tensor._make(close, input._device, False, None)
    a, b = _floating(xp, a), _floating(xp, b)
    with _quiet():
        error = xp.abs(a - b)
        close = close | (xp.isfinite(error) & (error <= atol + xp.abs(rtol * b)))
    return Tensor._make(close, input._device, False, None)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when :func:`isclose` holds everywhere (a Python bool, as in PyTorch)."""
    close = isclose(input, other, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return bool(close._device.xp.all(close.array))


def _quiet():
    return np.errstate(invalid="ignore", over="ignore")

