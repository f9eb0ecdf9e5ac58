"""Issue 14's elementwise math outside the op table: dtypes, predicates, errors, nn forms.

Oracles: NumPy (isnan / isclose formulas written out here), PyTorch's documented rules quoted
in each test (the values themselves are checked against PyTorch in tests/torch_parity/).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
import nn

FLOAT_OPS = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "log1p",
             "expm1", "log2", "log10", "exp2", "rsqrt", "reciprocal", "erf", "erfc", "exp", "log", "sqrt", "tanh",
             "sigmoid", "softsign"]
INT_KEEPING = ["square", "sign", "floor", "ceil", "round", "trunc", "hardtanh", "relu6"]
INT_REFUSED = ["frac", "softplus", "elu", "selu", "celu", "gelu", "silu", "mish", "hardsigmoid", "hardswish",
               "logsigmoid"]


@pytest.mark.parametrize("name", FLOAT_OPS)
def test_float_functions_of_integers_give_the_default_float_dtype(name, device):
    """PyTorch: sin(int tensor) is float32 (the default float dtype), not NumPy's float64."""
    x = mg.tensor([1, 2, 3], device=device)
    assert getattr(mg, name)(x).dtype == "float32"
    mg.set_default_dtype("float64")
    try:
        assert getattr(mg, name)(x).dtype == "float64"
    finally:
        mg.set_default_dtype("float32")


@pytest.mark.parametrize("name", INT_KEEPING)
def test_integer_preserving_ops_keep_int64(name, device):
    x = np.array([-7, -1, 0, 2, 9])
    out = getattr(mg, name)(mg.tensor(x, device=device))
    assert out.dtype == "int64"
    expected = {"square": x * x, "sign": np.sign(x), "hardtanh": np.clip(x, -1, 1), "relu6": np.clip(x, 0, 6)}
    np.testing.assert_array_equal(out.numpy(), expected.get(name, x))


@pytest.mark.parametrize("name", INT_REFUSED)
def test_ops_pytorch_refuses_on_integers_name_the_op(name, device):
    with pytest.raises(RuntimeError, match=rf"{name}: expects a floating-point tensor, got int64"):
        getattr(mg, name)(mg.tensor([1, 2], device=device))


def test_binary_ops_refused_on_integers(device):
    a = mg.tensor([1, 2], device=device)
    for fn, name in ((lambda: mg.logaddexp(a, a), "logaddexp"), (lambda: mg.hypot(a, a), "hypot"),
                     (lambda: mg.lerp(a, a, 0.5), "lerp")):
        with pytest.raises(TypeError, match=name):
            fn()
    with pytest.raises(TypeError, match="round: decimals=1 needs a floating-point tensor"):
        mg.round(a, decimals=1)


def test_fmod_and_remainder_signs(device):
    """fmod takes the dividend's sign (C), remainder the divisor's (Python's %)."""
    a, b = [-7.0, 7.0, -7.0, 7.0], [3.0, -3.0, -3.0, 3.0]
    ta, tb = mg.tensor(a, dtype="float64", device=device), mg.tensor(b, dtype="float64", device=device)
    assert mg.fmod(ta, tb).tolist() == [math.fmod(x, y) for x, y in zip(a, b)]
    assert mg.remainder(ta, tb).tolist() == [x % y for x, y in zip(a, b)]
    ints = mg.fmod(mg.tensor([-7, 7], device=device), 3)
    assert ints.dtype == "int64" and ints.tolist() == [-1, 1]


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite"])
def test_predicates_against_numpy(name, device):
    x = np.array([0.0, np.nan, np.inf, -np.inf, -2.5])
    out = getattr(mg, name)(mg.tensor(x, device=device, requires_grad=True))
    assert out.dtype == "bool" and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), getattr(np, name)(x.astype(np.float32)))
    ints = getattr(mg, name)(mg.tensor([1, 2], device=device))
    np.testing.assert_array_equal(ints.numpy(), getattr(np, name)(np.array([1, 2])))


