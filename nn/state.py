"""State dicts: collecting a module's tensors by qualified name, and loading them back safely.

Loading is all-or-nothing: every key, shape and value is checked and converted (device, dtype)
before the first tensor is written, so a bad checkpoint never leaves a half-loaded model.
"""
from __future__ import annotations

from collections import OrderedDict, namedtuple

import numpy as np

import minigrad as mg

__all__ = ["state_dict", "load_state_dict", "IncompatibleKeys", "StateDictError"]

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class StateDictError(KeyError, ValueError):
    """``load_state_dict`` found missing/unexpected keys, wrong shapes or unusable values."""

    def __str__(self):  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


def _slots(module, prefix=""):
    """(key, tensor) for every parameter and persistent buffer, depth first in registration
    order.  A sub-module shared by two parents appears under both names (as in PyTorch)."""
    out = []
    stack = [(prefix, module, ())]
    while stack:
        base, mod, ancestors = stack.pop()
        for name, p in mod._parameters.items():
            if p is not None:
                out.append((base + name, p))
        for name, b in mod._buffers.items():
            if b is not None and name not in mod._non_persistent:
                out.append((base + name, b))
        kids = [(f"{base}{name}.", m, ancestors + (id(mod),)) for name, m in mod._modules.items()
                if m is not None and id(m) not in ancestors and m is not mod]
        stack.extend(reversed(kids))
    return out


def state_dict(module, prefix="", keep_vars=False):
    out = OrderedDict()
    for key, t in _slots(module, prefix):
        out[key] = t if keep_vars else t.detach()
    return out


def load_state_dict(module, state, strict=True):
    if not hasattr(state, "keys") or not hasattr(state, "__getitem__"):
        raise TypeError(f"load_state_dict: expected a dict of name -> tensor, got {type(state).__name__}")
    slots = _slots(module)
    expected = [k for k, _ in slots]
    missing = [k for k in expected if k not in state]
    expected_set = set(expected)
    unexpected = [k for k in state.keys() if k not in expected_set]
    problems = []
    if strict and missing:
        problems.append("missing keys: " + ", ".join(missing))
    if strict and unexpected:
        problems.append("unexpected keys: " + ", ".join(map(str, unexpected)))
    staged = []
    for key, target in slots:
        if key not in state:
            continue
        value, err = _convert(key, state[key], target)
        if err:
            problems.append(err)
        else:
            staged.append((target, value))
    if problems:
        raise StateDictError(f"load_state_dict: cannot load into {type(module).__name__} "
                             "(nothing was changed): " + "; ".join(problems))
    with mg.no_grad():
        for target, value in staged:
            target.copy_(value)
    return IncompatibleKeys(missing, unexpected)


def _convert(key, value, target):
    """``value`` as a tensor on target's device with target's dtype, or an error message."""
    if isinstance(value, mg.Tensor):
        shape = value.shape
    elif isinstance(value, (np.ndarray, np.generic, int, float, bool)):
        value = np.asarray(value)
        shape = value.shape
    else:
        return None, f"{key}: expected a Tensor or array, got {type(value).__name__}"
    if tuple(shape) != target.shape:
        return None, f"{key}: shape {tuple(shape)} in the checkpoint, {target.shape} in the model"
    try:
        if isinstance(value, mg.Tensor):
            value = value.detach().to(target.device, target.dtype)
        else:
            value = mg.Tensor(value, device=target.device, dtype=target.dtype)
    except Exception as e:  # noqa: BLE001 - report which key failed and why
        return None, f"{key}: cannot convert to {target.dtype} on {target.device} ({e})"
    return value, None
