"""Normalizer: the course's standardisation, fitted on train only, invertible, saved as a state dict."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import Normalizer
from _toolkit_doubles import host


def _sets(seed=0):
    rng = np.random.default_rng(seed)
    train = rng.normal([5.0, -3.0, 100.0], [2.0, 0.5, 30.0], size=(64, 3))
    dev = rng.normal([6.0, -2.0, 90.0], [1.0, 1.0, 10.0], size=(16, 3))
    return train, dev


def test_train_statistics_are_applied_to_dev(device):
    train, dev = _sets()
    mu, sigma = train.mean(axis=0), train.std(axis=0)      # oracle: mu = 1/m sum x; sigma^2 = 1/m sum (x-mu)^2
    norm = Normalizer().fit(mg.tensor(train, device=device))
    out_train = norm.transform(mg.tensor(train, device=device))
    out_dev = norm.transform(mg.tensor(dev, device=device))
    assert isinstance(out_dev, mg.Tensor) and out_dev.device == device and out_dev.dtype == "float64"
    np.testing.assert_allclose(host(out_train), (train - mu) / sigma, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(host(out_dev), (dev - mu) / sigma, rtol=1e-12, atol=1e-12)  # train's mu, sigma
    assert np.abs(host(out_dev).mean(axis=0)).max() > 0.1  # dev is NOT standardised by its own statistics


def test_numpy_in_numpy_out_and_float32_kept():
    train, dev = _sets()
    norm = Normalizer().fit(train)
    np.testing.assert_allclose(norm.transform(dev), (dev - train.mean(0)) / train.std(0), rtol=1e-12)
    out32 = norm.transform(dev.astype(np.float32))
    assert out32.dtype == np.float32
    t32 = norm.transform(mg.tensor(dev.astype(np.float32)))
    assert t32.dtype == "float32"


def test_inverse_and_constant_feature(device):
    train, _ = _sets()
    train[:, 1] = 4.0  # zero variance: centred, divided by 1
    norm = Normalizer().fit(train)
    x = mg.tensor(train, device=device)
    z = norm.transform(x)
    np.testing.assert_allclose(host(z)[:, 1], 0.0)
    np.testing.assert_allclose(host(norm.inverse_transform(z)), train, rtol=1e-12)


def test_state_dict_round_trip_gives_the_same_map():
    train, dev = _sets()
    a = Normalizer().fit(train)
    b = Normalizer().load_state_dict(a.state_dict())
    np.testing.assert_array_equal(a.transform(dev), b.transform(dev))
    state = a.state_dict()
    state["mean"][...] = 0  # the state is a copy
    np.testing.assert_array_equal(a.transform(dev), b.transform(dev))


def test_per_channel_images(device):
    rng = np.random.default_rng(1)
    imgs = rng.normal(size=(8, 3, 4, 5)) * np.array([1.0, 5.0, 0.1]).reshape(1, 3, 1, 1)
    norm = Normalizer(axis=(0, 2, 3)).fit(mg.tensor(imgs, device=device))
    assert norm.mean.shape == (1, 3, 1, 1)
    mu = imgs.mean(axis=(0, 2, 3), keepdims=True)
    sd = imgs.std(axis=(0, 2, 3), keepdims=True)
    np.testing.assert_allclose(host(norm.transform(mg.tensor(imgs, device=device))), (imgs - mu) / sd, rtol=1e-10)


def test_differentiable_on_tensors_that_require_grad():
    train, _ = _sets()
    norm = Normalizer().fit(train)
    x = mg.tensor(train, requires_grad=True)
    norm.transform(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.broadcast_to(1.0 / train.std(axis=0), train.shape), rtol=1e-12)


def test_bad_input():
    with pytest.raises(RuntimeError, match="call fit"):
        Normalizer().transform(np.zeros((2, 3)))
    norm = Normalizer().fit(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"Normalizer.transform: X has shape \(2, 4\) .* \(m, 3\)"):
        norm.transform(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="empty"):
        Normalizer().fit(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="must include axis 0"):
        Normalizer(axis=1).fit(np.zeros((4, 3)))
