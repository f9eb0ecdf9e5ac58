"""zero_grad() (set_to_none=True) forgets the gradients and nothing else: a gradient tensor held
elsewhere keeps its values, and graph-carrying gradients (create_graph=True) are dropped too, in
every parameter group."""
from __future__ import annotations

import numpy as np

import minigrad as mg
import optim


def test_set_to_none_leaves_a_held_gradient_as_it_was_in_every_group(device):
    a = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    b = mg.tensor([3.0], device=device, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad, b.grad = mg.tensor([4.0, 5.0], device=device), mg.tensor([6.0], device=device)
    held = [a.grad, b.grad]
    opt.zero_grad()
    assert a.grad is None and b.grad is None
    np.testing.assert_array_equal(held[0].numpy(), [4.0, 5.0])
    np.testing.assert_array_equal(held[1].numpy(), [6.0])


def test_set_to_none_drops_gradients_that_carry_a_graph(device):
    a = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    b = mg.tensor([3.0], device=device, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    ((a * a).sum() + (b * b * b).sum()).backward(create_graph=True)
    assert a.grad.requires_grad and b.grad.requires_grad
    opt.zero_grad()
    assert a.grad is None and b.grad is None
