"""minigrad.tune records, pinned: ranking (NaN and missing last, ties by id, failed by id), the table's
cells, trial records and metrics conversion, the results file's checks, time limits and progress."""
import json
import math
import sys
import time
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import tune
from minigrad.tune import progress as progress_mod
from minigrad.tune import store, timeout
from minigrad.tune.results import Results, _fmt, load_results
from minigrad.tune.trial import Trial, check_metrics, plain_metrics, run_trial


def rec(i, cost=None, status="ok", **kw):
    metrics = {} if cost is None else {"dev_cost": cost}
    return {"trial_id": i, "config": {"x": i}, "metrics": metrics, "status": status, **kw}


def test_ranking_puts_nan_and_missing_after_numbers_ties_by_id_and_failed_last_by_id():
    recs = [rec(5, 1.0), rec(2, math.nan), rec(7, None), rec(3, 1.0), rec(1, 0.5), rec(9, status="failed", error="e"),
            rec(4, status="failed", error="e"), rec(6, True), rec(8, 2.0)]
    res = Results(recs)
    assert [t.trial_id for t in res] == [1, 3, 5, 8, 2, 6, 7, 4, 9]
    assert [t.trial_id for t in res.ok] == [1, 3, 5, 8, 2, 6, 7] and [t.trial_id for t in res.failed] == [4, 9]
    rmax = Results(recs, mode="max")
    assert [t.trial_id for t in rmax][:4] == [8, 3, 5, 1]
    assert res.best.trial_id == 1 and res.best_config == {"x": 1}
    assert res.values() == [0.5, 1.0, 1.0, 2.0] + [res.values()[4]] + [True, math.nan][:0] + res.values()[5:]
    assert math.isnan(res.values()[4]) and math.isnan(res.values()[6])
    assert res.values("other")[0] != res.values("other")[0]           # missing metric: NaN
    assert len(res) == 9 and res[0].trial_id == 1 and [t.trial_id for t in iter(res)][-1] == 9
    assert res.to_dicts()[0] == {"trial_id": 1, "config": {"x": 1}, "metrics": {"dev_cost": 0.5}, "status": "ok",
                                 "error": None, "time": 0.0, "round": 0}


def test_results_defaults_and_spaces():
    space = {"x": tune.uniform(0, 1)}
    res = Results([rec(0, 1.0)], space=space)
    assert res.objective == "dev_cost" and res.mode == "min" and res.spaces == [space] and res.path is None
    assert Results([]).spaces == [] and Results([], spaces=[space, space]).spaces == [space, space]
    with pytest.raises(ValueError, match=r"^tune: mode must be 'min' \(e.g. a cost\) or 'max' \(e.g. an accuracy\), "
                                         r"got 'up'$"):
        Results([], mode="up")


def test_best_without_success_names_the_first_error():
    res = Results([rec(0, status="failed", error="ValueError: bad lr\ntraceback..."), rec(1, status="failed",
                                                                                      error="other")])
    with pytest.raises(RuntimeError, match=r"^tune: no successful trial among 2 \(first error: ValueError: bad lr\)$"):
        res.best
    with pytest.raises(RuntimeError, match=r"^tune: no successful trial among 0 \(first error: no trials ran\)$"):
        Results([]).best
    assert repr(res) == "<Results: 2 trials, 2 failed>"


