"""``Function``: how every differentiable op is defined, built-in or yours.

An op is a subclass with ``forward`` and ``backward`` side by side::

    class Cube(minigrad.Function):
        '''y = x**3,  dL/dx = dL/dy * 3 x**2'''

        def forward(self, x):              # x: a raw array (NumPy, CuPy, ...)
            self.save_for_backward(x)
            return x ** 3                  # the output array

        def backward(self, grad):          # grad: a Tensor dL/dy, shaped like y
            x, = self.saved_tensors        # saved arrays come back as Tensors
            return grad * 3 * x ** 2       # one gradient (Tensor or None) per input

    y = Cube.apply(x)

* Backward on bare arrays: an op whose ``backward`` uses only operators and the functions of
  ``self.F`` (sum, exp, reshape, matmul, ...; see :mod:`minigrad.ops.backward_ops`) may set
  ``raw_backward = True``.  Then, when no graph of the backward is wanted
  (``create_graph=False``), the engine calls it with arrays -- the upstream gradient and
  ``saved_tensors`` are the arrays themselves, ``self.F`` the array functions -- and no Tensor
  or graph node is made for the backward.  Every built-in op does this; with
  ``create_graph=True`` the same code runs on Tensors and records its graph.

* Positional arguments of ``apply`` are the differentiable inputs (Tensors; Python scalars and
  arrays become constants); keyword arguments are passed to ``forward`` unchanged (axes,
  shapes, flags).  ``self.xp`` is the array namespace of the inputs' device.
* ``backward`` is written with Tensor ops, so ``backward(create_graph=True)`` differentiates
  it again: second derivatives come for free.
* The plumbing lives here, not in each op: inputs that need no gradient get none, gradients
  of broadcast inputs are summed back to the input's shape, cast to the input's dtype, and
  saved tensors are checked for in-place changes made after they were saved.
"""
from __future__ import annotations

import numpy as _np

from . import dtypes as _dtypes
from .modes import STATE

_ndarray = _np.ndarray

__all__ = ["Function", "BackwardError", "check_broadcast"]


class BackwardError(RuntimeError):
    """Backward cannot run: freed graph, tensor modified in place, bad gradient from an op."""


_OUTPUT = -1
Tensor = None  # set by minigrad.tensor (which imports this module)
_sum_to = None  # set by minigrad.ops.shape
TENSOR_OPS = ArrayOps = None  # set by minigrad.ops.backward_ops
_ARRAY_OPS = {}  # array namespace -> its ArrayOps


