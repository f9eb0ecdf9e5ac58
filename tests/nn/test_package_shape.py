"""The package shape PyTorch code expects: ``minigrad.nn``, ``minigrad.nn.functional``, ``minigrad.optim``,
``minigrad.autograd`` ... resolve, as imports and as attributes, to the real modules (the same
objects), and ``import minigrad`` alone loads neither ``nn`` nor ``optim``."""
from paths import ROOT
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import minigrad as mg
import nn
import nn.functional
import nn.init
import nn.utils
import optim
import optim.lr_scheduler


ALIASES = [("minigrad.nn", nn), ("minigrad.nn.functional", nn.functional), ("minigrad.nn.init", nn.init),
           ("minigrad.nn.utils", nn.utils), ("minigrad.optim", optim),
           ("minigrad.optim.lr_scheduler", optim.lr_scheduler)]


@pytest.mark.parametrize("name, real", ALIASES, ids=[a for a, _ in ALIASES])
def test_alias_import_is_the_real_module(name, real):
    assert importlib.import_module(name) is real
    assert sys.modules[name] is real
    assert real.__spec__.name == real.__name__  # the alias did not overwrite the module's own spec


def test_import_as_and_from_forms():
    import minigrad.nn as nn_alias
    import minigrad.nn.functional as F
    from minigrad.nn import Linear
    from minigrad.optim.lr_scheduler import LambdaLR
    assert nn_alias is nn and F is nn.functional and Linear is nn.Linear and LambdaLR is optim.lr_scheduler.LambdaLR


def test_attribute_access_and_identity():
    assert mg.nn is nn and mg.optim is optim
    assert mg.nn.Linear is nn.Linear and mg.nn.functional.cross_entropy is nn.functional.cross_entropy
    assert mg.optim.SGD is optim.SGD and mg.nn.utils.clip_grad_norm_ is mg.clip_grad_norm_
    layer = mg.nn.Linear(2, 1)
    assert isinstance(layer, nn.Module)


def test_autograd_namespace():
    import minigrad.autograd as autograd
    assert mg.autograd is autograd
    assert autograd.Function is mg.Function and autograd.grad is mg.grad and autograd.backward is mg.backward
    assert autograd.gradcheck is mg.gradcheck and autograd.gradgradcheck is mg.gradgradcheck


def test_unknown_names_still_fail():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        mg.nope  # noqa: B018
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("minigrad.nn.nope")
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("minigrad.nnx")


def _run(code):
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


def test_import_minigrad_alone_loads_neither_nn_nor_optim():
    out = _run("import sys, minigrad; print(sorted(m for m in sys.modules if m.split('.')[0] in ('nn', 'optim') "
               "or m.startswith(('minigrad.nn', 'minigrad.optim'))))")
    assert out == "[]"


def test_first_use_loads_them_in_a_fresh_process():
    out = _run("import sys, minigrad as torch; import minigrad.nn.functional as F; import nn; "
               "print(F is sys.modules['nn.functional'], torch.nn is nn, 'optim' in sys.modules)")
    assert out == "True True False"


def test_functional_pad_is_the_core_pad_with_pytorchs_flat_widths():
    import nn.functional as F
    import numpy as np

    import minigrad as mg

    assert F.pad is mg.pad
    x = np.arange(6.0).reshape(2, 3)
    out = F.pad(mg.tensor(x), (1, 2), mode="reflect").numpy()  # last dimension: 1 before, 2 after
    np.testing.assert_array_equal(out, np.pad(x, ((0, 0), (1, 2)), mode="reflect"))
