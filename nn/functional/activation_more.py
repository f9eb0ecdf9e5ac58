"""Issue 14's activations in ``nn.functional`` form: PyTorch's names, signatures and defaults.

Each forwards to the minigrad op of the same name (formulas and gradients at the kinks are in
:mod:`minigrad.ops.smooth_activations`).  ``inplace=True`` is accepted for PyTorch's signature;
the result is computed out of place (same values and gradients; the input tensor is left as it
was), so use the returned tensor.
"""
from __future__ import annotations

import warnings

import minigrad as mg

__all__ = ["softplus", "elu", "selu", "celu", "gelu", "silu", "mish", "hardtanh", "relu6", "hardsigmoid",
           "hardswish", "logsigmoid", "softsign", "softmin"]


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + e^{beta x}) / beta, and x where beta * x > threshold;  gradient sigmoid(beta x) (1 above
    the threshold).  Its gradient at 0 is 1/2 (no kink)."""
    return mg.softplus(input, beta=beta, threshold=threshold)


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, alpha (e^x - 1) otherwise;  gradient alpha e^x for x <= 0 (alpha at 0, PyTorch's)."""
    return mg.elu(input, alpha=alpha)


def selu(input, inplace=False):
    """1.0507009873554805 * elu(x, alpha=1.6732632423543772);  gradient scale * alpha * e^x for x <= 0."""
    return mg.selu(input)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha (e^{x/alpha} - 1));  gradient e^{x/alpha} for x <= 0 (1 at 0)."""
    return mg.celu(input, alpha=alpha)


def gelu(input, approximate="none"):
    """x Phi(x) (Phi the standard normal CDF), or with approximate='tanh'
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    return mg.gelu(input, approximate=approximate)


def silu(input, inplace=False):
    """x sigmoid(x) (swish);  gradient s (1 + x (1 - s)), s = sigmoid(x)."""
    return mg.silu(input)


def mish(input, inplace=False):
    """x tanh(softplus(x));  gradient t + x sigmoid(x) (1 - t^2), t = tanh(softplus(x))."""
    return mg.mish(input)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clamped to [min_val, max_val];  gradient 1 strictly inside, 0 at the bounds (PyTorch's)."""
    return mg.hardtanh(input, min_val=min_val, max_val=max_val)


def relu6(input, inplace=False):
    """min(max(x, 0), 6);  gradient 1 for 0 < x < 6, 0 at 0 and 6 (PyTorch's)."""
    return mg.relu6(input)


def hardsigmoid(input, inplace=False):
    """0 for x <= -3, 1 for x >= 3, x/6 + 1/2 between;  gradient 1/6 strictly between, 0 at +-3."""
    return mg.hardsigmoid(input)


def hardswish(input, inplace=False):
    """x * hardsigmoid(x);  gradient 0 for x <= -3, x/3 + 1/2 between, 1 for x >= 3 (PyTorch's)."""
    return mg.hardswish(input)


def logsigmoid(input):
    """log(sigmoid(x)) = -softplus(-x), stable;  gradient sigmoid(-x)."""
    return mg.logsigmoid(input)


def softsign(input):
    """x / (1 + |x|);  gradient 1 / (1 + |x|)^2."""
    return mg.softsign(input)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim``: e^{-x_i} / sum_j e^{-x_j}.  ``dtype`` casts the input first.

    ``dim=None`` is PyTorch's deprecated implicit choice (0 for 0-, 1- and 3-d input, else 1),
    with its warning; pass ``dim`` explicitly.
    """
    if dtype is not None:
        input = input.to(dtype=dtype)
    if dim is None:
        dim = 0 if input.ndim in (0, 1, 3) else 1
        warnings.warn("Implicit dimension choice for softmin has been deprecated. Change the call to include "
                      "dim=X as an argument.", UserWarning, stacklevel=_stacklevel)
    if input.ndim == 0:  # PyTorch: the softmin of one number is 1
        return mg.reshape(mg.softmax(-mg.reshape(input, (1,)), axis=0), ())
    return mg.softmax(-input, axis=dim)
