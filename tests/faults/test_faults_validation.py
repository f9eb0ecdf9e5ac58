"""Issue 16 section 2: fit checks everything before the first step.

Each case used to fail only after an epoch had trained the model (or never); now it raises
before any step, naming the argument, and the model is exactly as it was.  The ``Spy``
callback proves that no epoch began.
"""
from __future__ import annotations

import numpy as np
import pytest

import optim
from minigrad.data import make_moons
from minigrad.train import Callback, EarlyStopping, LearningRateScheduler, ModelCheckpoint, fit
from _toolkit_doubles import MLP, cross_entropy, params_numpy


class Spy(Callback):
    def __init__(self):
        self.epochs = 0

    def on_epoch_begin(self, trainer, epoch):
        self.epochs += 1


def _run(tmp_path, **change):
    X, y = make_moons(40, seed=0)
    Xd, yd = make_moons(12, seed=1)
    model = MLP([2, 6, 2], seed=0)
    kw = dict(train=(X, y), dev=(Xd, yd), callbacks=[], epochs=2)
    kw.update({k: v(X, y, Xd, yd, tmp_path) if callable(v) and k in _BUILT else v for k, v in change.items()})
    spy = Spy()
    before = params_numpy(model)
    kw["callbacks"] = [spy] + list(kw["callbacks"])
    train = kw.pop("train")
    try:
        fit(model, cross_entropy, optim.SGD(model.parameters(), lr=0.1), train, progress=False, **kw)
    finally:
        assert spy.epochs == 0, "an epoch began before the error"
        for name, value in params_numpy(model).items():
            np.testing.assert_array_equal(value, before[name])


_BUILT = {"train", "dev", "callbacks"}

CASES = [
    ("dev X and y of different lengths", dict(dev=lambda X, y, Xd, yd, p: (Xd, yd[:-1])),
     ValueError, r"fit \(dev data\): X has 12 examples .* y has 11"),
    ("train labels out of range", dict(train=lambda X, y, Xd, yd, p: (X, np.where(y == 1, 2, 0))),
     ValueError, r"training labels range over \[0, 2\] .* 2 class scores"),
    ("negative train labels", dict(train=lambda X, y, Xd, yd, p: (X, y - 1)),
     ValueError, r"training labels range over \[-1, 0\]"),
    ("dev labels out of range", dict(dev=lambda X, y, Xd, yd, p: (Xd, yd + 5)),
     ValueError, r"dev labels range over \[5, 6\]"),
    ("dev_cost monitored without a dev set", dict(dev=lambda *a: None, callbacks=lambda *a: [EarlyStopping()]),
     ValueError, r"EarlyStopping\) monitors 'dev_cost'.*need a dev set"),
    ("a misspelled monitor", dict(callbacks=lambda *a: [EarlyStopping(monitor="dev_acuracy")]),
     ValueError, r"monitors 'dev_acuracy'.*did you mean 'dev_accuracy'"),
    ("a scheduler monitoring an unknown value",
     dict(callbacks=lambda X, y, Xd, yd, p: [LearningRateScheduler(_Sched(), monitor="val_loss")]),
     ValueError, r"monitors 'val_loss'"),
    ("a checkpoint directory that does not exist",
     dict(callbacks=lambda X, y, Xd, yd, p: [ModelCheckpoint(last=str(p / "nope" / "c.ckpt"))]),
     FileNotFoundError, r"checkpoint path '.*nope/c.ckpt' does not exist"),
    ("a best-checkpoint directory that does not exist",
     dict(callbacks=lambda X, y, Xd, yd, p: [ModelCheckpoint(best=str(p / "gone" / "{epoch}.ckpt"))]),
     FileNotFoundError, r"gone/\{epoch\}.ckpt"),
    ("eval_batch_size=0", dict(eval_batch_size=0), ValueError, r"eval_batch_size must be an integer >= 1, got 0"),
    ("eval_batch_size=2.5", dict(eval_batch_size=2.5), ValueError, r"eval_batch_size must be an integer >= 1"),
    ("a non-callback object", dict(callbacks=lambda *a: ["early"]), TypeError, r"callbacks\[1\] is a str, not a "
                                                                              r"callback"),
    ("a callback class, not an instance", dict(callbacks=lambda *a: [EarlyStopping]), TypeError,
     r"callbacks\[1\] is the class EarlyStopping, not an instance"),
    ("on_nonfinite misspelled", dict(on_nonfinite="skip"), ValueError, r"on_nonfinite must be one of"),
    ("NaN in the training data", dict(train=lambda X, y, Xd, yd, p: (np.where(X > 1.5, np.inf, X), y)),
     ValueError, r"training X .* holds NaN or Inf"),
    ("progress='yes'", dict(progress_flag="yes"), TypeError, r"progress must be True or False"),
]


class _Sched:
    def step(self, *args):
        pass


@pytest.mark.parametrize("what, change, exc, match", CASES, ids=[c[0] for c in CASES])
def test_refused_before_the_first_step(tmp_path, what, change, exc, match):
    if "progress_flag" in change:  # progress is passed by _run; swap it in through fit's keyword
        change = dict(change)
        flag = change.pop("progress_flag")
        X, y = make_moons(40, seed=0)
        model = MLP([2, 6, 2], seed=0)
        before = params_numpy(model)
        with pytest.raises(exc, match=match):
            fit(model, cross_entropy, optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=1, progress=flag)
        assert all(np.array_equal(v, before[k]) for k, v in params_numpy(model).items())
        return
    with pytest.raises(exc, match=match):
        _run(tmp_path, **change)


def test_a_placeholder_that_cannot_be_filled_is_refused_where_given(tmp_path):
    with pytest.raises(ValueError, match=r"last='.*ckpt-\{step\}.mg' has a placeholder that cannot be filled"):
        ModelCheckpoint(last=str(tmp_path / "ckpt-{step}.mg"))


def test_a_directory_removed_during_the_run_is_named_as_the_user_gave_it(tmp_path):
    import shutil

    X, y = make_moons(40, seed=0)
    model = MLP([2, 6, 2], seed=0)
    target = tmp_path / "gone" / "last.ckpt"
    target.parent.mkdir()

    class Remove(Callback):
        def on_epoch_begin(self, trainer, epoch):
            if epoch == 2:
                shutil.rmtree(target.parent)

    with pytest.raises(FileNotFoundError) as info:
        fit(model, cross_entropy, optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=2, progress=False,
            callbacks=[Remove(), ModelCheckpoint(last=str(target))])
    assert f"cannot write {str(target)!r}" in str(info.value) and ".tmp" not in str(info.value)
