"""Augmentation of image batches: flips, shifts/crops, noise; composable and seeded."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import Compose, GaussianNoise, RandomCrop, RandomHorizontalFlip, RandomShift
from _toolkit_doubles import host


def _images(n=6, shape=(2, 5, 7), seed=0):
    return np.random.default_rng(seed).normal(size=(n,) + shape).astype(np.float32)


def _shifted(img, dy, dx):
    """Oracle: img moved by (dy, dx) pixels, uncovered border 0."""
    out = np.zeros_like(img)
    h, w = img.shape[-2:]
    src = img[..., max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)]
    out[..., max(0, dy):max(0, dy) + src.shape[-2], max(0, dx):max(0, dx) + src.shape[-1]] = src
    return out


def test_flip_always_and_never(device):
    x = _images()
    t = mg.tensor(x, device=device)
    flipped = RandomHorizontalFlip(p=1.0)(t)
    assert flipped.device == device and flipped.shape == x.shape
    np.testing.assert_array_equal(host(flipped), x[..., ::-1])
    np.testing.assert_array_equal(host(RandomHorizontalFlip(p=0.0)(t)), x)


def test_flip_half_of_the_images_each_either_way():
    x = _images(n=200, shape=(3, 4))
    out = RandomHorizontalFlip(p=0.5, seed=1)(x)
    same = np.all(out == x, axis=(1, 2))
    mirrored = np.all(out == x[..., ::-1], axis=(1, 2))
    assert np.all(same | mirrored)
    assert 70 < mirrored.sum() < 130  # Binomial(200, 1/2): 6 standard deviations either side


def test_shift_is_a_zero_filled_translation(device):
    x = _images()
    out = host(RandomShift(2, seed=3)(mg.tensor(x, device=device)))
    assert out.shape == x.shape
    for img, got in zip(x, out):
        matches = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3) if np.array_equal(_shifted(img, dy, dx), got)]
        assert matches, "output is not a shift of its input by at most 2 pixels"


def test_crop_size_and_content():
    x = _images(n=4, shape=(6, 6))  # (N, H, W)
    out = RandomCrop(4, seed=0)(x)
    assert out.shape == (4, 4, 4)
    for img, got in zip(x, out):
        assert any(np.array_equal(img[t:t + 4, l:l + 4], got) for t in range(3) for l in range(3))


def test_noise_statistics_and_dtype(device):
    x = np.zeros((50, 1, 20, 20), dtype=np.float32)
    out = GaussianNoise(0.3, seed=0)(mg.tensor(x, device=device))
    assert out.dtype == "float32"
    noise = host(out)
    assert abs(noise.mean()) < 0.01 and abs(noise.std() - 0.3) < 0.01  # 20,000 draws


def test_compose_is_seeded_and_reproducible(device):
    x = mg.tensor(_images(), device=device)

    def make(seed):
        return Compose([RandomHorizontalFlip(), RandomShift(1), GaussianNoise(0.05)], seed=seed)

    a, b, c = make(0), make(0), make(1)
    np.testing.assert_array_equal(host(a(x)), host(b(x)))
    assert not np.array_equal(host(a(x)), host(c(x)))
    state = a.state_dict()
    first = host(a(x))
    a.load_state_dict(state)
    np.testing.assert_array_equal(host(a(x)), first)


def test_bad_input():
    with pytest.raises(ValueError, match=r"RandomHorizontalFlip: expected a batch of images .* \(10, 3\)"):
        RandomHorizontalFlip()(np.zeros((10, 3)))
    with pytest.raises(TypeError, match="floating point"):
        GaussianNoise(0.1)(np.zeros((2, 3, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match="cannot crop"):
        RandomCrop(8)(np.zeros((2, 5, 5)))
    with pytest.raises(ValueError, match="p must be in"):
        RandomHorizontalFlip(p=1.5)
