"""Standardisation: zero mean and unit variance per feature, fitted on the training set only.

The course's normalisation of inputs::

    mu      = 1/m * sum_i x^(i)
    sigma^2 = 1/m * sum_i (x^(i) - mu)^2
    x_norm  = (x - mu) / sigma

with mu and sigma computed on the training set and then used, unchanged, on the dev and
test sets (and on every later input), so that all of them go through the same map.
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .rows import as_data

__all__ = ["Normalizer"]


def _reduce_axes(axis, ndim):
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = tuple(sorted(a % ndim for a in axes))
    if 0 not in axes:
        raise ValueError(f"Normalizer: axis {axis!r} must include axis 0 (the examples)")
    return axes


class Normalizer:
    """Standardise features with statistics fitted on the training set.

    Parameters
    ----------
    axis : int or tuple of ints
        Axes averaged over (default 0: one mean and variance per feature of (m, n) data;
        use ``(0, 2, 3)`` for one per channel of (N, C, H, W) images).  Must include 0.

    Attributes
    ----------
    mean, var : ndarray (float64, on the host)
        mu and sigma^2 with the reduced axes kept as size 1 (e.g. (1, n)).

    Notes
    -----
    A feature with zero variance is only centred (it is divided by 1, not 0), so the map
    stays invertible: ``inverse_transform(transform(x)) == x`` up to rounding.
    NumPy inputs give NumPy results; Tensors give Tensors on their own device and dtype
    (integer tensors become the default float dtype), differentiable if they require grad.

    Examples
    --------
    >>> import numpy as np
    >>> norm = Normalizer().fit(np.array([[1.0, 10.0], [3.0, 30.0]]))
    >>> norm.transform(np.array([[2.0, 20.0], [3.0, 30.0]]))
    array([[0., 0.],
           [1., 1.]])
    """

    def __init__(self, axis=0):
        self.axis = axis
        self.mean = None
        self.var = None

    # ----- fitting ------------------------------------------------------------------
    def fit(self, X):
        """Compute mu and sigma^2 of the training set ``X`` (NumPy array or Tensor); returns self."""
        X = as_data(X, "Normalizer.fit")
        if X.shape[0] == 0:
            raise ValueError(f"Normalizer.fit: the training set is empty (shape {tuple(X.shape)})")
        axes = _reduce_axes(self.axis, X.ndim)
        if isinstance(X, Tensor):
            xp, data, host = X.device.xp, X.array, X.device.to_numpy
        else:
            xp, data, host = np, X, np.asarray
        data = xp.astype(data, xp.float64)
        if not bool(xp.all(xp.isfinite(data))):
            bad = int(xp.sum(xp.astype(~xp.isfinite(data), xp.int64)))
            raise ValueError(f"Normalizer.fit: X (shape {tuple(X.shape)}) holds {bad} NaN or infinite value(s); "
                             "mu and sigma would be NaN: clean or impute the data first")
        mean = xp.mean(data, axis=axes, keepdims=True)
        var = xp.mean((data - mean) ** 2, axis=axes, keepdims=True)
        self.mean, self.var = np.asarray(host(mean)), np.asarray(host(var))
        return self

    def fit_transform(self, X):
        """``fit(X)`` then ``transform(X)``: X standardised by its own mean and variance."""
        return self.fit(X).transform(X)

    @property
    def scale(self):
        """sigma, with 1 where the variance is 0."""
        std = np.sqrt(self._fitted("scale").var)
        return np.where(std > 0, std, 1.0)

    # ----- applying ------------------------------------------------------------------
    def transform(self, X):
        """(X - mu) / sigma with the fitted statistics."""
        X = self._check(X, "transform")
        mean, scale = self._constants(X)
        return (X - mean) / scale

    def inverse_transform(self, X):
        """X * sigma + mu: undo :meth:`transform`."""
        X = self._check(X, "inverse_transform")
        mean, scale = self._constants(X)
        return X * scale + mean

    def _constants(self, X):
        if isinstance(X, Tensor):
            dt = X.dtype if X.dtype.is_floating_point else None
            return (Tensor(self.mean, device=X.device, dtype=dt or _default_float()),
                    Tensor(self.scale, device=X.device, dtype=dt or _default_float()))
        dt = X.dtype if np.issubdtype(X.dtype, np.floating) else np.float64
        return self.mean.astype(dt), self.scale.astype(dt)

    def _fitted(self, op):
        if self.mean is None:
            raise RuntimeError(f"Normalizer.{op}: call fit(X_train) first")
        return self

    def _check(self, X, op):
        self._fitted(op)
        X = as_data(X, f"Normalizer.{op}")
        stats = self.mean.shape
        if X.ndim != len(stats) or any(s != 1 and s != n for s, n in zip(stats[1:], X.shape[1:])):
            raise ValueError(f"Normalizer.{op}: X has shape {tuple(X.shape)} but the statistics were fitted on "
                             f"data of shape (m, {', '.join(str(s) for s in stats[1:])}) (1 = averaged axis)")
        if isinstance(X, Tensor) and not X.dtype.is_floating_point:
            X = X.to(dtype=_default_float())
        return X

    # ----- saving ----------------------------------------------------------------------
    def state_dict(self):
        """``{"mean": mu, "var": sigma^2}`` (float64 NumPy arrays) and the axis."""
        self._fitted("state_dict")
        axis = (self.axis,) if isinstance(self.axis, int) else tuple(self.axis)
        return {"mean": self.mean.copy(), "var": self.var.copy(), "axis": np.asarray(axis, dtype=np.int64)}

    def load_state_dict(self, state):
        """Restore mu, sigma^2 (and the axis) saved by :meth:`state_dict`; the normalizer is then fitted."""
        mean, var = np.asarray(state["mean"], dtype=np.float64), np.asarray(state["var"], dtype=np.float64)
        if mean.shape != var.shape:
            raise ValueError(f"Normalizer.load_state_dict: mean has shape {mean.shape} but var {var.shape}")
        if "axis" in state:
            self.axis = tuple(int(a) for a in np.asarray(state["axis"]).reshape(-1))
        self.mean, self.var = mean.copy(), var.copy()
        return self

    def __repr__(self):
        shape = None if self.mean is None else self.mean.shape
        return f"Normalizer(axis={self.axis!r}, fitted_shape={shape})"


def _default_float():
    from ..dtypes import get_default_dtype

    return get_default_dtype()
