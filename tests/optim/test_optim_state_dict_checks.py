"""Optimizer.load_state_dict refuses each malformed state with a message naming the entry, and
changes nothing; the edges of what is accepted (step 0, a NumPy step, a zero second moment) load."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import minigrad as mg
import optim

P = "Adam.load_state_dict: "


def _adam():
    p = mg.zeros(2, requires_grad=True)
    opt = optim.Adam([p])
    p.grad = mg.ones(2)
    opt.step()
    return opt, p


def _group(**kw):
    return lambda sd: (sd["param_groups"][0].update(kw), sd)[1]


def _entry(**kw):
    return lambda sd: (sd["state"][0].update(kw), sd)[1]


def _state(state):
    return lambda sd: dict(sd, state=state)


BAD = [
    (lambda sd: [1], "expected a dict with 'state' (a dict) and 'param_groups' (a list), as state_dict() gives, "
                     "got list"),
    (lambda sd: dict(sd, param_groups=[[1]]), "param_groups[0] must be a dict with a 'params' list, got list"),
    (_group(params=[True]), "param_groups[0]['params'] must list parameter indices (ints >= 0), got [True]"),
    (_group(params=[-1]), "param_groups[0]['params'] must list parameter indices (ints >= 0), got [-1]"),
    (lambda sd: (sd["param_groups"][0].pop("eps"), sd)[1],
     "param_groups[0] was not written by Adam: it lacks ['eps'] and has [] (a state_dict of another optimizer class?)"),
    (_group(momentum=0.9),
     "param_groups[0] was not written by Adam: it lacks [] and has ['momentum'] (a state_dict of another optimizer "
     "class?)"),
    (_state({"x": {}}), "state keys are parameter indices (ints >= 0), got 'x'"),
    (_state({True: {}}), "state keys are parameter indices (ints >= 0), got True"),
    (_state({5: {}}), "the state_dict has state for parameter 5, but its groups hold parameters [0] only"),
    (_state({0: [1]}), "the state of parameter 0 must be a dict, got list"),
    (_state({0: {"step": 1}}), "the state of parameter 0 has entries ['step'], but Adam with these hyperparameters "
                               "keeps ['exp_avg', 'exp_avg_sq', 'step'] (a state_dict of another optimizer?)"),
    (_entry(step=-1), "'step' of parameter 0 must be a non-negative integer (the number of steps taken), got -1"),
    (_entry(step=True), "'step' of parameter 0 must be a non-negative integer (the number of steps taken), got True"),
    (_entry(step=1.5), "'step' of parameter 0 must be a non-negative integer (the number of steps taken), got 1.5"),
    (_entry(step=np.array([1])), "'step' of parameter 0 must be a non-negative integer, got an array of shape (1,), "
                                 "int64"),
    (_entry(step=np.array(1.0)), "'step' of parameter 0 must be a non-negative integer, got an array of shape (), "
                                 "float64"),
    (_entry(exp_avg=[0.0, 0.0]), "'exp_avg' of parameter 0 must be a Tensor of shape (2,), got list [0.0, 0.0]"),
    (_entry(exp_avg=0.5), "'exp_avg' of parameter 0 must be a Tensor of shape (2,), got float 0.5"),
    (_entry(exp_avg=np.zeros(3, dtype=np.float32)), "'exp_avg' of parameter 0 is (3,), float32, but the parameter "
                                                    "is (2,), float32; expected the same shape and dtype"),
    (_entry(exp_avg=np.zeros(2)), "'exp_avg' of parameter 0 is (2,), float64, but the parameter is (2,), float32; "
                                  "expected the same shape and dtype"),
    (_entry(exp_avg=mg.tensor([np.nan, 0.0])), "'exp_avg' of parameter 0 holds NaN or Inf"),
    (_entry(exp_avg_sq=mg.tensor([-1.0, 0.0])), "'exp_avg_sq' of parameter 0 is a second moment (a running mean of "
                                                "squares) but holds negative entries"),
]


@pytest.mark.parametrize("mutate, message", BAD, ids=[m[:50] for _, m in BAD])
def test_each_malformed_state_is_named_and_changes_nothing(mutate, message):
    opt, p = _adam()
    before = opt.state_dict()
    with pytest.raises(ValueError) as info:
        opt.load_state_dict(mutate(copy.deepcopy(before)))
    assert str(info.value) == P + message
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"] and after["state"][0]["step"] == 1


@pytest.mark.parametrize("change", [dict(step=0), dict(step=np.int64(2)),
                                    dict(exp_avg_sq=mg.tensor([0.0, 0.0]))], ids=["step0", "numpy-step", "zero-moment"])
def test_the_edges_of_what_is_accepted_load(change):
    opt, p = _adam()
    sd = opt.state_dict()
    sd["state"][0].update(change)
    opt.load_state_dict(sd)
    assert opt.state[p]["step"] == int(sd["state"][0]["step"])
