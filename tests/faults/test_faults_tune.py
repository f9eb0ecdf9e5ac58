"""Issue 16 section 5: a hung trial is ended and recorded as failed, and the search goes on
(in this process, on local processes, on Dask); a results file with valid JSON but malformed
records is an error naming the line.

``tune_objectives.sleepy`` hangs inside one C call (``time.sleep``), ``spinning`` in a Python
loop; trials with ``sleep`` = 0 return at once with ``dev_cost = x``.
"""
from __future__ import annotations

import json
import time

import pytest

from minigrad import tune
import tune_objectives as obj

SPACE = {"x": tune.uniform(0, 1), "sleep": tune.choice([0, 600])}


def _check(res, timeout):
    assert {t.config["sleep"] for t in res} == {0, 600}, "the plan needs both kinds of trial"
    for t in res:
        if t.config["sleep"]:
            assert t.status == "failed" and f"trial_timeout={timeout:g} s" in t.error
        else:
            assert t.status == "ok" and t.metrics["dev_cost"] == pytest.approx(t.config["x"])


def test_sequential_trials_past_the_timeout_are_interrupted():
    start = time.monotonic()
    res = tune.random_search(obj.spinning, SPACE, 4, seed=1, executor="sequential", progress=False,
                             trial_timeout=0.3)
    _check(res, 0.3)
    assert all("interrupted and ended" in t.error for t in res.failed)
    assert time.monotonic() - start < 30


def test_hung_local_processes_are_terminated(tmp_path):
    start = time.monotonic()
    res = tune.random_search(obj.sleepy, SPACE, 4, seed=1, max_workers=2, progress=False, trial_timeout=4,
                             results_file=tmp_path / "r.jsonl")
    _check(res, 4)
    assert all("its process was ended" in t.error for t in res.failed)
    assert time.monotonic() - start < 60
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 4  # the failures are recorded


def test_hung_trials_on_dask_are_ended():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        res = tune.random_search(obj.spinning, SPACE, 4, seed=1, executor=client.get_executor(), progress=False,
                                 trial_timeout=0.5)
    _check(res, 0.5)


@pytest.mark.parametrize("bad", [0, -1, float("nan"), "10"])
def test_a_bad_timeout_is_refused(bad):
    with pytest.raises(ValueError, match="trial_timeout must be None or a number of seconds > 0"):
        tune.random_search(obj.quadratic, {"lr": tune.log_uniform(1e-3, 1), "beta": tune.uniform(0.9, 0.99)}, 2,
                           executor="sequential", trial_timeout=bad)


GOOD = {"trial_id": 0, "config": {"lr": 0.1}, "metrics": {"dev_cost": 1.0}, "status": "ok", "error": None,
        "time": 0.1, "round": 0}
MALFORMED = [
    ({k: v for k, v in GOOD.items() if k != "metrics"}, r"lacks 'metrics'"),
    ({**GOOD, "trial_id": "0"}, r"'trial_id' must be Integral"),
    ({**GOOD, "metrics": [1.0]}, r"'metrics' must be dict"),
    ({**GOOD, "status": "maybe"}, r"'status' must be 'ok' or 'failed'"),
    ({**GOOD, "config": None}, r"'config' must be dict"),
    ({**GOOD, "time": "fast"}, r"'time' must be Real"),
]


@pytest.mark.parametrize("record, match", MALFORMED, ids=[m[1] for m in MALFORMED])
def test_a_malformed_record_names_its_line(tmp_path, record, match):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({**GOOD, "trial_id": 1}) + "\n" + json.dumps(record) + "\n")
    with pytest.raises(ValueError, match=rf"line 2 is not a trial record .*{match}"):
        tune.load_results(path)
    with pytest.raises(ValueError, match=rf"line 2 is not a trial record .*{match}"):
        tune.random_search(obj.quadratic, {"lr": tune.log_uniform(1e-3, 1), "beta": tune.uniform(0.9, 0.99)}, 2,
                           executor="sequential", results_file=path, progress=False)
