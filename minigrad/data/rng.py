"""Seeded host random generators whose state fits in a checkpoint.

The data tools draw their permutations, flips and shifts on the host with a NumPy
``Generator`` (PCG64), so a run is reproducible from one seed on every device.  A
generator's state holds 128-bit integers, which not every file format can store; it is
kept in checkpoints as its JSON text in a ``uint8`` array, which every format can.
"""
from __future__ import annotations

import json

import numpy as np

__all__ = ["make_rng", "encode_state", "decode_state", "rng_state", "set_rng_state"]


def make_rng(seed=None):
    """A NumPy Generator: ``seed`` may be None (fresh entropy), an int, or a Generator (used as is)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be None, an int or a numpy Generator, got {type(seed).__name__}")
    return np.random.default_rng(seed)


def encode_state(state) -> np.ndarray:
    """A JSON-able state (dicts, lists, big ints, strings) as a ``uint8`` array."""
    return np.frombuffer(json.dumps(state, sort_keys=True).encode("utf-8"), dtype=np.uint8).copy()


def decode_state(array):
    """Inverse of :func:`encode_state` (accepts a NumPy array, a Tensor, or the plain state)."""
    if isinstance(array, dict):
        return array
    if hasattr(array, "numpy") and not isinstance(array, np.ndarray):
        array = array.numpy()
    return json.loads(np.asarray(array, dtype=np.uint8).tobytes().decode("utf-8"))


def rng_state(rng) -> np.ndarray:
    """The state of a NumPy Generator, encoded for a checkpoint."""
    return encode_state(rng.bit_generator.state)


def set_rng_state(rng, array) -> None:
    """Restore a NumPy Generator from :func:`rng_state`'s output."""
    rng.bit_generator.state = decode_state(array)
