"""Gradient checking: check a whole model's backprop, then catch a bug planted in a backward
(course C2 W1).

Backprop is easy to get subtly wrong and still "learn".  The check compares it with the
definition of the derivative, one parameter at a time, in float64::

    dJ/dtheta_i ~ (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)      (central difference)

    difference = ||grad - grad_approx||_2 / (||grad||_2 + ||grad_approx||_2)

read as the course does: below 1e-7 fine, around 1e-5 look closer, above 1e-3 almost surely a
bug.  ``minigrad.gradcheck(fn, inputs)`` does this for every element of every input that
requires grad and reports the relative difference per input, the worst element, and a
PyTorch-style pass/fail (``|g - g_num| <= atol + rtol |g_num|``).  Here theta is every
parameter of a model, so ``difference`` below is computed over all of them concatenated,
the course's ``gradient_check_n``.

1. The course's 3-layer network LINEAR -> RELU -> LINEAR -> RELU -> LINEAR, layer sizes
   [4, 5, 3, 1], with the cost J = BCE-with-logits + (lambd / 2m) sum ||W||^2 on a small
   batch, built from ``nn`` layers and checked as a function of all its parameters.
2. A custom ``minigrad.Function`` for the linear layer, Z = A W^T + b, whose backward is
   dA = dZ W,  dW = dZ^T A,  db = sum over examples of dZ -- checked the same way.
3. The same op with the course lab's planted bug, dW multiplied by 2, used in the second layer
   only: the check fails, and the per-parameter report points at W2.
   (Compute the cost as ``sum`` or ``mean`` as you like: the check compares like with like.)

Run::

    python examples/03_gradient_checking.py [--device cpu|cuda|strict] [--fast] [--out DIR]

(``--fast`` and ``--out`` are accepted for symmetry with the other examples: the check takes
well under a second and draws no plot.)
"""
from __future__ import annotations

import argparse
import math

import numpy as np

import minigrad as mg
import nn
import nn.functional as F

LAYERS = (4, 5, 3, 1)
LAMBD = 0.7


class LinearFn(mg.Function):
    """Z = A W^T + b for A (m, n_in), W (n_out, n_in), b (n_out,).

    Backward, with dZ = dJ/dZ of shape (m, n_out)::

        dA = dZ W   (m, n_in),    dW = dZ^T A   (n_out, n_in),    db = sum_i dZ_i   (n_out,)
    """

    def forward(self, a, w, b):
        self.save_for_backward(a, w)
        return a @ self.xp.permute_dims(w, (1, 0)) + b

    def backward(self, dz):
        a, w = self.saved_tensors
        return dz @ w, self.dW(dz, a), dz.sum(axis=0)

    def dW(self, dz, a):
        return dz.T @ a


class BuggyLinearFn(LinearFn):
    """The course lab's planted bug: ``dW = dZ^T A * 2``."""

    def dW(self, dz, a):
        return (dz.T @ a) * 2


def make_model(device="cpu", seed=1):
    """The network as ``nn`` layers, in float64 (gradient checks need the precision)."""
    gen = mg.Generator(device=device, seed=seed)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(LAYERS[:-1], LAYERS[1:])):
        layers.append(nn.Linear(n_in, n_out, init="he", dtype=mg.float64, device=device, generator=gen))
        if i < len(LAYERS) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    with mg.no_grad():  # small random biases, so their gradients are checked at a generic point
        for layer in model:
            if isinstance(layer, nn.Linear):
                layer.bias.copy_(mg.normal(layer.bias.shape, std=0.1, dtype=mg.float64, device=device,
                                           generator=gen))
    return model


def make_batch(device="cpu", m=6, seed=2):
    """A small batch: X (m, 4) standard normal, Y (m, 1) in {0, 1}, float64."""
    rng = np.random.default_rng(seed)
    X = mg.tensor(rng.standard_normal((m, LAYERS[0])), dtype=mg.float64, device=device)
    Y = mg.tensor(rng.integers(0, 2, (m, 1)), dtype=mg.float64, device=device)
    return X, Y


def cost_function(model, X, Y, linears=None):
    """J(W1, b1, ..., W3, b3): the model's cost as a function of its parameters.

    Runs ``model``'s layers in order with the given parameters in place of its own: the l-th
    ``nn.Linear`` becomes ``linears[l](A, W, b)`` (by default ``nn.functional.linear``, the
    function the layer itself calls; a custom op otherwise); every other layer runs as it is.
    """
    linears = linears or [F.linear] * (len(LAYERS) - 1)
    bce = nn.BCEWithLogitsLoss()

    def J(*params):
        it, funcs, a = iter(params), iter(linears), X
        for layer in model:
            a = next(funcs)(a, next(it), next(it)) if isinstance(layer, nn.Linear) else layer(a)
        weights = [p for p in params if p.ndim == 2]
        return bce(a, Y) + nn.l2_penalty(weights, LAMBD, m=len(X))

    return J


def overall_difference(result):
    """The course's single number: the relative difference over all parameters concatenated."""
    grad = np.concatenate([r.analytic.ravel() for r in result.inputs])
    approx = np.concatenate([r.numeric.ravel() for r in result.inputs])
    return float(np.linalg.norm(grad - approx) / (np.linalg.norm(grad) + np.linalg.norm(approx)))


def check(model, X, Y, linears=None):
    """Gradient-check the cost with respect to every parameter; returns (result, overall difference)."""
    params = list(model.parameters())
    # upstream gradient 1: the reported gradients are dJ/dtheta themselves
    result = mg.gradcheck(cost_function(model, X, Y, linears), params, eps=1e-6, grad_output=1.0,
                          raise_exception=False)
    names = [f"{'W' if p.ndim == 2 else 'b'}{i // 2 + 1}" for i, p in enumerate(params)]  # W1, b1, W2, ...
    for name, report in zip(names, result.inputs):
        report.label = name
    return result, overall_difference(result)


def run(device="cpu"):
    """The three checks; returns their numbers (overall and per-parameter relative differences)."""
    model, (X, Y) = make_model(device), make_batch(device)
    cases = (("model", None), ("custom_op", [LinearFn.apply] * 3),
             ("buggy_op", [LinearFn.apply, BuggyLinearFn.apply, LinearFn.apply]))
    out = {}
    for key, linears in cases:
        result, diff = check(model, X, Y, linears)
        out[key] = {"result": result, "difference": diff, "passed": result.passed,
                    "per_parameter": {r.label: r.rel_diff for r in result.inputs}}
    return out


def verdict(diff):
    if not math.isfinite(diff) or diff > 1e-3:
        return "there is a mistake in the backward propagation!"
    return "backward propagation works perfectly fine" if diff < 1e-7 else "look closer"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N (needs CuPy) or strict")
    p.add_argument("--fast", action="store_true", help="(no effect: the check is fast)")
    p.add_argument("--out", default="out", help="(no plots here)")
    args = p.parse_args(argv)
    results = run(args.device)
    titles = {"model": "1. the nn model (nn.functional.linear)", "custom_op": "2. custom op LinearFn",
              "buggy_op": "3. LinearFn with the planted bug dW * 2 in layer 2"}
    for key, r in results.items():
        print(f"{titles[key]}: difference = {r['difference']:.3g} -> {verdict(r['difference'])}")
        print("   per parameter: " + ", ".join(f"{k} {v:.2g}" for k, v in r["per_parameter"].items()))
    print("\nthe report of the failed check:")
    print(results["buggy_op"]["result"])
    return results


if __name__ == "__main__":
    main()
