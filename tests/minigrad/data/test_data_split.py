"""train_dev_test_split: the course's default rule, ratios, sizes, stratification, devices."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import default_split_sizes, train_dev_test_split
from _toolkit_doubles import host


def _ids(part):
    return np.sort(host(part[1]))


@pytest.mark.parametrize("m, expected", [
    (100, (60, 20, 20)),               # small data: 60/20/20
    (10_000, (6000, 2000, 2000)),
    (1_000_000, (980_000, 10_000, 10_000)),   # big data: 98/1/1
    (5_000_000, (4_980_000, 10_000, 10_000)),  # ... and finer beyond
])
def test_default_rule_is_the_courses(m, expected):
    assert default_split_sizes(m) == expected


def test_parts_are_disjoint_cover_everything_and_stay_aligned(device):
    m = 50
    X = mg.tensor(np.arange(m, dtype=np.float64).reshape(m, 1) * 2, device=device)
    y = mg.tensor(np.arange(m), device=device)
    train, dev, test = train_dev_test_split(X, y, seed=1)
    assert (len(train[1]), len(dev[1]), len(test[1])) == (30, 10, 10)
    allids = np.concatenate([_ids(train), _ids(dev), _ids(test)])
    np.testing.assert_array_equal(np.sort(allids), np.arange(m))
    for Xp, yp in (train, dev, test):
        assert Xp.device == device and yp.device == device
        np.testing.assert_array_equal(host(Xp)[:, 0], 2 * host(yp))
    assert not np.array_equal(host(train[1]), np.arange(30))  # shuffled


def test_seed_makes_it_reproducible_and_shuffle_false_keeps_order():
    X, y = np.zeros((20, 1)), np.arange(20)
    a, b = train_dev_test_split(X, y, seed=5), train_dev_test_split(X, y, seed=5)
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa[1], pb[1])
    c = train_dev_test_split(X, y, seed=6)
    assert not np.array_equal(a.train[1], c.train[1])
    ordered = train_dev_test_split(X, y, ratios=(0.5, 0.25, 0.25), shuffle=False)
    assert ordered.train[1].tolist() == list(range(10)) and ordered.test[1].tolist() == list(range(15, 20))


def test_explicit_ratios_and_sizes():
    X = np.arange(200).reshape(100, 2)
    parts = train_dev_test_split(X, ratios=(0.8, 0.1, 0.1))
    assert [len(p) for p in parts] == [80, 10, 10]
    parts = train_dev_test_split(X, ratios=(0.7, 0.3))
    assert [len(p) for p in parts] == [70, 30, 0]
    parts = train_dev_test_split(X, sizes=(50, 25, 5))  # 20 examples left out
    assert [len(p) for p in parts] == [50, 25, 5]
    rows = np.concatenate(parts)[:, 0]
    assert len(set(rows.tolist())) == 80


def test_stratified_parts_keep_class_proportions():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    X = np.arange(100).reshape(100, 1)
    train, dev, test = train_dev_test_split(X, y, stratify=True, seed=3)
    for part, n in ((train, 60), (dev, 20), (test, 20)):
        counts = np.bincount(part[1], minlength=3)
        expected = n * np.array([0.6, 0.3, 0.1])
        assert np.all(np.abs(counts - expected) <= 1), (counts, expected)
    # dev and test come from the same distribution
    assert np.all(np.abs(np.bincount(dev[1], minlength=3) - np.bincount(test[1], minlength=3)) <= 1)
    # one-hot labels stratify the same way
    onehot = np.eye(3)[y]
    _, dev1, _ = train_dev_test_split(X, onehot, stratify=True, seed=3)
    assert np.all(np.abs(dev1[1].sum(axis=0) - [12, 6, 2]) <= 1)


@pytest.mark.parametrize("kwargs, match", [
    (dict(ratios=(0.5, 0.2, 0.2)), "adding up to 1"),
    (dict(ratios=(0.6, 0.4), sizes=(3, 2)), "not both"),
    (dict(sizes=(80, 30, 10)), "at most the 100"),
    (dict(ratios=(0.999, 0.0005, 0.0005)), "too few"),
])
def test_bad_split_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_dev_test_split(np.zeros((100, 2)), np.zeros(100), **kwargs)


def test_bad_data():
    with pytest.raises(ValueError, match=r"train_dev_test_split: X has 10 examples .* y has 9"):
        train_dev_test_split(np.zeros((10, 2)), np.zeros(9))
    with pytest.raises(ValueError, match="empty"):
        train_dev_test_split(np.zeros((0, 2)), np.zeros(0))
    with pytest.raises(ValueError, match="too few"):
        train_dev_test_split(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="needs the labels"):
        train_dev_test_split(np.zeros((10, 2)), stratify=True)
