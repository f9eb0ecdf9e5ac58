"""Module hooks (forward pre, forward, full backward pre, full backward: PyTorch's signatures and
removable handles), get_submodule / named_modules, and NumPy inputs to every layer."""
import inspect

import numpy as np
import pytest

import minigrad as mg
import nn


def _mlp(device="cpu", dtype=mg.float64):
    mg.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4, device=device, dtype=dtype), nn.Tanh(),
                         nn.Linear(4, 2, device=device, dtype=dtype))


def _x(device, shape=(5, 3)):
    return mg.Tensor(np.random.default_rng(1).standard_normal(shape), device=device)


# ----- forward hooks ------------------------------------------------------------------------------------------
def test_forward_pre_and_forward_hooks_order_and_replacement(device):
    model, seen = _mlp(device), []
    lin = model[0]
    h1 = lin.register_forward_pre_hook(lambda m, args: seen.append(("pre", m is lin, len(args))))
    h2 = lin.register_forward_hook(lambda m, args, out: seen.append(("post", out.shape)))
    h3 = lin.register_forward_pre_hook(lambda m, args: seen.append(("first",)), prepend=True)
    x = _x(device)
    y = model(x)
    assert seen == [("first",), ("pre", True, 1), ("post", (5, 4))]
    for h in (h1, h2, h3):
        h.remove()
        h.remove()  # idempotent
    seen.clear()
    np.testing.assert_array_equal(model(x).numpy(), y.numpy())
    assert seen == []
    # a pre-hook's result replaces the input (a bare value is wrapped in a tuple); a hook's result the output
    with lin.register_forward_pre_hook(lambda m, args: args[0] * 0.0):
        with model.register_forward_hook(lambda m, args, out: out + 1.0):
            out = model(x).numpy()
    zeros = model(mg.zeros(5, 3, device=device, dtype=mg.float64)).numpy()
    np.testing.assert_allclose(out, zeros + 1.0)
    assert "_hooks" in lin.__dict__ and not any(lin._hooks[k] for k in ("forward_pre", "forward"))


def test_forward_hooks_with_kwargs(device):
    lin = nn.Linear(3, 2, device=device, dtype=mg.float64)
    got = []
    lin.register_forward_pre_hook(lambda m, args, kwargs: got.append(sorted(kwargs)), with_kwargs=True)
    lin.register_forward_hook(lambda m, args, kwargs, out: out * 2.0, with_kwargs=True)
    x = _x(device)
    np.testing.assert_allclose(lin(x).numpy(), 2.0 * (x.numpy() @ lin.weight.numpy().T + lin.bias.numpy()))
    assert got == [[]]
    lin.register_forward_pre_hook(lambda m, args, kwargs: (3, {}), with_kwargs=True, prepend=True)
    with pytest.raises(ValueError, match=r"linear: input of shape \(\) does not fit"):
        lin(x)  # the hook replaced x by the number 3


# ----- backward hooks ------------------------------------------------------------------------------------------
def test_full_backward_hook_gets_pytorch_grads(device):
    """grad_output = dL/d(output), grad_input = dL/d(input), checked against the autograd of the pieces."""
    model = _mlp(device)
    calls = []
    model[2].register_full_backward_hook(lambda m, gi, go: calls.append(("lin2", gi, go)))
    model[0].register_full_backward_hook(lambda m, gi, go: calls.append(("lin1", gi, go)))
    x = _x(device)
    x.requires_grad = True
    h = model[1](model[0](x))
    h.retain_grad()
    y = model[2](h)
    y.retain_grad()
    (y * y).sum().backward()
    (name2, gi2, go2), (name1, gi1, go1) = calls
    assert (name2, name1) == ("lin2", "lin1") and len(gi2) == len(go2) == len(gi1) == len(go1) == 1
    np.testing.assert_allclose(go2[0].numpy(), 2 * y.numpy())
    np.testing.assert_allclose(gi2[0].numpy(), h.grad.numpy())
    np.testing.assert_allclose(gi1[0].numpy(), x.grad.numpy())
    np.testing.assert_allclose(gi1[0].numpy(), go1[0].numpy() @ model[0].weight.numpy())


