"""The examples run, and what they claim holds (in a fast mode)."""
from __future__ import annotations

from paths import ROOT
import importlib.util
import pathlib



def load_example(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_raw_tensor_mlp_cost_falls(device):
    ex = load_example("raw_tensor_mlp")
    costs = ex.train(epochs=120, device=device, quiet=True)
    assert costs[0] > 0.6  # about log 2 at the start: an untrained classifier
    assert costs[-1] < 0.85 * costs[0]
    assert all(b <= a + 1e-3 for a, b in zip(costs[::20], costs[20::20]))  # falls, not just once
