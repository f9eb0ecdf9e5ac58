"""``Function``, the node contract: how every differentiable op is defined, built-in or yours.

The floor above the Tensor (:mod:`minigrad.tensor`) and below the ops: it records nodes
(``apply``), keeps what they save (``save_for_backward`` / ``saved_tensors``) and checks the
saved tensors' versions.  Running ``backward`` -- the order of the walk, the two run modes,
fitting each gradient to its input -- is the engine's (:mod:`minigrad.engine`), which also
hands each ``backward`` its functions ``F``.  See ``help(Function)`` for how to write one.
"""
from __future__ import annotations

import inspect

import numpy as _np

from . import dtypes as _dtypes
from .function_support import (as_tensors, check_broadcast, check_finite, device_mismatch, float_for_python_floats,
                               is_view_of, promote_inputs)
from .modes import STATE
from .tensor import Tensor, as_constant_like
from .view_links import link as link_view

_ndarray = _np.ndarray

__all__ = ["Function", "Op", "BackwardError", "check_broadcast", "promoted"]


class BackwardError(RuntimeError):
    """Backward cannot run: freed graph, tensor modified in place, bad gradient from an op."""


_OUTPUT = -1  # where a saved value came from: an input index, the output, or None (another value)


class Function:
    """Base class of differentiable operations (the graph nodes); subclass it for your own op.

    Two ways to write one, both run by ``YourOp.apply(*inputs)`` (complete examples below):

    1. The form of the built-in ops: ``forward(self, *arrays, **params)`` computes the output
       array from the inputs' raw arrays (NumPy, CuPy, ... of their device; ``self.xp`` is
       that namespace), and ``backward(self, grad)`` returns one gradient per input (None for
       an input that needs none; ``self.needs_input_grad`` has one flag per input).
       Positional arguments of ``apply`` are the differentiable inputs (Tensors; Python numbers
       and arrays become constants, and forward gets a Python number as it is, so
       ``float32_tensor * 2.0`` stays float32); keyword arguments go to ``forward`` unchanged
       (axes, shapes, flags) -- keep them on ``self`` if backward needs them.

    2. PyTorch's form: ``forward`` and ``backward`` are ``@staticmethod`` s taking a context
       ``ctx`` first (the node itself), as in ``torch.autograd.Function``, so a ported custom
       Function runs unchanged.  ``forward(ctx, *args)`` gets the arguments of ``apply`` as
       they are -- Tensors stay Tensors (PyTorch's behaviour), other values pass through --
       runs with grad recording off and returns one Tensor.  ``backward(ctx, grad_output)``
       gets a Tensor and returns one gradient per forward argument (None for non-Tensors and
       for inputs that need none); ``ctx.needs_input_grad`` has one flag per argument.  Other
       values for backward go on ``ctx`` as attributes (``ctx.alpha = alpha``; avoid the names
       used here: ``inputs``, ``xp``, ``F``, ``apply``, ``name``).  Not supported: several
       outputs, ``ctx.mark_dirty`` / ``mark_non_differentiable`` / ``set_materialize_grads``
       and a separate ``setup_context``.

    What both forms share:

    * ``save_for_backward(*values)`` in forward keeps what backward needs -- inputs, the
      output, or any other array/Tensor (a mask, labels) -- and ``saved_tensors`` gives them
      back in order: inputs as the input Tensors (so a second backward reaches them), the
      output as a Tensor attached to this node, anything else as a constant Tensor.  Keep
      arrays there, not as attributes of ``self``: the engine frees them after backward
      (unless ``retain_graph=True``; a second backward then raises), and a saved input or
      output modified in place after it was saved makes backward raise instead of returning
      a wrong gradient (the version check).
    * The plumbing is not yours to write: inputs that need no gradient get none, a gradient of
      a broadcast input is summed back to the input's shape and cast to its dtype, and a
      gradient never aliases an array the graph holds.

    The two backward modes, chosen by the engine for each call of ``backward``:

    * Tensor backward (``create_graph=True``, as in ``grad(..., create_graph=True)``): ``grad``
      and ``saved_tensors`` are Tensors and every op in ``backward`` is recorded, so the
      gradient can be differentiated again (second derivatives, ``gradgradcheck``).
      ``self.F`` holds the Tensor forms of the helper functions of
      :mod:`minigrad.ops.backward_ops` (``sum``, ``exp``, ``reshape``, ``matmul``, ``where``,
      ``softmax``, ...).
    * Raw array backward (``create_graph=False``, the usual ``loss.backward()``): nothing is
      recorded.  A class of form 1 whose ``backward`` uses only operators and ``self.F`` may
      set ``raw_backward = True`` (every built-in op does; :class:`Op` sets it): backward then
      runs on the bare arrays -- ``grad`` and ``saved_tensors`` are arrays (a Python-number
      input comes back as that number), ``self.F`` runs each helper's forward on the arrays --
      and no Tensor or node is made per step.  Any other Function gets Tensors in both modes
      (with recording off here).

    Examples
    --------
    Form 1, with a backward that also runs on bare arrays; ``seen`` records what it got:

    >>> import minigrad as mg
    >>> class Cube(mg.Function):
    ...     '''y = x**3;  dL/dx = dL/dy * 3 x**2'''
    ...     raw_backward = True                   # backward uses only operators (and self.F)
    ...     seen = []
    ...     def forward(self, x):                 # x: the input's array
    ...         self.save_for_backward(x)
    ...         return x ** 3                     # the output array
    ...     def backward(self, grad):             # grad: dL/dy, shaped like y
    ...         (x,) = self.saved_tensors
    ...         Cube.seen.append(type(grad).__name__)
    ...         return grad * 3.0 * x * x         # one gradient per input
    >>> x = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> Cube.apply(x).sum().backward()            # raw array backward: no graph
    >>> x.grad
    tensor([ 3., 12.], dtype=float32, device='cpu')
    >>> (g,) = mg.grad(Cube.apply(x).sum(), x, create_graph=True)   # Tensor backward, recorded
    >>> Cube.seen
    ['ndarray', 'Tensor']
    >>> mg.grad(g.sum(), x)[0]                    # d/dx 3 x**2 = 6 x
    tensor([ 6., 12.], dtype=float32, device='cpu')

    Form 2, PyTorch's (the MyReLU of "Learning PyTorch with Examples", unchanged):

    >>> class MyReLU(mg.Function):
    ...     @staticmethod
    ...     def forward(ctx, input):              # Tensors in, recording off
    ...         ctx.save_for_backward(input)
    ...         return input.clamp(min=0)
    ...     @staticmethod
    ...     def backward(ctx, grad_output):       # a Tensor in both modes
    ...         input, = ctx.saved_tensors
    ...         grad_input = grad_output.clone()
    ...         grad_input[input < 0] = 0
    ...         return grad_input
    >>> x = mg.tensor([-1.0, 2.0], requires_grad=True)
    >>> MyReLU.apply(x).sum().backward()
    >>> x.grad
    tensor([0., 1.], dtype=float32, device='cpu')
    """

    #: Set to True in ops whose output may share memory with their first input (reshape,
    #: transpose, slicing): the output then shares that input's version counter, so an
    #: in-place change through either is seen by both.  ``forward`` may set it to False on
    #: the instance when this output is a copy (NumPy outputs are also checked for overlap).
    is_view = False
    # _in_nodes, set by apply: the node of each input when this node was recorded (None for a
    # leaf), the graph's edges.  The engine follows these, not ``input._node``, because an
    # in-place op later rebases the input Tensor onto a new node while this node still needs the
    # history it was made from.  (No class default: a node built without apply fails loudly.)
    # What forward saved: save_for_backward stores the values as given, apply turns them into
    # (where, version, value) entries; the engine sets None to free them after backward.
    _saved = ()
    _retained = None

    #: Set to True in ops whose ``backward`` uses only operators and ``self.F`` (see above).
    raw_backward = False
    # Set by the engine around each call of backward (it passes the functions in; this floor
    # cannot import them): _raw is the array functions while backward runs on bare arrays,
    # else False; _tensor_fns the Tensor functions, for a backward on Tensors.
    _raw = False
    _tensor_fns = None

    #: Set to True in ops whose inputs broadcast together (add, mul, where, ...): a shape
    #: mismatch is then reported with the op's name and the shapes.
    broadcasts = False

    #: Set to True in ops whose inputs take part in type promotion (add, mul, matmul, ...): apply
    #: casts them to PyTorch's result dtype (:func:`minigrad.promotion.result_type`) before
    #: forward, with a recorded cast for an input that needs a gradient (which is cast back).
    promotes = False

    _ctx_form = False  # True for subclasses written in PyTorch's form (static forward/backward)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        forms = [isinstance(inspect.getattr_static(cls, name), staticmethod) for name in ("forward", "backward")]
        if forms[0] != forms[1]:
            raise TypeError(f"{cls.__name__}: forward and backward must both be @staticmethods taking ctx "
                            "first (PyTorch's form) or both be plain methods (see help(minigrad.Function))")
        cls._ctx_form = forms[0]
        if forms[0]:
            cls.raw_backward = False  # its backward is written for Tensors

    # ----- what subclasses write -----------------------------------------------------
    def forward(self, *arrays, **params):
        """The output array from the input arrays (or, in PyTorch's form, a static
        ``forward(ctx, *args)`` returning a Tensor).  See ``help(Function)``."""
        raise NotImplementedError(f"{type(self).__name__}.forward is not defined")

    def backward(self, grad):
        """One gradient per input from the upstream gradient ``grad`` (shaped like the output);
        None for an input that needs none.  See ``help(Function)`` for the two modes."""
        raise NotImplementedError(f"{type(self).__name__}.backward is not defined")

    # ----- what forward and backward use ------------------------------------------------
    @property
    def F(self):
        """The functions ``backward`` may call, handed in by the engine for each call of
        ``backward``: the Tensor functions (recorded with ``create_graph=True``) or, while it
        runs on bare arrays, the same functions on the arrays of ``self.xp``
        (:mod:`minigrad.ops.backward_ops`: sum, exp, reshape, matmul, where, ...).  None
        before the first backward."""
        return self._raw or self._tensor_fns

    def save_for_backward(self, *values):
        """Keep these values (inputs, the output, or any other array or Tensor; None is kept
        as None) for ``backward``; call it once, in ``forward``.  See ``saved_tensors``."""
        self._saved = values

    @property
    def saved_tensors(self):
        """The saved values as Tensors, in the order given to ``save_for_backward``.

        Saved inputs come back as the input Tensors themselves (so double backward reaches
        them); a saved output comes back as a Tensor attached to this node; any other array
        as a constant Tensor.  In a backward on bare arrays (``raw_backward``) they come back
        as the arrays, and a Python number input as that number.  Raises
        :class:`BackwardError` after the graph was freed, or when a saved input or output was
        modified in place since it was saved.
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
            if where is None:  # neither an input nor the output: an array, a Tensor or None
                out.append(self._other(value, raw))
                continue
            vc = self.inputs[where]._vc if where != _OUTPUT else self._out_vc
            if vc[0] != version:
                self._modified_error(where, value, version, vc[0])
            if raw:
                out.append(self.inputs[where].array if where != _OUTPUT else value)
                continue
            t = self.inputs[where] if where != _OUTPUT else self._output_tensor(value)
            if t.array.__class__ is float or t.array.__class__ is int:  # a number forward received
                t = self._number_tensor(t.array)
            out.append(t)
        return tuple(out)

    def _other(self, value, raw):
        """A saved value that is neither an input nor the output, for the current mode."""
        if isinstance(value, Tensor):
            return value.array if raw else value
        if raw or value is None:
            return value
        return Tensor._make(value, self.inputs[0]._device, False, None)  # an array: a constant

    def _modified_error(self, where, value, version, now):
        a = self.inputs[where].array if where != _OUTPUT else value
        raise BackwardError(
            f"{self.name}: a tensor it saved for backward (shape {tuple(a.shape)}, "
            f"{_dtypes.name_of(a.dtype)}) was modified in place after it was saved (version {version} "
            f"-> {now}); its gradient would be wrong. Use an out-of-place op "
            "(y = y + 1 instead of y += 1) or clone() before modifying")

    def _number_tensor(self, x):
        """A Python number input as a constant 0-d tensor of the dtype it computed in."""
        for like in self.inputs:
            if like.array.__class__ is not float and like.array.__class__ is not int:
                break
        ldt = like.array.dtype
        if like._device.type == "cpu" and ldt.kind == "f":  # the common case: float32/64 tensors
            return Tensor._make(_np.array(x, dtype=ldt), like._device, False, None)
        return as_constant_like(x, like, self.name)

    @property
    def name(self):
        """The op's name (its class name), as used in error messages and ``grad_fn`` reprs."""
        return type(self).__name__

    # ----- application ------------------------------------------------------------------
    @classmethod
    def apply(cls, *inputs, **params):
        """Run the op on ``inputs`` and, when a gradient is needed, record it in the graph."""
        if cls._ctx_form:
            return _apply_ctx(cls, inputs, params)
        dev = dt = None
        rg = mixed = scalars = False
        promotes = cls.promotes
        for t in inputs:
            if isinstance(t, Tensor):
                if dev is None:
                    dev = t._device
                    if promotes:
                        dt = t.array.dtype
                else:
                    if t._device is not dev:
                        device_mismatch(cls.__name__, inputs)
                    if promotes and t.array.dtype is not dt:
                        mixed = True
                if t._rg:
                    rg = True
            elif t.__class__ is float or t.__class__ is int:
                scalars = True  # Python numbers reach forward as they are
            else:
                return cls.apply(*as_tensors(cls.__name__, inputs), **params)
        if dev is None:
            raise TypeError(f"{cls.__name__}.apply: needs at least one Tensor input, got "
                            + ", ".join(type(t).__name__ for t in inputs))
        recording = rg and STATE.grad
        if promotes and (mixed or scalars and getattr(dt, "kind", None) != "f"):  # not a float tensor and numbers
            inputs = promote_inputs(inputs, dev, recording, Promote)
        if scalars:
            args = tuple([t.array if isinstance(t, Tensor) else t for t in inputs])
            for a in args:
                if a.__class__ is float:
                    args = float_for_python_floats(args, dev)
                    break
            if recording:
                inputs = tuple([t if isinstance(t, Tensor) else Tensor._make(t, dev, False, None) for t in inputs])
        elif len(inputs) == 1:
            args = (inputs[0].array,)
        elif len(inputs) == 2:
            args = (inputs[0].array, inputs[1].array)
        else:
            args = tuple([t.array for t in inputs])
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
            check_finite(fn, out, "forward", inputs)
        if not recording:
            result = Tensor._make(out, dev, False, None)
            if fn.is_view and is_view_of(out, args[0]):  # a view made without recording still
                result._vc = inputs[0]._vc                  # shares the version counter, and
                if STATE.grad or inputs[0]._rg:             # an in-place op in the graph reaches its base
                    link_view(result, inputs[0], fn, not STATE.grad)
            return result
        result = Tensor._make(out, dev, True, fn)
        fn.inputs = inputs
        n = len(inputs)
        if n == 1:  # the common arities without a comprehension: this runs once per recorded op
            a = inputs[0]
            fn.needs_input_grad, fn._in_nodes = (a._rg,), (a._node,)
        elif n == 2:
            a, b = inputs
            fn.needs_input_grad, fn._in_nodes = (a._rg, b._rg), (a._node, b._node)
        else:
            fn.needs_input_grad = tuple([t._rg for t in inputs])
            fn._in_nodes = tuple([t._node for t in inputs])
        if fn.is_view and is_view_of(out, args[0]):
            result._vc = inputs[0]._vc
            if inputs[0]._node is not None:  # a leaf base (a parameter) is never changed in place in the graph
                link_view(result, None, None, False)  # listed with its base's storage (minigrad/view_links.py)
        fn._out_vc = result._vc
        if fn._saved:
            fn._saved = _resolve_saved(fn._saved, inputs, out, result)
        return result

    # ----- called by the engine -----------------------------------------------------------
    def _ctx_backward(self, grad):
        """PyTorch's form: call the static ``backward(ctx, grad)`` and keep the gradients of
        the Tensor arguments (one per ``self.inputs``), checking the others are None."""
        grads = type(self).backward(self, grad)
        if grads.__class__ is not tuple:
            grads = (grads,)
        n = self._nargs
        if len(grads) < n or any(g is not None for g in grads[n:]):
            raise BackwardError(f"{self.name}.backward returned {len(grads)} gradient(s) for the {n} argument(s) "
                                "of forward; return one per argument (None where there is none)")
        for i, g in enumerate(grads[:n]):
            if g is not None and i not in self._arg_pos:
                raise BackwardError(f"{self.name}.backward returned a gradient for argument {i} of forward, "
                                    "which is not a Tensor; return None for it")
        return tuple([grads[i] for i in self._arg_pos])

    def _one_per_input(self, grads):
        """What backward returned, as a tuple with one gradient per input (checked)."""
        if grads.__class__ is not tuple:
            grads = (grads,)
        if len(grads) != len(self.inputs):
            raise BackwardError(
                f"{self.name}.backward returned {len(grads)} gradient(s) for {len(self.inputs)} input(s)")
        return grads

    def _rebase_output(self, vc):
        """Called when an in-place op writes this node's output into the tensor owning the version
        counter ``vc`` (see :mod:`minigrad.ops.inplace`): the output now lives there, so its
        saved copy is checked against that counter from its current version on."""
        self._out_vc = vc
        if self._saved:
            self._saved = [(w, vc[0], v) if w == _OUTPUT else (w, ver, v) for w, ver, v in self._saved]

    def _output_tensor(self, data):
        t = Tensor._make(data, self.inputs[0]._device, True, self)
        t._vc = self._out_vc
        return t


