"""minigrad/ops/binary_math.py at its edges, against NumPy / math and PyTorch's documented rules:
dtypes of mixed integer and float operands, the undefined points of atan2 / hypot / xlogy, both
branches of lerp, the divisor's gradient of fmod / remainder, ties of clamp with tensor bounds,
the argument checks of clamp, and isclose's tolerances."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg


def _t(a, device, grad=False, dtype="float64"):
    return mg.tensor(a, dtype=dtype, device=device, requires_grad=grad)


def _grads(out, *inputs, w=None):
    total = out.sum() if w is None else (out * w).sum()
    return [g.tolist() for g in mg.grad(total, list(inputs))]


def test_atan2_values_dtypes_and_gradients(device):
    a, b = np.array([1.0, -2.0, 0.0, 3.0, 0.0]), np.array([2.0, 1.0, -1.0, -4.0, 0.0])
    ta, tb = _t(a, device, True), _t(b, device, True)
    out = mg.atan2(ta, tb)
    np.testing.assert_allclose(out.numpy(), np.arctan2(a, b), rtol=1e-15)
    ga, gb = _grads(out, ta, tb)
    den = a * a + b * b
    with np.errstate(invalid="ignore", divide="ignore"):
        np.testing.assert_allclose(ga, np.where(den == 0, 0.0, b / den), rtol=1e-14)
        np.testing.assert_allclose(gb, np.where(den == 0, 0.0, -a / den), rtol=1e-14)
    ints = mg.atan2(mg.tensor([1, -1], device=device), mg.tensor([1, 1], device=device))
    assert ints.dtype == "float32"
    np.testing.assert_allclose(ints.numpy(), [math.pi / 4, -math.pi / 4], rtol=1e-6)
    mixed = mg.atan2(mg.tensor([1, 2], device=device), _t([2.0, 1.0], device, dtype="float32"))
    assert mixed.dtype == "float32"
    other = mg.atan2(_t([2.0, 1.0], device, dtype="float32"), mg.tensor([1, 2], device=device))
    assert other.dtype == "float32"
    np.testing.assert_allclose(other.numpy(), np.arctan2([2.0, 1.0], [1.0, 2.0]), rtol=1e-6)
    assert mg.atan2(_t([1.0], device), np.float64(-1.0)).tolist() == [math.atan2(1.0, -1.0)]
    mg.set_default_dtype("float64")
    try:
        assert mg.atan2(mg.tensor([1], device=device), mg.tensor([1], device=device)).dtype == "float64"
    finally:
        mg.set_default_dtype("float32")


def test_fmod_and_remainder_gradients_and_integer_forms(device):
    a, b = np.array([7.5, -7.5, 7.5, -7.5, 2.0]), np.array([2.0, 2.0, -2.0, -2.0, 3.0])
    for fn, ref, q in ((mg.fmod, np.fmod, np.trunc), (mg.remainder, np.remainder, np.floor)):
        ta, tb = _t(a, device, True), _t(b, device, True)
        out = fn(ta, tb)
        np.testing.assert_array_equal(out.numpy(), ref(a, b))
        ga, gb = _grads(out, ta, tb, w=_t([1.0, 2.0, 3.0, 4.0, 5.0], device))
        assert ga == [1.0, 2.0, 3.0, 4.0, 5.0]
        np.testing.assert_array_equal(gb, -q(a / b) * [1.0, 2.0, 3.0, 4.0, 5.0])
        number = fn(ta, 2.5)
        np.testing.assert_array_equal(number.numpy(), ref(a, 2.5))
        (g,) = mg.grad(number.sum(), [ta])
        assert g.tolist() == [1.0] * 5
        ints = fn(mg.tensor([-7, 7, -8], device=device), mg.tensor([3, -3, 3], device=device))
        assert ints.dtype == "int64" and ints.tolist() == ref(np.array([-7, 7, -8]), np.array([3, -3, 3])).tolist()
        mixed = fn(mg.tensor([-7, 7], device=device), _t([2.5, -2.5], device, dtype="float32"))
        assert mixed.dtype == "float32" and mixed.tolist() == ref(np.array([-7.0, 7.0]), np.array([2.5, -2.5])).tolist()
        flipped = fn(_t([-7.5, 7.5], device, dtype="float32"), mg.tensor([2, -2], device=device))
        assert flipped.dtype == "float32" and flipped.tolist() == ref(np.array([-7.5, 7.5]), np.array([2, -2])).tolist()
        assert fn(mg.tensor([-7, 7], device=device), -3).tolist() == ref(np.array([-7, 7]), -3).tolist()


@pytest.mark.parametrize("w", [0.0, 0.25, 0.49, 0.5, 0.75, 1.0, -0.6, 1.7])
def test_lerp_with_a_number_weight_on_both_branches(w, device):
    a, b = np.array([1.0, -2.0, 3e8]), np.array([5.0, 4.0, 3e8 + 1.0])
    ta, tb = _t(a, device, True), _t(b, device, True)
    out = mg.lerp(ta, tb, w)
    np.testing.assert_allclose(out.numpy(), a + w * (b - a), rtol=1e-15, atol=1e-15)
    if w == 1.0:
        assert out.tolist() == b.tolist()  # PyTorch's form is exact at the end point
    if w == 0.0:
        assert out.tolist() == a.tolist()
    ga, gb = _grads(out, ta, tb)
    np.testing.assert_allclose(ga, [1.0 - w] * 3, rtol=1e-15)
    np.testing.assert_allclose(gb, [w] * 3, rtol=1e-15)


def test_lerp_with_a_tensor_weight(device):
    a, b, w = np.array([1.0, 2.0, -1.0, 0.0]), np.array([3.0, -2.0, 5.0, 1.0]), np.array([0.2, 0.5, 0.9, -0.3])
    ta, tb, tw = _t(a, device, True), _t(b, device, True), _t(w, device, True)
    out = mg.lerp(ta, tb, tw)
    np.testing.assert_allclose(out.numpy(), a + w * (b - a), rtol=1e-15)
    assert out.tolist()[2] == b[2] - (b[2] - a[2]) * (1.0 - w[2])  # |w| >= 0.5: PyTorch's form from the end
    ga, gb, gw = _grads(out, ta, tb, tw)
    np.testing.assert_allclose(ga, 1.0 - w)
    np.testing.assert_allclose(gb, w)
    np.testing.assert_allclose(gw, b - a)
    (gonly,) = mg.grad(mg.lerp(ta, _t(b, device), tw).sum(), [ta])  # only the start needs a gradient
    np.testing.assert_allclose(gonly.numpy(), 1.0 - w)
    (gw_only,) = mg.grad(mg.lerp(_t(a, device), _t(b, device), tw).sum(), [tw])
    np.testing.assert_allclose(gw_only.numpy(), b - a)
    with pytest.raises(TypeError, match="lerp: expects a floating-point tensor, got int64"):
        mg.lerp(ta, tb, mg.tensor([1, 0, 1, 0], device=device))


def test_logaddexp_and_hypot_gradients(device):
    a, b = np.array([0.0, 1000.0, -3.0, 2.0]), np.array([0.0, -1000.0, 4.0, 2.0])
    ta, tb = _t(a, device, True), _t(b, device, True)
    out = mg.logaddexp(ta, tb)
    np.testing.assert_allclose(out.numpy(), np.logaddexp(a, b), rtol=1e-15)
    ga, gb = _grads(out, ta, tb)
    np.testing.assert_allclose(ga, 1 / (1 + np.exp(b - a)), rtol=1e-14)
    np.testing.assert_allclose(gb, 1 / (1 + np.exp(a - b)), rtol=1e-14)
    ha, hb = np.array([3.0, -5.0, 1e200, 0.0]), np.array([4.0, 12.0, 1e200, 2.0])
    ta, tb = _t(ha, device, True), _t(hb, device, True)
    out = mg.hypot(ta, tb)
    np.testing.assert_allclose(out.numpy(), np.hypot(ha, hb), rtol=1e-15)
    ga, gb = _grads(out, ta, tb)
    np.testing.assert_allclose(ga, ha / np.hypot(ha, hb), rtol=1e-14)
    np.testing.assert_allclose(gb, hb / np.hypot(ha, hb), rtol=1e-14)
    zero = _t([0.0], device, True)
    (g0,) = mg.grad(mg.hypot(zero, _t([0.0], device)).sum(), [zero])
    assert math.isnan(g0.item())  # PyTorch: NaN at (0, 0)
    assert mg.logaddexp(_t([1.0], device), 2).tolist() == [np.logaddexp(1.0, 2.0)]


def test_xlogy_values_and_gradients_at_the_special_points(device):
    x = np.array([0.0, 0.0, 0.0, 2.0, 2.0, -1.5, 0.0, 3.0])
    y = np.array([0.0, -1.0, 2.0, 0.0, -1.0, 4.0, math.nan, 0.5])
    tx, ty = _t(x, device, True), _t(y, device, True)
    out = mg.xlogy(tx, ty).tolist()
    assert out[:3] == [0.0, 0.0, 0.0]
    assert out[3] == -math.inf and math.isnan(out[4]) and out[5] == -1.5 * math.log(4.0)
    assert math.isnan(out[6]) and out[7] == 3.0 * math.log(0.5)
    gx, gy = mg.grad(mg.xlogy(tx, ty).sum(), [tx, ty])
    gx = gx.tolist()
    assert gx[:2] == [0.0, 0.0] and gx[2] == math.log(2.0)  # 0 where x == 0 and y <= 0, else log y
    assert gx[3] == -math.inf and math.isnan(gx[4]) and gx[5] == math.log(4.0)
    np.testing.assert_allclose(gy.tolist()[5], -1.5 / 4.0)
    np.testing.assert_allclose(gy.tolist()[7], 3.0 / 0.5)


def test_xlogy_with_numbers_and_integers(device):
    t = _t([1.0, 0.0, 4.0], device)
    assert mg.xlogy(t, 2.0).tolist() == [math.log(2.0), 0.0, 4.0 * math.log(2.0)]
    assert mg.xlogy(2, t).tolist()[2] == 2.0 * math.log(4.0)
    assert mg.xlogy(np.float64(3.0), t).tolist()[0] == 0.0
    ints = mg.xlogy(mg.tensor([2, 0], device=device), mg.tensor([3, 0], device=device))
    assert ints.dtype == "float32"
    np.testing.assert_allclose(ints.numpy(), [2 * math.log(3.0), 0.0], rtol=1e-6)
    mixed = mg.xlogy(mg.tensor([2, 1], device=device), _t([3.0, 1.0], device))
    assert mixed.dtype == "float64" and mixed.tolist() == [2 * math.log(3.0), 0.0]
    with pytest.raises(TypeError, match="xlogy: at least one of input and other must be a Tensor"):
        mg.xlogy(1.0, 2.0)


def test_clamp_with_one_tensor_bound_and_ties(device):
    a = np.array([1.0, 2.0, 3.0, 4.0])
    lo = np.array([2.0, 2.0, 2.0, 5.0])
    ta, tlo = _t(a, device, True), _t(lo, device, True)
    out = mg.clamp(ta, min=tlo)
    assert out.tolist() == np.maximum(a, lo).tolist()
    ga, gl = _grads(out, ta, tlo)
    assert ga == [0.0, 1.0, 1.0, 0.0] and gl == [1.0, 0.0, 0.0, 1.0]  # a tie goes to the input (a >= lo)
    hi = np.array([2.0, 2.0, 5.0, 3.0])
    ta, thi = _t(a, device, True), _t(hi, device, True)
    out = mg.clamp(ta, max=thi)
    assert out.tolist() == np.minimum(a, hi).tolist()
    ga, gh = _grads(out, ta, thi)
    assert ga == [1.0, 1.0, 1.0, 0.0] and gh == [0.0, 0.0, 0.0, 1.0]
    assert mg.clamp_min(ta, tlo).tolist() == np.maximum(a, lo).tolist()
    assert mg.clamp_max(ta, thi).tolist() == np.minimum(a, hi).tolist()
    assert mg.clamp_min(ta, 2.5).tolist() == [2.5, 2.5, 3.0, 4.0]
    assert mg.clamp_max(ta, 2.5).tolist() == [1.0, 2.0, 2.5, 2.5]


def test_clamp_with_both_tensor_bounds_routes_each_gradient(device):
    a = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 0.0])
    lo = np.array([2.0, 2.0, 1.0, 1.0, 6.0, 3.0])
    hi = np.array([3.0, 3.0, 3.0, 2.0, 4.0, 1.0])
    ta, tl, th = _t(a, device, True), _t(lo, device, True), _t(hi, device, True)
    out = mg.clamp(ta, tl, th)
    assert out.tolist() == np.minimum(np.maximum(a, lo), hi).tolist()
    ga, gl, gh = _grads(out, ta, tl, th)
    assert ga == [0.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    assert gl == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]  # a < lo and lo < hi
    assert gh == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]  # a > hi, or hi < lo
    i = mg.clamp(mg.tensor([1, 5, 9], device=device), mg.tensor([2, 2, 2], device=device),
                 mg.tensor([6, 6, 6], device=device))
    assert i.dtype == "int64" and i.tolist() == [2, 5, 6]
    f = mg.clamp(mg.tensor([1, 5, 9], device=device), _t([2.5, 2.5, 2.5], device, dtype="float32"), 6)
    assert f.dtype == "float32" and f.tolist() == [2.5, 5.0, 6.0]
    n = mg.clamp(_t([1.0, 5.0, 9.0], device), np.float64(2.0), _t([6.0, 6.0, 6.0], device))
    assert n.tolist() == [2.0, 5.0, 6.0]


def test_clamp_and_clip_argument_checks(device):
    x = _t([1.0, 5.0], device)
    for bad, name in ((True, "min"), ("3", "min"), ([1.0], "min")):
        with pytest.raises(TypeError, match=f"clamp: {name} must be a number, a Tensor or None, got"):
            mg.clamp(x, bad, 4.0)
    with pytest.raises(TypeError, match="clamp: max must be a number, a Tensor or None, got bool"):
        mg.clamp(x, 0.0, False)
    with pytest.raises(ValueError, match="clip: at least one of min and max must be given"):
        mg.clip(x)
    assert mg.clamp(x, np.float32(2.0), None).tolist() == [2.0, 5.0]
    assert mg.clip(x, None, np.int64(3)).tolist() == [1.0, 3.0]
    assert mg.clip(x, max=_t([0.5, 9.0], device)).tolist() == [0.5, 5.0]
    assert mg.clamp(x, 4.0, 2.0).tolist() == [2.0, 2.0]  # min > max: every element becomes max


def test_isclose_tolerances_dtypes_and_numbers(device):
    a = _t([1.0, 1.1, 100.0, math.nan, math.inf, -math.inf], device)
    b = _t([1.0, 1.0, 100.5, math.nan, math.inf, math.inf], device)
    assert mg.isclose(a, b).tolist() == [True, False, False, False, True, False]
    assert mg.isclose(a, b, rtol=0.01).tolist() == [True, False, True, False, True, False]
    assert mg.isclose(a, b, rtol=0.0, atol=0.2).tolist() == [True, True, False, False, True, False]
    assert mg.isclose(a, b, rtol=0, atol=0).tolist() == [True, False, False, False, True, False]
    assert mg.isclose(a, b, rtol=0, atol=0, equal_nan=True).tolist() == [True, False, False, True, True, False]
    assert mg.isclose(b, a, rtol=0.2).tolist()[1] is True  # the tolerance is relative to the second operand
    assert mg.isclose(_t([10.0], device), _t([11.0], device), rtol=0.095).tolist() == [True]
    assert mg.isclose(_t([11.0], device), _t([10.0], device), rtol=0.095).tolist() == [False]
    ints = mg.isclose(mg.tensor([1, 2, 3], device=device), mg.tensor([1, 3, 8], device=device), rtol=0.5, atol=0,
                      equal_nan=True)
    assert ints.tolist() == [True, True, False]
    mixed = mg.isclose(mg.tensor([1, 2], device=device), _t([1.0 + 1e-9, 2.5], device))
    assert mixed.tolist() == [True, False]
    assert mg.isclose(a, 100.0, rtol=0.01).tolist() == [False, False, True, False, False, False]
    assert mg.allclose(a[:2], b[:2], atol=0.11) is True and mg.allclose(a[:2], b[:2]) is False
    assert mg.allclose(a[3:4], b[3:4], equal_nan=True) is True
    with pytest.raises(TypeError, match="isclose: input must be a Tensor, got float"):
        mg.isclose(1.0, b)
