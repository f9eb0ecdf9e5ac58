"""Checks used by the callbacks: their arguments, their saved states, and what they may write.

Each ``check_*_state`` function reads a saved state into plain Python values or raises a
``ValueError`` naming the entry, without changing anything, so a callback's
``load_state_dict`` either loads everything or nothing.
"""
from __future__ import annotations

import math
import numbers
import os

import numpy as np

from ..tensor import Tensor
from .guard import NonFiniteLossError, all_finite

__all__ = ["check_best_state", "check_early_stopping_state", "check_flag", "check_path_template",
           "refuse_nonfinite_model"]


def _scalar(value, what):
    v = value.numpy() if isinstance(value, Tensor) else value
    if isinstance(v, np.ndarray):
        if v.ndim != 0:
            raise ValueError(f"{what} must be a single number, got an array of shape {v.shape}")
        v = v[()]
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
        raise ValueError(f"{what} must be a number, got {value!r}")
    return v


def _int(value, what, low):
    v = _scalar(value, what)
    if not isinstance(v, numbers.Integral) or v < low:
        raise ValueError(f"{what} must be an integer >= {low}, got {value!r}")
    return int(v)


def check_best_state(state, who="callback"):
    """(value, epoch) of a saved best-so-far record ``{"value", "epoch"}`` (epoch -1: none yet)."""
    if not isinstance(state, dict) or not {"value", "epoch"} <= set(state):
        raise ValueError(f"{who}.load_state_dict: the best-so-far record must be a dict with 'value' and "
                         f"'epoch', got {state!r}")
    value = float(_scalar(state["value"], f"{who}.load_state_dict: best value"))
    if math.isnan(value):
        raise ValueError(f"{who}.load_state_dict: the best value is NaN")
    return value, _int(state["epoch"], f"{who}.load_state_dict: best epoch", -1)


def check_early_stopping_state(state):
    """((best value, best epoch), wait, stopped_epoch) of a saved EarlyStopping state."""
    who = "EarlyStopping"
    if not isinstance(state, dict) or not {"best", "wait", "stopped_epoch"} <= set(state):
        raise ValueError(f"{who}.load_state_dict: expected a dict with 'best', 'wait' and 'stopped_epoch', got "
                         f"{sorted(state) if isinstance(state, dict) else type(state).__name__}")
    best = check_best_state(state["best"], who)
    wait = _int(state["wait"], f"{who}.load_state_dict: wait", 0)
    stopped = _int(state["stopped_epoch"], f"{who}.load_state_dict: stopped_epoch", -1)
    if "best_state" in state and not isinstance(state["best_state"], dict):
        raise ValueError(f"{who}.load_state_dict: best_state must be a model state_dict (a dict), got "
                         f"{type(state['best_state']).__name__}")
    return best, wait, stopped


def check_flag(who, name, value):
    """``value`` is True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{who}: {name} must be True or False, got {value!r}")


def check_path_template(who, name, path):
    """``path`` is None, or a str / os.PathLike whose only placeholder is ``{epoch}``."""
    if path is None:
        return
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{who}: {name} must be a path (str or os.PathLike), got {type(path).__name__}")
    try:
        os.fspath(path).format(epoch=1)
    except (KeyError, IndexError, ValueError, AttributeError) as e:
        raise ValueError(f"{who}: {name}={os.fspath(path)!r} has a placeholder that cannot be filled "
                         f"({type(e).__name__}: {e}); only {{epoch}} (e.g. {{epoch:03d}}) is available") from None


def _tensors(obj):
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _tensors(v)
    elif isinstance(obj, Tensor):
        yield obj
    elif isinstance(obj, np.ndarray) and obj.dtype.kind in "fc":
        yield Tensor(obj)


def refuse_nonfinite_model(model_state, epoch):
    """Raise rather than write a checkpoint of a model with NaN/Inf parameters (the previous
    checkpoint files are kept as they are)."""
    if not all_finite(list(_tensors(model_state))):
        raise NonFiniteLossError(
            f"ModelCheckpoint: the model's parameters hold NaN or Inf after epoch {epoch}; the checkpoint was not "
            "written, so the files written earlier are kept as they were")
