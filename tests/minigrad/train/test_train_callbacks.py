"""Callbacks: early stopping, checkpoints, learning-rate stepping, and exact resume."""
from __future__ import annotations

import os
from types import SimpleNamespace

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import make_moons
from minigrad.train import Callback, EarlyStopping, History, LearningRateScheduler, ModelCheckpoint, fit
from _toolkit_doubles import MLP, SGD, StepDecay, checkpoint_io, cross_entropy, params_numpy  # noqa: F401


class _ParamLog(Callback):
    """TEST HELPER: remembers the parameters after every epoch."""

    def __init__(self):
        self.by_epoch = {}

    def on_epoch_end(self, trainer, epoch, logs):
        self.by_epoch[epoch] = params_numpy(trainer.model)


def _fake_trainer():
    model = MLP([2, 2], seed=0)
    return SimpleNamespace(model=model, history=History(), stop_training=False, epoch=0)


@pytest.mark.parametrize("values, kwargs, stop_at, best_at", [
    ([5, 4, 3, 3.5, 3.2, 3.1, 2.0], dict(patience=2), 5, 3),          # 2 epochs without improvement
    ([5, 4, 3.8, 3.6, 1.0], dict(patience=2, min_delta=0.5), 4, 2),    # 3.8, 3.6 improve by < 0.5
    ([0.5, 0.7, 0.6, 0.65], dict(monitor="dev_accuracy", patience=1), 3, 2),  # 'acc' is maximised
    ([3, 2, 1, 0.5], dict(patience=0), None, 4),
])
def test_early_stopping_rule(values, kwargs, stop_at, best_at):
    es, tr = EarlyStopping(**kwargs), _fake_trainer()
    key = kwargs.get("monitor", "dev_cost")
    es.on_train_begin(tr)
    for epoch, v in enumerate(values, 1):
        es.on_epoch_end(tr, epoch, {key: v})
        if tr.stop_training:
            break
    assert es.stopped_epoch == stop_at and es.best.epoch == best_at == tr.history.best_epoch


def _flipped_dev_problem():
    """The dev labels are the opposite of the truth: the better the model learns, the worse the
    dev cost, so the best dev epoch is early and training stops."""
    X, y = make_moons(120, noise=0.1, seed=0)
    return (X[:80], y[:80]), (X[80:], 1 - y[80:])


def test_early_stopping_stops_and_restores_the_best_parameters():
    train, dev = _flipped_dev_problem()
    model, log = MLP([2, 8, 2], seed=0), _ParamLog()
    hist = fit(model, cross_entropy, SGD(model.parameters(), lr=0.5), train, epochs=30, batch_size=20, dev=dev,
               callbacks=[EarlyStopping(patience=3), log], progress=False, seed=0)
    best = int(np.argmin(hist["dev_cost"])) + 1  # oracle: read the recorded curve
    assert hist.best_epoch == best and hist.stopped_epoch == best + 3 == len(hist) < 30
    for name, value in params_numpy(model).items():
        np.testing.assert_array_equal(value, log.by_epoch[best][name])  # restored, not the last epoch's


def test_model_checkpoint_writes_best_and_last(tmp_path, checkpoint_io):
    save, load = checkpoint_io
    train, dev = _flipped_dev_problem()
    model, log = MLP([2, 8, 2], seed=0), _ParamLog()
    ckpt = ModelCheckpoint(last=tmp_path / "last.ckpt", best=tmp_path / "best.ckpt")
    each = ModelCheckpoint(last=str(tmp_path / "e{epoch:02d}.ckpt"), every=2)
    hist = fit(model, cross_entropy, SGD(model.parameters(), lr=0.5), train, epochs=6, batch_size=20, dev=dev,
               callbacks=[ckpt, each, log], progress=False, seed=0)
    best = int(np.argmin(hist["dev_cost"])) + 1
    for path, epoch in ((tmp_path / "last.ckpt", 6), (tmp_path / "best.ckpt", best), (tmp_path / "e04.ckpt", 4)):
        state = load(str(path))
        assert int(np.asarray(state["epoch"])) == epoch
        for name, value in log.by_epoch[epoch].items():
            np.testing.assert_array_equal(np.asarray(state["model"][name]), value)
    assert sorted(p.name for p in tmp_path.glob("e*.ckpt")) == ["e02.ckpt", "e04.ckpt", "e06.ckpt"]
    assert ckpt.last_saved == (str(tmp_path / "last.ckpt"), 6)


class _CountingScheduler:
    """TEST DOUBLE: counts step() calls and remembers the metrics it was given."""

    def __init__(self):
        self.steps, self.seen = 0, []

    def step(self, metric=None):
        self.steps += 1
        if metric is not None:
            self.seen.append(metric)