class Function:
    """Base class of differentiable operations (the graph nodes)."""

    #: Set to True in ops whose output may share memory with their first input (reshape,
    #: transpose, slicing): the output then shares that input's version counter, so an
    #: in-place change through either is seen by both.  ``forward`` may set it to False on
    #: the instance when this output is a copy (NumPy outputs are also checked for overlap).
    is_view = False
    _to_save = ()
    _retained = None

    #: Set to True in ops whose ``backward`` uses only operators and ``self.F`` (see above).
    raw_backward = False
    _raw = False  # True while backward runs on bare arrays

    #: Set to True in ops whose inputs broadcast together (add, mul, where, ...): a shape
    #: mismatch is then reported with the op's name and the shapes.
    broadcasts = False

    # ----- what subclasses write -----------------------------------------------------
    def forward(self, *arrays, **params):
        raise NotImplementedError(f"{type(self).__name__}.forward is not defined")

    def backward(self, grad):
        raise NotImplementedError(f"{type(self).__name__}.backward is not defined")

    # ----- what forward and backward use ------------------------------------------------
    @property
    def F(self):
        """The functions ``backward`` may call: on Tensors (recording a graph) or, while it
        runs on bare arrays, on arrays (:mod:`minigrad.ops.backward_ops`)."""
        return _array_ops(self.xp) if self._raw else TENSOR_OPS

    def save_for_backward(self, *arrays):
        """Keep these arrays (inputs, the output, or any other array) for ``backward``."""
        self._to_save = arrays

    @property
    def saved_tensors(self):
        """The saved arrays as Tensors, in the order given to ``save_for_backward``.

        Saved inputs come back as the input Tensors themselves (so double backward reaches
        them); a saved output comes back as a Tensor attached to this node.  In a backward on
        bare arrays (``raw_backward``) they come back as the arrays, and a Python number
        input as that number.
        """
        saved = self._saved
        if saved is None:
            raise BackwardError(
                f"{self.name}: trying to backward through the graph a second time (its saved "
                "tensors were freed after the first backward); pass retain_graph=True to the "
                "first backward() if you need to backward twice")
        raw = self._raw
        out = []
        for where, version, value in saved:
            if where is None:
                out.append(value.data if raw else value)
                continue
            vc = self.inputs[where]._vc if where != _OUTPUT else self._out_vc
            if vc[0] != version:
                self._modified_error(where, value, version, vc[0])
            if raw:
                out.append(self.inputs[where].data if where != _OUTPUT else value)
                continue
            t = self.inputs[where] if where != _OUTPUT else self._output_tensor(value)
            if t.data.__class__ is float or t.data.__class__ is int:  # a number forward received
                t = self._number_tensor(t.data)
            out.append(t)
        return tuple(out)

    def _modified_error(self, where, value, version, now):
        a = self.inputs[where].data if where != _OUTPUT else value
        raise BackwardError(
            f"{self.name}: a tensor it saved for backward (shape {tuple(a.shape)}, "
            f"{_dtypes.name_of(a.dtype)}) was modified in place after it was saved (version {version} "
            f"-> {now}); its gradient would be wrong. Use an out-of-place op "
            "(y = y + 1 instead of y += 1) or clone() before modifying")

    def _number_tensor(self, x):
        """A Python number input as a constant 0-d tensor of the dtype it computed in."""
        for like in self.inputs:
            if like.data.__class__ is not float and like.data.__class__ is not int:
                break
        ldt = like.data.dtype
        if like._device.type == "cpu" and ldt.kind == "f":  # the common case: float32/64 tensors
            return Tensor._make(_np.array(x, dtype=ldt), like._device, False, None)
        from .tensor import as_constant_like

        return as_constant_like(x, like, self.name)

    @property
    def name(self):
        return type(self).__name__

    # ----- application ------------------------------------------------------------------
    @classmethod
    def apply(cls, *inputs, **params):
        """Run the op on ``inputs`` and, when a gradient is needed, record it in the graph."""
        dev = None
        rg = False
        scalars = False
        for t in inputs:
            if isinstance(t, Tensor):
                if dev is None:
                    dev = t._device
                elif t._device is not dev:
                    _device_mismatch(cls.__name__, inputs)
                if t._rg:
                    rg = True
            elif t.__class__ is float or t.__class__ is int:
                scalars = True  # Python numbers reach forward as they are
            else:
                return cls.apply(*_as_tensors(cls.__name__, inputs), **params)
        if dev is None:
            raise TypeError(f"{cls.__name__}.apply: needs at least one Tensor input, got "
                            + ", ".join(type(t).__name__ for t in inputs))
        recording = rg and STATE.grad
        if scalars:
            args = tuple([t.data if isinstance(t, Tensor) else t for t in inputs])
            for a in args:
                if a.__class__ is float:
                    args = _float_for_python_floats(args, dev)
                    break
            if recording:
                inputs = tuple([t if isinstance(t, Tensor) else Tensor._make(t, dev, False, None) for t in inputs])
        elif len(inputs) == 1:
            args = (inputs[0].data,)
        elif len(inputs) == 2:
            args = (inputs[0].data, inputs[1].data)
        else:
            args = tuple([t.data for t in inputs])
        fn = cls()
        fn.xp = dev.xp
        try:
            if dev.type == "cpu":
                out = fn.forward(*args, **params)
                if out.__class__ is not _ndarray and isinstance(out, _np.generic):
                    out = _as_array(fn, out)  # NumPy returns 0-d results as scalars (but ToDevice
                    #                           returns another library's array: leave that alone)
            elif dev.type == "cuda":
                with dev.native:
                    out = fn.forward(*args, **params)
            else:
                out = fn.forward(*args, **params)
        except ValueError:
            if cls.broadcasts:  # name the op and the shapes instead of the backend's message
                check_broadcast(cls.__name__, [getattr(t, "shape", ()) for t in inputs])
            raise
        if STATE.anomaly:
            _check_finite(fn, out, "forward", inputs)
        if not recording:
            result = Tensor._make(out, dev, False, None)
            if fn.is_view and _is_view_of(out, args[0]):  # a view made without recording still
                result._vc = inputs[0]._vc                  # shares the version counter
            return result
        result = Tensor._make(out, dev, True, fn)
        fn.inputs = inputs
        fn.needs_input_grad = ((inputs[0]._rg, inputs[1]._rg) if len(inputs) == 2 else
                               tuple([t._rg for t in inputs]))
        if fn.is_view and _is_view_of(out, args[0]):
            result._vc = inputs[0]._vc
        fn._out_vc = result._vc
        fn._saved = _resolve_saved(fn._to_save, inputs, out, result) if fn._to_save else ()
        return result

    # ----- called by the engine -----------------------------------------------------------
    def _run_backward(self, grad):
        """Gradients for each input (None where none is needed), shaped and typed like it."""
        if self._saved is None:
            self.saved_tensors  # raises the "second time" error
        anomaly = STATE.anomaly
        if anomaly:  # check this op's gradients below, not the ops its backward runs
            STATE.anomaly = False
            try:
                grads = self.backward(grad)
            finally:
                STATE.anomaly = True
        else:
            grads = self.backward(grad)
        inputs = self.inputs
        grads = self._one_per_input(grads)
        out = []
        for t, need, g in zip(inputs, self.needs_input_grad, grads):
            if not need or g is None:
                out.append(None)
                continue
            if g.__class__ is not Tensor or g.data.shape != t.data.shape or g.data.dtype != t.data.dtype:
                g = _fit_gradient(self, g, t)
            data = g.data
            for held in inputs:  # a gradient must never be an array the graph holds
                if data is held.data:
                    g = Tensor._make(self.xp.asarray(data, copy=True), g._device, False, None) \
                        if not g._rg else g * 1.0
                    break
            if anomaly:
                _check_finite(self, g.data, "backward", inputs)
            out.append(g)
        return out

    def _backward_arrays(self, grad):
        """``_run_backward`` on bare arrays: the gradient array for each input (or None).

        Ops with ``raw_backward`` run on the arrays themselves; any other Function gets its
        upstream gradient wrapped in a Tensor, as it was written for.
        """
        inputs = self.inputs
        if not self.raw_backward:
            dev = inputs[0]._device
            grads = self._run_backward(Tensor._make(grad, dev, False, None))
            return [None if g is None else g.data for g in grads]
        if self._saved is None:
            self.saved_tensors  # raises the "second time" error
        anomaly = STATE.anomaly
        self._raw = True
        try:
            if inputs[0]._device.type == "cuda":
                with inputs[0]._device.native:
                    grads = self.backward(grad)
            else:
                grads = self.backward(grad)
        finally:
            self._raw = False
        grads = self._one_per_input(grads)
        out = []
        for t, need, g in zip(inputs, self.needs_input_grad, grads):
            if not need or g is None:
                out.append(None)
                continue
            data = t.data
            if g.__class__ is not data.__class__ or g.shape != data.shape or g.dtype != data.dtype:
                g = _fit_gradient_array(self, g, t)
            for held in inputs:  # a gradient must never be an array the graph holds
                if g is held.data:
                    g = self.xp.asarray(g, copy=True)
                    break
            if anomaly:
                _check_finite(self, g, "backward", inputs)
            out.append(g)
        return out

    def _one_per_input(self, grads):
        """What backward returned, as a tuple with one gradient per input (checked)."""
        if grads.__class__ is not tuple:
            grads = (grads,)
        if len(grads) != len(self.inputs):
            raise BackwardError(
                f"{self.name}.backward returned {len(grads)} gradient(s) for {len(self.inputs)} input(s)")
        return grads

    def _output_tensor(self, data):
        t = Tensor._make(data, self.inputs[0]._device, True, self)
        t._vc = self._out_vc
        return t


