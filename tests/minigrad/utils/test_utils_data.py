"""minigrad.utils.data: PyTorch's Dataset / DataLoader / random_split, checked against independent
computations (the generator's documented permutation: stable argsort of uniform draws)."""
from __future__ import annotations

import collections
import math
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset, RandomSampler,
                                 SequentialSampler, Subset, SubsetRandomSampler, TensorDataset, default_collate,
                                 random_split)


def _perm(rng, n):
    """The next permutation drawn from a NumPy Generator, by the documented rule."""
    return np.argsort(rng.random(n), kind="stable").tolist()


def _data(device, n=10):
    X = mg.tensor(np.arange(n * 3, dtype=np.float32).reshape(n, 3), device=device)
    y = mg.tensor(np.arange(n) % 4, device=device)
    return X, y


def test_minigrad_utils_is_a_lazy_subpackage():
    import subprocess
    import sys

    code = ("import sys, minigrad as mg; assert 'minigrad.utils' not in sys.modules; "
            "import minigrad.utils.data as d; assert mg.utils.data is d and d.DataLoader.__module__ == "
            "'minigrad.utils.data.dataloader'; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=".")
    assert out.stdout.strip() == "ok", out.stderr


def test_defaults_are_pytorchs_one_example_per_batch_in_order(device):
    X, y = _data(device, 5)
    loader = DataLoader(TensorDataset(X, y))
    assert loader.batch_size == 1 and not loader.drop_last and isinstance(loader.sampler, SequentialSampler)
    batches = list(loader)
    assert len(loader) == len(batches) == 5 and len(loader.dataset) == 5
    for i, (xb, yb) in enumerate(batches):
        assert isinstance(xb, mg.Tensor) and xb.shape == (1, 3) and yb.shape == (1,)
        assert str(xb.device) == str(X.device) and yb.dtype == mg.int64 and xb.dtype == mg.float32
        np.testing.assert_array_equal(xb.numpy(), X.numpy()[i:i + 1])


@pytest.mark.parametrize("n, b, drop_last", [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False),
                                             (2, 5, True)])
def test_batches_and_len(device, n, b, drop_last):
    X, y = _data(device, n)
    loader = DataLoader(TensorDataset(X, y), batch_size=b, drop_last=drop_last)
    sizes = [len(yb) for _, yb in loader]
    expected = [b] * (n // b) + ([] if drop_last or n % b == 0 else [n % b])
    assert sizes == expected and len(loader) == len(expected)
    got = np.concatenate([yb.numpy() for _, yb in loader]) if expected else np.zeros(0)
    np.testing.assert_array_equal(got, (np.arange(n) % 4)[:sum(expected)])


def test_shuffle_follows_the_generator_and_each_epoch_is_new(device):
    X, y = _data(device, 10)
    loader = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True, generator=mg.Generator(seed=7))
    rng = np.random.default_rng(7)
    epochs = []
    for _ in range(3):
        order = _perm(rng, 10)
        batches = list(loader)
        rows = np.concatenate([xb.numpy()[:, 0] / 3 for xb, _ in batches]).astype(int).tolist()
        labels = np.concatenate([yb.numpy() for _, yb in batches])
        assert rows == order and [len(yb) for _, yb in batches] == [4, 4, 2]
        np.testing.assert_array_equal(labels, y.numpy()[order])
        epochs.append(rows)
    assert epochs[0] != epochs[1] != epochs[2]


def test_shuffle_is_reproducible_with_manual_seed():
    ds = list(range(20))
    mg.manual_seed(123)
    first = [b.tolist() for b in DataLoader(ds, batch_size=6, shuffle=True)]
    second = [b.tolist() for b in DataLoader(ds, batch_size=6, shuffle=True)]
    mg.manual_seed(123)
    again = [b.tolist() for b in DataLoader(ds, batch_size=6, shuffle=True)]
    assert first == again and first != second
    mg.manual_seed(123)
    rng = np.random.default_rng(123)
    assert sum(first, []) == _perm(rng, 20)


