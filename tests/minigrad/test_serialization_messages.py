"""minigrad.load's messages in full: what a foreign file is, and how long a quoted value may be
before it is cut (60 characters of its repr, then "...")."""
import hashlib
import json
import pickle
import struct

import numpy as np
import pytest

import minigrad as mg


def _load_bytes(tmp_path, raw):
    path = tmp_path / "f.mg"
    path.write_bytes(raw)
    with pytest.raises(mg.CheckpointError) as info:
        mg.load(path)
    return str(info.value).split(": ", 1)[1]  # after "minigrad.load('<path>'): "


@pytest.mark.parametrize("raw, kind", [
    (b"PK\x03\x04" + b"\0" * 100,
     "a zip archive (torch.save writes these; they contain pickles, which minigrad never loads)"),
    (pickle.dumps([1]), "a Python pickle (never loaded: unpickling can run arbitrary code)"),
    (b"\x93NUMPY" + b"\0" * 50, "a NumPy .npy file (use numpy.load)"),
    (b"", "empty"),
    (b"hello world, this is text", "unknown (starts with b'hello wo')"),
])
def test_a_foreign_file_is_named_in_full(tmp_path, raw, kind):
    assert _load_bytes(tmp_path, raw) == f"not a minigrad checkpoint: the file is {kind}"


def _with_dtype(valid, dtype):
    """``valid`` (a saved 1-element array) with its dtype replaced, under a valid checksum (the
    documented layout: magic, version, header length, JSON header, 64-aligned data, SHA-256)."""
    (hlen,) = struct.unpack("<Q", valid[12:20])
    header = json.loads(valid[20:20 + hlen])
    start = 20 + hlen + (-(20 + hlen) % 64)
    header["root"]["dtype"] = dtype
    text = json.dumps(header).encode()
    body = valid[:12] + struct.pack("<Q", len(text)) + text
    body += b"\0" * (-len(body) % 64) + valid[start:-32]
    return body + hashlib.sha256(body).digest()


def test_quoted_values_are_cut_after_60_characters(tmp_path):
    mg.save(np.zeros(1), tmp_path / "real.mg")
    valid = (tmp_path / "real.mg").read_bytes()
    fits = "x" * 58  # its repr, with the quotes, is exactly 60 characters
    assert _load_bytes(tmp_path, _with_dtype(valid, fits)) == f"unsupported dtype '{fits}'"
    long = "x" * 59  # repr of 61 characters: the first 60, then "..."
    assert _load_bytes(tmp_path, _with_dtype(valid, long)) == f"unsupported dtype '{long[:59]}..."
