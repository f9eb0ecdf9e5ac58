r"""Learning-rate decay: the course's schedules and a few more, with PyTorch's protocol.

A scheduler wraps an optimizer; call ``scheduler.step()`` once per epoch (or per iteration, if
that is your unit), after ``optimizer.step()``.  It sets every group's ``lr`` to
:math:`\alpha_0 \cdot f(e)` where :math:`\alpha_0` is the group's ``initial_lr`` (its ``lr``
when the scheduler was made) and :math:`e` = ``last_epoch`` counts ``step()`` calls
(0 right after construction).  Every schedule is computed in closed form from :math:`e`,
so ``step(epoch)`` can jump, and ``state_dict()`` / ``load_state_dict()`` resume exactly.

===============================  =====================================================================
``InverseTimeDecay``             :math:`\alpha_0 / (1 + r \lfloor e / T \rfloor)` (course; ``T`` = 1: no stairs)
``ExponentialLR``                :math:`\gamma^e \alpha_0` (course: :math:`0.95^e \alpha_0`)
``InverseSqrtDecay``             :math:`k / \sqrt{e + 1}\, \alpha_0` (the course's, epochs from 1)
``StepLR``, ``MultiStepLR``      discrete staircase: :math:`\gamma^{\lfloor e / s \rfloor} \alpha_0`, or at milestones
``LambdaLR``                     :math:`f(e)\, \alpha_0` for your function ``f``
``CosineAnnealingLR``            :math:`\eta_{min} + (\alpha_0 - \eta_{min})(1 + \cos(\pi e / T_{max}))/2`
``LinearLR``                     linear warm-up from ``start_factor`` to ``end_factor`` over ``total_iters``
``SequentialLR``                 one schedule after another (e.g. warm-up, then cosine)
===============================  =====================================================================
"""
from __future__ import annotations

import bisect
import math
from numbers import Real

__all__ = ["LRScheduler", "InverseTimeDecay", "ExponentialLR", "InverseSqrtDecay", "StepLR", "MultiStepLR",
           "LambdaLR", "CosineAnnealingLR", "LinearLR", "SequentialLR"]


