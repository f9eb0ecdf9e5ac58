"""Activation functions as tensor ops, with PyTorch's formulas, defaults and gradients at kinks.

softplus, elu / selu / celu, gelu (exact and tanh), silu, mish, hardtanh / relu6, hardsigmoid,
hardswish, logsigmoid, softsign.  Each class gives the forward formula and its derivative side
by side.  At the breakpoints the gradient is PyTorch's (checked against it):

* hardtanh(min_val, max_val), relu6: 0 at x = min_val and x = max_val (the bounds excluded);
* hardsigmoid: 0 at x = -3 and x = 3;  hardswish: 0 at x = -3, 1 at x = 3;
* elu / celu / selu at 0: the negative branch's slope (scale * alpha * input_scale).

Integer inputs are refused as in PyTorch, except hardtanh / relu6 (dtype kept) and softsign
(default float dtype).
"""
from __future__ import annotations

import math

from ..function import Op
from .elementwise import Abs, Sigmoid, Tanh, _integral
from .unary_math import Erf, _floating, erf_array, need_floating

__all__ = ["softplus", "elu", "selu", "celu", "gelu", "silu", "mish", "hardtanh", "relu6", "hardsigmoid",
           "hardswish", "logsigmoid", "softsign"]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_K = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


def _softplus_array(xp, z):
    """log(1 + e^z) for any z without overflow: max(z, 0) + log1p(e^{-|z|})."""
    return xp.maximum(z, xp.zeros_like(z)) + xp.log1p(xp.exp(-xp.abs(z)))


def _mask(xp, cond, like):
    return xp.astype(cond, like.dtype)


class Softplus(Op):
    """z = log(1 + e^{beta a}) / beta, and z = a where beta a > threshold;
    dz/da = sigmoid(beta a), and 1 where beta a > threshold"""

    def forward(self, a, beta=1.0, threshold=20.0):
        xp = self.xp
        self.beta = beta
        over = a * beta > threshold
        self.over, self.under = _mask(xp, over, a), _mask(xp, ~over, a)
        self.save_for_backward(a)
        return xp.where(over, a, _softplus_array(xp, a * beta) / beta)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * (self.F.apply(Sigmoid, a * self.beta) * self.under + self.over)


class ELU(Op):
    """z = scale * a for a > 0, else scale * alpha * (e^{a * input_scale} - 1)  (elu, celu, selu);
    dz/da = scale for a > 0, else scale * alpha * input_scale * e^{a * input_scale}  (a = 0 included)"""

    def forward(self, a, alpha=1.0, scale=1.0, input_scale=1.0):
        xp = self.xp
        self.params = (alpha, scale, input_scale)
        positive = self.positive = ~(a <= 0)  # NaN takes the positive branch's slope, as in PyTorch
        self.pos = _mask(xp, positive, a)
        self.save_for_backward(a)
        neg = xp.where(positive, xp.zeros_like(a), a)
        return xp.where(positive, a * scale, xp.expm1(neg * input_scale) * (scale * alpha))

    def backward(self, g):
        (a,) = self.saved_tensors
        alpha, scale, input_scale = self.params
        F = self.F
        neg = F.where(self.positive, 0.0, a)  # e^{a * input_scale} only where a <= 0: finite for large a
        slope = F.exp(neg * input_scale) * (1.0 - self.pos) * (scale * alpha * input_scale)
        return g * (slope + self.pos * scale)


