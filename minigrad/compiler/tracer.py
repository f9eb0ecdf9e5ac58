"""The tracer: runs one call of a step eagerly and records its array program.

What it records (a list of :class:`Instr`, each reading and writing numbered values, a
:class:`Value` each):

* every operation on a :class:`~minigrad.compiler.traced.TracedArray` -- the arrays of the
  step's input tensors (``arg``), of any other tensor the step reads, such as a parameter or a
  running statistic (``ext``: the real array, used by reference on every replay), and of the
  values computed from them (``temp``; ``view`` when it shares memory with another value);
* each call of a function marked :func:`~minigrad.tracing.replayed_whole` (an optimizer's
  ``step``, a random draw), as one instruction, not the array ops inside it;
* each gradient landing on a leaf (``leaf.grad``), as one instruction, into a buffer the
  compiled step owns (``own``).

How the operations reach it: see :mod:`.hooks` (installed for the duration of a trace) and
:mod:`.traced`.  What a trace is made of is in :mod:`.records`; where gradients land, in
:mod:`.gradients`.
"""
from __future__ import annotations

import os
import sys
import numpy as np

from ..tensor import Tensor
from ..tracing import TRACING
from .gradients import accumulate_grad
from .hooks import install_hooks, remove_hooks
from .records import ArgTensor, CompileError, Instr, Ref, TensorRef, Value, raw_data, set_raw_data
from .traced import TracedArray, plain

__all__ = ["Tracer"]

_ndarray = np.ndarray
_view = _ndarray.view


