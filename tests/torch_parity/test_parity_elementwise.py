"""Issue 14's elementwise math and activations against PyTorch: values, gradients and dtypes.

For every op: random inputs in its domain and the op's non-smooth or undefined points (kinks,
bounds, jumps, 0 for log and rsqrt, +-1 for atanh, (0, 0) for hypot, ...), in float32 and
float64, on every test device; integer inputs where PyTorch takes them (same result dtype), and
a refusal where PyTorch refuses.  Gradients are of ``sum(op(...))``; NaN and infinities must
match PyTorch's too.
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional

TOL = {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-7, atol=1e-12)}  # hardsigmoid: PyTorch
DTYPES = ("float32", "float64")  # scales its float64 gradient by float32(1/6), 3e-8 off


def _torch_dtype(name):
    return {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64}[name]


def _grid(lo, hi, n=13, seed=0):
    rng = np.random.default_rng(seed)
    return np.sort(rng.uniform(lo, hi, n))


# name -> (minigrad fn, torch fn, random values, special points); kwargs bound with lambdas
UNARY = {
    "sin": (mg.sin, torch.sin, _grid(-4, 4), [0.0]),
    "cos": (mg.cos, torch.cos, _grid(-4, 4), [0.0]),
    "tan": (mg.tan, torch.tan, _grid(-1.3, 1.3), [0.0]),
    "asin": (mg.asin, torch.asin, _grid(-0.95, 0.95), [-1.0, 1.0, 0.0, 1.5]),
    "acos": (mg.acos, torch.acos, _grid(-0.95, 0.95), [-1.0, 1.0, 0.0, -1.5]),
    "atan": (mg.atan, torch.atan, _grid(-4, 4), [0.0]),
    "sinh": (mg.sinh, torch.sinh, _grid(-4, 4), [0.0]),
    "cosh": (mg.cosh, torch.cosh, _grid(-4, 4), [0.0]),
    "asinh": (mg.asinh, torch.asinh, _grid(-4, 4), [0.0]),
    "acosh": (mg.acosh, torch.acosh, _grid(1.05, 4), [1.0, 0.5]),
    "atanh": (mg.atanh, torch.atanh, _grid(-0.95, 0.95), [-1.0, 1.0, 0.0]),
    "log1p": (mg.log1p, torch.log1p, _grid(-0.95, 4), [-1.0, 0.0, 1e-10]),
    "expm1": (mg.expm1, torch.expm1, _grid(-4, 4), [0.0, 1e-10]),
    "log2": (mg.log2, torch.log2, _grid(0.05, 4), [0.0, 1.0]),
    "log10": (mg.log10, torch.log10, _grid(0.05, 4), [0.0, 1.0]),
    "exp2": (mg.exp2, torch.exp2, _grid(-4, 4), [0.0]),
    "square": (mg.square, torch.square, _grid(-4, 4), [0.0]),
    "rsqrt": (mg.rsqrt, torch.rsqrt, _grid(0.05, 4), [0.0]),
    "reciprocal": (mg.reciprocal, torch.reciprocal, _grid(-4, 4), [0.0, -0.0]),
    "sign": (mg.sign, torch.sign, _grid(-4, 4), [0.0, -0.0]),
    "erf": (mg.erf, torch.erf, _grid(-4, 4), [0.0, 0.46875, -0.46875, 4.0, -6.0, 27.0, 30.0]),
    "erfc": (mg.erfc, torch.erfc, _grid(-4, 4), [0.0, 0.46875, -0.46875, 4.0, 9.0, 26.0, -30.0]),
    "floor": (mg.floor, torch.floor, _grid(-4, 4), [0.0, -1.0, 2.0, -0.5]),
    "ceil": (mg.ceil, torch.ceil, _grid(-4, 4), [0.0, -1.0, 2.0, 0.5]),
    "round": (mg.round, torch.round, _grid(-4, 4), [0.5, 1.5, 2.5, -0.5, -2.5, 0.0]),
    "round-decimals": (lambda t: mg.round(t, decimals=2), lambda t: torch.round(t, decimals=2), _grid(-4, 4),
                       [0.125, 1.375, -0.005]),
    "round-negative-decimals": (lambda t: mg.round(t, decimals=-1), lambda t: torch.round(t, decimals=-1),
                                _grid(-40, 40), [15.0, 25.0, -5.0]),
    "trunc": (mg.trunc, torch.trunc, _grid(-4, 4), [0.0, -1.0, 2.0]),
    "frac": (mg.frac, torch.frac, _grid(-4, 4), [0.0, -1.0, 2.0]),
    "softplus": (mg.softplus, TF.softplus, _grid(-25, 25), [0.0, 20.0, -20.0]),
    "softplus-beta": (lambda t: mg.softplus(t, beta=2.0, threshold=5.0),
                      lambda t: TF.softplus(t, beta=2.0, threshold=5.0), _grid(-5, 5), [2.5, 2.5001, 0.0]),
    "elu": (mg.elu, TF.elu, _grid(-4, 4), [0.0]),
    "elu-alpha": (lambda t: mg.elu(t, 0.5), lambda t: TF.elu(t, 0.5), _grid(-4, 4), [0.0]),
    "selu": (mg.selu, TF.selu, _grid(-4, 4), [0.0]),
    "celu": (lambda t: mg.celu(t, 2.0), lambda t: TF.celu(t, 2.0), _grid(-4, 4), [0.0]),
    "gelu": (mg.gelu, TF.gelu, _grid(-6, 6), [0.0, -10.0, 10.0]),
    "gelu-tanh": (lambda t: mg.gelu(t, approximate="tanh"), lambda t: TF.gelu(t, approximate="tanh"), _grid(-6, 6),
                  [0.0, -10.0, 10.0]),
    "silu": (mg.silu, TF.silu, _grid(-6, 6), [0.0, -100.0, 100.0]),
    "mish": (mg.mish, TF.mish, _grid(-6, 6), [0.0, -100.0, 30.0]),
    "hardtanh": (mg.hardtanh, TF.hardtanh, _grid(-2, 2), [-1.0, 1.0, 0.0]),
    "hardtanh-bounds": (lambda t: mg.hardtanh(t, -0.5, 2.0), lambda t: TF.hardtanh(t, -0.5, 2.0), _grid(-2, 3),
                        [-0.5, 2.0]),
    "relu6": (mg.relu6, TF.relu6, _grid(-2, 8), [0.0, 6.0]),
    "hardsigmoid": (mg.hardsigmoid, TF.hardsigmoid, _grid(-5, 5), [-3.0, 3.0, 0.0]),
    "hardswish": (mg.hardswish, TF.hardswish, _grid(-5, 5), [-3.0, 3.0, 0.0]),
    "logsigmoid": (mg.logsigmoid, TF.logsigmoid, _grid(-20, 20), [0.0, -800.0, 800.0]),
    "softsign": (mg.softsign, TF.softsign, _grid(-4, 4), [0.0]),
}


def _check(mg_out, t_out, mg_inputs, t_inputs, dtype, what):
    assert str(mg_out.dtype) == str(t_out.dtype).replace("torch.", ""), f"{what}: dtype {mg_out.dtype} vs {t_out.dtype}"
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(mg_out.numpy(), t_out.detach().numpy(), **TOL[dtype], err_msg=f"{what}: value")
    if not t_out.requires_grad:
        return
    t_out.sum().backward()
    mg.backward([mg_out], [mg.ones_like(mg_out)])
    for i, (m, t) in enumerate(zip(mg_inputs, t_inputs)):
        if t.grad is None:
            continue
        assert m.grad is not None, f"{what}: no gradient for input {i}"
        assert str(m.grad.dtype) == dtype
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), **TOL[dtype], err_msg=f"{what}: grad {i}")


def _pair(values, dtype, device, grad=True):
    values = np.asarray(values, dtype=np.float64)
    m = mg.tensor(values, dtype=dtype, device=device, requires_grad=grad)
    t = torch.tensor(values, dtype=_torch_dtype(dtype), requires_grad=grad)
    return m, t


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("dtype", DTYPES)
def test_unary_matches_torch(name, dtype, device):
    fn, tfn, values, special = UNARY[name]
    for what, vals in (("random", values), ("special points", special)):
        m, t = _pair(vals, dtype, device)
        _check(fn(m), tfn(t), [m], [t], dtype, f"{name} {dtype} {what} {vals}")


# Known differences at non-finite inputs, kept on purpose: PyTorch's float32 gelu kernel gives NaN at +inf
# (its float64 one gives inf, as we do); PyTorch's softsign gradient at +-inf is NaN (its composite
# x / (1 + |x|) differentiates to inf / inf), ours the limit 0.
_NONFINITE_DIFFERENCES = {("gelu", "float32"), ("softsign", "float32"), ("softsign", "float64")}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("dtype", DTYPES)
def test_unary_nonfinite_inputs_like_torch(name, dtype, device):
    """NaN, +-inf and huge inputs: the same values and gradients as PyTorch (NaN where it gives NaN)."""
    fn, tfn, _, _ = UNARY[name]
    values = [np.nan, np.inf, -np.inf, 1e30, -1e30]
    if (name, dtype) in _NONFINITE_DIFFERENCES:
        values = [np.nan, 1e30, -1e30]  # without the documented difference at +-inf
    m, t = _pair(values, dtype, device)
    with np.errstate(all="ignore"):
        _check(fn(m), tfn(t), [m], [t], dtype, f"{name} {dtype} non-finite")


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_integer_inputs_like_torch(name, device):
    """Integer tensors: PyTorch's result dtype where it takes them, an error where it refuses."""
    fn, tfn, _, _ = UNARY[name]
    ints = np.array([-3, -1, 0, 1, 2, 5])
    t = torch.tensor(ints)
    try:
        expected = tfn(t)
    except (RuntimeError, TypeError):
        with pytest.raises((TypeError, RuntimeError)):
            fn(mg.tensor(ints, device=device))
        return
    out = fn(mg.tensor(ints, device=device))
    assert str(out.dtype) == str(expected.dtype).replace("torch.", ""), f"{name}: {out.dtype} vs {expected.dtype}"
    with np.errstate(invalid="ignore", divide="ignore"):
        np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6, err_msg=name)


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "tanh", "sigmoid"])
def test_older_float_ops_on_integers_like_torch(name, device):
    """The float ops that existed before issue 14 also give the default float dtype on integers."""
    ints = np.array([1, 2, 5])
    out, expected = getattr(mg, name)(mg.tensor(ints, device=device)), getattr(torch, name)(torch.tensor(ints))
    assert str(out.dtype) == str(expected.dtype).replace("torch.", "")
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6)


