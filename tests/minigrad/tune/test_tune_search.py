"""minigrad.tune strategies run in this process: random, grid, coarse to fine; failures; results."""
from paths import ROOT
import math

import numpy as np
import pytest

from minigrad import tune
import tune_objectives as obj

SPACE = {"lr": tune.log_uniform(1e-4, 1), "beta": tune.one_minus_log_uniform(0.9, 0.999)}


def seq(fn, *args, **kw):
    return fn(*args, executor="sequential", progress=False, **kw)


def test_random_search_is_reproducible_and_extends_with_more_trials():
    a = seq(tune.random_search, obj.quadratic, SPACE, 8, seed=3)
    b = seq(tune.random_search, obj.quadratic, SPACE, 8, seed=3)
    c = seq(tune.random_search, obj.quadratic, SPACE, 8, seed=4)
    short = seq(tune.random_search, obj.quadratic, SPACE, 5, seed=3)
    by_id = lambda r: {t.trial_id: t.config for t in r}  # noqa: E731
    assert by_id(a) == by_id(b) and by_id(a) != by_id(c)
    assert by_id(short) == {i: by_id(a)[i] for i in range(5)}
    seeds = [t.config["seed"] for t in a]
    assert len(set(seeds)) == 8 and all(isinstance(s, int) for s in seeds)


def test_results_are_sorted_by_the_objective_and_match_the_oracle():
    res = seq(tune.random_search, obj.quadratic, SPACE, 12, seed=0)
    costs = [obj.expected_cost(t.config) for t in res]
    assert [t.metrics["dev_cost"] for t in res] == pytest.approx(costs, rel=1e-12)
    assert costs == sorted(costs)
    assert res.best_config == min((t.config for t in res), key=obj.expected_cost)
    res_max = seq(tune.random_search, obj.quadratic, SPACE, 12, seed=0, objective="train_cost", mode="max")
    values = res_max.values()
    assert values == sorted(values, reverse=True) and res_max.best.metrics["train_cost"] == max(values)


def test_random_points_try_each_hyperparameter_at_every_trial_but_a_grid_does_not():
    rnd = seq(tune.random_search, obj.quadratic, SPACE, 9, seed=0)
    grd = seq(tune.grid_search, obj.quadratic, SPACE, points_per_dim=3)
    assert len(grd) == 9
    assert len({t.config["lr"] for t in rnd}) == 9 and len({t.config["lr"] for t in grd}) == 3
    np.testing.assert_allclose(sorted({t.config["lr"] for t in grd}), [1e-4, 1e-2, 1], rtol=1e-12)


