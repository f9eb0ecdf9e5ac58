"""Indexing ops (minigrad/ops/indexing.py) at their edges, against NumPy: out-of-range indices, alpha,
repeated indices, a 0-d value's gradient, masked ops in row-major order, where's dtype rules for
numbers, nonzero of 0-d inputs, and each refusal with its message (issue 18)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

X = np.arange(12.0).reshape(3, 4)


def _t(a, device, **kw):
    return mg.tensor(a, device=device, **kw)


def test_gather_with_repeated_indices_and_its_gradient(device):
    idx = np.array([[0, 3, 3], [0, 2, 2], [1, 1, 2]])
    x = _t(X, device, requires_grad=True)
    out = mg.gather(x, 1, _t(idx, device))
    np.testing.assert_array_equal(out.numpy(), np.take_along_axis(X, idx, axis=1))
    out.sum().backward()
    expected = np.zeros(X.shape)
    np.add.at(expected, (np.arange(3)[:, None], idx), 1.0)  # repeated indices accumulate
    np.testing.assert_array_equal(x.grad.numpy(), expected)


@pytest.mark.parametrize("bad", [-1, -4, 4])
@pytest.mark.parametrize("op, call", [
    ("gather", lambda x, i: mg.gather(x, 1, mg.full((3, 1), i, dtype=mg.int64, device=x.device))),
    ("scatter", lambda x, i: mg.scatter(x, 1, mg.full((3, 1), i, dtype=mg.int64, device=x.device), 1.0)),
    ("index_select", lambda x, i: mg.index_select(x, 1, mg.tensor([i], device=x.device))),
    ("index_add", lambda x, i: mg.index_add(x, 1, mg.tensor([i], device=x.device), mg.ones(3, 1, device=x.device))),
])
def test_indices_outside_zero_to_n_are_refused_as_pytorch(op, call, bad, device):
    """PyTorch's gather, scatter and index_* refuse negative indices (NumPy would wrap them)."""
    with pytest.raises(IndexError, match=rf"^{op}: index {bad} is out of bounds for dimension of size 4 "
                                         rf"\(expected 0 <= index < 4\)$"):
        call(_t(X, device), bad)


def test_index_add_alpha_and_index_copy(device):
    x = _t(X, device, requires_grad=True)
    src = _t(np.ones((3, 2)), device, requires_grad=True)
    idx = _t([3, 3], device)
    out = mg.index_add(x, 1, idx, src, alpha=-2.5)
    ref = X.copy()
    ref[:, 3] += -5.0
    np.testing.assert_array_equal(out.numpy(), ref)
    out.sum().backward()
    np.testing.assert_array_equal(src.grad.numpy(), np.full((3, 2), -2.5))
    np.testing.assert_array_equal(x.grad.numpy(), np.ones(X.shape))
    copied = mg.index_copy(_t(X, device), 0, _t([2, 0], device), _t(-np.ones((2, 4)), device))
    ref = X.copy()
    ref[[2, 0]] = -1.0
    np.testing.assert_array_equal(copied.numpy(), ref)


def test_index_select_forms(device):
    x = _t(X, device)
    np.testing.assert_array_equal(mg.index_select(x, -1, _t([3, 0, 3], device)).numpy(), X[:, [3, 0, 3]])
    np.testing.assert_array_equal(mg.index_select(x, 0, _t(2, device)).numpy(), X[[2]])
    np.testing.assert_array_equal(mg.index_select(_t(5.0, device), 0, _t([0], device)).numpy(), 5.0)


