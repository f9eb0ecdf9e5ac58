"""``minigrad.nn`` and ``minigrad.optim``: the top-level ``nn`` and ``optim`` packages under PyTorch's names.

Why aliases, not copies or imports: ``nn`` and ``optim`` live at the repository root (the layout
the project asks for) and build on ``minigrad``; ``minigrad``'s engine must never import them
(that would be a loop, and would make ``import minigrad`` load every layer and optimizer).  Yet
a ported PyTorch script writes ``import minigrad as torch`` and then ``torch.nn.Linear``,
``import torch.nn.functional as F`` or ``from torch.optim.lr_scheduler import StepLR``.

So the package front resolves those names lazily and to the SAME module objects:

* ``minigrad.nn`` as an attribute goes through ``minigrad.__getattr__`` (``nn`` is in its lazy
  names), which imports ``minigrad.nn`` -- only on first use;
* ``import minigrad.nn.functional`` (any depth) goes through :class:`AliasFinder`, a meta-path
  finder installed by ``import minigrad``: it imports the real module (``nn.functional``) and
  hands that very object to the import system as ``minigrad.nn.functional``.

Nothing is copied: ``minigrad.nn.Linear is nn.Linear`` and ``sys.modules['minigrad.nn.functional']
is sys.modules['nn.functional']``, so isinstance checks, monkeypatching and pickling see one class.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys

__all__ = ["ALIASED", "AliasFinder", "install"]

#: alias prefix -> real top-level package
ALIASED = {"minigrad.nn": "nn", "minigrad.optim": "optim"}


def _target(fullname):
    """The real module name behind ``fullname`` (``minigrad.nn.functional`` -> ``nn.functional``), or None."""
    for alias, real in ALIASED.items():
        if fullname == alias or fullname.startswith(alias + "."):
            return real + fullname[len(alias):]
    return None


class AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``minigrad.nn[.x.y]`` / ``minigrad.optim[.x]`` and loads them as the real modules."""

    def find_spec(self, fullname, path=None, target=None):
        real = _target(fullname)
        if real is None:
            return None
        if importlib.util.find_spec(real) is None:
            return None  # not there (e.g. nn/ missing): a plain ModuleNotFoundError follows
        return importlib.machinery.ModuleSpec(fullname, self, loader_state=real)

    def create_module(self, spec):
        module = importlib.import_module(spec.loader_state)
        spec.loader_state = (spec.loader_state, module.__spec__)
        return module  # the real module object, not a new one

    def exec_module(self, module):
        # the import system wrote the alias spec onto the module; give it back its own
        real_spec = module.__spec__.loader_state[1]
        module.__spec__ = real_spec


def install():
    """Put one :class:`AliasFinder` at the front of ``sys.meta_path`` (idempotent)."""
    if not any(isinstance(f, AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder())
