"""Edges of ``inv``, ``det`` and ``solve`` (minigrad/ops/linalg_ext.py), against NumPy and the matrix
calculus formulas written here: the singular-matrix error (its class and message), every argument
check with its message, which input gets a gradient, and the vector forms of ``solve`` (issue 18)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.errors import DTypeError, ShapeError
from minigrad.ops.linalg_ext import LinAlgError

SINGULAR = [[1.0, 2.0], [2.0, 4.0]]


def _a(seed=0, batch=()):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(batch + (3, 3)) * 0.3 + 3 * np.eye(3)


def test_singular_matrix_error_names_the_op_and_shapes(device):
    s = mg.tensor(SINGULAR, device=device)
    cases = ((lambda: mg.inverse(s), r"^inv: the matrix is singular \(input of shape \(2, 2\)\): "),
             (lambda: mg.linalg.solve(s, mg.ones(2, device=device)),
              r"^solve: the matrix is singular \(input of shape \(2, 2\) and \(2, 1\)\): "),
             (lambda: mg.linalg.solve(s, mg.ones(2, 3, device=device)),
              r"^solve: the matrix is singular \(input of shape \(2, 2\) and \(2, 3\)\): "))
    for call, msg in cases:
        with pytest.raises(LinAlgError, match=msg) as info:
            call()
        assert isinstance(info.value, ValueError) and isinstance(info.value, RuntimeError)
        assert info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.parametrize("call, error, msg", [
    (lambda: mg.inverse([[1.0]]), TypeError, "^inv: A must be a Tensor, got list$"),
    (lambda: mg.inverse(mg.ones(3)), ShapeError,
     r"^inv: A must be a batch of square matrices \(\.\.\., n, n\), got shape \(3,\)$"),
    (lambda: mg.det(mg.ones(2, 3, 2)), ShapeError, r"^det: A must be a batch of square matrices .*\(2, 3, 2\)$"),
    (lambda: mg.det(mg.tensor([[1, 0], [0, 1]])), TypeError, "^det: A must be floating, got int64$"),
    (lambda: mg.linalg.solve(mg.eye(2), [1.0, 2.0]), TypeError, "^solve: B must be a Tensor, got list$"),
    (lambda: mg.linalg.solve(mg.ones(2, 3), mg.ones(2)), ShapeError, "^solve: A must be a batch of square"),
    (lambda: mg.linalg.solve(mg.eye(3), mg.ones(2)), ShapeError,
     r"^solve: A of shape \(3, 3\) and B of shape \(2,\) do not fit: expected B \(\.\.\., 3\)$"),
    (lambda: mg.linalg.solve(mg.eye(3), mg.tensor(1.0)), ShapeError,
     r"^solve: A of shape \(3, 3\) and B of shape \(\) do not fit: expected B \(\.\.\., 3, k\)$"),
    (lambda: mg.linalg.solve(mg.eye(3), mg.ones(2, 3)), ShapeError,
     r"^solve: A of shape \(3, 3\) and B of shape \(2, 3\) do not fit: expected B \(\.\.\., 3, k\)$"),
    (lambda: mg.linalg.solve(mg.eye(2), mg.ones(2, dtype=mg.float64)), DTypeError,
     "^linalg.solve: expected A and B to have the same dtype"),
])
def test_argument_checks(call, error, msg):
    with pytest.raises(error, match=msg):
        call()


def test_solve_with_two_batch_axes(device):
    a = _a(9, (1, 2))  # (1, 2, 3, 3): the batch sizes differ from n
    for b_shape, out_shape in (((3,), (1, 2, 3)), ((1, 2, 3), (1, 2, 3)), ((3, 4), (1, 2, 3, 4))):
        b = np.random.default_rng(10).standard_normal(b_shape)
        out = mg.linalg.solve(mg.tensor(a, device=device), mg.tensor(b, device=device))
        vector = len(b_shape) == 1 or b_shape == a.shape[:-1]
        assert out.shape == out_shape
        np.testing.assert_allclose(out.numpy(), np.linalg.solve(a, b[..., None])[..., 0] if vector else
                                   np.linalg.solve(a, b), rtol=1e-10)


@pytest.mark.parametrize("b_shape, out_shape", [((3,), (2, 3)), ((2, 3), (2, 3)), ((3, 2), (2, 3, 2)),
                                                ((2, 3, 1), (2, 3, 1)), ((1, 3, 4), (2, 3, 4))])
def test_solve_vector_and_matrix_forms(device, b_shape, out_shape):
    a = _a(1, (2,))
    b = np.random.default_rng(2).standard_normal(b_shape)
    out = mg.linalg.solve(mg.tensor(a, device=device), mg.tensor(b, device=device))
    vector = len(b_shape) == 1 or b_shape == a.shape[:-1]  # PyTorch's rule
    expected = np.linalg.solve(a, b[..., None])[..., 0] if vector else np.linalg.solve(a, b)
    assert out.shape == out_shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10)


@pytest.mark.parametrize("which", ["A", "B", "both"])
def test_solve_gradient_goes_to_the_inputs_that_ask(device, which):
    a, b = _a(3), np.random.default_rng(4).standard_normal((3, 2))
    at = mg.tensor(a, device=device, requires_grad=which in ("A", "both"))
    bt = mg.tensor(b, device=device, requires_grad=which in ("B", "both"))
    g = np.random.default_rng(5).standard_normal((3, 2))
    mg.linalg.solve(at, bt).backward(mg.tensor(g, device=device))
    x = np.linalg.solve(a, b)
    gb = np.linalg.solve(a.T, g)  # dB = A^-T G
    if which != "B":
        np.testing.assert_allclose(at.grad.numpy(), -gb @ x.T, rtol=1e-10)  # dA = -dB X^T
    else:
        assert at.grad is None
    if which != "A":
        np.testing.assert_allclose(bt.grad.numpy(), gb, rtol=1e-10)
    else:
        assert bt.grad is None


def test_inv_and_det_gradients_of_a_batch(device):
    a = _a(6, (2,))
    g = np.random.default_rng(7).standard_normal((2, 3, 3))
    at = mg.tensor(a, device=device, requires_grad=True)
    mg.inverse(at).backward(mg.tensor(g, device=device))
    b = np.linalg.inv(a)
    bt = np.swapaxes(b, -1, -2)
    np.testing.assert_allclose(at.grad.numpy(), -bt @ g @ bt, rtol=1e-10)
    at2 = mg.tensor(a, device=device, requires_grad=True)
    gd = np.array([2.0, -0.5])
    mg.det(at2).backward(mg.tensor(gd, device=device))
    np.testing.assert_allclose(at2.grad.numpy(), (gd * np.linalg.det(a))[:, None, None] * bt, rtol=1e-10)