# ----- binary and ternary ops ----------------------------------------------------------------------
_RNG = np.random.default_rng(1)
_A, _B = _RNG.uniform(-3, 3, (3, 4)), _RNG.uniform(0.3, 2, (4,)) * _RNG.choice([-1, 1], 4)
BINARY = {
    "atan2": (mg.atan2, torch.atan2, (_A, _B), [([0.0, 0.0, 1.0, -1.0, 0.0], [0.0, -1.0, 0.0, 0.0, 1.0])]),
    "fmod": (mg.fmod, torch.fmod, (_A, _B), [([3.0, -3.0, 1.0, 2.5], [1.5, 1.5, 0.0, -1.0])]),
    "remainder": (mg.remainder, torch.remainder, (_A, _B), [([3.0, -3.0, 1.0, 2.5], [1.5, 1.5, 0.0, -1.0])]),
    "logaddexp": (mg.logaddexp, torch.logaddexp, (_A, _B),
                  [([1000.0, -1000.0, 0.0, -np.inf], [-1000.0, -1000.0, 1000.0, 0.0])]),
    "hypot": (mg.hypot, torch.hypot, (_A, _B), [([0.0, 3.0, 0.0, -1e200], [0.0, 4.0, 2.0, 1e200])]),
    "xlogy": (mg.xlogy, torch.xlogy, (_A, np.abs(_B)), [([0.0, 0.0, 0.0, 1.0, 2.0, 0.0], [0.0, -1.0, 2.0, 0.0, 3.0,
                                                                                       np.nan])]),
    "pow": (mg.pow, torch.pow, (np.abs(_A), _B), [([0.0, 0.0, 0.0, 2.0, -2.0, 0.0, -2.0], [0.0, -1.0, 2.0, 0.0, 2.0,
                                                                                          0.5, 0.5])]),
    "clamp-min": (lambda a, b: mg.clamp(a, min=b), lambda a, b: torch.clamp(a, min=b), (_A, _B),
                  [([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])]),
    "clamp-max": (lambda a, b: mg.clamp(a, max=b), lambda a, b: torch.clamp(a, max=b), (_A, _B),
                  [([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])]),
    "lerp-scalar": (lambda a, b: mg.lerp(a, b, 0.75), lambda a, b: torch.lerp(a, b, 0.75), (_A, _B), []),
}
TERNARY = {
    "clamp": (mg.clamp, torch.clamp, (_A, _RNG.uniform(-2, 0, (4,)), _RNG.uniform(-0.5, 2, (3, 1))),
              [([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 3.0, 3.0, 5.0, 0.0], [2.0, 2.0, 3.0, 4.0, 5.0])]),
    "lerp": (mg.lerp, torch.lerp, (_A, _B, _RNG.uniform(-1, 2, (3, 1))), [([1.0, 2.0], [3.0, -1.0], [0.5, 0.4999])]),
}


