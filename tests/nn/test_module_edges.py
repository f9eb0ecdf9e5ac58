"""nn.Module edges pinned against hand-worked outcomes: hook ordering with ``prepend`` for every hook kind,
attribute deletion, dotted-path lookups and their errors, children/buffer iteration, ``requires_grad_``
and the exact ``summary`` table."""
import numpy as np
import pytest

import minigrad as mg
import nn


class Noop(nn.Module):
    pass


def test_forward_not_defined_names_the_subclass():
    with pytest.raises(NotImplementedError, match=r"^Noop has no forward\(\)"):
        Noop()(1)


def _order_of(kind, prepend_second):
    """Register hooks 'a' then 'b' (b with prepend when asked) of one kind; run forward (and backward);
    return the order in which they ran."""
    lin = nn.Linear(2, 2, dtype=mg.float64)
    ran = []

    def mk(tag):
        if kind == "forward_pre":
            return lambda m, args: ran.append(tag)
        if kind == "forward":
            return lambda m, args, out: ran.append(tag)
        if kind == "backward_pre":
            return lambda m, g: ran.append(tag)
        return lambda m, gi, go: ran.append(tag)

    reg = {"forward_pre": lin.register_forward_pre_hook, "forward": lin.register_forward_hook,
           "backward_pre": lin.register_full_backward_pre_hook, "backward": lin.register_full_backward_hook}[kind]
    reg(mk("a"))
    if prepend_second:
        reg(mk("b"), prepend=True)
    else:
        reg(mk("b"))
    x = mg.Tensor(np.ones((1, 2)), requires_grad=True)
    lin(x).sum().backward()
    return ran


@pytest.mark.parametrize("kind", ["forward_pre", "forward", "backward_pre", "backward"])
def test_prepend_puts_a_hook_first_for_every_kind(kind):
    assert _order_of(kind, prepend_second=False) == ["a", "b"]  # default: appended, in registration order
    assert _order_of(kind, prepend_second=True) == ["b", "a"]


def test_del_removes_parameters_buffers_modules_and_plain_attributes():
    class M(nn.Module):
        def __init__(self):
            self.early = 1  # a plain attribute set (and deleted) before super().__init__()
            del self.early
            super().__init__()
            self.w = nn.Parameter(mg.ones(2))
            self.register_buffer("b", mg.zeros(3))
            self.sub = nn.Linear(1, 1)
            self.note = "x"

    m = M()
    assert not hasattr(m, "early")
    del m.w
    assert not hasattr(m, "w") and "w" not in dict(m.named_parameters())
    del m.b
    assert not hasattr(m, "b") and "b" not in m.state_dict()
    del m.sub
    assert not hasattr(m, "sub") and list(m.children()) == []
    del m.note
    assert not hasattr(m, "note")
    with pytest.raises(AttributeError):
        del m.never_set
    assert list(m.state_dict()) == []


def test_get_submodule_errors_name_the_module_and_where():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU()))
    with pytest.raises(AttributeError, match=r"Sequential at the root has no submodule '5' \(looking for '5'\)"):
        model.get_submodule("5")
    with pytest.raises(AttributeError, match=r"ReLU at 1\.0 has no submodule 'x' \(looking for '1\.0\.x'\)"):
        model.get_submodule("1.0.x")

    class NoInit(nn.Module):
        def __init__(self):  # forgot super().__init__(): lookups still raise AttributeError
            pass

    with pytest.raises(AttributeError, match="NoInit at the root"):
        NoInit().get_submodule("a")


def test_get_parameter_and_buffer_walk_every_level():
    model = nn.Sequential(nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)))
    assert model.get_parameter("0.0.weight") is model[0][0].weight
    assert model.get_buffer("0.1.running_var") is model[0][1].running_var
    with pytest.raises(AttributeError, match=r"get_parameter: Linear has no parameter 'nope' \(looking for"):
        model.get_parameter("0.0.nope")
    with pytest.raises(AttributeError, match=r"get_buffer: BatchNorm1d has no buffer 'nope' "
                                              r"\(looking for '0\.1\.nope'"):
        model.get_buffer("0.1.nope")
    lin = nn.Linear(2, 2, bias=False)
    lin.register_buffer("empty", None)
    with pytest.raises(AttributeError, match="get_buffer: Linear has no buffer 'empty'"):
        lin.get_buffer("empty")
    with pytest.raises(AttributeError, match="get_parameter: Linear has no parameter 'bias'"):
        lin.get_parameter("bias")


