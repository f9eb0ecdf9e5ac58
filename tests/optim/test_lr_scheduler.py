"""Each learning-rate schedule against its closed form, and the scheduler protocol."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, strategies as st

import minigrad as mg
import optim
from optim import lr_scheduler as S


def _opt(*lrs):
    return optim.SGD([{"params": [mg.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs], lr=lrs[0])


def _sequence(sched, n):
    """The lr of every group for epochs 0..n-1 (epoch 0 = right after construction)."""
    seq = [sched.get_last_lr()]
    for _ in range(n - 1):
        sched.optimizer.step()
        sched.step()
        seq.append(sched.get_last_lr())
    return seq


base_lrs = st.lists(st.floats(1e-4, 1.0), min_size=1, max_size=3)
N = 30

# name: (strategy of constructor kwargs, closed form (epoch, alpha0, **kw) -> lr)
CLOSED_FORMS = {
    S.InverseTimeDecay: (
        st.fixed_dictionaries(dict(decay_rate=st.floats(0.0, 5.0)), optional=dict(time_interval=st.integers(1, 7))),
        lambda e, a0, decay_rate, time_interval=1: a0 / (1 + decay_rate * math.floor(e / time_interval))),
    S.ExponentialLR: (
        st.fixed_dictionaries(dict(gamma=st.floats(0.5, 1.0))),
        lambda e, a0, gamma: gamma ** e * a0),
    S.InverseSqrtDecay: (
        st.fixed_dictionaries(dict(k=st.floats(0.1, 2.0))),
        lambda e, a0, k: k / math.sqrt(e + 1) * a0),
    S.StepLR: (
        st.fixed_dictionaries(dict(step_size=st.integers(1, 10), gamma=st.floats(0.1, 0.9))),
        lambda e, a0, step_size, gamma: a0 * gamma ** (e // step_size)),
    S.MultiStepLR: (
        st.fixed_dictionaries(dict(milestones=st.lists(st.integers(1, N), max_size=4), gamma=st.floats(0.1, 0.9))),
        lambda e, a0, milestones, gamma: a0 * gamma ** sum(1 for m in milestones if m <= e)),
    S.CosineAnnealingLR: (
        st.fixed_dictionaries(dict(T_max=st.integers(1, 40), eta_min=st.floats(0.0, 1e-4))),
        lambda e, a0, T_max, eta_min: eta_min + (a0 - eta_min) * (1 + math.cos(math.pi * e / T_max)) / 2),
    S.LinearLR: (
        st.fixed_dictionaries(dict(start_factor=st.floats(0.01, 1.0), end_factor=st.floats(0.0, 1.0),
                                   total_iters=st.integers(1, 20))),
        lambda e, a0, start_factor, end_factor, total_iters:
            a0 * (start_factor + (end_factor - start_factor) * min(e, total_iters) / total_iters)),
}


@pytest.mark.parametrize("cls", list(CLOSED_FORMS), ids=lambda c: c.__name__)
@given(data=st.data())
def test_sequence_matches_the_closed_form(cls, data):
    kw_strategy, closed = CLOSED_FORMS[cls]
    kw = data.draw(kw_strategy)
    lrs = data.draw(base_lrs)
    opt = _opt(*lrs)
    seq = _sequence(cls(opt, **kw), N)
    for e, got in enumerate(seq):
        want = [closed(e, a0, **kw) for a0 in lrs]
        assert got == pytest.approx(want, rel=1e-12, abs=1e-15), f"epoch {e}"
    assert [g["lr"] for g in opt.param_groups] == seq[-1]


def test_course_example_values():
    """The lecture's table (alpha0 = 0.2, decay_rate = 1): epoch_num 1, 2, 3, 4 give 0.1, 0.067,
    0.05, 0.04; ``last_epoch`` is the course's epoch_num."""
    sched = S.InverseTimeDecay(_opt(0.2), decay_rate=1.0)
    assert [lr for (lr,) in _sequence(sched, 5)] == pytest.approx([0.2, 0.1, 0.2 / 3, 0.05, 0.04])


def test_lambda_lr_per_group():
    opt = _opt(0.1, 1.0)
    sched = S.LambdaLR(opt, [lambda e: 0.5 ** e, lambda e: 1.0 / (e + 1)])
    for e, lrs in enumerate(_sequence(sched, 6)):
        assert lrs == pytest.approx([0.1 * 0.5 ** e, 1.0 / (e + 1)])


def test_warmup_then_cosine():
    opt = _opt(1.0)
    warm = S.LinearLR(opt, start_factor=0.25, total_iters=4)
    cos = S.CosineAnnealingLR(opt, T_max=10)
    sched = S.SequentialLR(opt, [warm, cos], milestones=[4])
    seq = [lr for (lr,) in _sequence(sched, 15)]
    want = [0.25 + 0.75 * e / 4 for e in range(4)] + [(1 + math.cos(math.pi * e / 10)) / 2 for e in range(11)]
    assert seq == pytest.approx(want)


@pytest.mark.parametrize("make", [
    lambda o: S.StepLR(o, step_size=3, gamma=0.5),
    lambda o: S.InverseTimeDecay(o, decay_rate=0.3, time_interval=2),
    lambda o: S.CosineAnnealingLR(o, T_max=7),
    lambda o: S.SequentialLR(o, [S.LinearLR(o, total_iters=3), S.ExponentialLR(o, 0.9)], [3]),
])
def test_state_dict_resumes_the_schedule(make):
    opt = _opt(0.3)
    sched = make(opt)
    _sequence(sched, 5)
    sd, opt_sd = sched.state_dict(), opt.state_dict()
    rest = _sequence(sched, 6)[1:]

    opt2 = _opt(0.3)
    sched2 = make(opt2)
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sd)
    assert _sequence(sched2, 6)[1:] == rest


def test_lambda_lr_state_dict_leaves_out_the_functions():
    sched = S.LambdaLR(_opt(0.1), lambda e: 1.0)
    assert "lr_lambdas" not in sched.state_dict() and sched.state_dict()["last_epoch"] == 0


def test_step_with_an_epoch_jumps():
    sched = S.ExponentialLR(_opt(1.0), gamma=0.5)
    sched.step(4)
    assert sched.get_last_lr() == [0.0625] and sched.last_epoch == 4


def test_resuming_needs_initial_lr():
    with pytest.raises(KeyError, match="initial_lr"):
        S.StepLR(_opt(0.1), step_size=2, last_epoch=3)
    opt = _opt(0.1)
    S.StepLR(opt, step_size=2)
    assert S.StepLR(opt, step_size=2, gamma=0.5, last_epoch=3).get_last_lr() == [pytest.approx(0.025)]


@pytest.mark.parametrize("bad, match", [
    (lambda o: S.InverseTimeDecay(o, decay_rate=-1.0), "decay_rate"),
    (lambda o: S.InverseTimeDecay(o, decay_rate=1.0, time_interval=0), "time_interval"),
    (lambda o: S.ExponentialLR(o, gamma=math.nan), "gamma"),
    (lambda o: S.StepLR(o, step_size=0), "step_size"),
    (lambda o: S.LambdaLR(o, [lambda e: 1.0, lambda e: 1.0]), "one per group"),
    (lambda o: S.LinearLR(o, start_factor=0.0), "start_factor"),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 1)], milestones=[2]), "milestones"),
    (lambda o: S.StepLR(object(), 1), "optimizer"),
])
def test_bad_arguments_raise(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        bad(_opt(0.1))
