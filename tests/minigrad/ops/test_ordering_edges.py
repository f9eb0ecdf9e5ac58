"""minigrad/ops/ordering.py at its edges, against NumPy's stable sort and hand-worked ranks: the
bounds of k, 0-d inputs, keepdim, empty dims, ties (descending stability, mode's smallest value at
its last position), and where the gradient goes."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

X = np.array([[3.0, 1.0, 4.0, 1.0, 5.0], [9.0, 2.0, 6.0, 5.0, 3.0], [5.0, 8.0, 9.0, 7.0, 9.0]])


def _t(a, device, grad=False):
    return mg.tensor(a, dtype="float64", device=device, requires_grad=grad)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_values_and_indices_against_numpys_stable_sort(dim, descending, device):
    r = mg.sort(_t(X, device), dim=dim, descending=descending)
    key = -X if descending else X
    idx = np.argsort(key, axis=dim, kind="stable")  # equal values keep their order in both directions
    np.testing.assert_array_equal(r.indices.numpy(), idx)
    np.testing.assert_array_equal(r.values.numpy(), np.take_along_axis(X, idx, axis=dim))
    assert r.indices.dtype == "int64"
    np.testing.assert_array_equal(mg.argsort(_t(X, device), dim, descending).numpy(), idx)


def test_descending_sort_keeps_ties_in_order_at_every_position(device):
    a = np.array([1.0, 3.0, 1.0, 3.0, 2.0, 1.0])
    assert mg.sort(_t(a, device), descending=True).indices.tolist() == [1, 3, 4, 0, 2, 5]
    assert mg.msort(_t(X, device)).tolist() == np.sort(X, axis=0).tolist()


def test_sort_gradient_goes_back_to_the_positions(device):
    x = _t(X[0], device, grad=True)
    w = np.arange(1.0, 6.0)
    (mg.sort(x, descending=True).values * _t(w, device)).sum().backward()
    expected = np.zeros(5)
    expected[np.argsort(-X[0], kind="stable")] = w
    np.testing.assert_array_equal(x.grad.numpy(), expected)


@pytest.mark.parametrize("largest", [True, False])
def test_topk_every_k_from_0_to_n(largest, device):
    x = _t(X, device)
    for k in range(0, 6):
        r = mg.topk(x, k, dim=1, largest=largest)
        idx = np.argsort(-X if largest else X, axis=1, kind="stable")[:, :k]
        np.testing.assert_array_equal(r.indices.numpy(), idx)
        np.testing.assert_array_equal(r.values.numpy(), np.take_along_axis(X, idx, axis=1))
    for k in (-1, 6):
        with pytest.raises(IndexError, match=f"topk: k={k} is out of range for dim 1 of length 5"):
            mg.topk(x, k, dim=1)
    assert mg.topk(x, 2, dim=0).values.tolist() == np.sort(X, axis=0)[::-1][:2].tolist()


def test_kthvalue_every_k_and_its_bounds(device):
    x = _t(X, device)
    for k in range(1, 6):
        r = mg.kthvalue(x, k, dim=1)
        idx = np.argsort(X, axis=1, kind="stable")[:, k - 1]
        np.testing.assert_array_equal(r.indices.numpy(), idx)
        np.testing.assert_array_equal(r.values.numpy(), X[np.arange(3), idx])
        kept = mg.kthvalue(x, k, dim=1, keepdim=True)
        assert kept.values.shape == (3, 1) and kept.indices.shape == (3, 1)
    for k in (0, 6):
        with pytest.raises(IndexError, match=f"kthvalue: k={k} is out of range for dim 1 of length 5"):
            mg.kthvalue(x, k, dim=1)
    assert mg.kthvalue(x, 3, dim=0).values.tolist() == np.sort(X, axis=0)[2].tolist()


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_median_is_the_lower_median(n, device):
    a = np.array([4.0, -1.0, 7.0, 2.0, 2.5, 0.5])[:n]
    lower = np.sort(a)[(n - 1) // 2]
    assert mg.median(_t(a, device)).item() == lower
    r = mg.median(_t(np.stack([a, a * 2]), device), dim=1)
    assert r.values.tolist() == [lower, 2 * lower]
    assert r.indices.tolist() == [int(np.flatnonzero(a == lower)[0])] * 2
    kept = mg.median(_t(np.stack([a, a]), device), dim=1, keepdim=True)
    assert kept.values.shape == (2, 1)


def test_median_of_all_entries_and_its_gradient(device):
    x = _t(X, device, grad=True)
    out = mg.median(x)
    flat = np.sort(X.ravel(), kind="stable")
    assert out.shape == () and out.item() == flat[(X.size - 1) // 2]
    out.backward()
    assert x.grad.numpy().sum() == 1.0 and x.grad.numpy()[np.unravel_index(
        np.argsort(X.ravel(), kind="stable")[(X.size - 1) // 2], X.shape)] == 1.0


def test_mode_takes_the_smallest_most_frequent_value_at_its_last_position(device):
    rows = np.array([[3.0, 1.0, 3.0, 1.0, 2.0], [2.0, 2.0, 7.0, 7.0, 7.0], [5.0, 4.0, 3.0, 2.0, 1.0],
                     [0.0, 9.0, 9.0, 0.0, 9.0]])
    r = mg.mode(_t(rows, device), 1)
    assert r.values.tolist() == [1.0, 7.0, 1.0, 9.0]
    assert r.indices.tolist() == [3, 4, 4, 4]
    cols = mg.mode(_t(rows.T, device), 0, keepdim=True)
    assert cols.values.shape == (1, 4) and cols.values.tolist() == [[1.0, 7.0, 1.0, 9.0]]
    assert cols.indices.tolist() == [[3, 4, 4, 4]]
    x = _t(rows[:1], device, grad=True)
    mg.mode(x, 1).values.sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0, 0.0, 1.0, 0.0]]


def test_zero_d_inputs_act_as_one_element(device):
    s = _t(2.5, device, grad=True)
    for r in (mg.sort(s), mg.topk(s, 1), mg.kthvalue(s, 1), mg.median(s, 0), mg.mode(s), mg.max(s, 0), mg.min(s, -1)):
        assert r.values.shape == () and r.indices.shape == () and r.values.item() == 2.5 and r.indices.item() == 0
    assert mg.median(s).shape == () and mg.median(s).item() == 2.5
    mg.kthvalue(s, 1).values.backward()
    assert s.grad.item() == 1.0
    with pytest.raises(IndexError):
        mg.kthvalue(s, 2)


@pytest.mark.parametrize("name, call", [("kthvalue", lambda x: mg.kthvalue(x, 1, 1)),
                                        ("median", lambda x: mg.median(x, 1)),
                                        ("mode", lambda x: mg.mode(x, 1)), ("max", lambda x: mg.max(x, 1))])
def test_reducing_an_empty_dim_raises_index_error(name, call, device):
    x = mg.zeros(2, 0, device=device)
    with pytest.raises(IndexError, match=f"{name}: cannot reduce the empty dim 1 .length 0. of a tensor of shape "
                                         r"\(2, 0\)"):
        call(x)
    with pytest.raises(IndexError, match="median: cannot reduce"):
        mg.median(x)
    assert mg.max(mg.zeros(0, 3, device=device), 1).values.shape == (0,)  # another axis may be empty


@pytest.mark.parametrize("op, pick", [("max", np.argmax), ("min", np.argmin)])
def test_max_min_along_a_dim_take_the_first_extreme_with_keepdim(op, pick, device):
    a = np.array([[1.0, 5.0, 5.0, 0.0], [0.0, 0.0, -1.0, -1.0]])
    x = _t(a, device, grad=True)
    r = getattr(mg, op)(x, 1, keepdim=True)
    assert r.indices.tolist() == pick(a, axis=1)[:, None].tolist() and r.values.shape == (2, 1)
    r2 = getattr(mg, op)(x, dim=-2)
    assert r2.indices.tolist() == pick(a, axis=0).tolist()
    r.values.sum().backward()
    expected = np.zeros_like(a)
    expected[[0, 1], pick(a, axis=1)] = 1.0
    np.testing.assert_array_equal(x.grad.numpy(), expected)
    assert r._fields == ("values", "indices") and type(r).__name__ == op
