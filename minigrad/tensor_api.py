"""PyTorch's Tensor methods for sizes, dtypes, devices and new tensors (issue 14 §2).

``size()`` / ``dim()`` / ``nelement()``, the dtype shortcuts (``.long() .int() .half() .bool()
.short() .byte() .char()``; ``.float()`` and ``.double()`` are the Tensor's own), ``.type()``,
``.to()`` in all of PyTorch's forms, ``.contiguous()`` and the ``new_*`` factories, attached to
:class:`~minigrad.tensor.Tensor` by :mod:`minigrad.tensor_methods`.  The methods floor: it imports
the Tensor, the ops, the factories and the dtypes.
"""
from __future__ import annotations

import operator

import numpy as np

from . import dtypes
from .creation import empty, full, tensor as _tensor
from .device import Device, device as _get_device
from .errors import AxisError
from .ops.elementwise import Cast, Contiguous, to_device
from .tensor import Tensor

__all__ = ["Size", "size", "dim", "to", "type_", "contiguous", "new_zeros", "new_ones", "new_full", "new_empty",
           "new_tensor", "DTYPE_METHODS"]


class Size(tuple):
    """The shape of a tensor as ``x.size()`` gives it: a tuple of ints (``torch.Size``).

    >>> import minigrad as mg
    >>> s = mg.zeros(2, 3).size()
    >>> s, s == (2, 3), s.numel()
    (minigrad.Size([2, 3]), True, 6)
    """

    __slots__ = ()

    def numel(self):
        """The number of elements of a tensor of this shape (the product of the sizes, 1 for ())."""
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self):
        return f"minigrad.Size({list(self)})"

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out


def size(self, dim=None):
    """The shape as a :class:`Size` (a tuple), or the size of axis ``dim`` as an int: PyTorch's
    ``x.size()`` / ``x.size(0)``.  ``dim`` may be negative; out of range raises
    :class:`~minigrad.errors.AxisError` (an IndexError, as in PyTorch).  The element count is
    ``numel()``; ``shape`` is the same tuple as ``size()``."""
    shape = self.array.shape
    if dim is None:
        return Size(shape)
    return int(shape[_axis(dim, len(shape), "size")])


def _axis(dim, ndim, op):
    try:
        d = operator.index(dim)
    except TypeError:
        raise TypeError(f"{op}: dim must be an int, got {dim!r}") from None
    if not -max(ndim, 1) <= d < max(ndim, 1) or ndim == 0:
        raise AxisError(f"{op}: dim {d} is out of range for a tensor with {ndim} dimension(s) "
                        f"(expected to be in range [{-ndim}, {ndim - 1}])")
    return d % ndim


def dim(self):
    """The number of axes, an int (PyTorch's ``x.dim()``; the same as ``x.ndim``)."""
    return self.array.ndim


def as_half(self, memory_format=None):
    """This tensor as float16 (``x.to(minigrad.float16)``), PyTorch's ``x.half()``; ``self`` if it is already."""
    return self.to(dtype=dtypes.float16)


def as_long(self, memory_format=None):
    """This tensor as int64 (``x.to(minigrad.int64)``), PyTorch's ``x.long()``; ``self`` if it is already."""
    return self.to(dtype=dtypes.int64)


def as_int(self, memory_format=None):
    """This tensor as int32 (``x.to(minigrad.int32)``), PyTorch's ``x.int()``; ``self`` if it is already."""
    return self.to(dtype=dtypes.int32)


def as_short(self, memory_format=None):
    """This tensor as int16 (``x.to(minigrad.int16)``), PyTorch's ``x.short()``; ``self`` if it is already."""
    return self.to(dtype=dtypes.int16)


def as_char(self, memory_format=None):
    """This tensor as int8 (``x.to(minigrad.int8)``), PyTorch's ``x.char()``; ``self`` if it is already."""
    return self.to(dtype=dtypes.int8)


def as_byte(self, memory_format=None):
    """This tensor as uint8 (``x.to(minigrad.uint8)``), PyTorch's ``x.byte()``; ``self`` if it is already."""
    return self.to(dtype=dtypes.uint8)


def as_bool(self, memory_format=None):
    """This tensor as bool (``x.to(minigrad.bool_)``), PyTorch's ``x.bool()``; ``self`` if it is already."""
    return self.to(dtype=dtypes.bool_)


