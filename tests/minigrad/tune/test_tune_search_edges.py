"""minigrad.tune strategies, pinned against the documented seed streams: random search's one generator,
grid search's product order and per-trial seeds, coarse to fine's per-round generators, ids and rounds."""
import concurrent.futures as cf
import math
import os

import numpy as np
import pytest

from minigrad import tune

SEED_HIGH = 2 ** 31 - 1


def seq(fn, *args, **kw):
    return fn(*args, executor="sequential", progress=False, **kw)


def _by_id(res):
    return sorted(res.trials, key=lambda t: t.trial_id)


def _cost(c):
    return {"dev_cost": (math.log10(c["lr"]) + 2) ** 2, "acc": -abs(math.log10(c["lr"]) + 2)}


def test_random_search_draws_config_then_seed_from_one_generator():
    space = {"lr": tune.log_uniform(1e-4, 1), "k": 3}
    res = seq(tune.random_search, _cost, space, 4, seed=21)
    rng = np.random.default_rng(21)
    expected = []
    for _ in range(4):
        lr = 10 ** rng.uniform(-4, 0)
        expected.append((lr, int(rng.integers(SEED_HIGH))))
    got = [(t.config["lr"], t.config["seed"]) for t in _by_id(res)]
    assert [g[1] for g in got] == [e[1] for e in expected]
    np.testing.assert_allclose([g[0] for g in got], [e[0] for e in expected], rtol=1e-12)
    assert all(t.config["k"] == 3 for t in res) and [t.trial_id for t in _by_id(res)] == [0, 1, 2, 3]
    assert all(t.round == 0 for t in res)


def test_random_search_default_seed_is_zero_and_seed_key_renames_the_entry():
    a = seq(tune.random_search, _cost, {"lr": tune.log_uniform(1e-4, 1)}, 3)
    b = seq(tune.random_search, _cost, {"lr": tune.log_uniform(1e-4, 1)}, 3, seed=0)
    assert [t.config for t in _by_id(a)] == [t.config for t in _by_id(b)]
    c = seq(tune.random_search, _cost, {"lr": tune.log_uniform(1e-4, 1)}, 2, seed_key="trial_seed")
    assert all(set(t.config) == {"lr", "trial_seed"} for t in c)
    assert [t.config["trial_seed"] for t in _by_id(c)] == [t.config["seed"] for t in _by_id(a)][:2]
    d = seq(tune.random_search, _cost, {"lr": tune.log_uniform(1e-4, 1)}, 2, seed_key=None)
    assert all(set(t.config) == {"lr"} for t in d)
    # without a per-trial seed nothing else is drawn between configs: trial 1 is the generator's 2nd draw
    rng = np.random.default_rng(0)
    lrs = [10 ** rng.uniform(-4, 0) for _ in range(2)]
    np.testing.assert_allclose([t.config["lr"] for t in _by_id(d)], lrs, rtol=1e-12)


def test_grid_search_trials_follow_the_grid_and_seeds_the_generator():
    space = {"a": tune.uniform(0.0, 1.0), "b": tune.choice(["x", "y"])}
    res = seq(tune.grid_search, lambda c: {"dev_cost": c["a"]}, space, 3, seed=5)
    rng = np.random.default_rng(5)
    seeds = [int(rng.integers(SEED_HIGH)) for _ in range(6)]
    got = [(t.trial_id, t.config["a"], t.config["b"], t.config["seed"]) for t in _by_id(res)]
    pts = [(a, b) for a in (0.0, 0.5, 1.0) for b in ("x", "y")]
    assert got == [(i, a, b, s) for i, ((a, b), s) in enumerate(zip(pts, seeds))]
    default = seq(tune.grid_search, lambda c: {"dev_cost": c["a"]}, space)       # 3 points, seed 0
    assert len(default) == 6
    rng0 = np.random.default_rng(0)
    assert [t.config["seed"] for t in _by_id(default)] == [int(rng0.integers(SEED_HIGH)) for _ in range(6)]