def test_table_cells():
    res = Results([{"trial_id": 0, "config": {"a": 1.23456789, "n": {"b": [1, 2]}},
                    "metrics": {"dev_cost": 0.5, "acc": 0.9, "curve": [1, 2]}, "status": "ok", "time": 0.123456},
                   {"trial_id": 1, "config": {"a": 2}, "metrics": {}, "status": "failed",
                    "error": "ValueError: bad\nTraceback", "time": 0.0}])
    lines = res.table().splitlines()
    assert lines[0] == "#  trial  status  dev_cost  acc      a   n.b  time_s"
    assert lines[1] == "0      0      ok       0.5  0.9  1.235  [..]  0.1235"
    assert lines[2] == "1      1  failed                     2             0"
    assert lines[3] == "trial 1 failed: ValueError: bad"
    assert str(res) == res.table() and len(res.table(max_rows=None).splitlines()) == 4
    assert res.table(max_rows=1).splitlines()[2] == "... 1 more"
    assert repr(res) == "<Results: 2 trials, 1 failed, best dev_cost=0.5>"
    assert _fmt("abcdefghijklmnop") == "abcdefghij" and _fmt({"a": 1}) == "{..}" and _fmt(1e-7) == "1e-07"
    assert _fmt(True) == "True" and _fmt(1234567.0) == "1.235e+06"
    assert Results([]).table() == "#  trial  status  dev_cost  time_s"


def test_table_shows_at_most_five_failures_and_long_headers_are_cut():
    res = Results([rec(i, status="failed", error=f"E{i}") for i in range(7)] +
                  [{"trial_id": 9, "config": {"a_very_long_name": 1}, "metrics": {"dev_cost": 1.0}, "status": "ok"}])
    lines = res.table().splitlines()
    assert lines[0].split()[-3:] == ["a_very_long_", "x", "time_s"]
    assert [l for l in lines if l.startswith("trial ")] == [f"trial {i} failed: E{i}" for i in range(5)]
    empty_error = Results([rec(0, status="failed", error="")])
    assert empty_error.table().splitlines()[-1] == "trial 0 failed: "


def test_load_results_keeps_the_last_record_of_each_id(tmp_path):
    path = tmp_path / "r.jsonl"
    lines = [rec(0, status="failed", error="x"), rec(1, 2.0), rec(0, 1.0)]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    res = load_results(path, space={"x": 1})
    assert [t.trial_id for t in res] == [0, 1] and res[0].ok and res.path == str(path) and res.space == {"x": 1}
    rmax = load_results(path, objective="dev_cost", mode="max")
    assert [t.trial_id for t in rmax] == [1, 0]


def test_trial_records():
    t = Trial(3, {"a": 1})
    assert t.ok and t.metrics == {} and t.error is None and t.time == 0.0 and t.round == 0 and t.status == "ok"
    assert not Trial(3, {}, status="failed").ok
    assert Trial.from_dict({"trial_id": 1, "config": {}, "status": "ok", "extra": 5}) == Trial(1, {})
    with pytest.raises(ValueError, match=r"^tune: a trial record lacks \['config', 'status'\]: \{'trial_id': 1\}$"):
        Trial.from_dict({"trial_id": 1})


def test_plain_metrics_converts_numbers_arrays_and_tensors():
    m = plain_metrics({"a": np.float32(0.5), "b": np.int64(3), "c": mg.tensor(2.5), "d": [np.float64(1), (2, 3)],
                       "e": {"f": np.array([1, 2])}, "g": None, "h": True, "i": "s", 7: 1.0}, "dev_cost")
    assert m == {"a": 0.5, "b": 3, "c": 2.5, "d": [1.0, [2, 3]], "e": {"f": [1, 2]}, "g": None, "h": True, "i": "s",
                 "7": 1.0}
    assert type(m["b"]) is int and type(m["a"]) is float and type(m["d"][0]) is float
    assert plain_metrics(np.float64(0.25), "acc") == {"acc": 0.25}
    # a Tensor's size is PyTorch's method (its shape): these used to fail the trial ("got Tensor") or give [3.0]
    assert plain_metrics(mg.tensor(0.75), "acc") == {"acc": 0.75}
    assert plain_metrics(mg.tensor([0.75]), "acc") == {"acc": 0.75}
    assert plain_metrics({"a": mg.tensor([3.0]), "b": np.array([3.0])}, "acc") == {"a": 3.0, "b": 3.0}
    assert plain_metrics({"c": mg.tensor([1.0, 2.0])}, "acc") == {"c": [1.0, 2.0]}
    assert plain_metrics(2, "acc") == {"acc": 2}
    with pytest.raises(TypeError, match=r"^metric 'e.f' has type object; metrics must be numbers"):
        plain_metrics({"e": {"f": object()}}, "x")
    with pytest.raises(TypeError, match=r"^metric 'd\[1\]' has type object"):
        plain_metrics({"d": [1, object()]}, "x")
    with pytest.raises(TypeError, match=r"^train must return a dict of metrics \(or a number, taken as 'acc'\), "
                                        r"got list$"):
        plain_metrics([1, 2], "acc")