class Tracer:
    """Records one call of a step; see the module docstring.  ``fallback``: 'error' raises a
    :class:`CompileError` at the first value read; 'eager' notes it (``poisoned``) and goes on."""

    def __init__(self, fallback="error"):
        self.fallback = fallback
        self.values, self.instrs = [], []
        self.paused = 0
        self.poisoned = None
        self._ext = {}          # id(plain array) -> its TracedArray view
        self._made = {}         # id(trace-time array of a value) -> value id
        self._restore = []      # (tensor, plain array, traced view): put back at the end
        self._keep = []         # objects whose ids are keys above: kept alive until the end
        self._args = {}         # id(input Tensor) -> its index
        self.outside = {}       # id -> a tensor that exists outside the step (a parameter, a buffer)

    # ----- values -----------------------------------------------------------------------
    def _new(self, kind, array, base=None, producer=None):
        v = Value(len(self.values), kind, array, base, producer)
        self.values.append(v)
        self._made[id(array)] = v.id
        self._keep.append(array)
        t = _view(array, TracedArray)
        t._slot = v.id
        return v, t

    def argument(self, tensor, index):
        """Make ``tensor``'s array the step's ``index``-th input; returns nothing (the tensor now
        holds a traced view until the end)."""
        a = raw_data(tensor)
        v, t = self._new("arg", a)
        v.index = index
        self._args[id(tensor)] = index
        self._ext[id(a)] = t
        set_raw_data(tensor, t)
        self._restore.append((tensor, a, t))

    def external(self, tensor, a):
        """The traced view of ``a``, the plain array of ``tensor`` (not made by this step)."""
        t = self._ext.get(id(a))
        if t is None:
            self._check_not_derived(a, f"a tensor's array (shape {a.shape})")
            v, t = self._new("ext", a)
            v.tensor = tensor
            self._ext[id(a)] = t
        self.outside[id(tensor)] = tensor
        set_raw_data(tensor, t)
        self._restore.append((tensor, a, t))
        return t

    def _check_not_derived(self, a, what):
        b = a
        while b is not None:
            if id(b) in self._made and self.values[self._made[id(b)]].kind not in ("ext", "arg"):
                raise CompileError(
                    f"compile: {what} is a plain NumPy copy or view of a value computed in the step (made with "
                    "np.asarray or np.array on a traced array?), so its later uses cannot be recorded; keep it a "
                    "Tensor or use Tensor ops")
            b = getattr(b, "base", None)

    def _template(self, x):
        if isinstance(x, TracedArray):
            if x._slot is None:
                raise CompileError(
                    f"compile: an array of shape {x.shape} was made from a traced one by an operation the tracer "
                    "does not record (a NumPy method it does not know); report it, or mark the function that "
                    "does it with minigrad.tracing.replayed_whole")
            return Ref(x._slot)
        cls = x.__class__
        if cls is tuple or cls is list:
            return cls(self._template(a) for a in x)
        if cls is dict:
            return {k: self._template(a) for k, a in x.items()}
        if isinstance(x, _ndarray):
            self._check_not_derived(x, f"an array of shape {x.shape}")
        return x

    # ----- recording --------------------------------------------------------------------
    def record(self, call, args, kwargs, ufunc=None):
        """Run ``call`` on the plain arrays and record it; return its result with traced arrays."""
        instr = Instr(call, self._template(args), self._template(kwargs), ufunc=ufunc)
        pargs = plain(args)
        result = call(*pargs, **plain(kwargs))
        out = kwargs.get("out")
        if out is not None and (out.__class__ is not tuple or any(o is not None for o in out)):
            outs = out if out.__class__ is tuple else (out,)  # written in place: no new value
            instr.writes = [o._slot for o in outs if isinstance(o, TracedArray)]
            self.instrs.append(instr)
            if result.__class__ is tuple:
                return tuple(o if o is not None else r for o, r in zip(outs, result))
            return outs[0] if out.__class__ is tuple else out
        if result is None:  # an in-place method: a[i] = v, a.fill(x), a.sort()
            if args and isinstance(args[0], TracedArray):
                instr.writes = [args[0]._slot]
            self.instrs.append(instr)
            return None
        multi = isinstance(result, (tuple, list))  # a namedtuple too (np.linalg.svd's SVDResult)
        made = self._results(instr, list(result) if multi else [result], pargs, args)
        if made is None:
            return result
        if instr.outs:
            instr.multi = multi
            self.instrs.append(instr)
        if not multi:
            return made[0]
        return result.__class__(*made) if hasattr(result, "_fields") else result.__class__(made)

    def _results(self, instr, results, pargs, args):
        """Each result as the traced view of a new value (a view of an input's value where it shares
        its memory), or the traced input itself when NumPy returned it; None after a value read."""
        made = []
        if any(isinstance(r, np.generic) for r in results):  # NumPy's scalars as 0-d arrays
            instr.scalar = True
            results = [np.asarray(r) if isinstance(r, np.generic) else r for r in results]
        # an input NumPy handed back is that input itself -- unless other results are new: then every
        # result is a value of the instruction (a returned input as a view of it), so one call makes all
        every_input = all(_same_input(r, pargs, args) is not None for r in results if isinstance(r, _ndarray))
        for r in results:
            if not isinstance(r, _ndarray):
                self.value_read(f"{instr.describe()} (it returns a Python {type(r).__name__})", None)
                return None
            same = _same_input(r, pargs, args) if every_input else None
            if same is not None:
                made.append(same)
                continue
            base = _view_base(r, pargs, args)
            kind = "view" if base is not None else "temp"
            v, t = self._new(kind, r, base=None if base is None else self._root(base), producer=len(self.instrs))
            instr.outs.append(v.id)
            made.append(t)
        if instr.outs:
            instr.kind = "view" if all(self.values[i].kind == "view" for i in instr.outs) else "compute"
        return made

    def lighten(self):
        """Drop the arrays the comparison with the next trace does not need (every computed value's:
        only its shape and dtype are compared), so a traced call kept for that holds little memory."""
        for v in self.values:
            if v.kind in ("temp", "view", "own"):
                v.array = _Shape(v.array.shape, v.array.dtype)
        self._keep, self._made, self._ext, self.outside = [], {}, {}, {}

    def _root(self, vid):
        v = self.values[vid]
        while v.kind == "view" and v.base is not None:
            v = self.values[v.base]
        return v.id

    def call_whole(self, fn, args, kwargs):
        """Record a call of a ``replayed_whole`` function and run it (its inner ops unrecorded)."""
        instr = Instr(fn, self._whole_template(args), self._whole_template(kwargs), kind="whole")
        self.paused += 1
        try:
            result = fn(*args, **kwargs)
        finally:
            self.paused -= 1
        if result is None:
            self.instrs.append(instr)
            return None
        if isinstance(result, Tensor):
            a = raw_data(result)
            if isinstance(a, TracedArray) and a._slot is not None:  # returned a traced value
                a = _view(a, _ndarray)
            v, t = self._new("temp", a, producer=len(self.instrs))
            set_raw_data(result, t)
            instr.tensor_out = True
            out = result
        elif isinstance(result, _ndarray):
            v, t = self._new("temp", plain(result), producer=len(self.instrs))
            out = t
        else:
            self.value_read(f"{getattr(fn, '__qualname__', fn)} (it returns a {type(result).__name__})", None)
            return result
        instr.outs.append(v.id)
        self.instrs.append(instr)
        return out

    def _whole_template(self, x):
        if isinstance(x, Tensor):
            a = raw_data(x)
            if isinstance(a, TracedArray) and a._slot is not None and self.values[a._slot].kind not in ("ext", "own"):
                return TensorRef(a._slot, x._device)
            return x
        cls = x.__class__
        if cls is tuple or cls is list:
            return cls(self._whole_template(a) for a in x)
        if cls is dict:
            return {k: self._whole_template(a) for k, a in x.items()}
        return self._template(x)

    def accumulate(self, leaf, g, passed, create_graph):
        """The engine's ``leaf.grad += g``, recorded as one instruction into a buffer owned by the step."""
        if create_graph:
            raise CompileError("compile: backward(create_graph=True) inside a compiled step is not supported; "
                               "compute higher-order gradients eagerly")
        if not isinstance(g, TracedArray):
            g = self._constant(g)
        own = np.empty(g.shape, g.dtype)
        v, own_t = self._new("own", own)
        self._ext[id(own)] = own_t
        index = self._args.get(id(leaf))
        who = leaf if index is None else ArgTensor(index)  # an input's Tensor changes from call to call
        self.instrs.append(Instr(accumulate_grad, (who, Ref(g._slot), Ref(v.id)), {}, kind="acc"))
        self.paused += 1
        try:
            accumulate_grad(leaf, _view(g, _ndarray), own, traced=own_t, restore=self._restore)
        finally:
            self.paused -= 1

    def _constant(self, a):
        v, t = self._new("ext", np.array(a, copy=True))
        return t

    def value_read(self, what, array):
        """A value is read into Python: refuse it, or (fallback='eager') note it and go on."""
        if self.poisoned is None:
            self.poisoned = what
        if self.fallback == "error":
            shape = "" if array is None else f" of an array of shape {tuple(array.shape)}"
            raise CompileError(
                f"compile: {what}{shape}{_call_site()} reads a value into Python while the step is traced; the "
                "replay could not repeat the decision it feeds. Return the tensor from the step and read it "
                "outside, or compile with fallback='eager'")

    # ----- hooks ------------------------------------------------------------------------
    def __enter__(self):
        if TRACING.tracer is not None:
            raise CompileError("compile: a compiled step cannot be called while another step is being traced")
        install_hooks()
        TRACING.tracer = self
        return self

    def __exit__(self, *exc):
        TRACING.tracer = None
        for tensor, a, t in reversed(self._restore):
            if raw_data(tensor) is t:
                set_raw_data(tensor, a)
        self._restore = []
        self._ext.clear()
        remove_hooks()
        return False


