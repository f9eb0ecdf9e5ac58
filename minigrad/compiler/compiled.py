"""``minigrad.compile(fn)``: trace a training step once, replay its array program afterwards.

The life of one signature (the shapes, dtypes and devices of the input tensors, the other
arguments, grad mode and the training flags of the modules ``fn`` uses):

1. first call: ``fn`` runs eagerly while the tracer records it;
2. second call: it runs eagerly and is recorded again; the two recordings must agree (an array
   from outside minigrad's ops that changes between calls, or a different path through the
   code, is caught here), and the second becomes the :class:`~minigrad.compile.program.Program`;
3. every later call replays the program.  Before each replay the tensors it reads by reference
   (parameters, running statistics) are checked to still hold the same arrays; if one was
   replaced (``p.data = ...``), the signature is traced again.
"""
from __future__ import annotations

import functools
import warnings
from collections import OrderedDict

import numpy as np

from ..modes import STATE
from ..tensor import Tensor
from ..tracing import MODES
from .program import build, out_template, same_program
from .records import CompileError, data_of, raw_data, set_raw_data
from .tracer import Tracer
from .traced import TracedArray

__all__ = ["CompileStats", "CompiledFunction", "compile"]


class CompileStats:
    """Counts of what a compiled function did: ``calls``, ``traces`` (eager calls that recorded),
    ``replays``, ``retraces`` (a parameter replaced, so its signature was traced again),
    ``eager_calls`` (calls run eagerly after a fallback), ``evicted`` (signatures dropped from the
    bounded cache) and ``signatures`` (how many are cached now)."""

    __slots__ = ("calls", "traces", "replays", "retraces", "eager_calls", "evicted", "signatures")

    def __init__(self):
        for name in self.__slots__:
            setattr(self, name, 0)

    def as_dict(self):
        return {name: getattr(self, name) for name in self.__slots__}

    def __repr__(self):
        return "CompileStats(" + ", ".join(f"{k}={v}" for k, v in self.as_dict().items()) + ")"


class _Entry:
    __slots__ = ("first", "program", "eager")

    def __init__(self):
        self.first = self.program = None
        self.eager = False


