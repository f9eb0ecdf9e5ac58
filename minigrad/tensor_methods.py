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
    T.neg = ops.neg
    T.add, T.sub, T.mul, T.div = ops.add, ops.sub, ops.mul, ops.div
    T.any = lambda self, axis=None: Tensor._make(self._device.xp.any(self.data, axis=axis), self._device, False, None)
    T.all = lambda self, axis=None: Tensor._make(self._device.xp.all(self.data, axis=axis), self._device, False, None)
    T.argmax = lambda self, axis=None, keepdims=False: Tensor._make(
        self._device.xp.argmax(self.data, axis=axis, keepdims=keepdims), self._device, False, None)
    T.argmin = lambda self, axis=None, keepdims=False: Tensor._make(
        self._device.xp.argmin(self.data, axis=axis, keepdims=keepdims), self._device, False, None)

    _install_products_and_operators(T)
    _install_math(T)


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
    T.__mod__, T.__rmod__ = ops.remainder, _reflect(ops.remainder)  # Python's and PyTorch's %: sign of the divisor


def _install_math(T):
    """Issue 14 (opsA): the elementwise math methods PyTorch's Tensor has, and clamp with tensor bounds."""
    for name in ("sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "asinh", "acosh", "atanh",
                 "log1p", "expm1", "log2", "log10", "exp2", "square", "rsqrt", "reciprocal", "sign", "erf", "erfc",
                 "floor", "ceil", "round", "trunc", "frac", "fmod", "remainder", "lerp", "logaddexp", "hypot",
                 "xlogy", "isnan", "isinf", "isfinite", "isclose", "allclose", "clamp", "clamp_min", "clamp_max"):
        setattr(T, name, getattr(ops, name))
    T.arcsin, T.arccos, T.arctan, T.arctan2 = ops.asin, ops.acos, ops.atan, ops.atan2
    T.arcsinh, T.arccosh, T.arctanh = ops.asinh, ops.acosh, ops.atanh


_install()
