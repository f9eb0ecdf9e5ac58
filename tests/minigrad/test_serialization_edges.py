"""mg.save / mg.load at their edges: the file layout read back by an independent parser of the documented
format, the nesting limit on both sides, dict types and keys, tensor entries without a usable device, the
messages, and the stale-temporary-file clean-up (minigrad._stale_temps)."""
from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import subprocess
import sys
from collections import OrderedDict

import numpy as np
import pytest

import minigrad as mg
from minigrad import _stale_temps
from minigrad._stale_temps import remove_stale_temps, writer_alive
from minigrad.serialization import CheckpointError


# ----- the documented layout, parsed here -------------------------------------------------------
def _parse(raw):
    """(header dict, data section) per the module docstring of minigrad.serialization."""
    magic, version, hlen = struct.unpack("<8sIQ", raw[:20])
    assert magic == b"\x89MGCKPT\n" and version == 1
    assert hashlib.sha256(raw[:-32]).digest() == raw[-32:]
    header = json.loads(raw[20:20 + hlen].decode("utf-8"))
    start = 20 + hlen + (-(20 + hlen) % 64)
    assert set(raw[20 + hlen:start]) <= {0}  # zero padding up to the 64-byte boundary
    data = raw[start:-32]
    assert len(data) == header["data_size"]
    return header, data


def _save_bytes(obj):
    buf = io.BytesIO()
    mg.save(obj, buf)
    return buf.getvalue()


def test_the_file_layout_matches_the_documented_format():
    a = np.arange(5, dtype=np.float32)            # 20 bytes
    b = np.arange(3, dtype=">i4")                 # big-endian in memory: stored little-endian
    t = mg.tensor([[1.5, -2.0], [0.25, 8.0]], dtype="float64")
    header, data = _parse(_save_bytes({"a": a, "b": b, "t": t, "raw": b"xyz", "n": np.float16(1.5)}))
    assert header["format"] == "minigrad-checkpoint" and header["version"] == 1
    root = header["root"]
    assert root["$t"] == "dict" and root["k"] == ["a", "b", "t", "raw", "n"]
    ea, eb, et, eraw, en = root["v"]
    assert [e["offset"] for e in root["v"]] == [0, 64, 128, 192, 256]  # each entry 64-byte aligned, in order
    assert header["data_size"] == 320
    assert (ea["$t"], ea["dtype"], ea["shape"], ea["nbytes"]) == ("ndarray", "float32", [5], 20)
    assert data[0:20] == a.astype("<f4").tobytes() and set(data[20:64]) == {0}
    assert (eb["dtype"], eb["nbytes"]) == ("int32", 12) and data[64:76] == np.arange(3, dtype="<i4").tobytes()
    assert (et["$t"], et["dtype"], et["shape"], et["device"], et["requires_grad"]) == (
        "tensor", "float64", [2, 2], "cpu", False)
    assert data[128:160] == np.array([[1.5, -2.0], [0.25, 8.0]], dtype="<f8").tobytes()
    assert (eraw["$t"], eraw["nbytes"]) == ("bytes", 3) and data[192:195] == b"xyz"
    assert (en["$t"], en["dtype"], en["shape"]) == ("npscalar", "float16", [])
    loaded = mg.load(io.BytesIO(_save_bytes({"b": b})))["b"]
    assert loaded.dtype == np.dtype("int32") and loaded.dtype.isnative and loaded.tolist() == [0, 1, 2]


def test_bool_arrays_are_stored_as_bool():
    header, data = _parse(_save_bytes(np.array([True, False, True])))
    assert header["root"]["dtype"] == "bool" and data[:3] == b"\x01\x00\x01"


def test_plain_dicts_stay_dicts_and_ordered_dicts_stay_ordered():
    loaded = mg.load(io.BytesIO(_save_bytes({"plain": {"b": 1, "a": 2}, "ordered": OrderedDict(b=1, a=2)})))
    assert type(loaded) is dict and type(loaded["plain"]) is dict and type(loaded["ordered"]) is OrderedDict
    assert list(loaded["plain"]) == ["b", "a"] and list(loaded["ordered"]) == ["b", "a"]


# ----- nesting: 64 levels and no more, on both sides ------------------------------------------------
def _nested_list(levels):
    obj = 1
    for _ in range(levels):
        obj = [obj]
    return obj


def _nested_dict(levels):
    obj = 1
    for _ in range(levels):
        obj = {"k": obj}
    return obj