@pytest.mark.parametrize("name", sorted(BINARY) + sorted(TERNARY))
@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_matches_torch(name, dtype, device):
    fn, tfn, args, special = {**BINARY, **TERNARY}[name]
    for what, vals in (("random", args),) + tuple(("special points", s) for s in special):
        pairs = [_pair(v, dtype, device) for v in vals]
        ms, ts = [p[0] for p in pairs], [p[1] for p in pairs]
        with np.errstate(all="ignore"):
            _check(fn(*ms), tfn(*ts), ms, ts, dtype, f"{name} {dtype} {what}")


@pytest.mark.parametrize("name", ["atan2", "fmod", "remainder", "xlogy", "logaddexp", "hypot", "lerp-scalar"])
def test_binary_integer_inputs_like_torch(name, device):
    fn, tfn, _, _ = BINARY[name]
    a, b = np.array([-3, 0, 4, 7]), np.array([2, 3, -3, 5])
    try:
        expected = tfn(torch.tensor(a), torch.tensor(b))
    except (RuntimeError, TypeError):
        with pytest.raises((TypeError, RuntimeError)):
            fn(mg.tensor(a, device=device), mg.tensor(b, device=device))
        return
    out = fn(mg.tensor(a, device=device), mg.tensor(b, device=device))
    assert str(out.dtype) == str(expected.dtype).replace("torch.", "")
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6)