class Op(Function):
    """A built-in op: its backward uses only operators and ``self.F``, so it also runs on bare
    arrays (``raw_backward``)."""

    raw_backward = True


def _as_array(fn, scalar):
    """A 0-d array for the NumPy scalar a forward returned (saved as the output too)."""
    out = _np.asarray(scalar)
    if fn._to_save:
        fn._to_save = tuple(out if a is scalar else a for a in fn._to_save)
    return out


def _float_for_python_floats(args, dev):
    """PyTorch's rule: integer or bool tensors meeting a Python float compute in the default
    float dtype (``arange(4) * 0.5`` is float32; NumPy would give float64, array-api-strict
    would refuse)."""
    for a in args:
        if a.__class__ is not float and a.__class__ is not int:
            kind = getattr(a.dtype, "kind", None)  # NumPy and CuPy dtypes say it fast
            if kind == "f" or (kind is None and _dtypes.is_floating(a.dtype)):
                return args
    native = _dtypes.to_native(_dtypes.get_default_dtype(), dev.xp)
    return tuple(a if a.__class__ is float or a.__class__ is int else dev.xp.astype(a, native) for a in args)


def _as_tensors(name, inputs):
    """``inputs`` with Python numbers and arrays turned into constant Tensors.

    A Python number stays a Python number inside (forward receives it as such), so it never
    changes the dtype of the tensor it meets: ``float32_tensor * 2.0`` is float32.
    """
    like = next((t for t in inputs if isinstance(t, Tensor)), None)
    if like is None:
        raise TypeError(f"{name}.apply: at least one input must be a Tensor, got "
                        + ", ".join(type(t).__name__ for t in inputs))
    out = []
    for x in inputs:
        if isinstance(x, _np.generic) and x.dtype.kind in "iuf":
            x = x.item()  # a NumPy scalar (np.sqrt(2.0), np.int64(3)) acts as the Python number
        if isinstance(x, Tensor):
            out.append(x)
        elif isinstance(x, (int, float)) and not isinstance(x, bool):
            out.append(Tensor._make(x, like._device, False, None))
        else:
            from .tensor import as_constant_like

            out.append(as_constant_like(x, like, name))
    return tuple(out)


