"""``save`` / ``load``: checkpoints of nested dicts of tensors, arrays and plain values, safely.

File format (version 1), little-endian throughout::

    offset 0    8 bytes   magic  b"\\x89MGCKPT\\n"
            8   uint32    format version (1)
           12   uint64    H, length of the header
           20   H bytes   header: UTF-8 JSON {"format", "version", "data_size", "root"}
                          padding with zeros to a multiple of 64
            D   data_size bytes of raw array data, each array 64-byte aligned
          end   32 bytes  SHA-256 of every byte before it

``root`` describes the saved object: JSON null/bools/numbers/strings stand for themselves;
containers and arrays are JSON objects tagged with ``"$t"`` -- ``list``, ``tuple``, ``dict``
and ``odict`` (keys and values as parallel lists, so int and tuple keys survive),
``tensor`` / ``ndarray`` / ``npscalar`` / ``bytes`` (dtype, shape, and the offset and length
of their bytes in the data section).

Nothing in the file is ever executed or unpickled: loading parses JSON and copies bytes into
arrays of whitelisted dtypes, after checking the checksum, every size and offset, and the
nesting depth.  A truncated, corrupted or hostile file raises :class:`CheckpointError`.

Saving to a path is atomic: the data goes to a temporary file in the same directory, which is
flushed, fsync'ed and then renamed over the target (``os.replace``), so a crash or kill during
``save`` leaves the previous file intact.  A killed save leaves its temporary file
``.NAME.PID.HEX.tmp`` behind; the next ``save`` or ``load`` of ``NAME`` removes those whose
writer process ``PID`` no longer exists (see :mod:`minigrad._stale_temps`).
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import secrets
import struct
from collections import OrderedDict

import numpy as np

from ._stale_temps import remove_stale_temps
from .device import DeviceError, device as _get_device
from .tensor import Tensor

__all__ = ["save", "load", "CheckpointError"]

MAGIC = b"\x89MGCKPT\n"
VERSION = 1
_ALIGN = 64
_PREFIX = struct.Struct("<8sIQ")
_DIGEST = 32
_MAX_DEPTH = 64
_DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")


class CheckpointError(ValueError):
    """A checkpoint cannot be written or read: unsupported object, truncated, corrupted or hostile file."""


# ----- saving ---------------------------------------------------------------------------------
class _Writer:
    """Turns the object into the JSON tree, collecting the arrays to write after the header."""

    def __init__(self):
        self.blobs = []  # (offset, nbytes, producer) -- producer() returns a contiguous '<' array or bytes
        self.size = 0

    def _blob(self, nbytes, producer):
        offset = self.size
        self.blobs.append((offset, nbytes, producer))
        self.size += -(-nbytes // _ALIGN) * _ALIGN
        return offset

    def encode(self, obj, path, depth=0):
        if depth > _MAX_DEPTH:
            raise CheckpointError(f"save: object nested deeper than {_MAX_DEPTH} levels at {path}")
        if isinstance(obj, (np.ndarray, np.generic)):  # first: np.float64 is also a float, and must stay numpy
            arr = np.asarray(obj)
            return self._array(_dtype_name(arr.dtype), arr.shape, lambda: arr,
                               "ndarray" if isinstance(obj, np.ndarray) else "npscalar", path)
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return obj
        if isinstance(obj, float):  # repr of float(obj): "nan", "inf", "-inf", whatever the subclass
            return obj if math.isfinite(obj) else {"$t": "float", "v": repr(float(obj))}
        if isinstance(obj, Tensor):  # copied to the host only when its bytes are written
            host = (lambda t=obj: t.array) if obj.device.type == "cpu" else obj.numpy
            return self._array(str(obj.dtype), obj.shape, host, "tensor", path, device=str(obj.device),
                               requires_grad=obj.requires_grad)
        if isinstance(obj, (bytes, bytearray)):
            data = bytes(obj)
            return {"$t": "bytes", "offset": self._blob(len(data), lambda: data), "nbytes": len(data)}
        if isinstance(obj, (list, tuple)):
            return {"$t": "tuple" if isinstance(obj, tuple) else "list",
                    "v": [self.encode(x, f"{path}[{i}]", depth + 1) for i, x in enumerate(obj)]}
        if isinstance(obj, dict):
            keys = list(obj.keys())
            for k in keys:
                _check_key(k, path)
            return {"$t": "odict" if isinstance(obj, OrderedDict) else "dict",
                    "k": [self.encode(k, path, depth + 1) for k in keys],
                    "v": [self.encode(obj[k], f"{path}[{k!r}]", depth + 1) for k in keys]}
        raise CheckpointError(f"save: cannot store an object of type {type(obj).__name__} at {path}; supported: "
                              "Tensor, numpy arrays and scalars, bytes, None, bool, int, float, str, and "
                              "lists, tuples and dicts of these")

    def _array(self, name, shape, host, tag, path, **extra):
        if name not in _DTYPES:
            raise CheckpointError(f"save: unsupported dtype {name} at {path}; expected one of {', '.join(_DTYPES)}")
        little = _np_dtype(name)
        nbytes = math.prod(shape) * little.itemsize
        offset = self._blob(nbytes, lambda: np.ascontiguousarray(host(), dtype=little))
        return {"$t": tag, "dtype": name, "shape": list(shape), "offset": offset, "nbytes": nbytes, **extra}


def _dtype_name(dt):
    return "bool" if dt == np.bool_ else dt.newbyteorder("=").name


def _np_dtype(name):
    """The little-endian NumPy dtype stored for dtype ``name``."""
    return np.dtype(np.bool_ if name == "bool" else name).newbyteorder("<")


def _check_key(k, path):
    if k is None or isinstance(k, (bool, int, float, str)):
        return
    if isinstance(k, tuple):
        for x in k:
            _check_key(x, path)
        return
    raise CheckpointError(f"save: dict key {k!r} at {path} has type {type(k).__name__}; keys must be "
                          "str, int, float, bool, None or tuples of these")


def _serialize(obj, out, hasher):
    """Write the whole checkpoint to the binary file ``out``."""
    w = _Writer()
    root = w.encode(obj, "state")
    header = json.dumps({"format": "minigrad-checkpoint", "version": VERSION, "data_size": w.size, "root": root},
                        separators=(",", ":"), allow_nan=False).encode("utf-8")
    start = _PREFIX.size + len(header)
    pad = -start % _ALIGN

    def emit(chunk):
        hasher.update(chunk)
        out.write(chunk)

    emit(_PREFIX.pack(MAGIC, VERSION, len(header)) + header + b"\0" * pad)
    written = 0
    for offset, nbytes, producer in w.blobs:
        emit(b"\0" * (offset - written))
        data = producer()
        emit(data if isinstance(data, bytes) else memoryview(data.reshape(-1).view(np.uint8)))
        written = offset + nbytes
    emit(b"\0" * (w.size - written))
    out.write(hasher.digest())


def save(obj, path):
    """Save ``obj`` -- nested dicts/lists/tuples of Tensors, numpy arrays and plain values -- to ``path``.

    Typical use: ``minigrad.save({"model": model.state_dict(), "optim": opt.state_dict(),
    "epoch": 7, "rng": mg.default_generator().get_state()}, "ckpt.mg")``.

    The write is atomic (temporary file, fsync, rename): if the process dies mid-save, the
    previous file at ``path`` is untouched.  ``path`` may also be a writable binary file object
    (then written in place, without that guarantee).  See the module docstring for the format.

    Examples
    --------
    >>> import io, minigrad as mg
    >>> buf = io.BytesIO()
    >>> mg.save({"w": mg.ones(2), "epoch": 3, "betas": (0.9, 0.999)}, buf)
    >>> _ = buf.seek(0)
    >>> state = mg.load(buf)
    >>> state["epoch"], state["betas"], state["w"].shape
    (3, (0.9, 0.999), (2,))
    """
    if hasattr(path, "write"):
        _serialize(obj, path, hashlib.sha256())
        return
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    remove_stale_temps(path)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as e:  # name the path the user gave, not our temporary file
        raise type(e)(e.errno, f"save: cannot write {path!r} (its temporary file in {directory!r} cannot be "
                               f"created: {e.strerror})", path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            _serialize(obj, f, hashlib.sha256())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(directory)


def _fsync_dir(directory):
    """Make the rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ----- loading --------------------------------------------------------------------------------
