"""Small 2-D toy data sets generated in code, seeded: moons, circles and blobs.

They are the kind of planar data the course uses to show decision boundaries, over-fitting
and the effect of regularisation.  Each function returns ``(X, y)`` as NumPy arrays: ``X`` of
shape (m, n_features) in the default float dtype and integer labels ``y`` of shape (m,),
shuffled.  Turn them into tensors with ``minigrad.tensor(X)``.
"""
from __future__ import annotations

import numpy as np

from .rng import make_rng

__all__ = ["make_moons", "make_circles", "make_blobs"]


def _float_dtype(dtype):
    if dtype is None:
        from ..dtypes import get_default_dtype

        dtype = str(get_default_dtype())
    return np.dtype(dtype)


def _check_n(n_samples, minimum, op):
    if not isinstance(n_samples, (int, np.integer)) or isinstance(n_samples, bool) or n_samples < minimum:
        raise ValueError(f"{op}: n_samples must be an integer >= {minimum}, got {n_samples!r}")
    return int(n_samples)


def _finish(X, y, noise, rng, dtype, op):
    if not noise >= 0:
        raise ValueError(f"{op}: noise must be >= 0, got {noise}")
    if noise:
        X = X + rng.normal(0.0, noise, size=X.shape)
    perm = rng.permutation(len(y))
    return X[perm].astype(_float_dtype(dtype)), y[perm].astype(np.int64)


def make_moons(n_samples=200, noise=0.2, seed=0, dtype=None):
    """Two interleaving half circles (labels 0 and 1), plus N(0, noise^2) noise.

    The upper moon is (cos t, sin t), the lower one (1 - cos t, 1/2 - sin t), t in [0, pi].

    Examples
    --------
    >>> X, y = make_moons(100, seed=1)
    >>> X.shape, y.shape, sorted(set(y.tolist()))
    ((100, 2), (100,), [0, 1])
    """
    m = _check_n(n_samples, 2, "make_moons")
    rng = make_rng(seed)
    n_out = m // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, m - n_out)
    X = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1),
                        np.stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)], 1)])
    y = np.repeat([0, 1], [n_out, m - n_out])
    return _finish(X, y, noise, rng, dtype, "make_moons")


def make_circles(n_samples=200, noise=0.05, factor=0.5, seed=0, dtype=None):
    """A circle of radius ``factor`` (label 1) inside a circle of radius 1 (label 0), plus noise."""
    m = _check_n(n_samples, 2, "make_circles")
    if not 0 < factor < 1:
        raise ValueError(f"make_circles: factor must be in (0, 1), got {factor}")
    rng = make_rng(seed)
    n_out = m // 2
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, m - n_out, endpoint=False)
    X = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1),
                        factor * np.stack([np.cos(t_in), np.sin(t_in)], 1)])
    y = np.repeat([0, 1], [n_out, m - n_out])
    return _finish(X, y, noise, rng, dtype, "make_circles")


def make_blobs(n_samples=300, centers=3, n_features=2, cluster_std=1.0, center_box=(-10.0, 10.0), seed=0,
               dtype=None):
    """Gaussian blobs: class k is N(c_k, cluster_std^2 I).

    Parameters
    ----------
    centers : int or array of shape (k, n_features)
        The number of blobs (centres drawn uniformly in ``center_box``) or the centres.
    """
    m = _check_n(n_samples, 1, "make_blobs")
    rng = make_rng(seed)
    if isinstance(centers, (int, np.integer)):
        if centers < 1:
            raise ValueError(f"make_blobs: centers must be >= 1, got {centers}")
        centers = rng.uniform(center_box[0], center_box[1], size=(int(centers), n_features))
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2:
        raise ValueError(f"make_blobs: centers must have shape (k, n_features), got {centers.shape}")
    k = len(centers)
    counts = np.full(k, m // k) + (np.arange(k) < m % k)
    y = np.repeat(np.arange(k), counts)
    X = centers[y] + rng.normal(0.0, 1.0, size=(m, centers.shape[1])) * cluster_std
    return _finish(X, y, 0.0, rng, dtype, "make_blobs")
