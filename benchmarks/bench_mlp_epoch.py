"""One epoch of a 784-256-256-10 ReLU MLP with softmax cross-entropy and Adam (lr 1e-3) on
60,000 x 784 float32 inputs: minigrad vs hand-written NumPy.

The minigrad side is written two ways (``--model``): ``nn``, as a PyTorch user writes it
(nn.Sequential of nn.Linear and nn.ReLU, nn.CrossEntropyLoss on integer labels, optim.Adam),
and ``raw``, with raw Tensor ops (``x @ W.T + b``, ``log_softmax``, a one-hot product).
Where PyTorch is installed, ``--model torch`` (and ``torch-fused``, its ``Adam(fused=True)``)
times PyTorch eager on the same job in the same run, for the figures the issue quotes.

Both sides start from the same weights, see the same mini-batches in the same order (batch 64
and 512, the last batch smaller) and do the same maths in float32: forward, the cross-entropy
of the log-softmax, backward (NumPy: the course's equations, dZ = A - Y), and an in-place Adam
update (NumPy: ``out=`` ufuncs into one scratch buffer, Kingma & Ba's form, as in
bench_adam_step.py).  The data (Gaussian inputs, labels from a random linear teacher) is made
in code from a fixed seed.

Timing: each epoch is cut into 8 chunks of consecutive batches; every chunk is run by NumPy and
by each side named in ``--model``, one after the other (rotating who goes first), so all see the
same machine state.  A full epoch is measured, ``--epochs`` times (default 2); the ratio is a
side's total time / NumPy's total time, and the median epoch is reported.  ``--max-batches N``
times only the first N batches of each epoch and says so.

``--clock cpu`` measures process CPU time instead of wall time: on a machine shared with other
jobs, use it with ``OPENBLAS_NUM_THREADS=1`` (both sides single-threaded) for stable figures.

Memory: ``--memory`` runs one epoch at batch 512 in a fresh subprocess per side and compares
peak RSS (``VmHWM`` of /proc/self/status: the whole process, data and library included), and
prints how far each peak rose above the data's own.

Run: python benchmarks/bench_mlp_epoch.py [--epochs N] [--batch 64 512] [--memory] [--model raw nn torch]
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import time

import numpy as np

N, SIZES, LR = 60_000, (784, 256, 256, 10), 1e-3
TARGET = 1.0
TARGETS = {"compiled": 0.70, "compiled-fused": 0.70}  # issue 17: a compiled epoch at most 0.70x NumPy's


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, SIZES[0]), dtype=np.float32)
    teacher = rng.standard_normal((SIZES[0], SIZES[-1]), dtype=np.float32)
    y = np.concatenate([np.argmax(x[i:i + 10_000] @ teacher, axis=1) for i in range(0, len(x), 10_000)])
    y = y.astype(np.int64)  # labels in slices: one product of all 60,000 rows peaks 60 MiB higher
    return x, y


def init_params(seed=1):
    """He initialisation, (out, in) weights and zero biases, float32."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        params.append(rng.standard_normal((fan_out, fan_in), dtype=np.float32) * np.float32(np.sqrt(2.0 / fan_in)))
        params.append(np.zeros(fan_out, np.float32))
    return params


