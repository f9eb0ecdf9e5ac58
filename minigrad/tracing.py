"""What the compiled mode (:mod:`minigrad.compiler`) needs from the lowest floor: the slot that
holds the active tracer of this thread, and the ``replayed_whole`` decorator.

Most of a training step is array arithmetic, which the tracer records op by op.  A few calls
are Python that must run again, as a whole, on every replay: an optimizer's ``step`` (it reads
the learning rate and its step count, which change between calls), ``zero_grad``, a
scheduler's ``step``, a random draw (a fresh dropout mask each step), an input check that
reads values (labels in range).  Such a function is decorated with ``replayed_whole``: called
while a step is being traced, the tracer records the call itself (with its arguments) instead
of the array ops inside it, runs it once, and every replay calls it again.  Outside tracing
the decorator costs one attribute read.

This module imports nothing from minigrad, so any floor (``random``, the ops, ``nn``,
``optim``) can use it.
"""
from __future__ import annotations

import functools
import threading

__all__ = ["MODES", "TRACING", "modes_changed", "replayed_whole", "tracing"]


class _Tracing(threading.local):
    """``tracer``: the tracer recording this thread's step, or None (the usual case)."""

    def __init__(self):
        self.tracer = None


TRACING = _Tracing()

#: A counter bumped whenever a module switches between training and evaluation (``nn.Module.train``
#: / ``eval`` call :func:`modes_changed`): a compiled step then checks which mode its modules are
#: in, since that decides what it computes.
MODES = [0]


def modes_changed() -> None:
    """Tell compiled steps that some module's ``training`` flag may have changed."""
    MODES[0] += 1


def tracing() -> bool:
    """Whether a step is being traced by :func:`minigrad.compile` in this thread right now."""
    return TRACING.tracer is not None


def replayed_whole(fn):
    """Mark ``fn`` as a unit the compiled mode calls again on every replay (see the module's
    docstring).  ``fn``'s return value may be None, an array or a Tensor (a random draw)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        tracer = TRACING.tracer
        if tracer is None or tracer.paused:  # paused: inside another whole call, which the replay repeats
            return fn(*args, **kwargs)
        return tracer.call_whole(fn, args, kwargs)

    wrapper.__replayed_whole__ = fn
    return wrapper
