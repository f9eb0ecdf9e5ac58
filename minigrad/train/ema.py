"""The exponentially weighted moving average of the course.

::

    v_0 = 0
    v_t = beta * v_{t-1} + (1 - beta) * theta_t
    v_t_corrected = v_t / (1 - beta**t)          (bias correction)

It averages over roughly the last ``1 / (1 - beta)`` values; without bias correction the
first values are pulled towards 0.  The training loop uses it for the smoothed loss in the
progress bar; it is the same average that momentum, RMSprop and Adam keep of the gradients.
"""
from __future__ import annotations

import math

__all__ = ["ExponentialMovingAverage"]


class ExponentialMovingAverage:
    """Running v_t = beta * v_{t-1} + (1 - beta) * theta_t, optionally bias-corrected.

    Parameters
    ----------
    beta : float in [0, 1)
        Weight of the past (0.9 ~ the last 10 values, 0.98 ~ the last 50).
    bias_correction : bool
        Report ``v_t / (1 - beta**t)`` instead of ``v_t``.

    Examples
    --------
    >>> ema = ExponentialMovingAverage(0.9)
    >>> ema.update(10.0)    # corrected: 0.1*10 / (1 - 0.9)
    10.0
    >>> round(ExponentialMovingAverage(0.9, bias_correction=False).update(10.0), 6)
    1.0
    """

    def __init__(self, beta=0.9, bias_correction=True):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"ExponentialMovingAverage: beta must be in [0, 1), got {beta}")
        self.beta = float(beta)
        self.bias_correction = bool(bias_correction)
        self.v = 0.0
        self.t = 0

    def update(self, theta):
        """Fold in the next value ``theta_t``; returns the (corrected) average."""
        self.t += 1
        self.v = self.beta * self.v + (1.0 - self.beta) * float(theta)
        return self.value

    @property
    def value(self):
        """The current average (nan before the first update)."""
        if self.t == 0:
            return math.nan
        if self.bias_correction:
            return self.v / (1.0 - self.beta ** self.t)
        return self.v

    def reset(self):
        """Start again: v = 0, t = 0 (the value is nan until the next update)."""
        self.v, self.t = 0.0, 0

    def state_dict(self):
        """The running average v and the step count t (a dict)."""
        return {"v": self.v, "t": self.t}

    def load_state_dict(self, state):
        """Restore v and t saved by :meth:`state_dict`."""
        self.v, self.t = float(state["v"]), int(state["t"])

    def __repr__(self):
        return f"ExponentialMovingAverage(beta={self.beta}, bias_correction={self.bias_correction}, t={self.t})"