class Op(Function):
    """A built-in op: its backward uses only operators and ``self.F``, so it also runs on bare
    arrays (``raw_backward``)."""

    raw_backward = True


class Promote(Op):
    """z = a cast to the dtype that type promotion chose for an op's inputs;  dz/da = 1 (the
    gradient is cast back to a's dtype).  Recorded only for inputs that need a gradient."""

    def forward(self, a, dtype):
        return self.xp.astype(a, dtype)

    def backward(self, g):
        return g


def promoted(*inputs):
    """``inputs`` (Tensors and Python numbers, at least one Tensor, one device) cast to their
    promoted dtype (:func:`minigrad.promotion.result_type`, PyTorch's rule), each cast of an input
    that needs a gradient recorded; for ops whose ``promotes`` flag cannot say which inputs take part."""
    like = next(t for t in inputs if isinstance(t, Tensor))
    return promote_inputs(inputs, like._device, STATE.grad, Promote)


def _apply_ctx(cls, args, params):
    """``apply`` of a Function in PyTorch's form: forward(ctx, *args) on the arguments as they
    are, with grad recording off; its Tensor result becomes this node's output."""
    tensors = tuple([a for a in args if isinstance(a, Tensor)])
    if not tensors:
        raise TypeError(f"{cls.__name__}.apply: needs at least one Tensor argument, got "
                        + ", ".join(type(a).__name__ for a in args))
    dev = tensors[0]._device
    if any(t._device is not dev for t in tensors):
        device_mismatch(cls.__name__, tensors)
    ctx = cls()
    ctx.xp = dev.xp
    ctx.needs_input_grad = tuple([isinstance(a, Tensor) and a._rg for a in args])  # one per argument
    prev = STATE.grad
    STATE.grad = False
    try:
        out = cls.forward(ctx, *args, **params)
    finally:
        STATE.grad = prev
    if not isinstance(out, Tensor):
        raise TypeError(f"{cls.__name__}.forward must return one Tensor, got {type(out).__name__} "
                        "(several outputs are not supported)")
    if STATE.anomaly:
        check_finite(ctx, out.array, "forward", tensors)
    if not (prev and any(t._rg for t in tensors)):
        return out
    result = Tensor._make(out.array, out._device, True, ctx)
    result._vc = out._vc  # the same data: in-place changes through either are seen by both
    ctx.inputs = tensors
    ctx._in_nodes = tuple([t._node for t in tensors])
    ctx._arg_pos = tuple([i for i, a in enumerate(args) if isinstance(a, Tensor)])
    ctx._nargs = len(args)
    ctx._input_needs = tuple([t._rg for t in tensors])
    ctx._out_vc = result._vc
    ids = {id(t): t.array for t in tensors + (out,)}  # saved inputs and output are found by their arrays
    if ctx._saved:
        ctx._saved = _resolve_saved(tuple([ids.get(id(v), v) for v in ctx._saved]), tensors, out.array, result)
    return result


def _as_array(fn, scalar):
    """A 0-d array for the NumPy scalar a forward returned (saved as the output too)."""
    out = _np.asarray(scalar)
    if fn._saved:
        fn._saved = tuple(out if a is scalar else a for a in fn._saved)
    return out


def _resolve_saved(to_save, inputs, out, result):
    """(where, version, value) per saved value: where = an input index or _OUTPUT (version
    checked), or None for anything else (an array such as a mask, a Tensor, or None)."""
    saved = []
    for a in to_save:
        if a is out:
            saved.append((_OUTPUT, result._vc[0], out))
            continue
        for i, t in enumerate(inputs):
            if a is t.array:
                saved.append((i, t._vc[0], None))
                break
        else:
            saved.append((None, 0, a))
    return saved
