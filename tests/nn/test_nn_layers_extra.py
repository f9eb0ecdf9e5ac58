"""LayerNorm, GroupNorm, Embedding, LazyLinear, Unflatten, the dict/parameter containers and nn.utils:
forward against NumPy transcriptions, float64 gradients against central differences, state-dict round
trips, on every device."""
import numpy as np
import pytest
from _numgrad import assert_grads_match

import minigrad as mg
import nn
import nn.functional as F
import optim


def _t(a, device, **kw):
    return mg.Tensor(np.asarray(a), device=device, **kw)


def np_norm(x, axes, eps):
    mu = x.mean(axis=axes, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=axes, keepdims=True)
    return (x - mu) / np.sqrt(var + eps)


def _round_trip(make, device):
    """Module -> state_dict -> fresh module: the same tensors, key for key."""
    a, b = make(), make()
    rng = np.random.default_rng(0)
    with mg.no_grad():
        for p in a.parameters():
            p.copy_(mg.Tensor(rng.standard_normal(p.shape), device=device, dtype=p.dtype))
    b.load_state_dict(a.state_dict())
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for k in sa:
        np.testing.assert_array_equal(sa[k].numpy(), sb[k].numpy())


# ----- LayerNorm / GroupNorm ------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape, normalized", [((4, 6), (6,)), ((2, 3, 5), (5,)), ((2, 3, 5), (3, 5))])
def test_layer_norm_forward_and_gradients(device, shape, normalized):
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal(shape) * 3 + 1, rng.standard_normal(normalized), rng.standard_normal(normalized)
    ln = nn.LayerNorm(normalized, eps=1e-3, device=device, dtype=mg.float64)
    np.testing.assert_allclose(ln.weight.numpy(), 1.0) and np.testing.assert_allclose(ln.bias.numpy(), 0.0)
    with mg.no_grad():
        ln.weight.copy_(_t(w, device)), ln.bias.copy_(_t(b, device))
    axes = tuple(range(len(shape) - len(normalized), len(shape)))
    expected = np_norm(x, axes, 1e-3) * w + b
    np.testing.assert_allclose(ln(_t(x, device)).numpy(), expected, rtol=1e-10, atol=1e-12)
    ln.eval()  # no running statistics: the same in evaluation
    np.testing.assert_allclose(ln(_t(x, device)).numpy(), expected, rtol=1e-10, atol=1e-12)
    assert_grads_match(lambda x, w, b: F.layer_norm(x, normalized, w, b, eps=1e-3), [x, w, b], device=device)


def test_layer_norm_options_and_errors(device):
    ln = nn.LayerNorm(4, elementwise_affine=False, device=device)
    assert ln.weight is None and ln.bias is None and list(ln.parameters()) == []
    assert nn.LayerNorm(4, bias=False).bias is None
    assert repr(nn.LayerNorm(4)) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True)"
    with pytest.raises(ValueError, match=r"layer_norm: input of shape \(2, 3\) does not end with normalized_shape"):
        nn.LayerNorm(4)(mg.ones(2, 3))
    _round_trip(lambda: nn.LayerNorm((2, 3), device=device), device)


@pytest.mark.parametrize("groups", [1, 2, 4])
def test_group_norm_forward_and_gradients(device, groups):
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((3, 4, 5)) * 2, rng.standard_normal(4), rng.standard_normal(4)
    gn = nn.GroupNorm(groups, 4, device=device, dtype=mg.float64)
    with mg.no_grad():
        gn.weight.copy_(_t(w, device)), gn.bias.copy_(_t(b, device))
    xg = x.reshape(3, groups, -1)
    expected = np_norm(xg, (2,), 1e-5).reshape(x.shape) * w[None, :, None] + b[None, :, None]
    np.testing.assert_allclose(gn(_t(x, device)).numpy(), expected, rtol=1e-10, atol=1e-12)
    assert_grads_match(lambda x, w, b: F.group_norm(x, groups, w, b), [x, w, b], device=device)


def test_group_norm_errors_and_state(device):
    assert nn.GroupNorm(2, 4, bias=False).bias is None and nn.GroupNorm(2, 4, affine=False).weight is None
    with pytest.raises(ValueError, match="must be divisible by num_groups"):
        nn.GroupNorm(3, 4)
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 4, ...\), got \(2, 3\)"):
        nn.GroupNorm(2, 4)(mg.ones(2, 3))
    _round_trip(lambda: nn.GroupNorm(2, 4, device=device), device)


