"""Core engine speed, as ratios against hand-written NumPy doing the same work in this process.

1. A 784-256-256-10 ReLU MLP training step (forward, softmax cross-entropy, backward, plain
   gradient-descent update), float32, batch 64 and 512, written with raw Tensor ops: composed
   (``x @ W.T + b``, ``log_softmax``, a one-hot product) and with the fused core ops
   (``mg.linear``, ``mg.softmax_cross_entropy``), each against the same NumPy step.
2. Per-op overhead: forward + backward of a 200-op elementwise chain on a 4x4 tensor (us/op).
3. A 100,000-op chain: backward completes; doubling the length at most doubles the time
   (each length timed 3 times, alternating; the fastest run counts), with Python's garbage
   collector paused as in the other timings, and again with it running.

Run: python benchmarks/bench_core.py  (add --quick for a short run; --torch, where PyTorch is
installed, also times PyTorch eager on the composed step and the per-op chain, in the same run)

On a machine shared with other jobs, multi-threaded BLAS timings swing wildly; for stable
figures pin BLAS to one thread (``--blas-threads 1``, set before NumPy loads) and/or time process
CPU time (``--clock cpu``).  Both sides always run in this one process, interleaved.
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time


def _early_args(argv):
    """--blas-threads must act before NumPy is imported."""
    for i, a in enumerate(argv):
        if a == "--blas-threads" and i + 1 < len(argv):
            for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
                os.environ[var] = argv[i + 1]


_early_args(sys.argv[1:])

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402

_clock = time.perf_counter

SIZES = (784, 256, 256, 10)


def _time(fn, repeats, inner=1):
    """Median seconds per call of ``fn`` over ``repeats`` timings of ``inner`` calls."""
    fn()  # warm-up
    samples = []
    for _ in range(repeats):
        gc.disable()
        t0 = _clock()
        for _ in range(inner):
            fn()
        samples.append((_clock() - t0) / inner)
        gc.enable()
    return statistics.median(samples)


def _init_params(rng):
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        w = (rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in)).astype(np.float32)
        params += [w, np.zeros(fan_out, np.float32)]
    return params


# ----- hand-written NumPy reference -------------------------------------------------------
def numpy_step(params, x, y_onehot, lr):
    """One step of the course's backprop equations, in the (m, features) layout."""
    w1, b1, w2, b2, w3, b3 = params
    m = x.shape[0]
    z1 = x @ w1.T + b1
    a1 = np.maximum(z1, 0)
    z2 = a1 @ w2.T + b2
    a2 = np.maximum(z2, 0)
    z3 = a2 @ w3.T + b3
    shifted = z3 - z3.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -(logp * y_onehot).sum() / m
    dz3 = (np.exp(logp) - y_onehot) / m                      # dZ = A - Y (over m)
    dw3, db3 = dz3.T @ a2, dz3.sum(axis=0)
    dz2 = (dz3 @ w3) * (z2 > 0)
    dw2, db2 = dz2.T @ a1, dz2.sum(axis=0)
    dz1 = (dz2 @ w2) * (z1 > 0)
    dw1, db1 = dz1.T @ x, dz1.sum(axis=0)
    for p, g in zip(params, (dw1, db1, dw2, db2, dw3, db3)):
        p -= lr * g
    return loss


# ----- the same with minigrad Tensors -----------------------------------------------------
def minigrad_step(params, x, y_onehot, lr):
    w1, b1, w2, b2, w3, b3 = params
    m = x.shape[0]
    a1 = (x @ w1.T + b1).relu()
    a2 = (a1 @ w2.T + b2).relu()
    logp = (a2 @ w3.T + b3).log_softmax(axis=1)
    loss = -(logp * y_onehot).sum() * (1.0 / m)
    return _backward_and_update(loss, params, lr)


def _backward_and_update(loss, params, lr, no_grad=None):
    """Plain gradient descent: W -= lr dW for every parameter (``no_grad``: the library's own,
    minigrad's unless given)."""
    for p in params:
        p.grad = None
    loss.backward()
    with (no_grad or mg.no_grad)():
        for p in params:
            p.sub_(p.grad, alpha=lr)
    return loss


def minigrad_fused_step(params, x, labels, lr):
    """The same step with the fused core ops: one node per layer's product and bias, one for
    the log-softmax and the pick of each example's label."""
    w1, b1, w2, b2, w3, b3 = params
    a1 = mg.linear(x, w1, b1).relu()
    a2 = mg.linear(a1, w2, b2).relu()
    loss = mg.softmax_cross_entropy(mg.linear(a2, w3, b3), labels, scale=1.0 / x.shape[0])
    return _backward_and_update(loss, params, lr)


STEPS = {"composed": minigrad_step, "fused": minigrad_fused_step}


# ----- PyTorch eager, where installed (--torch; not a dependency of minigrad) ----------------
def torch_step(params, x, y_onehot, lr):
    """The composed step in PyTorch eager: the issue quotes PyTorch's figures for "this kind of
    machine"; this measures them here, against the same NumPy step."""
    import torch

    w1, b1, w2, b2, w3, b3 = params
    a1 = (x @ w1.T + b1).relu()
    a2 = (a1 @ w2.T + b2).relu()
    logp = (a2 @ w3.T + b3).log_softmax(dim=1)
    loss = -(logp * y_onehot).sum() * (1.0 / x.shape[0])
    return _backward_and_update(loss, params, lr, torch.no_grad)


def _torch_setup():
    """torch, with as many intra-op threads as BLAS has (so both libraries get the same cores)."""
    import torch

    threads = os.environ.get("OPENBLAS_NUM_THREADS")
    if threads:
        torch.set_num_threads(int(threads))
    return torch


