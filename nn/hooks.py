"""Module hooks (PyTorch's semantics) and the NumPy-input rule of ``Module.__call__``.

``Module.__call__`` runs, in PyTorch's order::

    forward pre-hooks   hook(module, args) -> None or new args            (with_kwargs: (args, kwargs))
    forward             (inputs wrapped first when backward hooks exist)
    forward hooks       hook(module, args, output) -> None or new output  (with_kwargs: args, kwargs, output)
    outputs wrapped     when backward hooks exist

Backward hooks work like PyTorch's ``BackwardHook``: the tensor input that requires grad and the
output pass through identity nodes.  When the gradient reaches the output's node, backward
pre-hooks run (``hook(module, grad_output)`` -> None or a new grad_output); when it reaches the
input's node, full backward hooks run (``hook(module, grad_input, grad_output)`` -> None or a new
grad_input), ``grad_input`` holding one entry per tensor argument (None for those that need no
gradient).  If no input needs a gradient the full hooks run at the output's node with
``grad_input`` all None.  Supported: a forward whose output is one Tensor and at most one of
whose tensor arguments requires grad (every layer here); others raise a clear error.

A Module given NumPy arrays as positional arguments turns them into Tensors on the module's
device (that of its first parameter or buffer, else of its first Tensor argument, else the
default device), floating arrays in the
module's floating dtype (integer ones keep theirs), so every layer accepts them alike, as
``nn.Linear`` always did.
"""
from __future__ import annotations

import itertools
from collections import OrderedDict

import numpy as np

import minigrad as mg
from minigrad.function import Function

__all__ = ["RemovableHandle", "HOOK_KINDS", "call_with_hooks", "numpy_to_tensors"]

HOOK_KINDS = ("forward_pre", "forward", "backward_pre", "backward")
_ids = itertools.count()


class RemovableHandle:
    """Returned by ``register_*_hook``: ``handle.remove()`` unregisters the hook (idempotent);
    also a context manager that removes it on exit."""

    def __init__(self, table, extra=None):
        self.id = next(_ids)
        self._table = table
        self._extra = extra

    def remove(self):
        """Unregister the hook (a second call does nothing)."""
        self._table.pop(self.id, None)
        if self._extra is not None:
            self._extra.discard(self.id)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def register(module, kind, hook, prepend=False, with_kwargs=False):
    """Add ``hook`` to ``module``'s table of ``kind``; returns its :class:`RemovableHandle`."""
    if not callable(hook):
        raise TypeError(f"register_{kind}_hook: hook must be callable, got {type(hook).__name__}")
    tables = module.__dict__.get("_hooks")
    if tables is None:
        tables = {k: OrderedDict() for k in HOOK_KINDS}
        tables["kwargs"] = set()
        object.__setattr__(module, "_hooks", tables)
    table = tables[kind]
    handle = RemovableHandle(table, tables["kwargs"] if with_kwargs else None)
    table[handle.id] = hook
    if with_kwargs:
        tables["kwargs"].add(handle.id)
    if prepend:
        table.move_to_end(handle.id, last=False)
    return handle


def numpy_to_tensors(module, args):
    """``args`` with each NumPy array replaced by a Tensor on the module's device (a module without
    parameters or buffers, such as a loss: the device of the first Tensor argument, else the default
    device); floating arrays take the module's floating dtype (a float64 array into a float32 model
    gives float32), integer ones (labels, indices) keep theirs."""
    dev = dtype = None
    for t in itertools.chain(module.parameters(), module.buffers()):
        dev = t.device if dev is None else dev
        if t.dtype.is_floating_point:
            dtype = t.dtype
            break
    if dev is None:
        dev = next((a.device for a in args if isinstance(a, mg.Tensor)), None)
    return tuple(_array_to_tensor(a, dev, dtype) if isinstance(a, np.ndarray) else a for a in args)


def _array_to_tensor(a, dev, dtype):
    floating = dtype is not None and a.dtype.kind == "f"
    return mg.Tensor(a, device=dev, dtype=dtype if floating else None)