class GELU(Op):
    """approximate='none': z = a Phi(a), Phi(a) = (1 + erf(a / sqrt 2)) / 2;  dz/da = Phi(a) + a phi(a),
    phi(a) = e^{-a^2/2} / sqrt(2 pi).
    approximate='tanh': z = a (1 + tanh(u)) / 2, u = sqrt(2/pi) (a + 0.044715 a^3);
    dz/da = (1 + t) / 2 + a (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 a^2) / 2,  t = tanh(u)"""

    def forward(self, a, approximate="none"):
        xp = self.xp
        self.approximate = approximate
        self.save_for_backward(a)
        if approximate == "tanh":
            return a * (1.0 + xp.tanh((a + a * a * a * _GELU_C) * _GELU_K)) * 0.5
        return a * (1.0 + erf_array(xp, a * _INV_SQRT2)) * 0.5

    def backward(self, g):
        (a,) = self.saved_tensors
        F = self.F
        if self.approximate == "tanh":
            t = F.apply(Tanh, (a + a * a * a * _GELU_C) * _GELU_K)
            du = (a * a * (3.0 * _GELU_C) + 1.0) * _GELU_K
            return g * ((t + 1.0) * 0.5 + a * (1.0 - t * t) * du * 0.5)
        cdf = (F.apply(Erf, a * _INV_SQRT2) + 1.0) * 0.5
        pdf = F.exp(a * a * -0.5) * _INV_SQRT_2PI
        return g * (cdf + a * pdf)


class SiLU(Op):
    """z = a sigmoid(a);  dz/da = s (1 + a (1 - s)),  s = sigmoid(a)"""

    def forward(self, a):
        self.save_for_backward(a)
        xp = self.xp
        e = xp.exp(-xp.abs(a))
        s = xp.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return a * s

    def backward(self, g):
        (a,) = self.saved_tensors
        s = self.F.apply(Sigmoid, a)
        return g * s * (a * (1.0 - s) + 1.0)


class Mish(Op):
    """z = a tanh(softplus(a));  dz/da = t + a sigmoid(a) (1 - t^2),  t = tanh(softplus(a))"""

    def forward(self, a):
        self.save_for_backward(a)
        return a * self.xp.tanh(_softplus_array(self.xp, a))

    def backward(self, g):
        (a,) = self.saved_tensors
        F = self.F
        t = F.apply(Tanh, F.apply(Softplus, a, beta=1.0, threshold=math.inf))
        return g * (t + a * F.apply(Sigmoid, a) * (1.0 - t * t))


class Hardtanh(Op):
    """z = min(max(a, min_val), max_val) (relu6: min_val 0, max_val 6; integer dtypes kept);
    dz/da = [min_val < a < max_val]  (0 at the bounds, PyTorch's)"""

    def forward(self, a, min_val=-1.0, max_val=1.0):
        xp = self.xp
        if _integral(xp, a):
            min_val, max_val = int(min_val), int(max_val)
        self.inside = _mask(xp, ~((a <= min_val) | (a >= max_val)), a)  # NaN passes the gradient (PyTorch)
        return xp.minimum(xp.maximum(a, min_val), max_val)

    def backward(self, g):
        return g * self.inside


class Hardsigmoid(Op):
    """z = 0 for a <= -3, 1 for a >= 3, a / 6 + 1/2 between;  dz/da = 1/6 for -3 < a < 3, else 0"""

    def forward(self, a):
        xp = self.xp
        self.slope = _mask(xp, (a > -3.0) & (a < 3.0), a) / 6.0
        return xp.minimum(xp.maximum(a / 6.0 + 0.5, 0.0), 1.0)

    def backward(self, g):
        return g * self.slope


class Hardswish(Op):
    """z = a * hardsigmoid(a) = a * min(max(a + 3, 0), 6) / 6;
    dz/da = 0 for a <= -3, a / 3 + 1/2 for -3 < a < 3, 1 for a >= 3  (PyTorch's values at -3 and 3)"""

    def forward(self, a):
        xp = self.xp
        self.mid = (a > -3.0) & (a < 3.0)
        self.high = _mask(xp, ~(a <= -3.0) & ~self.mid, a)  # PyTorch: 1 above 3, and for NaN
        self.save_for_backward(a)
        return a * xp.minimum(xp.maximum(a + 3.0, 0.0), 6.0) / 6.0

    def backward(self, g):
        (a,) = self.saved_tensors
        return self.F.where(self.mid, g * (a * (1.0 / 3.0) + 0.5), g * self.high)


