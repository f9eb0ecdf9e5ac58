"""PyTorch's refusal of mixed dtypes in products, convolutions and ``linalg.solve``.

Elementwise ops (``+``, ``where``, ``cat``, ``atan2`` ...) promote their operands to a common
dtype (:func:`minigrad.result_type`).  PyTorch's products do not: ``torch.matmul``, ``mm``,
``bmm``, ``mv``, ``dot``, ``inner``, ``tensordot``, ``einsum``, ``nn.functional.linear``
(``nn.Linear``), ``addmm``, ``baddbmm``, ``conv1d/2d``, ``conv_transpose2d`` and
``linalg.solve`` raise a ``RuntimeError`` ("expected m1 and m2 to have the same dtype, but got:
float != double") for float32 with float64 and for a float with an integer tensor.  minigrad
raises :class:`~minigrad.errors.DTypeError` (a ``TypeError`` and the ``RuntimeError`` PyTorch users
catch) naming the op, the operands and their dtypes, before anything is computed.  ``outer`` and
``kron`` promote in PyTorch, and here.

One exception, for :func:`minigrad.gradcheck` only: checking a model in one call
(``gradcheck(lambda: loss(model(X), y), model.parameters())``) switches the parameters to float64
while ``X`` stays float32; inside :func:`promoting_products` (which that check enters around each
evaluation) the products promote as the elementwise ops do, so the check runs in float64.
"""
from __future__ import annotations

import contextlib

from ..errors import DTypeError

__all__ = ["require_same_dtype", "promoting_products", "DTypeError"]

_PROMOTING = [0]  # depth of promoting_products() blocks (a gradcheck of a model in float64)


@contextlib.contextmanager
def promoting_products():
    """Within this block the products promote mixed float operands (float32 data meeting float64
    parameters) instead of refusing them; used by ``gradcheck`` of a function of no arguments."""
    _PROMOTING[0] += 1
    try:
        yield
    finally:
        _PROMOTING[0] -= 1


def require_same_dtype(op, **operands):
    """Raise :class:`DTypeError` unless every Tensor among ``operands`` (name=tensor; None is
    skipped) has the same dtype.  ``op`` and the names appear in the message."""
    named = [(name, t) for name, t in operands.items() if t is not None]
    first_name, first = named[0]
    for name, t in named[1:]:
        if t.dtype != first.dtype and not (_PROMOTING[0] and t.dtype.is_floating_point
                                            and first.dtype.is_floating_point):
            raise DTypeError(
                f"{op}: expected {first_name} and {name} to have the same dtype, got {first.dtype} and {t.dtype} "
                f"(shapes {tuple(first.shape)} and {tuple(t.shape)}); PyTorch does not promote here. Convert one "
                f"first, e.g. {name}.to({first_name}.dtype)")
