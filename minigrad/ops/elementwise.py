"""Elementwise ops: arithmetic, exp/log, activations, comparisons-based selections.

Each class gives the forward formula and its derivative side by side; arrays that backward
needs (inputs, outputs, masks) go through ``save_for_backward``, never onto ``self``.  Binary ops broadcast;
the Function base class sums each gradient back to its input's shape.  Non-smooth points:
``abs``, ``relu`` and ``leaky_relu`` take the gradient 0 (or the negative slope) at 0; ``maximum``
/ ``minimum`` share the gradient equally between tied inputs; ``clip`` passes the gradient where
``min <= x <= max`` (boundaries included).
"""
from __future__ import annotations

import math

import numpy as np
from numpy import generic as _np_generic

from ..device import _host_numpy
from ..dtypes import get_default_dtype, is_floating, name_of, to_native
from ..errors import DTypeError
from ..function import Op, promoted
from ..promotion import result_type
from ..tensor import Tensor, as_constant_like

__all__ = ["add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "maximum", "minimum",
           "clip", "where", "tanh", "sigmoid", "relu", "leaky_relu"]


class Add(Op):
    """z = a + b;  dz/da = 1, dz/db = 1"""

    broadcasts = True
    promotes = True

    def forward(self, a, b):
        try:
            return a + b
        except TypeError:  # the Array API has no bool + bool; PyTorch's is logical or
            return _logical(self.xp, "logical_or", a, b)

    def backward(self, g):
        return g, g


class Sub(Op):
    """z = a - b;  dz/da = 1, dz/db = -1"""

    broadcasts = True
    promotes = True

    def forward(self, a, b):
        try:
            return a - b
        except TypeError:
            if a.dtype == self.xp.bool:
                raise _bool_sub_error("bool", "bool") from None
            raise

    def backward(self, g):
        return g, -g if self.needs_input_grad[1] else None


class Mul(Op):
    """z = a * b;  dz/da = b, dz/db = a"""

    broadcasts = True
    promotes = True

    def forward(self, a, b):
        # a Python number needs no gradient, so the other factor is not kept for it: as PyTorch,
        # ``d += d * 2`` then leaves nothing saved that the in-place change would invalidate
        ca, cb = a.__class__, b.__class__
        self.save_for_backward(None if cb is int or cb is float else a, None if ca is int or ca is float else b)
        try:
            return a * b
        except TypeError:  # the Array API has no bool * bool; PyTorch's is logical and
            return _logical(self.xp, "logical_and", a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)


class Div(Op):
    """z = a / b;  dz/da = 1/b, dz/db = -a/b^2"""

    broadcasts = True
    promotes = True

    def forward(self, a, b):
        cb = b.__class__
        self.save_for_backward(None if cb is int or cb is float else a, b)  # a serves only b's gradient
        if _integral(self.xp, a) and _integral(self.xp, b):  # true division: a float result
            native = to_native(get_default_dtype(), self.xp)
            a = a if a.__class__ is int else self.xp.astype(a, native)
            b = b if b.__class__ is int else self.xp.astype(b, native)
        return a / b

    def backward(self, g):
        a, b = self.saved_tensors
        ga = g / b
        return ga, (-ga * a / b if self.needs_input_grad[1] else None)


def _logical(xp, name, a, b):
    """``xp.<name>(a, b)`` for two bool operands (arrays or Python bools); re-raises otherwise."""
    if not all((x.__class__ is bool) or (not _number_like(x) and not is_floating(x.dtype) and x.dtype == xp.bool)
               for x in (a, b)):
        raise
    return getattr(xp, name)(xp.asarray(a) if a.__class__ is bool else a, xp.asarray(b) if b.__class__ is bool else b)


def _number_like(x):
    return x.__class__ is int or x.__class__ is float


def _integral(xp, x):
    """Whether ``x`` (an array or a Python number) holds integers or bools."""
    if x.__class__ is int or x.__class__ is float:
        return x.__class__ is int
    kind = getattr(x.dtype, "kind", None)  # NumPy and CuPy dtypes say it fast
    return kind in ("i", "u", "b") if kind is not None else not xp.isdtype(x.dtype, "real floating")


def _floating(xp, a):
    """``a``, or ``a`` cast to the default float dtype when it holds integers or bools (PyTorch's
    rule for float functions of integer tensors: ``exp(arange(3))`` is float32)."""
    kind = getattr(a.dtype, "kind", None)
    if kind == "f" or not _integral(xp, a):
        return a
    return xp.astype(a, to_native(get_default_dtype(), xp))


