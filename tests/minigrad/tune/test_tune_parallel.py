"""minigrad.tune in parallel: spawned local processes and a Dask cluster give the sequential results.

Spawned processes take about a second to start, so these tests are few and small.
"""
import functools
import json
import os
import sys

import pytest

from minigrad import tune
import tune_objectives as obj

SPACE = {"lr": tune.log_uniform(1e-3, 1), "act": tune.choice(["relu", "tanh", "boom"])}
BOWL = {"lr": tune.log_uniform(1e-4, 1), "beta": tune.one_minus_log_uniform(0.9, 0.999)}


def comparable(results):
    """Trial records without the run time, and with only the first line of the error (its traceback
    names the process it ran in)."""
    out = []
    for t in sorted(results, key=lambda t: t.trial_id):
        d = t.to_dict()
        d.pop("time")
        d["error"] = d["error"] and d["error"].splitlines()[0]
        out.append(d)
    return out


def test_local_processes_give_the_sequential_results(tmp_path, monkeypatch):
    monkeypatch.setenv("TUNE_TEST_CALLS", str(tmp_path / "calls.txt"))
    kw = dict(n_trials=8, seed=2, progress=False)
    sequential = tune.random_search(obj.seeded_minigrad, SPACE, executor="sequential", **kw)
    status = {t.status for t in sequential}
    errors = " ".join(t.error for t in sequential.failed)
    assert status == {"ok", "failed"} and "boom" in errors and "is NaN" in errors  # the plan has all kinds
    monkeypatch.setenv("TUNE_TEST_PIDS", str(tmp_path / "pids.txt"))
    parallel = tune.random_search(obj.seeded_minigrad, SPACE, max_workers=2, results_file=tmp_path / "r.jsonl",
                                  **kw)
    pids = set((tmp_path / "pids.txt").read_text().split())
    assert pids and str(os.getpid()) not in pids  # the trials did run in other processes
    assert comparable(parallel) == comparable(sequential)
    assert len((tmp_path / "calls.txt").read_text().splitlines()) == 16
    assert comparable(tune.load_results(tmp_path / "r.jsonl")) == comparable(sequential)


def test_functions_that_cannot_reach_a_spawned_process_are_refused_before_starting(monkeypatch):
    with pytest.raises(TypeError, match=r"cannot be sent to worker processes .*not a lambda"):
        tune.random_search(lambda c: 0.0, SPACE, 2)

    def nested(config):
        return 0.0

    with pytest.raises(TypeError, match="cannot be sent to worker processes"):
        tune.random_search(functools.partial(nested), SPACE, 2, executor="processes")
    main = sys.modules["__main__"]
    monkeypatch.setattr(nested, "__module__", "__main__")
    monkeypatch.setattr(nested, "__qualname__", "typed_in")
    monkeypatch.setattr(main, "typed_in", nested, raising=False)
    monkeypatch.delattr(main, "__file__", raising=False)
    with pytest.raises(TypeError, match=r"defined in an interactive session \(__main__ has no file\)"):
        tune.random_search(nested, SPACE, 2)
    # in this process, anything callable works
    assert len(tune.random_search(lambda c: 0.0, SPACE, 2, executor="sequential", progress=False)) == 2


def test_a_dask_cluster_gives_the_sequential_results(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    kw = dict(rounds=2, trials_per_round=5, top_k=2, seed=4, progress=False)
    sequential = tune.coarse_to_fine(obj.seeded_minigrad, SPACE, executor="sequential", **kw)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        on_cluster = tune.coarse_to_fine(obj.seeded_minigrad, SPACE, executor=client.get_executor(),
                                         results_file=tmp_path / "r.jsonl", **kw)
    assert comparable(on_cluster) == comparable(sequential) and on_cluster.spaces == sequential.spaces
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 10


def test_a_dead_worker_stops_the_search_keeping_what_finished_and_it_resumes(tmp_path, monkeypatch):
    monkeypatch.setenv("TUNE_TEST_CALLS", str(tmp_path / "calls.txt"))
    monkeypatch.setenv("TUNE_TEST_CRASH_AT", "1")  # the worker process dies in the middle of trial 1
    path = tmp_path / "r.jsonl"
    kw = dict(n_trials=4, seed=0, progress=False, results_file=path)
    with pytest.raises(RuntimeError, match=r"executor failed to run trial \d.*BrokenProcessPool.*saved in .*r.jsonl; "
                                           r"run the same search again to resume"):
        tune.random_search(obj.quadratic, BOWL, max_workers=1, **kw)
    assert [json.loads(line)["trial_id"] for line in path.read_text().splitlines()] == [0]
    monkeypatch.delenv("TUNE_TEST_CRASH_AT")
    res = tune.random_search(obj.quadratic, BOWL, executor="sequential", **kw)
    assert len(res.ok) == 4 and len((tmp_path / "calls.txt").read_text().splitlines()) == 2 + 3
