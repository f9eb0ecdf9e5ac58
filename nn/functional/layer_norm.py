"""Layer and group normalisation in their stateless form (per-example statistics, no running buffers)."""
from __future__ import annotations

import math

import minigrad as mg

__all__ = ["layer_norm", "group_norm"]


def _standardize(x, axes, eps):
    """(x - mu) / sqrt(var + eps) with mu, var the mean and biased variance (divide by n) over ``axes``."""
    mu = mg.mean(x, axis=axes, keepdims=True)
    centered = x - mu
    var = mg.mean(centered * centered, axis=axes, keepdims=True)
    return centered / mg.sqrt(var + eps)


def _check_input(x, op):
    if not isinstance(x, mg.Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(x).__name__}")
    if not x.dtype.is_floating_point:
        raise TypeError(f"{op}: input must be floating, got {x.dtype}")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise each example over its last ``len(normalized_shape)`` axes, then scale and shift::

        mu = mean(x),  var = mean((x - mu)^2)     over the trailing axes (biased: divide by n)
        y = (x - mu) / sqrt(var + eps) * weight + bias

    ``input`` (*, *normalized_shape); ``weight`` and ``bias`` of shape ``normalized_shape`` (or
    None).  The statistics are per example, the same in training and evaluation.  The gradient
    is that of this composition (it flows through mu and var as well).
    """
    op = "layer_norm"
    _check_input(input, op)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or input.shape[input.ndim - k:] != shape or input.ndim < k:
        raise ValueError(f"{op}: input of shape {input.shape} does not end with normalized_shape {shape}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.shape != shape:
            raise ValueError(f"{op}: {name} has shape {t.shape}, expected normalized_shape {shape}")
    y = _standardize(input, tuple(range(input.ndim - k, input.ndim)), float(eps))
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each example's channels in ``num_groups`` groups, then scale and shift per channel.

    ``input`` (N, C, *): the C channels split into G = ``num_groups`` consecutive groups of
    C / G; mu and the biased var are taken over each group's channels and all spatial
    positions; y = (x - mu) / sqrt(var + eps) * weight[c] + bias[c], ``weight`` and ``bias`` (C,).
    G = 1 is layer norm over (C, *); G = C is instance norm.
    """
    op = "group_norm"
    _check_input(input, op)
    if input.ndim < 2:
        raise ValueError(f"{op}: expected input of shape (N, C, ...), got {input.shape}")
    n, c = input.shape[:2]
    g = int(num_groups)
    if g <= 0 or c % g:
        raise ValueError(f"{op}: num_groups={num_groups} must be positive and divide the {c} channels of input "
                         f"of shape {input.shape}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.shape != (c,):
            raise ValueError(f"{op}: {name} has shape {t.shape}, expected ({c},)")
    rest = math.prod(input.shape[2:])
    grouped = input.reshape(n, g, (c // g) * rest)
    y = _standardize(grouped, (2,), float(eps)).reshape(input.shape)
    bshape = (1, c) + (1,) * (input.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(bshape)
    if bias is not None:
        y = y + bias.reshape(bshape)
    return y
