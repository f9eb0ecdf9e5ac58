"""What the training toolkit costs: ``fit`` against the same loop written by hand.

One epoch of mini-batch gradient descent (batch 64, a fresh shuffle) on a 784-256-10 ReLU
network, float32, timed four ways in this process:

* NumPy by hand: the course's forward / backward equations and update;
* minigrad by hand: the same network with raw Tensor ops, ``backward()`` and a no-grad update;
* ``fit(..., metrics=(), diagnostics=False, progress=False)``: the loop alone;
* ``fit(...)`` with its defaults (accuracy per batch, per-parameter gradient norms, activation
  statistics once per epoch).

It prints the best time per epoch of interleaved rounds and the ratios; the toolkit's own
overhead is fit / "minigrad by hand".  On a shared machine pin BLAS to one thread for stable
figures: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_fit.py
Run: python benchmarks/bench_fit.py  (add --quick for a short run)
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import minigrad as mg
from minigrad.train import fit

M, SIZES, BATCH, LR = 4096, (784, 256, 10), 64, 0.05


class Net:
    """A raw-Tensor 784-256-10 ReLU network with the duck-typed model interface."""

    def __init__(self, arrays):
        self.params = [mg.tensor(a, requires_grad=True) for a in arrays]

    def __call__(self, x):
        w1, b1, w2, b2 = self.params
        return (x @ w1.T + b1).relu() @ w2.T + b2

    def parameters(self):
        return list(self.params)

    def named_parameters(self):
        return list(zip(("W1", "b1", "W2", "b2"), self.params))


class GD:
    """Plain gradient descent with the duck-typed optimizer interface."""

    def __init__(self, params, lr):
        self.params, self.param_groups = params, [{"params": params, "lr": lr}]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        with mg.no_grad():
            for p in self.params:
                p.sub_(p.grad * self.param_groups[0]["lr"])

    def state_dict(self):
        return {"lr": self.param_groups[0]["lr"]}


def cross_entropy(z, y):
    onehot = (y.reshape(-1, 1) == mg.arange(z.shape[1])).to(dtype=z.dtype)
    return -(onehot * z.log_softmax(axis=1)).sum(axis=1).mean()


def _init(rng):
    out = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        out += [(rng.standard_normal((n_out, n_in)) * np.sqrt(2 / n_in)).astype(np.float32),
                np.zeros(n_out, np.float32)]
    return out


def numpy_epoch(params, X, y, rng):
    w1, b1, w2, b2 = params
    perm = rng.permutation(len(X))
    for k in range(0, len(X), BATCH):
        idx = perm[k:k + BATCH]
        x, t = X[idx], y[idx]
        m = len(x)
        z1 = x @ w1.T + b1
        a1 = np.maximum(z1, 0)
        z2 = a1 @ w2.T + b2
        p = np.exp(z2 - z2.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(m), t] -= 1                    # dZ2 = A - Y
        dz2 = p / m
        dz1 = (dz2 @ w2) * (z1 > 0)
        w2 -= LR * (dz2.T @ a1)
        b2 -= LR * dz2.sum(axis=0)
        w1 -= LR * (dz1.T @ x)
        b1 -= LR * dz1.sum(axis=0)


def minigrad_epoch(net, opt, X, y, rng):
    perm = rng.permutation(len(X))
    for k in range(0, len(X), BATCH):
        idx = perm[k:k + BATCH]
        loss = cross_entropy(net(mg.Tensor(X[idx])), mg.Tensor(y[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()


def _best_times(fns, repeats):
    """Fastest of ``repeats`` timings of each function, taken in interleaved rounds so that a
    busy machine slows all of them alike (the minimum is the least disturbed run)."""
    samples = {name: [] for name in fns}
    for name, fn in fns.items():
        fn()  # warm-up
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - t0)
    return {name: min(ts) for name, ts in samples.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 7
    rng = np.random.default_rng(0)
    X = rng.standard_normal((M, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], M)
    params = _init(rng)
    net = Net(params)
    opt = GD(net.parameters(), LR)
    times = _best_times({
        "numpy by hand": lambda: numpy_epoch([p.copy() for p in params], X, y, rng),
        "minigrad by hand": lambda: minigrad_epoch(net, opt, X, y, rng),
        "fit, bare loop": lambda: fit(net, cross_entropy, opt, (X, y), 1, batch_size=BATCH, metrics=(),
                                      diagnostics=False, progress=False),
        "fit, defaults": lambda: fit(net, cross_entropy, opt, (X, y), 1, batch_size=BATCH, progress=False),
    }, repeats)
    base, hand = times["numpy by hand"], times["minigrad by hand"]
    print(f"one epoch: {M} examples, batch {BATCH}, {'-'.join(map(str, SIZES))} ReLU net, float32, best of {repeats}")
    for name, t in times.items():
        print(f"  {name:18s} {t * 1e3:8.1f} ms   x{t / base:5.2f} numpy   x{t / hand:5.2f} minigrad by hand")


if __name__ == "__main__":
    main()
