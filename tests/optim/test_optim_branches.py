"""Every branch of every optimizer's update, on every device, against the NumPy transcriptions of
tests/optim/test_optim_equations.py: the fuzzed test there draws 15 random configurations, which can miss
a combination (centered RMSprop with momentum, nesterov with weight decay ...); here each
combination of the flags runs for five steps with gradients that change sign, so a mutated
kernel branch (a sign in the centered average, a dropped weight-decay term, a momentum buffer
started from the wrong array) shows in the parameters."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import minigrad as mg
import optim
from test_optim_equations import ref_adam, ref_adamw, ref_momentum, ref_rmsprop, ref_sgd, steps_match_reference

STEPS = 5


def _cases():
    for momentum, nesterov, dampening, wd in itertools.product((0.0, 0.9), (False, True), (0.0, 0.5), (0.0, 0.1)):
        if nesterov and (momentum == 0 or dampening):
            continue  # PyTorch refuses nesterov without momentum or with dampening
        yield "SGD", optim.SGD, ref_sgd, dict(lr=0.1, momentum=momentum, dampening=dampening, nesterov=nesterov,
                                              weight_decay=wd)
    for wd in (0.0, 0.1):
        yield "Momentum", optim.Momentum, ref_momentum, dict(lr=0.1, beta=0.8, weight_decay=wd)
    for centered, momentum, wd in itertools.product((False, True), (0.0, 0.7), (0.0, 0.1)):
        yield "RMSprop", optim.RMSprop, ref_rmsprop, dict(lr=0.01, alpha=0.9, eps=1e-3, momentum=momentum,
                                                          centered=centered, weight_decay=wd)
    for amsgrad, wd in itertools.product((False, True), (0.0, 0.1)):
        yield "Adam", optim.Adam, ref_adam, dict(lr=0.05, betas=(0.8, 0.9), eps=1e-3, weight_decay=wd,
                                                 amsgrad=amsgrad)
        yield "AdamW", optim.AdamW, ref_adamw, dict(lr=0.05, betas=(0.8, 0.9), eps=1e-3, weight_decay=wd,
                                                   amsgrad=amsgrad)


CASES = list(_cases())


@pytest.mark.parametrize("name, cls, reference, hyper", CASES,
                         ids=[f"{c[0]}-" + "-".join(f"{k}={v}" for k, v in c[3].items() if k != "lr") for c in CASES])
def test_each_branch_follows_the_equations(name, cls, reference, hyper, device):
    rng = np.random.default_rng(7)
    init = rng.standard_normal((2, 3))
    grads = [rng.standard_normal((2, 3)) * (-1) ** k * (k + 1) for k in range(STEPS)]
    steps_match_reference(name, cls, reference, hyper, [init], [[g] for g in grads], device, 1e-10, 1e-13)
    assert not np.allclose(reference(init.copy(), grads, **hyper), init)  # the steps moved the parameters


@pytest.mark.parametrize("name, cls, reference, hyper", [c for c in CASES if not c[3]["weight_decay"]],
                         ids=[c[0] for c in CASES if not c[3]["weight_decay"]])
def test_without_weight_decay_an_infinite_parameter_adds_no_nan(name, cls, reference, hyper, device):
    # weight_decay=0 adds nothing (PyTorch skips the term): 0 * inf would turn the parameter into NaN
    init = np.array([np.inf, 1.0, -2.0])
    grads = [np.array([0.5, -1.0, 2.0])] * 3
    p = mg.tensor(init, dtype="float64", device=device, requires_grad=True)
    opt = cls([p], **hyper)
    for g in grads:
        p.grad = mg.tensor(g, dtype="float64", device=device)
        opt.step()
    out = p.numpy()
    assert not np.isnan(out).any(), out
    np.testing.assert_allclose(out[1:], reference(init[1:].copy(), [g[1:] for g in grads], **hyper), rtol=1e-10)
