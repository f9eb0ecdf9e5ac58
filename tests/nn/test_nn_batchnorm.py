"""BatchNorm1d/2d: training output and running statistics vs the NumPy formulas, eval output
with the running statistics, float64 gradients in training mode, options and bad input."""
import numpy as np
import pytest
from _numgrad import assert_grads_match
from hypothesis import given, settings, strategies as st

import minigrad as mg
import nn
import nn.functional as F


def np_batch_norm_train(x, gamma, beta, eps):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mu = x.mean(axis=axes)
    var = x.var(axis=axes)  # biased, as used to normalise
    y = (x - mu.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * gamma.reshape(shape) + beta.reshape(shape)
    n = x.size // x.shape[1]
    return y, mu, x.var(axis=axes, ddof=1), n


def np_batch_norm_eval(x, gamma, beta, rm, rv, eps):
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return (x - rm.reshape(shape)) / np.sqrt(rv.reshape(shape) + eps) * gamma.reshape(shape) + beta.reshape(shape)


@pytest.mark.parametrize("cls, shape", [(nn.BatchNorm1d, (8, 3)), (nn.BatchNorm1d, (4, 3, 5)),
                                        (nn.BatchNorm2d, (4, 3, 2, 3))])
def test_training_output_running_stats_and_eval(device, cls, shape):
    rng = np.random.default_rng(0)
    bn = cls(3, momentum=0.1).to(device, mg.float64)
    gamma, beta = rng.standard_normal(3), rng.standard_normal(3)
    with mg.no_grad():
        bn.weight.copy_(mg.Tensor(gamma, device=device))
        bn.bias.copy_(mg.Tensor(beta, device=device))
    rm, rv = np.zeros(3), np.ones(3)
    for step in range(3):
        x = rng.standard_normal(shape) * 3 + 2
        y = bn(mg.Tensor(x, device=device))
        y_ref, mu, var_unbiased, n = np_batch_norm_train(x, gamma, beta, 1e-5)
        np.testing.assert_allclose(y.numpy(), y_ref, rtol=1e-10, atol=1e-12)
        rm = 0.9 * rm + 0.1 * mu  # the course's EWA with beta = 0.9
        rv = 0.9 * rv + 0.1 * var_unbiased
        np.testing.assert_allclose(bn.running_mean.numpy(), rm, rtol=1e-12)
        np.testing.assert_allclose(bn.running_var.numpy(), rv, rtol=1e-12)
        assert bn.num_batches_tracked.item() == step + 1
    bn.eval()
    x = rng.standard_normal(shape)
    y = bn(mg.Tensor(x, device=device))
    np.testing.assert_allclose(y.numpy(), np_batch_norm_eval(x, gamma, beta, rm, rv, 1e-5), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(bn.running_mean.numpy(), rm, rtol=1e-12)  # eval does not update
    assert bn.num_batches_tracked.item() == 3


@given(n=st.integers(2, 5), c=st.integers(1, 3), affine=st.booleans(), seed=st.integers(0, 2**16))
def test_batch_norm_1d_gradients_training(device, n, c, affine, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c)) * rng.choice([0.1, 1.0, 10.0]) + rng.standard_normal(c)
    gamma, beta = rng.standard_normal(c), rng.standard_normal(c)

    def fn(x, g, b):
        rm = mg.zeros(c, dtype=mg.float64, device=device)
        rv = mg.ones(c, dtype=mg.float64, device=device)
        return F.batch_norm(x, rm, rv, g if affine else None, b if affine else None, training=True, eps=1e-3)

    assert_grads_match(fn, [x, gamma, beta], wrt=[0, 1, 2] if affine else [0], device=device)


@settings(max_examples=5)
@given(seed=st.integers(0, 2**16), l=st.integers(1, 2))
def test_batch_norm_module_gradients_3d_and_2d(device, seed, l):
    rng = np.random.default_rng(seed)
    bn1, bn2 = nn.BatchNorm1d(2).to(device, mg.float64), nn.BatchNorm2d(2).to(device, mg.float64)
    assert_grads_match(bn1, [rng.standard_normal((2, 2, l))], device=device)
    assert_grads_match(bn2, [rng.standard_normal((2, 2, l, 2))], device=device)


def test_batch_norm_eval_gradients(device):
    rng = np.random.default_rng(3)
    bn = nn.BatchNorm1d(3).to(device, mg.float64)
    bn(mg.Tensor(rng.standard_normal((6, 3)), device=device))
    bn.eval()
    assert_grads_match(bn, [rng.standard_normal((4, 3))], device=device)


def test_parameters_gradients_match_formula():
    """dgamma = sum(dy * x_hat), dbeta = sum(dy)."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 3))
    bn = nn.BatchNorm1d(3).double()
    dy = rng.standard_normal((5, 3))
    (bn(mg.tensor(x)) * mg.tensor(dy)).sum().backward()
    x_hat = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)
    np.testing.assert_allclose(bn.weight.grad.numpy(), (dy * x_hat).sum(0), rtol=1e-10)
    np.testing.assert_allclose(bn.bias.grad.numpy(), dy.sum(0), rtol=1e-12)


def test_momentum_none_is_cumulative_average():
    rng = np.random.default_rng(2)
    bn = nn.BatchNorm1d(2, momentum=None).double()
    xs = [rng.standard_normal((4, 2)) for _ in range(3)]
    for x in xs:
        bn(mg.tensor(x))
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean([x.mean(0) for x in xs], axis=0), rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.numpy(), np.mean([x.var(0, ddof=1) for x in xs], axis=0), rtol=1e-12)


def test_no_running_stats_uses_batch_stats_in_eval():
    rng = np.random.default_rng(4)
    bn = nn.BatchNorm1d(2, track_running_stats=False, affine=False).double().eval()
    assert bn.running_mean is None and list(bn.parameters()) == [] and bn.state_dict() == {}
    x = rng.standard_normal((6, 2))
    np.testing.assert_allclose(bn(mg.tensor(x)).numpy(), (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), rtol=1e-12)


def test_reset_and_repr():
    bn = nn.BatchNorm1d(2)
    bn(mg.randn(4, 2) * 3 + 1)
    bn.reset_running_stats()
    assert np.all(bn.running_mean.numpy() == 0) and np.all(bn.running_var.numpy() == 1)
    assert bn.num_batches_tracked.item() == 0
    assert repr(bn) == "BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"
    assert "momentum=0.1" in nn.BatchNorm1d.__doc__ and "beta = 0.9" in nn.BatchNorm1d.__doc__


def test_bad_input():
    with pytest.raises(ValueError, match=r"input has 4 channels .* built for 3"):
        nn.BatchNorm1d(3)(mg.ones(5, 4))
    with pytest.raises(ValueError, match="4-D"):
        nn.BatchNorm2d(3)(mg.ones(5, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(mg.ones(1, 3))
    nn.BatchNorm1d(3).eval()(mg.ones(1, 3))  # a single example is fine in eval
    with pytest.raises(ValueError, match="num_features"):
        nn.BatchNorm1d(0)
    with pytest.raises(ValueError, match="running_mean has shape"):
        F.batch_norm(mg.ones(2, 3), mg.zeros(2), mg.ones(3))
