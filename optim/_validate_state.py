"""Checking an optimizer ``state_dict`` completely before any of it is loaded.

``Optimizer.load_state_dict`` calls :func:`check_state_dict` first, so a state that was written
by another optimizer class, or that holds a step count, buffer or hyperparameter of the wrong
type, shape, dtype or sign, is refused with a ``ValueError`` naming the entry while the
optimizer is still exactly as it was.  The rules:

* the groups carry this optimizer's hyperparameters and no other optimizer's (an SGD state
  has ``momentum`` / ``dampening`` / ``nesterov``, an Adam state ``betas`` / ``eps`` ...);
  ``initial_lr`` (set by schedulers) and keys this optimizer's own groups hold are allowed;
* ``step`` is a non-negative integer (an int, or an integer 0-d array / Tensor);
* a scalar entry that is not a known buffer may be a finite number;
* every buffer is a Tensor or array of the parameter's shape and dtype, holding finite
  numbers; second moments (``exp_avg_sq``, ``max_exp_avg_sq``, ``square_avg``, ``sum``,
  ``acc_delta``, ``exp_inf``) are also non-negative.
"""
from __future__ import annotations

import numbers

import numpy as np

import minigrad as mg

__all__ = ["check_state_dict", "check_scheduler_state", "SECOND_MOMENTS"]

SECOND_MOMENTS = frozenset({"exp_avg_sq", "max_exp_avg_sq", "square_avg", "sum", "acc_delta", "exp_inf"})
BUFFERS = SECOND_MOMENTS | {"exp_avg", "momentum_buffer", "velocity", "grad_avg", "ax", "eta", "prev"}
_SCHEDULER_KEYS = frozenset({"initial_lr"})


def check_state_dict(opt, state_dict):
    """Raise ValueError unless ``state_dict`` can be loaded into ``opt`` as a whole."""
    where = f"{opt.name}.load_state_dict"
    if not isinstance(state_dict, dict) or not isinstance(state_dict.get("state"), dict) \
            or not isinstance(state_dict.get("param_groups"), (list, tuple)):
        raise ValueError(f"{where}: expected a dict with 'state' (a dict) and 'param_groups' (a list), as "
                         f"state_dict() gives, got {_kind(state_dict)}")
    groups = state_dict["param_groups"]
    if len(groups) != len(opt.param_groups):
        raise ValueError(f"{where}: the state_dict has {len(groups)} parameter group(s), this optimizer "
                         f"{len(opt.param_groups)}")
    params = {}
    for gi, (saved, current) in enumerate(zip(groups, opt.param_groups)):
        _check_group(where, opt, gi, saved, current)
        merged = {**current, **{k: v for k, v in saved.items() if k != "params"}}
        for index, p in zip(saved["params"], current["params"]):
            params[int(index)] = (p, merged)
    for key, entry in state_dict["state"].items():
        p, group = params.get(_index(where, key), (None, None))
        if p is None:
            raise ValueError(f"{where}: the state_dict has state for parameter {key!r}, but its groups hold "
                             f"parameters {sorted(params)} only")
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: the state of parameter {key} must be a dict, got {_kind(entry)}")
        expected = set(opt._state_keys(group))
        if entry and set(entry) != expected:
            raise ValueError(f"{where}: the state of parameter {key} has entries {sorted(map(str, entry))}, but "
                             f"{opt.name} with these hyperparameters keeps {sorted(expected)} (a state_dict of "
                             "another optimizer?)")
        for name, value in entry.items():
            _check_value(where, key, name, value, p)


def _kind(x):
    return type(x).__name__


def _index(where, key):
    if isinstance(key, bool) or not isinstance(key, (numbers.Integral, str)) or not str(key).isdigit():
        raise ValueError(f"{where}: state keys are parameter indices (ints >= 0), got {key!r}")
    return int(key)


def _check_group(where, opt, gi, saved, current):
    if not isinstance(saved, dict) or not isinstance(saved.get("params"), (list, tuple)):
        raise ValueError(f"{where}: param_groups[{gi}] must be a dict with a 'params' list, got {_kind(saved)}")
    ids = saved["params"]
    if not all(isinstance(i, numbers.Integral) and not isinstance(i, bool) and i >= 0 for i in ids):
        raise ValueError(f"{where}: param_groups[{gi}]['params'] must list parameter indices (ints >= 0), got "
                         f"{ids!r}")
    if len(ids) != len(current["params"]):
        raise ValueError(f"{where}: parameter group {gi} has {len(ids)} parameter(s) in the state_dict but "
                         f"{len(current['params'])} here")
    keys = set(saved) - {"params"}
    missing = sorted(set(opt.defaults) - keys - {"fused"})  # fused: how an optimizer runs, either way is fine
    foreign = sorted(keys - set(opt.defaults) - set(current) - _SCHEDULER_KEYS - {"fused"})
    if missing or foreign:
        raise ValueError(f"{where}: param_groups[{gi}] was not written by {type(opt).__name__}: it lacks "
                         f"{missing} and has {foreign} (a state_dict of another optimizer class?)")