def bench_mlp(batch, repeats, kind="composed"):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    labels = rng.integers(0, SIZES[-1], batch)
    y = np.eye(SIZES[-1], dtype=np.float32)[labels]
    np_params = _init_params(rng)
    if kind == "torch":
        torch = _torch_setup()
        minigrad_step, xt, yt = torch_step, torch.from_numpy(x), torch.from_numpy(y)

        def params_like(arrays):
            return [torch.tensor(p, requires_grad=True) for p in arrays]
    else:
        minigrad_step = STEPS[kind]
        xt, yt = mg.tensor(x), mg.tensor(y if kind == "composed" else labels)

        def params_like(arrays):
            return [mg.tensor(p, requires_grad=True) for p in arrays]
    mg_params = params_like(np_params)
    # same maths: one step from the same start gives the same loss
    l_np = numpy_step([p.copy() for p in np_params], x, y, 0.01)
    l_mg = minigrad_step(params_like(np_params), xt, yt, 0.01).item()
    assert abs(l_np - l_mg) < 1e-4 * max(1.0, abs(l_np)), (l_np, l_mg)
    t_np = t_mg = 0.0
    ratios = []
    for _ in range(repeats):  # interleave so both see the same machine state
        a = _time(lambda: numpy_step(np_params, x, y, 1e-4), 3, 5)
        b = _time(lambda: minigrad_step(mg_params, xt, yt, 1e-4), 3, 5)
        ratios.append(b / a)
        t_np += a
        t_mg += b
    return t_np / repeats, t_mg / repeats, statistics.median(ratios)


def chain_ops(x, w, n):
    """n elementwise ops: a cycle of mul, add, tanh, mul-by-scalar, sub, sigmoid."""
    y = x
    for i in range(n):
        k = i % 6
        if k == 0:
            y = y * w
        elif k == 1:
            y = y + w
        elif k == 2:
            y = y.tanh()
        elif k == 3:
            y = y * 0.5
        elif k == 4:
            y = y - w
        else:
            y = y.sigmoid()
    return y


def bench_per_op(n=200, repeats=20, lib="minigrad"):
    if lib == "torch":
        torch = _torch_setup()
        x, w = torch.randn(4, 4, requires_grad=True), torch.randn(4, 4, requires_grad=True)
    else:
        x, w = mg.randn(4, 4, requires_grad=True), mg.randn(4, 4, requires_grad=True)

    def run():
        chain_ops(x, w, n).sum().backward()

    return _time(run, repeats, 5) / n * 1e6


def bench_long_chain(n, collector=False):
    """Seconds for the backward of an n-op chain; Python's cyclic garbage collector is paused
    while it runs, as in the other timings here, unless ``collector``.  (With it running, a full
    collection that visits every live object, about 0.2 s at 100k ops and 0.4 s at 200k, lands
    in the timed backward or not depending on where the thresholds fall.)"""
    x = mg.randn(4, 4, requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0001
    loss = y.sum()
    gc.collect()
    if not collector:
        gc.disable()
    t0 = _clock()
    loss.backward()
    dt = _clock() - t0
    gc.enable()
    return dt


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--blas-threads", type=int, default=None, help="BLAS threads (set before NumPy loads)")
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                    help="wall time, or this process's CPU time (steadier on a shared machine)")
    ap.add_argument("--torch", action="store_true",
                    help="also time PyTorch eager on the composed step and the per-op chain (needs torch)")
    args = ap.parse_args(argv)
    global _clock
    _clock = time.process_time if args.clock == "cpu" else time.perf_counter
    reps = 3 if args.quick else 7
    print(f"minigrad {mg.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}, "
          f"clock {args.clock}, BLAS threads {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}, "
          f"{os.cpu_count()} cores")
    print("\n1. MLP 784-256-256-10 training step, float32 (median over interleaved runs)")
    targets = {64: 1.15, 512: 1.10}
    for kind in [*STEPS, "torch"] if args.torch else STEPS:
        lib = "torch" if kind == "torch" else "minigrad"
        for batch in (64, 512):
            t_np, t_mg, ratio = bench_mlp(batch, reps, kind)
            print(f"   {kind:>8s} batch {batch:4d}: numpy {t_np * 1e3:7.3f} ms   {lib} {t_mg * 1e3:7.3f} ms   "
                  f"ratio {ratio:.3f}x (target <= {targets[batch]:.2f}x)")
    print("\n2. per-op overhead, 200-op elementwise chain on 4x4, forward + backward")
    print(f"   {bench_per_op(repeats=reps * 3):.2f} us/op (target <= 10)")
    if args.torch:
        print(f"   PyTorch eager: {bench_per_op(repeats=reps * 3, lib='torch'):.2f} us/op")
    print("\n3. long chains, backward time (fastest of 3 alternating runs each)")
    n = 25_000 if args.quick else 100_000
    for collector in (False, True):
        runs = {n: [], 2 * n: []}
        for _ in range(3):  # one run each is at the mercy of a busy host
            for length in runs:
                runs[length].append(bench_long_chain(length, collector))
        t1, t2 = min(runs[n]), min(runs[2 * n])
        print(f"   {'with' if collector else 'without'} the garbage collector: {n:,} ops: {t1:.3f} s   "
              f"{2 * n:,} ops: {t2:.3f} s   ratio {t2 / t1:.2f} (target <= 2.4; all runs: "
              f"{', '.join(f'{t:.2f}' for t in runs[n])} s and {', '.join(f'{t:.2f}' for t in runs[2 * n])} s)")

if __name__ == "__main__":
    main()
