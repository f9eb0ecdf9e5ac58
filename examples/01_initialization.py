"""Initialisation: zeros, large random (x10) and He, on a 3-layer ReLU network (course C2 W1).

The course's lab trains LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID, layer sizes
[2, 10, 5, 1], with full-batch gradient descent on a 2-D "circles" data set, from three
starting points:

* zeros: ``W[l] = 0``.  Every unit of a layer computes the same function, so it gets the same
  gradient and stays the same: symmetry never breaks.  With ReLU it is worse still:
  A[1] = relu(0) = 0, so dW[2] = dZ[2] A[1]^T = 0 and dA[1] = W[2]^T dZ[2] = 0 -- only the
  last bias learns, the network predicts one class for everything (cost log 2 = 0.693).
  The extra ``constant`` case (every weight 0.5) shows that the symmetry, not the zero, is the
  trouble: weights move, yet every unit of a layer keeps the same incoming weights.
* large: ``W[l] = randn * 10``.  Logits are huge, so the sigmoid saturates and the first
  cost is enormous (the course's log(0) = inf); training crawls out of it slowly and ends
  with a worse boundary.
* He: ``W[l] = randn * sqrt(2 / n[l-1])`` (He et al. 2015, for ReLU): Var(z[l]) stays about
  Var(z[l-1]), the gradients neither vanish nor explode, and the network fits the circles.

Biases start at 0 in every case.  The cost is J = -(1/m) sum(y log a + (1 - y) log(1 - a)),
a = sigmoid(z[3]), computed from the logits by ``nn.BCEWithLogitsLoss``.

Run::

    python examples/01_initialization.py [--fast] [--device cpu|cuda] [--out DIR]
"""
from __future__ import annotations

import argparse
import os
import warnings

import numpy as np

import minigrad as mg
import nn
import optim

LAYERS = (2, 10, 5, 1)
INITS = {
    "zeros": "zeros",
    "constant": lambda w: nn.init.constant_(w, 0.5),
    "large": "large",
    "he": "he",
}


def make_data(seed=1):
    """The circles: 300 training and 100 test points, labels (m, 1) in {0, 1}."""
    X, y = mg.data.make_circles(400, noise=0.05, factor=0.6, seed=seed)
    y = y.reshape(-1, 1).astype(np.float32)
    return (X[:300], y[:300]), (X[300:], y[300:])


def make_model(init, seed=0, device="cpu"):
    """The course's [2, 10, 5, 1] ReLU network with every Linear initialised by ``init``."""
    gen = mg.Generator(device=device, seed=seed)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(LAYERS[:-1], LAYERS[1:])):
        layers.append(nn.Linear(n_in, n_out, init=init, device=device, generator=gen))
        if i < len(LAYERS) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def hidden_row_spread(model):
    """For each hidden layer, max |W[l][i] - W[l][0]| over units i: 0 means every unit of the
    layer has the same incoming weights (symmetry unbroken)."""
    linears = [m for m in model if isinstance(m, nn.Linear)][:-1]
    return [float(np.abs(w - w[0]).max()) for w in (lin.weight.numpy() for lin in linears)]


def train_one(name, data, epochs, lr, device="cpu", seed=0):
    """Full-batch gradient descent from initialisation ``name``; returns a dict of results."""
    (X, y), (X_test, y_test) = data
    model = make_model(INITS[name], seed=seed, device=device)
    loss_fn = nn.BCEWithLogitsLoss()
    opt = optim.SGD(model.parameters(), lr=lr)
    with warnings.catch_warnings(record=True) as caught:  # vanishing/exploding gradient warnings
        warnings.simplefilter("always", mg.train.GradientWarning)
        history = mg.train.fit(model, loss_fn, opt, (X, y), epochs=epochs, batch_size=len(X), progress=False,
                               seed=seed)
    test = mg.train.evaluate(model, loss_fn, (X_test, y_test))
    train = mg.train.evaluate(model, loss_fn, (X, y))
    return {"model": model, "history": history, "first_cost": history["train_cost"][0],
            "cost": train["cost"], "train_accuracy": train["accuracy"], "test_accuracy": test["accuracy"],
            "row_spread": hidden_row_spread(model),
            "warnings": [str(w.message) for w in caught if issubclass(w.category, mg.train.GradientWarning)]}


def run(fast=False, device="cpu", seed=0, inits=tuple(INITS)):
    """Train from each initialisation; returns ``{init name: results}`` (see :func:`train_one`)."""
    epochs, lr = (400, 0.2) if fast else (15000, 0.01)
    data = make_data()
    return {name: train_one(name, data, epochs, lr, device, seed) for name in inits}


def plot(results, data, out):
    """Cost curves side by side, and each model's decision boundary."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        print("matplotlib is not installed: no plots (pip install matplotlib)")
        return []
    fig = Figure(figsize=(4 * (len(results) + 1), 3.6), layout="constrained")
    axes = fig.subplots(1, len(results) + 1)
    for name, r in results.items():
        axes[0].plot(r["history"].epochs, r["history"]["train_cost"], label=name)
    axes[0].set(xlabel="iteration", ylabel="cost J", yscale="log", title="training cost")
    axes[0].legend()
    (X, y), _ = data
    for ax, (name, r) in zip(axes[1:], results.items()):
        mg.train.plot_decision_boundary(r["model"], X, y, ax=ax,
                                        title=f"{name}: train {r['train_accuracy']:.0%}, test {r['test_accuracy']:.0%}")
    path = os.path.join(out, "01_initialization.png")
    fig.savefig(path)
    return [path]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N (needs CuPy) or strict")
    p.add_argument("--fast", action="store_true",
                   help="400 iterations at alpha = 0.2 instead of 15000 at 0.01 (a few seconds)")
    p.add_argument("--out", default="out", help="folder for the plots (default: ./out)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    results = run(args.fast, args.device, args.seed)
    print(f"{'init':>9}  {'first cost':>10}  {'final cost':>10}  {'train acc':>9}  {'test acc':>8}  "
          "hidden rows differ by")
    for name, r in results.items():
        spread = ", ".join(f"{s:.3g}" for s in r["row_spread"])
        print(f"{name:>9}  {r['first_cost']:10.4g}  {r['cost']:10.4g}  {r['train_accuracy']:9.1%}  "
              f"{r['test_accuracy']:8.1%}  {spread}")
        for w in r["warnings"]:
            print(f"{'':>11}{w}")
    os.makedirs(args.out, exist_ok=True)
    for path in plot(results, make_data(), args.out):
        print("saved", path)
    return results


if __name__ == "__main__":
    main()
