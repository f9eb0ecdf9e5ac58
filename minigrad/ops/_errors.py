"""The error class of the products, linear-algebra, convolution and pooling ops (defined in
:mod:`minigrad.errors`, below the node contract, so that broadcasting checks raise it too)."""
from __future__ import annotations

from ..errors import ShapeError

__all__ = ["ShapeError"]
