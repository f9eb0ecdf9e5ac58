"""Learning-rate schedulers at their edges: every refusal names the scheduler and the argument,
booleans are not numbers, state is copied not shared, resuming from ``last_epoch`` lands where a
fresh scheduler stepped as often lands, OneCycleLR's exact peak and its last step, and
CosineAnnealingWarmRestarts' closed form against a walk over its cycles.

References are hand-worked values or plain loops written from the schedules' descriptions.
"""
from __future__ import annotations

import math

import pytest

import minigrad as mg
import optim
from optim import lr_scheduler as S


def _opt(*lrs, cls=optim.SGD, **kw):
    return cls([{"params": [mg.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs], lr=lrs[0], **kw)


# ----- messages: the scheduler, the argument, what was expected ---------------------------------
@pytest.mark.parametrize("make, message", [
    (lambda o: S.ExponentialLR(o, gamma=0), "ExponentialLR: gamma: expected a number > 0, got 0"),
    (lambda o: S.InverseSqrtDecay(o, k=-1.0), "InverseSqrtDecay: k: expected a number > 0, got -1.0"),
    (lambda o: S.StepLR(o, 2, gamma=0.0), "StepLR: gamma: expected a number > 0, got 0.0"),
    (lambda o: S.MultiStepLR(o, [1], gamma=-0.5), "MultiStepLR: gamma: expected a number > 0, got -0.5"),
    (lambda o: S.CosineAnnealingLR(o, T_max=0), "CosineAnnealingLR: T_max: expected a number > 0, got 0"),
    (lambda o: S.LinearLR(o, total_iters=0), "LinearLR: total_iters: expected a number > 0, got 0"),
    (lambda o: S.InverseTimeDecay(o, 1.0, time_interval=0),
     "InverseTimeDecay: time_interval: expected a number > 0, got 0"),
    (lambda o: S.OneCycleLR(o, 1.0, total_steps=10, div_factor=0),
     "OneCycleLR: div_factor: expected a number > 0, got 0"),
    (lambda o: S.OneCycleLR(o, 1.0, total_steps=10, final_div_factor=-1),
     "OneCycleLR: final_div_factor: expected a number > 0, got -1"),
    (lambda o: S.OneCycleLR(o, 1.0), "OneCycleLR: give total_steps, or both epochs and steps_per_epoch"),
    (lambda o: S.OneCycleLR(o, 1.0, total_steps=2, pct_start=0.5),
     "OneCycleLR: pct_start=0.5 with total_steps=2 gives a phase of length 0 (its end step equals its start); "
     "change pct_start or total_steps"),
])
def test_each_refusal_names_the_scheduler_and_the_argument(make, message):
    with pytest.raises(ValueError) as info:
        make(_opt(0.1, momentum=0.9))
    assert str(info.value) == message


def test_sequential_lr_refuses_schedulers_of_another_optimizer_saying_so():
    o1, o2 = _opt(0.1), _opt(0.1)
    with pytest.raises(ValueError) as info:
        S.SequentialLR(o1, [S.StepLR(o1, 2), S.StepLR(o2, 2)], milestones=[3])
    assert str(info.value) == "SequentialLR: every scheduler must wrap the optimizer given to SequentialLR"


def test_a_non_optimizer_is_refused_naming_the_scheduler_and_what_was_given():
    with pytest.raises(TypeError) as info:
        S.StepLR(3.5, step_size=2)
    assert str(info.value) == "StepLR: expected an optimizer (with param_groups), got float"


def test_resuming_needs_initial_lr_in_every_group_and_names_the_group_that_lacks_it():
    opt = _opt(0.1, 0.2)
    opt.param_groups[0]["initial_lr"] = 0.1  # only the first group has it
    with pytest.raises(KeyError) as info:
        S.ExponentialLR(opt, gamma=0.5, last_epoch=3)
    assert info.value.args[0] == ("ExponentialLR: param_groups[1] has no 'initial_lr'; it is set when a scheduler "
                                  "starts with last_epoch=-1")


@pytest.mark.parametrize("make", [
    lambda o: S.ExponentialLR(o, gamma=True),
    lambda o: S.InverseTimeDecay(o, decay_rate=True),
    lambda o: S.InverseSqrtDecay(o, k=True),
    lambda o: S.OneCycleLR(o, 1.0, total_steps=True),
    lambda o: S.OneCycleLR(o, 1.0, epochs=True, steps_per_epoch=4),
], ids=["gamma", "decay_rate", "k", "total_steps", "epochs"])
def test_booleans_are_not_numbers(make):
    with pytest.raises(ValueError):
        make(_opt(0.1, momentum=0.9))


def test_one_epoch_of_steps_is_a_valid_one_cycle():
    """epochs=1 (and total_steps=1's neighbour, steps_per_epoch=1) are counts > 0, like any other."""
    a, b = _opt(0.1, momentum=0.9), _opt(0.1, momentum=0.9)
    sa = S.OneCycleLR(a, 1.0, epochs=1, steps_per_epoch=8)
    sb = S.OneCycleLR(b, 1.0, total_steps=8)
    assert sa.total_steps == 8
    for _ in range(7):
        sa.step(), sb.step()
        assert sa.get_last_lr() == sb.get_last_lr()
    assert S.OneCycleLR(_opt(0.1, momentum=0.9), 1.0, epochs=8, steps_per_epoch=1).total_steps == 8


# ----- OneCycleLR: the phases ----------------------------------------------------------------------
def test_one_cycle_three_phases_refuses_a_last_phase_of_length_zero():
    """three_phase, total_steps=3, pct_start=2/3: phases end at steps 1, 2 and 2 -- the last is empty."""
    with pytest.raises(ValueError, match="phase of length 0"):
        S.OneCycleLR(_opt(0.1, momentum=0.9), 1.0, total_steps=3, pct_start=2 / 3, three_phase=True)


def test_one_cycle_peak_step_is_exactly_max_lr_and_base_momentum():
    """At the end of the first phase (step pct_start * N - 1 = 2) the lr is max_lr and the momentum
    base_momentum, exactly: the phase that ends there is evaluated at its end (f = 1, cos(pi) = -1)."""
    opt = _opt(0.1, momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=0.7, total_steps=10, pct_start=0.3, base_momentum=0.1, max_momentum=0.9)
    for _ in range(2):
        sched.step()
    assert sched.last_epoch == 2
    assert opt.param_groups[0]["lr"] == 0.7
    assert opt.param_groups[0]["momentum"] == 0.1


def test_without_defaults_cycle_momentum_is_refused_with_the_reason():
    class Bare:  # an optimizer-like object: param_groups, no defaults
        def __init__(self):
            self.param_groups = [{"lr": 0.1, "params": []}]

    with pytest.raises(ValueError, match="needs an optimizer with a 'momentum' or 'betas' setting; Bare has"):
        S.OneCycleLR(Bare(), 1.0, total_steps=10)
    S.OneCycleLR(Bare(), 1.0, total_steps=10, cycle_momentum=False)  # fine without


@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_one_cycle_may_step_total_steps_times_and_extrapolates_the_last_phase(strategy):
    """Like PyTorch: the step count may reach total_steps (one past the last phase's end, N - 1); the
    value there continues the last phase (f = (N - s1) / (N - 1 - s1)); one more step raises."""
    n, top = 10, 1.0
    opt = _opt(0.1, momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=top, total_steps=n, pct_start=0.3, anneal_strategy=strategy)
    for _ in range(n):
        sched.step()
    lo = top / 25.0 / 1e4
    f = (n - 2.0) / (n - 1 - 2.0)  # the last phase runs from step s1 = 2 to N - 1 = 9
    want = lo + (top - lo) * (1 + math.cos(math.pi * f)) / 2 if strategy == "cos" else top + (lo - top) * f
    assert sched.get_last_lr()[0] == pytest.approx(want, rel=1e-12)
    with pytest.raises(ValueError, match="stepped 11 times, but total_steps is 10"):
        sched.step()


# ----- state: copied in and out ---------------------------------------------------------------------
def test_load_state_dict_copies_the_lists_it_is_given():
    a, b = S.StepLR(_opt(0.1, 0.2), 2), S.StepLR(_opt(0.1, 0.2), 2)
    for _ in range(3):
        a.step()
    sd = a.state_dict()
    b.load_state_dict(sd)
    sd["base_lrs"][0] = 99.0
    sd["_last_lr"][1] = 99.0
    assert b.base_lrs == [0.1, 0.2]
    assert b.get_last_lr() == pytest.approx([0.01, 0.02])


def test_sequential_load_state_dict_copies_the_lists_it_is_given():
    def make():
        o = _opt(1.0)
        return S.SequentialLR(o, [S.LinearLR(o, 0.5, total_iters=2), S.ExponentialLR(o, 0.5)], milestones=[2])

    a, b = make(), make()
    for _ in range(3):
        a.step()
    sd = a.state_dict()
    b.load_state_dict(sd)
    sd["milestones"][0] = 100
    sd["base_lrs"][0] = 99.0
    b.step()  # epoch 4: the second schedule's epoch 2
    assert b.get_last_lr() == pytest.approx([0.25])


def test_state_dict_leaves_out_a_function_attribute():
    """'Everything but the optimizer (and functions, which cannot be saved)': also a function kept
    directly as an attribute by a user's scheduler, not only lists of them (LambdaLR)."""
    class Halving(S.LRScheduler):
        def __init__(self, optimizer, f):
            self.f = f
            super().__init__(optimizer)

        def value(self, epoch, base_lr):
            return base_lr * self.f(epoch)

    sched = Halving(_opt(1.0), lambda e: 0.5 ** e)
    sched.step()
    sd = sched.state_dict()
    assert "f" not in sd and sd["last_epoch"] == 1 and sd["base_lrs"] == [1.0]


# ----- CosineAnnealingWarmRestarts ------------------------------------------------------------------
def _sgdr(epoch, base, T_0, T_mult, eta_min):
    """Walk the cycles: T_0, T_0 T_mult, ... until the one holding ``epoch``."""
    start, length = 0, T_0
    while epoch >= start + length:
        start, length = start + length, length * T_mult
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * (epoch - start) / length)) / 2


