"""Mixed dtypes against PyTorch: the products, convolutions and solve refuse float32 with float64
(and a float with an integer tensor) in both libraries with a RuntimeError; the ops PyTorch
promotes give the same promoted dtype in both."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional
MF = nn.functional


def _pair(lib, shape, dtype, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    return lib.tensor(a, dtype=getattr(lib, dtype))


CASES = {  # name: (fn(lib, functional, make), refused by PyTorch)
    "matmul": lambda L, F, m: L.matmul(m((3, 3), "float32"), m((3, 3), "float64")),
    "matmul vectors": lambda L, F, m: L.matmul(m(3, "float32"), m(3, "float64")),
    "matmul int": lambda L, F, m: L.matmul(m((3, 3), "float32"), m((3, 3), "int64")),
    "bmm": lambda L, F, m: L.bmm(m((2, 3, 3), "float64"), m((2, 3, 3), "float32")),
    "mv": lambda L, F, m: L.mv(m((3, 3), "float32"), m(3, "float64")),
    "dot": lambda L, F, m: L.dot(m(3, "float32"), m(3, "float64")),
    "linear": lambda L, F, m: F.linear(m((2, 3), "float32"), m((4, 3), "float64")),
    "linear bias": lambda L, F, m: F.linear(m((2, 3), "float32"), m((4, 3), "float32"), m(4, "float64")),
    "addmm": lambda L, F, m: L.addmm(m((3, 3), "float64"), m((3, 3), "float32"), m((3, 3), "float32")),
    "baddbmm": lambda L, F, m: L.baddbmm(m((2, 3, 3), "float32"), m((2, 3, 3), "float32"), m((2, 3, 3), "float64")),
    "tensordot": lambda L, F, m: L.tensordot(m((3, 3), "float32"), m((3, 3), "float64"), 1),
    "einsum": lambda L, F, m: L.einsum("ij,jk->ik", m((3, 3), "float32"), m((3, 3), "float64")),
    "conv2d": lambda L, F, m: F.conv2d(m((1, 1, 4, 4), "float32"), m((1, 1, 2, 2), "float64")),
    "conv2d bias": lambda L, F, m: F.conv2d(m((1, 1, 4, 4), "float32"), m((1, 1, 2, 2), "float32"),
                                            m(1, "float64")),
    "conv1d": lambda L, F, m: F.conv1d(m((1, 1, 4), "float32"), m((1, 1, 2), "float64")),
    "conv_transpose2d": lambda L, F, m: F.conv_transpose2d(m((1, 1, 3, 3), "float32"), m((1, 1, 2, 2), "float64")),
    "solve": lambda L, F, m: L.linalg.solve(m((3, 3), "float32"), m((3, 1), "float64")),
    "nn.Linear": lambda L, F, m: (L.nn.Linear(3, 2).double() if L is torch else nn.Linear(3, 2).double())(
        m((2, 3), "float32")),
}
PROMOTED = {
    "outer": lambda L, F, m: L.outer(m(3, "float32"), m(3, "float64")),
    "kron": lambda L, F, m: L.kron(m((2, 2), "float32"), m((2, 2), "float64")),
    "cat": lambda L, F, m: L.cat([m((2, 2), "float32"), m((2, 2), "float64")]),
    "stack": lambda L, F, m: L.stack([m((2, 2), "float32"), m((2, 2), "float64")]),
    "where": lambda L, F, m: L.where(m(3, "float32") > 0, m(3, "float32"), m(3, "float64")),
    "add": lambda L, F, m: m(3, "float32") + m(3, "float64"),
    "atan2": lambda L, F, m: L.atan2(m(3, "float32"), m(3, "float64")),
}


def _run(case, lib):
    F = TF if lib is torch else MF
    return case(lib, F, lambda shape, dtype: _pair(lib, shape, dtype))


@pytest.mark.parametrize("name", list(CASES))
def test_refused_in_both_with_a_runtime_error(name):
    with pytest.raises(RuntimeError):
        _run(CASES[name], torch)
    with pytest.raises(RuntimeError, match="to have the same dtype"):
        _run(CASES[name], mg)


@pytest.mark.parametrize("name", list(PROMOTED))
def test_promoted_to_the_same_dtype_in_both(name):
    t, m = _run(PROMOTED[name], torch), _run(PROMOTED[name], mg)
    assert str(t.dtype).replace("torch.", "") == str(m.dtype)
    np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=1e-6)
