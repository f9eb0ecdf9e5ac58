"""minigrad.tune results files: one line per finished trial, resume after a killed or interrupted
search without re-running finished trials, torn last lines, files from another search."""
import paths
import json
import os
import subprocess
import sys
import textwrap

import pytest

from minigrad import tune
import tune_objectives as obj

SPACE = {"lr": tune.log_uniform(1e-4, 1), "beta": tune.one_minus_log_uniform(0.9, 0.999)}
ROOT, TESTS = str(paths.ROOT), str(paths.SUPPORT)  # TESTS: where tune_objectives is


@pytest.fixture
def calls(tmp_path, monkeypatch):
    """A file that tune_objectives appends one line to per train call; returns a reader."""
    path = tmp_path / "calls.txt"
    monkeypatch.setenv("TUNE_TEST_CALLS", str(path))
    return lambda: path.read_text().splitlines() if path.exists() else []


def without_time(results):
    return [{k: v for k, v in t.to_dict().items() if k != "time"} for t in results]


def run(path, n=6, fn=tune.random_search, **kw):
    return fn(obj.quadratic, SPACE, n, seed=5, executor="sequential", progress=False, results_file=path, **kw)


def test_each_finished_trial_is_one_json_line(tmp_path, calls):
    path = tmp_path / "sub" / "runs.jsonl"
    res = run(path)
    lines = path.read_text().splitlines()
    assert len(lines) == 6 and sorted(json.loads(l)["trial_id"] for l in lines) == list(range(6))
    again = run(path)  # everything is in the file: nothing runs
    assert len(calls()) == 6 and without_time(again) == without_time(res)
    assert without_time(tune.load_results(path)) == without_time(res)


def test_resume_after_ctrl_c_runs_only_unfinished_trials(tmp_path, calls, monkeypatch):
    reference = run(tmp_path / "reference.jsonl")
    os.remove(os.environ["TUNE_TEST_CALLS"])
    path = tmp_path / "runs.jsonl"
    monkeypatch.setenv("TUNE_TEST_INTERRUPT_AT", "3")
    with pytest.raises(KeyboardInterrupt):
        run(path)
    assert len(path.read_text().splitlines()) == 3 and len(calls()) == 4
    monkeypatch.delenv("TUNE_TEST_INTERRUPT_AT")
    res = run(path)
    seeds = [str(t.config["seed"]) for t in sorted(reference, key=lambda t: t.trial_id)]
    # trials 0-2 ran once, trial 3 twice (interrupted, then again), 4-5 once
    assert calls() == seeds[:4] + seeds[3:]
    assert without_time(res) == without_time(reference)


def test_resume_after_the_search_process_is_killed(tmp_path, calls):
    path = tmp_path / "runs.jsonl"
    script = textwrap.dedent(f"""
        from minigrad import tune
        import tune_objectives as obj
        space = {{"lr": tune.log_uniform(1e-4, 1), "beta": tune.one_minus_log_uniform(0.9, 0.999)}}
        tune.random_search(obj.quadratic, space, 6, seed=5, executor="sequential", results_file={str(path)!r})
    """)
    env = {**os.environ, "TUNE_TEST_CRASH_AT": "2",
           "PYTHONPATH": os.pathsep.join([TESTS, ROOT, os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3, proc.stderr  # died in the middle of trial 2
    assert len(path.read_text().splitlines()) == 2 and len(calls()) == 3
    res = run(path)
    assert len(calls()) == 3 + 4  # trial 2 again, and 3, 4, 5
    assert sorted(t.trial_id for t in res) == list(range(6)) and all(t.ok for t in res)
    assert [t.metrics["dev_cost"] for t in res] == pytest.approx([obj.expected_cost(t.config) for t in res])


def test_a_torn_last_line_is_ignored_with_a_warning_and_cut_off(tmp_path, calls):
    path = tmp_path / "runs.jsonl"
    run(path, n=4)
    data = path.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    torn_id = json.loads(data[last_start:])["trial_id"]
    path.write_bytes(data[:last_start + 25])  # a partial write of the last trial
    with pytest.warns(RuntimeWarning, match="torn last line"):
        assert len(tune.load_results(path)) == 3
    with pytest.warns(RuntimeWarning, match="torn last line.*will run again"):
        res = run(path, n=4)
    assert len(calls()) == 5 and len(res) == 4
    records = [json.loads(line) for line in path.read_text().splitlines()]  # every line whole again
    assert len(records) == 4 and records[-1]["trial_id"] == torn_id


def test_a_damaged_middle_line_is_an_error(tmp_path):
    path = tmp_path / "runs.jsonl"
    run(path, n=3)
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], "{not json", lines[2]]) + "\n")
    with pytest.raises(ValueError, match=r"runs.jsonl line 2 is not a trial record"):
        run(path, n=3)


def test_a_file_from_another_search_is_refused(tmp_path):
    path = tmp_path / "runs.jsonl"
    run(path, n=3)
    with pytest.raises(ValueError, match="holds trial 0 with config .* written by a different search"):
        tune.random_search(obj.quadratic, SPACE, 3, seed=6, executor="sequential", results_file=path)


def test_failed_trials_are_not_rerun_unless_asked(tmp_path, calls):
    path = tmp_path / "runs.jsonl"
    first = tune.random_search(lambda c: {"dev_cost": float("nan")}, SPACE, 3, seed=5, executor="sequential",
                               results_file=path)
    assert len(first.failed) == 3
    assert len(run(path, n=3).failed) == 3 and calls() == []
    res = run(path, n=3, retry_failed=True)
    assert len(calls()) == 3 and len(res.ok) == 3
    assert len(path.read_text().splitlines()) == 6  # the file only grows; the last record wins
    assert len(tune.load_results(path).ok) == 3


def test_coarse_to_fine_resumes_mid_round(tmp_path, calls, monkeypatch):
    kw = dict(rounds=2, trials_per_round=4, top_k=2, seed=1, executor="sequential", progress=False)
    reference = tune.coarse_to_fine(obj.quadratic, SPACE, results_file=tmp_path / "ref.jsonl", **kw)
    os.remove(os.environ["TUNE_TEST_CALLS"])
    monkeypatch.setenv("TUNE_TEST_INTERRUPT_AT", "5")  # in round 2
    with pytest.raises(KeyboardInterrupt):
        tune.coarse_to_fine(obj.quadratic, SPACE, results_file=tmp_path / "runs.jsonl", **kw)
    monkeypatch.delenv("TUNE_TEST_INTERRUPT_AT")
    res = tune.coarse_to_fine(obj.quadratic, SPACE, results_file=tmp_path / "runs.jsonl", **kw)
    assert len(calls()) == 6 + 3  # 5 finished + the interrupted one, then trial 5 again and 6, 7
    assert without_time(res) == without_time(reference) and res.spaces == reference.spaces
