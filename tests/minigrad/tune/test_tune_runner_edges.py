"""minigrad.tune's runner and babysitter, in this process: the plan's order, resuming from a file,
executors (threads, a failing one), what cannot go to worker processes, continue_training's log."""
import concurrent.futures as cf
import functools
import json
import os
import threading

import pytest

from minigrad import tune
from minigrad.tune import runner
from minigrad.tune.runner import Planned, run_plan
import tune_objectives as obj


def cost(config):
    return {"dev_cost": float(config["x"])}


def plan(*xs, round=0):
    return [Planned(i, {"x": x}, round) for i, x in enumerate(xs)]


def test_run_plan_returns_records_in_plan_order_and_converts_configs_to_json():
    recs = run_plan(cost, [Planned(2, {"x": 3, "t": (1, 2)}), Planned(0, {"x": 1, "t": (3,)}, 1)],
                    objective="dev_cost", executor="sequential", progress=False)
    assert [r["trial_id"] for r in recs] == [2, 0] and recs[1]["round"] == 1
    assert recs[0]["config"] == {"x": 3, "t": [1, 2]} and recs[0]["metrics"] == {"dev_cost": 3.0}
    assert Planned(1, {}).round == 0


def test_configs_that_are_not_json_are_refused_naming_the_trial():
    with pytest.raises(TypeError, match=r"^tune: trial 4's config must hold only JSON values \(numbers, strings, "
                                        r"bools, None, lists, dicts\) so it can be saved and sent to workers: .*"
                                        r"Pass data and other objects to train with functools.partial instead$"):
        run_plan(cost, [Planned(4, {"x": object()})], objective="dev_cost", executor="sequential", progress=False)


def test_resume_takes_finished_trials_from_the_file_and_checks_their_configs(tmp_path):
    path = tmp_path / "r.jsonl"
    calls = []

    def counted(config):
        calls.append(config["x"])
        if config["x"] == 2:
            raise RuntimeError("boom")
        return cost(config)

    first = run_plan(counted, plan(1, 2, 3), objective="dev_cost", executor="sequential", results_file=path,
                     progress=False)
    assert calls == [1, 2, 3] and [r["status"] for r in first] == ["ok", "failed", "ok"]
    again = run_plan(counted, plan(1, 2, 3), objective="dev_cost", executor="sequential", results_file=path,
                     progress=False)
    assert calls == [1, 2, 3] and again == first
    retried = run_plan(counted, plan(1, 2, 3), objective="dev_cost", executor="sequential", results_file=path,
                       progress=False, retry_failed=True)
    assert calls == [1, 2, 3, 2] and [r["status"] for r in retried] == ["ok", "failed", "ok"]
    assert len(path.read_text().splitlines()) == 4
    extra = run_plan(counted, plan(1), objective="dev_cost", executor="sequential", results_file=path, progress=False)
    assert extra == first[:1] and calls == [1, 2, 3, 2]          # records of other trials are ignored
    last = run_plan(counted, [Planned(2, {"x": 3})], objective="dev_cost", executor="sequential", results_file=path,
                    progress=False)
    assert last == first[2:] and calls == [1, 2, 3, 2]           # found after records of unplanned trials
    with pytest.raises(ValueError, match=r"^tune: the results file holds trial 0 with config \{'x': 1\}, but this "
                                         r"search plans \{'x': 9\}: the file was written by a different search"):
        run_plan(counted, plan(9), objective="dev_cost", executor="sequential", results_file=path, progress=False)


