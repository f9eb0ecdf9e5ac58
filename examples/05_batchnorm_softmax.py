"""Batch normalisation and softmax: a 5-class classifier with and without batch norm
(course C2 W3).

Softmax regression generalises logistic regression to C classes: the last layer gives C
logits z, and

    a = softmax(z),  a_k = e^{z_k} / sum_j e^{z_j}          (probabilities, summing to 1)
    J = -(1/m) sum_i sum_k y_ik log a_ik,   dJ/dz = (a - y) / m

``nn.CrossEntropyLoss`` takes the logits and computes log-softmax stably (never softmax
before the loss); ``logits.softmax(axis=1)`` gives the probabilities for predictions.

Batch normalisation normalises each hidden unit's pre-activation over the mini-batch, then
lets the network choose its scale and shift (gamma, beta learned)::

    mu = (1/m) sum_i z_i,   sigma^2 = (1/m) sum_i (z_i - mu)^2
    z_norm = (z - mu) / sqrt(sigma^2 + eps),   z_tilde = gamma * z_norm + beta

so every layer sees inputs of a steady scale whatever the layers before it do.  Because
BN(c W a) = BN(W a) for any c > 0, the scale of the weights no longer matters: a deep network
started from the course's "small random" init (randn * 0.01), where without batch norm the
signal shrinks layer after layer and the cost stays at log C, trains as if it had been started
well.  ``nn.BatchNorm1d`` keeps exponentially weighted averages of mu and sigma^2 (momentum
0.1 = the course's beta 0.9) for test time (``model.eval()``).  The bias of the Linear layer
before batch norm is left out: beta replaces it.

The experiment: 5 overlapping Gaussian blobs in 2-D (inputs standardised), a network with 4
hidden ReLU layers of 32 units, plain mini-batch gradient descent (alpha = 0.1, batches of 64)
from He and from small random initialisation, with and without batch norm.

Run::

    python examples/05_batchnorm_softmax.py [--fast] [--device cpu|cuda] [--out DIR]
"""
from __future__ import annotations

import argparse
import math
import os

import minigrad as mg
import nn
import optim

CLASSES, DEPTH, WIDTH, LR = 5, 4, 32, 0.1
INITS = {"he": "He init", "random": "small random init (randn * 0.01)"}


def make_data(seed=0):
    """5 overlapping blobs, 1000 points; 80 % train, 20 % dev, standardised with train statistics."""
    X, y = mg.data.make_blobs(1000, centers=CLASSES, cluster_std=1.5, seed=seed)
    (X_train, y_train), (X_dev, y_dev), _ = mg.data.train_dev_test_split(X, y, ratios=(0.8, 0.2), seed=seed)
    norm = mg.data.Normalizer().fit(X_train)
    return (norm.transform(X_train), y_train), (norm.transform(X_dev), y_dev)


def make_model(batch_norm, init="he", seed=0, device="cpu"):
    """DEPTH hidden layers: Linear -> [BatchNorm1d] -> ReLU, then a Linear giving CLASSES logits."""
    gen = mg.Generator(device=device, seed=seed)
    layers, n_in = [], 2
    for _ in range(DEPTH):
        layers.append(nn.Linear(n_in, WIDTH, bias=not batch_norm, init=init, device=device, generator=gen))
        if batch_norm:
            layers.append(nn.BatchNorm1d(WIDTH, device=device))
        layers.append(nn.ReLU())
        n_in = WIDTH
    layers.append(nn.Linear(n_in, CLASSES, init=init, device=device, generator=gen))
    return nn.Sequential(*layers)


def train_one(batch_norm, init, data, epochs, device="cpu", seed=0):
    """Mini-batch gradient descent; returns a dict with the model, History and final numbers."""
    train, dev = data
    model = make_model(batch_norm, init, seed, device)
    opt = optim.SGD(model.parameters(), lr=LR)
    history = mg.train.fit(model, nn.CrossEntropyLoss(), opt, train, epochs=epochs, batch_size=64, dev=dev,
                           progress=False, diagnostics=False, seed=seed)
    return {"model": model, "history": history, "train_cost": history.last("train_cost"),
            "dev_cost": history.last("dev_cost"), "dev_accuracy": history.last("dev_accuracy")}


def run(fast=False, device="cpu", seed=0):
    """Every (init, batch norm) pair; returns ``{(init, batch_norm): results}``."""
    epochs = 10 if fast else 40
    data = make_data()
    return {(init, bn): train_one(bn, init, data, epochs, device, seed) for init in INITS for bn in (False, True)}


def softmax_demo(model, X, n=4):
    """Class probabilities of the first ``n`` examples: softmax of the logits, rows summing to 1."""
    logits = mg.train.predict(model, X[:n])
    probs = logits.softmax(axis=1).numpy()
    return probs, probs.argmax(axis=1)


def plot(results, data, out):
    """Cost curves with and without batch norm (one panel per init), and the BN model's boundary."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        print("matplotlib is not installed: no plots (pip install matplotlib)")
        return []
    fig = Figure(figsize=(4.5 * (len(INITS) + 1), 3.8), layout="constrained")
    axes = fig.subplots(1, len(INITS) + 1)
    for ax, init in zip(axes, INITS):
        for bn in (False, True):
            h = results[(init, bn)]["history"]
            label = "with batch norm" if bn else "without"
            ax.plot(h.epochs, h["train_cost"], marker=".", label=f"{label}: train")
            ax.plot(h.epochs, h["dev_cost"], linestyle="--", label=f"{label}: dev")
        ax.axhline(math.log(CLASSES), color="grey", linestyle=":", label="log C (guessing)")
        ax.set(xlabel="epoch", ylabel="softmax cross-entropy J", title=INITS[init])
        ax.legend(fontsize="small")
    r = results[("he", True)]
    (X, y), _ = data
    mg.train.plot_decision_boundary(r["model"], X, y, ax=axes[-1],
                                    title=f"He + batch norm: dev accuracy {r['dev_accuracy']:.1%}")
    path = os.path.join(out, "05_batchnorm_softmax.png")
    fig.savefig(path)
    return [path]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N (needs CuPy) or strict")
    p.add_argument("--fast", action="store_true", help="10 epochs instead of 40 (a few seconds)")
    p.add_argument("--out", default="out", help="folder for the plots (default: ./out)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    results = run(args.fast, args.device, args.seed)
    print(f"{len(results[('he', True)]['history'])} epochs of mini-batch GD, alpha = {LR}; "
          f"log C = {math.log(CLASSES):.3f}")
    print(f"{'init':>7}  {'batch norm':>10}  {'train cost':>10}  {'dev cost':>8}  {'dev accuracy':>12}")
    for (init, bn), r in results.items():
        print(f"{init:>7}  {'yes' if bn else 'no':>10}  {r['train_cost']:10.4f}  {r['dev_cost']:8.4f}  "
              f"{r['dev_accuracy']:12.1%}")
    data = make_data()
    probs, pred = softmax_demo(results[("he", True)]["model"], data[1][0])
    print("softmax probabilities of 4 dev examples (He + batch norm), each row sums to 1:")
    for row, k, label in zip(probs, pred, data[1][1]):
        print("  " + "  ".join(f"{q:.3f}" for q in row) + f"   -> class {k} (true {label})")
    os.makedirs(args.out, exist_ok=True)
    for path in plot(results, data, args.out):
        print("saved", path)
    return results


if __name__ == "__main__":
    main()
