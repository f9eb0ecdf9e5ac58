"""Plot a metric against each hyperparameter, each on its own scale (needs matplotlib).

A learning rate drawn with ``log_uniform`` gets a log axis; a ``beta`` drawn with
``one_minus_log_uniform`` is shown as ``1 - beta`` on a log axis (reversed, so ``beta`` grows to
the right); a choice gets one tick per option.  Points are coloured by coarse-to-fine round and
the best trial is circled.  Uses ``matplotlib.figure.Figure`` directly: no pyplot, no backend or
global state is touched.
"""
from __future__ import annotations

import numbers

from .space import distributions, flatten

__all__ = ["plot_results"]


def _matplotlib_figure():
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("tune: plotting results needs matplotlib (pip install matplotlib)") from None
    return Figure


def _default_params(results, space):
    if space:
        return list(distributions(space))
    numeric = {}
    for t in results.ok:
        for k, v in flatten(t.config).items():
            if isinstance(v, numbers.Real) and not isinstance(v, bool):
                numeric.setdefault(k, set()).add(v)
    return [k for k, vals in numeric.items() if len(vals) > 1 and k not in ("seed", "trial_seed")]


def _axis(ax, name, dist, xs):
    """Put ``xs`` on ``ax``'s x axis on ``dist``'s scale; return the values to plot."""
    scale = getattr(dist, "scale", "linear")
    ax.set_xlabel(name)
    if scale == "log":
        ax.set_xscale("log")
    elif scale == "one_minus_log":
        ax.set_xscale("log")
        ax.invert_xaxis()
        ax.set_xlabel(f"1 - {name}")
        return [1.0 - x for x in xs]
    elif scale == "categorical" or any(not isinstance(x, numbers.Real) for x in xs):
        options = getattr(dist, "options", None) or list({repr(x): x for x in xs}.values())  # in order of appearance
        labels = [o if isinstance(o, str) else repr(o) for o in options]
        keys = [repr(o) for o in options]
        ax.set_xticks(range(len(options)), labels)
        return [keys.index(repr(x)) if repr(x) in keys else -1 for x in xs]
    return xs


def plot_results(results, params=None, metric=None, space=None, path=None):
    """One panel per hyperparameter: ``metric`` (default: the objective) of each successful trial.

    Parameters
    ----------
    results : Results
    params : list of str, optional
        Dotted hyperparameter names (default: every distribution of the space).
    metric : str, optional
    space : dict, optional
        The search space, for each axis's scale (default: ``results.space``).
    path : str, optional
        Also save the figure there.

    Returns
    -------
    matplotlib.figure.Figure
    """
    Figure = _matplotlib_figure()
    space = space if space is not None else results.space
    metric = metric or results.objective
    params = list(params) if params is not None else _default_params(results, space)
    dists = distributions(space) if space else {}
    trials = [t for t in results.ok if isinstance(t.metrics.get(metric), numbers.Real)]
    if not params or not trials:
        raise ValueError(f"tune: nothing to plot ({len(trials)} successful trials with {metric!r}, "
                         f"hyperparameters {params})")
    fig = Figure(figsize=(4 * len(params), 3.5), layout="constrained")
    axes = fig.subplots(1, len(params), squeeze=False)[0]
    ys = [t.metrics[metric] for t in trials]
    rounds = [t.round for t in trials]
    for ax, name in zip(axes, params):
        xs = _axis(ax, name, dists.get(name), [flatten(t.config).get(name) for t in trials])
        ax.scatter(xs, ys, c=rounds, cmap="viridis", s=18, vmin=0, vmax=max(max(rounds), 1))
        best = trials.index(results.best) if results.best in trials else None
        if best is not None:
            ax.scatter([xs[best]], [ys[best]], s=90, facecolors="none", edgecolors="red")
        ax.set_ylabel(metric)
        ax.grid(True, alpha=0.3)
    n_failed = len(results.failed)
    fig.suptitle(f"{len(trials)} trials" + (f", {n_failed} failed (not shown)" if n_failed else ""))
    if path is not None:
        fig.savefig(path)
    return fig
