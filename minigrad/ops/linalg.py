"""Linear algebra: matrix multiplication.

``matmul`` follows NumPy: 1-D operands are promoted to a row (left) or column (right) vector
and the added axis is removed from the result; leading (batch) axes broadcast.
"""
from __future__ import annotations

from ..function import Op
from ..tensor import Tensor, as_constant_like
from .shape import Permute, reshape

__all__ = ["matmul"]


class MatMul(Op):
    """Z = op_z(op_a(A) @ op_b(B)), op_x(X) = X or X^T (last two axes) as flags ``ta``, ``tb``,
    ``tz`` say; the public ``matmul`` uses no flags: Z = A @ B, A (..., m, k), B (..., k, n).

    With G = op_z(dZ):  dA = op_a(G @ op_b(B)^T),  dB = op_b(op_a(A)^T @ G)  (batch axes summed
    by the Function base class).  Each is one MatMul with flags, so backward records no
    transposes, and each comes out in its input's memory layout (an input that is a transposed
    view, like ``W.T`` in ``x @ W.T``, gets a transposed-view gradient, so ``W.grad`` is
    C-contiguous like ``W`` and the optimizer's update runs over contiguous memory).
    """

    def forward(self, a, b, ta=False, tb=False, tz=False):
        self.flags = (ta, tb, tz)
        self.save_for_backward(a, b)
        return flagged_product(self.xp, a, b, ta, tb, tz)

    def backward(self, g):
        a, b = self.saved_tensors
        ta, tb, tz = self.flags
        need_a, need_b = self.needs_input_grad
        F = self.F
        ga = _product(F, g, tz, b, not tb, ta, _is_transposed(F.array_of(a))) if need_a else None
        gb = _product(F, a, not ta, g, tz, tb, _is_transposed(F.array_of(b))) if need_b else None
        return ga, gb


def flagged_product(xp, a, b, ta, tb, tz):
    """op_z(op_a(a) @ op_b(b)) on arrays (.mT: the standard's transpose of the last two axes)."""
    z = xp.matmul(a.mT if ta else a, b.mT if tb else b)
    return z.mT if tz else z


def _product(F, x, tx, y, ty, tz, transposed_layout):
    """op_z(op_x(x) @ op_y(y)) as one MatMul, in transposed (column-major) layout if asked.

    (P Q)^T = Q^T P^T, so the same product can be formed with the operands swapped and every
    flag flipped; the form whose output flag matches the wanted layout is chosen.
    """
    if tz != transposed_layout:
        x, tx, y, ty, tz = y, not ty, x, not tx, not tz
    return F.matmul(x, y, ta=tx, tb=ty, tz=tz)


def _is_transposed(array):
    """True for a 2-D array laid out column-major (a transposed view of a row-major one)."""
    flags = getattr(array, "flags", None)
    return flags is not None and array.ndim == 2 and flags.f_contiguous and not flags.c_contiguous


def matmul(a, b):
    """Matrix product ``a @ b`` (1-D, 2-D and batched with broadcasting)."""
    if (a.__class__ is Tensor and b.__class__ is Tensor and a.data.ndim == 2 and b.data.ndim == 2
            and a.data.shape[1] == b.data.shape[0]):
        ta = _is_recorded_transpose(a)
        tb = _is_recorded_transpose(b)
        if ta or tb:  # x @ W.T: one MatMul of W with a flag, not a transpose node and a MatMul
            return MatMul.apply(a._node.inputs[0] if ta else a, b._node.inputs[0] if tb else b, ta=ta, tb=tb)
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


def _is_recorded_transpose(t):
    """Whether ``t`` is ``u.T`` for a 2-D ``u``, recorded in the graph and not asked to keep its
    own gradient (``retain_grad``): the product can then read ``u`` transposed in place."""
    node = t._node
    return node is not None and node.__class__ is Permute and node.axes == (1, 0) and node._retained is None


def _orig(t, was_vector, column=False):
    if not was_vector:
        return t.shape
    return (t.shape[0],) if column else (t.shape[1],)
