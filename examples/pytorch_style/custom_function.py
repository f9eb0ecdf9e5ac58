"""A custom autograd Function with ``ctx``, fitted by a hand-written loop, written as plain PyTorch.

The first line picks the library: ``import minigrad as torch`` runs it on minigrad, ``import torch``
on PyTorch; nothing else changes.  ``SquarePlus`` is a smooth ReLU,

    f(x) = (x + sqrt(x^2 + b)) / 2,      df/dx = (1 + x / sqrt(x^2 + b)) / 2,

defined once with forward and backward side by side and checked with ``gradcheck`` in float64.  A
one-hidden-layer network using it is fitted to sin(x) by plain gradient descent on raw tensors.

Run: python examples/pytorch_style/custom_function.py [--fast]
"""
import minigrad as torch  # the one line that picks the library (or: import torch)

import argparse
import json
import math

import numpy as np


class SquarePlus(torch.autograd.Function):
    """f(x) = (x + sqrt(x^2 + b)) / 2, a smooth ReLU (b > 0 sets how round the corner is)."""

    @staticmethod
    def forward(ctx, x, b=4.0):
        root = torch.sqrt(x * x + b)
        ctx.save_for_backward(x, root)
        return (x + root) / 2

    @staticmethod
    def backward(ctx, grad_output):
        x, root = ctx.saved_tensors
        return grad_output * (1 + x / root) / 2, None


def check_gradient():
    """gradcheck in float64 at a few random points: True when analytic and numeric gradients agree."""
    x = torch.tensor(np.linspace(-3.0, 3.0, 7), dtype=torch.float64, requires_grad=True)
    return bool(torch.autograd.gradcheck(lambda t: SquarePlus.apply(t, 4.0), (x,)))


def main(steps=2000, hidden=16, lr=0.03, seed=0, quiet=False):
    """Fit sin on [-pi, pi]; returns {"gradcheck": bool, "losses": loss every 100 steps, "final_loss"}."""
    rng = np.random.default_rng(seed)
    x = torch.tensor(np.linspace(-math.pi, math.pi, 200)[:, None], dtype=torch.float32)
    y = torch.sin(x)
    w1 = torch.tensor(rng.normal(0.0, 1.0, (1, hidden)), dtype=torch.float32, requires_grad=True)
    b1 = torch.tensor(rng.uniform(-math.pi, math.pi, (hidden,)), dtype=torch.float32, requires_grad=True)
    w2 = torch.tensor(rng.normal(0.0, 0.1, (hidden, 1)), dtype=torch.float32, requires_grad=True)
    b2 = torch.tensor(np.zeros(1), dtype=torch.float32, requires_grad=True)
    params = [w1, b1, w2, b2]
    losses = []
    for step in range(steps):
        y_pred = SquarePlus.apply(x @ w1 + b1, 1.0) @ w2 + b2
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
        if step % 100 == 0 or step == steps - 1:
            losses.append(loss.item())
            if not quiet:
                print(f"step {step:5d}  loss {losses[-1]:.5f}")
    return {"gradcheck": check_gradient(), "losses": losses, "final_loss": losses[-1]}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="300 steps only")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    result = main(steps=300 if args.fast else 2000, quiet=args.json)
    if args.json:
        print(json.dumps(result))