# ----- hand-written NumPy ----------------------------------------------------------------------
class NumpyMLP:
    def __init__(self, params):
        self.p = [a.copy() for a in params]
        self.m = [np.zeros_like(a) for a in self.p]
        self.v = [np.zeros_like(a) for a in self.p]
        scratch = np.empty(max(a.size for a in self.p), self.p[0].dtype)
        self.tmp = [scratch[:a.size].reshape(a.shape) for a in self.p]
        self.t = 0

    def step(self, x, y):
        w1, b1, w2, b2, w3, b3 = self.p
        m = x.shape[0]
        z1 = x @ w1.T
        z1 += b1
        a1 = np.maximum(z1, 0)
        z2 = a1 @ w2.T
        z2 += b2
        a2 = np.maximum(z2, 0)
        z3 = a2 @ w3.T
        z3 += b3
        z3 -= z3.max(axis=1, keepdims=True)
        e = np.exp(z3)
        s = e.sum(axis=1, keepdims=True)
        rows = np.arange(m)
        loss = float(np.log(s).mean() - z3[rows, y].mean())
        dz3 = e / s                                        # dZ3 = (A - Y) / m
        dz3[rows, y] -= 1
        dz3 *= 1.0 / m
        da2 = dz3 @ w3
        da2 *= z2 > 0                                      # dZ2 = dA2 * g'(Z2)
        da1 = da2 @ w2
        da1 *= z1 > 0
        grads = (da1.T @ x, da1.sum(axis=0), da2.T @ a1, da2.sum(axis=0), dz3.T @ a2, dz3.sum(axis=0))
        self.adam(grads)
        return loss

    def adam(self, grads, beta1=0.9, beta2=0.999, eps=1e-8):
        self.t += 1
        bc1, bc2 = 1 - beta1 ** self.t, 1 - beta2 ** self.t
        lr_t, eps_hat = LR * np.sqrt(bc2) / bc1, eps * np.sqrt(bc2)
        for p, g, m, v, t in zip(self.p, grads, self.m, self.v, self.tmp):
            np.multiply(m, beta1, out=m)
            np.multiply(g, 1 - beta1, out=t)
            np.add(m, t, out=m)
            np.multiply(v, beta2, out=v)
            np.multiply(g, g, out=t)
            np.multiply(t, 1 - beta2, out=t)
            np.add(v, t, out=v)
            np.sqrt(v, out=t)
            np.add(t, float(eps_hat), out=t)
            np.divide(m, t, out=t)
            np.multiply(t, float(lr_t), out=t)
            np.subtract(p, t, out=p)


# ----- minigrad -----------------------------------------------------------------------------------
class MinigradMLP:
    def __init__(self, params):
        import minigrad as mg
        import optim

        self.mg = mg
        self.p = [mg.tensor(a, requires_grad=True) for a in params]
        self.opt = optim.Adam(self.p, lr=LR)
        self.eye = np.eye(SIZES[-1], dtype=params[0].dtype)

    def step(self, x, y):
        """Cross-entropy as -sum(Y * log_softmax(Z)) / m with a one-hot Y made per batch: a little
        faster than picking logp[arange(m), y], whose backward scatters."""
        mg = self.mg
        w1, b1, w2, b2, w3, b3 = self.p
        m = x.shape[0]
        x, y_onehot = mg.Tensor(x), mg.Tensor(self.eye[y])
        h = (x @ w1.T + b1).relu()
        h = (h @ w2.T + b2).relu()
        logp = (h @ w3.T + b3).log_softmax(axis=1)
        loss = (logp * y_onehot).sum() * (-1.0 / m)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return loss.item()


class MinigradNN:
    """The same network as a PyTorch user writes it: nn.Sequential of nn.Linear and nn.ReLU,
    nn.CrossEntropyLoss on the integer labels, optim.Adam.  nn.Linear is one node per layer
    (mg.linear: product and bias together) and the loss is log_softmax + one mg.nll node."""

    def __init__(self, params):
        import minigrad as mg
        import nn
        import optim

        self.mg = mg
        dtype = mg.float64 if params[0].dtype == np.float64 else mg.float32
        layers = []
        for w, b in zip(params[0::2], params[1::2]):
            layer = nn.Linear(w.shape[1], w.shape[0], dtype=dtype)
            layer.weight.data[...] = w
            layer.bias.data[...] = b
            layers += [layer, nn.ReLU()]
        self.model = nn.Sequential(*layers[:-1])
        self.p = list(self.model.parameters())
        self.loss_fn = nn.CrossEntropyLoss()
        self.opt = optim.Adam(self.p, lr=LR)

    def step(self, x, y):
        mg = self.mg
        loss = self.loss_fn(self.model(mg.Tensor(x)), mg.Tensor(y))
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return loss.item()


class MinigradCompiled(MinigradNN):
    """The ``nn`` side with its whole step (forward, loss, backward, Adam) under ``mg.compile``: the
    first two calls trace it, every later one replays the recorded array program."""

    fused = False

    def __init__(self, params):
        super().__init__(params)
        mg = self.mg
        if self.fused:
            import optim

            self.opt = optim.Adam(self.p, lr=LR, fused=True)

        def step(x, y):
            self.opt.zero_grad()
            loss = self.loss_fn(self.model(x), y)
            loss.backward()
            self.opt.step()
            return loss

        self.compiled = mg.compile(step)

    def step(self, x, y):
        mg = self.mg
        return self.compiled(mg.Tensor(x), mg.Tensor(y)).item()


class MinigradCompiledFused(MinigradCompiled):
    """``compiled`` with ``optim.Adam(fused=True)``: the parameters in one flat array, so the replay's
    Adam update is one call of each ufunc for all six tensors."""

    fused = True


