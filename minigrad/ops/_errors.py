"""The error class of the products, linear-algebra, convolution and pooling ops."""
from __future__ import annotations

__all__ = ["ShapeError"]


class ShapeError(ValueError, RuntimeError):
    """Operands whose shapes or arguments do not fit the op.  A ValueError (minigrad's convention)
    and a RuntimeError (what PyTorch raises for the same mistakes), so either ``except`` catches it."""
