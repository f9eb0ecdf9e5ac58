"""Type promotion, checked against PyTorch's documented rules (the "Type promotion" section of the
torch.Tensor docs, and torch.promote_types), with no PyTorch needed, on every device:

* tensors with axes, 0-d tensors and Python numbers are three tiers; a lower tier counts only when
  its category (bool < integer < float) is higher than the tiers above;
* a Python float counts as the default float dtype, a Python int as int64;
* integer tensors meeting floats give the float; float ops on integers give the default float.

The expected dtypes below are the docs' examples and the lattice written out by hand, never read
back from minigrad.
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


def _t(dtype, device, ndim=1):
    return mg.ones(*(3,) * ndim, dtype=dtype, device=device)


# the docs' examples: (left, right, expected); "0d:" marks a 0-d tensor, a number stays a number
DOC_EXAMPLES = [
    ("int32", 5, "int32"),            # 5 is int64 but does not have a higher category
    ("int32", "0d:int64", "int32"),
    ("int64", "int32", "int64"),
    ("bool", "int64", "int64"),
    ("bool", "uint8", "uint8"),
    ("float32", "float64", "float64"),
    ("bool", "int32", "int32"),
    ("int64", "float32", "float32"),  # a different kind: the result only needs to hold the float
    ("int32", 2.5, "float32"),        # a float number counts as the default dtype
    ("float32", 2.5, "float32"),
    ("float16", 2.5, "float16"),
    ("float32", "0d:float64", "float32"),
    ("int32", "0d:float64", "float64"),  # a 0-d tensor of a higher category counts, with its own dtype
    ("int32", "0d:float32", "float32"),
    ("uint8", "0d:int64", "uint8"),
    ("int8", "0d:uint8", "int8"),
    ("bool", "0d:uint8", "uint8"),
    ("bool", 3, "int64"),
    ("bool", True, "bool"),
    ("int32", True, "int32"),
    ("float32", True, "float32"),
    ("0d:int32", "0d:float64", "float64"),
    ("0d:int32", 1.5, "float32"),
    ("0d:float64", "0d:float32", "float64"),
]


def _operand(spec, device):
    if not isinstance(spec, str):
        return spec
    if spec.startswith("0d:"):
        return _t(spec[3:], device, 0)
    return _t(spec, device)


@pytest.mark.parametrize("left, right, expected", DOC_EXAMPLES, ids=[f"{a}-{b}" for a, b, _ in DOC_EXAMPLES])
def test_documented_examples(left, right, expected, device):
    if device.startswith("strict") and "float16" in (left, right):  # the Array API standard has no float16
        with pytest.raises(TypeError, match="dtype: float16 is not available on the array_api_strict backend"):
            _operand(left, device), _operand(right, device)
        return
    a, b = _operand(left, device), _operand(right, device)
    assert mg.result_type(a, b) == expected
    assert (a + b).dtype == expected and (b + a).dtype == expected
    assert (a * b).dtype == expected
    if isinstance(b, mg.Tensor):
        assert mg.maximum(a, b).dtype == expected and mg.where(_t("bool", device), b, a).dtype == expected


LATTICE = [  # promote_types, written from the lattice: bool < ints < floats; uint8 with signed ints
    ("bool", "bool", "bool"), ("bool", "uint8", "uint8"), ("bool", "float16", "float16"),
    ("uint8", "int8", "int16"), ("uint8", "int16", "int16"), ("uint8", "int32", "int32"),
    ("int8", "int16", "int16"), ("int16", "int64", "int64"), ("int64", "float16", "float16"),
    ("int32", "float32", "float32"), ("float16", "float32", "float32"), ("float32", "float64", "float64"),
    ("uint8", "float64", "float64"), ("int8", "int8", "int8"),
]


@pytest.mark.parametrize("a, b, expected", LATTICE)
def test_promote_types_lattice(a, b, expected):
    assert mg.promote_types(a, b) == expected
    assert mg.promote_types(b, a) == expected
    assert mg.promote_types(getattr(mg, a if a != "bool" else "bool_"), np.dtype(b)) == expected


def test_python_and_numpy_numbers_do_not_upcast_float32(device):
    x = _t("float32", device)
    for number in (2.5, 2, True, np.float64(2.5), np.float32(2.5), np.int64(2), np.int32(2)):
        outs = [x + number, number + x, x * number, number / x, x ** number, mg.maximum(x, x) * number]
        if not isinstance(number, bool):
            outs.append(x - number)  # PyTorch refuses a bool there
        for out in outs:
            assert out.dtype == "float32", (type(number), out.dtype)
    if device == "cpu":  # a 0-d NumPy array is a 0-d tensor operand (not movable to strict's fake device)
        assert (x * np.array(2.5)).dtype == "float32"
        assert (_t("int32", device) * np.array(2.5)).dtype == "float64"


def test_float_ops_on_integer_tensors_give_the_default_float(device):
    i = mg.arange(1, 4, device=device)
    assert (i / i).dtype == "float32" and (i / 2).dtype == "float32"
    assert (i ** 0.5).dtype == "float32" and i.exp().dtype == "float32"
    assert (i ** 2).dtype == "int64" and (_t("bool", device) ** 2).dtype == "int64"
    mg.set_default_dtype(mg.float64)
    try:
        assert (i * 0.5).dtype == "float64" and (i / i).dtype == "float64"
        assert (_t("float32", device) * 0.5).dtype == "float32"
    finally:
        mg.set_default_dtype(mg.float32)


def test_mixed_dtype_values_match_a_float64_reference(device):
    x = np.array([0.5, -1.5, 2.25], dtype=np.float32)
    k = np.array([3, -2, 7], dtype=np.int64)
    out = mg.tensor(x, device=device) * mg.tensor(k, device=device) + mg.tensor(k, device=device)
    assert out.dtype == "float32"
    np.testing.assert_allclose(out.numpy(), x.astype(np.float64) * k + k, rtol=1e-6)


def test_gradients_come_back_in_each_inputs_dtype(device):
    x = mg.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)                   # float32
    s = mg.tensor(0.5, dtype=mg.float64, device=device, requires_grad=True)             # 0-d float64
    w = mg.tensor([1.0, 2.0, 3.0], dtype=mg.float64, device=device, requires_grad=True)
    y = (x * s) * w  # x * s is float32 (the 0-d tensor does not up-cast); * float64 gives float64
    assert y.dtype == "float64"  # (matmul would refuse float32 @ float64, as PyTorch does)
    y.sum().backward()
    assert (x.grad.dtype, s.grad.dtype, w.grad.dtype) == ("float32", "float64", "float64")
    np.testing.assert_allclose(x.grad.numpy(), 0.5 * np.array([1.0, 2.0, 3.0]), rtol=1e-6)
    np.testing.assert_allclose(s.grad.numpy(), 1.0 + 4.0 + 9.0, rtol=1e-6)
    np.testing.assert_allclose(w.grad.numpy(), [0.5, 1.0, 1.5], rtol=1e-6)


def test_second_order_through_a_promotion(device):
    x = mg.tensor([1.0, -2.0], device=device, requires_grad=True)                  # float32
    c = mg.tensor([3.0, 4.0], dtype=mg.float64, device=device, requires_grad=True)
    (gx,) = mg.grad((x * x * c).sum(), x, create_graph=True)                       # 2 x c
    assert gx.dtype == "float32"
    (gc,) = mg.grad(gx.sum(), c)                                                    # d/dc sum(2 x c) = 2 x
    np.testing.assert_allclose(gc.numpy(), [2.0, -4.0])
    assert gc.dtype == "float64"


def test_where_and_comparisons_promote(device):
    cond = mg.tensor([True, False, True], device=device)
    assert mg.where(cond, _t("int32", device), 1.5).dtype == "float32"
    assert mg.where(cond, _t("float32", device), _t("float64", device)).dtype == "float64"
    assert mg.where(cond, _t("int32", device), _t("int64", device)).dtype == "int64"
    assert (_t("float32", device) < mg.arange(3, device=device)).dtype == "bool"
    assert (mg.arange(3, device=device) == mg.tensor([0.0, 1.0, 2.5], device=device)).numpy().tolist() == [
        True, True, False]


def test_bool_arithmetic_follows_pytorch(device):
    a = mg.tensor([True, True, False], device=device)
    b = mg.tensor([True, False, False], device=device)
    assert (a + b).numpy().tolist() == [True, True, False]       # logical or
    assert (a * b).numpy().tolist() == [True, False, False]      # logical and
    assert mg.maximum(a, b).numpy().tolist() == [True, True, False]
    for bad in (lambda: a - b, lambda: a - 1, lambda: 1.5 - a, lambda: a ** b):
        with pytest.raises(RuntimeError, match="bool"):
            bad()
        with pytest.raises(TypeError):
            bad()


def test_cat_and_stack_promote(device):
    i = mg.arange(3, device=device)
    f = mg.ones(3, device=device, requires_grad=True)
    y = mg.cat([i, f])  # int64 with float32: float32 (torch.cat's rule); NumPy would give float64
    assert y.dtype == "float32"
    (y * y).sum().backward()
    np.testing.assert_array_equal(f.grad.numpy(), [2.0, 2.0, 2.0])
    assert mg.stack([f, mg.ones(3, dtype=mg.float64, device=device)]).dtype == "float64"


def test_masked_fill_keeps_the_input_dtype(device):
    # PyTorch: out-of-place masked_fill is the in-place one on a copy, so the input's dtype stays
    mask = mg.tensor([True, False, True], device=device)
    out = mg.arange(3, device=device).masked_fill(mask, 1.5)
    assert out.dtype == "int64" and out.numpy().tolist() == [1, 1, 1]
    v = mg.tensor(2.0, dtype=mg.float64, device=device, requires_grad=True)
    y = mg.ones(3, device=device).masked_fill(mask, v)
    assert y.dtype == "float32"
    y.sum().backward()
    assert v.grad.dtype == "float64" and v.grad.item() == 2.0
