"""Issue 16 section 1: a non-finite gradient never reaches the parameters, the optimizer state or
a checkpoint; every sentence about what is intact is true; early stopping restores on errors;
a NaN dev cost stops at once.

The poisoned models add ``sqrt(s)`` with a parameter ``s = 0``: the loss stays finite but
``d sqrt(s) / ds = 1 / (2 sqrt(0)) = inf``, so the gradient of ``s`` is non-finite.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad as mg
import optim
from minigrad.data import make_moons
from minigrad.train import Callback, EarlyStopping, ModelCheckpoint, NonFiniteGradientError, NonFiniteLossError, fit
from _toolkit_doubles import MLP, cross_entropy

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's overflow / divide warnings, on purpose


class Poisoned:
    """TEST DOUBLE: an MLP whose output gets ``+ sqrt(s)`` (s = 0) on training calls ``poison_at``."""

    def __init__(self, poison_at, seed=0):
        self.mlp, self.poison_at, self.calls = MLP([2, 6, 2], seed=seed), set(poison_at), 0
        self.s = mg.zeros(1, requires_grad=True)
        self.training = True

    def __call__(self, x):
        out = self.mlp(x)
        if self.training:
            self.calls += 1
            if self.calls in self.poison_at:
                out = out + self.s.sqrt()
        return out

    def named_parameters(self):
        return self.mlp.named_parameters() + [("poison.s", self.s)]

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def train(self, mode=True):
        self.training = mode
        self.mlp.train(mode)

    def eval(self):
        self.train(False)

    def state_dict(self):
        return {n: p.detach() for n, p in self.named_parameters()}

    def load_state_dict(self, state):
        with mg.no_grad():
            for n, p in self.named_parameters():
                p.copy_(state[n])


def _host_state(obj):
    """Host copies of a (nested) state dict's arrays, for exact comparison."""
    if isinstance(obj, dict):
        return {k: _host_state(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_host_state(v) for v in obj]
    return obj.numpy().copy() if isinstance(obj, mg.Tensor) else obj


def _assert_same(a, b):
    assert type(a) is type(b) or isinstance(a, (int, float)), (a, b)
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same(x, y)
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


class LastGood(Callback):
    """Records the parameters and optimizer state after every completed step, and the checkpoint
    file's bytes at the start of every epoch."""

    def __init__(self, path=None):
        self.path, self.params, self.opt, self.file = path, None, None, None

    def on_batch_end(self, trainer, step, logs):
        self.params = _host_state(trainer.model.state_dict())
        self.opt = _host_state(trainer.optimizer.state_dict())

    def on_epoch_begin(self, trainer, epoch):
        if self.path is not None and epoch > 1:
            with open(self.path, "rb") as f:
                self.file = f.read()


def _data():
    return make_moons(24, seed=1)


def test_a_nan_gradient_stops_before_the_step_and_names_the_parameter(tmp_path):
    X, y = _data()
    model = Poisoned(poison_at={5})  # batch size 8: 3 steps per epoch, so step 2 of epoch 2
    opt = optim.Adam(model.parameters(), lr=0.01)
    path = str(tmp_path / "last.ckpt")
    good = LastGood(path)
    with pytest.raises(NonFiniteGradientError) as info:
        fit(model, cross_entropy, opt, (X, y), epochs=3, batch_size=8, seed=0, progress=False,
            callbacks=[good, ModelCheckpoint(last=path)])
    msg = str(info.value)
    assert info.value.parameters == ["poison.s"]
    assert "epoch 2, step 2 of 3" in msg and "poison.s" in msg and "layers.0.W" not in msg
    _assert_same(_host_state(model.state_dict()), good.params)   # parameters of the last good step
    _assert_same(_host_state(opt.state_dict()), good.opt)        # optimizer state too (Adam's moments, steps)
    with open(path, "rb") as f:
        assert f.read() == good.file                             # the checkpoint on disk is untouched
    assert "was read back and holds finite parameters" in msg
    saved = mg.load(path)["model"]
    assert all(np.isfinite(v.numpy()).all() for v in saved.values())


def test_anomaly_mode_names_the_op():
    X, y = _data()
    model = Poisoned(poison_at={1})
    before = _host_state(model.state_dict())
    opt = optim.SGD(model.parameters(), lr=0.1)
    with mg.detect_anomaly(), pytest.raises(NonFiniteGradientError, match=r"(?i)sqrt"):
        fit(model, cross_entropy, opt, (X, y), epochs=1, batch_size=24, seed=0, progress=False)
    _assert_same(_host_state(model.state_dict()), before)        # the only step never ran


def test_skip_step_drops_the_poisoned_batch_and_trains_on():
    X, y = _data()
    model = Poisoned(poison_at={2, 5})
    opt = optim.SGD(model.parameters(), lr=0.1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hist = fit(model, cross_entropy, opt, (X, y), epochs=3, batch_size=8, seed=0, progress=False,
                   on_nonfinite="skip_step")
    assert hist["skipped_steps"] == [1.0, 1.0, 0.0]
    assert any("poison.s" in str(w.message) and "skipped" in str(w.message) for w in caught)
    assert model.s.numpy()[0] == 0.0  # its only non-zero gradients were the skipped ones
    assert all(np.isfinite(p.numpy()).all() for p in model.parameters())
    # an oracle: the same run where the poisoned batches' losses are multiplied by 0 changes
    # nothing on those steps either (SGD without momentum: a zero gradient is no update)
    ref_model = Poisoned(poison_at=set())
    ref_opt = optim.SGD(ref_model.parameters(), lr=0.1)
    calls = iter(range(1, 100))
    fit(ref_model, lambda out, t: cross_entropy(out, t) * (0.0 if next(calls) in (2, 5) else 1.0), ref_opt,
        (X, y), epochs=3, batch_size=8, seed=0, progress=False)
    for (name, p), q in zip(model.named_parameters(), ref_model.parameters()):
        np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-6, atol=1e-7, err_msg=name)


def test_the_checkpoint_sentence_is_only_said_after_reading_the_file_back(tmp_path):
    X, y = _data()
    path = str(tmp_path / "last.ckpt")

    class Damage(Callback):
        def on_epoch_begin(self, trainer, epoch):
            if epoch == 2:
                with open(path, "r+b") as f:
                    f.truncate(100)

    model = Poisoned(poison_at={5})
    with pytest.raises(NonFiniteGradientError) as info:
        fit(model, cross_entropy, optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=2, batch_size=8,
            seed=0, progress=False, callbacks=[Damage(), ModelCheckpoint(last=path)])
    msg = str(info.value)
    assert "intact" not in msg and "finite parameters" not in msg
    assert "cannot be read back" in msg and "CheckpointError" in msg


def test_no_checkpoint_sentence_when_none_was_written():
    X, y = _data()
    model = Poisoned(poison_at={1})
    with pytest.raises(NonFiniteGradientError, match="no checkpoint had been written"):
        fit(model, cross_entropy, optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=1, batch_size=8,
            progress=False)


def test_a_model_that_overflowed_is_never_written_over_the_good_checkpoint(tmp_path):
    X, y = _data()
    path = str(tmp_path / "last.ckpt")

    class Blow(Callback):  # a step (finite gradients) that makes the parameters infinite in epoch 2
        def on_epoch_begin(self, trainer, epoch):
            if epoch == 2:
                trainer.optimizer.param_groups[0]["lr"] = float("inf")

    model = MLP([2, 6, 2], seed=0)
    good = LastGood(path)
    with pytest.raises(NonFiniteLossError, match="not written, so the files written earlier are kept"):
        fit(model, cross_entropy, optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=3, batch_size=24,
            progress=False, callbacks=[good, Blow(), ModelCheckpoint(last=path)])
    assert not all(np.isfinite(p.numpy()).all() for p in model.parameters())  # the step did overflow
    with open(path, "rb") as f:
        assert f.read() == good.file


def test_early_stopping_restores_the_best_weights_when_fit_fails():
    X, y = make_moons(60, seed=5)
    Xd, yd = make_moons(30, seed=4)
    model = MLP([2, 8, 2], seed=0)
    seen = {}

    class Record(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            seen[epoch] = (logs["dev_cost"], _host_state(trainer.model.state_dict()))

    class Fail(Callback):
        def on_epoch_begin(self, trainer, epoch):
            if epoch == 6:
                raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full") as info:
        fit(model, cross_entropy, optim.SGD(model.parameters(), lr=2.0), (X, y), epochs=10, batch_size=16,
            dev=(Xd, yd), seed=0, progress=False,
            callbacks=[Record(), EarlyStopping(patience=50, restore_best=True), Fail()])
    best = min(seen, key=lambda e: seen[e][0])
    assert best != 5, "the oracle needs a run whose best epoch is not the last one"
    _assert_same(_host_state(model.state_dict()), seen[best][1])
    assert any(f"best epoch, {best}" in note for note in getattr(info.value, "__notes__", []))


def test_a_nan_dev_cost_stops_at_once():
    X, y = make_moons(40, seed=0)
    Xd, yd = make_moons(10, seed=1)
    Xd = (Xd * 1e38).astype(np.float32)  # finite data whose logits overflow to inf in float32
    model = MLP([2, 8, 2], seed=0)
    epochs_seen = []

    class Count(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            epochs_seen.append(epoch)

    with pytest.raises(NonFiniteLossError, match=r"dev_cost is nan after epoch 1"):
        fit(model, cross_entropy, optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=5, dev=(Xd, yd),
            progress=False, callbacks=[Count(), EarlyStopping(patience=2)])
    assert epochs_seen == []  # no callback saw the NaN epoch


def test_nan_in_the_dev_data_is_refused_before_training():
    X, y = make_moons(40, seed=0)
    Xd, yd = make_moons(10, seed=1)
    Xd[3, 1] = np.nan
    model = MLP([2, 8, 2], seed=0)
    before = _host_state(model.state_dict())
    with pytest.raises(ValueError, match=r"dev X \(shape \(10, 2\)\) holds NaN"):
        fit(model, cross_entropy, optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=2, dev=(Xd, yd),
            progress=False)
    _assert_same(_host_state(model.state_dict()), before)
