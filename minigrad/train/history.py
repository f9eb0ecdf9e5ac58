"""The record of a training run: one row of numbers per epoch.

Keys (each a list with one value per epoch, ``nan`` where a value was not measured):

==========================  ==========================================================
``train_cost``              mean mini-batch cost over the epoch (the course's J)
``dev_cost``                cost on the dev set after the epoch (eval mode, no grad)
``train_<m>``, ``dev_<m>``  each metric ``m`` (e.g. ``train_accuracy``)
``lr``                      learning rate used during the epoch (first param group)
``time``                    wall time of the epoch in seconds
``grad_norm:<param>``       mean over the epoch's steps of ||dL/dparam||_2
``act_mean:<layer>``        mean / std of a layer's output on a fixed probe batch
``act_std:<layer>``         (when the model exposes ``named_modules()``)
``skipped_steps``           steps skipped for a NaN/Inf loss or gradient (``on_nonfinite="skip_step"``)
==========================  ==========================================================
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["History"]


class History:
    """Per-epoch training and dev costs, metrics, learning rate, timing and diagnostics.

    Examples
    --------
    >>> h = History()
    >>> h.append({"train_cost": 0.9, "dev_cost": 1.0})
    >>> h.append({"train_cost": 0.5, "dev_cost": 0.7})
    >>> h["dev_cost"], h.epochs, h.last("train_cost")
    ([1.0, 0.7], [1, 2], 0.5)
    """

    def __init__(self):
        self.records: dict[str, list] = {}
        self.best_epoch = None
        self.stopped_epoch = None

    # ----- recording ------------------------------------------------------------------
    def append(self, logs):
        """Add one epoch; keys new to the history get ``nan`` for the earlier epochs, and keys
        recorded before but missing from ``logs`` get ``nan`` for this epoch (all lists stay as long
        as the history).  Values are stored as Python floats.

        >>> h = History()
        >>> h.append({"train_cost": 1.0})
        >>> h.append({"dev_cost": 2})
        >>> h["train_cost"], h["dev_cost"]
        ([1.0, nan], [nan, 2.0])
        """
        n = len(self)
        for key, value in logs.items():
            self.records.setdefault(key, [math.nan] * n).append(float(value))
        for values in self.records.values():
            if len(values) == n:
                values.append(math.nan)

    # ----- reading --------------------------------------------------------------------
    def __len__(self):
        return max((len(v) for v in self.records.values()), default=0)

    def __getitem__(self, key):
        try:
            return self.records[key]
        except KeyError:
            raise KeyError(f"History: no record {key!r}; recorded: {sorted(self.records)}") from None

    def __contains__(self, key):
        return key in self.records

    def keys(self):
        """The names recorded so far (e.g. ``"train_cost"``, ``"dev_accuracy"``, ``"lr"``)."""
        return self.records.keys()

    @property
    def epochs(self):
        """Epoch numbers, starting at 1."""
        return list(range(1, len(self) + 1))

    def last(self, key):
        """The value of ``key`` at the last epoch (``nan`` if it was not recorded then; a KeyError
        naming the recorded keys if it never was)."""
        return self[key][-1]

    def _prefixed(self, prefix):
        return {k[len(prefix):]: v for k, v in self.records.items() if k.startswith(prefix)}

    @property
    def grad_norms(self):
        """``{parameter name: [mean gradient 2-norm per epoch]}``."""
        return self._prefixed("grad_norm:")

    @property
    def activations(self):
        """``{layer name: {"mean": [...], "std": [...]}}`` of layer outputs per epoch."""
        means, stds = self._prefixed("act_mean:"), self._prefixed("act_std:")
        return {name: {"mean": means[name], "std": stds.get(name, [])} for name in means}

    # ----- analysis and pictures ----------------------------------------------------
    def diagnose(self, human_error=0.0, epoch=None, **kwargs):
        """Bias / variance diagnosis from the recorded train and dev error (see
        :func:`minigrad.train.diagnose`)."""
        from .diagnose import diagnose

        return diagnose(self, human_error=human_error, epoch=epoch, **kwargs)

    def plot(self, path=None, **kwargs):
        """Cost (train vs dev), metrics and learning rate against epochs (see
        :func:`minigrad.train.plot_history`); saved as PNG when ``path`` is given."""
        from .plots import plot_history

        return plot_history(self, path=path, **kwargs)

    # ----- saving ----------------------------------------------------------------------
    def state_dict(self):
        """Every record as a float64 array, and the best and stopped epochs (-1 for none)."""
        return {"records": {k: np.asarray(v, dtype=np.float64) for k, v in self.records.items()},
                "best_epoch": np.asarray(-1 if self.best_epoch is None else self.best_epoch),
                "stopped_epoch": np.asarray(-1 if self.stopped_epoch is None else self.stopped_epoch)}

    def load_state_dict(self, state):
        """Restore :meth:`state_dict` (everything is read first: on error nothing changes)."""
        records = {k: [float(x) for x in np.asarray(v, dtype=np.float64).reshape(-1)]
                   for k, v in state["records"].items()}
        best, stopped = int(np.asarray(state["best_epoch"])), int(np.asarray(state["stopped_epoch"]))
        self.records = records
        self.best_epoch = None if best < 0 else best
        self.stopped_epoch = None if stopped < 0 else stopped
        return self

    def __repr__(self):
        if not len(self):
            return "History(empty)"
        shown = [k for k in self.records if ":" not in k]
        last = ", ".join(f"{k}={self.records[k][-1]:.4g}" for k in shown)
        return f"History(epochs={len(self)}, last: {last})"
