"""PyTorch's Tensor signatures (issue 14 §2): size()/numel()/dim(), dtype shortcuts, type(), to() in
every form, contiguous(), new_* factories, as_tensor, dtype aliases, full/normal call forms,
argmax/argmin with dim/keepdim, softmax of a 0-d tensor, and the error classes PyTorch users catch.
Expected values come from NumPy on the same data or from PyTorch's documented behaviour."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


def test_size_is_a_method_returning_the_shape(device):
    t = mg.zeros(2, 3, 4, device=device)
    assert t.size() == (2, 3, 4) and isinstance(t.size(), tuple) and isinstance(t.size(), mg.Size)
    assert t.size(0) == 2 and t.size(-1) == 4 and t.size(dim=1) == 3
    assert t.size().numel() == 24 == t.numel() == t.nelement()
    assert t.dim() == 3 == t.ndimension() and mg.zeros(device=device).dim() == 0
    assert repr(t.size()) == "minigrad.Size([2, 3, 4])" and t.size()[1:] == (3, 4)
    assert mg.tensor(1.0, device=device).size() == () and mg.tensor(1.0, device=device).numel() == 1
    for bad in (3, -4):
        with pytest.raises(IndexError, match=f"size: dim {bad} is out of range for a tensor with 3 dimension"):
            t.size(bad)


@pytest.mark.parametrize("method, dtype", [("float", "float32"), ("double", "float64"), ("long", "int64"),
                                           ("int", "int32"), ("short", "int16"), ("char", "int8"),
                                           ("byte", "uint8"), ("bool", "bool"), ("half", "float16")])
def test_dtype_shortcuts(method, dtype, device):
    t = mg.tensor([0.0, 1.5, -2.0], device=device)
    if device.startswith("strict") and dtype == "float16":  # the Array API standard has no float16
        with pytest.raises(TypeError, match="dtype: float16 is not available on the array_api_strict backend"):
            getattr(t, method)()
        return
    out = getattr(t, method)()
    assert out.dtype == dtype and out.device == t.device
    np.testing.assert_array_equal(out.numpy(), np.array([0.0, 1.5, -2.0], dtype=np.float32).astype(dtype))
    assert getattr(out, method)() is out  # already that dtype: the tensor itself, as in PyTorch


def test_dtype_aliases():
    assert (mg.float, mg.double, mg.half) == ("float32", "float64", "float16")
    assert (mg.long, mg.int, mg.short, mg.bool, mg.uint8, mg.int8) == ("int64", "int32", "int16", "bool", "uint8",
                                                                       "int8")
    assert mg.ones(2, dtype=mg.long).dtype == mg.int64


def test_type_names_and_conversion(device):
    t = mg.ones(2, device=device)
    assert t.type() == "minigrad.FloatTensor" and t.long().type() == "minigrad.LongTensor"
    assert t.type(mg.int64).dtype == "int64" and t.type("torch.DoubleTensor").dtype == "float64"


def test_to_in_all_forms(device):
    x = mg.tensor([1.5, 2.5], device=device, requires_grad=True)
    assert x.to(mg.float64).dtype == "float64" and x.to("float64").dtype == "float64"
    assert x.to(device) is x and x.to(dtype=mg.float32) is x
    assert x.to(device, mg.int64).dtype == "int64"
    assert x.to(mg.arange(2, device=device)).dtype == "int64"
    assert x.to(x.device, None) is x and x.to(copy=True) is not x
    y = x.to(mg.float64)
    (y * y).sum().backward()  # differentiable: the gradient comes back as float32
    assert x.grad.dtype == "float32"
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 5.0])
    with pytest.raises(TypeError, match="to: expected"):
        x.to("cpu", "float32", "extra")


def test_to_other_device():
    x = mg.ones(2, device="cpu")
    y = x.to("strict")
    assert y.device.type == "strict" and x.to(y).device == y.device


def test_contiguous():
    x = mg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert x.contiguous() is x
    xt = x.T
    assert not xt.array.flags.c_contiguous
    c = xt.contiguous()
    assert c.array.flags.c_contiguous and c.shape == (3, 2)
    np.testing.assert_array_equal(c.numpy(), np.arange(6.0).reshape(2, 3).T)
    (c * mg.tensor(np.arange(6.0).reshape(3, 2))).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.arange(6.0).reshape(3, 2).T)


def test_new_factories(device):
    t = mg.ones(2, dtype=mg.int32, device=device)
    z = t.new_zeros(2, 3)
    assert z.shape == (2, 3) and z.dtype == "int32" and z.device == t.device and not z.numpy().any()
    assert t.new_ones((1, 2)).numpy().tolist() == [[1, 1]]
    f = t.new_full((2,), 7)
    assert f.dtype == "int32" and f.numpy().tolist() == [7, 7]
    assert t.new_empty(4).shape == (4,) and t.new_empty(4).dtype == "int32"
    n = t.new_tensor([1.7, 2.2])  # PyTorch: this tensor's dtype even for float data
    assert n.dtype == "int32" and n.numpy().tolist() == [1, 2]
    g = mg.ones(1, device=device).new_zeros(3, requires_grad=True, dtype=mg.float64)
    assert g.requires_grad and g.dtype == "float64"


def test_as_tensor_shares_what_it_can():
    a = np.arange(3.0)
    t = mg.as_tensor(a)
    assert t.array is a and t.dtype == "float64"
    assert mg.as_tensor(t) is t and mg.as_tensor(t, dtype=mg.float32).dtype == "float32"
    assert mg.as_tensor([1.0, 2.0]).dtype == "float32" and mg.as_tensor(a, dtype=mg.float32).array is not a


def test_full_and_normal_call_forms(device):
    f = mg.full((2, 3), 1.5, device=device)
    assert f.shape == (2, 3) and f.dtype == "float32" and np.all(f.numpy() == 1.5)
    assert mg.full([2], 4, device=device).dtype == "int64" and mg.full(2, 2, fill_value=True).dtype == "bool"
    with pytest.raises(TypeError, match="full: missing fill_value"):
        mg.full(2, 3)
    mg.manual_seed(0)
    n = mg.normal(5.0, 0.01, (400,), device=device)
    assert n.shape == (400,) and abs(float(n.numpy().mean()) - 5.0) < 0.01
    assert mg.normal(2, 3, mean=1.0, std=2.0, device=device).shape == (2, 3)   # today's keyword form
    assert mg.normal(0.0, 1.0, size=(4,), device=device).shape == (4,)
    means = mg.tensor([[0.0], [100.0]], device=device)
    draws = mg.normal(means, mg.full((1, 500), 0.1, device=device))
    assert draws.shape == (2, 500) and draws.device == means.device
    np.testing.assert_allclose(draws.numpy().mean(axis=1), [0.0, 100.0], atol=0.05)


def test_argmax_argmin_dim_keepdim(device):
    a = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]], dtype=np.float32)
    t = mg.tensor(a, device=device)
    assert t.argmax(dim=1).numpy().tolist() == np.argmax(a, axis=1).tolist()
    assert t.argmin(1, keepdim=True).numpy().tolist() == np.argmin(a, axis=1)[:, None].tolist()
    assert t.argmax(axis=0, keepdims=True).shape == (1, 3)  # NumPy's names stay as aliases
    assert mg.argmax(t).item() == int(np.argmax(a)) and mg.argmin(t, dim=-1).dtype == "int64"
    assert t.argmax(keepdim=True).shape == (1, 1)  # PyTorch: every axis kept
    assert mg.tensor(3.0, device=device).argmax(0).item() == 0
    assert mg.zeros(0, 3, device=device).argmax(dim=1).shape == (0,)
    with pytest.raises(IndexError, match="argmax: dim 2 is out of range"):
        t.argmax(dim=2)


def test_softmax_of_a_0d_tensor(device):
    x = mg.tensor(3.0, device=device, requires_grad=True)
    y = x.softmax(dim=0)
    assert y.shape == () and y.item() == 1.0 and x.log_softmax(-1).item() == 0.0
    y.backward()
    assert x.grad.item() == 0.0


def test_errors_pytorch_users_catch(device):
    a, b = mg.ones(2, 3, device=device), mg.ones(4, 5, device=device)
    for fn in (lambda: a + b, lambda: a @ b, lambda: mg.maximum(a, b), lambda: mg.linear(a, b)):
        with pytest.raises(RuntimeError) as info:
            fn()
        assert isinstance(info.value, ValueError) and "(2, 3)" in str(info.value)
    for fn in (lambda: a.sum(axis=2), lambda: a.softmax(dim=-3), lambda: a.size(5), lambda: a.squeeze(4)):
        with pytest.raises(IndexError) as info:
            fn()
        assert isinstance(info.value, ValueError) and "out of range" in str(info.value)
