"""nn.init (statistics, seeding, errors) and the L2/L1 penalties."""
import math

import numpy as np
import pytest
from _numgrad import assert_grads_match

import minigrad as mg
import nn
from nn import init


def _stats(t):
    a = t.numpy().astype(np.float64)
    return a.mean(), a.std(), a.min(), a.max()


# (function, kwargs, expected std, uniform bound or None) for a (300, 500) weight: n[l-1] = 500, n[l] = 300
CASES = [
    (init.kaiming_normal_, {}, math.sqrt(2 / 500), None),
    (init.he_normal_, {"mode": "fan_out"}, math.sqrt(2 / 300), None),
    (init.kaiming_normal_, {"nonlinearity": "tanh"}, (5 / 3) / math.sqrt(500), None),
    (init.kaiming_uniform_, {}, math.sqrt(2 / 500), math.sqrt(6 / 500)),
    (init.kaiming_uniform_, {"a": math.sqrt(5), "nonlinearity": "leaky_relu"}, 1 / math.sqrt(3 * 500),
     1 / math.sqrt(500)),
    (init.xavier_normal_, {}, math.sqrt(2 / 800), None),
    (init.xavier_normal_, {"mode": "fan_in"}, math.sqrt(1 / 500), None),
    (init.lecun_normal_, {}, math.sqrt(1 / 500), None),
    (init.xavier_uniform_, {}, math.sqrt(2 / 800), math.sqrt(6 / 800)),
    (init.scaled_normal_, {}, 0.01, None),
    (init.scaled_normal_, {"scale": 10.0}, 10.0, None),
    (init.normal_, {"mean": 0.0, "std": 3.0}, 3.0, None),
    (init.uniform_, {"a": -2.0, "b": 2.0}, 4 / math.sqrt(12), 2.0),
]


@pytest.mark.parametrize("fn, kwargs, std, bound", CASES, ids=[f"{c[0].__name__}{c[1]}" for c in CASES])
def test_initialiser_statistics(device, fn, kwargs, std, bound):
    mg.manual_seed(0)
    w = nn.Parameter(mg.zeros(300, 500, device=device))
    assert fn(w, **kwargs) is w
    mean, s, lo, hi = _stats(w)
    # 150,000 draws: the sample std is within 1% of the true one far beyond 5 sigma
    assert abs(s - std) < 0.01 * std
    assert abs(mean) < 0.02 * std
    if bound is not None:
        assert -bound <= lo and hi <= bound and hi > 0.99 * bound
    assert w.requires_grad and w.grad_fn is None and w.device == device


def test_constant_initialisers(device):
    w = mg.ones(3, 4, device=device, requires_grad=True)
    assert np.all(init.zeros_(w).numpy() == 0)
    assert np.all(init.ones_(w).numpy() == 1)
    assert np.all(init.constant_(w, -2.5).numpy() == -2.5)
    assert w.requires_grad


def test_seedable_by_manual_seed_and_generator(device):
    w1, w2 = mg.zeros(20, 10, device=device), mg.zeros(20, 10, device=device)
    mg.manual_seed(7)
    init.kaiming_normal_(w1)
    mg.manual_seed(7)
    init.kaiming_normal_(w2)
    np.testing.assert_array_equal(w1.numpy(), w2.numpy())
    init.xavier_uniform_(w1, generator=mg.Generator(device, seed=3))
    init.xavier_uniform_(w2, generator=mg.Generator(device, seed=3))
    np.testing.assert_array_equal(w1.numpy(), w2.numpy())
    init.xavier_uniform_(w2, generator=mg.Generator(device, seed=4))
    assert not np.array_equal(w1.numpy(), w2.numpy())


def test_fans_of_conv_kernels():
    w = mg.zeros(8, 4, 3, 3)  # (out, in, kh, kw): fan_in = 4 * 9
    mg.manual_seed(0)
    init.kaiming_normal_(w)
    assert abs(w.numpy().std() - math.sqrt(2 / 36)) < 0.05 * math.sqrt(2 / 36)


def test_calculate_gain():
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("linear") == 1.0
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    with pytest.raises(ValueError, match="unknown nonlinearity 'swish'"):
        init.calculate_gain("swish")


def test_initialiser_errors():
    with pytest.raises(ValueError, match=r"at least 2 dimensions .* shape \(5,\)"):
        init.kaiming_normal_(mg.zeros(5))
    with pytest.raises(TypeError, match="floating"):
        init.normal_(mg.zeros(2, 2, dtype=mg.int64))
    with pytest.raises(ValueError, match="mode must be"):
        init.kaiming_uniform_(mg.zeros(2, 2), mode="fan_avg")
    with pytest.raises(ValueError, match="std must be >= 0"):
        init.normal_(mg.zeros(2), std=-1)
    with pytest.raises(ValueError, match="generator is for"):
        init.normal_(mg.zeros(2), generator=mg.Generator("strict", seed=0))


# ----- penalties ----------------------------------------------------------------------------------
def _model():
    mg.manual_seed(2)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2)).double()


def test_l2_penalty_is_the_course_formula_over_weights_only():
    model = _model()
    w1, w2 = model[0].weight.numpy(), model[3].weight.numpy()
    lambd, m = 0.7, 32
    pen = nn.l2_penalty(model, lambd, m)
    expected = lambd / (2 * m) * (np.sum(w1 ** 2) + np.sum(w2 ** 2))  # no biases, no gamma/beta
    np.testing.assert_allclose(pen.item(), expected, rtol=1e-12)
    pen.backward()
    np.testing.assert_allclose(model[0].weight.grad.numpy(), lambd / m * w1, rtol=1e-12)  # dW += (lambd/m) W
    assert model[0].bias.grad is None and model[1].weight.grad is None


def test_l1_penalty_and_gradients():
    model = _model()
    pen = nn.l1_penalty(model, 0.5, 10)
    w1, w2 = model[0].weight.numpy(), model[3].weight.numpy()
    np.testing.assert_allclose(pen.item(), 0.5 / 10 * (np.abs(w1).sum() + np.abs(w2).sum()), rtol=1e-12)
    pen.backward()
    np.testing.assert_allclose(model[3].weight.grad.numpy(), 0.05 * np.sign(w2), rtol=1e-12)
    rng = np.random.default_rng(0)
    ws = [rng.standard_normal((2, 3)), rng.standard_normal((3, 2))]
    assert_grads_match(lambda a, b: nn.l2_penalty([a, b], 0.3, 4), ws)
    assert_grads_match(lambda a, b: nn.l1_penalty([a, b], 0.3, 4), ws)


def test_penalty_errors():
    with pytest.raises(ValueError, match="lambd must be >= 0"):
        nn.l2_penalty(_model(), -1, 4)
    with pytest.raises(ValueError, match="m .* must be positive"):
        nn.l2_penalty(_model(), 0.1, 0)
    with pytest.raises(ValueError, match="no weights"):
        nn.l2_penalty(nn.BatchNorm1d(3), 0.1, 4)
    with pytest.raises(TypeError, match="Module or Tensors"):
        nn.l1_penalty([np.ones(3)], 0.1, 4)
