"""Where the gradients a compiled step makes land: ``leaf.grad += w`` as the engine does it, while
tracing (into a buffer the step owns) and in a replay (a new flat array per replay, see
:class:`GradArena`).
"""
from __future__ import annotations

import numpy as np

from .. import engine
from ..tensor import Tensor
from .records import data_of, raw_data

__all__ = ["GradArena", "accumulate_grad", "accumulate_input_grad", "grad_landing"]

ENGINE_ACCUMULATE = engine._accumulate  # the engine's own, whatever the hooks put there while tracing


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
    ENGINE_ACCUMULATE(leaf, np.array(w, copy=True), _held(), False)


def accumulate_input_grad(leaf, w):
    """``accumulate_grad`` for an input of the step: a new array each call, since the caller may
    keep the gradients of earlier inputs.  Returns the leaf's gradient array."""
    ENGINE_ACCUMULATE(leaf, np.array(w, copy=True), _held(), False)
    return data_of(leaf.grad)


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
        """Returns the leaf's gradient array, which later operations of the replay read."""
        g = leaf.grad
        if g is None:
            view = arena.view(index)
            copyto(view, w)
            leaf.grad = Tensor._make(view, device, False, None)
            return view
        data = data_of(g)
        if not g._rg and data.shape == w.shape and data.dtype == w.dtype and data.flags.writeable:
            add(data, w, out=data)
            g._vc[0] += 1
            return data
        return accumulate_input_grad(leaf, w)

    return land
