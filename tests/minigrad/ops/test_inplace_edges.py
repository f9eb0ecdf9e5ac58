"""Edges of the in-place ops (minigrad/ops/inplace.py): the version counter moves by exactly one per
change on every path, the no-grad fast paths of ``clamp_``/``relu_``/``normal_``/``uniform_`` leave
leaves alone, which operand puts ``clamp_`` in the graph, ``alpha``, dtype casts of the written
values and of the gradient, and the random fills' arguments and refusals (issue 18).  Values are
checked against NumPy formulas written here."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

V = np.array([-1.5, 0.0, 0.5, 2.0, np.nan])


def test_no_grad_fast_paths_change_values_and_bump_the_version_once(device):
    w = mg.tensor(V[:4], requires_grad=True, device=device)
    with mg.no_grad():  # a leaf that requires grad may be changed here (a parameter update)
        assert w.relu_() is w
        assert w._version == 1
        np.testing.assert_array_equal(w.numpy(), [0.0, 0.0, 0.5, 2.0])
        assert w.clamp_(0.25, 1.0) is w
        assert w._version == 2
        np.testing.assert_array_equal(w.numpy(), [0.25, 0.25, 0.5, 1.0])
        w.normal_(3.0, 1e-6, generator=mg.Generator(device=device).manual_seed(1))
        assert w._version == 3 and np.all(np.abs(w.numpy() - 3.0) < 1e-4)
        w.uniform_(5.0, 5.5)
        assert w._version == 4 and np.all((w.numpy() >= 5.0) & (w.numpy() < 5.5))
    assert w.is_leaf and w.requires_grad and w.grad_fn is None


def test_relu_in_place_keeps_nan_and_zeroes_only_negatives(device):
    x = mg.tensor(V, device=device)
    x.relu_()
    np.testing.assert_array_equal(x.numpy(), [0.0, 0.0, 0.5, 2.0, np.nan])
    assert x._version == 1


def test_relu_in_place_in_the_graph(device):
    x = mg.tensor(V[:4], device=device, requires_grad=True)
    y = x * 1.0
    y.relu_()
    assert y._version == 1 and type(y.grad_fn).__name__ != "Mul"
    np.testing.assert_array_equal(y.numpy(), [0.0, 0.0, 0.5, 2.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 1.0, 1.0])  # relu's rule: 0 at 0


@pytest.mark.parametrize("which", ["min", "max"])
def test_clamp_in_place_is_recorded_when_only_a_bound_requires_grad(device, which):
    x = mg.tensor([0.0, 1.0, 2.0, 3.0], device=device)  # a constant
    bound = mg.tensor(1.5, device=device, requires_grad=True)
    if which == "min":
        x.clamp_(bound, None)
        expected, grad = [1.5, 1.5, 2.0, 3.0], 2.0  # the bound where it wins: twice
    else:
        x.clamp_(None, bound)
        expected, grad = [0.0, 1.0, 1.5, 1.5], 2.0
    assert x.requires_grad and x._version == 1
    np.testing.assert_array_equal(x.numpy(), expected)
    x.sum().backward()
    assert float(bound.grad) == grad


def test_clamp_in_place_without_the_graph_checks_and_writes(device):
    x = mg.tensor([0.0, 1.0, 2.0, 3.0], device=device)
    x.clamp_(None, 2.5)
    np.testing.assert_array_equal(x.numpy(), [0.0, 1.0, 2.0, 2.5])
    x.clamp_(0.5)
    np.testing.assert_array_equal(x.numpy(), [0.5, 1.0, 2.0, 2.5])
    assert x._version == 2


@pytest.mark.parametrize("alpha", [1, 2, -0.5])
def test_add_and_sub_alpha_in_the_graph(device, alpha):
    x = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    o = mg.tensor([10.0, 20.0], device=device, requires_grad=True)
    y = x * 1.0
    y.add_(o, alpha=alpha)
    y.sub_(3.0, alpha=alpha)  # a number operand
    np.testing.assert_allclose(y.numpy(), np.array([1.0, 2.0]) + alpha * (np.array([10.0, 20.0]) - 3.0))
    assert y._version == 2
    y.sum().backward()
    np.testing.assert_allclose(o.grad.numpy(), [alpha, alpha])
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 1.0])


def test_copy_of_another_dtype_in_the_graph_casts_values_and_gradients(device):
    x = mg.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)  # float32
    src = mg.tensor([0.1, 0.2, 0.3], dtype=mg.float64, device=device, requires_grad=True)
    y = x * 2.0
    y.copy_(src)
    assert y.dtype == mg.float32
    np.testing.assert_array_equal(y.numpy(), np.array([0.1, 0.2, 0.3], np.float32))
    (y * mg.tensor([1.0, 2.0, 3.0], device=device)).sum().backward()
    assert x.grad.dtype == mg.float32 and src.grad.dtype == mg.float64
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])  # the old values are gone
    np.testing.assert_array_equal(src.grad.numpy(), [1.0, 2.0, 3.0])


def test_fill_in_the_graph_gives_a_zero_gradient_of_the_tensors_dtype(device):
    x = mg.tensor([[1.0, 2.0]], device=device, requires_grad=True)
    y = x + 0.0
    y.fill_(7)
    np.testing.assert_array_equal(y.numpy(), [[7.0, 7.0]])
    (y * 3.0).sum().backward()
    assert x.grad.dtype == mg.float32 and x.grad.shape == (1, 2)
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 0.0]])


def test_setitem_of_another_dtype_in_the_graph(device):
    x = mg.tensor([1.0, 2.0, 3.0, 4.0], device=device, requires_grad=True)
    v = mg.tensor([0.5, 0.25], dtype=mg.float64, device=device, requires_grad=True)
    y = x * 1.0
    y[mg.tensor([3, 1], device=device)] = v
    np.testing.assert_array_equal(y.numpy(), [1.0, 0.25, 3.0, 0.5])
    assert y.dtype == mg.float32 and y._version == 1
    (y * mg.tensor([1.0, 2.0, 3.0, 4.0], device=device)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0, 3.0, 0.0])
    np.testing.assert_array_equal(v.grad.numpy(), [4.0, 2.0])


def test_random_fills_follow_their_generator_and_arguments(device):
    a = mg.zeros(6, dtype=mg.float64, device=device)
    b = mg.zeros(6, dtype=mg.float64, device=device)
    a.normal_(2.0, 0.5, generator=mg.Generator(device=device).manual_seed(7))
    b.normal_(generator=mg.Generator(device=device).manual_seed(7))
    np.testing.assert_allclose(a.numpy(), 2.0 + 0.5 * b.numpy(), rtol=1e-12)  # mean + std * a standard draw
    a.uniform_(-1.0, 3.0, generator=mg.Generator(device=device).manual_seed(8))
    b.uniform_(generator=mg.Generator(device=device).manual_seed(8))
    np.testing.assert_allclose(a.numpy(), -1.0 + 4.0 * b.numpy(), rtol=1e-12)
    mg.manual_seed(3)
    a.normal_()
    mg.manual_seed(3)
    b.normal_()
    np.testing.assert_array_equal(a.numpy(), b.numpy())  # the default generator when none is given


def test_random_fills_refuse(device):
    other = "strict" if device == "cpu" else "cpu"
    x = mg.zeros(3, device=device)
    with pytest.raises(ValueError, match=f"^normal_: generator is for {other}.*, the tensor is on {device}"):
        x.normal_(generator=mg.Generator(device=other))
    with pytest.raises(TypeError, match=r"^uniform_: expected a floating-point tensor, got int64 with shape \(3,\)$"):
        mg.zeros(3, dtype=mg.int64, device=device).uniform_()
    w = mg.ones(2, device=device, requires_grad=True)
    for op in ("normal_", "uniform_"):
        with pytest.raises(RuntimeError, match=rf"^{op}: a leaf Variable that requires grad is being used in an "
                                               r"in-place operation \(shape \(2,\), grad mode on; its gradient would "
                                               r"be lost\)\. Wrap it in minigrad\.no_grad\(\) \(a parameter update\), "
                                               r"or work on a clone\(\)$"):
            getattr(w, op)()
    with pytest.raises(RuntimeError, match=r"^add_: a view of a leaf Variable that requires grad"):
        w[0].add_(1.0)
    assert w._version == 0


def test_an_operand_of_a_wider_dtype_is_cast_back(device):
    x = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    o = mg.tensor([0.5, 0.25], dtype=mg.float64, device=device, requires_grad=True)
    y = x * 1.0
    y.add_(o)
    assert y.dtype == mg.float32 and y._version == 1
    np.testing.assert_array_equal(y.numpy(), [1.5, 2.25])
    (y * mg.tensor([2.0, 3.0], device=device)).sum().backward()
    assert o.grad.dtype == mg.float64 and x.grad.dtype == mg.float32
    np.testing.assert_array_equal(o.grad.numpy(), [2.0, 3.0])
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 3.0])


def test_the_snapshot_an_in_place_op_saves_keeps_the_old_values(device):
    x = mg.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    y = x * 1.0
    y.pow_(2)  # pow saves the old values for its gradient 2 * old
    y.pow_(3)  # and again: (x**2)**3
    np.testing.assert_array_equal(y.numpy(), [1.0, 64.0, 729.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 192.0, 1458.0])  # d x**6 / dx
