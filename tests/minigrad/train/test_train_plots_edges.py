"""plot_decision_boundary and plot_history, read back from the matplotlib artists: the grid the model
is asked about (extent, resolution, margin), the threshold, the class levels, the labels, the axes;
and the learning-curve panels, for Histories with missing values."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad.train import History, plot_decision_boundary, plot_history
from minigrad.train.plots import _classes

pytest.importorskip("matplotlib")

X = np.array([[1.0, 0.0], [2.0, -1.0], [0.5, 3.0]])  # column minima / maxima differ from the rows' ones
Y = np.array([0, 1, 1])


class Stop(Exception):
    pass


def _stop():
    raise Stop


class Recorder:
    """f(points) -> scores, remembering the points it was asked about."""

    def __init__(self, score):
        self.score, self.points = score, []

    def __call__(self, p):
        self.points.append(p)
        return self.score(p)


def test_the_grid_spans_the_data_plus_the_margin_at_the_resolution():
    f = Recorder(lambda p: p[:, :1] - 1.0)
    plot_decision_boundary(f, X, Y, resolution=7, margin=0.25)
    (p,) = f.points
    assert p.shape == (49, 2)
    np.testing.assert_allclose([p[:, 0].min(), p[:, 0].max(), p[:, 1].min(), p[:, 1].max()],
                               [0.25, 2.25, -1.25, 3.25])
    np.testing.assert_allclose(np.unique(p[:, 0]), np.linspace(0.25, 2.25, 7))
    np.testing.assert_allclose(np.unique(p[:, 1]), np.linspace(-1.25, 3.25, 7))
    f = Recorder(lambda p: _stop())  # stop before drawing 200 x 200 contours
    with pytest.raises(Stop):
        plot_decision_boundary(f, X, Y)  # defaults: 200 x 200 points, margin 0.5
    (p,) = f.points
    assert p.shape == (40000, 2)
    np.testing.assert_allclose([p[:, 0].min(), p[:, 0].max(), p[:, 1].min(), p[:, 1].max()], [0.0, 2.5, -1.5, 3.5])


def test_threshold_default_0_strict_and_the_class_levels():
    fig = plot_decision_boundary(lambda p: np.full(len(p), 0.5), X, Y, resolution=5)
    cs = fig.axes[0].collections[0]
    np.testing.assert_allclose(cs.levels, [-0.5, 0.5, 1.5])  # class 1 everywhere: score 0.5 > 0
    fig = plot_decision_boundary(lambda p: np.full(len(p), 0.5), X, Y, resolution=5, threshold=0.5)
    np.testing.assert_allclose(fig.axes[0].collections[0].levels, [-0.5, 0.5])  # 0.5 is not > 0.5: class 0
    fig = plot_decision_boundary(lambda p: np.stack([p[:, 0], p[:, 1], np.full(len(p), 9.0)], axis=1), X, Y,
                                 resolution=5)
    np.testing.assert_allclose(fig.axes[0].collections[0].levels, [-0.5, 0.5, 1.5, 2.5])  # class 2 everywhere


def test_classes_from_scores_threshold_is_strict_and_gives_int64():
    c = _classes(np.array([0.0, 0.1, -0.1]), 0.0)
    assert c.tolist() == [0, 1, 0] and c.dtype == np.int64
    assert _classes(np.array([[1.0], [2.0]]), 1.0).tolist() == [0, 1]


@pytest.mark.parametrize("y, labels", [
    (np.array([0, 1, 1]), [0, 1, 1]),
    (np.array([[1], [0], [1]]), [1, 0, 1]),
    (np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]), [1, 0, 1]),          # one-hot rows
    (np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]]), [2, 0, 1]),
])
def test_the_examples_are_scattered_with_their_labels(y, labels):
    fig = plot_decision_boundary(lambda p: p[:, :1], X, y, resolution=4, title="moons")
    ax = fig.axes[0]
    sc = ax.collections[-1]
    np.testing.assert_allclose(sc.get_offsets(), X)
    np.testing.assert_array_equal(np.asarray(sc.get_array()), labels)
    assert sc.get_sizes().tolist() == [15] and sc.get_cmap().name == "coolwarm"
    np.testing.assert_allclose(sc.get_edgecolors()[0], [0, 0, 0, 1])
    cs = ax.collections[0]
    assert cs.get_alpha() == 0.3 and cs.get_cmap().name == "coolwarm"
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("x1", "x2", "moons")


class Model:
    """A model with parameters(): predict() calls it in eval mode on float32 Tensors of 4096 rows."""

    def __init__(self):
        self.w = mg.tensor([[1.0], [0.0]], dtype="float32", requires_grad=True)
        self.batches, self.training = [], True

    def parameters(self):
        return [self.w]

    def train(self, mode=True):
        self.training = mode

    def eval(self):
        self.training = False

    def __call__(self, x):
        self.batches.append((type(x), x.dtype, x.shape[0], self.training))
        return x @ self.w - 1.0


def test_a_model_is_asked_through_predict_in_batches_of_4096():
    model = Model()
    fig = plot_decision_boundary(model, X, Y, resolution=70)  # 4900 points
    assert [b[2] for b in model.batches] == [4096, 804]
    assert all(b[0] is mg.Tensor and b[1] == mg.float32 and b[3] is False for b in model.batches)
    assert model.training is True
    np.testing.assert_allclose(fig.axes[0].collections[0].levels, [-0.5, 0.5, 1.5])


def test_drawing_on_given_axes():
    from minigrad.train.plots import new_figure

    fig, (ax1, ax2) = new_figure(2)
    out = plot_decision_boundary(lambda p: p[:, :1], X, Y, resolution=4, ax=ax2)
    assert out is fig and len(ax2.collections) == 2 and not ax1.collections


# ----- plot_history ---------------------------------------------------------------------------------
def _history(rows, best=None):
    h = History()
    for r in rows:
        h.append(r)
    h.best_epoch = best
    return h


def test_history_panels_skip_metrics_never_measured_and_the_lr_panel_needs_values():
    nan = math.nan
    h = _history([{"train_cost": 1.0, "dev_cost": nan, "train_accuracy": nan, "dev_accuracy": nan,
                   "train_error": nan, "dev_error": 0.3},
                  {"train_cost": 0.5, "train_accuracy": nan, "train_error": nan, "dev_error": 0.2}])
    fig = plot_history(h)
    assert [ax.get_title() for ax in fig.axes] == ["cost", "error"]
    cost, err = fig.axes
    assert [l.get_label() for l in cost.get_lines()] == ["train"]
    assert [l.get_label() for l in err.get_lines()] == ["dev"]
    np.testing.assert_allclose(err.get_lines()[0].get_ydata(), [0.3, 0.2])
    np.testing.assert_allclose(err.get_lines()[0].get_xdata(), [1, 2])
    assert cost.get_xlabel() == "epoch" and cost.get_ylabel() == "cost" and cost.get_yscale() == "linear"


def test_history_lr_panel_log_cost_and_best_epoch_marker():
    h = _history([{"train_cost": 1.0, "lr": 0.1}, {"train_cost": 0.1, "lr": 0.05}, {"train_cost": 0.01, "lr": 0.05}],
                 best=2)
    fig = h.plot(log_cost=True)
    assert [ax.get_title() for ax in fig.axes] == ["cost", "learning rate"]
    cost, lr = fig.axes
    assert cost.get_yscale() == "log"
    best = [l for l in cost.get_lines() if l.get_label() == "best"]
    assert len(best) == 1 and list(best[0].get_xdata()) == [2, 2]
    np.testing.assert_allclose(lr.get_lines()[0].get_ydata(), [0.1, 0.05, 0.05])
    assert (lr.get_xlabel(), lr.get_ylabel()) == ("epoch", "learning rate")
    assert not [l for l in plot_history(_history([{"train_cost": 1.0}])).axes[0].get_lines()
                if l.get_label() == "best"]


def test_history_empty_is_refused():
    with pytest.raises(ValueError, match="^plot_history: the History is empty$"):
        plot_history(History())
