"""Containers: ``Sequential`` (a chain of modules) and ``ModuleList`` (a list of registered modules)."""
from __future__ import annotations

from collections import OrderedDict

from ._deep import flat_sequence
from .module import Module

__all__ = ["Sequential", "ModuleList"]


class Sequential(Module):
    """Modules applied one after another: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    Children are named "0", "1", ... or by the keys of an ``OrderedDict`` argument.

    Examples
    --------
    >>> import nn
    >>> model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))
    >>> model
    Sequential(
      (0): Linear(in_features=4, out_features=3, bias=True)
      (1): ReLU()
      (2): Linear(in_features=3, out_features=1, bias=True)
    )
    >>> model.num_parameters()
    19
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], (dict, OrderedDict)):
            for name, m in modules[0].items():
                self.add_module(str(name), _check_module(m, "Sequential"))
        else:
            for i, m in enumerate(modules):
                self.add_module(str(i), _check_module(m, "Sequential"))

    def forward(self, x):
        """x passed through each module in order: ``c(b(a(x)))`` for ``Sequential(a, b, c)``."""
        mods = self._modules.values()
        for m in mods:
            if isinstance(m, Sequential):  # nested plain Sequentials run in one loop: any depth works
                for m in flat_sequence(self, Sequential, Module):
                    x = m(x)
                return x
        for m in mods:  # the common case, with no generator per call
            x = m(x)
        return x

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, idx):
        items = list(self._modules.items())
        if isinstance(idx, slice):
            return Sequential(OrderedDict(items[idx]))
        return items[_index(idx, len(items), "Sequential")][1]

    def append(self, module):
        """Add ``module`` at the end of the chain (registered under the next index); returns self."""
        self.add_module(str(len(self._modules)), _check_module(module, "Sequential.append"))
        return self


class ModuleList(Module):
    """A list whose modules are registered (their parameters are the list's parameters).

    Use it for a variable number of layers; it has no ``forward`` of its own.
    """

    def __init__(self, modules=()):
        super().__init__()
        self.extend(modules)

    def _renumber(self, mods):
        self._modules.clear()
        for i, m in enumerate(mods):
            self._modules[str(i)] = m

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, idx):
        mods = list(self._modules.values())
        if isinstance(idx, slice):
            return ModuleList(mods[idx])
        return mods[_index(idx, len(mods), "ModuleList")]

    def __setitem__(self, idx, module):
        mods = list(self._modules.values())
        mods[_index(idx, len(mods), "ModuleList")] = _check_module(module, "ModuleList")
        self._renumber(mods)

    def __delitem__(self, idx):
        mods = list(self._modules.values())
        del mods[idx if isinstance(idx, slice) else _index(idx, len(mods), "ModuleList")]
        self._renumber(mods)

    def __iadd__(self, modules):
        return self.extend(modules)

    def append(self, module):
        """Add ``module`` at the end of the list (registered under the next index); returns self."""
        self._modules[str(len(self._modules))] = _check_module(module, "ModuleList.append")
        return self

    def extend(self, modules):
        """Append every module of the iterable ``modules``, in order; returns self."""
        for m in modules:
            self.append(m)
        return self

    def insert(self, index, module):
        """Insert ``module`` before position ``index``; later modules are renumbered."""
        mods = list(self._modules.values())
        mods.insert(index, _check_module(module, "ModuleList.insert"))
        self._renumber(mods)

    def forward(self, *args, **kwargs):
        """A ModuleList is not callable: it raises ``NotImplementedError``; call its modules in your own forward."""
        raise NotImplementedError("ModuleList has no forward(); iterate over it in your module's forward")


def _check_module(m, where):
    if not isinstance(m, Module):
        raise TypeError(f"{where}: expected an nn.Module, got {type(m).__name__}")
    return m


def _index(idx, n, where):
    idx = int(idx)
    if not -n <= idx < n:
        raise IndexError(f"{where}: index {idx} is out of range for {n} modules")
    return idx % n
