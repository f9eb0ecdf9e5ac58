"""Normalizer, pinned: messages naming the method, integer inputs, the saved state's keys, dtypes and axis."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import Normalizer
from _toolkit_doubles import host

TRAIN = np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]])


def test_unfitted_normalizer_has_no_statistics_and_each_method_names_itself():
    norm = Normalizer()
    assert norm.mean is None and norm.var is None and norm.axis == 0
    assert repr(norm) == "Normalizer(axis=0, fitted_shape=None)"
    for method in ("transform", "inverse_transform", "state_dict"):
        args = () if method == "state_dict" else (TRAIN,)
        with pytest.raises(RuntimeError, match=rf"^Normalizer\.{method}: call fit\(X_train\) first$"):
            getattr(norm, method)(*args)
    with pytest.raises(RuntimeError, match=r"^Normalizer\.scale: call fit"):
        norm.scale


def test_messages_name_the_method_and_the_fitted_shape():
    norm = Normalizer().fit(TRAIN)
    with pytest.raises(ValueError, match=r"^Normalizer\.fit: X must have a first axis of examples, got a 0-d"):
        Normalizer().fit(np.float64(2.0))
    with pytest.raises(ValueError, match=r"^Normalizer\.inverse_transform: X must have a first axis"):
        norm.inverse_transform(np.float64(2.0))
    with pytest.raises(ValueError, match=r"^Normalizer\.inverse_transform: X has shape \(2, 3\) but the statistics "
                                         r"were fitted on data of shape \(m, 2\) \(1 = averaged axis\)$"):
        norm.inverse_transform(np.zeros((2, 3)))
    imgs = Normalizer(axis=(0, 2)).fit(np.zeros((2, 3, 4)) + np.arange(3)[:, None])
    with pytest.raises(ValueError, match=r"fitted on data of shape \(m, 3, 1\)"):
        imgs.transform(np.zeros((2, 4, 4)))


def test_non_finite_values_are_counted_in_the_message(device):
    X = TRAIN.copy()
    X[0, 0], X[2, 1] = np.nan, np.inf
    with pytest.raises(ValueError, match=r"^Normalizer\.fit: X \(shape \(3, 2\)\) holds 2 NaN or infinite value\(s\); "
                                         r"mu and sigma would be NaN: clean or impute the data first$"):
        Normalizer().fit(X)
    with pytest.raises(ValueError, match=r"^Normalizer\.fit: X \(shape \(3, 2\)\) holds 2 NaN"):
        Normalizer().fit(mg.tensor(X, device=device))


def test_integer_inputs_become_floats(device):
    ints = np.array([[1, 10], [3, 30], [5, 20]])
    norm = Normalizer().fit(ints)
    mu, sd = TRAIN.mean(0), TRAIN.std(0)
    out = norm.transform(ints)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, (TRAIN - mu) / sd, rtol=1e-12)
    np.testing.assert_allclose(norm.inverse_transform(np.array([[0, 1]])), [[mu[0], mu[1] + sd[1]]], rtol=1e-12)
    t = norm.transform(mg.tensor(ints, device=device))
    assert t.dtype == mg.get_default_dtype() and t.device == device
    np.testing.assert_allclose(host(t), (TRAIN - mu) / sd, rtol=1e-6)
    back = norm.inverse_transform(mg.tensor(np.array([[0, 1]]), device=device))
    assert back.dtype == mg.get_default_dtype()
    np.testing.assert_allclose(host(back), [[mu[0], mu[1] + sd[1]]], rtol=1e-6)


def test_state_dict_keys_and_dtypes():
    norm = Normalizer(axis=(0, 2, 3)).fit(np.random.default_rng(0).normal(size=(4, 3, 2, 2)))
    state = norm.state_dict()
    assert sorted(state) == ["axis", "mean", "var"]
    assert state["axis"].dtype == np.int64 and state["axis"].tolist() == [0, 2, 3]
    assert state["mean"].dtype == np.float64 and state["mean"].shape == (1, 3, 1, 1)
    assert Normalizer().fit(TRAIN).state_dict()["axis"].tolist() == [0]


def test_load_state_dict_restores_float64_statistics_and_the_axis():
    src = Normalizer(axis=(0, 2, 3)).fit(np.random.default_rng(1).normal(size=(4, 3, 2, 2)))
    state = {k: (v.astype(np.float32) if k != "axis" else v) for k, v in src.state_dict().items()}
    dst = Normalizer().load_state_dict(state)
    assert dst.axis == (0, 2, 3)
    assert dst.mean.dtype == np.float64 and dst.var.dtype == np.float64
    np.testing.assert_allclose(dst.mean, src.mean, rtol=1e-6)
    # a state without an axis (older checkpoints) keeps the normalizer's own
    kept = Normalizer(axis=(0, 2, 3)).load_state_dict({"mean": src.mean, "var": src.var})
    assert kept.axis == (0, 2, 3)
    np.testing.assert_array_equal(kept.var, src.var)
    with pytest.raises(ValueError, match=r"^Normalizer\.load_state_dict: mean has shape \(1, 2\) but var \(1, 3\)$"):
        Normalizer().load_state_dict({"mean": np.zeros((1, 2)), "var": np.zeros((1, 3))})


def test_loaded_state_is_a_copy():
    state = Normalizer().fit(TRAIN).state_dict()
    norm = Normalizer().load_state_dict(state)
    state["mean"][...] = 100.0
    state["var"][...] = 100.0
    np.testing.assert_allclose(norm.mean, TRAIN.mean(0, keepdims=True))
    np.testing.assert_allclose(norm.var, TRAIN.var(0, keepdims=True))


def test_negative_axes_count_from_the_end():
    X = np.random.default_rng(2).normal(size=(5, 3, 4))
    a = Normalizer(axis=(0, -1)).fit(X)
    b = Normalizer(axis=(2, 0)).fit(X)
    np.testing.assert_array_equal(a.mean, b.mean)
    assert a.mean.shape == (1, 3, 1)
    np.testing.assert_allclose(a.var, X.var(axis=(0, 2), keepdims=True), rtol=1e-12)
    with pytest.raises(ValueError, match=r"^Normalizer: axis \(1, 2\) must include axis 0 \(the examples\)$"):
        Normalizer(axis=(1, 2)).fit(X)


def test_fit_transform_and_repr():
    norm = Normalizer()
    out = norm.fit_transform(TRAIN)
    np.testing.assert_allclose(out, (TRAIN - TRAIN.mean(0)) / TRAIN.std(0), rtol=1e-12)
    assert repr(norm) == "Normalizer(axis=0, fitted_shape=(1, 2))"
    np.testing.assert_allclose(norm.scale, TRAIN.std(0, keepdims=True), rtol=1e-12)


def test_a_saved_axis_may_be_a_0_d_array():
    state = {"mean": TRAIN.mean(0, keepdims=True), "var": TRAIN.var(0, keepdims=True), "axis": np.asarray(0)}
    norm = Normalizer(axis=(0, 1)).load_state_dict(state)
    assert norm.axis == (0,)
    np.testing.assert_allclose(norm.transform(TRAIN), (TRAIN - TRAIN.mean(0)) / TRAIN.std(0), rtol=1e-12)
