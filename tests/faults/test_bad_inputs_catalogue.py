"""Every row of the bad-input catalogue (issue 16 section 7) is a clear, early error that
changes nothing: the expected exception class, a message naming the op and the problem, and
the object under test exactly as it was built (compared through :func:`freeze`)."""
from __future__ import annotations

import os

import numpy as np
import pytest

import minigrad as mg
from bad_inputs_catalogue import ROWS_1
from bad_inputs_catalogue_train import ROWS_2

ROWS = ROWS_1 + ROWS_2


def freeze(obj, depth=0):
    """A comparable picture of ``obj``: array contents, state dicts, attributes, file bytes."""
    if depth > 12:
        return "..."
    if isinstance(obj, mg.Tensor):
        return ("Tensor", str(obj.dtype), str(obj.device), obj.requires_grad, obj.numpy().tobytes(), obj.shape)
    if isinstance(obj, np.ndarray):
        return ("ndarray", str(obj.dtype), obj.shape, obj.tobytes())
    if isinstance(obj, np.random.Generator):
        return ("rng", repr(obj.bit_generator.state))
    if isinstance(obj, os.PathLike):
        return ("file", os.fspath(obj), _read(obj))
    if isinstance(obj, dict):
        return ("dict", tuple((repr(k), freeze(v, depth + 1)) for k, v in obj.items()))
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, tuple(freeze(v, depth + 1) for v in obj))
    if obj is None or isinstance(obj, (bool, int, float, str, bytes)):
        return obj
    if callable(getattr(obj, "state_dict", None)):
        try:
            state = obj.state_dict()
        except Exception as e:  # a state that cannot be read is a changed object
            state = f"state_dict failed: {e!r}"
        extra = {k: v for k, v in vars(obj).items() if isinstance(v, (bool, int, float, str))} \
            if hasattr(obj, "__dict__") else {}
        return (type(obj).__name__, freeze(state, depth + 1), freeze(extra, depth + 1))
    if hasattr(obj, "__dict__"):
        return (type(obj).__name__, freeze({k: v for k, v in vars(obj).items() if not callable(v)}, depth + 1))
    return (type(obj).__name__, repr(obj))


def _read(path):
    if os.path.isdir(path):
        return tuple(sorted((name, _read(os.path.join(path, name))) for name in os.listdir(path)))
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return f.read()


def _id(r):
    return f"{r.area}: {r.what}"


@pytest.mark.parametrize("r", ROWS, ids=[_id(r) for r in ROWS])
def test_a_clear_early_error_that_changes_nothing(r):
    obj = r.make()
    before = freeze(obj)
    with pytest.raises(r.exc) as info:
        r.act(obj)
    assert r.fragment in str(info.value), f"{type(info.value).__name__}: {info.value}"
    assert freeze(obj) == before, "the object changed"


def test_the_catalogue_is_big_and_covers_every_area():
    assert len(ROWS) >= 250
    assert {r.area for r in ROWS} >= {"tensor", "nn", "optim", "data", "train", "tune", "serialization"}
    assert len({_id(r) for r in ROWS}) == len(ROWS), "row names must be unique"
