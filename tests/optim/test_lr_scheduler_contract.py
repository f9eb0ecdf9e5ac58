"""Each scheduler's defaults, resume point, argument checks and composition, row by row.

Defaults are PyTorch's documented ones (StepLR/MultiStepLR gamma=0.1, LinearLR start_factor=1/3,
end_factor=1, total_iters=5, CosineAnnealingLR eta_min=0) and the course's (ExponentialLR's 0.95,
InverseSqrtDecay's k=1); each is checked through the learning rates it produces, computed here from
the formula.  A scheduler built with ``last_epoch=k`` must continue exactly where one stepped k
times stands.  A bad argument is refused with the scheduler's and the argument's name.
"""
from __future__ import annotations

import math

import pytest

import minigrad as mg
import optim

LR0 = 0.5
S = optim.lr_scheduler


def _opt(lr=LR0):
    return optim.SGD([mg.zeros(1, requires_grad=True)], lr=lr)


# (id, factory with defaults, lr at epoch e from the documented formula)
DEFAULTS = [
    ("StepLR gamma=0.1", lambda o: S.StepLR(o, step_size=2), lambda e: LR0 * 0.1 ** (e // 2)),
    ("MultiStepLR gamma=0.1", lambda o: S.MultiStepLR(o, milestones=[2, 5]),
     lambda e: LR0 * 0.1 ** ((e >= 2) + (e >= 5))),
    ("LinearLR 1/3 -> 1 over 5", lambda o: S.LinearLR(o),
     lambda e: LR0 * (1 / 3 + (1 - 1 / 3) * min(e, 5) / 5)),
    ("CosineAnnealingLR eta_min=0", lambda o: S.CosineAnnealingLR(o, T_max=4),
     lambda e: LR0 * (1 + math.cos(math.pi * e / 4)) / 2),
    ("ExponentialLR course's 0.95", lambda o: S.ExponentialLR(o), lambda e: LR0 * 0.95 ** e),
    ("InverseSqrtDecay k=1", lambda o: S.InverseSqrtDecay(o), lambda e: LR0 / math.sqrt(e + 1)),
    ("InverseTimeDecay no stairs", lambda o: S.InverseTimeDecay(o, decay_rate=0.5), lambda e: LR0 / (1 + 0.5 * e)),
]


@pytest.mark.parametrize("name, make, formula", DEFAULTS, ids=[d[0] for d in DEFAULTS])
def test_defaults_give_the_documented_schedule(name, make, formula):
    opt = _opt()
    sched = make(opt)
    for e in range(8):
        assert sched.get_last_lr()[0] == pytest.approx(formula(e), rel=1e-12), f"{name}: epoch {e}"
        assert opt.param_groups[0]["lr"] == pytest.approx(formula(e), rel=1e-12)
        sched.step()


RESUMABLE = DEFAULTS + [
    ("LambdaLR", lambda o, **kw: S.LambdaLR(o, lambda e: 1 / (1 + e), **kw), None),
    ("SequentialLR", lambda o, **kw: S.SequentialLR(o, [S.LinearLR(o), S.ExponentialLR(o, gamma=0.5)],
                                                    milestones=[3], **kw), None),
]


@pytest.mark.parametrize("name, make", [(r[0], r[1]) for r in RESUMABLE], ids=[r[0] for r in RESUMABLE])
@pytest.mark.parametrize("k", [0, 3, 6])
def test_last_epoch_resumes_where_k_steps_stand(name, make, k):
    a_opt = _opt()
    a = make(a_opt)
    for _ in range(k + 1):
        a.step()
    b_opt = _opt()
    b_opt.param_groups[0]["initial_lr"] = LR0
    b_opt.param_groups[0]["lr"] = 123.0  # overwritten by the resumed schedule
    b = make(b_opt, last_epoch=k) if name not in {d[0] for d in DEFAULTS} else _with_last_epoch(name, b_opt, k)
    assert b.last_epoch == a.last_epoch == k + 1
    assert b.get_last_lr()[0] == pytest.approx(a.get_last_lr()[0], rel=1e-12)
    assert b_opt.param_groups[0]["lr"] == pytest.approx(a_opt.param_groups[0]["lr"], rel=1e-12)


def _with_last_epoch(name, opt, k):
    return {
        "StepLR gamma=0.1": lambda: S.StepLR(opt, step_size=2, last_epoch=k),
        "MultiStepLR gamma=0.1": lambda: S.MultiStepLR(opt, milestones=[2, 5], last_epoch=k),
        "LinearLR 1/3 -> 1 over 5": lambda: S.LinearLR(opt, last_epoch=k),
        "CosineAnnealingLR eta_min=0": lambda: S.CosineAnnealingLR(opt, T_max=4, last_epoch=k),
        "ExponentialLR course's 0.95": lambda: S.ExponentialLR(opt, last_epoch=k),
        "InverseSqrtDecay k=1": lambda: S.InverseSqrtDecay(opt, last_epoch=k),
        "InverseTimeDecay no stairs": lambda: S.InverseTimeDecay(opt, decay_rate=0.5, last_epoch=k),
    }[name]()


BAD = [
    ("StepLR", lambda o: S.StepLR(o, step_size=0), "StepLR: step_size"),
    ("StepLR", lambda o: S.StepLR(o, step_size=2.0), "StepLR: step_size"),
    ("StepLR", lambda o: S.StepLR(o, step_size=2, gamma=0.0), "StepLR: gamma"),
    ("MultiStepLR", lambda o: S.MultiStepLR(o, milestones=[2], gamma=-1.0), "MultiStepLR: gamma"),
    ("InverseSqrtDecay", lambda o: S.InverseSqrtDecay(o, k=0.0), "InverseSqrtDecay: k"),
    ("CosineAnnealingLR", lambda o: S.CosineAnnealingLR(o, T_max=0), "CosineAnnealingLR: T_max"),
    ("LinearLR", lambda o: S.LinearLR(o, start_factor=1.5), "LinearLR: start_factor"),
    ("LinearLR", lambda o: S.LinearLR(o, start_factor=0.0), "LinearLR: start_factor"),
    ("LinearLR", lambda o: S.LinearLR(o, end_factor=1.5), "LinearLR: end_factor"),
    ("LinearLR", lambda o: S.LinearLR(o, end_factor="1"), "LinearLR: end_factor"),
    ("LinearLR", lambda o: S.LinearLR(o, total_iters=0), "LinearLR: total_iters"),
    ("SequentialLR", lambda o: S.SequentialLR(o, [S.LinearLR(o), S.LinearLR(o), S.LinearLR(o)], milestones=[2]),
     "SequentialLR: need 2 increasing milestones"),
    ("SequentialLR", lambda o: S.SequentialLR(o, [S.LinearLR(o), S.LinearLR(_opt())], milestones=[2]),
     "SequentialLR: every scheduler must wrap the optimizer given to SequentialLR"),
]


@pytest.mark.parametrize("name, make, message", BAD, ids=[f"{b[0]}: {b[2]}" for b in BAD])
def test_bad_arguments_are_refused_with_the_schedulers_name(name, make, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        make(_opt())


def test_linear_lr_accepts_its_documented_boundaries():
    for start, end in ((1.0, 0.0), (1.0, 1.0), (0.25, 0.0)):
        opt = _opt()
        sched = S.LinearLR(opt, start_factor=start, end_factor=end, total_iters=2)
        assert sched.get_last_lr()[0] == pytest.approx(LR0 * start)


def test_sequential_lr_runs_three_schedules_from_their_own_epoch_zero():
    opt = _opt()
    sched = S.SequentialLR(opt, [S.ExponentialLR(opt, gamma=0.5), S.StepLR(opt, step_size=1, gamma=0.1),
                                 S.ExponentialLR(opt, gamma=0.9)], milestones=[2, 5])
    expected = [LR0 * 0.5 ** e if e < 2 else LR0 * 0.1 ** (e - 2) if e < 5 else LR0 * 0.9 ** (e - 5) for e in range(9)]
    got = []
    for _ in range(9):
        got.append(sched.get_last_lr()[0])
        sched.step()
    assert got == pytest.approx(expected, rel=1e-12)


def test_sequential_lr_state_holds_the_inner_states_and_no_scheduler_objects():
    def make(opt):
        return S.SequentialLR(opt, [S.LinearLR(opt), S.StepLR(opt, step_size=2)], milestones=[3])

    a_opt, b_opt = _opt(), _opt()
    a, b = make(a_opt), make(b_opt)
    for _ in range(4):
        a.step()
    state = a.state_dict()
    assert not any(isinstance(v, S.LRScheduler) for v in state.values())
    assert [s["last_epoch"] for s in state["_schedulers"]] == [s.last_epoch for s in a._schedulers]
    b.load_state_dict(state)
    assert [s.last_epoch for s in b._schedulers] == [s.last_epoch for s in a._schedulers]
    assert all(s.optimizer is b_opt for s in b._schedulers)
    for _ in range(3):
        a.step()
        b.step()
        assert b_opt.param_groups[0]["lr"] == pytest.approx(a_opt.param_groups[0]["lr"], rel=1e-12)


class _NoMomentum:
    """An optimizer-like object with neither ``momentum`` nor ``betas`` (for cycle_momentum)."""

    def __init__(self):
        self.param_groups = [{"lr": LR0, "params": []}]
        self.defaults = {"lr": LR0}


def _sgd_m():
    return optim.SGD([mg.zeros(1, requires_grad=True)], lr=LR0, momentum=0.9)


CYCLIC_BAD = [
    (lambda: S.OneCycleLR(_sgd_m(), max_lr=1.0, total_steps=10, pct_start=1.5), "OneCycleLR: pct_start"),
    (lambda: S.OneCycleLR(_sgd_m(), max_lr=1.0, total_steps=10, pct_start=-0.1), "OneCycleLR: pct_start"),
    (lambda: S.OneCycleLR(_sgd_m(), max_lr=1.0, total_steps=10, anneal_strategy="cosine"),
     "OneCycleLR: anneal_strategy"),
    (lambda: S.OneCycleLR(_sgd_m(), max_lr=1.0, total_steps=10, div_factor=0.0), "OneCycleLR: div_factor"),
    (lambda: S.OneCycleLR(_sgd_m(), max_lr=1.0, total_steps=10, final_div_factor=-1.0),
     "OneCycleLR: final_div_factor"),
    (lambda: S.OneCycleLR(_sgd_m(), max_lr=[1.0, 2.0], total_steps=10),
     "OneCycleLR: max_lr: expected one value or 1"),
    (lambda: S.OneCycleLR(_sgd_m(), max_lr=float("nan"), total_steps=10), "OneCycleLR: max_lr: expected finite"),
    (lambda: S.OneCycleLR(_sgd_m(), max_lr=1.0, total_steps=10, max_momentum="0.9"),
     "OneCycleLR: max_momentum: expected finite"),
    (lambda: S.OneCycleLR(_sgd_m(), max_lr=1.0, total_steps=10, base_momentum=[0.8, 0.9]),
     "OneCycleLR: base_momentum: expected one value or 1"),
    (lambda: S.OneCycleLR(_sgd_m(), max_lr=1.0, total_steps=0), "OneCycleLR: total_steps must be an int > 0"),
    (lambda: S.OneCycleLR(_sgd_m(), max_lr=1.0, epochs=2), "OneCycleLR: give total_steps, or both epochs"),
    (lambda: S.OneCycleLR(_sgd_m(), max_lr=1.0, epochs=2, steps_per_epoch=0),
     "OneCycleLR: steps_per_epoch must be an int > 0"),
    (lambda: S.OneCycleLR(_sgd_m(), max_lr=1.0, epochs=0, steps_per_epoch=3),
     "OneCycleLR: epochs must be an int > 0"),
    (lambda: S.OneCycleLR(_sgd_m(), max_lr=1.0, total_steps=2, pct_start=0.5),
     "OneCycleLR: pct_start=0.5 with total_steps=2 gives a phase of length 0"),
    (lambda: S.OneCycleLR(_NoMomentum(), max_lr=1.0, total_steps=10),
     "OneCycleLR: cycle_momentum needs an optimizer with a 'momentum' or 'betas' setting; _NoMomentum has neither"),
    (lambda: S.CosineAnnealingWarmRestarts(_opt(), T_0=0), "CosineAnnealingWarmRestarts: T_0 must be an int >= 1"),
    (lambda: S.CosineAnnealingWarmRestarts(_opt(), T_0=2, T_mult=0), "CosineAnnealingWarmRestarts: T_mult"),
    (lambda: S.CosineAnnealingWarmRestarts(_opt(), T_0=2, eta_min="0"), "CosineAnnealingWarmRestarts: eta_min"),
]


@pytest.mark.parametrize("make, message", CYCLIC_BAD, ids=[m for _, m in CYCLIC_BAD])
def test_cyclic_schedulers_refuse_bad_arguments_by_name(make, message):
    import re

    with pytest.raises(ValueError, match=re.escape(message)):
        make()


def test_one_cycle_accepts_pct_start_0_and_refuses_1_by_its_empty_phase():
    S.OneCycleLR(_sgd_m(), max_lr=1.0, total_steps=10, pct_start=0.0)  # the range is [0, 1], closed at 0
    with pytest.raises(ValueError, match="gives a phase of length 0"):  # PyTorch would divide by zero later
        S.OneCycleLR(_sgd_m(), max_lr=1.0, total_steps=10, pct_start=1.0)


def test_one_cycle_three_phase_goes_back_down_before_annealing():
    opt = _sgd_m()
    sched = S.OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=0.3, anneal_strategy="linear", three_phase=True)
    lrs = [sched.get_last_lr()[0]]
    for _ in range(9):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    initial, top = 1.0 / 25, 1.0
    # phases end at steps 0.3 * 10 - 1 = 2 (top), 2 * 3 - 2 = 4 (back to initial), 9 (initial / 1e4)
    expected = [initial + (top - initial) * e / 2 for e in range(3)] + [top + (initial - top) * (e - 2) / 2
                                                                         for e in (3, 4)]
    expected += [initial + (initial / 1e4 - initial) * (e - 4) / 5 for e in range(5, 10)]
    assert lrs == pytest.approx(expected, rel=1e-12)
    assert sched.three_phase is True


def test_one_cycle_resumes_from_last_epoch_like_the_others():
    def make(opt, **kw):
        return S.OneCycleLR(opt, max_lr=1.0, total_steps=20, **kw)

    a_opt = _sgd_m()
    a = make(a_opt)
    for _ in range(6):
        a_opt.step()
        a.step()
    b_opt = _sgd_m()
    b_opt.param_groups[0].update({k: a_opt.param_groups[0][k] for k in ("initial_lr", "max_lr", "min_lr",
                                                                        "max_momentum", "base_momentum")})
    b = make(b_opt, last_epoch=5)
    assert b.last_epoch == 6
    assert b_opt.param_groups[0]["lr"] == pytest.approx(a_opt.param_groups[0]["lr"], rel=1e-12)
    assert b_opt.param_groups[0]["momentum"] == pytest.approx(a_opt.param_groups[0]["momentum"], rel=1e-12)
