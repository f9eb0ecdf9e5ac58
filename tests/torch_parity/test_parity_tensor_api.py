"""The Tensor API of issue 14 §2 against PyTorch: sizes, dtype shortcuts, to(), new_* factories,
full(), argmax/argmin with dim/keepdim, softmax of a 0-d tensor, and the exception classes."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

A = np.array([[1.0, 5.0, 2.0, 5.0], [7.0, 0.0, 7.0, -1.0], [0.5, 0.5, 0.5, 0.5]], dtype=np.float32)


def _name(dtype):
    return str(dtype).replace("torch.", "")


def test_sizes_match(device):
    t, m = torch.from_numpy(A), mg.tensor(A, device=device)
    assert tuple(m.size()) == tuple(t.size()) and m.size(1) == t.size(1) and m.size(-2) == t.size(-2)
    assert m.numel() == t.numel() and m.dim() == t.dim() and m.size().numel() == t.size().numel()
    with pytest.raises(IndexError):
        t.size(2)
    with pytest.raises(IndexError):
        m.size(2)


@pytest.mark.parametrize("method", ["float", "double", "long", "int", "short", "char", "byte", "bool", "half"])
def test_dtype_shortcuts_match(method, device):
    t, m = torch.from_numpy(A), mg.tensor(A, device=device)
    if device.startswith("strict") and method == "half":  # the Array API standard has no float16
        with pytest.raises(TypeError, match="dtype: float16 is not available"):
            m.half()
        return
    tt, mm = getattr(t, method)(), getattr(m, method)()
    assert mm.dtype == _name(tt.dtype)
    np.testing.assert_array_equal(mm.numpy(), tt.numpy())


def test_to_and_new_factories_match(device):
    t, m = torch.from_numpy(A).int(), mg.tensor(A, device=device).int()
    assert m.to(mg.float64).dtype == _name(t.to(torch.float64).dtype)
    assert m.to(mg.ones(1, device=device)).dtype == _name(t.to(torch.ones(1)).dtype)
    for name, args in (("new_zeros", ((2, 3),)), ("new_ones", (2,)), ("new_full", ((2,), 7)), ("new_empty", (3,)),
                       ("new_tensor", ([1.7, -2.2],))):
        tt, mm = getattr(t, name)(*args), getattr(m, name)(*args)
        assert mm.dtype == _name(tt.dtype) and mm.shape == tuple(tt.shape), name
        if name != "new_empty":
            np.testing.assert_array_equal(mm.numpy(), tt.numpy())


@pytest.mark.parametrize("fill", [1.5, 3, True])
def test_full_matches(fill, device):
    t, m = torch.full((2, 3), fill), mg.full((2, 3), fill, device=device)
    assert m.dtype == _name(t.dtype)
    np.testing.assert_array_equal(m.numpy(), t.numpy())


@pytest.mark.parametrize("op", ["argmax", "argmin"])
@pytest.mark.parametrize("dim, keepdim", [(None, False), (None, True), (0, False), (1, True), (-1, False)])
def test_argmax_argmin_match(op, dim, keepdim, device):
    t, m = torch.from_numpy(A), mg.tensor(A, device=device)
    tt = getattr(t, op)(dim=dim, keepdim=keepdim)
    mm = getattr(m, op)(dim=dim, keepdim=keepdim)
    assert mm.dtype == _name(tt.dtype) and mm.shape == tuple(tt.shape)
    np.testing.assert_array_equal(mm.numpy(), tt.numpy())


def test_softmax_of_0d_matches(device):
    t = torch.tensor(3.0, requires_grad=True)
    m = mg.tensor(3.0, device=device, requires_grad=True)
    (torch.softmax(t, 0) * 2).backward()
    (mg.softmax(m, 0) * 2).backward()
    assert mg.softmax(m, 0).item() == torch.softmax(t, 0).item()
    assert mg.log_softmax(m, -1).item() == torch.log_softmax(t, -1).item()
    assert m.grad.item() == t.grad.item()


def test_exception_classes_match(device):
    cases = [
        (lambda lib, x, y: x + y, (2, 3), (4, 5)),
        (lambda lib, x, y: x @ y, (2, 3), (4, 5)),
        (lambda lib, x, y: lib.maximum(x, y), (2, 3), (2, 4)),
        (lambda lib, x, y: x.sum(2), (2, 3), None),
        (lambda lib, x, y: x.softmax(-3), (2, 3), None),
        (lambda lib, x, y: x.argmax(dim=5), (2, 3), None),
        (lambda lib, x, y: x.item(), (2, 3), None),
        (lambda lib, x, y: bool(x), (2, 3), None),
    ]
    for fn, sa, sb in cases:
        tx, ty = torch.ones(sa), torch.ones(sb) if sb else None
        mx, my = mg.ones(*sa, device=device), mg.ones(*sb, device=device) if sb else None
        with pytest.raises(Exception) as t_err:
            fn(torch, tx, ty)
        with pytest.raises(Exception) as m_err:
            fn(mg, mx, my)
        assert isinstance(m_err.value, type(t_err.value)), (type(t_err.value), type(m_err.value))
