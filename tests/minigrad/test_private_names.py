"""The packages above the core use only public names of the packages they stand on.

Checked files: everything under ``nn/``, ``optim/``, ``minigrad/train/``, ``minigrad/data/`` and
``minigrad/tune/``.  Each of these five is a *unit*; the rest of ``minigrad`` (the core) is a
sixth.  Inside its own unit a file may use anything; across units the test fails on:

1. importing a private module of another unit (``from ..data._rows import x``,
   ``import minigrad.ops._helpers``): any component after the unit that starts with ``_``;
2. importing a private name from another unit (``from minigrad.device import _host_numpy``);
3. a private attribute of a module imported from another unit (``mg._something``,
   ``ops._helper``);
4. a private attribute of a Tensor or a Device, on any object (``p._device``, ``t._make``,
   ``g._rg``, ``dev._strict_via_host``): the private names are read from the classes
   themselves (their ``__slots__`` and ``_``-prefixed members), so new ones are covered.

Dunder names (``__init__``, ``__version__``) are public.  Static reading (``ast``) cannot know
every object's type, hence rule 4 keys on the names Tensor and Device keep private.
"""
from __future__ import annotations

import ast
import os

import _import_graph as ig

import minigrad as mg

CHECKED = ("nn", "optim", "minigrad.train", "minigrad.data", "minigrad.tune")


def _unit(module):
    for u in CHECKED:
        if module == u or module.startswith(u + "."):
            return u
    return module.split(".")[0] if module.split(".")[0] in ig.PACKAGES else None


def _private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _class_private_names():
    names = set()
    for cls in (mg.Tensor, mg.Device):
        for klass in cls.__mro__[:-1]:
            names.update(n for n in list(vars(klass)) + list(getattr(klass, "__slots__", ())) if _private(n))
    return names


def violations(module, source, private_attrs, files):
    """['line N: what'] for the uses of another unit's private names in ``source``."""
    unit = _unit(module)
    tree = ast.parse(source)
    found = []
    foreign_modules = set()  # local names bound to modules of another unit
    for imported, node, names in ig.imports_of(module, tree, files):
        other = _unit(imported)
        if other is None or other == unit:
            continue
        rest = imported.split(".")[len(other.split(".")):]
        if any(_private(p) for p in rest):
            found.append(f"line {node.lineno}: imports the private module {imported}")
        for alias in node.names:
            if isinstance(node, ast.ImportFrom):
                if _private(alias.name):
                    found.append(f"line {node.lineno}: imports the private name {alias.name} from {imported}")
                if f"{imported}.{alias.name}" in files or imported in files:
                    foreign_modules.add(alias.asname or alias.name)
            else:
                foreign_modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            if isinstance(node.value, ast.Name) and node.value.id in foreign_modules:
                found.append(f"line {node.lineno}: uses {node.value.id}.{node.attr}, private to another package")
            elif node.attr in private_attrs:
                found.append(f"line {node.lineno}: uses .{node.attr}, private to Tensor/Device")
    return found


def _checked_files():
    files = ig.module_files()
    return files, {m: p for m, p in files.items() if _unit(m) in CHECKED}


def test_packages_above_the_core_use_only_public_names():
    files, checked = _checked_files()
    assert {_unit(m) for m in checked} == set(CHECKED)
    attrs = _class_private_names()
    assert {"_device", "_make", "_rg", "_node", "_vc"} <= attrs
    report = []
    for module, path in sorted(checked.items()):
        with open(path, encoding="utf-8") as fh:
            report += [f"{os.path.relpath(path, ig.ROOT)} {v}" for v in violations(module, fh.read(), attrs, files)]
    assert not report, "\n".join(report)


def test_checker_flags_each_kind_of_private_use():
    files, _ = _checked_files()
    attrs = _class_private_names()
    source = (
        "import minigrad as mg\n"
        "from minigrad.device import _host_numpy\n"         # rule 2
        "from ..data._rows import as_data\n"                # rule 1 (relative, from minigrad.train)
        "from minigrad import ops\n"
        "from .metrics import _private_helper\n"            # own unit: allowed
        "x = mg._make\n"                                     # rule 3
        "y = ops._helper\n"                                  # rule 3
        "z = p._device\n"                                    # rule 4
        "w = self._own_state\n"                              # an own attribute: allowed
        "v = mg.__version__\n"                               # dunder: public
    )
    found = violations("minigrad.train.trainer", source, attrs, files)
    assert [f.split(":")[0] for f in found] == ["line 2", "line 3", "line 6", "line 7", "line 8"], found
    assert violations("nn.module", "from minigrad.tensor import Tensor\nt = Tensor.wrap\n", attrs, files) == []
    assert violations("nn.module", "from ..functional.basic import _drop\n", attrs, files) == []  # own unit
