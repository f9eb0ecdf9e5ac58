"""Containers pinned against hand-worked outcomes: nested Sequential forwards (with hooks and overridden
forwards in the chain), ModuleList / ParameterList indexing and renumbering, ModuleDict / ParameterDict as
ordered mappings, their errors and reprs."""
from collections import OrderedDict

import numpy as np
import pytest

import minigrad as mg
import nn


class AddConst(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c

    def forward(self, x):
        return x + self.c


class Doubling(nn.Sequential):  # a Sequential subclass with its own forward: must not be flattened
    def forward(self, x):
        return super().forward(x) * 2.0


def test_nested_sequential_runs_in_order_at_any_depth():
    x = mg.Tensor(np.array([1.0, 2.0]))
    # ((x + 1) * 2 ... ) order matters: (x + 1) then scaled then + 10
    model = nn.Sequential(AddConst(1.0), nn.Sequential(nn.Sequential(AddConst(3.0)), Doubling(AddConst(0.5))),
                          AddConst(10.0))
    np.testing.assert_allclose(model(x).numpy(), ((np.array([1.0, 2.0]) + 4.0) + 0.5) * 2.0 + 10.0)
    inner = model[1][0]
    seen = []
    inner.register_forward_hook(lambda m, args, out: seen.append(out.numpy().tolist()))
    np.testing.assert_allclose(model(x).numpy(), [21.0, 23.0])
    assert seen == [[5.0, 6.0]]  # the hooked nested Sequential ran through its own __call__
    patched = nn.Sequential(AddConst(1.0))
    patched.forward = lambda x: x * 0.0
    np.testing.assert_allclose(nn.Sequential(patched, AddConst(2.0))(x).numpy(), [2.0, 2.0])
    deep = AddConst(1.0)
    for _ in range(1200):  # deeper than Python's recursion limit
        deep = nn.Sequential(deep)
    np.testing.assert_allclose(deep(x).numpy(), [2.0, 3.0])
    assert repr(deep).count("Sequential(") == 1200


def test_sequential_indexing_and_append():
    a, b, c = nn.ReLU(), nn.Tanh(), nn.Sigmoid()
    s = nn.Sequential(a, b)
    assert s.append(c) is s and list(s._modules) == ["0", "1", "2"] and s[2] is c
    assert s[-1] is c and s[-3] is a and s[np.int64(1)] is b
    for bad in (3, -4):
        with pytest.raises(IndexError, match=f"Sequential: index {bad} is out of range for 3 modules"):
            s[bad]
    named = nn.Sequential(OrderedDict([("x", a), ("y", b)]))
    assert list(named[1:]._modules) == ["y"]
    assert list(nn.Sequential({"p": a})._modules) == ["p"]
    with pytest.raises(TypeError, match="Sequential.append: expected an nn.Module, got int"):
        s.append(3)


def test_module_list_indexing_and_renumbering():
    m = [nn.Linear(1, 1) for _ in range(4)]
    ml = nn.ModuleList(m[:2])
    ml += [m[2]]
    assert list(ml) == m[:3] and len(ml) == 3
    sl = ml[1:]
    assert isinstance(sl, nn.ModuleList) and list(sl) == m[1:3] and list(sl._modules) == ["0", "1"]
    assert ml[-1] is m[2] and ml[0] is m[0]
    ml.insert(1, m[3])
    assert list(ml) == [m[0], m[3], m[1], m[2]] and list(ml._modules) == ["0", "1", "2", "3"]
    ml[-1] = nn.ReLU()
    assert isinstance(ml[3], nn.ReLU) and len(ml) == 4
    del ml[0]
    assert list(ml._modules) == ["0", "1", "2"] and ml[0] is m[3]
    del ml[0:2]
    assert len(ml) == 1 and list(ml._modules) == ["0"]
    with pytest.raises(IndexError, match="ModuleList: index 1 is out of range for 1 modules"):
        ml[1] = nn.ReLU()
    with pytest.raises(IndexError, match="ModuleList: index -2 is out of range"):
        ml[-2]
    with pytest.raises(TypeError, match="ModuleList.insert: expected an nn.Module, got str"):
        ml.insert(0, "x")
    with pytest.raises(NotImplementedError, match="ModuleList has no forward"):
        ml(1)
    assert [n for n, _ in nn.ModuleList(m[:2]).named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_module_dict_as_an_ordered_mapping():
    a, b = nn.ReLU(), nn.Tanh()
    d = nn.ModuleDict([("a", a), ["b", b]])
    assert list(d.keys()) == ["a", "b"] and list(d.values()) == [a, b] and list(d.items()) == [("a", a), ("b", b)]
    del d["a"]
    assert list(d) == ["b"] and "a" not in d and len(d) == 1
    d.clear()
    assert len(d) == 0 and list(d.children()) == []
    with pytest.raises(TypeError, match=r"^ModuleDict.update: item 1 must be a \(key, value\) pair, got tuple$"):
        nn.ModuleDict([("a", a), ("b", b, 3)])
    with pytest.raises(TypeError, match="item 0 must be a .* pair, got str"):
        nn.ModuleDict(["ab"])
    assert len(nn.ModuleDict()) == 0


def test_parameter_list_indexing_setitem_and_repr():
    pl = nn.ParameterList([mg.ones(2), mg.zeros(3, 1)])
    pl += [mg.ones(1)]
    assert [tuple(p.shape) for p in pl] == [(2,), (3, 1), (1,)]
    assert repr(pl) == "ParameterList((0): (2,), (1): (3, 1), (2): (1,))"
    sl = pl[1:]
    assert isinstance(sl, nn.ParameterList) and [tuple(p.shape) for p in sl] == [(3, 1), (1,)]
    assert sl[0] is pl[1] and pl[-1] is pl[2]
    pl[-1] = mg.full((4,), 2.0)
    assert isinstance(pl[2], nn.Parameter) and pl[2].shape == (4,) and list(pl._parameters) == ["0", "1", "2"]
    with pytest.raises(IndexError, match="ParameterList: index 3 is out of range for 3 modules"):
        pl[3] = mg.ones(1)
    with pytest.raises(TypeError, match="^ParameterList: expected an nn.Parameter or Tensor, got float$"):
        pl[0] = 1.0
    with pytest.raises(NotImplementedError, match="^ParameterList has no forward"):
        pl(1)
    assert len(nn.ParameterList()) == 0


def test_parameter_dict_as_an_ordered_mapping():
    s = nn.Parameter(mg.ones(2))
    pd = nn.ParameterDict([("s", s), ("t", mg.zeros(1, 3))])
    assert pd["s"] is s and len(pd) == 2 and "t" in pd and "u" not in pd and list(pd) == ["s", "t"]
    assert [k for k, _ in pd.items()] == ["s", "t"] and list(pd.values())[0] is s
    assert repr(pd) == "ParameterDict((s): (2,), (t): (1, 3))"
    assert pd.get("s") is s and pd.get("u") is None and pd.get("u", 7) == 7
    assert pd.pop("s") is s and list(pd) == ["t"]
    pd.update({"v": mg.ones(3)})
    del pd["t"]
    assert list(pd.keys()) == ["v"] and [n for n, _ in pd.named_parameters()] == ["v"]
    pd.clear()
    assert len(pd) == 0 and list(pd.parameters()) == []
    assert len(nn.ParameterDict()) == 0
    with pytest.raises(TypeError, match="^ParameterDict: expected an nn.Parameter or Tensor, got str$"):
        pd["x"] = "no"
    with pytest.raises(TypeError, match=r"ParameterDict.update: item 0 must be a \(key, value\) pair"):
        pd.update([("a",)])