def test_check_metrics_messages():
    check_metrics({"dev_cost": 1}, "dev_cost")
    with pytest.raises(TypeError, match=r"^objective 'dev_cost' must be a number, got True$"):
        check_metrics({"dev_cost": True}, "dev_cost")
    with pytest.raises(TypeError, match=r"^objective 'dev_cost' must be a number, got 'a'$"):
        check_metrics({"dev_cost": "a"}, "dev_cost")
    with pytest.raises(ValueError, match=r"^metric 'b' is NaN \(also \['c'\]\)$"):
        check_metrics({"dev_cost": 1.0, "b": math.nan, "c": math.nan}, "dev_cost")
    with pytest.raises(ValueError, match=r"^metric 'b' is NaN$"):
        check_metrics({"dev_cost": 1.0, "b": math.nan}, "dev_cost")
    with pytest.raises(ValueError, match=r"^objective 'dev_cost' is -inf \(the run diverged\)$"):
        check_metrics({"dev_cost": -math.inf}, "dev_cost")


def test_run_trial_records_success_failure_and_time():
    seen = []

    def train(config):
        seen.append(config)
        config["lr"] = 99                      # the record keeps the planned config
        time.sleep(0.01)
        return {"dev_cost": 0.5}

    cfg = {"lr": 0.1}
    r = run_trial(train, 4, cfg, "dev_cost", round=2)
    assert r["trial_id"] == 4 and r["config"] == {"lr": 0.1} and r["round"] == 2 and r["status"] == "ok"
    assert r["metrics"] == {"dev_cost": 0.5} and r["error"] is None and 0.005 < r["time"] < 5
    assert cfg == {"lr": 0.1} and seen[0] is not cfg

    def boom(config):
        time.sleep(0.01)
        raise ValueError("bad lr")

    f = run_trial(boom, 1, {}, "dev_cost")
    assert f["status"] == "failed" and f["error"].startswith("ValueError: bad lr\nTraceback (most recent call last)")
    assert f["metrics"] == {} and 0.005 < f["time"] < 5 and f["round"] == 0
    n = run_trial(lambda c: {"dev_cost": math.nan}, 1, {}, "dev_cost")
    assert n["status"] == "failed" and math.isnan(n["metrics"]["dev_cost"])
    t = run_trial(lambda c: {"dev_cost": 2.0}, 0, {}, "dev_cost", 0, 5.0)      # with a timeout: a thread
    assert t["status"] == "ok" and t["metrics"] == {"dev_cost": 2.0}
    with pytest.raises(KeyboardInterrupt):
        run_trial(lambda c: (_ for _ in ()).throw(KeyboardInterrupt), 0, {}, "dev_cost")


def test_check_timeout():
    assert timeout.check_timeout(None) is None and timeout.check_timeout(2) == 2.0
    assert type(timeout.check_timeout(2)) is float
    for bad in (0, -1, math.inf, math.nan, True, "1"):
        with pytest.raises(ValueError, match=rf"^tune: trial_timeout must be None or a number of seconds > 0, got "):
            timeout.check_timeout(bad)
    with pytest.raises(ValueError, match=r"^fit: trial_timeout"):
        timeout.check_timeout(0, "fit")