def test_collate_numbers_arrays_tuples_dicts_namedtuples_and_strings():
    Point = collections.namedtuple("Point", "x y")
    batch = [{"img": np.full((2, 2), i, dtype=np.float64), "label": i, "w": 0.5 * i, "ok": i % 2 == 0,
              "name": f"n{i}", "pair": (i, np.float32(i)), "pt": Point(i, [i, -i])} for i in range(3)]
    out = default_collate(batch)
    assert set(out) == set(batch[0])
    assert out["img"].dtype == mg.float64 and out["img"].shape == (3, 2, 2)
    np.testing.assert_array_equal(out["img"].numpy()[:, 0, 0], [0, 1, 2])
    assert out["label"].dtype == mg.int64 and out["label"].tolist() == [0, 1, 2]
    assert out["w"].dtype == mg.float64 and out["w"].tolist() == [0.0, 0.5, 1.0]
    assert out["ok"].dtype == mg.bool_ and out["ok"].tolist() == [True, False, True]
    assert out["name"] == ["n0", "n1", "n2"]
    assert isinstance(out["pair"], list) and out["pair"][1].dtype == mg.float32
    assert isinstance(out["pt"], Point) and out["pt"].x.tolist() == [0, 1, 2]
    assert [t.tolist() for t in out["pt"].y] == [[0, 1, 2], [0, -1, -2]]
    with pytest.raises(RuntimeError, match="same length"):
        default_collate([(1, 2), (1,)])
    with pytest.raises(TypeError, match="object"):
        default_collate([object(), object()])


def test_a_user_dataset_and_collate_fn(device):
    class Squares(Dataset):
        def __len__(self):
            return 7

        def __getitem__(self, i):
            return mg.tensor([float(i)], device=device), i * i

    loader = DataLoader(Squares(), batch_size=3)
    xb, yb = next(iter(loader))
    assert xb.shape == (3, 1) and yb.tolist() == [0, 1, 4] and yb.dtype == mg.int64
    summed = DataLoader(Squares(), batch_size=3, collate_fn=lambda b: sum(s for _, s in b))
    assert list(summed) == [5, 50, 36]


def test_the_tensor_dataset_fast_path_equals_stacking_examples(device):
    class Slow(TensorDataset):
        def __getitem__(self, i):
            return super().__getitem__(i)

    X, y = _data(device, 11)
    X.requires_grad_(True) if hasattr(X, "requires_grad_") else None
    sub = Subset(TensorDataset(X, y), [10, 3, 5, 0, 7])
    slow_sub = Subset(Slow(X, y), [10, 3, 5, 0, 7])
    for a, b in zip(DataLoader(sub, batch_size=2), DataLoader(slow_sub, batch_size=2)):
        for s, t in zip(a, b):
            assert s.dtype == t.dtype and s.shape == t.shape and s.requires_grad == t.requires_grad
            np.testing.assert_array_equal(s.numpy(), t.numpy())


def test_batch_size_none_converts_single_examples():
    loader = DataLoader([np.array([1.0, 2.0]), np.array([3.0, 4.0])], batch_size=None)
    out = list(loader)
    assert len(loader) == 2 and all(isinstance(t, mg.Tensor) and t.dtype == mg.float64 for t in out)


def test_samplers_and_batch_sampler():
    ds = list(range(10))
    loader = DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(ds), 4, drop_last=True))
    assert [b.tolist() for b in loader] == [[0, 1, 2, 3], [4, 5, 6, 7]] and len(loader) == 2
    rng = np.random.default_rng(3)
    sub = SubsetRandomSampler([5, 6, 7, 8], generator=mg.Generator(seed=3))
    assert list(sub) == [[5, 6, 7, 8][i] for i in _perm(rng, 4)]
    rs = RandomSampler(ds, num_samples=25, generator=mg.Generator(seed=4))
    rng = np.random.default_rng(4)
    assert list(rs) == (_perm(rng, 10) + _perm(rng, 10) + _perm(rng, 10))[:25] and len(rs) == 25
    repl = list(RandomSampler(ds, replacement=True, num_samples=50, generator=mg.Generator(seed=5)))
    assert len(repl) == 50 and set(repl) <= set(ds) and len(set(repl)) < 50
    loader = DataLoader(ds, sampler=[9, 0, 4], batch_size=2)
    assert [b.tolist() for b in loader] == [[9, 0], [4]]