def test_searches_rank_by_the_objective_and_mode_given():
    space = {"lr": tune.log_uniform(1e-4, 1)}
    for fn, args in ((tune.random_search, (6,)), (tune.grid_search, (4,)), (tune.coarse_to_fine, (2, 3))):
        res = seq(fn, _cost, space, *args, objective="acc", mode="max")
        accs = [t.metrics["acc"] for t in res]
        assert accs == sorted(accs, reverse=True) and res.objective == "acc" and res.mode == "max"
        assert res.space is space


@pytest.mark.parametrize("fn, kw, name", [
    (tune.random_search, dict(n_trials=0), "n_trials"),
    (tune.random_search, dict(n_trials=True), "n_trials"),
    (tune.random_search, dict(n_trials=2.0), "n_trials"),
    (tune.grid_search, dict(points_per_dim=0), "points_per_dim"),
    (tune.coarse_to_fine, dict(rounds=0), "rounds"),
    (tune.coarse_to_fine, dict(trials_per_round=0), "trials_per_round"),
    (tune.coarse_to_fine, dict(top_k=0), "top_k"),
])
def test_count_arguments_must_be_positive_integers(fn, kw, name):
    with pytest.raises(ValueError, match=rf"^{fn.__name__}: {name} must be a positive integer, got"):
        fn(_cost, {"lr": tune.log_uniform(1e-4, 1)}, **kw)


def _random_search_of_two(*args, **kw):
    return tune.random_search(*args, n_trials=2, **kw)


_random_search_of_two.__name__ = "random_search"


@pytest.mark.parametrize("fn", [tune.random_search, tune.grid_search, tune.coarse_to_fine])
def test_common_checks_name_the_strategy(fn):
    space = {"lr": tune.log_uniform(1e-4, 1)}
    if fn is tune.random_search:
        fn = _random_search_of_two
    with pytest.raises(TypeError, match=rf"^{fn.__name__}: seed must be an int \(the whole search is drawn from it\), "
                                        r"got True$"):
        fn(_cost, space, seed=True)
    with pytest.raises(ValueError, match=rf"^{fn.__name__}: the space already has a 'seed' entry"):
        fn(_cost, {**space, "seed": 1})
    with pytest.raises(ValueError, match=rf"^{fn.__name__}: the space already has a 'ts' entry"):
        fn(_cost, {**space, "ts": 1}, seed_key="ts")
    with pytest.raises(ValueError, match=r"mode must be 'min'"):
        fn(_cost, space, mode="best")
    with pytest.raises(ValueError, match=rf"^{fn.__name__}: trial_timeout must be None or a number of seconds > 0"):
        fn(_cost, space, trial_timeout=0)
    with pytest.raises(TypeError, match=r"a search space must be a dict"):
        fn(_cost, [space])


def test_numpy_integer_seeds_are_accepted():
    a = seq(tune.random_search, _cost, {"lr": tune.log_uniform(1e-4, 1)}, 2, seed=np.int64(4))
    b = seq(tune.random_search, _cost, {"lr": tune.log_uniform(1e-4, 1)}, 2, seed=4)
    assert [t.config for t in _by_id(a)] == [t.config for t in _by_id(b)]


def test_coarse_to_fine_rounds_ids_and_generators():
    space = {"lr": tune.log_uniform(1e-4, 1)}
    res = seq(tune.coarse_to_fine, _cost, space, rounds=3, trials_per_round=4, top_k=2, seed=6)
    trials = _by_id(res)
    assert [t.trial_id for t in trials] == list(range(12))
    assert [t.round for t in trials] == [0] * 4 + [1] * 4 + [2] * 4
    assert len(res.spaces) == 3 and res.spaces[0] is space
    for r in range(3):
        rng = np.random.default_rng([6, r])
        lo, hi = res.spaces[r]["lr"].t_bounds
        for t in trials[4 * r:4 * r + 4]:
            assert t.config["lr"] == pytest.approx(10 ** rng.uniform(lo, hi), rel=1e-12)
            assert t.config["seed"] == int(rng.integers(SEED_HIGH))


