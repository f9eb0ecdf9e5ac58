"""matrix_norm with ord 'nuc', 2, -2 (minigrad/ops/svd_norms.py): values against np.linalg.norm,
gradients against the SVD formulas (U V^T, u1 v1^T, uk vk^T, computed here with NumPy) and central
differences in float64, batched, keepdim and dim pairs, on every device.  (The op table fuzzes the
same ops: tests/support/op_specs_svd_norms.py; PyTorch parity: tests/torch_parity/.)"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


def _matrix(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _svd_grad(a, ord):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    if ord == "nuc":
        return u @ vh
    i = 0 if ord == 2 else -1
    return np.outer(u[:, i], vh[i])


@pytest.mark.parametrize("ord", ["nuc", 2, -2])
@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 2)])
def test_value_and_gradient_match_numpy_svd_formulas(ord, shape, device):
    a = _matrix(shape)
    x = mg.tensor(a, dtype=mg.float64, device=device, requires_grad=True)
    out = mg.linalg.matrix_norm(x, ord)
    out.backward()
    np.testing.assert_allclose(out.item(), np.linalg.norm(a, ord), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), _svd_grad(a, ord), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ord", ["nuc", 2, -2])
def test_batched_dim_pair_and_keepdim(ord, device):
    a = _matrix((3, 2, 4), seed=1)  # matrices over axes (2, 0): 3 x 4 ... batched over axis 1
    x = mg.tensor(a, dtype=mg.float64, device=device, requires_grad=True)
    for keepdim in (False, True):
        out = mg.linalg.matrix_norm(x, ord, dim=(2, 0), keepdim=keepdim)
        ref = np.linalg.norm(a, ord, axis=(2, 0), keepdims=keepdim)
        assert out.shape == ref.shape
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12)
    w = _matrix((2,), seed=2)
    (mg.linalg.matrix_norm(x, ord, dim=(2, 0)) * mg.tensor(w, dtype=mg.float64, device=device)).sum().backward()
    expected = np.stack([w[j] * _svd_grad(a[:, j, :].T, ord).T for j in range(2)], axis=1)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ord", ["nuc", 2, -2])
def test_gradcheck_float64(ord, device):
    x = mg.tensor(_matrix((2, 3, 3), seed=3), dtype=mg.float64, device=device, requires_grad=True)
    assert mg.gradcheck(lambda t: mg.linalg.matrix_norm(t, ord, keepdim=True), [x])


def test_repeated_largest_singular_value_shares_the_gradient(device):
    q1, _ = np.linalg.qr(_matrix((3, 3), seed=4))
    q2, _ = np.linalg.qr(_matrix((3, 3), seed=5))
    a = q1 @ np.diag([2.0, 2.0, 0.5]) @ q2.T
    x = mg.tensor(a, dtype=mg.float64, device=device, requires_grad=True)
    mg.linalg.matrix_norm(x, 2).backward()
    # (u1 v1^T + u2 v2^T) / 2: the same for every choice of singular vectors of the repeated value
    expected = (q1[:, :2] @ q2[:, :2].T) / 2
    np.testing.assert_allclose(x.grad.numpy(), expected, atol=1e-10)


def test_routing_of_norm_and_linalg_norm(device):
    a = _matrix((3, 4), seed=6)
    x = mg.tensor(a, dtype=mg.float64, device=device)
    np.testing.assert_allclose(mg.norm(x, "nuc").item(), np.linalg.norm(a, "nuc"), rtol=1e-12)
    np.testing.assert_allclose(x.norm(p="nuc").item(), np.linalg.norm(a, "nuc"), rtol=1e-12)
    np.testing.assert_allclose(mg.linalg.norm(x, 2).item(), np.linalg.norm(a, 2), rtol=1e-12)
    np.testing.assert_allclose(mg.linalg.norm(x, -2).item(), np.linalg.norm(a, -2), rtol=1e-12)
    np.testing.assert_allclose(mg.norm(x, 2).item(), np.sqrt((a * a).sum()), rtol=1e-12)  # torch.norm: entries
    with pytest.raises(RuntimeError, match="norm: p='nuc' needs a 2-D input or a pair of axes"):
        mg.norm(mg.ones(2, 3, 4, device=device), "nuc")


def test_empty_matrix_has_norm_zero(device):
    with pytest.raises(IndexError, match="ord=-2 of empty matrices"):
        mg.linalg.matrix_norm(mg.zeros(2, 0, 3, device=device), -2)
    for ord in ("nuc", 2):
        x = mg.zeros(0, 3, dtype=mg.float64, device=device, requires_grad=True)
        out = mg.linalg.matrix_norm(x, ord)
        out.backward()
        assert out.item() == 0.0 and x.grad.shape == (0, 3)


def test_float32_result_and_bad_input(device):
    x = mg.tensor(_matrix((3, 3), seed=7), dtype=mg.float32, device=device)
    assert mg.linalg.matrix_norm(x, "nuc").dtype == "float32"
    with pytest.raises(TypeError, match="matrix_norm: ord='nuc' expects a floating-point tensor, got int64"):
        mg.linalg.matrix_norm(mg.ones(2, 2, dtype=mg.int64, device=device), "nuc")
    with pytest.raises(RuntimeError, match="matrix_norm: needs at least 2 dimensions"):
        mg.linalg.matrix_norm(mg.ones(3, device=device), 2)


def test_second_derivative_is_refused_clearly(device):
    x = mg.tensor(_matrix((3, 3), seed=8), dtype=mg.float64, device=device, requires_grad=True)
    with pytest.raises(NotImplementedError, match="the second derivative is not provided"):
        mg.grad(mg.linalg.matrix_norm(x, "nuc"), [x], create_graph=True)
