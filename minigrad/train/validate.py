"""Everything :func:`~minigrad.train.fit` is given is checked before the first step.

Each check raises at once, naming the argument, what it got and what it expected, so that a
mistake never costs an epoch of training (or a model changed by one): the flags and sizes,
the model / optimizer / scheduler protocols, the callbacks (each an object with the hook
methods, each monitored name one that the run will record, each checkpoint path fillable and
in a directory that exists), the dev set (lengths, finite values), the training data (finite
values) and integer class labels (within ``[0, C)`` for a model with ``C`` output columns).
"""
from __future__ import annotations

import difflib
import numbers
import os

import numpy as np

from ..data.rows import as_data, check_same_length
from ..modes import no_grad
from ..tensor import Tensor
from .guard import ON_NONFINITE

__all__ = ["check_arguments", "check_callbacks", "check_data", "check_labels", "HOOKS"]

HOOKS = ("on_train_begin", "on_epoch_begin", "on_batch_end", "on_epoch_end", "on_train_end", "state_dict",
         "load_state_dict")


def _flag(name, value):
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, int) and value in (0, 1)):
        return
    raise TypeError(f"fit: {name} must be True or False, got {value!r}")


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"fit: {name} must be an integer >= 1, got {value!r}")


def _has(obj, what, methods, expected):
    missing = [m for m in methods if not callable(getattr(obj, m, None))]
    if missing:
        raise TypeError(f"fit: {what} must be {expected}; {type(obj).__name__} lacks {', '.join(missing)}()")


def check_arguments(model, loss_fn, optimizer, scheduler, *, eval_batch_size, progress, drop_last, diagnostics,
                    eval_train, seed, on_nonfinite):
    """The flags, sizes and protocols of :func:`fit`'s arguments."""
    if not callable(getattr(model, "parameters", None)):
        raise TypeError(f"fit: model must be callable and have parameters(), got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"fit: loss_fn must be a callable loss_fn(outputs, targets), got {type(loss_fn).__name__}")
    _has(optimizer, "optimizer", ("step", "zero_grad"), "an optimizer with step() and zero_grad()")
    if scheduler is not None:
        _has(scheduler, "scheduler", ("step",), "a learning-rate scheduler with step()")
    _positive_int("eval_batch_size", eval_batch_size)
    for name, value in (("drop_last", drop_last), ("diagnostics", diagnostics), ("eval_train", eval_train)):
        _flag(name, value)
    if progress is not None:
        _flag("progress", progress)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (numbers.Integral, np.random.Generator))
                             or (isinstance(seed, numbers.Integral) and seed < 0)):
        raise ValueError(f"fit: seed must be None, an integer >= 0 or a numpy Generator, got {seed!r}")
    if on_nonfinite not in ON_NONFINITE:
        raise ValueError(f"fit: on_nonfinite must be one of {', '.join(map(repr, ON_NONFINITE))}, "
                         f"got {on_nonfinite!r}")


# ----- callbacks ------------------------------------------------------------------------
def check_callbacks(callbacks, recorded, diagnostics):
    """A list of callback objects; their monitors among ``recorded``; their paths writable.

    Returns the callbacks as a list.
    """
    if isinstance(callbacks, (str, bytes)) or not hasattr(callbacks, "__iter__") or callable(
            getattr(callbacks, "on_epoch_end", None)):
        raise TypeError(f"fit: callbacks must be a list of callbacks, got {type(callbacks).__name__} "
                        "(wrap a single callback in a list)")
    callbacks = list(callbacks)
    for i, cb in enumerate(callbacks):
        if isinstance(cb, type):
            raise TypeError(f"fit: callbacks[{i}] is the class {cb.__name__}, not an instance; pass "
                            f"{cb.__name__}(...)")
        missing = [h for h in HOOKS if not callable(getattr(cb, h, None))]
        if missing:
            raise TypeError(f"fit: callbacks[{i}] is a {type(cb).__name__}, not a callback: it lacks "
                            f"{', '.join(missing)} (subclass minigrad.train.Callback)")
        for monitor in _monitors(cb):
            _check_monitor(i, cb, monitor, recorded, diagnostics)
        for path in _paths(cb):
            check_checkpoint_path(f"callbacks[{i}] ({type(cb).__name__})", path)
    return callbacks


def _monitors(cb):
    from .callbacks import EarlyStopping, LearningRateScheduler, ModelCheckpoint

    if isinstance(cb, EarlyStopping) or (isinstance(cb, ModelCheckpoint) and cb.best_path is not None):
        return [cb.best.monitor]
    if isinstance(cb, LearningRateScheduler) and cb.monitor is not None:
        return [cb.monitor]
    return []


