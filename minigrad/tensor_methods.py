"""Operators and methods of :class:`Tensor`, each forwarding to its op in ``minigrad.ops``.

The top floor of the core: :mod:`minigrad.tensor` defines the data side of a Tensor and
imports nothing above it; the methods that run an op or the engine are attached here, once
both exist (``minigrad/__init__`` imports this module first).
"""
from __future__ import annotations

from . import ops, tensor_api, tensor_queries
from .device import DeviceError
from .engine import backward as _engine_backward
from .function import check_broadcast
from .modes import STATE
from .ops import inplace
from .ops.elementwise import Clone
from .ops.shape import Permute, _describe_key, normalize_key
from .promotion import result_native
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
            raise DeviceError(f"{name}: tensors on {self._device} and {other._device}")
        a, b = self.array, other.array
        if a.dtype != b.dtype:  # compare in the promoted dtype (the Array API refuses mixed kinds)
            native = result_native((a, b), self._device.xp)
            a, b = self._device.xp.astype(a, native), self._device.xp.astype(b, native)
        try:
            out = op(a, b)
        except ValueError:
            check_broadcast(name, [self.shape, other.shape])
            raise
        return Tensor._make(out, self._device, False, None)

    compare.__name__ = "__" + name.split()[0] + "__"
    return compare


# ----- methods that run the engine or an op (they live here so tensor.py imports neither) -------
def backward(self, gradient=None, retain_graph=False, create_graph=False):
    """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf that requires grad.

    ``gradient`` is dL/d(self), needed unless ``self`` has one element.  The graph is
    freed afterwards unless ``retain_graph`` (or ``create_graph``) is True;
    ``create_graph=True`` records the backward pass so it can be differentiated again.
    """
    _engine_backward(self, gradient, retain_graph, create_graph)


def transposed(self):
    """The tensor with its axes reversed (the transpose of a matrix)."""
    if self.array.ndim == 2:
        return Permute.apply(self, axes=(1, 0))
    return self.permute(*range(self.ndim - 1, -1, -1))


def matrix_transposed(self):
    """The last two axes swapped (``transpose(-2, -1)``), PyTorch's ``Tensor.mT``."""
    return self.transpose(-2, -1)


def clone(self):
    """A copy of the data, differentiable (the gradient passes through unchanged)."""
    return Clone.apply(self)


def setitem(self, key, value):
    """``self[key] = value`` in place; bumps the version counter.  When ``self`` or ``value``
    requires grad (grad mode on) it is recorded: ``self`` is rebased onto a SetItem node, whose
    gradient is zero at ``key`` for the old values and ``g[key]`` (summed to its shape) for ``value``."""
    v = value
    if isinstance(value, Tensor):
        if value._device is not self._device:
            raise DeviceError(f"__setitem__: tensors on {self._device} and {value._device}; "
                              "move them with .to(device) first")
        v = value.array
    if STATE.grad and (self._rg or isinstance(value, Tensor) and value._rg):
        return _setitem_checked(self, key, value)
    if self._device.type == "strict" or not _is_basic_key(key):
        key = normalize_key(key, self)
    try:
        if self._device.type == "strict":
            self._device.setitem(self.array, key, v)
        else:
            self.array[key] = v
    except (IndexError, ValueError) as e:
        what = f"a tensor of shape {tuple(value.shape)}" if isinstance(value, Tensor) else type(value).__name__
        raise type(e)(f"__setitem__: cannot assign {what} to index {_describe_key(key)} of a tensor of "
                      f"shape {self.shape}: {e}") from None
    self._bump()


def _setitem_checked(self, key, value):
    """The recorded ``self[key] = value``, with the backend's index errors named as in ``setitem``."""
    try:
        inplace.setitem_in_graph(self, key, value)
    except (IndexError, ValueError) as e:
        what = f"a tensor of shape {tuple(value.shape)}" if isinstance(value, Tensor) else type(value).__name__
        raise type(e)(f"__setitem__: cannot assign {what} to index {_describe_key(key)} of a tensor of "
                      f"shape {self.shape}: {e}") from None


def _is_basic_key(key):
    return isinstance(key, (int, slice)) or (
        isinstance(key, tuple) and all(isinstance(k, (int, slice)) or k is None or k is Ellipsis for k in key))


def _install_core():
    T = Tensor
    T.backward, T.clone, T.__setitem__ = backward, clone, setitem
    T.T, T.mT = property(transposed), property(matrix_transposed)
    setitem.__name__ = "__setitem__"
    T._inplace_graph = inplace.inplace_in_graph  # the recorded path of add_, mul_, fill_, copy_ ...
    T.clamp_, T.relu_, T.normal_, T.uniform_ = inplace.clamp_, inplace.relu_, inplace.normal_, inplace.uniform_
    T.clip_ = inplace.clamp_


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
    T.any, T.all, T.argmax, T.argmin = tensor_queries.any, tensor_queries.all, tensor_queries.argmax, \
        tensor_queries.argmin

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


def _install_api():
    """Issue 14 §2 (api14): PyTorch's size/dtype/device methods and the new_* factories."""
    T = Tensor
    T.size, T.dim, T.ndimension, T.nelement = tensor_api.size, tensor_api.dim, tensor_api.dim, T.numel
    T.to, T.type, T.contiguous = tensor_api.to, tensor_api.type_, tensor_api.contiguous
    for name, method in tensor_api.DTYPE_METHODS.items():
        setattr(T, name, method)
    for name in ("new_zeros", "new_ones", "new_full", "new_empty", "new_tensor"):
        setattr(T, name, getattr(tensor_api, name))


_install_core()
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
    T.flip = _flip  # argmax/argmin (dim, keepdim): tensor_queries's, installed by _install
    T.repeat = ops.repeat
    T.moveaxis = ops.movedim


def _flip(self, *dims):
    """``x.flip(0, 1)`` or ``x.flip((0, 1))``: reverse the entries along those axes (see ``minigrad.flip``)."""
    return ops.flip(self, dims[0] if len(dims) == 1 else dims)


_install_shape_index()
_install_api()
Tensor.t, Tensor.select = ops.t, ops.select  # views14: views (minigrad/ops/views.py)
