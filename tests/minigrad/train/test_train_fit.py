"""fit: mini-batch gradient descent checked against the course's formulas written in NumPy."""
from __future__ import annotations

import io
import sys

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import DataLoader, make_blobs, make_moons
from minigrad.train import evaluate, fit, predict
from _toolkit_doubles import MLP, SGD, StepDecay, bce_with_logits, cross_entropy, host, params_numpy


def _binary(m=64, seed=0, dtype=np.float64):
    X, y = make_blobs(m, centers=np.array([[-1.0, 0.0], [1.0, 0.5]]), cluster_std=1.0, seed=seed, dtype=dtype)
    return X, y.reshape(-1, 1).astype(dtype)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _bce(W, b, X, Y):
    """Oracle: J = -1/m sum y log a + (1 - y) log(1 - a), a = sigmoid(X W^T + b)."""
    A = _sigmoid(X @ W.T + b)
    return float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))


def _grads(W, b, X, Y):
    """Oracle: dZ = A - Y; dW = 1/m dZ^T X; db = 1/m sum dZ."""
    dZ = _sigmoid(X @ W.T + b) - Y
    return dZ.T @ X / len(X), dZ.mean(axis=0)


def test_one_full_batch_epoch_is_one_gradient_step():
    X, Y = _binary()
    model = MLP([2, 1], seed=0, dtype=mg.float64)
    W0, b0 = (v.copy() for v in params_numpy(model).values())
    dev = _binary(32, seed=1)
    hist = fit(model, bce_with_logits, SGD(model.parameters(), lr=0.5), (X, Y), epochs=1, batch_size=len(X),
               dev=dev, metrics=(), progress=False, seed=0)
    dW, db = _grads(W0, b0, X, Y)
    W1, b1 = W0 - 0.5 * dW, b0 - 0.5 * db
    np.testing.assert_allclose(model.layers[0].W.numpy(), W1, rtol=1e-10)
    np.testing.assert_allclose(model.layers[0].b.numpy(), b1, rtol=1e-10)
    assert hist["train_cost"][0] == pytest.approx(_bce(W0, b0, X, Y), rel=1e-10)   # cost before the step
    assert hist["dev_cost"][0] == pytest.approx(_bce(W1, b1, *dev), rel=1e-10)     # dev after the epoch
    assert hist["grad_norm:layers.0.W"][0] == pytest.approx(np.linalg.norm(dW), rel=1e-10)
    assert hist["grad_norm:layers.0.b"][0] == pytest.approx(np.linalg.norm(db), rel=1e-10)


def test_mini_batches_follow_a_fresh_seeded_permutation_each_epoch():
    X, Y = _binary(50)
    model = MLP([2, 1], seed=3, dtype=mg.float64)
    W, b = (v.copy() for v in params_numpy(model).values())
    fit(model, bce_with_logits, SGD(model.parameters(), lr=0.3), (X, Y), epochs=3, batch_size=16, metrics=(),
        progress=False, seed=11)
    rng = np.random.default_rng(11)  # oracle: the course's loop, by hand
    for _ in range(3):
        perm = rng.permutation(len(X))
        for k in range(0, len(X), 16):
            idx = perm[k:k + 16]
            dW, db = _grads(W, b, X[idx], Y[idx])
            W, b = W - 0.3 * dW, b - 0.3 * db
    np.testing.assert_allclose(model.layers[0].W.numpy(), W, rtol=1e-10)
    np.testing.assert_allclose(model.layers[0].b.numpy(), b, rtol=1e-10)


