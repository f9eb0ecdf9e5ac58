"""softmax / log_softmax (minigrad/ops/activation.py) and the smooth activations
(minigrad/ops/smooth_activations.py) at their edges, against NumPy formulas: every axis form, 0-d
inputs, huge logits, first and second derivatives, each parameter (beta, threshold, alpha,
min_val / max_val), the kinks, and the argument checks."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
import nn

F = nn.functional
Z = np.array([[1.0, -2.0, 0.5, 3.0], [1e4, -1e4, 0.0, 1e4], [0.0, 0.0, 0.0, 0.0]])


def _t(a, device, grad=False, dtype="float64"):
    return mg.tensor(a, dtype=dtype, device=device, requires_grad=grad)


def _softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("kw, axis", [({}, -1), ({"axis": 0}, 0), ({"dim": 1}, 1), ({"dim": -2}, 0), ({"axis": 1}, 1)])
def test_softmax_and_log_softmax_values_and_gradients_on_each_axis(kw, axis, device):
    s = _softmax(Z, axis)
    x = _t(Z, device, True)
    out = mg.softmax(x, **kw)
    np.testing.assert_allclose(out.numpy(), s, rtol=1e-14, atol=1e-300)
    w = np.arange(12.0).reshape(3, 4) - 5.0
    (g,) = mg.grad((out * _t(w, device)).sum(), [x], create_graph=True)
    np.testing.assert_allclose(g.numpy(), s * (w - (w * s).sum(axis=axis, keepdims=True)), rtol=1e-12, atol=1e-12)
    (gg,) = mg.grad(g[0].sum(), [x])
    assert np.all(np.isfinite(gg.numpy()))
    log = mg.log_softmax(x, **kw)
    with np.errstate(divide="ignore"):
        ref = Z - Z.max(axis=axis, keepdims=True) - np.log(np.exp(Z - Z.max(axis=axis, keepdims=True)).sum(
            axis=axis, keepdims=True))
    np.testing.assert_allclose(log.numpy(), ref, rtol=1e-14, atol=1e-14)
    (g,) = mg.grad((log * _t(w, device)).sum(), [x], create_graph=True)
    np.testing.assert_allclose(g.numpy(), w - s * w.sum(axis=axis, keepdims=True), rtol=1e-12, atol=1e-12)
    (gg,) = mg.grad((g * g).sum(), [x])
    assert np.all(np.isfinite(gg.numpy()))


def test_softmax_second_derivative_against_differences(device):
    a = np.array([0.3, -1.2, 2.0])
    x = _t(a, device, True)
    w = np.array([1.0, -2.0, 0.5])
    (g,) = mg.grad((mg.softmax(x, 0) * _t(w, device)).sum(), [x], create_graph=True)
    (gg,) = mg.grad(g[1], [x])

    def grad1(v):
        s = _softmax(v, 0)
        return (s * (w - (w * s).sum()))[1]
    h = 1e-6
    np.testing.assert_allclose(gg.numpy(), [(grad1(a + h * e) - grad1(a - h * e)) / (2 * h) for e in np.eye(3)],
                               rtol=1e-6, atol=1e-8)
    (lg,) = mg.grad((mg.log_softmax(x, 0) * _t(w, device)).sum(), [x], create_graph=True)
    (lgg,) = mg.grad(lg[1], [x])

    def lgrad1(v):
        return (w - _softmax(v, 0) * w.sum())[1]
    np.testing.assert_allclose(lgg.numpy(), [(lgrad1(a + h * e) - lgrad1(a - h * e)) / (2 * h) for e in np.eye(3)],
                               rtol=1e-6, atol=1e-8)


def test_softmax_of_0d_tensors_and_axis_checks(device):
    s = _t(3.0, device, True)
    for axis in (0, -1):
        assert mg.softmax(s, axis).item() == 1.0 and mg.log_softmax(s, axis).item() == 0.0
        assert mg.softmax(s, dim=axis).shape == ()
    (g,) = mg.grad(mg.log_softmax(s), [s])
    assert g.item() == 0.0
    for fn in (mg.softmax, mg.log_softmax):
        with pytest.raises((ValueError, IndexError), match=fn.__name__):
            fn(s, 1)
        with pytest.raises((ValueError, IndexError), match=fn.__name__):
            fn(_t(Z, device), 2)
        with pytest.raises((ValueError, IndexError), match=fn.__name__):
            fn(_t(Z, device), dim=-3)
    assert mg.softmax(_t(Z, device), 0, dim=1).tolist() == mg.softmax(_t(Z, device), 1).tolist()  # dim wins


# ----- smooth activations ---------------------------------------------------------------------------
def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


X = np.array([-30.0, -3.0, -1.0, -0.25, 0.0, 0.4, 1.0, 2.9, 3.0, 3.1, 7.0, 25.0])


@pytest.mark.parametrize("beta, threshold", [(1.0, 20.0), (2.0, 3.0), (0.5, 1.0), (3.0, 50.0)])
def test_softplus_each_beta_and_threshold(beta, threshold, device):
    x = _t(X, device, True)
    out = F.softplus(x, beta, threshold)
    over = X * beta > threshold
    ref = np.where(over, X, np.log1p(np.exp(beta * X)) / beta)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-14)
    (g,) = mg.grad(out.sum(), [x], create_graph=True)
    np.testing.assert_allclose(g.numpy(), np.where(over, 1.0, _sig(beta * X)), rtol=1e-14)
    (gg,) = mg.grad(g.sum(), [x])
    np.testing.assert_allclose(gg.numpy(), np.where(over, 0.0, beta * _sig(beta * X) * (1 - _sig(beta * X))),
                               rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("name, alpha, scale, input_scale", [
    ("elu", 1.0, 1.0, 1.0), ("elu", 0.3, 1.0, 1.0), ("celu", 2.0, 1.0, 0.5), ("celu", 0.5, 1.0, 2.0),
    ("selu", 1.6732632423543772, 1.0507009873554805, 1.0)])
def test_elu_family_values_and_gradients(name, alpha, scale, input_scale, device):
    x = _t(X, device, True)
    fn = {"elu": lambda t: F.elu(t, alpha), "celu": lambda t: F.celu(t, alpha), "selu": F.selu}[name]
    out = fn(x)
    ref = np.where(X > 0, scale * X, scale * alpha * np.expm1(X * input_scale))
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-14, atol=1e-300)
    (g,) = mg.grad(out.sum(), [x], create_graph=True)
    d = np.where(X > 0, scale, scale * alpha * input_scale * np.exp(X * input_scale))  # at 0: the negative branch
    np.testing.assert_allclose(g.numpy(), d, rtol=1e-14, atol=1e-300)
    (gg,) = mg.grad(g.sum(), [x])
    np.testing.assert_allclose(gg.numpy(), np.where(X > 0, 0.0, scale * alpha * input_scale ** 2 *
                                                    np.exp(X * input_scale)), rtol=1e-13, atol=1e-300)


def test_elu_with_default_alpha_and_celu_refusing_zero(device):
    x = _t([-1.0, 2.0], device)
    np.testing.assert_allclose(F.elu(x).numpy(), [math.expm1(-1.0), 2.0])
    np.testing.assert_allclose(F.celu(x).numpy(), [math.expm1(-1.0), 2.0])
    with pytest.raises(ValueError, match="celu: alpha must not be 0"):
        F.celu(x, 0.0)
    nan = F.elu(_t([math.nan], device, True))
    assert math.isnan(nan.item())


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_values_first_and_second_derivative(approximate, device):
    x = _t(X, device, True)
    out = F.gelu(x, approximate=approximate)
    if approximate == "none":
        cdf = np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) for v in X])
        pdf = np.exp(-X * X / 2) / math.sqrt(2 * math.pi)
        ref, d = X * cdf, cdf + X * pdf
        dd = 2 * pdf - X * X * pdf
    else:
        k, c = math.sqrt(2 / math.pi), 0.044715
        u = k * (X + c * X ** 3)
        t = np.tanh(u)
        du = k * (1 + 3 * c * X * X)
        ref = 0.5 * X * (1 + t)
        d = 0.5 * (1 + t) + 0.5 * X * (1 - t * t) * du
        dd = (1 - t * t) * du - X * t * (1 - t * t) * du * du + 0.5 * X * (1 - t * t) * k * 6 * c * X
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-14, atol=1e-300)
    (g,) = mg.grad(out.sum(), [x], create_graph=True)
    np.testing.assert_allclose(g.numpy(), d, rtol=1e-13, atol=1e-300)
    (gg,) = mg.grad(g.sum(), [x])
    np.testing.assert_allclose(gg.numpy(), dd, rtol=1e-10, atol=1e-14)


def test_silu_mish_logsigmoid_softsign_values_and_gradients(device):
    x = _t(X, device, True)
    s = _sig(X)
    sp = np.logaddexp(0.0, X)
    t = np.tanh(sp)
    cases = [(F.silu, X * s, s * (1 + X * (1 - s))),
             (F.mish, X * t, t + X * s * (1 - t * t)),
             (F.logsigmoid, -np.logaddexp(0.0, -X), _sig(-X)),
             (F.softsign, X / (1 + np.abs(X)), 1 / (1 + np.abs(X)) ** 2)]
    for fn, ref, d in cases:
        out = fn(x)
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-13, atol=1e-300, err_msg=fn.__name__)
        (g,) = mg.grad(out.sum(), [x], create_graph=True)
        np.testing.assert_allclose(g.numpy(), d, rtol=1e-12, atol=1e-300, err_msg=fn.__name__)
        (gg,) = mg.grad(g.sum(), [x])
        assert np.all(np.isfinite(gg.numpy())), fn.__name__
    ints = F.softsign(mg.tensor([1, -3], device=device))
    assert ints.dtype == "float32" and ints.tolist() == [0.5, -0.75]


@pytest.mark.parametrize("lo, hi", [(-1.0, 1.0), (-0.5, 2.0), (0.0, 6.0), (2.9, 3.0)])
def test_hardtanh_bounds_values_and_gradient_zero_at_the_bounds(lo, hi, device):
    x = _t(np.append(X, [lo, hi]), device, True)
    out = F.hardtanh(x, lo, hi)
    a = np.append(X, [lo, hi])
    assert out.tolist() == np.clip(a, lo, hi).tolist()
    (g,) = mg.grad(out.sum(), [x])
    assert g.tolist() == ((a > lo) & (a < hi)).astype(float).tolist()
    ints = F.hardtanh(mg.tensor([-5, 0, 1, 9], device=device), lo, hi)
    assert ints.dtype == "int64" and ints.tolist() == np.clip([-5, 0, 1, 9], int(lo), int(hi)).tolist()


def test_hardtanh_defaults_relu6_and_argument_check(device):
    x = _t([-2.0, -1.0, 0.0, 1.0, 3.0, 6.0, 7.0], device, True)
    assert F.hardtanh(x).tolist() == [-1.0, -1.0, 0.0, 1.0, 1.0, 1.0, 1.0]
    out = F.relu6(x)
    assert out.tolist() == [0.0, 0.0, 0.0, 1.0, 3.0, 6.0, 6.0]
    (g,) = mg.grad(out.sum(), [x])
    assert g.tolist() == [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0]
    with pytest.raises(ValueError, match=r"hardtanh: min_val \(2.0\) must not be greater than max_val \(1.0\)"):
        F.hardtanh(x, 2.0, 1.0)
    assert F.hardtanh(x, 1.0, 1.0).tolist() == [1.0] * 7
    assert F.relu6(mg.tensor([-1, 3, 8], device=device)).tolist() == [0, 3, 6]


def test_hardsigmoid_and_hardswish_values_and_gradients_at_the_kinks(device):
    x = _t(X, device, True)
    hs = F.hardsigmoid(x)
    np.testing.assert_allclose(hs.numpy(), np.clip(X / 6 + 0.5, 0, 1), rtol=1e-15)
    (g,) = mg.grad(hs.sum(), [x])
    np.testing.assert_allclose(g.numpy(), np.where((X > -3) & (X < 3), 1 / 6, 0.0), rtol=1e-15)
    hw = F.hardswish(x)
    np.testing.assert_allclose(hw.numpy(), X * np.clip(X + 3, 0, 6) / 6, rtol=1e-15)
    (g,) = mg.grad(hw.sum(), [x], create_graph=True)
    np.testing.assert_allclose(g.numpy(), np.where(X <= -3, 0.0, np.where(X >= 3, 1.0, X / 3 + 0.5)), rtol=1e-15)
    (gg,) = mg.grad(g.sum(), [x])
    np.testing.assert_allclose(gg.numpy(), np.where((X > -3) & (X < 3), 1 / 3, 0.0), rtol=1e-15)
    nan = _t([math.nan], device, True)
    (gn,) = mg.grad(F.hardswish(nan).sum(), [nan])
    assert gn.tolist() == [1.0] or math.isnan(gn.item())


@pytest.mark.parametrize("name", ["softplus", "elu", "selu", "celu", "gelu", "silu", "mish", "hardsigmoid",
                                  "hardswish", "logsigmoid"])
def test_float32_in_float32_out(name, device):
    x = _t([-1.0, 0.5, 2.0], device, dtype="float32")
    out = getattr(F, name)(x)
    assert out.dtype == "float32"
    ref = getattr(F, name)(_t([-1.0, 0.5, 2.0], device))
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)