# ----- Embedding ------------------------------------------------------------------------------------------------
def test_embedding_lookup_and_gradient(device):
    rng = np.random.default_rng(3)
    w, idx = rng.standard_normal((6, 3)), np.array([[0, 2, 2], [5, 1, 2]])
    emb = nn.Embedding.from_pretrained(_t(w, device), freeze=False)
    out = emb(_t(idx, device))
    np.testing.assert_array_equal(out.numpy(), w[idx])
    out.sum().backward()
    counts = np.bincount(idx.ravel(), minlength=6)[:, None] * np.ones((1, 3))
    np.testing.assert_array_equal(emb.weight.grad.numpy(), counts)  # a row picked three times gets 3
    assert_grads_match(lambda w: F.embedding(_t(idx, device), w) ** 2, [w], device=device)


def test_embedding_padding_idx(device):
    mg.manual_seed(0)
    emb = nn.Embedding(5, 4, padding_idx=-1, device=device)
    assert emb.padding_idx == 4
    assert np.all(emb.weight.numpy()[4] == 0) and np.all(emb.weight.numpy()[:4] != 0)
    idx = _t(np.array([4, 1, 4, 0]), device)
    (emb(idx) * 3.0).sum().backward()
    g = emb.weight.grad.numpy()
    np.testing.assert_array_equal(g[4], 0.0)  # the padding row learns nothing
    np.testing.assert_array_equal(g[[0, 1]], 3.0)
    opt = optim.SGD(emb.parameters(), lr=1.0)
    with mg.no_grad():
        emb.weight[4] = 2.0  # a padding vector set by hand stays as it is
    opt.step()
    np.testing.assert_array_equal(emb.weight.numpy()[4], 2.0)


def test_embedding_init_is_standard_normal_and_errors(device):
    mg.manual_seed(1)
    w = nn.Embedding(1000, 50, device=device).weight.numpy()
    assert abs(w.std() - 1.0) < 0.02 and abs(w.mean()) < 0.02
    frozen = nn.Embedding.from_pretrained(mg.ones(3, 2))
    assert not frozen.weight.requires_grad
    with pytest.raises(IndexError, match=r"embedding: indices must be in \[0, 3\)"):
        frozen(mg.tensor([0, 3]))
    with pytest.raises(TypeError, match="indices must be integers"):
        frozen(mg.tensor([0.0]))
    with pytest.raises(ValueError, match="padding_idx must be within"):
        nn.Embedding(3, 2, padding_idx=3)
    with pytest.raises(NotImplementedError, match="max_norm"):
        nn.Embedding(3, 2, max_norm=1.0)
    _round_trip(lambda: nn.Embedding(4, 2, device=device), device)


# ----- LazyLinear, Unflatten -------------------------------------------------------------------------------------
def test_lazy_linear_infers_in_features(device):
    mg.manual_seed(2)
    layer = nn.LazyLinear(3, device=device, dtype=mg.float64)
    params = list(layer.parameters())
    opt = optim.SGD(layer.parameters(), lr=0.1)
    x = np.random.default_rng(4).standard_normal((5, 7))
    out = layer(_t(x, device))
    assert type(layer) is nn.Linear and layer.in_features == 7 and layer.weight.shape == (3, 7)
    assert params[0] is layer.weight and params[1] is layer.bias
    bound = 1 / np.sqrt(7)
    assert np.abs(layer.weight.numpy()).max() <= bound and np.abs(layer.bias.numpy()).max() <= bound
    np.testing.assert_allclose(out.numpy(), x @ layer.weight.numpy().T + layer.bias.numpy(), rtol=1e-12)
    out.sum().backward()
    before = layer.weight.numpy().copy()
    opt.step()  # the optimizer built before the first call updates the materialised weight
    np.testing.assert_allclose(layer.weight.numpy(), before - 0.1 * x.sum(0)[None, :].repeat(3, 0), rtol=1e-12)
    _round_trip(lambda: _materialised(device), device)


def _materialised(device):
    layer = nn.LazyLinear(2, device=device)
    layer(mg.ones(1, 3, device=device))
    return layer