@pytest.mark.parametrize("form", ["int-float", "float32-float64", "int-python-float", "float32-python-float"])
def test_binary_mixed_dtypes_like_torch(form, device):
    """fmod / atan2 / clamp with mixed operands: PyTorch's result dtype."""
    a = np.array([-3, 1, 4])
    left = {"int-float": (a, "int64"), "float32-float64": (a, "float32"), "int-python-float": (a, "int64"),
            "float32-python-float": (a, "float32")}[form]
    right = 2.5 if "python" in form else np.array([2.5, 1.5, -1.5])
    right_dtype = "float64" if form == "float32-float64" else "float32"
    for mfn, tfn in ((mg.fmod, torch.fmod), (mg.atan2, torch.atan2), (mg.remainder, torch.remainder)):
        ma = mg.tensor(left[0], dtype=left[1], device=device)
        ta = torch.tensor(left[0], dtype=_torch_dtype(left[1]))
        mb = right if isinstance(right, float) else mg.tensor(right, dtype=right_dtype, device=device)
        tb = right if isinstance(right, float) else torch.tensor(right, dtype=_torch_dtype(right_dtype))
        if isinstance(right, float) and mfn is mg.atan2:
            continue  # torch.atan2 takes tensors only
        out, expected = mfn(ma, mb), tfn(ta, tb)
        assert str(out.dtype) == str(expected.dtype).replace("torch.", ""), f"{mfn.__name__} {form}"
        np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6)


