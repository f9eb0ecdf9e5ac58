"""Linear algebra: matrix multiplication and the affine map of a layer.

``matmul`` follows NumPy: 1-D operands are promoted to a row (left) or column (right) vector
and the added axis is removed from the result; leading (batch) axes broadcast.  ``linear`` is
``x @ W.T + b`` as one op (one graph node, the bias added in place into the product).
"""
from __future__ import annotations

import math

from ..errors import DTypeError, ShapeError
from ..function import Op
from ..tensor import Tensor, as_constant_like
from .dtype_rules import require_same_dtype
from .shape import Permute, reshape

__all__ = ["matmul", "linear"]


class MatMul(Op):
    """Z = op_z(op_a(A) @ op_b(B)), op_x(X) = X or X^T (last two axes) as flags ``ta``, ``tb``,
    ``tz`` say; the public ``matmul`` uses no flags: Z = A @ B, A (..., m, k), B (..., k, n).
    Operands of different dtypes are promoted here; the public ``matmul`` and ``linear`` refuse them
    first, as PyTorch does (only ``gradcheck`` of a model lets them through, see ``ops.dtype_rules``).

    With G = op_z(dZ):  dA = op_a(G @ op_b(B)^T),  dB = op_b(op_a(A)^T @ G)  (batch axes summed
    by the Function base class).  Each is one MatMul with flags, so backward records no
    transposes, and each comes out in its input's memory layout (an input that is a transposed
    view, like ``W.T`` in ``x @ W.T``, gets a transposed-view gradient, so ``W.grad`` is
    C-contiguous like ``W`` and the optimizer's update runs over contiguous memory).
    """

    promotes = True

    def forward(self, a, b, ta=False, tb=False, tz=False):
        if a.dtype == self.xp.bool:  # (the operands have one dtype by now)
            raise DTypeError(f"matmul: not implemented for bool tensors (shapes {tuple(a.shape)} and "
                             f"{tuple(b.shape)}), as in PyTorch; convert first, e.g. .int() or .float()")
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


class Linear(Op):
    """Z = X W^T + b: the course's Z[l] = W[l] A[l-1] + b[l], with examples as rows.

    X (..., n_in), W (n_out, n_in), b (n_out,) or absent; Z (..., n_out).  With X and
    G = dZ seen as (m, n_in) and (m, n_out) matrices (m = examples, leading axes merged):

        dX = G W,   dW = G^T X,   db = sum over the m rows of G

    One node for the product and the bias (not a MatMul and an Add), and the bias is added
    in place into the product's fresh output, so no second (m, n_out) array is made.
    Inputs of different dtypes are promoted as ``matmul``'s.
    """

    promotes = True

    def forward(self, x, w, b=None):
        self.save_for_backward(x, w)
        xp = self.xp
        flat = x if x.ndim == 2 else xp.reshape(x, (math.prod(x.shape[:-1]), x.shape[-1]))
        z = xp.matmul(flat, w.mT)
        if b is not None:
            if b.dtype == z.dtype:
                z += b
            else:
                z = z + b
        return z if x.ndim == 2 else xp.reshape(z, x.shape[:-1] + w.shape[:1])

    def backward(self, g):
        x, w = self.saved_tensors
        F = self.F
        m, (n_out, n_in) = math.prod(x.shape[:-1]), w.shape
        g = F.reshape(g, (m, n_out))
        need = self.needs_input_grad
        gx = F.reshape(F.matmul(g, w), x.shape) if need[0] else None
        gw = F.matmul(g, F.reshape(x, (m, n_in)), ta=True) if need[1] else None
        if len(need) == 2:
            return gx, gw
        return gx, gw, F.sum(g, axis=0) if need[2] else None


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
    """Matrix product: ``mg.matmul(a, b)``, ``a.matmul(b)``, ``a @ b``.

    Z = A B over the last two axes: (n, k) @ (k, p) -> (n, p); leading (batch) axes broadcast;
    a 1-D ``a`` is a row (k,) and a 1-D ``b`` a column (k,), their axis dropped from the result
    (1-D @ 1-D is the 0-d dot product).  dZ/dA = G B^T, dZ/dB = A^T G, each summed back over
    broadcast batch axes.  Shapes that do not align raise ``ShapeError`` (a ValueError and the
    RuntimeError PyTorch raises) naming both; operands of different dtypes (float32 with float64,
    a float with an integer tensor) raise ``DTypeError`` (a RuntimeError), as PyTorch refuses them.
    As ``torch.matmul``.
    """
    if (a.__class__ is Tensor and b.__class__ is Tensor and a.array.ndim == 2 and b.array.ndim == 2
            and a.array.shape[1] == b.array.shape[0] and a.array.dtype == b.array.dtype):
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
        raise ShapeError(f"matmul: operands must have at least 1 dimension, got shapes {a.shape} and {b.shape}")
    va, vb = a.ndim == 1, b.ndim == 1
    if va:
        a = reshape(a, (1, a.shape[0]))
    if vb:
        b = reshape(b, (b.shape[0], 1))
    if a.shape[-1] != b.shape[-2]:
        raise ShapeError(f"matmul: shapes {_orig(a, va)} and {_orig(b, vb, True)} do not align: "
                         f"{a.shape[-1]} != {b.shape[-2]}")
    ba, bb = a.shape[:-2], b.shape[:-2]
    for x, y in zip(ba[::-1], bb[::-1]):
        if x != y and x != 1 and y != 1:
            raise ShapeError(f"matmul: batch shapes {ba} and {bb} do not broadcast")
    if a._device is b._device:  # (apply names a device mismatch first)
        require_same_dtype("matmul", input=a, other=b)
    out = MatMul.apply(a, b)
    if va and vb:
        return reshape(out, ())
    if va:
        return reshape(out, out.shape[:-2] + out.shape[-1:])
    if vb:
        return reshape(out, out.shape[:-1])
    return out


