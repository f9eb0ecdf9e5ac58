"""ExponentialMovingAverage, metrics, History, Ensemble and the docstring examples."""
from __future__ import annotations

import doctest
import importlib
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad as mg
from minigrad.train import Ensemble, ExponentialMovingAverage, History, accuracy, error, predict
from _toolkit_doubles import MLP, host


# ----- exponentially weighted averages -------------------------------------------------------
@given(st.lists(st.floats(-100, 100), min_size=1, max_size=30), st.floats(0.0, 0.99))
def test_ema_equals_the_closed_form(thetas, beta):
    # oracle: v_t = sum_i (1 - beta) beta^(t-i) theta_i;  corrected v_t / (1 - beta^t)
    ema, raw = ExponentialMovingAverage(beta), ExponentialMovingAverage(beta, bias_correction=False)
    for t in range(1, len(thetas) + 1):
        got, got_raw = ema.update(thetas[t - 1]), raw.update(thetas[t - 1])
        v = sum((1 - beta) * beta ** (t - i) * thetas[i - 1] for i in range(1, t + 1))
        assert got_raw == pytest.approx(v, rel=1e-9, abs=1e-9)
        assert got == pytest.approx(v / (1 - beta ** t), rel=1e-9, abs=1e-9)


def test_ema_bias_correction_removes_the_pull_towards_zero():
    ema, raw = ExponentialMovingAverage(0.98), ExponentialMovingAverage(0.98, bias_correction=False)
    for _ in range(5):
        assert ema.update(4.0) == pytest.approx(4.0)  # a constant stays constant
        raw.update(4.0)
    assert raw.value == pytest.approx(4.0 * (1 - 0.98 ** 5))
    assert math.isnan(ExponentialMovingAverage().value)
    state = ema.state_dict()
    other = ExponentialMovingAverage(0.98)
    other.load_state_dict(state)
    assert other.update(1.0) == ema.update(1.0)
    with pytest.raises(ValueError, match="beta must be in"):
        ExponentialMovingAverage(1.0)


# ----- metrics --------------------------------------------------------------------------------
def test_accuracy_multiclass_onehot_and_binary(device):
    rng = np.random.default_rng(0)
    logits, labels = rng.normal(size=(50, 4)), rng.integers(0, 4, 50)
    oracle = np.mean(logits.argmax(axis=1) == labels)
    t = mg.tensor(logits, device=device)
    assert accuracy(t, mg.tensor(labels, device=device)) == pytest.approx(oracle)
    assert accuracy(t, mg.tensor(np.eye(4)[labels], device=device)) == pytest.approx(oracle)
    assert accuracy(t, labels.reshape(-1, 1)) == pytest.approx(oracle)
    z, yb = rng.normal(size=(50, 1)), rng.integers(0, 2, (50, 1)).astype(np.float32)
    bin_oracle = np.mean((z > 0) == (yb > 0.5))
    assert accuracy(mg.tensor(z, device=device), mg.tensor(yb, device=device)) == pytest.approx(bin_oracle)
    assert error(z[:, 0], yb[:, 0]) == pytest.approx(1 - bin_oracle)
    assert accuracy(z, yb, threshold=0.5) == pytest.approx(np.mean((z > 0.5) == (yb > 0.5)))
    with pytest.raises(ValueError, match="outputs have 50 examples .* targets 49"):
        accuracy(z, yb[:49])


# ----- History ----------------------------------------------------------------------------------
def test_history_pads_missing_values_and_round_trips():
    h = History()
    h.append({"train_cost": 1.0})
    h.append({"train_cost": 0.5, "dev_cost": 0.7, "grad_norm:w": 2.0})
    assert h["dev_cost"][0] != h["dev_cost"][0] and h["dev_cost"][1] == 0.7  # nan, then the value
    assert h.grad_norms == {"w": [pytest.approx(float("nan"), nan_ok=True), 2.0]}
    h.best_epoch = 2
    g = History().load_state_dict(h.state_dict())
    assert g.best_epoch == 2 and g.stopped_epoch is None and g["train_cost"] == [1.0, 0.5]
    with pytest.raises(KeyError, match="no record 'dev_acc'"):
        h["dev_acc"]


# ----- ensembles ------------------------------------------------------------------------------
def test_ensemble_averages_member_predictions(device):
    members = [MLP([2, 6, 3], seed=s, device=device) for s in range(3)]
    x = mg.tensor(np.random.default_rng(0).normal(size=(10, 2)), device=device, dtype=mg.float32)
    outs = [host(predict(m, x)) for m in members]
    ens = Ensemble(members)
    np.testing.assert_allclose(host(predict(ens, x)), np.mean(outs, axis=0), rtol=1e-5, atol=1e-6)
    weighted = Ensemble(members, weights=[1, 0, 3])
    np.testing.assert_allclose(host(weighted(x)), (outs[0] + 3 * outs[2]) / 4, rtol=1e-5, atol=1e-6)
    soft = Ensemble(members, transform=lambda z: z.softmax(axis=1))
    probs = [np.exp(o) / np.exp(o).sum(axis=1, keepdims=True) for o in outs]
    np.testing.assert_allclose(host(soft(x)), np.mean(probs, axis=0), rtol=1e-5, atol=1e-6)
    assert len(ens.parameters()) == 12 and ens.eval() is ens and not any(m.training for m in members)
    assert [n for n, _ in ens.named_parameters()][:2] == ["0.layers.0.W", "0.layers.0.b"]


def test_ensemble_bad_input():
    with pytest.raises(ValueError, match="at least one model"):
        Ensemble([])
    with pytest.raises(ValueError, match="weights must be 2"):
        Ensemble([MLP([2, 2]), MLP([2, 2])], weights=[1.0])
    with pytest.raises(ValueError, match="model 1 gives outputs of shape \\(4, 3\\), model 0 \\(4, 2\\)"):
        Ensemble([MLP([2, 2]), MLP([2, 3])])(mg.zeros(4, 2))


# ----- docstring examples ---------------------------------------------------------------------
MODULES = ["minigrad.data", "minigrad.data.loader", "minigrad.data.split", "minigrad.data.normalize",
           "minigrad.data.augment", "minigrad.data.datasets", "minigrad.train", "minigrad.train.ema",
           "minigrad.train.history", "minigrad.train.metrics", "minigrad.train.diagnose"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
