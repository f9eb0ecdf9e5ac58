"""Type promotion as PyTorch does it, the same on every backend.

Two dtypes promote along PyTorch's lattice (``promote_types``): bool < integers < floats, a float
meeting an integer gives the float, two integers or two floats give the wider (uint8 with int8 gives
int16).  Operands of an op promote by *category* (``result_type``), in three tiers:

1. tensors with at least one axis, 2. 0-d tensors (and 0-d arrays), 3. Python numbers (a float
   counts as the default float dtype, an int as int64, a bool as bool; NumPy scalars as the Python
   number they hold).

Each tier's dtypes promote together; a lower tier only matters when its category (bool < integer <
float) is higher than every higher tier's: ``float32 tensor * 2.0`` and ``float32 tensor * 0-d float64
tensor`` stay float32, ``int32 tensor * 2.5`` is float32 (the default float), ``int32 tensor * 0-d
float64 tensor`` is float64, ``int32 tensor + 5`` stays int32.

On the Tensor's floor: it imports only :mod:`minigrad.dtypes` and :mod:`minigrad.tensor`.
"""
from __future__ import annotations

from numpy import generic as _np_scalar

from . import dtypes
from .tensor import Tensor

__all__ = ["promote_types", "result_type", "result_native"]

_BOOL, _INT, _FLOAT = 0, 1, 2
_CATEGORY = {"bool": _BOOL, "uint8": _INT, "int8": _INT, "int16": _INT, "int32": _INT, "int64": _INT,
             "float16": _FLOAT, "float32": _FLOAT, "float64": _FLOAT}
_BITS = {"bool": 1, "uint8": 8, "int8": 8, "int16": 16, "int32": 32, "int64": 64,
         "float16": 16, "float32": 32, "float64": 64}
_PAIRS: dict = {}  # (name, name) -> name, filled on first use


def promote_types(type1, type2):
    """The smallest dtype both ``type1`` and ``type2`` convert to, as ``torch.promote_types``.

    bool < any integer < any float; within floats or within signed integers the wider wins; uint8
    with a signed integer gives the signed type wide enough for both (int8 -> int16).  Accepts
    minigrad dtypes, names or native dtypes; returns a minigrad :class:`~minigrad.dtypes.DType`.

    >>> import minigrad as mg
    >>> mg.promote_types(mg.int64, mg.float32), mg.promote_types(mg.uint8, mg.int8)
    (minigrad.float32, minigrad.int16)
    """
    return _promote(dtypes.name_of(type1), dtypes.name_of(type2))


def _promote(a, b):
    if a == b or b is None:
        return a
    if a is None:
        return b
    got = _PAIRS.get((a, b))
    if got is None:
        got = _PAIRS[(a, b)] = _PAIRS[(b, a)] = _compute(a, b)
    return got


def _compute(a, b):
    ca, cb = _CATEGORY[a], _CATEGORY[b]
    if ca != cb:
        return a if ca > cb else b
    if ca == _INT and (a == "uint8") != (b == "uint8"):  # unsigned meets signed
        signed = b if a == "uint8" else a
        return signed if _BITS[signed] > 8 else dtypes.int16
    return a if _BITS[a] >= _BITS[b] else b


def _combine(higher, lower):
    """PyTorch's rule between tiers: the lower tier counts only when its category is higher."""
    if lower is None:
        return higher
    if higher is None or _CATEGORY[lower] > _CATEGORY[higher]:
        return lower
    return higher


def result_type(*operands):
    """The dtype PyTorch gives an op of ``operands`` (Tensors, arrays, Python or NumPy numbers).

    Tiers, highest first: tensors with axes, 0-d tensors, numbers (float = the default float dtype,
    int = int64, bool = bool); a lower tier only counts when its category (bool < integer < float)
    is higher.  As ``torch.result_type`` (which takes two operands).

    >>> import minigrad as mg
    >>> mg.result_type(mg.ones(3), 2.0), mg.result_type(mg.arange(3), 2.5)
    (minigrad.float32, minigrad.float32)
    >>> mg.result_type(mg.arange(3), mg.tensor(1.0, dtype=mg.float64))
    minigrad.float64
    """
    return _result([x.array if isinstance(x, Tensor) else x for x in operands])


def _result(operands):
    """``result_type`` of arrays and numbers."""
    dim = zero = number = None
    for data in operands:
        kind = _number_kind(data)
        if kind is not None:
            number = _promote(number, kind)
            continue
        name = dtypes.name_of(data.dtype)
        if data.ndim:
            dim = _promote(dim, name)
        else:
            zero = _promote(zero, name)
    if dim is None and zero is None and number is None:
        raise TypeError("result_type: needs at least one operand")
    return _combine(dim, _combine(zero, number))


def _number_kind(x):
    """The dtype a Python (or NumPy) number counts as, or None for arrays."""
    cls = x.__class__
    if cls is float:
        return dtypes.get_default_dtype()
    if cls is int:
        return dtypes.int64
    if cls is bool:
        return dtypes.bool_
    if isinstance(x, _np_scalar):
        kind = x.dtype.kind
        return dtypes.bool_ if kind == "b" else dtypes.int64 if kind in "iu" else dtypes.get_default_dtype()
    return None


def result_native(args, xp):
    """The native dtype of namespace ``xp`` for arrays / Python numbers ``args`` (``result_type``)."""
    return dtypes.to_native(_result(args), xp)
