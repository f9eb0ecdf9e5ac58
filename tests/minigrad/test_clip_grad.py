"""Gradient clipping against NumPy: total norm over all gradients, and clipping by value."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad as mg
import optim


def _params(device, grads):
    params = []
    for g in grads:
        p = mg.zeros(*np.shape(g), dtype="float64", device=device, requires_grad=True)
        p.grad = None if g is None else mg.tensor(g, dtype="float64", device=device)
        params.append(p)
    return params


def ref_total_norm(grads, p):
    flat = np.concatenate([np.ravel(g) for g in grads if g is not None] or [np.zeros(0)])
    if flat.size == 0:
        return 0.0
    if p == math.inf:
        return float(np.max(np.abs(flat)))
    return float(np.sum(np.abs(flat) ** p) ** (1.0 / p))


grads_strategy = st.integers(0, 2 ** 32 - 1).flatmap(lambda seed: st.lists(
    st.sampled_from([None, (), (3,), (2, 4)]), min_size=1, max_size=4).map(
    lambda shapes: [None if s is None else np.random.default_rng(seed + i).standard_normal(s) * 10
                    for i, s in enumerate(shapes)]))


@given(grads=grads_strategy, max_norm=st.floats(0.0, 50.0), p=st.sampled_from([1.0, 2.0, 3.0, math.inf]))
def test_clip_grad_norm_matches_numpy(device, grads, max_norm, p):
    params = _params(device, grads)
    total = optim.clip_grad_norm_(params, max_norm, norm_type=p)
    want_total = ref_total_norm(grads, p)
    assert float(total) == pytest.approx(want_total, rel=1e-6)
    coef = min(1.0, max_norm / (want_total + 1e-6))
    for param, g in zip(params, grads):
        if g is None:
            assert param.grad is None
        else:
            np.testing.assert_allclose(param.grad.numpy(), np.asarray(g) * coef, rtol=1e-12, atol=1e-12)
    clipped = [None if q.grad is None else q.grad.numpy() for q in params]
    assert ref_total_norm(clipped, p) <= max(max_norm, 0.0) + 1e-6 or want_total <= max_norm


def test_clip_grad_norm_leaves_small_gradients_alone_and_returns_the_norm():
    w = mg.zeros(2, requires_grad=True)
    w.grad = mg.tensor([0.3, 0.4])
    assert float(mg.clip_grad_norm_(w, 1.0)) == pytest.approx(0.5)
    np.testing.assert_allclose(w.grad.numpy(), [0.3, 0.4], rtol=1e-7)


@pytest.mark.filterwarnings("ignore:invalid value")
def test_nonfinite_norm():
    """An infinite total norm raises on request; otherwise the scale is 0 (and inf * 0 = NaN), as
    in PyTorch."""
    w = mg.zeros(2, requires_grad=True)
    w.grad = mg.tensor([math.inf, 1.0])
    with pytest.raises(RuntimeError, match="inf"):
        mg.clip_grad_norm_([w], 1.0, error_if_nonfinite=True)
    mg.clip_grad_norm_([w], 1.0)
    np.testing.assert_array_equal(w.grad.numpy(), [math.nan, 0.0])


@given(grads=grads_strategy, clip=st.floats(0.0, 20.0))
def test_clip_grad_value_matches_numpy(device, grads, clip):
    params = _params(device, grads)
    optim.clip_grad_value_(params, clip)
    for param, g in zip(params, grads):
        if g is None:
            assert param.grad is None
        else:
            np.testing.assert_array_equal(param.grad.numpy(), np.clip(g, -clip, clip))


@pytest.mark.parametrize("call, match", [
    (lambda ps: mg.clip_grad_norm_(ps, -1.0), "max_norm"),
    (lambda ps: mg.clip_grad_norm_(ps, math.nan), "max_norm"),
    (lambda ps: mg.clip_grad_norm_(ps, 1.0, norm_type=0), "norm_type"),
    (lambda ps: mg.clip_grad_value_(ps, -0.5), "clip_value"),
])
def test_bad_arguments_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call([mg.zeros(1, requires_grad=True)])


def test_no_gradients_gives_zero():
    assert float(mg.clip_grad_norm_([mg.zeros(2, requires_grad=True)], 1.0)) == 0.0


def test_same_functions_from_minigrad_and_optim():
    assert optim.clip_grad_norm_ is mg.clip_grad_norm_ and optim.clip_grad_value_ is mg.clip_grad_value_
