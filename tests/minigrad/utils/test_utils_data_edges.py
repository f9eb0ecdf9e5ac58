"""minigrad.utils.data at its edges: container types kept by collate, index boundaries of ConcatDataset
and of the TensorDataset fast path, fractions of 0 in random_split, the samplers' draws reaching
index 0, and each argument error naming the argument (as PyTorch's messages do)."""
from __future__ import annotations

import collections
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.utils.data import (BatchSampler, ConcatDataset, DataLoader, IterableDataset, RandomSampler, Subset,
                                 SubsetRandomSampler, TensorDataset, default_collate, default_convert, random_split)
from minigrad.utils.data.sampler import randint


class MyList(list):
    pass


# ----- collate ----------------------------------------------------------------------------------
def test_collate_keeps_mapping_and_sequence_types():
    batch = [collections.OrderedDict(a=1, b=2.0), collections.OrderedDict(a=3, b=4.0)]
    out = default_collate(batch)
    assert type(out) is collections.OrderedDict and list(out) == ["a", "b"]
    assert out["a"].tolist() == [1, 3] and out["a"].dtype == mg.int64 and out["b"].dtype == mg.float64
    out = default_collate([MyList([1, 2.0]), MyList([3, 4.0])])
    assert type(out) is MyList and out[0].tolist() == [1, 3] and out[1].tolist() == [2.0, 4.0]
    out = default_collate([collections.deque([1, 2]), collections.deque([3, 4])])
    assert type(out) is collections.deque and [t.tolist() for t in out] == [[1, 3], [2, 4]]
    out = default_collate([(1, 2), (3, 4)])
    assert type(out) is list and [t.tolist() for t in out] == [[1, 3], [2, 4]]
    out = default_collate([[1, 2], [3, 4]])
    assert type(out) is list and [t.tolist() for t in out] == [[1, 3], [2, 4]]


def test_collate_stacks_tensors_on_a_new_first_axis_and_numbers_by_type():
    out = default_collate([mg.tensor([1.0, 2.0]), mg.tensor([3.0, 4.0]), mg.tensor([5.0, 6.0])])
    assert out.shape == (3, 2) and out.tolist() == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    b = default_collate([True, False])
    assert b.dtype == mg.bool and b.tolist() == [True, False]
    i = default_collate([1, 2])
    assert i.dtype == mg.int64 and i.tolist() == [1, 2]
    f = default_collate([np.float32(1.5), np.float32(2.5)])
    assert f.dtype == mg.float32 and f.tolist() == [1.5, 2.5]


def test_collate_leaves_numpy_strings_alone_and_refuses_string_arrays():
    strs = [np.str_("a"), np.str_("b")]
    assert default_collate(strs) is strs
    with pytest.raises(TypeError, match="found ndarray"):
        default_collate([np.array(["a", "b"]), np.array(["c", "d"])])
    with pytest.raises(TypeError, match="^default_collate: a batch must contain Tensors, NumPy arrays, numbers"):
        default_collate([object()])
    with pytest.raises(RuntimeError, match=r"same length; got lengths \[1, 2\]"):
        default_collate([[1], [1, 2]])


def test_convert_keeps_container_types_and_leaves_strings_and_numbers():
    out = default_convert(collections.OrderedDict(a=np.array([1, 2])))
    assert type(out) is collections.OrderedDict and out["a"].tolist() == [1, 2]
    out = default_convert(MyList([np.float64(1.5), "s", 3]))
    assert type(out) is MyList and out[0].dtype == mg.float64 and out[1:] == ["s", 3]  # as torch.as_tensor
    assert default_convert(np.float32(2.5)).dtype == mg.float32 and default_convert(np.int32(2)).dtype == mg.int32
    assert default_convert((np.int64(2), 1.0))[0].tolist() == 2
    arr = np.array(["x"])
    assert default_convert(arr) is arr and default_convert(np.str_("y")) == "y"


