"""Activation modules: thin wrappers over ``nn.functional``."""
from __future__ import annotations

from .. import functional as F
from ..module import Module

__all__ = ["ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax", "Softplus"]


class ReLU(Module):
    """ReLU, elementwise: max(z, 0); gradient [z > 0] (0 at z = 0, PyTorch's choice).  Any shape."""

    def forward(self, x):
        return F.relu(x)


class LeakyReLU(Module):
    """Leaky ReLU, elementwise: z if z > 0 else negative_slope * z (default 0.01).

    Gradient 1 if z > 0 else ``negative_slope`` (also at z = 0, as in PyTorch).  Any shape.
    """

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class Tanh(Module):
    """tanh(z), elementwise; gradient 1 - tanh(z)^2.  Any shape."""

    def forward(self, x):
        return F.tanh(x)


class Sigmoid(Module):
    """1 / (1 + e^-z), elementwise and overflow-free; gradient s (1 - s).  Any shape.

    For a binary cost use :class:`BCEWithLogitsLoss` on z rather than this then ``BCELoss``.
    """

    def forward(self, x):
        return F.sigmoid(x)


class Softplus(Module):
    """log(1 + e^{beta z}) / beta, reverting to z where beta * z > threshold (PyTorch's defaults
    beta=1.0, threshold=20.0); gradient sigmoid(beta z), 1 above the threshold.  Any shape."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    """softmax along ``dim`` (default -1, the class axis of (m, C) scores).

    Use it for predictions only; losses take logits (``CrossEntropyLoss``).
    """

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log(softmax) along ``dim``, computed stably (pair it with ``NLLLoss``)."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.log_softmax(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"
