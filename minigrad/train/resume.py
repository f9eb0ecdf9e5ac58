"""A Trainer's checkpoint: writing its state, loading it all or nothing, and saying what is intact.

:func:`load_trainer_state` first checks the checkpoint's structure (epoch, history, callback
and generator entries), then snapshots everything it may change -- model, optimizer,
scheduler, loader, callbacks, history, epoch and the devices' random generators -- and loads
part by part.  If any part fails, every snapshot is put back before a ``ValueError`` naming
the part propagates, so a corrupted or foreign checkpoint never leaves a half-loaded run
(e.g. a scheduler at the checkpoint's epoch with the optimizer at the old one).

:func:`checkpoint_note` is the sentence error messages use about the last checkpoint; it reads
the file back before calling it intact.
"""
from __future__ import annotations

import numbers

import numpy as np

from .guard import all_finite
from .state import copy_state, device_rng_states, load_file, set_device_rng_states
from ..tensor import Tensor

__all__ = ["trainer_state", "load_trainer_state", "check_trainer_state", "checkpoint_note", "callback_key"]


def callback_key(i, cb):
    """The key of callback ``i`` in a checkpoint's ``"callbacks"`` entry."""
    return f"{i}:{type(cb).__name__}"


def _devices(trainer):
    return sorted({str(p.device) for p in trainer.model.parameters()})


def trainer_state(trainer):
    """Everything needed to resume ``trainer``: model, optimizer, scheduler, epoch, the loader's
    and the devices' random generators, the history and the callbacks' states."""
    state = {"model": trainer.model.state_dict(), "optimizer": trainer.optimizer.state_dict(),
             "epoch": trainer.epoch, "stop_training": int(trainer.stop_training),
             "rng": device_rng_states(_devices(trainer)), "history": trainer.history.state_dict(),
             "callbacks": {callback_key(i, cb): cb.state_dict() for i, cb in enumerate(trainer.callbacks)}}
    if trainer.scheduler is not None and hasattr(trainer.scheduler, "state_dict"):
        state["scheduler"] = trainer.scheduler.state_dict()
    if hasattr(trainer.loader, "state_dict"):
        state["loader"] = trainer.loader.state_dict()
    return state


# ----- checking ---------------------------------------------------------------------------
def _int(value, what, low=0):
    """``value`` (an int, or a 0-d integer array / Tensor) as an int >= ``low``, else ValueError."""
    v = value.numpy() if isinstance(value, Tensor) else value
    if isinstance(v, np.ndarray) and v.ndim == 0:
        v = v[()]
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral) or int(v) < low:
        raise ValueError(f"fit: the checkpoint's {what} must be an integer >= {low}, got {_short(value)}")
    return int(v)


def _short(x, n=60):
    s = repr(x)
    return s if len(s) <= n else s[:n] + "..."


def check_trainer_state(trainer, state):
    """Raise ValueError for a checkpoint whose structure does not fit ``trainer``; changes nothing."""
    if not isinstance(state, dict):
        raise ValueError(f"fit: a training checkpoint is a dict, got {type(state).__name__}")
    missing = [k for k in ("model", "optimizer", "epoch") if k not in state]
    if missing:
        raise ValueError(f"fit: the checkpoint lacks {missing}; it holds {sorted(map(str, state))}")
    _int(state["epoch"], "epoch")
    if _int(state.get("stop_training", 0), "stop_training") > 1:
        raise ValueError(f"fit: the checkpoint's stop_training must be 0 or 1, got {state['stop_training']!r}")
    if "history" in state:
        _check_history(state["history"], _int(state["epoch"], "epoch"))
    _check_callbacks(trainer, state.get("callbacks", {}))
    rng = state.get("rng", {})
    if not isinstance(rng, dict) or not all(isinstance(k, str) for k in rng):
        raise ValueError(f"fit: the checkpoint's rng entry must map device names to generator states, got "
                         f"{_short(rng)}")
    if trainer.scheduler is not None and hasattr(trainer.scheduler, "load_state_dict") and "scheduler" not in state:
        raise ValueError("fit: the checkpoint has no scheduler state but a scheduler was given")


def _check_history(history, epoch):
    if not isinstance(history, dict) or not isinstance(history.get("records"), dict):
        raise ValueError(f"fit: the checkpoint's history must be a dict with 'records', got {_short(history)}")
    lengths = set()
    for key, values in history["records"].items():
        arr = values.numpy() if isinstance(values, Tensor) else np.asarray(values)
        if not isinstance(key, str) or arr.ndim != 1 or arr.dtype.kind not in "fiu":
            raise ValueError(f"fit: the checkpoint's history record {key!r} must be a 1-D array of numbers, got "
                             f"{_short(values)}")
        lengths.add(arr.shape[0])
    if len(lengths) > 1 or (lengths and lengths != {epoch}):
        raise ValueError(f"fit: the checkpoint's history records have lengths {sorted(lengths)}, but its epoch is "
                         f"{epoch}; the history must hold one value per epoch")
    for key in ("best_epoch", "stopped_epoch"):
        _int(history.get(key, -1), f"history {key}", low=-1)


