"""Every random factory against NumPy's own generator seeded alike (the CPU and strict backends draw
with ``np.random.default_rng(seed)``): the numbers, their shape, dtype and device, each call form.

The oracle is NumPy's documented draw of the same stream, scaled by the formula in each docstring
(``uniform``: U * (high - low) + low; ``normal``: Z * std + mean; ``bernoulli``: U < p).
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

SEED = 1234


def _gen(device):
    return mg.Generator(device=device, seed=SEED)


def _rng():
    return np.random.default_rng(SEED)


def _close(t, expected, dtype="float32"):
    assert t.dtype == dtype
    tol = 1e-12 if dtype == "float64" else 1e-6  # float64 draws must not pass through float32
    np.testing.assert_allclose(t.numpy(), np.asarray(expected, dtype=dtype), rtol=tol, atol=tol)


def test_rand_uniform_randn_are_the_streams_numbers(device):
    _close(mg.rand(2, 3, device=device, generator=_gen(device)), _rng().random((2, 3)))
    _close(mg.uniform(4, low=-2.0, high=3.0, device=device, generator=_gen(device)), _rng().random(4) * 5.0 - 2.0)
    _close(mg.randn((3, 2), device=device, generator=_gen(device), dtype=mg.float64),
           _rng().standard_normal((3, 2)), "float64")


def test_normal_with_numbers_every_call_form(device):
    z = _rng().standard_normal((2, 3))
    _close(mg.normal(5.0, 0.5, (2, 3), device=device, generator=_gen(device)), z * 0.5 + 5.0)
    _close(mg.normal(5.0, 0.5, size=(2, 3), device=device, generator=_gen(device)), z * 0.5 + 5.0)
    _close(mg.normal(5.0, size=[2, 3], device=device, generator=_gen(device)), z + 5.0)  # std defaults to 1
    _close(mg.normal(2, 3, mean=-1.0, std=2.0, device=device, generator=_gen(device)), z * 2.0 - 1.0)  # ints: shape
    _close(mg.normal(2, 3, device=device, generator=_gen(device)), z)  # N(0, 1) by default


def test_normal_with_tensor_mean_and_std_broadcasts_elementwise(device):
    mean = mg.tensor([[0.0], [100.0]], device=device)
    std = mg.tensor([[0.5, 1.0, 2.0]], device=device)
    z = _rng().standard_normal((2, 3))
    got = mg.normal(mean, std, generator=_gen(device))
    assert got.shape == (2, 3) and got.device == mean.device and not got.requires_grad
    _close(got, z * np.array([[0.5, 1.0, 2.0]]) + np.array([[0.0], [100.0]]))
    _close(mg.normal(mean, generator=_gen(device)), _rng().standard_normal((2, 1)) + np.array([[0.0], [100.0]]))
    _close(mg.normal(3.0, std, generator=_gen(device)), _rng().standard_normal((1, 3)) * np.array([[0.5, 1.0, 2.0]]) + 3)
    _close(mg.normal(mean, 2.0, generator=_gen(device)), _rng().standard_normal((2, 1)) * 2.0 + np.array([[0.0], [100.0]]))


def test_normal_with_tensors_takes_means_dtype_else_stds_as_pytorch(device):
    m64 = mg.zeros(3, dtype=mg.float64, device=device)
    _close(mg.normal(m64, 1.0, generator=_gen(device)), _rng().standard_normal(3), "float64")
    _close(mg.normal(0.0, mg.ones(3, dtype=mg.float64, device=device), generator=_gen(device)),
           _rng().standard_normal(3), "float64")
    _close(mg.normal(mg.zeros(3, device=device), m64 + 1, generator=_gen(device)), _rng().standard_normal(3))
    assert mg.normal(mg.zeros(2, device=device), 1.0, requires_grad=True).requires_grad


@pytest.mark.parametrize("which", ["mean", "std"])
def test_normal_refuses_integer_tensors_as_pytorch(which, device):
    ints = mg.ones(3, dtype=mg.int64, device=device)
    args = (ints, 1.0) if which == "mean" else (0.0, ints)
    with pytest.raises(TypeError, match=f"^normal: {which} must be a floating-point Tensor, got int64"):
        mg.normal(*args)


@pytest.mark.parametrize("call", [
    lambda t: mg.normal(t, 1.0, (3,)),
    lambda t: mg.normal(t, 1.0, size=(3,)),
    lambda t: mg.normal(t, 1.0, 2.0),
])
def test_normal_with_tensors_refuses_a_size(call, device):
    with pytest.raises(TypeError, match=r"^normal: with a Tensor mean or std, call normal\(mean, std\) \(no size\)$"):
        call(mg.zeros(3, device=device))


def test_normal_refuses_a_size_given_twice():
    with pytest.raises(TypeError, match=r"^normal: expected normal\(mean, std, size\)$"):
        mg.normal(0.0, 1.0, (3,), size=(3,))
    with pytest.raises(TypeError, match=r"^normal: a shape holds integers, got 0.0 \(float\)"):
        mg.normal(0.0, 1.0, (3,), (4,))


def test_bernoulli_every_form_is_the_streams_uniforms_below_p(device):
    probs = np.linspace(0.0, 1.0, 20).reshape(4, 5)
    got = mg.bernoulli(mg.tensor(probs, dtype=mg.float64, device=device), generator=_gen(device))
    assert got.dtype == "float64" and got.shape == (4, 5)
    np.testing.assert_array_equal(got.numpy(), _rng().random((4, 5)) < probs)
    got = mg.bernoulli(mg.zeros(4, 5, device=device), 0.3, generator=_gen(device))  # PyTorch: input's shape, p
    assert got.dtype == "float32"
    np.testing.assert_array_equal(got.numpy(), _rng().random((4, 5)) < 0.3)
    got = mg.bernoulli((4, 5), 0.3, device=device, generator=_gen(device))  # the course's mask form
    assert got.dtype == mg.get_default_dtype() and got.requires_grad is False
    np.testing.assert_array_equal(got.numpy(), _rng().random((4, 5)) < 0.3)
    assert mg.bernoulli((2,), 0.5, dtype=mg.float64, device=device).dtype == "float64"


def test_bernoulli_draws_one_exactly_when_u_is_below_p_at_full_precision(device):
    """With p set to the stream's own uniforms, U < p holds nowhere: neither U <= p nor a U rounded
    to float32 before the comparison can pass."""
    probs = mg.tensor(_rng().random(2000), dtype=mg.float64, device=device)
    got = mg.bernoulli(probs, generator=_gen(device))
    assert got.requires_grad is False and got.dtype == "float64"
    assert not got.numpy().any()


def test_bernoulli_refusals():
    with pytest.raises(TypeError, match=r"^bernoulli: input must be a floating-point Tensor, got int64"):
        mg.bernoulli(mg.ones(3, dtype=mg.int64))
    with pytest.raises(TypeError, match=r"^bernoulli: with a shape, give the probability p"):
        mg.bernoulli((3,))


def test_randint_is_the_streams_integers(device):
    ints = mg.randint(-3, 4, (50,), device=device, generator=_gen(device))
    assert ints.dtype == "int64"
    np.testing.assert_array_equal(ints.numpy(), _rng().integers(-3, 4, size=(50,)))


def test_like_draws_follow_their_template(device):
    t = mg.zeros(2, 3, dtype=mg.float64, device=device)
    _close(mg.rand_like(t, generator=_gen(device)), _rng().random((2, 3)), "float64")
    _close(mg.randn_like(t, dtype=mg.float32, generator=_gen(device)), _rng().standard_normal((2, 3)))
    assert mg.rand_like(t).device == t.device


def test_a_generator_of_another_device_is_refused():
    g = mg.Generator(device="strict", seed=0)
    with pytest.raises(ValueError, match=r"^uniform: generator is for strict:0, the tensor for cpu$"):
        mg.rand(2, device="cpu", generator=g)


def test_draws_shaped_by_a_tensor_stay_on_its_device_without_a_generator():
    on1 = mg.full((3,), 0.5, device="strict:1")
    for t in (mg.bernoulli(on1), mg.normal(on1, 1.0), mg.normal(0.0, on1), mg.bernoulli((3,), 0.5, device="strict:1")):
        assert t.device == mg.device("strict:1") and t.array.device == mg.device("strict:1").native
