"""The house's layering, read from the source (tests/support/_import_graph.py): no import loop anywhere
in ``minigrad/``, ``nn/`` and ``optim/`` (lazy imports inside functions included), the core's
floors each importing only the floors below, and ``minigrad`` never importing ``nn``/``optim``.
New files are covered as they appear: the graph is built from every .py file found."""
from __future__ import annotations

import textwrap

import _import_graph as ig

# The core, bottom to top (DESIGN.md): a module may import its own floor and the floors below.
FLOORS = [
    ("devices, dtypes, modes", ["minigrad.device", "minigrad.dtypes", "minigrad.modes", "minigrad.errors",
                                "minigrad.tracing"]),
    ("tensor", ["minigrad.tensor", "minigrad.promotion"]),
    ("node contract", ["minigrad.function", "minigrad.function_support", "minigrad.view_links"]),
    ("ops", ["minigrad.ops"]),  # and minigrad.ops.*
    ("engine", ["minigrad.engine"]),
    ("Tensor methods", ["minigrad.tensor_methods", "minigrad.tensor_api", "minigrad.tensor_queries"]),
    ("compiled mode", ["minigrad.compiler"]),  # beside the engine: records what the ops and the engine compute
]


def _floor_of(module):
    for level, (_, members) in enumerate(FLOORS):
        if any(module == m or module.startswith(m + ".") for m in members):
            return level
    return None


def _describe(graph, components):
    return "; ".join(" -> ".join(ig.one_loop(graph, c)) for c in components)


def test_no_import_cycles():
    graph = ig.import_graph()
    assert len(graph) > 50  # the walk found the packages
    loops = ig.cycles(graph)
    assert not loops, f"import loops: {_describe(graph, loops)}"


def test_core_floors_import_only_downwards():
    graph = ig.import_graph()
    wrong = []
    for module, edges in graph.items():
        level = _floor_of(module)
        if level is None:
            continue
        for target in edges:
            t = _floor_of(target)
            if t is not None and t > level:
                wrong.append(f"{module} ({FLOORS[level][0]}) imports {target} ({FLOORS[t][0]})")
    assert not wrong, "\n".join(sorted(wrong))


def test_minigrad_never_imports_nn_or_optim():
    graph = ig.import_graph()
    wrong = [f"{m} -> {t}" for m, edges in graph.items() if m.split(".")[0] == "minigrad"
             for t in edges if t.split(".")[0] in ("nn", "optim")]
    assert not wrong, wrong


# ----- the checker itself finds what it should ----------------------------------------------------
def _write(root, files):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def test_checker_finds_a_loop_closed_by_a_lazy_relative_import(tmp_path):
    _write(tmp_path, {
        "pkg/__init__.py": "from .a import f\n",
        "pkg/a.py": "from .b import g\n\ndef f():\n    return g()\n",
        "pkg/b.py": "def g():\n    from . import a  # lazy: still a loop\n    return a\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/c.py": "from ..b import g\nimport numpy\n",
    })
    files = ig.module_files(("pkg",), root=str(tmp_path))
    assert set(files) == {"pkg", "pkg.a", "pkg.b", "pkg.sub", "pkg.sub.c"}
    graph = ig.import_graph(files)
    assert graph["pkg.sub.c"] == {"pkg.b"}  # its ancestors and NumPy are not edges
    assert graph["pkg"] == {"pkg.a"}
    assert ig.cycles(graph) == [["pkg.a", "pkg.b"]]
    assert ig.one_loop(graph, ["pkg.a", "pkg.b"]) in (["pkg.a", "pkg.b", "pkg.a"], ["pkg.b", "pkg.a", "pkg.b"])


def test_checker_finds_self_imports_and_longer_loops():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}, "e": {"a"}}
    assert sorted(ig.cycles(graph)) == [["a", "b", "c"], ["d"]]
    assert ig.cycles({"a": {"b"}, "b": set()}) == []


def test_floor_check_would_flag_an_upward_import():
    assert _floor_of("minigrad.ops.elementwise") == 3
    assert _floor_of("minigrad.tensor") < _floor_of("minigrad.function") < _floor_of("minigrad.engine")
    assert _floor_of("minigrad.gradcheck") is None
