"""The gradient / activation monitor at its thresholds (strict or not, relative to what), with
hand-worked norms; the per-epoch gradient-norm means against NumPy; the warnings, once per kind."""
from __future__ import annotations

import doctest
import math
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.train import GradientWarning, check_activations, check_gradients
from minigrad.train import monitor
from minigrad.train.monitor import GradNormTracker, activation_stats, named_parameters, warn_once


def _kinds(msgs):
    return {m.split(": ||d")[1].split("||")[0]: m.split(":")[0] for m in msgs}


# ----- check_gradients ------------------------------------------------------------------------------
def test_exploding_is_strictly_above_the_threshold_or_not_finite():
    assert check_gradients({"w": 1e3}) == []  # equal to explode: fine
    assert check_gradients({"w": 1000.001}) == ["exploding gradient: ||dw|| = 1e+03 (> 1000)"]
    assert check_gradients({"w": 2.0}, explode=1.0) == ["exploding gradient: ||dw|| = 2 (> 1)"]
    assert check_gradients({"w": 1.0}, explode=1.0) == []
    assert _kinds(check_gradients({"a": math.inf, "b": -math.inf, "c": math.nan, "d": 1.0})) == {
        "a": "exploding gradient", "b": "exploding gradient", "c": "exploding gradient"}


def test_vanishing_is_strictly_below_ratio_times_the_largest_finite_norm_or_exactly_0():
    # the largest norm here is 2.0: the vanishing line is 1e-4 * 2 = 2e-4
    assert check_gradients({"top": 2.0, "w": 2e-4}) == []  # equal to the line: fine
    assert check_gradients({"top": 2.0, "w": 1.99e-4}) == [
        "vanishing gradient: ||dw|| = 0.000199 (the largest is 2)"]
    # relative to the largest, not to 1: a small model-wide scale is fine
    assert check_gradients({"a": 1e-6, "b": 5e-7}) == []
    # the largest counts even when it explodes; non-finite norms do not count
    assert _kinds(check_gradients({"big": 5e3, "w": 0.4})) == {"big": "exploding gradient", "w": "vanishing gradient"}
    assert _kinds(check_gradients({"bad": math.inf, "w": 1e-3, "v": 1.0})) == {"bad": "exploding gradient"}
    assert check_gradients({"top": 1.0, "w": 0.05}, vanish_ratio=0.1) == [
        "vanishing gradient: ||dw|| = 0.05 (the largest is 1)"]
    assert check_gradients({"top": 1.0, "w": 0.1}, vanish_ratio=0.1) == []


def test_an_exactly_zero_gradient_vanishes_even_when_every_norm_is_zero():
    assert _kinds(check_gradients({"a": 0.0, "b": 0.0})) == {"a": "vanishing gradient", "b": "vanishing gradient"}
    assert check_gradients({"a": 0.0}) == ["vanishing gradient: ||da|| = 0 (the largest is 0)"]
    assert check_gradients({}) == []


# ----- check_activations ----------------------------------------------------------------------------
def test_activation_thresholds_are_strict():
    assert check_activations({"l": (1e3, 1e3)}) == []
    assert check_activations({"l": (-1e3, 1.0)}) == []
    assert check_activations({"l": (0.5, 1e-6)}) == []  # std equal to collapse: fine
    assert check_activations({"l": (0.5, 0.9e-6)}) == ["collapsed activations: layer l outputs std 9e-07 (mean 0.5)"]
    assert check_activations({"l": (-1000.5, 1.0)}) == [
        "exploding activations: layer l outputs mean -1e+03, std 1"]
    assert check_activations({"l": (0.0, 1000.5)})[0].startswith("exploding activations: layer l")
    for bad in ((math.nan, 1.0), (0.0, math.inf), (math.inf, 0.0)):
        assert check_activations({"l": bad})[0].startswith("exploding activations")
    assert check_activations({"l": (0.5, 0.05)}, collapse=0.1)[0].startswith("collapsed")
    assert check_activations({"l": (5.0, 1.0)}, explode=4.0)[0].startswith("exploding")
    assert check_activations({"l": (4.0, 4.0)}, explode=4.0) == []


# ----- the warnings -------------------------------------------------------------------------------
def test_warn_once_per_kind_sorted_with_every_detail():
    seen = set()
    msgs = check_gradients({"a": 5e3, "b": 0.0, "c": 2e3})
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        warn_once(msgs, seen, 3)
        warn_once(check_gradients({"d": 9e3}), seen, 4)  # the same kind again: silent
    assert [str(x.message) for x in w] == [
        "fit: exploding gradient at epoch 3: ||da|| = 5e+03 (> 1000); ||dc|| = 2e+03 (> 1000)",
        "fit: vanishing gradient at epoch 3: ||db|| = 0 (the largest is 5e+03)"]
    assert all(x.category is GradientWarning for x in w) and seen == {"exploding gradient", "vanishing gradient"}


