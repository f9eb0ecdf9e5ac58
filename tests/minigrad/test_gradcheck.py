"""mg.gradcheck / mg.gradgradcheck: they pass right gradients, catch wrong ones, and report."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.gradcheck import GradcheckError, reading

X = np.array([[0.5, -1.25, 2.0], [0.3, 1.5, -0.7]])


class Cube(mg.Function):
    """y = x^3, dy/dx = 3 x^2 (right)"""

    scale = 1.0

    def forward(self, x):
        self.save_for_backward(x)
        return x ** 3

    def backward(self, g):
        (x,) = self.saved_tensors
        return g * 3.0 * x * x * self.scale


class CubeOff(Cube):
    scale = 1.01  # a 1% error


class CubeFlatSecond(Cube):
    """Right first derivative, but computed from a detached copy: no second derivative."""

    def backward(self, g):
        (x,) = self.saved_tensors
        return g * 3.0 * mg.Tensor(x.detach().numpy() ** 2, device=x.device)


def _x(device, dtype="float64", data=X):
    return mg.tensor(data, dtype=dtype, device=device, requires_grad=True)


def test_right_gradients_pass_on_every_device(device):
    a, b = _x(device), mg.tensor([0.5, 2.0, -1.5], dtype="float64", device=device, requires_grad=True)
    result = mg.gradcheck(lambda a, b: ((a * b).tanh(), a.exp().sum(axis=0) / b), (a, b))
    assert result and result.passed
    assert [r.position for r in result.inputs] == [0, 1]
    for r in result.inputs:
        assert r.rel_diff < 1e-7 and r.allclose
        assert r.analytic.shape == r.numeric.shape == r.shape
    assert mg.gradgradcheck(lambda a, b: (a * b).tanh(), (a, b))


def test_wrong_gradient_raises_with_report(device):
    with pytest.raises(GradcheckError) as info:
        mg.gradcheck(CubeOff, _x(device))
    text = str(info.value)
    assert "FAILED" in text and "CubeOff" in text and "input 0 (shape (2, 3))" in text
    assert "likely a bug" in text and "worst element at" in text and "allclose: NO" in text
    assert not info.value.result


def test_wrong_gradient_without_raising(device):
    result = mg.gradcheck(CubeOff, _x(device), raise_exception=False)
    assert not result and not result.passed
    r = result.inputs[0]
    # the analytic gradient is 1.01 times the numerical one everywhere
    np.testing.assert_allclose(r.analytic, 1.01 * r.numeric, rtol=1e-6)
    np.testing.assert_allclose(r.numeric, 3 * X ** 2 * _upstream_like(result, X.shape), rtol=1e-6)
    assert r.rel_diff == pytest.approx(0.01 / 2.01, rel=1e-4)
    assert r.worst_analytic == pytest.approx(1.01 * r.worst_numeric, rel=1e-6)


def _upstream_like(result, shape):
    """The upstream gradient gradcheck drew (seed 0, standard normal)."""
    assert result.settings["seed"] == 0
    return np.random.default_rng(0).standard_normal(shape)


def test_fast_mode(device):
    assert mg.gradcheck(Cube, _x(device), fast_mode=True)
    result = mg.gradcheck(CubeOff, _x(device), fast_mode=True, raise_exception=False)
    assert not result
    assert result.inputs[0].worst_index is None and "<grad, v>" in str(result)


def test_second_order_catches_a_detached_backward(device):
    assert mg.gradcheck(CubeFlatSecond, _x(device))
    with pytest.raises(GradcheckError, match="gradgradcheck FAILED"):
        mg.gradgradcheck(CubeFlatSecond, _x(device))
    assert mg.gradgradcheck(Cube, _x(device))
    assert mg.gradgradcheck(Cube, _x(device), fast_mode=True)


def test_works_in_float64_whatever_the_input_dtype(device):
    seen = []

    def f(x):
        seen.append(x.dtype)
        return x.sigmoid()

    x = _x(device, "float32")
    assert mg.gradcheck(f, x)
    assert set(seen) == {"float64"}
    assert x.dtype == "float32" and x.grad is None  # the caller's tensor is untouched


def test_which_inputs_are_checked(device):
    x = _x(device)
    const = mg.tensor(X, dtype="float64", device=device)  # floating, requires_grad=False: a constant
    idx = mg.tensor([1, 0, 1], device=device)  # integer: passed unchanged
    got = {}

    def f(a, c, i, scale):
        got.update(c=c, i=i, scale=scale)
        return a[:, i] * c[:, i] * scale

    result = mg.gradcheck(f, (x, const, idx, 2.0))
    assert [r.position for r in result.inputs] == [0]
    assert got["i"] is idx and got["scale"] == 2.0
    assert got["c"].dtype == "float64" and not got["c"].requires_grad
    # bare floating arrays are checked
    assert [r.position for r in mg.gradcheck(lambda a: a * a, X).inputs] == [0]
    with pytest.raises(ValueError, match="no input to check"):
        mg.gradcheck(lambda c: c * 2.0, const)


def test_lost_gradient_is_caught(device):
    def detached(x):  # the output does not require grad, but it depends on x
        return mg.tensor(x.detach().numpy() * 2.0, device=x.device)

    result = mg.gradcheck(detached, _x(device), raise_exception=False)
    assert not result
    np.testing.assert_allclose(result.inputs[0].analytic, 0.0)
    assert np.all(np.abs(result.inputs[0].numeric) > 0)


def test_given_upstream_gradient(device):
    u = np.full(X.shape, 2.0)
    result = mg.gradcheck(Cube, _x(device), grad_output=u)
    np.testing.assert_allclose(result.inputs[0].analytic, 2.0 * 3 * X ** 2, rtol=1e-12)
    assert "given" in str(result)
    with pytest.raises(ValueError, match="shape"):
        mg.gradcheck(Cube, _x(device), grad_output=np.ones(3))


class MutatesInput(mg.Function):
    def forward(self, x):
        x[...] = x * 2.0  # in place, behind autograd's back
        return x * 1.0

    def backward(self, g):
        return g * 2.0


class MutatesUpstream(mg.Function):
    def forward(self, x):
        return x * 1.0

    def backward(self, g):
        g.data[...] = g.data * 0.0 + 1.0
        return g * 1.0


def test_mutations_are_reported(device):
    result = mg.gradcheck(MutatesInput, _x(device), raise_exception=False)
    assert any("input 0 was modified" in p for p in result.problems), str(result)
    result = mg.gradcheck(MutatesUpstream, _x(device), raise_exception=False)
    assert any("upstream gradient 0 was modified" in p for p in result.problems), str(result)


class ReturnsInputMemory(mg.Function):
    """Returns a view of its input as the gradient (values right for the upstream of ones... or
    not: the point is the shared memory)."""

    def forward(self, x):
        return x * 1.0

    def backward(self, g):
        x = self.inputs[0]
        return mg.Tensor(x.array[...], device=x.device)


def test_gradient_sharing_memory_with_an_input_is_reported():
    result = mg.gradcheck(ReturnsInputMemory, _x("cpu"), raise_exception=False)
    assert any("shares memory with input 0" in p for p in result.problems), str(result)


def test_reproducible_and_leaves_the_global_generator_alone(device):
    mg.manual_seed(3)
    expected = mg.randn(4, device=device).numpy()
    mg.manual_seed(3)
    r1 = mg.gradcheck(Cube, _x(device), raise_exception=False)
    np.testing.assert_array_equal(mg.randn(4, device=device).numpy(), expected)
    r2 = mg.gradcheck(Cube, _x(device), raise_exception=False)
    np.testing.assert_array_equal(r1.inputs[0].analytic, r2.inputs[0].analytic)


def test_works_inside_no_grad(device):
    with mg.no_grad():
        assert mg.gradcheck(Cube, _x(device))


def test_zero_d_and_empty_inputs(device):
    assert mg.gradcheck(lambda a: a.exp() * a, mg.tensor(0.7, dtype="float64", device=device, requires_grad=True))
    empty = mg.zeros(0, 3, dtype="float64", device=device, requires_grad=True)
    assert mg.gradcheck(lambda a: a.sum(axis=0), empty)


def test_reading_thresholds():
    assert reading(1e-9).startswith("fine")
    assert reading(1e-5).startswith("look closer")
    assert reading(1e-2).startswith("likely a bug")
    assert reading(float("nan")).startswith("not finite")
