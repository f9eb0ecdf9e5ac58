"""``mg.compile`` on small steps: the fixed cost of a step, and what a replay allocates.

1. **Tiny net** (8-8-8-4 ReLU MLP, batch 16, cross-entropy, Adam): almost no array work, so the
   time of a step is the library's own cost.  Timed: eager, compiled, compiled with
   ``Adam(fused=True)``, and hand-written NumPy doing the same step (forward, the course's
   backward, the Kingma & Ba Adam of bench_mlp_epoch.py) as the anchor.  Issue 17's target: a
   compiled step at most 30 us (eager was about 130 us on this kind of machine).
2. **Allocations per replay**: NumPy reports its data buffers to ``tracemalloc`` (under
   ``np.lib.tracemalloc_domain``); the bytes a replay allocates there, net of the returned loss,
   for the tiny net and for the 784-256-256-10 MLP at batch 64, the peak of the arrays a replay
   makes and frees, and which operations make them.  Target: zero.  (With ``zero_grad()`` setting the
   gradients to None, a replay makes them anew as one flat array, as eager makes new ones, so that
   gradients kept from earlier calls keep their values: that array is the one expected.)

Each timing is the median of several rounds, all sides timed in turn in each round (same machine
state).  ``--clock cpu`` times process CPU time (use it on a shared machine).

Run: python benchmarks/bench_compile.py [--rounds 5] [--clock cpu]
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import statistics
import time
import tracemalloc

import numpy as np

import minigrad as mg
import nn
import optim

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the epoch benchmark beside this file
from bench_mlp_epoch import NumpyMLP  # noqa: E402

SIZES = (8, 8, 8, 4)
BATCH = 16


def _model(sizes, fused, seed=0):
    mg.manual_seed(seed)
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    return model, optim.Adam(model.parameters(), lr=1e-3, fused=fused)


def make_step(sizes=SIZES, fused=False, compiled=True):
    """A training step as a PyTorch user writes it, optionally under mg.compile."""
    model, opt = _model(sizes, fused)
    loss_fn = nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return mg.compile(step) if compiled else step


class NumpyStep:
    """The same tiny step in hand-written NumPy (weights (out, in), ReLU, softmax cross-entropy,
    dZ = (A - Y) / m, Adam in Kingma & Ba's form with out= ufuncs)."""

    def __init__(self, sizes=SIZES, seed=0):
        rng = np.random.default_rng(seed)
        self.p = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            self.p += [rng.standard_normal((b, a), dtype=np.float32) * np.float32(np.sqrt(2 / a)),
                       np.zeros(b, np.float32)]
        self.m = [np.zeros_like(a) for a in self.p]
        self.v = [np.zeros_like(a) for a in self.p]
        self.tmp = [np.empty_like(a) for a in self.p]
        self.t = 0

    def __call__(self, x, y):
        ws, bs = self.p[0::2], self.p[1::2]
        acts, zs = [x], []
        for i, (w, b) in enumerate(zip(ws, bs)):
            z = acts[-1] @ w.T
            z += b
            zs.append(z)
            acts.append(np.maximum(z, 0) if i < len(ws) - 1 else z)
        z = acts[-1] - acts[-1].max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        rows = np.arange(len(y))
        loss = float(np.log(s).mean() - z[rows, y].mean())
        dz = e / s
        dz[rows, y] -= 1
        dz *= 1.0 / len(y)
        grads = [None] * len(self.p)
        for i in range(len(ws) - 1, -1, -1):
            grads[2 * i], grads[2 * i + 1] = dz.T @ acts[i], dz.sum(axis=0)
            if i:
                dz = dz @ ws[i]
                dz *= zs[i - 1] > 0
        self._adam(grads)
        return loss

    _adam = NumpyMLP.adam  # the same update as the epoch benchmark's NumPy side (lr 1e-3)


def time_sides(sides, args_of, n, rounds, clock):
    """Median microseconds per call of each side over ``rounds`` rounds of ``n`` calls."""
    for f in sides.values():
        for _ in range(5):
            f(*args_of(f))
    per = {k: [] for k in sides}
    for _ in range(rounds):
        for k, f in sides.items():
            a = args_of(f)
            gc.disable()
            t0 = clock()
            for _ in range(n):
                f(*a)
            per[k].append((clock() - t0) / n * 1e6)
            gc.enable()
    return {k: statistics.median(v) for k, v in per.items()}


def replay_allocations(step, x, y, calls=20):
    """Bytes NumPy allocated (net, at the end of ``calls`` replays, and the peak above the start)
    in the replays of a warmed-up compiled step, less the returned losses."""
    for _ in range(4):
        step(x, y)
    held = []
    tracemalloc.start()
    before = _numpy_bytes()
    tracemalloc.reset_peak()
    for _ in range(calls):
        held.append(step(x, y))  # each returned loss is a 0-d copy: counted and taken off below
    after = _numpy_bytes()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    returned = sum(t.numpy().nbytes for t in held)
    return after - before - returned, peak


def _numpy_bytes():
    snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.DomainFilter(True, np.lib.tracemalloc_domain)])
    return sum(stat.size for stat in snap.statistics("filename"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    args = ap.parse_args(argv)
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    rng = np.random.default_rng(0)
    xa, ya = rng.standard_normal((BATCH, SIZES[0]), dtype=np.float32), rng.integers(0, SIZES[-1], BATCH)
    x, y = mg.tensor(xa), mg.tensor(ya)
    sides = {"numpy": NumpyStep(), "eager": make_step(compiled=False), "compiled": make_step(),
             "compiled, Adam(fused=True)": make_step(fused=True)}
    us = time_sides(sides, lambda f: (xa, ya) if isinstance(f, NumpyStep) else (x, y), args.calls, args.rounds,
                    clock)
    print(f"tiny net {'-'.join(map(str, SIZES))}, batch {BATCH}, Adam, {args.clock}-clock us per step "
          f"(median of {args.rounds} rounds of {args.calls}):")
    for k, v in us.items():
        note = " (target <= 30 us)" if k.startswith("compiled") else ""
        print(f"  {k:>28s}: {v:7.1f} us, {v / us['numpy']:.2f}x NumPy's{note}")
    for sizes, batch in ((SIZES, BATCH), ((784, 256, 256, 10), 64)):
        step = make_step(sizes, fused=True)
        xb = mg.tensor(rng.standard_normal((batch, sizes[0]), dtype=np.float32))
        yb = mg.tensor(rng.integers(0, sizes[-1], batch))
        net, peak = replay_allocations(step, xb, yb)
        print(f"allocations per replay, {'-'.join(map(str, sizes))} batch {batch}: {net / 20:.0f} bytes net per "
              f"replay (target 0; the gradients' array the last replay left in .grad counts here), peak {peak} "
              f"bytes above the start over 20 replays "
              f"(planned buffers: {step.programs()[0].buffer_bytes} bytes)")
        print(f"  still new arrays on each replay: {', '.join(step.programs()[0].allocating)}")


if __name__ == "__main__":
    main()
