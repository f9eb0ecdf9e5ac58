"""What a search returns: the trials sorted by the objective, the best config, a table and a plot."""
from __future__ import annotations

import math

from .space import flatten
from .store import check_record, read_records
from .trial import Trial

__all__ = ["Results", "load_results"]


def _check_mode(mode):
    if mode not in ("min", "max"):
        raise ValueError(f"tune: mode must be 'min' (e.g. a cost) or 'max' (e.g. an accuracy), got {mode!r}")


def _rank(value, sign):
    """Sort key: finite numbers by value (times sign), anything else (missing, NaN) after them."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return (0, sign * value) if ok else (1, 0.0)


def _fmt(v, width=10):
    if isinstance(v, float):
        s = f"{v:.4g}"
    elif isinstance(v, (list, dict)):
        s = "[..]" if isinstance(v, list) else "{..}"
    else:
        s = str(v)
    return s[:width]


class Results:
    """The trials of a search, best first.

    Successful trials come first, sorted by ``metrics[objective]`` (ascending for ``mode="min"``,
    descending for ``"max"``; ties by trial id), then failed trials by id.

    Attributes
    ----------
    trials : list of Trial
        All trials, in that order.
    objective, mode : str
        The metric ranked on and its direction.
    space : dict or None
        The search space (used by :meth:`plot` to pick each axis's scale).
    spaces : list of dict
        For coarse-to-fine, the space of each round (``spaces[0]`` is the initial one).
    path : str or None
        The results file, if any.
    """

    def __init__(self, trials, objective="dev_cost", mode="min", space=None, spaces=None, path=None):
        _check_mode(mode)
        trials = [t if isinstance(t, Trial) else Trial.from_dict(t) for t in trials]
        sign = 1.0 if mode == "min" else -1.0
        ok = sorted((t for t in trials if t.ok), key=lambda t: (*_rank(t.metrics.get(objective), sign), t.trial_id))
        bad = sorted((t for t in trials if not t.ok), key=lambda t: t.trial_id)
        self.trials, self.objective, self.mode = ok + bad, objective, mode
        self.space, self.spaces, self.path = space, list(spaces or ([space] if space else [])), path

    @property
    def ok(self) -> list:
        """The successful trials, best first."""
        return [t for t in self.trials if t.ok]

    @property
    def failed(self) -> list:
        """The failed trials, by id."""
        return [t for t in self.trials if not t.ok]

    @property
    def best(self) -> Trial:
        """The best successful trial (raises ``RuntimeError`` if every trial failed)."""
        if not self.trials or not self.trials[0].ok:
            first = self.trials[0].error.splitlines()[0] if self.trials else "no trials ran"
            raise RuntimeError(f"tune: no successful trial among {len(self.trials)} (first error: {first})")
        return self.trials[0]

    @property
    def best_config(self) -> dict:
        """The config of the best trial."""
        return self.best.config

    def values(self, name=None) -> list:
        """The metric ``name`` (default: the objective) of each successful trial, best first."""
        name = name or self.objective
        return [t.metrics.get(name, math.nan) for t in self.ok]

    def to_dicts(self) -> list:
        """Every trial as a plain dict (:meth:`Trial.to_dict`), in order: e.g. for a pandas DataFrame."""
        return [t.to_dict() for t in self.trials]

    def __len__(self):
        return len(self.trials)

    def __iter__(self):
        return iter(self.trials)

    def __getitem__(self, i):
        return self.trials[i]

    def table(self, max_rows: int | None = 20) -> str:
        """A text table: rank, id, status, objective, other metrics, config (dotted names), seconds."""
        rows = self.trials if max_rows is None else self.trials[:max_rows]
        metric_names = [self.objective] + sorted({k for t in rows for k, v in t.metrics.items()
                                                  if k != self.objective and not isinstance(v, (list, dict))})
        config_names = list(dict.fromkeys(k for t in rows for k in flatten(t.config)))
        head = ["#", "trial", "status"] + metric_names + config_names + ["time_s"]
        lines = []
        for rank, t in enumerate(rows):
            cfg = flatten(t.config)
            cells = [rank, t.trial_id, t.status] + [t.metrics.get(m, "") for m in metric_names] + \
                    [cfg.get(c, "") for c in config_names] + [t.time]
            lines.append([_fmt(c) for c in cells])
        widths = [max(len(h[:12]), *(len(r[i]) for r in lines)) if lines else len(h[:12])
                  for i, h in enumerate(head)]
        out = ["  ".join(h[:12].rjust(w) for h, w in zip(head, widths))]
        out += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in lines]
        if len(rows) < len(self.trials):
            out.append(f"... {len(self.trials) - len(rows)} more")
        for t in self.failed[:5]:
            out.append(f"trial {t.trial_id} failed: {(t.error or '').splitlines()[0] if t.error else ''}")
        return "\n".join(out)

    def __str__(self):
        return self.table()

    def __repr__(self):
        best = f", best {self.objective}={self.best.metrics[self.objective]:.4g}" if self.ok else ""
        return f"<Results: {len(self.trials)} trials, {len(self.failed)} failed{best}>"

    def plot(self, params=None, metric=None, space=None, path=None):
        """Metric against each hyperparameter on its own scale; see :func:`minigrad.tune.plot.plot_results`."""
        from .plot import plot_results
        return plot_results(self, params=params, metric=metric, space=space, path=path)


def load_results(path, objective="dev_cost", mode="min", space=None) -> Results:
    """The :class:`Results` of a results file (for a search that was run elsewhere or earlier).

    Where a trial id appears more than once (a failed trial run again) the last record wins.
    """
    by_id = {}
    for rec in read_records(path, check_record):
        by_id[rec["trial_id"]] = rec
    return Results(list(by_id.values()), objective, mode, space=space, path=str(path))
