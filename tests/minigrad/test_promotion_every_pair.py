"""Every ordered pair of dtypes through ``promote_types`` and ``result_type``, computed fresh.

``promotion`` remembers each pair it has promoted; a wrong rule for (a, b) could hide behind a
right answer remembered from (b, a).  These tests empty that memo first, so each order is computed.
The oracle is independent of minigrad: within one category NumPy's ``promote_types`` (which agrees
with PyTorch there, uint8 with int8 giving int16 included); across categories the operand of the
higher category (bool < integer < float), as PyTorch's docs state.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import minigrad as mg
from minigrad import promotion

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def _category(name):
    return 0 if name == "bool" else 2 if name.startswith("float") else 1


def _expected(a, b):
    if _category(a) != _category(b):
        return a if _category(a) > _category(b) else b
    return np.promote_types(a, b).name


@pytest.fixture
def fresh_memo():
    saved = dict(promotion._PAIRS)
    promotion._PAIRS.clear()
    yield
    promotion._PAIRS.clear()
    promotion._PAIRS.update(saved)


@pytest.mark.parametrize("a, b", list(itertools.product(NAMES, NAMES)))
def test_promote_types_each_order_computed_fresh(a, b, fresh_memo):
    assert mg.promote_types(a, b) == _expected(a, b)
    assert mg.promote_types(b, a) == _expected(a, b)  # now remembered from (a, b): must agree


@pytest.mark.parametrize("a, b", list(itertools.product(NAMES[:6], NAMES[:6])))
def test_result_type_of_two_integer_or_bool_tensors(a, b, fresh_memo):
    x, y = mg.zeros(2, dtype=a), mg.zeros(2, dtype=b)
    assert mg.result_type(x, y) == _expected(a, b)
    assert (x + y).dtype == _expected(a, b)


@pytest.mark.parametrize("number, kind", [(np.bool_(True), "bool"), (np.uint8(3), "int"), (np.int8(-3), "int"),
                                          (np.int64(7), "int"), (np.float16(1.5), "float"), (np.float64(1.5), "float")])
def test_numpy_scalars_count_as_the_python_number_they_hold(number, kind, fresh_memo):
    """A NumPy scalar is a number operand: bool, int64 or the default float, whatever its width."""
    alone = {"bool": "bool", "int": "int64", "float": mg.get_default_dtype()}[kind]
    assert mg.result_type(number) == alone
    assert mg.result_type(mg.zeros(2, dtype="bool"), number) == alone  # a higher category than bool counts
    assert mg.result_type(mg.zeros(2, dtype="int8"), number) == ("int8" if kind != "float" else alone)
    assert mg.result_type(mg.zeros(2, dtype="float16"), number) == "float16"


def test_numbers_alone_promote_among_themselves(fresh_memo):
    assert mg.result_type(True, 2) == "int64"
    assert mg.result_type(2, 2.5) == mg.get_default_dtype()
    assert mg.result_type(True, False) == "bool"
    assert mg.result_type(2.5, True) == mg.get_default_dtype()  # every number counts, not only the last
    assert mg.result_type(mg.zeros(2, dtype="int8"), 2.5, True) == mg.get_default_dtype()
    assert mg.result_type(mg.zeros(2, dtype="bool"), 7, False) == "int64"


def test_result_type_of_nothing_is_refused():
    with pytest.raises(TypeError, match=r"^result_type: needs at least one operand$"):
        mg.result_type()
