"""``fused=True``: one parameter group's update as one kernel call over flat arrays.

The update rules of SGD, Adam and the others are elementwise: each parameter's new value
depends only on its own gradient and state.  So a group's parameters can live in one flat
array (each parameter a view of its stretch, keeping its shape), their state buffers likewise,
and the whole group be updated by one call of the rule on the flat arrays -- the same
arithmetic, element for element, as one call per parameter, with a dozen ufunc calls per
group instead of a dozen per parameter.  PyTorch's ``fused=True`` is the same idea on its
devices (one kernel per group); here the parameters move into the group's flat array when the
group is added (their values are copied, ``p.array`` becomes the view: arrays taken from
``p.array``, and tensors from ``p.data``, before that no longer follow the parameter).

The flat path runs when it can: every parameter of the group has a gradient, all have taken
the same number of steps, and each parameter and state buffer is still its view (after
``p.data = ...`` or ``load_state_dict`` the state is gathered into the flat arrays again, or the
group falls back to one call per parameter if a parameter's array was replaced).  Gradients are
copied into a flat buffer, unless they already lie one after another in one array, in the
parameters' order (as ``minigrad.compile`` lays them out).

On the CPU a group of at least ``SPLIT_AT`` elements is updated in two halves at once, by this
thread and a worker thread (NumPy releases the GIL inside its loops): element for element the same
arithmetic, in about two thirds of the time on two cores (``benchmarks/bench_fusion.py``).  A process
forked after that (``multiprocessing``, a data-loader worker) starts a worker thread of its own.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import minigrad as mg

from ._kernels import kernels_for

__all__ = ["FlatGroup", "SPLIT_AT", "check_fused"]

SPLIT_AT = 1 << 17  # elements; below this a second thread costs more than it saves
_POOL = []  # one worker thread, started at the first split update
if hasattr(os, "register_at_fork"):  # a forked child has no copy of the thread: it starts its own
    os.register_at_fork(after_in_child=_POOL.clear)


def check_fused(name, params):
    """Raise unless ``params`` can share one flat array: one device that has views (cpu or
    cuda) and one dtype."""
    devices = {p.device for p in params}
    dtypes = {p.dtype for p in params}
    if len(devices) != 1 or len(dtypes) != 1:
        raise ValueError(f"{name}: fused=True needs the parameters of a group on one device with one dtype, got "
                         f"devices {sorted(map(str, devices))} and dtypes {sorted(map(str, dtypes))}")
    dev = next(iter(devices))
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"{name}: fused=True needs parameters on 'cpu' or 'cuda' (arrays with views), got '{dev}'")


class FlatGroup:
    """The flat arrays of one group: ``P`` (the parameters, each a view) and the state."""

    def __init__(self, params):
        self.params = list(params)
        p0 = self.params[0]
        self.device = p0.device
        xp = self.device.xp
        self.sizes = [p.numel() for p in self.params]
        self.total = sum(self.sizes)
        self.P = xp.empty(self.total, dtype=p0.array.dtype)
        self.views = self._views(self.P)
        for p, view in zip(self.params, self.views):
            view[...] = p.array
            p.set_data_(mg.Tensor.wrap(view, device=self.device))
        self.flat_p = mg.Tensor.wrap(self.P, device=self.device)
        self.G = None
        self._grad_key = None
        self._grad_flat = None
        self.state = None      # the flat state dict (Tensors over flat buffers, and numbers)
        self._state_views = None
        self._split = self.device.type == "cpu" and self.total >= SPLIT_AT and (os.cpu_count() or 1) > 1
        self._halves = None    # the two halves' (parameter, state, kernels), made at the first split

    def _views(self, flat):
        out, o = [], 0
        for p, n in zip(self.params, self.sizes):
            out.append(flat[o:o + n].reshape(p.shape))
            o += n
        return out

    # ----- can the flat path run? --------------------------------------------------------------
    def usable(self, grads, states):
        """Whether the flat update may run now; gathers per-parameter state into flat buffers first
        if it was replaced (``load_state_dict``)."""
        if len(grads) != len(self.params):
            return False
        for p, view in zip(self.params, self.views):
            if p.array is not view:
                return False
        if self.state is None:
            return all(not s for s in states) or self._gather(states)
        for s, views in zip(states, self._state_views):
            for key, view in views.items():
                t = s.get(key)
                if t is None or t.array is not view:
                    return self._gather(states)
        step = self.state.get("step")
        return all(s.get("step") == step for s in states)

    def _gather(self, states):
        """Copy each parameter's state into new flat buffers, if all have the same keys and steps."""
        first = states[0]
        if not first or any(set(s) != set(first) for s in states):
            return False
        flat, views = {}, [dict() for _ in states]
        xp = self.device.xp
        for key, value in first.items():
            if isinstance(value, mg.Tensor):
                if any(not isinstance(s[key], mg.Tensor) or s[key].shape != p.shape
                       or s[key].array.dtype != self.P.dtype or s[key].device is not self.device
                       for s, p in zip(states, self.params)):
                    return False
                buf = xp.empty(self.total, dtype=self.P.dtype)
                for s, view, v in zip(states, self._views(buf), views):
                    view[...] = s[key].array
                    s[key] = mg.Tensor.wrap(view, device=self.device)
                    v[key] = view
                flat[key] = mg.Tensor.wrap(buf, device=self.device)
            elif any(s[key] != value for s in states):
                return False
            else:
                flat[key] = value
        self.state, self._state_views = flat, views
        self._halves = None  # they viewed the old flat state
        return True

    # ----- the update ---------------------------------------------------------------------------
    def step(self, update, grads, states, group, kernels):
        """Run ``update`` (the optimizer's per-parameter rule) once on the flat arrays."""
        flat_grad = self._flat_grad(grads)
        first = self.state is None
        if first:
            self.state = {}
            update(self.flat_p, flat_grad, self.state, group, kernels)
            self._spread(states)
        elif self._split:
            self._split_update(update, flat_grad, group)
        else:
            update(self.flat_p, flat_grad, self.state, group, kernels)
        numbers = {k: v for k, v in self.state.items() if not isinstance(v, mg.Tensor)}
        for p, s in zip(self.params, states):
            s.update(numbers)
            p.bump_version()

    def _split_update(self, update, flat_grad, group):
        """The update in two halves at once; the halves' numbers (step counts) end equal."""
        if self._halves is None:
            cut = self.total // 2
            self._halves = []
            for sl in (slice(0, cut), slice(cut, self.total)):
                part = {k: (mg.Tensor.wrap(v.array[sl], device=self.device) if isinstance(v, mg.Tensor) else v)
                        for k, v in self.state.items()}
                self._halves.append((sl, mg.Tensor.wrap(self.P[sl], device=self.device), part,
                                     kernels_for(self.device)))
        numbers = {k: v for k, v in self.state.items() if not isinstance(v, mg.Tensor)}
        for _, _, part, _ in self._halves:
            part.update(numbers)
        (s0, p0, st0, k0), (s1, p1, st1, k1) = self._halves
        if not _POOL:
            _POOL.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="optim-fused"))
        other = _POOL[0].submit(update, p1, flat_grad[s1], st1, group, k1)
        update(p0, flat_grad[s0], st0, group, k0)
        other.result()
        for k, v in st0.items():
            if not isinstance(v, mg.Tensor):
                self.state[k] = v

    def _spread(self, states):
        """After the first flat step: each parameter's state entries become views of the flat ones."""
        self._state_views = [dict() for _ in states]
        for key, value in self.state.items():
            if isinstance(value, mg.Tensor):
                if tuple(value.shape) != (self.total,):
                    raise RuntimeError(f"fused: the state entry {key!r} is not elementwise (shape {value.shape})")
                for s, view, v in zip(states, self._views(value.array), self._state_views):
                    s[key] = mg.Tensor.wrap(view, device=self.device)
                    v[key] = view

    def _flat_grad(self, grads):
        key = tuple(map(id, grads))
        if key == self._grad_key:
            return self._grad_flat
        flat = _consecutive(grads, self.sizes)
        if flat is None:
            if self.G is None:
                self.G = self.device.xp.empty(self.total, dtype=self.P.dtype)
            for view, g in zip(self._views(self.G), grads):
                view[...] = g
            return self.G
        self._grad_key, self._grad_flat = key, flat
        self._keep = grads  # the ids above stay valid while these arrays live
        return flat


def _consecutive(grads, sizes):
    """The flat array the gradients are consecutive views of (one base, in order, contiguous), or None."""
    base = getattr(grads[0], "base", None)
    if base is None or getattr(base, "ndim", 0) != 1 or not hasattr(grads[0], "__array_interface__"):
        return None
    start = grads[0].__array_interface__["data"][0]
    item = grads[0].itemsize
    o = 0
    for g, n in zip(grads, sizes):
        if g.base is not base or not g.flags.c_contiguous or g.__array_interface__["data"][0] != start + o * item:
            return None
        o += n
    first = (start - base.__array_interface__["data"][0]) // item
    return base[first:first + o]
