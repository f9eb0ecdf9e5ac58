"""Elementwise math of one tensor: trigonometric, hyperbolic, logs and exps, powers, rounding, erf.

Each class gives the forward formula and its derivative side by side; backward uses operators
and ``self.F``, so it also runs on bare arrays and differentiates again (second order).
PyTorch's conventions: integer and bool inputs of the float functions compute in the default
float dtype (``sin(arange(3))`` is float32); ``square``, ``sign``, ``floor``, ``ceil``,
``round`` and ``trunc`` keep integer dtypes.  ``sign``, ``floor``, ``ceil``, ``round`` and
``trunc`` are piecewise constant: their gradient is 0 everywhere, as in PyTorch; ``frac``'s is 1.
"""
from __future__ import annotations

import math

from ..function import Op
from ..tensor import Tensor
from .elementwise import Sqrt, _floating, _integral

__all__ = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "log1p",
           "expm1", "log2", "log10", "exp2", "square", "rsqrt", "reciprocal", "sign", "erf", "erfc", "floor",
           "ceil", "round", "trunc", "frac", "isnan", "isinf", "isfinite", "UnsupportedDTypeError"]

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class UnsupportedDTypeError(TypeError, RuntimeError):
    """An op given a dtype it does not compute in (PyTorch raises RuntimeError; TypeError fits too)."""


def need_floating(op, *tensors):
    """Raise :class:`UnsupportedDTypeError` naming ``op`` unless every Tensor among ``tensors`` is
    floating (for the ops PyTorch refuses on integers: frac, lerp, logaddexp, hypot, gelu, ...)."""
    for t in tensors:
        if isinstance(t, Tensor) and not t.dtype.startswith("float"):
            raise UnsupportedDTypeError(f"{op}: expects a floating-point tensor, got {t.dtype} "
                                        f"(shape {tuple(t.shape)}); convert it with .float() or .double()")


class _FloatUnary(Op):
    """z = fn(a) for a float function ``fn`` of the array namespace; saves a (or z, see ``save_out``)."""

    fn = ""
    save_out = False

    def forward(self, a):
        a = _floating(self.xp, a)
        out = getattr(self.xp, self.fn)(a)
        self.save_for_backward(out if self.save_out else a)
        return out


class Sin(_FloatUnary):
    """z = sin(a);  dz/da = cos(a)"""

    fn = "sin"

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * self.F.apply(Cos, a)


class Cos(_FloatUnary):
    """z = cos(a);  dz/da = -sin(a)"""

    fn = "cos"

    def backward(self, g):
        (a,) = self.saved_tensors
        return -(g * self.F.apply(Sin, a))


class Tan(_FloatUnary):
    """z = tan(a);  dz/da = 1 + z^2"""

    fn, save_out = "tan", True

    def backward(self, g):
        (out,) = self.saved_tensors
        return g * (out * out + 1.0)


class Asin(_FloatUnary):
    """z = asin(a), a in [-1, 1];  dz/da = 1 / sqrt(1 - a^2)  (inf at a = +-1)"""

    fn = "asin"

    def backward(self, g):
        (a,) = self.saved_tensors
        return g / self.F.apply(Sqrt, 1.0 - a * a)


class Acos(_FloatUnary):
    """z = acos(a), a in [-1, 1];  dz/da = -1 / sqrt(1 - a^2)  (-inf at a = +-1)"""

    fn = "acos"

    def backward(self, g):
        (a,) = self.saved_tensors
        return -(g / self.F.apply(Sqrt, 1.0 - a * a))


class Atan(_FloatUnary):
    """z = atan(a);  dz/da = 1 / (1 + a^2)"""

    fn = "atan"

    def backward(self, g):
        (a,) = self.saved_tensors
        return g / (a * a + 1.0)


class Sinh(_FloatUnary):
    """z = sinh(a);  dz/da = cosh(a)"""

    fn = "sinh"

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * self.F.apply(Cosh, a)


class Cosh(_FloatUnary):
    """z = cosh(a);  dz/da = sinh(a)"""

    fn = "cosh"

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * self.F.apply(Sinh, a)


class Asinh(_FloatUnary):
    """z = asinh(a);  dz/da = 1 / sqrt(a^2 + 1)"""

    fn = "asinh"

    def backward(self, g):
        (a,) = self.saved_tensors
        return g / self.F.apply(Sqrt, a * a + 1.0)


class Acosh(_FloatUnary):
    """z = acosh(a), a >= 1;  dz/da = 1 / sqrt(a^2 - 1)  (inf at a = 1)"""

    fn = "acosh"

    def backward(self, g):
        (a,) = self.saved_tensors
        return g / self.F.apply(Sqrt, a * a - 1.0)