def test_unflatten(device):
    x = _t(np.arange(24.0).reshape(2, 12), device)
    assert nn.Unflatten(1, (3, 4))(x).shape == (2, 3, 4)
    assert nn.Unflatten(-1, (2, -1))(x).shape == (2, 2, 6)
    np.testing.assert_array_equal(nn.Flatten()(nn.Unflatten(1, (3, 4))(x)).numpy(), x.numpy())
    with pytest.raises(ValueError, match=r"axis 1 of input of shape \(2, 12\) has size 12, which cannot be split"):
        nn.Unflatten(1, (5, 2))(x)
    assert repr(nn.Unflatten(1, (3, 4))) == "Unflatten(dim=1, unflattened_size=(3, 4))"


# ----- containers -------------------------------------------------------------------------------------------------
def test_module_dict(device):
    d = nn.ModuleDict({"enc": nn.Linear(3, 2, device=device), "act": nn.ReLU()})
    d["dec"] = nn.Linear(2, 3, device=device)
    assert list(d) == ["enc", "act", "dec"] and len(d) == 3 and "act" in d
    assert list(d.state_dict()) == ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]
    assert len(list(d.parameters())) == 4
    copy = nn.ModuleDict(d)  # from another ModuleDict: the same modules, in order
    assert list(copy) == list(d) and copy["enc"] is d["enc"]
    popped = d.pop("act")
    assert isinstance(popped, nn.ReLU) and list(d.keys()) == ["enc", "dec"]
    with pytest.raises(TypeError, match="expected an nn.Module"):
        d["x"] = 3
    with pytest.raises(NotImplementedError, match="has no forward"):
        d(mg.ones(1))
    _round_trip(lambda: nn.ModuleDict([("a", nn.Linear(2, 2, device=device))]), device)


def test_parameter_list_and_dict(device):
    pl = nn.ParameterList([mg.ones(2, device=device), nn.Parameter(mg.zeros(3, device=device))])
    pl.append(mg.ones(1, device=device))
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in pl)
    assert list(pl.state_dict()) == ["0", "1", "2"] and len(pl) == 3 and pl[-1].shape == (1,)
    pd = nn.ParameterDict({"scale": mg.ones(2, device=device)})
    pd["shift"] = mg.zeros(2, device=device)
    assert list(pd.keys()) == ["scale", "shift"] and isinstance(pd["shift"], nn.Parameter)

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.ps, self.named = pl, pd

    m = Model()
    assert [n for n, _ in m.named_parameters()] == ["ps.0", "ps.1", "ps.2", "named.scale", "named.shift"]
    m.to(dtype=mg.float64)
    assert pl[0].dtype == "float64" and pd["scale"].dtype == "float64"
    with pytest.raises(TypeError, match="expected an nn.Parameter or Tensor"):
        pl.append(3.0)
    _round_trip(lambda: nn.ParameterDict({"a": mg.zeros(2, device=device)}), device)
    _round_trip(lambda: nn.ParameterList([mg.zeros(2, device=device)]), device)


# ----- nn.utils -----------------------------------------------------------------------------------------------
def test_parameters_to_vector_round_trip(device):
    model = nn.Sequential(nn.Linear(3, 2, device=device), nn.Linear(2, 1, device=device))
    vec = nn.utils.parameters_to_vector(model.parameters())
    expected = np.concatenate([p.numpy().ravel() for p in model.parameters()])
    np.testing.assert_array_equal(vec.numpy(), expected)
    (vec * _t(np.arange(vec.shape[0], dtype=np.float32), device)).sum().backward()  # differentiable
    np.testing.assert_array_equal(np.concatenate([p.grad.numpy().ravel() for p in model.parameters()]),
                                  np.arange(vec.shape[0]))
    new = _t(np.linspace(-1, 1, vec.shape[0]), device)  # float64 into float32 parameters: cast
    nn.utils.vector_to_parameters(new, model.parameters())
    assert model[0].weight.dtype == "float32"
    np.testing.assert_allclose(nn.utils.parameters_to_vector(model.parameters()).numpy(), new.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match=r"vec has shape \(3,\), expected \(11,\)"):
        nn.utils.vector_to_parameters(mg.zeros(3, device=device), model.parameters())
    assert nn.utils.clip_grad_norm_ is mg.clip_grad_norm_ and nn.utils.clip_grad_value_ is mg.clip_grad_value_