class Neg(Op):
    """z = -a;  dz/da = -1"""

    def forward(self, a):
        return -a

    def backward(self, g):
        return -g


class PowScalar(Op):
    """z = a ** p for a constant Python number p;  dz/da = p * a ** (p - 1)"""

    def forward(self, a, p):
        self.p = p
        self.save_for_backward(a)
        return a ** p

    def backward(self, g):
        (a,) = self.saved_tensors
        p = self.p
        if p == 0:
            return g * 0.0
        if p == 1:
            return g
        if p == 2:
            return g * a * 2.0
        return g * p * self.F.apply(PowScalar, a, p=p - 1)


class Pow(Op):
    """z = a ** b;  dz/da = b * a ** (b - 1), taken as 0 where a == b == 0 (PyTorch's value there, not
    0 * 0**-1 = NaN);  dz/db = z * log(a), taken as 0 where a == 0 and b >= 0 (-inf * z where a == 0 and b < 0,
    NaN where a < 0, as in PyTorch)"""

    broadcasts = True
    promotes = True

    def forward(self, a, b):
        out = a ** b
        self.save_for_backward(a, b, out)
        return out

    def backward(self, g):
        a, b, out = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        F = self.F
        ga = None
        if need_a:
            ga = g * b * a ** (b - 1.0)
            if b.__class__ is not float and b.__class__ is not int:  # 0 * 0**-1 would be NaN
                ga = F.where((F.array_of(b) == 0) & (F.array_of(a) == 0), 0.0, ga)
        gb = None
        if need_b and (a.__class__ is float or a.__class__ is int):  # a Python-number base: 2.0 ** t
            gb = g * out * math.log(a) if a > 0 else g * self._log_special(a, F.array_of(b))
        elif need_b:
            a_arr = F.array_of(a)
            positive = a_arr > 0
            safe_a = F.where(positive, a, 1.0)
            gb = F.where(positive, g * out * F.apply(Log, safe_a), g * self._log_special(a_arr, F.array_of(b)))
        return ga, gb

    def _log_special(self, a, b):
        """z * log(a) where a <= 0 (0 elsewhere): 0 for a == 0 and b >= 0, -inf for a == 0 and b < 0
        (z = inf there), NaN for a < 0 (PyTorch's values)."""
        xp = self.xp
        number = a.__class__ is float or a.__class__ is int
        like = b if number else xp.broadcast_arrays(a, b)[0]
        zero, nan, minf = xp.zeros_like(like), xp.full_like(like, math.nan), xp.full_like(like, -math.inf)
        at_zero = xp.where(b >= 0, zero, minf)
        if number:
            return zero if a > 0 else nan if a < 0 else at_zero
        return xp.where(a > 0, zero, xp.where(a < 0, nan, at_zero))


class Exp(Op):
    """z = e^a;  dz/da = z"""

    def forward(self, a):
        out = self.xp.exp(_floating(self.xp, a))
        self.save_for_backward(out)
        return out

    def backward(self, g):
        (out,) = self.saved_tensors
        return g * out