# ----- the per-epoch gradient norms ---------------------------------------------------------------
def test_grad_norm_means_over_the_steps_then_start_over(device):
    w = mg.tensor([[3.0, 4.0]], device=device, requires_grad=True)
    b = mg.tensor([1.0], device=device, requires_grad=True)
    tracker = GradNormTracker([("w", w), ("b", b), ("unused", mg.zeros(2, device=device, requires_grad=True))])
    grads = [np.array([[3.0, 4.0]]), np.array([[0.0, 1.0]]), np.array([[6.0, 8.0]])]
    for g in grads:
        w.grad = mg.tensor(g, device=device)
        b.grad = mg.tensor([2.0], device=device)
        tracker.record()
    means = tracker.epoch_means()
    assert set(means) == {"w", "b"}  # no gradient: no entry
    assert means["w"] == pytest.approx(np.mean([np.linalg.norm(g) for g in grads]))  # (5 + 1 + 10) / 3
    assert means["b"] == pytest.approx(2.0)
    w.grad = mg.tensor([[0.0, 2.0]], device=device)
    b.grad = None
    tracker.record()
    assert tracker.epoch_means() == {"w": pytest.approx(2.0)}


def test_named_parameters_fall_back_to_positions():
    class Plain:
        def parameters(self):
            return [mg.zeros(1), mg.ones(1)]

    names = [n for n, _ in named_parameters(Plain())]
    assert names == ["param0", "param1"]


# ----- activation statistics ------------------------------------------------------------------------
class Layer:
    def __init__(self, fn):
        self.fn = fn

    def forward(self, x):
        return self.fn(x)

    def __call__(self, x):
        return self.forward(x)


class Net:
    def __init__(self, *layers, top=None):
        self.layers, self.top = layers, top

    def named_modules(self):
        return [("", self)] + [(f"l{i}", m) for i, m in enumerate(self.layers)]

    def __call__(self, x):
        for m in self.layers:
            x = m(x)
        return x


def test_activation_stats_are_population_mean_and_std_in_float64(device):
    x = mg.tensor(np.array([[1.0, 2.0], [3.0, 7.0]], dtype=np.float32), device=device)
    net = Net(Layer(lambda t: t * 2.0), Layer(lambda t: t[:0]), Layer(lambda t: t.sum()))
    stats = activation_stats(net, x)
    doubled = np.array([2.0, 4.0, 6.0, 14.0])
    assert set(stats) == {"l0", "l2"}  # the empty output (l1) is skipped
    assert stats["l0"] == (pytest.approx(doubled.mean()), pytest.approx(doubled.std()))  # ddof 0: 4.5, sqrt(19.75)
    assert stats["l2"] == (0.0, 0.0)  # the sum of an empty tensor: a 0-d output of one element
    assert all("forward" not in vars(m) for m in net.layers)


def test_activation_stats_need_named_modules_and_skip_non_tensor_outputs():
    class NoModules:
        def __call__(self, x):
            return x

    assert activation_stats(NoModules(), mg.ones(2)) == {}
    net = Net(Layer(lambda t: t + 1.0), Layer(lambda t: (t, t)))
    assert set(activation_stats(net, mg.ones(3))) == {"l0"}
    own = Layer(lambda t: t)
    own.forward = own.forward  # a forward set on the instance is put back, not deleted
    original = own.forward
    activation_stats(Net(own), mg.ones(2))
    assert vars(own)["forward"] is original


def test_the_docstring_examples_of_the_thresholds():
    result = doctest.testmod(monitor)
    assert result.attempted >= 2 and result.failed == 0


class Slotted:
    """A layer whose forward cannot be replaced on the instance (no __dict__)."""

    __slots__ = ()

    def forward(self, x):
        return x * 3.0

    def __call__(self, x):
        return self.forward(x)


def test_a_layer_that_cannot_be_wrapped_is_skipped_and_the_next_ones_are_not():
    class KwLayer(Layer):
        def forward(self, x, scale=1.0):
            return x * scale

        def __call__(self, x, **kwargs):
            return self.forward(x, **kwargs)

    class KwNet(Net):
        def __call__(self, x):
            return self.layers[1](self.layers[0](x), scale=2.0)

    net = KwNet(Slotted(), KwLayer(None))
    stats = activation_stats(net, mg.tensor([1.0, 3.0]))
    assert set(stats) == {"l1"}
    assert stats["l1"] == (pytest.approx(12.0), pytest.approx(6.0))  # 2 * 3 * [1, 3] = [6, 18]: the keyword reached


def test_a_model_too_deep_to_wrap_gives_a_warning_and_no_statistics():
    class Deep(Net):
        def __call__(self, x):
            self.layers[0](x)
            raise RecursionError

    layer = Layer(lambda t: t)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        stats = activation_stats(Deep(layer, Layer(lambda t: t)), mg.ones(2))
    assert stats == {} and "forward" not in vars(layer)
    assert len(w) == 1 and w[0].category is GradientWarning
    assert str(w[0].message).startswith("fit: layer activation statistics are skipped: with every layer's forward "
                                        "wrapped, the model (2 sub-modules) is nested too deeply")


def test_a_parameter_without_gradient_does_not_hide_the_next_ones():
    first, second = mg.zeros(2, requires_grad=True), mg.zeros(2, requires_grad=True)
    second.grad = mg.tensor([3.0, 4.0])
    tracker = GradNormTracker([("first", first), ("second", second)])
    tracker.record()
    assert tracker.epoch_means() == {"second": pytest.approx(5.0)}
