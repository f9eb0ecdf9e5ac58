"""Mini-batches, DataLoader, row access and the generator-state encoding, pinned: defaults, drop_last,
the transform's saved state, messages naming the function, Tensors staying on their device."""
from __future__ import annotations

import json

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import DataLoader, RandomHorizontalFlip, minibatches
from minigrad.data.rng import decode_state, encode_state, make_rng, rng_state, set_rng_state
from _toolkit_doubles import host


def test_minibatches_defaults_are_64_shuffled():
    y = np.arange(100)
    batches = list(minibatches(np.zeros((100, 1)), y))
    assert [len(yb) for _, yb in batches] == [64, 36]
    order = np.concatenate([yb for _, yb in batches])
    assert sorted(order.tolist()) == list(range(100)) and order.tolist() != list(range(100))


def test_minibatches_without_y_yield_x_alone_and_drop_last_drops_the_short_batch(device):
    X = mg.tensor(np.arange(10.0)[:, None], device=device)
    batches = list(minibatches(X, batch_size=4, shuffle=False, drop_last=True))
    assert len(batches) == 2 and all(isinstance(b, mg.Tensor) and b.device == device for b in batches)
    np.testing.assert_array_equal(np.concatenate([host(b)[:, 0] for b in batches]), np.arange(8.0))


def test_loader_drop_last_drops_the_short_batch_every_epoch():
    loader = DataLoader(np.zeros((10, 1)), np.arange(10), batch_size=4, seed=0, drop_last=True)
    for _ in range(2):
        assert [len(yb) for _, yb in loader] == [4, 4]
    assert repr(loader) == "DataLoader(m=10, batch_size=4, shuffle=True, drop_last=True, batches=2)"
    assert loader.num_examples == 10


def test_loader_defaults():
    loader = DataLoader(np.zeros((130, 1)), np.arange(130))
    assert loader.batch_size == 64 and loader.shuffle and not loader.drop_last and loader.transform is None
    assert len(loader) == 3 and loader.epoch == 0
    sizes = [len(yb) for _, yb in loader]
    assert sizes == [64, 64, 2] and loader.epoch == 1


def test_messages_name_the_function_and_the_argument():
    with pytest.raises(ValueError, match=r"^minibatches: X must have a first axis of examples, got a 0-d"):
        minibatches(np.float64(1.0))
    with pytest.raises(ValueError, match=r"^minibatches: y must have a first axis of examples, got a 0-d"):
        minibatches(np.zeros((3, 1)), np.float64(1.0))
    with pytest.raises(ValueError, match=r"^DataLoader: y must have a first axis of examples, got a 0-d"):
        DataLoader(np.zeros((3, 1)), np.float64(1.0))
    with pytest.raises(TypeError, match=r"^DataLoader: y has dtype <U1 \(shape \(3,\)\); expected numbers"):
        DataLoader(np.zeros((3, 1)), np.array(["a", "b", "c"]))
    with pytest.raises(TypeError, match=r"^minibatches: y must be an array or a Tensor, got list \("):
        minibatches(np.zeros((2, 1)), [[1], [1, 2]])      # ragged


def test_loader_state_of_a_transform_without_state_and_a_state_without_transform():
    X, y = np.arange(8.0).reshape(8, 1, 1, 1), np.arange(8)
    plain = DataLoader(X, y, batch_size=4, seed=1, transform=lambda xb: xb)
    assert sorted(plain.state_dict()) == ["epoch", "generator"]
    flip = RandomHorizontalFlip(seed=3)
    with_t = DataLoader(X, y, batch_size=4, seed=1, transform=flip)
    before = flip.state_dict()["generator"].copy()
    with_t.load_state_dict(plain.state_dict())          # no "transform" entry: the transform keeps its state
    np.testing.assert_array_equal(flip.state_dict()["generator"], before)
    state = with_t.state_dict()
    assert sorted(state) == ["epoch", "generator", "transform"]
    np.testing.assert_array_equal(state["transform"]["generator"], before)
    assert int(state["epoch"]) == 0


