"""Per-example normalisation layers: ``LayerNorm`` and ``GroupNorm`` (no running statistics)."""
from __future__ import annotations

import minigrad as mg

from .. import init as _init
from ..functional.layer_norm import group_norm, layer_norm
from ..module import Module
from ..parameter import Parameter

__all__ = ["LayerNorm", "GroupNorm"]


class LayerNorm(Module):
    """Layer normalisation (PyTorch's ``nn.LayerNorm``): each example normalised over its last
    axes, the same in training and evaluation::

        y = (x - mean(x)) / sqrt(var(x) + eps) * weight + bias     (biased var over normalized_shape)

    Parameters
    ----------
    normalized_shape : int or tuple of int
        The trailing shape to normalise over, e.g. the feature size D for (N, D) or (N, L, D).
    eps : float
        Added to the variance (default 1e-5).
    elementwise_affine : bool
        Learn ``weight`` (starts at 1) and ``bias`` (starts at 0), each of ``normalized_shape``.
    bias : bool
        With ``elementwise_affine``, whether to learn the bias (default True).
    device, dtype : optional
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        if not shape or any(not isinstance(n, int) or n <= 0 for n in shape):
            raise ValueError(f"LayerNorm: normalized_shape must be positive ints, got {normalized_shape!r}")
        self.normalized_shape, self.eps, self.elementwise_affine = shape, float(eps), bool(elementwise_affine)
        if elementwise_affine:
            self.weight = Parameter(mg.ones(*shape, device=device, dtype=dtype))
            if bias:
                self.bias = Parameter(mg.zeros(*shape, device=device, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self):
        """weight = 1, bias = 0."""
        if self.weight is not None:
            _init.ones_(self.weight)
        if self.bias is not None:
            _init.zeros_(self.bias)

    def forward(self, x):
        """(*, *normalized_shape) -> the same shape."""
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class GroupNorm(Module):
    """Group normalisation (PyTorch's ``nn.GroupNorm``): the C channels of (N, C, *) split into
    ``num_groups`` groups, each normalised over its channels and positions, per example::

        y = (x - mean_g(x)) / sqrt(var_g(x) + eps) * weight[c] + bias[c]

    Parameters
    ----------
    num_groups : int
        G, dividing ``num_channels``.
    num_channels : int
        C.
    eps : float
    affine : bool
        Learn per-channel ``weight`` (starts at 1) and ``bias`` (starts at 0).
    device, dtype : optional
    bias : bool
        With ``affine``, whether to learn the bias (default True).
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, bias=True):
        super().__init__()
        if not isinstance(num_groups, int) or not isinstance(num_channels, int) or num_groups <= 0 \
                or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels={num_channels!r} must be divisible by num_groups="
                             f"{num_groups!r} (a positive int)")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, float(eps), affine
        if affine:
            self.weight = Parameter(mg.ones(num_channels, device=device, dtype=dtype))
            if bias:
                self.bias = Parameter(mg.zeros(num_channels, device=device, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x):
        """(N, C, *) -> the same shape."""
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm: expected input of shape (N, {self.num_channels}, ...), got {x.shape}")
        return group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"
