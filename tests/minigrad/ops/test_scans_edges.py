"""minigrad/ops/scans.py at its edges, against products and sums written out with NumPy: gradients of
cumprod / prod with zeros and near-zeros (the division-free path), first and second order, prod
along a dim with keepdim, 0-d and empty inputs, integer dtypes, cummax / cummin with NaN, and
logcumsumexp with infinities and a wide spread of values."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg


def _t(a, device, grad=False):
    return mg.tensor(a, dtype="float64", device=device, requires_grad=grad)


def _cumprod_grad(a, w):
    """d/da_k sum_i w_i prod_{j<=i} a_j, by the definition (products of the other factors)."""
    n = len(a)
    return np.array([sum(w[i] * np.prod([a[j] for j in range(i + 1) if j != k]) for i in range(k, n))
                     for k in range(n)])


@pytest.mark.parametrize("a", [[2.0, -0.5, 3.0, 1.5], [2.0, 0.0, 3.0, 4.0], [0.0, 2.0, 0.0, 5.0],
                               [1.5, 2.0, 5e-5, -3.0], [3.0, 2.0, 1.0, 0.0]])
def test_cumprod_gradient_by_the_definition_with_and_without_zeros(a, device):
    w = np.array([1.0, -2.0, 0.5, 3.0])
    x = _t(a, device, grad=True)
    out = mg.cumprod(x, 0)
    np.testing.assert_allclose(out.numpy(), np.cumprod(a), rtol=1e-15)
    (g,) = mg.grad((out * _t(w, device)).sum(), [x], create_graph=True)
    np.testing.assert_allclose(g.numpy(), _cumprod_grad(np.array(a), w), rtol=1e-12, atol=1e-15)
    (gg,) = mg.grad((g * _t([1.0, 2.0, 3.0, 4.0], device)).sum(), [x])  # the second order, by differences
    h = 1e-6
    num = np.array([(np.dot([1.0, 2.0, 3.0, 4.0], _cumprod_grad(np.array(a) + h * e, w))
                     - np.dot([1.0, 2.0, 3.0, 4.0], _cumprod_grad(np.array(a) - h * e, w))) / (2 * h)
                    for e in np.eye(4)])
    np.testing.assert_allclose(gg.numpy(), num, rtol=1e-6, atol=1e-6)


def test_cumprod_gradient_along_a_middle_axis_with_a_zero(device):
    rng = np.random.default_rng(3)
    a = rng.uniform(0.5, 2.0, (2, 4, 3))
    a[1, 2, 0] = 0.0
    w = rng.standard_normal((2, 4, 3))
    x = _t(a, device, grad=True)
    (mg.cumprod(x, 1) * _t(w, device)).sum().backward()
    expected = np.stack([np.stack([_cumprod_grad(a[i, :, j], w[i, :, j]) for j in range(3)], axis=-1)
                         for i in range(2)])
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("a", [[2.0, 3.0, 4.0], [2.0, 0.0, 4.0], [0.0, 3.0, 0.0], [5.0]])
def test_prod_gradient_is_the_product_of_the_others(a, device):
    x = _t(a, device, grad=True)
    out = mg.prod(x)
    assert out.item() == np.prod(a)
    out.backward()
    expected = [np.prod([v for j, v in enumerate(a) if j != k]) for k in range(len(a))]
    assert x.grad.tolist() == expected


@pytest.mark.parametrize("dim, keepdim", [(0, False), (1, True), (-1, False), (2, True)])
def test_prod_along_a_dim(dim, keepdim, device):
    rng = np.random.default_rng(1)
    a = rng.uniform(-2, 2, (3, 2, 4))
    a[0, 1, 2] = 0.0
    w = rng.standard_normal(np.prod(a, axis=dim, keepdims=keepdim).shape)
    x = _t(a, device, grad=True)
    out = mg.prod(x, dim, keepdim=keepdim)
    np.testing.assert_allclose(out.numpy(), np.prod(a, axis=dim, keepdims=keepdim), rtol=1e-14)
    (out * _t(w, device)).sum().backward()
    wk = w if keepdim else np.expand_dims(w, dim)
    others = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        line = list(idx)
        d = dim % 3
        vals = [a[tuple(line[:d] + [j] + line[d + 1:])] for j in range(a.shape[d]) if j != idx[d]]
        others[idx] = np.prod(vals)
    np.testing.assert_allclose(x.grad.numpy(), np.broadcast_to(wk, a.shape) * others, rtol=1e-12, atol=1e-15)


def test_prod_of_0d_and_empty_inputs(device):
    s = _t(3.0, device, grad=True)
    out = mg.prod(s, 0)
    assert out.shape == () and out.item() == 3.0
    out.backward()
    assert s.grad.item() == 1.0
    e = _t(np.zeros((2, 0)), device, grad=True)
    empty = mg.prod(e, 1)
    assert empty.tolist() == [1.0, 1.0]
    empty.sum().backward()
    assert e.grad.shape == (2, 0)
    assert mg.prod(_t(np.zeros((0,)), device)).item() == 1.0
    ints = mg.prod(mg.tensor(np.array([3, 4], dtype=np.int32), device=device))
    assert ints.dtype == "int64" and ints.item() == 12
    assert mg.prod(mg.tensor([2, 3], device=device), dtype="float64").dtype == "float64"


def test_cumsum_values_gradient_and_dtypes(device):
    a = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    w = np.array([[1.0, 10.0, 100.0], [-1.0, 0.5, 2.0]])
    for dim in (0, 1, -1):
        x = _t(a, device, grad=True)
        (mg.cumsum(x, dim) * _t(w, device)).sum().backward()
        rev = np.flip(np.cumsum(np.flip(w, axis=dim), axis=dim), axis=dim)  # da_k = sum_{i>=k} w_i
        np.testing.assert_array_equal(x.grad.numpy(), rev)
    small = mg.cumsum(mg.tensor(np.array([100, 100], dtype=np.int8), device=device), 0)
    assert small.dtype == "int64" and small.tolist() == [100, 200]  # no wrap: int64 as PyTorch
    for ints in ([True, True, False], np.array([3, -2, 0], dtype=np.int64), np.array([3, -2, 0], dtype=np.int16)):
        out = mg.cumprod(mg.tensor(ints, device=device), 0)  # PyTorch: int64 (bool and int16 too)
        assert out.dtype == "int64" and out.tolist() == np.cumprod(np.asarray(ints, dtype=np.int64)).tolist()
    assert mg.cumsum(mg.tensor([1, 2], device=device), 0, dtype="float32").dtype == "float32"
    s = mg.cumsum(_t(4.0, device), 0)
    assert s.shape == () and s.item() == 4.0


def test_cummax_cummin_with_nan_and_0d(device):
    a = np.array([1.0, math.nan, 3.0, 0.0])
    r = mg.cummax(_t(a, device), 0)
    assert r.indices.tolist() == [0, 1, 1, 1]  # a NaN, once seen, stays
    assert math.isnan(r.values.tolist()[2])
    r = mg.cummin(_t(a, device), 0)
    assert r.indices.tolist() == [0, 1, 1, 1]
    s = mg.cummax(_t(2.0, device), 0)
    assert s.values.shape == () and s.indices.shape == () and s.indices.item() == 0
    ints = mg.cummin(mg.tensor([[3, 1, 2, 1, 0]], device=device), 1)
    assert ints.indices.tolist() == [[0, 1, 1, 3, 4]] and ints.values.tolist() == [[3, 1, 1, 1, 0]]


def test_cummax_long_rows_against_a_running_loop(device):
    rng = np.random.default_rng(7)
    a = rng.integers(0, 5, (3, 37)).astype(np.float64)
    r = mg.cummax(_t(a, device), 1)
    for row, idx in zip(a, r.indices.numpy()):
        best = 0
        for i in range(len(row)):
            if row[i] >= row[best]:
                best = i
            assert idx[i] == best
    x = _t(a, device, grad=True)
    mg.cummin(x, 1).values.sum().backward()
    counts = np.zeros_like(a)
    for k, row in enumerate(mg.cummin(_t(a, device), 1).indices.numpy()):
        np.add.at(counts[k], row, 1.0)
    np.testing.assert_array_equal(x.grad.numpy(), counts)


def test_logcumsumexp_values_gradient_and_infinities(device):
    a = np.array([-1000.0, 0.0, 1000.0, 2.0, -3.0, 1.0, 0.5])
    x = _t(a, device, grad=True)
    out = mg.logcumsumexp(x, 0)
    expected = [np.logaddexp.reduce(a[:i + 1]) for i in range(len(a))]
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-14)
    w = np.arange(1.0, 8.0)
    (out * _t(w, device)).sum().backward()
    grad = [sum(w[i] * np.exp(a[k] - expected[i]) for i in range(k, len(a))) for k in range(len(a))]
    np.testing.assert_allclose(x.grad.numpy(), grad, rtol=1e-12)
    inf = mg.logcumsumexp(_t([-math.inf, -math.inf, 0.0, math.inf], device), 0).tolist()
    assert inf == [-math.inf, -math.inf, 0.0, math.inf]
    two = mg.logcumsumexp(_t(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]), device), 0).numpy()
    np.testing.assert_allclose(two[:, 0], [0.0, np.logaddexp(0, 1), np.logaddexp.reduce([0.0, 1.0, 2.0])])
    assert mg.logcumsumexp(_t(1.5, device), 0).item() == 1.5
