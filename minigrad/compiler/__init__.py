"""The compiled mode: ``minigrad.compile(step)`` traces a training step once and replays its array
program with planned buffers (see :func:`minigrad.compiler.compiled.compile`).

It sits beside the engine: the tracer (:mod:`.tracer`) records the arrays the ops and the
engine compute, through :class:`~.traced.TracedArray`; :mod:`.program` plans the buffers and
generates the replay; :mod:`.compiled` holds the cache of signatures and the guards.
"""
from .compiled import CompiledFunction, CompileStats, compile
from .tracer import CompileError

__all__ = ["CompileError", "CompileStats", "CompiledFunction", "compile"]
