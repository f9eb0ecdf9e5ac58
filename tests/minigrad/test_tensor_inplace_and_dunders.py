"""Tensor's in-place methods outside the graph (values against NumPy, the version counter, the
recorded path when only the other operand needs grad) and its Python protocols: iteration,
deepcopy, __array__, bool, float(), DLPack, repr."""
import copy

import numpy as np
import pytest

import minigrad as mg

A = np.array([1.5, -2.0, 4.0])
B = np.array([0.5, 4.0, -1.0])


def test_sub_with_alpha_div_fill_and_zero_in_place(device):
    t = mg.tensor(A, device=device)
    v0 = t._version
    assert t.sub_(mg.tensor(B, device=device), alpha=3) is t
    np.testing.assert_allclose(t.numpy(), (A - 3 * B).astype(np.float32))
    t.sub_(mg.tensor(B, device=device))
    np.testing.assert_allclose(t.numpy(), (A - 4 * B).astype(np.float32))
    t.div_(mg.tensor([2.0, 4.0, -8.0], device=device))
    np.testing.assert_allclose(t.numpy(), ((A - 4 * B) / [2.0, 4.0, -8.0]).astype(np.float32), rtol=1e-6)
    t.fill_(mg.tensor(2.5, device=device))
    np.testing.assert_array_equal(t.numpy(), [2.5, 2.5, 2.5])
    t.zero_()
    np.testing.assert_array_equal(t.numpy(), [0.0, 0.0, 0.0])
    assert t._version == v0 + 5  # one per in-place change


@pytest.mark.parametrize("method, args, want", [
    ("sub_", (2.0,), lambda a, b: a - b), ("div_", (2.0,), lambda a, b: a / b),
    ("fill_", (2.0,), lambda a, b: 0 * a + b)])
def test_a_constant_changed_in_place_by_a_tensor_that_needs_grad_is_in_the_graph(method, args, want):
    t = mg.tensor(A, dtype="float64")
    other = mg.tensor(args[0], dtype="float64", requires_grad=True)
    out = getattr(t, method)(other)
    assert out.requires_grad
    np.testing.assert_allclose(out.numpy(), want(A, args[0]))
    (g,) = mg.grad(out.sum(), [other])
    # d/db sum(a - b) = -3; sum(a / b) = -sum(a) / b^2; sum(fill b) = 3
    expected = {"sub_": -3.0, "div_": -A.sum() / args[0] ** 2, "fill_": 3.0}[method]
    np.testing.assert_allclose(g.numpy(), expected)


def test_in_place_refusals_name_the_method():
    with pytest.raises(TypeError, match=r"^div_: a float \(a quotient\) result cannot be written into a int64 "
                                        r"tensor in place"):
        mg.tensor([1, 2]).div_(2)
    with pytest.raises(ValueError) as info:
        mg.zeros(3).fill_(mg.zeros(2))
    assert str(info.value) == "fill_: expected a number or a 0-d tensor, got a tensor of shape (2,)"
    with pytest.raises(TypeError, match="^sub_: "):
        mg.tensor([1, 2]).sub_(0.5)


def test_iteration_gives_the_rows_and_refuses_a_0d_tensor():
    rows = list(mg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert [r.tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0]]
    assert [r.item() for r in mg.tensor([5.0])] == [5.0]
    with pytest.raises(TypeError) as info:
        iter(mg.tensor(1.0))
    assert str(info.value) == "iteration over a 0-d tensor"


def test_deepcopy_copies_data_grad_and_flags_and_keeps_sharing():
    p = mg.tensor([1.0, 2.0], requires_grad=True)
    p.grad = mg.tensor([0.5, 0.5])
    a, b = copy.deepcopy([p, p])
    assert a is b  # one tensor twice stays one tensor twice (the memo)
    assert a is not p and a.requires_grad is True and a.grad is not p.grad
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 0.5])
    a.data[0] = 9.0
    a.grad.data[0] = 9.0
    assert p.tolist() == [1.0, 2.0] and p.grad.tolist() == [0.5, 0.5]
    with pytest.raises(RuntimeError) as info:
        copy.deepcopy(p * 2)
    assert str(info.value) == ("deepcopy: only leaf tensors (created by the user, not by an op) can be deep-copied; "
                               "use detach().clone() for a copy of a result")


def test_numpy_protocols_bool_and_float():
    t = mg.tensor([1.5, 2.5])
    got = np.asarray(t, dtype=np.float64)
    assert got.dtype == np.float64 and got.tolist() == [1.5, 2.5]
    assert np.array(t).dtype == np.float32
    np.testing.assert_array_equal(np.from_dlpack(t), [1.5, 2.5])
    assert bool(mg.tensor([0.0])) is False and bool(mg.tensor(3.0)) is True
    f = mg.tensor([1.0, 2.0], dtype="float64").float()
    assert f.dtype == mg.float32 and f.tolist() == [1.0, 2.0]


def test_repr_shows_four_decimals_comma_separated_and_aligned_rows():
    assert repr(mg.tensor([1.0, 2.123456])) == "tensor([1.    , 2.1235], dtype=float32, device='cpu')"
    assert repr(mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)) == (
        "tensor([[1., 2.],\n        [3., 4.]], dtype=float32, device='cpu', requires_grad=True)")


def test_numbers_and_alpha_on_both_paths():
    t = mg.tensor(A, dtype="float64")
    t.sub_(2.0, alpha=2)  # a Python number with grad mode on and nothing requiring grad
    np.testing.assert_allclose(t.numpy(), A - 4.0)
    t.div_(2.0)
    np.testing.assert_allclose(t.numpy(), (A - 4.0) / 2.0)
    other = mg.tensor(B, dtype="float64", requires_grad=True)
    out = mg.tensor(A, dtype="float64").sub_(other, alpha=2)  # the recorded path keeps alpha
    np.testing.assert_allclose(out.numpy(), A - 2 * B)
    (g,) = mg.grad(out.sum(), [other])
    np.testing.assert_allclose(g.numpy(), [-2.0, -2.0, -2.0])


def test_device_and_dtype_refusals_name_the_in_place_method():
    t = mg.tensor([1.0, 2.0])
    for method in ("div_", "fill_"):
        with pytest.raises(mg.DeviceError) as info:
            getattr(t, method)(mg.tensor(2.0, device="strict"))
        assert str(info.value) == f"{method}: tensors on cpu and strict:0; move them with .to(device) first"
    with pytest.raises(TypeError) as info:
        mg.tensor([1, 2]).div_(2)
    assert str(info.value) == ("div_: a float (a quotient) result cannot be written into a int64 tensor in place; "
                               "use the out-of-place op, or convert first with .to(dtype=...)")
