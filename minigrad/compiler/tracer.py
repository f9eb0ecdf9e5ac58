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

How the hooks get in: while tracing, ``Tensor``'s array slot is read through a descriptor that
hands out TracedArray views of plain arrays (and puts them back at the end), the engine's
``_accumulate`` goes through :meth:`Tracer.accumulate`, NumPy's ``zeros``, ``ones``, ``empty``
and ``full`` make recorded arrays, and the Tensor methods that copy values out to Python
(``item``, ``numpy``, ``tolist``) report a value read.  All are class-level and
removed when the trace ends; in other threads they act as before.
"""
from __future__ import annotations

from operator import attrgetter

import numpy as np

from .. import engine
from ..tensor import Tensor
from ..tracing import TRACING
from .traced import TracedArray, plain

__all__ = ["ArgTensor", "CompileError", "Instr", "Ref", "TensorRef", "Tracer", "Value"]

_ndarray = np.ndarray
_view = _ndarray.view
DATA_SLOT = "array"  # the name of Tensor's array slot


class CompileError(RuntimeError):
    """A step cannot be compiled (it reads values into Python, uses an op the tracer cannot record,
    or behaves differently from one call to the next); the message names what and where."""


class Value:
    """One value of the program: ``kind`` is 'arg' (the i-th input array), 'ext' (an array that
    lives outside the step, used by reference), 'own' (a buffer the compiled step owns: a
    leaf's gradient), 'temp' (computed) or 'view' (shares memory with ``base``, a value id)."""

    __slots__ = ("id", "kind", "array", "base", "producer", "index", "tensor")

    def __init__(self, id, kind, array, base=None, producer=None):
        self.id, self.kind, self.array, self.base, self.producer = id, kind, array, base, producer
        self.index = self.tensor = None


class Ref:
    """A value in an instruction's arguments."""

    __slots__ = ("id",)

    def __init__(self, id):
        self.id = id

    def __eq__(self, other):
        return other.__class__ is Ref and other.id == self.id

    def __hash__(self):
        return hash(("Ref", self.id))

    def __repr__(self):
        return f"Ref({self.id})"


class TensorRef(Ref):
    """A Tensor over a computed value, passed to a whole call: rebuilt around the value's array
    on every replay."""

    __slots__ = ("device",)

    def __init__(self, id, device):
        super().__init__(id)
        self.device = device

    def __eq__(self, other):
        return other.__class__ is TensorRef and other.id == self.id and other.device is self.device

    __hash__ = Ref.__hash__


class ArgTensor:
    """The step's ``index``-th input Tensor itself (a leaf whose gradient lands in ``.grad``)."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index

    def __eq__(self, other):
        return other.__class__ is ArgTensor and other.index == self.index

    def __hash__(self):
        return hash(("ArgTensor", self.index))


class Instr:
    """``call(*args, **kwargs)``; ``outs``: the values it makes, ``writes``: the values it changes
    in place; ``kind``: 'compute', 'view' (every output a view of an input), 'whole' (a
    replayed-whole call) or 'acc' (a leaf's gradient); ``ufunc``: the ufunc method or None;
    ``scalar``: NumPy returned a scalar, made a 0-d array; ``tensor_out``: a whole call
    returned a Tensor."""

    __slots__ = ("call", "args", "kwargs", "outs", "writes", "kind", "ufunc", "scalar", "tensor_out", "multi")

    def __init__(self, call, args, kwargs, kind="compute", ufunc=None):
        self.call, self.args, self.kwargs, self.kind, self.ufunc = call, args, kwargs, kind, ufunc
        self.outs, self.writes = [], []
        self.scalar = self.tensor_out = self.multi = False

    def refs(self):
        """The ids of every value in the arguments (read or written)."""
        found = []
        _collect(self.args, found)
        _collect(self.kwargs, found)
        return found

    def describe(self):
        return getattr(self.call, "__qualname__", None) or getattr(self.call, "__name__", repr(self.call))


def _collect(x, found):
    if isinstance(x, Ref):
        found.append(x.id)
    elif x.__class__ in (tuple, list):
        for a in x:
            _collect(a, found)
    elif x.__class__ is dict:
        for a in x.values():
            _collect(a, found)


def raw_data(t):
    """A Tensor's array, read past the tracing hook."""
    return _MEMBER[0].__get__(t, Tensor)


def set_raw_data(t, a):
    _MEMBER[0].__set__(t, a)


_MEMBER = [Tensor.__dict__[DATA_SLOT]]
#: A Tensor's array outside tracing (a replay): the plain attribute read, at C speed.
data_of = attrgetter(DATA_SLOT)


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
        multi = result.__class__ is tuple or result.__class__ is list
        made = self._results(instr, list(result) if multi else [result], pargs, args)
        if made is None:
            return result
        if instr.outs:
            instr.multi = multi
            self.instrs.append(instr)
        return result.__class__(made) if multi else made[0]

    def _results(self, instr, results, pargs, args):
        """Each result as the traced view of a new value (a view of an input's value where it shares
        its memory), or the traced input itself when NumPy returned it; None after a value read."""
        made = []
        for r in results:
            if isinstance(r, np.generic):
                r = np.asarray(r)
                instr.scalar = True
            if not isinstance(r, _ndarray):
                self.value_read(f"{instr.describe()} (it returns a Python {type(r).__name__})", None)
                return None
            same = _same_input(r, pargs, args)
            if same is not None:
                made.append(same)
                continue
            base = _view_base(r, pargs, args)
            kind = "view" if base is not None else "temp"
            v, t = self._new(kind, r, base=None if base is None else self._root(base), producer=len(self.instrs))
            instr.outs.append(v.id)
            made.append(t)
        if instr.outs and len(instr.outs) < len(made):
            raise CompileError(f"compile: {instr.describe()} returned some of its inputs and some new arrays; "
                               "the tracer cannot record that")
        if instr.outs:
            instr.kind = "view" if all(self.values[i].kind == "view" for i in instr.outs) else "compute"
        return made

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
                f"compile: {what}{shape} reads a value into Python while the step is traced; the replay could "
                "not repeat the decision it feeds. Return the tensor from the step and read it outside, or "
                "compile with fallback='eager'")

    # ----- hooks ------------------------------------------------------------------------
    def __enter__(self):
        if TRACING.tracer is not None:
            raise CompileError("compile: a compiled step cannot be called while another step is being traced")
        _install_hooks()
        TRACING.tracer = self
        return self

    def __exit__(self, *exc):
        TRACING.tracer = None
        for tensor, a, t in reversed(self._restore):
            if raw_data(tensor) is t:
                set_raw_data(tensor, a)
        self._restore = []
        self._ext.clear()
        _remove_hooks()
        return False


def accumulate_grad(leaf, w, own, traced=None, restore=None):
    """``leaf.grad += w`` as the engine does it (a new gradient when there is none), where ``own``
    is the buffer the compiled step keeps for this leaf's gradient."""
    g = leaf.grad
    if g is None:
        np.copyto(own, w)
        leaf.grad = Tensor._make(own if traced is None else traced, leaf._device, False, None)
        if restore is not None:
            restore.append((leaf.grad, own, traced))
        return
    data = raw_data(g)
    if (data is own or data is traced) and not g._rg:
        np.add(own, w, out=own)
        g._vc[0] += 1
        return
    _ORIGINAL_ACCUMULATE[0](leaf, np.array(w, copy=True), _held(), False)


def accumulate_input_grad(leaf, w):
    """``accumulate_grad`` for an input of the step: a new array each call, since the caller may
    keep the gradients of earlier inputs."""
    _ORIGINAL_ACCUMULATE[0](leaf, np.array(w, copy=True), _held(), False)


def _held():
    return engine._Held()


class GradArena:
    """The gradients a replay gives to leaves whose ``grad`` was None: stretches of one new flat
    array per replay (as eager makes new gradient arrays, so gradients kept from earlier calls keep
    their values), laid out in the order of the leaves' arrays in memory, so the gradients of a
    ``fused=True`` optimizer's parameters lie one after another as its flat update wants them."""

    def __init__(self, dtype, shapes):
        self.dtype, self.shapes = dtype, shapes
        self.spans, o = [], 0
        for shape in shapes:
            n = int(np.prod(shape, dtype=np.int64))
            self.spans.append((o, o + n))
            o += n
        self.total = o
        self.current = None

    def reset(self):
        """Start a replay: its first gradient makes a new array."""
        self.current = None

    def view(self, i):
        if self.current is None:
            self.current = np.empty(self.total, self.dtype)
        start, stop = self.spans[i]
        return self.current[start:stop].reshape(self.shapes[i])


def grad_landing(leaf, arena, index):
    """``leaf.grad += w`` in a replay, as the engine does it: the gradient as a new array (a stretch
    of ``arena``) when ``leaf.grad`` is None, else added into the existing gradient in place."""
    device = leaf._device
    copyto, add = np.copyto, np.add

    def land(w):
        g = leaf.grad
        if g is None:
            view = arena.view(index)
            copyto(view, w)
            leaf.grad = Tensor._make(view, device, False, None)
            return
        data = data_of(g)
        if not g._rg and data.shape == w.shape and data.dtype == w.dtype and data.flags.writeable:
            add(data, w, out=data)
            g._vc[0] += 1
            return
        accumulate_input_grad(leaf, w)

    return land


# ----- the class-level hooks ----------------------------------------------------------------
class _TracingData:
    """Tensor's array slot while a step is traced: a plain array read by this thread's tracer is
    handed out (and put back in the tensor) as a traced view."""

    def __init__(self, member):
        self.member = member

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        a = self.member.__get__(obj, cls)
        if a.__class__ is _ndarray:
            tracer = TRACING.tracer
            if tracer is not None and not tracer.paused:
                return tracer.external(obj, a)
        return a

    def __set__(self, obj, value):
        self.member.__set__(obj, value)


def _reading(name):
    original = getattr(Tensor, name)

    def method(self, *args, **kwargs):
        tracer = TRACING.tracer
        if tracer is not None and not tracer.paused and isinstance(raw_data(self), TracedArray):
            tracer.value_read(f"Tensor.{name}()", raw_data(self))
            tracer.paused += 1
            try:
                return original(self, *args, **kwargs)
            finally:
                tracer.paused -= 1
        return original(self, *args, **kwargs)

    method.__name__ = name
    return original, method


def _creating(name):
    original = getattr(np, name)

    def create(*args, **kwargs):
        tracer = TRACING.tracer
        if tracer is None or tracer.paused:
            return original(*args, **kwargs)
        return tracer.record(original, args, kwargs)

    create.__name__ = name
    return original, create


def _converting(name):
    original = getattr(np, name)

    def convert(*args, **kwargs):
        tracer = TRACING.tracer
        if tracer is None or tracer.paused or not _holds_traced(args):
            return original(*args, **kwargs)
        return tracer.record(original, args, kwargs)

    convert.__name__ = name
    return original, convert


def _holds_traced(x):
    if isinstance(x, TracedArray):
        return True
    if x.__class__ is tuple or x.__class__ is list:
        return any(_holds_traced(a) for a in x)
    return False


_ORIGINAL_ACCUMULATE = [engine._accumulate]
# NumPy's conversions (not dispatched to the array's class): a copy or view made by them of a
# traced array is recorded, not a plain array the tracer would lose.
_CONVERTERS = ("array", "asarray", "asanyarray", "ascontiguousarray", "asfortranarray")
# NumPy's functions that make a new array without a traced argument (so nothing tells the tracer):
# an op that fills such an array (a scatter, im2col: ``buf[i] = x``) must have it recorded.  One
# that nothing writes into is made once, when the replay is built (program.py).
_CREATORS = ("zeros", "ones", "empty", "full", "arange", "eye", "identity", "linspace", "indices", "tri",
             "zeros_like", "ones_like", "empty_like", "full_like")
_READERS = ("item", "numpy", "tolist", "__array__")
_HOOKS = {"depth": 0, "saved": {}}


def _accumulate_hook(leaf, g, passed, create_graph):
    tracer = TRACING.tracer
    if tracer is None or tracer.paused:
        return _ORIGINAL_ACCUMULATE[0](leaf, g, passed, create_graph)
    return tracer.accumulate(leaf, g, passed, create_graph)


def _install_hooks():
    if _HOOKS["depth"] == 0:
        saved = _HOOKS["saved"]
        saved[DATA_SLOT] = Tensor.__dict__[DATA_SLOT]
        setattr(Tensor, DATA_SLOT, _TracingData(saved[DATA_SLOT]))
        for name in _READERS:
            saved[name], hooked = _reading(name)
            setattr(Tensor, name, hooked)
        engine._accumulate = _accumulate_hook
        for name in _CREATORS:
            saved["np." + name], hooked = _creating(name)
            setattr(np, name, hooked)
        for name in _CONVERTERS:
            saved["np." + name], hooked = _converting(name)
            setattr(np, name, hooked)
    _HOOKS["depth"] += 1


def _remove_hooks():
    _HOOKS["depth"] -= 1
    if _HOOKS["depth"] == 0:
        saved = _HOOKS["saved"]
        setattr(Tensor, DATA_SLOT, saved.pop(DATA_SLOT))
        for name in _READERS:
            setattr(Tensor, name, saved.pop(name))
        engine._accumulate = _ORIGINAL_ACCUMULATE[0]
        for name in _CREATORS + _CONVERTERS:
            setattr(np, name, saved.pop("np." + name))


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