class BlasFloor:
    """Not a training side: only the epoch's eight matrix products (three forward, five backward;
    the input's gradient is not needed), as the NumPy side computes them.  Its ratio is the floor
    that no side doing this job with NumPy's BLAS can go under."""

    def __init__(self, params):
        self.p = [a.copy() for a in params]

    def step(self, x, y):
        w1, _, w2, _, w3, _ = self.p
        z1 = x @ w1.T
        z2 = z1 @ w2.T
        z3 = z2 @ w3.T
        da2 = z3 @ w3
        da1 = da2 @ w2
        da1.T @ x, da2.T @ z1, z3.T @ z2
        return 0.0


class TorchNN:
    """PyTorch eager, as its users write the same job (``--model torch``, only where torch is
    installed; it is not a dependency of minigrad): nn.Sequential, nn.CrossEntropyLoss,
    torch.optim.Adam with its defaults.  Its intra-op threads follow OPENBLAS_NUM_THREADS when
    that is set, so both libraries get the same cores.  The issue quotes PyTorch's ratios on
    "this kind of machine"; this side measures them here, in the same run."""

    def __init__(self, params):
        import torch

        self.torch = torch
        threads = os.environ.get("OPENBLAS_NUM_THREADS")
        if threads:
            torch.set_num_threads(int(threads))
        layers = []
        for w, b in zip(params[0::2], params[1::2]):
            layer = torch.nn.Linear(w.shape[1], w.shape[0], dtype=torch.from_numpy(w).dtype)
            with torch.no_grad():
                layer.weight.copy_(torch.from_numpy(w))
                layer.bias.copy_(torch.from_numpy(b))
            layers += [layer, torch.nn.ReLU()]
        self.model = torch.nn.Sequential(*layers[:-1])
        self.params = list(self.model.parameters())
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.opt = torch.optim.Adam(self.params, lr=LR, **self.adam_options)

    adam_options = {}

    @property
    def p(self):
        return [t.detach().numpy() for t in self.params]

    def step(self, x, y):
        torch = self.torch
        loss = self.loss_fn(self.model(torch.from_numpy(x)), torch.from_numpy(y))
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return loss.item()


class TorchFusedNN(TorchNN):
    """PyTorch eager with its fused (one C++ loop) Adam: its fastest update on the CPU."""

    adam_options = {"fused": True}


SIDES = {"raw": MinigradMLP, "nn": MinigradNN, "compiled": MinigradCompiled, "compiled-fused": MinigradCompiledFused,
         "blas-floor": BlasFloor, "torch": TorchNN, "torch-fused": TorchFusedNN}
DEFAULT_SIDES = ["raw", "nn"]


# ----- timing -------------------------------------------------------------------------------------
CLOCK = [time.perf_counter]


def run_chunk(model, x, y, starts, batch):
    clock = CLOCK[0]
    gc.disable()
    t0 = clock()
    for s in starts:
        model.step(x[s:s + batch], y[s:s + batch])
    dt = clock() - t0
    gc.enable()
    return dt


def bench(batch, x, y, epochs, max_batches, models=("raw",)):
    """Per-epoch seconds of NumPy and of each side in ``models``, all timed in the same chunks."""
    params = init_params()
    sides = {"numpy": NumpyMLP(params), **{m: SIDES[m](params) for m in models}}
    starts = list(range(0, N, batch))[:max_batches]
    losses = {k: [m.step(x[s:s + batch], y[s:s + batch]) for s in starts[:3]] for k, m in sides.items()}
    checks = {k: max(abs(a - b) for a, b in zip(losses["numpy"], losses[k])) for k in models if k != "blas-floor"}
    chunks = np.array_split(np.array(starts), 8)
    per_epoch = []
    for epoch in range(epochs):
        totals = dict.fromkeys(sides, 0.0)
        for i, chunk in enumerate(chunks):
            order = list(sides)
            shift = (i + epoch) % len(order)       # each side goes first equally often
            for k in order[shift:] + order[:shift]:
                totals[k] += run_chunk(sides[k], x, y, chunk.tolist(), batch)
        per_epoch.append(totals)
    return per_epoch, len(starts), checks


def float64_agreement(x, y, batch, steps=20, model="raw"):
    """Max |weight difference| after ``steps`` steps of both sides in float64: rounding-free, the
    two must agree to ~1e-15 if they do the same maths (in float32 Adam amplifies rounding)."""
    params = [a.astype(np.float64) for a in init_params()]
    sides = [NumpyMLP(params), SIDES[model](params)]
    xs = x[:steps * batch].astype(np.float64)
    for s in range(0, steps * batch, batch):
        for model in sides:
            model.step(xs[s:s + batch], y[s:s + batch])
    return max(float(np.max(np.abs(np.asarray(_host(a)) - b))) for a, b in zip(sides[1].p, sides[0].p))