@pytest.mark.parametrize("kw, match", [
    (dict(shuffle=True, sampler=[0]), "mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler"),
    (dict(batch_size=None, drop_last=True), "drop_last"),
    (dict(batch_size=0), "batch_size"),
    (dict(num_workers=-1), "num_workers"),
])
def test_bad_arguments_raise(kw, match):
    with pytest.raises((ValueError, TypeError), match=match):
        DataLoader(list(range(4)), **kw)


def test_iterable_dataset_is_batched_in_stream_order():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(7))

    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="IterableDataset"):
        DataLoader(Stream(), shuffle=True)


def test_tensor_dataset_checks_its_tensors():
    with pytest.raises(ValueError, match=r"first dimension: \[3, 4\]"):
        TensorDataset(mg.zeros(3, 2), mg.zeros(4))
    with pytest.raises(TypeError, match="expected a Tensor"):
        TensorDataset(np.zeros((3, 2)))


# ----- random_split, Subset, ConcatDataset ---------------------------------------------------
@pytest.mark.parametrize("n, lengths, sizes", [
    (10, [3, 7], [3, 7]), (10, [0.5, 0.5], [5, 5]), (10, [0.33, 0.33, 0.34], [4, 3, 3]),
    (11, [0.6, 0.2, 0.2], [7, 2, 2]), (7, [1.0], [7]),
])
def test_random_split_sizes_disjointness_and_order(n, lengths, sizes):
    parts = random_split(range(n), lengths, generator=mg.Generator(seed=9))
    assert [len(p) for p in parts] == sizes
    flat = [x for p in parts for x in p]
    assert sorted(flat) == list(range(n)) and len(set(flat)) == n
    assert flat == _perm(np.random.default_rng(9), n)


def test_random_split_is_reproducible_and_checks_lengths():
    a = [list(p) for p in random_split(range(30), [10, 20], generator=mg.Generator(seed=1))]
    b = [list(p) for p in random_split(range(30), [10, 20], generator=mg.Generator(seed=1))]
    mg.manual_seed(5)
    c = [list(p) for p in random_split(range(30), [10, 20])]
    mg.manual_seed(5)
    d = [list(p) for p in random_split(range(30), [10, 20])]
    assert a == b and c == d and a != c
    with pytest.raises(ValueError, match="sum to 9"):
        random_split(range(10), [4, 5])
    with pytest.raises(ValueError, match="ints >= 0"):
        random_split(range(10), [12, -2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parts = random_split(range(2), [0.1, 0.1, 0.8])
    assert [len(p) for p in parts] == [1, 0, 1] and any("empty" in str(w.message) for w in caught)


def test_subset_and_concat_dataset():
    ds = TensorDataset(mg.arange(6))
    sub = Subset(ds, [4, 1])
    assert len(sub) == 2 and sub[0][0].item() == 4 and sub[[1, 0]][0].tolist() == [1, 4]
    cat = ConcatDataset([list(range(3)), list(range(10, 14))])
    assert len(cat) == 7 and [cat[i] for i in range(7)] == [0, 1, 2, 10, 11, 12, 13] and cat[-1] == 13
    with pytest.raises(IndexError):
        cat[7]
    both = Subset(ds, [0]) + Subset(ds, [5])
    assert [both[i][0].item() for i in range(2)] == [0, 5]
    assert math.isclose(len(ConcatDataset([ds, ds])), 12)