def test_learning_rate_scheduler_intervals():
    X, y = make_moons(50, seed=0)
    per_step, per_epoch = _CountingScheduler(), _CountingScheduler()
    model = MLP([2, 2], seed=0)
    hist = fit(model, cross_entropy, SGD(model.parameters()), (X[:40], y[:40]), epochs=3, batch_size=16,
               dev=(X[40:], y[40:]), progress=False, seed=0,
               callbacks=[LearningRateScheduler(per_step, interval="step"),
                          LearningRateScheduler(per_epoch, monitor="dev_cost")])
    assert per_step.steps == 9  # ceil(40 / 16) = 3 steps x 3 epochs
    assert per_epoch.seen == hist["dev_cost"]
    with pytest.raises(ValueError, match="interval"):
        LearningRateScheduler(per_step, interval="batch")


def _resumable_run(device, path=None, epochs=6, resume=None):
    """Dropout (device generator), momentum (optimizer state), step decay (scheduler state),
    early stopping (callback state: with flipped dev labels its best epoch is an early one, whose
    parameters it restores at the end) and shuffling (loader generator): all must be restored."""
    X, y = make_moons(90, noise=0.2, seed=4)
    data = (mg.tensor(X[:60], device=device), mg.tensor(y[:60], device=device))
    dev = (X[60:], 1 - y[60:])
    model, log = MLP([2, 12, 2], seed=0, device=device, dropout=0.3), _ParamLog()
    opt = SGD(model.parameters(), lr=0.4, beta=0.9)
    callbacks = [EarlyStopping(patience=50), log]
    if path is not None:
        callbacks.append(ModelCheckpoint(last=path))
    hist = fit(model, cross_entropy, opt, data, epochs=epochs, batch_size=16, dev=dev, progress=False, seed=9,
               scheduler=StepDecay(opt, step_size=2, gamma=0.7), callbacks=callbacks, resume=resume)
    return model, opt, hist, log


def test_resume_reproduces_the_uninterrupted_run_exactly(tmp_path, checkpoint_io, device):
    mg.manual_seed(1234)
    full_model, full_opt, full, full_log = _resumable_run(device)
    path = str(tmp_path / "run.ckpt")
    mg.manual_seed(1234)
    _resumable_run(device, path=path, epochs=3)                 # interrupted after epoch 3
    mg.manual_seed(777)                                         # the generator state comes from the file
    model, opt, hist, log = _resumable_run(device, path=path, epochs=6, resume=path)
    assert sorted(log.by_epoch) == [4, 5, 6] and 1 <= full.best_epoch <= 3
    for name, value in params_numpy(full_model).items():
        np.testing.assert_array_equal(params_numpy(model)[name], value)          # restored best epoch
        np.testing.assert_array_equal(log.by_epoch[6][name], full_log.by_epoch[6][name])  # last epoch
    for key in full.keys():
        if key != "time":
            np.testing.assert_array_equal(hist[key], full[key], err_msg=key)
    assert hist.best_epoch == full.best_epoch and opt.param_groups[0]["lr"] == full_opt.param_groups[0]["lr"]


def test_a_failed_resume_leaves_model_and_optimizer_as_they_were(tmp_path, checkpoint_io):
    save, load = checkpoint_io
    _resumable_run("cpu", path=str(tmp_path / "a.ckpt"), epochs=2)
    state = load(str(tmp_path / "a.ckpt"))
    del state["optimizer"]["lr"]  # the model part loads, then the optimizer part fails
    save(state, str(tmp_path / "bad.ckpt"))
    fresh = MLP([2, 12, 2], seed=5)
    fresh_opt = SGD(fresh.parameters(), lr=0.123, beta=0.9)
    before = params_numpy(fresh)
    with pytest.raises(ValueError, match="optimizer entry cannot be loaded .KeyError.*nothing was changed"):
        fit(fresh, cross_entropy, fresh_opt, make_moons(30, seed=0), epochs=3, progress=False,
            resume=str(tmp_path / "bad.ckpt"))
    for name, value in params_numpy(fresh).items():
        np.testing.assert_array_equal(value, before[name])
    assert fresh_opt.param_groups[0]["lr"] == 0.123


def test_resume_refuses_a_file_that_is_not_a_checkpoint(tmp_path, checkpoint_io):
    save, _ = checkpoint_io
    save({"weights": np.zeros(3)}, str(tmp_path / "w.ckpt"))
    model = MLP([2, 2], seed=0)
    with pytest.raises(ValueError, match="not a training checkpoint"):
        fit(model, cross_entropy, SGD(model.parameters()), make_moons(30, seed=0), epochs=1, progress=False,
            resume=str(tmp_path / "w.ckpt"))
    assert os.path.exists(tmp_path / "w.ckpt")


def test_model_checkpoint_needs_a_path_and_a_known_monitor(tmp_path, checkpoint_io):
    with pytest.raises(ValueError, match="give a path"):
        ModelCheckpoint()
    model = MLP([2, 2], seed=0)
    with pytest.raises(ValueError, match="dev_cost.*need a dev set"):
        fit(model, cross_entropy, SGD(model.parameters()), make_moons(30, seed=0), epochs=1, progress=False,
            callbacks=[ModelCheckpoint(best=tmp_path / "b.ckpt")])
