"""fit refuses bad input with messages that say what and where; a NaN loss stops cleanly."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import make_moons
from minigrad.train import Callback, ModelCheckpoint, NonFiniteLossError, fit
from _toolkit_doubles import MLP, SGD, checkpoint_io, cross_entropy, params_numpy  # noqa: F401


def _setup():
    X, y = make_moons(40, seed=0)
    model = MLP([2, 4, 2], seed=0)
    return X, y, model, SGD(model.parameters(), lr=0.1)


def test_mismatched_lengths():
    X, y, model, opt = _setup()
    with pytest.raises(ValueError, match=r"fit \(training data\): .*X has 40 examples .* y has 39"):
        fit(model, cross_entropy, opt, (X, y[:-1]), epochs=1)
    with pytest.raises(ValueError, match=r"fit \(dev data\): X has 10 examples .* y has 9"):
        fit(model, cross_entropy, opt, (X, y), epochs=1, dev=(X[:10], y[:9]), progress=False)


def test_empty_data():
    X, y, model, opt = _setup()
    with pytest.raises(ValueError, match=r"fit \(training data\): .*empty"):
        fit(model, cross_entropy, opt, (X[:0], y[:0]), epochs=1)


@pytest.mark.parametrize("b", [0, -1])
def test_batch_size_below_one(b):
    X, y, model, opt = _setup()
    with pytest.raises(ValueError, match=f"batch_size must be an integer >= 1, got {b}"):
        fit(model, cross_entropy, opt, (X, y), epochs=1, batch_size=b)


def test_drop_last_with_too_few_examples_gives_no_batch():
    X, y, model, opt = _setup()
    with pytest.raises(ValueError, match="gives no batch"):
        fit(model, cross_entropy, opt, (X, y), epochs=1, batch_size=64, drop_last=True)


def test_dev_set_with_unseen_shapes():
    X, y, model, opt = _setup()
    before = params_numpy(model)
    dev_X = np.concatenate([X[:10], X[:10, :1]], axis=1)  # 3 features instead of 2
    with pytest.raises(ValueError, match=r"fit: dev X has examples of shape \(3,\) .* training X has \(2,\)"):
        fit(model, cross_entropy, opt, (X, y), epochs=1, dev=(dev_X, y[:10]))
    with pytest.raises(ValueError, match=r"fit: dev y has examples of shape \(1,\) .* training y has \(\)"):
        fit(model, cross_entropy, opt, (X, y), epochs=1, dev=(X[:10], y[:10, None]))
    for name, value in params_numpy(model).items():  # refused before any training
        np.testing.assert_array_equal(value, before[name])


def test_data_on_another_device_than_the_model():
    X, y, model, opt = _setup()
    with pytest.raises(mg.DeviceError, match="train data is on strict:0 but the model's parameters are on cpu"):
        fit(model, cross_entropy, opt, (mg.tensor(X, device="strict"), mg.tensor(y, device="strict")), epochs=1)


def test_bad_arguments():
    X, y, model, opt = _setup()
    with pytest.raises(ValueError, match="epochs must be an integer >= 0"):
        fit(model, cross_entropy, opt, (X, y), epochs=-1)
    with pytest.raises(TypeError, match="loss_fn must be a callable"):
        fit(model, "mse", opt, (X, y), epochs=1)
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        fit(model, cross_entropy, opt, (X, y), epochs=1, metrics=("f1",))
    with pytest.raises(ValueError, match="an \\(X, y\\) pair or a loader, got a sequence of 3"):
        fit(model, cross_entropy, opt, (X, y, y), epochs=1)
    with pytest.raises(TypeError, match="must return a scalar Tensor, got a Tensor of shape \\(16,\\)"):
        fit(model, lambda out, t: out.sum(axis=1), opt, (X, y), epochs=1, batch_size=16, progress=False)
    with pytest.raises(ValueError, match="parameters\\(\\) is empty"):
        fit(_NoParams(), cross_entropy, opt, (X, y), epochs=1)


class _NoParams:
    def parameters(self):
        return []


class _PoisonedLoss:
    """TEST DOUBLE: cross-entropy that turns into NaN at its ``nan_at``-th training call."""

    def __init__(self, nan_at):
        self.calls, self.nan_at = 0, nan_at

    def __call__(self, out, y):
        loss = cross_entropy(out, y)
        if mg.is_grad_enabled():
            self.calls += 1
            if self.calls == self.nan_at:
                return loss * float("nan")
        return loss


class _Snapshots(Callback):
    def __init__(self):
        self.after = {}

    def on_epoch_end(self, trainer, epoch, logs):
        self.after[epoch] = params_numpy(trainer.model)

    def on_batch_end(self, trainer, step, logs):
        self.last_step = params_numpy(trainer.model)


def test_nan_loss_stops_with_epoch_and_step_and_the_checkpoint_intact(tmp_path, checkpoint_io):
    _, load = checkpoint_io
    X, y, model, opt = _setup()
    snaps, path = _Snapshots(), str(tmp_path / "last.ckpt")
    # 40 examples / batch 16 = 3 steps per epoch: call 6 is epoch 2, step 3
    with pytest.raises(NonFiniteLossError, match=r"loss is nan at epoch 2, step 3 of 3; .*'.*last.ckpt' "
                                                 r"\(epoch 1\), was read back and holds finite parameters"):
        fit(model, _PoisonedLoss(nan_at=6), opt, (X, y), epochs=5, batch_size=16, progress=False,
            callbacks=[ModelCheckpoint(last=path), snaps])
    state = load(path)
    assert int(np.asarray(state["epoch"])) == 1
    for name, value in snaps.after[1].items():
        np.testing.assert_array_equal(np.asarray(state["model"][name]), value)
    for name, value in params_numpy(model).items():  # the NaN step changed nothing
        np.testing.assert_array_equal(value, snaps.last_step[name])
        assert np.all(np.isfinite(value))


def test_nan_loss_without_checkpoint_says_so():
    X, y, model, opt = _setup()
    with pytest.raises(NonFiniteLossError, match="epoch 1, step 1 of 1; .*no checkpoint had been written"):
        fit(model, _PoisonedLoss(nan_at=1), opt, (X, y), epochs=1, batch_size=64, progress=False)
