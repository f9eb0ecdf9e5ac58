"""Helpers for training state: deep copies of state dicts, random-generator states, files.

Checkpoints are written and read with ``minigrad.save`` / ``minigrad.load`` (the project's
safe, atomic format for nested dicts of tensors, arrays and numbers); they are looked up when
called, so this module does not depend on how they are implemented.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..data.rng import decode_state, encode_state
from ..random import default_generator
from ..tensor import Tensor

__all__ = ["copy_state", "save_file", "load_file", "device_rng_states", "set_device_rng_states", "as_int",
           "as_float"]


def copy_state(obj):
    """A deep copy of a (nested) state dict: tensors are copied on their own device, arrays
    copied, containers rebuilt, numbers and strings kept."""
    if isinstance(obj, Tensor):
        return Tensor(obj.device.xp.asarray(obj.array, copy=True), device=obj.device)
    if isinstance(obj, np.ndarray):
        return obj.copy()
    if isinstance(obj, dict):
        return {k: copy_state(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(copy_state(v) for v in obj)
    if hasattr(obj, "__array_namespace__"):  # a raw CuPy / array-api-strict array
        return obj.__array_namespace__().asarray(obj, copy=True)
    return obj


def _lookup(name):
    import minigrad

    fn = getattr(minigrad, name, None)
    if fn is None:
        raise RuntimeError(f"checkpoints need minigrad.{name}, which this installation lacks "
                           "(minigrad/serialization.py)")
    return fn


def save_file(obj, path):
    """Write ``obj`` to ``path`` with ``minigrad.save`` (atomic: a crash leaves the old file)."""
    _lookup("save")(obj, path)


def load_file(path):
    """Read a file written by :func:`save_file`."""
    return _lookup("load")(path)


def device_rng_states(devices):
    """The states of the default generators of ``devices`` (used by dropout and the like)."""
    return {str(d): encode_state(default_generator(d).get_state()) for d in devices}


def set_device_rng_states(states):
    for name, encoded in states.items():
        default_generator(name).set_state(decode_state(encoded))


def as_int(x):
    """A Python int from a number, 0-d array or 0-d Tensor read back from a checkpoint."""
    return int(x.item()) if isinstance(x, Tensor) else int(np.asarray(x))


def as_float(x):
    if isinstance(x, numbers.Number):
        return float(x)
    return float(x.item()) if isinstance(x, Tensor) else float(np.asarray(x))
