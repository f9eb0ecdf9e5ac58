"""Stateless activations, built from core ops (so they are differentiable, on every device)."""
from __future__ import annotations

import minigrad as mg

__all__ = ["relu", "leaky_relu", "tanh", "sigmoid", "softmax", "log_softmax", "softplus", "identity"]


def relu(x):
    """ReLU, elementwise: max(x, 0), same shape as ``x``;  gradient [x > 0], 0 at x = 0 (PyTorch's choice).

    The course's g(z) = max(0, z).  As ``torch.nn.functional.relu`` (calls :func:`minigrad.relu`).
    """
    return mg.relu(x)


def leaky_relu(x, negative_slope=0.01):
    """Leaky ReLU, elementwise: x if x > 0 else ``negative_slope * x``, same shape as ``x``.

    Gradient 1 if x > 0 else ``negative_slope`` (so ``negative_slope`` at x = 0, as in PyTorch).
    The course's max(0.01 z, z) with the default slope.  As ``torch.nn.functional.leaky_relu``.
    """
    return mg.leaky_relu(x, negative_slope=negative_slope)


def tanh(x):
    """tanh, elementwise: (e^x - e^-x) / (e^x + e^-x), same shape as ``x``;  gradient 1 - tanh(x)^2.

    The course's hidden-layer g(z) = tanh(z).  As ``torch.nn.functional.tanh``.
    """
    return mg.tanh(x)


def sigmoid(x):
    """Logistic sigmoid, elementwise: 1 / (1 + e^-x), without overflow for large |x|; same shape as ``x``.

    Gradient s (1 - s) with s = sigmoid(x).  The course's output activation for binary labels; for the
    cost use :func:`binary_cross_entropy_with_logits` on x instead.  As ``torch.sigmoid``.
    """
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
    """Softplus, elementwise: log(1 + e^x), stable for any x, same shape as ``x``; its gradient is sigmoid(x).

    No threshold: the loss functions use this form; ``nn.functional.softplus`` is PyTorch's (``beta``,
    ``threshold``), from :mod:`nn.functional.activation_more`.

    Computed as logsumexp over the pair (0, x), whose backward is the softmax of that pair:
    a composition such as ``relu(x) + log(1 + exp(-|x|))`` would get the gradient at x = 0
    wrong (0 instead of 1/2) because relu and abs have kinks there.
    As ``torch.nn.functional.softplus`` with ``beta=1`` and no ``threshold`` switch.
    """
    return mg.logsumexp(mg.stack([mg.zeros_like(x), x]), axis=0)


def identity(x):
    """Returns ``x`` itself, unchanged (no graph node): the activation of a linear output layer."""
    return x
