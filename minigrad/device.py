"""Devices and their array namespaces.

A device name maps to an array library ("namespace", ``xp``) that holds the tensor data:

=================  ======================================================
``"cpu"``          NumPy
``"cuda"``         CuPy on the current GPU; ``"cuda:N"`` on GPU ``N``
``"strict"``       ``array-api-strict`` on its CPU device; ``"strict:1"`` and
                   ``"strict:2"`` are its two fake devices, which refuse to mix.
                   It exists to prove that minigrad is written against the
                   Array API standard and not against NumPy.
=================  ======================================================

All array math on tensor data goes through ``device.xp``.  The few things the
standard lacks (random numbers, scatter-add, advanced indexing, host
transfer) are provided per backend by the methods of :class:`Device`, and
nowhere else.
"""
from __future__ import annotations

import contextlib
import importlib
import os

import numpy as np

__all__ = ["Device", "device", "get_default_device", "set_default_device", "DeviceError"]

_STRICT_NATIVE = {0: "CPU_DEVICE", 1: "device1", 2: "device2"}


class DeviceError(RuntimeError):
    """A device was asked for that cannot be used here (e.g. CUDA without CuPy or a GPU)."""


class Device:
    """A place where tensor data lives, and the array namespace ``xp`` that computes there.

    Compare with strings freely: ``t.device == "cpu"``.
    """

    __slots__ = ("type", "index", "xp", "native", "name")

    def __init__(self, type_, index, xp, native):
        self.type = type_
        self.index = index
        self.xp = xp
        self.native = native
        self.name = type_ if index is None else f"{type_}:{index}"

    def __repr__(self):
        return f"device(type='{self.type}'" + ("" if self.index is None else f", index={self.index}") + ")"

    def __str__(self):
        return self.name

    def __eq__(self, other):
        if isinstance(other, Device):
            return self is other or self.name == other.name
        if isinstance(other, str):
            try:
                return device(other) is self
            except (ValueError, DeviceError):
                return False
        return NotImplemented

    def __hash__(self):
        return hash(self.name)

    def __reduce__(self):  # copy/deepcopy/pickle give back the one cached Device of that name
        return (device, (self.name,))

    # ----- creation and transfer -------------------------------------------------
    def asarray(self, obj, dtype=None):
        """``obj`` (array-like, any backend's array, Python scalar) as an array on this device."""
        xp = self.xp
        if self.type == "cpu":
            if not isinstance(obj, np.ndarray) and hasattr(obj, "__dlpack__") and not _is_numpy_scalar(obj):
                obj = _host_numpy(obj)
            return np.asarray(obj, dtype=dtype)
        if self.type == "strict":
            if hasattr(obj, "__dlpack__") and not isinstance(obj, np.ndarray) and not _is_strict_array(obj):
                obj = _host_numpy(obj)
            if _is_strict_array(obj):
                if obj.device != self.native:
                    obj = xp.asarray(_host_numpy(obj), device=self.native)
                return obj if dtype is None or obj.dtype == dtype else xp.astype(obj, dtype)
            return xp.asarray(obj, dtype=dtype, device=self.native)
        with self.native:  # cuda
            if not isinstance(obj, xp.ndarray) and hasattr(obj, "__dlpack__") and not isinstance(obj, np.ndarray):
                obj = xp.from_dlpack(obj)
            return xp.asarray(obj, dtype=dtype)

    def to_numpy(self, array):
        """A NumPy copy of ``array`` on the host (never a view)."""
        if self.type == "cpu":
            return np.array(array, copy=True)
        if self.type == "strict":
            return np.array(_host_numpy(array), copy=True)
        return array.get()

    def context(self):
        """Context manager that makes this device current (only meaningful for CUDA)."""
        return self.native if self.type == "cuda" else contextlib.nullcontext()

    # ----- what the Array API standard lacks -----------------------------------------
    def getitem(self, array, key):
        """``array[key]`` with NumPy's indexing rules (slices, ints, None, Ellipsis,
        integer arrays, boolean masks, any mix)."""
        if self.type == "strict":
            return self._strict_via_host(lambda a: a[_host_key(key)], array)
        return array[key]

    def setitem(self, array, key, value):
        """``array[key] = value`` in place, with NumPy's indexing rules (array-api-strict
        supports only part of them, so strict arrays are written through the host)."""
        if self.type != "strict":
            array[key] = value
            return
        host = np.array(_host_numpy(array), copy=True)
        host[_host_key(key)] = _host_numpy(value) if hasattr(value, "__dlpack__") else value
        array[...] = self.xp.asarray(host, device=self.native)

    def scatter_add(self, shape, key, values, dtype):
        """Zeros of ``shape`` with ``values`` added at ``key``; repeated indices accumulate."""
        xp = self.xp
        if self.type == "cpu":
            out = np.zeros(shape, dtype=dtype)
            np.add.at(out, key, values)
            return out
        if self.type == "strict":
            out = np.zeros(shape, dtype=_host_numpy(values).dtype)
            np.add.at(out, _host_key(key), _host_numpy(values))
            return xp.asarray(out, device=self.native)
        with self.native:
            import cupyx

            out = xp.zeros(shape, dtype=dtype)
            cupyx.scatter_add(out, key, values)
            return out

    def _strict_via_host(self, fn, array):
        return self.xp.asarray(np.asarray(fn(_host_numpy(array))), device=self.native)

    # ----- random numbers -----------------------------------------------------------
    def native_generator(self, seed):
        """A random generator of this backend, seeded with ``seed``."""
        if self.type == "cuda":
            with self.native:
                return self.xp.random.default_rng(seed)
        return np.random.default_rng(seed)

    def random(self, gen, kind, shape, dtype, **kw):
        """Draw ``kind`` in {"uniform", "normal", "integers", "bernoulli"} from ``gen``."""
        shape = tuple(shape)
        with self.context():
            if kind == "uniform":
                low, high = kw.get("low", 0.0), kw.get("high", 1.0)
                a = gen.random(shape) * (high - low) + low
            elif kind == "normal":
                a = gen.standard_normal(shape) * kw.get("std", 1.0) + kw.get("mean", 0.0)
            elif kind == "integers":
                a = gen.integers(kw["low"], kw["high"], size=shape)
            elif kind == "bernoulli":
                a = gen.random(shape) < kw["p"]
            else:  # pragma: no cover - internal misuse
                raise ValueError(f"random: unknown distribution {kind!r}")
        if self.type == "strict":  # dtype is a strict dtype, which NumPy cannot read
            return self.xp.astype(self.xp.asarray(np.asarray(a), device=self.native), dtype)
        if self.type == "cpu":
            return np.asarray(a, dtype=dtype)  # also turns shape-() draws (NumPy scalars) into arrays
        return a.astype(dtype, copy=False)


