"""The oracle for the compiled-mode tests (tests/minigrad/compiler/): the same step run eagerly.

A *setup* is built by a function ``build() -> Setup`` from the global seed, so two calls build
identical models and optimizers.  ``run_twins`` runs the step eagerly from one build, then
reseeds and runs it through ``mg.compile`` from a second build (one after the other, never
interleaved: dropout draws from the global generator, and both runs must see the same numbers),
on the same list of batches, and returns both runs' per-step results and final states.
``assert_same_run`` compares them bit for bit (``np.array_equal``): every result, every
parameter, every buffer (BatchNorm running statistics) and every optimizer state entry.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

import minigrad as mg

SEED = 1234

__all__ = ["SEED", "Setup", "Run", "mlp_batches", "run_twins", "assert_same_run", "assert_same_results", "state_of",
           "host"]


@dataclass
class Setup:
    """``step(x, y)`` does one training step and returns what it returns; ``after(i)`` runs after
    step i outside it (a scheduler stepped between calls); ``model``/``opt`` are read for the state."""

    step: Callable
    model: object
    opt: object = None
    after: Callable = None
    extra: dict = field(default_factory=dict)


@dataclass
class Run:
    results: list
    state: dict
    fn: object


def host(x):
    """A step's result as plain Python/NumPy, copied (Tensors -> arrays, tuples, dicts)."""
    if isinstance(x, mg.Tensor):
        return np.array(x.numpy(), copy=True)
    if isinstance(x, (tuple, list)):
        return type(x)(host(a) for a in x)
    if isinstance(x, dict):
        return {k: host(v) for k, v in x.items()}
    return x


def state_of(setup):
    """Every array of the setup: parameters, buffers, optimizer state entries (and the lrs)."""
    out = {}
    for name, p in setup.model.named_parameters():
        out["param " + name] = np.array(p.numpy(), copy=True)
        out["grad " + name] = None if p.grad is None else np.array(p.grad.numpy(), copy=True)
    for name, b in setup.model.named_buffers():
        out["buffer " + name] = np.array(b.numpy(), copy=True)
    if setup.opt is not None:
        params = [p for g in setup.opt.param_groups for p in g["params"]]
        for i, p in enumerate(params):
            for key, v in setup.opt.state.get(p, {}).items():
                out[f"opt state {i} {key}"] = host(v)
        for i, g in enumerate(setup.opt.param_groups):
            out[f"group {i} lr"] = g["lr"]
    return out


def mlp_batches(n, batch, n_in, n_out, seed=0, dtype="float64"):
    """``n`` (x, y) batches of fixed shapes: x standard normal, y integer labels in [0, n_out)."""
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((batch, n_in)).astype(dtype), rng.integers(0, n_out, batch)) for _ in range(n)]


def _one_run(build, batches, steps, compiled, compile_kwargs):
    mg.manual_seed(SEED)
    setup = build()
    fn = mg.compile(setup.step, **compile_kwargs) if compiled else setup.step
    results = []
    for i in range(steps):
        x, y = batches[i % len(batches)]
        out = host(fn(mg.tensor(x), mg.tensor(y)))
        if setup.after is not None:
            setup.after(i)
        lrs = tuple(g["lr"] for g in setup.opt.param_groups) if setup.opt is not None else ()
        results.append((out, lrs))
    return Run(results, state_of(setup), fn)


def run_twins(build, batches, steps=50, **compile_kwargs):
    """(eager run, compiled run) of ``steps`` steps from the same seed over ``batches``; each run's
    ``results`` holds, per step, (what the step returned, the learning rates after the step)."""
    eager = _one_run(build, batches, steps, False, compile_kwargs)
    compiled = _one_run(build, batches, steps, True, compile_kwargs)
    return eager, compiled


def _assert_equal(a, b, where):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), f"{where}: {type(a)} vs {type(b)}"
        assert a.dtype == b.dtype and a.shape == b.shape, f"{where}: {a.dtype}{a.shape} vs {b.dtype}{b.shape}"
        if not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
            diff = np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)), initial=0.0)
            raise AssertionError(f"{where}: eager and compiled differ (max abs difference {diff:.3g})")
    elif isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b), f"{where}: {a!r} vs {b!r}"
        for i, (p, q) in enumerate(zip(a, b)):
            _assert_equal(p, q, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), f"{where}: keys {sorted(a)} vs {sorted(b)}"
        for k in a:
            _assert_equal(a[k], b[k], f"{where}[{k!r}]")
    else:
        assert a == b, f"{where}: eager {a!r}, compiled {b!r}"


def assert_same_results(eager, compiled, where="results"):
    _assert_equal(eager, compiled, where)


def assert_same_run(eager, compiled, min_replays=None):
    """Bit-for-bit equal results and final states; the compiled run really replayed."""
    for i, (a, b) in enumerate(zip(eager.results, compiled.results)):
        _assert_equal(a, b, f"step {i} result")
    assert len(eager.results) == len(compiled.results)
    _assert_equal(eager.state, compiled.state, "final state")
    if min_replays is not None:
        stats = compiled.fn.stats
        assert stats.replays >= min_replays, f"only {stats.replays} replays: {stats!r}"
