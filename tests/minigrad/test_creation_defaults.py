"""Every factory's defaults, as PyTorch's: ``requires_grad=False``, the default float dtype, the
default device; and each keyword honoured when given.  Values against NumPy's own factories."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

# name -> (call with keywords, NumPy's values for the same call or None for random draws)
FACTORIES = {
    "zeros": (lambda **k: mg.zeros(2, 3, **k), np.zeros((2, 3))),
    "ones": (lambda **k: mg.ones((2, 3), **k), np.ones((2, 3))),
    "empty": (lambda **k: mg.empty(2, 3, **k), None),
    "full": (lambda **k: mg.full((2, 3), 1.5, **k), np.full((2, 3), 1.5)),
    "arange": (lambda **k: mg.arange(0.0, 1.0, 0.25, **k), np.arange(0.0, 1.0, 0.25)),
    "linspace": (lambda **k: mg.linspace(-1, 1, 5, **k), np.linspace(-1, 1, 5)),
    "eye": (lambda **k: mg.eye(3, **k), np.eye(3)),
    "eye-rect": (lambda **k: mg.eye(2, 4, **k), np.eye(2, 4)),
    "rand": (lambda **k: mg.rand(2, 3, **k), None),
    "randn": (lambda **k: mg.randn(2, 3, **k), None),
    "uniform": (lambda **k: mg.uniform(2, 3, **k), None),
    "normal": (lambda **k: mg.normal(0.0, 1.0, (2, 3), **k), None),
}


@pytest.mark.parametrize("name", FACTORIES)
def test_defaults_are_pytorchs(name):
    call, expected = FACTORIES[name]
    t = call()
    assert t.requires_grad is False and t.is_leaf
    assert t.dtype == mg.get_default_dtype() and t.device == mg.get_default_device()
    if expected is not None:
        np.testing.assert_array_equal(t.numpy(), expected.astype(np.float32))


@pytest.mark.parametrize("name", FACTORIES)
def test_keywords_are_honoured(name, device):
    call, expected = FACTORIES[name]
    t = call(dtype=mg.float64, device=device, requires_grad=True)
    assert t.requires_grad is True and t.is_leaf and t.grad is None
    assert t.dtype == "float64" and t.device == mg.device(device)
    if expected is not None:
        np.testing.assert_array_equal(t.numpy(), expected)


def test_uniform_defaults_to_the_unit_interval():
    u = mg.uniform(2000, generator=mg.Generator(seed=3), dtype=mg.float64).numpy()
    np.testing.assert_allclose(u, np.random.default_rng(3).random(2000))


@pytest.mark.parametrize("op, call", [
    ("zeros", lambda: mg.zeros(2, 2.5)), ("ones", lambda: mg.ones(2.5)), ("full", lambda: mg.full((2.5,), 1.0)),
    ("linspace", lambda: mg.linspace(0, 1, 2.5)), ("eye", lambda: mg.eye(2.5)), ("eye", lambda: mg.eye(2, 2.5)),
    ("zeros", lambda: mg.zeros(True)),
])
def test_a_non_integer_size_is_refused_naming_the_factory(op, call):
    with pytest.raises(TypeError, match=rf"^{op}: a shape holds integers, got "):
        call()


def test_a_negative_size_is_refused_naming_the_factory():
    with pytest.raises(ValueError, match=r"^ones: negative dimension in shape \(2, -1\)$"):
        mg.ones(2, -1)


@pytest.mark.parametrize("factory, fill", [(mg.zeros_like, 0.0), (mg.ones_like, 1.0),
                                           (lambda t, **k: mg.full_like(t, 2.5, **k), 2.5)])
def test_like_factories_copy_the_template_or_take_each_keyword(factory, fill, device):
    t = mg.arange(6, dtype=mg.float64, device=device).reshape(2, 3)
    same = factory(t)
    assert same.shape == (2, 3) and same.dtype == "float64" and same.device == t.device
    assert same.requires_grad is False
    np.testing.assert_array_equal(same.numpy(), np.full((2, 3), fill))
    other = factory(t, dtype=mg.float32, device="cpu", requires_grad=True)
    assert other.dtype == "float32" and other.device == mg.device("cpu") and other.requires_grad


def test_tensor_and_as_tensor_keep_requires_grad_false_and_take_dtype_and_device(device):
    data = np.arange(3.0)
    t = mg.tensor(data, device=device)
    assert t.requires_grad is False and t.dtype == "float64" and t.device == mg.device(device)
    a = mg.as_tensor(data, dtype=mg.float32, device=device)
    assert a.dtype == "float32" and a.device == mg.device(device) and not a.requires_grad
    np.testing.assert_array_equal(a.numpy(), data.astype(np.float32))
    moved = mg.as_tensor(mg.tensor(data), dtype=mg.float32, device=device)
    assert moved.dtype == "float32" and moved.device == mg.device(device)
    shared = mg.as_tensor(data)
    assert shared.array is data and shared.requires_grad is False and shared.device == mg.device("cpu")
    assert mg.from_numpy(data).array is data and mg.from_numpy(data).requires_grad is False


@pytest.mark.parametrize("name", FACTORIES)
def test_each_factory_allocates_on_the_strict_device_asked_for(name):
    """array-api-strict has three devices; the array itself must live on the one asked for."""
    t = FACTORIES[name][0](device="strict:1")
    assert t.device == mg.device("strict:1") and t.array.device == mg.device("strict:1").native


def test_randint_takes_its_device_without_a_generator_and_never_requires_grad():
    t = mg.randint(0, 3, (4,), device="strict:1")
    assert t.device == mg.device("strict:1") and t.array.device == mg.device("strict:1").native
    assert t.requires_grad is False and t.dtype == "int64"


def test_as_tensor_moves_an_array_to_the_device_asked_for():
    data = np.arange(3.0)
    t = mg.as_tensor(data, device="strict")
    assert t.device == mg.device("strict") and t.dtype == "float64"
    np.testing.assert_array_equal(t.numpy(), data)


def test_refusals_give_their_whole_message():
    with pytest.raises(ValueError, match=r"^arange: step must be nonzero, got 0$"):
        mg.arange(0, 5, 0)
    with pytest.raises(TypeError, match=r"^full: missing fill_value; call full\(size, fill_value\) or "
                                         r"full\(\*size, fill_value=\.\.\.\)$"):
        mg.full(2, 3)
    with pytest.raises(TypeError, match=r"^normal: a shape holds integers"):
        mg.normal(0.0, 1.0, mg.tensor([3]))


@pytest.mark.parametrize("scalar", [np.float64(1.5), np.float32(1.5), np.float16(1.5), np.int32(3), np.int8(-2),
                                    np.uint8(7), np.bool_(True)])
def test_a_numpy_scalar_keeps_its_dtype_alone_or_in_a_list(scalar, device):
    """As torch.tensor: np.float64 (a subclass of Python's float) is float64, not the default float."""
    if device.startswith("strict") and scalar.dtype == np.float16:
        return
    expected = scalar.dtype.name
    assert mg.tensor(scalar, device=device).dtype == expected
    assert mg.tensor([scalar, scalar], device=device).dtype == expected
    assert mg.as_tensor(scalar, device=device).dtype == expected
    assert mg.tensor(scalar, device=device).item() == scalar.item()
