"""``Tensor.data`` is PyTorch's: a Tensor over the same array, cut off the graph, with its own version
counter; ``t.data = source`` replaces the storage.  Every idiom of ported scripts is checked
against an independent NumPy expectation on each device (torch itself: tests/torch_parity)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import nn
import optim

START = np.array([[1.0, -2.0, 3.0], [4.0, 0.5, -6.0]])


def _param(device, dtype=mg.float32):
    return mg.tensor(START, dtype=dtype, device=device, requires_grad=True)


def test_data_is_a_detached_tensor_over_the_same_array(device):
    p = _param(device)
    with mg.no_grad():
        p.add_(1.0)  # p's own version counter moves on: 1
    d = p.data
    assert isinstance(d, mg.Tensor) and d is not p
    assert d.device is p.device and d.dtype == p.dtype == "float32" and d.shape == p.shape == (2, 3)
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf and d.grad is None
    assert d._version == 0 and p._version == 1  # a fresh counter, not p's
    assert d.array is p.array  # the storage itself, no copy
    np.testing.assert_array_equal(d.numpy(), START + 1.0)


def test_changes_are_seen_both_ways(device):
    p = _param(device)
    d = p.data
    d.mul_(2.0)  # through .data: p sees it
    np.testing.assert_array_equal(p.numpy(), START * 2.0)
    with mg.no_grad():
        p.sub_(1.0)  # through p: the .data tensor taken before sees it
    np.testing.assert_array_equal(d.numpy(), START * 2.0 - 1.0)


def test_data_of_a_non_leaf_is_a_leaf_without_grad(device):
    p = _param(device)
    y = p * 3.0
    d = y.data
    assert y.grad_fn is not None and d.grad_fn is None and d.is_leaf and not d.requires_grad
    np.testing.assert_array_equal(d.numpy(), (START * 3.0).astype(np.float32))


def _bcast_row(device):
    return mg.tensor([10.0, 20.0, 30.0], device=device)


# (idiom, what it does to p.data, the NumPy expectation of p's new values from START)
IDIOMS = {
    "mul_": (lambda d, dev: d.mul_(0.5), lambda a: a * 0.5),
    "add_": (lambda d, dev: d.add_(1.5), lambda a: a + 1.5),
    "add_ alpha": (lambda d, dev: d.add_(_bcast_row(dev), alpha=-2), lambda a: a - 2 * np.array([10.0, 20.0, 30.0])),
    "sub_": (lambda d, dev: d.sub_(0.25), lambda a: a - 0.25),
    "div_": (lambda d, dev: d.div_(4.0), lambda a: a / 4.0),
    "clamp_": (lambda d, dev: d.clamp_(-1.0, 2.0), lambda a: np.minimum(np.maximum(a, -1.0), 2.0)),
    "clamp_ min": (lambda d, dev: d.clamp_(min=0.0), lambda a: np.maximum(a, 0.0)),
    "fill_": (lambda d, dev: d.fill_(0), lambda a: np.zeros_like(a)),
    "fill_ value": (lambda d, dev: d.fill_(3.5), lambda a: np.full_like(a, 3.5)),
    "zero_": (lambda d, dev: d.zero_(), lambda a: np.zeros_like(a)),
    "copy_ broadcast": (lambda d, dev: d.copy_(_bcast_row(dev)),
                        lambda a: np.broadcast_to([10.0, 20.0, 30.0], a.shape)),
    "copy_ float64 src": (lambda d, dev: d.copy_(mg.tensor(START[::-1].copy(), dtype=mg.float64, device=dev)),
                          lambda a: START[::-1]),
    "setitem all": (lambda d, dev: d.__setitem__(Ellipsis, 7.0), lambda a: np.full_like(a, 7.0)),
    "setitem row": (lambda d, dev: d.__setitem__(0, _bcast_row(dev)), lambda a: np.vstack([[10.0, 20.0, 30.0], a[1]])),
    "setitem column": (lambda d, dev: d.__setitem__((slice(None), 1), -1.0),
                       lambda a: np.column_stack([a[:, 0], [-1.0, -1.0], a[:, 2]])),
    "isub": (lambda d, dev: d.__isub__(0.1 * mg.tensor(START, device=dev)), lambda a: a - 0.1 * a),
}


@pytest.mark.parametrize("idiom", list(IDIOMS))
def test_in_place_idioms_change_a_parameter_without_a_graph(device, idiom):
    change, expect = IDIOMS[idiom]
    p = _param(device)
    out = change(p.data, device)
    assert out is None or isinstance(out, mg.Tensor)
    np.testing.assert_allclose(p.numpy(), expect(START.copy()).astype(np.float32), rtol=1e-6)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None and p._version == 0
    assert p.dtype == "float32" and p.shape == START.shape


def test_data_minus_equals_grad_data_is_a_plain_update(device):
    p = _param(device)
    (p * p).sum().backward()  # grad = 2 p
    p.data -= 0.1 * p.grad.data
    np.testing.assert_allclose(p.numpy(), (START - 0.1 * 2.0 * START).astype(np.float32), rtol=1e-6)
    assert p._version == 0 and p.is_leaf and p.requires_grad
    np.testing.assert_allclose(p.grad.numpy(), 2.0 * START, rtol=1e-6)  # the gradient is not touched
    p.grad.data.zero_()
    np.testing.assert_array_equal(p.grad.numpy(), np.zeros(START.shape))


@pytest.mark.parametrize("kind", ["normal_", "uniform_"])
def test_random_fills_through_data(device, kind):
    p = mg.zeros(200, 100, device=device, requires_grad=True)
    if kind == "normal_":
        p.data.normal_(0, 0.02)
    else:
        p.data.uniform_(-0.3, 0.3)
    v = p.numpy().astype(np.float64)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None and p.dtype == "float32"
    if kind == "normal_":  # 20,000 draws: the standard error of the mean is 1.4e-4, of the std ~1e-4
        assert abs(v.mean()) < 1e-3 and abs(v.std() - 0.02) < 1e-3
    else:  # U(-0.3, 0.3): mean 0, std 0.3 / sqrt(3), every draw in range
        assert v.min() >= -0.3 and v.max() < 0.3 and abs(v.mean()) < 0.01
        assert abs(v.std() - 0.3 / np.sqrt(3.0)) < 0.01


def test_reads_through_data(device):
    p = _param(device)
    assert p.data.shape == (2, 3) and p.data.ndim == 2 and p.data.numel() == 6
    assert p.data.dtype == np.float32 and p.data.dtype == mg.float32 and p.data.dtype == p.dtype
    np.testing.assert_array_equal(p.data.numpy(), START.astype(np.float32))
    np.testing.assert_array_equal(np.asarray(p.data), START.astype(np.float32))
    assert p.data.tolist() == START.astype(np.float32).tolist()


def test_version_counter_independent_of_the_tensor_unlike_detach(device):
    p = _param(device)
    y = (p * p).sum()  # saves p
    p.data.mul_(2.0)  # not seen by autograd's check: backward runs with the new values (PyTorch)
    assert p._version == 0
    y.backward()
    np.testing.assert_allclose(p.grad.numpy(), 2.0 * (2.0 * START), rtol=1e-6)
    q = _param(device)
    z = (q * q).sum()
    q.detach().mul_(2.0)  # detach() shares q's counter: the saved q is known to be overwritten
    assert q._version == 1
    with pytest.raises(mg.BackwardError, match="modified in place"):
        z.backward()


def test_own_version_counter_counts_changes_through_it(device):
    p = _param(device)
    d = p.data
    d.add_(1.0)
    d[0] = 2.0
    assert d._version == 2 and p._version == 0 and p.data._version == 0


def test_assigning_a_tensor_replaces_the_storage(device):
    p = _param(device)
    (p * p).sum().backward()
    grad = p.grad
    new = mg.tensor([0.5, -1.5, 2.5, 4.0], dtype=mg.float64, device=device)
    p.data = new  # another shape and dtype, as PyTorch allows
    assert p.shape == (4,) and p.dtype == "float64" and p.device is new.device
    assert p.requires_grad and p.is_leaf and p.grad is grad and p._version == 0
    assert p.array is new.array  # shares new's storage
    with mg.no_grad():
        new.mul_(2.0)
    np.testing.assert_array_equal(p.numpy(), [1.0, -3.0, 5.0, 8.0])
    p.grad = None
    (p * p * p).sum().backward()  # the graph runs on the new storage
    np.testing.assert_allclose(p.grad.numpy(), 3.0 * np.array([1.0, -3.0, 5.0, 8.0]) ** 2, rtol=1e-12)


def test_assigning_after_forward_backward_uses_the_new_values(device):
    p = _param(device)
    y = (p * p).sum()  # saves p
    p.data = mg.tensor(START * 10.0, device=device)
    assert p._version == 0  # PyTorch's set_data keeps the counter: no refusal
    y.backward()
    np.testing.assert_allclose(p.grad.numpy(), 2.0 * START * 10.0, rtol=1e-6)


def test_assigning_an_array_of_the_same_device(device):
    p = _param(device)
    dev = mg.device(device)
    arr = dev.asarray(np.arange(3.0), dtype=dev.xp.float64)
    p.data = arr  # minigrad's extension: an array of p's device
    assert p.array is arr and p.shape == (3,) and p.dtype == "float64" and p.requires_grad
    np.testing.assert_array_equal(p.numpy(), [0.0, 1.0, 2.0])


def test_assigning_itself_or_its_data_changes_nothing(device):
    p = _param(device)
    arr = p.array
    p.data = p.data
    p.data = p
    assert p.array is arr and p._version == 0 and p.requires_grad


def test_assigning_to_another_device_moves_it_like_pytorch():
    p = mg.tensor([1.0, 2.0], requires_grad=True)
    p.data = mg.tensor([3.0, 4.0, 5.0], device="strict:1")
    assert p.device == "strict:1" and p.requires_grad and p.shape == (3,)
    (p * p).sum().backward()
    assert p.grad.device == "strict:1"
    np.testing.assert_array_equal(p.grad.numpy(), [6.0, 8.0, 10.0])


def test_an_array_of_another_device_is_refused_before_any_change():
    p = mg.tensor([1.0, 2.0], requires_grad=True, device="strict")
    arr = p.array
    with pytest.raises(mg.DeviceError, match=r"Tensor\.data: an array on cpu \(shape \(3,\)\) .*tensor on "
                                             r"strict:0 \(shape \(2,\)\)"):
        p.data = np.zeros(3, dtype=np.float32)
    assert p.array is arr and p.device == "strict"


@pytest.mark.parametrize("bad", [3, [1.0, 2.0], "x", None])
def test_a_non_tensor_non_array_is_a_type_error(device, bad):
    p = _param(device)
    with pytest.raises(TypeError, match=r"Tensor\.data: expected a Tensor or an array of the tensor's device"):
        p.data = bad
    np.testing.assert_array_equal(p.numpy(), START.astype(np.float32))


@pytest.mark.parametrize("bad", [np.array(["a", "b"]), np.array([1 + 2j]), np.array([{}], dtype=object)])
def test_an_array_of_an_unsupported_dtype_is_refused(bad):
    q = mg.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match=r"Tensor\.data: an array of shape \(\d,\) cannot become a tensor's storage: "
                                        r"dtype: unsupported dtype"):
        q.data = bad
    assert q.dtype == "float32" and q.tolist() == [1.0, 2.0]


def test_integer_storage_for_a_tensor_that_requires_grad_is_refused(device):
    p = _param(device)
    arr = p.array
    with pytest.raises(RuntimeError, match=r"Tensor\.data: a tensor that requires grad must hold floating-point "
                                           r"data, got int64 of shape \(2,\)"):
        p.data = mg.tensor([1, 2], device=device)
    with pytest.raises(RuntimeError, match=r"set_data_: a tensor that requires grad must hold floating-point"):
        p.set_data_(mg.tensor([1, 2], device=device))
    assert p.array is arr and p._version == 0
    q = mg.tensor([1.5, 2.5], device=device)  # no grad: any dtype, as in PyTorch
    q.data = mg.tensor([1, 2, 3], device=device)
    assert q.dtype == "int64" and q.tolist() == [1, 2, 3]


def test_optimizer_keeps_updating_in_place_after_data_idioms(device):
    _optimizer_after_data_idioms(device, fused=False)


def test_fused_optimizer_keeps_updating_in_place_after_data_idioms():
    _optimizer_after_data_idioms("cpu", fused=True)  # fused=True needs views: cpu or cuda


def _optimizer_after_data_idioms(device, fused):
    layer = nn.Linear(3, 2).to(device)
    opt = optim.SGD(layer.parameters(), lr=0.1, fused=fused)
    mg.manual_seed(0)
    layer.weight.data.normal_(0, 0.02)
    layer.bias.data.fill_(0.5)
    w_array = layer.weight.array
    x = mg.tensor(START, dtype=mg.float32, device=device)  # the layer's dtype: linear refuses mixed dtypes
    w0 = layer.weight.numpy().astype(np.float64)
    layer(x).sum().backward()
    # d/dW sum(x W^T + b) = column sums of x for every output row; d/db = batch size
    grad_w = np.tile(START.sum(axis=0), (2, 1))
    np.testing.assert_allclose(layer.weight.grad.numpy(), grad_w, rtol=1e-6)
    opt.step()
    assert layer.weight.array is w_array  # updated in place, the same storage
    np.testing.assert_allclose(layer.weight.numpy(), w0 - 0.1 * grad_w, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(layer.bias.numpy(), 0.5 - 0.1 * 2.0, rtol=1e-6)
    # the optimizer holds the same Parameter; float32 like x (linear refuses mixed dtypes, as PyTorch)
    layer.weight.data = mg.tensor(np.ones((2, 3), dtype=np.float32), device=device)
    opt.zero_grad()
    layer(x).sum().backward()
    opt.step()
    np.testing.assert_allclose(layer.weight.numpy(), 1.0 - 0.1 * grad_w, rtol=1e-6)


def test_library_code_reads_the_array_not_data():
    """minigrad/, nn/ and optim/ read a tensor's array through the ``array`` slot, never ``.data``:
    that builds a Tensor on every read (slower, and not an array), so a use that slips in (e.g.
    from a merge of older code) is caught here.  The module ``minigrad.data``
    and the deliberate PyTorch-style assignments of gradcheck_module are the exceptions."""
    import ast
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    allowed = {("nn/gradcheck_module.py", "b")}
    found = []
    for package in ("minigrad", "nn", "optim"):
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Attribute) and node.attr == "data":
                    owner = node.value.id if isinstance(node.value, ast.Name) else None
                    if owner not in ("minigrad", "mg", "utils") and (rel, owner) not in allowed:
                        found.append(f"{rel}:{node.lineno}")
    assert not found, "reads .data instead of .array: " + ", ".join(found)
