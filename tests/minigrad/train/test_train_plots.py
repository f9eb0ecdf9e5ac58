"""Pictures: learning curves and decision boundaries as PNG (matplotlib is an optional extra)."""
from __future__ import annotations

import sys

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import make_moons
from minigrad.train import History, fit, plot_decision_boundary
from minigrad.train.plots import _classes
from _toolkit_doubles import MLP, SGD, cross_entropy

PNG = b"\x89PNG\r\n\x1a\n"


def test_missing_matplotlib_gives_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    h = History()
    h.append({"train_cost": 1.0})
    with pytest.raises(ImportError, match=r'pip install "minigrad\[plot\]"'):
        h.plot()


def test_history_plot_saves_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    X, y = make_moons(60, seed=0)
    model = MLP([2, 8, 2], seed=0)
    opt = SGD(model.parameters(), lr=0.3)
    hist = fit(model, cross_entropy, opt, (X[:40], y[:40]), epochs=3, batch_size=16, dev=(X[40:], y[40:]),
               progress=False, seed=0)
    fig = hist.plot(tmp_path / "history.png")
    assert (tmp_path / "history.png").read_bytes()[:8] == PNG
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["cost", "accuracy", "learning rate"]
    train_line = fig.axes[0].get_lines()[0]
    np.testing.assert_allclose(train_line.get_ydata(), hist["train_cost"])
    assert [l.get_label() for l in fig.axes[0].get_lines()] == ["train", "dev"]


def test_decision_boundary_png_and_regions(tmp_path):
    pytest.importorskip("matplotlib")
    X, y = make_moons(50, seed=0)
    model = MLP([2, 8, 2], seed=0)
    fig = plot_decision_boundary(model, X, y, path=tmp_path / "b.png", resolution=50)
    assert (tmp_path / "b.png").read_bytes()[:8] == PNG and fig.axes[0].get_title() == "decision boundary"
    # a plain function of the points works too: class 1 right of x1 = 0.5
    plot_decision_boundary(lambda p: (p[:, :1] - 0.5), X, y, path=tmp_path / "f.png", resolution=20)
    assert (tmp_path / "f.png").exists()


def test_classes_from_scores():
    assert _classes(np.array([[0.1, 2.0], [3.0, -1.0]]), 0.0).tolist() == [1, 0]
    assert _classes(mg.tensor([[-0.5], [0.5]]), 0.0).tolist() == [0, 1]
    with pytest.raises(ValueError, match=r"X must have shape \(m, 2\)"):
        plot_decision_boundary(lambda p: p, np.zeros((4, 3)), np.zeros(4))
