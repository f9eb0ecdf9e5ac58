"""One spawned process per trial, so that a trial past its deadline can be ended for sure.

A ``ProcessPoolExecutor`` cannot stop one running task; here every trial gets its own process
(``spawn``, as in :func:`minigrad.tune.runner.make_executor`), its record comes back through a
pipe, and a process that passes ``trial_timeout`` is terminated (then killed) and its trial
recorded as failed.  A process that dies without a record (killed, ``os._exit``) is recorded as
failed too, with its exit code, and the search goes on.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import time

from .trial import Trial, run_trial

__all__ = ["ProcessPerTrial", "run_in_processes"]


def _child(conn, train, trial_id, config, objective, round):
    try:
        conn.send(run_trial(train, trial_id, config, objective, round))
    finally:
        conn.close()


class ProcessPerTrial:
    """Runs planned trials, at most ``max_workers`` processes at a time, each ended at ``timeout`` s."""

    def __init__(self, train, objective, timeout, max_workers):
        self.ctx = multiprocessing.get_context("spawn")
        self.train, self.objective, self.timeout, self.n = train, objective, timeout, max(1, max_workers)
        self.running = {}  # trial_id -> (planned, process, connection, start time)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for _, proc, conn, _ in self.running.values():  # after an error or Ctrl-C: end what still runs
            self._end(proc)
            conn.close()
        self.running.clear()
        return False

    def run(self, todo, finish):
        """Run every planned trial in ``todo``, calling ``finish(record)`` as each one ends."""
        queue = list(todo)
        while queue or self.running:
            while queue and len(self.running) < self.n:
                self._start(queue.pop(0))
            self._wait()
            for record in self._collect():
                finish(record)

    def _start(self, p):
        recv, send = self.ctx.Pipe(duplex=False)
        proc = self.ctx.Process(target=_child, args=(send, self.train, p.trial_id, p.config, self.objective,
                                                     p.round), daemon=True, name=f"minigrad-tune-trial-{p.trial_id}")
        proc.start()
        send.close()
        self.running[p.trial_id] = (p, proc, recv, time.monotonic())

    def _wait(self):
        now = time.monotonic()
        left = min(start + self.timeout - now for _, _, _, start in self.running.values())
        handles = [c for _, _, c, _ in self.running.values()] + [p.sentinel for _, p, _, _ in self.running.values()]
        multiprocessing.connection.wait(handles, timeout=max(0.0, min(left, 1.0)))

    def _collect(self):
        done = []
        for tid, (p, proc, conn, start) in list(self.running.items()):
            record = self._read(conn)
            if record is None and proc.is_alive() and time.monotonic() - start <= self.timeout:
                continue
            if record is None and proc.is_alive():
                self._end(proc)
                record = self._failed(p, f"TrialTimeout: the trial ran longer than trial_timeout={self.timeout:g} s; "
                                         "its process was ended", self.timeout)
            elif record is None:
                proc.join()
                record = self._failed(p, f"the trial's process exited with code {proc.exitcode} without a result "
                                         "(killed, out of memory, or os._exit)", time.monotonic() - start)
            else:
                proc.join(5)
            conn.close()
            del self.running[tid]
            done.append(record)
        return done

    @staticmethod
    def _read(conn):
        try:
            return conn.recv() if conn.poll() else None
        except (EOFError, OSError):
            return None

    @staticmethod
    def _end(proc):
        if proc.is_alive():
            proc.terminate()
            proc.join(1.0)
        if proc.is_alive():
            proc.kill()
            proc.join()

    @staticmethod
    def _failed(p, error, seconds):
        return Trial(trial_id=p.trial_id, config=p.config, status="failed", error=error, time=seconds,
                     round=p.round).to_dict()


def run_in_processes(train, todo, objective, timeout, max_workers, finish):
    """Run ``todo`` (Planned trials), each in its own spawned process, ending those past ``timeout``."""
    with ProcessPerTrial(train, objective, timeout, max_workers) as pool:
        pool.run(todo, finish)
