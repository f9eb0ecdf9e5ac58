"""Op table rows of issue 14's elementwise math and activations (``SPECS_MATH``, added to
tests/support/op_specs.py's ``SPECS`` by ``build_specs()``; the rows are built on first use, so either
module may be imported first).

References are NumPy formulas written independently of minigrad (``math.erf`` for erf).  Edges
at non-smooth points carry PyTorch's gradients as ``expected_grad`` (the values PyTorch 2.13
gives, e.g. hardtanh's 0 at its bounds, hardswish's 0 at -3 and 1 at 3, elu's alpha at 0).
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

import minigrad as mg
import op_samplers as smp
import op_samplers_math as sm
from op_samplers_math import a_values as _a

_erf = np.vectorize(math.erf, otypes=[np.float64])
_erfc = np.vectorize(math.erfc, otypes=[np.float64])
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
_BINARY_CASES = (((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)), ((3, 1, 2), (2, 1)))
_TERNARY_CASES = (((2, 3), (3,), (2, 1)), ((), (2, 3), ()), ((3, 1), (1, 2), (3, 2)))
_BIG = st.floats(-30, 30)


def _softplus_ref(a, beta=1.0, threshold=20.0):
    return np.where(a * beta > threshold, a, np.logaddexp(0.0, a * beta) / beta)


def _elu_ref(a, alpha=1.0):
    return np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0.0)))


def _celu_ref(a, alpha=1.0):
    return np.maximum(a, 0.0) + np.minimum(0.0, alpha * np.expm1(a / alpha))


def _gelu_ref(a, approximate="none"):
    if approximate == "tanh":
        return 0.5 * a * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (a + 0.044715 * a ** 3)))
    return 0.5 * a * (1.0 + _erf(a / np.sqrt(2.0)))


def _hardswish_ref(a):
    return a * np.clip(a + 3.0, 0.0, 6.0) / 6.0


def _xlogy_ref(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, x * np.log(y))


def _unary(name, ref, domain="real", **kw):
    sample = smp.unary(domain) if "sample" not in kw else kw.pop("sample")
    return OpSpec(name, getattr(mg, name), ref, sample, domain=domain, **kw)


def _binary(name, ref, elements_a, elements_b, domain, **kw):
    return OpSpec(name, getattr(mg, name), ref, sm.binary_elements(elements_a, elements_b), domain=domain,
                  broadcast_cases=_BINARY_CASES, sample_fill=sm.fill_elements(elements_a, elements_b), **kw)


_REAL = st.floats(-3, 3)
_NONZERO = st.tuples(st.floats(0.1, 3), st.booleans()).map(lambda p: -p[0] if p[1] else p[0])
_POSITIVE = st.floats(0.1, 4)
Edge = OpSpec = None  # op_specs' classes, imported when the rows are built (op_specs imports this module)
_BUILT = []


def build_specs():
    """The rows (built once; op_specs.py adds them to ``SPECS``)."""
    global Edge, OpSpec
    if not _BUILT:
        from op_specs import Edge, OpSpec

        _BUILT.extend(_rows())
    return _BUILT


def __getattr__(name):
    if name == "SPECS_MATH":
        import op_specs  # noqa: F401  (builds the table, these rows included)

        return build_specs()
    raise AttributeError(f"module 'op_specs_math' has no attribute {name!r}")


def _rows():
    _AT_INTEGERS = (Edge("at integers: gradient 0", (_a(-2.0, 0.0, 1.0, 3.0),), expected_grad=(_a(0, 0, 0, 0),)),)

    return [
        _unary("sin", np.sin), _unary("cos", np.cos),
        _unary("tan", np.tan, sample=smp.unary(elements=st.floats(-1.2, 1.2)), domain="|a| <= 1.2"),
        _unary("asin", np.arcsin, "unit"), _unary("acos", np.arccos, "unit"), _unary("atan", np.arctan),
        _unary("sinh", np.sinh), _unary("cosh", np.cosh), _unary("asinh", np.arcsinh),
        _unary("acosh", np.arccosh, sample=smp.unary(elements=st.floats(1.1, 4.0)), domain="a >= 1.1"),
        _unary("atanh", np.arctanh, "unit"),
        _unary("log1p", np.log1p, sample=smp.unary(elements=st.floats(-0.9, 3.0)), domain="a >= -0.9",
               edges=(Edge("tiny values keep their precision", (_a(1e-12, -1e-12, 1e-5),)),)),
        _unary("expm1", np.expm1, edges=(Edge("tiny values keep their precision", (_a(1e-12, -1e-12, 1e-5),)),)),
        _unary("log2", np.log2, "positive"), _unary("log10", np.log10, "positive"), _unary("exp2", np.exp2),
        _unary("square", np.square), _unary("rsqrt", lambda a: 1.0 / np.sqrt(a), "positive"),
        _unary("reciprocal", np.reciprocal, "nonzero"),
        _unary("sign", np.sign, "nonzero", edges=(Edge("at 0: gradient 0", (_a(-1.0, 0.0, 2.0),),
                                                       expected_grad=(_a(0, 0, 0),)),)),
        _unary("erf", _erf, edge_sample=smp.unary(elements=_BIG),
               edges=(Edge("tails and the branch points", (_a(-30.0, -4.0, -0.46875, 0.0, 0.5, 4.0, 27.0),)),)),
        _unary("erfc", _erfc, edge_sample=smp.unary(elements=_BIG),
               edges=(Edge("tails and the branch points", (_a(-30.0, -4.0, -0.46875, 0.0, 0.5, 4.0, 10.0),)),)),
        _unary("floor", np.floor, sample=smp.unary(elements=sm.OFF_INTEGERS), domain="0.1 from integers",
               edges=_AT_INTEGERS),
        _unary("ceil", np.ceil, sample=smp.unary(elements=sm.OFF_INTEGERS), domain="0.1 from integers",
               edges=_AT_INTEGERS),
        _unary("trunc", np.trunc, sample=smp.unary(elements=sm.OFF_INTEGERS), domain="0.1 from integers",
               edges=_AT_INTEGERS),
        OpSpec("round", mg.round, lambda a, decimals=0: np.round(a, decimals), sm.round_inputs,
               domain="0.1 * 10^-decimals from the jumps",
               edges=(Edge("halves to even, gradient 0", (_a(-1.5, -0.5, 0.5, 1.5, 2.5),),
                           expected_grad=(_a(0, 0, 0, 0, 0),)),)),
        _unary("frac", lambda a: a - np.trunc(a), sample=smp.unary(elements=sm.OFF_INTEGERS),
               domain="0.1 from integers",
               edges=(Edge("at integers: gradient 1", (_a(-2.0, 0.0, 3.0),), expected_grad=(_a(1, 1, 1),)),)),
        _binary("atan2", np.arctan2, _NONZERO, _NONZERO, "|a|, |b| >= 0.1 (away from the branch cut)",
                scalar_forms=((lambda t: mg.atan2(t, 0.5), lambda a: np.arctan2(a, 0.5)),)),
        _binary("fmod", np.fmod, sm.DIVIDEND, sm.DIVISOR, "a / b at least 0.025 from an integer",
                scalar_forms=((lambda t: mg.fmod(t, 0.7), lambda a: np.fmod(a, 0.7)),)),
        _binary("remainder", np.remainder, sm.DIVIDEND, sm.DIVISOR, "a / b at least 0.025 from an integer",
                scalar_forms=((lambda t: mg.remainder(t, 0.7), lambda a: np.remainder(a, 0.7)),)),
        OpSpec("lerp", mg.lerp, lambda a, b, w: a + w * (b - a), sm.ternary(_REAL, _REAL, st.floats(-1, 2)),
               variant="tensor", broadcast_cases=_TERNARY_CASES,
               sample_fill=sm.fill_elements(_REAL, _REAL, st.floats(-1, 2)),
               scalar_forms=((lambda t: mg.lerp(t, t * 2.0, 0.3), lambda a: a + 0.3 * a),)),
        OpSpec("lerp", lambda a, b, weight: mg.lerp(a, b, weight), lambda a, b, weight: a + weight * (b - a),
               sm.lerp_scalar_inputs, variant="scalar"),
        _binary("logaddexp", np.logaddexp, _REAL, _REAL, "real",
                scalar_forms=((lambda t: mg.logaddexp(t, 0.5), lambda a: np.logaddexp(a, 0.5)),),
                edge_sample=sm.binary_elements(st.floats(-1000, 1000), st.floats(-1000, 1000)),
                edges=(Edge("huge and tiny", (_a(1000.0, -1000.0, 0.0), _a(-1000.0, -1000.0, 1000.0))),)),
        _binary("hypot", np.hypot, _NONZERO, _NONZERO, "|a|, |b| >= 0.1 (gradient NaN at (0, 0), as in PyTorch)",
                scalar_forms=((lambda t: mg.hypot(t, 2.0), lambda a: np.hypot(a, 2.0)),)),
        _binary("xlogy", _xlogy_ref, _REAL, _POSITIVE, "y >= 0.1",
                scalar_forms=((lambda t: mg.xlogy(t, 2.0), lambda a: a * np.log(2.0)),),
                edges=(Edge("x = 0: value 0, x gradient 0 where y <= 0 (PyTorch's)",
                            (_a(0.0, 0.0, 1.0), _a(-1.0, 2.0, 3.0)),
                            expected_grad=(_a(0.0, np.log(2.0), np.log(3.0)), _a(0.0, 0.0, 1.0 / 3.0))),)),
        OpSpec("clamp", lambda a, lo, hi: mg.clamp(a, lo, hi), lambda a, lo, hi: np.minimum(np.maximum(a, lo), hi),
               sm.ternary(sm.CLAMP_X, sm.CLAMP_LO, sm.CLAMP_HI), variant="tensor",
               domain="x, min, max on disjoint grids (no ties; min > max happens)", broadcast_cases=_TERNARY_CASES,
               sample_fill=sm.fill_elements(sm.CLAMP_X, sm.CLAMP_LO, sm.CLAMP_HI),
               edges=(Edge("at the bounds and min > max (PyTorch's gradients)",
                           (_a(1, 2, 3, 4, 5), _a(1, 3, 3, 5, 0), _a(2, 2, 3, 4, 5)),
                           expected_grad=(_a(1, 0, 1, 0, 1), _a(0, 0, 0, 0, 0), _a(0, 1, 0, 1, 0))),)),
        OpSpec("clamp", lambda a, lo: mg.clamp(a, min=lo), np.maximum, sm.binary_elements(sm.CLAMP_X, sm.CLAMP_LO),
               variant="min", domain="x, min on disjoint grids",
               edges=(Edge("at the bound", (_a(1, 2, 3), _a(2, 2, 2)), expected_grad=(_a(0, 1, 1), _a(1, 0, 0))),)),
        OpSpec("clamp", lambda a, hi: mg.clamp(a, max=hi), np.minimum, sm.binary_elements(sm.CLAMP_X, sm.CLAMP_HI),
               variant="max", domain="x, max on disjoint grids",
               edges=(Edge("at the bound", (_a(1, 2, 3), _a(2, 2, 2)), expected_grad=(_a(1, 1, 0), _a(0, 0, 1))),)),
        # ----- activations ------------------------------------------------------------------------------
        OpSpec("softplus", mg.softplus, _softplus_ref,
               smp.unary(elements=sm.off_halves(-7, 6), beta=st.sampled_from([1.0, 2.0]),
                         threshold=st.sampled_from([20.0, 2.0])), domain="beta * x 0.15 from the threshold",
               edge_sample=smp.unary(elements=st.floats(-1000, 1000)),
               edges=(Edge("at and above the threshold", (_a(10.0, 10.5, -50.0),), {"beta": 2.0, "threshold": 20.0},
                           expected_grad=(_a(1.0 / (1.0 + np.exp(-20.0)), 1.0, 1.0 / (1.0 + np.exp(100.0))),)),)),
        _unary("elu", _elu_ref, "nonzero", sample=smp.unary("nonzero", alpha=st.sampled_from([1.0, 0.5, 2.0])),
               edge_sample=smp.unary(elements=st.floats(-1000, 1000)),
               edges=(Edge("at 0: alpha (PyTorch's)", (_a(0.0, -1.0, 1.0),), {"alpha": 2.0},
                           expected_grad=(_a(2.0, 2.0 * np.exp(-1.0), 1.0),)),)),
        _unary("selu", lambda a: _SELU_SCALE * _elu_ref(a, _SELU_ALPHA), "nonzero",
               edges=(Edge("at 0: scale * alpha (PyTorch's)", (_a(0.0, 1.0),),
                           expected_grad=(_a(_SELU_SCALE * _SELU_ALPHA, _SELU_SCALE),)),)),
        _unary("celu", _celu_ref, "nonzero", sample=smp.unary("nonzero", alpha=st.sampled_from([1.0, 0.5, 2.0])),
               edges=(Edge("at 0: 1 (PyTorch's)", (_a(0.0, -2.0),), {"alpha": 2.0},
                           expected_grad=(_a(1.0, np.exp(-1.0)),)),)),
        _unary("gelu", _gelu_ref, sample=smp.unary(approximate=st.sampled_from(["none", "tanh"])),
               edge_sample=smp.unary(elements=_BIG, approximate=st.sampled_from(["none", "tanh"]))),
        _unary("silu", lambda a: a / (1.0 + np.exp(-a)), edge_sample=smp.unary(elements=st.floats(-500, 500))),
        _unary("mish", lambda a: a * np.tanh(np.logaddexp(0.0, a)),
               edge_sample=smp.unary(elements=st.floats(-500, 500))),
        _unary("hardtanh", lambda a, min_val=-1.0, max_val=1.0: np.clip(a, min_val, max_val),
               sample=smp.unary(elements=sm.off_halves(-6, 5), min_val=st.sampled_from([-1.0, -0.5]),
                                max_val=st.sampled_from([1.0, 2.0])), domain="0.15 from the bounds",
               edges=(Edge("at the bounds: gradient 0 (PyTorch's)", (_a(-1.0, 1.0, 0.0, -2.0, 2.0),),
                           expected_grad=(_a(0, 0, 1, 0, 0),)),)),
        _unary("relu6", lambda a: np.clip(a, 0.0, 6.0), sample=smp.unary(elements=sm.off_halves(-4, 13)),
               domain="0.15 from 0 and 6",
               edges=(Edge("at 0 and 6: gradient 0 (PyTorch's)", (_a(0.0, 6.0, 3.0, -1.0, 7.0),),
                           expected_grad=(_a(0, 0, 1, 0, 0),)),)),
        _unary("hardsigmoid", lambda a: np.clip(a / 6.0 + 0.5, 0.0, 1.0),
               sample=smp.unary(elements=sm.off_halves(-10, 9)),
               domain="0.15 from -3 and 3",
               edges=(Edge("at -3 and 3: gradient 0 (PyTorch's)", (_a(-3.0, 3.0, 0.0),),
                           expected_grad=(_a(0, 0, 1 / 6),)),)),
        _unary("hardswish", _hardswish_ref, sample=smp.unary(elements=sm.off_halves(-10, 9)),
               domain="0.15 from -3 and 3",
               edges=(Edge("at -3: 0, at 3: 1 (PyTorch's)", (_a(-3.0, 3.0, 0.0, -4.0, 4.0),),
                           expected_grad=(_a(0, 1, 0.5, 0, 1),)),)),
        _unary("logsigmoid", lambda a: -np.logaddexp(0.0, -a), edge_sample=smp.unary(elements=st.floats(-1000, 1000))),
        _unary("softsign", lambda a: a / (1.0 + np.abs(a)), "nonzero",
               edges=(Edge("at 0", (_a(0.0, -1.0),), expected_grad=(_a(1.0, 0.25),)),)),
    ]
