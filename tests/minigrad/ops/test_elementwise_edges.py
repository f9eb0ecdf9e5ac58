"""minigrad/ops/elementwise.py at its edges, against NumPy and PyTorch's documented rules: the
gradient of each input of + - * / ** (also with Python numbers and broadcasting, first and second
order), pow's undefined points and integer/bool dtypes, bool operands, maximum/minimum ties, clip
at its bounds, where's promotion, relu / leaky_relu / sigmoid / tanh at the extremes, and casts."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad.errors import DTypeError

A = np.array([[1.5, -2.0, 0.5], [3.0, 0.25, -1.0]])
B = np.array([2.0, -0.5, 4.0])


def _t(a, device, grad=False, dtype="float64"):
    return mg.tensor(a, dtype=dtype, device=device, requires_grad=grad)


W = np.array([[1.0, 2.0, -1.0], [0.5, -3.0, 2.0]])


def _g(out, inputs, device):
    return [g.numpy() for g in mg.grad((out * _t(W, device)).sum(), inputs, create_graph=True)]


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_arithmetic_gradients_of_both_inputs_with_broadcasting(op, device):
    a, b = _t(A, device, True), _t(B, device, True)
    out = getattr(mg, op)(a, b)
    ref = {"add": A + B, "sub": A - B, "mul": A * B, "div": A / B}[op]
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-15)
    ga, gb = _g(out, [a, b], device)
    da = {"add": W, "sub": W, "mul": W * B, "div": W / B}[op]
    db = {"add": W, "sub": -W, "mul": W * A, "div": -W * A / (B * B)}[op]
    np.testing.assert_allclose(ga, da, rtol=1e-14)
    np.testing.assert_allclose(gb, db.sum(axis=0), rtol=1e-14)


@pytest.mark.parametrize("op", ["sub", "mul", "div"])
def test_arithmetic_gradient_of_one_input_only(op, device):
    a, b = _t(A, device, True), _t(B, device)
    fn = getattr(mg, op)
    (ga,) = mg.grad((fn(a, b) * _t(W, device)).sum(), [a])
    np.testing.assert_allclose(ga.numpy(), {"sub": W, "mul": W * B, "div": W / B}[op], rtol=1e-14)
    a2, b2 = _t(A, device), _t(B, device, True)
    (gb,) = mg.grad((fn(a2, b2) * _t(W, device)).sum(), [b2])
    np.testing.assert_allclose(gb.numpy(), {"sub": -W, "mul": W * A, "div": -W * A / (B * B)}[op].sum(axis=0),
                               rtol=1e-14)


def test_arithmetic_with_python_numbers_on_either_side(device):
    a = _t(A, device, True)
    for out, d in (((3.0 - a), -W), ((a - 3.0), W), ((2.0 * a), 2.0 * W), ((a * 2), 2.0 * W), ((a / 4.0), W / 4.0),
                   ((4.0 / a), -4.0 * W / (A * A)), ((1 + a), W)):
        (g,) = mg.grad((out * _t(W, device)).sum(), [a])
        np.testing.assert_allclose(g.numpy(), d, rtol=1e-14)
    assert (a * 2).dtype == "float64" and (_t(A, device, dtype="float32") * 2.5).dtype == "float32"


def test_mul_and_div_second_derivatives(device):
    a, b = _t(A, device, True), _t(B, device, True)
    ga, gb = mg.grad((a / b * _t(W, device)).sum(), [a, b], create_graph=True)
    (gab,) = mg.grad(ga.sum(), [b], retain_graph=True)  # d/db sum W / b = -sum W / b^2
    np.testing.assert_allclose(gab.numpy(), (-W / (B * B)).sum(axis=0), rtol=1e-14)
    (gbb,) = mg.grad(gb.sum(), [b])  # d/db sum -W a / b^2 = 2 W a / b^3
    np.testing.assert_allclose(gbb.numpy(), (2 * W * A / B ** 3).sum(axis=0), rtol=1e-14)
    ga, gb = mg.grad((a * b * _t(W, device)).sum(), [a, b], create_graph=True)
    (gab,) = mg.grad(ga.sum(), [b], retain_graph=True)
    np.testing.assert_allclose(gab.numpy(), W.sum(axis=0), rtol=1e-14)
    (gba,) = mg.grad(gb.sum(), [a])
    np.testing.assert_allclose(gba.numpy(), W, rtol=1e-14)


def test_integer_and_bool_arithmetic_dtypes(device):
    i, j = mg.tensor([7, -7, 3], device=device), mg.tensor([2, 2, -4], device=device)
    q = i / j
    assert q.dtype == "float32" and q.tolist() == [3.5, -3.5, -0.75]  # true division of integers
    assert (i / 2).dtype == "float32" and (i / 2).tolist() == [3.5, -3.5, 1.5]
    assert (7 / j).tolist() == [3.5, 3.5, -1.75]
    mg.set_default_dtype("float64")
    try:
        assert (i / j).dtype == "float64"
    finally:
        mg.set_default_dtype("float32")
    t, f = mg.tensor([True, True, False], device=device), mg.tensor([True, False, False], device=device)
    assert (t + f).dtype == "bool" and (t + f).tolist() == [True, True, False]  # logical or
    assert (t * f).dtype == "bool" and (t * f).tolist() == [True, False, False]  # logical and
    assert (t + True).tolist() == [True, True, True] and (t * False).tolist() == [False, False, False]
    assert (t + 1).dtype == "int64" and (t + 1).tolist() == [2, 2, 1]
    assert mg.maximum(t, f).tolist() == [True, True, False] and mg.minimum(t, f).tolist() == [True, False, False]
    assert mg.maximum(t, f).dtype == "bool"
    with pytest.raises(DTypeError, match=r"sub: subtraction with a bool operand is not supported \(bool - bool\)"):
        t - f
    with pytest.raises(DTypeError, match=r"sub: subtraction with a bool operand is not supported \(bool - int64\)"):
        mg.sub(t, i)
    with pytest.raises(DTypeError, match=r"\(int64 - bool\)"):
        i - t
    with pytest.raises(DTypeError, match=r"\(bool - int\)"):
        t - 1
    with pytest.raises(DTypeError, match=r"\(bool - bool\)"):
        mg.sub(True, t)
    assert (i - 1).tolist() == [6, -8, 2] and (1 - i).tolist() == [-6, 8, -2]


def test_pow_with_number_exponents_and_their_gradients(device):
    x = np.array([0.5, 1.5, 2.0, 3.0])
    for p in (0, 1, 2, 3, 0.5, -1, -2.5, 2.0, np.float64(3.0)):
        a = _t(x, device, True)
        out = a ** p
        np.testing.assert_allclose(out.numpy(), x ** float(p), rtol=1e-15)
        (g,) = mg.grad(out.sum(), [a], create_graph=True)
        np.testing.assert_allclose(g.numpy(), float(p) * x ** (float(p) - 1), rtol=1e-14)
        (gg,) = mg.grad(g.sum(), [a]) if g.requires_grad else (None,)
        if gg is not None:
            np.testing.assert_allclose(gg.numpy(), float(p) * (float(p) - 1) * x ** (float(p) - 2), rtol=1e-13)
    assert (_t(x, device, dtype="float32") ** 2).dtype == "float32"
    assert mg.pow(_t(x, device), 2).tolist() == (x ** 2).tolist()


def test_pow_of_integer_and_bool_tensors_has_pytorchs_dtype(device):
    i = mg.tensor([2, -3, 0], device=device)
    assert (i ** 2).dtype == "int64" and (i ** 2).tolist() == [4, 9, 0]
    half = mg.tensor([4, 9], device=device) ** 0.5
    assert half.dtype == "float32" and half.tolist() == [2.0, 3.0]
    b = mg.tensor([True, False], device=device)
    assert (b ** 2).dtype == "int64" and (b ** 2).tolist() == [1, 0]
    assert (b ** True).dtype == "bool" and (b ** True).tolist() == [True, False]
    assert (b ** False).dtype == "bool" and (b ** False).tolist() == [True, True]
    assert (i ** True).dtype == "int64" and (i ** True).tolist() == [2, -3, 0]
    assert (b ** 0.5).dtype == "float32"
    with pytest.raises(DTypeError, match="pow: two bool tensors are not supported"):
        b ** b
    e = mg.tensor([1, 2, 3], device=device)
    out = 2 ** e
    assert out.dtype == "int64" and out.tolist() == [2, 4, 8]
    assert (2.0 ** e).dtype == "float32" and (2.0 ** e).tolist() == [2.0, 4.0, 8.0]


def test_pow_with_tensor_exponents_gradients_and_special_points(device):
    a = np.array([2.0, 0.5, 3.0, 0.0, 0.0, -2.0])
    b = np.array([3.0, -1.0, 0.5, 2.0, -1.0, 2.0])
    ta, tb = _t(a, device, True), _t(b, device, True)
    out = ta ** tb
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(out.numpy(), a ** b, rtol=1e-15)
    ga, gb = mg.grad(out.sum(), [ta, tb])
    ga, gb = ga.tolist(), gb.tolist()
    np.testing.assert_allclose(ga[:3], (b * a ** (b - 1))[:3], rtol=1e-14)
    assert ga[3] == 0.0 and ga[5] == -4.0
    np.testing.assert_allclose(gb[:3], (a ** b * np.log(a))[:3], rtol=1e-14)
    assert gb[3] == 0.0 and gb[4] == -math.inf and math.isnan(gb[5])  # PyTorch's values at a <= 0


def test_a_number_base_to_a_tensor_power(device):
    e = _t([0.0, 1.0, -2.0, 0.5], device, True)
    for base in (2.0, 0.5, 3):
        out = base ** e
        np.testing.assert_allclose(out.numpy(), float(base) ** e.numpy(), rtol=1e-15)
        (g,) = mg.grad(out.sum(), [e])
        np.testing.assert_allclose(g.numpy(), float(base) ** e.numpy() * math.log(base), rtol=1e-14)
    (g0,) = mg.grad((0.0 ** e).sum(), [e])
    assert g0.tolist()[:2] == [0.0, 0.0] and g0.tolist()[2] == -math.inf
    x = _t([2.0], device, True)
    (gneg,) = mg.grad(((-2.0) ** x).sum(), [x])
    assert math.isnan(gneg.item())


@pytest.mark.parametrize("fn, np_fn, first", [(mg.maximum, np.maximum, lambda a, b: a > b),
                                              (mg.minimum, np.minimum, lambda a, b: a < b)])
def test_maximum_minimum_values_and_tie_sharing(fn, np_fn, first, device):
    a, b = np.array([1.0, 2.0, 3.0, -1.0]), np.array([2.0, 2.0, 1.0, -1.0])
    ta, tb = _t(a, device, True), _t(b, device, True)
    out = fn(ta, tb)
    assert out.tolist() == np_fn(a, b).tolist()
    ga, gb = mg.grad((out * _t([1.0, 2.0, 3.0, 4.0], device)).sum(), [ta, tb])
    w = np.array([1.0, 2.0, 3.0, 4.0])
    tie = (a == b) * 0.5
    np.testing.assert_array_equal(ga.numpy(), w * (first(a, b) + tie))
    np.testing.assert_array_equal(gb.numpy(), w * (first(b, a) + tie))
    (only,) = mg.grad(fn(ta, _t(b, device)).sum(), [ta])
    np.testing.assert_array_equal(only.numpy(), first(a, b) + tie)
    row = fn(_t(A, device, True), _t(B, device))  # broadcasting
    assert row.tolist() == np_fn(A, B).tolist()
    i = fn(mg.tensor([1, 5], device=device), mg.tensor([3, 2], device=device))
    assert i.dtype == "int64" and i.tolist() == np_fn([1, 5], [3, 2]).tolist()
    assert fn(_t([1.0, 5.0], device), 3.0).tolist() == np_fn([1.0, 5.0], 3.0).tolist()


def test_clip_bounds_gradient_and_dtypes(device):
    x = np.array([-2.0, -1.0, 0.5, 1.0, 3.0])
    t = _t(x, device, True)
    for lo, hi in ((-1.0, 1.0), (None, 0.5), (0.5, None), (2.0, 1.0)):
        out = mg.clip(t, lo, hi)
        ref = x.copy()
        if lo is not None:
            ref = np.maximum(ref, lo)
        if hi is not None:
            ref = np.minimum(ref, hi)
        assert out.tolist() == ref.tolist()
        (g,) = mg.grad(out.sum(), [t])
        inside = np.ones_like(x, dtype=bool)
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        assert g.tolist() == inside.astype(float).tolist()
    i = mg.tensor([-3, 0, 5], device=device)
    assert mg.clip(i, -1, 2).dtype == "int64" and mg.clip(i, -1, 2).tolist() == [-1, 0, 2]
    f = mg.clip(i, -0.5, None)
    assert f.dtype == "float32" and f.tolist() == [-0.5, 0.0, 5.0]
    assert mg.clip(i, None, 2.5).dtype == "float32"
    same = mg.clip(t, None, 100.0)  # nothing clipped: still a copy
    same.array[0] = 9.0
    assert t.tolist() == x.tolist()


def test_where_promotes_a_and_b_and_routes_gradients(device):
    cond = mg.tensor([[True, False, True], [False, False, True]], device=device)
    a, b = _t(A, device, True), _t(B, device, True)
    out = mg.where(cond, a, b)
    np.testing.assert_array_equal(out.numpy(), np.where(cond.numpy(), A, B))
    ga, gb = mg.grad((out * _t(W, device)).sum(), [a, b])
    np.testing.assert_array_equal(ga.numpy(), np.where(cond.numpy(), W, 0.0))
    np.testing.assert_array_equal(gb.numpy(), np.where(cond.numpy(), 0.0, W).sum(axis=0))
    mixed = mg.where(cond, _t(A, device, dtype="float32"), mg.tensor([1, 2, 3], device=device))
    assert mixed.dtype == "float32"
    assert mg.where(cond, 1.0, _t(B, device)).dtype == "float64"
    assert mg.where(cond, mg.tensor([1, 2, 3], device=device), 0.5).dtype == "float32"
    assert mg.where([True, False, True], _t(B, device), 0.0).tolist() == [2.0, 0.0, 4.0]
    from minigrad.ops.elementwise import where

    with pytest.raises(TypeError, match="where: at least one of a and b must be a Tensor"):
        where(cond, 1.0, 2.0)
    with pytest.raises(TypeError, match="where: condition must be a bool tensor, got float64"):
        mg.where(_t(A, device), a, b)


def test_relu_leaky_relu_sigmoid_tanh_at_the_extremes(device):
    x = np.array([-1e4, -3.0, -0.0, 0.0, 1e-8, 2.0, 1e4])
    t = _t(x, device, True)
    r = mg.relu(t)
    assert r.tolist() == np.maximum(x, 0).tolist() and all(math.copysign(1, v) > 0 for v in r.tolist()[:4])
    (g,) = mg.grad(r.sum(), [t])
    assert g.tolist() == (x > 0).astype(float).tolist()
    assert mg.relu(mg.tensor([-2, 3], device=device)).tolist() == [0, 3]
    for slope in (0.01, 0.2, 1.5):
        lr = mg.leaky_relu(t, slope)
        np.testing.assert_array_equal(lr.numpy(), np.where(x > 0, x, slope * x))
        (g,) = mg.grad(lr.sum(), [t])
        np.testing.assert_array_equal(g.numpy(), np.where(x > 0, 1.0, slope))  # slope at 0 (PyTorch's)
    np.testing.assert_array_equal(mg.leaky_relu(t).numpy(), np.where(x > 0, x, 0.01 * x))
    s = mg.sigmoid(t)
    ref = np.array([1 / (1 + math.exp(-v)) if v > -700 else 0.0 for v in x])
    np.testing.assert_allclose(s.numpy(), ref, rtol=1e-15, atol=1e-300)
    (g,) = mg.grad(s.sum(), [t], create_graph=True)
    np.testing.assert_allclose(g.numpy(), ref * (1 - ref), rtol=1e-14, atol=1e-300)
    (gg,) = mg.grad(g.sum(), [t])
    np.testing.assert_allclose(gg.numpy(), ref * (1 - ref) * (1 - 2 * ref), rtol=1e-12, atol=1e-300)
    th = mg.tanh(t)
    np.testing.assert_allclose(th.numpy(), np.tanh(x), rtol=1e-15)
    (g,) = mg.grad(th.sum(), [t], create_graph=True)
    np.testing.assert_allclose(g.numpy(), 1 - np.tanh(x) ** 2, rtol=1e-14, atol=1e-300)
    (gg,) = mg.grad(g.sum(), [t])
    np.testing.assert_allclose(gg.numpy(), -2 * np.tanh(x) * (1 - np.tanh(x) ** 2), rtol=1e-12, atol=1e-300)
    assert mg.sigmoid(mg.tensor([0], device=device)).tolist() == [0.5]


def test_exp_log_sqrt_abs_neg_values_and_gradients(device):
    x = np.array([0.25, 1.0, 2.5, 9.0])
    t = _t(x, device, True)
    for fn, ref, d, dd in ((mg.exp, np.exp(x), np.exp(x), np.exp(x)), (mg.log, np.log(x), 1 / x, -1 / x ** 2),
                           (mg.sqrt, np.sqrt(x), 0.5 / np.sqrt(x), -0.25 * x ** -1.5),
                           (mg.neg, -x, -np.ones(4), np.zeros(4)), (mg.abs, x, np.ones(4), np.zeros(4))):
        out = fn(t)
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-15)
        (g,) = mg.grad(out.sum(), [t], create_graph=True)
        np.testing.assert_allclose(g.numpy(), d, rtol=1e-14)
        if g.requires_grad:
            (gg,) = mg.grad(g.sum(), [t], allow_unused=True)
            np.testing.assert_allclose(np.zeros(4) if gg is None else gg.numpy(), dd, rtol=1e-13)
    n = _t([-2.0, 0.0, 3.0], device, True)
    (g,) = mg.grad(mg.abs(n).sum(), [n])
    assert g.tolist() == [-1.0, 0.0, 1.0]
    for name in ("exp", "log", "sqrt"):
        assert getattr(mg, name)(mg.tensor([1, 4], device=device)).dtype == "float32"
    assert mg.abs(mg.tensor([-3, 2], device=device)).tolist() == [3, 2]
    assert mg.neg(mg.tensor([-3, 2], device=device)).tolist() == [3, -2]


def test_casts_clone_and_contiguous_pass_the_gradient(device):
    t = _t(A, device, True)
    f32 = t.to(dtype="float32")
    assert f32.dtype == "float32"
    (g,) = mg.grad((f32 * 2.0).sum(), [t])
    assert g.dtype == "float64" and g.tolist() == (2.0 * np.ones_like(A)).tolist()
    c = t.clone()
    assert c.tolist() == A.tolist()
    (g,) = mg.grad((c * _t(W, device)).sum(), [t])
    assert g.tolist() == W.tolist()
    tt = t.T.contiguous()
    assert tt.tolist() == A.T.tolist()
    (g,) = mg.grad((tt * _t(W.T, device)).sum(), [t])
    assert g.tolist() == W.tolist()