def test_rows_of_tensors_keep_their_device_when_sliced(device):
    X = mg.tensor(np.arange(12.0).reshape(6, 2), device=device)
    y = mg.tensor(np.arange(6), device=device)
    for xb, yb in minibatches(X, y, batch_size=4, shuffle=False):
        assert xb.device == device and yb.device == device and not xb.requires_grad
    xb, yb = next(iter(minibatches(X, y, batch_size=4, shuffle=False)))
    np.testing.assert_array_equal(host(xb), np.arange(8.0).reshape(4, 2))
    np.testing.assert_array_equal(host(yb), [0, 1, 2, 3])


def test_encoded_states_do_not_depend_on_key_order():
    a = encode_state({"b": 1, "a": [2, 3]})
    b = encode_state({"a": [2, 3], "b": 1})
    assert a.dtype == np.uint8
    np.testing.assert_array_equal(a, b)
    assert bytes(a) == b'{"a": [2, 3], "b": 1}'


def test_decode_accepts_a_tensor_a_wider_integer_array_and_the_plain_state(device):
    rng = np.random.default_rng(5)
    rng.random(3)
    enc = rng_state(rng)
    plain = rng.bit_generator.state
    assert decode_state(enc) == plain
    assert decode_state(mg.tensor(enc, device=device)) == plain
    assert decode_state(enc.astype(np.int64)) == plain          # a format that stored the bytes as int64
    assert decode_state(plain) is plain
    fresh = np.random.default_rng(0)
    set_rng_state(fresh, mg.tensor(enc, device=device))
    assert fresh.random() == rng.random()


def test_make_rng():
    g = np.random.default_rng(1)
    assert make_rng(g) is g
    assert make_rng(3).random() == np.random.default_rng(3).random()
    assert make_rng(np.int64(3)).random() == np.random.default_rng(3).random()
    with pytest.raises(TypeError, match=r"^seed must be None, an int or a numpy Generator, got float$"):
        make_rng(1.5)
    json.dumps(decode_state(rng_state(make_rng(None))))   # a fresh generator's state is JSON


class _DeviceTensorLike:
    """Stands for a Tensor whose array NumPy cannot read implicitly (CuPy): only .numpy() copies it to the host."""

    def __init__(self, host):
        self._host = host

    def numpy(self):
        return self._host

    def __array__(self, *args, **kwargs):
        raise TypeError("implicit conversion to a NumPy array is not allowed")


def test_decode_copies_a_device_tensor_through_numpy_and_accepts_a_list():
    enc = encode_state({"a": [1, 2]})
    assert decode_state(_DeviceTensorLike(enc)) == {"a": [1, 2]}
    assert decode_state(enc.tolist()) == {"a": [1, 2]}            # e.g. a JSON checkpoint's list of bytes


def test_loader_messages_name_x_and_the_empty_set_and_the_expected_dtypes():
    with pytest.raises(ValueError, match=r"^DataLoader: X must have a first axis of examples, got a 0-d ndarray$"):
        DataLoader(1.0)
    with pytest.raises(ValueError, match=r"^DataLoader: the data set is empty \(X has shape \(0, 2\)\)$"):
        DataLoader(np.zeros((0, 2)), np.zeros(0))
    with pytest.raises(TypeError, match=r"^DataLoader: X has dtype <U1 \(shape \(2,\)\); expected numbers \(bool, "
                                        r"integer or floating point\): encode strings and categories as numbers "
                                        r"first$"):
        DataLoader(np.array(["a", "b"]))


def test_a_raw_array_api_array_is_wrapped_as_a_tensor_on_its_device():
    t = mg.tensor(np.arange(6.0).reshape(3, 2), device="strict:1")
    raw = t.array                                   # an array-api-strict array, not a Tensor
    (xb,) = list(DataLoader(raw, batch_size=3, shuffle=False))
    assert isinstance(xb, mg.Tensor) and xb.device == t.device
    np.testing.assert_array_equal(host(xb), np.arange(6.0).reshape(3, 2))
