"""Random numbers, reproducible from a seed on every device.

``manual_seed(s)`` reseeds the default generator of every device; a :class:`Generator`
object gives an independent, explicitly passed stream (``minigrad.randn(3, generator=g)``).
"""
from __future__ import annotations

from .device import device as _get_device, get_default_device
from .tracing import replayed_whole

__all__ = ["Generator", "manual_seed", "default_generator", "initial_seed"]


class Generator:
    """An independent stream of random numbers for one device.

    Parameters
    ----------
    device : str or Device, optional
        Where its numbers are drawn (default: the default device).
    seed : int, optional
        Seed; without one the stream is seeded from the OS.
    """

    def __init__(self, device=None, seed=None):
        self.device = _get_device(device) if device is not None else get_default_device()
        self._seed = seed
        self._native = self.device.native_generator(seed)

    def manual_seed(self, seed):
        """Restart the stream from ``seed``; returns self."""
        self._seed = int(seed)
        self._native = self.device.native_generator(self._seed)
        return self

    def initial_seed(self):
        """The seed this generator was created or last seeded with; None when the OS seeded it."""
        return self._seed

    def get_state(self):
        """The generator's state (a dict of plain values), for checkpoints."""
        return {"device": str(self.device), "seed": self._seed, "state": self._native.bit_generator.state}

    def set_state(self, state):
        """Restore a state from :meth:`get_state`: the next draws repeat those made after it was taken."""
        self._native.bit_generator.state = state["state"]
        self._seed = state.get("seed")

    @replayed_whole
    def draw(self, kind, shape, dtype, **kw):
        """An array of ``kind`` random numbers on this generator's device (used by factories)."""
        return self.device.random(self._native, kind, shape, dtype, **kw)


_defaults: dict = {}
_seed = [None]


def default_generator(device=None) -> Generator:
    """The generator used when no ``generator=`` is passed, one per device."""
    dev = _get_device(device) if device is not None else get_default_device()
    g = _defaults.get(dev.name)
    if g is None:
        g = _defaults[dev.name] = Generator(dev, _seed[0])
    return g


def manual_seed(seed) -> None:
    """Seed the default generators of all devices (like ``torch.manual_seed``)."""
    seed = int(seed)
    _seed[0] = seed
    for g in _defaults.values():
        g.manual_seed(seed)


def initial_seed():
    """The seed last given to :func:`manual_seed`; None before any (the default generators are then OS-seeded)."""
    return _seed[0]
