"""A step reads the gradients and never writes into them; a state_dict's buffers must match its settings.

The kernels update in place through scratch buffers; one that used the gradient's own array as
scratch would corrupt ``p.grad`` (which a user may log, clip or reuse for another step).
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import optim
from test_optim_branches import CASES

EXTRA = [("Adagrad", optim.Adagrad, dict(lr=0.1, lr_decay=0.01, weight_decay=0.1)),
         ("Adamax", optim.Adamax, dict(lr=0.1, weight_decay=0.1)), ("Adamax", optim.Adamax, dict(lr=0.1)),
         ("NAdam", optim.NAdam, dict(lr=0.1)), ("NAdam", optim.NAdam, dict(lr=0.1, weight_decay=0.1)),
         ("RAdam", optim.RAdam, dict(lr=0.1)), ("RAdam", optim.RAdam, dict(lr=0.1, weight_decay=0.1)),
         ("Adagrad", optim.Adagrad, dict(lr=0.1))]
ALL = [(name, cls, hyper) for name, cls, _, hyper in CASES] + EXTRA


@pytest.mark.parametrize("name, cls, hyper", ALL, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(ALL)])
def test_a_step_leaves_the_gradient_as_it_was(name, cls, hyper, device):
    g0 = np.array([[0.5, -1.0, 2.0], [3.0, -0.25, 1.5]])
    p = mg.tensor(np.ones((2, 3)), dtype="float64", device=device, requires_grad=True)
    opt = cls([p], **hyper)
    for _ in range(7):  # RAdam's rectified branch starts after its 5th step
        p.grad = mg.tensor(g0.copy(), dtype="float64", device=device)
        opt.step()
        np.testing.assert_array_equal(p.grad.numpy(), g0, err_msg=name)


def test_a_momentum_buffer_under_momentum_zero_is_refused():
    p = mg.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = mg.tensor([1.0, 1.0])
    opt.step()
    sd = opt.state_dict()
    sd["param_groups"][0]["momentum"] = 0.0  # settings that keep no buffer, and a buffer
    fresh = optim.SGD([mg.tensor([1.0, 2.0], requires_grad=True)], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match=r"has entries \['momentum_buffer'\], but SGD with these hyperparameters "
                                         r"keeps \[\]"):
        fresh.load_state_dict(sd)
