"""Operators and methods of :class:`Tensor`, each forwarding to its op in ``minigrad.ops``."""
from __future__ import annotations

from . import ops
from .function import check_broadcast
from .tensor import Tensor, as_constant_like


def _reflect(fn):
    def reflected(self, other):
        return fn(other, self)

    return reflected


def _compare(name, op):
    def compare(self, other):
        """Elementwise comparison: a bool tensor, not differentiable."""
        if not isinstance(other, Tensor):
            other = as_constant_like(other, self, name)
        elif other._device is not self._device:
            from .device import DeviceError

            raise DeviceError(f"{name}: tensors on {self._device} and {other._device}")
        try:
            out = op(self.data, other.data)
        except ValueError:
            check_broadcast(name, [self.shape, other.shape])
            raise
        return Tensor._make(out, self._device, False, None)

    compare.__name__ = "__" + name.split()[0] + "__"
    return compare


def _install():
    T = Tensor
    T.__add__, T.__radd__ = ops.add, _reflect(ops.add)
    T.__sub__, T.__rsub__ = ops.sub, _reflect(ops.sub)
    T.__mul__, T.__rmul__ = ops.mul, _reflect(ops.mul)
    T.__truediv__, T.__rtruediv__ = ops.div, _reflect(ops.div)
    T.__pow__, T.__rpow__ = ops.pow, _reflect(ops.pow)
    T.__matmul__, T.__rmatmul__ = ops.matmul, _reflect(ops.matmul)
    T.__neg__ = ops.neg
    T.__pos__ = lambda self: self
    T.__abs__ = ops.abs
    T.__getitem__ = ops.getitem
    T.__eq__ = _compare("eq (==)", lambda a, b: a == b)
    T.__ne__ = _compare("ne (!=)", lambda a, b: a != b)
    T.__lt__ = _compare("lt (<)", lambda a, b: a < b)
    T.__le__ = _compare("le (<=)", lambda a, b: a <= b)
    T.__gt__ = _compare("gt (>)", lambda a, b: a > b)
    T.__ge__ = _compare("ge (>=)", lambda a, b: a >= b)
    T.__hash__ = object.__hash__
    for name in ("exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "leaky_relu", "sum", "mean", "var",
                 "std", "max", "min", "logsumexp", "softmax", "log_softmax", "reshape", "permute", "transpose",
                 "broadcast_to", "expand", "squeeze", "unsqueeze", "flatten", "matmul", "clip", "maximum",
                 "minimum", "pow", "split", "pad", "sum_to"):
        setattr(T, name, getattr(ops, name))
    T.view = ops.reshape
    T.clamp = ops.clip
    T.neg = ops.neg
    T.add, T.sub, T.mul, T.div = ops.add, ops.sub, ops.mul, ops.div
    T.any = lambda self, axis=None: Tensor._make(self._device.xp.any(self.data, axis=axis), self._device, False, None)
    T.all = lambda self, axis=None: Tensor._make(self._device.xp.all(self.data, axis=axis), self._device, False, None)
    T.argmax = lambda self, axis=None, keepdims=False: Tensor._make(
        self._device.xp.argmax(self.data, axis=axis, keepdims=keepdims), self._device, False, None)
    T.argmin = lambda self, axis=None, keepdims=False: Tensor._make(
        self._device.xp.argmin(self.data, axis=axis, keepdims=keepdims), self._device, False, None)

    _install_products_and_operators(T)


def _install_products_and_operators(T):
    """Products, linear algebra and the integer/bitwise operators (``//`` ``~`` ``&`` ``|`` ``^``
    ``<<`` ``>>``; ``%`` is the elementwise ops' ``remainder``)."""
    for name in ("outer", "dot", "mv", "bmm", "addmm", "baddbmm", "kron", "inverse", "det", "floor_divide",
                 "bitwise_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
                 "bitwise_right_shift"):
        setattr(T, name, getattr(ops, name))
    T.__floordiv__, T.__rfloordiv__ = ops.floor_divide, _reflect(ops.floor_divide)
    T.__invert__ = ops.bitwise_not
    T.__and__, T.__rand__ = ops.bitwise_and, _reflect(ops.bitwise_and)
    T.__or__, T.__ror__ = ops.bitwise_or, _reflect(ops.bitwise_or)
    T.__xor__, T.__rxor__ = ops.bitwise_xor, _reflect(ops.bitwise_xor)
    T.__lshift__, T.__rlshift__ = ops.bitwise_left_shift, _reflect(ops.bitwise_left_shift)
    T.__rshift__, T.__rrshift__ = ops.bitwise_right_shift, _reflect(ops.bitwise_right_shift)


_install()


def _install_shape_index():
    """PyTorch's methods for reductions, scans, ordering, layout and indexing (issue 14, opsB);
    each forwards to the function of the same name in ``minigrad.ops`` (PyTorch's signatures)."""
    T = Tensor
    for name in ("amax", "amin", "prod", "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "median", "mode",
                 "var", "std", "norm", "count_nonzero", "any", "all", "sort", "argsort", "topk", "kthvalue", "msort",
                 "roll", "repeat_interleave", "tile", "tril", "triu", "diag", "diagonal", "trace", "chunk", "unbind",
                 "narrow", "movedim", "swapaxes", "swapdims", "unflatten", "view", "view_as", "expand_as", "gather",
                 "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add", "index_copy",
                 "take_along_dim", "masked_fill", "masked_select", "masked_scatter", "nonzero", "max", "min", "pad"):
        setattr(T, name, getattr(ops, name))
    T.flip, T.argmax, T.argmin = _flip, _argmax, _argmin
    T.repeat = ops.repeat
    T.moveaxis = ops.movedim


def _flip(self, *dims):
    """``x.flip(0, 1)`` or ``x.flip((0, 1))``: reverse the entries along those axes (see ``minigrad.flip``)."""
    return ops.flip(self, dims[0] if len(dims) == 1 else dims)


def _argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=False):
    """int64 position of the first maximum over ``dim`` (None: of the flattened tensor); no gradient."""
    return _arg_extreme(self, "argmax", dim if axis is None else axis, keepdim or keepdims)


def _argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=False):
    """int64 position of the first minimum over ``dim`` (None: of the flattened tensor); no gradient."""
    return _arg_extreme(self, "argmin", dim if axis is None else axis, keepdim or keepdims)


def _arg_extreme(t, op, dim, keepdim):
    """argmax/argmin: int64 position of the first extreme value over ``dim`` (None: flattened)."""
    xp = t._device.xp
    if dim is None:
        out = getattr(xp, op)(xp.reshape(t.data, (-1,)))
        if keepdim:
            out = xp.reshape(out, (1,) * t.ndim)
    else:
        from .ops.shape import _normalize_axis

        d = _normalize_axis(dim, max(t.ndim, 1), op)
        data = t.data if t.ndim else xp.reshape(t.data, (1,))
        out = getattr(xp, op)(data, axis=d, keepdims=bool(keepdim) and t.ndim > 0)
    return Tensor._make(xp.astype(xp.asarray(out), xp.int64), t._device, False, None)


_install_shape_index()