class Log(Op):
    """z = ln a;  dz/da = 1/a"""

    def forward(self, a):
        a = _floating(self.xp, a)
        self.save_for_backward(a)
        return self.xp.log(a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g / a


class Sqrt(Op):
    """z = sqrt(a);  dz/da = 1 / (2 z)"""

    def forward(self, a):
        out = self.xp.sqrt(_floating(self.xp, a))
        self.save_for_backward(out)
        return out

    def backward(self, g):
        (out,) = self.saved_tensors
        return g / (out * 2.0)


class Abs(Op):
    """z = |a|;  dz/da = sign(a) (0 at a = 0)"""

    def forward(self, a):
        self.save_for_backward(a)
        return self.xp.abs(a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * self.xp.sign(self.F.array_of(a))


class _Extremum(Op):
    """Shared backward of maximum/minimum: the winner takes the gradient, ties share it."""

    broadcasts = True
    promotes = True

    def _select(self, a, b, greater):
        """Save the gradient weights of a and b: a wins where a > b (``greater``) or a < b."""
        xp = self.xp
        dt = xp.result_type(a, b)
        if not is_floating(dt):
            return  # integer and bool results never need a gradient
        tie = a == b
        choose_a = a > b if greater else a < b
        half_tie = xp.astype(tie, dt) * 0.5
        self.save_for_backward(xp.astype(choose_a, dt) + half_tie, xp.astype(~choose_a & ~tie, dt) + half_tie)

    def backward(self, g):
        wa, wb = self.saved_tensors  # the weights of a and b
        need_a, need_b = self.needs_input_grad
        return (g * wa if need_a else None), (g * wb if need_b else None)


class Maximum(_Extremum):
    """z = max(a, b) elementwise;  dz/da = [a > b] + 0.5 [a == b]"""

    def forward(self, a, b):
        self._select(a, b, True)
        try:
            return self.xp.maximum(a, b)
        except TypeError:  # the Array API has no maximum of bools; PyTorch's is logical or
            return _logical(self.xp, "logical_or", a, b)


class Minimum(_Extremum):
    """z = min(a, b) elementwise;  dz/da = [a < b] + 0.5 [a == b]"""

    def forward(self, a, b):
        self._select(a, b, False)
        try:
            return self.xp.minimum(a, b)
        except TypeError:
            return _logical(self.xp, "logical_and", a, b)


class Clip(Op):
    """z = min(max(a, lo), hi) for number bounds (hi wins where lo > hi, as in PyTorch);
    dz/da = [lo <= a <= hi]  (bounds included, PyTorch's)"""

    def forward(self, a, lo=None, hi=None):
        xp = self.xp
        if _integral(xp, a) and (lo.__class__ is float or hi.__class__ is float):
            a = xp.astype(a, to_native(get_default_dtype(), xp))  # PyTorch: clamp(int, 0.5) is float
        inside = xp.ones_like(a, dtype=xp.bool)
        out = a
        if lo is not None:
            inside = inside & (a >= lo)
            out = xp.maximum(out, lo)
        if hi is not None:
            inside = inside & (a <= hi)
            out = xp.minimum(out, hi)
        self.save_for_backward(xp.astype(inside, out.dtype))
        return out if out is not a else xp.asarray(a, copy=True)

    def backward(self, g):
        (inside,) = self.saved_tensors
        return g * inside


class Where(Op):
    """z = a where cond else b;  dz/da = [cond], dz/db = [not cond] (cond is not differentiable)"""

    broadcasts = True

    def forward(self, cond, a, b):
        self.save_for_backward(cond)  # an input: an in-place change of it before backward raises
        return self.xp.where(cond, a, b)

    def backward(self, g):
        (cond,) = self.saved_tensors
        _, need_a, need_b = self.needs_input_grad
        F = self.F
        return (None,
                F.where(cond, g, 0.0) if need_a else None,
                F.where(cond, 0.0, g) if need_b else None)


class Tanh(Op):
    """z = tanh(a);  dz/da = 1 - z^2"""

    def forward(self, a):
        out = self.xp.tanh(_floating(self.xp, a))
        self.save_for_backward(out)
        return out

    def backward(self, g):
        (out,) = self.saved_tensors
        return g * (1.0 - out * out)


class Sigmoid(Op):
    """z = 1 / (1 + e^-a), computed without overflow;  dz/da = z (1 - z)"""

    def forward(self, a):
        xp = self.xp
        a = _floating(xp, a)
        e = xp.exp(-xp.abs(a))
        out = xp.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        self.save_for_backward(out)
        return out

    def backward(self, g):
        (out,) = self.saved_tensors
        return g * out * (1.0 - out)


class ReLU(Op):
    """z = max(a, 0);  dz/da = [a > 0]

    Computed as a * [a > 0] with the mask in a's dtype (faster than ``maximum`` on NumPy, and
    the Array API has no bool-float arithmetic), then + 0.0 so that negative inputs give +0.0
    as ``maximum`` does, not the -0.0 of a negative number times 0.
    """

    def forward(self, a):
        xp = self.xp
        mask = xp.astype(a > 0, a.dtype)
        self.save_for_backward(mask)
        out = a * mask
        if is_floating(out.dtype):
            out += 0.0
        return out

    def backward(self, g):
        (mask,) = self.saved_tensors
        return g * mask


class LeakyReLU(Op):
    """z = a if a > 0 else slope * a;  dz/da = 1 if a > 0 else slope"""

    def forward(self, a, negative_slope=0.01):
        xp = self.xp
        scale = xp.where(a > 0, xp.ones_like(a), xp.full_like(a, negative_slope))
        self.save_for_backward(scale)
        return a * scale

    def backward(self, g):
        (scale,) = self.saved_tensors
        return g * scale


class Clone(Op):
    """z = a (a copy);  dz/da = 1"""

    def forward(self, a):
        return self.xp.asarray(a, copy=True)

    def backward(self, g):
        return g


class Contiguous(Op):
    """z = a laid out row-major (C order) in fresh memory;  dz/da = 1"""

    def forward(self, a):
        if a.__class__ is np.ndarray:
            return np.ascontiguousarray(a) if a.flags.c_contiguous else a.copy(order="C")
        return self.xp.asarray(a, copy=True)

    def backward(self, g):
        return g


class Cast(Op):
    """z = a converted to ``dtype``;  dz/da = 1 (cast back to a's dtype)"""

    def forward(self, a, dtype):
        return self.xp.astype(a, dtype)

    def backward(self, g):
        return g  # the Function base class casts to the input's dtype


class ToDevice(Op):
    """z = a copied to ``device``;  dz/da = 1 (copied back)"""

    def forward(self, a, device):
        return device.asarray(a) if device.type != "cpu" else _to_host(a)

    def backward(self, g):
        return self.F.to_device(g, self.inputs[0]._device)


def to_device(a, device):
    """``a`` copied to ``device`` (a :class:`Device`), differentiable: the gradient is copied back.

    z = a on ``device``, same shape and dtype;  dz/da = 1.
    """
    out = ToDevice.apply(a, device=device)
    out._device = device  # Function.apply labels results with the device of the inputs
    return out


def _to_host(a):
    return np.array(_host_numpy(a), copy=True)


# ----- the public functions --------------------------------------------------------------
def _number(v):
    """A NumPy scalar as the Python number it holds (so it never up-casts a float32 tensor)."""
    return v.item() if isinstance(v, _np_generic) and v.dtype.kind in "iuf" else v


_NP_BOOL = type(np.dtype(bool))


def _is_bool(x):
    """Whether ``x`` is a Python bool or a bool Tensor (a fast test on NumPy's dtype classes)."""
    if x.__class__ is bool:
        return True
    if x.__class__ is not Tensor:
        return isinstance(x, (np.bool_, Tensor)) and _dtype_name(x) == "bool"
    dt = x.array.dtype
    return dt.__class__ is _NP_BOOL or (dt.__class__.__module__ != "numpy.dtypes" and name_of(dt) == "bool")


def _dtype_name(x):
    return name_of(x.array.dtype) if isinstance(x, Tensor) else type(x).__name__ if not hasattr(x, "dtype") else \
        name_of(x.dtype)


def add(a, b):
    """Elementwise sum ``a + b``: ``mg.add(a, b)``, ``a.add(b)``, ``a + b``.

    z = a + b;  dz/da = 1, dz/db = 1.
    ``a``, ``b``: Tensors or Python numbers (at least one a Tensor), broadcast together by NumPy's
    (= PyTorch's) rules; each gradient is summed back to its input's shape.
    As ``torch.add`` (without ``alpha``).
    """
    return Add.apply(a, b)


def sub(a, b):
    """Elementwise difference ``a - b``: ``mg.sub(a, b)``, ``a.sub(b)``, ``a - b``.

    z = a - b;  dz/da = 1, dz/db = -1.
    ``a``, ``b``: Tensors or Python numbers (at least one a Tensor), broadcast together by NumPy's
    (= PyTorch's) rules; each gradient is summed back to its input's shape.
    As ``torch.sub`` (without ``alpha``); a bool operand raises :class:`~minigrad.errors.DTypeError`
    (a TypeError and the RuntimeError PyTorch raises: use ``^`` or ``logical_xor`` for bools).
    """
    if a.__class__ is Tensor and b.__class__ is Tensor and a.array.dtype is b.array.dtype:
        return Sub.apply(a, b)  # the hot path; bool - bool raises in forward
    if _is_bool(a) or _is_bool(b):
        raise _bool_sub_error(_dtype_name(a), _dtype_name(b))
    return Sub.apply(a, b)


def _bool_sub_error(a, b):
    return DTypeError(f"sub: subtraction with a bool operand is not supported ({a} - {b}), as in PyTorch; "
                      "use ^ or logical_xor for bools, or convert with .int()")


def mul(a, b):
    """Elementwise product ``a * b``: ``mg.mul(a, b)``, ``a.mul(b)``, ``a * b``.

    z = a * b;  dz/da = b, dz/db = a.
    ``a``, ``b``: Tensors or Python numbers (at least one a Tensor), broadcast together by NumPy's
    (= PyTorch's) rules; each gradient is summed back to its input's shape.
    As ``torch.mul``.
    """
    return Mul.apply(a, b)


def div(a, b):
    """Elementwise true division ``a / b``: ``mg.div(a, b)``, ``a.div(b)``, ``a / b``.

    z = a / b;  dz/da = 1/b, dz/db = -a/b^2.
    ``a``, ``b``: Tensors or Python numbers (at least one a Tensor), broadcast together by NumPy's
    (= PyTorch's) rules; each gradient is summed back to its input's shape.
    Two integer inputs give the default float dtype, as ``torch.div`` (no ``rounding_mode``).
    """
    return Div.apply(a, b)


def neg(a):
    """Elementwise negation: ``mg.neg(a)``, ``a.neg()``, ``-a``.

    z = -a, same shape and dtype as ``a``;  dz/da = -1.  As ``torch.neg``.
    """
    return Neg.apply(a)


def pow(a, b):
    """Elementwise power ``a ** b``: ``mg.pow(a, b)``, ``a.pow(b)``, ``a ** b``, ``2.0 ** a``.

    z = a^b;  dz/da = b a^(b-1),  dz/db = z ln a.  A Python-number exponent ``b`` is a constant
    (dz/da = p a^(p-1), a cheaper backward: no dz/db); otherwise ``a`` and ``b`` broadcast together
    and each gradient is summed back to its input's shape.  As ``torch.pow``, undefined points
    included: dz/da is 0 at a = b = 0; dz/db is 0 where a = 0 and b >= 0, -inf where a = 0 and
    b < 0, and NaN where a < 0 (PyTorch's values).
    """
    b = _number(b)
    if (b.__class__ is float or b.__class__ is int) and a.__class__ is Tensor and \
            getattr(a.array.dtype, "kind", None) == "f":
        return PowScalar.apply(a, p=b)  # the hot path: a float tensor to a number power
    if _is_bool(a) and _is_bool(b) and not (a.__class__ is Tensor and b.__class__ is bool):
        raise DTypeError("pow: two bool tensors are not supported, as in PyTorch; convert one with .int()")
    if isinstance(b, (int, float)) and a.__class__ is Tensor and _integral(a._device.xp, a.array):
        return _pow_number_of_integers(a, b)
    if isinstance(b, (int, float)) and not isinstance(b, bool):
        return PowScalar.apply(a, p=b)
    return Pow.apply(a, b)


def _pow_number_of_integers(a, p):
    """An integer or bool tensor to a number power in PyTorch's dtype (``result_type(a, p)``):
    int ** 2.5 is the default float, bool ** 2 int64, bool ** True bool."""
    dt = result_type(a, p)
    if dt == "bool":  # x ** True = x, x ** False = 1
        return a.clone() if p else a.new_ones(a.shape)
    a = a.to(dtype=dt)
    return PowScalar.apply(a, p=int(p) if isinstance(p, bool) else p)


def exp(a):
    """Elementwise exponential: ``mg.exp(a)`` or ``a.exp()``.

    z = e^a, same shape as ``a``;  dz/da = z.  As ``torch.exp``.
    """
    return Exp.apply(a)


def log(a):
    """Elementwise natural logarithm: ``mg.log(a)`` or ``a.log()``.

    z = ln a, same shape as ``a`` (-inf at 0, nan below);  dz/da = 1/a.  As ``torch.log``.
    """
    return Log.apply(a)


def sqrt(a):
    """Elementwise square root: ``mg.sqrt(a)`` or ``a.sqrt()``.

    z = sqrt(a), same shape as ``a``;  dz/da = 1 / (2 z) (inf at a = 0, as in PyTorch).
    As ``torch.sqrt``.
    """
    return Sqrt.apply(a)


def abs(a):
    """Elementwise absolute value: ``mg.abs(a)``, ``a.abs()`` or ``abs(a)``.

    z = |a|, same shape as ``a``;  dz/da = sign(a), 0 at a = 0 (PyTorch's choice).  As ``torch.abs``.
    """
    return Abs.apply(a)


def maximum(a, b):
    """Elementwise maximum of two tensors: ``mg.maximum(a, b)`` or ``a.maximum(b)``.

    z = max(a, b);  dz/da = [a > b] + 0.5 [a == b], dz/db = [b > a] + 0.5 [a == b]: a tie shares
    the gradient equally, as PyTorch does.
    ``a``, ``b``: Tensors or Python numbers (at least one a Tensor), broadcast together by NumPy's
    (= PyTorch's) rules; each gradient is summed back to its input's shape.
    As ``torch.maximum``.

    >>> import minigrad as mg
    >>> a = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> mg.maximum(a, mg.tensor([2.0, 2.0, 2.0])).sum().backward()
    >>> a.grad
    tensor([0. , 0.5, 1. ], dtype=float32, device='cpu')
    """
    return Maximum.apply(a, b)


def minimum(a, b):
    """Elementwise minimum of two tensors: ``mg.minimum(a, b)`` or ``a.minimum(b)``.

    z = min(a, b);  dz/da = [a < b] + 0.5 [a == b], dz/db = [b < a] + 0.5 [a == b]: a tie shares
    the gradient equally, as PyTorch does.
    ``a``, ``b``: Tensors or Python numbers (at least one a Tensor), broadcast together by NumPy's
    (= PyTorch's) rules; each gradient is summed back to its input's shape.
    As ``torch.minimum``.
    """
    return Minimum.apply(a, b)


def where(condition, a, b):
    """Select elementwise: ``a`` where ``condition`` holds, else ``b`` (``mg.where(cond, a, b)``).

    z = cond ? a : b, with ``condition`` (a bool tensor), ``a`` and ``b`` (Tensors or numbers, at least
    one of ``a``, ``b`` a Tensor) broadcast together;  dz/da = [cond], dz/db = [not cond], each summed
    back to its input's shape; ``condition`` gets no gradient.  As ``torch.where(cond, a, b)``.
    """
    like = a if isinstance(a, Tensor) else b
    if not isinstance(like, Tensor):
        raise TypeError("where: at least one of a and b must be a Tensor")
    a = a if isinstance(a, Tensor) else as_constant_like(a, like, "where")
    b = b if isinstance(b, Tensor) else as_constant_like(b, like, "where")
    if not isinstance(condition, Tensor):
        condition = as_constant_like(condition, like, "where")
    if not condition.dtype == "bool":
        raise TypeError(f"where: condition must be a bool tensor, got {condition.dtype}")
    if a.array.dtype != b.array.dtype:
        a, b = promoted(a, b)  # PyTorch's result dtype of a and b (the condition takes no part)
    return Where.apply(condition, a, b)


def tanh(a):
    """Elementwise hyperbolic tangent: ``mg.tanh(a)`` or ``a.tanh()``.

    z = tanh(a) = (e^a - e^-a) / (e^a + e^-a), same shape as ``a``;  dz/da = 1 - z^2 (the course's
    g'(z) = 1 - a^2).  As ``torch.tanh``.
    """
    return Tanh.apply(a)


def sigmoid(a):
    """Elementwise logistic sigmoid: ``mg.sigmoid(a)`` or ``a.sigmoid()``.

    z = 1 / (1 + e^-a), same shape as ``a``, computed without overflow for large |a|;
    dz/da = z (1 - z) (the course's sigma'(z) = a (1 - a)).  As ``torch.sigmoid``.
    """
    return Sigmoid.apply(a)


def relu(a):
    """Elementwise rectified linear unit: ``mg.relu(a)`` or ``a.relu()``.

    z = max(a, 0), same shape as ``a`` (+0.0 for negative inputs);  dz/da = [a > 0], so the gradient
    at a = 0 is 0, as in PyTorch (the course's g'(z) = 1 if z > 0 else 0).  As ``torch.relu``.

    >>> import minigrad as mg
    >>> x = mg.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    >>> x.relu().sum().backward()
    >>> x.grad
    tensor([0., 0., 1.], dtype=float32, device='cpu')
    """
    return ReLU.apply(a)


def leaky_relu(a, negative_slope=0.01):
    """Elementwise leaky ReLU: ``mg.leaky_relu(a, negative_slope=0.01)`` or ``a.leaky_relu(...)``.

    z = a if a > 0 else negative_slope * a, same shape as ``a``;  dz/da = 1 if a > 0 else
    negative_slope, so the gradient at a = 0 is ``negative_slope``, as in PyTorch.
    As ``torch.nn.functional.leaky_relu`` (default slope 0.01).
    """
    return LeakyReLU.apply(a, negative_slope=negative_slope)
