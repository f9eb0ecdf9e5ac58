"""Op-table rows (tests/support/op_specs.py) of issue 14's views14 work: the view ops ``t`` and
``select`` (references: NumPy's ``.T`` and ``np.take``), and the matrix norms computed from singular values:
``linalg.matrix_norm`` with ord 'nuc', 2 and -2 over any pair of axes (batched, keepdim),
``linalg.norm`` with ord 2 / -2 / 'nuc' on a 2-D input and ``norm(p='nuc')``.

Reference: ``np.linalg.norm`` on the two axes, written independently of minigrad (NumPy computes it
from its own SVD).  Domain: the singular values are kept apart (relative gap >= 0.1) and away from 0
(>= 0.1), so central differences never cross a change of the largest / smallest value or the kink
of the nuclear norm at rank loss; the rules at repeated singular values are checked against
PyTorch in tests/torch_parity/test_parity_svd_norms.py.  First order only: the second derivative is
not provided (minigrad/ops/svd_norms.py).
"""
from __future__ import annotations

import numpy as np
from hypothesis import assume, strategies as st

import minigrad as mg
from minigrad.testing import array_shapes, arrays
from op_samplers import Sample
from op_specs import OpSpec


def _separated_singular_values(a, d0, d1):
    s = np.linalg.svd(np.moveaxis(a, (d0, d1), (-2, -1)), compute_uv=False)
    gaps = -np.diff(s, axis=-1)
    assume(np.all(s[..., -1] >= 0.1) and np.all(gaps >= 0.1 * s[..., :1]))


def _matrix_inputs(with_dim):
    def sample(draw, shape):
        sh = tuple(shape) if shape is not None else tuple(draw(array_shapes(2, 3, 1, 3)))
        a = draw(arrays(sh, "real"))
        d0, d1 = (draw(st.permutations(range(len(sh))))[:2] if with_dim else (len(sh) - 2, len(sh) - 1))
        _separated_singular_values(a, d0 % len(sh), d1 % len(sh))
        kw = {"keepdim": draw(st.booleans())}
        if with_dim:
            kw["dim"] = (d0 - len(sh) if draw(st.booleans()) else d0, d1)
        return Sample((a,), kw)

    return sample


def _norm_ref(ord):
    def ref(a, keepdim, dim=(-2, -1)):
        return np.linalg.norm(a, ord=ord, axis=tuple(dim), keepdims=keepdim)

    return ref


def _matrix_norm(ord):
    return lambda a, keepdim, dim=(-2, -1): mg.linalg.matrix_norm(a, ord, dim, keepdim)


_SMALL = ((1, 1), (1, 3), (3, 1))
_DOMAIN = "singular values >= 0.1 and 10% apart"
SVD_NORM_ROWS = [
    OpSpec("norm", _matrix_norm("nuc"), _norm_ref("nuc"), _matrix_inputs(True), variant="matrix_norm-nuc",
           domain=_DOMAIN, min_ndim=2, second_order=False, small_shapes=_SMALL),
    OpSpec("norm", _matrix_norm(2), _norm_ref(2), _matrix_inputs(True), variant="matrix_norm-2",
           domain=_DOMAIN, min_ndim=2, second_order=False, small_shapes=_SMALL),
    OpSpec("norm", _matrix_norm(-2), _norm_ref(-2), _matrix_inputs(True), variant="matrix_norm--2",
           domain=_DOMAIN, min_ndim=2, second_order=False, small_shapes=_SMALL),
    OpSpec("norm", lambda a, keepdim: mg.linalg.norm(a, 2, keepdim=keepdim), _norm_ref(2),
           lambda draw, shape: _matrix_inputs(False)(draw, shape if shape is not None else
                                                     tuple(draw(array_shapes(2, 2, 1, 3)))),
           variant="linalg_norm-2", domain=_DOMAIN + "; 2-D", min_ndim=2, second_order=False, small_shapes=_SMALL),
    OpSpec("norm", lambda a, keepdim, dim: mg.norm(a, "nuc", dim, keepdim), _norm_ref("nuc"),
           _matrix_inputs(True), variant="norm-nuc", domain=_DOMAIN, min_ndim=2, second_order=False,
           small_shapes=_SMALL),
]


def _t_inputs(draw, shape):
    sh = tuple(shape) if shape is not None else tuple(draw(array_shapes(0, 2, 0, 3)))
    return Sample((draw(arrays(sh, "real")),), {})


def _select_inputs(draw, shape):
    sh = tuple(shape) if shape is not None else tuple(draw(array_shapes(1, 3, 1, 3)))
    dim = draw(st.integers(-len(sh), len(sh) - 1))
    n = sh[dim]
    return Sample((draw(arrays(sh, "real")),), {"dim": dim, "index": draw(st.integers(-n, n - 1))})


VIEW_ROWS = [
    OpSpec("t", mg.t, lambda a: a.T if a.ndim == 2 else a, _t_inputs),
    OpSpec("select", lambda a, dim, index: mg.select(a, dim, index),
           lambda a, dim, index: np.take(a, index, axis=dim), _select_inputs, min_ndim=1),
]
ROWS = VIEW_ROWS + SVD_NORM_ROWS
