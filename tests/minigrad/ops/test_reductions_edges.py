"""minigrad/ops/reductions.py at its edges, against NumPy: var / std with each way of giving the
correction (and which one wins), too few elements, the std gradient at a constant input, mean and
max/min gradients over several axes, keepdim aliases, empty axes, and the truth-value reductions."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg

A = np.array([[1.0, 4.0, 2.0, 7.0], [3.0, -1.0, 0.5, 2.0], [6.0, 6.0, -2.0, 1.0]])


def _t(a, device, grad=False):
    return mg.tensor(a, dtype="float64", device=device, requires_grad=grad)


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1), -1])
@pytest.mark.parametrize("ddof", [0, 1, 2])
def test_var_std_values_and_gradients_against_numpy(axis, ddof, device):
    x = _t(A, device, grad=True)
    v = mg.var(x, axis, correction=ddof)
    np.testing.assert_allclose(v.numpy(), np.var(A, axis=axis, ddof=ddof), rtol=1e-14)
    np.testing.assert_allclose(mg.std(x, axis, correction=ddof).numpy(), np.std(A, axis=axis, ddof=ddof), rtol=1e-14)
    v.sum().backward()
    n = A.size if axis is None else np.prod([A.shape[i] for i in np.atleast_1d(axis)])
    mean = A.mean(axis=axis, keepdims=True)
    np.testing.assert_allclose(x.grad.numpy(), 2.0 * (A - mean) / (n - ddof), rtol=1e-13)
    x.grad = None
    s = mg.std(x, axis, correction=ddof)
    s.sum().backward()
    sd = np.std(A, axis=axis, ddof=ddof, keepdims=True)
    np.testing.assert_allclose(x.grad.numpy(), (A - mean) / ((n - ddof) * sd), rtol=1e-13)


def test_every_way_of_giving_the_correction(device):
    x = _t(A, device)
    var = lambda **kw: mg.var(x, 1, **kw).numpy()  # noqa: E731
    np.testing.assert_allclose(var(), np.var(A, axis=1, ddof=1))  # PyTorch's default: unbiased
    np.testing.assert_allclose(var(unbiased=False), np.var(A, axis=1, ddof=0))
    np.testing.assert_allclose(var(unbiased=True), np.var(A, axis=1, ddof=1))
    np.testing.assert_allclose(var(ddof=0), np.var(A, axis=1, ddof=0))
    np.testing.assert_allclose(var(ddof=3), np.var(A, axis=1, ddof=3))
    np.testing.assert_allclose(var(correction=0, ddof=2), np.var(A, axis=1, ddof=2))  # ddof wins over correction
    np.testing.assert_allclose(var(ddof=2, unbiased=False), np.var(A, axis=1, ddof=0))  # unbiased wins over both
    np.testing.assert_allclose(mg.std(x, 1, unbiased=False).numpy(), np.std(A, axis=1))
    np.testing.assert_allclose(mg.std(x, dim=0, ddof=0).numpy(), np.std(A, axis=0))
    for fn in (mg.var, mg.std):
        with pytest.raises(ValueError, match=f"{fn.__name__}: correction must be >= 0, got -1"):
            fn(x, 1, correction=-1)
    with pytest.raises(ValueError, match="var: correction must be >= 0"):
        mg.var(x, ddof=-1)


def test_var_with_too_few_elements_is_nan_or_inf(device):
    one = mg.var(_t([[2.0], [3.0]], device), 1)  # n = 1, correction 1: 0 / 0
    assert all(math.isnan(v) for v in one.tolist())
    assert mg.var(_t([[2.0], [3.0]], device), 1, correction=0).tolist() == [0.0, 0.0]
    over = mg.var(_t([1.0, 3.0], device), correction=2)  # n - correction = 0 with a spread: inf
    assert over.item() == math.inf
    assert mg.var(_t([1.0, 3.0], device), correction=5).item() == math.inf
    assert mg.var(_t([1.0, 3.0], device), correction=1).item() == 2.0


def test_std_gradient_at_a_constant_input_is_zero(device):
    x = _t([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]], device, grad=True)
    (g,) = mg.grad(mg.std(x, 1).sum(), [x], create_graph=True)
    assert g.tolist()[0] == [0.0, 0.0, 0.0]
    np.testing.assert_allclose(g.tolist()[1], [-0.5, 0.0, 0.5])  # (a - mean) / ((n - 1) std), std = 1
    (gg,) = mg.grad(g.sum(), [x])
    assert np.all(np.isfinite(gg.numpy()))


@pytest.mark.parametrize("keep", [{"keepdims": True}, {"keepdim": True}, {}])
def test_var_mean_std_mean_and_keepdim_aliases(keep, device):
    x = _t(A, device)
    v, m = mg.var_mean(x, 1, **keep)
    kd = bool(keep)
    np.testing.assert_allclose(v.numpy(), np.var(A, axis=1, ddof=1, keepdims=kd))
    np.testing.assert_allclose(m.numpy(), A.mean(axis=1, keepdims=kd))
    s, m2 = mg.std_mean(x, 1, **keep)
    np.testing.assert_allclose(s.numpy(), np.std(A, axis=1, ddof=1, keepdims=kd))
    assert m2.shape == m.shape
    v0, _ = mg.var_mean(x, 0, correction=0)
    np.testing.assert_allclose(v0.numpy(), np.var(A, axis=0))
    s0, _ = mg.std_mean(x, axis=0, unbiased=False)
    np.testing.assert_allclose(s0.numpy(), np.std(A, axis=0))
    assert mg.var(x, 1, **keep).shape == ((3, 1) if kd else (3,))
    assert mg.std(x, 1, **keep).shape == ((3, 1) if kd else (3,))


@pytest.mark.parametrize("axis", [None, 0, (0, 1), (1,), -2])
def test_mean_and_sum_gradients_over_several_axes(axis, device):
    a = np.arange(24.0).reshape(2, 3, 4)
    x = _t(a, device, grad=True)
    for keep in (False, True):
        out = mg.mean(x, axis, keepdims=keep)
        np.testing.assert_allclose(out.numpy(), a.mean(axis=axis, keepdims=keep))
        w = np.arange(1.0, 1.0 + out.numpy().size).reshape(out.shape)
        (g,) = mg.grad((out * _t(w, device)).sum(), [x])
        n = a.size / out.numpy().size
        wk = w if keep else np.expand_dims(w, tuple(range(3)) if axis is None else axis)
        np.testing.assert_allclose(g.numpy(), np.broadcast_to(wk, a.shape) / n)
        (gs,) = mg.grad((mg.sum(x, axis, keepdims=keep) * _t(w, device)).sum(), [x])
        np.testing.assert_allclose(gs.numpy(), np.broadcast_to(wk, a.shape))


def test_mean_of_an_empty_axis_is_nan_with_a_zero_gradient(device):
    x = _t(np.zeros((2, 0)), device, grad=True)
    with np.errstate(invalid="ignore"):
        out = mg.mean(x, 1)
    assert all(math.isnan(v) for v in out.tolist())
    mg.mean(x, 0).sum().backward()
    assert x.grad.shape == (2, 0)


@pytest.mark.parametrize("fn, np_fn", [(mg.amax, np.max), (mg.amin, np.min)])
def test_amax_amin_share_the_gradient_among_ties_over_each_axis_form(fn, np_fn, device):
    a = np.array([[1.0, 5.0, 5.0], [0.0, 0.0, 0.0], [5.0, -1.0, 2.0]])
    for dim, keep in (((), False), (None, False), (1, True), ((0, 1), False), (0, False), (-1, False)):
        x = _t(a, device, grad=True)
        out = fn(x, dim, keep)
        axis = None if dim in ((), None) else dim
        np.testing.assert_array_equal(out.numpy(), np_fn(a, axis=axis, keepdims=keep))
        out.sum().backward()
        m = np_fn(a, axis=axis, keepdims=True)
        hit = (a == m).astype(float)
        np.testing.assert_array_equal(x.grad.numpy(), hit / hit.sum(axis=axis, keepdims=True))
    with pytest.raises(ValueError, match=f"{fn.__name__}: cannot reduce an empty axis"):
        fn(mg.zeros(2, 0, device=device), 1)
    assert fn(mg.zeros(0, 3, device=device), 1).shape == (0,)


def test_full_max_min_and_numpy_forms(device):
    a = np.array([[1.0, 7.0, 7.0], [7.0, 0.0, -3.0]])
    x = _t(a, device, grad=True)
    out = mg.max(x)
    assert out.item() == 7.0 and out.shape == ()
    out.backward()
    np.testing.assert_array_equal(x.grad.numpy(), (a == 7.0) / 3.0)
    assert mg.min(x).item() == -3.0
    assert mg.max(x, axis=0).tolist() == [7.0, 7.0, 7.0] and mg.min(x, axis=1, keepdims=True).shape == (2, 1)
    assert mg.max(x, dim=(0, 1)).item() == 7.0 and mg.min(x, (1,)).tolist() == [1.0, -3.0]
    assert mg.min(x, mg.tensor(2.0, dtype="float64", device=device)).tolist() == [[1.0, 2.0, 2.0], [2.0, 0.0, -3.0]]
    with pytest.raises(ValueError, match="max: cannot reduce an empty axis"):
        mg.max(mg.zeros(0, device=device))
    with pytest.raises(TypeError, match="sum: give axis or dim, not both"):
        mg.sum(x, axis=0, dim=0)


def test_logsumexp_over_axes_with_infinities_and_its_gradient(device):
    a = np.array([[1000.0, 1000.0, -5.0], [-math.inf, -math.inf, -math.inf], [math.inf, 0.0, 1.0]])
    out = mg.logsumexp(_t(a, device), 1).tolist()
    assert out[0] == pytest.approx(1000.0 + math.log(2.0 + math.exp(-1005.0)))
    assert out[1] == -math.inf and out[2] == math.inf
    b = np.array([[0.5, -1.0, 2.0], [3.0, 0.0, 1.0]])
    for axis, keep in ((1, False), (0, True), (None, False), ((0, 1), True)):
        x = _t(b, device, grad=True)
        z = mg.logsumexp(x, axis, keepdims=keep)
        ref = np.log(np.exp(b).sum(axis=axis, keepdims=True))
        np.testing.assert_allclose(z.numpy(), ref if keep else np.squeeze(ref, axis=axis), rtol=1e-14)
        (g,) = mg.grad(z.sum(), [x], create_graph=True)
        np.testing.assert_allclose(g.numpy(), np.exp(b - ref), rtol=1e-13)
        (gg,) = mg.grad((g * g).sum(), [x])
        s = np.exp(b - ref)  # d/db sum s^2 = 2 s (s - sum s^2) along the axis
        np.testing.assert_allclose(gg.numpy(), 2 * s * (s - (s * s).sum(axis=axis, keepdims=True)), rtol=1e-12)


def test_truth_value_reductions_and_counts(device):
    z = np.array([[0.0, 1.0, 0.0], [2.0, 0.0, -0.5]])
    x = _t(z, device)
    assert mg.any(x, 1).tolist() == [True, True] and mg.all(x, 0).tolist() == [False, False, False]
    assert mg.all(x, 1, keepdim=True).shape == (2, 1) and mg.any(x, (0, 1)).shape == ()
    assert mg.all(x).item() is False and mg.any(x).item() is True
    b = mg.tensor([[True, False], [True, True]], device=device)
    assert mg.all(b, 0).tolist() == [True, False] and mg.any(b, 1, keepdim=True).tolist() == [[True], [True]]
    assert mg.count_nonzero(b).item() == 3 and mg.count_nonzero(b, 0).tolist() == [2, 1]
    assert mg.count_nonzero(x, (0, 1)).item() == 3 and mg.count_nonzero(x, -1).tolist() == [1, 2]
    out = mg.count_nonzero(mg.tensor([[0, 3, 4]], device=device), 1)
    assert out.dtype == "int64" and out.tolist() == [2]
