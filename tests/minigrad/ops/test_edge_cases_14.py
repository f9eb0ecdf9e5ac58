"""Issue 14 §1b: edge cases found by fuzzing random programs against PyTorch, each with its
expected value taken from PyTorch's documented behaviour (and NumPy where they agree).

The first test needs a fix in minigrad/engine.py (``grad`` maps each input by ``id``, so a
tensor listed twice gets its gradient only in its last slot): it fails until that fix lands.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg


def test_grad_with_the_same_tensor_twice_gives_the_gradient_for_each(device):
    # PyTorch: torch.autograd.grad(out, [m, m]) returns d out / d m in both places
    m = mg.tensor([1.0, -2.0, 3.0], dtype="float64", device=device, requires_grad=True)
    out = (m * m).sum()
    g1, g2 = mg.grad(out, [m, m])
    expected = 2.0 * np.array([1.0, -2.0, 3.0])  # d/dm sum(m^2) = 2m
    assert g1 is not None and g2 is not None
    np.testing.assert_allclose(g1.numpy(), expected)
    np.testing.assert_allclose(g2.numpy(), expected)


def test_grad_with_a_repeated_input_among_others(device):
    a = mg.tensor(2.0, dtype="float64", device=device, requires_grad=True)
    b = mg.tensor(5.0, dtype="float64", device=device, requires_grad=True)
    out = a * a * b  # d/da = 2ab = 20, d/db = a^2 = 4
    grads = mg.grad(out, [a, b, a])
    assert [float(g.item()) for g in grads] == [20.0, 4.0, 20.0]


@pytest.mark.parametrize("axis", [0, 1])
def test_softmax_and_log_softmax_over_an_empty_axis_are_empty(device, axis):
    shape = (0, 3) if axis == 0 else (3, 0)
    x = mg.zeros(shape, device=device, requires_grad=True)
    for fn in (mg.softmax, mg.log_softmax):
        out = fn(x, axis=axis)
        assert out.shape == shape  # PyTorch: an empty result of the input's shape
        out.sum().backward()
        assert x.grad.shape == shape
        x.grad = None


def test_logsumexp_over_an_empty_axis_is_minus_inf(device):
    x = mg.zeros((3, 0), device=device, requires_grad=True)
    out = mg.logsumexp(x, axis=1)
    assert out.shape == (3,)
    assert np.all(out.numpy() == -math.inf)  # log(sum of nothing) = log 0
    kept = mg.logsumexp(x, axis=1, keepdims=True)
    assert kept.shape == (3, 1) and np.all(kept.numpy() == -math.inf)
    (out * 0.0).sum().backward()
    assert x.grad.shape == (3, 0)


def test_logsumexp_over_a_non_empty_axis_of_an_empty_tensor(device):
    out = mg.logsumexp(mg.zeros((0, 3), device=device), axis=1)
    assert out.shape == (0,)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_over_a_non_empty_axis_of_a_tensor_with_an_empty_axis(device, name):
    x = mg.zeros((0, 3), device=device, requires_grad=True)
    fn = getattr(mg, name)
    assert fn(x, axis=1).shape == (0,)  # NumPy's form: values
    pair = fn(x, dim=1)  # PyTorch's form: values and indices
    assert pair.values.shape == (0,) and pair.indices.shape == (0,) and pair.indices.dtype == "int64"
    assert getattr(mg, "a" + name)(x, 1).shape == (0,)
    fn(x, axis=1).sum().backward()
    assert x.grad.shape == (0, 3)


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin"])
def test_reducing_the_empty_axis_itself_is_an_error_naming_the_op(device, name):
    x = mg.zeros((0, 3), device=device)
    with pytest.raises((ValueError, IndexError), match=rf"^{name}.*empty"):
        getattr(mg, name)(x, 0)


def test_split_of_an_empty_axis_gives_one_empty_piece(device):
    x = mg.zeros((0, 2), device=device, requires_grad=True)
    pieces = mg.split(x, 1, axis=0)
    assert [p.shape for p in pieces] == [(0, 2)]  # PyTorch: one piece of shape (0, 2)
    assert [p.shape for p in mg.chunk(x, 3, 0)] == [(0, 2)]


def test_split_with_a_list_of_sizes(device):
    x = mg.tensor(np.arange(10.0).reshape(5, 2), device=device)
    pieces = x.split([2, 0, 3], dim=0)
    assert [p.shape for p in pieces] == [(2, 2), (0, 2), (3, 2)]
    np.testing.assert_array_equal(pieces[2].numpy(), np.arange(4.0, 10.0).reshape(3, 2))