class LRScheduler:
    """Base class: subclasses define ``value(epoch, base_lr)``, the lr at ``epoch`` (or ``lr_at(epoch)``).

    Parameters
    ----------
    optimizer : Optimizer
        Anything with ``param_groups`` (a list of dicts with ``"lr"``).
    last_epoch : int, default -1
        The index of the last epoch when resuming; -1 starts afresh (then each group's
        ``initial_lr`` is set to its current ``lr``).
    """

    def __init__(self, optimizer, last_epoch=-1):
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{type(self).__name__}: expected an optimizer (with param_groups), got "
                            f"{type(optimizer).__name__}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"{type(self).__name__}: param_groups[{i}] has no 'initial_lr'; it is set "
                                   "when a scheduler starts with last_epoch=-1")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

    def lr_at(self, epoch):
        """The learning rate of every group at ``epoch`` (a list)."""
        return [self.value(epoch, base) for base in self.base_lrs]

    def value(self, epoch, base_lr):  # pragma: no cover - abstract
        """The learning rate at ``epoch`` for a group whose initial lr is ``base_lr``: alpha_0 * f(epoch).

        Each subclass defines it from the formula in its class docstring (closed form, so any epoch can
        be asked for).
        """
        raise NotImplementedError

    def get_lr(self):
        """The learning rates for the current ``last_epoch``."""
        return self.lr_at(self.last_epoch)

    def get_last_lr(self):
        """The learning rates the last ``step()`` set (a list, one per group)."""
        return list(self._last_lr)

    def step(self, epoch=None):
        """Advance one epoch (or jump to ``epoch``) and set the groups' ``lr``."""
        self.last_epoch = self.last_epoch + 1 if epoch is None else int(epoch)
        values = self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = values

    def state_dict(self):
        """Everything but the optimizer (and functions, which cannot be saved)."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer" and not callable(v)
                and not (isinstance(v, list) and any(callable(x) for x in v))}

    def load_state_dict(self, state_dict):
        """Restore the state from :meth:`state_dict` (``last_epoch``, base lrs, options); the groups' lr
        is set again by the next :meth:`step`.
        """
        self.__dict__.update(state_dict)


def _positive(name, value, what="a number > 0"):
    if isinstance(value, bool) or not isinstance(value, Real) or not value > 0 or not math.isfinite(value):
        raise ValueError(f"{name}: expected {what}, got {value!r}")


class InverseTimeDecay(LRScheduler):
    r"""The course's :math:`\alpha = \frac{1}{1 + \text{decay\_rate} \cdot \text{epoch}} \alpha_0`.

    With ``time_interval`` :math:`T`, the staircase form (the course's "fixed interval
    scheduling"): :math:`\alpha = \alpha_0 / (1 + \text{decay\_rate} \lfloor \text{epoch} / T \rfloor)`.

    Examples
    --------
    >>> import minigrad as mg, optim
    >>> opt = optim.SGD([mg.zeros(1, requires_grad=True)], lr=0.2)
    >>> sched = optim.lr_scheduler.InverseTimeDecay(opt, decay_rate=1.0)
    >>> for _ in range(2):
    ...     sched.step()
    >>> round(opt.param_groups[0]["lr"], 4)     # 0.2 / (1 + 2)
    0.0667
    """

    def __init__(self, optimizer, decay_rate, time_interval=None, last_epoch=-1):
        if isinstance(decay_rate, bool) or not isinstance(decay_rate, Real) or not decay_rate >= 0:
            raise ValueError(f"InverseTimeDecay: decay_rate must be a number >= 0, got {decay_rate!r}")
        if time_interval is not None:
            _positive("InverseTimeDecay: time_interval", time_interval)
        self.decay_rate, self.time_interval = decay_rate, time_interval
        super().__init__(optimizer, last_epoch)

    def value(self, epoch, base_lr):
        e = epoch if self.time_interval is None else math.floor(epoch / self.time_interval)
        return base_lr / (1.0 + self.decay_rate * e)


class ExponentialLR(LRScheduler):
    r"""Exponential decay :math:`\alpha = \gamma^{\text{epoch}} \alpha_0` (the course's
    :math:`0.95^{\text{epoch}} \alpha_0` is ``gamma=0.95``)."""

    def __init__(self, optimizer, gamma=0.95, last_epoch=-1):
        _positive("ExponentialLR: gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def value(self, epoch, base_lr):
        return base_lr * self.gamma ** epoch


class InverseSqrtDecay(LRScheduler):
    r"""The course's :math:`\alpha = \frac{k}{\sqrt{\text{epoch}}} \alpha_0` with epochs counted
    from 1, i.e. :math:`k \alpha_0 / \sqrt{e + 1}` at ``last_epoch`` :math:`e` (so the first
    epoch runs at :math:`k \alpha_0`; the formula is undefined at epoch 0)."""

    def __init__(self, optimizer, k=1.0, last_epoch=-1):
        _positive("InverseSqrtDecay: k", k)
        self.k = k
        super().__init__(optimizer, last_epoch)

    def value(self, epoch, base_lr):
        return self.k / math.sqrt(epoch + 1) * base_lr


class StepLR(LRScheduler):
    r"""Discrete staircase: :math:`\alpha = \gamma^{\lfloor \text{epoch} / \text{step\_size}
    \rfloor} \alpha_0` (multiply by ``gamma`` every ``step_size`` epochs)."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be an int >= 1, got {step_size!r}")
        _positive("StepLR: gamma", gamma)
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def value(self, epoch, base_lr):
        return base_lr * self.gamma ** (epoch // self.step_size)


class MultiStepLR(LRScheduler):
    r"""Discrete decay at chosen epochs: :math:`\alpha = \gamma^{n} \alpha_0` with :math:`n` the
    number of ``milestones`` reached (``milestone <= epoch``)."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = sorted(int(m) for m in milestones)
        _positive("MultiStepLR: gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def value(self, epoch, base_lr):
        return base_lr * self.gamma ** bisect.bisect_right(self.milestones, epoch)


class LambdaLR(LRScheduler):
    r""":math:`\alpha = f(\text{epoch})\, \alpha_0` for a function ``lr_lambda`` (or one per group).

    ``state_dict`` leaves the functions out: re-create the scheduler with them, then load.
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        n = len(optimizer.param_groups)
        fns = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * n
        if len(fns) != n or not all(callable(f) for f in fns):
            raise ValueError(f"LambdaLR: expected one function or {n} functions (one per group), got {lr_lambda!r}")
        self.lr_lambdas = fns
        super().__init__(optimizer, last_epoch)

    def lr_at(self, epoch):
        return [base * f(epoch) for f, base in zip(self.lr_lambdas, self.base_lrs)]


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing: :math:`\eta_{min} + \frac{1}{2}(\alpha_0 - \eta_{min})(1 + \cos(\pi\,
    \text{epoch} / T_{max}))`, from :math:`\alpha_0` at epoch 0 down to ``eta_min`` at ``T_max``."""

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        _positive("CosineAnnealingLR: T_max", T_max)
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def value(self, epoch, base_lr):
        return self.eta_min + (base_lr - self.eta_min) * (1.0 + math.cos(math.pi * epoch / self.T_max)) / 2.0


class LinearLR(LRScheduler):
    r"""Linear warm-up (or decay): the factor goes linearly from ``start_factor`` at epoch 0 to
    ``end_factor`` at ``total_iters`` and stays there:
    :math:`\alpha = \alpha_0 (s + (e - s) \min(\text{epoch}, n) / n)`."""

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1):
        if not (isinstance(start_factor, Real) and 0 < start_factor <= 1):
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor!r}")
        if not (isinstance(end_factor, Real) and 0 <= end_factor <= 1):
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor!r}")
        _positive("LinearLR: total_iters", total_iters)
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def value(self, epoch, base_lr):
        frac = min(max(epoch, 0), self.total_iters) / self.total_iters
        return base_lr * (self.start_factor + (self.end_factor - self.start_factor) * frac)


class SequentialLR(LRScheduler):
    """Run ``schedulers[0]`` until ``milestones[0]``, then ``schedulers[1]`` counting its epochs
    from 0 again, and so on (e.g. ``LinearLR`` warm-up, then ``CosineAnnealingLR``).

    The schedulers must wrap the same optimizer; their own ``step()`` is not called.
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        schedulers, milestones = list(schedulers), [int(m) for m in milestones]
        if len(milestones) != len(schedulers) - 1 or milestones != sorted(milestones):
            raise ValueError(f"SequentialLR: need {len(schedulers) - 1} increasing milestones for "
                             f"{len(schedulers)} schedulers, got {milestones}")
        if any(s.optimizer is not optimizer for s in schedulers):
            raise ValueError("SequentialLR: every scheduler must wrap the optimizer given to SequentialLR")
        self._schedulers, self.milestones = schedulers, milestones
        super().__init__(optimizer, last_epoch)

    def lr_at(self, epoch):
        i = bisect.bisect_right(self.milestones, epoch)
        start = self.milestones[i - 1] if i else 0
        return self._schedulers[i].lr_at(epoch - start)

    def state_dict(self):
        sd = {k: v for k, v in super().state_dict().items() if k != "_schedulers"}
        sd["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return sd

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        for s, sd in zip(self._schedulers, state_dict.pop("_schedulers", [])):
            s.load_state_dict(sd)
        super().load_state_dict(state_dict)
