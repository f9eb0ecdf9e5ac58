"""``ReduceLROnPlateau``: cut the learning rate when a watched metric stops improving.

Unlike the schedules of :mod:`optim.lr_scheduler` (closed forms of the epoch), this one reacts
to a number the training loop passes each epoch, so it keeps counters instead of a formula.
It lives in its own module, imported by ``optim.lr_scheduler`` (which re-exports it), and
imports nothing of that module: no cycle.
"""
from __future__ import annotations

import math
import warnings
from numbers import Real

from minigrad.tracing import replayed_whole

__all__ = ["ReduceLROnPlateau"]

_STATE = ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lrs", "default_min_lr",
          "eps", "last_epoch", "best", "num_bad_epochs", "cooldown_counter", "_last_lr")


class ReduceLROnPlateau:
    r"""Multiply every group's ``lr`` by ``factor`` once the metric has not improved for more
    than ``patience`` epochs, exactly as PyTorch's ``ReduceLROnPlateau``.

    Each ``step(metric)``: the metric :math:`a` is *better* than the best so far :math:`b` when

    ===========  =========================================  ================================
    mode         threshold_mode ``"rel"`` (default)          ``"abs"``
    ===========  =========================================  ================================
    ``"min"``    :math:`a < b (1 - \text{threshold})`        :math:`a < b - \text{threshold}`
    ``"max"``    :math:`a > b (1 + \text{threshold})`        :math:`a > b + \text{threshold}`
    ===========  =========================================  ================================

    (:math:`b` starts at :math:`+\infty` for "min", :math:`-\infty` for "max"; NaN is never
    better).  A better metric becomes the best and zeroes the count of bad epochs, any other
    adds one.  During a cooldown (``cooldown`` epochs after each cut) bad epochs are not
    counted.  When the count exceeds ``patience`` every group's lr becomes
    :math:`\max(\text{lr} \cdot \text{factor}, \text{min\_lr})` -- unless that changes it by no
    more than ``eps`` -- the count restarts and the cooldown begins.

    Parameters
    ----------
    optimizer : Optimizer
    mode : {"min", "max"}, default "min"
    factor : float in (0, 1), default 0.1
    patience : int >= 0, default 10
    threshold : float >= 0, default 1e-4
    threshold_mode : {"rel", "abs"}, default "rel"
    cooldown : int >= 0, default 0
    min_lr : float or list of float (one per group), default 0
    eps : float >= 0, default 1e-8

    Examples
    --------
    >>> import minigrad as mg, optim
    >>> opt = optim.SGD([mg.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1)
    >>> for loss in [3.0, 2.0, 2.0, 2.0, 2.0]:    # two epochs without progress after the best
    ...     sched.step(loss)
    >>> sched.get_last_lr()
    [0.1]
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 cooldown=0, min_lr=0.0, eps=1e-8):
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"ReduceLROnPlateau: expected an optimizer (with param_groups), got "
                            f"{type(optimizer).__name__}")
        n = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n:
                raise ValueError(f"ReduceLROnPlateau: expected {n} min_lr values (one per group), got {len(min_lr)}")
            self.default_min_lr, self.min_lrs = None, [float(v) for v in min_lr]
        else:
            self.default_min_lr, self.min_lrs = min_lr, [min_lr] * n
        _check(mode, factor, patience, threshold, threshold_mode, cooldown, self.min_lrs, eps)
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode, self.cooldown, self.eps = threshold, threshold_mode, cooldown, eps
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]
        self._reset()

    def _reset(self):
        self.best = math.inf if self.mode == "min" else -math.inf
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self):
        """True while bad epochs are not being counted (just after a cut)."""
        return self.cooldown_counter > 0

    def is_better(self, a, best):
        """Whether metric ``a`` improves on ``best`` (the rule of the table above)."""
        if self.mode == "min":
            return a < best * (1.0 - self.threshold) if self.threshold_mode == "rel" else a < best - self.threshold
        return a > best * (1.0 + self.threshold) if self.threshold_mode == "rel" else a > best + self.threshold

    @replayed_whole
    def step(self, metrics, epoch=None):
        """Record this epoch's metric (a number or a 1-element Tensor) and cut the lr if due.

        ``epoch`` (deprecated in PyTorch, accepted with a warning) sets ``last_epoch`` instead of
        adding one to it."""
        try:
            current = float(metrics)
        except (TypeError, ValueError):
            raise TypeError(f"ReduceLROnPlateau.step: expected the metric as a number, got "
                            f"{type(metrics).__name__}") from None
        if epoch is not None:
            warnings.warn("ReduceLROnPlateau.step: the epoch argument is deprecated (as in PyTorch)", UserWarning,
                          stacklevel=2)
        self.last_epoch = self.last_epoch + 1 if epoch is None else int(epoch)
        if self.is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _reduce_lr(self):
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(f"ReduceLROnPlateau: the optimizer now has {len(groups)} parameter groups, "
                                   f"min_lr was given for {len(self.min_lrs)}; set .min_lrs to one per group")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new

    def get_last_lr(self):
        """The groups' learning rates after the last ``step()`` (a list)."""
        return list(self._last_lr)

    def state_dict(self):
        """The counters and settings (everything but the optimizer), as plain values."""
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore :meth:`state_dict`; checked first, so a bad one changes nothing."""
        if not isinstance(state_dict, dict) or not set(_STATE) <= set(state_dict):
            missing = sorted(set(_STATE) - set(state_dict)) if isinstance(state_dict, dict) else list(_STATE)
            raise ValueError(f"ReduceLROnPlateau.load_state_dict: expected the dict of state_dict(), missing "
                             f"{missing}")
        s = state_dict
        _check(s["mode"], s["factor"], s["patience"], s["threshold"], s["threshold_mode"], s["cooldown"],
               s["min_lrs"], s["eps"])
        self.__dict__.update({k: (list(v) if isinstance(v, list) else v) for k, v in state_dict.items()})


def _check(mode, factor, patience, threshold, threshold_mode, cooldown, min_lrs, eps):
    where = "ReduceLROnPlateau"
    if mode not in ("min", "max"):
        raise ValueError(f"{where}: mode must be 'min' or 'max', got {mode!r}")
    if threshold_mode not in ("rel", "abs"):
        raise ValueError(f"{where}: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
    if not (_real(factor) and 0.0 < factor < 1.0):
        raise ValueError(f"{where}: factor must be a number in (0, 1), got {factor!r}")
    for name, value in (("patience", patience), ("cooldown", cooldown)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{where}: {name} must be an int >= 0, got {value!r}")
    for name, value in [("threshold", threshold), ("eps", eps)] + [("min_lr", v) for v in min_lrs]:
        if not (_real(value) and math.isfinite(value) and value >= 0):
            raise ValueError(f"{where}: {name} must be a finite number >= 0, got {value!r}")


def _real(x):
    return isinstance(x, Real) and not isinstance(x, bool)
