"""Convergence on the course's picture: an elongated bowl where gradient descent oscillates.

f(w) = (w_0^2 + kappa w_1^2) / 2 with kappa = 1000: the gradient is 1000 times steeper along
w_1, so plain gradient descent must keep lr < 2/kappa (or oscillate and diverge along w_1)
and then crawls along w_0.  Momentum damps the oscillations; RMSprop and Adam rescale each
coordinate.  Every optimizer must reach the minimum, and the three must get there in far
fewer steps than gradient descent at its best stable learning rate.
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import optim

KAPPA = 1000.0
TOL = 1e-3


def steps_to_minimum(make, max_steps):
    """Steps until ||w - w*|| < TOL (w* = 0), or None."""
    h = mg.tensor([1.0, KAPPA], dtype="float64")
    w = mg.tensor([1.0, 1.0], dtype="float64", requires_grad=True)
    opt = make([w])
    for k in range(1, max_steps + 1):
        opt.zero_grad()
        (0.5 * (h * w * w).sum()).backward()
        opt.step()
        dist = np.linalg.norm(w.numpy())
        if dist < TOL:
            return k
        if not dist < 1e6:  # diverged
            return None
    return None


@pytest.fixture(scope="module")
def gd_steps():
    steps = steps_to_minimum(lambda p: optim.SGD(p, lr=1.9 / KAPPA), 10_000)
    assert steps is not None, "plain gradient descent did not converge"
    return steps


# name: (optimizer, how many times fewer steps than gradient descent it must take)
OPTIMIZERS = {
    "Momentum": (lambda p: optim.Momentum(p, lr=0.019, beta=0.9), 5),
    "SGD-momentum": (lambda p: optim.SGD(p, lr=0.003, momentum=0.9), 5),
    "SGD-nesterov": (lambda p: optim.SGD(p, lr=0.001, momentum=0.9, nesterov=True), 2),
    "RMSprop": (lambda p: optim.RMSprop(p, lr=0.01), 5),
    "RMSprop-centered": (lambda p: optim.RMSprop(p, lr=0.01, centered=True), 5),
    "RMSprop-momentum": (lambda p: optim.RMSprop(p, lr=0.001, momentum=0.9), 5),
    "Adam": (lambda p: optim.Adam(p, lr=0.03), 5),
    "Adam-amsgrad": (lambda p: optim.Adam(p, lr=0.03, amsgrad=True), 5),
    "AdamW": (lambda p: optim.AdamW(p, lr=0.03, weight_decay=0.01), 5),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_reaches_the_minimum_in_far_fewer_steps_than_gradient_descent(name, gd_steps):
    make, speedup = OPTIMIZERS[name]
    steps = steps_to_minimum(make, gd_steps)
    assert steps is not None, f"{name} did not reach the minimum in {gd_steps} steps"
    assert steps * speedup < gd_steps, f"{name} took {steps} steps, gradient descent {gd_steps}"


def test_gradient_descent_above_two_over_kappa_oscillates_and_diverges():
    """The course's picture: too large a step along the steep direction overshoots."""
    assert steps_to_minimum(lambda p: optim.SGD(p, lr=2.1 / KAPPA), 200) is None
