"""Designs for the update the compiled mode replays: one Adam step over the 784-256-256-10 MLP's
269,322 float32 parameters, each design against the hand-written NumPy update of
bench_mlp_epoch.py (12 ``out=`` ufunc passes per tensor) in the same run.

* ``per tensor``: minigrad's Adam, one kernel call per parameter (eager, and ``mg.compile``
  without ``fused``);
* ``fused``: ``Adam(fused=True)``: the same kernel once over flat arrays (what a compiled step
  with a fused optimizer replays);
* ``fused, 2 threads``: that flat update split in two halves run by two threads (NumPy releases
  the GIL inside ufunc loops);
* ``numexpr``: the update as three numexpr expressions (multi-threaded, one pass each), where
  numexpr is installed -- the fusion issue 17 suggested for ``minigrad[fast]``.

Run: python benchmarks/bench_fusion.py [--rounds 7]
"""
from __future__ import annotations

import argparse
import statistics
import threading
import time

import numpy as np

import minigrad as mg
import optim

SHAPES = [(256, 784), (256,), (256, 256), (256,), (10, 256), (10,)]


def _tensors(seed=0):
    rng = np.random.default_rng(seed)
    ps = [mg.tensor(rng.standard_normal(s, dtype=np.float32), requires_grad=True) for s in SHAPES]
    gs = [rng.standard_normal(s, dtype=np.float32) for s in SHAPES]
    return ps, gs


def minigrad_side(fused):
    ps, gs = _tensors()
    opt = optim.Adam(ps, lr=1e-3, fused=fused)
    grads = None
    if fused:  # gradients laid out as the compiled mode lays them out: one array, parameter order
        flat = np.concatenate([g.ravel() for g in gs])
        grads, o = [], 0
        for g in gs:
            grads.append(flat[o:o + g.size].reshape(g.shape))
            o += g.size
    else:
        grads = gs
    for p, g in zip(ps, grads):
        p.grad = mg.Tensor.wrap(g, device="cpu")
    return opt.step


class ThreadedFlat:
    """The flat update in two halves, one per thread, with the same arithmetic as the kernel."""

    def __init__(self):
        n = sum(int(np.prod(s)) for s in SHAPES)
        rng = np.random.default_rng(0)
        self.p, self.g = rng.standard_normal(n, dtype=np.float32), rng.standard_normal(n, dtype=np.float32)
        self.m, self.v, self.t = np.zeros(n, np.float32), np.zeros(n, np.float32), np.empty(n, np.float32)
        half = n // 2
        self.parts = [slice(0, half), slice(half, n)]
        self.step_count = 0

    def _half(self, sl, c):
        p, g, m, v, t = self.p[sl], self.g[sl], self.m[sl], self.v[sl], self.t[sl]
        b1, c1, b2, c2, lr_t, eps_hat = c
        np.multiply(m, b1, out=m)
        np.multiply(g, c1, out=t)
        np.add(m, t, out=m)
        np.multiply(v, b2, out=v)
        np.multiply(g, g, out=t)
        np.multiply(t, c2, out=t)
        np.add(v, t, out=v)
        np.sqrt(v, out=t)
        np.add(t, eps_hat, out=t)
        np.divide(m, t, out=t)
        np.multiply(t, lr_t, out=t)
        np.subtract(p, t, out=p)

    def __call__(self):
        self.step_count += 1
        k = self.step_count
        c2s = np.sqrt(1 - 0.999 ** k)
        c = tuple(np.float32(a) for a in (0.9, 0.1, 0.999, 0.001, 1e-3 * c2s / (1 - 0.9 ** k), 1e-8 * c2s))
        other = threading.Thread(target=self._half, args=(self.parts[1], c))
        other.start()
        self._half(self.parts[0], c)
        other.join()


class NumpyReference(ThreadedFlat):
    def __call__(self):
        self.step_count += 1
        k = self.step_count
        c2s = np.sqrt(1 - 0.999 ** k)
        c = tuple(np.float32(a) for a in (0.9, 0.1, 0.999, 0.001, 1e-3 * c2s / (1 - 0.9 ** k), 1e-8 * c2s))
        self._half(slice(None), c)


def numexpr_side():
    import numexpr as ne

    ref = NumpyReference()
    p, g, m, v = ref.p, ref.g, ref.m, ref.v

    arrays = {"p": p, "g": g, "m": m, "v": v}

    def step():
        ne.evaluate("m * 0.9 + g * 0.1", local_dict=arrays, out=m, casting="same_kind")
        ne.evaluate("v * 0.999 + g * g * 0.001", local_dict=arrays, out=v, casting="same_kind")
        ne.evaluate("p - 0.001 * m / (sqrt(v) + 1e-8)", local_dict=arrays, out=p, casting="same_kind")

    return step


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--steps", type=int, default=100)
    args = ap.parse_args(argv)
    sides = {"numpy (reference)": NumpyReference(), "per tensor": minigrad_side(False),
             "fused": minigrad_side(True), "fused, 2 threads": ThreadedFlat()}
    try:
        sides["numexpr"] = numexpr_side()
    except ImportError:
        print("numexpr is not installed: its side is left out")
    times = {k: [] for k in sides}
    for _ in range(args.rounds):
        for k, f in sides.items():
            f()
            t0 = time.perf_counter()
            for _ in range(args.steps):
                f()
            times[k].append((time.perf_counter() - t0) / args.steps * 1e6)
    ref = statistics.median(times["numpy (reference)"])
    print(f"one Adam step over {sum(int(np.prod(s)) for s in SHAPES):,} float32 parameters in {len(SHAPES)} tensors, "
          f"median of {args.rounds} rounds of {args.steps}:")
    for k, v in times.items():
        print(f"  {k:>18s}: {statistics.median(v):7.1f} us, {statistics.median(v) / ref:.2f}x the reference")


if __name__ == "__main__":
    main()