def test_named_children_skip_none_and_repeat_once():
    m, shared = nn.Module(), nn.ReLU()
    m.add_module("a", shared)
    m.add_module("gone", None)
    m.add_module("b", nn.Tanh())
    m.add_module("again", shared)
    assert [n for n, _ in m.named_children()] == ["a", "b"]
    assert [type(c).__name__ for c in m.children()] == ["ReLU", "Tanh"]


def test_buffers_recurse_by_default():
    m = nn.Sequential(nn.BatchNorm1d(2))
    m.register_buffer("own", mg.zeros(1))
    assert [n for n, _ in m.named_buffers()] == ["own", "0.running_mean", "0.running_var", "0.num_batches_tracked"]
    assert len(list(m.buffers())) == 4
    assert [n for n, _ in m.named_buffers(recurse=False)] == ["own"]
    assert len(list(m.buffers(recurse=False))) == 1


def test_requires_grad_default_unfreezes():
    m = nn.Linear(2, 2)
    assert m.requires_grad_(False) is m
    assert [p.requires_grad for p in m.parameters()] == [False, False]
    m.requires_grad_()
    assert [p.requires_grad for p in m.parameters()] == [True, True]
    assert all(p.requires_grad is True for p in m.parameters())


def test_summary_table_exactly():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    model[2].requires_grad_(False)
    expected = "\n".join([
        "(root)     Sequential                  0",
        "0          Linear                      9",
        "1          ReLU                        0",
        "2          Linear                      4",
        "total                                 13",
        "trainable                              9",
    ])
    assert model.summary() == expected
    wide = nn.Sequential()
    wide.add_module("a_long_layer_name", nn.Linear(100, 100))
    lines = wide.summary().splitlines()
    assert lines[1] == "a_long_layer_name  Linear                 10,100"
    assert lines[2] == "total              " + " " * 16 + " " + "      10,100"


def test_register_buffer_and_train_errors_and_replacement():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"^register_buffer: 'x' must be a Tensor or None, got list$"):
        m.register_buffer("x", [1.0])
    with pytest.raises(TypeError, match=r"^train: mode must be a bool, got int$"):
        m.train(1)
    m.register_buffer("bias", mg.zeros(2))  # a buffer registered under a parameter's name replaces it
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    assert [n for n, _ in m.named_buffers()] == ["bias"]
    assert list(m.state_dict()) == ["weight", "bias"]


def test_apply_is_pytorchs_post_order_and_seeded_inits_match_it():
    torch = pytest.importorskip("torch")
    tnn = torch.nn

    def build(lib):
        return lib.Sequential(lib.Linear(2, 3), lib.Sequential(lib.Linear(3, 3), lib.ReLU()), lib.Linear(3, 1))

    got, want = [], []
    build(nn).apply(lambda m: got.append(type(m).__name__))
    build(tnn).apply(lambda m: want.append(type(m).__name__))
    assert got == want == ["Linear", "Linear", "ReLU", "Sequential", "Linear", "Sequential"]
    shared = nn.Linear(1, 1)
    m = nn.Sequential(shared, nn.Sequential(shared), nn.Tanh())
    seen = []
    m.apply(lambda mod: seen.append(mod))
    assert len(seen) == 4 and seen[0] is shared and seen[-1] is m  # a shared module once, at its first place
    deep = nn.Linear(1, 1)
    for _ in range(1500):
        deep = nn.Sequential(deep)
    count = []
    deep.apply(lambda mod: count.append(1))
    assert len(count) == 1501


def test_dir_lists_registered_names_and_cpu_float_double_cast_in_place():
    m = nn.Sequential(nn.BatchNorm1d(2))
    m.register_buffer("extra", mg.zeros(1))
    assert {"0", "extra", "forward"} <= set(dir(m)) and dir(m) == sorted(dir(m))
    w = m[0].weight
    assert m.double() is m and w.dtype == "float64" and m[0].weight is w
    assert m[0].num_batches_tracked.dtype == "int64"  # integer buffers keep their dtype
    assert m.float() is m and w.dtype == "float32" and m.extra.dtype == "float32"
    assert m.cpu() is m and w.device == "cpu"