def test_full_backward_hook_can_replace_grad_input_and_input_without_grad(device):
    model = _mlp(device)
    model[1].register_full_backward_hook(lambda m, gi, go: (gi[0] * 0.0,))
    model(_x(device)).sum().backward()
    assert np.all(model[0].weight.grad.numpy() == 0) and np.any(model[2].weight.grad.numpy() != 0)
    model = _mlp(device)
    calls = []
    model[0].register_full_backward_hook(lambda m, gi, go: calls.append((gi, go[0].shape)))
    model(_x(device)).sum().backward()  # x needs no gradient: grad_input is (None,)
    assert calls == [((None,), (5, 4))]


def test_full_backward_pre_hook_replaces_grad_output(device):
    model = _mlp(device)
    ref = _mlp(device)
    model[2].register_full_backward_pre_hook(lambda m, go: (go[0] * 3.0,))
    x = _x(device)
    model(x).sum().backward()
    ref(x).sum().backward()
    np.testing.assert_allclose(model[0].weight.grad.numpy(), 3 * ref[0].weight.grad.numpy(), rtol=1e-12)


def test_backward_hooks_leave_values_and_no_grad_alone(device):
    model, ref = _mlp(device), _mlp(device)
    handle = model[0].register_full_backward_hook(lambda m, gi, go: None)
    x = _x(device)
    np.testing.assert_array_equal(model(x).numpy(), ref(x).numpy())
    with mg.no_grad():
        assert not model(x).requires_grad
    handle.remove()


def test_backward_hook_unsupported_forms_are_clear_errors(device):
    class Two(nn.Module):
        def forward(self, a, b):
            return a * b

    two = Two()
    two.register_full_backward_hook(lambda m, gi, go: None)
    a = mg.ones(2, device=device, requires_grad=True)
    with pytest.raises(NotImplementedError, match="at most one tensor argument that requires grad"):
        two(a, mg.ones(2, device=device, requires_grad=True))
    with pytest.raises(TypeError, match="hook must be callable"):
        two.register_forward_hook(3)


# ----- module API ------------------------------------------------------------------------------------------------
def test_get_submodule_parameter_buffer_and_named_modules():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.BatchNorm1d(3), nn.ReLU()))
    assert model.get_submodule("1.0") is model[1][0] and model.get_submodule("") is model
    assert model.get_parameter("0.weight") is model[0].weight
    assert model.get_buffer("1.0.running_mean") is model[1][0].running_mean
    with pytest.raises(AttributeError, match="has no submodule '5'"):
        model.get_submodule("1.5")
    with pytest.raises(AttributeError, match="has no parameter 'nope'"):
        model.get_parameter("0.nope")
    shared = nn.Linear(2, 2)
    twice = nn.Sequential(shared, shared)
    assert [n for n, _ in twice.named_modules()] == ["", "0"]
    assert [n for n, _ in twice.named_modules(remove_duplicate=False)] == ["", "0", "1"]


def test_zero_grad_default_sets_none_and_requires_grad_freezes():
    model = _mlp()
    model(_x("cpu")).sum().backward()
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    assert not model(_x("cpu")).requires_grad


# ----- NumPy inputs: every layer takes them as Linear does ---------------------------------------------------------
# layers whose constructor needs arguments: (args, input shape, input dtype); others are built with no arguments
LAYER_ARGS = {
    "Linear": ((3, 2), (4, 3), "f"), "LazyLinear": ((2,), (4, 3), "f"), "BatchNorm1d": ((3,), (4, 3), "f"),
    "BatchNorm2d": ((3,), (2, 3, 2, 2), "f"), "LayerNorm": ((3,), (4, 3), "f"), "GroupNorm": ((1, 3), (4, 3), "f"),
    "Embedding": ((5, 2), (4, 3), "i"), "Unflatten": ((1, (3, 1)), (4, 3), "f"),
    # issue 14's convolution and pooling layers (opsC), once merged
    "Conv1d": ((3, 2, 2), (2, 3, 5), "f"), "Conv2d": ((3, 2, 3), (2, 3, 5, 5), "f"),
    "MaxPool2d": ((2,), (2, 3, 4, 4), "f"), "AvgPool2d": ((2,), (2, 3, 4, 4), "f"),
    "AdaptiveAvgPool2d": (((1, 1),), (2, 3, 4, 4), "f"), "ConvTranspose2d": ((3, 2, 3), (2, 3, 4, 4), "f"),
    "Unfold": ((2,), (2, 3, 4, 4), "f"), "Fold": (((3, 3), 2), (2, 12, 4), "f"),
}
NOT_LAYERS = {"Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"}