class LogSigmoid(Op):
    """z = log(sigmoid(a)) = -softplus(-a), computed stably;  dz/da = sigmoid(-a) = 1 - sigmoid(a)"""

    def forward(self, a):
        self.save_for_backward(a)
        return -_softplus_array(self.xp, -a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * self.F.apply(Sigmoid, -a)


class Softsign(Op):
    """z = a / (1 + |a|);  dz/da = 1 / (1 + |a|)^2"""

    def forward(self, a):
        a = _floating(self.xp, a)
        self.save_for_backward(a)
        return a / (1.0 + self.xp.abs(a))

    def backward(self, g):
        (a,) = self.saved_tensors
        d = self.F.apply(Abs, a) + 1.0
        return g / (d * d)


# ----- the public functions ----------------------------------------------------------------------
def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + e^{beta x}) / beta, reverting to x where beta * x > threshold (PyTorch's defaults
    beta=1, threshold=20);  gradient sigmoid(beta x), 1 above the threshold."""
    need_floating("softplus", input)
    return Softplus.apply(input, beta=float(beta), threshold=float(threshold))


def elu(input, alpha=1.0):
    """x for x > 0, alpha * (e^x - 1) otherwise;  gradient alpha * e^x for x <= 0 (alpha at 0)."""
    need_floating("elu", input)
    return ELU.apply(input, alpha=float(alpha))


def selu(input):
    """scale * elu(x, alpha) with alpha = 1.6732632423543772, scale = 1.0507009873554805 (self-
    normalising);  gradient scale * alpha * e^x for x <= 0 (scale * alpha at 0)."""
    need_floating("selu", input)
    return ELU.apply(input, alpha=SELU_ALPHA, scale=SELU_SCALE)


def celu(input, alpha=1.0):
    """max(0, x) + min(0, alpha * (e^{x / alpha} - 1));  gradient e^{x / alpha} for x <= 0 (1 at 0)."""
    need_floating("celu", input)
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (it divides the input)")
    return ELU.apply(input, alpha=float(alpha), input_scale=1.0 / float(alpha))


def gelu(input, approximate="none"):
    """x * Phi(x), Phi the standard normal CDF (approximate='none'), or PyTorch's tanh form
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (approximate='tanh')."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    need_floating("gelu", input)
    return GELU.apply(input, approximate=approximate)


def silu(input):
    """x * sigmoid(x) (swish);  gradient s (1 + x (1 - s)), s = sigmoid(x)."""
    need_floating("silu", input)
    return SiLU.apply(input)


def mish(input):
    """x * tanh(softplus(x));  gradient t + x sigmoid(x) (1 - t^2), t = tanh(softplus(x))."""
    need_floating("mish", input)
    return Mish.apply(input)


def hardtanh(input, min_val=-1.0, max_val=1.0):
    """x clamped to [min_val, max_val];  gradient 1 strictly inside, 0 at and beyond the bounds
    (PyTorch's convention, unlike ``clamp``, whose bounds pass the gradient)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not be greater than max_val ({max_val})")
    return Hardtanh.apply(input, min_val=min_val, max_val=max_val)


def relu6(input):
    """min(max(x, 0), 6) = hardtanh(x, 0, 6);  gradient 1 for 0 < x < 6, 0 at 0 and 6 (PyTorch's)."""
    return Hardtanh.apply(input, min_val=0.0, max_val=6.0)


def hardsigmoid(input):
    """0 for x <= -3, 1 for x >= 3, x / 6 + 1/2 between;  gradient 1/6 strictly between, 0 at +-3."""
    need_floating("hardsigmoid", input)
    return Hardsigmoid.apply(input)


def hardswish(input):
    """x * hardsigmoid(x);  gradient 0 for x <= -3, x / 3 + 1/2 strictly between, 1 for x >= 3."""
    need_floating("hardswish", input)
    return Hardswish.apply(input)


def logsigmoid(input):
    """log(1 / (1 + e^-x)) = -softplus(-x), stable for any x;  gradient sigmoid(-x)."""
    need_floating("logsigmoid", input)
    return LogSigmoid.apply(input)


def softsign(input):
    """x / (1 + |x|) (integers give the default float dtype);  gradient 1 / (1 + |x|)^2."""
    return Softsign.apply(input)
