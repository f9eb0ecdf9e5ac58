"""Augmentation, pinned against the generator's own draws: which images flip, where crops sit, the noise.

Each transform draws one choice per image from its NumPy generator (documented), so the oracle
replays ``numpy.random.default_rng(seed)`` by hand: ``random(n) < p`` for flips,
``integers(0, H + 2 pad - h + 1)`` for crop offsets, ``standard_normal(shape) * std`` for noise.
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import Compose, DataLoader, GaussianNoise, RandomCrop, RandomHorizontalFlip, RandomShift
from _toolkit_doubles import host


def _unique_images(n=6, c=1, h=4, w=5):
    return np.arange(n * c * h * w, dtype=np.float64).reshape(n, c, h, w) + 1.0


def _flip_oracle(x, p, rng):
    flags = rng.random(len(x)) < p
    return np.where(flags.reshape((-1,) + (1,) * (x.ndim - 1)), x[..., ::-1], x)


def test_flip_default_p_is_a_half_and_follows_the_generators_draws(device):
    x = _unique_images(40)
    out = host(RandomHorizontalFlip(seed=4)(mg.tensor(x, device=device)))
    np.testing.assert_array_equal(out, _flip_oracle(x, 0.5, np.random.default_rng(4)))
    assert repr(RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"
    RandomHorizontalFlip(p=0.0), RandomHorizontalFlip(p=1.0)   # both ends allowed
    with pytest.raises(ValueError, match=r"^RandomHorizontalFlip: p must be in \[0, 1\], got -0.1$"):
        RandomHorizontalFlip(p=-0.1)


def test_compose_hands_its_generator_to_each_transform():
    x = _unique_images(30)
    # the inner transforms are unseeded: only Compose's generator can make this reproducible
    out = Compose([RandomHorizontalFlip(0.3), RandomHorizontalFlip(0.6)], seed=11)(x)
    rng = np.random.default_rng(11)
    np.testing.assert_array_equal(out, _flip_oracle(_flip_oracle(x, 0.3, rng), 0.6, rng))
    assert repr(Compose([RandomHorizontalFlip(1.0), GaussianNoise(0.5)])) == \
        "Compose([RandomHorizontalFlip(p=1.0), GaussianNoise(std=0.5)])"


def test_a_transform_called_with_a_generator_draws_from_it_not_its_own():
    x = _unique_images(30)
    flip = RandomHorizontalFlip(seed=0)
    out = flip(x, np.random.default_rng(9))
    np.testing.assert_array_equal(out, _flip_oracle(x, 0.5, np.random.default_rng(9)))
    np.testing.assert_array_equal(flip(x), _flip_oracle(x, 0.5, np.random.default_rng(0)))  # own one untouched


def _crop_oracle(x, size, pad, fill, rng):
    (oh, ow), (ph, pw) = size, pad
    padded = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)], constant_values=fill)
    tops = rng.integers(0, padded.shape[-2] - oh + 1, size=len(x))
    lefts = rng.integers(0, padded.shape[-1] - ow + 1, size=len(x))
    return np.stack([padded[i, ..., t:t + oh, l:l + ow] for i, (t, l) in enumerate(zip(tops, lefts))])


def test_crop_windows_follow_the_generators_draws_with_rectangular_padding(device):
    x = _unique_images(12, c=2, h=4, w=5)
    crop = RandomCrop(size=(3, 6), padding=(1, 2), fill=-7.0, seed=5)
    out = host(crop(mg.tensor(x, device=device)))
    np.testing.assert_array_equal(out, _crop_oracle(x, (3, 6), (1, 2), -7.0, np.random.default_rng(5)))
    assert repr(crop) == "RandomCrop(size=(3, 6), padding=(1, 2), fill=-7.0)"


def test_crop_of_the_padded_size_has_one_position_and_pads_with_fill():
    x = _unique_images(3, h=2, w=2)
    out = RandomCrop(size=(4, 6), padding=(1, 2), fill=9.0, seed=0)(x)
    np.testing.assert_array_equal(out, np.pad(x, [(0, 0), (0, 0), (1, 1), (2, 2)], constant_values=9.0))
    out3 = RandomCrop(size=2, seed=0)(x[:, 0])             # (N, H, W), no padding: the image itself
    np.testing.assert_array_equal(out3, x[:, 0])


def test_shift_is_a_padded_crop_of_the_same_size_with_its_seed_and_fill():
    x = _unique_images(20, h=4, w=4)
    out = RandomShift(1, fill=-1.0, seed=8)(x)
    np.testing.assert_array_equal(out, _crop_oracle(x, (4, 4), (1, 1), -1.0, np.random.default_rng(8)))
    assert (out == -1.0).any()          # some image moved, uncovering a border of fill
    assert repr(RandomShift(2)) == "RandomShift(size=None, padding=(2, 2), fill=0.0)"


@pytest.mark.parametrize("size, padding", [((6, 5), 0), ((4, 8), (0, 1)), ((0, 3), 0), ((3, 0), 0)])
def test_crops_that_do_not_fit_are_refused(size, padding):
    with pytest.raises(ValueError, match=r"^RandomCrop: cannot crop \(\d, \d\) from images of size \(4, 5\) padded"):
        RandomCrop(size=size, padding=padding)(np.zeros((2, 4, 5)))


@pytest.mark.parametrize("bad", [-1, (1, 2, 3), (1,), (1.5, 2), "a", (2, -1), 2.0, True, (1, False)])
def test_sizes_and_paddings_must_be_non_negative_ints_or_pairs(bad):
    with pytest.raises(ValueError, match=r"^RandomCrop: expected a non-negative int or a pair \(height, width\), got"):
        RandomCrop(size=bad)
    with pytest.raises(ValueError, match=r"^RandomCrop: expected a non-negative int or a pair"):
        RandomCrop(padding=bad)


def test_sizes_may_be_numpy_integers():
    # a NumPy integer used to fail inside tuple() with "'numpy.int64' object is not iterable"
    crop = RandomCrop(size=(np.int64(2), np.int32(3)), padding=np.int64(1))
    assert crop.size == (2, 3) and crop.padding == (1, 1) and all(type(n) is int for n in crop.size + crop.padding)
    assert RandomCrop(size=np.int64(3)).size == (3, 3)


def test_noise_is_std_times_the_generators_standard_normal(device):
    x = np.linspace(-1, 1, 2 * 3 * 4).reshape(2, 3, 4).astype(np.float32)
    out = GaussianNoise(0.25, seed=6)(mg.tensor(x, device=device))
    assert out.dtype == mg.float32
    noise = np.random.default_rng(6).standard_normal((2, 3, 4)) * 0.25
    np.testing.assert_allclose(host(out), x + noise.astype(np.float32), rtol=1e-6, atol=1e-7)


def test_zero_noise_is_allowed_and_negative_refused():
    x = _unique_images(2)
    np.testing.assert_array_equal(GaussianNoise(0.0, seed=0)(x), x)
    with pytest.raises(ValueError, match=r"^GaussianNoise: std must be >= 0, got -0.5$"):
        GaussianNoise(-0.5)
    with pytest.raises(ValueError, match=r"GaussianNoise: std must be >= 0, got nan"):
        GaussianNoise(float("nan"))
    with pytest.raises(TypeError, match=r"^GaussianNoise: images must be floating point, got int64; convert them "
                                        r"first$"):
        GaussianNoise(0.1)(np.zeros((2, 3, 3), dtype=np.int64))


def test_state_dict_resumes_the_draws():
    x = _unique_images(10)
    flip = RandomHorizontalFlip(seed=1)
    flip(x)
    state = flip.state_dict()
    expected = flip(x)
    other = RandomHorizontalFlip(seed=99)
    other.load_state_dict(state)
    np.testing.assert_array_equal(other(x), expected)


def test_transform_inputs_are_checked(device):
    for bad in (np.zeros((2, 3)), np.zeros((1, 1, 1, 1, 1))):
        with pytest.raises(ValueError, match=r"^RandomShift: expected a batch of images of shape \(N, C, H, W\) or "
                                             r"\(N, H, W\), got shape"):
            RandomShift(1)(bad)
    with pytest.raises(ValueError, match=r"^GaussianNoise: X must have a first axis"):
        GaussianNoise(1.0)(np.float32(1.0))
    out = RandomHorizontalFlip(p=1.0)([[[1.0, 2.0]]])          # a nested list becomes an array
    np.testing.assert_array_equal(out, [[[2.0, 1.0]]])


def test_loader_saves_and_restores_the_transforms_state():
    X, y = _unique_images(8), np.arange(8)
    a = DataLoader(X, y, batch_size=8, shuffle=False, transform=RandomHorizontalFlip(seed=2))
    list(a)
    state = a.state_dict()
    assert "transform" in state
    want = [xb for xb, _ in a]
    b = DataLoader(X, y, batch_size=8, shuffle=False, transform=RandomHorizontalFlip(seed=77))
    b.load_state_dict(state)
    for w, (got, _) in zip(want, b):
        np.testing.assert_array_equal(got, w)


def test_crop_defaults_and_one_sided_padding(device):
    assert repr(RandomCrop()) == "RandomCrop(size=None, padding=(0, 0), fill=0.0)"
    x = _unique_images(10, h=3, w=3)
    out = host(RandomCrop(padding=(0, 1), seed=3)(mg.tensor(x, device=device)))   # width padded only
    np.testing.assert_array_equal(out, _crop_oracle(x, (3, 3), (0, 1), 0.0, np.random.default_rng(3)))
    out = RandomCrop(padding=(2, 0), seed=4)(x)                                       # height padded only
    np.testing.assert_array_equal(out, _crop_oracle(x, (3, 3), (2, 0), 0.0, np.random.default_rng(4)))


def test_crop_keeps_the_device_and_dtype(device):
    for dtype in (np.float32, np.int64):
        x = _unique_images(4, h=3, w=3).astype(dtype)
        out = RandomCrop(size=2, padding=1, fill=5, seed=0)(mg.tensor(x, device=device))
        assert out.device == device and out.dtype == mg.tensor(x).dtype
        assert RandomCrop(size=2, padding=1, seed=0)(x).dtype == dtype


def test_one_pixel_crops_and_three_axis_batches_with_padding():
    x = _unique_images(8, h=3, w=4)[:, 0]               # (N, H, W)
    out = RandomCrop(size=1, padding=1, fill=-2.0, seed=6)(x)
    assert out.shape == (8, 1, 1)
    np.testing.assert_array_equal(out, _crop_oracle(x[:, None], (1, 1), (1, 1), -2.0,
                                                    np.random.default_rng(6))[:, 0])
    shifted = RandomShift(1, seed=2)(x)
    np.testing.assert_array_equal(shifted, _crop_oracle(x[:, None], (3, 4), (1, 1), 0.0,
                                                        np.random.default_rng(2))[:, 0])


def test_a_crop_taller_than_the_padded_image_is_refused():
    with pytest.raises(ValueError, match=r"^RandomCrop: cannot crop \(7, 5\) from images of size \(4, 5\) padded by "
                                         r"\(1, 0\)$"):
        RandomCrop(size=(7, 5), padding=(1, 0))(np.zeros((2, 4, 5)))
    with pytest.raises(ValueError, match=r"^RandomCrop: cannot crop \(4, 8\)"):
        RandomCrop(size=(4, 8), padding=(0, 1))(np.zeros((2, 4, 5)))
    with pytest.raises(ValueError, match=r"^RandomShift: cannot crop"):
        RandomShift(1)(np.zeros((2, 0, 5)))


def test_flip_and_noise_keep_the_device(device):
    x = mg.tensor(_unique_images(4), device=device)
    for t in (RandomHorizontalFlip(seed=0), GaussianNoise(0.1, seed=0), RandomShift(1, seed=0)):
        out = t(x)
        assert isinstance(out, mg.Tensor) and out.device == device and out.shape == x.shape


def test_a_compose_called_with_a_generator_draws_from_it():
    x = _unique_images(30)
    aug = Compose([RandomHorizontalFlip(0.5)], seed=0)
    out = aug(x, np.random.default_rng(21))                      # e.g. a Compose inside a Compose
    np.testing.assert_array_equal(out, _flip_oracle(x, 0.5, np.random.default_rng(21)))
    nested = Compose([Compose([RandomHorizontalFlip(0.5)], seed=5)], seed=8)
    np.testing.assert_array_equal(nested(x), _flip_oracle(x, 0.5, np.random.default_rng(8)))


def test_padding_is_made_on_the_images_own_device_not_the_default_one():
    # array-api-strict's second fake device: an array made without device= lands on the default one and
    # mixing the two raises, as CuPy arrays on two GPUs would
    x = _unique_images(5, h=3, w=3)
    t = mg.tensor(x, device="strict:1")
    out = RandomCrop(size=3, padding=1, fill=-1.0, seed=2)(t)
    assert out.device == t.device
    np.testing.assert_array_equal(host(out), _crop_oracle(x, (3, 3), (1, 1), -1.0, np.random.default_rng(2)))
