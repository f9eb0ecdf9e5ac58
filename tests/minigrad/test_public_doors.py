"""The public entry points the packages above the core use instead of private keys:
``Tensor.wrap`` (an array as a leaf, no copy), ``Tensor.array`` (the array itself),
``Tensor.set_data_`` (PyTorch's ``t.data = other`` plus a version bump), ``Tensor.device`` and the
public ``minigrad.data.rows`` / ``rng``."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import rng as data_rng, rows


def test_wrap_keeps_the_array_itself(device):
    dev = mg.device(device)
    a = dev.asarray(np.arange(6.0).reshape(2, 3))
    t = mg.Tensor.wrap(a, device=dev)
    assert t.array is a and t.device is dev and not t.requires_grad and t.grad_fn is None
    assert type(mg.Tensor.__dict__["array"]).__name__ == "member_descriptor"  # a bare slot: as fast as can be
    by_name = mg.Tensor.wrap(a, device=device, requires_grad=True)
    assert by_name.device is dev and by_name.requires_grad and by_name.is_leaf
    (by_name * 2.0).sum().backward()
    np.testing.assert_array_equal(by_name.grad.numpy(), np.full((2, 3), 2.0))


def test_wrap_is_keyword_only_and_checks_requires_grad():
    a = np.zeros(3, dtype=np.int64)
    with pytest.raises(TypeError):
        mg.Tensor.wrap(a, "cpu")  # device must be named
    with pytest.raises(TypeError, match="only floating-point tensors can require grad"):
        mg.Tensor.wrap(a, device="cpu", requires_grad=True)


def test_set_data_moves_device_keeps_identity_and_bumps_version():
    p = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (p * p).sum()  # saves p
    before = p._version
    new = mg.tensor([3.0, 4.0], device="strict", dtype=mg.float64)
    assert p.set_data_(new) is p
    assert p.device == new.device and p.dtype == "float64" and p.array is new.array and p.requires_grad
    assert p._version == before + 1
    with pytest.raises(mg.BackwardError, match="modified in place"):
        y.backward()
    with pytest.raises(TypeError, match="set_data_: expected a Tensor"):
        p.set_data_(np.zeros(2))


def test_data_rows_and_rng_are_public_modules():
    X = np.arange(12).reshape(6, 2)
    np.testing.assert_array_equal(rows.take_rows(X, np.array([4, 1])), X[[4, 1]])
    gen = data_rng.make_rng(7)
    state = data_rng.rng_state(gen)
    first = gen.permutation(5)
    data_rng.set_rng_state(gen, state)
    np.testing.assert_array_equal(gen.permutation(5), first)
    np.testing.assert_array_equal(first, np.random.default_rng(7).permutation(5))