def test_masked_fill_value_forms(device):
    mask = _t([True, False, True, False], device)
    v = _t(2.0, device, requires_grad=True, dtype=mg.float64)
    x = _t(X, device, requires_grad=True)
    out = mg.masked_fill(x, mask, v)
    ref = X.copy()
    ref[:, [0, 2]] = 2.0
    np.testing.assert_array_equal(out.numpy(), ref)
    out.sum().backward()
    assert float(v.grad) == 6.0  # the sum of g over the filled places
    np.testing.assert_array_equal(x.grad.numpy(), np.where([True, False, True, False], 0.0, 1.0) * np.ones(X.shape))
    ints = mg.masked_fill(_t(np.arange(4), device), mask, 1.5)
    assert ints.dtype == mg.int64  # the input's dtype is kept
    np.testing.assert_array_equal(ints.numpy(), [1, 1, 1, 3])


def test_masked_select_and_scatter_in_row_major_order(device):
    m = np.array([[True], [False], [True]])
    x = _t(X, device, requires_grad=True)
    out = mg.masked_select(x, _t(m, device))
    np.testing.assert_array_equal(out.numpy(), X[np.broadcast_to(m, X.shape)])
    src = np.arange(100.0, 110.0)
    s = _t(src, device, requires_grad=True)
    full = np.broadcast_to(m, X.shape)
    scattered = mg.masked_scatter(_t(X, device), _t(full, device), s)
    ref = X.copy()
    ref[full] = src[:8]
    np.testing.assert_array_equal(scattered.numpy(), ref)
    scattered.sum().backward()
    np.testing.assert_array_equal(s.grad.numpy(), [1.0] * 8 + [0.0] * 2)


def test_take_along_dim_forms(device):
    x = _t(X, device)
    idx = np.array([[2], [0], [1]])
    np.testing.assert_array_equal(mg.take_along_dim(x, _t(idx, device), 1).numpy(), np.take_along_axis(X, idx, 1))
    np.testing.assert_array_equal(mg.take_along_dim(x, _t([11, 0, 5], device)).numpy(), X.reshape(-1)[[11, 0, 5]])
    row = np.array([[1, 0, 2, 1]])
    np.testing.assert_array_equal(mg.take_along_dim(x, _t(row, device), 0).numpy(), np.take_along_axis(X, row, 0))


def test_where_with_numbers_and_nonzero(device):
    c = _t([True, False], device)
    assert mg.where(c, 1, 2).dtype == mg.int64 and mg.where(c, True, False).dtype == mg.bool
    assert mg.where(c, 1, 2.5).dtype == mg.float32
    np.testing.assert_array_equal(mg.where(c, 1, 2.5).numpy(), [1.0, 2.5])
    rows, cols = mg.where(_t(X > 8, device))
    np.testing.assert_array_equal(rows.numpy(), [2, 2, 2])
    np.testing.assert_array_equal(cols.numpy(), [1, 2, 3])
    assert mg.nonzero(_t(3.0, device)).shape == (1, 0) and mg.nonzero(_t(0.0, device)).shape == (0, 0)
    np.testing.assert_array_equal(mg.nonzero(_t(X % 5 == 0, device)).numpy(), np.argwhere(X % 5 == 0))
    (only,) = mg.nonzero(_t(2.0, device), as_tuple=True)
    np.testing.assert_array_equal(only.numpy(), [0])


