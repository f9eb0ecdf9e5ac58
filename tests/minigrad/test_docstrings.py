"""Every public function, method and class of minigrad, nn and optim says what it computes.

The walk is generic, so ops and modules added later are covered without touching this file:

- the public names of ``minigrad`` (``dir``), ``minigrad.ops`` (``OPS``), its subpackages ``data``,
  ``train``, ``tune``, ``testing``, and ``nn``, ``nn.functional``, ``nn.init``, ``optim``,
  ``optim.lr_scheduler`` (``__all__`` where a module defines it, else every public name), and of any
  submodule a walked module lists in its ``__all__``;
- every public method and property of each public class found there (``Tensor`` included), wherever in
  our own class hierarchy it is defined.

Only objects defined in our own packages are checked: a class or function re-exported from Python or
NumPy, and a method a class inherits from ``object``, ``Exception`` or another outside class, is theirs
to document (see ``_ours`` and ``_owner``).  A class needs a docstring of its own (``help`` would show
its parent's otherwise); a method may inherit one from the method it overrides, as ``help`` shows it
(``inspect.getdoc``).  "Missing" means no docstring or one shorter than ``MIN_CHARS`` characters.
A second check parses every source file and fails on a computed docstring (``__doc__ = ...``).
"""
from __future__ import annotations

from paths import ROOT
import ast
import importlib
import inspect
from pathlib import Path

import pytest

import minigrad as mg

MIN_CHARS = 15
OURS = ("minigrad", "nn", "optim")
MODULES = ("minigrad", "minigrad.ops", "minigrad.data", "minigrad.train", "minigrad.tune", "minigrad.testing", "nn",
           "nn.functional", "nn.init", "optim", "optim.lr_scheduler")


def _module(name):
    """The module, or None for ``minigrad.testing`` where Hypothesis (which it needs) is missing."""
    if name == "minigrad.testing":
        try:
            import hypothesis  # noqa: F401
        except ImportError:
            return None
    return importlib.import_module(name)


def _ours(obj):
    """Whether ``obj`` is defined in minigrad, nn or optim (not re-exported from elsewhere)."""
    module = getattr(obj, "__module__", None) or ""
    return module.split(".")[0] in OURS


def _public_names(module):
    """``OPS`` for minigrad.ops, else ``__all__`` where the module defines it, else every public name."""
    names = getattr(module, "OPS", None) if module.__name__ == "minigrad.ops" else None
    names = names or getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
    return list(names)


def _public_objects():
    """(qualified name, object) for every public function and class of the walked modules.

    Besides ``MODULES``, a submodule that a walked module lists in its ``__all__`` (``nn.functional``,
    a future ``nn.utils``) is walked too.
    """
    found, queue, walked = {}, list(MODULES), set()
    while queue:
        mod_name = queue.pop(0)
        module = None if mod_name in walked else _module(mod_name)
        walked.add(mod_name)
        if module is None:
            continue
        for name in _public_names(module):
            obj = getattr(module, name)
            if inspect.ismodule(obj) and name in getattr(module, "__all__", ()):
                queue.append(obj.__name__)
            elif (inspect.isclass(obj) or inspect.isroutine(obj)) and _ours(obj):
                found.setdefault(f"{mod_name}.{name}", obj)
    return found


def _owner(cls, name):
    """The class of ``cls``'s MRO whose own namespace defines ``name``."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return klass
    return None


def _members(cls):
    """(owner class, name, member) for the public methods and properties ``cls`` has from our classes."""
    out = []
    for name in dir(cls):
        if name.startswith("_"):
            continue
        owner = _owner(cls, name)
        if owner is None or not _ours(owner):
            continue
        raw = vars(owner)[name]
        member = raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw
        if isinstance(member, property) or inspect.isroutine(member):
            out.append((owner, name, member))
    return out


def _member_doc(owner, name, member):
    if isinstance(member, property):
        return member.__doc__
    return inspect.getdoc(getattr(owner, name))  # as help() shows it: inherited from an overridden method


def _missing(doc):
    return doc is None or len(doc.strip()) < MIN_CHARS


def _undocumented():
    """Sorted names of the public objects without a docstring; a member is named by the class defining it."""
    missing = set()
    objects = _public_objects()
    objects.setdefault("minigrad.Tensor", mg.Tensor)
    for qualname, obj in objects.items():
        if not inspect.isclass(obj):
            if _missing(obj.__doc__):
                missing.add(qualname)
            continue
        if _missing(vars(obj).get("__doc__")):
            missing.add(qualname)
        for owner, name, member in _members(obj):
            if _missing(_member_doc(owner, name, member)):
                missing.add(f"{owner.__module__}.{owner.__qualname__}.{name}")
    return sorted(missing)


def test_the_walk_sees_the_public_api():
    """The walk is not vacuous: it reaches functions, classes, Tensor methods and module methods."""
    objects = _public_objects()
    for name in ("minigrad.exp", "minigrad.relu", "minigrad.zeros", "minigrad.Tensor", "nn.Linear",
                 "nn.functional.relu", "nn.init.kaiming_uniform_", "optim.Adam", "minigrad.data.minibatches"):
        assert name in objects, name
    tensor_members = {name for _, name, _ in _members(mg.Tensor)}
    assert {"exp", "sum", "backward", "reshape", "shape"} <= tensor_members
    linear_members = {name for _, name, _ in _members(objects["nn.Linear"])}
    assert {"forward", "parameters", "state_dict"} <= linear_members


def test_a_missing_docstring_is_caught():
    """The check itself can fail: an undocumented class and method are reported, a short docstring too."""

    class Undocumented:
        def method(self):
            pass

    Undocumented.__module__ = "minigrad.fake"
    assert _missing(vars(Undocumented).get("__doc__"))
    assert [n for o, n, m in _members(Undocumented) if _missing(_member_doc(o, n, m))] == ["method"]
    assert _missing("x = a + b") and not _missing("z = e^a, elementwise.")


def _doc_assignments(source):
    """Line numbers where ``source`` assigns a ``__doc__`` (a docstring tools cannot read statically)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
        for t in targets:
            name = t.id if isinstance(t, ast.Name) else getattr(t, "attr", None)
            if name == "__doc__":
                lines.append(node.lineno)
    return lines


def test_the_docstring_check_sees_computed_docstrings():
    assert _doc_assignments("class A:\n    __doc__ = B.__doc__.replace('a', 'b')\n") == [2]
    assert _doc_assignments("f.__doc__ += 'more'\n") == [1]
    assert _doc_assignments('class A:\n    """A plain literal."""\n') == []


def test_docstrings_are_plain_literals():
    """No ``__doc__ = ...`` anywhere in minigrad, nn, optim: help() and doc tools read literals."""
    root = ROOT
    found = [f"{path.relative_to(root)}:{line}" for pkg in OURS for path in sorted((root / pkg).rglob("*.py"))
             for line in _doc_assignments(path.read_text(encoding="utf-8"))]
    assert not found, "docstrings assigned instead of written as literals: " + ", ".join(found)


def test_every_public_object_has_a_docstring():
    missing = _undocumented()
    if missing:
        pytest.fail(f"{len(missing)} public objects have no docstring (or one under {MIN_CHARS} characters):\n  "
                    + "\n  ".join(missing), pytrace=False)
