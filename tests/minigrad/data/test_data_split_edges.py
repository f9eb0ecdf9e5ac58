"""train_dev_test_split, pinned: the parts are consecutive blocks of the seed's permutation; sizes, ratios
and labels at their boundaries; messages naming the function and the argument."""
from __future__ import annotations

import numpy as np
import pytest

from minigrad.data import train_dev_test_split
from minigrad.data.split import LARGE_DATA, default_split_sizes


def _ids(part):
    return part[1].tolist()


def test_parts_are_consecutive_blocks_of_the_seeds_permutation():
    X, y = np.arange(40).reshape(20, 2), np.arange(20)
    for seed in (None, 0, 7):
        parts = train_dev_test_split(X, y) if seed is None else train_dev_test_split(X, y, seed=seed)
        order = np.random.default_rng(0 if seed is None else seed).permutation(20).tolist()
        assert [_ids(p) for p in parts] == [order[:12], order[12:16], order[16:20]]
        np.testing.assert_array_equal(parts.train[0][:, 0], 2 * parts.train[1])
    parts = train_dev_test_split(X, y, sizes=(5, 3, 2), seed=2)
    order = np.random.default_rng(2).permutation(20).tolist()
    assert [_ids(p) for p in parts] == [order[:5], order[5:8], order[8:10]]


def test_default_rule_switches_at_large_data():
    assert LARGE_DATA == 1_000_000
    assert default_split_sizes(LARGE_DATA - 1) == (599_999, 200_000, 200_000)
    assert default_split_sizes(LARGE_DATA) == (980_000, 10_000, 10_000)


def test_sizes_may_use_every_example_and_two_sizes_mean_no_test_set():
    X = np.arange(10)[:, None]
    parts = train_dev_test_split(X, sizes=(6, 4, 0), shuffle=False)
    assert [p[:, 0].tolist() for p in parts] == [list(range(6)), [6, 7, 8, 9], []]
    parts = train_dev_test_split(X, sizes=(7, 3), shuffle=False)
    assert [len(p) for p in parts] == [7, 3, 0]
    parts = train_dev_test_split(X, sizes=(0, 0, 10), shuffle=False)
    assert [len(p) for p in parts] == [0, 0, 10]


@pytest.mark.parametrize("sizes", [(11, 0, 0), (5, -1, 3), (4, 3, 2, 1), (10,)])
def test_bad_sizes_are_refused(sizes):
    with pytest.raises(ValueError, match=r"^train_dev_test_split: sizes must be 2 or 3 non-negative counts \(train, "
                                         r"dev\[, test\]\) adding up to at most the 10 examples, got"):
        train_dev_test_split(np.zeros((10, 1)), sizes=sizes)


def test_ratios_that_give_one_example_per_part_are_enough():
    parts = train_dev_test_split(np.zeros((10, 1)), ratios=(0.8, 0.1, 0.1))
    assert [len(p) for p in parts] == [8, 1, 1]
    parts = train_dev_test_split(np.zeros((10, 1)), ratios=(1.0, 0.0, 0.0))
    assert [len(p) for p in parts] == [10, 0, 0]


@pytest.mark.parametrize("ratios", [(0.25, 0.25, 0.25, 0.25), (1.0,), (1.2, -0.1, -0.1), (0.6, 0.2, 0.2 + 2e-6)])
def test_bad_ratios_are_refused(ratios):
    with pytest.raises(ValueError, match=r"^train_dev_test_split: ratios must be 2 or 3 non-negative numbers \(train, "
                                         r"dev\[, test\]\) adding up to 1, got"):
        train_dev_test_split(np.zeros((10, 1)), ratios=ratios)


def test_ratios_within_rounding_of_one_are_accepted():
    parts = train_dev_test_split(np.zeros((10, 1)), ratios=(0.6, 0.2, 0.2 + 5e-7))
    assert [len(p) for p in parts] == [6, 2, 2]


def test_messages_name_the_function():
    with pytest.raises(ValueError, match=r"^train_dev_test_split: give ratios or sizes, not both$"):
        train_dev_test_split(np.zeros((10, 1)), ratios=(0.5, 0.5), sizes=(5, 5))
    with pytest.raises(ValueError, match=r"^train_dev_test_split: stratify=True needs the labels y$"):
        train_dev_test_split(np.zeros((10, 1)), stratify=True)
    with pytest.raises(ValueError, match=r"^train_dev_test_split: X must have a first axis of examples, got a 0-d"):
        train_dev_test_split(np.float64(1.0))
    with pytest.raises(ValueError, match=r"^train_dev_test_split: y must have a first axis of examples, got a 0-d"):
        train_dev_test_split(np.zeros((10, 1)), np.float64(1.0))


def _labels(m=60):
    return np.repeat([0, 1, 2], [m // 2, m // 3, m - m // 2 - m // 3])


def test_column_and_one_hot_labels_stratify_exactly_like_integer_labels():
    y = _labels()
    X = np.arange(len(y))[:, None]
    ref = train_dev_test_split(X, y, stratify=True, seed=4)
    for labels in (y[:, None], np.eye(3)[y]):
        got = train_dev_test_split(X, labels, stratify=True, seed=4)
        for a, b in zip(ref, got):
            np.testing.assert_array_equal(a[0], b[0])
    y2 = np.array([0, 1] * 15)               # two classes: one-hot rows of width 2
    ref2 = train_dev_test_split(X[:30], y2, stratify=True, seed=1)
    got2 = train_dev_test_split(X[:30], np.eye(2)[y2], stratify=True, seed=1)
    for a, b in zip(ref2, got2):
        np.testing.assert_array_equal(a[0], b[0])


def test_stratified_blocks_are_shuffled_unless_shuffle_is_false():
    y = _labels()
    X = np.arange(len(y))[:, None]
    ordered = train_dev_test_split(X, y, stratify=True, seed=4, shuffle=False)
    shuffled = train_dev_test_split(X, y, stratify=True, seed=4)
    for a, b in zip(ordered, shuffled):
        assert sorted(a[0][:, 0].tolist()) == sorted(b[0][:, 0].tolist())     # the same examples per part ...
    assert any(not np.array_equal(a[0], b[0]) for a, b in zip(ordered, shuffled))   # ... in another order
    # without shuffling, each block keeps the stratified order: the classes interleave evenly
    train_labels = ordered.train[1]
    for start in range(0, len(train_labels) - 6, 6):
        assert len(set(train_labels[start:start + 6].tolist())) == 3


def test_each_stratified_part_holds_every_class_in_proportion_for_many_seeds():
    # the docstring's bound: within about two examples of n_part * n_class / m (measured worst: 2.06 over
    # 3000 random label sets; one example is not enough, a middle block is the difference of two prefixes)
    y = _labels(100)
    X = np.arange(100)[:, None]
    for seed in range(10):
        parts = train_dev_test_split(X, y, stratify=True, seed=seed)
        for part, n in zip(parts, (60, 20, 20)):
            counts = np.bincount(part[1], minlength=3)
            assert np.all(np.abs(counts - n * np.bincount(y) / 100) < 2.5), (seed, counts)
