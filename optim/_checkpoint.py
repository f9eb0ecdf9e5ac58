"""Packing an optimizer's state into a plain ``state_dict`` and checking one before loading it.

The format is PyTorch's: ``{"state": {index: {name: value}}, "param_groups": [{hyper..., "params":
[index, ...]}]}`` where ``index`` numbers the parameters across the groups in order.  Values are
ints, floats, bools, strings, lists and Tensors (tuples such as ``betas`` become lists and are
turned back into tuples on loading), so ``minigrad.save`` can write it.
"""
from __future__ import annotations

from numbers import Number

import minigrad as mg

from .param_state import ParamState

__all__ = ["pack", "unpack"]


def pack(opt):
    """The state_dict of ``opt``: copies, never views of the live buffers."""
    index = {}
    groups = []
    for group in opt.param_groups:
        packed = {k: _plain(v) for k, v in group.items() if k != "params"}
        packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
        groups.append(packed)
    state = {}
    for p, st in opt.state.items():
        if st and id(p) in index:
            state[index[id(p)]] = {k: _copy(v) for k, v in st.items()}
    return {"state": dict(sorted(state.items())), "param_groups": groups}


def _plain(value):
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _copy(value):
    if isinstance(value, mg.Tensor):
        return mg.tensor(value)
    return value


def unpack(opt, state_dict):
    """(new param_groups, new ParamState) for ``opt`` from ``state_dict``, or raise ValueError.

    Nothing of ``opt`` is changed here.
    """
    where = f"{opt.name}.load_state_dict"
    if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
        raise ValueError(f"{where}: expected a dict with 'state' and 'param_groups' (from state_dict()), "
                         f"got {type(state_dict).__name__}")
    saved_groups = state_dict["param_groups"]
    if len(saved_groups) != len(opt.param_groups):
        raise ValueError(f"{where}: the state_dict has {len(saved_groups)} parameter group(s), this "
                         f"optimizer {len(opt.param_groups)}")
    params_by_index = {}
    groups = []
    for gi, (saved, current) in enumerate(zip(saved_groups, opt.param_groups)):
        ids = list(saved.get("params", ()))
        if len(ids) != len(current["params"]):
            raise ValueError(f"{where}: parameter group {gi} has {len(ids)} parameter(s) in the state_dict "
                             f"but {len(current['params'])} here")
        for i, p in zip(ids, current["params"]):
            params_by_index[int(i)] = p
        groups.append(_restore_group(saved, current))
    group_of = {id(p): g for g in groups for p in g["params"]}
    state = ParamState()
    for key, saved_state in state_dict["state"].items():
        p = params_by_index.get(int(key))
        if p is None:
            raise ValueError(f"{where}: the state_dict has state for parameter {key}, but the groups hold "
                             f"parameters 0..{len(params_by_index) - 1} only")
        _check_keys(where, opt, key, saved_state, group_of[id(p)])
        target = state[p]
        for name, value in saved_state.items():
            target[name] = _restore_value(where, key, name, value, p)
    return groups, state


def _restore_group(saved, current):
    group = dict(current)
    for k, v in saved.items():
        if k == "params":
            continue
        if isinstance(current.get(k), tuple) and isinstance(v, (list, tuple)):
            v = tuple(v)
        group[k] = v
    group["params"] = current["params"]
    return group


def _check_keys(where, opt, key, saved_state, group):
    if not saved_state:
        return
    expected = set(opt._state_keys(group))
    got = set(saved_state)
    if got != expected:
        raise ValueError(f"{where}: the state of parameter {key} has entries {sorted(got)}, but {opt.name} with "
                         f"these hyperparameters keeps {sorted(expected)} (a state_dict of another optimizer?)")


def _restore_value(where, key, name, value, p):
    if name == "step":
        return int(value.item() if hasattr(value, "item") else value)
    if value is None or isinstance(value, (Number, str)):
        return value
    shape = tuple(getattr(value, "shape", ()))
    if shape != tuple(p.shape):
        raise ValueError(f"{where}: '{name}' of parameter {key} has shape {shape}, but the parameter has "
                         f"shape {tuple(p.shape)}")
    return mg.tensor(value, dtype=p.dtype, device=p.device)
