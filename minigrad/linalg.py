"""``minigrad.linalg``: PyTorch's ``torch.linalg`` names.

Norms (minigrad/ops/norms.py): ``vector_norm``, ``matrix_norm``, ``norm``; gradients follow
PyTorch, including the subgradient 0 of a norm at the zero vector.  Inverse, solve and
determinant (minigrad/ops/linalg_ext.py): ``inv``, ``solve``, ``det``.
"""
from .ops.linalg_ext import det, inv, solve
from .ops.norms import linalg_norm as norm
from .ops.norms import matrix_norm, vector_norm

__all__ = ["norm", "matrix_norm", "vector_norm", "inv", "solve", "det"]
