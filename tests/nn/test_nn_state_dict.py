"""state_dict / load_state_dict: keys, bit-for-bit round trips through minigrad.save/load,
cross-device loading, and all-or-nothing failure."""
import numpy as np
import pytest

import minigrad as mg
import nn


def make_model(device="cpu", seed=0):
    mg.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Dropout(0.1), nn.Linear(5, 2)).to(device)


def snapshot(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def assert_same(a, b):
    assert list(a) == list(b)
    for k in a:
        assert a[k].dtype == b[k].dtype, k
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def test_state_dict_keys_and_sharing():
    model = make_model()
    sd = model.state_dict()
    assert list(sd) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                        "1.num_batches_tracked", "4.weight", "4.bias"]
    assert all(not t.requires_grad for t in sd.values())
    assert sd["0.weight"].array is model[0].weight.array  # detached, not copied
    assert model.state_dict(keep_vars=True)["0.weight"] is model[0].weight
    assert list(model.state_dict(prefix="net."))[0] == "net.0.weight"


def test_round_trip_through_file_bit_for_bit(device, tmp_path):
    model = make_model(device, seed=1)
    model(mg.randn(8, 3, device=device))  # move the running statistics
    path = tmp_path / "model.mg"
    mg.save(model.state_dict(), path)
    other = make_model(device, seed=2)
    assert not np.array_equal(other[0].weight.numpy(), model[0].weight.numpy())
    result = other.load_state_dict(mg.load(path))
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert_same(snapshot(other), snapshot(model))
    assert all(t.device == device for t in other.state_dict().values())
    other.eval(), model.eval()
    x = mg.randn(4, 3, device=device)
    np.testing.assert_array_equal(other(x).numpy(), model(x).numpy())


@pytest.mark.parametrize("src, dst, map_location", [
    ("strict:1", "cpu", "cpu"), ("cpu", "strict:2", None), ("strict:1", "strict:2", {"strict:1": "strict:2"})])
def test_checkpoint_from_one_device_loads_on_another(tmp_path, src, dst, map_location):
    model = make_model(src, seed=3)
    model(mg.randn(4, 3, device=src))
    mg.save({"model": model.state_dict(), "epoch": 3}, tmp_path / "ck.mg")
    ck = mg.load(tmp_path / "ck.mg", map_location=map_location)
    assert ck["epoch"] == 3
    expected_dev = src if map_location is None else dst
    assert all(t.device == expected_dev for t in ck["model"].values())
    target = make_model(dst, seed=4)
    target.load_state_dict(ck["model"])  # moved to each parameter's device
    assert all(t.device == dst for t in target.state_dict().values())
    assert_same(snapshot(target), snapshot(model))


def test_load_casts_to_parameter_dtype():
    model = make_model()
    sd = {k: v.to(dtype=mg.float64) if v.dtype == "float32" else v for k, v in model.state_dict().items()}
    other = make_model(seed=9)
    other.load_state_dict(sd)
    assert other[0].weight.dtype == "float32"
    assert_same(snapshot(other), snapshot(model))
    as_numpy = {k: v.numpy() for k, v in model.state_dict().items()}
    make_model(seed=8).load_state_dict(as_numpy)


def test_load_does_not_alias_the_source():
    model, other = make_model(seed=1), make_model(seed=2)
    other.load_state_dict(model.state_dict())
    with mg.no_grad():
        model[0].weight.fill_(123.0)
    assert not np.any(other[0].weight.numpy() == 123.0)


def test_parameter_identity_kept_for_optimizers():
    model = make_model()
    w = model[0].weight
    model.load_state_dict(make_model(seed=5).state_dict())
    assert model[0].weight is w


@pytest.mark.parametrize("mutate, pattern", [
    (lambda sd: sd.pop("4.bias"), r"missing keys: 4\.bias"),
    (lambda sd: sd.__setitem__("5.weight", mg.zeros(2, 2)), r"unexpected keys: 5\.weight"),
    (lambda sd: sd.__setitem__("0.weight", mg.zeros(5, 4)),
     r"0\.weight: shape \(5, 4\) in the checkpoint, \(5, 3\) in the model"),
    (lambda sd: sd.__setitem__("1.running_var", mg.zeros(4)), r"1\.running_var: shape \(4,\)"),
    (lambda sd: sd.__setitem__("0.bias", "nonsense"), r"0\.bias: expected a Tensor or array, got str"),
])
def test_bad_state_dict_raises_and_changes_nothing(mutate, pattern):
    model = make_model()
    before = snapshot(model)
    sd = dict(make_model(seed=6).state_dict())
    mutate(sd)
    with pytest.raises(nn.StateDictError, match=pattern) as info:
        model.load_state_dict(sd)
    assert "nothing was changed" in str(info.value)
    assert_same(snapshot(model), before)


def test_all_problems_reported_together():
    model = make_model()
    sd = dict(model.state_dict())
    sd.pop("0.bias")
    sd["extra"] = mg.zeros(1)
    sd["4.weight"] = mg.zeros(1)
    with pytest.raises(nn.StateDictError) as info:
        model.load_state_dict(sd)
    msg = str(info.value)
    assert "missing keys: 0.bias" in msg and "unexpected keys: extra" in msg and "4.weight: shape (1,)" in msg


def test_non_strict_loads_the_overlap():
    model = make_model()
    source = make_model(seed=7)
    sd = dict(source.state_dict())
    sd.pop("4.bias")
    sd["head.weight"] = mg.zeros(2)
    result = model.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["4.bias"] and result.unexpected_keys == ["head.weight"]
    np.testing.assert_array_equal(model[4].weight.numpy(), source[4].weight.numpy())
    with pytest.raises(nn.StateDictError, match="shape"):
        model.load_state_dict({"0.weight": mg.zeros(1)}, strict=False)  # shapes are always checked


def test_load_state_dict_type_error():
    with pytest.raises(TypeError, match="dict of name -> tensor"):
        make_model().load_state_dict([1, 2])
