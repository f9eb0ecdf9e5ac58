"""Integer and bitwise operators with PyTorch's dtype rules: ``//`` (``floor_divide``), ``~`` ``&``
``|`` ``^`` ``<<`` ``>>`` (``bitwise_not/and/or/xor/left_shift/right_shift``).

* ``floor_divide``: floor(a / b) rounded toward -inf, as Python's ``//`` (NumPy's and PyTorch's
  floor division); integers give integers (division by zero raises an error that is both a
  ``ZeroDivisionError`` and, as in PyTorch, a ``RuntimeError``), floats give floats (x // 0 = +-inf,
  0 // 0 = nan).  Piecewise constant, and PyTorch
  defines no derivative: a result computed from tensors that require grad records a node whose
  backward raises, as PyTorch's does.
* bitwise ops: bool and integer tensors only (floats raise ``TypeError``).  ``~`` on bool is logical
  not, on integers two's-complement not.  bool with integer gives the integer type; a Python int
  operand takes the tensor's dtype (wrapping, as PyTorch does: ``int8_tensor ^ 300`` uses 44).
  Shifts by at least the bit width give 0 (or -1 for ``>>`` of a negative number), as in PyTorch.
  None is differentiable (the results are integers).
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dtypes
from ..device import DeviceError
from ..function import BackwardError, Function, check_broadcast
from ..tensor import Tensor, as_constant_like

__all__ = ["floor_divide", "bitwise_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
           "bitwise_right_shift"]


class IntegerDivisionError(ZeroDivisionError, RuntimeError):
    """Integer division by zero (PyTorch raises a RuntimeError saying ZeroDivisionError: both classes catch it)."""


class BitwiseDtypeError(TypeError, NotImplementedError):
    """A bitwise op on a floating tensor (PyTorch raises NotImplementedError for ``&`` ``|`` ``^``
    ``<<`` ``>>`` on floats, TypeError for ``~``: both classes catch this)."""


class FloorDivide(Function):
    """z = floor(a / b); no derivative (PyTorch: "derivative for floor_divide is not implemented")."""

    def forward(self, a, b):
        with np.errstate(divide="ignore", invalid="ignore"):  # x // 0 is +-inf or nan, as in PyTorch
            return self.xp.floor_divide(a, b)

    def backward(self, g):
        raise BackwardError("floor_divide: its derivative is not implemented (it is piecewise constant; "
                            "PyTorch raises too); detach() its input or use div and floor explicitly")


def _operands(op, a, b):
    """Both operands as Tensors on one device, with PyTorch's promotion for these ops."""
    if not isinstance(a, Tensor):
        a, b = _operands(op, b, a)[::-1] if isinstance(b, Tensor) else (a, b)
        if not isinstance(a, Tensor):
            raise TypeError(f"{op}: expected at least one Tensor, got {type(a).__name__} and {type(b).__name__}")
        return a, b
    if isinstance(b, Tensor):
        if b._device is not a._device:
            raise DeviceError(f"{op}: tensors on {a._device} and {b._device}; move them with .to(device) first")
        return a, b
    return a, _wrapped_number(op, b, a)


def _wrapped_number(op, x, like):
    """A Python int with an integer tensor: the tensor's dtype, wrapping as PyTorch does."""
    name = _dtypes.name_of(like.array.dtype)
    if isinstance(x, np.integer):
        x = int(x)
    if isinstance(x, int) and not isinstance(x, bool) and name not in ("bool",) and not name.startswith("float"):
        bits = np.iinfo(np.dtype(name)).bits
        value = np.array(x & ((1 << bits) - 1), dtype=np.uint64 if bits == 64 else np.int64).astype(np.dtype(name))
        return Tensor._make(like._device.asarray(value.item(), dtype=like.array.dtype), like._device, False, None)
    return as_constant_like(x, like, op)


def _integral(t):
    name = _dtypes.name_of(t.array.dtype)
    return name == "bool" or name.startswith("int") or name.startswith("uint")


def _bitwise_dtypes(op, a, b):
    """(a, b) as arrays of a common integer/bool type (bool meets an integer: the integer type)."""
    for t in (a, b):
        if not _integral(t):
            raise BitwiseDtypeError(f"{op}: only integer and bool tensors are supported, got {a.dtype} and {b.dtype}")
    xp = a._device.xp
    x, y = a.array, b.array
    na, nb = _dtypes.name_of(x.dtype), _dtypes.name_of(y.dtype)
    if na == "bool" and nb != "bool":
        x = xp.astype(x, y.dtype)
    elif nb == "bool" and na != "bool":
        y = xp.astype(y, x.dtype)
    return xp, x, y


def _result(a, array):
    return Tensor._make(array, a._device, False, None)


