"""nn.Module: registration, iteration, modes, devices, containers, printing."""
import copy

import numpy as np
import pytest

import minigrad as mg
import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.scale = nn.Parameter(mg.ones(4))
        self.register_buffer("count", mg.zeros(()))
        self.register_buffer("scratch", mg.zeros(2), persistent=False)
        self.note = "plain attribute"

    def forward(self, x):
        return self.fc(x) * self.scale


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 4)
        self.b.weight = self.a.weight  # shared parameter
        self.again = self.a  # shared sub-module

    def forward(self, x):
        return self.b(self.a(x))


def test_registration_by_assignment():
    m = Block()
    assert [n for n, _ in m.named_parameters()] == ["scale", "fc.weight", "fc.bias"]
    assert [n for n, _ in m.named_buffers()] == ["count", "scratch"]
    assert [n for n, _ in m.named_children()] == ["fc"]
    assert m.note == "plain attribute"
    assert "note" not in m._parameters and "note" not in m._buffers
    assert all(p.requires_grad for p in m.parameters())
    assert isinstance(m.scale, nn.Parameter) and m.scale.shape == (4,)


def test_shared_parameters_and_modules_come_once():
    m = Tied()
    params = list(m.parameters())
    assert len(params) == 3  # a.weight (shared with b), a.bias, b.bias
    assert len({id(p) for p in params}) == 3
    assert [n for n, _ in m.named_parameters()] == ["a.weight", "a.bias", "b.bias"]
    assert m.num_parameters() == 16 + 4 + 4
    assert len(list(m.modules())) == 3
    # state_dict lists every name, as PyTorch does
    assert list(m.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias", "again.weight", "again.bias"]


def test_backward_reaches_shared_parameter_once_per_use():
    mg.manual_seed(0)
    m = Tied().double()
    x = mg.randn(2, 4, dtype=mg.float64)
    m(x).sum().backward()
    w = m.a.weight.numpy()
    xa = x.numpy() @ w.T + m.a.bias.numpy()
    g_out = np.ones((2, 4))
    expected = g_out.T @ xa + (g_out @ w).T @ x.numpy()  # use in b plus use in a
    np.testing.assert_allclose(m.a.weight.grad.numpy(), expected, rtol=1e-12)


def test_reassign_and_delete():
    m = Block()
    with pytest.raises(TypeError, match="scale is a parameter"):
        m.scale = mg.ones(4)
    m.scale = None
    assert "scale" not in dict(m.named_parameters())
    m.count = mg.ones(())
    assert m.count.item() == 1.0
    with pytest.raises(TypeError, match="buffer"):
        m.count = 3
    del m.fc
    assert list(m.children()) == []
    with pytest.raises(AttributeError, match="no attribute 'fc'"):
        m.fc


def test_assignment_before_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(mg.ones(2))

    with pytest.raises(AttributeError, match="super\\(\\).__init__"):
        Bad()


def test_register_errors():
    m = Block()
    with pytest.raises(TypeError, match="nn.Parameter"):
        m.register_parameter("w", mg.ones(2))
    with pytest.raises(KeyError, match="contain no '.'"):
        m.register_buffer("a.b", mg.ones(2))
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("note", mg.ones(2))
    with pytest.raises(TypeError, match="nn.Module"):
        m.add_module("x", 3)


def test_forward_missing_and_call():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)
    m = Block()
    assert m(mg.ones(2, 3)).shape == (2, 4)


def test_train_eval_recursive():
    m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5), nn.BatchNorm1d(2)))
    assert all(x.training for x in m.modules())
    assert m.eval() is m
    assert not any(x.training for x in m.modules())
    m.train()
    assert all(x.training for x in m.modules())
    with pytest.raises(TypeError, match="bool"):
        m.train("no")


def test_zero_grad_and_requires_grad():
    m = Block()
    m(mg.ones(2, 3)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    m.requires_grad_(False)
    assert m.num_parameters(trainable_only=True) == 0
    assert m.num_parameters() == 4 + 12 + 4


def test_apply_visits_children_first():
    seen = []
    m = nn.Sequential(nn.Linear(1, 1), nn.ReLU())
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "ReLU", "Sequential"]  # PyTorch's post-order


