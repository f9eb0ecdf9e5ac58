"""How dtypes are named and recognised: ``repr`` round-trips, and every spelling a user may pass
(names, NumPy dtypes of either byte order, NumPy scalar types, Python types, array-api-strict dtypes)
maps to the dtype PyTorch would choose.  The expected names are written out, never read back."""
from __future__ import annotations

import array_api_strict as xps
import numpy as np
import pytest

import minigrad as mg
from minigrad import dtypes

NAMES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


@pytest.mark.parametrize("name", NAMES)
def test_repr_is_the_attribute_it_evaluates_to(name):
    d = dtypes.name_of(name)
    attr = "bool_" if name == "bool" else name
    assert repr(d) == f"minigrad.{attr}"
    assert eval(repr(d), {"minigrad": mg}) is getattr(mg, attr)


@pytest.mark.parametrize("name", NAMES)
def test_every_spelling_of_a_dtype_names_it(name):
    for spelling in (name, np.dtype(name), np.dtype(name).type, np.dtype(name).newbyteorder(">")):
        assert dtypes.name_of(spelling) == name, spelling
    if name != "float16":  # the Array API standard has no float16
        assert dtypes.name_of(getattr(xps, name)) == name


def test_python_types_are_pytorchs_and_numpy_1s_bool_type_is_bool():
    assert (dtypes.name_of(float), dtypes.name_of(int), dtypes.name_of(bool)) == ("float64", "int64", "bool")
    assert dtypes.name_of(type("bool_", (), {})) == "bool"  # NumPy 1 names its bool scalar type bool_
    assert mg.tensor(np.arange(3, dtype=">f4")).dtype == "float32"


def test_unknown_and_unsupported_dtypes_are_refused_naming_the_choices():
    choices = "expected one of float16, float32, float64, int8, int16, int32, int64, uint8, bool"
    with pytest.raises(TypeError, match=rf"^dtype: unknown dtype 'float8'; {choices}$"):
        dtypes.name_of("float8")
    with pytest.raises(TypeError, match=rf"^dtype: unsupported dtype dtype\('complex64'\); {choices}$"):
        dtypes.name_of(np.dtype("complex64"))


def test_a_dtype_compares_equal_to_each_spelling_and_only_to_it():
    assert mg.float32 == np.float32 and mg.float32 == np.dtype("float32") and mg.float32 == "float32"
    assert mg.float32 != np.float64 and mg.float32 != "float64" and not mg.float32 == object()
    assert mg.bool_ == np.bool_ and mg.bool_ == "bool"


def test_set_default_dtype_refuses_a_non_float_naming_it():
    with pytest.raises(TypeError, match=r"^set_default_dtype: expected a floating dtype, got int32$"):
        mg.set_default_dtype(mg.int32)
    assert mg.get_default_dtype() == "float32"