# ----- datasets -----------------------------------------------------------------------------------
def test_tensor_dataset_errors_name_the_argument():
    with pytest.raises(TypeError, match=r"^TensorDataset: argument 1 is a ndarray, expected a Tensor \(convert arrays "
                                        r"with minigrad.tensor or minigrad.from_numpy\)$"):
        TensorDataset(mg.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match=r"^TensorDataset: argument 0 is 0-d; each tensor needs a first"):
        TensorDataset(mg.tensor(1.0))
    assert len(TensorDataset()) == 0


def test_concat_dataset_indices_at_every_boundary():
    a, b, c = [10, 11], [20], [30, 31, 32]
    ds = ConcatDataset([a, b, c])
    assert len(ds) == 6 and ds.cumulative_sizes == [2, 3, 6]
    assert [ds[i] for i in range(6)] == [10, 11, 20, 30, 31, 32]
    assert [ds[i] for i in range(-6, 0)] == [10, 11, 20, 30, 31, 32]
    for bad in (6, -7):
        with pytest.raises(IndexError, match=f"^ConcatDataset: index {bad} out of range for length 6$"):
            ds[bad]
    with pytest.raises(ValueError, match="^ConcatDataset: got no datasets$"):
        ConcatDataset([])

    class Stream(IterableDataset):
        def __iter__(self):
            return iter([1])

    with pytest.raises(TypeError, match="^ConcatDataset: dataset 1 is an IterableDataset; only map-style"):
        ConcatDataset([a, Stream()])


