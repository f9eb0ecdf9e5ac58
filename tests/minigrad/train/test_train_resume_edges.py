"""A training checkpoint's structure checks, each named, and the sentence about the newest checkpoint
(read back: which file is newest by epoch, missing, non-finite, or intact)."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import minigrad as mg
from minigrad.train.resume import check_trainer_state, checkpoint_note


def _trainer(scheduler=None):
    return SimpleNamespace(callbacks=[], scheduler=scheduler)


def _state(**over):
    state = {"model": {}, "optimizer": {}, "epoch": 2}
    state.update(over)
    return state


def test_a_well_formed_checkpoint_passes_with_optional_entries_absent_or_set():
    check_trainer_state(_trainer(), _state())  # no stop_training, history, callbacks, rng
    check_trainer_state(_trainer(), _state(stop_training=1, epoch=np.asarray(0), rng={"cpu": {}}))
    check_trainer_state(_trainer(), _state(epoch=mg.tensor(3), stop_training=np.asarray(0),
                                           history={"records": {"a": np.zeros(3)}}))


@pytest.mark.parametrize("state, message", [
    ([1], "^fit: a training checkpoint is a dict, got list$"),
    ({"model": {}, "epoch": 1}, r"^fit: the checkpoint lacks \['optimizer'\]; it holds \['epoch', 'model'\]$"),
    ({1: 0}, r"^fit: the checkpoint lacks \['model', 'optimizer', 'epoch'\]; it holds \['1'\]$"),
    (_state(epoch=-1), "^fit: the checkpoint's epoch must be an integer >= 0, got -1$"),
    (_state(epoch=True), "^fit: the checkpoint's epoch must be an integer >= 0, got True$"),
    (_state(epoch=1.0), "^fit: the checkpoint's epoch must be an integer >= 0, got 1.0$"),
    (_state(epoch=mg.tensor(-3)), "^fit: the checkpoint's epoch must be an integer >= 0, got "),
    (_state(stop_training=2), "^fit: the checkpoint's stop_training must be 0 or 1, got 2$"),
    (_state(stop_training=-1), "^fit: the checkpoint's stop_training must be an integer >= 0, got -1$"),
    (_state(history={"records": {"a": np.zeros(3)}}), r"history records have lengths \[3\], but its epoch is 2"),
    (_state(history=[1]), "^fit: the checkpoint's history must be a dict with 'records', got \\[1\\]$"),
    (_state(rng=[1]), r"^fit: the checkpoint's rng entry must map device names to generator states, got \[1\]$"),
    (_state(rng={0: {}}), r"^fit: the checkpoint's rng entry must map device names"),
])
def test_each_bad_entry_is_named(state, message):
    with pytest.raises(ValueError, match=message):
        check_trainer_state(_trainer(), state)


def test_a_scheduler_needs_its_state_in_the_checkpoint():
    sched = SimpleNamespace(step=lambda: None, load_state_dict=lambda s: None)
    with pytest.raises(ValueError, match="^fit: the checkpoint has no scheduler state but a scheduler was given$"):
        check_trainer_state(_trainer(sched), _state())
    check_trainer_state(_trainer(sched), _state(scheduler={}))
    check_trainer_state(_trainer(SimpleNamespace(step=lambda: None)), _state())  # nothing to load into


def _cb(path, epoch):
    return SimpleNamespace(last_saved=(str(path), epoch))


def test_checkpoint_note_reads_back_the_newest_by_epoch(tmp_path):
    assert checkpoint_note([SimpleNamespace(), SimpleNamespace(last_saved=None)]) == \
        "no checkpoint had been written in this run"
    good, bad = tmp_path / "z-good.mg", tmp_path / "a-bad.mg"
    mg.save({"model": {"w": np.ones(2), "layers": [mg.tensor([1.0]), 2.0]}}, str(good))
    mg.save({"model": {"w": np.array([1.0, np.nan])}}, str(bad))
    # the newest is the one of the highest epoch, whatever the names
    assert checkpoint_note([_cb(bad, 2), _cb(good, 3)]) == \
        f"the last checkpoint, {str(good)!r} (epoch 3), was read back and holds finite parameters"
    assert checkpoint_note([_cb(good, 1), _cb(bad, 4)]) == \
        f"the last checkpoint written, {str(bad)!r} (epoch 4), holds NaN or Inf parameters"
    mg.save({"model": {"deep": {"layers": [np.ones(1), (np.array([np.inf]),)]}}}, str(bad))
    assert "holds NaN or Inf parameters" in checkpoint_note([_cb(bad, 5)])
    note = checkpoint_note([_cb(tmp_path / "missing.mg", 1)])
    assert note.startswith(f"the last checkpoint written, {str(tmp_path / 'missing.mg')!r} (epoch 1), cannot be "
                           "read back (")
    mg.save({"no model": 1}, str(good))
    assert "cannot be read back (KeyError" in checkpoint_note([_cb(good, 1)])
