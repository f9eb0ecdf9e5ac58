"""mg.gradcheck / mg.gradgradcheck at their edges: the random upstream gradients and directions drawn from
the seed (checked against draws made here), every setting reaching the report, grad_output handling, the
in-place model form's arguments, the vacuous-pass rule's limits, and each error message."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

X = np.array([0.5, -1.25, 2.0])


def _x(device, data=X, dtype="float64"):
    return mg.tensor(data, dtype=dtype, device=device, requires_grad=True)


def _cube(a):
    return a * a * a


# ----- what is drawn from the seed ------------------------------------------------------------
def test_the_upstream_gradient_is_the_seeded_standard_normal(device):
    r = mg.gradcheck(_cube, _x(device), seed=4)
    u = np.random.default_rng(4).standard_normal(3)
    np.testing.assert_allclose(r.inputs[0].analytic, u * 3 * X ** 2, rtol=1e-12)
    np.testing.assert_allclose(r.inputs[0].numeric, u * 3 * X ** 2, rtol=1e-6)
    assert r.settings["upstream"] == "N(0, 1) with seed 4" and r.settings["seed"] == 4


@pytest.mark.parametrize("data, seed", [(X, 0), (np.array([0.7]), 0), (np.array([0.7]), 2)])
def test_fast_mode_projects_on_a_seeded_unit_direction(device, data, seed):
    # the generator draws the upstream u first, then one direction v per input, normalised to length 1
    r = mg.gradcheck(_cube, _x(device, data), fast_mode=True, seed=seed)
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(data.shape)
    v = rng.standard_normal(data.shape)
    v /= np.linalg.norm(v)
    expected = np.sum(u * 3 * data ** 2 * v)
    assert r.inputs[0].analytic.shape == () and r.inputs[0].worst_index is None
    assert float(r.inputs[0].analytic) == pytest.approx(expected, rel=1e-12)
    assert float(r.inputs[0].numeric) == pytest.approx(expected, rel=1e-6)
    assert r.settings["mode"] == "fast mode (one random direction per input)"


def test_a_given_upstream_gradient_is_used_in_every_form(device):
    g = [1.0, -2.0, 0.5]
    for given in (g, np.array(g), mg.tensor(g, dtype="float32", device=device)):
        r = mg.gradcheck(_cube, _x(device), grad_output=given)
        np.testing.assert_allclose(r.inputs[0].analytic, np.array(g) * 3 * X ** 2, rtol=1e-12)
        assert r.settings["upstream"] == "given"


def test_two_outputs_take_a_sequence_of_upstream_gradients(device):
    def two(a):
        return a * a, a.sum() * 3.0

    r = mg.gradcheck(two, _x(device), grad_output=([1.0, 2.0, 3.0], 0.5))
    np.testing.assert_allclose(r.inputs[0].analytic, np.array([1.0, 2.0, 3.0]) * 2 * X + 1.5, rtol=1e-12)
    r = mg.gradcheck(two, _x(device), grad_output=[[1.0, 2.0, 3.0], 0.5])
    np.testing.assert_allclose(r.inputs[0].analytic, np.array([1.0, 2.0, 3.0]) * 2 * X + 1.5, rtol=1e-12)
    with pytest.raises(ValueError, match=r"^gradcheck: 3 grad_output\(s\) for 2 output\(s\)$"):
        mg.gradcheck(two, _x(device), grad_output=(1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match=r"^gradcheck: grad_output 1 has shape \(3,\), the output \(\)$"):
        mg.gradcheck(two, _x(device), grad_output=([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]))
    # one output: a list is that output's upstream gradient, not a list of them
    r = mg.gradcheck(_cube, _x(device), grad_output=[1.0, 1.0, 1.0])
    np.testing.assert_allclose(r.inputs[0].analytic, 3 * X ** 2, rtol=1e-12)


def test_integer_outputs_take_no_upstream_and_later_outputs_still_count(device):
    def fn(a):
        return mg.tensor([1, 2], device=a.device), a * a

    r = mg.gradcheck(fn, _x(device))
    u = np.random.default_rng(0).standard_normal(3)  # drawn for output 1, the first floating one
    np.testing.assert_allclose(r.inputs[0].analytic, u * 2 * X, rtol=1e-12)
    assert r and r.notes == []


def test_a_float32_output_is_noted(device):
    r = mg.gradcheck(lambda a: (a * 2.0).to(dtype="float32"), _x(device), raise_exception=False)
    assert r.notes == ["output 0 is float32: its numerical differences are imprecise"]
    assert "  note: output 0 is float32: its numerical differences are imprecise" in str(r).split("\n")


# ----- settings in the report -----------------------------------------------------------------
def test_the_settings_are_reported(device):
    r = mg.gradcheck(_cube, _x(device))
    assert r.title == "gradcheck" and r.settings["device"] == str(mg.device(device))
    assert r.settings["mode"] == "every element" and r.inputs[0].label == "input 0"
    assert str(r).startswith(f"gradcheck passed for _cube on {mg.device(device)}: 1 input(s), every element")


def test_gradgradcheck_defaults_and_seed(device):
    r = mg.gradgradcheck(_cube, _x(device))
    s = r.settings
    assert (s["eps"], s["atol"], s["rtol"], s["seed"], s["mode"]) == (1e-6, 1e-5, 1e-3, 1, "every element")
    assert r.title == "gradgradcheck" and s["fn"] == "gradient of _cube"
    fast = mg.gradgradcheck(_cube, _x(device), fast_mode=True, seed=5)
    assert fast.settings["mode"].startswith("fast mode") and fast.settings["seed"] == 6


def test_gradgradcheck_second_derivative_against_hand_computed_values(device):
    # f = x^3, G = u * 3x^2, M = <G, w>: dM/dx = 6 x u w and dM/du = 3 x^2 w, with u drawn from seed and w from
    # seed + 1 (or given)
    rng_u, rng_w = np.random.default_rng(2), np.random.default_rng(3)
    u, w = rng_u.standard_normal(3), rng_w.standard_normal(3)
    r = mg.gradgradcheck(_cube, _x(device), seed=2)
    assert [x.label for x in r.inputs] == ["input 0", "grad_output 0"]
    assert [x.position for x in r.inputs] == [0, 1]
    np.testing.assert_allclose(r.inputs[0].analytic, 6 * X * u * w, rtol=1e-12)
    np.testing.assert_allclose(r.inputs[1].analytic, 3 * X ** 2 * w, rtol=1e-12)
    gu, gw = np.array([1.0, 2.0, -1.0]), np.array([0.5, -0.5, 3.0])
    r = mg.gradgradcheck(_cube, _x(device), grad_output=gu, grad_grad_output=gw)
    np.testing.assert_allclose(r.inputs[0].analytic, 6 * X * gu * gw, rtol=1e-12)
    np.testing.assert_allclose(r.inputs[1].analytic, 3 * X ** 2 * gw, rtol=1e-12)
    assert r.settings["upstream"] == "given"


def test_gradgradcheck_without_checking_grad_outputs_and_with_two_outputs(device):
    r = mg.gradgradcheck(_cube, _x(device), check_grad_outputs=False)
    assert [x.label for x in r.inputs] == ["input 0"]

    def two(a, b):
        return a * b, (a * a).sum()

    b = mg.tensor([1.0, 2.0, 3.0], dtype="float64", device=device, requires_grad=True)
    r = mg.gradgradcheck(two, (_x(device), b))
    assert [(x.position, x.label) for x in r.inputs] == [
        (0, "input 0"), (1, "input 1"), (2, "grad_output 0"), (3, "grad_output 1")]
    assert "  grad_output 1 (shape ())" in str(r)


def test_a_bare_array_is_checked_by_both_checks():
    r = mg.gradgradcheck(_cube, X.copy())
    assert [x.label for x in r.inputs] == ["input 0", "grad_output 0"]
    assert mg.gradcheck(_cube, X.copy()).inputs[0].position == 0


# ----- never vacuous, and no more --------------------------------------------------------------
def test_an_empty_unused_input_is_not_a_vacuous_failure(device):
    e = mg.zeros(0, dtype="float64", device=device, requires_grad=True)
    for fast in (False, True):
        r = mg.gradcheck(lambda a, e: a * 2.0, (_x(device), e), fast_mode=fast)
        assert r and r.problems == []


def test_a_lost_gradient_is_a_mismatch_not_a_vacuous_input(device):
    r = mg.gradcheck(lambda a: (a * a).detach(), _x(device), raise_exception=False)
    assert r.problems == [] and not r.inputs[0].allclose


def test_the_vacuous_messages(device):
    r = mg.gradcheck(lambda a, b: a * 2.0, (_x(device), _x(device)), raise_exception=False)
    assert r.problems == [
        "the output does not depend on input 1: no gradient reached it and its central differences are all "
        "exactly 0, so nothing was checked; gradcheck hands fn float64 copies of its inputs; a closure over a "
        "model's own parameters ignores them.  To check a model: mg.gradcheck(lambda: loss_fn(model(X), y), "
        "model.parameters()) or nn.utils.gradcheck_module(model, loss_fn, X, y)"]
    r = mg.gradgradcheck(lambda a: a.detach() * 2.0, _x(device), raise_exception=False)  # nothing reaches anything
    tail = ": no gradient reached it and its central differences are all exactly 0, so nothing was checked; " \
           "pass inputs the function uses"
    assert r.problems == [f"the output does not depend on input 0{tail}",
                          f"the output does not depend on grad_output 0{tail}"]


# ----- a gradient that is not its input's -------------------------------------------------------
def test_a_wrong_shaped_gradient_is_reported_not_compared(device):
    def fn(a, b):
        b.grad = mg.zeros(5, dtype="float64", device=a.device)  # unreached by backward: stays as set
        return a * 2.0

    r = mg.gradcheck(fn, (_x(device), _x(device)), raise_exception=False)
    assert "the gradient of input 1 has shape (5,), the input (3,)" in r.problems
    assert r.inputs[0].allclose and not r.inputs[1].allclose
    assert r.inputs[1].analytic.shape == (3,) and np.all(np.isnan(r.inputs[1].analytic))


# ----- the caller's data -------------------------------------------------------------------------
def test_fn_gets_copies_even_of_float64_inputs(device):
    x = _x(device)

    def mutating(a):
        out = a * 1.0
        a.data.add_(1.0) if hasattr(a.data, "add_") else None
        return out

    r = mg.gradcheck(mutating, x, raise_exception=False)
    assert "input 0 was modified in place by the function or its backward" in r.problems
    np.testing.assert_array_equal(x.numpy(), X)


# ----- the in-place model form ------------------------------------------------------------------
class _Closure:
    def __init__(self, w):
        self.w = w

    def __call__(self):
        return (self.w * self.w).sum()

    def __repr__(self):
        return "<closure over w>"


def test_the_model_form_passes_every_setting_on(device):
    w = _x(device)
    loss = lambda: (w * w * w).sum()  # noqa: E731
    r = mg.gradcheck(loss, w, fast_mode=True, seed=3)  # a single Tensor is fine
    assert r.title == "gradcheck" and r.settings["mode"].startswith("fast mode") and r.settings["seed"] == 3
    assert r.settings["fn"] == loss.__qualname__ and str(r).startswith("gradcheck passed")
    r = mg.gradcheck(loss, [w], grad_output=2.0)
    np.testing.assert_allclose(r.inputs[0].analytic, 2.0 * 3 * X ** 2, rtol=1e-12)
    assert r.settings["upstream"] == "given"
    assert mg.gradcheck(_Closure(w), [w]).settings["fn"] == "<closure over w>"


def test_the_model_form_raises_by_default(device):
    w = _x(device)
    with pytest.raises(mg.GradcheckError, match="^gradcheck FAILED"):
        mg.gradcheck(lambda: (w * w).detach().sum() + w.sum(), [w])
    assert w.dtype == "float64" and w.grad is None


def test_the_model_form_and_gradcheck_refuse_mixed_devices():
    a = mg.tensor([1.0], requires_grad=True)
    b = mg.tensor([1.0], device="strict", requires_grad=True)
    with pytest.raises(ValueError, match=r"^gradcheck: the checked inputs are on different devices: "
                                         r"\['cpu', 'strict:0'\]$"):
        mg.gradcheck(lambda: a.sum(), [a, b])
    with pytest.raises(ValueError, match=r"^gradcheck: the checked inputs are on different devices: "
                                         r"\['cpu', 'strict:0'\]$"):
        mg.gradcheck(lambda x, y: x, (a, b))
    assert a.dtype == b.dtype == "float32"


def test_the_model_form_refuses_a_non_leaf_by_name():
    w = mg.ones(2, requires_grad=True)
    with pytest.raises(TypeError, match=r"^gradcheck: with a function of no arguments the inputs must be the leaf "
                                        r"Tensors it uses \(e\.g\. model\.parameters\(\)\); input 1 is a non-leaf "
                                        r"Tensor$"):
        mg.gradcheck(lambda: (w * 2).sum(), [w, w * 1])


# ----- error messages --------------------------------------------------------------------------
def test_error_messages_name_the_check(device):
    with pytest.raises(ValueError, match=r"^gradcheck: no input to check: pass floating Tensors with "
                                         r"requires_grad=True \(or floating arrays\) among the inputs$"):
        mg.gradcheck(_cube, mg.tensor(X, device=device))
    with pytest.raises(ValueError, match="^gradgradcheck: no input to check"):
        mg.gradgradcheck(_cube, mg.tensor(X, device=device))
    with pytest.raises(TypeError, match="^gradcheck: the function must return Tensors, output 1 is ndarray$"):
        mg.gradcheck(lambda a: (a, X), _x(device))
    with pytest.raises(TypeError, match="^gradgradcheck: the function must return Tensors, output 0 is float$"):
        mg.gradgradcheck(lambda a: 1.0, _x(device))
    with pytest.raises(ValueError, match="^gradcheck: the function returned no outputs$"):
        mg.gradcheck(lambda a: [], _x(device))
    with pytest.raises(TypeError, match=r"^gradgradcheck: fn takes no arguments; the in-place form \(a closure "
                                        r"over a model's parameters\) is gradcheck's only: give gradgradcheck a "
                                        r"function of its inputs$"):
        mg.gradgradcheck(lambda: 1.0, _x(device))


def _changing(after, title_fn):
    """fn that returns x * 2 for the first ``after`` calls and something else later."""
    calls = []

    def fn(a):
        calls.append(1)
        return a * 2.0 if len(calls) <= after else title_fn(a)

    return fn


def test_a_function_that_changes_between_calls_is_refused(device):
    fn = _changing(2, lambda a: a.sum())  # set_upstream, analytic, then the numeric side
    with pytest.raises(ValueError, match=r"^gradcheck: .*fn returned outputs of shapes \[\(\)\], earlier \[\(3,\)\]$"):
        mg.gradcheck(fn, _x(device))
    with pytest.raises(TypeError, match="^gradcheck: the function must return Tensors, output 0 is str$"):
        mg.gradcheck(_changing(1, lambda a: "x"), _x(device))  # in the analytic pass
    with pytest.raises(TypeError, match="^gradcheck: the function must return Tensors, output 0 is str$"):
        mg.gradcheck(_changing(2, lambda a: "x"), _x(device))  # in the numeric pass
    with pytest.raises(TypeError, match="^gradgradcheck: the function must return Tensors, output 0 is str$"):
        mg.gradgradcheck(_changing(1, lambda a: "x"), _x(device))  # in the first gradients


def test_every_bad_gradient_is_reported_after_an_unreached_input(device):
    def fn(a, b, c, d, e):  # a: unused, no gradient; b, c, d: gradients set by hand, wrong in three ways
        b.grad = mg.Tensor(b.data.array[...], device=b.device)  # shares b's memory
        c.grad = mg.zeros(3, dtype="float32", device=c.device)
        d.grad = mg.zeros(5, dtype="float64", device=d.device)
        return e * 2.0

    r = mg.gradcheck(fn, tuple(_x(device) for _ in range(5)), raise_exception=False)
    assert "the gradient of input 1 shares memory with input 1" in r.problems
    assert "the gradient of input 2 is float32, the input float64" in r.problems
    assert "the gradient of input 3 has shape (5,), the input (3,)" in r.problems


def test_a_nan_in_an_input_is_not_a_modification(device):
    x = _x(device, np.array([0.5, np.nan, 2.0]))
    r = mg.gradcheck(lambda a: a * 2.0, x, raise_exception=False)
    assert not any("modified" in p for p in r.problems)