def test_coarse_to_fine_zooms_on_the_top_k_with_pad_and_margin():
    space = {"lr": tune.log_uniform(1e-4, 1)}
    res = seq(tune.coarse_to_fine, _cost, space, rounds=2, trials_per_round=5, top_k=2, seed=1, pad=0.3, margin=0.2)
    best = [t.config for t in res.ok if t.round == 0][:2]
    expected = tune.zoom(space, best, 5, pad=0.3, margin=0.2)
    assert res.spaces[1] == expected
    one = seq(tune.coarse_to_fine, _cost, space, rounds=2, trials_per_round=5, top_k=1, seed=1, pad=0.3, margin=0.2)
    assert one.spaces[1] == tune.zoom(space, best[:1], 5, pad=0.3, margin=0.2)


def test_coarse_to_fine_zooms_on_the_best_by_the_mode():
    space = {"lr": tune.log_uniform(1e-4, 1)}
    res = seq(tune.coarse_to_fine, _cost, space, rounds=2, trials_per_round=6, top_k=2, seed=3, objective="acc",
              mode="max")
    r0 = sorted((t for t in res if t.round == 0), key=lambda t: -t.metrics["acc"])
    assert res.spaces[1] == tune.zoom(space, [t.config for t in r0[:2]], 6)


def test_coarse_to_fine_defaults():
    res = seq(tune.coarse_to_fine, _cost, {"lr": tune.log_uniform(1e-4, 1)})
    assert len(res) == 30 and len(res.spaces) == 3
    r0 = [t.config for t in res.ok if t.round == 0][:3]
    assert res.spaces[1] == tune.zoom(res.spaces[0], r0, 10, pad=0.5, margin=0.5)
    again = seq(tune.coarse_to_fine, _cost, {"lr": tune.log_uniform(1e-4, 1)}, seed=0)
    assert [t.config for t in _by_id(res)] == [t.config for t in _by_id(again)]


def test_coarse_to_fine_keeps_the_space_when_a_round_has_no_successful_trial():
    space = {"lr": tune.log_uniform(1e-4, 1)}

    res = seq(tune.coarse_to_fine, lambda c: (_ for _ in ()).throw(RuntimeError("boom")), space, rounds=2,
              trials_per_round=2)
    assert res.spaces == [space, space] and len(res.failed) == 4


def test_coarse_to_fine_ranks_on_successful_trials_only():
    space = {"lr": tune.log_uniform(1e-4, 1)}

    def lowest_fails(c):
        if c["lr"] < 1e-2:
            raise RuntimeError("diverged")
        return {"dev_cost": c["lr"]}

    res = seq(tune.coarse_to_fine, lowest_fails, space, rounds=2, trials_per_round=8, top_k=2, seed=2)
    ok0 = [t.config for t in res.ok if t.round == 0]
    assert any(t.round == 0 for t in res.failed)
    assert res.spaces[1] == tune.zoom(space, ok0[:2], 8)


def test_results_file_path_is_kept(tmp_path):
    path = tmp_path / "r.jsonl"
    for fn in (tune.random_search, tune.grid_search, tune.coarse_to_fine):
        res = seq(fn, _cost, {"lr": tune.log_uniform(1e-4, 1)}, results_file=path, **(
            {"n_trials": 2} if fn is tune.random_search else {}))
        assert res.path == path
        path.unlink()


def test_a_thread_pool_executor_runs_the_same_trials():
    space = {"lr": tune.log_uniform(1e-4, 1)}
    ref = seq(tune.random_search, _cost, space, 5, seed=3)
    with cf.ThreadPoolExecutor(2) as ex:
        got = tune.random_search(_cost, space, 5, seed=3, executor=ex, progress=False)
    assert [(t.trial_id, t.config, t.metrics) for t in got] == [(t.trial_id, t.config, t.metrics) for t in ref]


def test_grid_default_is_three_points_per_dimension():
    from minigrad.tune import space as sp
    assert sp.grid({"a": tune.uniform(0, 1)}) == [{"a": 0.0}, {"a": 0.5}, {"a": 1.0}]


