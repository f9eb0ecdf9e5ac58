"""The import graph of the project's own modules, read from the source with ``ast`` (nothing is
imported), for the layering tests (tests/minigrad/test_import_floors.py, tests/minigrad/test_private_names.py).

Every ``.py`` file under ``minigrad/``, ``nn/`` and ``optim/`` is a module, named as Python
names it (``minigrad/ops/__init__.py`` is ``minigrad.ops``).  An import statement anywhere in a
file -- at module level or inside a function (a lazy import still closes a loop, it only hides
it) -- gives edges from that module to:

* the module it names (relative imports resolved against the file's package);
* each imported name that is itself a submodule (``from . import ops`` -> ``minigrad.ops``);
* the packages on the way that are not the importer's own ancestors (importing
  ``minigrad.data.rows`` from ``minigrad.train`` runs ``minigrad/data/__init__.py`` first).

Imports of anything outside the three packages (NumPy, the standard library) are left out.
"""
from __future__ import annotations

import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGES = ("minigrad", "nn", "optim")


def module_files(packages=PACKAGES, root=ROOT):
    """{module name: file path} for every .py file under ``packages``."""
    out = {}
    for pkg in packages:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, pkg)):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for f in sorted(filenames):
                if f.endswith(".py"):
                    rel = os.path.relpath(os.path.join(dirpath, f), root)[:-3].split(os.sep)
                    if rel[-1] == "__init__":
                        rel = rel[:-1]
                    out[".".join(rel)] = os.path.join(dirpath, f)
    return out


def is_package(name, files):
    return files.get(name, "").endswith("__init__.py")


def resolve(module, node, files):
    """The absolute module name an ``ImportFrom`` node in ``module`` refers to."""
    if not node.level:
        return node.module
    package = module if is_package(module, files) else module.rpartition(".")[0]
    parts = package.split(".")
    base = parts[:len(parts) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module, tree, files):
    """[(imported module, ast node, [names])] for every import statement in ``tree``."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.append((alias.name, node, []))
        elif isinstance(node, ast.ImportFrom):
            out.append((resolve(module, node, files), node, [a.name for a in node.names]))
    return out


def targets(importer, imported, names, files):
    """The project modules an import of ``imported`` (and ``names`` from it) runs."""
    found = []
    parts = imported.split(".")
    for i in range(1, len(parts) + 1):
        name = ".".join(parts[:i])
        if name in files and not (importer == name or importer.startswith(name + ".")):
            found.append(name)
    for n in names:
        sub = f"{imported}.{n}"
        if sub in files and sub != importer:
            found.append(sub)
    return found


def import_graph(files=None):
    """{module: set of project modules it imports}."""
    files = module_files() if files is None else files
    graph = {}
    for module, path in files.items():
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read(), path)
        edges = set()
        for imported, _, names in imports_of(module, tree, files):
            edges.update(targets(module, imported, names, files))
        graph[module] = edges
    return graph


def cycles(graph):
    """The strongly connected components with more than one module (or a self-import),
    each as a sorted list: every import loop lies inside one of them (Tarjan, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, it = work[-1]
            for nxt in it:
                if nxt not in graph:
                    continue
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        m = stack.pop()
                        on_stack.discard(m)
                        comp.append(m)
                        if m == node:
                            break
                    if len(comp) > 1 or node in graph[node]:
                        found.append(sorted(comp))
    return found


def one_loop(graph, component):
    """One concrete loop through ``component`` (a list of module names), for the message."""
    members = set(component)
    start = component[0]
    path, seen = [start], {start}
    node = start
    while True:
        nxt = sorted(n for n in graph[node] if n in members)
        back = [n for n in nxt if n == start]
        if back and len(path) > 1 or node in graph[node]:
            return path + [start]
        fresh = [n for n in nxt if n not in seen]
        if not fresh:
            return path + [nxt[0]] if nxt else path
        node = fresh[0]
        path.append(node)
        seen.add(node)
