"""``Optimizer``: parameter groups, per-parameter state, ``zero_grad``, ``step`` and checkpoints.

An optimizer holds ``param_groups``, a list of dicts, each with a ``"params"`` list of Tensors
and that group's hyperparameters (``lr``, ``betas``, ...), and ``state``, which maps a parameter
to its dict of running quantities (``step``, ``exp_avg``, ...).  ``step()`` walks the groups,
skips every parameter whose ``.grad`` is None, and updates the others in place through their
device's array namespace (``p.device.xp``), so optimizers run on NumPy, array-api-strict and
CuPy alike.  The arithmetic itself lives in ``optim/_kernels`` (one implementation per backend,
chosen in one place).

``state_dict()`` gives copies, keyed by parameter index (the order of the parameters across
the groups, as in PyTorch), of plain ints, floats, strings, lists and Tensors, so that
``minigrad.save`` can write it; ``load_state_dict()`` checks everything before changing
anything, so a checkpoint of a different parameter layout raises and leaves the optimizer as
it was.
"""
from __future__ import annotations

import math
from numbers import Real

import minigrad as mg
from minigrad.tracing import replayed_whole

from ._checkpoint import pack, unpack
from ._kernels import kernels_for
from ._validate_state import check_state_dict
from .flat import FlatGroup, check_fused
from .param_state import ParamState

__all__ = ["Optimizer", "ParamState"]


