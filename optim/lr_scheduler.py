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
``OneCycleLR``                   warm-up to ``max_lr`` then anneal far below (per batch); momentum the other way
``CosineAnnealingWarmRestarts``  cosine annealing restarted every :math:`T_0, T_0 T_{mult}, \dots` epochs
``ReduceLROnPlateau``            ``lr *= factor`` when ``step(metric)`` stops improving (in ``optim.lr_plateau``)
===============================  =====================================================================
"""
from __future__ import annotations

import bisect
import math
from numbers import Real

from minigrad.tracing import replayed_whole

from ._validate_state import check_scheduler_state
from .lr_plateau import ReduceLROnPlateau  # a module of its own (counters, not a closed form); no cycle

__all__ = ["LRScheduler", "InverseTimeDecay", "ExponentialLR", "InverseSqrtDecay", "StepLR", "MultiStepLR",
           "LambdaLR", "CosineAnnealingLR", "LinearLR", "SequentialLR", "OneCycleLR", "CosineAnnealingWarmRestarts",
           "ReduceLROnPlateau"]


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

    @replayed_whole
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
        """Restore :meth:`state_dict`: the fields must be those of this class, with the types of
        this scheduler's own; anything else raises ValueError and changes nothing."""
        check_scheduler_state(self, state_dict)
        self.__dict__.update({k: list(v) if isinstance(v, list) else v for k, v in state_dict.items()})


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
        """Restore :meth:`state_dict`, the inner schedulers' states included: all checked first."""
        check_scheduler_state(self, state_dict)  # the inner schedulers' states included: all or nothing
        state_dict = dict(state_dict)
        for s, sd in zip(self._schedulers, state_dict.pop("_schedulers", [])):
            s.load_state_dict(sd)
        self.__dict__.update({k: list(v) if isinstance(v, list) else v for k, v in state_dict.items()})


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy (Smith & Topin), exactly as PyTorch's ``OneCycleLR``: call ``step()``
    after every batch, ``total_steps`` times in all (or ``epochs * steps_per_epoch``).

    Each group starts at :math:`\alpha_0 = \text{max\_lr} / \text{div\_factor}` (its
    ``initial_lr``), rises to ``max_lr`` by step :math:`s_1 = \text{pct\_start} \cdot N - 1`
    (:math:`N` = ``total_steps``), then anneals to
    :math:`\alpha_{min} = \alpha_0 / \text{final\_div\_factor}` at step :math:`N - 1`.  With
    ``three_phase`` it first falls back to :math:`\alpha_0` by step
    :math:`2\,\text{pct\_start} \cdot N - 2`, then anneals to :math:`\alpha_{min}`.  Inside a
    phase from step :math:`a` to :math:`b`, at fraction :math:`f = (e - a) / (b - a)`, the value
    goes from :math:`u` to :math:`w` as :math:`w + (u - w)(1 + \cos \pi f)/2` ("cos") or
    :math:`u + (w - u) f` ("linear").

    With ``cycle_momentum`` (default) the momentum moves the opposite way, from
    ``max_momentum`` down to ``base_momentum`` while the lr rises, and back: it is written to
    ``group["momentum"]`` for optimizers with a ``momentum`` setting (SGD, RMSprop) and to
    :math:`\beta_1` of ``group["betas"]`` for the Adam family.  Like PyTorch, the groups get
    ``initial_lr``, ``max_lr``, ``min_lr`` (and ``max_momentum``, ``base_momentum``) entries.

    Parameters
    ----------
    optimizer : Optimizer
    max_lr : float or list of float (one per group)
    total_steps : int, optional
    epochs, steps_per_epoch : int, optional
        Give ``total_steps`` or both of these.
    pct_start : float in [0, 1], default 0.3
    anneal_strategy : {"cos", "linear"}, default "cos"
    cycle_momentum : bool, default True
    base_momentum, max_momentum : float or list of float, default 0.85, 0.95
    div_factor : float, default 25
    final_div_factor : float, default 1e4
    three_phase : bool, default False
    last_epoch : int, default -1
        The index of the last batch, when resuming.

    Examples
    --------
    >>> import minigrad as mg, optim
    >>> opt = optim.SGD([mg.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    >>> sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="linear")
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(9):
    ...     opt.step(); sched.step(); lrs.append(sched.get_last_lr()[0])
    >>> [round(v, 4) for v in lrs[:4]], round(lrs[-1], 7), opt.param_groups[0]["momentum"]
    ([0.04, 0.52, 1.0, 0.8571], 4e-06, 0.95)
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                 anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85, max_momentum=0.95,
                 div_factor=25.0, final_div_factor=1e4, three_phase=False, last_epoch=-1):
        self.total_steps = _total_steps(total_steps, epochs, steps_per_epoch)
        if not (isinstance(pct_start, Real) and 0 <= pct_start <= 1):
            raise ValueError(f"OneCycleLR: pct_start must be a number in [0, 1], got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        _positive("OneCycleLR: div_factor", div_factor)
        _positive("OneCycleLR: final_div_factor", final_div_factor)
        n, s = self.total_steps, float(pct_start * self.total_steps)
        self.anneal_strategy, self.three_phase, self.cycle_momentum = anneal_strategy, bool(three_phase), cycle_momentum
        self._phases = ([(s - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                         (2 * s - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                         (n - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")] if three_phase else
                        [(s - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                         (n - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")])
        starts = [0.0] + [phase[0] for phase in self._phases[:-1]]
        if any(phase[0] == start for phase, start in zip(self._phases, starts)):
            raise ValueError(f"OneCycleLR: pct_start={pct_start} with total_steps={n} gives a phase of length 0 "
                             "(its end step equals its start); change pct_start or total_steps")
        groups = optimizer.param_groups
        max_lrs = _per_group("OneCycleLR: max_lr", max_lr, groups)
        if cycle_momentum:
            defaults = getattr(optimizer, "defaults", {})
            if "momentum" not in defaults and "betas" not in defaults:
                raise ValueError(f"OneCycleLR: cycle_momentum needs an optimizer with a 'momentum' or 'betas' "
                                 f"setting; {type(optimizer).__name__} has neither (pass cycle_momentum=False)")
            self.use_beta1 = "betas" in defaults
            pairs = zip(_per_group("OneCycleLR: max_momentum", max_momentum, groups),
                        _per_group("OneCycleLR: base_momentum", base_momentum, groups))
        if last_epoch == -1:
            for group, top in zip(groups, max_lrs):
                group.update(initial_lr=top / div_factor, max_lr=top, min_lr=top / div_factor / final_div_factor)
            if cycle_momentum:
                for group, (hi, lo) in zip(groups, pairs):
                    group.update(max_momentum=hi, base_momentum=lo)
                    self._set_momentum(group, hi)
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group, value):
        if self.use_beta1:
            group["betas"] = (value,) + tuple(group["betas"][1:])
        else:
            group["momentum"] = value

    def _interpolate(self, group, epoch, lr_or_momentum):
        start = 0.0
        for i, phase in enumerate(self._phases):
            end = phase[0]
            if epoch <= end or i == len(self._phases) - 1:
                u, w = (group[phase[1]], group[phase[2]]) if lr_or_momentum == "lr" else \
                    (group[phase[3]], group[phase[4]])
                f = (epoch - start) / (end - start)
                if self.anneal_strategy == "cos":
                    return w + (u - w) / 2.0 * (math.cos(math.pi * f) + 1)
                return (w - u) * f + u
            start = end

    def lr_at(self, epoch):
        if epoch > self.total_steps:
            raise ValueError(f"OneCycleLR: stepped {epoch} times, but total_steps is {self.total_steps}")
        return [self._interpolate(group, epoch, "lr") for group in self.optimizer.param_groups]

    @replayed_whole
    def step(self, epoch=None):
        """Advance one batch (or jump to ``epoch``): set every group's lr, and momentum if cycled."""
        super().step(epoch)
        if self.cycle_momentum:
            for group in self.optimizer.param_groups:
                self._set_momentum(group, self._interpolate(group, self.last_epoch, "momentum"))


def _total_steps(total_steps, epochs, steps_per_epoch):
    def count(name, v):
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise ValueError(f"OneCycleLR: {name} must be an int > 0, got {v!r}")
        return v

    if total_steps is not None:
        return count("total_steps", total_steps)
    if epochs is None or steps_per_epoch is None:
        raise ValueError("OneCycleLR: give total_steps, or both epochs and steps_per_epoch")
    return count("epochs", epochs) * count("steps_per_epoch", steps_per_epoch)


def _per_group(name, value, groups):
    values = list(value) if isinstance(value, (list, tuple)) else [value] * len(groups)
    if len(values) != len(groups):
        raise ValueError(f"{name}: expected one value or {len(groups)} (one per group), got {len(values)}")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(v):
            raise ValueError(f"{name}: expected finite numbers, got {v!r}")
    return values


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter), exactly as PyTorch's.

    :math:`\alpha = \eta_{min} + \frac12(\alpha_0 - \eta_{min})(1 + \cos(\pi T_{cur} / T_i))`,
    where :math:`T_{cur}` counts epochs since the last restart and :math:`T_i` is the length of
    the current cycle: :math:`T_0`, then :math:`T_0 T_{mult}`, :math:`T_0 T_{mult}^2`, ...
    ``step()`` adds 1 to :math:`T_{cur}` (restarting when it reaches :math:`T_i`);
    ``step(epoch)`` accepts fractional epochs (``epoch + i / iters_per_epoch``) and sets
    :math:`T_{cur}, T_i` from ``epoch`` directly: with :math:`T_{mult} = 1`,
    :math:`T_{cur} = \text{epoch} \bmod T_0`; else with
    :math:`n = \lfloor \log_{T_{mult}}(\text{epoch}/T_0\,(T_{mult} - 1) + 1) \rfloor`,
    :math:`T_{cur} = \text{epoch} - T_0 (T_{mult}^n - 1)/(T_{mult} - 1)`,
    :math:`T_i = T_0 T_{mult}^n`.  ``last_epoch`` is :math:`\lfloor\text{epoch}\rfloor`.

    Parameters
    ----------
    optimizer : Optimizer
    T_0 : int >= 1
    T_mult : int >= 1, default 1
    eta_min : float, default 0
    last_epoch : int, default -1

    Examples
    --------
    >>> import minigrad as mg, optim
    >>> opt = optim.SGD([mg.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(6):
    ...     sched.step(); lrs.append(sched.get_last_lr()[0])
    >>> [round(v, 3) for v in lrs]       # restarts at epochs 2 and 6
    [1.0, 0.5, 1.0, 0.854, 0.5, 0.146, 1.0]
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        for name, v in (("T_0", T_0), ("T_mult", T_mult)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"CosineAnnealingWarmRestarts: {name} must be an int >= 1, got {v!r}")
        if isinstance(eta_min, bool) or not isinstance(eta_min, Real):
            raise ValueError(f"CosineAnnealingWarmRestarts: eta_min must be a number, got {eta_min!r}")
        self.T_0, self.T_i, self.T_mult, self.eta_min, self.T_cur = T_0, T_0, T_mult, eta_min, last_epoch
        super().__init__(optimizer, last_epoch)

    def cycle(self, epoch):
        """(T_cur, T_i) at ``epoch`` (a number >= 0, fractions allowed), from the closed form."""
        if epoch < self.T_0:
            return epoch, self.T_0
        if self.T_mult == 1:
            return epoch % self.T_0, self.T_0
        n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
        return epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1), self.T_0 * self.T_mult ** n

    def _value(self, t_cur, t_i, base_lr):
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2

    def lr_at(self, epoch):
        t_cur, t_i = self.cycle(epoch)
        return [self._value(t_cur, t_i, base) for base in self.base_lrs]

    def get_lr(self):
        return [self._value(self.T_cur, self.T_i, base) for base in self.base_lrs]

    @replayed_whole
    def step(self, epoch=None):
        """One epoch on (``T_cur + 1``), or to ``epoch`` (a number >= 0, fractions allowed)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur, self.T_i = self.T_cur % self.T_i, self.T_i * self.T_mult
        else:
            if isinstance(epoch, bool) or not isinstance(epoch, Real) or not epoch >= 0:
                raise ValueError(f"CosineAnnealingWarmRestarts.step: epoch must be a number >= 0, got {epoch!r}")
            self.T_cur, self.T_i = self.cycle(epoch)
        self.last_epoch = math.floor(epoch)
        values = self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = values
