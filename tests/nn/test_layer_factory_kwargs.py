"""Every layer built with ``device=`` / ``dtype=`` puts each parameter and floating buffer there (integer
buffers keep int64); without running statistics BatchNorm registers all three buffers as None."""
import pytest

import minigrad as mg
import nn

LAYERS = {
    "Linear": lambda **kw: nn.Linear(3, 2, **kw),
    "LazyLinear": lambda **kw: nn.LazyLinear(2, **kw),
    "BatchNorm1d": lambda **kw: nn.BatchNorm1d(3, **kw),
    "BatchNorm2d": lambda **kw: nn.BatchNorm2d(3, **kw),
    "LayerNorm": lambda **kw: nn.LayerNorm((2, 3), **kw),
    "GroupNorm": lambda **kw: nn.GroupNorm(1, 2, **kw),
    "Embedding": lambda **kw: nn.Embedding(4, 2, **kw),
    "Conv1d": lambda **kw: nn.Conv1d(2, 3, 2, **kw),
    "Conv2d": lambda **kw: nn.Conv2d(2, 3, 2, **kw),
    "ConvTranspose2d": lambda **kw: nn.ConvTranspose2d(2, 3, 2, **kw),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_factory_kwargs_reach_every_tensor(name):
    layer = LAYERS[name](device="strict", dtype=mg.float64)
    tensors = list(layer.named_parameters()) + list(layer.named_buffers())
    assert tensors
    for tname, t in tensors:
        assert t.device == "strict", (tname, t.device)
        want = "int64" if tname == "num_batches_tracked" else "float64"
        assert t.dtype == want, (tname, t.dtype)
    if name.startswith("BatchNorm"):
        assert layer.num_batches_tracked.shape == () and layer.running_var.shape == (3,)


@pytest.mark.parametrize("cls", [nn.BatchNorm1d, nn.BatchNorm2d])
def test_batchnorm_without_running_stats_has_none_buffers(cls):
    bn = cls(2, track_running_stats=False)
    assert bn.running_mean is None and bn.running_var is None and bn.num_batches_tracked is None
    assert list(bn._buffers) == ["running_mean", "running_var", "num_batches_tracked"]
    assert list(bn.named_buffers()) == [] and list(bn.state_dict()) == ["weight", "bias"]
