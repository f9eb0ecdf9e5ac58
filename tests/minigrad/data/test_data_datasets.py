"""Toy data sets: the shapes the course plots, reproducible from a seed."""
from __future__ import annotations

import numpy as np
import pytest

from minigrad.data import make_blobs, make_circles, make_moons


def test_moons_lie_on_their_half_circles_without_noise():
    X, y = make_moons(101, noise=0.0, seed=0, dtype=np.float64)
    assert X.shape == (101, 2) and y.dtype == np.int64 and np.bincount(y).tolist() == [50, 51]
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-12)        # (cos t, sin t)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-12)  # (1-cos t, 1/2-sin t)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 0.5 + 1e-12


def test_circles_radii():
    X, y = make_circles(200, noise=0.0, factor=0.3, seed=0)
    assert X.dtype == np.float32
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.3, atol=1e-6)


def test_blobs_gather_around_their_centres():
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    X, y = make_blobs(3000, centers=centres, cluster_std=0.5, seed=0)
    for k, c in enumerate(centres):
        assert np.allclose(X[y == k].mean(axis=0), c, atol=0.05)
        assert np.allclose(X[y == k].std(axis=0), 0.5, atol=0.03)


def test_seeded_and_shuffled():
    a, b, c = make_moons(50, seed=1), make_moons(50, seed=1), make_moons(50, seed=2)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    assert not np.array_equal(a[1], np.sort(a[1]))  # labels are not in blocks


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_samples"):
        make_moons(1)
    with pytest.raises(ValueError, match="noise"):
        make_moons(10, noise=-1)
    with pytest.raises(ValueError, match="factor"):
        make_circles(10, factor=1.5)
