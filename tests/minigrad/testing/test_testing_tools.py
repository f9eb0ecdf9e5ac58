"""minigrad.testing: its strategies draw what they claim, and check_gradients tells right from wrong."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad as mg
from minigrad.testing import (DOMAINS, array_shapes, arrays, broadcastable_shapes, check_gradients,
                              mutually_broadcastable_shapes, tensors, valid_axes)


@given(st.data())
def test_tensors_follow_shape_dtype_device_and_grad_flag(data):
    device = data.draw(st.sampled_from(["cpu", "strict"]))
    dtype = data.draw(st.sampled_from(["float32", "float64"]))
    shape = data.draw(array_shapes(0, 3, 1, 4))
    t = data.draw(tensors(shape=shape, dtype=dtype, device=device))
    assert isinstance(t, mg.Tensor) and t.shape == shape and t.dtype == dtype and t.device == device
    assert t.requires_grad and t.is_leaf
    assert not data.draw(tensors(shape=shape, dtype=dtype, device=device, requires_grad=False)).requires_grad


@given(st.data())
def test_tensors_default_shape_bounds(data):
    t = data.draw(tensors(dtype="float64", min_dims=1, max_dims=2, min_side=2, max_side=3))
    assert 1 <= t.ndim <= 2 and all(2 <= n <= 3 for n in t.shape)


@pytest.mark.parametrize("domain", sorted(DOMAINS))
@given(data=st.data())
def test_domains(domain, data):
    x = data.draw(tensors(dtype="float64", domain=domain)).numpy()
    lo, hi = DOMAINS[domain]
    assert np.all(np.isfinite(x))
    if domain == "nonzero":
        assert np.all((np.abs(x) >= lo) & (np.abs(x) <= hi))
    else:
        assert np.all((x >= lo) & (x <= hi))
    if domain == "separated":
        assert len(np.unique(x)) == x.size
        assert np.allclose(x * 16, np.round(x * 16))  # on the 1/16 grid: gaps of at least 1/16


@given(st.data())
def test_bounds_and_elements_override_the_domain(data):
    x = data.draw(arrays((3, 2), "positive", min_value=2.0, max_value=2.5))
    assert x.dtype == np.float64 and x.shape == (3, 2) and np.all((x >= 2.0) & (x <= 2.5))
    y = data.draw(tensors(shape=4, dtype="float64", elements=st.just(0.25))).numpy()
    assert np.all(y == 0.25)


@given(st.data())
def test_integer_and_bool_tensors(data):
    i = data.draw(tensors(shape=(3,), dtype="int64", min_value=-2, max_value=2))
    assert i.dtype == "int64" and not i.requires_grad and np.all(np.abs(i.numpy()) <= 2)
    b = data.draw(tensors(shape=(2, 2), dtype="bool"))
    assert b.dtype == "bool" and not b.requires_grad


@given(st.data())
def test_broadcastable_shapes(data):
    shape = data.draw(array_shapes(0, 3, 1, 4))
    other = data.draw(broadcastable_shapes(shape))
    np.broadcast_shapes(shape, other)  # raises if they do not broadcast
    a, b = data.draw(mutually_broadcastable_shapes(2))
    np.broadcast_shapes(a, b)
    c, d = data.draw(mutually_broadcastable_shapes(2, base_shape=(2, 3)))
    np.broadcast_shapes(c, d, (2, 3))


@given(st.data())
def test_valid_axes(data):
    shape = data.draw(array_shapes(0, 3, 1, 4))
    axis = data.draw(valid_axes(len(shape)))
    assert axis is None or isinstance(axis, (int, tuple))
    if isinstance(axis, tuple):
        assert len({a % len(shape) for a in axis}) == len(axis)
    np.sum(np.zeros(shape), axis=axis)  # NumPy accepts it


@given(st.data())
def test_valid_axes_options(data):
    ndim = data.draw(st.integers(1, 4))
    one = data.draw(valid_axes(ndim, single_axis_only=True, pos_only=True))
    assert (isinstance(one, int) and 0 <= one < ndim) or (isinstance(one, tuple) and len(one) == 1)
    some = data.draw(valid_axes(ndim, min_dim=1, max_dim=2, permit_none=False, permit_int=False))
    assert isinstance(some, tuple) and 1 <= len(some) <= 2
    assert data.draw(valid_axes(0)) in (None, ())


class Cube(mg.Function):
    def forward(self, x):
        self.save_for_backward(x)
        return x ** 3

    def backward(self, g):
        (x,) = self.saved_tensors
        return g * 3.0 * x ** 2


class CubeWrongSign(Cube):
    def backward(self, g):
        (x,) = self.saved_tensors
        return g * -3.0 * x ** 2


class CubeFlatSecond(Cube):
    def backward(self, g):
        (x,) = self.saved_tensors
        return g * 3.0 * mg.Tensor(x.detach().numpy() ** 2, device=x.device)


def test_check_gradients_passes_a_right_function():
    check_gradients(Cube, tensors(dtype="float64"), max_examples=5, second_order=True)
    check_gradients(lambda x, y, axis: (x * y).sum(axis=axis), tensors(shape=(2, 3)), tensors(shape=(3,)),
                    max_examples=5, axis=0)
    check_gradients(lambda x, k: x * k, tensors(shape=(2,)), 3.0, max_examples=3)  # a fixed argument


def test_check_gradients_catches_wrong_functions():
    with pytest.raises(mg.GradcheckError, match="CubeWrongSign"):
        check_gradients(CubeWrongSign, tensors(), max_examples=5)
    check_gradients(CubeFlatSecond, tensors(), max_examples=5)  # the first derivative is right ...
    with pytest.raises(mg.GradcheckError, match="gradgradcheck FAILED"):  # ... the second is not
        check_gradients(CubeFlatSecond, tensors(), max_examples=5, second_order=True)


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_import_minigrad_does_not_import_hypothesis():
    r = _run("import sys, minigrad; assert 'hypothesis' not in sys.modules, 'imported'; print('ok')")
    assert r.returncode == 0 and "ok" in r.stdout, r.stderr


def test_clear_message_without_hypothesis():
    r = _run("import sys; sys.modules['hypothesis'] = None\n"
             "try:\n    import minigrad.testing\nexcept ImportError as e:\n    print(e)")
    assert "pip install hypothesis" in r.stdout, r.stdout + r.stderr