def _check_value(where, key, name, value, p):
    what = f"{where}: '{name}' of parameter {key}"
    if name == "step":
        _check_step(what, value)
        return
    if value is None:
        return
    if name not in BUFFERS and isinstance(value, numbers.Real) and not isinstance(value, bool) \
            and np.isfinite(value):
        return
    if isinstance(value, mg.Tensor):
        dtype, shape, host = str(value.dtype), tuple(value.shape), None
    elif isinstance(value, np.ndarray):
        dtype, shape, host = str(value.dtype), value.shape, value
    else:
        raise ValueError(f"{what} must be a Tensor of shape {tuple(p.shape)}, got {_kind(value)} {value!r:.60}")
    if shape != tuple(p.shape) or dtype != str(p.dtype):
        raise ValueError(f"{what} is {shape}, {dtype}, but the parameter is {tuple(p.shape)}, {p.dtype}; "
                         "expected the same shape and dtype")
    xp = value.device.xp if host is None else np
    data = value.array if host is None else host
    if not bool(xp.all(xp.isfinite(data))):
        raise ValueError(f"{what} holds NaN or Inf")
    if name in SECOND_MOMENTS and not bool(xp.all(data >= 0)):
        raise ValueError(f"{what} is a second moment (a running mean of squares) but holds negative entries")


def _check_step(what, value):
    v = value
    if isinstance(v, mg.Tensor):
        v = v.numpy()
    if isinstance(v, np.ndarray):
        if v.ndim != 0 or v.dtype.kind not in "iu":
            raise ValueError(f"{what} must be a non-negative integer, got an array of shape {v.shape}, {v.dtype}")
        v = v[()]
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral) or v < 0:
        raise ValueError(f"{what} must be a non-negative integer (the number of steps taken), got {value!r}")


# ----- learning-rate schedulers -------------------------------------------------------------
def check_scheduler_state(sched, state_dict):
    """Raise ValueError unless ``state_dict`` was written by a scheduler of ``sched``'s class
    (the same fields) and every field has the type of ``sched``'s own (numbers where numbers
    are, lists of the same length, no NaN learning rates, ``last_epoch`` an int >= -1)."""
    name = type(sched).__name__
    _same_fields(f"{name}.load_state_dict", sched.state_dict(), state_dict, "state_dict")
    epoch = state_dict.get("last_epoch", -1)
    if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or epoch < -1:
        raise ValueError(f"{name}.load_state_dict: last_epoch must be an integer >= -1, got {epoch!r}")
    for key in ("base_lrs", "_last_lr"):
        for lr in state_dict.get(key, ()):
            if not np.isfinite(lr) or lr < 0:
                raise ValueError(f"{name}.load_state_dict: {key} must hold finite learning rates >= 0, got "
                                 f"{state_dict[key]!r}")


# integer fields that a fractional step(epoch) may turn into floats
_FRACTIONAL = ("['T_cur']",)


def _same_fields(where, ours, theirs, path):
    if not isinstance(theirs, dict):
        raise ValueError(f"{where}: {path} must be a dict, got {_kind(theirs)}")
    missing, extra = sorted(set(ours) - set(theirs)), sorted(map(str, set(theirs) - set(ours)))
    if missing or extra:
        raise ValueError(f"{where}: {path} lacks {missing} and has unknown {extra}; it was not written by a "
                         "scheduler of this class with these settings")
    for key, mine in ours.items():
        _same_type(where, mine, theirs[key], f"{path}[{key!r}]")


def _same_type(where, mine, value, path):
    if isinstance(mine, dict):
        _same_fields(where, mine, value, path)
    elif isinstance(mine, (list, tuple)):
        if not isinstance(value, (list, tuple)) or len(value) != len(mine):
            raise ValueError(f"{where}: {path} must be a list of {len(mine)}, got {value!r:.80}")
        for i, (a, b) in enumerate(zip(mine, value)):
            _same_type(where, a, b, f"{path}[{i}]")
    elif mine is None or isinstance(mine, numbers.Real) and not isinstance(mine, bool):
        integral = isinstance(mine, numbers.Integral) and not path.endswith(_FRACTIONAL)
        ok = value is None if mine is None and not isinstance(value, numbers.Real) else (
            isinstance(value, numbers.Real) and not isinstance(value, bool)
            and (not integral or isinstance(value, numbers.Integral)))
        if not ok or (value is not None and np.isnan(value)):
            kind = "an integer" if integral else "a number"
            raise ValueError(f"{where}: {path} must be {kind}, got {value!r:.80}")
    elif type(value) is not type(mine):
        raise ValueError(f"{where}: {path} must be a {_kind(mine)}, got {_kind(value)}")
