"""Callbacks' saved states at their edges: an exact round trip of every field (none / -1 markers
included), and each malformed entry refused with a message naming the callback and the entry,
changing nothing."""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

import minigrad as mg
from minigrad.train import EarlyStopping, History, LearningRateScheduler, ModelCheckpoint


def _es_state(**over):
    state = {"best": {"value": np.asarray(0.5), "epoch": np.asarray(3)}, "wait": np.asarray(2),
             "stopped_epoch": np.asarray(-1)}
    state.update(over)
    return state


def test_early_stopping_state_round_trip_without_best_parameters():
    es = EarlyStopping(restore_best=False)
    es.load_state_dict(_es_state())  # exactly the three entries: no best_state
    assert (es.best.value, es.best.epoch, es.wait, es.stopped_epoch, es.best_state) == (0.5, 3, 2, None, None)
    state = es.state_dict()
    assert sorted(state) == ["best", "stopped_epoch", "wait"]
    assert float(state["best"]["value"]) == 0.5 and int(state["best"]["epoch"]) == 3
    assert int(state["wait"]) == 2 and int(state["stopped_epoch"]) == -1


def test_early_stopping_state_round_trip_with_every_field_set():
    es = EarlyStopping()
    es.load_state_dict(_es_state(stopped_epoch=mg.tensor(7), wait=0, best={"value": -1.25, "epoch": 4},
                                 best_state={"w": np.array([1.0, 2.0])}))
    assert (es.best.value, es.best.epoch, es.wait, es.stopped_epoch) == (-1.25, 4, 0, 7)
    np.testing.assert_array_equal(es.best_state["w"], [1.0, 2.0])
    again = EarlyStopping()
    again.load_state_dict(es.state_dict())
    assert (again.best.value, again.best.epoch, again.wait, again.stopped_epoch) == (-1.25, 4, 0, 7)
    np.testing.assert_array_equal(again.best_state["w"], [1.0, 2.0])
    # no best epoch yet: -1 in the file, None when loaded
    es.load_state_dict(_es_state(best={"value": math.inf, "epoch": -1}))
    assert es.best.epoch is None and es.best.value == math.inf and es.best_state is None
    assert int(es.state_dict()["best"]["epoch"]) == -1


@pytest.mark.parametrize("state, message", [
    ([1, 2], "^EarlyStopping.load_state_dict: expected a dict with 'best', 'wait' and 'stopped_epoch', got list$"),
    ({"best": {}, "wait": 0}, r"^EarlyStopping.load_state_dict: expected a dict with 'best', 'wait' and "
                              r"'stopped_epoch', got \['best', 'wait'\]$"),
    (_es_state(best=[0.5, 3]), "^EarlyStopping.load_state_dict: the best-so-far record must be a dict with 'value' "
                               r"and 'epoch', got \[0.5, 3\]$"),
    (_es_state(best={"value": 0.5}), "^EarlyStopping.load_state_dict: the best-so-far record must be a dict"),
    (_es_state(best={"value": float("nan"), "epoch": 1}), "^EarlyStopping.load_state_dict: the best value is NaN$"),
    (_es_state(best={"value": np.array([1.0, 2.0]), "epoch": 1}),
     r"^EarlyStopping.load_state_dict: best value must be a single number, got an array of shape \(2,\)$"),
    (_es_state(best={"value": True, "epoch": 1}), "^EarlyStopping.load_state_dict: best value must be a number, "
                                                  "got True$"),
    (_es_state(best={"value": "x", "epoch": 1}), "^EarlyStopping.load_state_dict: best value must be a number, "
                                                 "got 'x'$"),
    (_es_state(best={"value": 1.0, "epoch": -2}), "^EarlyStopping.load_state_dict: best epoch must be an integer "
                                                  ">= -1, got -2$"),
    (_es_state(best={"value": 1.0, "epoch": 1.5}), "^EarlyStopping.load_state_dict: best epoch must be an integer"),
    (_es_state(wait=-1), "^EarlyStopping.load_state_dict: wait must be an integer >= 0, got -1$"),
    (_es_state(wait=mg.tensor([1, 2])), r"^EarlyStopping.load_state_dict: wait must be a single number, got an "
                                        r"array of shape \(2,\)$"),
    (_es_state(stopped_epoch=-2), "^EarlyStopping.load_state_dict: stopped_epoch must be an integer >= -1, got -2$"),
    (_es_state(best_state=[1.0]), r"^EarlyStopping.load_state_dict: best_state must be a model state_dict \(a "
                                  r"dict\), got list$"),
])
def test_early_stopping_refuses_each_bad_entry_and_changes_nothing(state, message):
    es = EarlyStopping()
    es.load_state_dict(_es_state(best={"value": 9.0, "epoch": 5}, wait=1, stopped_epoch=6))
    with pytest.raises(ValueError, match=message):
        es.load_state_dict(state)
    assert (es.best.value, es.best.epoch, es.wait, es.stopped_epoch, es.best_state) == (9.0, 5, 1, 6, None)