class _Shape:
    """What is kept of a computed value once its trace is only there to be compared."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        self.shape, self.dtype = shape, dtype


def _call_site():
    """' in <function> (<file>:<line>)' for the innermost caller outside the tracer and NumPy: the
    code that read the value."""
    here = os.path.dirname(os.path.abspath(__file__))
    numpy_dir = os.path.dirname(np.__file__)
    frame = sys._getframe(1)
    while frame is not None:
        path = os.path.abspath(frame.f_code.co_filename)
        if not path.startswith((here, numpy_dir)) and not path.endswith(os.path.join("minigrad", "tensor.py")):
            parts = path.split(os.sep)
            short = os.sep.join(parts[-3:]) if len(parts) > 3 else path
            return f" in {frame.f_code.co_name} ({short}:{frame.f_lineno})"
        frame = frame.f_back
    return ""


def _same_input(r, pargs, args):
    for p, a in _pairs(pargs, args):
        if r is p:
            return a
    return None


def _view_base(r, pargs, args):
    """The id of a traced input whose memory ``r`` shares, or None."""
    for p, a in _pairs(pargs, args):
        if isinstance(a, TracedArray) and np.may_share_memory(r, p):
            return a._slot
    return None


def _pairs(pargs, args):
    for p, a in zip(pargs, args):
        if isinstance(a, TracedArray):
            yield p, a
        elif a.__class__ in (tuple, list):
            yield from _pairs(p, a)
