"""``matmul`` and ``linear`` (minigrad/ops/linalg.py) in every operand form, against NumPy products and
the gradient formulas dA = G B^T, dB = A^T G (summed over broadcast batch axes): vectors on either
side, batch broadcasting, the fused ``x @ W.T`` path and its layouts, numbers and lists as operands,
which inputs get gradients, and the errors with their messages (issue 18)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.errors import DTypeError, ShapeError


def _r(*shape, seed=0):
    return np.random.default_rng(seed + sum(shape)).standard_normal(shape)


def _sum_to(g, shape):
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    return g.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True) if shape else g


@pytest.mark.parametrize("sa, sb", [((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((2, 3), (3, 4)),
                                    ((2, 1, 3, 4), (5, 4, 2)), ((4,), (2, 4, 3)), ((2, 2, 3), (3,)),
                                    ((1, 3), (3, 1)), ((3, 1), (1, 3))])
def test_matmul_forms_and_gradients(device, sa, sb):
    a, b = _r(*sa), _r(*sb, seed=1)
    at = mg.tensor(a, device=device, requires_grad=True)
    bt = mg.tensor(b, device=device, requires_grad=True)
    out = mg.matmul(at, bt)
    ref = np.matmul(a, b)
    assert out.shape == ref.shape
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12)
    g = _r(*ref.shape, seed=2) if ref.shape else np.float64(1.5)
    out.backward(mg.tensor(g, device=device))
    a2 = a[None, :] if a.ndim == 1 else a  # NumPy's promotion of vectors, by hand
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = np.asarray(g)
    if b.ndim == 1:
        g2 = g2[..., None]
    if a.ndim == 1:
        g2 = np.expand_dims(g2, -2)
    ga = _sum_to(np.matmul(g2, np.swapaxes(b2, -1, -2)), a2.shape).reshape(a.shape)
    gb = _sum_to(np.matmul(np.swapaxes(a2, -1, -2), g2), b2.shape).reshape(b.shape)
    np.testing.assert_allclose(at.grad.numpy(), ga, rtol=1e-12)
    np.testing.assert_allclose(bt.grad.numpy(), gb, rtol=1e-12)


@pytest.mark.parametrize("form", ["x @ W.T", "A.T @ B", "A.T @ B.T", "A @ B"])
def test_fused_transposes(device, form):
    x, w = _r(4, 3), _r(4, 3, seed=5)
    xt = mg.tensor(x, device=device, requires_grad=True)
    wt = mg.tensor(w, device=device, requires_grad=True)
    if form == "x @ W.T":
        out, ref = xt @ wt.T, x @ w.T
    elif form == "A.T @ B":
        out, ref = xt.T @ wt, x.T @ w
    elif form == "A.T @ B.T":
        out, ref = mg.matmul(mg.transpose(xt), mg.transpose(mg.tensor(w.T.copy(), device=device))), x.T @ w
        wt = None
    else:
        out, ref = xt @ mg.tensor(w.T.copy(), device=device), x @ w.T
        wt = None
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12)
    g = _r(*ref.shape, seed=6)
    out.backward(mg.tensor(g, device=device))
    if form == "x @ W.T":
        np.testing.assert_allclose(xt.grad.numpy(), g @ w, rtol=1e-12)
        np.testing.assert_allclose(wt.grad.numpy(), g.T @ x, rtol=1e-12)
    elif form == "A.T @ B":
        np.testing.assert_allclose(xt.grad.numpy(), w @ g.T, rtol=1e-12)
        np.testing.assert_allclose(wt.grad.numpy(), x @ g, rtol=1e-12)
    else:
        np.testing.assert_allclose(xt.grad.numpy(), (g @ w).reshape(x.shape) if form == "A @ B" else w @ g.T,
                                   rtol=1e-12)
    for t in (xt, wt):
        if t is not None and device == "cpu":
            assert t.grad.array.flags.c_contiguous  # each gradient in its input's layout


def test_a_transpose_that_keeps_its_gradient_is_not_fused(device):
    x, w = _r(2, 3), _r(4, 3, seed=3)
    wt = mg.tensor(w, device=device, requires_grad=True)
    wT = wt.T
    wT.retain_grad()
    out = mg.tensor(x, device=device) @ wT
    g = _r(2, 4, seed=4)
    out.backward(mg.tensor(g, device=device))
    np.testing.assert_allclose(wT.grad.numpy(), x.T @ g, rtol=1e-12)
    np.testing.assert_allclose(wt.grad.numpy(), g.T @ x, rtol=1e-12)


def test_a_column_major_input_gets_a_column_major_gradient():
    w = mg.tensor(np.asfortranarray(_r(3, 4)), requires_grad=True)  # a transposed layout, not recorded
    x = mg.tensor(_r(2, 3, seed=1))
    (x @ w).sum().backward()
    assert w.grad.array.flags.f_contiguous and not w.grad.array.flags.c_contiguous
    np.testing.assert_allclose(w.grad.numpy(), x.numpy().T @ np.ones((2, 4)), rtol=1e-12)


def test_only_the_inputs_that_ask_get_gradients(device):
    a, b = _r(2, 3), _r(3, 2, seed=1)
    at, bt = mg.tensor(a, device=device, requires_grad=True), mg.tensor(b, device=device)
    (at @ bt).sum().backward()
    np.testing.assert_allclose(at.grad.numpy(), np.ones((2, 2)) @ b.T, rtol=1e-12)
    assert bt.grad is None


def test_numbers_and_lists_as_operands(device):
    b = mg.tensor([[1.0], [2.0]], device=device)
    np.testing.assert_array_equal(mg.matmul([[1.0, 3.0]], b).numpy(), [[7.0]])
    np.testing.assert_array_equal(mg.matmul(mg.tensor([[1.0, 3.0]], device=device), [[2.0], [1.0]]).numpy(), [[5.0]])
    np.testing.assert_array_equal(mg.matmul([1.0, 2.0], b).numpy(), [5.0])


@pytest.mark.parametrize("call, error, msg", [
    (lambda: mg.matmul(mg.ones(3), mg.ones(4, 2)), ShapeError,
     r"^matmul: shapes \(3,\) and \(4, 2\) do not align: 3 != 4$"),
    (lambda: mg.matmul(mg.ones(2, 3), mg.ones(4)), ShapeError,
     r"^matmul: shapes \(2, 3\) and \(4,\) do not align: 3 != 4$"),
    (lambda: mg.matmul(mg.ones(2, 5, 3), mg.ones(2, 4, 6)), ShapeError,
     r"^matmul: shapes \(2, 5, 3\) and \(2, 4, 6\) do not align: 3 != 4$"),
    (lambda: mg.matmul(mg.ones(2, 2, 3), mg.ones(3, 3, 2)), ShapeError,
     r"^matmul: batch shapes \(2,\) and \(3,\) do not broadcast$"),
    (lambda: mg.matmul(mg.ones(4, 3, 2, 3), mg.ones(2, 3, 2)), ShapeError, r"batch shapes \(4, 3\) and \(2,\)"),
    (lambda: mg.matmul(mg.tensor(1.0), mg.ones(3)), ShapeError,
     r"^matmul: operands must have at least 1 dimension, got shapes \(\) and \(3,\)$"),
    (lambda: mg.matmul(mg.ones(3), mg.tensor(1.0)), ShapeError, r"got shapes \(3,\) and \(\)$"),
    (lambda: mg.matmul(mg.tensor([[True, False]]), mg.tensor([[True], [True]])), DTypeError,
     r"^matmul: not implemented for bool tensors \(shapes \(1, 2\) and \(2, 1\)\), as in PyTorch"),
    (lambda: mg.matmul(mg.ones(2, 2), mg.ones(2, 2, dtype=mg.float64)), DTypeError,
     "^matmul: expected input and other to have the same dtype"),
    (lambda: mg.matmul(mg.ones(2), mg.ones(2, dtype=mg.float64)), DTypeError, "^matmul: expected input and other"),
    (lambda: mg.linear(mg.ones(3), mg.ones(3)), ShapeError,
     r"^linear: weight must be 2-D \(out_features, in_features\), got shape \(3,\)$"),
    (lambda: mg.linear(mg.tensor(1.0), mg.ones(2, 3)), ShapeError,
     r"^linear: input of shape \(\) does not fit weight of shape \(2, 3\): expected last dimension 3 \(in_features\)$"),
    (lambda: mg.linear(mg.ones(4, 2), mg.ones(2, 3)), ShapeError, r"^linear: input of shape \(4, 2\) does not fit"),
    (lambda: mg.linear(mg.ones(3), mg.ones(2, 3), mg.ones(3)), ShapeError,
     r"^linear: bias of shape \(3,\) does not fit weight of shape \(2, 3\): expected \(2,\)$"),
    (lambda: mg.linear([1.0], [[1.0]]), TypeError, "^linear: needs at least one Tensor, got list and list$"),
    (lambda: mg.linear(mg.ones(3), mg.ones(2, 3, dtype=mg.float64)), DTypeError, "^linear: expected"),
    (lambda: mg.linear(mg.ones(3), mg.ones(2, 3), mg.ones(2, dtype=mg.float64)), DTypeError, "^linear: expected"),
])
def test_errors(call, error, msg):
    with pytest.raises(error, match=msg):
        call()


@pytest.mark.parametrize("xshape", [(3,), (4, 3), (2, 5, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_forms_and_gradients(device, xshape, bias):
    x, w, b = _r(*xshape), _r(2, 3, seed=7), _r(2, seed=8)
    xt, wt = mg.tensor(x, device=device, requires_grad=True), mg.tensor(w, device=device, requires_grad=True)
    bt = mg.tensor(b, device=device, requires_grad=True) if bias else None
    out = mg.linear(xt, wt, bt)
    ref = x @ w.T + (b if bias else 0.0)
    assert out.shape == ref.shape
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12)
    g = _r(*ref.shape, seed=9)
    out.backward(mg.tensor(g, device=device))
    g2, x2 = g.reshape(-1, 2), x.reshape(-1, 3)
    np.testing.assert_allclose(xt.grad.numpy(), (g2 @ w).reshape(x.shape), rtol=1e-12)
    np.testing.assert_allclose(wt.grad.numpy(), g2.T @ x2, rtol=1e-12)
    if bias:
        np.testing.assert_allclose(bt.grad.numpy(), g2.sum(axis=0), rtol=1e-12)


@pytest.mark.parametrize("needs", [(True, False, False), (False, True, False), (False, False, True)])
def test_linear_gradient_of_each_input_alone(device, needs):
    x, w, b = _r(4, 3), _r(2, 3, seed=7), _r(2, seed=8)
    ts = [mg.tensor(v, device=device, requires_grad=n) for v, n in zip((x, w, b), needs)]
    g = _r(4, 2, seed=9)
    mg.linear(*ts).backward(mg.tensor(g, device=device))
    expected = (g @ w, g.T @ x, g.sum(axis=0))
    for t, n, e in zip(ts, needs, expected):
        if n:
            np.testing.assert_allclose(t.grad.numpy(), e, rtol=1e-12)
        else:
            assert t.grad is None


def test_linear_with_list_operands(device):
    w = mg.tensor([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]], device=device)
    np.testing.assert_array_equal(mg.linear([1.0, 1.0, 1.0], w, [1.0, -1.0]).numpy(), [7.0, 0.0])
    np.testing.assert_array_equal(mg.linear(mg.tensor([1.0, 0.0, 2.0], device=device), [[1.0, 1.0, 1.0]]).numpy(),
                                  [3.0])