class CompiledFunction:
    """The callable :func:`compile` returns; see its docstring."""

    def __init__(self, fn, fallback="error", cache_size=8):
        if not callable(fn):
            raise TypeError(f"compile: expected a callable step, got {type(fn).__name__}")
        if fallback not in ("error", "eager"):
            raise ValueError(f"compile: fallback must be 'error' or 'eager', got {fallback!r}")
        if not isinstance(cache_size, int) or isinstance(cache_size, bool) or cache_size < 1:
            raise ValueError(f"compile: cache_size must be a positive int, got {cache_size!r}")
        self.fn = fn
        self.fallback = fallback
        self.cache_size = cache_size
        self.stats = CompileStats()
        self._cache = OrderedDict()
        self._modules = None
        self._modes_seen = None
        self._modes_key = None
        functools.update_wrapper(self, fn)

    # ----- the signature --------------------------------------------------------------------
    def _key(self, args, kwargs):
        parts = []
        for a in args:
            if isinstance(a, Tensor):
                d = data_of(a)
                parts.append((d.shape, d.dtype, a._device, a._rg))
            else:
                parts.append(_constant_key(a))
        for k in sorted(kwargs):
            if isinstance(kwargs[k], Tensor):
                raise TypeError(f"compile: pass tensors to a compiled step positionally (got the keyword "
                                f"argument {k!r}, a Tensor of shape {tuple(kwargs[k].shape)})")
            parts.append((k, _constant_key(kwargs[k])))
        if self._modes_seen != MODES[0]:
            self._modes_key = self._module_modes()
            self._modes_seen = MODES[0]
        return tuple(parts), STATE.grad, self._modes_key

    def _module_modes(self):
        if self._modules is None:
            self._modules = _modules_used_by(self.fn)
        return tuple(tuple(m.training for m in mod.modules()) for mod in self._modules)

    # ----- calling ----------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        self.stats.calls += 1
        key = self._key(args, kwargs)
        entry = self._cache.get(key)
        if entry is None:
            entry = self._cache[key] = _Entry()
            self.stats.signatures = len(self._cache)
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
                self.stats.evicted += 1
                self.stats.signatures = len(self._cache)
        else:
            self._cache.move_to_end(key)
        if entry.eager:
            self.stats.eager_calls += 1
            return self.fn(*args, **kwargs)
        program = entry.program
        if program is not None:
            if program.guards_hold():
                self.stats.replays += 1
                tensors = [a for a in args if isinstance(a, Tensor)]
                if program.wants_tensors:
                    return program.run(*[data_of(a) for a in tensors], *tensors)
                return program.run(*[data_of(a) for a in tensors])
            entry.program = entry.first = None
            self.stats.retraces += 1
        return self._trace(entry, args, kwargs)

    def _trace(self, entry, args, kwargs):
        elsewhere = [f"{tuple(a.shape)} on '{a._device}'" for a in args
                     if isinstance(a, Tensor) and a._device.type != "cpu"]
        if elsewhere:
            return self._give_up(entry, args, kwargs, "the compiled mode runs on the 'cpu' device (NumPy) only; got "
                                 f"input tensors {', '.join(elsewhere)}")
        tracer = Tracer(self.fallback)
        self.stats.traces += 1
        with tracer:
            for i, t in enumerate(a for a in args if isinstance(a, Tensor)):
                tracer.argument(t, i)
            result = self.fn(*args, **kwargs)
            template = out_template(result, tracer)
        if tracer.poisoned is not None:
            _untrace_result(result)
            entry.eager = True
            warnings.warn(f"compile: {getattr(self.fn, '__name__', 'the step')} runs eagerly from now on for this "
                          f"signature: {tracer.poisoned} reads a value into Python while it is traced",
                          RuntimeWarning, stacklevel=3)
            return result
        returned = _as_returned(result)  # what a replay returns: copies that do not require grad
        if entry.first is None:
            tracer.lighten()
            entry.first = tracer
            return returned
        differs = same_program(entry.first, tracer)
        entry.first = None
        if differs is not None:
            _untrace_result(result)
            return self._give_up(entry, None, None, differs, result)
        n_args = sum(isinstance(a, Tensor) for a in args)
        entry.program = build(tracer, template, n_args)
        return returned

    def _give_up(self, entry, args, kwargs, why, result=None):
        if self.fallback == "error":
            raise CompileError(f"compile: cannot compile {getattr(self.fn, '__name__', 'the step')}: {why}")
        entry.eager = True
        warnings.warn(f"compile: {getattr(self.fn, '__name__', 'the step')} runs eagerly: {why}",
                      RuntimeWarning, stacklevel=3)
        if args is None:
            return result
        self.stats.eager_calls += 1
        return self.fn(*args, **kwargs)

    # ----- what users look at -----------------------------------------------------------------
    def programs(self):
        """The compiled programs, one per signature that reached its replay."""
        return [e.program for e in self._cache.values() if e.program is not None]

    @property
    def source(self):
        """The generated replay code of the most recently compiled signature (None before one)."""
        progs = self.programs()
        return progs[-1].source if progs else None

    def clear(self):
        """Forget every signature: the next call traces again."""
        self._cache.clear()
        self.stats.signatures = 0