def _check_callbacks(trainer, saved):
    if not isinstance(saved, dict):
        raise ValueError(f"fit: the checkpoint's callbacks entry must be a dict, got {type(saved).__name__}")
    ours = {i: callback_key(i, cb) for i, cb in enumerate(trainer.callbacks)}
    for key in saved:  # entries of callbacks this run lacks are ignored; others must be of the same class
        index = str(key).split(":", 1)[0]
        if not isinstance(key, str) or ":" not in key or not index.isdigit():
            raise ValueError(f"fit: the checkpoint's callbacks entry has a malformed key {key!r} (expected "
                             "'<index>:<class name>')")
        if int(index) in ours and ours[int(index)] != key:
            raise ValueError(f"fit: the checkpoint holds state for callback {key}, but this run's callback "
                             f"{index} is {ours[int(index)]}; resume with the callbacks of the saved run, in the "
                             "same order")
    for key, value in saved.items():
        if not isinstance(value, dict):
            raise ValueError(f"fit: the checkpoint's state of callback {key} must be a dict, got {_short(value)}")


# ----- loading all or nothing -------------------------------------------------------------
def _snapshot(trainer):
    parts = {"model": (trainer.model, copy_state(trainer.model.state_dict())),
             "optimizer": (trainer.optimizer, copy_state(trainer.optimizer.state_dict())),
             "history": (trainer.history, copy_state(trainer.history.state_dict()))}
    for name, obj in (("scheduler", trainer.scheduler), ("loader", trainer.loader)):
        if obj is not None and hasattr(obj, "state_dict") and hasattr(obj, "load_state_dict"):
            parts[name] = (obj, copy_state(obj.state_dict()))
    for i, cb in enumerate(trainer.callbacks):
        parts[callback_key(i, cb)] = (cb, copy_state(cb.state_dict()))
    return parts, device_rng_states(_devices(trainer)), (trainer.epoch, trainer.stop_training)


def _restore(trainer, snapshot):
    """Put every snapshot back; returns the names of the parts that could not be restored."""
    parts, rng, (epoch, stop) = snapshot
    failed = []
    for name, (obj, state) in parts.items():
        try:
            obj.load_state_dict(state)
        except Exception:  # keep restoring the others
            failed.append(name)
    set_device_rng_states(rng)
    trainer.epoch, trainer.stop_training = epoch, stop
    return failed


def _load_parts(trainer, state):
    yield "model", lambda: trainer.model.load_state_dict(state["model"])
    yield "optimizer", lambda: trainer.optimizer.load_state_dict(state["optimizer"])
    if trainer.scheduler is not None and hasattr(trainer.scheduler, "load_state_dict"):
        yield "scheduler", lambda: trainer.scheduler.load_state_dict(state["scheduler"])
    if "loader" in state and hasattr(trainer.loader, "load_state_dict"):
        yield "loader", lambda: trainer.loader.load_state_dict(state["loader"])
    saved = state.get("callbacks", {})
    for i, cb in enumerate(trainer.callbacks):
        key = callback_key(i, cb)
        if key in saved:
            yield f"callback {key}", lambda cb=cb, key=key: cb.load_state_dict(saved[key])
    if "history" in state:
        yield "history", lambda: trainer.history.load_state_dict(state["history"])
    yield "rng", lambda: set_device_rng_states(state.get("rng", {}))


def load_trainer_state(trainer, state):
    """Load ``state`` into ``trainer`` entirely, or change nothing and raise ValueError."""
    check_trainer_state(trainer, state)
    snapshot = _snapshot(trainer)
    for part, load in _load_parts(trainer, state):
        try:
            load()
        except Exception as e:
            failed = _restore(trainer, snapshot)
            kept = ("nothing was changed: the model, optimizer, scheduler, loader, callbacks, history, epoch and "
                    "random generators are as they were" if not failed else
                    f"restoring the previous state failed for {failed}, which may be partly loaded")
            raise ValueError(f"fit: the checkpoint's {part} entry cannot be loaded ({type(e).__name__}: {e}); "
                             f"{kept}") from e
    trainer.epoch = _int(state["epoch"], "epoch")
    trainer.stop_training = bool(_int(state.get("stop_training", 0), "stop_training"))


# ----- what is intact ---------------------------------------------------------------------
def checkpoint_note(callbacks):
    """A true sentence about the newest checkpoint written by ``callbacks`` in this run.

    The file is read back: it is called intact only if it loads (checksum included) and its
    model parameters are all finite.
    """
    saved = [cb.last_saved for cb in callbacks if getattr(cb, "last_saved", None)]
    if not saved:
        return "no checkpoint had been written in this run"
    path, at = max(saved, key=lambda s: s[1])
    try:
        state = load_file(path)
        model = state["model"]
    except Exception as e:  # a missing, replaced or damaged file
        return f"the last checkpoint written, {path!r} (epoch {at}), cannot be read back ({type(e).__name__}: {e})"
    tensors = [v if isinstance(v, Tensor) else Tensor(np.asarray(v)) for v in _leaves(model)]
    if not all_finite(tensors):
        return f"the last checkpoint written, {path!r} (epoch {at}), holds NaN or Inf parameters"
    return f"the last checkpoint, {path!r} (epoch {at}), was read back and holds finite parameters"


def _leaves(obj):
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _leaves(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _leaves(v)
    elif isinstance(obj, (Tensor, np.ndarray, numbers.Number)):
        yield obj