def test_clamp_number_bounds_like_torch(device):
    for lo, hi in ((-0.5, 1.0), (2.0, 1.0), (None, 0.3), (-1.0, None), (1.0, 1.0)):
        m, t = _pair([-1.0, -0.5, 0.0, 0.3, 1.0, 2.0], "float64", device)
        _check(mg.clamp(m, lo, hi), torch.clamp(t, lo, hi), [m], [t], "float64", f"clamp({lo}, {hi})")
    ints = mg.tensor([-2, 0, 3], device=device)
    assert mg.clamp(ints, 0.5).dtype == str(torch.clamp(torch.tensor([-2, 0, 3]), 0.5).dtype).split(".")[1]
    assert mg.clamp(ints, 0, 2).dtype == "int64"


def test_pow_scalar_exponents_at_zero_like_torch(device):
    for p in (0, 0.5, -1.5, 1, 2, 3, -1):
        m, t = _pair([0.0, 1.5], "float64", device)
        with np.errstate(all="ignore"):
            _check(m ** p, t ** p, [m], [t], "float64", f"0 ** {p}")
    for base in (0.0, 2.0, -2.0):
        m, t = _pair([1.0, -1.0, 0.0, 2.0], "float64", device)
        with np.errstate(all="ignore"):
            _check(base ** m, base ** t, [m], [t], "float64", f"{base} ** b")


# ----- predicates -----------------------------------------------------------------------------------
_SPECIAL = np.array([0.0, -1.5, np.nan, np.inf, -np.inf, 1e-300, 3.0])


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite"])
@pytest.mark.parametrize("dtype", ("float32", "float64", "int64"))
def test_predicates_like_torch(name, dtype, device):
    vals = _SPECIAL if dtype != "int64" else np.array([0, -3, 7])
    out = getattr(mg, name)(mg.tensor(vals, dtype=dtype, device=device))
    expected = getattr(torch, name)(torch.tensor(vals, dtype=_torch_dtype(dtype)))
    assert out.dtype == "bool" and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


@pytest.mark.parametrize("kw", [{}, {"equal_nan": True}, {"rtol": 0.0, "atol": 0.0}, {"rtol": 1e-2, "atol": 1e-3}])
def test_isclose_allclose_like_torch(kw, device):
    a = np.array([1.0, 1.0 + 1e-6, np.nan, np.inf, -np.inf, 2.0, 0.0, 1e-9])
    b = np.array([1.0, 1.0, np.nan, np.inf, np.inf, 2.02, 1e-9, 0.0])
    out = mg.isclose(mg.tensor(a, dtype="float64", device=device), mg.tensor(b, dtype="float64", device=device), **kw)
    expected = torch.isclose(torch.tensor(a), torch.tensor(b), **kw)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    for x, y in ((a[:2], b[:2]), (a, b), (a[5:6], b[5:6])):
        got = mg.allclose(mg.tensor(x, device=device), mg.tensor(y, device=device), **kw)
        assert got is bool(torch.allclose(torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32),
                                          **kw))
    ints = mg.isclose(mg.tensor([1, 2, 3], device=device), mg.tensor([1, 3, 3], device=device))
    np.testing.assert_array_equal(ints.numpy(), torch.isclose(torch.tensor([1, 2, 3]), torch.tensor([1, 3, 3])).numpy())


