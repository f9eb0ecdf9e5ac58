"""Ops keep what backward needs in ``save_for_backward``, where the engine sees it: backward
without ``retain_graph`` frees the masks and weights (nothing array-valued stays on the node),
and a saved input changed in place before backward raises instead of giving a wrong gradient."""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import minigrad as mg

X = np.array([[-1.5, 0.0, 2.0], [0.5, 2.0, -3.0]])
Y = np.array([[1.0, 0.0, 2.0], [-0.5, 2.0, 1.0]])

# op -> (builds the output from x, y; NumPy gradient of out.sum() with respect to x)
CASES = {
    "relu": (lambda x, y: mg.relu(x), lambda: (X > 0) * 1.0),
    "leaky_relu": (lambda x, y: mg.leaky_relu(x, 0.1), lambda: np.where(X > 0, 1.0, 0.1)),
    "clip": (lambda x, y: mg.clip(x, -1.0, 1.0), lambda: ((X >= -1.0) & (X <= 1.0)) * 1.0),
    "maximum": (lambda x, y: mg.maximum(x, y), lambda: (X > Y) + 0.5 * (X == Y)),
    "minimum": (lambda x, y: mg.minimum(x, y), lambda: (X < Y) + 0.5 * (X == Y)),
    "max": (lambda x, y: x.max(axis=1), lambda: (X == X.max(axis=1, keepdims=True)) * 1.0),
    "min": (lambda x, y: x.min(axis=0), lambda: (X == X.min(axis=0, keepdims=True)) * 1.0),
    "where": (lambda x, y: mg.where(y > 0.5, x, 2.0 * x), lambda: np.where(Y > 0.5, 1.0, 2.0)),
    "softmax_cross_entropy": (lambda x, y: mg.softmax_cross_entropy(x, mg.tensor([2, 0], device=x.device)),
                              lambda: _softmax(X) - np.eye(3)[[2, 0]]),
}


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _arrays_on(node):
    """Attributes of ``node`` that are arrays (of any library) -- what it would keep alive."""
    return {k: v for k, v in vars(node).items() if isinstance(v, np.ndarray) or hasattr(v, "__array_namespace__")}


def _leaves(device):
    x = mg.tensor(X, device=device, requires_grad=True)
    y = mg.tensor(Y, device=device)
    return x, y


@pytest.mark.parametrize("op", sorted(CASES))
def test_saved_arrays_are_freed_by_backward(op, device):
    build, grad = CASES[op]
    x, y = _leaves(device)
    out = build(x, y)
    node = out.grad_fn
    assert _arrays_on(node) == {}, f"{op} keeps arrays as attributes"
    kept = [v for _, _, v in node._saved if v is not None and not isinstance(v, mg.Tensor)]
    refs = [weakref.ref(a) for a in kept if type(a).__module__.split(".")[0] == "numpy"]
    del kept
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), grad(), rtol=1e-12)  # the gradient is right
    assert node._saved is None
    gc.collect()
    assert all(r() is None for r in refs), f"{op}: a saved array outlived backward"
    with pytest.raises(mg.BackwardError, match="second time"):
        out.sum().backward()


@pytest.mark.parametrize("op", ["relu", "maximum", "max", "where"])
def test_retain_graph_keeps_them_for_a_second_backward(op, device):
    build, grad = CASES[op]
    x, y = _leaves(device)
    out = build(x, y).sum()
    out.backward(retain_graph=True)
    out.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * grad(), rtol=1e-12)


def test_relu_mask_array_dies_with_the_graph():
    x = mg.tensor(X, requires_grad=True)
    out = mg.relu(x)
    (mask,) = out.grad_fn._saved  # (where, version, the mask array)
    ref = weakref.ref(mask[2])
    np.testing.assert_array_equal(mask[2], (X > 0) * 1.0)
    del mask
    out.sum().backward()
    gc.collect()
    assert ref() is None


def test_where_condition_changed_in_place_before_backward_raises(device):
    x, y = _leaves(device)
    cond = mg.tensor(Y > 0.5, device=device)
    out = mg.where(cond, x, 2.0 * x)
    cond[0, 0] = not bool(cond[0, 0])  # the gradient would silently follow the new condition
    with pytest.raises(mg.BackwardError, match="Where: .*modified in place"):
        out.sum().backward()


def test_labels_changed_in_place_before_backward_raises(device):
    x, _ = _leaves(device)
    labels = mg.tensor([2, 0], device=device)
    loss = mg.softmax_cross_entropy(x, labels, scale=0.5)
    labels[0] = 1
    with pytest.raises(mg.BackwardError, match="SoftmaxCrossEntropy: .*modified in place"):
        loss.backward()


def test_second_order_through_saved_masks(device):
    """create_graph: the saved masks come back as constant Tensors; gradients of gradients
    are right (leaky_relu' is piecewise constant, so d/dx of sum(g * x) is the mask itself)."""
    x, _ = _leaves(device)
    out = mg.leaky_relu(x, 0.1)
    (g,) = mg.grad(out.sum(), x, create_graph=True)
    (h,) = mg.grad((g * x).sum(), x)
    np.testing.assert_allclose(h.numpy(), np.where(X > 0, 1.0, 0.1), rtol=1e-12)


def test_max_pool_keeps_only_its_saved_mask(device):
    """max_pool2d's node holds no array attribute; its mask goes with the graph; the gradient
    routes each window's upstream value to its first maximum (NumPy loop reference)."""
    xv = np.array([[[[1.0, 3.0, 2.0, 0.0], [4.0, 0.5, 1.0, 5.0], [0.0, 2.0, 7.0, 1.0], [1.0, 1.0, 0.0, 6.0]]]])
    x = mg.tensor(xv, device=device, requires_grad=True)
    out = mg.max_pool2d(x, 2)
    node = out.grad_fn
    assert _arrays_on(node) == {}
    upstream = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    out.backward(mg.tensor(upstream, device=device))
    expected = np.zeros_like(xv)
    for r in range(2):
        for c in range(2):
            window = xv[0, 0, 2 * r:2 * r + 2, 2 * c:2 * c + 2]
            i, j = np.unravel_index(np.argmax(window), window.shape)
            expected[0, 0, 2 * r + i, 2 * c + j] = upstream[0, 0, r, c]
    np.testing.assert_array_equal(x.grad.numpy(), expected)
    assert node._saved is None
