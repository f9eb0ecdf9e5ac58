"""minigrad/ops/unary_math.py at its edges, against independent values: erf / erfc against Python's
math.erf / math.erfc (to a few ulps, across each branch of Cody's approximation), round with
decimals against hand-worked values, the predicates on integers, and each gradient against its
formula written out with NumPy."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg

# every branch of Cody's approximation and its seams: |x| <= 0.46875, up to 4, up to 27, beyond
_ERF_X = np.concatenate([np.linspace(-6.0, 6.0, 1201), np.linspace(6.0, 26.5, 206),
                         [0.46875, -0.46875, 0.4687, 0.46876, 4.0, -4.0, 3.9999, 4.0001, 1e-300, -1e-10, 0.0]])


def test_erf_matches_python_to_a_few_ulps_on_every_branch(device):
    out = mg.erf(mg.tensor(_ERF_X, dtype="float64", device=device)).numpy()
    expected = np.array([math.erf(v) for v in _ERF_X])
    np.testing.assert_allclose(out, expected, rtol=2e-15, atol=0)
    far = mg.erf(mg.tensor([27.0, 30.0, -27.0, -1e300], dtype="float64", device=device)).numpy()
    assert far.tolist() == [1.0, 1.0, -1.0, -1.0]


def test_erfc_matches_python_to_a_few_ulps_on_every_branch(device):
    out = mg.erfc(mg.tensor(_ERF_X, dtype="float64", device=device)).numpy()
    expected = np.array([math.erfc(v) for v in _ERF_X])
    np.testing.assert_allclose(out, expected, rtol=4e-15, atol=0)
    far = mg.erfc(mg.tensor([27.0, 100.0, -27.0, -30.0, math.nan], dtype="float64", device=device)).numpy()
    assert far[:4].tolist() == [0.0, 0.0, 2.0, 2.0] and math.isnan(far[4])  # erfc(27) underflows to 0


def test_erf_and_erfc_in_float32_and_of_integers(device):
    x = np.array([-3.0, -0.4, 0.0, 0.3, 0.5, 2.0, 5.0])
    out32 = mg.erf(mg.tensor(x, dtype="float32", device=device))
    assert out32.dtype == "float32"
    np.testing.assert_allclose(out32.numpy(), [math.erf(v) for v in x], rtol=1e-6, atol=1e-7)
    ints = mg.erfc(mg.tensor([0, 1, 2], device=device))
    assert ints.dtype == "float32"
    np.testing.assert_allclose(ints.numpy(), [math.erfc(v) for v in (0, 1, 2)], rtol=1e-6)


@pytest.mark.parametrize("name, derivative", [
    ("erf", lambda x: 2.0 / math.sqrt(math.pi) * np.exp(-x * x)),
    ("erfc", lambda x: -2.0 / math.sqrt(math.pi) * np.exp(-x * x)),
    ("exp2", lambda x: np.exp2(x) * math.log(2.0)),
    ("rsqrt", lambda x: -0.5 * x ** -1.5),
    ("reciprocal", lambda x: -1.0 / (x * x)),
    ("log2", lambda x: 1.0 / (x * math.log(2.0))),
    ("log10", lambda x: 1.0 / (x * math.log(10.0))),
    ("square", lambda x: 2.0 * x),
    ("frac", lambda x: np.ones_like(x)),
    ("sign", lambda x: np.zeros_like(x)),
    ("floor", lambda x: np.zeros_like(x)),
])
def test_first_and_second_gradients_against_their_formulas(name, derivative, device):
    x = np.array([0.3, 0.7, 1.6, 2.5])
    t = mg.tensor(x, dtype="float64", device=device, requires_grad=True)
    (g,) = mg.grad(getattr(mg, name)(t).sum(), [t], create_graph=True)
    np.testing.assert_allclose(g.numpy(), derivative(x), rtol=1e-13, atol=1e-15)
    if g.requires_grad:  # the second derivative against central differences of the formula
        (gg,) = mg.grad(g.sum(), [t])
        h = 1e-6
        np.testing.assert_allclose(gg.numpy(), (derivative(x + h) - derivative(x - h)) / (2 * h), rtol=1e-6, atol=1e-8)


def test_exp2_values_in_both_dtypes(device):
    x = np.array([-2.0, 0.0, 0.5, 3.0, 10.0])
    np.testing.assert_allclose(mg.exp2(mg.tensor(x, dtype="float64", device=device)).numpy(), 2.0 ** x, rtol=1e-15)
    assert mg.exp2(mg.tensor([3], device=device)).tolist() == [8.0]


def test_round_to_decimals_halves_to_even(device):
    t = mg.tensor([1.25, 1.35, -2.675, 12.5, 15.0, 25.0, 149.0, 0.5, 1.5, 2.5], dtype="float64", device=device)
    assert mg.round(t).tolist() == [1.0, 1.0, -3.0, 12.0, 15.0, 25.0, 149.0, 0.0, 2.0, 2.0]
    np.testing.assert_allclose(mg.round(t, decimals=1).numpy(),
                               [1.2, 1.4, -2.7, 12.5, 15.0, 25.0, 149.0, 0.5, 1.5, 2.5], rtol=1e-15)
    np.testing.assert_allclose(mg.round(t, decimals=-1).numpy(),
                               [0.0, 0.0, -0.0, 10.0, 20.0, 20.0, 150.0, 0.0, 0.0, 0.0], atol=0)
    assert mg.round(t, decimals=-2).tolist()[6] == 100.0
    ints = mg.tensor([15, -25], device=device)
    out = mg.round(ints)
    assert out.dtype == "int64" and out.tolist() == [15, -25]


def test_piecewise_constant_ops_on_floats_and_integers(device):
    x = np.array([-2.5, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 2.5])
    t = mg.tensor(x, dtype="float64", device=device)
    for name in ("floor", "ceil", "trunc"):
        np.testing.assert_array_equal(getattr(mg, name)(t).numpy(), getattr(np, name)(x))
    np.testing.assert_array_equal(mg.sign(t).numpy(), [-1.0, -1.0, -1.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    assert mg.sign(mg.tensor([math.nan], device=device)).tolist() == [0.0]  # PyTorch: sign(NaN) is 0
    np.testing.assert_array_equal(mg.frac(t).numpy(), x - np.trunc(x))
    ints = mg.tensor([-3, 0, 4], device=device)
    for name, expected in (("floor", [-3, 0, 4]), ("ceil", [-3, 0, 4]), ("trunc", [-3, 0, 4]),
                           ("sign", [-1, 0, 1]), ("square", [9, 0, 16])):
        out = getattr(mg, name)(ints)
        assert out.dtype == "int64" and out.tolist() == expected, name


def test_piecewise_constant_results_are_copies(device):
    ints = mg.tensor([1, 2], device=device)
    for name in ("floor", "ceil", "trunc", "round"):
        out = getattr(mg, name)(ints)
        out.array[0] = 7  # writing the result leaves the input alone
        assert ints.tolist() == [1, 2], name


def test_predicates_refuse_a_non_tensor_and_give_constant_bools(device):
    with pytest.raises(TypeError, match="isnan: expects a Tensor, got list"):
        mg.isnan([1.0])
    ints = mg.tensor([[1, 2]], device=device)
    assert mg.isfinite(ints).tolist() == [[True, True]] and mg.isinf(ints).tolist() == [[False, False]]
    assert mg.isnan(mg.tensor([True], device=device)).tolist() == [False]
    out = mg.isinf(mg.tensor([math.inf, 1.0], device=device, requires_grad=True))
    assert out.tolist() == [True, False] and out.grad_fn is None and out.device == device
