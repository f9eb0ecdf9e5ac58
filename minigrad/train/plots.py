"""Pictures: learning curves from a History, and decision boundaries of 2-D classifiers.

matplotlib is an optional dependency (``pip install "minigrad[plot]"``).  Figures are built
with matplotlib's object API on the Agg canvas, without pyplot, so plotting never changes
the user's backend or opens a window; pass ``path=`` to save a PNG.
"""
from __future__ import annotations

import math

import numpy as np

from ..data.rows import to_host

__all__ = ["plot_history", "plot_decision_boundary", "new_figure"]


def new_figure(ncols=1, width=4.5, height=3.5):
    """An Agg-backed matplotlib Figure with ``ncols`` axes (a clear ImportError if matplotlib is missing)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as e:
        raise ImportError('plotting needs matplotlib, an optional dependency of minigrad: '
                          'pip install "minigrad[plot]" (or pip install matplotlib)') from e
    fig = Figure(figsize=(width * ncols, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    return fig, axes


def _save(fig, path):
    if path is not None:
        fig.savefig(path, format="png", dpi=100)
    return fig


def _has_values(history, key):
    return key in history and any(not math.isnan(v) for v in history[key])


def plot_history(history, path=None, log_cost=False):
    """Cost against epochs (train vs dev), each metric (train vs dev) and the learning rate.

    Returns the matplotlib Figure; saves it as PNG at ``path`` when given.
    """
    if not len(history):
        raise ValueError("plot_history: the History is empty")
    names = ["cost"] + sorted({k[len("train_"):] for k in history.keys()
                               if k.startswith("train_") and k != "train_cost"})
    panels = [n for n in names if _has_values(history, f"train_{n}") or _has_values(history, f"dev_{n}")]
    show_lr = _has_values(history, "lr")
    fig, axes = new_figure(len(panels) + show_lr)
    epochs = history.epochs
    for ax, name in zip(axes, panels):
        for part in ("train", "dev"):
            if _has_values(history, f"{part}_{name}"):
                ax.plot(epochs, history[f"{part}_{name}"], marker=".", label=part)
        ax.set(xlabel="epoch", ylabel=name, title=name)
        if name == "cost" and log_cost:
            ax.set_yscale("log")
        if history.best_epoch:
            ax.axvline(history.best_epoch, color="grey", linestyle=":", label="best")
        ax.legend()
    if show_lr:
        axes[-1].plot(epochs, history["lr"], marker=".", color="tab:green")
        axes[-1].set(xlabel="epoch", ylabel="learning rate", title="learning rate")
    return _save(fig, path)


def _grid(X, resolution, margin):
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    xx, yy = np.meshgrid(xs, ys)
    return xx, yy, np.stack([xx.ravel(), yy.ravel()], axis=1)


def _classes(scores, threshold):
    scores = to_host(scores)
    if scores.ndim == 2 and scores.shape[1] > 1:
        return scores.argmax(axis=1)
    return (scores.reshape(len(scores)) > threshold).astype(np.int64)


def plot_decision_boundary(model, X, y, path=None, resolution=200, margin=0.5, threshold=0.0, ax=None,
                           title="decision boundary"):
    """Colour the plane by the class ``model`` predicts and scatter the examples on top.

    Parameters
    ----------
    model
        A model (called on a grid Tensor in eval mode, see :func:`minigrad.train.predict`) or any
        function ``f(points) -> scores`` of an (n, 2) NumPy array.  Scores of shape (n, C) give
        ``argmax``; (n,) or (n, 1) give ``score > threshold`` (0 for logits).
    X : array or Tensor, shape (m, 2)
    y : array or Tensor, shape (m,) or (m, 1) (class labels) or (m, C) one-hot
    ax : matplotlib Axes, optional
        Draw there instead of on a new figure.

    Returns
    -------
    matplotlib Figure (saved as PNG at ``path`` when given)
    """
    X = to_host(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: X must have shape (m, 2), got {X.shape}")
    labels = to_host(y)
    labels = labels.argmax(axis=1) if labels.ndim == 2 and labels.shape[1] > 1 else labels.reshape(len(labels))
    xx, yy, points = _grid(X, resolution, margin)
    if hasattr(model, "parameters"):
        from .evaluation import predict

        scores = predict(model, points.astype(np.float32), batch_size=4096)
    else:
        scores = model(points)
    zz = _classes(scores, threshold).reshape(xx.shape)
    fig, ax = (new_figure()[0], None) if ax is None else (ax.figure, ax)
    ax = ax or fig.axes[0]
    ax.contourf(xx, yy, zz, alpha=0.3, cmap="coolwarm", levels=np.arange(zz.max() + 2) - 0.5)
    ax.scatter(X[:, 0], X[:, 1], c=labels, cmap="coolwarm", edgecolors="k", s=15)
    ax.set(xlabel="x1", ylabel="x2", title=title)
    return _save(fig, path)
