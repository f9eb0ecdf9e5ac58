"""The ``Tensor``: an array on a device, plus what reverse-mode autodiff needs.

A tensor holds ``array`` (an array of its device's namespace, a bare slot; ``data`` is PyTorch's:
a detached Tensor over that array), its device, dtype, a version counter (bumped by every
in-place change), ``requires_grad``, ``grad`` (a Tensor or None) and, when an op made it with
grad recording on, the node (``grad_fn``) that computes its inputs' gradients.

This is the lowest floor of the core: it imports only the device, dtype and mode modules,
never the node contract (:mod:`minigrad.function`), the ops or the engine.  The operators and
the methods that run an op or the backward pass (``+``, ``exp``, ``backward``, ``clone``,
``to``, ``T``, ``__setitem__`` ...) are attached from above by :mod:`minigrad.tensor_methods`,
once the ops exist.
"""
from __future__ import annotations

import weakref

import numpy as np
from numpy import generic as _np_scalar

from . import dtypes
from .device import Device, DeviceError, device as _get_device, device_of_array, get_default_device
from .errors import ShapeError
from .modes import STATE

__all__ = ["Tensor", "as_constant_like"]


class Tensor:
    """A multi-dimensional array that can record the ops applied to it for backward.

    Parameters
    ----------
    data : array-like, Tensor or array of any supported library
        The values.  Python floats become the default float dtype (float32).
    requires_grad : bool
        Whether gradients with respect to this tensor are computed; only floating tensors
        may require grad.
    dtype : DType, str or native dtype, optional
    device : str or Device, optional
        'cpu' (NumPy), 'cuda[:N]' (CuPy), 'strict[:N]' (array-api-strict). Arrays keep their
        own device when none is given; everything else goes to the default device.

    Notes
    -----
    ``t.data`` is PyTorch's: a Tensor sharing ``t``'s array, with ``requires_grad=False`` and its own
    version counter, so ``p.data.normal_(0, 0.02)``, ``p.data.copy_(src)``, ``p.data[...] = v``
    and ``p.data = other`` (new shape, dtype or device) work as in PyTorch (see :attr:`data`).  It
    is not the raw backend array: that is ``t.array`` (the slot itself, no copy: what the engine
    and the optimizer kernels read; writing it is a bare assignment, no checks, no version bump),
    ``np.asarray(t)`` / :meth:`numpy` give a host copy, and :meth:`wrap` / :meth:`set_data_` hand
    an array to a tensor (call :meth:`bump_version` after writing into ``t.array`` in place).

    Examples
    --------
    >>> import minigrad as mg
    >>> x = mg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4., 6.], dtype=float32, device='cpu')
    """

    __slots__ = ("array", "_device", "_rg", "grad", "_node", "_vc", "__weakref__")
    __array_ufunc__ = None  # make NumPy defer to our reflected operators (array + tensor)

    def __init__(self, data, requires_grad=False, dtype=None, device=None):
        arr, dev = _to_array(data, dtype, device)
        self.array = arr
        self._device = dev
        self._rg = False
        self.grad = None
        self._node = None
        self._vc = [0]
        if requires_grad:
            self.requires_grad = True

    @staticmethod
    def wrap(array, *, device, requires_grad=False):
        """A leaf Tensor around ``array`` itself (no copy, no dtype change, no checks).

        For code above the core (optimizers, modules, loaders) that already holds an array of
        ``device``'s namespace -- a state buffer, a new parameter value -- and wants it as a
        Tensor without the conversions of ``Tensor(data)``.  ``device`` is a :class:`Device`
        (or a name such as ``'cpu'``); ``requires_grad=True`` makes it a leaf that requires
        grad (floating arrays only).

        >>> import numpy as np, minigrad as mg
        >>> a = np.zeros(3, dtype=np.float32)
        >>> t = mg.Tensor.wrap(a, device="cpu")
        >>> a[0] = 5.0  # the same memory, no copy: the tensor sees the change
        >>> t
        tensor([5., 0., 0.], dtype=float32, device='cpu')
        """
        dev = device if device.__class__ is Device else _get_device(device)
        t = Tensor._make(array, dev, False, None)
        if requires_grad:
            t.requires_grad = True
        return t

    @staticmethod
    def _make(data, dev, rg, node):
        t = object.__new__(Tensor)
        t.array = data
        t._device = dev
        t._rg = rg
        t.grad = None
        t._node = node
        t._vc = [0]
        return t

    # ----- attributes ------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        """Whether gradients with respect to this tensor are computed (settable on leaves)."""
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value):
        value = bool(value)
        if value and not dtypes.is_floating(self.array.dtype):
            raise TypeError(
                f"requires_grad: only floating-point tensors can require grad, this one is "
                f"{self.dtype} with shape {tuple(self.shape)}; convert it with .to(dtype=minigrad.float32)")
        if not value and self._node is not None:
            raise RuntimeError("requires_grad: cannot turn it off on a non-leaf tensor; use detach()")
        self._rg = value

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place (floating tensors only) and return ``self``."""
        self.requires_grad = requires_grad
        return self

    @property
    def data(self):
        """PyTorch's ``Tensor.data``: a new Tensor over the same array (no copy), cut off the graph.

        Same device, dtype and shape as ``self``; ``requires_grad`` False, no ``grad_fn``, and its
        own version counter starting at 0 (unlike :meth:`detach`, which shares ``self``'s).  So an
        in-place change through it (``p.data.normal_(0, 0.02)``, ``p.data.mul_(0.5)``,
        ``p.data[0] = 1``) changes ``self``'s values, is not recorded, is allowed on a leaf that
        requires grad, and is invisible to autograd's check of saved tensors: a later backward runs
        with the new values, as in PyTorch.  (``detach()`` then ``mul_`` makes that backward raise.)

        Setting ``t.data = source`` makes ``t`` hold ``source``'s array (shape, dtype and device may
        all change), keeping ``t``'s identity, ``requires_grad``, ``grad`` and version counter (not
        bumped, as PyTorch's ``set_data``: a graph recorded before runs backward with the new values
        of saved inputs).  ``source`` is a Tensor, or (minigrad's extension) an array of ``t``'s
        device; an array of another device is a :class:`~minigrad.device.DeviceError`.  A tensor that
        requires grad refuses a non-floating ``source`` (RuntimeError, as PyTorch).  Code that needs
        the raw backend array uses ``t.array`` (no copy), ``np.asarray(t)`` (a host copy) or :meth:`wrap`.

        >>> import minigrad as mg
        >>> w = mg.Tensor([1.0, 2.0], requires_grad=True)
        >>> w.data.mul_(10)
        tensor([10., 20.], dtype=float32, device='cpu')
        >>> w
        tensor([10., 20.], dtype=float32, device='cpu', requires_grad=True)
        >>> w.data = mg.Tensor([[0.5]], dtype="float64")
        >>> w.shape, w.dtype, w.requires_grad
        ((1, 1), minigrad.float64, True)
        """
        return Tensor._make(self.array, self._device, False, None)

    @data.setter
    def data(self, source):
        if isinstance(source, Tensor):
            arr, dev = source.array, source._device
        else:
            arr, dev = source, _array_device("Tensor.data", self, source)
        _check_storage("Tensor.data", self, arr, dev)
        self.array, self._device = arr, dev

    @property
    def shape(self):
        """The size of each axis, a tuple of ints (the same as ``x.size()``, PyTorch's)."""
        return tuple(self.array.shape)

    @property
    def ndim(self):
        """The number of axes (0 for a scalar tensor)."""
        return self.array.ndim

    def numel(self):
        """The number of elements, an int (PyTorch's ``numel()``)."""
        return int(self.array.size)

    @property
    def dtype(self):
        """The element type as a minigrad dtype (``float32``, ``int64``, ``bool`` ...)."""
        return dtypes.name_of(self.array.dtype)

    @property
    def device(self) -> Device:
        """The :class:`Device` holding the data (``cpu``, ``cuda:N``, ``strict:N``)."""
        return self._device

    @property
    def _version(self):
        """How many in-place changes the data has seen (PyTorch's ``Tensor._version``)."""
        return self._vc[0]

    @property
    def grad_fn(self):
        """The node (a :class:`Function`) that made this tensor, or None for a leaf."""
        return self._node

    @property
    def is_leaf(self):
        """True for a tensor no recorded op made (created by the user, or detached)."""
        return self._node is None

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

    # ----- autograd -------------------------------------------------------------------
    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if self._node is not None:
            self._node._retained = weakref.ref(self)
        return self

    def detach(self):
        """The same data (shared, no copy) cut off from the graph."""
        t = Tensor._make(self.array, self._device, False, None)
        t._vc = self._vc
        return t

    def __deepcopy__(self, memo):
        """A copy of a leaf tensor: its data (and grad) copied, same device, dtype and requires_grad."""
        if self._node is not None:
            raise RuntimeError("deepcopy: only leaf tensors (created by the user, not by an op) can be "
                               "deep-copied; use detach().clone() for a copy of a result")
        t = Tensor._make(self._device.xp.asarray(self.array, copy=True), self._device, self._rg, None)
        if self.grad is not None:
            t.grad = self.grad.__deepcopy__(memo)
        memo[id(self)] = t
        return t

    def detach_(self):
        """Cut this tensor off the graph in place (it becomes a leaf that needs no grad)."""
        self._node = None
        self._rg = False
        return self

    def zero_grad(self):
        """Forget the accumulated gradient (``grad = None``)."""
        self.grad = None

    # ----- conversion -----------------------------------------------------------------
    def item(self):
        """The single value as a Python number; more than one element raises
        :class:`~minigrad.errors.ShapeError` (a ValueError and PyTorch's RuntimeError)."""
        if self.array.size != 1:
            raise ShapeError(f"item: only one-element tensors can be converted, this one has shape {self.shape}")
        return self._device.to_numpy(self.array).reshape(()).item()

    def tolist(self):
        """The values as nested Python lists (a number for a 0-d tensor)."""
        return self.numpy().tolist()

    def numpy(self):
        """A NumPy copy of the data on the host (use ``detach()`` first is not needed)."""
        return self._device.to_numpy(self.array)

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        return a if dtype is None else a.astype(dtype, copy=False)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.array.size != 1:
            raise ShapeError(f"the truth value of a tensor with shape {self.shape} is ambiguous; use .any() or .all()")
        return bool(self.item())

    def __index__(self):
        if dtypes.is_floating(self.array.dtype) or self.array.size != 1:
            raise TypeError("only integer tensors of one element can be used as an index")
        return int(self.item())

    def cpu(self):
        """This tensor on the CPU (``to("cpu")``; ``self`` if it is there already)."""
        return self.to("cpu")

    def cuda(self, index=None):
        """This tensor on GPU ``index`` (``to("cuda[:index]")``), differentiable."""
        return self.to("cuda" if index is None else f"cuda:{index}")

    def float(self):
        """This tensor as float32 (``to(dtype=float32)``), differentiable."""
        return self.to(dtype=dtypes.float32)

    def double(self):
        """This tensor as float64 (``to(dtype=float64)``), differentiable."""
        return self.to(dtype=dtypes.float64)

    def astype(self, dtype):
        """This tensor converted to ``dtype`` (NumPy's name for ``to(dtype=...)``), differentiable."""
        return self.to(dtype=dtype)

    def __dlpack__(self, *args, **kwargs):
        return self.array.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self.array.__dlpack_device__()

    # ----- printing ----------------------------------------------------------------------
    def __repr__(self):
        body = np.array2string(self.numpy(), separator=", ", prefix="tensor(", precision=4)
        extra = [f"dtype={self.dtype}", f"device='{self._device}'"]
        if self._node is not None:
            extra.append(f"grad_fn=<{self._node.name}>")
        elif self._rg:
            extra.append("requires_grad=True")
        return f"tensor({body}, {', '.join(extra)})"

    # ----- in-place updates ----------------------------------------------------------------
    # Outside the graph (grad mode off, or neither the tensor nor the operand requires grad) each
    # is a bare in-place array update plus a version bump: the optimizers' fast path.  In the
    # graph they are recorded (the tensor's history is rebased onto the op) by
    # ``_inplace_graph``, which minigrad.tensor_methods attaches (minigrad/ops/inplace.py).
    def _bump(self):
        self._vc[0] += 1

    def _operand(self, op, other):
        """``other`` as something the in-place array operators accept, checked."""
        if isinstance(other, Tensor):
            if other._device is not self._device:
                raise DeviceError(f"{op}: tensors on {self._device} and {other._device}; "
                                  "move them with .to(device) first")
            other = other.array
        elif not isinstance(other, (int, float, bool)):
            other = self._device.asarray(other)
        elif other.__class__ is float and not dtypes.is_floating(self.array.dtype):
            raise _inplace_dtype_error(op, "float", self)
        if not isinstance(other, (int, float, bool)):
            if other.dtype != self.array.dtype:
                if dtypes.is_floating(other.dtype) and not dtypes.is_floating(self.array.dtype):
                    raise _inplace_dtype_error(op, dtypes.name_of(other.dtype), self)
                other = self._device.xp.astype(other, self.array.dtype)
            if other.shape != self.array.shape and _broadcast_shape(other.shape, self.array.shape) != self.array.shape:
                raise ValueError(f"{op}: operand of shape {tuple(other.shape)} does not broadcast to the "
                                 f"tensor's shape {self.shape}")
        return other

    def add_(self, other, alpha=1):
        """self += alpha * other, in place (recorded in the graph when self or other requires grad)."""
        o = self._operand("add_", other)
        if STATE.grad and (self._rg or isinstance(other, Tensor) and other._rg):
            return self._inplace_graph("add_", other, alpha)
        self.array += o if alpha == 1 else o * alpha
        self._vc[0] += 1
        return self

    def sub_(self, other, alpha=1):
        """self -= alpha * other, in place (recorded in the graph when self or other requires grad)."""
        o = self._operand("sub_", other)
        if STATE.grad and (self._rg or isinstance(other, Tensor) and other._rg):
            return self._inplace_graph("sub_", other, alpha)
        self.array -= o if alpha == 1 else o * alpha
        self._vc[0] += 1
        return self

    def mul_(self, other):
        """self *= other, in place (recorded in the graph when self or other requires grad)."""
        o = self._operand("mul_", other)
        if STATE.grad and (self._rg or isinstance(other, Tensor) and other._rg):
            return self._inplace_graph("mul_", other)
        self.array *= o
        self._vc[0] += 1
        return self

    def div_(self, other):
        """self /= other, in place (true division; recorded in the graph when self or other requires grad)."""
        if not dtypes.is_floating(self.array.dtype):
            raise _inplace_dtype_error("div_", "float (a quotient)", self)
        o = self._operand("div_", other)
        if STATE.grad and (self._rg or isinstance(other, Tensor) and other._rg):
            return self._inplace_graph("div_", other)
        self.array /= o
        self._vc[0] += 1
        return self

    def pow_(self, exponent):
        """self = self ** exponent, in place (``pow``'s gradient rules; recorded in the graph when
        self or exponent requires grad)."""
        o = self._operand("pow_", exponent)
        if STATE.grad and (self._rg or isinstance(exponent, Tensor) and exponent._rg):
            return self._inplace_graph("pow_", exponent)
        self.array **= o
        self._vc[0] += 1
        return self

    def copy_(self, src):
        """Overwrite the values with ``src`` (broadcast to this shape, cast to this dtype), in place.
        In the graph the old values get a zero gradient and ``src`` the gradient (summed to its shape)."""
        o = self._operand("copy_", src)
        if STATE.grad and (self._rg or isinstance(src, Tensor) and src._rg):
            return self._inplace_graph("copy_", src)
        self.array[...] = o
        self._vc[0] += 1
        return self

    def fill_(self, value):
        """Set every element to ``value`` (a number or a 0-d tensor), in place.  In the graph the
        old values get a zero gradient (and a 0-d ``value`` requiring grad the summed gradient)."""
        if isinstance(value, Tensor):
            if value.ndim != 0:
                raise ValueError(f"fill_: expected a number or a 0-d tensor, got a tensor of shape {value.shape}")
            o = self._operand("fill_", value)
        else:
            o = value
        if STATE.grad and (self._rg or isinstance(value, Tensor) and value._rg):
            return self._inplace_graph("fill_", value)
        self.array[...] = o
        self._vc[0] += 1
        return self

    def zero_(self):
        """Set every element to 0, in place (``fill_(0)``)."""
        return self.fill_(0)

    def set_data_(self, source):
        """Make this tensor hold ``source``'s array (a Tensor, any device and dtype), keeping its
        own identity, ``requires_grad`` and ``grad``, like ``t.data = source`` (see :attr:`data`),
        but stricter: the version counter is bumped, so a graph that saved the old values refuses
        backward instead of running with the new ones.  A tensor that requires grad refuses a
        non-floating ``source``.  ``Module.to`` uses it so that an optimizer holding a parameter
        keeps seeing it."""
        if not isinstance(source, Tensor):
            raise TypeError(f"set_data_: expected a Tensor, got {type(source).__name__}")
        _check_storage("set_data_", self, source.array, source._device)
        self.array = source.array
        self._device = source._device
        self._vc[0] += 1
        return self

    def bump_version(self):
        """Tell the autograd engine that the array was modified in place outside Tensor ops
        (e.g. an optimizer kernel writing into the array with ``out=``)."""
        self._vc[0] += 1

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_
    __ipow__ = pow_


def _array_device(op, t, arr):
    """The Device of ``arr`` (an array offered as ``t``'s new storage), which must be ``t``'s."""
    try:
        dev = device_of_array(arr)
    except TypeError:
        raise TypeError(f"{op}: expected a Tensor or an array of the tensor's device ({t._device}), "
                        f"got {type(arr).__name__}") from None
    if dev is not t._device:
        raise DeviceError(f"{op}: an array on {dev} (shape {tuple(arr.shape)}) cannot become the storage of a "
                          f"tensor on {t._device} (shape {t.shape}); assign a Tensor (e.g. Tensor(array)) "
                          "to move it across devices")
    try:
        dtypes.name_of(arr.dtype)
    except TypeError as e:
        raise TypeError(f"{op}: an array of shape {tuple(arr.shape)} cannot become a tensor's storage: {e}") from None
    return dev


def _check_storage(op, t, arr, dev):
    """Refuse a non-floating new storage for a tensor that requires grad (PyTorch's check)."""
    if t._rg and not dtypes.is_floating(arr.dtype):
        raise RuntimeError(f"{op}: a tensor that requires grad must hold floating-point data, got "
                           f"{dtypes.name_of(arr.dtype)} of shape {tuple(arr.shape)} on {dev}")


def _inplace_dtype_error(op, given, t):
    return TypeError(f"{op}: a {given} result cannot be written into a {t.dtype} tensor in place; "
                     "use the out-of-place op, or convert first with .to(dtype=...)")


def _broadcast_shape(a, b):
    """The broadcast shape of shapes ``a`` and ``b``, or None if they do not broadcast."""
    out = []
    for x, y in zip(((1,) * (len(b) - len(a)) + tuple(a)), ((1,) * (len(a) - len(b)) + tuple(b))):
        if x != y and x != 1 and y != 1:
            return None
        out.append(y if x == 1 else x)
    return tuple(out)


def _to_array(data, dtype, device):
    """(array, Device) for the Tensor constructor."""
    if isinstance(data, Tensor):
        dev = data._device if device is None else _get_device(device)
        arr = data.array if dev is data._device else _get_device(dev).asarray(data.numpy())
        if dtype is not None:
            native = dtypes.to_native(dtype, dev.xp)
            if arr.dtype != native:
                arr = dev.xp.astype(arr, native)
        return arr, dev
    if device is None:
        try:
            dev = device_of_array(data)
        except TypeError:
            dev = get_default_device()
    else:
        dev = _get_device(device)
    native = None if dtype is None else dtypes.to_native(dtype, dev.xp)
    if native is None and _is_python_data(data):
        native = _infer_python_dtype(data, dev.xp)
        if native is None and dev.type != "cpu" and isinstance(data, (list, tuple)):
            data = np.asarray(data)  # NumPy scalars inside: the dtype NumPy (the CPU) gives them
    try:
        arr = dev.asarray(data, dtype=native)
    except ValueError as e:  # ragged nested lists, ...
        raise ValueError(f"tensor: cannot make a tensor from {type(data).__name__}: {e}") from None
    if native is None and dev.type == "cpu" and arr.dtype.kind not in "biuf":  # object or string arrays
        raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__} (NumPy reads it as dtype "
                        f"{arr.dtype}); expected numbers, nested lists of numbers, or an array")
    return arr, dev


def _is_python_data(data):
    # np.float64 subclasses float, but a NumPy scalar keeps its own dtype (as torch.tensor)
    return isinstance(data, (int, float, bool, list, tuple)) and not isinstance(data, np.generic)


def _infer_python_dtype(data, xp):
    """Python floats give the default float dtype; ints int64; bools bool."""
    kind = _python_kind(data)
    if kind == "float":
        return dtypes.to_native(dtypes.get_default_dtype(), xp)
    if kind == "int":
        return xp.int64
    if kind == "bool":
        return xp.bool
    return None


def _python_kind(data):
    if isinstance(data, np.generic):  # NumPy scalars in a list: NumPy's own promotion decides
        return "other"
    if isinstance(data, bool):
        return "bool"
    if isinstance(data, int):
        return "int"
    if isinstance(data, float):
        return "float"
    if isinstance(data, (list, tuple)):
        kinds = {_python_kind(x) for x in data}
        for k in ("other", "float", "int", "bool"):
            if k in kinds:
                return k
        return "float"  # empty list
    if isinstance(data, Tensor) or hasattr(data, "dtype"):
        return "other"
    return "other"


def as_constant_like(x, like, op):
    """``x`` (Python scalar or array-like) as a constant tensor on ``like``'s device.

    Python scalars take ``like``'s dtype when the kinds agree (a float never up-casts a float32
    tensor); a float scalar with an integer tensor gives the default float dtype.
    """
    dev = like._device
    xp = dev.xp
    if isinstance(x, _np_scalar) and x.dtype.kind in "iuf":
        x = x.item()  # NumPy scalars act as the Python numbers they hold
    if isinstance(x, (int, float, bool)):
        ldt = like.array.dtype
        if isinstance(x, float) and not dtypes.is_floating(ldt):
            native = dtypes.to_native(dtypes.get_default_dtype(), xp)
        elif isinstance(x, int) and not isinstance(x, bool) and dtypes.name_of(ldt) == "bool":
            native = xp.int64
        else:
            native = ldt
        return Tensor._make(dev.asarray(x, dtype=native), dev, False, None)
    try:
        arr, d = _to_array(x, None, None)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{op}: cannot use {type(x).__name__} as a tensor operand ({e})") from None
    if d is not dev:
        if isinstance(x, (list, tuple)):
            arr = dev.asarray(x, dtype=_infer_python_dtype(x, xp))
            if dtypes.is_floating(arr.dtype) and dtypes.is_floating(like.array.dtype):
                arr = xp.astype(arr, like.array.dtype)
        else:
            raise _function_device_error(op, like, d)
    return Tensor._make(arr, dev, False, None)


def _function_device_error(op, like, other_dev):
    return DeviceError(f"{op}: operand on {other_dev} cannot be combined with a tensor on {like._device}; "
                       "move it with .to(device) first")
