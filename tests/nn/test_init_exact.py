"""nn.init pinned exactly: with a seeded generator each initialiser's values are (standard draws from the same
generator) * the hand-computed std / bound, for Linear weights and convolution kernels, every mode and gain."""
import math

import numpy as np
import pytest

import minigrad as mg
import nn
from nn import init

SHAPES = [(3, 5), (4, 2, 3, 3)]  # Linear (fan_out=3, fan_in=5); conv (fan_in = 2*9 = 18, fan_out = 4*9 = 36)
FANS = {(3, 5): (5, 3), (4, 2, 3, 3): (18, 36)}


def _std_normal(shape, seed):
    return mg.normal(shape, mean=0.0, std=1.0, dtype=mg.float64, generator=mg.Generator("cpu", seed=seed)).numpy()


def _unit_uniform(shape, seed):
    return mg.uniform(shape, low=0.0, high=1.0, dtype=mg.float64, generator=mg.Generator("cpu", seed=seed)).numpy()


def _normal_cases(fan_in, fan_out):
    return [
        (lambda w, g: init.kaiming_normal_(w, generator=g), math.sqrt(2.0) / math.sqrt(fan_in)),
        (lambda w, g: init.kaiming_normal_(w, mode="fan_out", generator=g), math.sqrt(2.0 / fan_out)),
        (lambda w, g: init.he_normal_(w, a=0.3, nonlinearity="leaky_relu", generator=g),
         math.sqrt(2.0 / (1 + 0.09)) / math.sqrt(fan_in)),
        (lambda w, g: init.kaiming_normal_(w, nonlinearity="tanh", generator=g), (5 / 3) / math.sqrt(fan_in)),
        (lambda w, g: init.kaiming_normal_(w, nonlinearity="leaky_relu", generator=g), math.sqrt(2.0 / fan_in)),
        (lambda w, g: init.kaiming_normal_(w, a=1.0, nonlinearity="leaky_relu", generator=g), 1.0 / math.sqrt(fan_in)),
        (lambda w, g: init.kaiming_normal_(w, nonlinearity="linear", generator=g), 1 / math.sqrt(fan_in)),
        (lambda w, g: init.xavier_normal_(w, generator=g), math.sqrt(2.0 / (fan_in + fan_out))),
        (lambda w, g: init.xavier_normal_(w, gain=2.5, generator=g), 2.5 * math.sqrt(2.0 / (fan_in + fan_out))),
        (lambda w, g: init.xavier_normal_(w, gain=2.0, mode="fan_in", generator=g), 2.0 / math.sqrt(fan_in)),
        (lambda w, g: init.lecun_normal_(w, generator=g), 1 / math.sqrt(fan_in)),
        (lambda w, g: init.scaled_normal_(w, generator=g), 0.01),
        (lambda w, g: init.scaled_normal_(w, 7.0, generator=g), 7.0),
    ]


def _uniform_cases(fan_in, fan_out):
    return [
        (lambda w, g: init.kaiming_uniform_(w, generator=g), math.sqrt(2.0) * math.sqrt(3.0 / fan_in)),
        (lambda w, g: init.he_uniform_(w, mode="fan_out", generator=g), math.sqrt(6.0 / fan_out)),
        (lambda w, g: init.kaiming_uniform_(w, a=math.sqrt(5.0), nonlinearity="leaky_relu", generator=g),
         1 / math.sqrt(fan_in)),
        (lambda w, g: init.xavier_uniform_(w, generator=g), math.sqrt(6.0 / (fan_in + fan_out))),
        (lambda w, g: init.xavier_uniform_(w, gain=3.0, generator=g), 3.0 * math.sqrt(6.0 / (fan_in + fan_out))),
    ]


@pytest.mark.parametrize("shape", SHAPES)
def test_normal_initialisers_exactly(shape):
    for k, (fn, std) in enumerate(_normal_cases(*FANS[shape])):
        w = nn.Parameter(mg.zeros(*shape, dtype=mg.float64))
        assert fn(w, mg.Generator("cpu", seed=k)) is w
        np.testing.assert_allclose(w.numpy(), std * _std_normal(shape, k), rtol=1e-13, err_msg=f"case {k}")
        assert w.requires_grad and w.grad_fn is None


@pytest.mark.parametrize("shape", SHAPES)
def test_uniform_initialisers_exactly(shape):
    for k, (fn, bound) in enumerate(_uniform_cases(*FANS[shape])):
        w = mg.zeros(*shape, dtype=mg.float64)
        fn(w, mg.Generator("cpu", seed=k))
        np.testing.assert_allclose(w.numpy(), -bound + 2 * bound * _unit_uniform(shape, k), rtol=1e-13,
                                   atol=1e-15, err_msg=f"case {k}")