def _binary(op, fn, input, other):
    """fn(xp, x, y) on the arrays of ``input`` and ``other`` (checked, promoted), as a constant tensor."""
    a, b = _operands(op, input, other)
    xp, x, y = _bitwise_dtypes(op, a, b)
    try:
        return _result(a, fn(xp, x, y))
    except ValueError:
        check_broadcast(op, [a.shape, b.shape])
        raise


def _shift(xp, x, y, left):
    """x << y or x >> y, with shifts >= the bit width giving 0 (or -1 for >> of negatives)."""
    name = _dtypes.name_of(x.dtype)
    if name == "bool":
        x = xp.astype(x, xp.int64 if _dtypes.name_of(y.dtype) == "bool" else y.dtype)
        name = _dtypes.name_of(x.dtype)
    if _dtypes.name_of(y.dtype) == "bool":
        y = xp.astype(y, x.dtype)
    bits = np.iinfo(np.dtype(name)).bits
    big = y >= bits
    safe = xp.where(big, xp.zeros_like(y), y)
    out = xp.bitwise_left_shift(x, safe) if left else xp.bitwise_right_shift(x, safe)
    if left:
        return xp.where(big, xp.zeros_like(out), out)
    return xp.where(big, xp.where(x < 0, xp.zeros_like(out) - 1, xp.zeros_like(out)), out)


def bitwise_and(input, other):
    """a & b elementwise (bool: logical and), integer and bool tensors; not differentiable."""
    return _binary("bitwise_and", lambda xp, x, y: xp.bitwise_and(x, y), input, other)


def bitwise_or(input, other):
    """a | b elementwise (bool: logical or), integer and bool tensors; not differentiable."""
    return _binary("bitwise_or", lambda xp, x, y: xp.bitwise_or(x, y), input, other)


def bitwise_xor(input, other):
    """a ^ b elementwise (bool: logical xor), integer and bool tensors; not differentiable."""
    return _binary("bitwise_xor", lambda xp, x, y: xp.bitwise_xor(x, y), input, other)


def bitwise_left_shift(input, other):
    """a << b = a * 2**b, wrapping in the integer type; shifts >= the bit width give 0 (PyTorch's
    result, where NumPy would wrap the shift count).  Integers only; not differentiable."""
    return _binary("bitwise_left_shift", lambda xp, x, y: _shift(xp, x, y, True), input, other)


def bitwise_right_shift(input, other):
    """a >> b = floor(a / 2**b) (arithmetic shift); shifts >= the bit width give 0, or -1 for a
    negative a.  Integers only; not differentiable."""
    return _binary("bitwise_right_shift", lambda xp, x, y: _shift(xp, x, y, False), input, other)


def bitwise_not(input):
    """~a: logical not on bool tensors, two's-complement not (-a - 1) on integers; floats raise
    TypeError.  Not differentiable."""
    if not isinstance(input, Tensor):
        raise TypeError(f"bitwise_not: expected a Tensor, got {type(input).__name__}")
    if not _integral(input):
        raise TypeError(f"bitwise_not (~): only integer and bool tensors are supported, got {input.dtype}")
    xp = input._device.xp
    x = input.array
    out = xp.logical_not(x) if _dtypes.name_of(x.dtype) == "bool" else xp.bitwise_invert(x)
    return _result(input, out)


def floor_divide(input, other):
    """a // b: floor(a / b) (toward -inf), PyTorch's ``torch.floor_divide`` and ``//``.

    Integer tensors give integers (a zero divisor raises ZeroDivisionError); with a float tensor
    or a Python float the result is floating (a float never up-casts a float32 tensor; an integer
    tensor with a float gives the default float dtype).  No derivative: backward through it raises.
    """
    op = "floor_divide"
    a, b = input, other
    if isinstance(a, Tensor) and _is_int(b) and _integral(a):
        b = _wrapped_number(op, b, a)
    elif isinstance(b, Tensor) and _is_int(a) and _integral(b):
        a = _wrapped_number(op, a, b)
    if isinstance(a, Tensor) and isinstance(b, Tensor) and _integral(a) and _integral(b):
        _, x, y = _bitwise_dtypes(op, a, b)
        if bool(a._device.xp.any(y == 0)):
            raise IntegerDivisionError(f"{op}: integer division by zero (divisor of shape {b.shape})")
        a, b = _result(a, x), _result(b, y)
    elif isinstance(a, Tensor) and isinstance(b, Tensor) and _integral(a) != _integral(b):
        a, b = _as_float_of(a, b), _as_float_of(b, a)  # int with float32 gives float32 (PyTorch), not float64
    return FloorDivide.apply(a, b)


def _as_float_of(t, other):
    """``t`` cast to ``other``'s floating dtype if ``t`` is integral (a constant, no gradient flows)."""
    if not _integral(t):
        return t
    return _result(t, t._device.xp.astype(t.array, other.array.dtype))


def _is_int(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))
