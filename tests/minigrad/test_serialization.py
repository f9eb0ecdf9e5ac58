"""minigrad.save / minigrad.load: round trips, devices, atomic writes (processes killed mid-save),
and truncated, corrupted or hostile files."""
from paths import ROOT
import collections
import hashlib
import io
import json
import math
import os
import pickle
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad import serialization



# ----- round trips ----------------------------------------------------------------------------------
def test_plain_values_round_trip_exactly(tmp_path):
    obj = {"int": 7, "big": 2**130, "neg": -3, "float": 0.1, "negzero": -0.0, "inf": math.inf, "ninf": -math.inf,
           "str": "héllo\n\"quoted\"", "none": None, "bools": [True, False], "tuple": (1, (2.5, "x")),
           "empty": [[], (), {}], 3: "int key", (1, "a"): "tuple key", None: "none key", 2.5: "float key",
           "bytes": b"\x00\xffraw", "nested": {"a": {"b": {"c": [1, {"d": 2}]}}},
           "od": collections.OrderedDict([("z", 1), ("a", 2)])}
    mg.save(obj, tmp_path / "p.mg")
    back = mg.load(tmp_path / "p.mg")
    assert back == obj
    assert type(back["tuple"]) is tuple and type(back["tuple"][1]) is tuple
    assert type(back["od"]) is collections.OrderedDict and list(back["od"]) == ["z", "a"]
    assert math.copysign(1.0, back["negzero"]) == -1.0
    assert isinstance(back["int"], int) and isinstance(back["float"], float) and back["bools"][0] is True
    nan = mg.load(_saved({"nan": math.nan}, tmp_path))["nan"]
    assert math.isnan(nan)


def _saved(obj, tmp_path, name="x.mg"):
    path = tmp_path / name
    mg.save(obj, path)
    return path


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool"])
def test_tensors_round_trip_bit_for_bit(device, tmp_path, dtype):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((3, 4)) * 1e3, rng.standard_normal(()), np.zeros((0, 5)), rng.standard_normal(7)]
    tensors = [mg.Tensor(a.astype(dtype), device=device) for a in arrays]
    tensors[0] = mg.Tensor(tensors[0], requires_grad=True) if dtype.startswith("float") else tensors[0]
    back = mg.load(_saved({"t": tensors}, tmp_path))["t"]
    for t, b in zip(tensors, back):
        assert b.device == device and b.dtype == dtype and b.shape == t.shape
        assert b.requires_grad == t.requires_grad and b.is_leaf
        np.testing.assert_array_equal(b.numpy(), t.numpy())
        assert b.numpy().tobytes() == t.numpy().tobytes()  # bit-for-bit, NaN payloads and -0.0 included


def test_float16_and_special_values(tmp_path):
    a = np.array([np.nan, -0.0, np.inf, -np.inf, 65504.0, 6e-8], dtype=np.float16)
    back = mg.load(_saved({"t": mg.Tensor(a), "n": a}, tmp_path))
    assert back["t"].numpy().tobytes() == a.tobytes() and back["n"].tobytes() == a.tobytes()


def test_numpy_arrays_and_scalars_stay_numpy(tmp_path):
    obj = {"a": np.arange(12, dtype=np.int32).reshape(3, 4)[:, ::2], "big_endian": np.arange(3, dtype=">f8"),
           "scalar": np.float32(2.5), "i": np.int64(-4), "b": np.bool_(True)}
    back = mg.load(_saved(obj, tmp_path))
    assert isinstance(back["a"], np.ndarray) and back["a"].flags.writeable
    np.testing.assert_array_equal(back["a"], obj["a"])
    np.testing.assert_array_equal(back["big_endian"], [0.0, 1.0, 2.0])
    assert back["scalar"] == np.float32(2.5) and type(back["scalar"]) is np.float32
    assert type(back["i"]) is np.int64 and back["b"] == True  # noqa: E712


