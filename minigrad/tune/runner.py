"""Running a planned list of trials: in this process, in local processes, or on any executor.

The plan (every trial's config) is fixed before anything runs, so the same search gives the
same trials whichever executor runs it and in whatever order they finish.  Finished trials are
appended to the results file as they complete; on a new run, trials already in the file are
taken from it instead of being run again.
"""
from __future__ import annotations

import concurrent.futures as cf
import functools
import json
import multiprocessing
import os
import pickle
import sys
from dataclasses import dataclass

from ._proc_pool import run_in_processes
from .progress import Progress
from .store import ResultsFile, check_record
from .timeout import check_timeout
from .trial import run_trial

__all__ = ["Planned", "run_plan", "make_executor"]


@dataclass
class Planned:
    """A trial to run: its id, its config (JSON values) and its coarse-to-fine round."""

    trial_id: int
    config: dict
    round: int = 0


def _as_json(config, trial_id):
    try:
        return json.loads(json.dumps(config))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"tune: trial {trial_id}'s config must hold only JSON values (numbers, strings, "
                        f"bools, None, lists, dicts) so it can be saved and sent to workers: {exc}. "
                        f"Pass data and other objects to train with functools.partial instead") from None


def _origin(fn):
    while isinstance(fn, functools.partial):
        fn = fn.func
    return getattr(fn, "__module__", None) if callable(fn) and hasattr(fn, "__qualname__") \
        else type(fn).__module__


def check_picklable(train) -> None:
    """Raise a clear ``TypeError`` if ``train`` cannot be sent to a spawned worker process."""
    advice = ("define it with `def` at the top level of an importable module (not a lambda, a nested "
              "function, or a function typed into an interactive session), or pass executor='sequential'")
    try:
        pickle.dumps(train)
    except Exception as exc:
        raise TypeError(f"tune: train={train!r} cannot be sent to worker processes ({type(exc).__name__}: "
                        f"{exc}); {advice}") from None
    main = sys.modules.get("__main__")
    if _origin(train) == "__main__" and not getattr(main, "__file__", None):
        raise TypeError(f"tune: train={train!r} is defined in an interactive session (__main__ has no file), "
                        f"so spawned worker processes cannot import it; {advice}")


def make_executor(max_workers=None):
    """The default executor: one spawned process per core (``spawn``, since CUDA cannot be forked)."""
    n = max_workers or os.cpu_count() or 1
    return cf.ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"))


def _known(records, plan, retry_failed):
    """Records from the file for planned trials (last one per id wins), after checking configs match."""
    wanted = {p.trial_id: p for p in plan}
    done = {}
    for rec in records:
        p = wanted.get(rec.get("trial_id"))
        if p is None:
            continue
        if rec.get("config") != p.config:
            raise ValueError(f"tune: the results file holds trial {p.trial_id} with config {rec.get('config')}, "
                             f"but this search plans {p.config}: the file was written by a different search "
                             f"(space, seed or strategy changed). Use another results_file or delete it")
        done[p.trial_id] = rec
    if retry_failed:
        done = {k: r for k, r in done.items() if r.get("status") == "ok"}
    return done


def run_plan(train, plan, *, objective, mode="min", executor=None, max_workers=None, results_file=None,
             progress=None, retry_failed=False, desc="trials", trial_timeout=None) -> list:
    """Run every planned trial not already in ``results_file``; return all their records.

    Parameters are those of :func:`minigrad.tune.random_search`.  Returns one record (dict)
    per planned trial, each as it reads back from JSON.
    """
    timeout = check_timeout(trial_timeout)
    plan = [Planned(p.trial_id, _as_json(p.config, p.trial_id), p.round) for p in plan]
    store = ResultsFile(results_file, check=check_record) if results_file is not None else None
    done = _known(store.open(), plan, retry_failed) if store else {}
    todo = [p for p in plan if p.trial_id not in done]
    try:
        with Progress(len(plan), len(plan) - len(todo), objective, progress, desc, mode) as bar:
            for rec in done.values():
                bar.seen(rec)

            def finish(rec):
                rec = store.append(rec) if store else json.loads(json.dumps(rec))
                done[rec["trial_id"]] = rec
                bar.update(rec)

            if todo:
                _run(train, todo, objective, executor, max_workers, finish, results_file, timeout)
    finally:
        if store:
            store.close()
    return [done[p.trial_id] for p in plan]


def _run(train, todo, objective, executor, max_workers, finish, results_file, timeout=None):
    if executor == "sequential":
        for p in todo:
            finish(run_trial(train, p.trial_id, p.config, objective, p.round, timeout))
        return
    if executor is None or executor == "processes":
        check_picklable(train)
        if timeout is not None:  # a process per trial, so that a hung one can be ended
            run_in_processes(train, todo, objective, timeout, min(max_workers or os.cpu_count() or 1, len(todo)),
                             finish)
            return
        ex, clean = make_executor(min(max_workers or os.cpu_count() or 1, len(todo))), False
        try:
            _run_on(ex, train, todo, objective, finish, results_file)
            clean = True
        finally:  # after a failure or Ctrl-C, do not wait for trials still running
            ex.shutdown(wait=clean, cancel_futures=True)
        return
    if not isinstance(executor, cf.Executor):
        raise TypeError(f"tune: executor must be None/'processes' (local processes), 'sequential', or a "
                        f"concurrent.futures.Executor (e.g. dask's Client.get_executor()), got {executor!r}")
    if isinstance(executor, cf.ProcessPoolExecutor):
        check_picklable(train)
    _run_on(executor, train, todo, objective, finish, results_file, timeout)


def _run_on(ex, train, todo, objective, finish, results_file, timeout=None):
    extra = () if timeout is None else (timeout,)  # executors see the old call when no timeout is set
    futures = {ex.submit(run_trial, train, p.trial_id, p.config, objective, p.round, *extra): p for p in todo}
    recorded = set()
    try:
        for fut in cf.as_completed(futures):
            try:
                rec = fut.result()
            except Exception as exc:  # run_trial catches train's errors: this is the executor failing
                _save_finished(futures, recorded, finish)
                p = futures[fut]
                saved = f"finished trials are saved in {results_file}; run the same search again to resume" \
                    if results_file else "pass results_file= to keep finished trials across such failures"
                raise RuntimeError(f"tune: the executor failed to run trial {p.trial_id} (config {p.config}): "
                                   f"{type(exc).__name__}: {exc}; {saved}") from exc
            recorded.add(fut)
            finish(rec)
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise


def _save_finished(futures, recorded, finish):
    """Record every trial that did finish, before giving up on the others."""
    for fut in futures:
        if fut not in recorded and fut.done() and not fut.cancelled() and fut.exception() is None:
            recorded.add(fut)
            finish(fut.result())
