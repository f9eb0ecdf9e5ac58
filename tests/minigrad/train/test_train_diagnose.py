"""diagnose (bias / variance against human-level error) and the gradient / activation watch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from minigrad.data import make_moons
from minigrad.train import GradientWarning, History, RECIPES, check_activations, check_gradients, diagnose, fit
from _toolkit_doubles import MLP, SGD, cross_entropy


# the course's examples: (human, train, dev) -> verdict and what to work on
@pytest.mark.parametrize("human, train, dev, verdict, focus", [
    (0.00, 0.01, 0.11, "high variance", "variance"),
    (0.00, 0.15, 0.16, "high bias", "bias"),
    (0.00, 0.15, 0.30, "high bias and high variance", "bias"),
    (0.00, 0.005, 0.01, "fine", "fine"),
    (0.01, 0.08, 0.10, "high bias and high variance", "bias"),   # avoidable bias 7% > variance 2%
    (0.075, 0.08, 0.10, "high variance", "variance"),            # avoidable bias 0.5%, variance 2%
    (0.10, 0.01, 0.05, "high variance", "variance"),             # train below human level: no bias
])
def test_course_examples(human, train, dev, verdict, focus):
    d = diagnose(train, dev, human_error=human)
    assert (d.verdict, d.focus) == (verdict, focus)
    assert d.avoidable_bias == pytest.approx(train - human) and d.variance == pytest.approx(dev - train)
    assert d.advice[:len(RECIPES[focus])] == list(RECIPES[focus])
    assert verdict in str(d)


def test_recipes_are_the_courses():
    bias, variance = " ".join(RECIPES["bias"]), " ".join(RECIPES["variance"])
    assert "bigger network" in bias and "train longer" in bias and "architecture" in bias
    assert "more training data" in variance and "regularise" in variance


def test_from_a_history_uses_the_best_epoch_and_accuracy():
    h = History()
    for tr, dv in ((0.70, 0.68), (0.95, 0.80), (0.99, 0.75)):
        h.append({"train_accuracy": tr, "dev_accuracy": dv})
    d = diagnose(h)  # no best epoch: the last
    assert (d.train_error, d.dev_error) == (pytest.approx(0.01), pytest.approx(0.25))
    h.best_epoch = 2
    d = h.diagnose(human_error=0.02)
    assert (d.train_error, d.dev_error) == (pytest.approx(0.05), pytest.approx(0.20))
    assert d.verdict == "high bias and high variance" and d.focus == "variance"
    assert diagnose(h, epoch=1).verdict == "high bias and high variance"


def test_bad_diagnose_input():
    with pytest.raises(ValueError, match="give dev_error"):
        diagnose(0.1)
    with pytest.raises(ValueError, match="train_error must be a finite number >= 0, got -0.1"):
        diagnose(-0.1, 0.2)
    with pytest.raises(ValueError, match="no train and dev error"):
        diagnose(History())
    h = History()
    h.append({"train_accuracy": 0.9, "dev_accuracy": 0.8})
    with pytest.raises(ValueError, match="epoch 5 is not among"):
        diagnose(h, epoch=5)


def test_check_gradients_and_activations_rules():
    assert check_gradients({"a": 1.0, "b": 0.5}) == []
    msgs = check_gradients({"w1": 1e-7, "w2": 1.0, "w3": 5e3, "w4": float("nan"), "w5": 0.0})
    kinds = {m.split(":")[0] + ":" + m.split("||d")[1].split("||")[0] for m in msgs}
    assert kinds == {"vanishing gradient:w1", "exploding gradient:w3", "exploding gradient:w4",
                     "vanishing gradient:w5"}
    assert check_activations({"l": (0.1, 1.0)}) == []
    assert check_activations({"dead": (0.0, 0.0)})[0].startswith("collapsed activations: layer dead")
    assert check_activations({"big": (2e3, 1.0)})[0].startswith("exploding activations: layer big")


def _train(model, loss=cross_entropy, epochs=2):
    X, y = make_moons(64, seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hist = fit(model, loss, SGD(model.parameters(), lr=0.01), (X, y), epochs=epochs, batch_size=32,
                   progress=False, seed=0)
    return hist, [str(w.message) for w in caught if issubclass(w.category, GradientWarning)]


def test_vanishing_gradients_in_a_deep_sigmoid_net_are_reported():
    # 8 sigmoid layers with small weights: each layer multiplies the gradient by <= 0.25 * ||W||
    hist, msgs = _train(MLP([2] + [16] * 8 + [2], seed=0, act="sigmoid", scale=0.3))
    norms = hist.grad_norms
    assert norms["layers.0.W"][0] < 1e-4 * norms["layers.8.W"][0]  # independent of the warning logic
    assert len(msgs) == 1 and msgs[0].startswith("fit: vanishing gradient at epoch 1") and "layers.0.W" in msgs[0]


def test_exploding_gradients_are_reported_once():
    hist, msgs = _train(MLP([2, 4, 2], seed=0), loss=lambda o, t: cross_entropy(o, t) * 1e4, epochs=3)
    assert max(hist.grad_norms["layers.1.W"]) > 1e3
    grads = [m for m in msgs if "gradient" in m]  # (the huge steps then blow up the activations too)
    assert len(grads) == 1 and grads[0].startswith("fit: exploding gradient at epoch 1")  # once, not per epoch
    assert len(msgs) == len(set(m.split(" at epoch")[0] for m in msgs))


def test_dead_relus_collapse_the_activations():
    model = MLP([2, 8, 2], seed=0)
    model.layers[0].b.data[...] = -100.0  # every unit of the first layer outputs 0
    hist, msgs = _train(model)
    assert hist.activations["acts.0"]["std"][0] == 0.0 and hist.activations["acts.0"]["mean"][0] == 0.0
    assert any("collapsed activations at epoch 1" in m and "acts.0" in m for m in msgs)


def test_activation_statistics_match_numpy_and_forward_is_restored():
    model = MLP([2, 5, 2], seed=0)
    X, y = make_moons(40, seed=0)
    hist = fit(model, cross_entropy, SGD(model.parameters(), lr=0.0), (X, y), epochs=1, batch_size=16,
               progress=False)
    W, b = model.layers[0].W.numpy(), model.layers[0].b.numpy()
    h = np.maximum(X[:16].astype(np.float64) @ W.T.astype(np.float64) + b, 0)  # the probe: first 16 examples
    assert hist["act_mean:acts.0"][0] == pytest.approx(h.mean(), rel=1e-5)
    assert hist["act_std:acts.0"][0] == pytest.approx(h.std(), rel=1e-5)
    assert "forward" not in vars(model.layers[0]) and "forward" not in vars(model.acts[0])


class _SlotsLayer:
    """TEST DOUBLE: a layer whose forward cannot be replaced on the instance (no __dict__)."""

    __slots__ = ("inner",)

    def __init__(self, inner):
        self.inner = inner

    def forward(self, x):
        return self.inner(x)

    def __call__(self, x):
        return self.forward(x)


def test_layers_that_cannot_be_wrapped_are_skipped():
    model = MLP([2, 4, 2], seed=0)
    slotted = _SlotsLayer(model.layers[1])
    model.layers[1] = slotted
    base = model.named_modules
    model.named_modules = lambda: [(n, slotted if n == "layers.1" else m) for n, m in base()]
    model.named_parameters = lambda: [("W0", model.layers[0].W), ("b0", model.layers[0].b),
                                      ("W1", slotted.inner.W), ("b1", slotted.inner.b)]
    hist, _ = _train(model, epochs=1)
    assert set(hist.activations) == {"layers.0", "acts.0"}
