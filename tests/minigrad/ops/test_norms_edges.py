"""minigrad/ops/norms.py against numpy.linalg.norm and the gradient formulas of its docstring:
every ord of vector_norm / matrix_norm / linalg.norm / norm, with dim, keepdim and dtype, the
routing between vector and matrix norms, the gradient at 0, and the errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg

M = np.array([[1.0, -4.0, 2.0], [3.0, 0.5, -2.0], [-6.0, 1.0, 1.5], [0.25, -1.0, 3.0]])
B = np.stack([M, M[::-1] * 0.5])  # (2, 4, 3)


def _t(a, device, grad=False, dtype="float64"):
    return mg.tensor(a, dtype=dtype, device=device, requires_grad=grad)


@pytest.mark.parametrize("ord", [2, 1, 3, 1.5, 0, math.inf, -math.inf])
@pytest.mark.parametrize("dim, keepdim", [(None, False), (1, False), (-1, True), ((0, 2), False), ((1, 2), True)])
def test_vector_norm_of_every_ord_against_numpy(ord, dim, keepdim, device):
    out = mg.linalg.vector_norm(_t(B, device), ord, dim, keepdim)
    flat = B.reshape(-1) if dim is None else B
    axes = None if dim is None else (dim if isinstance(dim, tuple) else (dim,))
    a = np.abs(flat)
    if ord == 0:
        ref = (flat != 0).sum(axis=axes, keepdims=keepdim).astype(float)
    elif ord == math.inf:
        ref = a.max(axis=axes, keepdims=keepdim)
    elif ord == -math.inf:
        ref = a.min(axis=axes, keepdims=keepdim)
    else:
        ref = (a ** ord).sum(axis=axes, keepdims=keepdim) ** (1.0 / ord)
    if dim is None and keepdim:
        ref = ref.reshape((1,) * B.ndim)
    assert out.shape == np.shape(ref)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-13)


@pytest.mark.parametrize("p", [2, 3, 1.5, 4])
def test_p_norm_gradient_formula_first_and_second_order(p, device):
    x = np.array([[1.0, -2.0, 0.5], [0.0, 0.0, 0.0], [-3.0, 0.25, 2.0]])  # a zero row: gradient 0 there
    t = _t(x, device, grad=True)
    out = mg.linalg.vector_norm(t, p, 1)
    z = (np.abs(x) ** p).sum(axis=1, keepdims=True) ** (1.0 / p)
    w = np.array([1.0, 2.0, -0.5])
    (g,) = mg.grad((out * _t(w, device)).sum(), [t], create_graph=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.where(z == 0, 0.0, w[:, None] * np.sign(x) * np.abs(x) ** (p - 1) / z ** (p - 1))
    np.testing.assert_allclose(g.numpy(), expected, rtol=1e-13, atol=1e-15)
    (gg,) = mg.grad(g[0].sum(), [t])  # row 0: central differences of the formula
    row = x[0]

    def f(r):
        zz = (np.abs(r) ** p).sum() ** (1.0 / p)
        return (w[0] * np.sign(r) * np.abs(r) ** (p - 1) / zz ** (p - 1)).sum()
    h = 1e-6
    num = [(f(row + h * e) - f(row - h * e)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(gg.numpy()[0], num, rtol=1e-6, atol=1e-7)


def test_p_norm_keepdim_and_all_entries_gradient(device):
    t = _t(M, device, grad=True)
    out = mg.linalg.vector_norm(t, 3, None, True)
    assert out.shape == (1, 1)
    out.sum().backward()
    z = (np.abs(M) ** 3).sum() ** (1 / 3)
    np.testing.assert_allclose(t.grad.numpy(), np.sign(M) * M * M / z ** 2, rtol=1e-13)


def test_vector_norm_dtype_and_errors(device):
    x = _t(M, device, dtype="float32")
    out = mg.linalg.vector_norm(x, dtype="float64")
    assert out.dtype == "float64"
    np.testing.assert_allclose(out.item(), np.linalg.norm(M.astype(np.float32).astype(np.float64)), rtol=1e-15)
    with pytest.raises(ValueError, match="vector_norm: ord must be a number, got 'fro'"):
        mg.linalg.vector_norm(x, "fro")
    with pytest.raises(ValueError, match=r"vector_norm: ord must be >= 1, 0 or \+-inf here, got 0.5"):
        mg.linalg.vector_norm(x, 0.5)
    with pytest.raises(ValueError, match="vector_norm: ord must be >= 1"):
        mg.linalg.vector_norm(x, -1)
    g = _t([0.0, 3.0, -4.0], device, grad=True)
    for ord, expected in ((1, [0.0, 1.0, -1.0]), (0, [0.0, 0.0, 0.0]), (math.inf, [0.0, 0.0, -1.0]),
                          (-math.inf, [0.0, 0.0, 0.0])):
        (d,) = mg.grad(mg.linalg.vector_norm(g, ord), [g])
        assert d.tolist() == expected, ord


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf])
@pytest.mark.parametrize("dim", [(-2, -1), (2, 1), (0, 2), (1, 0)])
def test_matrix_norm_of_every_ord_and_dim_pair_against_numpy(ord, dim, device):
    for keepdim in (False, True):
        out = mg.linalg.matrix_norm(_t(B, device), ord, dim, keepdim)
        ref = np.linalg.norm(B, ord, axis=tuple(d % 3 for d in dim), keepdims=keepdim)
        assert out.shape == ref.shape
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12)


@pytest.mark.parametrize("ord", [1, -1, math.inf, -math.inf, "fro"])
def test_matrix_norm_gradients_of_the_abs_sum_ords(ord, device):
    t = _t(M, device, grad=True)
    mg.linalg.matrix_norm(t, ord).backward()
    if ord == "fro":
        expected = M / np.linalg.norm(M)
    else:
        over_cols = ord in (1, -1)
        sums = np.abs(M).sum(axis=0 if over_cols else 1)
        k = np.argmax(sums) if ord in (1, math.inf) else np.argmin(sums)
        expected = np.zeros_like(M)
        if over_cols:
            expected[:, k] = np.sign(M[:, k])
        else:
            expected[k] = np.sign(M[k])
    np.testing.assert_allclose(t.grad.numpy(), expected, rtol=1e-13)


def test_matrix_norm_errors(device):
    x = _t(M, device)
    with pytest.raises(RuntimeError, match=r"matrix_norm: needs at least 2 dimensions, got shape \(3,\)"):
        mg.linalg.matrix_norm(_t(M[0], device))
    for dim in ((0,), 1, (0, 1, 2), [0]):
        with pytest.raises(RuntimeError, match="matrix_norm: dim must be a pair of axes"):
            mg.linalg.matrix_norm(x, "fro", dim)
    with pytest.raises(RuntimeError, match=r"matrix_norm: the two dims must differ, got \(1, -1\)"):
        mg.linalg.matrix_norm(x, "fro", (1, -1))
    with pytest.raises(ValueError, match="matrix_norm: ord must be 'fro', 'nuc', 1, -1, 2, -2, inf or -inf, got 3"):
        mg.linalg.matrix_norm(x, 3)
    assert mg.linalg.matrix_norm(x, "fro", [0, 1]).item() == pytest.approx(np.linalg.norm(M))
    out = mg.linalg.matrix_norm(_t(M, device, dtype="float32"), 1, dtype="float64")
    assert out.dtype == "float64" and out.item() == pytest.approx(np.abs(M).sum(axis=0).max())


@pytest.mark.parametrize("ord", [None, "fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf])
def test_linalg_norm_of_a_matrix_is_numpys(ord, device):
    for keepdim in (False, True):
        out = mg.linalg.norm(_t(M, device), ord, keepdim=keepdim)
        ref = np.linalg.norm(M, ord, keepdims=keepdim)
        assert out.shape == ref.shape
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12)
    for dim in ((1, 2), (2, 0)):  # a pair of axes: a matrix norm over them
        batched = mg.linalg.norm(_t(B, device), ord if ord is not None else "fro", dim=dim)
        np.testing.assert_allclose(batched.numpy(), np.linalg.norm(B, ord if ord is not None else "fro", axis=dim),
                                   rtol=1e-12)


@pytest.mark.parametrize("ord", [None, 1, 2, 3, 0, math.inf, -math.inf])
def test_linalg_norm_of_vectors_and_of_one_dim(ord, device):
    v = M[:, 0]
    out = mg.linalg.norm(_t(v, device), ord)
    np.testing.assert_allclose(out.item(), np.linalg.norm(v, ord), rtol=1e-13)
    along = mg.linalg.norm(_t(B, device), ord, dim=1)  # an int dim: a vector norm along it
    np.testing.assert_allclose(along.numpy(), np.linalg.norm(B, ord, axis=1), rtol=1e-13)
    kept = mg.linalg.norm(_t(B, device), ord, dim=(2,), keepdim=True)
    np.testing.assert_allclose(kept.numpy(), np.linalg.norm(B, ord, axis=2, keepdims=True), rtol=1e-13)


def test_linalg_norm_without_ord_flattens_any_shape_and_takes_dtype(device):
    x = _t(B, device, dtype="float32")
    out = mg.linalg.norm(x, dtype="float64")
    assert out.dtype == "float64" and out.shape == ()
    np.testing.assert_allclose(out.item(), np.sqrt((B.astype(np.float32).astype(np.float64) ** 2).sum()), rtol=1e-14)
    kept = mg.linalg.norm(x, keepdim=True)
    assert kept.shape == (1, 1, 1)
    np.testing.assert_allclose(mg.linalg.norm(_t(B, device), dim=(0, 2)).numpy(),
                               np.sqrt((B ** 2).sum(axis=(0, 2))), rtol=1e-14)
    m = mg.linalg.norm(_t(M, device, dtype="float32"), 1, dtype="float64")
    assert m.dtype == "float64"
    v = mg.linalg.norm(_t(M[0], device, dtype="float32"), 3, dtype="float64")
    assert v.dtype == "float64"
    with pytest.raises(RuntimeError, match=r"linalg.norm: ord=2 needs a 1-D or 2-D input or dim, got shape \(2, 4, 3"):
        mg.linalg.norm(_t(B, device), 2)


@pytest.mark.parametrize("p", ["fro", 2, 1, 3, math.inf])
def test_torch_norm_is_a_norm_of_the_entries(p, device):
    x = _t(B, device)
    q = 2 if p == "fro" else p
    flat = np.abs(B.reshape(-1))
    ref = flat.max() if q == math.inf else (flat ** q).sum() ** (1.0 / q)
    np.testing.assert_allclose(mg.norm(x, p).item(), ref, rtol=1e-13)
    along = mg.norm(x, p, dim=1, keepdim=True)
    assert along.shape == (2, 1, 3)
    ref1 = np.abs(B).max(axis=1, keepdims=True) if q == math.inf else \
        (np.abs(B) ** q).sum(axis=1, keepdims=True) ** (1.0 / q)
    np.testing.assert_allclose(along.numpy(), ref1, rtol=1e-13)
    assert mg.norm(_t(B, device, dtype="float32"), p, dtype="float64").dtype == "float64"


def test_torch_norm_nuclear_forms_and_errors(device):
    np.testing.assert_allclose(mg.norm(_t(B, device), "nuc", dim=(1, 2)).numpy(),
                               np.linalg.norm(B, "nuc", axis=(1, 2)), rtol=1e-12)
    kept = mg.norm(_t(M, device), "nuc", keepdim=True)
    assert kept.shape == (1, 1)
    assert mg.norm(_t(M, device, dtype="float32"), "nuc", dtype="float64").dtype == "float64"
    with pytest.raises(RuntimeError, match=r"norm: p='nuc' needs a 2-D input or a pair of axes dim, got shape \(4,\)"):
        mg.norm(_t(M[:, 0], device), "nuc")
    with pytest.raises(ValueError, match="norm: p must be 'fro', 'nuc' or a number, got 'max'"):
        mg.norm(_t(M, device), "max")


@pytest.mark.parametrize("ord", ["nuc", 2, -2])
def test_svd_norms_of_an_empty_batch_of_matrices(ord, device):
    out = mg.linalg.matrix_norm(_t(np.zeros((0, 3, 2)), device), ord)
    assert out.shape == (0,)  # no matrices: no norms (only an empty matrix itself has no singular values)
    kept = mg.linalg.matrix_norm(_t(np.zeros((0, 3, 2)), device), ord, keepdim=True)
    assert kept.shape == (0, 1, 1)


def test_svd_norm_messages_in_full(device):
    with pytest.raises(IndexError) as info:
        mg.linalg.matrix_norm(_t(np.zeros((2, 0, 3)), device), -2)
    assert str(info.value) == ("linalg.matrix_norm: ord=-2 of empty matrices (shape (2, 0, 3), dim (1, 2)) is the "
                               "smallest of no singular values: undefined (PyTorch raises IndexError too)")
    x = _t(M, device, grad=True)
    with pytest.raises(NotImplementedError) as info:
        mg.grad(mg.linalg.matrix_norm(x, 2), [x], create_graph=True)
    assert str(info.value) == (
        "svdvals (matrix_norm with ord 'nuc', 2 or -2): the second derivative is not provided (it needs the "
        "derivative of the singular vectors); compute the gradient without create_graph=True")


def test_svdvals_values_gradient_and_checks(device):
    from minigrad.ops.svd_norms import svdvals

    x = _t(B, device, grad=True)  # (2, 4, 3): batched, k = 3
    s = svdvals(x)
    np.testing.assert_allclose(s.numpy(), np.linalg.svd(B, compute_uv=False), rtol=1e-13)
    w = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]])
    (s * _t(w, device)).sum().backward()
    u, _, vh = np.linalg.svd(B, full_matrices=False)
    np.testing.assert_allclose(x.grad.numpy(), u @ (w[:, :, None] * vh), rtol=1e-12, atol=1e-14)
    with pytest.raises(RuntimeError, match=r"linalg.svdvals: needs at least 2 dimensions, got shape \(3,\)"):
        svdvals(_t(M[0], device))
    with pytest.raises(TypeError, match="linalg.svdvals: expected a floating-point tensor, got int64"):
        svdvals(mg.tensor([[1, 2], [3, 4]], device=device))
    with pytest.raises(TypeError, match="linalg.matrix_norm: ord='nuc' expects a floating-point tensor, got int64"):
        mg.linalg.matrix_norm(mg.tensor([[1, 2], [3, 4]], device=device), "nuc")


@pytest.mark.parametrize("ord", ["nuc", 2])
def test_empty_matrices_in_a_batch_have_norm_zero_each(ord, device):
    x = _t(np.zeros((2, 0, 3)), device, grad=True)
    out = mg.linalg.matrix_norm(x, ord)
    assert out.shape == (2,) and out.tolist() == [0.0, 0.0]
    assert mg.linalg.matrix_norm(x, ord, dim=(0, 1)).shape == (3,)
    kept = mg.linalg.matrix_norm(x, ord, keepdim=True)
    assert kept.shape == (2, 1, 1)
    out.sum().backward()
    assert x.grad.shape == (2, 0, 3)


def test_vector_norm_names_itself_in_axis_errors(device):
    with pytest.raises(IndexError, match=r"^vector_norm: axis 5 is out of range for a tensor with 2 dimension"):
        mg.linalg.vector_norm(mg.ones(2, 3, device=device), 2, 5)


def test_zero_norm_counts_nan_and_infinities_per_row(device):
    """PyTorch: vector_norm(ord=0) counts every entry != 0, NaN and +-inf included (it was NaN here)."""
    x = _t([[math.inf, 1.0, 0.0, math.nan], [0.0, 0.0, 2.0, -math.inf], [0.0, 0.0, 0.0, 0.0]], device, grad=True)
    out = mg.linalg.vector_norm(x, 0, 1)
    assert out.tolist() == [3.0, 2.0, 0.0]
    assert mg.linalg.vector_norm(x, 0).item() == 5.0
    assert mg.linalg.vector_norm(x, 0, 0, keepdim=True).tolist() == [[1.0, 1.0, 1.0, 2.0]]
    out.sum().backward()
    assert x.grad.tolist() == [[0.0] * 4] * 3
