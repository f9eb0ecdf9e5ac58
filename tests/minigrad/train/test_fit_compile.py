"""``fit(compile=True)`` trains exactly as eager ``fit`` (the oracle: the same run without it)."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import minigrad as mg
import nn
import optim
from minigrad.train import Callback, NonFiniteLossError, fit


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 6)), rng.integers(0, 3, n)


def _run(compile, model_fn, data, **kw):
    mg.manual_seed(0)
    model = model_fn()
    opt = optim.Adam(model.parameters(), lr=0.01)
    history = fit(model, nn.CrossEntropyLoss(), opt, data, epochs=3, batch_size=32, seed=1, progress=False,
                  compile=compile, diagnostics=False, **kw)
    return model, opt, history


def _mlp():
    return nn.Sequential(nn.Linear(6, 16, dtype=mg.float64), nn.BatchNorm1d(16, dtype=mg.float64), nn.ReLU(),
                         nn.Dropout(0.2), nn.Linear(16, 3, dtype=mg.float64))


def test_compiled_fit_equals_eager_fit_bit_for_bit():
    X, y = _data()
    m1, o1, h1 = _run(False, _mlp, (X, y), dev=(X[:50], y[:50]))
    m2, o2, h2 = _run(True, _mlp, (X, y), dev=(X[:50], y[:50]))
    for key in ("train_cost", "train_accuracy", "dev_cost", "dev_accuracy"):
        assert h1[key] == h2[key], key
    for (name, a), (_, b) in zip(m1.state_dict().items(), m2.state_dict().items()):
        assert np.array_equal(np.asarray(a), np.asarray(b)), name  # weights and running statistics
    assert m2.training  # fit leaves the mode as eager fit does (dev evaluation switched it)
    assert m1.training == m2.training


def test_compiled_fit_still_refuses_a_non_finite_loss_before_the_step():
    X, y = _data()
    X[100] = 3e38  # finite in float32, but its products overflow: a NaN loss in the batch holding row 100
    for compile in (False, True):
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))  # float32
        with mg.no_grad():
            model[0].weight.mul_(100.0)  # so that row 100's products overflow
        opt = optim.SGD(model.parameters(), lr=0.1)
        before = [p.numpy().copy() for p in model.parameters()]  # then after each good step

        class Keep(Callback):
            def on_batch_end(self, trainer, step, logs):
                nonlocal before
                before = [p.numpy().copy() for p in model.parameters()]

        with pytest.raises(NonFiniteLossError), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's overflow warnings
            fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=1, batch_size=32, progress=False,
                compile=compile, callbacks=[Keep()], diagnostics=False, seed=3)
        after = [p.numpy() for p in model.parameters()]
        assert all(np.array_equal(a, b) for a, b in zip(before, after))  # the bad step changed nothing


class ReadsValues(nn.Module):
    """A forward that branches on a value: cannot be replayed."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(6, 3, dtype=mg.float64)

    def forward(self, x):
        out = self.lin(x)
        return out * 2.0 if float(out.abs().max()) > 1e6 else out


def test_a_model_that_reads_values_trains_eagerly_with_a_warning():
    X, y = _data()
    m1, _, h1 = _run(False, ReadsValues, (X, y))
    with pytest.warns(RuntimeWarning, match="runs eagerly"):
        m2, _, h2 = _run(True, ReadsValues, (X, y))
    assert h1["train_cost"] == h2["train_cost"]
    assert all(math.isfinite(c) for c in h2["train_cost"])


def test_compile_must_be_a_bool():
    X, y = _data(40)
    model = _mlp()
    with pytest.raises(TypeError, match="compile must be True or False"):
        fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=1,
            progress=False, compile="yes")