def linear(x, weight, bias=None):
    """``x @ weight.T + bias`` as one op: the course's Z[l] = W[l] A[l-1] + b[l], rows as examples.

    Parameters
    ----------
    x : Tensor, shape (m, n_in) or (..., n_in)
    weight : Tensor, shape (n_out, n_in) -- the course's W[l], (n[l], n[l-1])
    bias : Tensor, shape (n_out,), optional

    Returns
    -------
    Tensor, shape (..., n_out)

    x, weight and bias must have one dtype (``DTypeError``, a RuntimeError, otherwise), as
    ``torch.nn.functional.linear``: float32 input with float64 weights is refused, not promoted.

    Examples
    --------
    >>> import minigrad as mg
    >>> linear(mg.ones(2, 3), mg.ones(4, 3), mg.zeros(4)).shape
    (2, 4)
    """
    if not (isinstance(x, Tensor) and isinstance(weight, Tensor)):
        x, weight = _as_tensors_like(x, weight, bias)
    if weight.ndim != 2:
        raise ShapeError(f"linear: weight must be 2-D (out_features, in_features), got shape {weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ShapeError(f"linear: input of shape {x.shape} does not fit weight of shape {weight.shape}: "
                         f"expected last dimension {weight.shape[1]} (in_features)")
    if bias is not None and not isinstance(bias, Tensor):
        bias = as_constant_like(bias, weight, "linear")
    if x.array.dtype != weight.array.dtype or bias is not None and bias.array.dtype != weight.array.dtype:
        require_same_dtype("linear", input=x, weight=weight, bias=bias)
    if bias is None:
        return Linear.apply(x, weight)
    if bias.shape != weight.shape[:1]:
        raise ShapeError(f"linear: bias of shape {bias.shape} does not fit weight of shape {weight.shape}: "
                         f"expected ({weight.shape[0]},)")
    return Linear.apply(x, weight, bias)


def _as_tensors_like(x, weight, bias):
    like = next((t for t in (x, weight, bias) if isinstance(t, Tensor)), None)
    if like is None:
        raise TypeError(f"linear: needs at least one Tensor, got {type(x).__name__} and {type(weight).__name__}")
    return (t if isinstance(t, Tensor) else as_constant_like(t, like, "linear") for t in (x, weight))


def _is_recorded_transpose(t):
    """Whether ``t`` is ``u.T`` for a 2-D ``u``, recorded in the graph and not asked to keep its
    own gradient (``retain_grad``): the product can then read ``u`` transposed in place."""
    node = t._node
    return node is not None and node.__class__ is Permute and node.axes == (1, 0) and node._retained is None


def _orig(t, was_vector, column=False):
    if not was_vector:
        return t.shape
    return (t.shape[0],) if column else (t.shape[1],)