def test_random_split_fractions_with_a_zero_and_the_length_errors():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        first, empty = random_split(range(4), [1.0, 0.0], generator=mg.Generator(seed=0))
    assert sorted(first) == [0, 1, 2, 3] and len(empty) == 0
    assert [str(x.message) for x in w] == ["random_split: split 1 is empty"]
    assert w[0].category is UserWarning and w[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no split of size 1 (or any non-empty one) warns
        assert [len(s) for s in random_split(range(4), [0.5, 0.25, 0.25], generator=mg.Generator(seed=0))] == [2, 1, 1]
    with pytest.raises(ValueError, match="^random_split: lengths is empty$"):
        random_split(range(3), [])
    with pytest.raises(ValueError, match=r"^random_split: lengths must be ints >= 0 summing to 3"):
        random_split(range(3), [True, 2])
    # floats are fractions only when they sum to 1 (close to it, and not above)
    for lengths in ([1.5, 0.5], [0.5, 0.6], [0.5, 0.5 + 1e-11]):
        with pytest.raises(ValueError, match=r"or fractions summing to 1; got \[0?\.?[0-9.e]+, "):
            random_split(range(3), lengths)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ints summing to n: sizes, no "empty split" warning
        assert [len(s) for s in random_split(range(1), [0, 1])] == [0, 1]
    assert [len(s) for s in random_split(range(3), [0, 3])] == [0, 3]  # an empty split by size: allowed
    with pytest.raises(ValueError, match=r"lengths must be ints >= 0"):
        random_split(range(3), [-1, 4])


# ----- samplers ---------------------------------------------------------------------------------
def test_random_sampler_with_replacement_reaches_index_0_and_uses_its_generator():
    draws = randint(2, 200, mg.Generator(seed=1))
    assert draws.dtype == np.int64 and set(draws.tolist()) == {0, 1}
    s = RandomSampler(range(3), replacement=True, num_samples=50, generator=mg.Generator(seed=4))
    again = RandomSampler(range(3), replacement=True, num_samples=50, generator=mg.Generator(seed=4))
    assert list(s) == list(again) and set(list(s)) <= {0, 1, 2} and 0 in list(again) and len(s) == 50
    mg.manual_seed(5)
    a = list(RandomSampler(range(6)))
    mg.manual_seed(5)
    assert list(RandomSampler(range(6))) == a and sorted(a) == list(range(6))
    assert list(RandomSampler([], generator=mg.Generator(seed=0))) == []
    assert len(RandomSampler(range(3), num_samples=1)) == 1


def test_samplers_refuse_a_non_generator_and_bad_counts_with_their_names():
    with pytest.raises(TypeError, match="^generator must be a minigrad.Generator, got int$"):
        list(SubsetRandomSampler([1, 2], generator=5))
    with pytest.raises(TypeError, match="^generator must be a minigrad.Generator, got Rand$"):
        class Rand:
            draw = None
        list(SubsetRandomSampler([1, 2], generator=Rand()))
    with pytest.raises(ValueError, match="^RandomSampler: num_samples must be an integer >= 1, got 0$"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(TypeError, match="^RandomSampler: replacement must be True or False, got 1$"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(TypeError, match="^BatchSampler: batch_size must be an integer >= 1, got 2.0$"):
        BatchSampler(range(3), 2.0, False)
    with pytest.raises(TypeError, match="^BatchSampler: drop_last must be True or False, got None$"):
        BatchSampler(range(3), 2, None)


# ----- DataLoader ----------------------------------------------------------------------------------
def test_dataloader_defaults_and_each_argument_error():
    loader = DataLoader([1, 2, 3])
    assert loader.num_workers == 0 and loader.pin_memory is False and loader.timeout == 0
    assert [t.tolist() for t in loader] == [[1], [2], [3]]
    with pytest.raises(TypeError, match="^DataLoader: num_workers must be an integer >= 0, got 0.5$"):
        DataLoader([1], num_workers=0.5)
    with pytest.raises(TypeError, match="^DataLoader: drop_last must be True or False, got 1$"):
        DataLoader([1], drop_last=1)
    with pytest.raises(ValueError, match="^DataLoader: sampler option is mutually exclusive with shuffle$"):
        DataLoader([1], sampler=[0], shuffle=True)
    with pytest.raises(ValueError, match="^DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                                         "shuffle, sampler, and drop_last$"):
        DataLoader([1], batch_sampler=[[0]], sampler=[0])
    with pytest.raises(ValueError, match="^DataLoader: batch_size=None \\(no batching\\) is mutually exclusive with "
                                         "drop_last$"):
        DataLoader([1], batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="^DataLoader: batch_size must be an integer >= 1, got 0$"):
        DataLoader([1], batch_size=0)

    class Stream(IterableDataset):
        def __iter__(self):
            return iter([1, 2, 3])

    with pytest.raises(ValueError, match="^DataLoader: an IterableDataset is read in stream order; shuffle, "
                                         "sampler and batch_sampler are not allowed with one$"):
        DataLoader(Stream(), sampler=[0])
    assert [x for x in DataLoader(Stream(), batch_size=None)] == [1, 2, 3]
    # a batch_sampler with the default batch_size is fine, and shuffle=False is not "shuffle"
    assert [t.tolist() for t in DataLoader([5, 6, 7], batch_sampler=[[2, 0]], shuffle=False)] == [[7, 5]]


def test_the_tensor_dataset_fast_path_index_bounds_and_subsets():
    X = mg.tensor(np.arange(5.0))
    ds = TensorDataset(X)
    (batch,) = DataLoader(ds, batch_sampler=[[-5, 4]]).__iter__().__next__(),
    assert batch[0].tolist() == [0.0, 4.0]
    for bad in (5, -6):
        with pytest.raises(IndexError, match=f"^DataLoader: index {bad} is out of range for a TensorDataset of "
                                             "length 5$"):
            next(iter(DataLoader(ds, batch_sampler=[[0, bad]])))
    sub = Subset(Subset(ds, [4, 3, 2, 1]), [0, 2])
    (xb,) = next(iter(DataLoader(sub, batch_size=2)))
    assert xb.tolist() == [4.0, 2.0]
    # a user collate_fn gets the examples themselves, not the fast path's batch
    seen = []
    next(iter(DataLoader(ds, batch_size=2, collate_fn=lambda b: seen.append(b) or b)))
    assert [[t.tolist() for t in ex] for ex in seen[0]] == [[0.0], [1.0]]
