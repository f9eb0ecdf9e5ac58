"""Devices: names, defaults (set_default_device, MINIGRAD_DEVICE), mixing rules, CUDA errors."""
from __future__ import annotations

import importlib
import sys
import types

import numpy as np
import pytest

import minigrad as mg

_device_module = importlib.import_module("minigrad.device")


@pytest.mark.parametrize("name,type_,index", [
    ("cpu", "cpu", None), ("cpu:0", "cpu", None), ("strict", "strict", 0), ("strict:0", "strict", 0),
    ("strict:1", "strict", 1), ("strict:2", "strict", 2), (" STRICT:1 ", "strict", 1),
])
def test_device_names(name, type_, index):
    d = mg.device(name)
    assert isinstance(d, mg.Device) and d.type == type_ and d.index == index
    assert mg.device(d) is d
    assert d == name.strip().lower() and d == str(d)


def test_devices_are_singletons_and_distinct():
    assert mg.device("strict") is mg.device("strict:0")
    assert mg.device("strict:1") is not mg.device("strict:2")
    assert mg.device("strict:1") != mg.device("strict:2")
    assert mg.device("cpu") != "strict" and mg.device("cpu") != "nonsense"
    assert len({mg.device("cpu"), mg.device("strict:1"), mg.device("strict:1")}) == 2


def test_array_namespaces():
    assert mg.device("cpu").xp is np
    assert mg.device("strict").xp.__name__ == "array_api_strict"


@pytest.mark.parametrize("name", ["strict", "strict:1", "strict:2"])
def test_tensors_live_on_strict_devices(name):
    t = mg.tensor([1.0, 2.0], device=name)
    assert t.device == name
    assert type(t.array).__module__.startswith("array_api_strict")
    assert (t * 2.0).device == name and t.sum().device == name


@pytest.mark.parametrize("bad", ["tpu", "gpu", "cuda:x", "cpu:1", "strict:-1", "", "cuda:", "strict:3"])
def test_bad_device_strings_raise_value_error(bad):
    with pytest.raises(ValueError, match=r"device"):
        mg.device(bad)


def test_non_string_device_raises_type_error():
    with pytest.raises(TypeError, match="device: expected a device name"):
        mg.device(3)


# ----- mixing devices ---------------------------------------------------------------------------
@pytest.mark.parametrize("op", [
    lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a @ b, lambda a, b: mg.maximum(a, b),
    lambda a, b: mg.cat([a, b]), lambda a, b: mg.where(a > 0, a, b),
], ids=["add", "mul", "matmul", "maximum", "cat", "where"])
def test_mixing_strict_devices_raises_naming_both(op):
    a = mg.ones(2, device="strict:1", requires_grad=True)
    b = mg.ones(2, device="strict:2")
    with pytest.raises(mg.DeviceError, match=r"strict:1.*strict:2|strict:2.*strict:1"):
        op(a, b)


def test_mixing_cpu_and_strict_raises():
    with pytest.raises(mg.DeviceError, match=r"cpu.*strict|strict.*cpu"):
        mg.ones(2) + mg.ones(2, device="strict")


def test_mixing_devices_in_comparisons_and_inplace():
    a, b = mg.ones(2, device="strict:1"), mg.ones(2, device="strict:2")
    with pytest.raises(mg.DeviceError, match=r"strict:1.*strict:2"):
        a < b
    with pytest.raises(mg.DeviceError, match=r"add_: .*strict:1.*strict:2"):
        a.add_(b)
    np.testing.assert_array_equal(a.numpy(), [1.0, 1.0])  # unchanged


def test_device_error_is_a_runtime_error():
    assert issubclass(mg.DeviceError, RuntimeError)


def test_moving_between_strict_devices_then_computing():
    a, b = mg.ones(2, device="strict:1", requires_grad=True), mg.full(2, fill_value=3.0, device="strict:2")
    out = (a.to("strict:2") * b).sum()
    assert out.device == "strict:2"
    out.backward()
    assert a.grad.device == "strict:1"
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 3.0])