class Optimizer:
    """Base class of all optimizers.

    Parameters
    ----------
    params : iterable of Tensor, or iterable of dict
        The tensors to optimize, or parameter groups: dicts with a ``"params"`` entry and any
        hyperparameters that should differ from ``defaults`` for that group.
    defaults : dict
        The hyperparameters of every group that does not set its own.
    fused : bool, optional
        PyTorch's flag (given to each subclass): True moves each group's parameters into one flat
        array and updates the group with one call of the rule per step (see :mod:`optim.flat`).

    Notes
    -----
    Subclasses set ``name`` and implement ``_check(group)`` (validate hyperparameters; raise
    ``ValueError`` naming the argument) and ``_update(p, grad, state, group, kernels)``.
    """

    name = "Optimizer"

    def __init__(self, params, defaults, fused=None):
        if fused:  # PyTorch's flag: here one kernel call per group over flat arrays (optim.flat)
            defaults = dict(defaults, fused=True)
        self._check(dict(defaults))
        self.defaults = dict(defaults)
        self.param_groups = []
        self.state = ParamState()
        self._kernels = {}
        self._flat_groups = {}  # id(group) -> FlatGroup, for groups with fused=True
        groups = _as_list(params, self.name)
        if not groups:
            raise ValueError(f"{self.name}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"

    # ----- groups ------------------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with ``"params"``) with its own hyperparameters.

        Raises ``ValueError`` if a parameter is already optimized by this optimizer (in this
        group or another) or a hyperparameter is invalid, ``TypeError`` if an entry is not a
        floating-point leaf Tensor.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"{self.name}.add_param_group: expected a dict, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{self.name}.add_param_group: the group has no 'params' entry")
        group = dict(param_group)
        params = group["params"]
        params = [params] if isinstance(params, mg.Tensor) else _as_list(params, self.name)
        _check_params(params, self.name)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for i, p in enumerate(params):
            if id(p) in seen:
                raise ValueError(
                    f"{self.name}: parameter {i} of the new group (shape {p.shape}) is given more than "
                    "once (in this group or an earlier one); each parameter may appear only once")
            seen.add(id(p))
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        group["params"] = params
        self._check(group)
        if group.get("fused"):
            check_fused(self.name, params)
            self._flat_groups[id(group)] = FlatGroup(params)
        self.param_groups.append(group)

    def _check(self, group):
        """Validate the hyperparameters of ``group`` (a subclass hook)."""

    def _state_keys(self, group):
        """The entries of a parameter's state under ``group``'s settings (a subclass hook)."""
        return ()

    # ----- the training-loop methods ---------------------------------------------------
    @replayed_whole
    def zero_grad(self, set_to_none=True):
        """Forget the gradients: ``p.grad = None`` (default), or fill them with zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                    continue
                if g.grad_fn is not None or g.requires_grad:
                    g = p.grad = g.detach()
                _fill_zero(g)

    @replayed_whole
    def step(self, closure=None):
        """Update every parameter that has a gradient, in place.

        Parameters
        ----------
        closure : callable, optional
            Re-evaluates the model and returns the loss (run with grad mode on).

        Returns
        -------
        The closure's loss, or None.
        """
        loss = None
        if closure is not None:
            with mg.enable_grad():
                loss = closure()
        work = []
        for group in self.param_groups:  # check every gradient first: a bad one changes nothing
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if g.array.shape != p.array.shape or g.device is not p.device or g.array.dtype != p.array.dtype:
                    _bad_grad(self.name, p, g)
                work.append((p, g.array, group))
        if self._flat_groups:
            work = self._fused_steps(work)
        for p, grad, group in work:
            self._update(p, grad, self.state[p], group, self._kernels_for(p.device))
            p.bump_version()
        return loss

    def _kernels_for(self, dev):
        kernels = self._kernels.get(id(dev))  # devices are singletons; id is a cheap key
        if kernels is None:
            kernels = self._kernels[id(dev)] = kernels_for(dev)
        return kernels

    def _fused_steps(self, work):
        """Update each fused group whose flat path can run (see :mod:`optim.flat`) with one call;
        return the work left for one call per parameter."""
        left, done = [], set()
        for group in self.param_groups:
            flat = self._flat_groups.get(id(group))
            if flat is None or len(group["params"]) != len(flat.params):
                continue
            items = [(p, g) for p, g, gr in work if gr is group]
            if any(p is not q for (p, _), q in zip(items, flat.params)):
                continue
            grads, states = [g for _, g in items], [self.state[p] for p, _ in items]
            if flat.usable(grads, states):
                flat.step(self._update, grads, states, group, self._kernels_for(flat.device))
                done.add(id(group))
        for item in work:
            if id(item[2]) not in done:
                left.append(item)
        return left

    def _update(self, p, grad, state, group, kernels):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}._update is not defined")

    # ----- checkpoints ---------------------------------------------------------------------
    def state_dict(self):
        """A copy of the optimizer's state: ``{"state": {index: {...}}, "param_groups": [...]}``.

        Parameters are replaced by their index in the order of ``param_groups``; buffers are
        copied, so later steps do not change a state_dict already taken.
        """
        return pack(self)

    def load_state_dict(self, state_dict):
        """Restore a state taken with :meth:`state_dict` (from an optimizer of the same kind
        over parameters of the same shapes).  Everything is checked first: on error the
        optimizer is unchanged."""
        check_state_dict(self, state_dict)
        groups, state = unpack(self, state_dict)
        for group in groups:
            self._check(group)
        flats = [self._flat_groups.get(id(g)) for g in self.param_groups]
        for group, flat in zip(groups, flats):  # fused is how this optimizer runs, not a saved setting
            if flat is not None:
                group["fused"] = True
            else:
                group.pop("fused", None)
        self._flat_groups = {id(g): f for g, f in zip(groups, flats) if f is not None}
        self.param_groups[:] = groups
        self.state = state


def _as_list(params, name):
    if isinstance(params, mg.Tensor):
        raise TypeError(
            f"{name}: params must be an iterable of Tensors or of dicts (parameter groups), got a single "
            f"Tensor of shape {params.shape}; wrap it in a list")
    if isinstance(params, (set, frozenset)):
        raise TypeError(f"{name}: params must be an ordered iterable (a list), not a set: the order decides "
                        "the indices in state_dict")
    try:
        return list(params)
    except TypeError:
        raise TypeError(f"{name}: params must be an iterable of Tensors or of dicts, got "
                        f"{type(params).__name__}") from None


def _check_params(params, name):
    for i, p in enumerate(params):
        if not isinstance(p, mg.Tensor):
            raise TypeError(f"{name}: parameter {i} is a {type(p).__name__}, expected a minigrad Tensor")
        if not p.is_leaf:
            raise ValueError(f"{name}: parameter {i} (shape {p.shape}) is not a leaf tensor (it was computed "
                             "by an op); optimize the tensors you created, or detach() it")
        if not p.dtype.is_floating_point:
            raise TypeError(f"{name}: parameter {i} has dtype {p.dtype}; only floating-point tensors can be "
                            "optimized")


def _bad_grad(name, p, g):
    raise ValueError(
        f"{name}.step: the gradient of a parameter of shape {p.shape}, {p.dtype} on {p.device} is "
        f"shape {g.shape}, {g.dtype} on {g.device}; expected the same shape, dtype and device")


def _fill_zero(t):
    data = t.array
    if hasattr(data, "fill"):
        data.fill(0)
    else:
        data[...] = 0
    t.bump_version()


# ----- hyperparameter checks, shared by the optimizers ------------------------------------
def check_nonnegative(name, group, key, label=None):
    """``group[key]`` is a real number >= 0 (not NaN, not inf)."""
    value = group[key]
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name}: invalid {label or key} {value!r}; expected a finite number >= 0")


def check_finite(name, group, key):
    """``group[key]`` is a finite real number."""
    value = group[key]
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name}: invalid {key} {value!r}; expected a finite number")


def check_beta(name, group, key, label=None):
    """``group[key]`` is a real number in [0, 1)."""
    value = group[key]
    if isinstance(value, bool) or not isinstance(value, Real) or not 0.0 <= value < 1.0:
        raise ValueError(f"{name}: invalid {label or key} {value!r}; expected a number in [0, 1)")


def check_flag(name, group, key):
    if not isinstance(group[key], bool):
        raise ValueError(f"{name}: {key} must be True or False, got {group[key]!r}")
