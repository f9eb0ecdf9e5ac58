"""Toy data sets, pinned: defaults, class sizes, the exact points without noise, bounds and messages.

Oracles are the formulas of the docstrings (angles evenly spaced on [0, 2 pi) for circles, on
[0, pi] for moons; ``m // k`` examples per blob plus one for the first ``m % k``).
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import make_blobs, make_circles, make_moons


def _angles(points):
    return np.sort(np.mod(np.arctan2(points[:, 1], points[:, 0]), 2 * np.pi))


def test_circles_defaults_are_200_examples_noise_005_factor_05_seed_0():
    X, y = make_circles()
    Xe, ye = make_circles(200, noise=0.05, factor=0.5, seed=0)
    np.testing.assert_array_equal(X, Xe)
    np.testing.assert_array_equal(y, ye)
    assert X.shape == (200, 2) and np.bincount(y).tolist() == [100, 100]
    r_out, r_in = np.hypot(*X[y == 0].T), np.hypot(*X[y == 1].T)
    assert abs(r_out.mean() - 1.0) < 0.02 and abs(r_in.mean() - 0.5) < 0.02   # factor 0.5
    # noise 0.05 per coordinate moves the radius by about N(0, 0.05^2)
    assert 0.04 < np.std(r_out - 1.0) < 0.06 and 0.04 < np.std(r_in - 0.5) < 0.06


def test_circle_points_are_evenly_spaced_angles_without_the_end_point():
    X, y = make_circles(9, noise=0.0, factor=0.25, seed=3, dtype=np.float64)
    assert X.dtype == np.float64 and sorted(set(y.tolist())) == [0, 1]
    assert np.bincount(y).tolist() == [4, 5]        # n_out = m // 2
    np.testing.assert_allclose(_angles(X[y == 0]), 2 * np.pi * np.arange(4) / 4, atol=1e-12)
    np.testing.assert_allclose(_angles(X[y == 1]), 2 * np.pi * np.arange(5) / 5, atol=1e-12)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.25, rtol=1e-12)


def test_circles_bounds_and_messages():
    make_circles(2, noise=0.0)      # the smallest allowed
    with pytest.raises(ValueError, match=r"^make_circles: n_samples must be an integer >= 2, got 1$"):
        make_circles(1)
    for factor in (0.0, 1.0):
        with pytest.raises(ValueError, match=r"^make_circles: factor must be in \(0, 1\)"):
            make_circles(10, factor=factor)
    with pytest.raises(ValueError, match=r"^make_circles: noise must be >= 0, got -0.1$"):
        make_circles(10, noise=-0.1)


def test_seed_default_is_zero_and_reproducible():
    for fn in (make_moons, make_circles, make_blobs):
        a, b = fn(), fn(seed=0)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])


def test_moons_defaults_and_exact_points():
    X, y = make_moons()
    np.testing.assert_array_equal(X, make_moons(200, noise=0.2, seed=0)[0])
    assert X.shape == (200, 2) and X.dtype == np.float32 and y.dtype == np.int64
    X, y = make_moons(7, noise=0.0, dtype=np.float64)
    assert X.dtype == np.float64 and np.bincount(y).tolist() == [3, 4]
    t3, t4 = np.linspace(0, np.pi, 3), np.linspace(0, np.pi, 4)
    up = X[y == 0][np.argsort(-X[y == 0][:, 0])]     # cos t decreases with t
    low = X[y == 1][np.argsort(X[y == 1][:, 0])]     # 1 - cos t increases with t
    np.testing.assert_allclose(up, np.stack([np.cos(t3), np.sin(t3)], 1), atol=1e-12)
    np.testing.assert_allclose(low, np.stack([1 - np.cos(t4), 0.5 - np.sin(t4)], 1), atol=1e-12)


def test_moons_noise_has_the_requested_spread():
    X, y = make_moons(4000, noise=0.1, seed=0, dtype=np.float64)
    r_up = np.hypot(*X[y == 0].T)                       # |(cos t, sin t) + e| ~ 1 + N(0, 0.1^2)
    assert abs(r_up.mean() - 1.0) < 0.01 and 0.09 < r_up.std() < 0.11
    with pytest.raises(ValueError, match=r"^make_moons: noise must be >= 0, got -0.5$"):
        make_moons(10, noise=-0.5)
    with pytest.raises(ValueError, match=r"^make_moons: n_samples must be an integer >= 2, got 1$"):
        make_moons(1)
    with pytest.raises(ValueError, match=r"n_samples must be an integer >= 2, got True"):
        make_moons(True)
    with pytest.raises(ValueError, match=r"n_samples must be an integer >= 2, got 2.0"):
        make_moons(2.0)
    assert make_moons(np.int64(4))[0].shape == (4, 2)


def test_default_float_dtype_follows_the_global_default():
    old = mg.get_default_dtype()
    try:
        mg.set_default_dtype(mg.float64)
        assert make_moons(10)[0].dtype == np.float64
    finally:
        mg.set_default_dtype(old)
    assert make_moons(10)[0].dtype == np.float32


def test_blobs_defaults():
    X, y = make_blobs()
    Xe, ye = make_blobs(300, centers=3, n_features=2, cluster_std=1.0, center_box=(-10.0, 10.0), seed=0)
    np.testing.assert_array_equal(X, Xe)
    assert X.shape == (300, 2) and np.bincount(y).tolist() == [100, 100, 100]
    for k in range(3):
        np.testing.assert_allclose(X[y == k].std(axis=0), 1.0, atol=0.2)   # cluster_std 1
        assert np.all(np.abs(X[y == k].mean(axis=0)) <= 10.5)             # centres inside the box


def test_blob_centres_are_drawn_inside_the_box_and_differ():
    X, y = make_blobs(40, centers=4, n_features=3, cluster_std=0.0, center_box=(5.0, 6.0), seed=1)
    assert X.shape == (40, 3) and np.bincount(y).tolist() == [10] * 4
    assert X.min() >= 5.0 and X.max() <= 6.0
    centres = np.array([X[y == k][0] for k in range(4)])
    assert len({tuple(c) for c in centres.tolist()}) == 4                    # distinct centres
    for k in range(4):
        np.testing.assert_array_equal(X[y == k], np.broadcast_to(centres[k], (10, 3)))  # std 0: on the centre
    assert np.ptp(centres) > 0.3                                             # spread over the box


def test_blob_sizes_give_the_remainder_to_the_first_classes():
    X, y = make_blobs(10, centers=[[0.0], [5.0], [9.0]], seed=0)
    assert X.shape == (10, 1) and np.bincount(y).tolist() == [4, 3, 3]
    X, y = make_blobs(1, centers=1)
    assert X.shape == (1, 2) and y.tolist() == [0] and X.dtype == np.float32
    assert make_blobs(5, dtype=np.float64)[0].dtype == np.float64


def test_blobs_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"^make_blobs: centers must be >= 1, got 0$"):
        make_blobs(10, centers=0)
    with pytest.raises(ValueError, match=r"^make_blobs: centers must have shape \(k, n_features\), got \(3,\)$"):
        make_blobs(10, centers=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"^make_blobs: n_samples must be an integer >= 1, got 0$"):
        make_blobs(0)
