"""``TracedArray``: a NumPy array that tells the active tracer about every operation on it.

While a step is traced, the arrays of its tensors are ``TracedArray`` views of the real arrays.
An operation on them -- a ufunc (``+``, ``np.exp``, ``matmul``, a reduction such as ``a.sum``),
a NumPy function (``np.where``, ``np.concatenate``), or a method (``reshape``, ``a[i]``,
``a[i] = v``, ``astype``) -- runs on the real arrays, and the tracer records it: what was
called, on which recorded values, with which constants, and what it produced.  Reading a
value into Python (``float(a)``, ``a.item()``, ``bool(a > 0)``) is reported to the tracer, which
refuses it or falls back to eager (a value read at trace time would be frozen into the replay).

With no tracer active (or while it runs a whole call, see
:func:`minigrad.tracing.replayed_whole`), a ``TracedArray`` computes like a plain array and
returns plain arrays.
"""
from __future__ import annotations

import numpy as np

from ..tracing import TRACING

__all__ = ["TracedArray", "plain"]

_ndarray = np.ndarray
_view = _ndarray.view


def plain(x):
    """``x`` with every TracedArray in it (also inside tuples, lists and dicts) as a plain view."""
    if isinstance(x, TracedArray):
        return _view(x, _ndarray)
    if x.__class__ is tuple or x.__class__ is list:
        return x.__class__(plain(a) for a in x)
    if x.__class__ is dict:
        return {k: plain(v) for k, v in x.items()}
    return x


def _active():
    tracer = TRACING.tracer
    return None if tracer is None or tracer.paused else tracer


# NumPy functions that read only dtypes, shapes or memory layout, never values: what they return
# holds on every replay of the signature, so they run directly and are not recorded
_METADATA = frozenset((np.result_type, np.shape, np.ndim, np.size, np.can_cast, np.min_scalar_type,
                       np.iscomplexobj, np.isrealobj, np.may_share_memory, np.shares_memory))


class TracedArray(_ndarray):
    """A view of a real array whose operations are recorded by the active tracer (``_slot``: the
    recorded value it holds; None for a view NumPy made behind the tracer's back)."""

    _slot = None

    def __array_finalize__(self, obj):
        self._slot = None

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        call = ufunc if method == "__call__" else getattr(ufunc, method)
        tracer = _active()
        if tracer is None:
            return call(*plain(inputs), **plain(kwargs))
        return tracer.record(call, inputs, kwargs, ufunc=method)

    def __array_function__(self, func, types, args, kwargs):
        tracer = _active()
        if tracer is None or func in _METADATA:
            return func(*plain(args), **plain(kwargs))
        ufunc = _REDUCTIONS.get(func)
        if ufunc is not None and _simple_reduction(args, kwargs, func):
            kw = dict(kwargs)
            if len(args) == 2:
                kw["axis"] = args[1]
            kw.setdefault("axis", None)  # the functions reduce over every axis; ufunc.reduce over axis 0
            return tracer.record(ufunc.reduce, args[:1], kw, ufunc="reduce")
        return tracer.record(func, args, kwargs)

    # ----- reading values into Python --------------------------------------------------
    def _read(self, what):
        tracer = _active()
        if tracer is not None:
            tracer.value_read(what, self)
        return _view(self, _ndarray)

    def item(self, *args):
        return self._read("item()").item(*args)

    def tolist(self):
        return self._read("tolist()").tolist()

    def __float__(self):
        return float(self._read("float()"))

    def __int__(self):
        return int(self._read("int()"))

    def __bool__(self):
        return bool(self._read("bool()"))

    def __index__(self):
        return self._read("an index").__index__()

    def __complex__(self):
        return complex(self._read("complex()"))

    def tobytes(self, *args, **kwargs):
        return self._read("tobytes()").tobytes(*args, **kwargs)

    def __repr__(self):
        return "Traced" + repr(_view(self, _ndarray))

    def __reduce__(self):
        return self._read("pickling").__reduce__()

    # ----- the array's own methods -------------------------------------------------------
    @property
    def T(self):
        return self.transpose()

    @property
    def mT(self):
        return self.swapaxes(-1, -2)


# NumPy's reduction functions are these ufuncs' ``reduce`` (the same loops, so the same bits); recorded
# as such, their results can be written into planned buffers.
_REDUCTIONS = {np.sum: np.add, np.prod: np.multiply, np.max: np.maximum, np.amax: np.maximum, np.min: np.minimum,
               np.amin: np.minimum, np.any: np.logical_or, np.all: np.logical_and}
_WITH_DTYPE = (np.sum, np.prod)


def _simple_reduction(args, kwargs, func):
    allowed = ("axis", "keepdims", "dtype") if func in _WITH_DTYPE else ("axis", "keepdims")
    return (1 <= len(args) <= 2 and isinstance(args[0], TracedArray) and all(k in allowed for k in kwargs)
            and not (len(args) == 2 and "axis" in kwargs))


def _method(name):
    base = getattr(_ndarray, name)

    def method(self, *args, **kwargs):
        tracer = _active()
        if tracer is None:
            return base(_view(self, _ndarray), *plain(args), **plain(kwargs))
        return tracer.record(base, (self,) + args, kwargs)

    method.__name__ = name
    return method


# The methods whose work is not a ufunc (those, such as sum, max, mean, var, clip, cumsum, come
# through __array_ufunc__ already).  Anything not listed is found by the tracer: its result is a
# TracedArray without a slot, which the tracer refuses to use.
_METHODS = ("reshape", "transpose", "swapaxes", "squeeze", "ravel", "flatten", "view", "diagonal", "astype",
            "copy", "fill", "argmax", "argmin", "argsort", "sort", "partition", "argpartition", "take", "put",
            "repeat", "nonzero", "searchsorted", "dot", "round", "conj", "trace", "compress", "choose",
            "__getitem__", "__setitem__", "__copy__", "__deepcopy__")
for _name in _METHODS:
    setattr(TracedArray, _name, _method(_name))
del _name
