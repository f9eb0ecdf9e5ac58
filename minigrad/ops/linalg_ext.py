"""Matrix inverse, linear solve and determinant (PyTorch's ``torch.linalg.inv``, ``solve``, ``det``).

Square matrices in the last two axes, any leading (batch) axes.  Derivatives (matrix calculus,
G the upstream gradient, ^T the transpose of the last two axes):

    B = A^-1          dA = -B^T G B^T
    X = A^-1 Y        dY = A^-T G,   dA = -dY X^T
    d = det A         dA = g d A^-T            (A invertible; the adjugate formula is not used)

Each backward is written with matmul and these ops themselves, so second derivatives work.
Gradient checks use float64: the inverse of an ill-conditioned matrix amplifies rounding.
"""
from __future__ import annotations

from ..function import Op
from ..tensor import Tensor
from ._errors import ShapeError
from .dtype_rules import require_same_dtype
from .shape import reshape

__all__ = ["inv", "solve", "det", "LinAlgError"]


class LinAlgError(ValueError, RuntimeError):
    """A singular matrix where an inverse is needed (NumPy's LinAlgError is a ValueError,
    PyTorch's a RuntimeError: either ``except`` catches this)."""


def _apply(op, cls, *args):
    try:
        return cls.apply(*args)
    except Exception as e:
        if type(e).__name__ == "LinAlgError":  # the backend's (NumPy, CuPy, array-api-strict)
            shapes = " and ".join(str(tuple(a.shape)) for a in args)
            raise LinAlgError(f"{op}: the matrix is singular (input of shape {shapes}): {e}") from None
        raise


def _mT(F, x):
    nd = x.ndim
    return F.permute(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


class Inv(Op):
    """B = A^-1;  dA = -B^T G B^T"""

    def forward(self, a):
        out = self.xp.linalg.inv(a)
        self.save_for_backward(out)
        return out

    def backward(self, g):
        (b,) = self.saved_tensors
        F = self.F
        return -F.matmul(F.matmul(b, g, ta=True), b, tb=True)


class Solve(Op):
    """X = A^-1 Y for Y (..., n, k);  dY = A^-T G,  dA = -dY X^T"""

    def forward(self, a, y):
        out = self.xp.linalg.solve(a, y)
        self.save_for_backward(a, out)
        return out

    def backward(self, g):
        a, x = self.saved_tensors
        F = self.F
        gy = F.apply(Solve, _mT(F, a), g)
        ga = -F.matmul(gy, x, tb=True) if self.needs_input_grad[0] else None
        return ga, gy


class Det(Op):
    """d = det A;  dA = g d A^-T"""

    def forward(self, a):
        out = self.xp.linalg.det(a)
        self.save_for_backward(a, out)
        return out

    def backward(self, g):
        a, d = self.saved_tensors
        F = self.F
        scale = F.reshape(g * d, tuple(d.shape) + (1, 1))
        return scale * _mT(F, F.apply(Inv, a))


def _square(a, op, name="A"):
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor, got {type(a).__name__}")
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"{op}: {name} must be a batch of square matrices (..., n, n), got shape {a.shape}")
    if not a.dtype.is_floating_point:
        raise TypeError(f"{op}: {name} must be floating, got {a.dtype}")


def inv(A):
    """The inverse A^-1 of square matrices A (..., n, n), PyTorch's ``torch.linalg.inv`` /
    ``torch.inverse``.  dA = -A^-T G A^-T.  A singular matrix raises :class:`LinAlgError`."""
    _square(A, "inv")
    return _apply("inv", Inv, A)


def det(A):
    """The determinant of square matrices A (..., n, n) -> (...), PyTorch's ``torch.linalg.det``
    / ``torch.det``.  dA = g det(A) A^-T (needs A invertible)."""
    _square(A, "det")
    return Det.apply(A)


def solve(A, B):
    """X with A X = B, PyTorch's ``torch.linalg.solve(A, B)`` (left side only).

    A (..., n, n); B (..., n, k), or a vector (n,) / (..., n) when B.ndim == 1 or
    B.shape == A.shape[:-1] (PyTorch's rule), giving X of B's shape; batch axes broadcast.
    dB = A^-T G, dA = -dB X^T.
    """
    _square(A, "solve")
    if not isinstance(B, Tensor):
        raise TypeError(f"solve: B must be a Tensor, got {type(B).__name__}")
    require_same_dtype("linalg.solve", A=A, B=B)
    n = A.shape[-1]
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    if vector:
        if B.shape[-1] != n:
            raise ShapeError(f"solve: A of shape {A.shape} and B of shape {B.shape} do not fit: expected B (..., {n})")
        x = _apply("solve", Solve, A, reshape(B, B.shape + (1,)))
        return reshape(x, x.shape[:-1])
    if B.ndim < 2 or B.shape[-2] != n:
        raise ShapeError(f"solve: A of shape {A.shape} and B of shape {B.shape} do not fit: expected B (..., {n}, k)")
    return _apply("solve", Solve, A, B)