# ----- nn modules ------------------------------------------------------------------------------------
MODULES = [("GELU", {}), ("GELU", {"approximate": "tanh"}), ("SiLU", {}), ("ELU", {"alpha": 0.7}), ("SELU", {}),
           ("CELU", {"alpha": 1.5}), ("Softplus", {"beta": 2.0, "threshold": 3.0}), ("Softplus", {}), ("Mish", {}),
           ("Hardtanh", {"min_val": -0.5, "max_val": 2.0}), ("ReLU6", {}), ("Hardsigmoid", {}), ("Hardswish", {}),
           ("LogSigmoid", {}), ("Softsign", {}), ("Softmin", {"dim": 1}), ("Softmin", {"dim": 0})]


@pytest.mark.parametrize("name,kw", MODULES, ids=[f"{n}-{k}" for n, k in MODULES])
def test_modules_match_torch(name, kw, device):
    x = np.concatenate([_grid(-7, 7, 12, seed=3), [-3.0, 3.0, 0.0, 6.0]]).reshape(4, 4)
    m, t = _pair(x, "float64", device)
    _check(getattr(nn, name)(**kw)(m), getattr(torch.nn, name)(**kw)(t), [m], [t], "float64", f"nn.{name}({kw})")
    assert repr(getattr(nn, name)(**kw)) == repr(getattr(torch.nn, name)(**kw))


def test_functional_softmin_implicit_dim_like_torch(device):
    for shape in ((3,), (2, 3), (2, 3, 2), (2, 2, 2, 2)):
        x = _grid(-2, 2, int(np.prod(shape)), seed=5).reshape(shape)
        with pytest.warns(UserWarning, match="Implicit dimension"):
            out = nn.functional.softmin(mg.tensor(x, dtype="float64", device=device))
        with pytest.warns(UserWarning):
            expected = TF.softmin(torch.tensor(x))
        np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-12)


def test_tensor_methods_match_torch(device):
    x = _grid(0.1, 0.9, 6, seed=7)
    m, t = _pair(x, "float64", device)
    for name in ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "atanh", "log1p", "expm1",
                 "log2", "log10", "exp2", "square", "rsqrt", "reciprocal", "sign", "erf", "erfc", "floor", "ceil",
                 "round", "trunc", "frac", "arcsin", "arccos", "arctan", "arcsinh", "arctanh"):
        np.testing.assert_allclose(getattr(m, name)().numpy(), getattr(t, name)().detach().numpy(), rtol=1e-12,
                                   err_msg=name)
    lo, tlo = _pair(np.full(6, 0.5), "float64", device)
    np.testing.assert_allclose(m.clamp(min=lo).numpy(), t.clamp(min=tlo).detach().numpy())
    np.testing.assert_allclose(m.clip(max=lo).numpy(), t.clip(max=tlo).detach().numpy())
    np.testing.assert_allclose(m.clamp_min(0.5).numpy(), t.clamp_min(0.5).detach().numpy())
    np.testing.assert_allclose(m.clamp_max(0.5).numpy(), t.clamp_max(0.5).detach().numpy())
    for name in ("atan2", "fmod", "remainder", "logaddexp", "hypot", "xlogy", "arctan2"):
        np.testing.assert_allclose(getattr(m, name)(lo).numpy(), getattr(t, name)(tlo).detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(m.lerp(lo, 0.3).numpy(), t.lerp(tlo, 0.3).detach().numpy(), rtol=1e-12)
    assert m.allclose(m) is True and m.isclose(lo).numpy().tolist() == t.isclose(tlo).tolist()
    assert m.isnan().numpy().tolist() == t.isnan().tolist()