# ----- the default device -----------------------------------------------------------------------
def test_set_default_device():
    assert mg.get_default_device() == "cpu"
    mg.set_default_device("strict:1")
    try:
        assert mg.get_default_device() == "strict:1"
        for t in (mg.tensor([1.0]), mg.zeros(2), mg.ones(2), mg.arange(3), mg.eye(2), mg.randn(2),
                  mg.Tensor([1.0, 2.0]), mg.full(2, fill_value=1.0)):
            assert t.device == "strict:1"
        assert mg.tensor(np.ones(2)).device == "strict:1"  # host data goes to the default device
    finally:
        mg.set_default_device(None)
    assert mg.get_default_device() == "cpu" and mg.zeros(1).device == "cpu"


def test_arrays_keep_their_own_device_under_a_default():
    s = mg.ones(2, device="strict:2")
    mg.set_default_device("strict:1")
    try:
        assert mg.Tensor(s.array).device == "strict:2"
    finally:
        mg.set_default_device(None)


def test_minigrad_device_environment_variable(monkeypatch):
    monkeypatch.setenv("MINIGRAD_DEVICE", "strict:2")
    assert mg.get_default_device() == "strict:2"
    assert mg.zeros(3).device == "strict:2"
    mg.set_default_device("cpu")  # an explicit setting wins over the environment
    try:
        assert mg.zeros(3).device == "cpu"
    finally:
        mg.set_default_device(None)
    monkeypatch.delenv("MINIGRAD_DEVICE")
    assert mg.zeros(3).device == "cpu"


def test_bad_minigrad_device_environment_variable(monkeypatch):
    monkeypatch.setenv("MINIGRAD_DEVICE", "tpu:7")
    with pytest.raises(ValueError, match=r"MINIGRAD_DEVICE='tpu:7'.*unknown device"):
        mg.zeros(1)


def test_empty_minigrad_device_means_cpu(monkeypatch):
    monkeypatch.setenv("MINIGRAD_DEVICE", "")
    assert mg.zeros(1).device == "cpu"


# ----- CUDA ------------------------------------------------------------------------------------
def _has_cupy():
    try:
        import cupy  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(_has_cupy(), reason="checks the message given when CuPy is missing")
@pytest.mark.parametrize("name", ["cuda", "cuda:0", "cuda:1"])
def test_cuda_without_cupy_raises_one_clear_error(name):
    with pytest.raises(mg.DeviceError) as info:
        mg.device(name)
    msg = str(info.value)
    assert "CuPy" in msg and "not installed" in msg and 'pip install "minigrad[cuda12]"' in msg
    with pytest.raises(mg.DeviceError, match="CuPy"):
        mg.zeros(2, device=name)


def _fake_cupy(get_count):
    runtime = types.SimpleNamespace(getDeviceCount=get_count)
    return types.SimpleNamespace(cuda=types.SimpleNamespace(runtime=runtime, Device=lambda i: None))


def test_cuda_with_cupy_but_no_gpu(monkeypatch):
    def no_driver():
        raise RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")

    monkeypatch.setitem(sys.modules, "cupy", _fake_cupy(no_driver))
    monkeypatch.setattr(_device_module, "_cache", dict(_device_module._cache))  # never keep a fake device
    with pytest.raises(mg.DeviceError) as info:
        mg.device("cuda")
    msg = str(info.value)
    assert "CuPy is installed but no usable GPU" in msg and "no CUDA-capable device" in msg
    assert 'pip install "minigrad[cuda12]"' in msg


def test_cuda_index_beyond_visible_gpus(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", _fake_cupy(lambda: 1))
    monkeypatch.setattr(_device_module, "_cache", dict(_device_module._cache))
    with pytest.raises(mg.DeviceError, match=r"cuda:3.*only 1 GPU"):
        mg.device("cuda:3")


def test_cuda_device_works_when_available(cuda_available):
    if not cuda_available:
        pytest.skip("needs CuPy and a GPU")
    x = mg.tensor([1.0, 2.0], device="cuda", requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])
    y = x.to("cpu")
    assert y.device == "cpu" and isinstance(y.array, np.ndarray)