STRATEGIES = [(tune.random_search, dict(n_trials=3)), (tune.grid_search, dict(points_per_dim=3)),
              (tune.coarse_to_fine, dict(rounds=1, trials_per_round=3))]


@pytest.mark.parametrize("fn, size", STRATEGIES)
def test_every_option_reaches_the_runner(fn, size, tmp_path, monkeypatch, capsys):
    import tune_objectives as obj
    from minigrad.tune import runner

    space = {"lr": tune.log_uniform(1e-4, 1), "beta": 0.99}
    made, procs = [], []

    def fake_executor(n):                   # the default executor, in threads, so this process sees the calls
        made.append(n)
        return cf.ThreadPoolExecutor(n)

    def fake_processes(train, todo, objective, timeout, max_workers, finish):
        procs.append((objective, timeout, max_workers))
        for p in todo:
            finish(runner.run_trial(train, p.trial_id, p.config, objective, p.round))

    monkeypatch.setattr(runner, "make_executor", fake_executor)
    monkeypatch.setattr(runner, "run_in_processes", fake_processes)
    res = fn(obj.quadratic, space, **size, max_workers=2, progress=False)            # executor=None: processes
    assert made == [2] and len(res) == 3 and not res.failed
    res = fn(obj.quadratic, space, **size, executor="processes", progress=False)
    assert made == [2, min(os.cpu_count() or 1, 3)] and not res.failed  # one per core, at most one per trial
    fn(obj.quadratic, space, **size, max_workers=8, progress=False)
    assert made[-1] == 3
    res = fn(obj.quadratic, space, **size, max_workers=2, trial_timeout=7.5, objective="train_cost", progress=False)
    assert procs == [("train_cost", 7.5, 2)] and res.objective == "train_cost" and not res.failed
    fn(obj.quadratic, space, **size, max_workers=8, trial_timeout=7.5, progress=False)
    fn(obj.quadratic, space, **size, trial_timeout=7.5, progress=False)
    assert [p[2] for p in procs[1:]] == [3, min(os.cpu_count() or 1, 3)]
    monkeypatch.setattr(runner.os, "cpu_count", lambda: None)
    fn(obj.quadratic, space, **size, progress=False)
    fn(obj.quadratic, space, **size, trial_timeout=7.5, progress=False)
    assert made[-1] == 1 and procs[-1][2] == 1                        # no cpu count: one worker
    # progress=True reaches the bar (a plain counter without tqdm)
    monkeypatch.setitem(__import__("sys").modules, "tqdm.auto", None)
    res = fn(obj.quadratic, space, **size, executor="sequential", progress=True)
    err = capsys.readouterr().err
    assert err.endswith(f"3/3 best dev_cost={res.best.metrics['dev_cost']:.4g}\n")
    assert err.split("\r")[-1].startswith("round 1/1: " if fn is tune.coarse_to_fine else "trials: ")
    res = fn(obj.quadratic, space, **size, executor="sequential", progress=True, mode="max")     # the bar's best
    assert capsys.readouterr().err.endswith(f"3/3 best dev_cost={res.best.metrics['dev_cost']:.4g}\n")
    # retry_failed and results_file reach the runner
    path = tmp_path / "r.jsonl"
    calls = []

    def flaky(config):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first call fails")
        return obj.quadratic(config)

    first = fn(flaky, space, **size, executor="sequential", progress=False, results_file=path)
    assert len(first.failed) == 1 and first.path == path
    fn(flaky, space, **size, executor="sequential", progress=False, results_file=path)
    assert len(calls) == 3                                    # nothing ran again
    again = fn(flaky, space, **size, executor="sequential", progress=False, results_file=path, retry_failed=True)
    assert len(calls) == 4 and not again.failed
    # the default objective and seed key
    res = fn(lambda c: {"dev_cost": 1.0, "other": 0.0}, space, **size, executor="sequential", progress=False)
    assert res.objective == "dev_cost" and all("seed" in t.config for t in res) and res.mode == "min"
    with pytest.raises(RuntimeError, match=r"no successful trial"):
        fn(lambda c: {"cost": 1.0}, space, **size, executor="sequential", progress=False).best
