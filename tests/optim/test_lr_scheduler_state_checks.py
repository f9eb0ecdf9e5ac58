"""A scheduler's load_state_dict refuses every malformed state with a message naming the field,
and accepts every well-formed one (None fields, last_epoch -1, a learning rate of 0)."""
from __future__ import annotations

import math

import pytest

import minigrad as mg
import optim
from optim import lr_scheduler as S


def _opt():
    return optim.SGD([mg.zeros(1, requires_grad=True)], lr=0.1)


def _step_state(**changes):
    sd = S.StepLR(_opt(), step_size=2).state_dict()
    sd.update(changes)
    return sd


LACKS = "; it was not written by a scheduler of this class with these settings"
BAD = [
    ([1], "state_dict must be a dict, got list"),
    ({k: v for k, v in _step_state().items() if k != "gamma"}, "state_dict lacks ['gamma'] and has unknown []" + LACKS),
    (_step_state(extra=1), "state_dict lacks [] and has unknown ['extra']" + LACKS),
    ({**_step_state(), 7: 1}, "state_dict lacks [] and has unknown ['7']" + LACKS),
    (_step_state(base_lrs=[0.1, 0.2]), "state_dict['base_lrs'] must be a list of 1, got [0.1, 0.2]"),
    (_step_state(base_lrs=0.1), "state_dict['base_lrs'] must be a list of 1, got 0.1"),
    (_step_state(step_size=2.5), "state_dict['step_size'] must be an integer, got 2.5"),
    (_step_state(gamma="x"), "state_dict['gamma'] must be a number, got 'x'"),
    (_step_state(gamma=True), "state_dict['gamma'] must be a number, got True"),
    (_step_state(gamma=math.nan), "state_dict['gamma'] must be a number, got nan"),
    (_step_state(last_epoch=-2), "last_epoch must be an integer >= -1, got -2"),
    (_step_state(base_lrs=[-0.1]), "base_lrs must hold finite learning rates >= 0, got [-0.1]"),
    (_step_state(_last_lr=[math.inf]), "_last_lr must hold finite learning rates >= 0, got [inf]"),
]


@pytest.mark.parametrize("state, message", BAD, ids=[m[:40] for _, m in BAD])
def test_each_malformed_state_has_its_message_and_changes_nothing(state, message):
    sched = S.StepLR(_opt(), step_size=2)
    before = sched.state_dict()
    with pytest.raises(ValueError) as info:
        sched.load_state_dict(state)
    assert str(info.value) == "StepLR.load_state_dict: " + message
    assert sched.state_dict() == before


def test_nested_states_name_their_path():
    opt = _opt()
    sched = S.SequentialLR(opt, [S.StepLR(opt, 2), S.ExponentialLR(opt, 0.9)], milestones=[2])
    sd = sched.state_dict()
    sd["_schedulers"][1]["gamma"] = "x"
    with pytest.raises(ValueError) as info:
        sched.load_state_dict(sd)
    assert str(info.value) == ("SequentialLR.load_state_dict: state_dict['_schedulers'][1]['gamma'] must be a number, "
                               "got 'x'")
    sd["_schedulers"][1] = [0.9]
    with pytest.raises(ValueError) as info:
        sched.load_state_dict(sd)
    assert str(info.value) == "SequentialLR.load_state_dict: state_dict['_schedulers'][1] must be a dict, got list"


def test_a_string_field_must_stay_a_string():
    opt = optim.SGD([mg.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    sd = dict(sched.state_dict(), anneal_strategy=1)
    with pytest.raises(ValueError) as info:
        sched.load_state_dict(sd)
    assert str(info.value) == "OneCycleLR.load_state_dict: state_dict['anneal_strategy'] must be a str, got int"


def test_well_formed_states_load():
    sched = S.InverseTimeDecay(_opt(), decay_rate=1.0)  # time_interval is None
    sched.load_state_dict(sched.state_dict())
    with pytest.raises(ValueError, match=r"state_dict\['time_interval'\] must be a number, got 'x'"):
        sched.load_state_dict(dict(sched.state_dict(), time_interval="x"))
    sched.load_state_dict(dict(sched.state_dict(), time_interval=3))  # a None field takes a number too
    assert sched.time_interval == 3
    step = S.StepLR(_opt(), step_size=2)
    step.load_state_dict(_step_state(last_epoch=-1, base_lrs=[0.0], _last_lr=[0.0]))
    assert step.last_epoch == -1 and step.base_lrs == [0.0]
