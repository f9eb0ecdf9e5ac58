"""Behaviour of the Tensor object itself: attributes, conversion, printing, operators, dtypes.

Oracles are NumPy computations on the same values, never minigrad's own output.
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


def _arr(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ----- attributes ----------------------------------------------------------------------------
def test_attributes(device):
    a = _arr((2, 3, 4))
    t = mg.tensor(a, device=device)
    assert t.shape == (2, 3, 4) and isinstance(t.shape, tuple)
    assert t.ndim == 3
    assert t.numel() == 24 and isinstance(t.numel(), int)
    assert t.dtype == "float32" and t.dtype == mg.float32 and t.dtype == np.float32
    assert t.device == device
    assert t.requires_grad is False and t.grad is None and t.grad_fn is None and t.is_leaf
    np.testing.assert_array_equal(t.numpy(), a)


def test_zero_d_tensor(device):
    t = mg.tensor(2.5, device=device)
    assert t.shape == () and t.ndim == 0 and t.numel() == 1
    assert t.item() == 2.5 and isinstance(t.item(), float)


def test_requires_grad_and_grad_fn(device):
    w = mg.tensor([1.0, 2.0], requires_grad=True, device=device)
    assert w.requires_grad and w.is_leaf and w.grad_fn is None
    y = w * 3.0
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    assert y.grad_fn.name == "Mul"
    z = mg.tensor([1.0, 2.0], device=device) * 3.0
    assert not z.requires_grad and z.grad_fn is None


def test_requires_grad_setter_and_method(device):
    t = mg.zeros(3, device=device)
    assert t.requires_grad_() is t and t.requires_grad
    t.requires_grad = False
    assert not t.requires_grad


# ----- backward ------------------------------------------------------------------------------
def test_backward_scalar_default_gradient(device):
    a = _arr((3, 2), seed=1)
    x = mg.tensor(a, requires_grad=True, device=device)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * a, rtol=1e-6)
    assert x.grad.shape == x.shape and x.grad.dtype == "float32" and x.grad.device == device


def test_backward_with_gradient(device):
    a, g = _arr((2, 3), seed=2), _arr((2, 3), seed=3)
    x = mg.tensor(a, requires_grad=True, device=device)
    y = x * x
    y.backward(gradient=mg.tensor(g, device=device))
    np.testing.assert_allclose(x.grad.numpy(), 2 * a * g, rtol=1e-6)


def test_backward_gradient_as_numpy_array():
    a, g = _arr((4,), seed=2), _arr((4,), seed=3)
    x = mg.tensor(a, requires_grad=True)
    (x * 3.0).backward(g)
    np.testing.assert_allclose(x.grad.numpy(), 3 * g, rtol=1e-6)


def test_backward_retain_graph_parameter(device):
    x = mg.tensor([1.0, -2.0], requires_grad=True, device=device)
    y = (x * x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * 3 * np.array([1.0, 4.0]), rtol=1e-6)


def test_backward_create_graph_parameter(device):
    x = mg.tensor([0.5, 2.0], requires_grad=True, device=device)
    (x * x * x).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad  # the gradient has a graph of its own
    np.testing.assert_allclose(g.numpy(), 3 * np.array([0.25, 4.0]), rtol=1e-6)
    x.zero_grad()
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * np.array([0.5, 2.0]), rtol=1e-6)


# ----- detach / item / numpy / zero_grad ---------------------------------------------------------
def test_detach_shares_data_and_has_no_graph(device):
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True, device=device)
    y = x * 2.0
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    assert d.array is y.array
    with mg.no_grad():
        d.add_(1.0)
    np.testing.assert_allclose(y.numpy(), [3.0, 5.0, 7.0])  # change seen through the original


def test_detach_cpu_memory_shared():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert np.shares_memory(d.array, x.array)


def test_item(device):
    assert mg.tensor([[7.0]], device=device).item() == 7.0
    assert mg.tensor(3, device=device).item() == 3 and isinstance(mg.tensor(3, device=device).item(), int)
    assert mg.tensor(True, device=device).item() is True
    with pytest.raises(ValueError, match=r"item: .*shape \(2,\)"):
        mg.ones(2, device=device).item()


def test_numpy_is_a_copy(device):
    a = np.array([1.0, 2.0], dtype=np.float32)
    t = mg.tensor(a, device=device)
    n = t.numpy()
    assert isinstance(n, np.ndarray)
    n[0] = 100.0
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])


def test_numpy_of_tensor_requiring_grad(device):
    x = mg.tensor([1.0, 2.0], requires_grad=True, device=device)
    np.testing.assert_array_equal((x * 2.0).numpy(), [2.0, 4.0])


def test_zero_grad(device):
    x = mg.tensor([1.0, 2.0], requires_grad=True, device=device)
    (x * 2.0).sum().backward()
    assert x.grad is not None
    x.zero_grad()
    assert x.grad is None
    (x * 5.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 5.0])  # not 7: the old gradient is gone


# ----- to(device, dtype) ----------------------------------------------------------------------
def test_to_dtype_is_differentiable(device):
    a = _arr((3,), seed=4)
    x = mg.tensor(a, requires_grad=True, device=device)
    y = x.to(dtype=mg.float64)
    assert y.dtype == "float64" and y.device == device and y.requires_grad
    np.testing.assert_allclose(y.numpy(), a.astype(np.float64))
    (y * y).sum().backward()
    assert x.grad.dtype == "float32"  # gradient cast back to the input's dtype
    np.testing.assert_allclose(x.grad.numpy(), 2 * a, rtol=1e-6)


def test_to_same_is_identity(device):
    x = mg.ones(2, device=device)
    assert x.to(device) is x and x.to(dtype="float32") is x and x.to(device, mg.float32) is x


def test_to_copy_true_copies(device):
    x = mg.ones(2, device=device)
    y = x.to(device, copy=True)
    assert y is not x
    with mg.no_grad():
        y.add_(1.0)
    np.testing.assert_array_equal(x.numpy(), [1.0, 1.0])


@pytest.mark.parametrize("src,dst", [("cpu", "strict"), ("strict", "cpu"), ("strict:1", "strict:2")])
def test_to_device_and_dtype_gradient_flows_back(src, dst):
    a = _arr((2, 3), seed=5)
    x = mg.tensor(a, requires_grad=True, device=src)
    y = x.to(dst, mg.float64)
    assert y.device == dst and y.dtype == "float64"
    assert type(y.array).__module__.split(".")[0] == ("numpy" if dst == "cpu" else "array_api_strict")
    np.testing.assert_allclose(y.numpy(), a.astype(np.float64))
    (y * y * 0.5).sum().backward()  # dL/dy = y, so dL/dx = x
    assert x.grad.device == src and x.grad.dtype == "float32"
    np.testing.assert_allclose(x.grad.numpy(), a, rtol=1e-6)


def test_to_device_result_can_be_used_on_that_device():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x.to("strict")
    z = y * mg.tensor([3.0, 4.0], device="strict")  # would be a DeviceError if y were mislabelled
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 4.0])


def test_to_device_of_zero_d_and_int_tensor():
    t = mg.tensor(5, device="cpu").to("strict")
    assert t.device == "strict" and t.dtype == "int64" and t.item() == 5


# ----- printing --------------------------------------------------------------------------------
def test_repr_shows_values_dtype_device(device):
    t = mg.tensor([1.5, -2.25], device=device)
    r = repr(t)
    assert "1.5" in r and "-2.25" in r and "float32" in r and str(t.device) in r
    assert "requires_grad" not in r and "grad_fn" not in r


def test_repr_shows_requires_grad_and_grad_fn(device):
    w = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True, device=device)
    assert "requires_grad=True" in repr(w) and "float64" in repr(w)
    r = repr(w * w)
    assert "grad_fn=<Mul>" in r and "4." in r


def test_str_works_for_zero_d_and_bool(device):
    assert "3." in repr(mg.tensor(3.0, device=device))
    assert "True" in repr(mg.tensor([True, False], device=device))


# ----- dtype policy --------------------------------------------------------------------------
def test_default_float_is_float32(device):
    assert mg.tensor([1.0, 2.0], device=device).dtype == "float32"
    assert mg.tensor(1.5, device=device).dtype == "float32"
    assert mg.zeros(2, device=device).dtype == "float32"
    assert mg.get_default_dtype() == "float32"


def test_float64_on_request(device):
    assert mg.tensor([1.0], dtype=mg.float64, device=device).dtype == "float64"
    assert mg.ones(2, dtype="float64", device=device).dtype == "float64"
    assert mg.tensor(np.ones(2, dtype=np.float64), device=device).dtype == "float64"  # arrays keep theirs


def test_set_default_dtype_restorable():
    mg.set_default_dtype(mg.float64)
    try:
        assert mg.tensor([1.0]).dtype == "float64"
    finally:
        mg.set_default_dtype(mg.float32)
    with pytest.raises(TypeError, match="floating"):
        mg.set_default_dtype(mg.int64)


@pytest.mark.parametrize("op", [lambda x: x * 2.0, lambda x: x + 1, lambda x: 2.0 * x, lambda x: 1 - x,
                                lambda x: x / 3, lambda x: 3.0 / x, lambda x: x ** 2, lambda x: x ** 0.5,
                                lambda x: 2.0 ** x, lambda x: -x])
def test_python_scalars_do_not_upcast_float32(device, op):
    x = mg.tensor([1.0, 2.0], device=device)
    assert op(x).dtype == "float32"


def test_python_scalars_keep_float64(device):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device)
    assert (x * 2.0).dtype == "float64" and (1 + x).dtype == "float64"


def test_integer_and_bool_tensors(device):
    i = mg.tensor([1, 2, 3], device=device)
    b = mg.tensor([True, False], device=device)
    assert i.dtype == "int64" and b.dtype == "bool"
    assert (i + 1).dtype == "int64"
    np.testing.assert_array_equal((i * 2).numpy(), [2, 4, 6])


@pytest.mark.parametrize("make", [
    lambda d: mg.tensor([1, 2], requires_grad=True, device=d),
    lambda d: mg.tensor([True], requires_grad=True, device=d),
    lambda d: mg.zeros(2, dtype=mg.int64, requires_grad=True, device=d),
    lambda d: mg.arange(3, requires_grad=True, device=d),
    lambda d: mg.Tensor([1, 2], requires_grad=True, device=d),
    lambda d: mg.tensor([1, 2], device=d).requires_grad_(),
])
def test_integer_tensors_cannot_require_grad(device, make):
    with pytest.raises(TypeError, match=r"requires_grad: only floating-point.*(int64|bool)"):
        make(device)


def test_comparisons_give_bool_tensors_without_grad(device):
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True, device=device)
    y = mg.tensor([3.0, 2.0, 1.0], device=device)
    cases = {
        (x < y): [True, False, False], (x <= y): [True, True, False], (x > y): [False, False, True],
        (x >= y): [False, True, True], (x == y): [False, True, False], (x != y): [True, False, True],
        (x > 1.5): [False, True, True], (2.0 < x): [False, False, True],
    }
    for got, want in cases.items():
        assert got.dtype == "bool" and not got.requires_grad and got.grad_fn is None
        np.testing.assert_array_equal(got.numpy(), want)


# ----- operators -------------------------------------------------------------------------------
def test_binary_operators_forward_and_backward(device):
    a, b = _arr((2, 3), seed=6, dtype=np.float64), np.abs(_arr((2, 3), seed=7, dtype=np.float64)) + 0.5
    x = mg.tensor(a, requires_grad=True, device=device)
    y = mg.tensor(b, requires_grad=True, device=device)
    cases = [
        (lambda p, q: p + q, a + b, (np.ones_like(a), np.ones_like(b))),
        (lambda p, q: p - q, a - b, (np.ones_like(a), -np.ones_like(b))),
        (lambda p, q: p * q, a * b, (b, a)),
        (lambda p, q: p / q, a / b, (1 / b, -a / b ** 2)),
        (lambda p, q: q ** p, b ** a, (b ** a * np.log(b), a * b ** (a - 1))),
    ]
    for f, want, (ga, gb) in cases:
        x.zero_grad()
        y.zero_grad()
        out = f(x, y)
        np.testing.assert_allclose(out.numpy(), want, rtol=1e-12)
        out.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), ga, rtol=1e-10)
        np.testing.assert_allclose(y.grad.numpy(), gb, rtol=1e-10)


def test_matmul_operator(device):
    a, b = _arr((3, 4), seed=8, dtype=np.float64), _arr((4, 2), seed=9, dtype=np.float64)
    x = mg.tensor(a, requires_grad=True, device=device)
    w = mg.tensor(b, requires_grad=True, device=device)
    out = x @ w
    np.testing.assert_allclose(out.numpy(), a @ b, rtol=1e-12)
    g = _arr((3, 2), seed=10, dtype=np.float64)
    out.backward(mg.tensor(g, device=device))
    np.testing.assert_allclose(x.grad.numpy(), g @ b.T, rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), a.T @ g, rtol=1e-12)


def test_unary_minus_and_abs(device):
    a = np.array([1.5, -2.0, 0.25])
    x = mg.tensor(a, requires_grad=True, device=device)
    np.testing.assert_allclose((-x).numpy(), -a.astype(np.float32))
    (-x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [-1.0, -1.0, -1.0])
    np.testing.assert_allclose(abs(x).numpy(), np.abs(a))


def test_reflected_operators(device):
    a = np.array([1.0, 2.0, 4.0], dtype=np.float32)
    x = mg.tensor(a, requires_grad=True, device=device)
    for out, want, grad in [(2 - x, 2 - a, -np.ones(3)), (2 / x, 2 / a, -2 / a ** 2), (3 * x, 3 * a, 3 * np.ones(3)),
                            (1 + x, 1 + a, np.ones(3)), (2 ** x, 2 ** a, 2 ** a * np.log(2))]:
        x.zero_grad()
        assert isinstance(out, mg.Tensor) and out.dtype == "float32"
        np.testing.assert_allclose(out.numpy(), want, rtol=1e-6)
        out.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), grad, rtol=1e-6)


def test_numpy_array_on_the_left_gives_tensor():
    a = np.array([1.0, 2.0], dtype=np.float32)
    x = mg.tensor([10.0, 20.0], requires_grad=True)
    for out, want in [(a + x, [11.0, 22.0]), (a - x, [-9.0, -18.0]), (a * x, [10.0, 40.0]), (a / x, [0.1, 0.1])]:
        assert isinstance(out, mg.Tensor) and out.requires_grad
        np.testing.assert_allclose(out.numpy(), want, rtol=1e-6)
    m = np.eye(2, dtype=np.float32) @ mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert isinstance(m, mg.Tensor)
    np.testing.assert_array_equal(m.numpy(), [[1.0, 2.0], [3.0, 4.0]])


def test_getitem_forward_and_backward(device):
    a = _arr((4, 5), seed=11)
    x = mg.tensor(a, requires_grad=True, device=device)
    keys = [1, (slice(1, 3), 2), (Ellipsis, -1), (slice(None, None, 2),), (None, 0), ([0, 0, 3],)]
    for key in keys:
        x.zero_grad()
        out = x[key]
        np.testing.assert_array_equal(out.numpy(), a[key])
        out.sum().backward()
        want = np.zeros_like(a)
        np.add.at(want, key, 1.0)  # repeated indices accumulate
        np.testing.assert_array_equal(x.grad.numpy(), want)


def test_getitem_with_tensor_index_and_mask(device):
    a = _arr((5,), seed=12)
    x = mg.tensor(a, requires_grad=True, device=device)
    idx = mg.tensor([4, 1, 4], device=device)
    out = x[idx]
    np.testing.assert_array_equal(out.numpy(), a[[4, 1, 4]])
    mask = x > 0
    np.testing.assert_array_equal(x[mask].numpy(), a[a > 0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 1, 0, 0, 2])


def test_len_and_iter(device):
    t = mg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], device=device)
    assert len(t) == 3
    rows = [r.numpy().tolist() for r in t]
    assert rows == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    with pytest.raises(TypeError, match="0-d"):
        len(mg.tensor(1.0, device=device))


def test_clone_is_a_differentiable_copy(device):
    x = mg.tensor([1.0, 2.0], requires_grad=True, device=device)
    c = x.clone()
    assert c.array is not x.array and c.requires_grad
    (c * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_zero_d_results_are_writable_arrays():
    """0-d results must stay arrays of the device (NumPy turns 0-d results into scalars)."""
    s = mg.ones(3).sum()
    assert isinstance(s.array, np.ndarray)
    s.add_(1.0)
    assert s.item() == 4.0
    y = mg.tensor(2.0) * mg.tensor(3.0)
    assert isinstance(y.array, np.ndarray)
    y[()] = 7.0
    assert y.item() == 7.0


# ----- assignment -------------------------------------------------------------------------------
@pytest.mark.parametrize("key,value", [
    (0, 5.0), ((slice(None), 0), [7.0, 8.0]), ((1, slice(1, None)), [1.5, 2.5]), ((Ellipsis, -1), 3.0),
    (([0, 1], [2, 0]), 9.0), ((slice(None), [0, 2]), [[1.0, 2.0], [3.0, 4.0]]),
])
def test_setitem_on_every_device(device, key, value):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = mg.tensor(a, device=device)
    t[key] = value
    want = a.copy()
    want[key] = value
    np.testing.assert_array_equal(t.numpy(), want)


def test_setitem_with_tensor_value_and_mask(device):
    t = mg.tensor([[1.0, -2.0], [-3.0, 4.0]], device=device)
    t[t < 0] = 0.0
    np.testing.assert_array_equal(t.numpy(), [[1.0, 0.0], [0.0, 4.0]])
    t[1] = mg.tensor([5.0, 6.0], device=device)
    np.testing.assert_array_equal(t.numpy(), [[1.0, 0.0], [5.0, 6.0]])


def test_inplace_integer_ops(device):
    i = mg.tensor([1, 2], device=device)
    i.add_(3)
    i *= 2
    np.testing.assert_array_equal(i.numpy(), [8, 10])
    assert i.dtype == "int64"


def test_inplace_mixed_float_dtypes_keep_own_dtype(device):
    t = mg.ones(2, device=device)
    t.mul_(mg.tensor([2.0, 3.0], dtype=mg.float64, device=device))
    assert t.dtype == "float32"
    np.testing.assert_array_equal(t.numpy(), [2.0, 3.0])


@pytest.mark.parametrize("scalar", [np.float64(2.0), np.float32(2.0), np.int64(2), np.sqrt(4.0)],
                         ids=["np.float64", "np.float32", "np.int64", "np.sqrt"])
def test_numpy_scalars_act_as_python_numbers(device, scalar):
    x = mg.tensor([1.0, 3.0], device=device, requires_grad=True)
    for out, want in [(x * scalar, [2.0, 6.0]), (scalar * x, [2.0, 6.0]), (x + scalar, [3.0, 5.0]),
                      (scalar - x, [1.0, -1.0]), (x / scalar, [0.5, 1.5]), (x ** scalar, [1.0, 9.0]),
                      (mg.maximum(x, scalar), [2.0, 3.0]), (mg.where(x > scalar, x, scalar), [2.0, 3.0]),
                      (x.clip(scalar - 5, scalar), [1.0, 2.0]), (x.clip(min=scalar), [2.0, 3.0])]:
        assert out.dtype == "float32" and out.device == device
        np.testing.assert_allclose(out.numpy(), want)
    (x * scalar).sum().backward()
    assert x.grad.dtype == "float32"
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])
    np.testing.assert_array_equal((x > scalar).numpy(), [False, True])


def test_python_bool_scalar_operand(device):
    x = mg.tensor([1.5, 2.5], device=device)
    np.testing.assert_array_equal((x * True).numpy(), [1.5, 2.5])
    assert (x + False).dtype == "float32"


def test_integer_tensors_meeting_floats_compute_in_the_default_float(device):
    a = mg.arange(4, device=device)
    for result in (a * 0.5, 0.5 * a, a + 1.5, a / 2, a / mg.arange(1, 5, device=device)):
        assert result.dtype == mg.float32, result.dtype  # PyTorch's rule, not NumPy's float64
    np.testing.assert_allclose((a * 0.5).numpy(), [0.0, 0.5, 1.0, 1.5])
    np.testing.assert_allclose((a / 2).numpy(), [0.0, 0.5, 1.0, 1.5])
    assert (a + 1).dtype == mg.int64 and (a * 2).dtype == mg.int64  # ints with ints stay ints
    mg.set_default_dtype(mg.float64)
    try:
        assert (a * 0.5).dtype == mg.float64
    finally:
        mg.set_default_dtype(mg.float32)


@pytest.mark.parametrize("dtype", [mg.float32, mg.float64])
def test_relu_of_negatives_is_positive_zero(device, dtype):
    """As np.maximum(a, 0) and PyTorch give: +0.0, never the -0.0 of a negative times 0."""
    out = mg.relu(mg.tensor([-3.0, -0.0, 0.0, 2.0], dtype=dtype, device=device)).numpy()
    np.testing.assert_array_equal(out, [0.0, 0.0, 0.0, 2.0])
    assert not np.signbit(out).any()