@pytest.mark.parametrize("T_0, T_mult, eta_min", [(2, 2, 0.0), (3, 1, 0.01), (1, 3, 0.0), (4, 2, 0.05)])
def test_warm_restarts_lr_at_matches_a_walk_over_the_cycles(T_0, T_mult, eta_min):
    sched = S.CosineAnnealingWarmRestarts(_opt(1.0, 0.5), T_0=T_0, T_mult=T_mult, eta_min=eta_min)
    for epoch in [0, 0.5, 1, 2, 2.5, 3, 5, 6, 7, 13, 14, 15, 29.25, 40]:
        want = [_sgdr(epoch, base, T_0, T_mult, eta_min) for base in (1.0, 0.5)]
        assert sched.lr_at(epoch) == pytest.approx(want, rel=1e-12, abs=1e-15), epoch


def test_warm_restarts_hand_values_of_lr_at():
    sched = S.CosineAnnealingWarmRestarts(_opt(1.0), T_0=2, T_mult=2)
    got = [sched.lr_at(e)[0] for e in range(8)]  # restarts at 2 and 6
    c = math.cos(math.pi / 4)
    assert got == pytest.approx([1.0, 0.5, 1.0, (1 + c) / 2, 0.5, (1 - c) / 2, 1.0, (1 + math.cos(math.pi / 8)) / 2])