class Atanh(_FloatUnary):
    """z = atanh(a), a in (-1, 1);  dz/da = 1 / (1 - a^2)"""

    fn = "atanh"

    def backward(self, g):
        (a,) = self.saved_tensors
        return g / (1.0 - a * a)


class Log1p(_FloatUnary):
    """z = ln(1 + a), accurate near 0;  dz/da = 1 / (1 + a)"""

    fn = "log1p"

    def backward(self, g):
        (a,) = self.saved_tensors
        return g / (a + 1.0)


class Expm1(_FloatUnary):
    """z = e^a - 1, accurate near 0;  dz/da = z + 1"""

    fn, save_out = "expm1", True

    def backward(self, g):
        (out,) = self.saved_tensors
        return g * (out + 1.0)


class Log2(_FloatUnary):
    """z = log2(a);  dz/da = 1 / (a ln 2)"""

    fn = "log2"

    def backward(self, g):
        (a,) = self.saved_tensors
        return g / (a * _LN2)


class Log10(_FloatUnary):
    """z = log10(a);  dz/da = 1 / (a ln 10)"""

    fn = "log10"

    def backward(self, g):
        (a,) = self.saved_tensors
        return g / (a * _LN10)


class Exp2(Op):
    """z = 2^a;  dz/da = z ln 2"""

    def forward(self, a):
        xp = self.xp
        a = _floating(xp, a)
        out = xp.exp2(a) if hasattr(xp, "exp2") else 2.0 ** a  # the Array API has no exp2
        self.save_for_backward(out)
        return out

    def backward(self, g):
        (out,) = self.saved_tensors
        return g * out * _LN2


class Square(Op):
    """z = a^2 (integers stay integers);  dz/da = 2 a"""

    def forward(self, a):
        self.save_for_backward(a)
        return a * a

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * a * 2.0


class Rsqrt(Op):
    """z = 1 / sqrt(a);  dz/da = -z^3 / 2"""

    def forward(self, a):
        xp = self.xp
        out = 1.0 / xp.sqrt(_floating(xp, a))
        self.save_for_backward(out)
        return out

    def backward(self, g):
        (out,) = self.saved_tensors
        return g * (out * out * out) * -0.5


class Reciprocal(Op):
    """z = 1 / a;  dz/da = -z^2"""

    def forward(self, a):
        out = 1.0 / _floating(self.xp, a)
        self.save_for_backward(out)
        return out

    def backward(self, g):
        (out,) = self.saved_tensors
        return -(g * (out * out))


