"""``Module``: the base class of layers and models.

Parameters, sub-modules and buffers register themselves by attribute assignment::

    class TwoLayer(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(784, 256)    # a sub-module
            self.out = nn.Linear(256, 10)
            self.register_buffer("calls", mg.zeros(()))  # state that is not learned

        def forward(self, x):
            return self.out(self.hidden(x).relu())

``model(x)`` calls ``forward``; ``model.parameters()`` feeds an optimizer; ``state_dict()`` /
``load_state_dict()`` save and restore everything (with :func:`minigrad.save` /
:func:`minigrad.load`).  The state-dict keys and their checks live in ``nn/state.py``.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

import minigrad as mg
from minigrad.tracing import modes_changed, replayed_whole

from . import hooks as _hooks, state as _state
from .parameter import Parameter, replace_data

__all__ = ["Module"]


class Module:
    """Base class of every layer and model (PyTorch's ``nn.Module`` protocol).

    Subclasses call ``super().__init__()`` first, then assign their parameters
    (:class:`~nn.Parameter`), sub-modules and buffers (:meth:`register_buffer`), and define
    ``forward``.
    """

    training: bool

    def __init__(self):
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())

    def forward(self, *args, **kwargs):
        """The computation of this module; every subclass defines it, and ``module(x)`` calls it.

        The base class raises ``NotImplementedError``.  A layer's class docstring gives its formula and shapes.
        """
        raise NotImplementedError(f"{type(self).__name__} has no forward(); define forward(self, ...) in the subclass")

    def __call__(self, *args, **kwargs):
        """``forward(*args, **kwargs)``, with the hooks around it (``nn/hooks.py``); NumPy arrays
        among ``args`` become Tensors on the module's device first."""
        for a in args:
            if isinstance(a, np.ndarray):
                args = _hooks.numpy_to_tensors(self, args)
                break
        if "_hooks" in self.__dict__:
            return _hooks.call_with_hooks(self, args, kwargs)
        return self.forward(*args, **kwargs)

    # ----- hooks (PyTorch's semantics; see nn/hooks.py) --------------------------------------
    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Run ``hook(module, args)`` before each forward; a non-None result replaces ``args`` (a
        non-tuple is wrapped in one).  ``with_kwargs=True``: ``hook(module, args, kwargs)`` returning
        None or ``(args, kwargs)``.  Returns a handle whose ``remove()`` unregisters it."""
        return _hooks.register(self, "forward_pre", hook, prepend, with_kwargs)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """Run ``hook(module, args, output)`` after each forward; a non-None result replaces the
        output.  ``with_kwargs=True``: ``hook(module, args, kwargs, output)``.  Returns a handle.
        (``always_call`` is accepted; a hook here runs only when forward returns.)"""
        return _hooks.register(self, "forward", hook, prepend, with_kwargs)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """Run ``hook(module, grad_output)`` when the gradient of the output arrives; a non-None
        result (a tuple) replaces ``grad_output``.  Returns a handle."""
        return _hooks.register(self, "backward_pre", hook, prepend)

    def register_full_backward_hook(self, hook, prepend=False):
        """Run ``hook(module, grad_input, grad_output)`` once the gradients of the module's inputs are
        computed (tuples with one entry per tensor input / output, None where no gradient is
        needed); a non-None result replaces ``grad_input``.  Supports forwards with one Tensor
        output and at most one tensor input that requires grad.  Returns a handle."""
        return _hooks.register(self, "backward", hook, prepend)

    # ----- registration by attribute assignment ------------------------------------------
    def _registry(self):
        try:
            return self.__dict__["_parameters"], self.__dict__["_modules"], self.__dict__["_buffers"]
        except KeyError:
            raise AttributeError(f"{type(self).__name__}: assign parameters, modules and buffers only after "
                                 "calling super().__init__() in __init__") from None

    def __setattr__(self, name, value):
        if isinstance(value, Parameter):
            params = self._registry()[0]
            if name not in params:  # a re-assignment keeps its place in the order
                self._forget(name)
            params[name] = value
        elif isinstance(value, Module):
            modules = self._registry()[1]
            if name not in modules:
                self._forget(name)
            modules[name] = value
        elif "_parameters" in self.__dict__ and name in self._parameters:
            if value is not None:
                raise TypeError(f"{type(self).__name__}.{name} is a parameter: assign an nn.Parameter (or None), "
                                f"not {type(value).__name__}")
            self._parameters[name] = None
        elif "_buffers" in self.__dict__ and name in self._buffers:
            if value is not None and not isinstance(value, mg.Tensor):
                raise TypeError(f"{type(self).__name__}.{name} is a buffer: assign a Tensor (or None), "
                                f"not {type(value).__name__}")
            self._buffers[name] = value
        elif "_modules" in self.__dict__ and name in self._modules and value is None:
            self._modules[name] = None
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name):
        for reg in self._registry():
            reg.pop(name, None)
        self.__dict__.pop(name, None)
        self._non_persistent.discard(name)

    def __getattr__(self, name):  # only called when normal lookup fails
        d = self.__dict__
        for reg in ("_parameters", "_buffers", "_modules"):
            if reg in d and name in d[reg]:
                return d[reg][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for reg in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(reg, ()):
                del self.__dict__[reg][name]
                self._non_persistent.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))

    def register_parameter(self, name, param):
        """Register ``param`` (a Parameter or None) under ``name``."""
        _check_name(self, name)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be an nn.Parameter or None, got {type(param).__name__}")
        self._forget(name)
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Register a non-learned tensor (e.g. batch norm's running mean).

        Buffers move with :meth:`to` and, when ``persistent``, are saved in the state dict.
        """
        _check_name(self, name)
        if tensor is not None and not isinstance(tensor, mg.Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None, got {type(tensor).__name__}")
        self._forget(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name, module):
        """Register ``module`` (or None) as a child called ``name``."""
        _check_name(self, name)
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be an nn.Module or None, got {type(module).__name__}")
        self._forget(name)
        self._modules[name] = module

    register_module = add_module

    # ----- iteration -----------------------------------------------------------------------
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(qualified name, module) for this module and every descendant, depth first; a module
        reachable by several paths comes once (``remove_duplicate=False``: under each path)."""
        memo = set() if memo is None else memo
        stack = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if remove_duplicate:
                if id(mod) in memo:
                    continue
                memo.add(id(mod))
            yield name, mod
            kids = [(f"{name}.{k}" if name else k, m) for k, m in mod._modules.items() if m is not None]
            stack.extend(reversed(kids))

    def modules(self):
        """Every module of the tree, this one first, each once (depth first): as ``torch.nn.Module.modules``."""
        for _, m in self.named_modules():
            yield m

    def get_submodule(self, target):
        """The descendant at dotted path ``target`` (``'encoder.0'``); ``''`` is self.

        Raises AttributeError naming the first missing part, or saying it is not a Module.
        """
        mod = self
        if target == "":
            return mod
        walked = []
        for part in target.split("."):
            child = mod.__dict__["_modules"].get(part) if "_modules" in mod.__dict__ else None
            if child is None:
                where = ".".join(walked) or "the root"
                raise AttributeError(f"get_submodule: {type(mod).__name__} at {where} has no submodule {part!r} "
                                     f"(looking for {target!r})")
            walked.append(part)
            mod = child
        return mod

    def get_parameter(self, target):
        """The parameter at dotted path ``target`` (``'encoder.0.weight'``)."""
        path, _, name = target.rpartition(".")
        mod = self.get_submodule(path)
        if name not in mod._parameters or mod._parameters[name] is None:
            raise AttributeError(f"get_parameter: {type(mod).__name__} has no parameter {name!r} "
                                 f"(looking for {target!r})")
        return mod._parameters[name]

    def get_buffer(self, target):
        """The buffer at dotted path ``target`` (``'bn.running_mean'``)."""
        path, _, name = target.rpartition(".")
        mod = self.get_submodule(path)
        if name not in mod._buffers or mod._buffers[name] is None:
            raise AttributeError(f"get_buffer: {type(mod).__name__} has no buffer {name!r} (looking for {target!r})")
        return mod._buffers[name]

    def named_children(self):
        """(name, module) for each direct child, each once, in registration order."""
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self):
        """Each direct child module once, in registration order (not their descendants)."""
        for _, m in self.named_children():
            yield m

    def _named_members(self, registry, recurse):
        seen = set()
        mods = self.named_modules() if recurse else [("", self)]
        for prefix, mod in mods:
            for name, t in mod.__dict__[registry].items():
                if t is None or id(t) in seen:
                    continue
                seen.add(id(t))
                yield (f"{prefix}.{name}" if prefix else name), t

    def named_parameters(self, recurse=True):
        """(qualified name, parameter) pairs; a parameter shared by several modules comes once."""
        return self._named_members("_parameters", recurse)

    def parameters(self, recurse=True):
        """Every parameter once, in registration order (what optimizers take)."""
        for _, p in self.named_parameters(recurse):
            yield p

    def named_buffers(self, recurse=True):
        """(qualified name, buffer) pairs, e.g. ``("0.running_mean", t)``; with ``recurse`` of every descendant."""
        return self._named_members("_buffers", recurse)

    def buffers(self, recurse=True):
        """Every buffer (non-learned state such as batch norm's running statistics) once, in order."""
        for _, b in self.named_buffers(recurse):
            yield b

    def num_parameters(self, trainable_only=False):
        """Number of scalar parameters (each shared parameter counted once)."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad or not trainable_only)

    # ----- modes and gradients ---------------------------------------------------------------
    def train(self, mode=True):
        """Set training mode (``training = mode``) here and in every descendant; returns self."""
        if not isinstance(mode, bool):
            raise TypeError(f"train: mode must be a bool, got {type(mode).__name__}")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        modes_changed()
        return self

    def eval(self):
        """Evaluation mode (dropout off, batch norm uses its running statistics); returns self."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` of every parameter (False freezes the model); returns self."""
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    @replayed_whole
    def zero_grad(self, set_to_none=True):
        """Clear every parameter's gradient (``grad = None``, or zeros if ``set_to_none=False``)."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad = mg.zeros_like(p.grad)

    def apply(self, fn):
        """Call ``fn(module)`` on every descendant, then on self (e.g. custom initialisation).

        PyTorch's order (post-order: each child's subtree in registration order, then the module),
        so an initialiser drawing from the global generator gives a ported script's weights; a
        module reachable by several paths is visited once.  Built with an explicit stack: any
        nesting depth works."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            mod, done = stack.pop()
            if done:
                order.append(mod)
                continue
            if id(mod) in seen:
                continue
            seen.add(id(mod))
            stack.append((mod, True))
            stack.extend((m, False) for m in reversed([m for m in mod._modules.values() if m is not None]))
        for m in order:
            fn(m)
        return self

    # ----- devices and dtypes ---------------------------------------------------------------
    def to(self, device=None, dtype=None):
        """Move parameters and buffers to ``device`` and/or cast floating ones to ``dtype``, in place.

        The Parameter objects stay the same (an optimizer built before keeps working); their
        gradients move with them.  Integer buffers (e.g. ``num_batches_tracked``) keep their
        dtype.  Returns self.
        """
        if dtype is not None and not mg.dtypes.name_of(dtype).is_floating_point:
            raise TypeError(f"Module.to: dtype must be a floating dtype, got {dtype}")
        dev = mg.device(device) if device is not None else None
        tensors = [t for m in self.modules() for reg in (m._parameters, m._buffers) for t in reg.values()
                   if t is not None]
        moved = []  # convert everything first, so a failure leaves the module unchanged
        seen = set()
        for t in tensors:
            if id(t) in seen:
                continue
            seen.add(id(t))
            d = dtype if t.dtype.is_floating_point else None
            grad = None if getattr(t, "grad", None) is None else t.grad.detach().to(dev, d)
            moved.append((t, t.detach().to(dev, d), grad))
        for t, new, grad in moved:
            if new.array is not t.array:  # nothing to do (and no version bump) if already there
                replace_data(t, new)
            if grad is not None:
                t.grad = grad
        return self

    def cpu(self):
        """Move every parameter and buffer to the CPU in place (see :meth:`to`); returns self."""
        return self.to("cpu")

    def cuda(self, index=None):
        """Move every parameter and buffer to ``cuda`` (or ``cuda:index``) in place (see :meth:`to`); returns self."""
        return self.to("cuda" if index is None else f"cuda:{index}")

    def float(self):
        """Cast every floating parameter and buffer to float32 in place (see :meth:`to`); returns self."""
        return self.to(dtype=mg.float32)

    def double(self):
        """Cast every floating parameter and buffer to float64 in place (see :meth:`to`); returns self."""
        return self.to(dtype=mg.float64)

    # ----- state dict --------------------------------------------------------------------------
    def state_dict(self, prefix="", keep_vars=False):
        """An ordered dict name -> tensor of every parameter and persistent buffer.

        Tensors are detached and share memory with the module (``keep_vars=True`` gives the
        parameters themselves); save it with :func:`minigrad.save`.  Shared parameters appear
        under each of their names, as in PyTorch.
        """
        return _state.state_dict(self, prefix, keep_vars)

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from ``state_dict`` into the parameters and buffers.

        Every key, shape and value is checked before anything is copied: with ``strict=True``
        missing or unexpected keys raise, wrong shapes always raise, and on any error the module
        is left exactly as it was.  Values are cast to each parameter's dtype and moved to its
        device (a checkpoint from one device loads on another).

        Returns
        -------
        IncompatibleKeys
            ``(missing_keys, unexpected_keys)`` (both empty when ``strict=True`` succeeded).
        """
        return _state.load_state_dict(self, state_dict, strict)

    # ----- printing ---------------------------------------------------------------------------
    def extra_repr(self):
        """The text inside this module's parentheses in ``repr`` (override in layers)."""
        return ""

    def __repr__(self):
        from ._deep import repr_tree  # built with an explicit stack: any nesting depth prints

        return repr_tree(self, Module.__repr__)

    def summary(self):
        """A table of each sub-module's own parameter count and the total."""
        rows = []
        for name, m in self.named_modules():
            own = sum(p.numel() for p in m.parameters(recurse=False))
            rows.append((name or "(root)", type(m).__name__, own))
        w = max(len("trainable"), *(len(r[0]) for r in rows))
        out = [f"{n:<{w}}  {t:<16} {c:>12,}" for n, t, c in rows]
        out.append(f"{'total':<{w}}  {'':<16} {self.num_parameters():>12,}")
        out.append(f"{'trainable':<{w}}  {'':<16} {self.num_parameters(trainable_only=True):>12,}")
        return "\n".join(out)


def _check_name(module, name):
    if not isinstance(name, str):
        raise TypeError(f"{type(module).__name__}: attribute names must be str, got {type(name).__name__}")
    if not name or "." in name:
        raise KeyError(f"{type(module).__name__}: name {name!r} must be non-empty and contain no '.'")
    if name in module.__dict__ and name not in ("training",):
        raise KeyError(f"{type(module).__name__}: attribute {name!r} already exists")
