"""What a trace is made of: the values (:class:`Value`), the instructions (:class:`Instr`), the
references to values in an instruction's arguments (:class:`Ref`, :class:`TensorRef`,
:class:`ArgTensor`), the error (:class:`CompileError`), and how the compiled mode reads a
Tensor's array past the tracing hook (``raw_data``) or at C speed in a replay (``data_of``).
"""
from __future__ import annotations

from operator import attrgetter

from ..tensor import Tensor

__all__ = ["ArgTensor", "CompileError", "DATA_SLOT", "Instr", "Ref", "TensorRef", "Value", "data_of", "raw_data",
           "set_raw_data"]

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
        collect_refs(self.args, found)
        collect_refs(self.kwargs, found)
        return found

    def describe(self):
        return getattr(self.call, "__qualname__", None) or getattr(self.call, "__name__", repr(self.call))


def collect_refs(x, found):
    """Append to ``found`` the id of every value referred to in ``x`` (arguments, nested)."""
    if isinstance(x, Ref):
        found.append(x.id)
    elif x.__class__ in (tuple, list):
        for a in x:
            collect_refs(a, found)
    elif x.__class__ is dict:
        for a in x.values():
            collect_refs(a, found)


def raw_data(t):
    """A Tensor's array, read past the tracing hook."""
    return _MEMBER[0].__get__(t, Tensor)


def set_raw_data(t, a):
    _MEMBER[0].__set__(t, a)


_MEMBER = [Tensor.__dict__[DATA_SLOT]]
#: A Tensor's array outside tracing (a replay): the plain attribute read, at C speed.
data_of = attrgetter(DATA_SLOT)
