"""Behaviour that a realistic one-line bug would change, pinned against independent computations.

Each test names the bug it catches (the hand-planted bugs of the mutation issue that the rest of the
suite missed): gradients summed across backward calls, crop offsets reaching the last position, the
gradient monitor's thresholds, History's padding, the order and seeding of searches, Python floats
meeting float64 tensors, ``dtype=float``, shuffled mini-batches, ``zero_grad`` over every group.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import minigrad as mg
import nn
import optim
from minigrad import data, tune
from minigrad.train.history import History
from minigrad.train.monitor import check_gradients

X64 = np.array([0.5, -1.25, 2.0])


def test_create_graph_backward_twice_sums_into_grad():
    # bug: leaf.grad = g instead of leaf.grad + g when create_graph=True
    x = mg.tensor(X64, requires_grad=True)
    y = (x ** 3).sum()
    y.backward(create_graph=True)
    y.backward(create_graph=True)
    np.testing.assert_allclose(x.grad.numpy(), 2 * 3 * X64 ** 2, rtol=1e-12)
    assert x.grad.requires_grad  # still a graph: second derivatives of the sum are reachable
    (g2,) = mg.grad(x.grad.sum(), [x])
    np.testing.assert_allclose(g2.numpy(), 2 * 6 * X64, rtol=1e-12)


def test_retained_grad_of_a_non_leaf_sums_across_backward_calls():
    # bug: t.grad = g instead of t.grad + g for a tensor that called retain_grad()
    x = mg.tensor(X64, requires_grad=True)
    z = x * 2.0
    z.retain_grad()
    out = (z ** 2).sum()
    out.backward(retain_graph=True)
    out.backward()
    np.testing.assert_allclose(z.grad.numpy(), 2 * (2 * (2 * X64)), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), 2 * (8 * X64), rtol=1e-12)


def _crop_offsets(crops, padded):
    """The (top, left) window of ``padded`` that each crop is (images with unique pixel values)."""
    n, _, h, w = crops.shape
    out = []
    for i in range(n):
        windows = [(t, left) for t in range(padded.shape[2] - h + 1) for left in range(padded.shape[3] - w + 1)
                   if np.array_equal(padded[i, :, t:t + h, left:left + w], crops[i])]
        assert len(windows) == 1, f"crop {i} is not exactly one window of the padded image: {windows}"
        out.append(windows[0])
    return out


def test_random_crop_offsets_reach_every_position_including_the_last():
    # bug: rng.integers(0, h + 2p - out_h) never draws the last offset
    n, pad = 300, 2
    images = (np.arange(n * 16, dtype=np.float64).reshape(n, 1, 4, 4) + 1.0)
    crops = data.augment.RandomCrop(size=4, padding=pad, fill=0.0, seed=0)(images)
    padded = np.pad(images, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    offsets = _crop_offsets(crops, padded)
    assert {t for t, _ in offsets} == set(range(2 * pad + 1))
    assert {left for _, left in offsets} == set(range(2 * pad + 1))


@pytest.mark.parametrize("norm, exploding", [(999.9, False), (1000.0, False), (1000.5, True), (math.inf, True),
                                             (math.nan, True)])
def test_gradient_monitor_explode_threshold_is_strictly_greater(norm, exploding):
    msgs = check_gradients({"W1": norm, "W2": 1.0}, explode=1e3)
    assert any("exploding" in m and "dW1" in m for m in msgs) == exploding


@pytest.mark.parametrize("ratio, vanishing", [(1.01e-4, False), (1e-4, False), (0.99e-4, True), (0.0, True)])
def test_gradient_monitor_vanish_threshold_is_relative_to_the_largest_norm(ratio, vanishing):
    top = 8.0
    msgs = check_gradients({"W1": top, "W2": ratio * top}, vanish_ratio=1e-4)
    assert any("vanishing" in m and "dW2" in m for m in msgs) == vanishing
    assert not any("dW1" in m for m in msgs)


def test_history_pads_missing_keys_with_nan_before_and_after():
    h = History()
    h.append({"train_cost": 1.0})
    h.append({"train_cost": 0.5, "dev_cost": 0.8})
    h.append({"dev_cost": 0.6})
    assert len(h) == 3
    assert h["train_cost"][:2] == [1.0, 0.5] and math.isnan(h["train_cost"][2])
    assert math.isnan(h["dev_cost"][0]) and h["dev_cost"][1:] == [0.8, 0.6]


def test_grid_points_come_in_product_order_first_key_slowest():
    space = {"lr": tune.log_uniform(1e-3, 1e-1), "layers": tune.choice([1, 2]), "beta": tune.uniform(0.8, 0.9)}
    lrs = [1e-3, 1e-2, 1e-1]
    betas = [0.8, 0.85, 0.9]
    expected = [{"lr": a, "layers": b, "beta": c} for a, b, c in itertools.product(lrs, [1, 2], betas)]
    got = tune.grid_points(space, 3)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g["layers"] == e["layers"]
        assert g["lr"] == pytest.approx(e["lr"], rel=1e-12) and g["beta"] == pytest.approx(e["beta"], rel=1e-12)


def test_grid_search_runs_trial_i_on_grid_point_i():
    space = {"a": tune.uniform(0.0, 1.0), "b": tune.choice(["x", "y"])}
    res = tune.grid_search(lambda c: {"dev_cost": c["a"]}, space, points_per_dim=2, seed=0, progress=False,
                           executor="sequential")
    by_id = sorted(res.trials, key=lambda t: t.trial_id)
    expected = [(0.0, "x"), (0.0, "y"), (1.0, "x"), (1.0, "y")]
    assert [(t.config["a"], t.config["b"]) for t in by_id] == expected


def _round_configs(res, r):
    return [t.config for t in sorted(res.trials, key=lambda t: t.trial_id) if t.round == r]


def test_coarse_to_fine_rounds_are_seeded_from_seed_and_round_only():
    space = {"lr": tune.log_uniform(1e-4, 1.0)}
    train = lambda c: {"dev_cost": abs(math.log10(c["lr"]) + 2)}  # noqa: E731
    one = tune.coarse_to_fine(train, space, rounds=1, trials_per_round=5, seed=3, progress=False,
                              executor="sequential")
    two = tune.coarse_to_fine(train, space, rounds=2, trials_per_round=5, seed=3, progress=False,
                              executor="sequential")
    assert _round_configs(one, 0) == _round_configs(two, 0)  # later rounds do not change earlier draws
    # round r's stream is default_rng([seed, r]): per-trial seeds of round 1 do not repeat round 0's
    seeds0 = [c["seed"] for c in _round_configs(two, 0)]
    seeds1 = [c["seed"] for c in _round_configs(two, 1)]
    assert not set(seeds0) & set(seeds1)
    other = tune.coarse_to_fine(train, space, rounds=1, trials_per_round=5, seed=4, progress=False,
                                executor="sequential")
    assert _round_configs(other, 0) != _round_configs(one, 0)
    # the documented stream: round 0 draws its configs from np.random.default_rng([seed, 0])
    rng = np.random.default_rng([3, 0])
    first_lr = 10 ** rng.uniform(-4, 0)
    assert _round_configs(one, 0)[0]["lr"] == pytest.approx(first_lr, rel=1e-12)


def test_python_float_meeting_float64_tensor_computes_in_float64():
    t = mg.tensor(X64, dtype=mg.float64)
    for out, ref in [(t * 0.1, X64 * 0.1), (0.1 + t, 0.1 + X64), (t / 3.0, X64 / 3.0), (t - 0.7, X64 - 0.7)]:
        assert out.dtype == mg.float64
        np.testing.assert_array_equal(out.numpy(), ref)  # exact: a float32 detour would round 0.1


@pytest.mark.parametrize("py, expected", [(float, "float64"), (int, "int64"), (bool, "bool")])
def test_python_types_as_dtype_follow_pytorch(py, expected):
    t = mg.tensor([1, 0, 2], dtype=py)
    assert str(t.dtype).endswith(expected)
    assert mg.zeros(2, dtype=py).dtype == t.dtype


def test_course_minibatches_shuffle_by_the_generators_permutation():
    m = 11
    X = np.arange(m * 2).reshape(m, 2)
    y = np.arange(m)
    batches = list(data.minibatches(X, y, batch_size=4, shuffle=True, rng=7))
    order = np.concatenate([yb for _, yb in batches])
    np.testing.assert_array_equal(order, np.random.default_rng(7).permutation(m))
    np.testing.assert_array_equal(np.concatenate([xb for xb, _ in batches]), X[order])
    assert [len(yb) for _, yb in batches] == [4, 4, 3]


def test_course_loader_draws_a_new_permutation_every_epoch():
    m = 10
    y = np.arange(m)
    loader = data.DataLoader(np.arange(m)[:, None], y, batch_size=3, shuffle=True, seed=5)
    rng = np.random.default_rng(5)
    for _ in range(3):
        order = np.concatenate([np.asarray(yb.numpy() if hasattr(yb, "numpy") else yb) for _, yb in loader])
        np.testing.assert_array_equal(order, rng.permutation(m))


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad_clears_every_parameter_group(set_to_none):
    a, b = nn.Linear(3, 2), nn.Linear(2, 1)
    opt = optim.SGD([{"params": a.parameters()}, {"params": b.parameters(), "lr": 0.5}], lr=0.1)
    b(a(mg.randn(4, 3))).sum().backward()
    params = list(a.parameters()) + list(b.parameters())
    assert all(p.grad is not None and np.any(p.grad.numpy() != 0) for p in params)
    opt.zero_grad(set_to_none=set_to_none)
    for p in params:
        if set_to_none:
            assert p.grad is None
        else:
            np.testing.assert_array_equal(p.grad.numpy(), np.zeros(p.shape))