def call_with_hooks(module, args, kwargs):
    """``module.forward(*args, **kwargs)`` with the module's hooks run around it."""
    tables = module._hooks
    with_kwargs = tables["kwargs"]
    for hid, hook in list(tables["forward_pre"].items()):
        if hid in with_kwargs:
            result = hook(module, args, kwargs)
            if result is not None:
                args, kwargs = _check_pair(result, "forward pre-hook")
        else:
            result = hook(module, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
    state = None
    if (tables["backward"] or tables["backward_pre"]) and mg.is_grad_enabled():
        state = _BackwardState(module, tables)
        args = state.wrap_inputs(args)
    out = module.forward(*args, **kwargs)
    for hid, hook in list(tables["forward"].items()):
        result = hook(module, args, kwargs, out) if hid in with_kwargs else hook(module, args, out)
        if result is not None:
            out = result
    if state is not None:
        out = state.wrap_output(out)
    return out


def _check_pair(result, what):
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict)):
        raise TypeError(f"{what} with with_kwargs=True must return None or (args, kwargs), got {result!r}")
    args, kwargs = result
    return (args if isinstance(args, tuple) else (args,)), kwargs


class _HookNode(Function):
    """Identity on the values (a view of its input); its backward hands the gradient to a callback."""

    is_view = True

    def forward(self, x, on_grad):
        self.on_grad = on_grad
        return x

    def backward(self, g):
        return self.on_grad(g)


class _BackwardState:
    """One forward call's link between its output's and its input's identity nodes."""

    def __init__(self, module, tables):
        self.module, self.tables = module, tables
        self.n_tensors = 0
        self.grad_output = None
        self.input_slot = None  # position among the tensor arguments of the one that requires grad

    def wrap_inputs(self, args):
        tensor_pos = [i for i, a in enumerate(args) if isinstance(a, mg.Tensor)]
        self.n_tensors = len(tensor_pos)
        needing = [i for i in tensor_pos if args[i].requires_grad]
        if len(needing) > 1:
            raise NotImplementedError(
                f"{type(self.module).__name__}: full backward hooks support a forward with at most one tensor "
                f"argument that requires grad, got {len(needing)}")
        if not needing:
            return args
        i = needing[0]
        self.input_slot = tensor_pos.index(i)
        args = list(args)
        args[i] = _HookNode.apply(args[i], on_grad=self._input_grad)
        return tuple(args)

    def wrap_output(self, out):
        if not isinstance(out, mg.Tensor):
            raise NotImplementedError(f"{type(self.module).__name__}: backward hooks support a forward that returns "
                                      f"one Tensor, got {type(out).__name__}")
        if not out.requires_grad:
            return out
        return _HookNode.apply(out, on_grad=self._output_grad)

    def _output_grad(self, g):
        grad_output = (g,)
        for hook in list(self.tables["backward_pre"].values()):
            result = hook(self.module, grad_output)
            if result is not None:
                grad_output = _as_grads(result, 1, "backward pre-hook")
        self.grad_output = grad_output
        if self.input_slot is None:  # no input needs a gradient: the hooks run now, grad_input all None
            for hook in list(self.tables["backward"].values()):
                if hook(self.module, (None,) * self.n_tensors, grad_output) is not None:
                    raise RuntimeError(f"{type(self.module).__name__}: a full backward hook returned a grad_input "
                                       "although no input requires grad")
        return grad_output[0]

    def _input_grad(self, g):
        grad_input = tuple(g if k == self.input_slot else None for k in range(self.n_tensors))
        grad_output = self.grad_output if self.grad_output is not None else (None,)
        for hook in list(self.tables["backward"].values()):
            result = hook(self.module, grad_input, grad_output)
            if result is not None:
                grad_input = _as_grads(result, self.n_tensors, "full backward hook")
        return grad_input[self.input_slot]


def _as_grads(result, n, what):
    grads = result if isinstance(result, (tuple, list)) else (result,)
    if len(grads) != n:
        raise ValueError(f"{what} returned {len(grads)} gradients, expected {n}")
    return tuple(grads)
