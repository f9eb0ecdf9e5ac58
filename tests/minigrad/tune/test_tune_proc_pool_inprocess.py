"""minigrad.tune's process-per-trial pool, run with ``fork`` so it works in this process's test run (the
spawned version is tested in test_tune_parallel.py): records come back, a hung trial is ended at its
deadline, a dead process is recorded with its exit code, and leaving the pool ends what still runs."""
import multiprocessing
import os
import time

import pytest

from minigrad.tune import _proc_pool
from minigrad.tune.runner import Planned
from minigrad.tune.trial import run_trial

_real_get_context = multiprocessing.get_context


ASKED = []


@pytest.fixture
def fork(monkeypatch):
    ASKED.clear()

    def get_context(method=None):
        ASKED.append(method)                      # the pool asks for spawn; these tests run it with fork
        return _real_get_context("fork")

    monkeypatch.setattr(_proc_pool.multiprocessing, "get_context", get_context)


def train(config):
    if config.get("sleep"):
        time.sleep(config["sleep"])
    if config.get("exit") is not None:
        os._exit(config["exit"])
    if config.get("raise"):
        raise ValueError("bad config")
    return {"dev_cost": float(config["x"])}


def test_records_come_back_as_run_trial_makes_them(fork):
    todo = [Planned(i, {"x": i}, 2) for i in range(3)] + [Planned(7, {"x": 0, "raise": True})]
    got = []
    _proc_pool.run_in_processes(train, todo, "dev_cost", 30.0, 2, got.append)
    by_id = {r["trial_id"]: r for r in got}
    assert sorted(by_id) == [0, 1, 2, 7]
    for i in range(3):
        want = run_trial(train, i, {"x": i}, "dev_cost", 2)
        assert {k: v for k, v in by_id[i].items() if k != "time"} == {k: v for k, v in want.items() if k != "time"}
    assert by_id[7]["status"] == "failed" and by_id[7]["error"].startswith("ValueError: bad config")


def test_a_trial_past_its_deadline_is_ended_and_others_go_on(fork):
    todo = [Planned(0, {"x": 1, "sleep": 30}, 1), Planned(1, {"x": 2})]
    got = []
    start = time.monotonic()
    _proc_pool.run_in_processes(train, todo, "dev_cost", 0.5, 2, got.append)
    assert time.monotonic() - start < 10 and ASKED == ["spawn"]
    assert [r["trial_id"] for r in got] == [1, 0]           # the quick trial is recorded while the other runs
    by_id = {r["trial_id"]: r for r in got}
    assert by_id[1]["status"] == "ok" and by_id[1]["metrics"] == {"dev_cost": 2.0}
    hung = by_id[0]
    assert hung["status"] == "failed" and hung["round"] == 1 and hung["config"] == {"x": 1, "sleep": 30}
    assert hung["error"] == ("TrialTimeout: the trial ran longer than trial_timeout=0.5 s; its process was ended")
    assert hung["time"] == 0.5 and hung["metrics"] == {}


def test_a_process_that_dies_is_recorded_with_its_exit_code(fork):
    got = []
    _proc_pool.run_in_processes(train, [Planned(3, {"x": 1, "exit": 3}), Planned(4, {"x": 5})], "dev_cost", 30.0, 1,
                                got.append)
    assert [r["trial_id"] for r in got] == [3, 4]                 # one worker: in plan order
    dead = got[0]
    assert dead["status"] == "failed" and dead["error"] == (
        "the trial's process exited with code 3 without a result (killed, out of memory, or os._exit)")
    assert 0 <= dead["time"] < 30 and got[1]["metrics"] == {"dev_cost": 5.0}


def test_at_most_max_workers_run_at_once_and_zero_means_one(fork):
    pool = _proc_pool.ProcessPerTrial(train, "dev_cost", 30.0, 0)
    assert pool.n == 1 and pool.timeout == 30.0 and pool.objective == "dev_cost" and pool.train is train
    seen = []
    real_start = pool._start

    def start(p):
        seen.append(len(pool.running))
        real_start(p)

    pool._start = start
    with pool:
        pool.run([Planned(i, {"x": i}) for i in range(3)], lambda r: None)
    assert seen == [0, 0, 0] and pool.running == {}


def test_leaving_the_pool_ends_the_processes_still_running(fork):
    with pytest.raises(KeyboardInterrupt):
        with _proc_pool.ProcessPerTrial(train, "dev_cost", 30.0, 2) as pool:
            pool._start(Planned(0, {"x": 1, "sleep": 30}))
            proc = pool.running[0][1]
            assert proc.is_alive() and proc.name == "minigrad-tune-trial-0" and proc.daemon
            raise KeyboardInterrupt
    assert pool.running == {} and not proc.is_alive()


def test_end_and_read_helpers(fork):
    ctx = _real_get_context("fork")
    proc = ctx.Process(target=time.sleep, args=(30,))
    proc.start()
    _proc_pool.ProcessPerTrial._end(proc)
    assert not proc.is_alive() and proc.exitcode == -15              # SIGTERM was enough
    _proc_pool.ProcessPerTrial._end(proc)                             # ending an ended process is a no-op
    recv, send = ctx.Pipe(duplex=False)
    assert _proc_pool.ProcessPerTrial._read(recv) is None             # nothing yet
    send.send({"a": 1})
    assert _proc_pool.ProcessPerTrial._read(recv) == {"a": 1}
    send.close()
    assert _proc_pool.ProcessPerTrial._read(recv) is None             # EOF
    rec = _proc_pool.ProcessPerTrial._failed(Planned(5, {"x": 1}, 3), "why", 1.5)
    assert rec == {"trial_id": 5, "config": {"x": 1}, "metrics": {}, "status": "failed", "error": "why",
                   "time": 1.5, "round": 3}


def _ignore_sigterm_and_sleep():
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(30)


def test_a_process_that_ignores_sigterm_is_killed_after_a_second(fork):
    ctx = _real_get_context("fork")
    proc = ctx.Process(target=_ignore_sigterm_and_sleep)
    proc.start()
    time.sleep(0.2)                                                   # let it install the handler
    start = time.monotonic()
    _proc_pool.ProcessPerTrial._end(proc)
    assert not proc.is_alive() and proc.exitcode == -9
    assert time.monotonic() - start < 1.8                            # one second for SIGTERM, then SIGKILL