def test_repr_tree():
    m = nn.Sequential(nn.Linear(4, 3, bias=False), nn.Sequential(nn.ReLU(), nn.Dropout(p=0.25)))
    assert repr(m) == ("Sequential(\n"
                       "  (0): Linear(in_features=4, out_features=3, bias=False)\n"
                       "  (1): Sequential(\n"
                       "    (0): ReLU()\n"
                       "    (1): Dropout(p=0.25)\n"
                       "  )\n"
                       ")")
    summary = m.summary()
    assert "total" in summary and "12" in summary


def test_to_device_and_dtype(device):
    mg.manual_seed(1)
    m = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    w = m[0].weight
    m(mg.randn(4, 3)).sum().backward()
    before = {k: v.numpy() for k, v in m.state_dict().items()}
    assert m.to(device, mg.float64) is m
    assert m[0].weight is w  # same Parameter object, so optimizers keep working
    for name, t in list(m.named_parameters()) + list(m.named_buffers()):
        assert t.device == device, name
    assert w.grad.device == device and w.grad.dtype == "float64"
    assert m[0].weight.dtype == "float64" and m[1].running_mean.dtype == "float64"
    assert m[1].num_batches_tracked.dtype == "int64"  # integer buffers keep their dtype
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])
    out = m(mg.randn(4, 3, dtype=mg.float64, device=device))
    assert out.device == device and out.dtype == "float64"
    out.sum().backward()
    with pytest.raises(TypeError, match="floating"):
        m.to(dtype=mg.int64)


def test_to_strict_devices_refuse_to_mix():
    m = nn.Linear(2, 2).to("strict:1")
    with pytest.raises(mg.DeviceError):
        m(mg.ones(1, 2, device="strict:2"))
    assert m(mg.ones(1, 2, device="strict:1")).device == "strict:1"


def test_deepcopy_is_independent():
    m = Block()
    c = copy.deepcopy(m)
    assert isinstance(c.scale, nn.Parameter) and c.scale.requires_grad
    with mg.no_grad():
        c.scale.fill_(5.0)
    assert np.all(m.scale.numpy() == 1.0)
    assert c.fc.weight.device is m.fc.weight.device


def test_sequential():
    mg.manual_seed(0)
    layers = [nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)]
    s = nn.Sequential(*layers)
    x = mg.randn(4, 3)
    np.testing.assert_allclose(s(x).numpy(), layers[2](layers[1](layers[0](x))).numpy())
    assert len(s) == 3 and s[-1] is layers[2] and list(s) == layers
    assert isinstance(s[1:], nn.Sequential) and len(s[1:]) == 2 and s[1:][0] is layers[1]
    s.append(nn.ReLU())
    assert len(s) == 4
    with pytest.raises(IndexError, match="out of range"):
        s[7]
    with pytest.raises(TypeError, match="nn.Module"):
        nn.Sequential(nn.ReLU(), lambda x: x)
    from collections import OrderedDict
    named = nn.Sequential(OrderedDict(hidden=nn.Linear(2, 2), act=nn.ReLU()))
    assert [n for n, _ in named.named_children()] == ["hidden", "act"]


def test_module_list():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(ml) == 3 and len(list(ml.parameters())) == 6
    ml.append(nn.ReLU())
    ml.insert(0, nn.Tanh())
    assert [type(m).__name__ for m in ml] == ["Tanh", "Linear", "Linear", "Linear", "ReLU"]
    assert [n for n, _ in ml.named_children()] == ["0", "1", "2", "3", "4"]
    del ml[0]
    ml[0] = nn.Identity()
    assert type(ml[0]).__name__ == "Identity" and len(list(ml.parameters())) == 4
    ml += [nn.Sigmoid()]
    assert len(ml) == 5
    with pytest.raises(TypeError, match="nn.Module"):
        ml.append("relu")
    with pytest.raises(NotImplementedError):
        ml(1)