DTYPE_METHODS = {"half": as_half, "long": as_long, "int": as_int,
                 "short": as_short, "char": as_char, "byte": as_byte, "bool": as_bool}

_TENSOR_TYPES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                 "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
                 "uint8": "ByteTensor", "bool": "BoolTensor"}
_BY_TYPE_NAME = {v: k for k, v in _TENSOR_TYPES.items()}


def type_(self, dtype=None, non_blocking=False, **kwargs):
    """PyTorch's ``x.type()``: without ``dtype`` the type name (``'minigrad.FloatTensor'``);
    with a dtype (a minigrad dtype, a name, or a type name such as ``'torch.LongTensor'``) this
    tensor converted to it (``self`` if nothing changes)."""
    if dtype is None:
        return f"minigrad.{_TENSOR_TYPES[str(self.dtype)]}"
    if isinstance(dtype, str) and dtype.rsplit(".", 1)[-1] in _BY_TYPE_NAME:
        dtype = _BY_TYPE_NAME[dtype.rsplit(".", 1)[-1]]
    return self.to(dtype=dtype)


def _is_dtype(x):
    if isinstance(x, (Device, Tensor)) or x is None:
        return False
    if isinstance(x, str):
        return x in _TENSOR_TYPES or x == "bool_"
    try:
        dtypes.name_of(x)
    except TypeError:
        return False
    return True


def to(self, *args, device=None, dtype=None, non_blocking=False, copy=False, memory_format=None):
    """This tensor with another device and/or dtype, in PyTorch's forms: ``x.to(dtype)``,
    ``x.to(device)``, ``x.to(device, dtype)``, ``x.to(other)`` (``other``'s device and dtype),
    and the keywords ``device=``, ``dtype=``, ``copy=``.  Differentiable: the gradient goes
    back to this tensor's device and dtype.  Returns ``self`` when nothing changes (unless
    ``copy=True``); ``non_blocking`` and ``memory_format`` are accepted and ignored."""
    if len(args) > 2 or (len(args) == 2 and args[1] is not None and not _is_dtype(args[1])):
        raise TypeError(f"to: expected to(dtype), to(device), to(device, dtype) or to(tensor), got "
                        f"{', '.join(type(a).__name__ for a in args)}")
    for a in args:
        if a is None:
            continue
        if isinstance(a, Tensor):
            device, dtype = a._device, a.dtype
        elif _is_dtype(a):
            dtype = a
        else:
            device = a
    out = self
    if device is not None and _get_device(device) is not self._device:
        out = to_device(out, _get_device(device))
    if dtype is not None:
        native = dtypes.to_native(dtype, out._device.xp)
        if native != out.array.dtype:
            out = Cast.apply(out, dtype=native)
    if copy and out is self:
        out = self.clone()
    return out


def contiguous(self, memory_format=None):
    """This tensor laid out row-major (C order): ``self`` if it already is (PyTorch's
    ``x.contiguous()``), else a copy, differentiable (the gradient passes unchanged)."""
    a = self.array
    if a.__class__ is not np.ndarray or a.flags.c_contiguous:
        return self
    return Contiguous.apply(self)


def _new(self, fill, size, fill_value, dtype, device, requires_grad):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    dtype = self.dtype if dtype is None else dtype
    device = self._device if device is None else device
    if fill:
        return full(tuple(size), fill_value, dtype=dtype, device=device, requires_grad=requires_grad)
    return empty(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
    """Zeros of shape ``size`` with this tensor's dtype and device unless given (``x.new_zeros(2, 3)``)."""
    return _new(self, True, size, 0, dtype, device, requires_grad)


def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
    """Ones of shape ``size`` with this tensor's dtype and device unless given (``x.new_ones(2, 3)``)."""
    return _new(self, True, size, 1, dtype, device, requires_grad)


def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
    """``fill_value`` everywhere, shape ``size``, this tensor's dtype and device unless given."""
    return _new(self, True, (size,), fill_value, dtype, device, requires_grad)


def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
    """An uninitialised tensor of shape ``size``, this tensor's dtype and device unless given."""
    return _new(self, False, size, None, dtype, device, requires_grad)


def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of ``data``, with this tensor's dtype and device unless given
    (PyTorch's ``x.new_tensor(data)``: the dtype is this tensor's even for other data)."""
    if isinstance(data, Tensor):
        data = data.detach()
    return _tensor(data, dtype=self.dtype if dtype is None else dtype,
                  device=self._device if device is None else device, requires_grad=requires_grad)