class Erf(Op):
    """z = erf(a) = 2/sqrt(pi) int_0^a e^{-t^2} dt;  dz/da = 2/sqrt(pi) e^{-a^2}"""

    def forward(self, a):
        a = _floating(self.xp, a)
        self.save_for_backward(a)
        return erf_array(self.xp, a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * self.F.exp(-(a * a)) * _TWO_OVER_SQRT_PI


class Erfc(Op):
    """z = erfc(a) = 1 - erf(a), accurate for large a;  dz/da = -2/sqrt(pi) e^{-a^2}"""

    def forward(self, a):
        a = _floating(self.xp, a)
        self.save_for_backward(a)
        return erfc_array(self.xp, a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * self.F.exp(-(a * a)) * -_TWO_OVER_SQRT_PI


class _Flat(Op):
    """A piecewise-constant z = fn(a): dz/da = 0 everywhere (PyTorch's convention at the jumps too)."""

    def backward(self, g):
        return g * 0.0


class Sign(_Flat):
    """z = sign(a) in {-1, 0, 1} (dtype kept; 0 for NaN, as in PyTorch);  dz/da = 0"""

    def forward(self, a):
        xp = self.xp
        if _integral(xp, a):
            return xp.sign(a)
        return xp.astype(a > 0, a.dtype) - xp.astype(a < 0, a.dtype)


class Floor(_Flat):
    """z = floor(a) (integers unchanged);  dz/da = 0"""

    def forward(self, a):
        return self.xp.floor(a) if not _integral(self.xp, a) else self.xp.asarray(a, copy=True)


class Ceil(_Flat):
    """z = ceil(a) (integers unchanged);  dz/da = 0"""

    def forward(self, a):
        return self.xp.ceil(a) if not _integral(self.xp, a) else self.xp.asarray(a, copy=True)


class Trunc(_Flat):
    """z = trunc(a), rounded toward 0 (integers unchanged);  dz/da = 0"""

    def forward(self, a):
        return self.xp.trunc(a) if not _integral(self.xp, a) else self.xp.asarray(a, copy=True)


class Round(_Flat):
    """z = a rounded to ``decimals`` places, halves to even (PyTorch: nearbyint(a * 10^d) / 10^d,
    for d < 0 nearbyint(a / 10^-d) * 10^-d);  dz/da = 0"""

    def forward(self, a, decimals=0):
        xp = self.xp
        if _integral(xp, a):
            return xp.asarray(a, copy=True)
        if decimals == 0:
            return xp.round(a)
        if decimals > 0:
            scale = 10.0 ** decimals
            return xp.round(a * scale) / scale
        scale = 10.0 ** -decimals
        return xp.round(a / scale) * scale


class Frac(Op):
    """z = a - trunc(a) (the sign of a kept);  dz/da = 1"""

    def forward(self, a):
        return a - self.xp.trunc(a)

    def backward(self, g):
        return g


# ----- erf and erfc on arrays (W. J. Cody's rational Chebyshev approximations, Math. Comp. 1969) -----
_ERF_A = (3.16112374387056560, 113.864154151050156, 377.485237685302021, 3209.37758913846947,
          0.185777706184603153)
_ERF_B = (23.6012909523441209, 244.024637934444173, 1282.61652607737228, 2844.23683343917062)
_ERFC_C = (0.564188496988670089, 8.88314979438837594, 66.1191906371416295, 298.635138197400131,
           881.95222124176909, 1712.04761263407058, 2051.07837782607147, 1230.33935479799725,
           2.15311535474403846e-8)
_ERFC_D = (15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019,
           3290.79923573345963, 4362.61909014324716, 3439.36767414372164, 1230.33935480374942)
_ERFC_P = (0.305326634961232344, 0.360344899949804439, 0.125781726111229246, 0.0160837851487422766,
           6.58749161529837803e-4, 0.0163153871373020978)
_ERFC_Q = (2.56852019228982242, 1.87295284992346047, 0.527905102951428412, 0.0605183413124413191,
           0.00233520497626869185)
_SMALL = 0.46875  # |a| <= this: erf by its series-like rational form; beyond: erfc first


def _erf_small(y):
    """erf(y) / y for |y| <= 0.46875: (y^2 polynomial) / (y^2 polynomial)."""
    ysq = y * y
    num, den = _ERF_A[4] * ysq, ysq
    for a, b in zip(_ERF_A[:3], _ERF_B[:3]):
        num, den = (num + a) * ysq, (den + b) * ysq
    return (num + _ERF_A[3]) / (den + _ERF_B[3])


def _erfc_large(xp, y):
    """erfc(y) for y = |a| > 0.46875 (0 beyond y = 27, where it underflows in float64)."""
    mid_y = xp.minimum(y, 4.0)
    num, den = _ERFC_C[8] * mid_y, mid_y
    for c, d in zip(_ERFC_C[:7], _ERFC_D[:7]):
        num, den = (num + c) * mid_y, (den + d) * mid_y
    mid = (num + _ERFC_C[7]) / (den + _ERFC_D[7])
    tail_y = xp.minimum(xp.maximum(y, 4.0), 27.0)
    z = 1.0 / (tail_y * tail_y)
    num, den = _ERFC_P[5] * z, z
    for p, q in zip(_ERFC_P[:4], _ERFC_Q[:4]):
        num, den = (num + p) * z, (den + q) * z
    tail = (0.56418958354775628695 - z * (num + _ERFC_P[4]) / (den + _ERFC_Q[4])) / tail_y
    r = xp.where(y <= 4.0, mid, tail)
    yc = xp.minimum(y, 27.0)
    ysq = xp.trunc(yc * 16.0) / 16.0  # e^{-y^2} = e^{-ysq^2} e^{-(y - ysq)(y + ysq)}: no cancellation
    out = xp.exp(-ysq * ysq) * xp.exp(-(yc - ysq) * (yc + ysq)) * r
    return xp.where(y >= 27.0, xp.zeros_like(out), out)  # NaN stays NaN


def erf_array(xp, a):
    """erf of a floating array of namespace ``xp`` (the Array API has none); relative error
    about 1e-16 in float64."""
    y = xp.abs(a)
    small = y <= _SMALL
    large = 1.0 - _erfc_large(xp, xp.where(small, xp.ones_like(y), y))
    return xp.where(small, a * _erf_small(xp.where(small, y, xp.zeros_like(y))), xp.sign(a) * large)


def erfc_array(xp, a):
    """erfc = 1 - erf of a floating array, without the cancellation of 1 - erf for large a."""
    y = xp.abs(a)
    small = y <= _SMALL
    tail = _erfc_large(xp, xp.where(small, xp.ones_like(y), y))
    near = 1.0 - a * _erf_small(xp.where(small, y, xp.zeros_like(y)))
    return xp.where(small, near, xp.where(a > 0, tail, 2.0 - tail))


# ----- the public functions ----------------------------------------------------------------------
def sin(input):
    """sin(a), elementwise;  gradient cos(a)."""
    return Sin.apply(input)


def cos(input):
    """cos(a), elementwise;  gradient -sin(a)."""
    return Cos.apply(input)


def tan(input):
    """tan(a), elementwise;  gradient 1 + tan(a)^2."""
    return Tan.apply(input)


def asin(input):
    """arcsin(a) for a in [-1, 1] (NaN outside);  gradient 1 / sqrt(1 - a^2)."""
    return Asin.apply(input)


def acos(input):
    """arccos(a) for a in [-1, 1] (NaN outside);  gradient -1 / sqrt(1 - a^2)."""
    return Acos.apply(input)


def atan(input):
    """arctan(a), elementwise;  gradient 1 / (1 + a^2)."""
    return Atan.apply(input)


def sinh(input):
    """sinh(a), elementwise;  gradient cosh(a)."""
    return Sinh.apply(input)


def cosh(input):
    """cosh(a), elementwise;  gradient sinh(a)."""
    return Cosh.apply(input)


def asinh(input):
    """arsinh(a), elementwise;  gradient 1 / sqrt(a^2 + 1)."""
    return Asinh.apply(input)


def acosh(input):
    """arcosh(a) for a >= 1 (NaN below);  gradient 1 / sqrt(a^2 - 1)."""
    return Acosh.apply(input)


def atanh(input):
    """artanh(a) for a in (-1, 1) (+-inf at +-1);  gradient 1 / (1 - a^2)."""
    return Atanh.apply(input)


def log1p(input):
    """ln(1 + a), accurate for small a;  gradient 1 / (1 + a)."""
    return Log1p.apply(input)


def expm1(input):
    """e^a - 1, accurate for small a;  gradient e^a."""
    return Expm1.apply(input)


def log2(input):
    """log base 2 of a;  gradient 1 / (a ln 2)."""
    return Log2.apply(input)


def log10(input):
    """log base 10 of a;  gradient 1 / (a ln 10)."""
    return Log10.apply(input)


def exp2(input):
    """2^a, elementwise;  gradient 2^a ln 2."""
    return Exp2.apply(input)


def square(input):
    """a * a (integer tensors stay integer);  gradient 2 a."""
    return Square.apply(input)


def rsqrt(input):
    """1 / sqrt(a);  gradient -a^(-3/2) / 2."""
    return Rsqrt.apply(input)


def reciprocal(input):
    """1 / a (integers give the default float dtype);  gradient -1 / a^2."""
    return Reciprocal.apply(input)


def sign(input):
    """-1, 0 or 1 by the sign of a (dtype kept);  gradient 0 everywhere (PyTorch's)."""
    return Sign.apply(input)


def erf(input):
    """The error function 2/sqrt(pi) int_0^a e^{-t^2} dt;  gradient 2/sqrt(pi) e^{-a^2}."""
    return Erf.apply(input)


def erfc(input):
    """1 - erf(a), accurate for large a;  gradient -2/sqrt(pi) e^{-a^2}."""
    return Erfc.apply(input)


def floor(input):
    """The largest integer <= a (integer tensors unchanged);  gradient 0 (PyTorch's)."""
    return Floor.apply(input)


def ceil(input):
    """The smallest integer >= a (integer tensors unchanged);  gradient 0 (PyTorch's)."""
    return Ceil.apply(input)


def trunc(input):
    """a rounded toward 0 (integer tensors unchanged);  gradient 0 (PyTorch's)."""
    return Trunc.apply(input)


def round(input, *, decimals=0):
    """a rounded to ``decimals`` decimal places, halves to even (PyTorch's ``torch.round``);
    integer tensors are returned unchanged (``decimals`` != 0 on them is an error, as in PyTorch).
    Gradient 0 everywhere (PyTorch's convention)."""
    if int(decimals) != 0 and not input.dtype.startswith("float"):
        raise UnsupportedDTypeError(f"round: decimals={decimals} needs a floating-point tensor, got {input.dtype}")
    return Round.apply(input, decimals=int(decimals))


def frac(input):
    """a - trunc(a), the fractional part with a's sign (floating tensors only, as in PyTorch);
    gradient 1."""
    need_floating("frac", input)
    return Frac.apply(input)


def _flag(name, input):
    """The bool tensor of predicate ``name`` of the array namespace (integers are never NaN or inf)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: expects a Tensor, got {type(input).__name__}")
    xp, data = input._device.xp, input.array
    if _integral(xp, data):
        out = (xp.ones_like if name == "isfinite" else xp.zeros_like)(data, dtype=xp.bool)
    else:
        out = getattr(xp, name)(data)
    return Tensor._make(out, input._device, False, None)


def isnan(input):
    """A bool tensor: True where a is NaN (never for integer tensors). Not differentiable."""
    return _flag("isnan", input)


def isinf(input):
    """A bool tensor: True where a is +inf or -inf. Not differentiable."""
    return _flag("isinf", input)


def isfinite(input):
    """A bool tensor: True where a is neither NaN nor +-inf (always for integer tensors). Not differentiable."""
    return _flag("isfinite", input)