def _nested_tuple(levels):
    obj = 1
    for _ in range(levels):
        obj = (obj,)
    return obj


@pytest.mark.parametrize("make", [_nested_list, _nested_dict])
def test_sixty_four_levels_save_and_load_and_sixty_five_do_not(make):
    assert mg.load(io.BytesIO(_save_bytes(make(64)))) == make(64)
    with pytest.raises(CheckpointError, match=r"^save: object nested deeper than 64 levels at state\["):
        _save_bytes(make(65))


def test_a_dict_key_counts_one_level_below_its_dict():
    assert mg.load(io.BytesIO(_save_bytes({_nested_tuple(63): "v"}))) == {_nested_tuple(63): "v"}
    with pytest.raises(CheckpointError, match=r"^save: object nested deeper than 64 levels at state\[0\]"):
        _save_bytes({_nested_tuple(64): "v"})


def test_the_loader_refuses_sixty_five_levels():
    # a file written with the depth check switched off: rebuild the header of a 64-level list one level deeper
    raw = _save_bytes(_nested_list(64))
    header, _ = _parse(raw)
    header["root"] = {"$t": "list", "v": [header["root"]]}
    with pytest.raises(CheckpointError, match="objects nested deeper than 64 levels"):
        mg.load(io.BytesIO(_rebuild(header, b"")))


def _rebuild(header, data):
    """A checkpoint with this header and data section and a valid checksum."""
    h = json.dumps(header).encode("utf-8")
    head = struct.pack("<8sIQ", b"\x89MGCKPT\n", 1, len(h)) + h
    head += b"\0" * (-len(head) % 64)
    body = head + data
    return body + hashlib.sha256(body).digest()


# ----- tensors whose device entry is missing or unusable --------------------------------------------
def _tensor_file(**device):
    header, data = _parse(_save_bytes(mg.tensor([1.0, 2.0])))
    header["root"].pop("device")
    header["root"].update(device)
    return io.BytesIO(_rebuild(header, data))


@pytest.mark.parametrize("entry", [{}, {"device": 5}, {"device": None}])
def test_a_tensor_without_a_device_name_loads_on_the_cpu(entry):
    t = mg.load(_tensor_file(**entry))
    assert str(t.device) == "cpu" and t.numpy().tolist() == [1.0, 2.0]


def test_an_unknown_device_is_named_with_the_way_out():
    with pytest.raises(CheckpointError) as info:
        mg.load(_tensor_file(device="tpu:0"))
    msg = str(info.value)
    assert msg.startswith("minigrad.load(None): a tensor was saved on 'tpu:0', which cannot be used here (")
    assert msg.endswith("); pass map_location='cpu' (or another device) to load it elsewhere")
    assert str(mg.load(_tensor_file(device="tpu:0"), map_location="cpu").device) == "cpu"
    assert str(mg.load(_tensor_file(device="tpu:0"), map_location={"tpu:0": "cpu"}).device) == "cpu"


def test_a_map_location_dict_leaves_other_devices_alone():
    t = mg.load(_tensor_file(device="cpu"), map_location={"cuda:0": "tpu"})
    assert str(t.device) == "cpu"


# ----- messages --------------------------------------------------------------------------------
def test_save_messages_name_the_place_and_what_is_allowed():
    with pytest.raises(CheckpointError, match=r"^save: cannot store an object of type set at state\['a'\]\[1\]; "
                                              r"supported: Tensor, numpy arrays and scalars, bytes, None, bool, int, "
                                              r"float, str, and lists, tuples and dicts of these$"):
        _save_bytes({"a": [1, {2}]})
    with pytest.raises(CheckpointError, match=r"^save: unsupported dtype complex128 at state\[0\]; expected one of "
                                              r"float16, float32, float64, int8, int16, int32, int64, uint8, bool$"):
        _save_bytes([np.zeros(2, dtype=complex)])
    for key in (frozenset(), (1, (2, frozenset()))):  # inside a tuple key, the element at fault is named
        with pytest.raises(CheckpointError, match=r"^save: dict key frozenset\(\) at state\['d'\] has type "
                                                  r"frozenset; keys must be str, int, float, bool, None or tuples "
                                                  r"of these$"):
            _save_bytes({"d": {key: 0}})


