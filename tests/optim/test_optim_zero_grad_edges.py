"""zero_grad() and step() across parameter groups: set_to_none forgets the gradients and nothing
else (a gradient tensor held elsewhere keeps its values; create_graph gradients are dropped too);
step refuses a gradient on another device before updating anything; the momentum buffer is a copy."""
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


def test_step_refuses_a_gradient_on_another_device_and_changes_nothing():
    """strict:0 and strict:1 share one array namespace and dtype objects: only the device check can tell."""
    a, b = mg.zeros(2, device="strict", requires_grad=True), mg.zeros(2, device="strict", requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    a.grad = mg.ones(2, device="strict")
    b.grad = mg.ones(2, device="strict:1")  # same shape and dtype, another device
    try:
        opt.step()
    except ValueError as e:
        assert "on strict:0 is shape (2,), float32 on strict:1; expected the same shape, dtype and device" in str(e)
    else:
        raise AssertionError("a gradient on another device was accepted")
    np.testing.assert_array_equal(a.numpy(), [0.0, 0.0])  # checked before any update


def test_sgd_momentum_buffer_is_a_copy_of_the_gradient_on_every_backend(device):
    """The first momentum buffer is a copy of g: later steps must not write into the gradient."""
    p = mg.zeros(2, device=device, requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = mg.tensor([1.0, -2.0], device=device)
    opt.step()
    opt.step()  # buf = 0.9 g + g
    np.testing.assert_array_equal(p.grad.numpy(), [1.0, -2.0])
    np.testing.assert_allclose(p.numpy(), np.array([1.0, -2.0]) * -0.1 * 2.9, rtol=1e-6)
