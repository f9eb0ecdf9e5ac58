"""What ``Function.apply`` does to its inputs before forward, and the checks it (and the engine)
runs: Python numbers and arrays turned into constants, PyTorch's dtype rule for Python floats,
device and broadcast checks, views, and ``detect_anomaly``'s finiteness check.

The node-contract floor, beside :mod:`minigrad.function` (which imports it); it imports only the
Tensor and the floors below.
"""
from __future__ import annotations

import numpy as _np

from . import dtypes as _dtypes
from .device import DeviceError
from .errors import ShapeError
from .promotion import result_native
from .tensor import Tensor, as_constant_like

__all__ = ["as_tensors", "check_broadcast", "check_finite", "device_mismatch", "float_for_python_floats",
           "is_view_of", "promote_inputs"]


def float_for_python_floats(args, dev):
    """PyTorch's rule: integer or bool tensors meeting a Python float compute in the default
    float dtype (``arange(4) * 0.5`` is float32; NumPy would give float64, array-api-strict
    would refuse)."""
    for a in args:
        if a.__class__ is not float and a.__class__ is not int:
            kind = getattr(a.dtype, "kind", None)  # NumPy and CuPy dtypes say it fast
            if kind == "f" or (kind is None and _dtypes.is_floating(a.dtype)):
                return args
    native = _dtypes.to_native(_dtypes.get_default_dtype(), dev.xp)
    return tuple(a if a.__class__ is float or a.__class__ is int else dev.xp.astype(a, native) for a in args)


def promote_inputs(inputs, dev, recording, cast_op):
    """``inputs`` (Tensors and Python numbers) with each Tensor cast to PyTorch's result dtype of
    them all (:func:`minigrad.promotion.result_type`): by ``cast_op`` (recorded) for a Tensor that
    needs a gradient while ``recording``, else as a constant.  Python numbers stay numbers: once
    the tensors share the result dtype, NumPy and the Array API give a number that dtype."""
    datas = [t.array if isinstance(t, Tensor) else t for t in inputs]
    arrays = [d for d in datas if d.__class__ is not float and d.__class__ is not int]
    if len(arrays) == 1 and getattr(arrays[0].dtype, "kind", None) == "f":
        return inputs  # the common case: one float tensor and numbers
    native = result_native(datas, dev.xp)
    out = []
    for t, d in zip(inputs, datas):
        if d.__class__ is float or d.__class__ is int or d.dtype == native:
            out.append(t)
        elif recording and t._rg:
            out.append(cast_op.apply(t, dtype=native))
        else:
            out.append(Tensor._make(dev.xp.astype(d, native), dev, False, None))
    return tuple(out)


def as_tensors(name, inputs):
    """``inputs`` with Python numbers and arrays turned into constant Tensors.

    A Python number stays a Python number (forward receives it as such), so it never changes the
    dtype of the tensor it meets: ``float32_tensor * 2.0`` is float32.
    """
    like = next((t for t in inputs if isinstance(t, Tensor)), None)
    if like is None:
        raise TypeError(f"{name}.apply: at least one input must be a Tensor, got "
                        + ", ".join(type(t).__name__ for t in inputs))
    out = []
    for x in inputs:
        if isinstance(x, _np.generic) and x.dtype.kind in "iuf":
            x = x.item()  # a NumPy scalar (np.sqrt(2.0), np.int64(3)) acts as the Python number
        if isinstance(x, Tensor):
            out.append(x)
        elif x.__class__ is int or x.__class__ is float:
            out.append(x)
        elif isinstance(x, (int, float)) and not isinstance(x, bool):  # a subclass (np.float64 is one)
            out.append(float(x) if isinstance(x, float) else int(x))
        else:
            out.append(as_constant_like(x, like, name))
    return tuple(out)


def check_broadcast(op, shapes):
    """Raise a :class:`~minigrad.errors.ShapeError` (a ValueError and a RuntimeError, what PyTorch
    raises) naming ``op`` and ``shapes`` if the shapes do not broadcast together."""
    ndim = max(len(s) for s in shapes)
    for i in range(1, ndim + 1):
        sizes = {s[-i] for s in shapes if len(s) >= i} - {1}
        if len(sizes) > 1:
            listed = ", ".join(str(tuple(s)) for s in shapes[:-1]) + f" and {tuple(shapes[-1])}"
            raise ShapeError(
                f"{op}: shapes {listed} cannot be broadcast together: axis {-i} has sizes "
                f"{sorted(sizes)} (from the right, sizes must be equal or 1)")


def is_view_of(out, a):
    """Whether ``out`` of a view op may share memory with its input ``a``.  A NumPy output that
    cannot overlap ``a`` is a copy (a reshape that had to copy, say), with a version counter of
    its own; other backends are taken at the op's word."""
    if out.__class__ is _np.ndarray and a.__class__ is _np.ndarray:
        return _np.may_share_memory(out, a)
    return True


def device_mismatch(name, inputs):
    devs = ", ".join(f"{tuple(t.shape)} on {t._device}" for t in inputs if isinstance(t, Tensor))
    raise DeviceError(f"{name}: all inputs must be on the same device, got {devs}; "
                      "move them with .to(device) first")


def check_finite(fn, array, phase, inputs):
    xp = fn.xp
    try:
        bad = not bool(xp.all(xp.isfinite(array)))
    except TypeError:  # integer / bool results
        return
    if bad:
        # np.shape: a Python number an op met is held as a Tensor over the number itself
        shapes = ", ".join(str(tuple(_np.shape(t.array))) for t in inputs if isinstance(t, Tensor))
        raise FloatingPointError(
            f"detect_anomaly: {fn.name} {phase} produced NaN or Inf (inputs of shape {shapes})")
