"""Error classes that are both minigrad's convention and what PyTorch raises for the same mistake.

minigrad reports bad arguments as ``ValueError``; PyTorch raises ``RuntimeError`` for shapes that do
not fit (broadcasting, matmul) and ``IndexError`` for a dimension out of range.  Each class here is
a subclass of both, so ``except ValueError`` and a ported ``except RuntimeError`` /
``except IndexError`` catch it alike.  The lowest floor of the core: it imports nothing.
"""
from __future__ import annotations

__all__ = ["ShapeError", "AxisError", "DTypeError"]


class ShapeError(ValueError, RuntimeError):
    """Operands whose shapes or arguments do not fit the op.  A ValueError (minigrad's convention)
    and a RuntimeError (what PyTorch raises for the same mistakes), so either ``except`` catches it."""


class AxisError(ValueError, IndexError):
    """An axis (PyTorch's ``dim``) out of range for the tensor.  A ValueError (minigrad's convention)
    and an IndexError (what PyTorch raises: "Dimension out of range"), so either ``except`` catches it."""


class DTypeError(TypeError, RuntimeError):
    """An op that does not take operands of these dtypes (``bool - bool``, as in PyTorch).  A
    TypeError (what NumPy raises) and a RuntimeError (what PyTorch raises), so either ``except`` catches it."""
