"""The gradients backward() leaves behind: plain (False, not a falsy None) ``requires_grad``
without ``create_graph``, a graph with it, for leaves and for tensors that called retain_grad()."""
import numpy as np

import minigrad as mg

X = np.array([0.5, -1.25, 2.0])


def test_plain_backward_leaves_gradients_that_require_no_grad_twice_over(device):
    x = mg.tensor(X, requires_grad=True, device=device)
    z = x * 2.0
    z.retain_grad()
    out = (z ** 2).sum()
    out.backward(retain_graph=True)
    assert x.grad.requires_grad is False and z.grad.requires_grad is False
    out.backward()  # the second call adds into both
    assert x.grad.requires_grad is False and z.grad.requires_grad is False
    assert x.grad.grad_fn is None and z.grad.grad_fn is None
    np.testing.assert_allclose(z.grad.numpy(), 2 * (2 * (2 * X)), rtol=1e-12)


def test_retained_gradient_under_create_graph_is_differentiable(device):
    x = mg.tensor(X, requires_grad=True, device=device)
    z = x * x
    z.retain_grad()
    (z ** 3).sum().backward(create_graph=True)
    # d/dz sum z^3 = 3 z^2 = 3 x^4, a function of x: its own gradient is 12 x^3
    assert z.grad.requires_grad
    np.testing.assert_allclose(z.grad.numpy(), 3 * X ** 4, rtol=1e-12)
    (g,) = mg.grad(z.grad.sum(), [x])
    np.testing.assert_allclose(g.numpy(), 12 * X ** 3, rtol=1e-12)
