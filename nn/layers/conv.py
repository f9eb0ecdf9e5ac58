"""Convolution and pooling layers: ``Conv1d``, ``Conv2d``, ``MaxPool2d``, ``AvgPool2d``,
``AdaptiveAvgPool2d`` (PyTorch's signatures, defaults and initialisation)."""
from __future__ import annotations

import minigrad as mg

from .. import functional as F, init as _init
from ..module import Module
from ..parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Unfold", "Fold"]


def _tuple(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


class _ConvNd(Module):
    """Shared parts of Conv1d / Conv2d: checks, parameters, PyTorch's default initialisation."""

    _n = 2
    _name = "Conv2d"

    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None, generator=None):
        super().__init__()
        op = self._name
        for name, v in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
            if not isinstance(v, int) or isinstance(v, bool) or v < (1 if name == "groups" else 0):
                raise ValueError(f"{op}: {name} must be a {'positive' if name == 'groups' else 'non-negative'} "
                                 f"int, got {v!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{op}: in_channels ({in_channels}) and out_channels ({out_channels}) must be "
                             f"divisible by groups ({groups})")
        if padding_mode != "zeros":
            raise ValueError(f"{op}: padding_mode {padding_mode!r} is not supported; only 'zeros' (pad the "
                             "input with F.pad first for other modes)")
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise ValueError(f"{op}: padding must be 'valid', 'same', an int or a tuple, got {padding!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _tuple(kernel_size, self._n)
        self.stride, self.dilation = _tuple(stride, self._n), _tuple(dilation, self._n)
        self.padding = padding if isinstance(padding, str) else _tuple(padding, self._n)
        self.padding_mode = padding_mode
        shape = ((in_channels, out_channels // groups) if self._transposed else
                 (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = Parameter(mg.zeros(*shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(mg.zeros(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters(generator)

    def reset_parameters(self, generator=None):
        """PyTorch's default: W ~ kaiming_uniform(a=sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
        and b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = weight.shape[1] * prod(kernel_size)
        (in_channels / groups; for ConvTranspose2d, out_channels / groups, as PyTorch computes it)."""
        _init.init_linear(self.weight, self.bias, "pytorch", generator)

    def extra_repr(self):
        """The arguments shown by ``repr`` (PyTorch's format)."""
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}")
        if self.padding != (0,) * self._n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._n:
            s += f", dilation={self.dilation}"
        if getattr(self, "output_padding", (0,) * self._n) != (0,) * self._n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class Conv2d(_ConvNd):
    """2-D convolution layer: Z = conv2d(X, W) + b (see :func:`minigrad.conv2d`).

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size, stride, dilation : int or (int, int)
    padding : int, (int, int), 'valid' or 'same'
    groups : int;  bias : bool (default True);  padding_mode : 'zeros' only
    device, dtype : optional;  generator : minigrad.Generator, optional (initial values)

    Attributes
    ----------
    weight : Parameter (out_channels, in_channels / groups, kH, kW)
    bias : Parameter (out_channels,) or None

    Both start as PyTorch's: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels / groups
    * kH * kW (kaiming_uniform with a = sqrt(5)).  Input (N, C_in, H, W) or (C_in, H, W).

    Examples
    --------
    >>> import minigrad as mg, nn
    >>> nn.Conv2d(1, 4, 3, padding=1)(mg.ones(2, 1, 8, 8)).shape
    (2, 4, 8, 8)
    """

    def forward(self, x):
        """(N, C_in, H, W) -> (N, C_out, oH, oW)."""
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class Conv1d(_ConvNd):
    """1-D convolution layer: Z = conv1d(X, W) + b (see :func:`minigrad.conv1d`).

    Parameters as :class:`Conv2d` with single ints; weight (out_channels, in_channels / groups, k),
    initialised as PyTorch does (U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in_channels / groups * k).
    Input (N, C_in, L) or (C_in, L).

    Examples
    --------
    >>> import minigrad as mg, nn
    >>> nn.Conv1d(2, 3, 5)(mg.ones(4, 2, 10)).shape
    (4, 3, 6)
    """

    _n = 1
    _name = "Conv1d"

    def forward(self, x):
        """(N, C_in, L) -> (N, C_out, oL)."""
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        return F.conv1d(x, self.weight, self.bias, self.stride[0], padding, self.dilation[0], self.groups)


class ConvTranspose2d(_ConvNd):
    """2-D transposed convolution layer (see :func:`minigrad.conv_transpose2d`): the gradient of a
    Conv2d with respect to its input, used to upsample.

    Parameters as :class:`Conv2d` plus ``output_padding`` (int or pair, smaller than stride or
    dilation); ``padding`` is an int or pair (no 'same').  weight (in_channels, out_channels / groups,
    kH, kW), initialised as PyTorch does (U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = out_channels /
    groups * kH * kW).  Output size (H - 1) s - 2 p + d (k - 1) + output_padding + 1.

    Examples
    --------
    >>> import minigrad as mg, nn
    >>> nn.ConvTranspose2d(4, 2, 2, stride=2)(mg.ones(1, 4, 3, 3)).shape
    (1, 2, 6, 6)
    """

    _name = "ConvTranspose2d"
    _transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None, generator=None):
        if isinstance(padding, str):
            raise ValueError(f"ConvTranspose2d: padding must be an int or a pair, got {padding!r}")
        self.output_padding = _tuple(output_padding, 2)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                         device, dtype, generator)

    def forward(self, x):
        """(N, C_in, H, W) -> (N, C_out, oH, oW)."""
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding, self.output_padding,
                                  self.groups, self.dilation)


class MaxPool2d(Module):
    """2-D max pooling (see :func:`minigrad.max_pool2d`): the maximum of each window; its gradient
    goes to the window's first maximum.  PyTorch's arguments: ``kernel_size, stride=None (=
    kernel_size), padding=0, dilation=1, return_indices=False, ceil_mode=False``.

    Examples
    --------
    >>> import minigrad as mg, nn
    >>> nn.MaxPool2d(2)(mg.ones(1, 3, 8, 8)).shape
    (1, 3, 4, 4)
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x):
        """(N, C, H, W) -> (N, C, oH, oW) (and the flat indices of the maxima with ``return_indices``)."""
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                            self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride if self.stride is not None else self.kernel_size}"
                f", padding={self.padding}, dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """2-D average pooling (see :func:`minigrad.avg_pool2d`).  PyTorch's arguments: ``kernel_size,
    stride=None (= kernel_size), padding=0, ceil_mode=False, count_include_pad=True,
    divisor_override=None``.

    Examples
    --------
    >>> import minigrad as mg, nn
    >>> nn.AvgPool2d(2)(mg.ones(1, 3, 8, 8)).shape
    (1, 3, 4, 4)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.ceil_mode, self.count_include_pad, self.divisor_override = ceil_mode, count_include_pad, divisor_override

    def forward(self, x):
        """(N, C, H, W) -> (N, C, oH, oW)."""
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                            self.divisor_override)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride if self.stride is not None else self.kernel_size}"
                f", padding={self.padding}")


class AdaptiveAvgPool2d(Module):
    """Adaptive 2-D average pooling to ``output_size`` (int, or pair with None = keep that size);
    see :func:`minigrad.adaptive_avg_pool2d`.

    Examples
    --------
    >>> import minigrad as mg, nn
    >>> nn.AdaptiveAvgPool2d((1, 1))(mg.ones(2, 3, 5, 7)).shape
    (2, 3, 1, 1)
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        """(N, C, H, W) -> (N, C, *output_size)."""
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class Unfold(Module):
    """im2col as a layer (see :func:`minigrad.unfold`): (N, C, H, W) -> (N, C*kH*kW, L), the sliding
    blocks as columns.  PyTorch's arguments: ``kernel_size, dilation=1, padding=0, stride=1``."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, x):
        """(N, C, H, W) -> (N, C*kH*kW, L)."""
        return F.unfold(x, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        """The arguments shown by ``repr`` (PyTorch's format)."""
        return f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, stride={self.stride}"


class Fold(Module):
    """col2im as a layer (see :func:`minigrad.fold`): (N, C*kH*kW, L) -> (N, C, *output_size), overlapping
    blocks summed.  PyTorch's arguments: ``output_size, kernel_size, dilation=1, padding=0, stride=1``."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, x):
        """(N, C*kH*kW, L) -> (N, C, *output_size)."""
        return F.fold(x, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        """The arguments shown by ``repr`` (PyTorch's format)."""
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")
