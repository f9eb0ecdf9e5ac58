"""Issue 14's activation modules (PyTorch's names, arguments and defaults): thin wrappers over
``nn.functional``.  ``inplace`` is accepted for PyTorch's signature; results are computed out
of place (same values and gradients), see :mod:`nn.functional.activation_more`."""
from __future__ import annotations

from .. import functional as F
from ..module import Module

__all__ = ["GELU", "SiLU", "ELU", "SELU", "CELU", "Mish", "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish",
           "LogSigmoid", "Softsign", "Softmin"]


class _Inplace(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = bool(inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class GELU(Module):
    """x Phi(x) (approximate='none', Phi the standard normal CDF) or PyTorch's tanh approximation
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (approximate='tanh')."""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(_Inplace):
    """x sigmoid(x) (swish), elementwise."""

    def forward(self, input):
        return F.silu(input)


class ELU(_Inplace):
    """x for x > 0, alpha (e^x - 1) otherwise (default alpha=1.0); gradient alpha at 0 (PyTorch's)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__(inplace)
        self.alpha = float(alpha)

    def forward(self, input):
        return F.elu(input, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SELU(_Inplace):
    """1.0507009873554805 * elu(x, alpha=1.6732632423543772) (self-normalising)."""

    def forward(self, input):
        return F.selu(input)


class CELU(ELU):
    """max(0, x) + min(0, alpha (e^{x/alpha} - 1)) (default alpha=1.0)."""

    def forward(self, input):
        return F.celu(input, self.alpha)


class Mish(_Inplace):
    """x tanh(softplus(x)), elementwise."""

    def forward(self, input):
        return F.mish(input)


class Hardtanh(_Inplace):
    """x clamped to [min_val, max_val] (defaults -1, 1); gradient 0 at the bounds (PyTorch's)."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__(inplace)
        if max_val <= min_val:
            raise ValueError(f"Hardtanh: max_val ({max_val}) must be greater than min_val ({min_val})")
        self.min_val, self.max_val = min_val, max_val

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """min(max(x, 0), 6); gradient 0 at 0 and 6 (PyTorch's)."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Hardsigmoid(_Inplace):
    """0 for x <= -3, 1 for x >= 3, x/6 + 1/2 between; gradient 0 at +-3 (PyTorch's)."""

    def forward(self, input):
        return F.hardsigmoid(input)


class Hardswish(_Inplace):
    """x * hardsigmoid(x); gradient 0 at -3, 1 at 3 (PyTorch's)."""

    def forward(self, input):
        return F.hardswish(input)


class LogSigmoid(Module):
    """log(sigmoid(x)) = -softplus(-x), stable."""

    def forward(self, input):
        return F.logsigmoid(input)


class Softsign(Module):
    """x / (1 + |x|), elementwise."""

    def forward(self, input):
        return F.softsign(input)


class Softmin(Module):
    """softmax(-x) along ``dim`` (``dim=None``: PyTorch's deprecated implicit choice, with its warning)."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmin(input, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f"dim={self.dim}"
