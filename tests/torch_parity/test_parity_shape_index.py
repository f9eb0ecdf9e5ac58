"""Parity with PyTorch for the reductions, scans, ordering, layout and indexing ops of issue 14.

Each case runs the same call on minigrad (cpu and strict) and on torch (CPU, float64) from the
same inputs and compares every output's values, shape and dtype (indices int64, masks bool), and
the gradient of sum(w * out) (fixed random weights w) with respect to every float input.
Inputs have no ties unless a case is about ties (ties follow documented PyTorch rules there).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(1234)


def _distinct(*shape):
    """Values with no ties (a shuffled grid), so index choices are unambiguous."""
    n = int(np.prod(shape))
    return (RNG.permutation(n) * 0.37 - n * 0.15).reshape(shape).astype(np.float64)


def _r(*shape):
    return RNG.standard_normal(shape)


X34 = _distinct(3, 4)
X234 = _distinct(2, 3, 4)
V5 = _distinct(5)
SQ = _distinct(4, 4)
IDX = np.array([[0, 2, 1, 0], [2, 2, 0, 1]])  # for gather/scatter on dim 0 of (3, 4): repeats included
IDX1 = np.array([[3, 0], [1, 1], [2, 3]])  # dim 1 of (3, 4)
MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])
ZEROS = np.array([[2.0, 0.0, 3.0, -1.5], [0.0, 0.0, 1.5, 2.0], [1.0, 2.0, -0.5, 3.0]])
TIES = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [0.0, 0.0, 0.0, 0.0]])


def _cases():
    t = torch
    c = [
        # reductions
        ("prod", lambda m, a: m.prod(a), lambda T, a: T.prod(a), (X34 / 4,)),
        ("prod-dim", lambda m, a: m.prod(a, 1, keepdim=True), lambda T, a: T.prod(a, 1, keepdim=True), (X34 / 4,)),
        ("prod-one-zero", lambda m, a: m.prod(a, 1), lambda T, a: T.prod(a, 1), (ZEROS,)),
        ("prod-zeros-all", lambda m, a: m.prod(a), lambda T, a: T.prod(a), (ZEROS,)),
        ("max-all", lambda m, a: m.max(a), lambda T, a: T.max(a), (X34,)),
        ("max-all-ties", lambda m, a: m.max(a), lambda T, a: T.max(a), (TIES,)),
        ("max-dim", lambda m, a: m.max(a, 1), lambda T, a: T.max(a, 1), (X34,)),
        ("min-dim-keep", lambda m, a: m.min(a, dim=0, keepdim=True), lambda T, a: T.min(a, dim=0, keepdim=True),
         (X34,)),
        ("max-binary", lambda m, a, b: m.max(a, b), lambda T, a, b: T.max(a, b), (X34, _distinct(3, 4))),
        ("amax-ties", lambda m, a: m.amax(a, 1), lambda T, a: T.amax(a, 1), (TIES,)),
        ("amin-tuple", lambda m, a: m.amin(a, (0, 2)), lambda T, a: T.amin(a, (0, 2)), (X234,)),
        ("median-all", lambda m, a: m.median(a), lambda T, a: T.median(a), (X34,)),
        ("median-dim", lambda m, a: m.median(a, 1), lambda T, a: T.median(a, 1), (X34,)),
        ("mode", lambda m, a: m.mode(a, 1), lambda T, a: T.mode(a, 1),
         (np.array([[2.0, 1, 1, 2, 3], [4, 4, 5, 5, 5]]),)),
        ("var-default", lambda m, a: m.var(a), lambda T, a: T.var(a), (X34,)),
        ("var-dim", lambda m, a: m.var(a, 1), lambda T, a: T.var(a, 1), (X34,)),
        ("var-correction0", lambda m, a: m.var(a, 0, correction=0), lambda T, a: T.var(a, 0, correction=0), (X34,)),
        ("std-default", lambda m, a: m.std(a, 0, keepdim=True), lambda T, a: T.std(a, 0, keepdim=True), (X34,)),
        ("std-constant-row", lambda m, a: m.std(a, 1), lambda T, a: T.std(a, 1), (np.array([[2.0, 2, 2], [1, 2, 4]]),)),
        ("var-size1-nan", lambda m, a: m.var(a, 0), lambda T, a: T.var(a, 0), (X34[:1],)),
        ("var_mean", lambda m, a: m.var_mean(a, 1), lambda T, a: T.var_mean(a, 1), (X34,)),
        ("std_mean", lambda m, a: m.std_mean(a, 0, correction=0), lambda T, a: T.std_mean(a, 0, correction=0),
         (X34,)),
        ("count_nonzero", lambda m, a: m.count_nonzero(a, 1), lambda T, a: T.count_nonzero(a, 1), (ZEROS,)),
        ("any", lambda m, a: m.any(a, 1), lambda T, a: T.any(a, 1), (ZEROS,)),
        ("all", lambda m, a: m.all(a, 1, keepdim=True), lambda T, a: T.all(a, 1, keepdim=True), (ZEROS,)),
        ("norm-fro", lambda m, a: m.norm(a), lambda T, a: T.norm(a), (X34,)),
        ("norm-p3-dim", lambda m, a: m.norm(a, 3, 1), lambda T, a: T.norm(a, 3, 1), (X34,)),
        ("vector_norm-2-zero-row", lambda m, a: m.linalg.vector_norm(a, dim=1),
         lambda T, a: T.linalg.vector_norm(a, dim=1), (np.array([[0.0, 0.0], [3.0, 4.0]]),)),
        ("vector_norm-1", lambda m, a: m.linalg.vector_norm(a, 1), lambda T, a: T.linalg.vector_norm(a, 1), (ZEROS,)),
        ("vector_norm-inf", lambda m, a: m.linalg.vector_norm(a, math.inf, 1),
         lambda T, a: T.linalg.vector_norm(a, math.inf, 1), (X34,)),
        ("vector_norm-1.5-zero", lambda m, a: m.linalg.vector_norm(a, 1.5, 1),
         lambda T, a: T.linalg.vector_norm(a, 1.5, 1), (ZEROS,)),
        ("matrix_norm-fro", lambda m, a: m.linalg.matrix_norm(a), lambda T, a: T.linalg.matrix_norm(a), (X234,)),
        ("matrix_norm-1", lambda m, a: m.linalg.matrix_norm(a, 1), lambda T, a: T.linalg.matrix_norm(a, 1), (X234,)),
        ("matrix_norm-inf", lambda m, a: m.linalg.matrix_norm(a, -math.inf),
         lambda T, a: T.linalg.matrix_norm(a, -math.inf), (X234,)),
        ("linalg.norm", lambda m, a: m.linalg.norm(a), lambda T, a: T.linalg.norm(a), (X234,)),
        # scans
        ("cumsum", lambda m, a: m.cumsum(a, 1), lambda T, a: T.cumsum(a, 1), (X34,)),
        ("cumprod", lambda m, a: m.cumprod(a, 0), lambda T, a: T.cumprod(a, 0), (X34 / 3,)),
        ("cumprod-zeros", lambda m, a: m.cumprod(a, 1), lambda T, a: T.cumprod(a, 1), (ZEROS,)),
        ("cummax", lambda m, a: m.cummax(a, 1), lambda T, a: T.cummax(a, 1), (X34,)),
        ("cummin-ties", lambda m, a: m.cummin(a, 1), lambda T, a: T.cummin(a, 1), (TIES,)),
        ("logcumsumexp", lambda m, a: m.logcumsumexp(a, 1), lambda T, a: T.logcumsumexp(a, 1),
         (np.array([[-1000.0, 0.0, 2.0, 1000.0], [1.0, 2.0, 3.0, 4.0]]),)),
        # ordering
        ("sort", lambda m, a: m.sort(a, 1), lambda T, a: T.sort(a, 1), (X34,)),
        ("sort-desc-stable", lambda m, a: m.sort(a, 0, descending=True, stable=True),
         lambda T, a: T.sort(a, dim=0, descending=True, stable=True), (TIES,)),
        ("argsort", lambda m, a: m.argsort(a, 0), lambda T, a: T.argsort(a, 0), (X34,)),
        ("topk", lambda m, a: m.topk(a, 2), lambda T, a: T.topk(a, 2), (X34,)),
        ("topk-smallest", lambda m, a: m.topk(a, 2, 0, largest=False), lambda T, a: T.topk(a, 2, 0, largest=False),
         (X34,)),
        ("kthvalue", lambda m, a: m.kthvalue(a, 2, 1, True), lambda T, a: T.kthvalue(a, 2, 1, True), (X34,)),
        ("msort", lambda m, a: m.msort(a), lambda T, a: T.msort(a), (X34,)),
        # layout
        ("flip", lambda m, a: m.flip(a, (0, 2)), lambda T, a: T.flip(a, (0, 2)), (X234,)),
        ("roll", lambda m, a: m.roll(a, (1, -2), (0, 2)), lambda T, a: T.roll(a, (1, -2), (0, 2)), (X234,)),
        ("roll-flat", lambda m, a: m.roll(a, 5), lambda T, a: T.roll(a, 5), (X34,)),
        ("repeat", lambda m, a: a.repeat(2, 1, 3), lambda T, a: a.repeat(2, 1, 3), (X34,)),
        ("repeat_interleave", lambda m, a: m.repeat_interleave(a, 2, 1), lambda T, a: T.repeat_interleave(a, 2, 1),
         (X34,)),
        ("repeat_interleave-tensor", lambda m, a: m.repeat_interleave(a, mg.tensor([1, 0, 3]), 0),
         lambda T, a: T.repeat_interleave(a, T.tensor([1, 0, 3]), 0), (X34,)),
        ("tile", lambda m, a: m.tile(a, (2,)), lambda T, a: T.tile(a, (2,)), (X34,)),
        ("tril", lambda m, a: m.tril(a, -1), lambda T, a: T.tril(a, -1), (X234,)),
        ("triu", lambda m, a: m.triu(a, 1), lambda T, a: T.triu(a, 1), (X34,)),
        ("diag-vec", lambda m, a: m.diag(a, -1), lambda T, a: T.diag(a, -1), (V5,)),
        ("diag-mat", lambda m, a: m.diag(a, 1), lambda T, a: T.diag(a, 1), (X34,)),
        ("diagonal", lambda m, a: m.diagonal(a, 1, 0, 2), lambda T, a: T.diagonal(a, 1, 0, 2), (X234,)),
        ("trace", lambda m, a: m.trace(a), lambda T, a: T.trace(a), (X34,)),
        ("chunk", lambda m, a: m.chunk(a, 3, 1), lambda T, a: T.chunk(a, 3, 1), (X34,)),
        ("unbind", lambda m, a: m.unbind(a, 1), lambda T, a: T.unbind(a, 1), (X34,)),
        ("narrow", lambda m, a: m.narrow(a, 1, -3, 2), lambda T, a: T.narrow(a, 1, -3, 2), (X34,)),
        ("movedim", lambda m, a: m.movedim(a, (0, 1), (2, 0)), lambda T, a: T.movedim(a, (0, 1), (2, 0)), (X234,)),
        ("swapaxes", lambda m, a: m.swapaxes(a, 0, -1), lambda T, a: T.swapaxes(a, 0, -1), (X234,)),
        ("unflatten", lambda m, a: m.unflatten(a, 1, (2, -1)), lambda T, a: T.unflatten(a, 1, (2, -1)), (X34,)),
        ("view", lambda m, a: a.view(2, -1), lambda T, a: a.view(2, -1), (X34,)),
        ("view_as", lambda m, a, b: a.view_as(b), lambda T, a, b: a.view_as(b), (X34, _r(6, 2))),
        ("expand_as", lambda m, a, b: a.expand_as(b), lambda T, a, b: a.expand_as(b), (_r(3, 1), X34)),
        ("meshgrid-ij", lambda m, a, b: m.meshgrid(a, b, indexing="ij"),
         lambda T, a, b: T.meshgrid(a, b, indexing="ij"), (_r(3), _r(2))),
        ("meshgrid-xy", lambda m, a, b, c: m.meshgrid(a, b, c, indexing="xy"),
         lambda T, a, b, c: T.meshgrid(a, b, c, indexing="xy"), (_r(3), _r(2), _r(4))),
        ("split-sizes", lambda m, a: m.split(a, [1, 3], 1), lambda T, a: T.split(a, [1, 3], 1), (X34,)),
        ("pad-flat", lambda m, a: m.pad(a, (1, 2, 0, 1)), lambda T, a: T.nn.functional.pad(a, (1, 2, 0, 1)), (X34,)),
        ("pad-negative", lambda m, a: m.pad(a, (-1, 2, 1, -1), value=0.5),
         lambda T, a: T.nn.functional.pad(a, (-1, 2, 1, -1), value=0.5), (X34,)),
        ("pad-reflect", lambda m, a: m.pad(a, (2, 3, 1, 1), mode="reflect"),
         lambda T, a: T.nn.functional.pad(a, (2, 3, 1, 1), mode="reflect"), (X234,)),
        ("pad-replicate", lambda m, a: m.pad(a, (2, 1), mode="replicate"),
         lambda T, a: T.nn.functional.pad(a, (2, 1), mode="replicate"), (X234,)),
        ("pad-circular", lambda m, a: m.pad(a, (4, 1, 1, 2), mode="circular"),
         lambda T, a: T.nn.functional.pad(a, (4, 1, 1, 2), mode="circular"), (X234,)),
        # indexing
        ("gather", lambda m, a, i: m.gather(a, 0, i), lambda T, a, i: T.gather(a, 0, i), (X34, IDX)),
        ("gather-dim1", lambda m, a, i: a.gather(1, i), lambda T, a, i: a.gather(1, i), (X34, IDX1)),
        ("scatter", lambda m, a, i, s: m.scatter(a, 1, i, s), lambda T, a, i, s: T.scatter(a, 1, i, s),
         (X34, np.array([[3, 0], [1, 2], [2, 3]]), _r(3, 2))),
        ("scatter-value", lambda m, a, i: m.scatter(a, 1, i, value=-2.0),
         lambda T, a, i: T.scatter(a, 1, i, value=-2.0), (X34, IDX1)),
        ("scatter_add", lambda m, a, i, s: m.scatter_add(a, 0, i, s), lambda T, a, i, s: T.scatter_add(a, 0, i, s),
         (X34, IDX, _r(2, 4))),
        ("scatter_reduce-sum", lambda m, a, i, s: m.scatter_reduce(a, 0, i, s, "sum", include_self=False),
         lambda T, a, i, s: T.scatter_reduce(a, 0, i, s, "sum", include_self=False), (X34, IDX, _r(2, 4))),
        ("scatter_reduce-mean", lambda m, a, i, s: m.scatter_reduce(a, 0, i, s, "mean"),
         lambda T, a, i, s: T.scatter_reduce(a, 0, i, s, "mean"), (X34, IDX, _r(2, 4))),
        ("scatter_reduce-amax", lambda m, a, i, s: m.scatter_reduce(a, 1, i, s, "amax"),
         lambda T, a, i, s: T.scatter_reduce(a, 1, i, s, "amax"), (X34, IDX1, _distinct(3, 2) + 0.1)),
        ("scatter_reduce-amin-noself", lambda m, a, i, s: m.scatter_reduce(a, 1, i, s, "amin", include_self=False),
         lambda T, a, i, s: T.scatter_reduce(a, 1, i, s, "amin", include_self=False),
         (X34, IDX1, _distinct(3, 2) + 0.1)),
        ("scatter_reduce-prod", lambda m, a, i, s: m.scatter_reduce(a, 0, i, s, "prod"),
         lambda T, a, i, s: T.scatter_reduce(a, 0, i, s, "prod"), (X34 / 3, IDX, _r(2, 4))),
        ("index_select", lambda m, a, i: m.index_select(a, 1, i), lambda T, a, i: T.index_select(a, 1, i),
         (X34, np.array([3, 0, 3]))),
        ("index_add", lambda m, a, i, s: m.index_add(a, 0, i, s, alpha=2.0),
         lambda T, a, i, s: T.index_add(a, 0, i, s, alpha=2.0), (X34, np.array([2, 0, 2]), _r(3, 4))),
        ("index_copy", lambda m, a, i, s: m.index_copy(a, 1, i, s), lambda T, a, i, s: T.index_copy(a, 1, i, s),
         (X34, np.array([3, 1]), _r(3, 2))),
        ("take_along_dim", lambda m, a, i: m.take_along_dim(a, i, 1), lambda T, a, i: T.take_along_dim(a, i, 1),
         (X34, IDX1)),
        ("take_along_dim-flat", lambda m, a, i: m.take_along_dim(a, i), lambda T, a, i: T.take_along_dim(a, i),
         (X34, np.array([11, 0, 5]))),
        ("take_along_dim-argsort", lambda m, a: m.take_along_dim(a, m.argsort(a, 1), 1),
         lambda T, a: T.take_along_dim(a, T.argsort(a, 1), 1), (X34,)),
        ("masked_fill", lambda m, a, k: m.masked_fill(a, k, -1.5), lambda T, a, k: T.masked_fill(a, k, -1.5),
         (X34, MASK)),
        ("masked_fill-row", lambda m, a, k: a.masked_fill(k, 0.25), lambda T, a, k: a.masked_fill(k, 0.25),
         (X34, MASK[1])),
        ("masked_select", lambda m, a, k: m.masked_select(a, k), lambda T, a, k: T.masked_select(a, k), (X34, MASK)),
        ("masked_scatter", lambda m, a, k, s: m.masked_scatter(a, k, s), lambda T, a, k, s: T.masked_scatter(a, k, s),
         (X34, MASK, _r(8))),
        ("nonzero", lambda m, a: m.nonzero(a), lambda T, a: T.nonzero(a), (ZEROS,)),
        ("nonzero-tuple", lambda m, a: m.nonzero(a, as_tuple=True), lambda T, a: T.nonzero(a, as_tuple=True),
         (ZEROS,)),
        ("where-cond", lambda m, k: m.where(k), lambda T, k: T.where(k), (MASK,)),
        ("where-scalars", lambda m, k: m.where(k, 1.0, 0.0), lambda T, k: T.where(k, 1.0, 0.0), (MASK,)),
        ("where-int-scalars", lambda m, k: m.where(k, 2, -1), lambda T, k: T.where(k, 2, -1), (MASK,)),
        ("where-tensor-scalar", lambda m, k, a: m.where(k, a, 0.5), lambda T, k, a: T.where(k, a, 0.5),
         (MASK, X34)),
    ]
    return c


CASES = _cases()


def _outputs(x):
    if isinstance(x, (tuple, list)):
        return [o for item in x for o in _outputs(item)]
    return [x]


def _mg_inputs(args, device):
    return [mg.tensor(a, dtype="float64", device=device, requires_grad=True) if a.dtype.kind == "f"
            else mg.tensor(a, device=device) for a in args]


def _torch_inputs(args):
    return [torch.tensor(a, dtype=torch.float64, requires_grad=True) if a.dtype.kind == "f" else torch.tensor(a)
            for a in args]


@pytest.mark.parametrize("name,mg_fn,torch_fn,args", [pytest.param(*c, id=c[0]) for c in CASES])
def test_matches_torch(device, name, mg_fn, torch_fn, args):
    ours_in, theirs_in = _mg_inputs(args, device), _torch_inputs(args)
    ours, theirs = _outputs(mg_fn(mg, *ours_in)), _outputs(torch_fn(torch, *theirs_in))
    assert len(ours) == len(theirs), f"{name}: {len(ours)} outputs, torch {len(theirs)}"
    for o, t in zip(ours, theirs):
        assert tuple(o.shape) == tuple(t.shape), f"{name}: shape {o.shape}, torch {tuple(t.shape)}"
        assert str(o.dtype) == str(t.dtype).replace("torch.", ""), f"{name}: dtype {o.dtype}, torch {t.dtype}"
        np.testing.assert_allclose(o.numpy(), t.detach().numpy(), rtol=1e-12, atol=1e-12, err_msg=name)
    pairs = [(o, t) for o, t in zip(ours, theirs) if o.requires_grad]
    if not pairs:
        return
    weights = [RNG.standard_normal(tuple(o.shape)) for o, _ in pairs]
    mg.backward([o for o, _ in pairs], [mg.tensor(w, dtype="float64", device=device) for w in weights])
    torch.autograd.backward([t for _, t in pairs], [torch.tensor(w) for w in weights])
    for a, b in zip(ours_in, theirs_in):
        if b.requires_grad:
            got = np.zeros(a.shape) if a.grad is None else a.grad.numpy()
            want = np.zeros(tuple(b.shape)) if b.grad is None else b.grad.numpy()
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=f"{name}: gradient")


def test_default_var_is_unbiased_like_torch():
    x = _r(5, 3)
    np.testing.assert_allclose(mg.tensor(x).var().numpy(), torch.tensor(x).var().numpy(), rtol=1e-6)
    np.testing.assert_allclose(mg.tensor(x).std(0).numpy(), torch.tensor(x).std(0).numpy(), rtol=1e-6)
