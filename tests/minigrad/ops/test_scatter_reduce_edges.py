"""``scatter`` and ``scatter_reduce`` (minigrad/ops/scatter_reduce.py) against a loop over the index
written here (PyTorch's definition), with gradients against central differences: every reduction,
with and without ``include_self``, places nothing reaches, negative indices, an index smaller than
src, the legacy ``reduce=`` names, ``value=``, and the refusals (issue 18)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

REDUCE = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}


def _ref(inp, dim, index, src, reduce, include_self=True):
    """out[j] = reduce of input[j] (if include_self) and every src[i] whose index sends it to j."""
    n = inp.shape[dim]
    terms = {}
    for i in np.ndindex(*index.shape):
        j = list(i)
        j[dim] = index[i] % n
        terms.setdefault(tuple(j), []).append(src[i])
    out = inp.copy()
    for j, vals in terms.items():
        out[j] = REDUCE[reduce](([inp[j]] if include_self else []) + vals)
    return out


def _numgrad(f, arrays, k, eps=1e-6):
    a = arrays[k]
    g = np.zeros(a.shape)
    for i in np.ndindex(*a.shape):
        hi = [x.copy() for x in arrays]
        lo = [x.copy() for x in arrays]
        hi[k][i] += eps
        lo[k][i] -= eps
        g[i] = (f(*hi).sum() - f(*lo).sum()) / (2 * eps)
    return g


INP = np.array([[0.5, -1.0, 2.0, 1.5], [3.0, 0.25, -2.0, 1.0], [-0.5, 4.0, 0.75, 2.5]])
SRC = np.array([[1.25, -0.75, 3.5], [0.3, 2.2, -1.7], [-2.4, 0.6, 1.9]])
IDX1 = np.array([[0, 0, 3], [2, 0, 2], [1, 1, 1]])  # dim 1: repeats, column 3 skipped in rows 2 and 3
IDX0 = np.array([[0, 2, 0], [0, 2, 2]])  # dim 0, smaller than src: row 1 is never reached


@pytest.mark.parametrize("reduce", list(REDUCE))
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dim, index", [(1, IDX1), (0, IDX0), (-1, IDX1)])
def test_scatter_reduce_values_and_gradients(device, reduce, include_self, dim, index):
    x = mg.tensor(INP, device=device, requires_grad=True)
    s = mg.tensor(SRC, device=device, requires_grad=True)
    out = mg.scatter_reduce(x, dim, mg.tensor(index, device=device), s, reduce, include_self=include_self)
    ref = _ref(INP, dim % 2, index, SRC, reduce, include_self)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12)
    out.sum().backward()
    f = lambda a, b: _ref(a, dim % 2, index, b, reduce, include_self)  # noqa: E731
    np.testing.assert_allclose(x.grad.numpy(), _numgrad(f, [INP, SRC], 0), atol=1e-6)
    np.testing.assert_allclose(s.grad.numpy(), _numgrad(f, [INP, SRC], 1), atol=1e-6)


def test_amax_ties_share_the_gradient_with_the_input(device):
    x = mg.tensor([[2.0, 0.0]], device=device, requires_grad=True)
    s = mg.tensor([[2.0, 2.0, 1.0]], device=device, requires_grad=True)
    out = mg.scatter_reduce(x, 1, mg.tensor([[0, 0, 1]], device=device), s, "amax")
    np.testing.assert_array_equal(out.numpy(), [[2.0, 1.0]])
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[1 / 3, 0.0]])  # three tied values: input's and two sources
    np.testing.assert_allclose(s.grad.numpy(), [[1 / 3, 1 / 3, 1.0]])


def test_mean_counts_the_input_only_with_include_self(device):
    x = mg.tensor([10.0, 20.0, 30.0], device=device)
    s = mg.tensor([1.0, 2.0, 3.0], device=device)
    i = mg.tensor([0, 0, 2], device=device)
    np.testing.assert_allclose(mg.scatter_reduce(x, 0, i, s, "mean").numpy(), [13 / 3, 20.0, 16.5])
    np.testing.assert_allclose(mg.scatter_reduce(x, 0, i, s, "mean", include_self=False).numpy(), [1.5, 20.0, 3.0])


def test_an_empty_index_gives_a_new_tensor_equal_to_the_input(device):
    x = mg.tensor(INP, device=device, requires_grad=True)
    out = mg.scatter_reduce(x, 1, mg.tensor(np.zeros((3, 0), np.int64), device=device), mg.tensor(SRC, device=device),
                            "prod")
    assert out is not x
    np.testing.assert_array_equal(out.numpy(), INP)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones(INP.shape))


def test_scatter_forms(device):
    x = mg.tensor(INP[:2, :3], device=device, requires_grad=True)
    i = mg.tensor([[0, 0], [1, 0]], device=device)
    s = mg.tensor(SRC[:2], device=device, requires_grad=True)
    out = mg.scatter(x, 1, i, s)
    ref = INP[:2, :3].copy()
    ref[0, 0] = SRC[0, 1]  # the last write wins
    ref[1, 1], ref[1, 0] = SRC[1, 0], SRC[1, 1]
    np.testing.assert_array_equal(out.numpy(), ref)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 1.0, 1.0], [0.0, 0.0, 1.0]])
    np.testing.assert_array_equal(s.grad.numpy(), [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]])
    filled = mg.scatter(mg.tensor(INP[:2, :3], device=device), 1, i, value=7.0)
    np.testing.assert_array_equal(filled.numpy(), [[7.0, INP[0, 1], INP[0, 2]], [7.0, 7.0, INP[1, 2]]])
    np.testing.assert_allclose(mg.scatter(mg.tensor(INP[:2, :3], device=device), 1, i, s, reduce="add").numpy(),
                               _ref(INP[:2, :3], 1, np.array([[0, 0], [1, 0]]), SRC[:2], "sum"))
    np.testing.assert_allclose(mg.scatter(mg.tensor(INP[:2, :3], device=device), 1, i, s, reduce="multiply").numpy(),
                               _ref(INP[:2, :3], 1, np.array([[0, 0], [1, 0]]), SRC[:2], "prod"))


def test_refusals():
    x, i, s = mg.ones(2, 3), mg.tensor([[0, 1]]), mg.ones(2, 3)
    with pytest.raises(ValueError, match=r"^scatter_reduce: reduce must be one of \('sum', 'prod', 'mean', 'amax', "
                                         r"'amin'\), got 'max'$"):
        mg.scatter_reduce(x, 1, i, s, "max")
    with pytest.raises(TypeError, match=r"^scatter: give src \(a Tensor\) or value \(a number\)$"):
        mg.scatter(x, 1, i)
    with pytest.raises(TypeError, match="^scatter_reduce: index must be an integer tensor"):
        mg.scatter_reduce(x, 1, mg.tensor([[0.0]]), s, "sum")
    with pytest.raises(IndexError, match="^scatter: index 3 is out of bounds for dimension of size 3"):
        mg.scatter(x, 1, mg.tensor([[3]]), s)
    with pytest.raises(RuntimeError, match="^scatter_reduce: index of shape"):
        mg.scatter_reduce(x, 1, mg.tensor([[0, 1, 2, 0]]), s, "sum")