def test_isclose_formula_and_allclose_is_a_python_bool(device):
    """close = (a == b) | (|a - b| <= atol + rtol |b| where finite); NaN only with equal_nan."""
    a = np.array([1.0, 1.0 + 2e-5, np.nan, np.inf, 0.0, 1e-9])
    b = np.array([1.0, 1.0, np.nan, np.inf, 1e-9, 0.0])
    expected = (a == b) | (np.isfinite(a - b) & (np.abs(a - b) <= 1e-8 + 1e-5 * np.abs(b)))
    ta, tb = mg.tensor(a, dtype="float64", device=device), mg.tensor(b, dtype="float64", device=device)
    np.testing.assert_array_equal(mg.isclose(ta, tb).numpy(), expected)
    np.testing.assert_array_equal(mg.isclose(ta, tb, equal_nan=True).numpy(), expected | (np.isnan(a) & np.isnan(b)))
    assert mg.allclose(ta[:1], tb[:1]) is True and mg.allclose(ta, tb) is False
    assert ta.isclose(1.0).tolist() == [True, False, False, False, False, False]


def test_clamp_with_tensor_bounds_and_min_above_max(device):
    x = mg.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype="float64", device=device, requires_grad=True)
    lo = mg.tensor([1.0, 3.0, 3.0, 5.0, 0.0], dtype="float64", device=device, requires_grad=True)
    hi = mg.tensor([2.0, 2.0, 3.0, 4.0, 5.0], dtype="float64", device=device, requires_grad=True)
    out = x.clamp(min=lo, max=hi)
    np.testing.assert_array_equal(out.numpy(), np.minimum(np.maximum(x.numpy(), lo.numpy()), hi.numpy()))
    assert mg.clip(x, lo, hi).tolist() == out.tolist()
    with pytest.raises(ValueError, match="clamp: at least one of min and max must be given"):
        mg.clamp(x)


def test_pow_with_tensor_exponent_zero_at_base_zero_has_gradient_zero(device):
    """The issue's bug: 0 ** 0 with a tensor exponent gave a NaN gradient; PyTorch gives 0."""
    a = mg.tensor([0.0, 0.0], dtype="float64", device=device, requires_grad=True)
    b = mg.tensor([0.0, 2.0], dtype="float64", device=device, requires_grad=True)
    (a ** b).sum().backward()
    assert a.grad.tolist() == [0.0, 0.0] and b.grad.tolist() == [0.0, 0.0]


def test_activation_modules_call_their_functional_forms(device):
    x = mg.tensor(np.linspace(-4, 4, 9), dtype="float64", device=device)
    F = nn.functional
    pairs = [(nn.GELU(), F.gelu(x)), (nn.GELU("tanh"), F.gelu(x, approximate="tanh")), (nn.SiLU(), F.silu(x)),
             (nn.ELU(0.5), F.elu(x, 0.5)), (nn.SELU(), F.selu(x)), (nn.CELU(2.0), F.celu(x, 2.0)),
             (nn.Softplus(2.0, 3.0), F.softplus(x, 2.0, 3.0)), (nn.Mish(), F.mish(x)),
             (nn.Hardtanh(-0.5, 2.0), F.hardtanh(x, -0.5, 2.0)), (nn.ReLU6(), F.relu6(x)),
             (nn.Hardsigmoid(), F.hardsigmoid(x)), (nn.Hardswish(), F.hardswish(x)), (nn.LogSigmoid(), F.logsigmoid(x)),
             (nn.Softsign(), F.softsign(x)), (nn.Softmin(0), F.softmin(x, 0))]
    for module, expected in pairs:
        assert module(x).tolist() == expected.tolist(), repr(module)
    np.testing.assert_allclose(F.softmin(x, 0).numpy(), np.exp(-x.numpy()) / np.exp(-x.numpy()).sum())
    np.testing.assert_allclose(nn.Softplus()(x).numpy(), np.logaddexp(0.0, x.numpy()))
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh'"):
        F.gelu(x, approximate="fast")