def test_warm_restarts_inside_sequential_lr_follow_their_own_epochs():
    o = _opt(1.0)
    seq = S.SequentialLR(o, [S.ExponentialLR(o, 0.5), S.CosineAnnealingWarmRestarts(o, T_0=3)], milestones=[2])
    lrs = [seq.get_last_lr()[0]]
    for _ in range(6):
        seq.step()
        lrs.append(seq.get_last_lr()[0])
    third = (1 + math.cos(math.pi / 3)) / 2
    assert lrs == pytest.approx([1.0, 0.5, 1.0, third, 1 - third, 1.0, third])


def test_warm_restarts_resumed_from_last_epoch_continues_where_a_fresh_one_would_be():
    fresh_opt = _opt(0.8)
    fresh = S.CosineAnnealingWarmRestarts(fresh_opt, T_0=3, eta_min=0.2)
    for _ in range(5):
        fresh.step()
    opt = _opt(0.8)
    opt.param_groups[0]["initial_lr"] = 0.8
    resumed = S.CosineAnnealingWarmRestarts(opt, T_0=3, eta_min=0.2, last_epoch=4)  # its own step() makes it 5
    want = 0.2 + 0.6 * (1 + math.cos(math.pi * 2 / 3)) / 2  # epoch 5: 2 into the second cycle of 3
    assert resumed.last_epoch == fresh.last_epoch == 5
    assert resumed.get_last_lr()[0] == pytest.approx(want) == fresh.get_last_lr()[0]


def test_warm_restarts_fractional_epochs_then_plain_steps():
    """step(1.5) with T_0=2: T_cur 1.5, last_epoch floor(1.5) = 1; one more step() makes T_cur 2.5,
    which wraps to 0.5 of the next cycle (not to 0); step(0) goes back to the start."""
    opt = _opt(1.0)
    sched = S.CosineAnnealingWarmRestarts(opt, T_0=2)
    sched.step(1.5)
    assert sched.last_epoch == 1 and sched.T_cur == 1.5
    assert sched.get_last_lr()[0] == pytest.approx((1 + math.cos(math.pi * 0.75)) / 2)
    sched.step()
    assert sched.last_epoch == 2 and sched.T_cur == pytest.approx(0.5)
    assert opt.param_groups[0]["lr"] == sched.get_last_lr()[0] == pytest.approx((1 + math.cos(math.pi / 4)) / 2)
    sched.step(0)
    assert sched.last_epoch == 0 and sched.get_last_lr() == [1.0] and opt.param_groups[0]["lr"] == 1.0


def test_step_with_an_epoch_truncates_it_like_int():
    sched = S.StepLR(_opt(1.0), step_size=3, gamma=0.5)
    sched.step(2.7)
    assert sched.last_epoch == 2 and sched.get_last_lr() == [1.0]
