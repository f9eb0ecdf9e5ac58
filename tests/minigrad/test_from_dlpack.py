"""``mg.from_dlpack``: a tensor that shares memory with any DLPack producer on the host, as
``torch.from_dlpack``; what is shared is checked by writing through one side and reading the other."""
from __future__ import annotations

import array_api_strict as xps
import numpy as np
import pytest

import minigrad as mg


def test_a_numpy_array_is_shared_not_copied():
    a = np.arange(6.0).reshape(2, 3)
    t = mg.from_dlpack(a)
    assert t.device == mg.device("cpu") and t.dtype == "float64" and t.shape == (2, 3)
    assert t.requires_grad is False and t.is_leaf
    a[1, 2] = -7.0
    assert t.numpy()[1, 2] == -7.0


def test_a_host_producer_goes_to_the_cpu_unless_another_device_is_asked(device):
    host = xps.asarray([1.0, 2.0, 3.0], dtype=xps.float32)
    t = mg.from_dlpack(host, device=device)
    assert t.device == mg.device(device) and t.dtype == "float32" and t.requires_grad is False
    assert type(t.array).__module__.split(".")[0] == ("numpy" if device == "cpu" else "array_api_strict")
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0, 3.0])
    assert mg.from_dlpack(host).device == mg.device("cpu")
    assert isinstance(mg.from_dlpack(np.ones(2), device="cpu").array, np.ndarray)


def test_a_tensor_round_trips_through_dlpack():
    t = mg.tensor([1.5, 2.5])
    back = mg.from_dlpack(t)
    assert back.device == t.device
    back.array[0] = 9.0
    assert t.numpy()[0] == 9.0


def test_a_torch_tensor_is_shared():
    torch = pytest.importorskip("torch")
    src = torch.arange(4, dtype=torch.float32)
    t = mg.from_dlpack(src)
    assert t.device == mg.device("cpu") and t.dtype == "float32"
    src[2] = 40.0
    np.testing.assert_array_equal(t.numpy(), [0.0, 1.0, 40.0, 3.0])


def test_host_memory_stays_on_the_cpu_whatever_the_default_device():
    """As torch.from_dlpack: the tensor lives where the producer's memory is, not on the default device."""
    a = np.arange(3.0)
    mg.set_default_device("strict")
    try:
        t = mg.from_dlpack(a)
        n = mg.from_numpy(a)
    finally:
        mg.set_default_device(None)
    assert t.device == mg.device("cpu") and n.device == mg.device("cpu")
    a[0] = 5.0
    assert t.numpy()[0] == 5.0 and n.numpy()[0] == 5.0


def test_from_numpy_refuses_anything_but_an_ndarray():
    with pytest.raises(TypeError, match=r"^from_numpy: expected a numpy.ndarray, got list$"):
        mg.from_numpy([1.0, 2.0])
