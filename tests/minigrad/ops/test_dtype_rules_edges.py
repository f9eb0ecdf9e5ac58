"""require_same_dtype and promoting_products (minigrad/ops/dtype_rules.py) at their edges: the message
names both operands, dtypes and shapes; None operands are skipped; inside promoting_products only two
floating dtypes pass (nested blocks, and a block left by an exception, restore the refusal)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.errors import DTypeError
from minigrad.ops.dtype_rules import promoting_products, require_same_dtype


def _t(shape, dtype, device):
    return mg.tensor(np.ones(shape), dtype=dtype, device=device)


def test_the_message_names_the_op_both_operands_their_dtypes_and_shapes(device):
    a, b = _t((2, 3), "float32", device), _t((4,), "float64", device)
    with pytest.raises(DTypeError) as info:
        require_same_dtype("myop", input=a, other=b)
    assert str(info.value) == (
        "myop: expected input and other to have the same dtype, got float32 and float64 (shapes (2, 3) and (4,)); "
        "PyTorch does not promote here. Convert one first, e.g. other.to(input.dtype)")


def test_none_operands_are_skipped_and_every_later_operand_is_compared_with_the_first(device):
    a, c = _t(2, "float32", device), _t(2, "float64", device)
    require_same_dtype("op", x=None, y=a, z=None, w=a)  # nothing raises: None is no operand
    require_same_dtype("op", only=a)
    with pytest.raises(DTypeError, match="expected y and w to have the same dtype, got float32 and float64"):
        require_same_dtype("op", x=None, y=a, z=a, w=c)  # the third operand differs from the first


def test_promoting_products_lets_two_floats_through_only_inside_the_block(device):
    a, b = _t(2, "float32", device), _t(2, "float64", device)
    i = mg.tensor([1, 2], device=device)
    with promoting_products():
        require_same_dtype("op", a=a, b=b)
        require_same_dtype("op", b=b, a=a)
        with promoting_products():  # nested: still promoting, and still after the inner block ends
            require_same_dtype("op", a=a, b=b)
        require_same_dtype("op", a=a, b=b)
        for pair in ({"a": a, "i": i}, {"i": i, "a": a}):  # a float meeting an integer: refused even here
            with pytest.raises(DTypeError):
                require_same_dtype("op", **pair)
        out = mg.matmul(a, b)  # the product itself promotes as elementwise ops do
        assert out.dtype == "float64" and out.item() == 2.0
    with pytest.raises(DTypeError):
        require_same_dtype("op", a=a, b=b)


def test_promoting_products_restores_the_refusal_after_an_exception(device):
    a, b = _t(2, "float32", device), _t(2, "float64", device)
    with pytest.raises(KeyError):
        with promoting_products():
            raise KeyError("inside")
    with pytest.raises(DTypeError):
        require_same_dtype("op", a=a, b=b)
