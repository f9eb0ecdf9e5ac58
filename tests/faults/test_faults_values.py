"""Issue 16 section 4, the cases that are not a plain "raises" row of the catalogue: PyTorch's
behaviour for ``Linear(0, n)`` and for an integer input to ``Linear``, and 1,000 nested
``Sequential`` s in ``repr``, forward and ``fit``."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad as mg
import nn
import optim
from minigrad.train import fit


def test_linear_with_no_inputs_is_pytorchs_constant_zero_layer():
    layer = nn.Linear(0, 3)
    assert layer.weight.shape == (3, 0)
    np.testing.assert_array_equal(layer(mg.ones(4, 0)).numpy(), np.zeros((4, 3), np.float32))


def test_pytorch_also_builds_a_constant_zero_layer_with_no_inputs():  # the oracle of the test above
    torch = pytest.importorskip("torch")
    ref = torch.nn.Linear(0, 3)
    np.testing.assert_array_equal(ref(torch.ones(4, 0)).detach().numpy(), np.zeros((4, 3), np.float32))


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_an_integer_input_is_an_error_as_in_pytorch(dtype):
    layer = nn.Linear(3, 2)
    x = mg.ones(4, 3, dtype=dtype)
    with pytest.raises(TypeError, match=f"Linear: the input has dtype {dtype} but the weight has float32"):
        layer(x)


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_pytorch_also_refuses_an_integer_input(dtype):  # the oracle of the test above
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="dtype"):
        torch.nn.Linear(3, 2)(torch.ones(4, 3, dtype=getattr(torch, dtype)))


def test_a_float64_input_to_a_float32_layer_is_refused_as_in_pytorch():
    layer = nn.Linear(3, 2)
    x = np.linspace(-1.0, 1.0, 12).reshape(4, 3)
    before = layer.weight.numpy().copy()
    with pytest.raises(RuntimeError, match=r"linear: expected input and weight to have the same dtype, got float64 "
                                           r"and float32.*weight.to\(input.dtype\)"):
        layer(mg.tensor(x, dtype=mg.float64))
    np.testing.assert_array_equal(layer.weight.numpy(), before)
    out = layer(mg.tensor(x, dtype=mg.float64).float())  # converted first: float32, as the weights
    w, b = layer.weight.numpy().astype(np.float64), layer.bias.numpy().astype(np.float64)
    np.testing.assert_allclose(out.numpy(), x @ w.T + b, rtol=1e-5)


def _deep(depth=1000):
    gen = mg.Generator("cpu", seed=0)
    inner = nn.Linear(2, 2)
    with mg.no_grad():
        inner.weight.copy_(mg.normal(2, 2, generator=gen))
    model = inner
    for _ in range(depth):
        model = nn.Sequential(model)
    return model, inner


def test_a_thousand_nested_sequentials_print():
    model, inner = _deep()
    text = repr(model)
    assert text.count("Sequential(") == 1000 and text.count("Linear(in_features=2, out_features=2") == 1
    assert text.splitlines()[1000].strip() == "(0): Linear(in_features=2, out_features=2, bias=True)"


def test_a_thousand_nested_sequentials_run_forward_and_backward():
    model, inner = _deep()
    x = mg.tensor([[1.0, 2.0], [3.0, -1.0]])
    out = model(x)
    w, b = inner.weight.numpy(), inner.bias.numpy()
    np.testing.assert_allclose(out.numpy(), x.numpy() @ w.T + b, rtol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(inner.weight.grad.numpy(), np.ones((2, 2)) * x.numpy().sum(axis=0), rtol=1e-6)


def test_a_thousand_nested_sequentials_train_with_fit():
    model, inner = _deep()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 2)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hist = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.5), (X, y), epochs=3,
                   progress=False)
    assert hist["train_cost"][-1] < hist["train_cost"][0]