def test_coarse_to_fine_narrows_toward_the_known_optimum():
    """Over 20 seeds (cheap: the objective is a formula): every round's space is no wider than the
    one before, the last is narrower, most keep the optimum, and the last round's trials are
    much better than the first's."""
    inside, improvement = [], []
    for seed in range(20):
        res = seq(tune.coarse_to_fine, obj.quadratic, SPACE, rounds=3, trials_per_round=16, top_k=3, seed=seed)
        assert [sum(t.round == r for t in res) for r in range(3)] == [16, 16, 16]
        assert all(t.trial_id // 16 == t.round for t in res)
        for name, opt in (("lr", obj.LR_OPT), ("beta", 1 - obj.ONE_MINUS_BETA_OPT)):
            dists = [s[name] for s in res.spaces]
            widths = [np.diff(d.t_bounds)[0] for d in dists]  # on each one's own scale
            assert widths[0] >= widths[1] >= widths[2] and widths[2] < widths[0], (seed, name, dists)
            assert all(dists[t.round].low <= t.config[name] <= dists[t.round].high for t in res)
            inside.append(dists[2].low <= opt <= dists[2].high)
        median = [np.median([t.metrics["dev_cost"] for t in res if t.round == r]) for r in (0, 2)]
        improvement.append(median[0] / median[1])
    assert np.mean(inside) >= 0.8, inside
    assert np.median(improvement) > 4, improvement


def train_with_failures(config):
    if config["lr"] > 0.1:
        raise RuntimeError(f"diverged at lr={config['lr']}")
    if config["lr"] < 1e-3:
        return {"dev_cost": math.nan}
    return obj.quadratic(config)


def test_failed_and_nan_trials_are_recorded_and_the_search_goes_on(tmp_path):
    res = seq(tune.random_search, train_with_failures, SPACE, 12, seed=1, results_file=tmp_path / "r.jsonl")
    lrs = {t.trial_id: t.config["lr"] for t in res}
    raised = {i for i, lr in lrs.items() if lr > 0.1}
    nan = {i for i, lr in lrs.items() if lr < 1e-3}
    assert raised and nan and len(res.ok) == 12 - len(raised) - len(nan)  # the plan has all three kinds
    failed = {t.trial_id: t for t in res.failed}
    assert set(failed) == raised | nan
    for i in raised:
        assert failed[i].error.startswith("RuntimeError: diverged at lr=") and failed[i].metrics == {}
    for i in nan:
        assert "metric 'dev_cost' is NaN" in failed[i].error and math.isnan(failed[i].metrics["dev_cost"])
    assert [t.status for t in res.trials] == ["ok"] * len(res.ok) + ["failed"] * len(failed)
    assert "failed: RuntimeError: diverged" in res.table()
    loaded = tune.load_results(tmp_path / "r.jsonl")
    assert [t.trial_id for t in loaded] == [t.trial_id for t in res]


@pytest.mark.parametrize("returned, error", [
    ({"accuracy": 0.9}, "KeyError: \"train's metrics lack the objective 'dev_cost' (got ['accuracy'])\""),
    ("good", "TypeError: train must return a dict of metrics"),
    ({"dev_cost": math.inf}, "ValueError: objective 'dev_cost' is inf"),
    ({"dev_cost": 1.0, "model": object()}, "TypeError: metric 'model' has type object"),
])
def test_unusable_metrics_fail_the_trial_with_a_clear_error(returned, error):
    res = seq(tune.random_search, lambda c: returned, SPACE, 1)
    assert res.failed[0].error.startswith(error)
    with pytest.raises(RuntimeError, match="no successful trial among 1"):
        res.best


def test_a_bare_number_is_the_objective_and_array_metrics_become_plain():
    res = seq(tune.random_search, lambda c: np.float32(c["lr"]), SPACE, 3)
    assert [t.metrics["dev_cost"] for t in res] == pytest.approx(sorted(float(np.float32(t.config["lr"]))
                                                                        for t in res))
    res = seq(tune.random_search, lambda c: {"dev_cost": np.array(1.5), "curve": np.arange(3)}, SPACE, 1)
    assert res.best.metrics == {"dev_cost": 1.5, "curve": [0, 1, 2]}


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="random_search: n_trials must be a positive integer, got 0"):
        tune.random_search(obj.quadratic, SPACE, 0)
    with pytest.raises(ValueError, match="mode must be 'min'"):
        tune.random_search(obj.quadratic, SPACE, 2, mode="minimize")
    with pytest.raises(ValueError, match="already has a 'seed' entry"):
        tune.random_search(obj.quadratic, {**SPACE, "seed": 1}, 2)
    with pytest.raises(TypeError, match="seed must be an int"):
        tune.coarse_to_fine(obj.quadratic, SPACE, seed=None)
    with pytest.raises(TypeError, match="executor must be"):
        tune.random_search(obj.quadratic, SPACE, 2, executor="threads")
    with pytest.raises(TypeError, match="config must hold only JSON values"):
        tune.random_search(obj.quadratic, {**SPACE, "data": np.zeros(2)}, 2, executor="sequential")
    res = seq(tune.random_search, obj.quadratic, {**SPACE, "seed": 1}, 2, seed_key=None)
    assert all(t.config["seed"] == 1 for t in res)


def test_the_example_finds_a_learning_rate_that_trains():
    import importlib.util
    import pathlib

    path = ROOT / "examples" / "tune_logistic.py"
    spec = importlib.util.spec_from_file_location("tune_logistic", path)
    ex = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ex)
    res = seq(tune.random_search, ex.train, {**ex.SPACE, "epochs": 30}, 6, seed=0)
    costs = res.values()
    assert len(costs) == 6 and costs[0] < 0.5 < math.log(2) - 0.05 < costs[-1]  # log 2: an untrained model
    assert res.best_config["lr"] > 10 * min(t.config["lr"] for t in res)
