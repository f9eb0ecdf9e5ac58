"""Train functions for the minigrad.tune tests, in an importable module so spawned worker
processes (and a killed subprocess) can load them by name.

Environment variables steer the bookkeeping (they reach spawned workers, and unlike config
entries they do not change the search's plan):

* ``TUNE_TEST_CALLS``: a file; every call appends one line (the trial's seed).
* ``TUNE_TEST_PIDS``: a file; every call appends the id of the process it ran in.
* ``TUNE_TEST_CRASH_AT``: call number k (from 0) is logged, then the process dies at once
  (``os._exit(3)``) in the middle of that trial, as a killed search would.
* ``TUNE_TEST_INTERRUPT_AT``: same, but raises ``KeyboardInterrupt`` (Ctrl-C).
"""
from __future__ import annotations

import math
import os

LR_OPT, ONE_MINUS_BETA_OPT = 10 ** -2.5, 10 ** -2.0


def expected_cost(config):
    """The oracle for :func:`quadratic`: a bowl in (log10 lr, log10(1 - beta)), minimum at (-2.5, -2)."""
    return (math.log10(config["lr"]) + 2.5) ** 2 + (math.log10(1 - config["beta"]) + 2.0) ** 2


def _count_call(config):
    """Log the call; then die or raise if this is call number CRASH_AT / INTERRUPT_AT (from 0)."""
    if os.environ.get("TUNE_TEST_PIDS"):
        with open(os.environ["TUNE_TEST_PIDS"], "a") as f:
            f.write(f"{os.getpid()}\n")
    path = os.environ.get("TUNE_TEST_CALLS")
    if not path:
        return
    with open(path, "a+") as f:
        f.seek(0)
        n = len(f.read().splitlines())
        f.write(f"{config.get('seed')}\n")
    if str(n) == os.environ.get("TUNE_TEST_CRASH_AT"):
        os._exit(3)
    if str(n) == os.environ.get("TUNE_TEST_INTERRUPT_AT"):
        raise KeyboardInterrupt


def quadratic(config):
    """A cheap synthetic objective with a known optimum (see :func:`expected_cost`)."""
    _count_call(config)
    return {"dev_cost": expected_cost(config), "train_cost": 0.5 * expected_cost(config)}


def seeded_minigrad(config):
    """Uses minigrad with the per-trial seed; raises for act='boom', returns NaN for lr > 0.1.

    dev_cost = mean((w - target)**2) for w drawn from a local Generator seeded by config['seed'],
    so the result depends on the seed and must be the same in every process.
    """
    import minigrad as mg

    _count_call(config)
    if config.get("act") == "boom":
        raise ValueError("activation 'boom' does not exist")
    if config["lr"] > 0.1:
        return {"dev_cost": float("nan"), "accuracy": 0.1}
    g = mg.Generator(device="cpu", seed=config["seed"])
    w = mg.randn(8, generator=g, dtype=mg.float64)
    cost = ((w - math.log10(config["lr"])) ** 2).mean()
    return {"dev_cost": cost, "accuracy": 1.0 / (1.0 + cost.item())}


def sleepy(config):
    """Hangs in one C call (``time.sleep(config["sleep"])``) when ``sleep`` > 0, else returns at once."""
    import time

    _count_call(config)
    if config["sleep"]:
        time.sleep(config["sleep"])
    return {"dev_cost": float(config["x"])}


def spinning(config):
    """Hangs in a Python loop (``sleep`` seconds in 10 ms steps) when ``sleep`` > 0."""
    import time

    _count_call(config)
    end = time.monotonic() + config["sleep"]
    while time.monotonic() < end:
        time.sleep(0.01)
    return {"dev_cost": float(config["x"])}
