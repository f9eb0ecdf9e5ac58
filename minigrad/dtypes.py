"""Data types, named once for every backend.

``minigrad.float32`` and friends are :class:`DType` objects: strings that compare equal to the
same dtype of any array library (``minigrad.float32 == numpy.float32``).  The default float
type is float32; float64 is used on request and in gradient checks.
"""
from __future__ import annotations

__all__ = ["DType", "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool_",
           "get_default_dtype", "set_default_dtype", "to_native", "name_of", "is_floating"]

_NAMES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")


class DType(str):
    """A dtype name that compares equal to that dtype in NumPy, CuPy and array-api-strict."""

    __slots__ = ()

    def __eq__(self, other):
        if isinstance(other, str):
            return str.__eq__(self, other)
        try:
            return str.__eq__(self, name_of(other))
        except TypeError:
            return NotImplemented

    __hash__ = str.__hash__

    def __repr__(self):
        return f"minigrad.{self if self != 'bool' else 'bool_'}"

    @property
    def is_floating_point(self):
        """True for float16, float32 and float64, as ``torch.dtype.is_floating_point``."""
        return self.startswith("float")


float16, float32, float64 = DType("float16"), DType("float32"), DType("float64")
int8, int16, int32, int64, uint8 = DType("int8"), DType("int16"), DType("int32"), DType("int64"), DType("uint8")
bool_ = DType("bool")
_BY_NAME = {d: d for d in (float16, float32, float64, int8, int16, int32, int64, uint8, bool_)}
_BY_NAME["bool_"] = bool_

_native_to_name: dict = {}
_default_float = [float32]


def name_of(dtype) -> DType:
    """The :class:`DType` of a native dtype, a dtype name, or a Python type."""
    if isinstance(dtype, DType):
        return dtype
    if isinstance(dtype, str):
        if dtype in _BY_NAME:
            return _BY_NAME[dtype]
        raise TypeError(f"dtype: unknown dtype {dtype!r}; expected one of {', '.join(_NAMES)}")
    # one table per dtype class: a lookup then never compares dtypes of two libraries
    # (array-api-strict warns when its dtypes are compared with NumPy's, whose hashes they share)
    table = _native_to_name.get(type(dtype))
    if table is None:
        table = _native_to_name[type(dtype)] = {}
    try:
        got = table.get(dtype)
    except TypeError:
        got = None
    if got is not None:
        return got
    if dtype is float:  # PyTorch: Python's float is double precision
        return float64
    if dtype is int:
        return int64
    if dtype is bool:
        return bool_
    name = getattr(dtype, "name", None) or getattr(dtype, "__name__", None) or str(dtype).rsplit(".", 1)[-1]
    if name == "bool_":
        name = "bool"
    if name not in _BY_NAME:
        raise TypeError(f"dtype: unsupported dtype {dtype!r}; expected one of {', '.join(_NAMES)}")
    try:
        table[dtype] = _BY_NAME[name]
    except TypeError:
        pass
    return _BY_NAME[name]


def to_native(dtype, xp):
    """The dtype object of namespace ``xp`` for ``dtype`` (a DType, name or native dtype)."""
    name = name_of(dtype)
    native = getattr(xp, "bool" if name == "bool" else str(name), None)
    if native is None:  # array-api-strict has no float16, for one
        raise TypeError(f"dtype: {name} is not available on the {getattr(xp, '__name__', xp)} backend; "
                        f"use one it has (float32, float64, the integer types, bool)")
    return native


def is_floating(native_dtype) -> bool:
    return name_of(native_dtype).startswith("float")


def get_default_dtype() -> DType:
    """The dtype of floating tensors made from Python floats: float32 unless changed."""
    return _default_float[0]


def set_default_dtype(dtype) -> None:
    """Set the default floating dtype (float32 or float64)."""
    d = name_of(dtype)
    if not d.is_floating_point:
        raise TypeError(f"set_default_dtype: expected a floating dtype, got {d}")
    _default_float[0] = d
