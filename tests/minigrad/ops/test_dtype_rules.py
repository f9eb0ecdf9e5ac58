"""PyTorch's refusal of mixed dtypes in products, convolutions and solve (minigrad/ops/dtype_rules.py):
each op raises DTypeError (a RuntimeError) naming itself and both dtypes, before computing; the ops
PyTorch promotes (outer, kron, cat, where, +) still promote."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import nn
from minigrad.errors import DTypeError

F = nn.functional


def _t(shape, dtype, device, seed=0):
    return mg.tensor(np.random.default_rng(seed).standard_normal(shape), dtype=dtype, device=device)


REFUSED = {
    "matmul": lambda a, b, d: mg.matmul(_t((3, 3), a, d), _t((3, 3), b, d)),
    "@ vectors": lambda a, b, d: _t(3, a, d) @ _t(3, b, d),
    "matmul batched": lambda a, b, d: mg.matmul(_t((2, 3, 3), a, d), _t((3, 2), b, d)),
    "bmm": lambda a, b, d: mg.bmm(_t((2, 3, 3), a, d), _t((2, 3, 3), b, d)),
    "mv": lambda a, b, d: mg.mv(_t((3, 3), a, d), _t(3, b, d)),
    "dot": lambda a, b, d: mg.dot(_t(3, a, d), _t(3, b, d)),
    "linear": lambda a, b, d: F.linear(_t((2, 3), a, d), _t((4, 3), b, d)),
    "linear bias": lambda a, b, d: F.linear(_t((2, 3), a, d), _t((4, 3), a, d), _t(4, b, d)),
    "addmm": lambda a, b, d: mg.addmm(_t((3, 3), b, d), _t((3, 3), a, d), _t((3, 3), a, d)),
    "baddbmm": lambda a, b, d: mg.baddbmm(_t((2, 3, 3), a, d), _t((2, 3, 3), a, d), _t((2, 3, 3), b, d)),
    "tensordot": lambda a, b, d: mg.tensordot(_t((3, 3), a, d), _t((3, 3), b, d), 1),
    "einsum": lambda a, b, d: mg.einsum("ij,jk->ik", _t((3, 3), a, d), _t((3, 3), b, d)),
    "conv2d": lambda a, b, d: F.conv2d(_t((1, 1, 4, 4), a, d), _t((1, 1, 2, 2), b, d)),
    "conv1d": lambda a, b, d: F.conv1d(_t((1, 1, 4), a, d), _t((1, 1, 2), b, d)),
    "conv_transpose2d": lambda a, b, d: F.conv_transpose2d(_t((1, 1, 3, 3), a, d), _t((1, 1, 2, 2), b, d)),
    "linalg.solve": lambda a, b, d: mg.linalg.solve(_t((3, 3), a, d) + 3 * mg.eye(3, dtype=a, device=d),
                                                    _t((3, 1), b, d)),
}
NAMES = {"@ vectors": "matmul", "matmul batched": "matmul", "linear bias": "linear"}


@pytest.mark.parametrize("case", list(REFUSED))
@pytest.mark.parametrize("dtypes", [("float32", "float64"), ("float64", "float32")])
def test_mixed_float_dtypes_are_refused_with_a_clear_error(case, dtypes, device):
    a, b = (getattr(mg, n) for n in dtypes)
    with pytest.raises(DTypeError) as info:
        REFUSED[case](a, b, device)
    msg = str(info.value)
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, TypeError)
    assert msg.startswith(NAMES.get(case, case) + ": expected ")
    assert "float32" in msg and "float64" in msg and ".to(" in msg


def test_float_with_integer_matmul_is_refused(device):
    with pytest.raises(DTypeError, match="matmul: expected input and other to have the same dtype, got float32 "
                                         "and int64"):
        _t((2, 2), mg.float32, device) @ mg.ones(2, 2, dtype=mg.int64, device=device)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_same_dtype_products_still_match_numpy(dtype, device):
    a, b = _t((2, 3), getattr(mg, dtype), device, 1), _t((3, 4), getattr(mg, dtype), device, 2)
    out = mg.matmul(a, b)
    assert out.dtype == dtype
    np.testing.assert_allclose(out.numpy(), a.numpy().astype(np.float64) @ b.numpy().astype(np.float64),
                               rtol=1e-5 if dtype == "float32" else 1e-12)


def test_promoting_ops_still_promote(device):
    a, b = _t(3, mg.float32, device), _t(3, mg.float64, device)
    assert mg.outer(a, b).dtype == "float64" and mg.kron(a, b).dtype == "float64"
    assert mg.cat([a, b]).dtype == "float64" and mg.where(a > 0, a, b).dtype == "float64" and (a + b).dtype == "float64"
    np.testing.assert_allclose(mg.outer(a, b).numpy(), np.outer(a.numpy().astype(np.float64), b.numpy()), rtol=1e-7)


def test_nn_linear_refuses_float64_data_with_float32_weights_until_converted(device):
    layer = nn.Linear(3, 2, device=device)
    x = _t((4, 3), mg.float64, device)
    with pytest.raises(RuntimeError, match="linear: expected input and weight to have the same dtype"):
        layer(x)
    assert layer(x.float()).dtype == "float32" and layer.double()(x).dtype == "float64"


def test_gradcheck_of_a_model_on_float32_data_still_runs_in_float64(device):
    layer = nn.Linear(3, 2, device=device)
    x = _t((4, 3), mg.float32, device)
    assert mg.gradcheck(lambda: (layer(x) ** 2).sum(), layer.parameters())
    assert layer.weight.dtype == "float32"
    with pytest.raises(DTypeError):  # outside the check, the refusal is back
        layer.double()(x)
