"""The side checks of a gradient check: inputs and upstream gradients unchanged by forward and
backward; each gradient of its input's shape, dtype and device, sharing memory with nothing else."""
from __future__ import annotations

import numpy as np

from . import dtypes
from .device import _host_numpy
from .tensor import Tensor

__all__: list = []  # helpers of minigrad.gradcheck only


def _is_array(x):
    return isinstance(x, np.ndarray) or hasattr(x, "__array_namespace__")


def _snapshot(items):
    """Host copies of the array data in ``items`` (None elsewhere)."""
    out = []
    for x in items:
        if isinstance(x, Tensor):
            out.append(x.numpy())
        elif _is_array(x):
            out.append(np.array(_host_numpy(x), copy=True))
        else:
            out.append(None)
    return out


def _compare_snapshots(before, items, n_args, problems):
    for k, (b, x) in enumerate(zip(before, items)):
        if b is None:
            continue
        now = _snapshot([x])[0]
        same = now.shape == b.shape and np.array_equal(now, b, equal_nan=dtypes.is_floating(b.dtype))
        if not same:
            what = f"input {k}" if k < n_args else f"upstream gradient {k - n_args}"
            problems.append(f"{what} was modified in place by the function or its backward")


def _bad_grad(g, x):
    return g.shape != x.shape or g._device is not x._device


def _check_gradients(grads, xs, names, us, problems):
    """Shape, dtype, device of each gradient; no memory shared with inputs, upstreams, each other."""
    for g, x, name in zip(grads, xs, names):
        if g is None:
            continue
        if g.shape != x.shape:
            problems.append(f"the gradient of {name} has shape {g.shape}, the input {x.shape}")
        if g.dtype != x.dtype:
            problems.append(f"the gradient of {name} is {g.dtype}, the input {x.dtype}")
        if g._device is not x._device:
            problems.append(f"the gradient of {name} is on {g._device}, the input on {x._device}")
    others = [(name, x.array) for name, x in zip(names, xs)]
    others += [(f"upstream gradient {k}", u) for k, u in enumerate(us) if u is not None]
    for n, (g, name) in enumerate(zip(grads, names)):
        if g is None or _bad_grad(g, xs[n]):
            continue
        for other, arr in others + [(f"the gradient of {m}", h.array) for m, h in
                                    zip(names[n + 1:], grads[n + 1:]) if h is not None]:
            if _shares_memory(g.array, arr, g._device):
                problems.append(f"the gradient of {name} shares memory with {other}")


def _shares_memory(a, b, dev):
    if dev.type == "cuda":
        import cupy

        return bool(cupy.shares_memory(a, b))
    return bool(np.shares_memory(_host_view(a), _host_view(b)))


def _host_view(a):
    """A NumPy view of host data (NumPy scalars and Python numbers own no shared memory)."""
    if isinstance(a, (np.ndarray, np.generic, int, float)):
        return np.asarray(a)
    return _host_numpy(a)
