"""Per-trial time limits: a trial that runs longer than ``trial_timeout`` seconds fails, and the search goes on.

Two mechanisms, chosen by where trials run:

* local processes (``executor=None`` / ``"processes"``): each trial runs in its own spawned
  process (``minigrad.tune._proc_pool.run_in_processes``), at most ``max_workers`` at a time; one that passes its
  deadline is terminated (SIGTERM, then SIGKILL after a second) and recorded as failed.  The
  trial is really ended, even when it is stuck in C code.  The deadline counts from the start
  of the process, so it includes importing minigrad there (about a second).
* in this process (``"sequential"``) or on any other executor (Dask, thread pools): the trial
  runs in a daemon thread of the process the executor picked (:func:`call_with_timeout`); at
  the deadline a :class:`TrialTimeout` exception is raised inside that thread (which ends it at
  its next Python bytecode: loops, ``time.sleep`` in small steps, minigrad ops), and the record
  is returned at once either way, so the executor's slot is free again.  A thread stuck inside
  a single C call cannot be interrupted; the record then says it was left running.
"""
from __future__ import annotations

import ctypes
import math
import numbers
import threading

__all__ = ["TrialTimeout", "check_timeout", "call_with_timeout"]


class TrialTimeout(Exception):
    """A trial ran longer than its ``trial_timeout``."""


def check_timeout(value, fn="tune"):
    """``value`` is None or a finite number of seconds > 0; returns it as a float (or None)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{fn}: trial_timeout must be None or a number of seconds > 0, got {value!r}")
    return float(value)


def _async_raise(thread):
    """Raise TrialTimeout inside ``thread`` at its next bytecode; True if it was scheduled."""
    n = ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(TrialTimeout))
    return n == 1


def call_with_timeout(fn, arg, timeout, grace=1.0):
    """``fn(arg)`` in a daemon thread; its result, or raise its exception, or TrialTimeout.

    The TrialTimeout message says whether the thread was ended or is still running.
    """
    box = {}

    def target():
        try:
            box["result"] = fn(arg)
        except BaseException as exc:  # handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=target, name="minigrad-tune-trial", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        scheduled = _async_raise(thread)
        thread.join(min(grace, timeout))
        fate = ("it was interrupted and ended" if scheduled and not thread.is_alive() else
                "it could not be interrupted (stuck inside a C call) and is left running in a daemon thread")
        raise TrialTimeout(f"the trial ran longer than trial_timeout={timeout:g} s; {fate}")
    if "error" in box:
        raise box["error"]
    return box["result"]
