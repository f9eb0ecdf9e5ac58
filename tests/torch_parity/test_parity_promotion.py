"""Type promotion against PyTorch: the result dtype of add/sub/mul/div/pow/maximum/where/matmul/cat for
every pair of operands drawn from bool/int32/int64/float32/float64 tensors (with axes and 0-d),
Python bool/int/float numbers and NumPy scalars, on cpu and strict.  Where PyTorch raises, minigrad
raises too (matmul of two dtypes included: PyTorch refuses it, and so does minigrad)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

DTYPES = ("bool", "int32", "int64", "float32", "float64")


def _operands():
    """(label, maker) where maker(lib, device) gives the operand for lib 'mg' or 'torch'."""
    out = []
    for dt in DTYPES:
        for ndim in (1, 0):
            shape = (3,) if ndim else ()
            out.append((f"{dt}[{ndim}d]", _tensor_maker(dt, shape)))
    for value in (True, 2, 1.5):
        out.append((f"py-{type(value).__name__}", (lambda v: lambda lib, dev: v)(value)))
    for value in (np.float64(1.5), np.float32(1.5), np.int64(2), np.int32(2)):
        out.append((f"np-{value.dtype}", (lambda v: lambda lib, dev: v)(value)))
    return out


def _tensor_maker(dt, shape):
    def make(lib, dev):
        values = np.full(shape, 1 if dt != "bool" else True).astype(dt)
        if lib == "torch":
            return torch.from_numpy(values.copy())
        return mg.tensor(values, device=dev)
    return make


OPERANDS = _operands()
PAIRS = [(a, b) for a, b in itertools.product(OPERANDS, OPERANDS) if "[" in a[0] or "[" in b[0]]


def _torch_ops():
    return {
        "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b, "pow": lambda a, b: a ** b,
        "maximum": torch.maximum, "matmul": torch.matmul, "cat": lambda a, b: torch.cat([a, b]),
        "where": lambda a, b: torch.where(torch.tensor([True, False, True]), a, b),
    }


def _mg_ops(dev):
    return {
        "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b, "pow": lambda a, b: a ** b,
        "maximum": mg.maximum, "matmul": mg.matmul, "cat": lambda a, b: mg.cat([a, b]),
        "where": lambda a, b: mg.where(mg.tensor([True, False, True], device=dev), a, b),
    }


def _tensor_only(op, a, b):
    """maximum and matmul take tensors only (in PyTorch too); matmul needs axes."""
    if op == "maximum":
        return "[" in a[0] and "[" in b[0]
    if op in ("matmul", "cat"):
        return a[0].endswith("[1d]") and b[0].endswith("[1d]")
    return True


def _outcome(fn, a, b):
    try:
        return str(fn(a, b).dtype).replace("torch.", "")
    except (RuntimeError, TypeError, ValueError, NotImplementedError) as e:
        return f"raises {type(e).__name__}"


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow", "maximum", "where", "matmul", "cat"])
def test_result_dtypes_match_pytorch(op, device):
    tops, mops = _torch_ops(), _mg_ops(device)
    wrong, checked = [], 0
    for a, b in PAIRS:
        if not _tensor_only(op, a, b):
            continue
        ta, tb = a[1]("torch", device), b[1]("torch", device)
        ma, mb = a[1]("mg", device), b[1]("mg", device)
        with np.errstate(all="ignore"):
            expected = _outcome(tops[op], ta, tb)
            got = _outcome(mops[op], ma, mb)
        if expected.startswith("raises") and got.startswith("raises"):
            checked += 1
            continue
        checked += 1
        if got != expected:
            wrong.append(f"{a[0]} {op} {b[0]}: torch {expected}, minigrad {got}")
    assert checked > 10
    assert not wrong, f"{len(wrong)} of {checked} pairs differ:\n" + "\n".join(wrong)


def test_result_type_and_promote_types_match_pytorch(device):
    wrong = []
    for a, b in PAIRS:
        ta, tb = a[1]("torch", device), b[1]("torch", device)
        if not isinstance(ta, torch.Tensor) and not isinstance(tb, torch.Tensor):
            continue
        if isinstance(ta, np.generic) or isinstance(tb, np.generic):
            continue  # torch.result_type takes Python numbers only; the ops above cover NumPy scalars
        expected = str(torch.result_type(ta, tb)).replace("torch.", "")
        got = mg.result_type(a[1]("mg", device), b[1]("mg", device))
        if got != expected:
            wrong.append(f"{a[0]}, {b[0]}: torch {expected}, minigrad {got}")
    for x, y in itertools.product(DTYPES + ("uint8", "int8", "int16", "float16"), repeat=2):
        expected = str(torch.promote_types(getattr(torch, x), getattr(torch, y))).replace("torch.", "")
        if mg.promote_types(x, y) != expected:
            wrong.append(f"promote_types({x}, {y}): torch {expected}, minigrad {mg.promote_types(x, y)}")
    assert not wrong, "\n".join(wrong)


def test_mixed_dtype_gradients_match_pytorch(device):
    """Values and gradients of float32 * float64-0d + int tensor: each gradient in its input's dtype."""
    x = np.array([0.5, -1.25, 2.0], dtype=np.float32)
    s = np.array(1.5, dtype=np.float64)
    k = np.array([1, 2, 3], dtype=np.int64)
    tx, ts = torch.tensor(x, requires_grad=True), torch.tensor(s, requires_grad=True)
    out_t = (tx * ts + torch.tensor(k)) ** 2
    out_t.sum().backward()
    mx, ms = mg.tensor(x, device=device, requires_grad=True), mg.tensor(s, device=device, requires_grad=True)
    out_m = (mx * ms + mg.tensor(k, device=device)) ** 2
    out_m.sum().backward()
    assert out_m.dtype == str(out_t.dtype).replace("torch.", "")
    np.testing.assert_allclose(out_m.numpy(), out_t.detach().numpy(), rtol=1e-6)
    assert mx.grad.dtype == "float32" and ms.grad.dtype == "float64"
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(ms.grad.numpy(), ts.grad.numpy(), rtol=1e-6)
