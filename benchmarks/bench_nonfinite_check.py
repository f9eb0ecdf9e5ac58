"""What the finite-gradient check costs: ``fit`` with and without it, and the check alone.

``fit`` checks every gradient before each ``optimizer.step()`` (one fused check:
``all(isfinite(g))`` per gradient, stacked, one host read).  This times one epoch of the 784-256-10 network of
``bench_fit.py`` (4096 examples, batch 64, float32) with the check and with it replaced by a
function that returns True, in interleaved rounds, and the check alone on that network's
four gradients.
Run: python benchmarks/bench_nonfinite_check.py  (add --quick for a short run)
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import minigrad.train.trainer as trainer_module
from minigrad.train import fit
from minigrad.train.guard import grads_finite

from bench_fit import BATCH, GD, LR, M, SIZES, Net, _best_times, _init, cross_entropy


def _epoch(net, opt, X, y, checked):
    original = trainer_module.grads_finite
    if not checked:
        trainer_module.grads_finite = lambda params: True
    try:
        fit(net, cross_entropy, opt, (X, y), 1, batch_size=BATCH, metrics=(), diagnostics=False, progress=False)
    finally:
        trainer_module.grads_finite = original


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 9
    rng = np.random.default_rng(0)
    X = rng.standard_normal((M, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], M)
    net = Net(_init(rng))
    opt = GD(net.parameters(), LR)
    times = _best_times({"fit, checked": lambda: _epoch(net, opt, X, y, True),
                         "fit, unchecked": lambda: _epoch(net, opt, X, y, False)}, repeats)
    params = net.parameters()
    for p in params:  # gradients of the network's shapes
        p.grad = p.detach() * 0.5
    n = 2000
    t0 = time.perf_counter()
    for _ in range(n):
        grads_finite(params)
    one = (time.perf_counter() - t0) / n
    steps = -(-M // BATCH)
    print(f"one epoch ({steps} steps), best of {repeats}: checked {times['fit, checked'] * 1e3:.1f} ms, "
          f"unchecked {times['fit, unchecked'] * 1e3:.1f} ms")
    print(f"the check alone: {one * 1e6:.1f} us per step, {one * steps * 1e3:.2f} ms per epoch = "
          f"{100 * one * steps / times['fit, unchecked']:.2f}% of the unchecked epoch")


if __name__ == "__main__":
    main()
