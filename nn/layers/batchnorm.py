"""Batch normalisation layers: ``BatchNorm1d`` over (N, C) or (N, C, L), ``BatchNorm2d`` over (N, C, H, W)."""
from __future__ import annotations

import math
from numbers import Real

import minigrad as mg

from .. import functional as F, init as _init
from ..module import Module
from ..parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d"]


class _BatchNorm(Module):
    """The shared implementation of :class:`BatchNorm1d` and :class:`BatchNorm2d` (see their equations)."""

    _dims = ()

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None):
        super().__init__()
        if not isinstance(num_features, int) or num_features <= 0:
            raise ValueError(f"{type(self).__name__}: num_features must be a positive int, got {num_features!r}")
        if isinstance(eps, bool) or not isinstance(eps, Real) or not 0.0 < eps < math.inf:
            raise ValueError(f"{type(self).__name__}: eps must be a finite number > 0 (it keeps 1/sqrt(var + eps) "
                             f"finite), got {eps!r}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{type(self).__name__}: momentum must be in [0, 1] or None, got {momentum}")
        self.num_features, self.eps, self.momentum = num_features, float(eps), momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(mg.ones(num_features, device=device, dtype=dtype))
            self.bias = Parameter(mg.zeros(num_features, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", mg.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", mg.ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", mg.zeros((), dtype=mg.int64, device=device))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self):
        """Running mean to 0, running variance to 1, batch count to 0 (no-op without running statistics)."""
        if self.track_running_stats:
            with mg.no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1.0)
                self.num_batches_tracked.zero_()

    def reset_parameters(self):
        """:meth:`reset_running_stats`, and gamma (``weight``) to 1 and beta (``bias``) to 0 if affine."""
        self.reset_running_stats()
        if self.affine:
            _init.ones_(self.weight)
            _init.zeros_(self.bias)

    def _check_input(self, x):
        if x.ndim not in self._dims:
            raise ValueError(f"{type(self).__name__}: expected a {' or '.join(f'{d}-D' for d in self._dims)} input "
                             f"(N, C, ...), got shape {x.shape}")
        if x.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}: input has {x.shape[1]} channels (axis 1 of shape {x.shape}), "
                             f"the layer was built for {self.num_features}")

    def forward(self, x):
        """y = gamma (x - mu) / sqrt(var + eps) + beta per channel, with batch statistics in training
        (updating the running ones) and the running statistics in ``eval()``; same shape as ``x``.
        """
        self._check_input(x)
        momentum = self.momentum
        if self.training and self.track_running_stats:
            with mg.no_grad():
                self.num_batches_tracked.add_(1)
            if momentum is None:  # cumulative moving average
                momentum = 1.0 / int(self.num_batches_tracked.item())
        use_batch = self.training or not self.track_running_stats
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, use_batch,
                            0.0 if momentum is None else momentum, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs per channel C (axis 1), PyTorch's conventions.

    Training mode, with batch statistics over N (and L) (n values per channel)::

        mu = (1/n) sum x,   var = (1/n) sum (x - mu)^2                      (biased)
        y = gamma * (x - mu) / sqrt(var + eps) + beta
        running_mean <- (1 - momentum) running_mean + momentum mu
        running_var  <- (1 - momentum) running_var  + momentum var n/(n-1)   (unbiased)

    These running averages are the course's exponentially weighted averages of mu and
    sigma^2 for test time, with ``momentum = 1 - beta``: the default ``momentum=0.1`` is the
    course's beta = 0.9.  ``momentum=None`` uses the cumulative average over all batches seen
    instead.  Evaluation mode (``eval()``) normalises with the running statistics::

        y = gamma * (x - running_mean) / sqrt(running_var + eps) + beta

    Parameters
    ----------
    num_features : int
        C, the number of channels (the course's n[l] units of Z[l]).
    eps : float
        Added to the variance for stability (default 1e-5).
    momentum : float or None
        Weight of the new batch in the running averages (default 0.1).
    affine : bool
        Learn gamma (``weight``, starts at 1) and beta (``bias``, starts at 0); default True.
    track_running_stats : bool
        Keep running statistics (default True); without them batch statistics are used in
        evaluation too.
    device, dtype : optional
    """

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs per channel C (axis 1), PyTorch's conventions.

    The statistics of each channel are taken over N, H and W (n = N H W values per channel); the
    equations, the course's reading of ``momentum`` (1 - beta of its exponentially weighted
    averages) and the parameters are those of :class:`BatchNorm1d`.
    """

    _dims = (4,)
