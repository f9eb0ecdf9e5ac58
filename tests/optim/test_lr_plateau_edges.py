"""ReduceLROnPlateau at its boundaries: each row of the "better" table at its exact edge, the
first epochs (nothing counted yet), the eps rule, groups added later, warnings and messages."""
from __future__ import annotations

import math
import warnings

import pytest

import minigrad as mg
import optim
from optim import lr_plateau
from optim.lr_scheduler import ReduceLROnPlateau


def _opt(*lrs):
    return optim.SGD([{"params": [mg.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs], lr=lrs[0])


# (mode, threshold_mode, best, threshold, the metric on the edge: not better, just past it: better)
EDGES = [("min", "rel", 2.0, 0.25, 1.5, 1.49), ("min", "abs", 2.0, 0.25, 1.75, 1.74),
         ("max", "rel", 2.0, 0.25, 2.5, 2.51), ("max", "abs", 2.0, 0.25, 2.25, 2.26)]


@pytest.mark.parametrize("mode, threshold_mode, best, threshold, edge, past", EDGES)
def test_is_better_is_strict_at_each_rows_edge(mode, threshold_mode, best, threshold, edge, past):
    # min rel: a < b (1 - t) = 1.5; min abs: a < b - t = 1.75; max rel: a > b (1 + t) = 2.5; max abs: 2.25
    sched = ReduceLROnPlateau(_opt(1.0), mode=mode, threshold=threshold, threshold_mode=threshold_mode)
    assert not sched.is_better(edge, best)
    assert sched.is_better(past, best)


@pytest.mark.parametrize("mode, threshold_mode, best, threshold, edge, past", EDGES)
def test_a_metric_on_the_edge_counts_as_a_bad_epoch(mode, threshold_mode, best, threshold, edge, past):
    opt = _opt(1.0)
    sched = ReduceLROnPlateau(opt, mode=mode, threshold=threshold, threshold_mode=threshold_mode, patience=0,
                              factor=0.5)
    sched.step(best)
    sched.step(past)  # better: no cut
    assert opt.param_groups[0]["lr"] == 1.0
    sched.step(past)  # equal to the new best: a bad epoch, more than patience=0 of them: cut
    assert opt.param_groups[0]["lr"] == 0.5


def test_nothing_is_counted_before_the_first_step():
    opt = _opt(1.0)
    sched = ReduceLROnPlateau(opt, patience=0, factor=0.5)
    assert sched.get_last_lr() == [1.0] and not sched.in_cooldown and sched.num_bad_epochs == 0
    sched.step(math.nan)  # NaN is never better, even than +inf: one bad epoch > patience 0
    assert sched.get_last_lr() == [0.5]
    opt = _opt(1.0)
    sched = ReduceLROnPlateau(opt, patience=1, factor=0.5)
    sched.step(math.nan)
    assert sched.get_last_lr() == [1.0]  # one bad epoch is not more than patience=1
    sched.step(math.nan)
    assert sched.get_last_lr() == [0.5]


def test_a_change_of_exactly_eps_is_not_made():
    opt = _opt(1.0)
    sched = ReduceLROnPlateau(opt, patience=0, factor=0.5, eps=0.5)  # 1.0 -> 0.5 changes it by exactly eps
    sched.step(1.0)
    sched.step(1.0)
    assert opt.param_groups[0]["lr"] == 1.0
    sched = ReduceLROnPlateau(opt, patience=0, factor=0.5, eps=0.4999)
    sched.step(1.0)
    sched.step(1.0)
    assert opt.param_groups[0]["lr"] == 0.5


def test_a_group_added_later_gets_the_scalar_min_lr_and_a_list_min_lr_refuses_it():
    opt = _opt(1.0)
    sched = ReduceLROnPlateau(opt, patience=0, factor=0.5, min_lr=0.3)
    opt.add_param_group({"params": [mg.zeros(1, requires_grad=True)], "lr": 0.4})
    sched.step(1.0)
    sched.step(1.0)
    assert [g["lr"] for g in opt.param_groups] == [0.5, 0.3]  # max(1.0 * 0.5, 0.3), max(0.4 * 0.5, 0.3)
    opt = _opt(1.0)
    sched = ReduceLROnPlateau(opt, patience=0, min_lr=[0.3])
    opt.add_param_group({"params": [mg.zeros(1, requires_grad=True)], "lr": 0.4})
    sched.step(1.0)
    with pytest.raises(RuntimeError) as info:
        sched.step(1.0)
    assert str(info.value) == ("ReduceLROnPlateau: the optimizer now has 2 parameter groups, min_lr was given "
                               "for 1; set .min_lrs to one per group")


def test_state_dicts_copy_their_lists_both_ways():
    opt = _opt(1.0, 0.5)
    sched = ReduceLROnPlateau(opt, min_lr=[0.1, 0.2])
    sd = sched.state_dict()
    sd["min_lrs"][0] = 9.0
    sd["_last_lr"][0] = 9.0
    assert sched.min_lrs == [0.1, 0.2] and sched.get_last_lr() == [1.0, 0.5]
    fresh = ReduceLROnPlateau(_opt(1.0, 0.5), min_lr=[0.0, 0.0])
    source = sched.state_dict()
    fresh.load_state_dict(source)
    source["min_lrs"][0] = 7.0
    assert fresh.min_lrs == [0.1, 0.2]


def test_the_epoch_argument_warns_at_the_callers_line():
    sched = ReduceLROnPlateau(_opt(1.0))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sched.step(1.0, epoch=5)
    assert len(caught) == 1 and caught[0].category is UserWarning
    assert str(caught[0].message) == "ReduceLROnPlateau.step: the epoch argument is deprecated (as in PyTorch)"
    # stacklevel=2: the warning names the caller of step(), not the scheduler's module nor pytest's
    # (under mutmut a trampoline frame sits between the two, so there it names the trampoline)
    where = caught[0].filename
    assert where != lr_plateau.__file__ and "_pytest" not in where and "pluggy" not in where
    assert sched.last_epoch == 5


@pytest.mark.parametrize("kw, message", [
    (dict(mode="low"), "mode must be 'min' or 'max', got 'low'"),
    (dict(threshold_mode="relative"), "threshold_mode must be 'rel' or 'abs', got 'relative'"),
    (dict(factor="0.5"), "factor must be a number in (0, 1), got '0.5'"),
    (dict(patience=-1), "patience must be an int >= 0, got -1"),
    (dict(cooldown=True), "cooldown must be an int >= 0, got True"),
    (dict(threshold=math.inf), "threshold must be a finite number >= 0, got inf"),
    (dict(threshold=-0.1), "threshold must be a finite number >= 0, got -0.1"),
    (dict(threshold=True), "threshold must be a finite number >= 0, got True"),
    (dict(eps="1e-8"), "eps must be a finite number >= 0, got '1e-8'"),
    (dict(min_lr=-1.0), "min_lr must be a finite number >= 0, got -1.0"),
    (dict(min_lr=[0.1, 0.2]), "expected 1 min_lr values (one per group), got 2"),
])
def test_each_bad_argument_has_its_message(kw, message):
    with pytest.raises(ValueError) as info:
        ReduceLROnPlateau(_opt(0.1), **kw)
    assert str(info.value) == "ReduceLROnPlateau: " + message


def test_bad_optimizer_metric_and_state_dict_messages():
    with pytest.raises(TypeError) as info:
        ReduceLROnPlateau(3)
    assert str(info.value) == "ReduceLROnPlateau: expected an optimizer (with param_groups), got int"
    sched = ReduceLROnPlateau(_opt(0.1))
    with pytest.raises(TypeError) as info:
        sched.step("loss")
    assert str(info.value) == "ReduceLROnPlateau.step: expected the metric as a number, got str"
    keys = ["mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lrs", "default_min_lr",
            "eps", "last_epoch", "best", "num_bad_epochs", "cooldown_counter", "_last_lr"]
    prefix = "ReduceLROnPlateau.load_state_dict: expected the dict of state_dict(), missing "
    with pytest.raises(ValueError) as info:
        sched.load_state_dict({"best": 0.0, "mode": "min"})
    assert str(info.value) == prefix + str(sorted(set(keys) - {"best", "mode"}))
    for not_a_dict in (None, [("best", 0.0)]):
        with pytest.raises(ValueError) as info:
            sched.load_state_dict(not_a_dict)
        assert str(info.value) == prefix + str(keys)
