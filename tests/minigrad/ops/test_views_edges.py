"""``diagonal``, ``t`` and ``select`` (minigrad/ops/views.py) against NumPy: every offset (inside, on
and past the edges), every pair of axes, gradients built from unit vectors, memory shared with the
input on each backend, and the errors with their messages (issue 18)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

A = np.arange(24.0).reshape(2, 3, 4)


def _unit_grad(f, a, g):
    """d sum(f(a) * g) / da for a linear f on NumPy arrays, one unit vector at a time."""
    out = np.zeros(a.shape)
    for i in np.ndindex(*a.shape):
        e = np.zeros(a.shape)
        e[i] = 1.0
        out[i] = (f(e) * g).sum()
    return out


@pytest.mark.parametrize("offset", [-4, -3, -2, -1, 0, 1, 2, 3, 4, 5])
@pytest.mark.parametrize("dims", [(1, 2), (2, 1), (0, 2), (-1, 0), (0, -2)])
def test_diagonal_matches_numpy(device, offset, dims):
    x = mg.tensor(A, device=device, requires_grad=True)
    out = mg.diagonal(x, offset, *dims)
    ref = np.diagonal(A, offset, *dims)
    assert out.shape == ref.shape
    np.testing.assert_array_equal(out.numpy(), ref)
    g = np.random.default_rng(0).standard_normal(ref.shape)
    out.backward(mg.tensor(g, device=device))
    np.testing.assert_array_equal(x.grad.numpy(), _unit_grad(lambda e: np.diagonal(e, offset, *dims), A, g))


@pytest.mark.parametrize("offset", [-2, 0, 1, 3])
def test_diagonal_is_a_view_of_the_input(device, offset):
    x = mg.tensor(A[0].copy(), device=device)
    d = mg.diagonal(x, offset)
    with mg.no_grad():
        d.mul_(10.0)
    expected = A[0].copy()
    idx = np.arange(len(np.diagonal(expected, offset)))
    rows, cols = (idx, idx + offset) if offset >= 0 else (idx - offset, idx)
    expected[rows, cols] *= 10.0
    np.testing.assert_array_equal(x.numpy(), expected)
    np.testing.assert_array_equal(d.numpy(), np.diagonal(expected, offset))


def test_diagonal_of_a_read_only_input(device):
    x = mg.expand(mg.tensor([1.0, 2.0, 3.0], device=device), 3, 3)
    d = mg.diagonal(x)
    np.testing.assert_array_equal(d.numpy(), [1.0, 2.0, 3.0])
    with mg.no_grad(), pytest.raises(ValueError, match="read-only"):  # a read-only view, as the expanded input
        d.add_(1.0)
    np.testing.assert_array_equal(x.numpy(), np.broadcast_to([1.0, 2.0, 3.0], (3, 3)))


def test_diagonal_errors():
    with pytest.raises(RuntimeError, match=r"^diagonal: needs at least 2 dimensions, got shape \(3,\)$"):
        mg.diagonal(mg.ones(3))
    with pytest.raises(RuntimeError, match="^diagonal: dim1 and dim2 must differ, both are 1$"):
        mg.diagonal(mg.ones(2, 2), 0, 1, -1)
    with pytest.raises(mg.AxisError, match="^diagonal: axis 2 is out of range"):
        mg.diagonal(mg.ones(2, 2), 0, 0, 2)
    with pytest.raises(mg.AxisError, match="^diagonal: axis -3 is out of range"):
        mg.diagonal(mg.ones(2, 2), 0, -3, 1)


def test_t(device):
    m = mg.tensor(A[0], device=device, requires_grad=True)
    out = mg.t(m)
    np.testing.assert_array_equal(out.numpy(), A[0].T)
    out.backward(mg.tensor(np.arange(12.0).reshape(4, 3), device=device))
    np.testing.assert_array_equal(m.grad.numpy(), np.arange(12.0).reshape(4, 3).T)
    v, s = mg.tensor([1.0, 2.0], device=device), mg.tensor(3.0, device=device)
    assert mg.t(v) is v and mg.t(s) is s
    with pytest.raises(RuntimeError, match=r"^t: expects a tensor with <= 2 dimensions, got shape \(2, 3, 4\); "
                                           r"use transpose\(dim0, dim1\) or \.mT$"):
        mg.t(mg.tensor(A))


@pytest.mark.parametrize("dim, index", [(0, 0), (0, -2), (1, 2), (1, -3), (-1, 3), (-1, -4), (2, 0)])
def test_select(device, dim, index):
    x = mg.tensor(A, device=device, requires_grad=True)
    out = mg.select(x, dim, index)
    ref = np.take(A, index, axis=dim)
    np.testing.assert_array_equal(out.numpy(), ref)
    g = np.random.default_rng(1).standard_normal(ref.shape)
    out.backward(mg.tensor(g, device=device))
    np.testing.assert_array_equal(x.grad.numpy(), _unit_grad(lambda e: np.take(e, index, axis=dim), A, g))


def test_select_on_a_vector_and_errors():
    np.testing.assert_array_equal(mg.select(mg.tensor([4.0, 5.0]), 0, -1).numpy(), 5.0)
    with pytest.raises(IndexError, match="^select: cannot select on a 0-d tensor$"):
        mg.select(mg.tensor(1.0), 0, 0)
    for i in (3, -4):
        with pytest.raises(IndexError, match=rf"^select: index {i} is out of range for dim 1 of length 3 "
                                             r"\(shape \(2, 3, 4\)\)$"):
            mg.select(mg.tensor(A), 1, i)
    with pytest.raises(mg.AxisError, match="^select: axis 3 is out of range"):
        mg.select(mg.tensor(A), 3, 0)
