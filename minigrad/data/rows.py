"""Row access shared by the data tools: works on NumPy arrays and on Tensors on any device.

A data set is an array (or Tensor) whose first axis indexes examples (``X`` is (m, ...),
PyTorch's layout).  Selecting a batch copies only that batch: NumPy's fancy indexing for
arrays, the Array API's ``take`` on the tensor's own device for Tensors, and plain slices
(views, no copy at all) when the rows are contiguous.
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor

__all__ = ["as_data", "check_numeric", "num_examples", "take_rows", "slice_rows", "check_same_length", "example_shape",
           "to_host"]


def as_data(x, op, name="X"):
    """``x`` as a NumPy array or a Tensor (lists and other array-likes become NumPy arrays)."""
    if x is None:
        return None
    if isinstance(x, (Tensor, np.ndarray)):
        out = x
    elif hasattr(x, "__array_namespace__"):  # CuPy or array-api-strict array: wrap without copying
        out = Tensor(x)
    else:
        try:
            out = np.asarray(x)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{op}: {name} must be an array or a Tensor, got {type(x).__name__} ({e})") from None
    if out.ndim == 0:
        raise ValueError(f"{op}: {name} must have a first axis of examples, got a 0-d {type(out).__name__}")
    return out


def check_numeric(x, op, name="X"):
    """Raise a TypeError naming ``op`` when the NumPy array ``x`` does not hold numbers (strings,
    objects, dates); Tensors always hold numbers."""
    if isinstance(x, np.ndarray) and x.dtype.kind not in "biuf":
        raise TypeError(f"{op}: {name} has dtype {x.dtype} (shape {tuple(x.shape)}); expected numbers (bool, "
                        "integer or floating point): encode strings and categories as numbers first")
    return x


def num_examples(x) -> int:
    """The number of examples (length of the first axis)."""
    return int(x.shape[0])


def example_shape(x) -> tuple:
    """The shape of one example (all axes but the first)."""
    return tuple(x.shape[1:])


def check_same_length(op, X, y, names=("X", "y")):
    """Raise a ValueError naming ``op`` when ``X`` is empty or ``X`` and ``y`` differ in length."""
    m = num_examples(X)
    if m == 0:
        raise ValueError(f"{op}: the data set is empty ({names[0]} has shape {tuple(X.shape)})")
    if y is not None and num_examples(y) != m:
        raise ValueError(f"{op}: {names[0]} has {m} examples (shape {tuple(X.shape)}) but {names[1]} has "
                         f"{num_examples(y)} (shape {tuple(y.shape)}); their first axes must match")
    return m


def take_rows(x, index):
    """Rows ``index`` (a 1-D NumPy integer array) of ``x``, as the same kind of object.

    Only the selected rows are copied; a Tensor result stays on the tensor's device and does
    not require grad.
    """
    if x is None:
        return None
    if isinstance(x, np.ndarray):
        return x[index]
    dev = x.device
    rows = dev.xp.take(x.array, dev.asarray(np.asarray(index, dtype=np.int64)), axis=0)
    return Tensor(rows, device=dev)


def slice_rows(x, start, stop):
    """Rows ``start:stop`` of ``x`` as a view (no copy)."""
    if x is None:
        return None
    if isinstance(x, np.ndarray):
        return x[start:stop]
    return Tensor(x.array[start:stop, ...], device=x.device)


def to_host(x):
    """A NumPy array with the values of ``x`` (a copy for Tensors, ``x`` itself for arrays)."""
    if isinstance(x, Tensor):
        return x.numpy()
    return np.asarray(x)
