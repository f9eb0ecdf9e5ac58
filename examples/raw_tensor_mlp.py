"""A two-layer network from raw Tensor ops, trained by a hand-written gradient-descent loop.

Nothing from ``nn`` or ``optim``: parameters are Tensors with ``requires_grad=True``, the
forward pass is written out, ``loss.backward()`` fills ``.grad``, and the update
``W = W - alpha * dW`` is one line under ``no_grad``.  The data (two interleaved spirals) is
generated here with a fixed seed.

Run: python examples/raw_tensor_mlp.py [--device cpu|cuda|strict] [--epochs N]
"""
from __future__ import annotations

import argparse
import math

import numpy as np

import minigrad as mg


def make_spirals(n_per_class=200, noise=0.15, seed=0):
    """Two interleaved spirals in 2-D: X (2n, 2) float32, y (2n,) in {0, 1}."""
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.random(n_per_class)) * 3 * math.pi
    arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (3 * math.pi)
    X = np.concatenate([arm, -arm]) + rng.normal(0, noise / 3, (2 * n_per_class, 2))
    y = np.concatenate([np.zeros(n_per_class), np.ones(n_per_class)])
    return X.astype(np.float32), y.astype(np.float32)


def train(epochs=1000, hidden=32, lr=0.5, device="cpu", seed=0, log_every=100, quiet=False):
    """Full-batch gradient descent; returns the list of costs, one per epoch."""
    X_np, y_np = make_spirals(seed=seed)
    X, y = mg.tensor(X_np, device=device), mg.tensor(y_np[:, None], device=device)
    gen = mg.Generator(device=device, seed=seed)
    # He initialisation: W[l] ~ N(0, 2 / n[l-1]), shape (n[l], n[l-1])
    W1 = (mg.randn(hidden, 2, generator=gen, device=device) * math.sqrt(2 / 2)).requires_grad_()
    b1 = mg.zeros(hidden, device=device, requires_grad=True)
    W2 = (mg.randn(1, hidden, generator=gen, device=device) * math.sqrt(2 / hidden)).requires_grad_()
    b2 = mg.zeros(1, device=device, requires_grad=True)
    params = [W1, b1, W2, b2]
    costs = []
    for epoch in range(epochs):
        A1 = (X @ W1.T + b1).relu()                   # (m, hidden)
        Z2 = A1 @ W2.T + b2                            # (m, 1) logits
        # cross-entropy of sigmoid(Z2), written stably: log(1 + e^z) - y z
        cost = (mg.logsumexp(mg.stack([mg.zeros_like(Z2), Z2]), axis=0) - y * Z2).mean()
        for p in params:
            p.grad = None
        cost.backward()
        with mg.no_grad():
            for p in params:
                p -= lr * p.grad                      # W = W - alpha * dW
        costs.append(cost.item())
        if not quiet and (epoch % log_every == 0 or epoch == epochs - 1):
            acc = ((Z2 > 0).to(dtype=mg.float32) == y).to(dtype=mg.float32).mean().item()
            print(f"epoch {epoch:4d}  cost {costs[-1]:.4f}  train accuracy {acc:.3f}")
    return costs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--epochs", type=int, default=1000)
    args = ap.parse_args(argv)
    costs = train(epochs=args.epochs, device=args.device)
    print(f"cost fell from {costs[0]:.4f} to {costs[-1]:.4f}")


if __name__ == "__main__":
    main()
