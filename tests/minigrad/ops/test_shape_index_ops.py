"""Indices, masks, counts and API forms of the reductions/ordering/layout/indexing ops (issue 14).

Values and gradients are fuzzed by the op table (tests/support/op_specs_shape_index.py); here the
non-differentiable parts are checked against NumPy computations written independently:
int64 indices, bool results, the PyTorch call forms (``max(x)``, ``max(x, dim)``,
``max(x, other)``, ``max(x, axis=...)``), defaults, and errors.
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

X = np.array([[0.5, -1.0, 2.0, 1.5], [3.0, 0.25, -2.0, 1.0], [-0.5, 4.0, 0.0, 2.5]])


def _t(a, device, **kw):
    return mg.tensor(a, device=device, **kw)


# ----- (values, indices) ------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_max_min_along_dim_give_values_and_int64_indices(device, dim):
    x = _t(X, device)
    for name, arg in (("max", np.argmax), ("min", np.argmin)):
        r = getattr(x, name)(dim)
        values, indices = r  # unpacks like PyTorch's named tuple
        assert indices.dtype == "int64" and r.indices is indices and r.values is values
        np.testing.assert_array_equal(indices.numpy(), arg(X, axis=dim))
        np.testing.assert_array_equal(values.numpy(), getattr(np, name)(X, axis=dim).astype(np.float32))
        kept = getattr(mg, name)(x, dim, keepdim=True)
        assert kept.values.shape == kept.indices.shape == np.expand_dims(arg(X, axis=dim), dim).shape


def test_max_forms(device):
    x, y = _t(X, device), _t(X[::-1].copy(), device)
    assert mg.max(x).shape == () and float(mg.max(x)) == 4.0  # the full reduction
    np.testing.assert_array_equal(mg.max(x, y).numpy(), np.maximum(X, X[::-1]).astype(np.float32))
    np.testing.assert_array_equal(mg.min(x, y).numpy(), np.minimum(X, X[::-1]).astype(np.float32))
    # NumPy's axis= keeps its meaning: values only, tuples of axes allowed
    assert isinstance(x.max(axis=1), mg.Tensor)
    np.testing.assert_array_equal(x.max(axis=(0, 1)).numpy(), np.float32(4.0))
    np.testing.assert_array_equal(x.amax((0, 1)).numpy(), np.float32(4.0))


def test_sort_argsort_topk_kthvalue_indices(device):
    x = _t(X, device)
    s = x.sort(dim=1, descending=True)
    np.testing.assert_array_equal(s.indices.numpy(), np.argsort(-X, axis=1, kind="stable"))
    np.testing.assert_array_equal(mg.argsort(x, 0).numpy(), np.argsort(X, axis=0, kind="stable"))
    assert mg.argsort(x).dtype == "int64" and not mg.argsort(x).requires_grad
    t = mg.topk(x, 2, dim=0, largest=False)
    np.testing.assert_array_equal(t.indices.numpy(), np.argsort(X, axis=0)[:2])
    k = mg.kthvalue(x, 3, 1)
    np.testing.assert_array_equal(k.indices.numpy(), np.argsort(X, axis=1)[:, 2])
    m = mg.median(x, 1)
    np.testing.assert_array_equal(m.indices.numpy(), np.argsort(X, axis=1)[:, 1])  # lower median of 4


def test_stable_sort_keeps_equal_elements_in_order_both_ways(device):
    a = np.array([2.0, 1.0, 2.0, 1.0, 2.0])
    up, down = mg.sort(_t(a, device)), mg.sort(_t(a, device), descending=True)
    assert up.indices.numpy().tolist() == [1, 3, 0, 2, 4]
    assert down.indices.numpy().tolist() == [0, 2, 4, 1, 3]


def test_mode_counts_like_numpy(device):
    rows = np.array([[2.0, 1.0, 1.0, 2.0, 3.0], [5.0, 4.0, 5.0, 4.0, 4.0]])
    r = mg.mode(_t(rows, device), 1)
    for row, v, i in zip(rows, r.values.numpy(), r.indices.numpy()):
        values, counts = np.unique(row, return_counts=True)  # sorted values: the first max is the smallest
        assert v == values[np.argmax(counts)]
        assert i == np.flatnonzero(row == v)[-1]  # PyTorch: the last occurrence


def test_cummax_cummin_indices_prefer_the_later_tie(device):
    a = np.array([1.0, 1.0, 0.0, 1.0, 3.0, 3.0])
    r = mg.cummax(_t(a, device), 0)
    want = [max(range(i + 1), key=lambda j: (a[j], j)) for i in range(len(a))]  # latest of the maxima so far
    assert r.indices.numpy().tolist() == want
    r = mg.cummin(_t(-a, device), 0)
    assert r.indices.numpy().tolist() == want


# ----- counts, masks, positions ---------------------------------------------------------------------
def test_count_nonzero_any_all(device):
    z = np.array([[0.0, 1.0, 0.0], [2.0, 0.0, 0.0]])
    x = _t(z, device)
    assert mg.count_nonzero(x).dtype == "int64" and int(mg.count_nonzero(x)) == 2
    np.testing.assert_array_equal(mg.count_nonzero(x, 0).numpy(), (z != 0).sum(0))
    np.testing.assert_array_equal(x.any(1).numpy(), (z != 0).any(1))
    np.testing.assert_array_equal(x.all(0, keepdim=True).numpy(), (z != 0).all(0, keepdims=True))
    assert x.any().dtype == "bool" and bool(x.any()) and not bool(x.all())


def test_nonzero_and_where_with_one_argument(device):
    z = np.array([[0.0, 1.0, 0.0], [2.0, 0.0, 3.0]])
    x = _t(z, device)
    nz = mg.nonzero(x)
    assert nz.dtype == "int64"
    np.testing.assert_array_equal(nz.numpy(), np.argwhere(z))
    rows, cols = mg.where(x != 0)
    np.testing.assert_array_equal(rows.numpy(), np.nonzero(z)[0])
    np.testing.assert_array_equal(cols.numpy(), np.nonzero(z)[1])
    assert mg.nonzero(_t(5.0, device)).shape == (1, 0) and mg.nonzero(_t(0.0, device)).shape == (0, 0)


def test_where_with_two_scalars_has_pytorchs_dtype(device):
    cond = _t(np.array([True, False, True]), device)
    f = mg.where(cond, 1.0, 0.0)
    assert f.dtype == mg.get_default_dtype() and f.numpy().tolist() == [1.0, 0.0, 1.0]
    i = mg.where(cond, 2, -1)
    assert i.dtype == "int64" and i.numpy().tolist() == [2, -1, 2]


def test_var_std_default_to_the_unbiased_estimate(device):
    x = _t(X, device, dtype="float64")
    np.testing.assert_allclose(x.var().numpy(), X.var(ddof=1), rtol=1e-12)
    np.testing.assert_allclose(x.std(1).numpy(), X.std(1, ddof=1), rtol=1e-12)
    np.testing.assert_allclose(x.var(0, correction=0).numpy(), X.var(0), rtol=1e-12)  # the course's form
    np.testing.assert_allclose(x.var(0, unbiased=False).numpy(), X.var(0), rtol=1e-12)
    v, m = mg.var_mean(x, 1)
    np.testing.assert_allclose(v.numpy(), X.var(1, ddof=1), rtol=1e-12)
    np.testing.assert_allclose(m.numpy(), X.mean(1), rtol=1e-12)


def test_std_of_equal_entries_has_gradient_zero_like_pytorch(device):
    # PyTorch masks std's gradient to 0 where std = 0 (instead of 0 / 0)
    x = _t(np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]]), device, dtype="float64", requires_grad=True)
    x.std(1).sum().backward()
    row = np.array([1.0, 2.0, 4.0])
    dev = row - row.mean()
    np.testing.assert_array_equal(x.grad.numpy()[0], 0.0)
    np.testing.assert_allclose(x.grad.numpy()[1], dev / (2 * np.sqrt((dev ** 2).sum() / 2)), rtol=1e-12)


def test_argmax_argmin_take_dim_and_keepdim(device):
    x = _t(X, device)
    np.testing.assert_array_equal(x.argmax(dim=1).numpy(), X.argmax(1))
    assert x.argmin(0, keepdim=True).shape == (1, 4)
    assert int(x.argmax()) == X.argmax() and x.argmax().dtype == "int64"


# ----- layout forms ---------------------------------------------------------------------------------
def test_tensor_method_forms(device):
    x = _t(X, device)
    np.testing.assert_array_equal(x.flip(0, 1).numpy(), X[::-1, ::-1].astype(np.float32))
    np.testing.assert_array_equal(x.flip((1,)).numpy(), X[:, ::-1].astype(np.float32))
    assert x.view(4, 3).shape == (4, 3) and x.view(-1).shape == (12,) and x.view((2, 6)).shape == (2, 6)
    assert x.repeat(2, 1).shape == (6, 4) and x.tile((2,)).shape == (3, 8)
    assert [c.shape for c in x.chunk(2, dim=1)] == [(3, 2), (3, 2)]
    assert [u.shape for u in x.unbind(1)] == [(3,)] * 4
    assert x.swapdims(0, 1).shape == (4, 3) and x.moveaxis(0, -1).shape == (4, 3)
    assert x.T.shape == (4, 3) and x.unflatten(1, (2, 2)).shape == (3, 2, 2)


def test_pad_modes_crop_and_numpy_form(device):
    a = np.arange(6.0).reshape(2, 3)
    x = _t(a, device, dtype="float64")
    np.testing.assert_array_equal(mg.pad(x, (1, 1), mode="reflect").numpy(), np.pad(a, ((0, 0), (1, 1)), "reflect"))
    np.testing.assert_array_equal(mg.pad(x, (2, 0, 1, 0), mode="replicate").numpy(),
                                  np.pad(a, ((1, 0), (2, 0)), "edge"))
    np.testing.assert_array_equal(mg.pad(x, (3, 1), mode="circular").numpy(), np.pad(a, ((0, 0), (3, 1)), "wrap"))
    np.testing.assert_array_equal(mg.pad(x, (-1, 0, 0, -1)).numpy(), a[:1, 1:])  # negative widths crop
    np.testing.assert_array_equal(mg.pad(x, pad_width=((1, 0), (0, 2)), value=7.0).numpy(),
                                  np.pad(a, ((1, 0), (0, 2)), constant_values=7.0))


# ----- errors ---------------------------------------------------------------------------------------
def test_bad_arguments_name_the_op(device):
    x = _t(X, device)
    idx = _t(np.array([[5, 0, 0, 0]]), device)
    with pytest.raises(IndexError, match=r"^gather: index 5 is out of bounds for dimension of size 3"):
        mg.gather(x, 0, idx)
    with pytest.raises(TypeError, match=r"^index_select: index must be an integer tensor"):
        mg.index_select(x, 0, _t(np.array([0.0]), device))
    with pytest.raises(TypeError, match=r"^masked_fill: mask must be a bool tensor"):
        x.masked_fill(_t(np.ones((3, 4)), device), 0.0)
    with pytest.raises(IndexError, match=r"^topk: k=5 is out of range for dim 1 of length 4"):
        x.topk(5)
    with pytest.raises(ValueError, match=r"^pad: reflect padding \(3, 0\) must be smaller than the length 3"):
        mg.pad(x, (0, 0, 3, 0), mode="reflect")
    with pytest.raises(RuntimeError, match=r"^repeat: 1 repeat size\(s\) for a tensor with 2 dimensions"):
        x.repeat(2)
    with pytest.raises(ValueError, match=r"^scatter_reduce: reduce must be one of"):
        mg.scatter_reduce(x, 0, idx, x, "median")