def _resolve_saved(to_save, inputs, out, result):
    """(where, version, value) per saved array: where = input index, _OUTPUT, or None."""
    saved = []
    for a in to_save:
        if a is out:
            saved.append((_OUTPUT, result._vc[0], out))
            continue
        for i, t in enumerate(inputs):
            if a is t.data:
                saved.append((i, t._vc[0], None))
                break
        else:
            if isinstance(a, Tensor):
                saved.append((None, 0, a))
            else:
                saved.append((None, 0, Tensor._make(a, result._device, False, None)))
    return saved


def _fit_gradient(fn, g, t):
    """Wrap, sum over broadcast axes and cast ``g`` so it matches input ``t``."""
    if not isinstance(g, Tensor):
        g = Tensor._make(t._device.asarray(g), t._device, False, None)
    if g.data.shape != t.data.shape:
        try:
            g = _sum_to(g, t.data.shape)
        except ValueError:
            raise BackwardError(
                f"{fn.name}.backward returned a gradient of shape {tuple(g.shape)} for an input "
                f"of shape {tuple(t.shape)}; they are not broadcast-compatible") from None
    if g.data.dtype != t.data.dtype:
        g = g.to(dtype=t.data.dtype)
    return g


def _array_ops(xp):
    ops = _ARRAY_OPS.get(xp)
    if ops is None:
        ops = _ARRAY_OPS[xp] = ArrayOps(xp)
    return ops


def _fit_gradient_array(fn, g, t):
    """``_fit_gradient`` for a bare array ``g`` (or a NumPy scalar, or a number)."""
    data = t.data
    if g.__class__ is not data.__class__:
        g = t._device.asarray(g)
    if g.shape != data.shape:
        shape, src = data.shape, g.shape
        if len(shape) > len(src) or not all(s in (1, n) for s, n in zip(shape[::-1], src[::-1])):
            raise BackwardError(
                f"{fn.name}.backward returned a gradient of shape {tuple(g.shape)} for an input "
                f"of shape {tuple(data.shape)}; they are not broadcast-compatible")
        g = _array_ops(fn.xp).sum_to(g, shape)
    if g.dtype != data.dtype:
        g = fn.xp.astype(g, data.dtype)
    return g


def check_broadcast(op, shapes):
    """Raise a ValueError naming ``op`` and ``shapes`` if the shapes do not broadcast together."""
    ndim = max(len(s) for s in shapes)
    for i in range(1, ndim + 1):
        sizes = {s[-i] for s in shapes if len(s) >= i} - {1}
        if len(sizes) > 1:
            listed = ", ".join(str(tuple(s)) for s in shapes[:-1]) + f" and {tuple(shapes[-1])}"
            raise ValueError(
                f"{op}: shapes {listed} cannot be broadcast together: axis {-i} has sizes "
                f"{sorted(sizes)} (from the right, sizes must be equal or 1)")


def _is_view_of(out, a):
    """Whether ``out`` of a view op may share memory with its input ``a``.  A NumPy output that
    cannot overlap ``a`` is a copy (a reshape that had to copy, say), with a version counter of
    its own; other backends are taken at the op's word."""
    if out.__class__ is _ndarray and a.__class__ is _ndarray:
        return _np.may_share_memory(out, a)
    return True


def _device_mismatch(name, inputs):
    from .device import DeviceError

    devs = ", ".join(f"{tuple(t.shape)} on {t._device}" for t in inputs if isinstance(t, Tensor))
    raise DeviceError(f"{name}: all inputs must be on the same device, got {devs}; "
                      "move them with .to(device) first")


def _check_finite(fn, array, phase, inputs):
    xp = fn.xp
    try:
        bad = not bool(xp.all(xp.isfinite(array)))
    except TypeError:  # integer / bool results
        return
    if bad:
        shapes = ", ".join(str(tuple(t.shape)) for t in inputs if isinstance(t, Tensor))
        raise FloatingPointError(
            f"detect_anomaly: {fn.name} {phase} produced NaN or Inf (inputs of shape {shapes})")
