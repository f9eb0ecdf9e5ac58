"""Mini-batches and DataLoader: the course's shuffle-and-partition, on NumPy and on Tensors."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad as mg
from minigrad.data import DataLoader, minibatches
from minigrad.data import rows as _rows
from _toolkit_doubles import host


def _data(m, device=None):
    """X rows encode their index (X[i] = [i, -i]), y[i] = 10 i: alignment is checkable."""
    X = np.stack([np.arange(m), -np.arange(m)], axis=1).astype(np.float64)
    y = 10 * np.arange(m)
    if device is None:
        return X, y
    return mg.tensor(X, device=device), mg.tensor(y, device=device)


def _course_batches(m, b, seed, epochs):
    """Oracle: the course's recipe, written out with the same NumPy generator."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(epochs):
        perm = rng.permutation(m)
        out.append([perm[k:k + b] for k in range(0, m, b)])
    return out


def test_loader_matches_the_course_recipe_on_each_device(device):
    X, y = _data(23, device)
    loader = DataLoader(X, y, batch_size=5, seed=7)
    expected = _course_batches(23, 5, seed=7, epochs=3)
    for epoch in expected:
        got = list(loader)
        assert len(got) == len(epoch) == len(loader) == 5
        for (xb, yb), idx in zip(got, epoch):
            assert isinstance(xb, mg.Tensor) and xb.device == device and yb.device == device
            np.testing.assert_array_equal(host(xb)[:, 0], idx)      # X shuffled ...
            np.testing.assert_array_equal(host(yb), 10 * idx)       # ... together with y
    assert loader.epoch == 3


def test_each_epoch_is_a_fresh_permutation_covering_every_example():
    X, y = _data(50)
    loader = DataLoader(X, y, batch_size=8, seed=0)
    orders = [np.concatenate([xb[:, 0] for xb, _ in loader]) for _ in range(3)]
    for order in orders:
        np.testing.assert_array_equal(np.sort(order), np.arange(50))
    assert not np.array_equal(orders[0], orders[1]) and not np.array_equal(orders[1], orders[2])


@given(m=st.integers(1, 60), b=st.integers(1, 70), drop_last=st.booleans())
def test_batch_sizes_follow_the_partition_rule(m, b, drop_last):
    X, y = _data(m)
    sizes = [len(yb) for _, yb in minibatches(X, y, batch_size=b, rng=1, drop_last=drop_last)]
    expected = [b] * (m // b) + ([] if drop_last or m % b == 0 else [m % b])
    assert sizes == expected
    assert len(DataLoader(X, y, batch_size=b, drop_last=drop_last)) == len(expected)


def test_no_shuffle_gives_views_in_order():
    X, y = _data(10)
    batches = list(minibatches(X, y, batch_size=4, shuffle=False))
    assert [host(yb).tolist() for _, yb in batches] == [[0, 10, 20, 30], [40, 50, 60, 70], [80, 90]]
    assert all(np.shares_memory(xb, X) for xb, _ in batches)  # slices, not copies


def test_only_one_batch_is_gathered_at_a_time(monkeypatch, device):
    gathered = []
    real = _rows.take_rows

    def counting(x, index):
        gathered.append(len(index))
        return real(x, index)

    monkeypatch.setattr("minigrad.data.loader.take_rows", counting)
    X, y = _data(40, device)
    for _ in DataLoader(X, y, batch_size=16, seed=0):
        pass
    assert gathered and max(gathered) <= 16  # never the whole data set at once


def test_seeded_loaders_agree_and_state_dict_resumes_the_stream():
    X, y = _data(30)
    a, b = DataLoader(X, y, batch_size=7, seed=3), DataLoader(X, y, batch_size=7, seed=3)
    for _ in range(2):
        for (xa, _), (xb, _) in zip(a, b):
            np.testing.assert_array_equal(xa, xb)
    state = a.state_dict()
    expected = [yb.copy() for _, yb in a]  # epoch 3 of the uninterrupted loader
    c = DataLoader(X, y, batch_size=7, seed=999)
    c.load_state_dict(state)
    for want, (_, got) in zip(expected, c):
        np.testing.assert_array_equal(got, want)
    assert c.epoch == 3


def test_x_only_and_transform():
    X, _ = _data(6)
    batches = list(DataLoader(X, batch_size=4, shuffle=False, transform=lambda xb: xb * 2))
    np.testing.assert_array_equal(batches[0][:, 0], [0, 2, 4, 6])


@pytest.mark.parametrize("X, y, match", [
    (np.zeros((5, 2)), np.zeros(4), r"5 examples .* 4"),
    (np.zeros((0, 2)), np.zeros(0), "empty"),
    (np.float64(3.0), None, "0-d"),
])
def test_bad_data_is_refused_with_a_clear_message(X, y, match):
    with pytest.raises(ValueError, match=match):
        DataLoader(X, y)
    with pytest.raises(ValueError, match=match):
        minibatches(X, y)


def test_bad_data_on_device(device):
    X, y = _data(5, device)
    with pytest.raises(ValueError, match=r"DataLoader: X has 5 examples .* y has 4"):
        DataLoader(X, y[:4])


@pytest.mark.parametrize("b, err", [(0, ValueError), (-3, ValueError), (2.5, TypeError), (True, TypeError),
                                    ("8", TypeError)])
def test_batch_size_must_be_a_positive_integer(b, err):
    with pytest.raises(err, match="batch_size must be an integer >= 1"):
        DataLoader(np.zeros((4, 1)), np.zeros(4), batch_size=b)
