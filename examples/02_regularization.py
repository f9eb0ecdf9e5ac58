"""Regularisation: the same over-fitting network without regularisation, with L2, with dropout
(course C2 W1).

A 3-layer ReLU network [2, 50, 50, 1] is trained on only 100 noisy "moons" points and tested
on 1000 more from the same distribution.  Unregularised, it fits the noise: training accuracy
near 100 %, a test accuracy well below, a wiggly boundary (high variance).  Two cures:

* L2 regularisation adds the squared weights to the cost (biases excluded)::

      J = -(1/m) sum(y log a + (1-y) log(1-a)) + (lambd / 2m) sum_l ||W[l]||_F^2
      dW[l] += (lambd / m) W[l]                 ("weight decay": every step shrinks W)

  (``nn.l2_penalty(model, lambd, m)``; the same gradient as ``weight_decay = lambd / m``).
* Inverted dropout keeps each hidden unit with probability ``keep_prob`` during training,
  ``A = A * D / keep_prob`` with ``D ~ Bernoulli(keep_prob)``, so no unit can rely on any one
  input; at test time (``model.eval()``) nothing is dropped and nothing needs rescaling.

Both give smoother boundaries and a smaller gap between train and test accuracy, trading a
little training accuracy (more bias) for less variance.  Training is full-batch Adam; train
accuracy is measured in eval mode (no dropout).

Run::

    python examples/02_regularization.py [--fast] [--device cpu|cuda] [--out DIR]
"""
from __future__ import annotations

import argparse
import os

import numpy as np

import minigrad as mg
import nn
import optim

HIDDEN = (50, 50)
LAMBD = 1.0
KEEP_PROB = 0.6


def make_data(seed=10, n_train=100, n_test=1000, noise=0.35):
    """Noisy moons: a small training set and a large test set, labels (m, 1) in {0, 1}."""
    X, y = mg.data.make_moons(n_train + n_test, noise=noise, seed=seed)
    y = y.reshape(-1, 1).astype(np.float32)
    return (X[:n_train], y[:n_train]), (X[n_train:], y[n_train:])


def make_model(dropout=False, keep_prob=KEEP_PROB, seed=0, device="cpu"):
    """[2, 50, 50, 1] with ReLU, He initialisation, and dropout after each hidden layer if asked."""
    gen = mg.Generator(device=device, seed=seed)
    layers, n_in = [], 2
    for n_out in HIDDEN:
        layers += [nn.Linear(n_in, n_out, init="he", device=device, generator=gen), nn.ReLU()]
        if dropout:
            layers.append(nn.Dropout(keep_prob=keep_prob, generator=gen))
        n_in = n_out
    layers.append(nn.Linear(n_in, 1, init="he", device=device, generator=gen))
    return nn.Sequential(*layers)


def train_one(kind, data, epochs, lr, device="cpu", seed=0, lambd=LAMBD, keep_prob=KEEP_PROB):
    """Train with regularisation ``kind`` ('none', 'L2' or 'dropout'); returns a dict of results."""
    (X, y), (X_test, y_test) = data
    model = make_model(dropout=kind == "dropout", keep_prob=keep_prob, seed=seed, device=device)
    bce = nn.BCEWithLogitsLoss()
    if kind == "L2":
        def loss_fn(logits, targets):  # J + (lambd / 2m) sum ||W||^2 over the mini-batch's m
            return bce(logits, targets) + nn.l2_penalty(model, lambd, m=len(targets))
    else:
        loss_fn = bce
    opt = optim.Adam(model.parameters(), lr=lr)
    history = mg.train.fit(model, loss_fn, opt, (X, y), epochs=epochs, batch_size=len(X), progress=False,
                           diagnostics=False, seed=seed)
    train_acc = mg.train.evaluate(model, bce, (X, y))["accuracy"]
    test_acc = mg.train.evaluate(model, bce, (X_test, y_test))["accuracy"]
    weight_norm = float(sum((m.weight.numpy() ** 2).sum() for m in model if isinstance(m, nn.Linear)) ** 0.5)
    return {"model": model, "history": history, "train_accuracy": train_acc, "test_accuracy": test_acc,
            "gap": train_acc - test_acc, "weight_norm": weight_norm}


def run(fast=False, device="cpu", seed=0):
    """Train the three variants; returns ``{'none' | 'L2' | 'dropout': results}``."""
    epochs, lr = (300, 0.03) if fast else (2000, 0.01)
    data = make_data()
    return {kind: train_one(kind, data, epochs, lr, device, seed) for kind in ("none", "L2", "dropout")}


def plot(results, data, out):
    """The three decision boundaries (training points) side by side, and the training costs."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        print("matplotlib is not installed: no plots (pip install matplotlib)")
        return []
    fig = Figure(figsize=(4 * (len(results) + 1), 3.6), layout="constrained")
    axes = fig.subplots(1, len(results) + 1)
    (X, y), _ = data
    for ax, (kind, r) in zip(axes, results.items()):
        title = f"{kind}: train {r['train_accuracy']:.0%}, test {r['test_accuracy']:.1%}"
        mg.train.plot_decision_boundary(r["model"], X, y, ax=ax, title=title)
    for kind, r in results.items():
        axes[-1].plot(r["history"].epochs, r["history"]["train_cost"], label=kind)
    axes[-1].set(xlabel="epoch", ylabel="cost J (with the L2 term for L2)", yscale="log", title="training cost")
    axes[-1].legend()
    path = os.path.join(out, "02_regularization.png")
    fig.savefig(path)
    return [path]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N (needs CuPy) or strict")
    p.add_argument("--fast", action="store_true", help="fewer epochs (about a second)")
    p.add_argument("--out", default="out", help="folder for the plots (default: ./out)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    results = run(args.fast, args.device, args.seed)
    print(f"L2: lambd = {LAMBD}; dropout: keep_prob = {KEEP_PROB}")
    print(f"{'':>8}  {'train acc':>9}  {'test acc':>8}  {'gap':>6}  {'||W||':>6}")
    for kind, r in results.items():
        print(f"{kind:>8}  {r['train_accuracy']:9.1%}  {r['test_accuracy']:8.1%}  {r['gap']:6.1%}  "
              f"{r['weight_norm']:6.2f}")
    os.makedirs(args.out, exist_ok=True)
    for path in plot(results, make_data(), args.out):
        print("saved", path)
    return results


if __name__ == "__main__":
    main()