def compile(fn=None, *, fallback="error", cache_size=8):
    """Compile a training step: trace it on its first calls, then replay the recorded array program.

    ``step = minigrad.compile(fn)`` where ``fn(*tensors)`` runs forward, the loss,
    ``backward()``, ``optimizer.step()`` (and ``zero_grad()``), like ``torch.compile`` or
    ``jax.jit``.  The first two calls with a signature (input shapes, dtypes and devices, other
    arguments, grad mode, the ``training`` flags of the modules ``fn`` refers to) run eagerly
    and are recorded; they must record the same program.  Every later call replays it: each
    array op writes into a buffer planned once (values whose lifetimes do not overlap share
    one), views are made once, and no Tensor or graph node is made per op.  ``step.source``
    shows the generated code; ``step.stats`` counts traces and replays.

    Kept on every replay: the optimizer's ``step`` and ``zero_grad``, schedulers, gradient
    clipping and random draws (fresh dropout masks, the numbers eager draws) run again as
    Python; the learning rate and step count are read then; running statistics are updated;
    parameters changed in place between calls (``load_state_dict``, ``p.data[...] = ...``) are
    seen; a parameter whose array was replaced makes the signature trace again; gradients
    accumulate across calls when ``zero_grad`` is outside ``fn``, as in eager.

    Not kept: Python side effects of ``fn`` other than those (a ``print``, appending to a list)
    happen only while tracing.  Reading a tensor's value into Python inside ``fn``
    (``item()``, ``float()``, ``numpy()``, an ``if`` on a tensor) cannot be replayed: with
    ``fallback='error'`` (default) it raises :class:`CompileError` where it happens, with
    ``fallback='eager'`` that signature runs eagerly from then on, with a warning.

    Returns the step's results as in eager, but every returned Tensor is a fresh copy that
    does not require grad.  Runs on the 'cpu' device (NumPy); elsewhere it falls back like a
    value read.  ``cache_size`` bounds the signatures kept (least recently used dropped).

    Examples
    --------
    >>> import minigrad as mg, nn, optim
    >>> mg.manual_seed(0)
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    >>> opt = optim.SGD(model.parameters(), lr=0.1)
    >>> loss_fn = nn.CrossEntropyLoss()
    >>> @mg.compile
    ... def step(x, y):
    ...     opt.zero_grad()
    ...     loss = loss_fn(model(x), y)
    ...     loss.backward()
    ...     opt.step()
    ...     return loss
    >>> x, y = mg.randn(16, 4), mg.randint(0, 3, (16,))
    >>> losses = [step(x, y).item() for _ in range(5)]
    >>> step.stats.traces, step.stats.replays
    (2, 3)
    >>> losses[4] < losses[0]
    True
    """
    if fn is None:
        return lambda f: CompiledFunction(f, fallback=fallback, cache_size=cache_size)
    return CompiledFunction(fn, fallback=fallback, cache_size=cache_size)


def _constant_key(a):
    if isinstance(a, np.ndarray):
        raise TypeError(f"compile: pass arrays to a compiled step as Tensors (got an ndarray of shape {a.shape})")
    try:
        hash(a)
    except TypeError:
        return ("id", id(a))
    return (type(a), a)


def _as_returned(x):
    """The step's result as a replay returns it: each Tensor over a traced value as a new Tensor
    over a copy of its array, not requiring grad; anything else as it is."""
    if isinstance(x, Tensor):
        a = raw_data(x)
        if isinstance(a, TracedArray):
            return Tensor._make(np.array(a.view(np.ndarray), copy=True), x._device, False, None)
        return x
    if x.__class__ in (tuple, list):
        return x.__class__(_as_returned(a) for a in x)
    if x.__class__ is dict:
        return {k: _as_returned(a) for k, a in x.items()}
    return x


def _untrace_result(x):
    if isinstance(x, Tensor):
        a = raw_data(x)
        if isinstance(a, TracedArray):
            set_raw_data(x, a.view(np.ndarray))
    elif x.__class__ in (tuple, list):
        for a in x:
            _untrace_result(a)
    elif x.__class__ is dict:
        for a in x.values():
            _untrace_result(a)


def _modules_used_by(fn):
    """The objects with a ``training`` flag and ``modules()`` that ``fn`` refers to: its closure,
    the globals it names, the object it is bound to, and their attributes one level down."""
    found, seen = [], set()

    def visit(obj, depth):
        if id(obj) in seen or obj is None:
            return
        seen.add(id(obj))
        if hasattr(obj, "training") and callable(getattr(obj, "modules", None)):
            found.append(obj)
            return
        if depth and hasattr(obj, "__dict__") and not isinstance(obj, type):
            for value in list(vars(obj).values()):
                visit(value, depth - 1)

    target = getattr(fn, "__func__", fn)
    visit(getattr(fn, "__self__", None), 1)
    for cell in getattr(target, "__closure__", None) or ():
        try:
            visit(cell.cell_contents, 1)
        except ValueError:  # an empty cell
            pass
    code = getattr(target, "__code__", None)
    glob = getattr(target, "__globals__", {})
    for name in getattr(code, "co_names", ()):
        if name in glob:
            visit(glob[name], 1)
    return found