def test_training_on_each_device_lowers_the_cost_and_records_history(device):
    X, y = make_moons(160, noise=0.1, seed=0)
    Xt, yt = mg.tensor(X, device=device), mg.tensor(y, device=device)
    model = MLP([2, 16, 2], seed=0, device=device)
    opt = SGD(model.parameters(), lr=0.5, beta=0.9)
    hist = fit(model, cross_entropy, opt, (Xt[:120], yt[:120]), epochs=8, batch_size=32, dev=(Xt[120:], yt[120:]),
               scheduler=StepDecay(opt, step_size=2, gamma=0.5), progress=False, seed=0)
    assert len(hist) == 8 and hist.epochs == list(range(1, 9))
    assert hist["train_cost"][-1] < 0.6 * hist["train_cost"][0]
    assert hist["dev_accuracy"][-1] > 0.8
    assert hist["lr"] == pytest.approx([0.5 * 0.5 ** (e // 2) for e in range(8)])  # lr used in epoch e+1
    assert all(t > 0 for t in hist["time"])
    assert set(hist.grad_norms) == {f"layers.{i}.{n}" for i in range(2) for n in "Wb"}
    assert set(hist.activations) == {"layers.0", "acts.0", "layers.1"}
    # the recorded dev accuracy is the final model's, measured independently
    logits = host(predict(model, Xt[120:]))
    assert hist["dev_accuracy"][-1] == pytest.approx(np.mean(logits.argmax(axis=1) == y[120:]))


class _Recorder:
    """TEST DOUBLE wrapper: records (training mode, grad mode) at every forward call."""

    def __init__(self, model):
        self.model, self.calls = model, []

    def __call__(self, x):
        self.calls.append((self.model.training, mg.is_grad_enabled(), len(x)))
        return self.model(x)

    def __getattr__(self, name):
        return getattr(self.model, name)


def test_fit_switches_train_eval_and_no_grad_itself():
    X, y = make_moons(40, seed=0)
    rec = _Recorder(MLP([2, 4, 2], seed=0, dropout=0.2, modules=False))
    fit(rec, cross_entropy, SGD(rec.parameters(), lr=0.1), (X[:30], y[:30]), epochs=2, batch_size=10,
        dev=(X[30:], y[30:]), progress=False, seed=0)
    assert [c for c in rec.calls if c[2] == 10 and c[0]] == [(True, True, 10)] * 6   # 3 steps x 2 epochs
    # the label check's probe of 2 examples before training, then dev once per epoch
    assert [c for c in rec.calls if not c[0]] == [(False, False, 2)] + [(False, False, 10)] * 2
    assert rec.model.training  # left as it was


def test_numpy_data_tensor_data_and_a_loader_give_the_same_run():
    X, y = make_moons(60, seed=2)
    runs = []
    for data in ((X, y), (mg.tensor(X), mg.tensor(y)), DataLoader(X, y, batch_size=16, seed=5)):
        model = MLP([2, 8, 2], seed=1)
        hist = fit(model, cross_entropy, SGD(model.parameters(), lr=0.2), data, epochs=3, batch_size=16, seed=5,
                   progress=False)
        runs.append((hist["train_cost"], params_numpy(model)))
    for cost, params in runs[1:]:
        assert cost == runs[0][0]
        for name in params:
            np.testing.assert_array_equal(params[name], runs[0][1][name])


def test_eval_train_and_evaluate_match_the_cost_formula():
    X, Y = _binary(40)
    model = MLP([2, 1], seed=0, dtype=mg.float64)
    hist = fit(model, bce_with_logits, SGD(model.parameters(), lr=0.2), (X, Y), epochs=2, batch_size=8,
               eval_train=True, metrics=("accuracy", "error"), progress=False, seed=0)
    W, b = (v.copy() for v in params_numpy(model).values())
    assert hist["train_cost"][-1] == pytest.approx(_bce(W, b, X, Y), rel=1e-10)
    res = evaluate(model, bce_with_logits, (X, Y), batch_size=7, metrics=("accuracy",))
    assert res["cost"] == pytest.approx(_bce(W, b, X, Y), rel=1e-10)
    acc = np.mean(((X @ W.T + b) > 0) == (Y > 0.5))
    assert res["accuracy"] == pytest.approx(acc) == pytest.approx(hist["train_accuracy"][-1])
    assert hist["train_error"][-1] == pytest.approx(1 - acc)


class _FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_quiet_off_a_terminal(capsys):
    X, y = make_moons(20, seed=0)
    model = MLP([2, 2], seed=0)
    fit(model, cross_entropy, SGD(model.parameters()), (X, y), epochs=2, batch_size=8, progress=True, seed=0)
    out = capsys.readouterr()
    assert out.err == "" and out.out == ""


def test_progress_bar_on_a_terminal(monkeypatch):
    pytest.importorskip("tqdm")
    X, y = make_moons(20, seed=0)
    model = MLP([2, 2], seed=0)
    for progress, shown in ((True, True), (False, False)):
        fake = _FakeTTY()
        monkeypatch.setattr(sys, "stderr", fake)
        fit(model, cross_entropy, SGD(model.parameters()), (X, y), epochs=2, batch_size=8, progress=progress, seed=0)
        monkeypatch.undo()
        text = fake.getvalue()
        if shown:
            assert "epoch 1/2" in text and "epoch 2/2" in text and "loss=" in text and "samples/s" in text
        else:
            assert text == ""


def test_without_tqdm_training_runs_without_a_bar(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    fake = _FakeTTY()
    monkeypatch.setattr(sys, "stderr", fake)
    X, y = make_moons(20, seed=0)
    model = MLP([2, 2], seed=0)
    hist = fit(model, cross_entropy, SGD(model.parameters()), (X, y), epochs=1, batch_size=8, seed=0)
    assert len(hist) == 1 and fake.getvalue() == ""