def _is_numpy_scalar(obj):
    return isinstance(obj, np.generic)


def _is_strict_array(obj):
    return type(obj).__module__.startswith("array_api_strict")


def _host_numpy(array):
    """A NumPy array (possibly a view) of a host-resident array of any Array API library."""
    if isinstance(array, np.ndarray):
        return array
    if hasattr(array, "get") and type(array).__module__.startswith("cupy"):
        return array.get()
    return np.from_dlpack(array)


def _host_key(key):
    if isinstance(key, tuple):
        return tuple(_host_key(k) for k in key)
    if hasattr(key, "__dlpack__") and not isinstance(key, np.ndarray):
        return _host_numpy(key)
    return key


_cache: dict[str, Device] = {}


def _parse(name):
    if isinstance(name, Device):
        return name.type, name.index
    if not isinstance(name, str):
        raise TypeError(f"device: expected a device name such as 'cpu' or 'cuda:0', got {type(name).__name__}")
    type_, colon, idx = name.strip().lower().partition(":")
    if type_ not in ("cpu", "cuda", "strict"):
        raise ValueError(f"device: unknown device {name!r}; expected 'cpu', 'cuda', 'cuda:N', 'strict' or 'strict:N'")
    if idx == "" and not colon:
        return type_, (None if type_ == "cpu" else 0)
    if not idx.isdigit():
        raise ValueError(f"device: bad device index in {name!r}; expected a non-negative integer")
    if type_ == "cpu" and idx != "0":
        raise ValueError(f"device: 'cpu' has no index {idx} (only 'cpu' or 'cpu:0')")
    return type_, (None if type_ == "cpu" else int(idx))


