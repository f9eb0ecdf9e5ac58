"""nn.utils.gradcheck_module: what the model, the loss and the inputs see during the check (float64 copies
of floating data, integer labels as they are), every argument passed on, and the report's names."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import nn
from nn.gradcheck_module import gradcheck_module

RNG = np.random.default_rng(7)
XS = RNG.standard_normal((4, 3))
YS = np.array([0, 1, 1, 0])


class _Probe(nn.Module):
    """Linear(3, 2) that records the dtypes of its input(s) and buffers at every call; ``x.add_(mutate)`` first."""

    def __init__(self, two_inputs=False, mutate=0.0):
        super().__init__()
        mg.manual_seed(3)
        self.lin = nn.Linear(3, 2)
        self.register_buffer("scale", mg.ones(2))  # float32 buffer: float64 during the check
        self.register_buffer("count", mg.tensor([0, 0]))  # integer buffer: left as it is
        self.two_inputs, self.mutate, self.seen = two_inputs, mutate, []

    def forward(self, x, z=None):
        self.seen.append((x.dtype, None if z is None else z.dtype, self.scale.dtype, self.count.dtype))
        if self.mutate:
            x.add_(self.mutate)
        return self.lin(x if z is None else x + z) * self.scale


def _loss_recording(seen):
    def my_loss(out, target=None):
        seen.append(None if target is None else target.dtype)
        return (out * out).sum() if target is None else nn.functional.cross_entropy(out, target)
    return my_loss


def test_inputs_buffers_and_labels_are_float64_copies_and_integers_stay(device):
    model = _Probe().to(device)
    X = mg.tensor(XS, dtype="float32", device=device)
    y = mg.tensor(YS, device=device)
    targets = []
    result = gradcheck_module(model, _loss_recording(targets), X, y)
    assert result and model.seen and targets
    assert set(model.seen) == {(mg.float64, None, mg.float64, mg.int64)}
    assert set(targets) == {mg.int64}
    assert model.scale.dtype == mg.float32 and model.count.dtype == mg.int64 and X.dtype == mg.float32


def test_numpy_inputs_and_labels_are_converted_like_tensors():
    model = _Probe()
    targets = []
    X = XS.astype(np.float32)
    result = gradcheck_module(model, _loss_recording(targets), X, YS)
    assert result and set(model.seen) == {(mg.float64, None, mg.float64, mg.int64)}
    assert set(targets) == {mg.int64}
    assert X.dtype == np.float32 and np.array_equal(X, XS.astype(np.float32))


def test_arrays_of_another_array_api_library_are_converted():
    xp = pytest.importorskip("array_api_strict")
    model = _Probe().to("strict")
    result = gradcheck_module(model, _loss_recording([]), xp.asarray(XS.astype(np.float32)),
                              mg.tensor(YS, device="strict"))
    assert result and set(model.seen) == {(mg.float64, None, mg.float64, mg.int64)}


def test_a_tuple_of_inputs_is_spread_and_y_none_calls_the_loss_with_the_output_only(device):
    model = _Probe(two_inputs=True).to(device)
    X = mg.tensor(XS, dtype="float32", device=device)
    Z = mg.tensor(XS[::-1].copy(), dtype="float32", device=device)
    targets = []
    result = gradcheck_module(model, _loss_recording(targets), (X, Z))
    assert result and set(model.seen) == {(mg.float64, mg.float64, mg.float64, mg.int64)}
    assert set(targets) == {None}
    # the loss really is sum(out^2) of the model's output on X + Z: the bias's gradient by hand, times the
    # scalar upstream gradient u ~ N(0, 1) drawn from the seed (0)
    W = model.lin.weight.numpy().astype(np.float64)
    x32 = XS.astype(np.float32).astype(np.float64)  # the float32 inputs' values, added in float64
    out = (x32 + x32[::-1]) @ W.T + model.lin.bias.numpy().astype(np.float64)
    u = np.random.default_rng(0).standard_normal(())
    np.testing.assert_allclose(result.inputs[1].analytic, u * (2 * out).sum(axis=0), rtol=1e-10)


def test_the_caller_inputs_are_never_modified_even_float64_ones(device):
    model = _Probe(mutate=1.0).to(device)
    X = mg.tensor(XS, dtype="float64", device=device)
    gradcheck_module(model, _loss_recording([]), X, raise_exception=False)
    np.testing.assert_array_equal(X.numpy(), XS)


def test_every_setting_is_passed_on(device):
    model = _Probe().to(device)
    X = mg.tensor(XS, dtype="float32", device=device)
    result = gradcheck_module(model, _loss_recording([]), X, eps=1e-5, atol=1e-4, rtol=1e-2, seed=5)
    s = result.settings
    assert (s["eps"], s["atol"], s["rtol"], s["seed"]) == (1e-5, 1e-4, 1e-2, 5)
    assert s["mode"] == "every element" and result.inputs[0].worst_index is not None
    fast = gradcheck_module(model, _loss_recording([]), X, fast_mode=True)
    assert fast.settings["mode"].startswith("fast mode") and fast.inputs[0].analytic.shape == ()
    assert gradcheck_module(model, _loss_recording([]), X).settings["seed"] == 0  # the default seed


def test_defaults_every_element_and_raise(device):
    class Off(mg.Function):  # gradient 1% off
        def forward(self, x):
            return x * 2.0

        def backward(self, g):
            return g * 2.02

    class Bad(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 2)

        def forward(self, x):
            return Off.apply(self.lin(x))

    X = mg.tensor(XS, dtype="float32", device=device)
    with pytest.raises(mg.GradcheckError) as info:
        gradcheck_module(Bad().to(device), lambda out: out.sum(), X)
    assert info.value.result.settings["mode"] == "every element"
    assert not gradcheck_module(Bad().to(device), lambda out: out.sum(), X, raise_exception=False)


def test_the_report_names_the_model_and_the_loss(device):
    model = _Probe().to(device)
    X = mg.tensor(XS, dtype="float32", device=device)
    assert gradcheck_module(model, _loss_recording([]), X).settings["fn"] == "gradcheck_module(_Probe, my_loss)"
    y = mg.tensor(RNG.standard_normal((4, 2)), dtype="float32", device=device)
    assert gradcheck_module(model, nn.MSELoss(), X, y).settings["fn"] == "gradcheck_module(_Probe, MSELoss)"
    frozen = nn.Linear(3, 2).requires_grad_(False)
    with pytest.raises(ValueError, match="^gradcheck_module: Linear has no parameter that requires grad"):
        gradcheck_module(frozen, lambda out: out.sum(), X)
