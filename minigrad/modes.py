"""Per-thread switches: grad mode and anomaly detection.

Each thread has its own (as in PyTorch): ``no_grad()`` in one thread — a trial of a
hyperparameter search run in a thread pool, say — never turns recording off in another.

``no_grad()`` / ``enable_grad()`` / ``set_grad_enabled(b)`` work as context managers and as
decorators.  ``detect_anomaly()`` makes every op check its forward output and every backward
check its gradients for NaN/Inf, raising at the first op that produces one.
"""
from __future__ import annotations

import functools
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
           "detect_anomaly", "is_anomaly_enabled"]


class _State(threading.local):
    """grad / anomaly flags; every thread starts with grad on and anomaly off."""

    def __init__(self):
        self.grad = True
        self.anomaly = False


STATE = _State()


def is_grad_enabled() -> bool:
    """Whether ops record a graph for backward right now."""
    return STATE.grad


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on (``mg.detect_anomaly()``), as ``torch.is_anomaly_enabled``."""
    return STATE.anomaly


class _Switch:
    """A context manager and decorator that sets one field of STATE and restores it."""

    field = ""
    value = True

    def __new__(cls, *args):
        if len(args) == 1 and callable(args[0]):  # bare decorator: @no_grad
            return cls()(args[0])
        return super().__new__(cls)

    def __enter__(self):
        self._prev = getattr(STATE, self.field)
        setattr(STATE, self.field, self.value)
        return self

    def __exit__(self, *exc):
        setattr(STATE, self.field, self._prev)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)(*self._args()):
                return fn(*args, **kwargs)

        return wrapper

    def _args(self):
        return ()


class no_grad(_Switch):
    """Turn graph recording off: results of ops do not require grad.

    Examples
    --------
    >>> import minigrad as mg
    >>> w = mg.ones(2, requires_grad=True)
    >>> with mg.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """

    field, value = "grad", False


class enable_grad(_Switch):
    """Turn graph recording back on (inside ``no_grad``)."""

    field, value = "grad", True


class set_grad_enabled(_Switch):
    """Set grad mode to ``mode``; usable as a function call, context manager or decorator."""

    field = "grad"

    def __init__(self, mode: bool):
        self.value = bool(mode)
        self._prev = STATE.grad
        STATE.grad = self.value

    def __enter__(self):
        return self

    def __call__(self, fn):
        STATE.grad = self._prev  # used as a decorator: undo the switch made by __init__
        return super().__call__(fn)

    def _args(self):
        return (self.value,)


class detect_anomaly(_Switch):
    """Raise at the first op whose forward output or backward gradient holds NaN or Inf.

    Slow (it inspects every array); use it to find where a NaN is born.
    """

    field = "anomaly"

    def __init__(self, mode: bool = True):
        self.value = bool(mode)

    def _args(self):
        return (self.value,)