def _layer_names():
    return sorted(n for n in nn.__all__ if inspect.isclass(getattr(nn, n)) and issubclass(getattr(nn, n), nn.Module)
                  and n not in NOT_LAYERS and not n.endswith("Loss") and n != "CosineSimilarity")


@pytest.mark.parametrize("name", _layer_names())
def test_every_layer_accepts_numpy_like_a_tensor(device, name):
    cls = getattr(nn, name)
    args, shape, kind = LAYER_ARGS.get(name, ((), (4, 3), "f"))
    try:
        layer = cls(*args)
    except TypeError as e:
        pytest.fail(f"{name} needs constructor arguments: add a row to LAYER_ARGS ({e})")
    layer.to(device).eval()
    rng = np.random.default_rng(0)
    arr = rng.standard_normal(shape).astype(np.float32) if kind == "f" else rng.integers(0, 5, shape)
    out = layer(arr)
    # the array goes to the module's device (its parameters' or buffers'), else the default device
    home = device if any(True for _ in layer.parameters()) or any(True for _ in layer.buffers()) else "cpu"
    assert isinstance(out, mg.Tensor) and out.device == mg.device(home)
    np.testing.assert_allclose(out.numpy(), layer(mg.Tensor(arr, device=home)).numpy(), rtol=1e-6)


@pytest.mark.parametrize("name, args, make", [
    ("CrossEntropyLoss", (), lambda r: (r.standard_normal((4, 3)), r.integers(0, 3, 4))),
    ("NLLLoss", (), lambda r: (-r.uniform(0.1, 2, (4, 3)), r.integers(0, 3, 4))),
    ("BCEWithLogitsLoss", (), lambda r: (r.standard_normal(4), r.integers(0, 2, 4).astype(float))),
    ("BCELoss", (), lambda r: (r.uniform(0.1, 0.9, 4), r.integers(0, 2, 4).astype(float))),
    ("MSELoss", (), lambda r: (r.standard_normal(4), r.standard_normal(4))),
    ("L1Loss", (), lambda r: (r.standard_normal(4), r.standard_normal(4))),
    ("HuberLoss", (), lambda r: (r.standard_normal(4), r.standard_normal(4))),
    ("SmoothL1Loss", (), lambda r: (r.standard_normal(4), r.standard_normal(4))),
    ("KLDivLoss", (), lambda r: (-r.uniform(0.1, 2, 4), r.uniform(0, 1, 4))),
    ("CosineEmbeddingLoss", (), lambda r: (r.standard_normal((4, 3)), r.standard_normal((4, 3)),
                                           r.choice([-1, 1], 4))),
    ("CosineSimilarity", (), lambda r: (r.standard_normal((4, 3)), r.standard_normal((4, 3)))),
])
def test_losses_accept_numpy(device, name, args, make):
    loss = getattr(nn, name)(*args)
    arrays = make(np.random.default_rng(1))
    out = loss(*arrays)
    ref = loss(*[mg.Tensor(a, device=device) for a in arrays])
    assert out.device == mg.device("cpu")  # no parameters: the default device
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-12)


def test_numpy_floats_take_the_modules_dtype_and_device(device):
    """A float64 array into a float32 model computes in float32 on the model's device; integer
    arrays (indices) keep their dtype."""
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 2, device=device), nn.ReLU())
    x = np.random.default_rng(2).standard_normal((4, 3))
    out = model(x)
    assert out.dtype == "float32" and out.device == mg.device(device)
    np.testing.assert_array_equal(out.numpy(), model(mg.Tensor(x.astype(np.float32), device=device)).numpy())
    emb = nn.Embedding(5, 2, device=device)
    assert emb(np.array([1, 4])).dtype == "float32"  # int64 indices stay integers


def test_loss_with_tensor_input_and_numpy_target_stays_on_the_inputs_device(device):
    logits = mg.Tensor(np.random.default_rng(3).standard_normal((4, 3)), device=device, requires_grad=True)
    y = np.array([0, 2, 1, 1])
    loss = nn.CrossEntropyLoss()(logits, y)
    assert loss.device == mg.device(device)
    np.testing.assert_allclose(loss.item(), nn.CrossEntropyLoss()(logits, mg.Tensor(y, device=device)).item())


def test_flatten_numpy_is_no_longer_a_memoryview_error():
    out = nn.Flatten()(np.zeros((2, 3, 4)))
    assert isinstance(out, mg.Tensor) and out.shape == (2, 12)