def test_call_with_timeout_returns_raises_or_ends_the_trial():
    assert timeout.call_with_timeout(lambda x: x + 1, 1, 5.0) == 2
    with pytest.raises(KeyError, match="k"):
        timeout.call_with_timeout(lambda x: {}["k"], 1, 5.0)

    def spin(_):
        end = time.monotonic() + 3.0
        while time.monotonic() < end:
            time.sleep(0.002)

    start = time.monotonic()
    with pytest.raises(timeout.TrialTimeout,
                       match=r"^the trial ran longer than trial_timeout=0.2 s; it was interrupted and ended$"):
        timeout.call_with_timeout(spin, None, 0.2)
    assert time.monotonic() - start < 2.0


def test_check_record_messages():
    good = rec(0, 1.0)
    store.check_record(good)
    store.check_record({**good, "error": None, "time": 1, "round": 2})
    cases = [({k: v for k, v in good.items() if k != "metrics"}, r"^the record lacks 'metrics' \(it has \['config', "
                                                                  r"'status', 'trial_id'\]\)$"),
             ({**good, "trial_id": True}, r"^'trial_id' must be Integral, got True$"),
             ({**good, "config": []}, r"^'config' must be dict, got \[\]$"),
             ({**good, "error": 3}, r"^'error' must be str or NoneType, got 3$"),
             ({**good, "time": "1"}, r"^'time' must be Real"),
             ({**good, "round": 1.0}, r"^'round' must be Integral"),
             ({**good, "trial_id": -1}, r"^trial_id and round must be >= 0, got -1 and None$"),
             ({**good, "round": -2}, r"^trial_id and round must be >= 0, got 0 and -2$"),
             ({**good, "status": "done"}, r"^'status' must be 'ok' or 'failed', got 'done'$")]
    for bad, match in cases:
        with pytest.raises(store.RecordError, match=match):
            store.check_record(bad)
    store.check_record({**good, "status": "failed"})


def test_results_file_reading_torn_and_bad_lines(tmp_path):
    path = tmp_path / "r.jsonl"
    assert store.read_records(path) == []
    a, b = json.dumps(rec(0, 1.0)), json.dumps(rec(1, 2.0))
    path.write_text(a + "\n\n" + b + "\n" + '{"trial_id": 2, "con')
    with pytest.warns(RuntimeWarning, match=r"ignoring a torn last line in .*r.jsonl \(.*\)"):
        recs = store.read_records(path, store.check_record)
    assert [r["trial_id"] for r in recs] == [0, 1]
    path.write_text(a + "\n" + b)                           # a complete record, no final newline: torn
    with pytest.warns(RuntimeWarning, match=r"\(no newline at the end \(partial write\): b'\{"):
        assert len(store.read_records(path)) == 1
    long = b'{"trial_id": 0}\n' + b"x" * 100
    records, good, problem = store._parse("p", long)
    assert good == 16 and problem.endswith(": " + repr(b"x" * 80))       # the torn line, cut at 80 bytes
    path.write_text(a + "\n[1, 2]\n")
    with pytest.raises(ValueError, match=r"line 2 is not a trial record \(a line must hold a JSON object, got list\)"):
        store.read_records(path)
    path.write_text("nonsense\n" + a + "\n")
    with pytest.raises(ValueError, match=r"^tune: results file .*r.jsonl line 1 is not a trial record"):
        store.read_records(path)
    path.write_text(a + "\n" + json.dumps({"trial_id": 1}) + "\n")       # last line, complete, not a record
    with pytest.raises(ValueError, match=r"line 2 is not a trial record \(the record lacks 'config'"):
        store.read_records(path, store.check_record)
    assert len(store.read_records(path)) == 2                              # without a check it is read


