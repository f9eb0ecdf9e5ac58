"""The gradient check's verdict and report at their edges: zero and non-finite gradients, empty inputs, the
exact tolerance boundary, the reading's thresholds, and the report's text line by line."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad.gradcheck_report import GradcheckError, GradcheckResult, InputReport, compare, reading
from minigrad.gradcheck_sides import _bad_grad, _check_gradients


# ----- compare: the relative difference --------------------------------------------------------
def test_two_zero_gradients_agree_exactly():
    r = compare(0, "", (3,), np.zeros(3), np.zeros(3), 1e-5, 1e-3, False)
    assert r.rel_diff == 0.0 and r.allclose and r.max_abs_diff == 0.0
    assert reading(r.rel_diff).startswith("fine")


def test_a_finite_relative_difference_is_the_course_formula():
    a, n = np.array([3.0, 0.0]), np.array([0.0, 4.0])
    r = compare(1, "", (2,), a, n, 1e-5, 1e-3, False)
    assert r.rel_diff == pytest.approx(5.0 / (3.0 + 4.0), rel=1e-15)  # ||(3, -4)|| / (3 + 4)
    # the worst element is the one furthest past its tolerance (3 / 1e-5 > 4 / (1e-5 + 4e-3)), not the largest diff
    assert not r.allclose and r.worst_index == (0,) and (r.worst_analytic, r.worst_numeric) == (3.0, 0.0)
    assert r.max_abs_diff == 4.0


@pytest.mark.parametrize("where", ["analytic", "numeric", "both"])
def test_a_nan_gradient_gives_a_nan_relative_difference_and_fails(where):
    good, bad = np.array([1.0, 2.0]), np.array([1.0, np.nan])
    a, n = (bad, good) if where == "analytic" else (good, bad) if where == "numeric" else (bad, bad)
    r = compare(0, "", (2,), a, n, 1e-5, 1e-3, False)
    assert isinstance(r.rel_diff, float) and math.isnan(r.rel_diff)
    assert not r.allclose and reading(r.rel_diff).startswith("not finite")
    assert "relative difference nan, not finite: a bug" in str(r)


def test_an_infinite_numeric_gradient_fails_even_though_its_tolerance_is_infinite():
    # |1 - inf| = inf <= atol + rtol * inf = inf elementwise, yet a non-finite gradient is never "close"
    r = compare(0, "", (1,), np.array([1.0]), np.array([np.inf]), 1e-5, 1e-3, False)
    assert not r.allclose and math.isnan(r.rel_diff)
    r = compare(0, "", (1,), np.array([np.inf]), np.array([1.0]), 1e-5, 1e-3, False)
    assert not r.allclose


def test_the_tolerance_bound_is_inclusive():
    # PyTorch's rule |a - n| <= atol + rtol * |n|: equal gradients pass with zero tolerances
    a = np.array([0.5, -2.0])
    assert compare(0, "", (2,), a, a.copy(), 0.0, 0.0, False).allclose
    assert compare(0, "", (2,), np.array([1.5]), np.array([1.0]), 0.5, 0.0, False).allclose  # diff == atol
    assert not compare(0, "", (2,), np.array([1.5]), np.array([1.0]), 0.25, 0.0, False).allclose


@pytest.mark.parametrize("fast", [False, True])
def test_an_empty_input_reports_a_vacuous_agreement(fast):
    a, n = np.zeros((0, 3)), np.zeros((0, 3))
    r = compare(2, "grad_output 0", (0, 3), a, n, 1e-5, 1e-3, fast)
    assert isinstance(r, InputReport)
    assert (r.position, r.shape, r.label) == (2, (0, 3), "grad_output 0")
    assert r.analytic is a and r.numeric is n
    assert (r.rel_diff, r.max_abs_diff, r.worst_analytic, r.worst_numeric) == (0.0, 0.0, 0.0, 0.0)
    assert r.allclose is True
    assert r.worst_index == (None if fast else ())


def test_gradcheck_of_an_empty_input_reports_it(device):
    empty = mg.zeros(0, 3, dtype="float64", device=device, requires_grad=True)
    ones = mg.ones(2, dtype="float64", device=device, requires_grad=True)
    result = mg.gradcheck(lambda e, o: (e.sum(axis=0)[:2] + o).exp(), (empty, ones))
    r = result.inputs[0]
    assert (r.position, r.shape, r.worst_index, r.allclose, r.rel_diff) == (0, (0, 3), (), True, 0.0)
    assert r.analytic.shape == r.numeric.shape == (0, 3)


# ----- reading --------------------------------------------------------------------------------
def test_reading_boundaries():
    # "below 1e-7: fine; up to 1e-3: look closer; above 1e-3: likely a bug"
    assert reading(0.0) == "fine (< 1e-7)"
    assert reading(np.nextafter(1e-7, 0)) == "fine (< 1e-7)"
    assert reading(1e-7) == "look closer (1e-7 .. 1e-3)"
    assert reading(1e-3) == "look closer (1e-7 .. 1e-3)"
    assert reading(np.nextafter(1e-3, 1)) == "likely a bug (> 1e-3)"
    assert reading(float("inf")) == reading(float("nan")) == "not finite: a bug"


# ----- the report's text ------------------------------------------------------------------------
def _report(**kw):
    fields = dict(position=1, shape=(2, 3), analytic=np.zeros((2, 3)), numeric=np.zeros((2, 3)), rel_diff=0.0125,
                  max_abs_diff=0.5, worst_index=(1, 2), worst_analytic=2.5, worst_numeric=2.0, allclose=False)
    fields.update(kw)
    return InputReport(**fields)


def test_an_input_report_line():
    assert str(_report()) == ("input 1 (shape (2, 3)): relative difference 0.0125, likely a bug (> 1e-3); worst "
                              "element at (1, 2): analytic 2.5, numeric 2; max |diff| 0.5; allclose: NO")
    assert str(_report(allclose=True, label="grad_output 0", rel_diff=1e-9)) == (
        "grad_output 0 (shape (2, 3)): relative difference 1e-09, fine (< 1e-7); worst element at (1, 2): "
        "analytic 2.5, numeric 2; max |diff| 0.5; allclose: yes")
    fast = _report(worst_index=None, shape=(4,), worst_analytic=0.1234567890123, worst_numeric=-1.0)
    assert str(fast) == ("input 1 (shape (4,)): relative difference 0.0125, likely a bug (> 1e-3); <grad, v>: "
                         "analytic 0.123456789, numeric -1; max |diff| 0.5; allclose: NO")


def test_a_result_report_and_its_error():
    settings = dict(fn="f", device="cpu", eps=1e-6, atol=1e-5, rtol=1e-3, mode="every element",
                    upstream="given", seed=0)
    ok = GradcheckResult("gradcheck", settings, inputs=[_report(allclose=True)])
    assert ok.passed and bool(ok)
    head = ("for f on cpu: 1 input(s), every element, eps=1e-06, float64, atol=1e-05, rtol=0.001, "
            "upstream gradient given")
    assert str(ok) == f"gradcheck passed {head}\n  {_report(allclose=True)}"
    bad = GradcheckResult("gradgradcheck", settings, inputs=[_report(allclose=True)], problems=["p1", "p2"],
                          notes=["n1"])
    assert not bad.passed and not bad
    assert str(bad).split("\n") == [f"gradgradcheck FAILED {head}", f"  {_report(allclose=True)}",
                                    "  problem: p1", "  problem: p2", "  note: n1"]
    assert not GradcheckResult("gradcheck", settings, inputs=[_report(allclose=True), _report()])
    err = GradcheckError(bad)
    assert err.result is bad and str(err) == str(bad) and isinstance(err, AssertionError)


def test_a_failing_gradcheck_raises_with_its_result(device):
    x = mg.tensor([0.5, 1.5], dtype="float64", device=device, requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        mg.gradcheck(lambda a: (a * a).detach() + a, x)  # the gradient of a*a is lost
    r = info.value.result
    assert isinstance(r, GradcheckResult) and not r and not r.inputs[0].allclose
    u = np.random.default_rng(0).standard_normal(2)
    np.testing.assert_allclose(r.inputs[0].analytic, u, rtol=1e-12)
    np.testing.assert_allclose(r.inputs[0].numeric, u * (2 * np.array([0.5, 1.5]) + 1), rtol=1e-6)


# ----- the side checks ----------------------------------------------------------------------------
def test_a_gradient_of_the_wrong_shape_is_reported_once_and_not_examined_further():
    x = mg.tensor(np.arange(6.0), dtype="float64")
    g = mg.Tensor(x.array.reshape(2, 3))  # wrong shape, and a view of the input
    assert _bad_grad(g, x) and not _bad_grad(mg.Tensor(x.array.copy()), x)
    problems = []
    _check_gradients([g], [x], ["input 0"], [], problems)
    assert problems == ["the gradient of input 0 has shape (2, 3), the input (6,)"]
    problems = []
    _check_gradients([mg.Tensor(x.array[::-1])], [x], ["input 0"], [], problems)  # right shape, shared memory
    assert problems == ["the gradient of input 0 shares memory with input 0"]


def test_on_a_gpu_memory_sharing_is_asked_of_cupy(monkeypatch):
    # no GPU in CI: a stand-in cupy module records the question; CuPy arrays are not NumPy's to inspect
    import sys
    import types

    from minigrad.gradcheck_sides import _shares_memory

    asked = []
    fake = types.SimpleNamespace(shares_memory=lambda a, b: asked.append((a, b)) or len(asked) == 1)
    monkeypatch.setitem(sys.modules, "cupy", fake)
    gpu = types.SimpleNamespace(type="cuda")
    a, b = object(), object()  # not arrays NumPy could read
    assert _shares_memory(a, b, gpu) is True and _shares_memory(b, a, gpu) is False
    assert asked == [(a, b), (b, a)]
