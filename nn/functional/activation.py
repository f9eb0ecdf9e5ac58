"""Stateless activations, built from core ops (so they are differentiable, on every device)."""
from __future__ import annotations

import minigrad as mg

__all__ = ["relu", "leaky_relu", "tanh", "sigmoid", "softmax", "log_softmax", "softplus", "identity"]


def relu(x):
    """max(x, 0);  gradient [x > 0]."""
    return mg.relu(x)


def leaky_relu(x, negative_slope=0.01):
    """x for x > 0, else ``negative_slope * x``."""
    return mg.leaky_relu(x, negative_slope=negative_slope)


def tanh(x):
    return mg.tanh(x)


def sigmoid(x):
    """1 / (1 + e^-x), without overflow for large |x|."""
    return mg.sigmoid(x)


def softmax(x, dim=-1, *, axis=None):
    """e^{x_i} / sum_j e^{x_j} along ``dim`` (the course's A = softmax(Z), classes on ``dim``).

    Do not feed its output to a loss: :func:`cross_entropy` takes the logits.
    """
    return mg.softmax(x, axis=dim if axis is None else axis)


def log_softmax(x, dim=-1, *, axis=None):
    """x_i - log sum_j e^{x_j} along ``dim``, computed stably (finite for logits of +-1e4)."""
    return mg.log_softmax(x, axis=dim if axis is None else axis)


def softplus(x):
    """log(1 + e^x), stable for any x, with no threshold; its gradient is exactly sigmoid(x).

    The loss functions use this form; ``nn.functional.softplus`` is PyTorch's (``beta``,
    ``threshold``), from :mod:`nn.functional.activation_more`.

    Computed as logsumexp over the pair (0, x), whose backward is the softmax of that pair:
    a composition such as ``relu(x) + log(1 + exp(-|x|))`` would get the gradient at x = 0
    wrong (0 instead of 1/2) because relu and abs have kinks there.
    """
    return mg.logsumexp(mg.stack([mg.zeros_like(x), x]), axis=0)


def identity(x):
    return x
