"""fit at its edges: every skipped step counted (not just the first), the skip warning once per epoch
with its exact sentence, where a non-finite loss happened (with and without a loader length), and
what callbacks' on_train_error hooks receive."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from minigrad.data import make_moons
from minigrad.train import Callback, NonFiniteLossError, fit
from _toolkit_doubles import MLP, SGD, cross_entropy


def _poisoned_loss(bad_calls):
    calls = iter(range(1, 1000))

    def loss(out, y):
        value = cross_entropy(out, y)
        return value * float("nan") if next(calls) in bad_calls else value
    return loss


def test_every_skipped_step_is_counted_and_warned_once_per_epoch():
    X, y = make_moons(32, seed=0)
    model = MLP([2, 4, 2], seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hist = fit(model, _poisoned_loss({1, 3, 4, 6}), SGD(model.parameters()), (X, y), epochs=2, batch_size=8,
                   seed=0, progress=False, on_nonfinite="skip_step", diagnostics=False)
    assert hist["skipped_steps"] == [3.0, 1.0]  # steps 1, 3, 4 of epoch 1; step 2 of epoch 2
    skips = [str(w.message) for w in caught if w.category is RuntimeWarning]
    assert skips == [
        "fit: the loss is nan at epoch 1, step 1 of 4; the step was skipped, so it did not change the parameters or "
        "the optimizer state (on_nonfinite='skip_step'; skipped steps are counted in History['skipped_steps'])",
        "fit: the loss is nan at epoch 2, step 2 of 4; the step was skipped, so it did not change the parameters or "
        "the optimizer state (on_nonfinite='skip_step'; skipped steps are counted in History['skipped_steps'])"]


class Batches:
    """An iterable of batches without a length."""

    def __init__(self, X, y, size):
        self.X, self.y, self.size = X, y, size

    def __iter__(self):
        for i in range(0, len(self.X), self.size):
            yield self.X[i:i + self.size], self.y[i:i + self.size]


def test_the_error_says_where_with_the_loader_length_only_when_it_has_one():
    X, y = make_moons(24, seed=0)
    model = MLP([2, 4, 2], seed=0)
    with pytest.raises(NonFiniteLossError, match=r"^fit: the loss is nan at epoch 1, step 2; training stopped before "
                                                 r"this step changed the parameters or the optimizer state, and no "
                                                 r"checkpoint had been written in this run\. Try a smaller learning "
                                                 r"rate, normalised inputs, or look for nan/inf in the data "
                                                 r"\(minigrad\.detect_anomaly\(\) names the op that makes the first "
                                                 r"nan\)\.$"):
        fit(model, _poisoned_loss({2}), SGD(model.parameters()), Batches(X, y, 8), epochs=1, progress=False)


class NoErrorHook:
    """A duck-typed callback: every hook fit checks for, but no on_train_error."""

    def on_train_begin(self, trainer):
        pass

    def on_epoch_begin(self, trainer, epoch):
        pass

    def on_batch_end(self, trainer, step, logs):
        pass

    def on_epoch_end(self, trainer, epoch, logs):
        pass

    def on_train_end(self, trainer):
        pass

    def state_dict(self):
        return {}

    def load_state_dict(self, state):
        pass


class Recorder(Callback):
    def __init__(self):
        self.got = []

    def on_train_error(self, trainer, exc):
        self.got.append(exc)
        return "a note from the recorder"


def test_on_train_error_gets_the_exception_and_callbacks_without_the_hook_are_fine():
    X, y = make_moons(16, seed=0)
    model = MLP([2, 4, 2], seed=0)
    rec = Recorder()
    with pytest.raises(NonFiniteLossError) as info:
        fit(model, _poisoned_loss({1}), SGD(model.parameters()), (X, y), epochs=1, batch_size=8, progress=False,
            callbacks=[NoErrorHook(), rec])
    assert rec.got == [info.value]
    assert "a note from the recorder" in getattr(info.value, "__notes__", [])
    assert np.isfinite(model.layers[0].W.numpy()).all()
