"""Babysitting one model (the course's "panda" approach): continue from its last checkpoint with
a hyperparameter changed, and keep a log of every change.

When there is compute for only one model at a time, one watches it train and nudges it: day 1
with ``lr = 0.01``, day 2 the cost plateaus, so continue from the checkpoint with ``lr = 0.003``,
and so on.  :func:`continue_training` does the bookkeeping for any user function::

    def train_more(config, checkpoint):          # user code, any framework
        state = load(checkpoint) if exists(checkpoint) else init(config)
        ... train for config["epochs"] epochs with config["lr"] ...
        save(state, checkpoint)                  # ideally atomically: write a temp file, rename
        return {"dev_cost": ...}

    continue_training(train_more, "run.npz", config={"lr": 0.01, "epochs": 5})  # session 0
    continue_training(train_more, "run.npz", changes={"lr": 0.003})             # session 1

Each session is one JSON line in ``<checkpoint>.panda.jsonl``: its number, the full config,
the changes, the metrics and the seconds it took.
"""
from __future__ import annotations

import copy
import json
import os
import time

from .store import ResultsFile, read_records
from .trial import plain_metrics

__all__ = ["continue_training", "training_history"]


def _log_path(checkpoint, log_file):
    return os.fspath(log_file) if log_file is not None else os.fspath(checkpoint) + ".panda.jsonl"


def training_history(checkpoint, log_file=None) -> list:
    """The sessions recorded by :func:`continue_training` for ``checkpoint``, oldest first."""
    return read_records(_log_path(checkpoint, log_file))


def _merged(base, changes, allow_new_keys, where=""):
    out = copy.deepcopy(base)
    for k, v in changes.items():
        if k not in out and not allow_new_keys:
            raise KeyError(f"continue_training: change '{where}{k}' is not a hyperparameter of the model "
                           f"(have {sorted(out)}); pass allow_new_keys=True to add it")
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merged(out[k], v, allow_new_keys, f"{where}{k}.")
        else:
            out[k] = copy.deepcopy(v)
    return out


def continue_training(train_from_checkpoint, checkpoint, changes=None, *, config=None, log_file=None,
                      allow_new_keys=False) -> dict:
    """Train one model further from ``checkpoint`` with the last config updated by ``changes``.

    Parameters
    ----------
    train_from_checkpoint : callable ``(config, checkpoint) -> metrics dict``
        Loads ``checkpoint`` if it exists (else starts a new model), trains with ``config``,
        saves the new state to ``checkpoint`` and returns its metrics.
    checkpoint : path
        The model's checkpoint (what is in it is up to ``train_from_checkpoint``).
    changes : dict, optional
        Hyperparameters to change for this session (nested dicts are merged).  Keys must exist
        in the config unless ``allow_new_keys``.
    config : dict, optional
        The config to start from; required for the first session, and by default the last
        session's config afterwards.
    log_file : path, optional
        The session log (default ``<checkpoint>.panda.jsonl``).

    Returns
    -------
    dict
        The session's metrics.  If ``train_from_checkpoint`` raises, nothing is logged.
    """
    log = _log_path(checkpoint, log_file)
    history = read_records(log)
    if config is None:
        if not history:
            raise ValueError(f"continue_training: no session is recorded in {log}, so there is no config to "
                             f"continue from; pass config= for the first session")
        config = history[-1]["config"]
    if not isinstance(config, dict) or not isinstance(changes or {}, dict):
        raise TypeError("continue_training: config and changes must be dicts, got "
                        f"{type(config).__name__} and {type(changes).__name__}")
    new_config = _merged(config, changes or {}, allow_new_keys)
    json.dumps(new_config)  # fail before training if the config cannot be logged
    start = time.perf_counter()
    metrics = plain_metrics(train_from_checkpoint(copy.deepcopy(new_config), checkpoint), "value")
    record = {"session": len(history), "config": new_config, "changes": changes or {}, "metrics": metrics,
              "time": time.perf_counter() - start, "checkpoint": os.fspath(checkpoint)}
    store = ResultsFile(log)
    try:
        store.open()
        store.append(record)
    finally:
        store.close()
    return metrics
