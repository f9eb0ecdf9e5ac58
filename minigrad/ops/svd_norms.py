"""Matrix norms from singular values: ``linalg.matrix_norm`` with ord = 'nuc', 2 and -2.

For A of shape (..., m, n) with singular values s_1 >= ... >= s_k >= 0, k = min(m, n), and the
thin SVD A = U diag(s) V^T:

* ord = 'nuc': ||A||_* = sum_i s_i;            d||A||_*/dA = U V^T;
* ord = 2:     ||A||_2 = s_1 (the largest);      d/dA = u_1 v_1^T;
* ord = -2:    s_k (the smallest);               d/dA = u_k v_k^T.

These are PyTorch's definitions (``torch.linalg.matrix_norm`` computes ``svdvals`` and then sums,
or takes ``amax`` / ``amin`` over them), with PyTorch's gradients:

* repeated singular values: the gradient of 2 / -2 is shared equally by the tied values (the
  ``amax`` / ``amin`` rule), so it is (1/t) sum over the t tied i of u_i v_i^T.  That sum does not
  depend on which singular vectors the SVD picked for the repeated value, so the gradient is
  well defined, and the same as PyTorch's; so is U V^T for 'nuc' when the repeated values are > 0;
* s_i = 0 (rank-deficient A, or m != n for -2): the norm is not differentiable there; the
  gradient is the one the computed SVD gives (a subgradient for 'nuc'), as in PyTorch, and is not
  unique -- check gradients away from it;
* the second derivative needs the derivative of U and V and is not provided: differentiating
  the gradient (``create_graph=True``) raises ``NotImplementedError``.

``svdvals`` is the op (one class, forward and backward); :func:`svd_matrix_norm` builds the norms.
"""
from __future__ import annotations

from ..function import Op
from .reductions import amax, amin, sum as _sum
from .shape import permute, reshape

__all__ = ["svdvals", "svd_matrix_norm"]


class SVDVals(Op):
    """s = the singular values of A (..., m, n) -> (..., k), descending;  dA = U diag(g) V^T."""

    def forward(self, a):
        u, s, vh = self.xp.linalg.svd(a, full_matrices=False)
        self.save_for_backward(u, vh)  # arrays, not inputs: constants of the backward
        return s

    def backward(self, g):
        if not self._raw:
            raise NotImplementedError(
                "svdvals (matrix_norm with ord 'nuc', 2 or -2): the second derivative is not provided (it needs "
                "the derivative of the singular vectors); compute the gradient without create_graph=True")
        u, vh = self.saved_tensors
        xp = self.xp
        return xp.matmul(u * xp.expand_dims(g, axis=-2), vh)


def svdvals(A):
    """The singular values of A (..., m, n), shape (..., min(m, n)), in descending order, as
    ``torch.linalg.svdvals``.  Gradient: U diag(g) V^T from the thin SVD (first order only; see
    the module docstring for repeated and zero singular values)."""
    if A.ndim < 2:
        raise RuntimeError(f"linalg.svdvals: needs at least 2 dimensions, got shape {tuple(A.shape)}")
    if not A.dtype.is_floating_point:
        raise TypeError(f"linalg.svdvals: expected a floating-point tensor, got {A.dtype}")
    return SVDVals.apply(A)


def svd_matrix_norm(A, ord, d0, d1, keepdim):
    """``matrix_norm(A, ord, (d0, d1), keepdim)`` for ord in {'nuc', 2, -2}; d0 != d1 are
    non-negative axes of A.  See the module docstring for the formulas and gradients."""
    if not A.dtype.is_floating_point:
        raise TypeError(f"linalg.matrix_norm: ord={ord!r} expects a floating-point tensor, got {A.dtype}")
    rest = tuple(i for i in range(A.ndim) if i not in (d0, d1))
    moved = permute(A, rest + (d0, d1))
    if 0 in moved.shape[-2:]:  # an empty matrix: no singular values, 'nuc' and 2 give 0 (as PyTorch)
        if ord == -2:
            raise IndexError(f"linalg.matrix_norm: ord=-2 of empty matrices (shape {tuple(A.shape)}, dim ({d0}, {d1})) "
                             "is the smallest of no singular values: undefined (PyTorch raises IndexError too)")
        out = _sum(moved, axis=(-2, -1))
    else:
        s = SVDVals.apply(moved)
        out = _sum(s, axis=-1) if ord == "nuc" else (amax if ord == 2 else amin)(s, -1)
    if keepdim:
        shape = list(out.shape)
        for d in sorted((d0, d1)):
            shape.insert(d, 1)
        out = reshape(out, tuple(shape))
    return out