@pytest.mark.parametrize("call, error, msg", [
    (lambda x: mg.gather(x, 1, mg.tensor([0, 1])), RuntimeError,
     r"^gather: index has 1 dimension\(s\), the tensor of shape \(3, 4\) has 2; they must be equal$"),
    (lambda x: mg.gather(x, 1, mg.tensor([[0], [1], [2], [0]])), RuntimeError,
     r"^gather: index of shape \(4, 1\) is larger than the tensor of shape \(3, 4\) on dimension 0$"),
    (lambda x: mg.gather(x, 1, mg.tensor([[4]])), IndexError,
     r"^gather: index 4 is out of bounds for dimension of size 4 \(expected 0 <= index < 4\)$"),
    (lambda x: mg.gather(x, 1, mg.tensor([[-5]])), IndexError, "^gather: index -5 is out of bounds"),
    (lambda x: mg.gather(x, 1, mg.tensor([[0.0]])), TypeError,
     r"^gather: index must be an integer tensor \(int64\), got"),
    (lambda x: mg.gather(x, 1, mg.tensor([[0]], device="strict")), RuntimeError, "^gather: index is on strict"),
    (lambda x: mg.index_select(x, 0, mg.tensor([[0]])), RuntimeError, r"^index_select: index must be 0-d or 1-D"),
    (lambda x: mg.index_select(x, 0, mg.tensor([3])), IndexError, "^index_select: index 3 is out of bounds"),
    (lambda x: mg.index_add(x, 0, mg.tensor([0]), mg.ones(1, 2)), RuntimeError,
     r"^index_add: source of shape \(1, 2\) does not fit input of shape \(3, 4\) with 1 index\(es\) on dim 0: "
     r"expected \(1, 4\)$"),
    (lambda x: mg.index_copy(x, 0, mg.tensor([[0]]), mg.ones(1, 4)), RuntimeError, "^index_copy: index must be 0-d"),
    (lambda x: mg.index_copy(x, 0, mg.tensor([3]), mg.ones(1, 4)), IndexError, "^index_copy: index 3 is out of"),
    (lambda x: mg.masked_fill(x, mg.tensor([1, 0, 1, 0]), 0.0), TypeError, "^masked_fill: mask must be a bool tensor"),
    (lambda x: mg.masked_fill(x, mg.tensor([[True], [False]]), 0.0), RuntimeError,
     r"^masked_fill: shapes \(3, 4\) and \(2, 1\) cannot be broadcast together$"),
    (lambda x: mg.masked_fill(x, mg.tensor([[[True]]]), 0.0), RuntimeError,
     r"^masked_fill: mask of shape \(1, 1, 1\) does not broadcast to the input's shape \(3, 4\)$"),
    (lambda x: mg.masked_fill(x, mg.tensor([True, False, True, False]), mg.ones(2)), RuntimeError,
     r"^masked_fill: value must be a number or a 0-d tensor, got shape \(2,\)$"),
    (lambda x: mg.masked_select(x, mg.tensor([True, False])), RuntimeError,
     r"^masked_select: shapes \(3, 4\) and \(1, 2\) cannot be broadcast together$"),
    (lambda x: mg.masked_scatter(x, mg.tensor([True] * 4), mg.ones(11)), RuntimeError,
     "^masked_scatter: source has 11 elements, the mask selects 12$"),
    (lambda x: mg.masked_scatter(x, mg.tensor([[[True]]]), mg.ones(12)), RuntimeError,
     r"^masked_scatter: mask of shape \(1, 1, 1\) does not broadcast to the input's shape \(3, 4\)$"),
    (lambda x: mg.take_along_dim(x, mg.tensor([0, 1]), 1), RuntimeError,
     r"^take_along_dim: input of shape \(3, 4\) and indices of shape \(2,\) must have the same number of dimensions$"),
    (lambda x: mg.take_along_dim(x, mg.tensor([[0], [1]]), 1), RuntimeError,
     r"^take_along_dim: shapes \(3, 4\) and \(2, 1\) do not broadcast outside dim 1$"),
    (lambda x: mg.scatter_add(x, 1, mg.tensor([[0, 1]]), mg.ones(1, 1)), RuntimeError,
     r"^scatter_add: index of shape \(1, 2\) is larger than src of shape \(1, 1\) on dimension 1$"),
    (lambda x: mg.where(x > 1, 1.0), TypeError, "^where: give both input and other, or neither$"),
    (lambda x: mg.where(True, 1, 2), TypeError, "^where: at least one of condition, input and other must be a Tensor$"),
    (lambda x: mg.where([1, 0]), TypeError, "^where: condition must be a Tensor, got list$"),
])
def test_refusals(call, error, msg):
    with pytest.raises(error, match=msg):
        call(mg.tensor(X))