def test_results_file_open_cuts_a_torn_line_and_appends(tmp_path):
    path = tmp_path / "new" / "dir" / "r.jsonl"
    f = store.ResultsFile(path)
    assert f.open() == [] and path.exists()
    back = f.append({"trial_id": 0, "v": math.nan})
    f.close()
    f.close()
    assert math.isnan(back["v"]) and path.read_text() == '{"trial_id": 0, "v": NaN}\n'
    with open(path, "a") as h:
        h.write('{"trial_id": 1')
    with store.ResultsFile(path) as g:
        with pytest.warns(RuntimeWarning, match=r"it is cut off and that trial will run again"):
            assert [r["trial_id"] for r in g.open()] == [0]
        g.append({"trial_id": 2})
    assert path.read_text() == '{"trial_id": 0, "v": NaN}\n{"trial_id": 2}\n'
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with store.ResultsFile(path, check=None) as h:
            assert len(h.open()) == 2


def test_progress_tracks_best_and_failures(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with progress_mod.Progress(3, 1, "acc", True, "round 1/2", "max") as bar:
        bar.seen({"status": "ok", "metrics": {"acc": 0.5}})
        bar.update({"status": "failed"})
        bar.update({"status": "ok", "metrics": {"acc": 0.7}})
        bar.update({"status": "ok", "metrics": {"acc": 0.6}})
        assert bar.best == 0.7 and bar.failed == 1 and bar.n == 4
    err = capsys.readouterr().err
    assert err.split("\r")[1:] == ["round 1/2: 2/3 best acc=0.5 failed=1", "round 1/2: 3/3 best acc=0.7 failed=1",
                                   "round 1/2: 4/3 best acc=0.7 failed=1\n"]
    with progress_mod.Progress(2, 0, "cost", True) as bar:
        bar.update({"status": "ok", "metrics": {"cost": 2.0}})
        bar.update({"status": "ok", "metrics": {"cost": 1.0}})
        bar.update({"status": "failed"})
        assert bar.best == 1.0 and bar.mode == "min" and bar.desc == "trials"
    assert capsys.readouterr().err.split("\r")[1] == "trials: 1/2 best cost=2"
    with progress_mod.Progress(1, 0, "cost", False) as bar:
        bar.update({"status": "failed"})
    assert capsys.readouterr().err == ""
    with progress_mod.Progress(2, 0, "cost", True) as bar:
        bar.update({"status": "failed"})
        bar.update({"status": "failed"})
    assert capsys.readouterr().err == "\rtrials: 1/2  failed=1\rtrials: 2/2  failed=2\n"


def test_progress_with_tqdm_counts_from_initial(capsys):
    pytest.importorskip("tqdm")
    with progress_mod.Progress(4, 1, "cost", True, "round 2/3") as bar:
        bar.update({"status": "ok", "metrics": {"cost": 3.0}})
        assert bar._bar.n == 2 and bar._bar.total == 4
    err = capsys.readouterr().err
    assert "round 2/3" in err and "2/4" in err and "best cost=3" in err


def test_table_shows_twenty_rows_by_default():
    res = Results([rec(i, float(i)) for i in range(22)])
    lines = res.table().splitlines()
    assert len(lines) == 22 and lines[-1] == "... 2 more" and lines[20].split()[:2] == ["19", "19"]


def test_error_text_is_the_exception_then_its_traceback():
    def boom(config):
        raise ValueError("bad lr")

    err = run_trial(boom, 0, {}, "dev_cost")["error"]
    lines = err.splitlines()
    assert lines[:2] == ["ValueError: bad lr", "Traceback (most recent call last):"]
    assert lines[2].startswith('  File "') and lines[-1] == "ValueError: bad lr" and 'raise ValueError("bad lr")' in err


def test_every_field_is_checked_even_after_a_missing_optional_one():
    base = {"trial_id": 0, "config": {}, "status": "ok", "metrics": {}}
    with pytest.raises(store.RecordError, match=r"^'time' must be Real, got '1'$"):
        store.check_record({**base, "time": "1"})                      # no "error" field before it
    with pytest.raises(store.RecordError, match=r"^'round' must be Integral"):
        store.check_record({**base, "round": "0"})


def test_results_file_close_without_open_and_errors_name_the_file(tmp_path):
    store.ResultsFile(tmp_path / "never.jsonl").close()
    path = tmp_path / "bad.jsonl"
    path.write_text("nonsense\n{}\n")
    f = store.ResultsFile(path)
    with pytest.raises(ValueError, match=r"^tune: results file .*bad.jsonl line 1 is not a trial record"):
        f.open()
    good = tmp_path / "good.jsonl"
    g = store.ResultsFile(good)
    g.open()
    handle = g._f
    g.close()
    assert handle.closed


class _ItemOnly:
    """A scalar-like metric with item() but no size (e.g. from another array library)."""

    def item(self):
        return 0.5


class _SizeMethod(_ItemOnly):
    """item() and a size() method, but no numel(): its size is unknown (taken as one number inside a dict)."""

    def size(self):
        return ()

    def tolist(self):
        return [0.5]


def test_metrics_that_only_have_item_or_an_unknown_size():
    assert plain_metrics({"a": _ItemOnly()}, "x") == {"a": 0.5}
    assert plain_metrics({"a": _SizeMethod()}, "x") == {"a": 0.5}
    with pytest.raises(TypeError, match=r"train must return a dict of metrics"):
        plain_metrics(_ItemOnly(), "x")               # a bare value of unknown size is not a number


def test_results_file_context_lets_errors_through(tmp_path):
    with pytest.raises(KeyError):
        with store.ResultsFile(tmp_path / "r.jsonl") as f:
            f.open()
            raise KeyError("x")
    assert f._f is None


def test_a_trial_runs_in_a_named_daemon_thread_and_a_stuck_one_is_left_running():
    import threading

    seen = {}

    def where(_):
        seen["name"], seen["daemon"] = threading.current_thread().name, threading.current_thread().daemon
        return 1

    timeout.call_with_timeout(where, None, 5.0)
    assert seen == {"name": "minigrad-tune-trial", "daemon": True}
    start = time.monotonic()
    with pytest.raises(timeout.TrialTimeout, match=r"^the trial ran longer than trial_timeout=0.2 s; it could not be "
                                                   r"interrupted \(stuck inside a C call\) and is left running in a "
                                                   r"daemon thread$"):
        timeout.call_with_timeout(time.sleep, 2.5, 0.2)          # one C call: the interrupt waits for it
    assert time.monotonic() - start < 2.0


def test_a_file_that_is_only_a_torn_line_is_cut_to_nothing(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"trial_id": 0, "con')
    with store.ResultsFile(path) as f:
        with pytest.warns(RuntimeWarning, match="cut off"):
            assert f.open() == []
        f.append({"trial_id": 1})
    assert path.read_text() == '{"trial_id": 1}\n'


def test_an_empty_first_line_is_skipped():
    data = b'\n{"trial_id": 0}\n{"trial_id": 1}\n'
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        records, good, problem = store._parse("p", data)
    assert [r["trial_id"] for r in records] == [0, 1] and good == len(data) and problem is None


class _Tty:
    """A stderr that says it is a terminal and keeps what is written."""

    def __init__(self, tty=True):
        self.text, self.tty = "", tty

    def isatty(self):
        return self.tty

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def test_progress_by_default_shows_only_on_a_terminal(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    for err, shown in ((_Tty(True), True), (_Tty(False), False), (object(), False)):
        monkeypatch.setattr(sys, "stderr", err)
        with progress_mod.Progress(1, 0, "cost") as bar:
            bar.update({"status": "ok", "metrics": {"cost": 1.0}})
        assert (bar._plain, getattr(err, "text", "")) == ((True, "\rtrials: 1/1 best cost=1\n") if shown else
                                                         (False, ""))
