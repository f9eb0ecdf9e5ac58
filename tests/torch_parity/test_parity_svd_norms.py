"""matrix_norm / linalg.norm / norm with ord 'nuc', 2, -2 against PyTorch: values, gradients and
dtypes, batched, over dim pairs, with keepdim, and at repeated singular values."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")


def _both(a, dtype="float64"):
    return (mg.tensor(a, dtype=getattr(mg, dtype), requires_grad=True),
            torch.tensor(a, dtype=getattr(torch, dtype), requires_grad=True))


CASES = [((3, 4), (-2, -1), False), ((2, 3, 4), (-2, -1), True), ((4, 2, 3), (0, 2), True),
         ((3, 3), (1, 0), False), ((2, 5, 2, 3), (3, 1), False)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("ord", ["nuc", 2, -2])
@pytest.mark.parametrize("shape,dim,keepdim", CASES)
def test_matrix_norm_values_gradients_dtypes(shape, dim, keepdim, ord, dtype):
    rng = np.random.default_rng(len(shape) + sum(shape))
    a = rng.standard_normal(shape)
    (m, t) = _both(a, dtype)
    mo, to = mg.linalg.matrix_norm(m, ord, dim, keepdim), torch.linalg.matrix_norm(t, ord, dim, keepdim)
    assert tuple(mo.shape) == tuple(to.shape) and str(mo.dtype) == dtype
    tol = 1e-5 if dtype == "float32" else 1e-11
    np.testing.assert_allclose(mo.detach().numpy(), to.detach().numpy(), rtol=tol, atol=tol)
    w = rng.standard_normal(tuple(to.shape))
    (mo * mg.tensor(w, dtype=getattr(mg, dtype))).sum().backward()
    (to * torch.tensor(w, dtype=getattr(torch, dtype))).sum().backward()
    np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=100 * tol, atol=100 * tol)


@pytest.mark.parametrize("ord", ["nuc", 2, -2])
@pytest.mark.parametrize("values", [(2.0, 2.0, 1.0, 0.5), (3.0, 1.0, 1.0, 1.0), (1.5, 1.5, 1.5, 1.5)])
def test_repeated_singular_values_give_pytorchs_gradient(ord, values):
    rng = np.random.default_rng(11)
    q1, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    q2, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    (m, t) = _both(q1 @ np.diag(values) @ q2.T)
    mg.linalg.matrix_norm(m, ord).backward()
    torch.linalg.matrix_norm(t, ord).backward()
    np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), atol=1e-9)


@pytest.mark.parametrize("call", [
    lambda L, x: L.norm(x, "nuc"), lambda L, x: x.norm(p="nuc", dim=(1, 0), keepdim=True),
    lambda L, x: L.linalg.norm(x, 2), lambda L, x: L.linalg.norm(x, -2), lambda L, x: L.linalg.norm(x, "nuc"),
    lambda L, x: L.norm(x, 2), lambda L, x: L.linalg.norm(x, 2, dim=(0, 1)),
], ids=["norm-nuc", "Tensor.norm-nuc-dim", "linalg.norm-2", "linalg.norm--2", "linalg.norm-nuc", "norm-2-entries",
        "linalg.norm-2-dim"])
def test_norm_routing_matches_pytorch(call):
    a = np.random.default_rng(5).standard_normal((3, 4))
    (m, t) = _both(a)
    mo, to = call(mg, m), call(torch, t)
    np.testing.assert_allclose(mo.detach().numpy(), to.detach().numpy(), rtol=1e-12)
    mo.sum().backward()
    to.sum().backward()
    np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_empty_matrix_norm_is_zero_in_both_and_min_is_refused():
    for ord in ("nuc", 2):
        assert mg.linalg.matrix_norm(mg.zeros(0, 3), ord).item() == torch.linalg.matrix_norm(torch.zeros(0, 3), ord)
    with pytest.raises(IndexError):
        torch.linalg.matrix_norm(torch.zeros(0, 3), -2)
    with pytest.raises(IndexError, match="ord=-2 of empty matrices"):
        mg.linalg.matrix_norm(mg.zeros(0, 3), -2)
