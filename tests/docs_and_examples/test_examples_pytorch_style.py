"""The PyTorch-style scripts in examples/pytorch_style run on minigrad, and where PyTorch is installed
they give PyTorch's numbers: each script is run a second time with its one import line swapped for
``import torch``, from the same NumPy-drawn weights, and the losses are compared step by step."""
from __future__ import annotations

from paths import ROOT as REPO
import ast
import math
import pathlib
import types

import pytest

ROOT = REPO / "examples" / "pytorch_style"
IMPORT_LINE = "import minigrad as torch  # the one line that picks the library (or: import torch)"


def load(name, library="minigrad"):
    """The script as a module; with ``library="torch"`` its import line is swapped, nothing else."""
    path = ROOT / f"{name}.py"
    source = path.read_text()
    first_code_line = next(line for line in source.splitlines() if line.startswith("import "))
    assert first_code_line == IMPORT_LINE, f"{name}: its first import must be the library switch"
    imported = {alias.name.split(".")[0] for node in ast.walk(ast.parse(source))
                if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])}
    assert not imported & {"nn", "optim"}, f"{name}: imports minigrad's own packages, not PyTorch's names"
    if library == "torch":
        source = source.replace(IMPORT_LINE, "import torch", 1)
        assert "minigrad" not in {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
    module = types.ModuleType(f"pytorch_style_{name}_{library}")
    module.__file__ = str(path)
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module


def _decreasing(losses, factor):
    return all(math.isfinite(v) for v in losses) and losses[-1] < factor * losses[0]


def test_mlp_dataloader_trains_on_minigrad():
    result = load("mlp_dataloader").main(epochs=4, quiet=True)
    assert _decreasing(result["losses"], 0.6)
    assert result["accuracy"] > 0.7  # three classes: chance is 1/3


def test_mlp_dataloader_compiled_equals_eager_on_minigrad():
    module = load("mlp_dataloader")
    eager = module.main(epochs=3, quiet=True)
    compiled = module.main(epochs=3, quiet=True, compile=True)
    assert compiled["losses"] == eager["losses"] and compiled["accuracy"] == eager["accuracy"]


def test_mlp_dataloader_compiled_on_minigrad_matches_pytorch_eager():
    pytest.importorskip("torch")
    kwargs = dict(epochs=3, shuffle=False, same_weights=True, quiet=True)
    ours = load("mlp_dataloader").main(compile=True, **kwargs)
    theirs = load("mlp_dataloader", "torch").main(**kwargs)
    for step, (a, b) in enumerate(zip(ours["losses"], theirs["losses"])):
        assert a == pytest.approx(b, rel=2e-4, abs=1e-6), f"loss {step} differs: {a} vs {b}"


def test_cnn_digits_trains_on_minigrad():
    result = load("cnn_digits").main(epochs=5, quiet=True)
    assert _decreasing(result["losses"], 0.3)
    assert result["test_accuracy"] > 0.6  # ten classes: chance is 0.1


def test_custom_function_fits_and_passes_gradcheck_on_minigrad():
    result = load("custom_function").main(steps=300, quiet=True)
    assert result["gradcheck"] is True
    assert _decreasing(result["losses"], 0.2)


@pytest.mark.parametrize("name, kwargs", [
    ("mlp_dataloader", dict(epochs=3, shuffle=False, same_weights=True)),
    ("cnn_digits", dict(epochs=2, limit=300, shuffle=False, same_weights=True)),
    ("custom_function", dict(steps=200)),
])
def test_same_numbers_as_pytorch(name, kwargs):
    pytest.importorskip("torch")
    ours = load(name).main(quiet=True, **kwargs)
    theirs = load(name, "torch").main(quiet=True, **kwargs)
    assert len(ours["losses"]) == len(theirs["losses"])
    for step, (a, b) in enumerate(zip(ours["losses"], theirs["losses"])):
        assert a == pytest.approx(b, rel=2e-4, abs=1e-6), f"{name}: loss {step} differs: {a} vs {b}"
