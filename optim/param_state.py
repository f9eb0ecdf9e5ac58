"""``ParamState``: an optimizer's per-parameter state, keyed by the parameter Tensors.

Its own module so that the optimizer base class and the checkpoint packing (``_checkpoint``)
both import it from below, with no loop between them.
"""
from __future__ import annotations

import copy

__all__ = ["ParamState"]


class ParamState:
    """The per-parameter state: ``opt.state[p]`` is the dict of running quantities of ``p``.

    Like PyTorch's ``defaultdict(dict)``: reading a parameter without state gives a new empty
    dict.  Keys are the parameter Tensors themselves (by identity).
    """

    def __init__(self):
        self._d = {}  # id(param) -> (param, state dict)

    def __getitem__(self, p):
        entry = self._d.get(id(p))
        if entry is None:
            entry = self._d[id(p)] = (p, {})
        return entry[1]

    def __contains__(self, p):
        return id(p) in self._d

    def __len__(self):
        return len(self._d)

    def __iter__(self):
        return (p for p, _ in self._d.values())

    def get(self, p, default=None):
        entry = self._d.get(id(p))
        return default if entry is None else entry[1]

    def items(self):
        return list(self._d.values())

    def __repr__(self):
        return f"ParamState({len(self._d)} parameters)"

    # keys are ids: copies and pickles must re-key by the copied parameters' new ids
    def __getstate__(self):
        return list(self._d.values())

    def __setstate__(self, entries):
        self._d = {id(p): (p, st) for p, st in entries}

    def __deepcopy__(self, memo):
        new = ParamState.__new__(ParamState)
        new.__setstate__(copy.deepcopy(list(self._d.values()), memo))
        return new
