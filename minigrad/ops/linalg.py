"""Linear algebra: matrix multiplication.

``matmul`` follows NumPy: 1-D operands are promoted to a row (left) or column (right) vector
and the added axis is removed from the result; leading (batch) axes broadcast.
"""
from __future__ import annotations

from ..function import Function
from ..tensor import Tensor, as_constant_like
from .shape import reshape, transpose

__all__ = ["matmul"]


class MatMul(Function):
    """Z = A @ B for A (..., m, k), B (..., k, n);  dA = dZ @ B^T,  dB = A^T @ dZ
    (summed over broadcast batch axes by the Function base class).

    Each gradient is computed in the memory layout of its input: for ``x @ W.T`` the gradient
    of ``W.T`` is formed as ``(dZ^T @ x)^T``, so ``W.grad`` comes out C-contiguous like ``W``
    and the optimizer's update runs over contiguous memory.
    """

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return self.xp.matmul(a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        ga = gb = None
        if need_a:
            ga = transpose(matmul(b, transpose(g))) if _is_transposed(a.data) else matmul(g, transpose(b))
        if need_b:
            gb = transpose(matmul(transpose(g), a)) if _is_transposed(b.data) else matmul(transpose(a), g)
        return ga, gb


def _is_transposed(array):
    """True for a 2-D array laid out column-major (a transposed view of a row-major one)."""
    flags = getattr(array, "flags", None)
    return flags is not None and array.ndim == 2 and flags.f_contiguous and not flags.c_contiguous


def matmul(a, b):
    """Matrix product ``a @ b`` (1-D, 2-D and batched with broadcasting)."""
    if (a.__class__ is Tensor and b.__class__ is Tensor and a.data.ndim == 2 and b.data.ndim == 2
            and a.data.shape[1] == b.data.shape[0]):
        return MatMul.apply(a, b)
    if not isinstance(a, Tensor):
        a = as_constant_like(a, b, "matmul")
    if not isinstance(b, Tensor):
        b = as_constant_like(b, a, "matmul")
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: operands must have at least 1 dimension, got shapes {a.shape} and {b.shape}")
    va, vb = a.ndim == 1, b.ndim == 1
    if va:
        a = reshape(a, (1, a.shape[0]))
    if vb:
        b = reshape(b, (b.shape[0], 1))
    if a.shape[-1] != b.shape[-2]:
        raise ValueError(f"matmul: shapes {_orig(a, va)} and {_orig(b, vb, True)} do not align: "
                         f"{a.shape[-1]} != {b.shape[-2]}")
    ba, bb = a.shape[:-2], b.shape[:-2]
    for x, y in zip(ba[::-1], bb[::-1]):
        if x != y and x != 1 and y != 1:
            raise ValueError(f"matmul: batch shapes {ba} and {bb} do not broadcast")
    out = MatMul.apply(a, b)
    if va and vb:
        return reshape(out, ())
    if va:
        return reshape(out, out.shape[:-2] + out.shape[-1:])
    if vb:
        return reshape(out, out.shape[:-1])
    return out


def _orig(t, was_vector, column=False):
    if not was_vector:
        return t.shape
    return (t.shape[0],) if column else (t.shape[1],)
