"""minigrad/ops/integer.py at its edges, against Python's integers and PyTorch's documented rules:
division by zero, dtypes refused, bool operands of shifts, the width of each integer type, the
promotion of floor division, and the backward that raises."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.function import BackwardError
from minigrad.ops.integer import BitwiseDtypeError, IntegerDivisionError


def _wrap(v, bits):
    """v as a signed integer of ``bits`` bits (two's complement), Python's arithmetic."""
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >= 1 << (bits - 1) else v


def test_integer_division_by_zero_raises_both_error_classes(device):
    a = mg.tensor([4, 5], device=device)
    for divisor in (mg.tensor([1, 0], device=device), 0):
        with pytest.raises(IntegerDivisionError, match=r"floor_divide: integer division by zero") as info:
            a // divisor
        assert isinstance(info.value, ZeroDivisionError) and isinstance(info.value, RuntimeError)
    with pytest.raises(ZeroDivisionError):
        7 // mg.tensor([2, 0], device=device)


def test_floor_division_of_a_number_by_an_integer_tensor_and_of_mixed_tensors(device):
    b = mg.tensor([2, -3, 4], device=device)
    out = 7 // b
    assert out.dtype == "int64" and out.tolist() == [7 // 2, 7 // -3, 7 // 4]
    f32 = mg.tensor([2.0, -3.0, 4.0], dtype="float32", device=device)
    mixed = mg.tensor([7, 7, -7], device=device) // f32  # int with float32: float32 (PyTorch), not float64
    assert mixed.dtype == "float32" and mixed.tolist() == [3.0, -3.0, -2.0]
    other = f32 // mg.tensor([2, 2, 2], device=device)
    assert other.dtype == "float32" and other.tolist() == [1.0, -2.0, 2.0]
    small = mg.tensor(np.array([100, -100], dtype=np.int8), device=device) // 7
    assert small.dtype == "int8" and small.tolist() == [100 // 7, -100 // 7]


def test_backward_through_floor_division_raises(device):
    x = mg.tensor([3.0, 4.0], device=device, requires_grad=True)
    out = x // 2.0
    assert out.requires_grad
    with pytest.raises(BackwardError) as info:
        out.sum().backward()
    assert str(info.value) == ("floor_divide: its derivative is not implemented (it is piecewise constant; PyTorch "
                               "raises too); detach() its input or use div and floor explicitly")


@pytest.mark.parametrize("op", ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
                                "bitwise_right_shift"])
def test_bitwise_ops_refuse_floats_naming_both_dtypes(op, device):
    f, i = mg.tensor([1.0], device=device), mg.tensor([1], device=device)
    for a, b in ((f, i), (i, f)):
        with pytest.raises(BitwiseDtypeError, match=f"{op}: only integer and bool tensors are supported, got "
                                                    f"{a.dtype} and {b.dtype}") as info:
            getattr(mg, op)(a, b)
        assert isinstance(info.value, TypeError) and isinstance(info.value, NotImplementedError)


def test_bitwise_not_refuses_floats_and_non_tensors(device):
    with pytest.raises(TypeError, match=r"bitwise_not \(~\): only integer and bool tensors are supported, got float32"):
        ~mg.tensor([1.0], device=device)
    with pytest.raises(TypeError, match="bitwise_not: expected a Tensor, got int"):
        mg.bitwise_not(3)
    u = mg.bitwise_not(mg.tensor(np.array([0, 5, 255], dtype=np.uint8), device=device))
    assert u.dtype == "uint8" and u.tolist() == [255, 250, 0]


def test_two_numbers_are_refused_and_devices_and_shapes_are_checked(device):
    with pytest.raises(TypeError, match="bitwise_and: expected at least one Tensor, got int and int"):
        mg.bitwise_and(1, 2)
    a, b = mg.tensor([1, 2, 3], device=device), mg.tensor([1, 2], device=device)
    with pytest.raises(ValueError, match="bitwise_xor"):
        mg.bitwise_xor(a, b)
    assert mg.bitwise_or(6, mg.tensor([1, 8], device=device)).tolist() == [7, 14]  # a number on the left


def test_bitwise_ops_with_a_tensor_on_another_device_are_refused():
    a, b = mg.tensor([1, 2], device="cpu"), mg.tensor([1, 2], device="strict")
    with pytest.raises(mg.DeviceError, match="bitwise_and: tensors on"):
        mg.bitwise_and(a, b)


@pytest.mark.parametrize("dtype, bits", [("int8", 8), ("int16", 16), ("int32", 32), ("int64", 64)])
def test_shifts_by_each_width_and_python_ints_wrapping_in_each_type(dtype, bits, device):
    x = mg.tensor(np.array([3, -5], dtype=dtype), device=device)
    assert (x << (bits - 1)).tolist() == [_wrap(3 << (bits - 1), bits), _wrap(-5 << (bits - 1), bits)]
    assert (x << bits).tolist() == [0, 0] and (x << (bits + 3)).tolist() == [0, 0]
    assert (x >> (bits - 1)).tolist() == [0, -1] and (x >> bits).tolist() == [0, -1]
    big = (1 << bits) + 6  # wraps to 6 in the tensor's type
    assert (x ^ big).dtype == dtype and (x ^ big).tolist() == [3 ^ 6, -5 ^ 6]
    if bits < 64:  # a NumPy integer is wrapped too
        assert (x & np.int64(big)).tolist() == [3 & 6, -5 & 6]


def test_uint8_wraps_python_ints_too(device):
    x = mg.tensor(np.array([200, 7], dtype=np.uint8), device=device)
    assert (x + 0).dtype == "uint8"
    assert (x ^ 257).tolist() == [200 ^ 1, 7 ^ 1] and (x ^ 257).dtype == "uint8"
    assert (x << 8).tolist() == [0, 0] and (x >> 7).tolist() == [1, 0]


def test_shifts_with_bool_operands(device):
    t = mg.tensor([True, False], device=device)
    n = mg.tensor([1, 2], device=device)
    out = t << n  # bool shifted by int64: int64
    assert out.dtype == "int64" and out.tolist() == [2, 0]
    both = t << t  # bool shifted by bool: int64 (PyTorch)
    assert both.dtype == "int64" and both.tolist() == [2, 0]
    by_bool = n >> t
    assert by_bool.dtype == "int64" and by_bool.tolist() == [0, 2]
    small = mg.tensor(np.array([4], dtype=np.int8), device=device) << mg.tensor([True], device=device)
    assert small.dtype == "int8" and small.tolist() == [8]
    assert (t & t).dtype == "bool"
    assert (mg.tensor(np.array([3], dtype=np.int16), device=device) & t[:1]).dtype == "int16"
    assert (t[:1] | mg.tensor(np.array([2], dtype=np.int16), device=device)).tolist() == [3]


def test_bool_with_a_python_bool_stays_bool(device):
    t = mg.tensor([True, False], device=device)
    assert (t ^ True).dtype == "bool" and (t ^ True).tolist() == [False, True]


def test_float_floor_division_by_zero_is_silent(device):
    """x // 0 is +-inf and 0 // 0 NaN, as in PyTorch, without NumPy's RuntimeWarnings."""
    import warnings

    x = mg.tensor([1.0, -1.0, 0.0], dtype="float64", device=device)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = (x // 0.0).tolist()
        nan = (x[2:] // x[2:]).tolist()
    assert out[:2] == [np.inf, -np.inf] and np.isnan(out[2]) and np.isnan(nan[0])


@pytest.mark.parametrize("dtype, bits", [("int8", 8), ("int32", 32), ("int64", 64)])
def test_negative_and_sign_bit_python_ints_wrap_into_the_type(dtype, bits, device):
    vals = [3, 100, 0, -7]
    x = mg.tensor(np.array(vals, dtype=dtype), device=device)
    assert (x ^ -1).tolist() == [~v for v in vals]  # -1 is all ones in every width
    top = 1 << (bits - 1)  # the sign bit alone (2**63 for int64: held as uint64 before the cast)
    out = x ^ top
    assert out.dtype == dtype and out.tolist() == [_wrap(v ^ top, bits) for v in vals]
    assert (x // -1).tolist() == [-v for v in vals]
    assert (x // (top * 2 - 1)).tolist() == [v // -1 for v in vals]  # 2**bits - 1 wraps to -1


def test_uint8_wraps_negative_python_ints(device):
    x = mg.tensor(np.array([3, 200], dtype=np.uint8), device=device)
    assert (x ^ -1).tolist() == [255 - 3, 255 - 200] and (x & -256).tolist() == [0, 0]


def test_a_number_on_the_left_of_a_shift_and_bad_operands_name_the_op(device):
    assert mg.bitwise_left_shift(1, mg.tensor([1, 2, 3], device=device)).tolist() == [1 << 1, 1 << 2, 1 << 3]
    assert mg.bitwise_right_shift(64, mg.tensor([1, 2], device=device)).tolist() == [64 >> 1, 64 >> 2]
    for args in ((mg.tensor([1], device=device), "a"), ("a", mg.tensor([1], device=device))):
        with pytest.raises(TypeError, match="^bitwise_or: cannot use str as a tensor operand"):
            mg.bitwise_or(*args)
