"""Interoperability: NumPy (from_numpy, numpy(), __array__), DLPack, PyTorch and CuPy."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


# ----- NumPy ----------------------------------------------------------------------------------
def test_from_numpy_shares_memory():
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    t = mg.from_numpy(a)
    assert t.device == "cpu" and t.dtype == "float64" and t.shape == (2, 3)
    a[0, 0] = 100.0
    assert t.numpy()[0, 0] == 100.0
    with mg.no_grad():
        t.add_(1.0)
    assert a[1, 2] == 6.0


def test_from_numpy_rejects_non_arrays():
    with pytest.raises(TypeError, match="from_numpy: expected a numpy.ndarray, got list"):
        mg.from_numpy([1.0, 2.0])


def test_numpy_returns_a_copy():
    a = np.ones(3, dtype=np.float32)
    t = mg.from_numpy(a)
    n = t.numpy()
    assert not np.shares_memory(n, a)
    n[:] = 0.0
    np.testing.assert_array_equal(t.numpy(), [1.0, 1.0, 1.0])


def test_np_asarray_of_tensor(device):
    t = mg.tensor([[1.0, 2.0]], device=device, requires_grad=True)
    a = np.asarray(t)
    assert isinstance(a, np.ndarray) and a.dtype == np.float32
    np.testing.assert_array_equal(a, [[1.0, 2.0]])
    np.testing.assert_array_equal(np.asarray(t, dtype=np.float64), [[1.0, 2.0]])


def test_tolist_and_float(device):
    t = mg.tensor([[1.5, 2.0]], device=device)
    assert t.tolist() == [[1.5, 2.0]]
    assert float(mg.tensor(2.5, device=device)) == 2.5 and int(mg.tensor(3, device=device)) == 3


# ----- DLPack ---------------------------------------------------------------------------------
def test_np_from_dlpack_shares_memory_with_cpu_tensor():
    t = mg.tensor([1.0, 2.0, 3.0])
    a = np.from_dlpack(t)
    assert np.shares_memory(a, t.array)
    with mg.no_grad():
        t.mul_(2.0)
    np.testing.assert_array_equal(a, [2.0, 4.0, 6.0])


def test_np_from_dlpack_of_zero_d_result():
    s = mg.tensor([1.0, 2.0]).sum()
    np.testing.assert_array_equal(np.from_dlpack(s), 3.0)


def test_mg_from_dlpack_shares_memory():
    a = np.array([[1.0, 2.0]], dtype=np.float32)
    t = mg.from_dlpack(a)
    assert t.device == "cpu" and t.dtype == "float32" and t.shape == (1, 2)
    a[0, 1] = 9.0
    np.testing.assert_array_equal(t.numpy(), [[1.0, 9.0]])
    assert not t.requires_grad


def test_dlpack_round_trip_and_gradients():
    a = np.array([0.5, -1.0], dtype=np.float64)
    t = mg.from_dlpack(a).requires_grad_()
    (t * t).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), 2 * a)
    back = np.from_dlpack(t.detach())
    assert np.shares_memory(back, a)


def test_from_dlpack_onto_strict():
    t = mg.from_dlpack(np.array([1.0, 2.0]), device="strict")
    assert t.device == "strict" and type(t.array).__module__.startswith("array_api_strict")
    np.testing.assert_array_equal((t * 2.0).numpy(), [2.0, 4.0])


def test_strict_tensor_exports_dlpack():
    t = mg.tensor([1.0, 2.0], device="strict")
    np.testing.assert_array_equal(np.from_dlpack(t), [1.0, 2.0])


# ----- PyTorch (optional) -------------------------------------------------------------------------
def test_torch_round_trip():
    torch = pytest.importorskip("torch")
    src = torch.arange(4, dtype=torch.float32)
    t = mg.from_dlpack(src)
    assert t.device == "cpu" and t.dtype == "float32"
    src[0] = 10.0
    assert t.numpy()[0] == 10.0  # shared memory
    back = torch.from_dlpack(t)
    back[1] = 20.0
    assert t.numpy()[1] == 20.0
    x = mg.tensor(src.numpy(), requires_grad=True)
    (x * x).sum().backward()
    xt = src.clone().requires_grad_()
    (xt * xt).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy())


# ----- CuPy (GPU only) ----------------------------------------------------------------------------
def test_cupy_round_trip(cuda_available):
    if not cuda_available:
        pytest.skip("needs CuPy and a GPU")
    import cupy as cp

    src = cp.arange(4, dtype=cp.float32)
    t = mg.from_dlpack(src)
    assert t.device.type == "cuda"
    src[0] = 10.0
    assert t.numpy()[0] == 10.0
    back = cp.from_dlpack(t)
    back[1] = 20.0
    assert t.numpy()[1] == 20.0
    x = mg.tensor([1.0, 2.0], requires_grad=True).to("cuda")
    np.testing.assert_array_equal((x * 3.0).numpy(), [3.0, 6.0])