def _make(type_, index):
    if type_ == "cpu":
        return Device("cpu", None, np, None)
    if type_ == "strict":
        try:
            xp = importlib.import_module("array_api_strict")
        except ImportError as e:
            raise DeviceError(
                "device 'strict' needs the array-api-strict package: pip install array-api-strict"
            ) from e
        if index not in _STRICT_NATIVE:
            raise ValueError(f"device: 'strict' has devices 0, 1 and 2, not {index}")
        return Device("strict", index, xp, xp.Device(_STRICT_NATIVE[index]))
    try:
        cp = importlib.import_module("cupy")
    except ImportError as e:
        raise DeviceError(
            "device 'cuda' needs CuPy, which is not installed: "
            "pip install \"minigrad[cuda12]\" (CUDA 12) or \"minigrad[cuda13]\" (CUDA 13)"
        ) from e
    try:
        count = cp.cuda.runtime.getDeviceCount()
    except Exception as e:  # CUDA driver missing or broken
        raise DeviceError(
            f"device 'cuda': CuPy is installed but no usable GPU was found ({e}); check the NVIDIA "
            "driver (nvidia-smi) and that the CuPy build matches your CUDA version: "
            "pip install \"minigrad[cuda12]\" (CUDA 12) or \"minigrad[cuda13]\" (CUDA 13); "
            "or use device='cpu'") from e
    if index >= count:
        raise DeviceError(f"device 'cuda:{index}': only {count} GPU(s) are visible")
    try:
        xp = importlib.import_module("array_api_compat.cupy")
    except ImportError:
        xp = cp
    return Device("cuda", index, xp, cp.cuda.Device(index))


def device(name) -> Device:
    """The :class:`Device` called ``name`` ('cpu', 'cuda', 'cuda:1', 'strict:2', ...)."""
    if isinstance(name, Device):
        return name
    dev = _cache.get(name)
    if dev is None:
        type_, index = _parse(name)
        key = type_ if index is None else f"{type_}:{index}"
        dev = _cache.get(key)
        if dev is None:
            dev = _cache[key] = _make(type_, index)
        _cache[name] = dev
    return dev


_default = [None]


def get_default_device() -> Device:
    """The device new tensors go to: set by :func:`set_default_device`, else the
    ``MINIGRAD_DEVICE`` environment variable, else 'cpu'."""
    if _default[0] is None:
        name = os.environ.get("MINIGRAD_DEVICE", "cpu") or "cpu"
        try:
            return device(name)
        except (ValueError, DeviceError) as e:
            raise type(e)(f"environment variable MINIGRAD_DEVICE={name!r}: {e}") from None
    return _default[0]


def set_default_device(name) -> None:
    """Make ``name`` the default device for new tensors (``None`` restores the default)."""
    _default[0] = None if name is None else device(name)


def device_of_array(array) -> Device:
    """The minigrad device an array of any supported library lives on."""
    if isinstance(array, np.ndarray):
        return device("cpu")
    mod = type(array).__module__
    if mod.startswith("array_api_strict"):
        native = array.device
        for idx, nm in _STRICT_NATIVE.items():
            if native.__repr__().find(repr(nm)) >= 0:
                return device(f"strict:{idx}")
        raise DeviceError(f"unknown array-api-strict device {native!r}")
    if mod.startswith("cupy"):
        return device(f"cuda:{array.device.id}")
    raise TypeError(f"no minigrad device holds arrays of type {type(array).__name__}")
