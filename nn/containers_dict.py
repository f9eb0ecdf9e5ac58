"""Containers by name and of parameters: ``ModuleDict``, ``ParameterList``, ``ParameterDict``.

Like PyTorch's: what they hold is registered, so ``parameters()``, ``state_dict()``, ``to()``
and ``named_modules()`` see it; keys become the state-dict names (``experts.a.weight``,
``scales.0``).  None has a ``forward``.
"""
from __future__ import annotations

from collections.abc import Mapping

import minigrad as mg

from .containers import _check_module, _index
from .module import Module
from .parameter import Parameter

__all__ = ["ModuleDict", "ParameterList", "ParameterDict"]


def _pairs(items, where):
    """(key, value) pairs from a mapping or an iterable of pairs."""
    if isinstance(items, (Mapping, ModuleDict, ParameterDict)):
        return list(items.items())
    pairs = []
    for i, kv in enumerate(items):
        if not isinstance(kv, (tuple, list)) or len(kv) != 2:
            raise TypeError(f"{where}: item {i} must be a (key, value) pair, got {type(kv).__name__}")
        pairs.append(tuple(kv))
    return pairs


def _as_parameter(value, where):
    """Parameters stay; other Tensors become Parameters (PyTorch's ParameterList/Dict do the same)."""
    if isinstance(value, Parameter) or value is None:
        return value
    if isinstance(value, mg.Tensor):
        return Parameter(value)
    raise TypeError(f"{where}: expected an nn.Parameter or Tensor, got {type(value).__name__}")


class _NoForward:
    def forward(self, *args, **kwargs):
        """Containers have no forward: index them in your module's forward (raises NotImplementedError)."""
        raise NotImplementedError(f"{type(self).__name__} has no forward(); index it in your module's forward")


class ModuleDict(_NoForward, Module):
    """An ordered dict of registered sub-modules: ``d['enc'] = nn.Linear(4, 2)``.

    Keys are strings without '.'; ``keys()``, ``values()``, ``items()`` and iteration (over
    keys) keep insertion order.
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, _check_module(module, "ModuleDict"))

    def __delitem__(self, key):
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def keys(self):
        """The keys, in insertion order."""
        return self._modules.keys()

    def values(self):
        """The modules, in insertion order."""
        return self._modules.values()

    def items(self):
        """(key, module) pairs, in insertion order."""
        return self._modules.items()

    def clear(self):
        """Remove every module."""
        self._modules.clear()

    def pop(self, key):
        """Remove ``key`` and return its module."""
        return self._modules.pop(key)

    def update(self, modules):
        """Add (or replace) modules from a mapping or an iterable of (key, module) pairs."""
        for key, m in _pairs(modules, "ModuleDict.update"):
            self[key] = m


class ParameterList(_NoForward, Module):
    """A list of registered parameters (named "0", "1", ... in the state dict).

    Tensors that are not Parameters are wrapped as Parameters (requires_grad=True) on entry.
    """

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def __getitem__(self, idx):
        params = list(self._parameters.values())
        if isinstance(idx, slice):
            return ParameterList(params[idx])
        return params[_index(idx, len(params), "ParameterList")]

    def __setitem__(self, idx, value):
        i = _index(idx, len(self._parameters), "ParameterList")
        self._parameters[str(i)] = _as_parameter(value, "ParameterList")

    def __iadd__(self, values):
        return self.extend(values)

    def append(self, value):
        """Add one parameter at the end; returns self."""
        self._parameters[str(len(self._parameters))] = _as_parameter(value, "ParameterList.append")
        return self

    def extend(self, values):
        """Add each of ``values`` at the end; returns self."""
        for v in values:
            self.append(v)
        return self

    def extra_repr(self):
        return ", ".join(f"({i}): {tuple(p.shape)}" for i, p in enumerate(self))


class ParameterDict(_NoForward, Module):
    """An ordered dict of registered parameters: ``d['scale'] = nn.Parameter(mg.ones(3))``.

    Tensors that are not Parameters are wrapped as Parameters on entry; keys are strings
    without '.'.
    """

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key):
        return self._parameters[key]

    def __setitem__(self, key, value):
        self.register_parameter(key, _as_parameter(value, "ParameterDict"))

    def __delitem__(self, key):
        del self._parameters[key]

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters)

    def __contains__(self, key):
        return key in self._parameters

    def keys(self):
        """The keys, in insertion order."""
        return self._parameters.keys()

    def values(self):
        """The parameters, in insertion order."""
        return self._parameters.values()

    def items(self):
        """(key, parameter) pairs, in insertion order."""
        return self._parameters.items()

    def clear(self):
        """Remove every parameter."""
        self._parameters.clear()

    def pop(self, key):
        """Remove ``key`` and return its parameter."""
        return self._parameters.pop(key)

    def get(self, key, default=None):
        """The parameter under ``key``, or ``default``."""
        return self._parameters.get(key, default)

    def update(self, parameters):
        """Add (or replace) parameters from a mapping or an iterable of (key, value) pairs."""
        for key, p in _pairs(parameters, "ParameterDict.update"):
            self[key] = p

    def extra_repr(self):
        return ", ".join(f"({k}): {tuple(p.shape)}" for k, p in self.items())

