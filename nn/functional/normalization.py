"""Batch normalisation in its stateless form (the ``BatchNorm`` modules hold the state)."""
from __future__ import annotations

import minigrad as mg

__all__ = ["batch_norm"]


def batch_norm(x, running_mean=None, running_var=None, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise each channel (axis 1) over the batch and any spatial axes, then scale and shift.

    For x of shape (N, C) or (N, C, L) or (N, C, H, W), with statistics over every axis but 1::

        mu = mean(x),  var = mean((x - mu)^2)              (biased: divide by n)
        x_hat = (x - mu) / sqrt(var + eps)
        y = gamma * x_hat + beta                            (gamma = weight, beta = bias)

    In training the batch statistics are used and, when running buffers are given, updated
    in place as exponentially weighted averages (PyTorch's convention)::

        running_mean = (1 - momentum) * running_mean + momentum * mu
        running_var  = (1 - momentum) * running_var  + momentum * var * n / (n - 1)   (unbiased)

    so ``momentum=0.1`` is the course's beta = 0.9.  In evaluation (``training=False``) the
    running statistics replace mu and var.  The backward pass is that of this composition.

    Parameters
    ----------
    x : Tensor, shape (N, C, *)
    running_mean, running_var : Tensor, shape (C,), optional
    weight, bias : Tensor, shape (C,), optional
    training : bool
    momentum : float
    eps : float
    """
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected input of shape (N, C) or (N, C, ...), got {x.shape}")
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.shape != (c,):
            raise ValueError(f"batch_norm: {name} has shape {t.shape}, expected ({c},) for input of shape {x.shape}")
    axes = (0,) + tuple(range(2, x.ndim))
    bshape = (1, c) + (1,) * (x.ndim - 2)
    if training or running_mean is None or running_var is None:
        mu, var = _batch_stats(x, axes, training, running_mean, running_var, momentum)
    else:
        mu, var = running_mean.detach().reshape(bshape), running_var.detach().reshape(bshape)
    y = (x - mu) / mg.sqrt(var + eps)
    if weight is not None:
        y = y * weight.reshape(bshape)
    if bias is not None:
        y = y + bias.reshape(bshape)
    return y


def _batch_stats(x, axes, training, running_mean, running_var, momentum):
    n = 1
    for a in axes:
        n *= x.shape[a]
    if n <= 1 and training:
        raise ValueError(f"batch_norm: expected more than 1 value per channel in training, got input of shape "
                         f"{x.shape}; use a batch of 2 or more (or eval mode)")
    mu = mg.mean(x, axis=axes, keepdims=True)
    centered = x - mu
    var = mg.mean(centered * centered, axis=axes, keepdims=True)
    if training and running_mean is not None and running_var is not None:
        c = x.shape[1]
        with mg.no_grad():
            m = float(momentum)
            running_mean.mul_(1.0 - m).add_(mu.detach().reshape(c), alpha=m)
            running_var.mul_(1.0 - m).add_(var.detach().reshape(c), alpha=m * n / (n - 1))
    return mu, var