def _host(a):
    return a.numpy() if hasattr(a, "numpy") else a


def _peak_rss():
    """This process's peak resident memory in MiB: ``VmHWM`` of /proc/self/status (Linux).
    Not ``ru_maxrss``: a child started by fork carries its parent's high-water mark across exec,
    so every side measured after the timing runs read as large as the parent (591 MiB each)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def memory_child(side, batch):
    x, y = make_data()
    with_data = _peak_rss()
    model = NumpyMLP(init_params()) if side == "numpy" else SIDES[side](init_params())
    for s in range(0, N, batch):
        model.step(x[s:s + batch], y[s:s + batch])
    print(with_data, _peak_rss())


def _label(side):
    return side if side.startswith(("torch", "blas")) else f"minigrad {side}"


def bench_memory(batch, models):
    peaks, data = {}, {}
    for side in ("numpy", *models):
        out = subprocess.run([sys.executable, __file__, "--memory-child", side, "--batch", str(batch)],
                             capture_output=True, text=True, check=True)
        data[side], peaks[side] = map(float, out.stdout.split()[-2:])
    print(f"\npeak RSS (VmHWM), one epoch at batch {batch}, fresh process per side; the data alone peak at "
          f"{data['numpy']:.0f} MiB. numpy {peaks['numpy']:.0f} MiB; "
          + "; ".join(f"{_label(k)} {peaks[k]:.0f} MiB, ratio {peaks[k] / peaks['numpy']:.3f}x" for k in models)
          + " (target <= 1.1x)")
    print("   above the data's peak: " + ", ".join(f"{k} {peaks[k] - data[k]:.0f} MiB" for k in ("numpy", *models)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, nargs="+", default=[64, 512])
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--max-batches", type=int, default=None)
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                    help="cpu: process CPU time, robust on a busy machine (use with OPENBLAS_NUM_THREADS=1)")
    ap.add_argument("--memory", action="store_true", help="also measure peak RSS (batch 512)")
    ap.add_argument("--memory-only", action="store_true", help="only measure peak RSS")
    ap.add_argument("--model", choices=list(SIDES), nargs="+", default=DEFAULT_SIDES,
                    help="the side timed against NumPy: minigrad with raw Tensor ops, or with nn.Sequential + "
                         "nn.CrossEntropyLoss (default: both); torch: PyTorch eager, where installed")
    ap.add_argument("--memory-child", choices=["numpy", *SIDES], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.memory_child:
        return memory_child(args.memory_child, args.batch[0])
    if args.memory_only:
        return bench_memory(512, args.model)
    CLOCK[0] = time.process_time if args.clock == "cpu" else time.perf_counter
    x, y = make_data()
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or "default"
    print(f"MLP 784-256-256-10, Adam lr {LR}, {N:,} x 784 float32, numpy {np.__version__}, "
          f"{args.clock}-clock time, BLAS threads: {threads}")
    for batch in args.batch:
        per_epoch, n_batches, checks = bench(batch, x, y, args.epochs, args.max_batches, args.model)
        part = "" if n_batches * batch >= N else f" (first {n_batches} batches only)"
        t_numpy = statistics.median(e["numpy"] for e in per_epoch)
        print(f"batch {batch}, {n_batches} batches{part}: numpy {t_numpy:.3f} s per timed epoch (median)")
        for model in args.model:
            ratios = [e[model] / e["numpy"] for e in per_epoch]
            what = "the floor: matrix products only" if model == "blas-floor" else \
                f"target <= {TARGETS.get(model, TARGET)}x"
            print(f"  {_label(model):>14s}: {statistics.median(e[model] for e in per_epoch):.3f} s, ratio median "
                  f"{statistics.median(ratios):.3f}x (epochs: {', '.join(f'{r:.3f}' for r in ratios)}; {what})")
            if model == "blas-floor":
                continue
            print(f"  {'':>14s}  same maths: the first 3 losses differ by {checks[model]:.1e}; weights after 20 "
                  f"steps in float64 by {float64_agreement(x, y, batch, model=model):.1e}")
    if args.memory:
        bench_memory(512, args.model)


if __name__ == "__main__":
    main()
