"""Watching for vanishing and exploding gradients during training.

In a deep network the gradient of an early layer is a product of one factor per later
layer, so it can shrink or grow exponentially with depth (the course's vanishing /
exploding gradients).  The training loop records, per epoch:

* for every parameter, the mean over the epoch's steps of ||dL/dW||_2 (computed on the
  parameter's device and read once per epoch);
* for every layer of a model that exposes ``named_modules()``, the mean and standard
  deviation of its output on a fixed probe batch (eval mode, no grad), by wrapping each
  layer's ``forward`` for that one call.  Models without ``named_modules()`` get gradient
  statistics only.

and warns (:class:`GradientWarning`) when they collapse or explode.
"""
from __future__ import annotations

import math
import sys
import warnings

from ..modes import no_grad
from ..tensor import Tensor

__all__ = ["GradientWarning", "named_parameters", "GradNormTracker", "activation_stats", "check_gradients",
           "check_activations"]


class GradientWarning(RuntimeWarning):
    """Gradients or activations vanished or exploded during training."""


def named_parameters(model):
    """``[(name, tensor)]`` from ``model.named_parameters()``, else ``param0, param1, ...``."""
    if hasattr(model, "named_parameters"):
        return list(model.named_parameters())
    return [(f"param{i}", p) for i, p in enumerate(model.parameters())]


class GradNormTracker:
    """Accumulates ||grad||_2 per parameter on the device; :meth:`epoch_means` reads them.

    Each :meth:`record` (one per optimizer step) adds every parameter's gradient norm and counts
    one step; a parameter whose ``grad`` is None adds nothing but the step still counts.
    """

    def __init__(self, named):
        self.named = named
        self.sums = {}
        self.steps = 0

    def record(self):
        for name, p in self.named:
            g = p.grad
            if g is None:
                continue
            xp = g.device.xp
            norm = xp.sqrt(xp.sum(g.array * g.array))
            self.sums[name] = norm if name not in self.sums else self.sums[name] + norm
        self.steps += 1

    def epoch_means(self):
        """``{name: sum of norms / steps recorded}`` since the last call (then starts over);
        parameters that never had a gradient are left out."""
        out = {name: float(total) / self.steps for name, total in self.sums.items()}
        self.sums, self.steps = {}, 0
        return out


def _stats_recorder(name, original, stats):
    """A stand-in ``forward`` that calls ``original`` and records its output's mean and std."""
    def forward(*args, **kwargs):
        out = original(*args, **kwargs)
        if isinstance(out, Tensor) and out.numel():
            xp = out.device.xp
            data = xp.astype(out.array, xp.float64)
            mean = xp.mean(data)
            stats[name] = (float(mean), float(xp.sqrt(xp.mean((data - mean) ** 2))))
        return out
    return forward


def activation_stats(model, x):
    """``{layer name: (mean, std)}`` of each named sub-module's output on ``x`` (no grad).

    Empty when the model has no ``named_modules()``; a module whose ``forward`` cannot be
    replaced on the instance is skipped.  The original ``forward`` attributes are restored
    afterwards, whatever happens.
    """
    if not hasattr(model, "named_modules"):
        return {}
    stats, wrapped = {}, []
    try:
        for name, module in model.named_modules():
            original = getattr(module, "forward", None)
            if not name or not callable(original):
                continue
            had_own = "forward" in getattr(module, "__dict__", {})
            try:
                object.__setattr__(module, "forward", _stats_recorder(name, original, stats))
            except (AttributeError, TypeError):  # __slots__ or a read-only forward
                continue
            wrapped.append((module, had_own, original))
        with no_grad():
            model(x)
    except RecursionError:  # wrapping every module's forward makes a very deep model recurse: no statistics
        stats = {}
        warnings.warn(f"fit: layer activation statistics are skipped: with every layer's forward wrapped, the "
                      f"model ({len(wrapped)} sub-modules) is nested too deeply for Python's recursion limit "
                      f"({sys.getrecursionlimit()})", GradientWarning, stacklevel=4)
    finally:
        for module, had_own, original in reversed(wrapped):
            if had_own:
                object.__setattr__(module, "forward", original)
            else:
                object.__delattr__(module, "forward")
    return stats


def check_gradients(norms, vanish_ratio=1e-4, explode=1e3):
    """Messages for parameters whose gradient norm vanished or exploded.

    A gradient is *exploding* when its norm is strictly greater than ``explode`` (a norm equal
    to it is fine) or not finite (NaN, +-inf), and otherwise *vanishing* when it is exactly 0
    or strictly below ``vanish_ratio`` times the largest finite norm in ``norms`` (the whole
    model's, that epoch: the test is relative, so a model whose gradients are all small is not
    flagged; the largest counts even when it explodes).  A layer that gets 10^4 times less
    gradient than another hardly learns.  Each parameter gets at most one message.

    Examples
    --------
    >>> check_gradients({"w1": 2.0, "w2": 2e-4, "w3": 1e-4})
    ['vanishing gradient: ||dw3|| = 0.0001 (the largest is 2)']
    >>> check_gradients({"w": 1e3}), check_gradients({"w": 1000.5})
    ([], ['exploding gradient: ||dw|| = 1e+03 (> 1000)'])
    """
    msgs = []
    finite = [v for v in norms.values() if math.isfinite(v)]
    top = max(finite, default=0.0)
    for name, v in norms.items():
        if not math.isfinite(v) or v > explode:
            msgs.append(f"exploding gradient: ||d{name}|| = {v:.3g} (> {explode:g})")
        elif v == 0.0 or (top > 0 and v < vanish_ratio * top):
            msgs.append(f"vanishing gradient: ||d{name}|| = {v:.3g} (the largest is {top:.3g})")
    return msgs


def check_activations(stats, collapse=1e-6, explode=1e3):
    """Messages for layers whose outputs collapsed (std strictly below ``collapse``: every unit
    outputs the same, e.g. dead ReLUs or saturated sigmoids) or exploded (|mean| or std strictly
    above ``explode``, or either not finite).  The thresholds are absolute; a value equal to one
    is fine; a layer gets at most one message (exploding first)."""
    msgs = []
    for name, (mean, std) in stats.items():
        if not (math.isfinite(mean) and math.isfinite(std)) or abs(mean) > explode or std > explode:
            msgs.append(f"exploding activations: layer {name} outputs mean {mean:.3g}, std {std:.3g}")
        elif std < collapse:
            msgs.append(f"collapsed activations: layer {name} outputs std {std:.3g} (mean {mean:.3g})")
    return msgs


def warn_once(messages, seen, epoch):
    """Warn about each kind of problem (vanishing, exploding...) once per run: one GradientWarning
    per kind not in ``seen`` (kinds in sorted order), listing every parameter or layer of that kind
    this epoch; the kinds are then added to ``seen``."""
    for kind in sorted({m.split(":")[0] for m in messages} - seen):
        seen.add(kind)
        details = "; ".join(m.split(": ", 1)[1] for m in messages if m.startswith(kind))
        warnings.warn(f"fit: {kind} at epoch {epoch}: {details}", GradientWarning, stacklevel=4)
