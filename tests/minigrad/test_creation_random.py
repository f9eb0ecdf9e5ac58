"""Factories (tensor, zeros, ones, full, arange, eye, *_like, rand, randn, ...) and seeding."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


# ----- deterministic factories ------------------------------------------------------------------
def test_tensor_copies_its_data(device):
    a = np.array([1.0, 2.0], dtype=np.float32)
    t = mg.tensor(a, device=device)
    a[0] = 50.0
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])
    u = mg.tensor(t)
    with mg.no_grad():
        u.add_(1.0)
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])
    assert u.device == t.device


def test_tensor_from_nested_lists(device):
    t = mg.tensor([[1, 2], [3, 4]], device=device)
    assert t.shape == (2, 2) and t.dtype == "int64" and t.device == device
    f = mg.tensor([[1, 2.5]], device=device)
    assert f.dtype == "float32"
    np.testing.assert_array_equal(f.numpy(), [[1.0, 2.5]])
    assert mg.tensor([], device=device).shape == (0,)


def test_tensor_dtype_and_requires_grad(device):
    t = mg.tensor([1, 2], dtype=mg.float64, device=device, requires_grad=True)
    assert t.dtype == "float64" and t.requires_grad and t.is_leaf


@pytest.mark.parametrize("factory,value", [(mg.zeros, 0.0), (mg.ones, 1.0)])
def test_zeros_ones(device, factory, value):
    for shape_args, shape in [((2, 3), (2, 3)), (((2, 3),), (2, 3)), (([4],), (4,)), ((), ())]:
        t = factory(*shape_args, device=device)
        assert t.shape == shape and t.dtype == "float32" and t.device == device
        np.testing.assert_array_equal(t.numpy(), np.full(shape, value))
    t = factory(3, dtype=mg.float64, device=device, requires_grad=True)
    assert t.dtype == "float64" and t.requires_grad


def test_full(device):
    t = mg.full(2, 3, fill_value=1.5, device=device)
    assert t.shape == (2, 3) and t.dtype == "float32"
    np.testing.assert_array_equal(t.numpy(), np.full((2, 3), 1.5))
    assert mg.full(2, fill_value=7, device=device).dtype == "int64"
    assert mg.full(2, fill_value=True, device=device).dtype == "bool"
    assert mg.full((2,), fill_value=2, dtype=mg.float64, device=device).dtype == "float64"


def test_arange(device):
    t = mg.arange(5, device=device)
    assert t.dtype == "int64"
    np.testing.assert_array_equal(t.numpy(), np.arange(5))
    np.testing.assert_array_equal(mg.arange(2, 11, 3, device=device).numpy(), [2, 5, 8])
    f = mg.arange(0, 1, 0.25, device=device)
    assert f.dtype == "float32"
    np.testing.assert_allclose(f.numpy(), [0.0, 0.25, 0.5, 0.75])
    assert mg.arange(3, dtype=mg.float64, device=device).dtype == "float64"


def test_linspace(device):
    t = mg.linspace(0, 1, 5, device=device)
    assert t.dtype == "float32"
    np.testing.assert_allclose(t.numpy(), np.linspace(0, 1, 5))


def test_eye(device):
    np.testing.assert_array_equal(mg.eye(3, device=device).numpy(), np.eye(3))
    np.testing.assert_array_equal(mg.eye(2, 4, device=device).numpy(), np.eye(2, 4))
    assert mg.eye(2, device=device).dtype == "float32"


def test_like_factories(device):
    src = mg.tensor([[1.0, 2.0, 3.0]], dtype=mg.float64, device=device)
    for t, value in [(mg.zeros_like(src), 0.0), (mg.ones_like(src), 1.0), (mg.full_like(src, 4.0), 4.0)]:
        assert t.shape == (1, 3) and t.dtype == "float64" and t.device == device and not t.requires_grad
        np.testing.assert_array_equal(t.numpy(), np.full((1, 3), value))
    assert mg.zeros_like(src, dtype=mg.float32).dtype == "float32"
    assert mg.ones_like(src, requires_grad=True).requires_grad
    r = mg.rand_like(src)
    assert r.shape == (1, 3) and r.dtype == "float64" and r.device == device
    n = mg.randn_like(src)
    assert n.shape == (1, 3) and n.dtype == "float64" and n.device == device


def test_like_factories_across_devices():
    src = mg.ones(2, device="strict:1")
    assert mg.zeros_like(src).device == "strict:1"
    assert mg.zeros_like(src, device="cpu").device == "cpu"


def test_negative_shape_raises():
    with pytest.raises(ValueError, match=r"negative dimension in shape \(2, -1\)"):
        mg.zeros(2, -1)


# ----- random ------------------------------------------------------------------------------------
def test_rand_and_randn_shapes_dtypes_ranges(device):
    mg.manual_seed(0)
    u = mg.rand(2000, device=device)
    n = mg.randn(2000, device=device)
    assert u.shape == (2000,) and u.dtype == "float32" and u.device == device
    assert n.dtype == "float32" and n.device == device
    uv, nv = u.numpy(), n.numpy()
    assert uv.min() >= 0.0 and uv.max() < 1.0
    assert abs(uv.mean() - 0.5) < 0.05 and abs(nv.mean()) < 0.1 and abs(nv.std() - 1.0) < 0.1
    assert mg.randn(3, dtype=mg.float64, device=device).dtype == "float64"
    assert mg.rand(2, 3, device=device, requires_grad=True).requires_grad


def test_other_distributions(device):
    g = mg.Generator(device, seed=1)
    u = mg.uniform(1000, low=-2.0, high=3.0, device=device, generator=g).numpy()
    assert u.min() >= -2.0 and u.max() < 3.0 and u.min() < -1.5 and u.max() > 2.5
    n = mg.normal(1000, mean=5.0, std=0.1, device=device, generator=g).numpy()
    assert abs(n.mean() - 5.0) < 0.05
    k = mg.randint(2, 5, (1000,), device=device, generator=g)
    assert k.dtype == "int64" and set(np.unique(k.numpy())) == {2, 3, 4}
    b = mg.bernoulli((1000,), 0.3, device=device, generator=g)
    assert b.dtype == "float32" and set(np.unique(b.numpy())) == {0.0, 1.0}
    assert abs(b.numpy().mean() - 0.3) < 0.06


def test_zero_d_random_draw_is_an_array():
    assert isinstance(mg.rand(()).array, np.ndarray)


def test_manual_seed_reproduces(device):
    mg.manual_seed(123)
    a = mg.randn(5, device=device).numpy()
    b = mg.rand(5, device=device).numpy()
    mg.manual_seed(123)
    np.testing.assert_array_equal(mg.randn(5, device=device).numpy(), a)
    np.testing.assert_array_equal(mg.rand(5, device=device).numpy(), b)
    mg.manual_seed(124)
    assert not np.array_equal(mg.randn(5, device=device).numpy(), a)


def test_consecutive_draws_differ(device):
    mg.manual_seed(7)
    assert not np.array_equal(mg.randn(5, device=device).numpy(), mg.randn(5, device=device).numpy())


def test_manual_seed_reseeds_every_device():
    mg.manual_seed(5)
    a = mg.randn(4, device="strict:1").numpy()
    mg.rand(10, device="cpu")  # drawing on another device does not disturb this one
    b = mg.randn(4, device="strict:1").numpy()
    mg.manual_seed(5)
    np.testing.assert_array_equal(mg.randn(4, device="strict:1").numpy(), a)
    np.testing.assert_array_equal(mg.randn(4, device="strict:1").numpy(), b)


def test_generator_is_independent_of_the_global_one(device):
    mg.manual_seed(0)
    g = mg.Generator(device, seed=42)
    first = mg.randn(5, device=device, generator=g).numpy()
    mg.randn(100, device=device)  # global draws do not move g
    mg.manual_seed(999)  # nor does reseeding the global generators
    second = mg.randn(5, device=device, generator=g).numpy()
    h = mg.Generator(device, seed=42)
    np.testing.assert_array_equal(mg.randn(5, device=device, generator=h).numpy(), first)
    np.testing.assert_array_equal(mg.randn(5, device=device, generator=h).numpy(), second)
    # and drawing from g does not move the global stream
    mg.manual_seed(3)
    want = mg.randn(5, device=device).numpy()
    mg.manual_seed(3)
    mg.randn(50, device=device, generator=g)
    np.testing.assert_array_equal(mg.randn(5, device=device).numpy(), want)


def test_generator_state_save_restore(device):
    g = mg.Generator(device, seed=11)
    mg.rand(3, device=device, generator=g)
    state = g.get_state()
    a = mg.rand(6, device=device, generator=g).numpy()
    b = mg.randn(2, 3, device=device, generator=g).numpy()
    g.set_state(state)
    np.testing.assert_array_equal(mg.rand(6, device=device, generator=g).numpy(), a)
    np.testing.assert_array_equal(mg.randn(2, 3, device=device, generator=g).numpy(), b)
    other = mg.Generator(device, seed=0)
    other.set_state(state)  # a state moves between generators
    np.testing.assert_array_equal(mg.rand(6, device=device, generator=other).numpy(), a)


def test_generator_manual_seed_and_initial_seed(device):
    g = mg.Generator(device)
    assert g.manual_seed(8) is g and g.initial_seed() == 8
    a = mg.rand(4, device=device, generator=g).numpy()
    g.manual_seed(8)
    np.testing.assert_array_equal(mg.rand(4, device=device, generator=g).numpy(), a)
    assert g.device == device


def test_generator_device_is_used_by_default():
    g = mg.Generator("strict:2", seed=0)
    assert mg.randn(2, generator=g).device == "strict:2"


def test_generator_for_another_device_raises():
    g = mg.Generator("cpu", seed=0)
    with pytest.raises(ValueError, match=r"generator is for cpu, the tensor for strict"):
        mg.randn(2, device="strict", generator=g)


def test_default_generator():
    g = mg.default_generator("cpu")
    assert g is mg.default_generator("cpu") and g.device == "cpu"
    mg.manual_seed(21)
    a = mg.randn(3).numpy()
    mg.manual_seed(21)
    np.testing.assert_array_equal(mg.randn(3, generator=mg.default_generator("cpu")).numpy(), a)
