"""Arrays from other libraries onto each device: a producer that only speaks DLPack (no
``__array__``), strict arrays on another strict device, and dtype changes on the way."""
from __future__ import annotations

import array_api_strict as xps
import numpy as np
import pytest

import minigrad as mg


class DLPackOnly:
    """An array-like that offers nothing but the DLPack protocol (as a foreign library might)."""

    def __init__(self, array):
        self._array = array

    def __dlpack__(self, **kwargs):
        return self._array.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._array.__dlpack_device__()


@pytest.mark.parametrize("make", [mg.tensor, mg.as_tensor])
def test_a_dlpack_only_producer_is_read_on_every_device(make, device):
    t = make(DLPackOnly(np.arange(3.0)), device=device)
    assert t.device == mg.device(device) and t.dtype == "float64"
    np.testing.assert_array_equal(t.numpy(), [0.0, 1.0, 2.0])
    f = make(DLPackOnly(np.arange(3.0)), dtype=mg.float32, device=device)
    assert f.dtype == "float32"
    np.testing.assert_array_equal(f.numpy(), [0.0, 1.0, 2.0])


def test_a_strict_array_moves_to_the_strict_device_asked_for_and_casts():
    src = xps.asarray([1.0, 2.0], dtype=xps.float64, device=mg.device("strict:2").native)
    t = mg.tensor(src, device="strict:1", dtype=mg.float32)
    assert t.device == mg.device("strict:1") and t.array.device == mg.device("strict:1").native
    assert t.dtype == "float32"
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])
    same = mg.tensor(src, device="strict:2")
    assert same.array.device == mg.device("strict:2").native and same.dtype == "float64"


def test_a_strict_array_onto_the_cpu_is_a_numpy_array():
    t = mg.tensor(xps.asarray([3, 4]), device="cpu")
    assert isinstance(t.array, np.ndarray) and t.dtype == "int64"
    np.testing.assert_array_equal(t.numpy(), [3, 4])
