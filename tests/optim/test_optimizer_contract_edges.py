"""The Optimizer base class at its edges: zero_grad(set_to_none=False) on mixed parameters,
step()'s return without a closure, and every refusal's full message."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import optim


def test_zero_grad_in_place_skips_missing_gradients_and_detaches_graph_ones():
    a, b, c = (mg.tensor([1.0, 2.0], requires_grad=True) for _ in range(3))
    opt = optim.SGD([a, b, c], lr=0.1)
    b.grad = mg.tensor([3.0, 4.0])
    kept = b.grad
    c.grad = mg.tensor([5.0, 6.0], requires_grad=True)  # a gradient that is itself in a graph
    opt.zero_grad(set_to_none=False)
    assert a.grad is None  # no gradient stays no gradient, and the loop goes on past it
    assert b.grad is kept  # zeroed in place, as PyTorch does: the same tensor
    np.testing.assert_array_equal(b.grad.numpy(), [0.0, 0.0])
    assert c.grad is not None and c.grad.requires_grad is False and c.grad.grad_fn is None
    np.testing.assert_array_equal(c.grad.numpy(), [0.0, 0.0])


def test_step_without_a_closure_returns_none():
    p = mg.tensor([1.0], requires_grad=True)
    p.grad = mg.tensor([1.0])
    assert optim.SGD([p], lr=0.1).step() is None


def test_a_gradient_of_the_wrong_shape_is_named():
    p = mg.zeros(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    p.grad = mg.zeros(3)
    with pytest.raises(ValueError) as info:
        opt.step()
    assert str(info.value) == ("SGD.step: the gradient of a parameter of shape (2,), float32 on cpu is shape (3,), "
                               "float32 on cpu; expected the same shape, dtype and device")


def _message(fn):
    with pytest.raises((TypeError, ValueError)) as info:
        fn()
    return f"{info.type.__name__}: {info.value}"


def test_every_refused_params_argument_has_its_message():
    p = mg.zeros(2, requires_grad=True)
    assert _message(lambda: optim.SGD(3, lr=0.1)) == (
        "TypeError: SGD: params must be an iterable of Tensors or of dicts, got int")
    assert _message(lambda: optim.SGD({p}, lr=0.1)) == (
        "TypeError: SGD: params must be an ordered iterable (a list), not a set: the order decides the indices "
        "in state_dict")
    assert _message(lambda: optim.SGD([1.0], lr=0.1)) == (
        "TypeError: SGD: parameter 0 is a float, expected a minigrad Tensor")
    assert _message(lambda: optim.SGD([p * 2], lr=0.1)) == (
        "ValueError: SGD: parameter 0 (shape (2,)) is not a leaf tensor (it was computed by an op); optimize the "
        "tensors you created, or detach() it")
    assert _message(lambda: optim.SGD([mg.zeros(2, dtype="int64")], lr=0.1)) == (
        "TypeError: SGD: parameter 0 has dtype int64; only floating-point tensors can be optimized")


def test_every_refused_param_group_has_its_message():
    opt = optim.SGD([mg.zeros(2, requires_grad=True)], lr=0.1)
    assert _message(lambda: opt.add_param_group(3)) == "TypeError: SGD.add_param_group: expected a dict, got int"
    assert _message(lambda: opt.add_param_group({"lr": 0.1})) == (
        "ValueError: SGD.add_param_group: the group has no 'params' entry")
    assert _message(lambda: opt.add_param_group({"params": 3})) == (
        "TypeError: SGD: params must be an iterable of Tensors or of dicts, got int")
    assert _message(lambda: opt.add_param_group({"params": [1.0]})) == (
        "TypeError: SGD: parameter 0 is a float, expected a minigrad Tensor")


@pytest.mark.parametrize("cls, kw, message", [
    (optim.SGD, dict(lr="x"), "SGD: invalid lr 'x'; expected a finite number >= 0"),
    (optim.SGD, dict(lr=True), "SGD: invalid lr True; expected a finite number >= 0"),
    (optim.SGD, dict(lr=0.1, weight_decay="x"), "SGD: invalid weight_decay 'x'; expected a finite number >= 0"),
    (optim.SGD, dict(lr=0.1, dampening="x"), "SGD: invalid dampening 'x'; expected a finite number"),
    (optim.SGD, dict(lr=0.1, dampening=True), "SGD: invalid dampening True; expected a finite number"),
    (optim.SGD, dict(lr=0.1, dampening=float("inf")), "SGD: invalid dampening inf; expected a finite number"),
    (optim.Momentum, dict(lr=0.1, beta="x"), "Momentum: invalid beta 'x'; expected a number in [0, 1)"),
])
def test_each_bad_hyperparameter_has_its_message(cls, kw, message):
    with pytest.raises(ValueError) as info:
        cls([mg.zeros(2, requires_grad=True)], **kw)
    assert str(info.value) == message
