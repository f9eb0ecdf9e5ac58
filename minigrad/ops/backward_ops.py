"""``F``: the functions a built-in op's ``backward`` calls, on Tensors or on bare arrays.

A backward is written once, with operators (``g * b``, ``-g``) and ``F`` functions::

    def backward(self, g):
        (s,) = self.saved_tensors
        return s * (g - self.F.sum(g * s, axis=self.axis, keepdims=True))

With ``create_graph=True`` the engine hands it Tensors and ``F`` is :class:`TensorOps` (each
call records a node, so the backward can be differentiated again).  Otherwise it hands it the
arrays themselves and ``F`` is :class:`ArrayOps`, where each call is the op's own ``forward`` on
the arrays: the same maths, and no Tensor or graph node made per backward step.

The engine (:mod:`minigrad.engine`, the floor above the ops) picks one of them for each call
of a node's ``backward`` and hands it to the node, whose ``F`` reads it: ``TENSOR_OPS``, or
``array_ops(xp)`` for the node's array namespace.  A new helper is one method of :class:`_Ops` applying an op.
"""
from __future__ import annotations

import numpy as _np

from .activation import Softmax
from .elementwise import Cast, Exp, ToDevice, Where, to_device
from .linalg import MatMul, flagged_product
from .reductions import Sum
from .shape import BroadcastTo, GetItem, IndexAdd, Permute, Reshape, SumTo

__all__ = ["TensorOps", "ArrayOps", "TENSOR_OPS", "array_ops"]


class _Ops:
    """The named functions, each one op applied through ``self.apply``."""

    def reshape(self, x, shape):
        return x if tuple(shape) == tuple(x.shape) else self.apply(Reshape, x, shape=tuple(shape))

    def permute(self, x, axes):
        return self.apply(Permute, x, axes=tuple(axes))

    def broadcast_to(self, x, shape):
        return x if tuple(shape) == tuple(x.shape) else self.apply(BroadcastTo, x, shape=tuple(shape))

    def sum_to(self, x, shape):
        """Sum over the axes along which ``shape`` broadcasts to ``x.shape``."""
        return x if tuple(shape) == tuple(x.shape) else self.apply(SumTo, x, shape=tuple(shape))

    def sum(self, x, axis, keepdims=False):
        """Sum over ``axis`` (an int or a tuple of non-negative ints)."""
        return self.apply(Sum, x, axes=(axis,) if axis.__class__ is int else tuple(axis), keepdims=keepdims)

    def cast(self, x, dtype):
        """``x`` converted to the native ``dtype`` (the gradient flows back cast to x's dtype)."""
        return self.apply(Cast, x, dtype=dtype)

    def exp(self, x):
        return self.apply(Exp, x)

    def softmax(self, x, axis):
        return self.apply(Softmax, x, axis=axis)

    def where(self, condition, a, b):
        """``a`` where the bool array ``condition`` holds, else ``b``."""
        return self.apply(Where, condition, a, b)

    def matmul(self, a, b, ta=False, tb=False, tz=False):
        """op_z(op_a(a) @ op_b(b)), each op_x a transpose of the last two axes when its flag is set."""
        return self.apply(MatMul, a, b, ta=ta, tb=tb, tz=tz)

    def index_add(self, x, shape, key, device):
        """zeros(shape) with ``x`` added at ``key`` (repeated indices accumulate)."""
        return self.apply(IndexAdd, x, shape=shape, key=key, device=device)

    def getitem(self, x, key, device):
        return self.apply(GetItem, x, key=key, device=device)

    def to_device(self, x, device):
        """``x`` copied to ``device`` (a :class:`Device`)."""
        return self.apply(ToDevice, x, device=device)


class TensorOps(_Ops):
    """``F`` on Tensors: every call records a node (backward with ``create_graph=True``)."""

    def apply(self, op, *args, **params):
        return op.apply(*args, **params)

    def to_device(self, x, device):
        return to_device(x, device)  # labels the result with its new device

    @staticmethod
    def array_of(x):
        """The array behind ``x`` (for non-differentiable tests such as ``a > 0``)."""
        return x.array


class ArrayOps(_Ops):
    """``F`` on the arrays of one array namespace ``xp``: each call runs the op's forward."""

    def __init__(self, xp):
        self.xp = xp

    def apply(self, op, *args, **params):
        fn = op()
        fn.xp = self.xp
        out = fn.forward(*args, **params)
        if out.__class__ is not _np.ndarray and isinstance(out, _np.generic):
            out = _np.asarray(out)  # NumPy gives 0-d results as scalars
        return out

    @staticmethod
    def array_of(x):
        return x

    def matmul(self, a, b, ta=False, tb=False, tz=False):  # the hottest call of a backward: no op object
        return flagged_product(self.xp, a, b, ta, tb, tz)


#: ``F`` on Tensors (stateless: one instance serves every backward).
TENSOR_OPS = TensorOps()
_ARRAY_OPS = {}  # array namespace -> its ArrayOps


def array_ops(xp):
    """``F`` on the arrays of the namespace ``xp`` (one instance per namespace, cached)."""
    ops = _ARRAY_OPS.get(xp)
    if ops is None:
        ops = _ARRAY_OPS[xp] = ArrayOps(xp)
    return ops