def load(path, map_location=None):
    """Load what :func:`save` wrote.

    Parameters
    ----------
    path : str, os.PathLike or readable binary file object
    map_location : str, Device, dict or None
        Where tensors go: None keeps each tensor's saved device; a device name sends every
        tensor there (``map_location="cpu"`` loads a GPU checkpoint on a CPU-only machine);
        a dict maps saved device names to new ones (``{"cuda:0": "cuda:1"}``), others stay.
        NumPy arrays stay NumPy arrays.

    Raises
    ------
    CheckpointError
        If the file is not a minigrad checkpoint, is truncated or corrupted (checksum), or
        describes anything invalid (unknown types or dtypes, sizes or offsets out of range,
        excessive nesting).  Nothing in the file is executed.
    """
    name = getattr(path, "name", None) if hasattr(path, "read") else os.fspath(path)
    if hasattr(path, "read"):
        raw = path.read()
    else:
        remove_stale_temps(name)
        with open(name, "rb") as f:
            raw = f.read()
    return _Reader(raw, name, map_location).run()


class _Reader:
    def __init__(self, raw, name, map_location):
        self.raw = memoryview(raw)
        self.name = name
        self.map_location = map_location

    def fail(self, msg):
        return CheckpointError(f"minigrad.load({self.name!r}): {msg}")

    def run(self):
        header = self._header()
        for key in ("format", "version", "data_size", "root"):
            if key not in header:
                raise self.fail(f"the header has no {key!r} entry; the file is corrupted")
        self.data_size = header["data_size"]
        if not isinstance(self.data_size, int) or self.data_size != len(self.raw) - _DIGEST - self.data_start:
            raise self.fail("the data size in the header does not match the file; it is truncated or corrupted")
        return self.decode(header["root"], 0)

    def _header(self):
        raw = self.raw
        if bytes(raw[:8]) != MAGIC:
            raise self.fail(_not_ours(bytes(raw[:8])))
        if len(raw) < _PREFIX.size + _DIGEST:
            raise self.fail(f"the file is truncated ({len(raw)} bytes, shorter than the {_PREFIX.size + _DIGEST} "
                            "bytes of the prefix and checksum)")
        _, version, hlen = _PREFIX.unpack(raw[:_PREFIX.size])
        if version != VERSION:
            raise self.fail(f"format version {version} is not supported (this minigrad reads version {VERSION})")
        if _PREFIX.size + hlen + _DIGEST > len(raw):
            raise self.fail(f"the file is truncated ({len(raw)} bytes, the header alone needs {_PREFIX.size + hlen})")
        digest = hashlib.sha256(raw[:-_DIGEST]).digest()
        if digest != bytes(raw[-_DIGEST:]):
            raise self.fail("checksum mismatch: the file is truncated or corrupted")
        end = _PREFIX.size + hlen
        self.data_start = end + (-end % _ALIGN)
        try:
            header = json.loads(bytes(raw[_PREFIX.size:end]).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise self.fail(f"the header is not valid JSON ({type(e).__name__}); the file is corrupted") from None
        if not isinstance(header, dict) or header.get("format") != "minigrad-checkpoint":
            raise self.fail("the header does not describe a minigrad checkpoint")
        return header

    def decode(self, node, depth):
        if depth > _MAX_DEPTH:
            raise self.fail(f"objects nested deeper than {_MAX_DEPTH} levels")
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list) or not isinstance(node, dict) or not isinstance(node.get("$t"), str):
            raise self.fail(f"unexpected entry {_short(node)} in the header")
        tag = node["$t"]
        if tag in ("list", "tuple"):
            items = [self.decode(x, depth + 1) for x in self._field(node, "v", list)]
            return items if tag == "list" else tuple(items)
        if tag in ("dict", "odict"):
            keys, values = self._field(node, "k", list), self._field(node, "v", list)
            if len(keys) != len(values):
                raise self.fail("a dict has different numbers of keys and values")
            out = OrderedDict() if tag == "odict" else {}
            for k, v in zip(keys, values):
                key = self.decode(k, depth + 1)
                try:
                    out[key] = self.decode(v, depth + 1)
                except TypeError:
                    raise self.fail(f"unusable dict key {_short(key)}") from None
            return out
        if tag == "float":
            v = self._field(node, "v", str)
            if v not in ("nan", "inf", "-inf"):
                raise self.fail(f"bad float value {_short(v)}")
            return float(v)
        if tag == "bytes":
            return bytes(self._bytes(node))
        if tag in ("tensor", "ndarray", "npscalar"):
            return self._array(node, tag)
        raise self.fail(f"unknown entry type {_short(tag)}")

    def _field(self, node, key, kind):
        v = node.get(key)
        if not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
            raise self.fail(f"entry {node.get('$t')!r} has a missing or bad {key!r}")
        return v

    def _bytes(self, node):
        offset, nbytes = self._field(node, "offset", int), self._field(node, "nbytes", int)
        if offset < 0 or nbytes < 0 or offset + nbytes > self.data_size:
            raise self.fail(f"an entry points outside the data section (offset {offset}, {nbytes} bytes, "
                            f"section of {self.data_size} bytes)")
        start = self.data_start + offset
        return self.raw[start:start + nbytes]

    def _array(self, node, tag):
        dtype = self._field(node, "dtype", str)
        if dtype not in _DTYPES:
            raise self.fail(f"unsupported dtype {_short(dtype)}")
        shape = self._field(node, "shape", list)
        if len(shape) > 32 or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 2**63
                                      for n in shape):
            raise self.fail(f"bad array shape {_short(shape)}")
        if math.prod(n for n in shape if n) >= 2**63:  # NumPy refuses such a shape even with a 0 in it
            raise self.fail(f"array shape {_short(shape)} is too large (its dimensions multiply past 2**63)")
        np_dtype = _np_dtype(dtype)
        count = math.prod(shape)
        buf = self._bytes(node)
        if len(buf) != count * np_dtype.itemsize:
            raise self.fail(f"array of shape {tuple(shape)} and dtype {dtype} needs {count * np_dtype.itemsize} "
                            f"bytes, the entry has {len(buf)}")
        arr = np.frombuffer(buf, dtype=np_dtype, count=count).reshape(shape).astype(np_dtype.newbyteorder("="))
        if tag == "ndarray":
            return arr
        if tag == "npscalar":
            if shape:
                raise self.fail("a numpy scalar entry has a non-empty shape")
            return arr[()]
        return self._tensor(arr, node)

    def _tensor(self, arr, node):
        saved = node.get("device", "cpu")
        target = self._target_device(saved if isinstance(saved, str) else "cpu")
        t = Tensor(arr, device=target)
        if node.get("requires_grad") is True and t.dtype.is_floating_point:
            t.requires_grad = True
        return t

    def _target_device(self, saved):
        ml = self.map_location
        if isinstance(ml, dict):
            ml = ml.get(saved, saved)
        name = saved if ml is None else ml
        try:
            return _get_device(name)
        except (DeviceError, ValueError, TypeError) as e:
            raise self.fail(f"a tensor was saved on {saved!r}, which cannot be used here ({e}); "
                            "pass map_location='cpu' (or another device) to load it elsewhere") from None


def _short(x, n=60):
    s = repr(x)
    return s if len(s) <= n else s[:n] + "..."


def _not_ours(head):
    if head.startswith(b"PK"):
        kind = "a zip archive (torch.save writes these; they contain pickles, which minigrad never loads)"
    elif head[:1] == b"\x80":
        kind = "a Python pickle (never loaded: unpickling can run arbitrary code)"
    elif head.startswith(b"\x93NUMPY"):
        kind = "a NumPy .npy file (use numpy.load)"
    elif not head:
        kind = "empty"
    else:
        kind = f"unknown (starts with {head!r})"
    return f"not a minigrad checkpoint: the file is {kind}"