def test_the_last_record_of_a_trial_in_the_file_wins(tmp_path):
    path = tmp_path / "r.jsonl"
    lines = [{"trial_id": 0, "config": {"x": 1}, "metrics": {}, "status": "failed", "error": "e"},
             {"trial_id": 0, "config": {"x": 1}, "metrics": {"dev_cost": 7.0}, "status": "ok"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    recs = run_plan(cost, plan(1), objective="dev_cost", executor="sequential", results_file=path, progress=False)
    assert recs[0]["metrics"] == {"dev_cost": 7.0}
    path.write_text(json.dumps({"trial_id": 0}) + "\n")
    with pytest.raises(ValueError, match=r"line 1 is not a trial record"):
        run_plan(cost, plan(1), objective="dev_cost", executor="sequential", results_file=path, progress=False)


def test_progress_counts_trials_from_the_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "tqdm.auto", None)
    path = tmp_path / "r.jsonl"
    run_plan(cost, plan(4, 5), objective="dev_cost", executor="sequential", results_file=path, progress=False)
    run_plan(cost, plan(4, 5, 2), objective="dev_cost", executor="sequential", results_file=path, progress=True,
             desc="round 1/1")
    assert capsys.readouterr().err == "\rround 1/1: 3/3 best dev_cost=2\n"


def test_sequential_trials_get_their_time_limit():
    recs = run_plan(obj.spinning, [Planned(0, {"sleep": 3.0, "x": 1}), Planned(1, {"sleep": 0, "x": 2})],
                    objective="dev_cost", executor="sequential", progress=False, trial_timeout=0.3)
    assert recs[0]["status"] == "failed" and "trial_timeout=0.3" in recs[0]["error"] and recs[1]["status"] == "ok"


def test_a_thread_pool_runs_every_trial_and_timeouts_reach_it():
    with cf.ThreadPoolExecutor(2) as ex:
        recs = run_plan(cost, plan(3, 1, 2), objective="dev_cost", executor=ex, progress=False)
        assert [r["metrics"]["dev_cost"] for r in recs] == [3.0, 1.0, 2.0]
        assert [r["round"] for r in run_plan(cost, plan(1, 2, round=4), objective="dev_cost", executor=ex,
                                             progress=False)] == [4, 4]
        slow = run_plan(obj.spinning, [Planned(0, {"sleep": 3.0, "x": 1}), Planned(1, {"sleep": 0, "x": 2})],
                        objective="dev_cost", executor=ex, progress=False, trial_timeout=0.3)
    assert slow[0]["status"] == "failed" and "trial_timeout=0.3" in slow[0]["error"]
    assert slow[1]["status"] == "ok"


class _Failing(cf.Executor):
    """Runs trial 0 at once; the executor itself fails on trial 1, a little later."""

    def submit(self, fn, *args):
        fut = cf.Future()
        if args[1] == 1:
            threading.Timer(0.2, fut.set_exception, (OSError("worker lost"),)).start()
        else:
            fut.set_result(fn(*args))
        return fut


def test_an_executor_failure_saves_finished_trials_and_says_how_to_resume(tmp_path):
    path = tmp_path / "r.jsonl"
    with pytest.raises(RuntimeError, match=r"^tune: the executor failed to run trial 1 \(config \{'x': 2\}\): OSError: "
                                           r"worker lost; finished trials are saved in .*r.jsonl; run the same search "
                                           r"again to resume$"):
        run_plan(cost, plan(1, 2), objective="dev_cost", executor=_Failing(), results_file=path, progress=False)
    saved = [json.loads(l) for l in path.read_text().splitlines()]
    assert [r["trial_id"] for r in saved] == [0]                  # recorded once, not again when giving up
    with pytest.raises(RuntimeError, match=r"OSError: worker lost; pass results_file= to keep finished trials"):
        run_plan(cost, plan(1, 2), objective="dev_cost", executor=_Failing(), progress=False)


def test_bad_executors_and_unpicklable_trains_are_refused_before_anything_runs():
    with pytest.raises(TypeError, match=r"^tune: executor must be None/'processes' \(local processes\), 'sequential', "
                                        r"or a concurrent.futures.Executor .*got 'threads'$"):
        run_plan(cost, plan(1), objective="dev_cost", executor="threads", progress=False)
    for executor in (None, "processes"):
        with pytest.raises(TypeError, match=r"^tune: train=.* cannot be sent to worker processes \(PicklingError|"
                                            r"AttributeError"):
            run_plan(lambda c: cost(c), plan(1), objective="dev_cost", executor=executor, progress=False)
    with cf.ProcessPoolExecutor(1) as ex:
        with pytest.raises(TypeError, match=r"cannot be sent to worker processes"):
            run_plan(lambda c: cost(c), plan(1), objective="dev_cost", executor=ex, progress=False)
    assert run_plan(cost, [], objective="dev_cost", executor=None, progress=False) == []    # nothing to run


def test_check_picklable_knows_trains_typed_into_an_interactive_session(monkeypatch):
    runner.check_picklable(obj.quadratic)
    runner.check_picklable(functools.partial(obj.quadratic))
    main = type(os)("__main__")                 # an interactive __main__ has no __file__
    monkeypatch.setitem(__import__("sys").modules, "__main__", main)

    def typed(config):
        return {}

    typed.__module__ = "__main__"
    main.typed = typed
    typed.__qualname__ = "typed"
    with pytest.raises(TypeError, match=r"^tune: train=.* is defined in an interactive session \(__main__ has no "
                                        r"file\), so spawned worker processes cannot import it; define it with "
                                        r"`def` at the top level of an importable module \(not a lambda, a nested "
                                        r"function, or a function typed into an interactive session\), or pass "
                                        r"executor='sequential'$"):
        runner.check_picklable(functools.partial(typed))
    main.__file__ = "script.py"
    runner.check_picklable(typed)


def test_origin_of_trains():
    assert runner._origin(obj.quadratic) == "tune_objectives"
    assert runner._origin(functools.partial(functools.partial(obj.quadratic))) == "tune_objectives"
    assert runner._origin(cf.ThreadPoolExecutor) == "concurrent.futures.thread"

    class CallMe:
        def __call__(self, config):
            return {}

    assert runner._origin(CallMe()) == __name__


def test_default_executor_is_spawned_processes():
    ex = runner.make_executor(3)
    try:
        assert isinstance(ex, cf.ProcessPoolExecutor) and ex._max_workers == 3
        assert ex._mp_context.get_start_method() == "spawn"
    finally:
        ex.shutdown()
    ex = runner.make_executor()
    try:
        assert ex._max_workers == (os.cpu_count() or 1)
    finally:
        ex.shutdown()


def test_default_executor_without_a_cpu_count_has_one_worker(monkeypatch):
    monkeypatch.setattr(runner.os, "cpu_count", lambda: None)
    ex = runner.make_executor()
    try:
        assert ex._max_workers == 1
    finally:
        ex.shutdown()


# ----- continue_training ------------------------------------------------------------------------

def _train(config, checkpoint):
    with open(checkpoint, "a") as f:
        f.write(json.dumps(config) + "\n")
    return {"cost": config["lr"]}


def test_sessions_are_logged_next_to_the_checkpoint_or_in_log_file(tmp_path):
    ckpt = tmp_path / "m.ckpt"
    tune.continue_training(_train, ckpt, config={"lr": 0.1, "n": {"a": 1}})
    rec = tune.training_history(ckpt)[0]
    assert os.path.exists(str(ckpt) + ".panda.jsonl")
    assert set(rec) == {"session", "config", "changes", "metrics", "time", "checkpoint"}
    assert rec["session"] == 0 and rec["changes"] == {} and rec["checkpoint"] == str(ckpt) and 0 <= rec["time"] < 60
    log = tmp_path / "logs" / "x.jsonl"
    m = tune.continue_training(_train, ckpt, {"lr": 0.5}, config={"lr": 0.2, "n": {"a": 1}}, log_file=log)
    assert m == {"cost": 0.5}
    hist = tune.training_history(ckpt, log_file=log)
    assert len(hist) == 1 and hist[0]["session"] == 0 and hist[0]["config"]["lr"] == 0.5
    assert len(tune.training_history(ckpt)) == 1
    tune.continue_training(_train, ckpt, {"n": {"a": 2}}, log_file=log)
    assert tune.training_history(ckpt, log)[1]["config"] == {"lr": 0.5, "n": {"a": 2}}
    assert tune.training_history(ckpt, log)[1]["session"] == 1


def test_continue_training_argument_checks(tmp_path):
    ckpt = tmp_path / "m.ckpt"
    with pytest.raises(ValueError, match=r"^continue_training: no session is recorded in .*m.ckpt.panda.jsonl, so "
                                         r"there is no config to continue from; pass config= for the first session$"):
        tune.continue_training(_train, ckpt)
    with pytest.raises(TypeError, match=r"^continue_training: config and changes must be dicts, got list and "
                                        r"NoneType$"):
        tune.continue_training(_train, ckpt, config=[1])
    with pytest.raises(TypeError, match=r"config and changes must be dicts, got dict and list$"):
        tune.continue_training(_train, ckpt, [1], config={"lr": 1})
    with pytest.raises(KeyError, match=r"change 'lrr' is not a hyperparameter of the model \(have \['lr', 'n'\]\); "
                                       r"pass allow_new_keys=True to add it"):
        tune.continue_training(_train, ckpt, {"lrr": 1}, config={"lr": 1, "n": 2})
    with pytest.raises(TypeError):
        tune.continue_training(_train, ckpt, {"lr": object()}, config={"lr": 1})
    assert not ckpt.exists()                                   # nothing trained
    tune.continue_training(_train, ckpt, {"opt": {"b": 2}}, config={"lr": 1, "opt": 3}, allow_new_keys=False)
    assert tune.training_history(ckpt)[0]["config"] == {"lr": 1, "opt": {"b": 2}}
    tune.continue_training(_train, ckpt, {"opt": {"c": 4}}, allow_new_keys=True)
    assert tune.training_history(ckpt)[1]["config"] == {"lr": 1, "opt": {"b": 2, "c": 4}}


def test_the_config_train_sees_is_a_copy(tmp_path):
    base = {"lr": 1, "n": {"a": [1]}}

    def mutate(config, checkpoint):
        config["n"]["a"].append(2)
        return {"v": 1}

    ckpt = tmp_path / "m"
    tune.continue_training(mutate, ckpt, config=base)
    assert base == {"lr": 1, "n": {"a": [1]}} and tune.training_history(ckpt)[0]["config"] == base
    changes = {"n": {"a": [5]}}
    tune.continue_training(mutate, ckpt, changes)
    assert changes == {"n": {"a": [5]}} and tune.training_history(ckpt)[1]["config"]["n"]["a"] == [5]
    assert tune.training_history(ckpt)[1]["metrics"] == {"v": 1}


def test_a_bare_number_returned_is_logged_as_value(tmp_path):
    m = tune.continue_training(lambda config, ckpt: 0.25, tmp_path / "m", config={"lr": 1})
    assert m == {"value": 0.25} and tune.training_history(tmp_path / "m")[0]["metrics"] == {"value": 0.25}
