"""Optimisation: mini-batch gradient descent, momentum and Adam, with and without learning-rate
decay (course C2 W2).

The course's lab: a 3-layer network [2, 5, 2, 1] on 300 "moons" points, mini-batches of 64
(a fresh shuffle every epoch), learning rate alpha = 0.0007.  For each mini-batch t, with
gradient dW:

* mini-batch gradient descent: ``W = W - alpha dW``;
* momentum (the course's form, ``optim.Momentum``): ``v = beta v + (1 - beta) dW``,
  ``W = W - alpha v`` with beta = 0.9 -- an exponentially weighted average of the gradients,
  which damps the oscillations across the valley;
* Adam: ``v = beta1 v + (1 - beta1) dW``, ``s = beta2 s + (1 - beta2) dW^2``, bias-corrected
  ``v_hat = v / (1 - beta1^t)``, ``s_hat = s / (1 - beta2^t)``,
  ``W = W - alpha v_hat / (sqrt(s_hat) + eps)`` with beta1 = 0.9, beta2 = 0.999, eps = 1e-8.

With such a small alpha, gradient descent and momentum barely move in the epochs given while
Adam, whose steps are about alpha in every direction whatever the gradient's scale, reaches a
good boundary.  Learning-rate decay lets the first two start with a large step and settle:
the course's fixed-interval schedule ``alpha = alpha0 / (1 + decay_rate * floor(epoch /
time_interval))`` (``optim.lr_scheduler.InverseTimeDecay``), with alpha0 = 0.1 for gradient
descent and momentum and 0.01 for Adam (0.1 is too large a step for Adam).

Run::

    python examples/04_optimization.py [--fast] [--device cpu|cuda] [--out DIR]
"""
from __future__ import annotations

import argparse
import os

import numpy as np

import minigrad as mg
import nn
import optim

LAYERS = (2, 5, 2, 1)
OPTIMIZERS = ("gd", "momentum", "adam")
NAMES = {"gd": "mini-batch GD", "momentum": "momentum", "adam": "Adam"}
LR, LR0 = 0.0007, {"gd": 0.1, "momentum": 0.1, "adam": 0.01}


def make_data(seed=3):
    """The course's moons: 300 points with noise 0.2, labels (m, 1) in {0, 1}."""
    X, y = mg.data.make_moons(300, noise=0.2, seed=seed)
    return X, y.reshape(-1, 1).astype(np.float32)


def make_model(seed=0, device="cpu"):
    """[2, 5, 2, 1] with ReLU and He initialisation; the same weights for every optimiser."""
    gen = mg.Generator(device=device, seed=seed)
    return nn.Sequential(nn.Linear(2, 5, init="he", device=device, generator=gen), nn.ReLU(),
                         nn.Linear(5, 2, init="he", device=device, generator=gen), nn.ReLU(),
                         nn.Linear(2, 1, init="he", device=device, generator=gen))


def make_optimizer(name, params, lr):
    if name == "gd":
        return optim.SGD(params, lr=lr)
    if name == "momentum":
        return optim.Momentum(params, lr=lr, beta=0.9)
    return optim.Adam(params, lr=lr, beta1=0.9, beta2=0.999, eps=1e-8)


def train_one(name, decay, data, epochs, device="cpu", seed=0):
    """Train with optimiser ``name``, with or without decay; returns a dict of results."""
    X, y = data
    model = make_model(seed, device)
    opt = make_optimizer(name, model.parameters(), LR0[name] if decay else LR)
    # the course's interval: 5 decays over the run (every 1000 of its 5000 epochs)
    scheduler = optim.lr_scheduler.InverseTimeDecay(opt, decay_rate=1.0, time_interval=max(1, epochs // 5)) \
        if decay else None
    loss_fn = nn.BCEWithLogitsLoss()
    history = mg.train.fit(model, loss_fn, opt, (X, y), epochs=epochs, batch_size=64, scheduler=scheduler,
                           metrics=(), progress=False, diagnostics=False, seed=seed)
    final = mg.train.evaluate(model, loss_fn, (X, y))
    return {"model": model, "history": history, "cost": final["cost"], "accuracy": final["accuracy"]}


def run(fast=False, device="cpu", seed=0):
    """Train every optimiser with and without decay; returns ``{(name, decay): results}``."""
    epochs = 150 if fast else 5000
    data = make_data()
    return {(name, decay): train_one(name, decay, data, epochs, device, seed)
            for decay in (False, True) for name in OPTIMIZERS}


def plot(results, data, out):
    """Cost curves without and with decay side by side; then the six decision boundaries."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        print("matplotlib is not installed: no plots (pip install matplotlib)")
        return []
    fig = Figure(figsize=(11, 3.8), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, decay in zip(axes, (False, True)):
        for name in OPTIMIZERS:
            r = results[(name, decay)]
            ax.plot(r["history"].epochs, r["history"]["train_cost"],
                    label=f"{NAMES[name]} ({r['accuracy']:.0%})")
        ax.set(xlabel="epoch", ylabel="mini-batch cost (epoch mean)",
               title="with learning-rate decay" if decay else f"alpha = {LR}, no decay")
        ax.legend(title="optimiser (train accuracy)")
    paths = [os.path.join(out, "04_optimization_costs.png")]
    fig.savefig(paths[0])
    fig = Figure(figsize=(12, 7), layout="constrained")
    axes = fig.subplots(2, 3)
    X, y = data
    for (name, decay), r in results.items():
        ax = axes[int(decay), OPTIMIZERS.index(name)]
        title = f"{NAMES[name]}{' + decay' if decay else ''}: {r['accuracy']:.1%}"
        mg.train.plot_decision_boundary(r["model"], X, y, ax=ax, title=title)
    paths.append(os.path.join(out, "04_optimization_boundaries.png"))
    fig.savefig(paths[1])
    return paths


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N (needs CuPy) or strict")
    p.add_argument("--fast", action="store_true", help="150 epochs instead of 5000 (a few seconds)")
    p.add_argument("--out", default="out", help="folder for the plots (default: ./out)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    results = run(args.fast, args.device, args.seed)
    print(f"{'optimiser':>14}  {'decay':>5}  {'alpha0':>6}  {'final cost':>10}  {'accuracy':>8}")
    for (name, decay), r in results.items():
        lr = LR0[name] if decay else LR
        print(f"{NAMES[name]:>14}  {'yes' if decay else 'no':>5}  {lr:6.4g}  {r['cost']:10.4f}  {r['accuracy']:8.1%}")
    os.makedirs(args.out, exist_ok=True)
    for path in plot(results, make_data(), args.out):
        print("saved", path)
    return results


if __name__ == "__main__":
    main()
