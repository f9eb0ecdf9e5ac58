"""The examples in the nn and serialization docstrings run and print what they show."""
import doctest
import importlib

import pytest

import minigrad as mg

MODULES = ["nn", "nn.parameter", "nn.containers", "nn.layers.linear", "nn.functional.basic",
           "nn.init", "nn.regularization", "minigrad.serialization"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    mg.manual_seed(0)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 0, f"no docstring examples found in {name}"
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