def _paths(cb):
    from .callbacks import ModelCheckpoint

    if isinstance(cb, ModelCheckpoint):
        return [p for p in (cb.last, cb.best_path) if p is not None]
    return []


def _check_monitor(i, cb, monitor, recorded, diagnostics):
    if monitor in recorded:
        return
    if diagnostics and monitor.startswith(("grad_norm:", "act_mean:", "act_std:")):
        return
    hint = " (dev_* values need a dev set: pass dev=(X_dev, y_dev))" if monitor.startswith("dev_") else ""
    close = difflib.get_close_matches(monitor, sorted(recorded), n=1)
    if close:
        hint += f"; did you mean {close[0]!r}?"
    raise ValueError(f"fit: callbacks[{i}] ({type(cb).__name__}) monitors {monitor!r}, which this run does not "
                     f"record; it records {sorted(recorded)}{hint}")


def check_checkpoint_path(who, path):
    """``path`` formats with ``{epoch}`` only and names a file in an existing, writable directory."""
    try:
        filled = os.fspath(path).format(epoch=1)
    except (KeyError, IndexError, ValueError, AttributeError) as e:
        raise ValueError(f"fit: {who}: the checkpoint path {str(path)!r} has a placeholder that cannot be "
                         f"filled ({type(e).__name__}: {e}); only {{epoch}} (e.g. {{epoch:03d}}) is "
                         "available") from None
    directory = os.path.dirname(os.path.abspath(filled))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"fit: {who}: the directory of the checkpoint path {str(path)!r} does not exist "
                                f"({directory!r}); create it first")
    if not os.access(directory, os.W_OK):
        raise PermissionError(f"fit: {who}: the directory {directory!r} of the checkpoint path {str(path)!r} is "
                              "not writable")


# ----- data -------------------------------------------------------------------------------
def check_data(part, X, y):
    """Matching lengths and finite values of a (X, y) pair (NumPy arrays or Tensors)."""
    if X is None:
        return
    check_same_length(f"fit ({part} data)", X, y)
    for name, arr in (("X", X), ("y", y)):
        if arr is not None and not _finite(arr):
            raise ValueError(f"fit: the {part} {name} (shape {tuple(arr.shape)}) holds NaN or Inf; clean or "
                             "impute the data first (a NaN input makes the cost NaN)")


def _finite(arr):
    if isinstance(arr, Tensor):
        xp = arr.device.xp
        try:
            return bool(xp.all(xp.isfinite(arr.array)))
        except TypeError:
            return True
    if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "fc":
        return True
    return bool(np.isfinite(arr).all())


def _host(arr):
    return arr.numpy() if isinstance(arr, Tensor) else np.asarray(arr)


def _is_integer(arr):
    return np.dtype(_host(arr[:1]).dtype).kind in "iu"


def check_labels(model, X, parts, to_tensor):
    """Integer class labels ``y`` (1-D) within ``[0, C)`` when the model gives ``C >= 2`` columns.

    ``parts`` is ``[(name, y), ...]``; ``C`` is read from one forward pass over the first two
    training examples in eval mode without a graph (nothing in the model changes).
    """
    parts = [(name, y) for name, y in parts if y is not None and y.ndim == 1 and _is_integer(y)]
    if not parts or X is None:
        return
    from .evaluation import model_mode

    with no_grad(), model_mode(model, False):
        out = model(to_tensor(X[:2]))
    if not isinstance(out, Tensor) or out.ndim != 2 or out.shape[1] < 2:
        return
    classes = out.shape[1]
    for name, y in parts:
        host = _host(y)
        low, high = int(host.min()), int(host.max())
        if low < 0 or high >= classes:
            raise ValueError(f"fit: the {name} labels range over [{low}, {high}] but the model gives {classes} "
                             f"class scores, so labels must lie in [0, {classes - 1}]")


def dev_pair(dev, op="fit"):
    """(X, y) of a dev (X, y) pair, or of a loader that keeps them, else (None, None)."""
    if isinstance(dev, (tuple, list)):
        if len(dev) != 2:
            raise ValueError(f"{op}: dev must be an (X, y) pair or a loader, got a sequence of {len(dev)}")
        return as_data(dev[0], op, "dev X"), as_data(dev[1], op, "dev y")
    return getattr(dev, "X", None), getattr(dev, "y", None)
