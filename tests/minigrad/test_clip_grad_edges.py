"""Gradient clipping at its edges, against hand-worked numbers: empty gradients, the boundary
total == max_norm, the returned tensor's dtype and device, version counters, NaN totals,
generators, parameters without gradients and single tensors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg


def _param(device, grad, dtype="float64"):
    p = mg.zeros(*np.shape(grad), dtype=dtype, device=device, requires_grad=True)
    p.grad = mg.tensor(grad, dtype=dtype, device=device)
    return p


@pytest.mark.parametrize("norm_type, want", [(1.0, 7.0), (2.0, 5.0), (3.0, (27 + 64) ** (1 / 3)), (math.inf, 4.0)])
def test_an_empty_gradient_adds_nothing_to_the_total_norm(device, norm_type, want):
    empty = _param(device, np.zeros(0))
    w = _param(device, [3.0, -4.0])
    total = mg.clip_grad_norm_([empty, w], max_norm=100.0, norm_type=norm_type)
    assert float(total) == pytest.approx(want, rel=1e-6)
    assert mg.clip_grad_norm_([empty], max_norm=1.0).item() == 0.0


def test_the_total_is_a_float32_scalar_on_the_first_gradients_device(device):
    w = _param(device, [3.0, 4.0])
    total = mg.clip_grad_norm_([mg.zeros(2, device=device, requires_grad=True), w], max_norm=1.0)
    assert total.dtype == mg.float32 and total.shape == () and total.device == w.device
    assert float(total) == pytest.approx(5.0)
    none = mg.clip_grad_norm_([mg.zeros(2, device=device, requires_grad=True)], max_norm=1.0)
    assert none.dtype == mg.float32 and float(none) == 0.0


def test_at_the_boundary_total_equal_to_max_norm_the_gradients_shrink_by_the_1e6_guard(device):
    """coef = max_norm / (total + 1e-6) < 1 when total == max_norm: scaled, like PyTorch."""
    w = _param(device, [3.0, 4.0])
    mg.clip_grad_norm_([w], max_norm=5.0)
    np.testing.assert_allclose(w.grad.numpy(), np.array([3.0, 4.0]) * (5.0 / (5.0 + 1e-6)), rtol=1e-15)
    assert not np.array_equal(w.grad.numpy(), [3.0, 4.0])
    v = _param(device, [3.0, 4.0])  # a hair below: left exactly as it was
    mg.clip_grad_norm_([v], max_norm=5.0 + 2e-6)
    np.testing.assert_array_equal(v.grad.numpy(), [3.0, 4.0])


def test_max_norm_zero_zeroes_every_gradient_and_skips_those_without_one(device):
    a, b = _param(device, [1.0, -2.0]), _param(device, [[0.5], [3.0]])
    c = mg.zeros(2, device=device, requires_grad=True)  # no gradient
    total = mg.clip_grad_norm_([a, c, b], max_norm=0)
    assert float(total) == pytest.approx(math.sqrt(1 + 4 + 0.25 + 9))
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(b.grad.numpy(), [[0.0], [0.0]])
    assert c.grad is None


def test_clipping_bumps_the_version_of_the_gradients_it_changes(device):
    big, small = _param(device, [30.0, 40.0]), _param(device, [0.1])
    before = big.grad._version, small.grad._version
    mg.clip_grad_norm_([big, small], max_norm=1.0)  # both scaled
    assert big.grad._version > before[0] and small.grad._version > before[1]
    kept = _param(device, [0.3, 0.4])
    v0 = kept.grad._version
    mg.clip_grad_norm_([kept], max_norm=1.0)  # not scaled: not changed
    assert kept.grad._version == v0
    mg.clip_grad_value_([kept], 0.35)
    assert kept.grad._version > v0
    np.testing.assert_array_equal(kept.grad.numpy(), [0.3, 0.35])


@pytest.mark.filterwarnings("ignore:invalid value")
def test_a_nan_gradient_raises_on_request_and_otherwise_spreads(device):
    w = _param(device, [math.nan, 1.0])
    with pytest.raises(RuntimeError) as info:
        mg.clip_grad_norm_([w], 1.0, error_if_nonfinite=True)
    assert "the total 2.0-norm of the gradients is nan" in str(info.value)
    np.testing.assert_array_equal(w.grad.numpy(), [math.nan, 1.0])  # unchanged by the refusal
    total = mg.clip_grad_norm_([w], 1.0)
    assert math.isnan(float(total)) and np.isnan(w.grad.numpy()).all()


def test_a_generator_of_parameters_is_read_once_and_every_gradient_clipped():
    ps = [_param("cpu", [3.0]), _param("cpu", [4.0])]
    total = mg.clip_grad_norm_((p for p in ps), max_norm=1.0)
    assert float(total) == pytest.approx(5.0)
    np.testing.assert_allclose([p.grad.item() for p in ps], [3.0 / (5 + 1e-6), 4.0 / (5 + 1e-6)], rtol=1e-12)
    qs = [_param("cpu", [-3.0, 0.5]), _param("cpu", [4.0])]
    mg.clip_grad_value_((q for q in qs), 1.0)
    assert [q.grad.numpy().tolist() for q in qs] == [[-1.0, 0.5], [1.0]]


def test_a_single_tensor_is_clipped_in_float32_as_it_is(device):
    w = _param(device, [-5.0, 0.5, 2.0], dtype="float32")
    mg.clip_grad_value_(w, 1)
    assert w.grad.dtype == mg.float32
    np.testing.assert_array_equal(w.grad.numpy(), np.array([-1.0, 0.5, 1.0], dtype=np.float32))
    v = _param(device, [6.0, 8.0], dtype="float32")
    assert float(mg.clip_grad_norm_(v, 5)) == 10.0
    np.testing.assert_allclose(v.grad.numpy(), [3.0, 4.0], rtol=1e-6)
    assert v.grad.dtype == mg.float32


def test_clip_value_zero_zeroes_and_inf_norm_takes_the_largest_magnitude(device):
    w = _param(device, [-2.0, 3.0])
    mg.clip_grad_value_([w], 0.0)
    np.testing.assert_array_equal(w.grad.numpy(), [0.0, 0.0])
    a, b = _param(device, [-9.0, 1.0]), _param(device, [4.0])
    assert float(mg.clip_grad_norm_([a, b], 3.0, norm_type="inf")) == 9.0
    np.testing.assert_allclose(a.grad.numpy(), np.array([-9.0, 1.0]) * 3.0 / (9.0 + 1e-6), rtol=1e-15)
    np.testing.assert_allclose(b.grad.numpy(), [4.0 * 3.0 / (9.0 + 1e-6)], rtol=1e-15)


def test_the_total_is_float32_whatever_the_default_dtype():
    w = _param("cpu", [3.0, 4.0])
    before = mg.get_default_dtype()
    mg.set_default_dtype(mg.float64)
    try:
        total = mg.clip_grad_norm_([w], max_norm=10.0)
    finally:
        mg.set_default_dtype(before)
    assert total.dtype == mg.float32 and float(total) == 5.0