def test_model_checkpoint_state_round_trip_and_errors(tmp_path):
    cb = ModelCheckpoint(best=str(tmp_path / "b.mg"))
    cb.load_state_dict({"best": {"value": np.asarray(0.25), "epoch": np.asarray(2)}})
    assert (cb.best.value, cb.best.epoch) == (0.25, 2)
    other = ModelCheckpoint(best=str(tmp_path / "b.mg"))
    other.load_state_dict(cb.state_dict())
    assert (other.best.value, other.best.epoch) == (0.25, 2)
    for bad in ([1], {"value": 1.0}):
        with pytest.raises(ValueError, match=r"^ModelCheckpoint.load_state_dict: expected a dict with 'best', got "):
            cb.load_state_dict(bad)
    with pytest.raises(ValueError, match="^ModelCheckpoint.load_state_dict: the best value is NaN$"):
        cb.load_state_dict({"best": {"value": float("nan"), "epoch": 1}})
    assert (cb.best.value, cb.best.epoch) == (0.25, 2)


def test_early_stopping_on_train_error_note_and_restore():
    class Model:
        def __init__(self):
            self.loaded = []

        def load_state_dict(self, state):
            self.loaded.append(state)

    tr = SimpleNamespace(model=Model(), history=History(), epoch=3)
    es = EarlyStopping()
    assert es.on_train_error(tr, RuntimeError()) is None and tr.model.loaded == []  # nothing saved yet
    es.load_state_dict(_es_state(best={"value": 0.123456789, "epoch": 2}, best_state={"w": np.ones(1)}))
    note = es.on_train_error(tr, RuntimeError())
    assert note == ("EarlyStopping(restore_best=True) then restored the parameters of the best epoch, 2 "
                    "(dev_cost=0.123457).")
    assert len(tr.model.loaded) == 1
    es.restore_best = False
    assert es.on_train_error(tr, RuntimeError()) is None and len(tr.model.loaded) == 1


def test_early_stopping_restores_at_the_end_only_when_the_best_epoch_is_not_the_last():
    class Model:
        def __init__(self):
            self.loaded = 0

        def load_state_dict(self, state):
            self.loaded += 1

    es = EarlyStopping()
    es.load_state_dict(_es_state(best={"value": 0.1, "epoch": 4}, best_state={"w": np.ones(1)}))
    tr = SimpleNamespace(model=Model(), epoch=4)
    es.on_train_end(tr)
    assert tr.model.loaded == 0  # the model already holds the best epoch's parameters
    tr.epoch = 6
    es.on_train_end(tr)
    assert tr.model.loaded == 1


def test_reprs_and_the_scheduler_callback_state():
    es = EarlyStopping(monitor="dev_accuracy", patience=3, min_delta=0.5, restore_best=False)
    assert repr(es) == "EarlyStopping(monitor='dev_accuracy', patience=3, min_delta=0.5, restore_best=False)"
    cb = ModelCheckpoint(last="a.mg", monitor="dev_cost")
    assert repr(cb) == "ModelCheckpoint(last='a.mg', best=None, monitor='dev_cost')"

    class Sched:
        def __init__(self):
            self.n = 0

        def step(self, *args):
            self.n += 1

        def state_dict(self):
            return {"n": self.n}

        def load_state_dict(self, state):
            self.n = state["n"]

    s = Sched()
    lrs = LearningRateScheduler(s)
    s.n = 4
    assert lrs.state_dict() == {"scheduler": {"n": 4}}
    lrs.load_state_dict({"scheduler": {"n": 9}})
    assert s.n == 9
    lrs.load_state_dict({})
    assert s.n == 9
    plain = LearningRateScheduler(SimpleNamespace(step=lambda: None))
    assert plain.state_dict() == {}


def test_model_checkpoint_best_epoch_markers(tmp_path):
    cb = ModelCheckpoint(best=str(tmp_path / "b.mg"))
    for saved, loaded in ((-1, None), (0, 0), (5, 5)):
        cb.load_state_dict({"best": {"value": 1.5, "epoch": saved}})
        assert (cb.best.value, cb.best.epoch) == (1.5, loaded)