def test_generator_state_round_trip_continues_the_stream(tmp_path):
    g = mg.Generator(seed=123)
    g.draw("normal", (5,), np.float64)
    path = _saved({"rng": g.get_state()}, tmp_path)
    expected = g.draw("normal", (4,), np.float64)
    h = mg.Generator(seed=0)
    h.set_state(mg.load(path)["rng"])
    np.testing.assert_array_equal(h.draw("normal", (4,), np.float64), expected)


def test_optimizer_like_state(tmp_path):
    state = {"state": {0: {"step": 3, "exp_avg": mg.ones(2, 2)}, 1: {"step": 3, "momentum_buffer": None}},
             "param_groups": [{"params": [0, 1], "lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8}]}
    back = mg.load(_saved(state, tmp_path))
    assert back["param_groups"] == state["param_groups"]
    assert back["state"][1] == {"step": 3, "momentum_buffer": None}
    np.testing.assert_array_equal(back["state"][0]["exp_avg"].numpy(), np.ones((2, 2)))


def test_file_objects(tmp_path):
    buf = io.BytesIO()
    mg.save({"x": mg.arange(4)}, buf)
    buf.seek(0)
    np.testing.assert_array_equal(mg.load(buf)["x"].numpy(), np.arange(4))


def test_map_location(tmp_path):
    path = _saved({"a": mg.ones(2, device="strict:1"), "b": mg.ones(2), "n": np.ones(2)}, tmp_path)
    assert mg.load(path)["a"].device == "strict:1"
    back = mg.load(path, map_location="strict:2")
    assert back["a"].device == "strict:2" and back["b"].device == "strict:2" and isinstance(back["n"], np.ndarray)
    back = mg.load(path, map_location={"strict:1": "cpu"})
    assert back["a"].device == "cpu" and back["b"].device == "cpu"
    back = mg.load(path, map_location=mg.device("strict"))
    assert back["a"].device == "strict"
    with pytest.raises(mg.CheckpointError, match="map_location"):
        mg.load(path, map_location="tpu")


def test_unsupported_objects_name_their_place(tmp_path):
    path = _saved({"ok": 1}, tmp_path)
    for bad, where in [({"a": [1, {2, 3}]}, r"state\['a'\]\[1\]"), ({"f": lambda: 0}, r"state\['f'\]"),
                       ({"x": np.array(["s"])}, "unsupported dtype"), ({object(): 1}, "dict key"),
                       ({"c": np.array([1j])}, "unsupported dtype")]:
        with pytest.raises(mg.CheckpointError, match=where):
            mg.save(bad, path)
    assert mg.load(path) == {"ok": 1}  # the previous file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["x.mg"]  # and no temporary file is left


def test_no_pickle_is_used(tmp_path, monkeypatch):
    path = _saved({"t": mg.ones(3), "nested": [{"a": (1, 2)}]}, tmp_path)

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle used")

    for name in ("load", "loads", "Unpickler", "dump", "dumps", "Pickler"):
        monkeypatch.setattr(pickle, name, forbidden)
    mg.save({"again": mg.ones(1)}, tmp_path / "y.mg")
    assert mg.load(path)["nested"] == [{"a": (1, 2)}]


# ----- atomic writes ----------------------------------------------------------------------------------
_CHILD_ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}

_BLOCK_IN_FSYNC = """
import os, sys, time
import numpy as np, minigrad as mg
def stuck(fd):
    open(sys.argv[2], "w").close()   # tell the parent the data is written, not yet renamed
    time.sleep(60)
os.fsync = stuck
mg.save({"w": mg.Tensor(np.full(1000, 2.0, dtype=np.float32)), "tag": "new"}, sys.argv[1])
"""

_SAVE_FOREVER = """
import sys
import numpy as np, minigrad as mg
states = [{"w": mg.Tensor(np.full(3_000_000, float(v), dtype=np.float32)), "tag": v} for v in (1, 2)]
i = 0
while True:
    mg.save(states[i % 2], sys.argv[1])
    if i == 0:
        print("saved", flush=True)
    i += 1
"""


def _kill(proc):
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def test_kill_before_rename_leaves_previous_file(tmp_path):
    target, marker = tmp_path / "ck.mg", tmp_path / "marker"
    mg.save({"w": mg.ones(1000), "tag": "old"}, target)
    proc = subprocess.Popen([sys.executable, "-c", _BLOCK_IN_FSYNC, str(target), str(marker)], env=_CHILD_ENV,
                            cwd=ROOT)
    deadline = time.time() + 60
    while not marker.exists():
        assert proc.poll() is None, "the child process died before saving"
        assert time.time() < deadline, "the child never reached fsync"
        time.sleep(0.01)
    temps = [p for p in tmp_path.iterdir() if p.name.startswith(".ck.mg.") and p.name.endswith(".tmp")]
    assert len(temps) == 1 and temps[0].stat().st_size > 4000  # the new data sits beside the target
    _kill(proc)
    back = mg.load(target)
    assert back["tag"] == "old" and np.all(back["w"].numpy() == 1.0)


def test_random_kills_during_large_saves_never_corrupt(tmp_path):
    target = tmp_path / "big.mg"
    mg.save({"w": mg.zeros(3), "tag": 0}, target)
    interrupted = trial = 0
    while trial < 3 or (not interrupted and trial < 20):  # a kill can also land between two saves
        trial += 1
        proc = subprocess.Popen([sys.executable, "-c", _SAVE_FOREVER, str(target)], env=_CHILD_ENV, cwd=ROOT,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "saved"
        time.sleep(0.05 + 0.1 * (trial % 3))
        _kill(proc)
        proc.stdout.close()
        temps = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        interrupted += bool(temps)
        for p in temps:
            p.unlink()
        back = mg.load(target)  # always a complete checkpoint: one of the two states, never a mix
        assert back["tag"] in (1, 2)
        assert np.all(back["w"].numpy() == float(back["tag"])) and back["w"].shape == (3_000_000,)
    assert interrupted >= 1, f"none of {trial} kills landed in the middle of a save"


def test_exception_while_writing_removes_temp_and_keeps_previous(tmp_path, monkeypatch):
    target = _saved({"v": 1}, tmp_path, "c.mg")

    def failing(obj, out, hasher):
        out.write(b"partial data")
        raise OSError("disk full")

    monkeypatch.setattr(serialization, "_serialize", failing)
    with pytest.raises(OSError, match="disk full"):
        mg.save({"v": 2}, target)
    monkeypatch.undo()
    assert mg.load(target) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["c.mg"]


# ----- truncated, corrupted and hostile files ---------------------------------------------------------
def _parts(raw):
    """(header dict, data section) of a valid checkpoint, read with the documented layout."""
    magic, version, hlen = struct.unpack("<8sIQ", raw[:20])
    header = json.loads(raw[20:20 + hlen])
    start = 20 + hlen + (-(20 + hlen) % 64)
    return header, raw[start:-32]


def _build(header, data, magic=b"\x89MGCKPT\n", version=1):
    """A checkpoint with a *valid* checksum around any header: what a hostile author can write."""
    text = json.dumps(header, separators=(",", ":")).encode() if not isinstance(header, bytes) else header
    body = struct.pack("<8sIQ", magic, version, len(text)) + text
    body += b"\0" * (-len(body) % 64) + data
    return body + hashlib.sha256(body).digest()


@pytest.fixture
def valid(tmp_path):
    path = _saved({"t": mg.arange(6, dtype=mg.float32), "n": [1, 2]}, tmp_path, "valid.mg")
    return path.read_bytes()


def _load_bytes(tmp_path, raw):
    path = tmp_path / "bad.mg"
    path.write_bytes(raw)
    return mg.load(path)


def test_rebuilt_valid_file_loads(tmp_path, valid):
    header, data = _parts(valid)
    assert _build(header, data) == valid  # the layout written is the one documented
    np.testing.assert_array_equal(_load_bytes(tmp_path, valid)["t"].numpy(), np.arange(6))


@pytest.mark.parametrize("cut", [0, 5, 19, 40, -40, -33, -1])
def test_truncated_files(tmp_path, valid, cut):
    with pytest.raises(mg.CheckpointError, match="truncated|not a minigrad checkpoint|corrupted"):
        _load_bytes(tmp_path, valid[:cut])


def test_flipped_bytes_are_detected(tmp_path, valid):
    for pos in (10, 30, len(valid) - 40, len(valid) - 5):
        raw = bytearray(valid)
        raw[pos] ^= 0x01
        with pytest.raises(mg.CheckpointError, match="checksum|corrupted|version|truncated"):
            _load_bytes(tmp_path, bytes(raw))


@pytest.mark.parametrize("raw, pattern", [
    (pickle.dumps({"a": 1}), "pickle"), (b"PK\x03\x04" + b"\0" * 100, "zip"), (b"", "empty"),
    (b"\x93NUMPY" + b"\0" * 50, "npy"), (os.urandom(200), "not a minigrad checkpoint")])
def test_foreign_files(tmp_path, raw, pattern):
    with pytest.raises(mg.CheckpointError, match=pattern):
        _load_bytes(tmp_path, raw)


def _tensor_entry(**changes):
    entry = {"$t": "tensor", "dtype": "float32", "shape": [6], "offset": 0, "nbytes": 24, "device": "cpu",
             "requires_grad": False}
    entry.update(changes)
    return entry


HOSTILE = [
    (_tensor_entry(offset=10_000), "outside the data section"),
    (_tensor_entry(offset=-64), "outside the data section"),
    (_tensor_entry(nbytes=10**12), "outside the data section"),
    (_tensor_entry(shape=[10**9, 10**9]), "needs .* bytes"),
    (_tensor_entry(shape=[-6]), "bad array shape"),
    (_tensor_entry(shape="6"), "missing or bad 'shape'"),
    (_tensor_entry(offset=True), "missing or bad 'offset'"),
    (_tensor_entry(dtype="object"), "unsupported dtype 'object'"),
    (_tensor_entry(dtype="O"), "unsupported dtype"),
    (_tensor_entry(device="cuda:7"), "map_location"),
    ({"$t": "pickle", "v": "cos\nsystem\n"}, "unknown entry type 'pickle'"),
    ({"$t": "dict", "k": [1, 2], "v": [1]}, "different numbers of keys and values"),
    ({"$t": "dict", "k": [{"$t": "list", "v": []}], "v": [1]}, "unusable dict key"),
    ({"$t": "float", "v": "__import__('os')"}, "bad float value"),
    ({"no": "tag"}, "unexpected entry"),
    ([1, 2], "unexpected entry"),
]


@pytest.mark.parametrize("root, pattern", HOSTILE, ids=[p for _, p in HOSTILE])
def test_hostile_headers_with_valid_checksums(tmp_path, valid, root, pattern):
    header, data = _parts(valid)
    header["root"] = root
    with pytest.raises(mg.CheckpointError, match=pattern):
        _load_bytes(tmp_path, _build(header, data))


def test_hostile_structure(tmp_path, valid):
    header, data = _parts(valid)
    deep = {"$t": "list", "v": []}
    for _ in range(200):
        deep = {"$t": "list", "v": [deep]}
    cases = [
        (dict(header, root=deep), "nested deeper"),
        (dict(header, data_size=header["data_size"] + 64), "data size"),
        ({k: v for k, v in header.items() if k != "root"}, "no 'root'"),
        (dict(header, format="other"), "does not describe a minigrad checkpoint"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON|does not describe"),
        (b"\xff\xfe not utf-8", "not valid JSON"),
        (json.dumps(header).encode() + b" trailing", "not valid JSON"),
    ]
    for bad_header, pattern in cases:
        with pytest.raises(mg.CheckpointError, match=pattern):
            _load_bytes(tmp_path, _build(bad_header, data))
    with pytest.raises(mg.CheckpointError, match="version 2 is not supported"):
        _load_bytes(tmp_path, _build(header, data, version=2))
    huge_hlen = struct.pack("<8sIQ", b"\x89MGCKPT\n", 1, 2**60) + b"{}" + b"\0" * 64
    with pytest.raises(mg.CheckpointError, match="truncated"):
        _load_bytes(tmp_path, huge_hlen)
