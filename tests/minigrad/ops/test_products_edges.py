"""Products (minigrad/ops/products.py) against NumPy: einsum's implicit output order, ellipses, diagonals
and broadcasting, tensordot's dims forms, kron of different ranks, addmm/baddbmm's beta and alpha
(beta = 0 ignores NaN), gradients by the product rule written here, and refusals (issue 18)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.errors import ShapeError


def _r(*shape, seed=0):
    return np.random.default_rng(seed + 7 * len(shape) + sum(shape)).standard_normal(shape)


@pytest.mark.parametrize("eq, shapes", [
    ("ij,jk", [(2, 3), (3, 4)]), ("ba", [(2, 3)]), ("ii", [(3, 3)]), ("ii->i", [(3, 3)]), ("iji->j", [(2, 3, 2)]),
    ("...ij,...jk", [(2, 2, 3), (3, 4)]), ("i...->...", [(2, 3, 4)]), ("ij,ij->", [(2, 3), (2, 3)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("i,j->ij", [(3,), (2,)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("ij,kj->ik", [(2, 1), (3, 4)]), ("zy,yx", [(2, 3), (3, 2)]), ("i j , j -> i", [(2, 3), (3,)]),
    ("...,...->...", [(2, 3), (3,)]), ("ijk->kji", [(2, 3, 4)]),
])
def test_einsum_matches_numpy(device, eq, shapes):
    arrays = [_r(*s, seed=i) for i, s in enumerate(shapes)]
    ts = [mg.tensor(a, device=device, requires_grad=True) for a in arrays]
    out = mg.einsum(eq, *ts)
    if eq == "ij,kj->ik":  # a size-1 axis broadcasts as in PyTorch: j has size 4
        ref = np.einsum("ij,kj->ik", np.broadcast_to(arrays[0], (2, 4)), arrays[1])
    else:
        ref = np.einsum(eq.replace(" ", ""), *arrays)
    assert out.shape == ref.shape
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12, atol=1e-12)
    g = _r(*ref.shape, seed=9) if ref.shape else np.float64(2.0)
    out.backward(mg.tensor(g, device=device))
    for k, (t, a) in enumerate(zip(ts, arrays)):  # einsum is linear in each operand: unit vectors
        num = np.zeros(a.shape)
        for i in np.ndindex(*a.shape):
            e = np.zeros(a.shape)
            e[i] = 1.0
            args = [e if j == k else b for j, b in enumerate(arrays)]
            if eq == "ij,kj->ik":
                args[0] = np.broadcast_to(args[0], (2, 4))
            num[i] = (np.einsum(eq.replace(" ", ""), *args) * g).sum()
        np.testing.assert_allclose(t.grad.numpy(), num, rtol=1e-10, atol=1e-12)


def test_einsum_takes_a_list_of_operands(device):
    a, b = _r(2, 3), _r(3, seed=1)
    out = mg.einsum("ij,j->i", [mg.tensor(a, device=device), mg.tensor(b, device=device)])
    np.testing.assert_allclose(out.numpy(), a @ b, rtol=1e-12)


@pytest.mark.parametrize("dims, sa, sb", [(2, (2, 3, 4), (3, 4, 5)), (0, (2, 3), (3, 2)), (1, (2, 3), (3,)),
                                          (([1, 2], [1, 0]), (2, 3, 4), (4, 3, 5)), ((0, 1), (3, 2), (4, 3)),
                                          (([-1], [0]), (2, 3), (3, 2)), (np.int64(1), (2, 3), (3, 4))])
def test_tensordot(device, dims, sa, sb):
    a, b = _r(*sa), _r(*sb, seed=1)
    out = mg.tensordot(mg.tensor(a, device=device), mg.tensor(b, device=device), dims=dims)
    ref = np.tensordot(a, b, axes=dims if not isinstance(dims, tuple) or isinstance(dims[0], list) else
                       ([dims[0]], [dims[1]]))
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12)


@pytest.mark.parametrize("sa, sb", [((2,), (2, 3)), ((2, 3), (3,)), ((2, 1, 2), (3, 2)), ((), (2,)), ((2, 2), (2, 2))])
def test_kron(device, sa, sb):
    a, b = _r(*sa), _r(*sb, seed=1)
    out = mg.kron(mg.tensor(a, device=device), mg.tensor(b, device=device))
    np.testing.assert_allclose(out.numpy(), np.kron(a, b), rtol=1e-12)


@pytest.mark.parametrize("beta, alpha", [(1, 1), (0.5, 2.0), (0, 1), (0, 3.0), (2, 0)])
def test_addmm_and_baddbmm(device, beta, alpha):
    c, a, b = _r(2), _r(3, 4, seed=1), _r(4, 2, seed=2)
    ct = mg.tensor(c, device=device, requires_grad=True)
    at = mg.tensor(a, device=device, requires_grad=True)
    out = mg.addmm(ct, at, mg.tensor(b, device=device), beta=beta, alpha=alpha)
    np.testing.assert_allclose(out.numpy(), beta * c + alpha * (a @ b), rtol=1e-12)
    g = _r(3, 2, seed=3)
    out.backward(mg.tensor(g, device=device))
    np.testing.assert_allclose(ct.grad.numpy(), beta * g.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(at.grad.numpy(), alpha * g @ b.T, rtol=1e-12)
    c3, a3, b3 = _r(1, 3, 2), _r(2, 3, 4, seed=4), _r(2, 4, 2, seed=5)
    out3 = mg.baddbmm(mg.tensor(c3, device=device), mg.tensor(a3, device=device), mg.tensor(b3, device=device),
                      beta=beta, alpha=alpha)
    np.testing.assert_allclose(out3.numpy(), beta * c3 + alpha * (a3 @ b3), rtol=1e-12)


def test_beta_zero_ignores_nan_in_input(device):
    c = mg.tensor([np.nan, np.inf], dtype=mg.float64, device=device, requires_grad=True)
    out = mg.addmm(c, mg.tensor(np.ones((2, 3)), device=device), mg.tensor(np.ones((3, 2)), device=device), beta=0)
    np.testing.assert_array_equal(out.numpy(), [[3.0, 3.0], [3.0, 3.0]])
    out.sum().backward()
    np.testing.assert_array_equal(c.grad.numpy(), [0.0, 0.0])
    const = mg.tensor([np.nan, 1.0], dtype=mg.float64, device=device)
    np.testing.assert_array_equal(
        mg.addmm(const, mg.ones(2, 3, device=device, dtype=mg.float64),
                 mg.ones(3, 2, device=device, dtype=mg.float64), beta=0).numpy(), [[3.0, 3.0], [3.0, 3.0]])


def test_outer_dot_mv_bmm(device):
    a, b, m, x3, y3 = _r(3), _r(4, seed=1), _r(4, 3, seed=2), _r(2, 3, 4, seed=3), _r(2, 4, 2, seed=4)
    t = lambda v: mg.tensor(v, device=device)  # noqa: E731
    np.testing.assert_allclose(mg.outer(t(a), t(b)).numpy(), np.outer(a, b), rtol=1e-12)
    np.testing.assert_allclose(mg.dot(t(a), t(a)).numpy(), a @ a, rtol=1e-12)
    np.testing.assert_allclose(mg.mv(t(m), t(a)).numpy(), m @ a, rtol=1e-12)
    np.testing.assert_allclose(mg.bmm(t(x3), t(y3)).numpy(), x3 @ y3, rtol=1e-12)
    np.testing.assert_allclose(mg.outer([1.0, 2.0], t(b)).numpy(), np.outer([1.0, 2.0], b), rtol=1e-12)


@pytest.mark.parametrize("call, error, msg", [
    (lambda: mg.dot([1.0], [2.0]), TypeError, "^dot: expected Tensors, got list, list$"),
    (lambda: mg.outer(mg.ones(2, 2), mg.ones(2)), ShapeError,
     r"^outer: argument 1 must be 1-D, got shapes \(2, 2\), \(2,\)$"),
    (lambda: mg.mv(mg.ones(2, 3), mg.ones(3, 1)), ShapeError, "^mv: argument 2 must be 1-D"),
    (lambda: mg.bmm(mg.ones(2, 2, 3), mg.ones(2, 4, 2)), ShapeError, "^bmm: shapes"),
    (lambda: mg.addmm(mg.ones(3), mg.ones(2, 3), mg.ones(3, 2)), ShapeError,
     r"^addmm: input of shape \(3,\) does not broadcast to the product's shape \(2, 2\)$"),
    (lambda: mg.addmm(mg.ones(2), mg.ones(2, 3), mg.ones(4, 2)), ShapeError,
     r"^addmm: shapes \(2, 3\) and \(4, 2\) do not align: 3 != 4$"),
    (lambda: mg.addmm(mg.ones(1, 1, 2), mg.ones(2, 3), mg.ones(3, 2)), ShapeError, "^addmm: input of shape"),
    (lambda: mg.tensordot(mg.ones(2), mg.ones(2), dims=2), ShapeError,
     r"^tensordot: dims=2 is out of range for shapes \(2,\) and \(2,\)$"),
    (lambda: mg.tensordot(mg.ones(2), mg.ones(2), dims=-1), ShapeError, "^tensordot: dims=-1 is out of range"),
    (lambda: mg.tensordot(mg.ones(2, 3), mg.ones(2, 3), dims=([0, 1], [0])), ShapeError, "^tensordot: contracted"),
    (lambda: mg.einsum(3, mg.ones(2)), TypeError, "^einsum: equation must be a str, got int$"),
    (lambda: mg.einsum("ij,jk", mg.ones(2, 3)), ShapeError,
     r"^einsum: equation 'ij,jk' names 2 operand\(s\), got 1$"),
    (lambda: mg.einsum("ijk", mg.ones(2, 3)), ShapeError, r"^einsum: subscripts 'ijk' do not fit an operand of shape"),
    (lambda: mg.einsum("i1", mg.ones(2, 3)), ShapeError, "^einsum: subscripts 'i1' do not fit"),
    (lambda: mg.einsum("ii", mg.ones(2, 3)), ShapeError,
     "^einsum: subscript 'i' is repeated for axes of sizes 2 and 3$"),
    (lambda: mg.einsum("ij->ii", mg.ones(2, 3)), ShapeError,
     "^einsum: output subscripts 'ii' are invalid in 'ij->ii'$"),
    (lambda: mg.einsum("ij->k", mg.ones(2, 3)), ShapeError, "^einsum: output subscripts 'k'"),
    (lambda: mg.einsum("i,i", mg.ones(2), mg.ones(3)), ShapeError,
     r"^einsum: subscript 'i' has sizes 2 and 3 in 'i,i'$"),
])
def test_refusals(call, error, msg):
    with pytest.raises(error, match=msg):
        call()
