"""What Function.apply makes of its non-tensor inputs (NumPy scalars, subclasses of int and
float such as IntEnum members) and the messages of its device and anomaly checks."""
import enum
import warnings

import numpy as np
import pytest

import minigrad as mg


class Two(enum.IntEnum):
    TWO = 2


class Real(float):
    pass


def test_int_and_float_subclasses_act_as_the_python_numbers():
    ints = mg.arange(3)
    got = ints * Two.TWO  # an int: the int64 tensor stays int64
    assert got.dtype == mg.int64 and got.tolist() == [0, 2, 4]
    got = mg.tensor([1.0, 2.0]) * Real(2.5)  # a float, not truncated: float32 stays float32
    assert got.dtype == mg.float32 and got.tolist() == [2.5, 5.0]


@pytest.mark.parametrize("scalar, value", [(np.float16(0.5), 0.5), (np.float32(0.25), 0.25), (np.int8(3), 3),
                                           (np.uint8(3), 3)])
def test_numpy_scalars_act_as_python_numbers(scalar, value):
    # a Python number never changes the tensor's dtype (PyTorch's rule for numbers)
    for t in (mg.tensor([1.0, 2.0], dtype="float64"), mg.tensor([1, 2], dtype="int16")):
        got = t * scalar
        want = t * value
        assert got.dtype == want.dtype, (scalar, t.dtype)
        np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_the_device_mismatch_message_lists_every_input():
    a, b = mg.tensor([1.0, 2.0]), mg.tensor([1.0, 2.0], device="strict")
    with pytest.raises(mg.DeviceError) as info:
        a + b
    assert str(info.value).endswith(": all inputs must be on the same device, got (2,) on cpu, (2,) on strict:0; "
                                    "move them with .to(device) first")


def test_the_anomaly_message_names_the_op_and_every_input_shape():
    with mg.detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(FloatingPointError) as info:
            mg.tensor([1.0, 2.0]) / mg.tensor([[0.0, 1.0]])
    assert str(info.value) == "detect_anomaly: Div forward produced NaN or Inf (inputs of shape (2,), (1, 2))"
