"""Keeping non-finite numbers out of the parameters and the checkpoints.

A finite loss can still have a NaN or infinite gradient (``sqrt`` of an exact 0 somewhere in
the graph, an overflow in a backward): ``optimizer.step()`` would then write NaN into every
parameter it touches, and the next checkpoint would save that model.  :func:`fit` therefore
checks every gradient before each step with :func:`grads_finite`: per device, ``all(isfinite(g))``
of each gradient, stacked and reduced once more, and read back with a single host
synchronisation (no host round trip per parameter).  Only when that says "no" are the
parameters examined one by one (:func:`nonfinite_names`), to name them.
"""
from __future__ import annotations

__all__ = ["NonFiniteLossError", "NonFiniteGradientError", "grads_finite", "nonfinite_names", "all_finite",
           "ON_NONFINITE"]

ON_NONFINITE = ("stop", "skip_step")


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite during :func:`fit`."""


class NonFiniteGradientError(NonFiniteLossError):
    """A gradient became NaN or infinite during :func:`fit` (the loss may be finite).

    Attributes
    ----------
    parameters : list of str
        The names of the parameters whose gradient holds NaN or Inf (empty when anomaly mode
        stopped the backward pass before the gradients were complete).
    """

    def __init__(self, message, parameters=()):
        super().__init__(message)
        self.parameters = list(parameters)


def grads_finite(params):
    """True when every ``p.grad`` of ``params`` (Tensors; None gradients are skipped) is finite.

    One fused check per device: ``all_p all(isfinite(grad_p))``, read back once.
    """
    by_device = {}
    for p in params:
        g = p.grad
        if g is not None:
            by_device.setdefault(id(g.device), (g.device, []))[1].append(g.array)
    for device, arrays in by_device.values():
        xp = device.xp
        if not bool(xp.all(xp.stack([xp.all(xp.isfinite(a)) for a in arrays]))):
            return False
    return True


def _entries_finite(xp, a):
    try:
        return bool(xp.all(xp.isfinite(a)))
    except TypeError:  # integer or bool data
        return True


def all_finite(tensors):
    """True when every Tensor in ``tensors`` holds only finite numbers (non-float ones count as finite)."""
    return all(_entries_finite(t.device.xp, t.array) for t in tensors)


def nonfinite_names(named):
    """The names, in order, of the ``(name, parameter)`` pairs whose gradient holds NaN or Inf."""
    return [name for name, p in named if p.grad is not None and not _entries_finite(p.grad.device.xp, p.grad.array)]
