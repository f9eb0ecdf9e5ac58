"""State dicts at their edges: the functions' own defaults, buffers that are None or not persistent,
None children and cycles, values that need a cast or a device move, and the exact error text."""
import numpy as np
import pytest

import minigrad as mg
import nn
from nn import state as nn_state


class Holder(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(mg.tensor([1.0, 2.0]))
        self.register_buffer("count", mg.tensor(3, dtype="int64"))
        self.register_buffer("scratch", mg.zeros(2), persistent=False)
        self.register_buffer("unset", None)

    def forward(self, x):
        return x * self.w


def test_the_module_functions_default_to_no_prefix_detached_and_strict():
    model = Holder()
    sd = nn_state.state_dict(model)
    assert list(sd) == ["w", "count"]  # no prefix; the None buffer and the non-persistent one are left out
    assert sd["w"] is not model.w and not sd["w"].requires_grad
    with pytest.raises(nn.StateDictError, match="missing keys: count"):
        nn_state.load_state_dict(model, {"w": mg.tensor([5.0, 6.0])})
    np.testing.assert_array_equal(model.w.numpy(), [1.0, 2.0])


def test_none_children_are_skipped():
    outer = Holder()
    outer.add_module("empty", None)
    outer.add_module("inner", Holder())
    assert list(outer.state_dict()) == ["w", "count", "inner.w", "inner.count"]


def test_a_cycle_of_modules_is_walked_once():
    outer, inner = Holder(), Holder()
    outer.add_module("inner", inner)
    inner.add_module("back", outer)  # outer -> inner -> outer
    assert list(outer.state_dict()) == ["w", "count", "inner.w", "inner.count"]


def test_float_values_load_into_an_int64_buffer_and_numpy_values_onto_the_model_device(device):
    model = Holder().to(device)
    model.load_state_dict({"w": mg.tensor(np.array([7.0, 8.0])), "count": mg.tensor(np.array(4.0))})
    assert model.count.dtype == mg.int64 and model.count.item() == 4
    model.load_state_dict({"w": np.array([1.5, 2.5]), "count": np.array(9.0)})
    assert model.w.device == mg.device(device) and model.w.dtype == mg.float32
    np.testing.assert_array_equal(model.w.numpy(), [1.5, 2.5])
    assert model.count.item() == 9


def test_the_whole_error_message():
    model = nn.Sequential(Holder(), Holder())
    sd = dict(model.state_dict())
    sd.pop("0.w")
    sd.pop("1.w")
    sd["x"], sd["y"] = mg.zeros(1), mg.zeros(1)
    sd["0.count"] = mg.zeros(2)
    sd["1.count"] = mg.zeros(3)
    with pytest.raises(nn.StateDictError) as info:
        model.load_state_dict(sd)
    assert str(info.value) == (
        "load_state_dict: cannot load into Sequential (nothing was changed): missing keys: 0.w, 1.w; "
        "unexpected keys: x, y; 0.count: shape (2,) in the checkpoint, () in the model; "
        "1.count: shape (3,) in the checkpoint, () in the model")
    with pytest.raises(TypeError, match="got list$"):
        model.load_state_dict([1, 2])
    assert str(nn.StateDictError()) == ""
    assert str(nn.StateDictError("a 'quoted' key")) == "a 'quoted' key"  # not KeyError's repr
