"""The class-level hooks a trace installs, and removes when it ends (they act only in the tracing
thread; elsewhere they call what they replaced):

* ``Tensor``'s array slot is read through a descriptor that hands out TracedArray views of plain
  arrays (and puts them back in the tensor until the end);
* the engine's ``_accumulate`` goes through the tracer (a leaf's gradient is one instruction),
  and the step's own assignments to ``.grad`` (``w.grad = None``) are recorded;
* NumPy's creators (``zeros``, ``arange``, ``..._like`` ...) and conversions (``array``,
  ``asarray`` ...) make recorded arrays;
* the Tensor methods that copy values out to Python (``item``, ``numpy``, ``tolist``) report a
  value read.
"""
from __future__ import annotations

import threading

import numpy as np

from .. import engine
from ..tensor import Tensor
from ..tracing import TRACING
from .gradients import ENGINE_ACCUMULATE
from .records import DATA_SLOT, raw_data
from .traced import TracedArray

__all__ = ["install_hooks", "remove_hooks"]

_ndarray = np.ndarray

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


class _TracingGrad:
    """Tensor's ``grad`` slot while a step is traced: an assignment made by the step itself
    (``w.grad = None`` in a hand-written loop) is recorded, so every replay makes it again."""

    def __init__(self, member):
        self.member = member

    def __get__(self, obj, cls=None):
        return self if obj is None else self.member.__get__(obj, cls)

    def __set__(self, obj, value):
        tracer = TRACING.tracer
        if tracer is None or tracer.paused or id(obj) not in tracer.outside:
            self.member.__set__(obj, value)  # (a tensor made in the step: nothing to replay)
        else:
            tracer.call_whole(set_grad, (obj, value), {})


def set_grad(tensor, value):
    """``tensor.grad = value``, as a replayed call."""
    tensor.grad = value


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


def _recording(name, only_traced):
    """NumPy's ``name`` as the tracer records it (``only_traced``: only when an argument is traced)."""
    original = getattr(np, name)

    def record(*args, **kwargs):
        tracer = TRACING.tracer
        if tracer is None or tracer.paused or (only_traced and not _holds_traced(args)):
            return original(*args, **kwargs)
        return tracer.record(original, args, kwargs)

    record.__name__ = name
    return original, record


def _holds_traced(x):
    if isinstance(x, TracedArray):
        return True
    if x.__class__ is tuple or x.__class__ is list:
        return any(_holds_traced(a) for a in x)
    return False


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
_LOCK = threading.Lock()


def _accumulate_hook(leaf, g, passed, create_graph):
    tracer = TRACING.tracer
    if tracer is None or tracer.paused:
        return ENGINE_ACCUMULATE(leaf, g, passed, create_graph)
    return tracer.accumulate(leaf, g, passed, create_graph)


def install_hooks():
    """Put the hooks in (the first of overlapping traces, in any threads, does it)."""
    with _LOCK:
        _install()


def remove_hooks():
    """Take the hooks out (the last of overlapping traces does it)."""
    with _LOCK:
        _remove()


def _install():
    if _HOOKS["depth"] == 0:
        saved = _HOOKS["saved"]
        saved[DATA_SLOT] = Tensor.__dict__[DATA_SLOT]
        setattr(Tensor, DATA_SLOT, _TracingData(saved[DATA_SLOT]))
        saved["grad"] = Tensor.__dict__["grad"]
        setattr(Tensor, "grad", _TracingGrad(saved["grad"]))
        for name in _READERS:
            saved[name], hooked = _reading(name)
            setattr(Tensor, name, hooked)
        engine._accumulate = _accumulate_hook
        for name in _CREATORS:
            saved["np." + name], hooked = _recording(name, only_traced=False)
            setattr(np, name, hooked)
        for name in _CONVERTERS:
            saved["np." + name], hooked = _recording(name, only_traced=True)
            setattr(np, name, hooked)
    _HOOKS["depth"] += 1


def _remove():
    _HOOKS["depth"] -= 1
    if _HOOKS["depth"] == 0:
        saved = _HOOKS["saved"]
        setattr(Tensor, DATA_SLOT, saved.pop(DATA_SLOT))
        setattr(Tensor, "grad", saved.pop("grad"))
        for name in _READERS:
            setattr(Tensor, name, saved.pop(name))
        engine._accumulate = ENGINE_ACCUMULATE
        for name in _CREATORS + _CONVERTERS:
            setattr(np, name, saved.pop("np." + name))
