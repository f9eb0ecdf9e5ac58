"""gradcheck never passes vacuously, checks a model in one call, and shows every Hypothesis failure.

Issue 15 section 5: ``mg.gradcheck(lambda *ps: loss_fn(model(X), y), list(model.parameters()))``
used to pass with "analytic 0, numeric 0" for every element because the closure ignores the
float64 copies it is handed.
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import nn


def _model(device, dropout=False, seed=0):
    mg.manual_seed(seed)
    layers = [nn.Linear(3, 4), nn.Tanh() if hasattr(nn, "Tanh") else nn.ReLU()]
    layers += [nn.Dropout(0.3)] if dropout else []
    model = nn.Sequential(*layers, nn.Linear(4, 2)).to(device)
    X = mg.tensor(np.random.default_rng(seed).standard_normal((5, 3)), dtype="float32", device=device)
    y = mg.tensor([0, 1, 1, 0, 1], device=device)
    return model, nn.CrossEntropyLoss(), X, y


def _snapshot(tensors):
    return [(t, t.array, np.array(t.numpy(), copy=True), t.dtype, t.grad) for t in tensors]


def _assert_restored(snap, grads=True):
    for t, data, values, dtype, grad in snap:
        assert t.array is data and t.dtype == dtype and (t.grad is grad or not grads)
        np.testing.assert_array_equal(t.numpy(), values)
        assert t.numpy().tobytes() == values.tobytes()


# ----- never vacuous --------------------------------------------------------------------------
def test_the_issue_closure_fails_and_says_how_to_check_a_model(device):
    model, loss_fn, X, y = _model(device)
    params = list(model.parameters())
    snap = _snapshot(params)
    with pytest.raises(mg.GradcheckError, match="does not depend on input 0") as info:
        mg.gradcheck(lambda *ps: loss_fn(model(X), y), params)
    msg = str(info.value)
    assert all(f"does not depend on input {k}" in msg for k in range(4))
    assert "lambda: loss_fn(model(X), y), model.parameters()" in msg and "gradcheck_module" in msg
    _assert_restored(snap, grads=False)  # the closure's own backward reached the real parameters' .grad


def test_an_unused_input_fails_but_an_input_with_zero_gradient_passes(device):
    a = mg.tensor([0.5, -1.0], dtype="float64", device=device, requires_grad=True)
    b = mg.tensor([2.0], dtype="float64", device=device, requires_grad=True)
    result = mg.gradcheck(lambda a, b: a * 2.0, (a, b), raise_exception=False)
    assert not result and len(result.problems) == 1 and "does not depend on input 1" in result.problems[0]
    assert mg.gradcheck(lambda a, b: a * 2.0, (a, b.detach()))  # a constant: not checked
    neg = mg.tensor([-1.0, -2.0, -0.5], dtype="float64", device=device, requires_grad=True)
    result = mg.gradcheck(lambda x: x.relu(), neg)  # reached by the graph: a true zero gradient
    assert result and not np.any(result.inputs[0].analytic) and not np.any(result.inputs[0].numeric)
    assert mg.gradcheck(lambda x: x * 0.0, neg)
    assert mg.gradcheck(lambda a, b: a * 2.0, (a, b), fast_mode=True, raise_exception=False).problems


def test_gradgradcheck_flags_only_a_function_of_none_of_its_inputs(device):
    x = mg.tensor([0.5, -1.0], dtype="float64", device=device, requires_grad=True)
    assert mg.gradgradcheck(lambda a: a * 3.0, x)  # linear: the first gradient does not depend on x
    c = mg.tensor([1.0, 2.0], dtype="float64", device=device, requires_grad=True)
    result = mg.gradgradcheck(lambda a: (c * c).sum() + 0.0 * 0, x, raise_exception=False)
    assert not result and any("does not depend" in p for p in result.problems)


# ----- the model in one call ------------------------------------------------------------------
@pytest.mark.parametrize("dropout", [False, True])
def test_a_model_in_one_call_is_checked_in_float64_and_restored(device, dropout):
    model, loss_fn, X, y = _model(device, dropout)
    params = list(model.parameters())
    params[0].grad = mg.ones(4, 3, device=device)  # an earlier gradient stays as it was
    snap = _snapshot(params)
    rng_state = mg.default_generator("cpu").get_state()
    result = mg.gradcheck(lambda: loss_fn(model(X), y), model.parameters())
    assert result and [r.shape for r in result.inputs] == [p.shape for p in params]
    assert all(r.rel_diff < 1e-7 for r in result.inputs), str(result)  # float64: the course's "fine"
    assert all(np.any(r.analytic) for r in result.inputs)
    _assert_restored(snap)
    assert mg.default_generator("cpu").get_state() == rng_state
    assert mg.gradcheck(lambda: loss_fn(model(X), y), model.parameters(), fast_mode=True)


class _WrongCube(mg.Function):
    def forward(self, x):
        self.save_for_backward(x)
        return x ** 3

    def backward(self, g):
        (x,) = self.saved_tensors
        return g * 3.0 * x * x * 1.01  # 1% off


def test_a_model_with_a_wrong_backward_fails_and_is_still_restored(device):
    model, loss_fn, X, y = _model(device)
    snap = _snapshot(model.parameters())
    first, second = model[0], model[-1]
    result = mg.gradcheck(lambda: loss_fn(second(_WrongCube.apply(first(X))), y), model.parameters(),
                          raise_exception=False)
    assert not result and not result.inputs[0].allclose
    _assert_restored(snap)


def test_a_raising_function_still_restores_and_frozen_tensors_are_left_alone(device):
    model, loss_fn, X, y = _model(device)
    params = list(model.parameters())
    params[1].requires_grad_(False)
    snap = _snapshot(params)

    def boom():
        loss_fn(model(X), y)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        mg.gradcheck(boom, params)
    _assert_restored(snap)
    result = mg.gradcheck(lambda: loss_fn(model(X), y), params)
    assert [r.position for r in result.inputs] == [0, 2, 3]
    _assert_restored(snap)


def test_the_model_form_refuses_bad_tensors():
    w = mg.ones(2, requires_grad=True)
    with pytest.raises(TypeError, match="leaf Tensors"):
        mg.gradcheck(lambda: (w * 2).sum(), [w * 1])
    with pytest.raises(TypeError, match="ndarray"):
        mg.gradcheck(lambda: (w * 2).sum(), [np.ones(2)])
    with pytest.raises(ValueError, match="none of the 1 tensor"):
        mg.gradcheck(lambda: (w * 2).sum(), [mg.ones(2)])
    with pytest.raises(ValueError, match="more than once"):
        mg.gradcheck(lambda: (w * 2).sum(), [w, w])
    with pytest.raises(TypeError, match="gradgradcheck: fn takes no arguments"):
        mg.gradgradcheck(lambda: (w * 2).sum(), [w])
    assert w.dtype == "float32" and w.grad is None


# ----- Hypothesis: every failure shown ------------------------------------------------------------
class _TwoBugs(mg.Function):
    def forward(self, x):
        self.save_for_backward(x)
        return x * x

    def backward(self, g):
        (x,) = self.saved_tensors
        if float(x.sum().item()) > 0:
            return g * 3 * x  # wrong: 3x instead of 2x
        raise ValueError("second bug: backward raises for sums <= 0")


def test_check_gradients_shows_each_of_several_failures():
    from hypothesis import settings, strategies as st

    from minigrad.testing import GradientFailures, check_gradients

    pos = mg.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
    neg = mg.tensor([-1.0, -2.0], dtype="float64", requires_grad=True)
    with pytest.raises(GradientFailures) as info:  # both draws fail, each its own way
        check_gradients(_TwoBugs, st.sampled_from([pos, neg]), max_examples=20,
                        settings=settings(derandomize=True, database=None))
    msg = str(info.value)
    assert "2 distinct failures" in msg and "failure 1 of 2" in msg and "failure 2 of 2" in msg
    assert "gradcheck FAILED" in msg and "second bug" in msg
    # each failure's own input: Hypothesis calls it "Falsifying example" (to 6.15x), "Failing test case" (6.17x)
    assert msg.count("Falsifying example") + msg.count("Failing test case") == 2
    assert isinstance(info.value, AssertionError) and len(info.value.exceptions) == 2


# ----- nn gradcheck_module ---------------------------------------------------------------------
def test_gradcheck_module_with_batch_norm_dropout_restores_everything(device):
    from nn.gradcheck_module import gradcheck_module

    mg.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Dropout(0.2), nn.Linear(5, 1)).to(device)
    X = mg.tensor(np.random.default_rng(2).standard_normal((8, 3)), dtype="float32", device=device)
    y = mg.tensor(np.random.default_rng(3).standard_normal((8, 1)), dtype="float32", device=device)
    bn = model[1]
    model(X)  # running statistics away from their initial values
    snap = _snapshot(list(model.parameters()) + list(model.buffers()))
    result = gradcheck_module(model, nn.MSELoss(), X, y)
    assert result and len(result.inputs) == len(list(model.parameters()))
    # the bias before batch norm (input 1) truly has gradient 0 (the mean is removed): reached, not vacuous
    assert result.inputs[1].max_abs_diff < 1e-12 and not np.any(result.inputs[1].numeric)
    assert all(r.rel_diff < 1e-7 for k, r in enumerate(result.inputs) if k != 1), str(result)
    _assert_restored(snap)
    assert bn.num_batches_tracked.item() == 1 and X.dtype == "float32"


def test_gradcheck_module_catches_a_wrong_layer_and_needs_trainable_parameters(device):
    from nn.gradcheck_module import gradcheck_module

    class Wrong(nn.Module):
        def forward(self, x):
            return _WrongCube.apply(x)

    model, loss_fn, X, y = _model(device)
    bad = nn.Sequential(model[0], Wrong(), model[-1])
    snap = _snapshot(bad.parameters())
    assert not gradcheck_module(bad, loss_fn, X, y, raise_exception=False)
    _assert_restored(snap)
    with pytest.raises(ValueError, match="no parameter that requires grad"):
        gradcheck_module(nn.Sequential(Wrong()), lambda out: out.sum(), X)
