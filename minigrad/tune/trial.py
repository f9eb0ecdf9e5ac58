"""One trial: its record, and the function that runs it (in whatever process an executor picks).

:func:`run_trial` is what executors receive; it lives at module level so process pools and
Dask can send it by reference.  It never lets the user's exception escape (except
``KeyboardInterrupt``/``SystemExit``): a trial that raises, returns no usable metrics or a NaN
is a *failed* trial, recorded with its error, and the search goes on.
"""
from __future__ import annotations

import copy
import math
import numbers
import time
import traceback
from dataclasses import asdict, dataclass, field

from .timeout import call_with_timeout

__all__ = ["Trial", "run_trial", "plain_metrics", "check_metrics"]


@dataclass
class Trial:
    """The record of one trial, as stored in the results file (one JSON line).

    Attributes
    ----------
    trial_id : int
        Position in the search's plan (0, 1, ...); the same in every run of the same search.
    config : dict
        The hyperparameters passed to ``train`` (including the per-trial seed, if any).
    metrics : dict
        What ``train`` returned (numbers made plain floats); empty if ``train`` raised, kept (with
        the NaN) when a NaN failed the trial.
    status : str
        ``"ok"`` or ``"failed"``.
    error : str or None
        For a failed trial: the exception (last line first) or the reason (e.g. a NaN metric).
    time : float
        Seconds ``train`` ran.
    round : int
        Coarse-to-fine round (0 for one-round searches).
    """

    trial_id: int
    config: dict
    metrics: dict = field(default_factory=dict)
    status: str = "ok"
    error: str | None = None
    time: float = 0.0
    round: int = 0

    @property
    def ok(self) -> bool:
        """True when the trial finished with usable metrics (``status == "ok"``)."""
        return self.status == "ok"

    def to_dict(self) -> dict:
        """The trial as a plain dict of its fields (what the JSON-lines results file stores)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Trial":
        """A Trial from a dict made by :meth:`to_dict` (one results-file line); ``KeyError`` if fields are missing."""
        names = ("trial_id", "config", "metrics", "status", "error", "time", "round")
        missing = [n for n in ("trial_id", "config", "status") if n not in d]
        if missing:
            raise ValueError(f"tune: a trial record lacks {missing}: {d!r}")
        return cls(**{n: d[n] for n in names if n in d})


def _num_elements(value, default):
    """How many numbers ``value`` holds: NumPy's ``size`` attribute, a Tensor's ``numel()`` (its ``size``
    is PyTorch's method giving the shape), else ``default``."""
    size = getattr(value, "size", default)
    if callable(size):
        numel = getattr(value, "numel", None)
        return numel() if callable(numel) else default
    return size


def _plain(value, name):
    """A metric value as a JSON-friendly Python value (numbers via ``.item()`` for arrays/Tensors)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _plain(v, f"{name}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, f"{name}[{i}]") for i, v in enumerate(value)]
    if hasattr(value, "item") and _num_elements(value, 1) == 1:  # numpy scalar, 0-d array, Tensor
        return _plain(value.item(), name)
    if hasattr(value, "tolist"):
        return _plain(value.tolist(), name)
    raise TypeError(f"metric {name!r} has type {type(value).__name__}; metrics must be numbers, strings, "
                    f"bools, None, or lists/dicts of these")


def plain_metrics(metrics, objective: str) -> dict:
    """``train``'s return value as a dict of plain values; a bare number means ``{objective: number}``.

    Raises ``TypeError`` (naming the metric) when a value cannot be recorded.
    """
    if isinstance(metrics, numbers.Real) or (hasattr(metrics, "item") and _num_elements(metrics, 0) == 1):
        metrics = {objective: metrics}
    if not isinstance(metrics, dict):
        raise TypeError(f"train must return a dict of metrics (or a number, taken as {objective!r}), "
                        f"got {type(metrics).__name__}")
    return {str(k): _plain(v, str(k)) for k, v in metrics.items()}


def check_metrics(metrics: dict, objective: str) -> None:
    """Raise if the objective is missing or not a finite number, or any metric is NaN."""
    if objective not in metrics:
        raise KeyError(f"train's metrics lack the objective {objective!r} (got {sorted(metrics)})")
    value = metrics[objective]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"objective {objective!r} must be a number, got {value!r}")
    nan = [k for k, v in metrics.items() if isinstance(v, float) and math.isnan(v)]
    if nan:
        raise ValueError(f"metric {nan[0]!r} is NaN" + (f" (also {nan[1:]})" if nan[1:] else ""))
    if not math.isfinite(value):
        raise ValueError(f"objective {objective!r} is {value} (the run diverged)")


def _error_text(exc: BaseException) -> str:
    """``"ValueError: message"`` followed by the traceback, so the cause is the first thing read."""
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return f"{type(exc).__name__}: {exc}\n{tb}"


def run_trial(train, trial_id: int, config: dict, objective: str, round: int = 0, timeout=None) -> dict:
    """Run ``train(config)`` once and return the trial's record (a plain dict, see :class:`Trial`).

    Exceptions from ``train`` (other than ``KeyboardInterrupt``/``SystemExit``), metrics that
    cannot be recorded, a missing objective and NaN metrics make a ``"failed"`` record; so does
    running longer than ``timeout`` seconds (see :mod:`minigrad.tune.timeout`).
    """
    record = Trial(trial_id=trial_id, config=copy.deepcopy(config), round=round)
    start = time.perf_counter()
    try:
        raw = train(copy.deepcopy(config)) if timeout is None else call_with_timeout(train, copy.deepcopy(config),
                                                                                      timeout)
        record.time = time.perf_counter() - start
        record.metrics = plain_metrics(raw, objective)
        check_metrics(record.metrics, objective)
    except Exception as exc:  # the search goes on; the error is kept with the trial
        record.time = record.time or time.perf_counter() - start
        record.status, record.error = "failed", _error_text(exc)
    return record.to_dict()
