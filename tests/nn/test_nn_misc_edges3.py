"""Remaining nn lines no test reached: activation-layer reprs and argument errors, softmin / relu6 edges,
LazyLinear before its first call, and the argument errors of parameters_to_vector / vector_to_parameters."""
import numpy as np
import pytest

import minigrad as mg
import nn
import nn.functional as F


def test_activation_layer_reprs_match_pytorchs_spelling():
    assert repr(nn.SiLU(inplace=True)) == "SiLU(inplace=True)" and repr(nn.SiLU()) == "SiLU()"
    assert repr(nn.GELU()) == "GELU(approximate='none')" and repr(nn.GELU("tanh")) == "GELU(approximate='tanh')"
    assert repr(nn.ELU(alpha=0.5)) == "ELU(alpha=0.5)" and repr(nn.ELU(inplace=True)) == "ELU(alpha=1.0, inplace=True)"
    assert repr(nn.Hardtanh(-2.0, 3.0)) == "Hardtanh(min_val=-2.0, max_val=3.0)"
    assert repr(nn.Hardtanh(inplace=True)) == "Hardtanh(min_val=-1.0, max_val=1.0, inplace=True)"
    assert repr(nn.ReLU6()) == "ReLU6()" and repr(nn.ReLU6(inplace=True)) == "ReLU6(inplace=True)"
    assert repr(nn.Softmin(dim=1)) == "Softmin(dim=1)"
    with pytest.raises(ValueError, match="^GELU: approximate must be 'none' or 'tanh', got 'erf'$"):
        nn.GELU("erf")
    for lo, hi in ((1.0, 1.0), (2.0, 1.0)):
        with pytest.raises(ValueError, match=rf"^Hardtanh: max_val \({hi}\) must be greater than min_val \({lo}\)$"):
            nn.Hardtanh(lo, hi)


def test_softmin_and_relu6_edges():
    assert F.softmin(mg.tensor(3.0), dim=0).item() == 1.0  # one number: 1 (PyTorch)
    out = F.softmin(mg.tensor(np.array([0.0, np.log(3.0)], dtype=np.float32)), dim=0, dtype=mg.float64)
    assert out.dtype == "float64"
    np.testing.assert_allclose(out.numpy(), [0.75, 0.25], rtol=1e-6)
    np.testing.assert_array_equal(F.relu6(mg.tensor([-1.0, 3.0, 7.0])).numpy(), [0.0, 3.0, 6.0])


def test_lazy_linear_before_its_first_call():
    lazy = nn.LazyLinear(3)
    assert lazy.has_uninitialized_params() and lazy.in_features == 0
    assert repr(lazy) == "LazyLinear(in_features=<lazy>, out_features=3, bias=True)"
    lazy.reset_parameters()  # nothing to draw yet
    assert lazy.weight.shape == (3, 0) and np.all(lazy.bias.numpy() == 0)
    for bad in (mg.tensor(1.0), np.ones(3)):
        with pytest.raises(ValueError, match="^LazyLinear: the first input must be a Tensor with a feature axis"):
            lazy.initialize_parameters(bad)
    mg.manual_seed(3)
    y = lazy(mg.ones(2, 4))
    assert type(lazy) is nn.Linear and lazy.in_features == 4 and y.shape == (2, 3)
    bound = 1 / np.sqrt(4)
    assert np.all(np.abs(lazy.weight.numpy()) <= bound) and np.all(np.abs(lazy.bias.numpy()) <= bound)
    assert np.any(lazy.bias.numpy() != 0)
    lazy.reset_parameters()  # a Linear now: draws again
    assert np.any(lazy.weight.numpy() != 0)


def test_vector_conversion_argument_errors():
    p = nn.Parameter(mg.tensor([1.0, 2.0]))
    np.testing.assert_array_equal(nn.utils.parameters_to_vector(p).numpy(), [1.0, 2.0])  # one Tensor is a list
    with pytest.raises(TypeError, match="^parameters_to_vector: expected an iterable of Tensors, item 1 is float$"):
        nn.utils.parameters_to_vector([p, 3.0])
    with pytest.raises(mg.DeviceError, match="^parameters_to_vector: parameters are on different devices "
                                             r"\(cpu and strict:0\)"):
        nn.utils.parameters_to_vector([p, mg.ones(1, device="strict")])
    with pytest.raises(ValueError, match="^parameters_to_vector: got no parameters$"):
        nn.utils.parameters_to_vector([])
    with pytest.raises(TypeError, match="^vector_to_parameters: expected vec to be a Tensor, got list$"):
        nn.utils.vector_to_parameters([1.0, 2.0], [p])
    with pytest.raises(mg.DeviceError, match="^vector_to_parameters: vec is on strict:0 but a parameter is on cpu$"):
        nn.utils.vector_to_parameters(mg.ones(2, device="strict"), [p])
    nn.utils.vector_to_parameters(mg.tensor([5.0, 6.0]), p)
    np.testing.assert_array_equal(p.numpy(), [5.0, 6.0])