def test_normal_and_uniform_with_mean_and_bounds():
    w = init.normal_(mg.zeros(4, dtype=mg.float64), mean=3.0, std=0.5, generator=mg.Generator("cpu", seed=9))
    np.testing.assert_allclose(w.numpy(), 3.0 + 0.5 * _std_normal((4,), 9), rtol=1e-13)
    w = init.uniform_(mg.zeros(4, dtype=mg.float64), -1.0, 3.0, generator=mg.Generator("cpu", seed=9))
    np.testing.assert_allclose(w.numpy(), -1.0 + 4.0 * _unit_uniform((4,), 9), rtol=1e-13)
    w = init.normal_(mg.zeros(4, dtype=mg.float64), generator=mg.Generator("cpu", seed=2))  # defaults N(0, 1)
    np.testing.assert_allclose(w.numpy(), _std_normal((4,), 2), rtol=1e-13)
    w = init.uniform_(mg.zeros(4, dtype=mg.float64), generator=mg.Generator("cpu", seed=2))  # defaults U(0, 1)
    np.testing.assert_allclose(w.numpy(), _unit_uniform((4,), 2), rtol=1e-13)


@pytest.mark.parametrize("scheme, kind, scale", [
    ("he", "normal", math.sqrt(2 / 5)), ("he_uniform", "uniform", math.sqrt(6 / 5)),
    ("xavier", "normal", math.sqrt(1 / 5)), ("glorot", "normal", math.sqrt(2 / 8)),
    ("glorot_uniform", "uniform", math.sqrt(6 / 8)), ("random", "normal", 0.01), ("large", "normal", 10.0)])
def test_linear_schemes_exactly(scheme, kind, scale):
    layer = nn.Linear(5, 3, dtype=mg.float64, init=scheme, generator=mg.Generator("cpu", seed=4))
    base = _std_normal((3, 5), 4) if kind == "normal" else 2 * _unit_uniform((3, 5), 4) - 1
    np.testing.assert_allclose(layer.weight.numpy(), scale * base, rtol=1e-12, atol=1e-15)
    assert np.all(layer.bias.numpy() == 0.0)
    with mg.no_grad():
        layer.bias.fill_(1.0)
    layer.reset_parameters(mg.Generator("cpu", seed=4))  # the scheme is kept, and zeroes the bias again
    assert np.all(layer.bias.numpy() == 0.0)
    np.testing.assert_allclose(layer.weight.numpy(), scale * base, rtol=1e-12, atol=1e-15)


def test_linear_pytorch_scheme_draws_weight_then_bias_from_one_generator():
    g = mg.Generator("cpu", seed=6)
    layer = nn.Linear(4, 3, dtype=mg.float64, generator=g)
    g2 = mg.Generator("cpu", seed=6)
    u_w = mg.uniform((3, 4), low=0.0, high=1.0, dtype=mg.float64, generator=g2).numpy()
    u_b = mg.uniform((3,), low=0.0, high=1.0, dtype=mg.float64, generator=g2).numpy()
    np.testing.assert_allclose(layer.weight.numpy(), 0.5 * (2 * u_w - 1), rtol=1e-12, atol=1e-15)  # 1/sqrt(4)
    np.testing.assert_allclose(layer.bias.numpy(), 0.5 * (2 * u_b - 1), rtol=1e-12, atol=1e-15)
    nobias = nn.Linear(4, 3, bias=False, generator=mg.Generator("cpu", seed=6), dtype=mg.float64)
    np.testing.assert_allclose(nobias.weight.numpy(), layer.weight.numpy(), rtol=0)
    empty = nn.Linear(0, 2)
    assert empty.bias.numpy().tolist() == [0.0, 0.0]
    custom = nn.Linear(2, 2, init=lambda w: init.constant_(w, 0.25))
    assert np.all(custom.weight.numpy() == 0.25) and np.all(custom.bias.numpy() == 0.0)


@pytest.mark.parametrize("fn, name", [(init.kaiming_normal_, "kaiming_normal_"),
                                      (init.kaiming_uniform_, "kaiming_uniform_"),
                                      (init.xavier_normal_, "xavier_normal_"),
                                      (init.xavier_uniform_, "xavier_uniform_")])
def test_initialiser_errors_name_the_initialiser(fn, name):
    with pytest.raises(TypeError, match=rf"^{name}: expected a floating tensor, got int64$"):
        fn(mg.zeros(2, 2, dtype=mg.int64))
    with pytest.raises(TypeError, match=rf"^{name}: expected a Tensor, got list$"):
        fn([[0.0]])
    with pytest.raises(ValueError, match=rf"^{name}: needs a weight with at least 2 dimensions \(out, in\), "
                                         r"got shape \(3,\)$"):
        fn(mg.zeros(3))
