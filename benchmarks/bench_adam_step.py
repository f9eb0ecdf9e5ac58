"""One Adam step over 1M float32 parameters in 10 tensors: optim.Adam vs hand-written NumPy.

Both sides update the same shapes in place with the same gradients, in the same process, timed
alternately (so both see the same machine state); the figure is the median of the per-round
ratios.  The NumPy reference is what a careful NumPy user writes: every operation in place with
``out=`` into one preallocated scratch buffer (shared by the tensors, as optim's is), in Kingma & Ba's form
``p -= lr_t * m / (sqrt(v) + eps_hat)`` (the cheapest; a textbook variant that divides by the bias
corrections separately is timed too).  Target: optim.Adam at most 1.2x the reference.

``--device cuda`` runs both sides on CuPy: optim.Adam's fused kernel (one launch per tensor)
against the same hand-written in-place update in CuPy ufuncs (12 launches per tensor), each
timing ended by a device synchronisation.

Run: python benchmarks/bench_adam_step.py [--rounds N] [--device cpu|cuda]
"""
from __future__ import annotations

import argparse
import gc
import math
import statistics
import time

import numpy as np

import minigrad as mg
import optim

SHAPES = [(250, 400)] * 10  # 10 tensors, 1,000,000 parameters
LR, BETA1, BETA2, EPS = 1e-3, 0.9, 0.999, 1e-8


class NumpyAdam:
    """Hand-written in-place Adam over lists of float32 arrays (of NumPy, or of CuPy: ``xp``)."""

    def __init__(self, params, textbook=False, xp=np):
        self.params, self.t, self.textbook = params, 0, textbook
        self.m = [xp.zeros_like(p) for p in params]
        self.v = [xp.zeros_like(p) for p in params]
        scratch = xp.empty(max(p.size for p in params), xp.float32)  # one buffer, reused by every tensor
        self.tmp = [scratch[:p.size].reshape(p.shape) for p in params]
        self.xp = xp

    def step(self, grads):
        self.t += 1
        bc1, bc2 = 1 - BETA1 ** self.t, 1 - BETA2 ** self.t
        lr_t, eps_hat = LR * math.sqrt(bc2) / bc1, EPS * math.sqrt(bc2)
        xp = self.xp  # NumPy or CuPy: the same calls
        for p, g, m, v, t in zip(self.params, grads, self.m, self.v, self.tmp):
            xp.multiply(m, BETA1, out=m)                  # m = b1 m + (1 - b1) g
            xp.multiply(g, 1 - BETA1, out=t)
            xp.add(m, t, out=m)
            xp.multiply(v, BETA2, out=v)                  # v = b2 v + (1 - b2) g^2
            xp.multiply(g, g, out=t)
            xp.multiply(t, 1 - BETA2, out=t)
            xp.add(v, t, out=v)
            xp.sqrt(v, out=t)
            if self.textbook:                             # m_hat / (sqrt(v_hat) + eps)
                xp.divide(t, math.sqrt(bc2), out=t)
                xp.add(t, EPS, out=t)
                xp.divide(m, t, out=t)
                xp.multiply(t, LR / bc1, out=t)
            else:                                         # lr_t m / (sqrt(v) + eps_hat)
                xp.add(t, eps_hat, out=t)
                xp.divide(m, t, out=t)
                xp.multiply(t, lr_t, out=t)
            xp.subtract(p, t, out=p)


def _timed(fn, sync):
    gc.disable()
    sync()
    t0 = time.perf_counter()
    fn()
    sync()
    dt = time.perf_counter() - t0
    gc.enable()
    return dt


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--device", default="cpu", help="cpu (NumPy) or cuda (CuPy on a GPU)")
    args = ap.parse_args(argv)
    dev = mg.device(args.device)  # raises the usual clear error where CUDA is missing
    if dev.type == "cuda":
        import cupy as xp  # the library itself (dev.xp is its Array API wrapper), for out= ufuncs

        sync = xp.cuda.Device().synchronize
    else:
        xp, sync = np, (lambda: None)
    rng = np.random.default_rng(0)
    init = [rng.standard_normal(s, dtype=np.float32) for s in SHAPES]
    grads_host = [rng.standard_normal(s, dtype=np.float32) for s in SHAPES]
    grads = [xp.asarray(g) for g in grads_host]

    params = [mg.tensor(a, requires_grad=True, device=dev) for a in init]
    for p, g in zip(params, grads_host):
        p.grad = mg.tensor(g, device=dev)
    opt = optim.Adam(params, lr=LR, betas=(BETA1, BETA2), eps=EPS)
    ref = NumpyAdam([xp.array(a, copy=True) for a in init], xp=xp)
    textbook = NumpyAdam([xp.array(a, copy=True) for a in init], textbook=True, xp=xp)

    for _ in range(3):  # warm-up (and CuPy's kernel compilation), the same three steps on every side
        opt.step(), ref.step(grads), textbook.step(grads)
    diff = max(float(np.max(np.abs(p.numpy() - dev.to_numpy(q)))) for p, q in zip(params, ref.params))
    sides = {"optim.Adam": opt.step, "numpy (Kingma-Ba)": lambda: ref.step(grads),
             "numpy (textbook)": lambda: textbook.step(grads)}
    times = {k: [] for k in sides}
    for r in range(args.rounds):
        order = list(sides) if r % 2 == 0 else list(sides)[::-1]
        for k in order:
            times[k].append(_timed(sides[k], sync))
    med = {k: statistics.median(v) for k, v in times.items()}
    n = sum(math.prod(s) for s in SHAPES)
    library = "cupy" if dev.type == "cuda" else "numpy"
    print(f"Adam step, {n:,} float32 parameters in {len(SHAPES)} tensors on {dev}, median of {args.rounds} rounds "
          f"({library} {xp.__version__}; the reference sides are hand-written {library})")
    for k, v in med.items():
        print(f"   {k:20s} {v * 1e3:7.3f} ms")
    ratio_kb = statistics.median(a / b for a, b in zip(times["optim.Adam"], times["numpy (Kingma-Ba)"]))
    ratio_tb = statistics.median(a / b for a, b in zip(times["optim.Adam"], times["numpy (textbook)"]))
    print(f"   ratio vs numpy (Kingma-Ba form): {ratio_kb:.3f}x   vs textbook form: {ratio_tb:.3f}x   "
          f"(target <= 1.2x)")
    print(f"   max |optim - numpy| after 3 steps: {diff:.2e}")


if __name__ == "__main__":
    main()