# ----- stale temporary files ---------------------------------------------------------------------
def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_remove_stale_temps_removes_only_dead_writers_of_the_same_target(tmp_path):
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = _dead_pid()
        names = {
            "stale": f".m.mg.{dead}.0123abcd.tmp",
            "live": f".m.mg.{writer.pid}.0123abcd.tmp",
            "mine": f".m.mg.{os.getpid()}.0123abcd.tmp",
            "other": f".m.mg2.{dead}.0123abcd.tmp",
            "upper": f".m.mg.{dead}.0123ABCD.tmp",
            "short": f".m.mg.{dead}.0123abc.tmp",
            "tail": f".m.mg.{dead}.0123abcd.tmp.bak",
            "nopid": ".m.mg.x1.0123abcd.tmp",
        }
        for n in names.values():
            (tmp_path / n).write_bytes(b"partial")
        removed = remove_stale_temps(tmp_path / "m.mg")
        assert removed == [os.path.join(str(tmp_path), names["stale"])]
        assert sorted(os.listdir(tmp_path)) == sorted(v for k, v in names.items() if k != "stale")
        assert writer.poll() is None
    finally:
        writer.kill()
        writer.wait()
    assert remove_stale_temps(tmp_path / "missing-dir" / "m.mg") == []


def test_writer_alive():
    assert writer_alive(os.getpid()) and not writer_alive(_dead_pid())


def test_writer_alive_when_it_cannot_be_told(monkeypatch):
    def refuse(pid, sig):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(_stale_temps.os, "kill", refuse)  # another user's process: it exists
    assert writer_alive(12345) is True
    monkeypatch.undo()
    dead = _dead_pid()
    monkeypatch.setattr(_stale_temps.os, "name", "nt")  # no os.kill(pid, 0) to ask: assume alive
    assert writer_alive(dead) is True


# ----- numpy float64 scalars (a float subclass) --------------------------------------------------
def test_numpy_float64_scalars_stay_numpy_even_when_not_finite():
    # np.float64 subclasses float: it used to be stored as a JSON float, and its NaN as the text
    # 'np.float64(nan)', which load then refused -- a checkpoint that could not be read back
    class Named(float):
        def __repr__(self):
            return "Named(...)"

    obj = [np.float64(1.5), np.float64("nan"), np.float64("-inf"), Named("nan"), Named("inf")]
    back = mg.load(io.BytesIO(_save_bytes(obj)))
    assert [type(x) for x in back] == [np.float64, np.float64, np.float64, float, float]
    assert back[0] == 1.5 and np.isnan(back[1]) and back[2] == -np.inf and np.isnan(back[3]) and back[4] == np.inf


# ----- the temporary file of a save -------------------------------------------------------------
def test_the_temporary_file_sits_beside_the_target_under_the_documented_name(tmp_path, monkeypatch):
    import re

    renamed = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: renamed.append((src, dst)) or real(src, dst))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    mg.save({"w": mg.ones(2)}, os.path.join("sub", "m.mg"))
    [(src, dst)] = renamed
    assert os.path.dirname(src) == str(tmp_path / "sub") and dst == os.path.join("sub", "m.mg")
    assert re.fullmatch(rf"\.m\.mg\.{os.getpid()}\.[0-9a-f]{{8}}\.tmp", os.path.basename(src))
    assert os.listdir(tmp_path / "sub") == ["m.mg"] and sorted(os.listdir(tmp_path)) == ["sub"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_saved_file_gets_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        mg.save([1], tmp_path / "a.mg")
        os.umask(0o002)
        mg.save([1], tmp_path / "b.mg")
    finally:
        os.umask(umask)
    assert (tmp_path / "a.mg").stat().st_mode & 0o777 == 0o644  # 0o666 less the umask: never executable
    assert (tmp_path / "b.mg").stat().st_mode & 0o777 == 0o664


def test_an_existing_temporary_file_is_never_overwritten(tmp_path, monkeypatch):
    import errno
    import secrets

    monkeypatch.setattr(secrets, "token_hex", lambda n: "0123abcd")
    taken = tmp_path / f".m.mg.{os.getpid()}.0123abcd.tmp"
    taken.write_bytes(b"another save's data")
    target = tmp_path / "m.mg"
    with pytest.raises(FileExistsError) as info:
        mg.save([1], target)
    e = info.value
    assert e.errno == errno.EEXIST and e.filename == str(target)
    assert e.strerror == (f"save: cannot write {str(target)!r} (its temporary file in {str(tmp_path)!r} cannot be "
                          f"created: {os.strerror(errno.EEXIST)})")
    assert taken.read_bytes() == b"another save's data" and not target.exists()
