"""Map-style datasets (``dataset[i]``, ``len(dataset)``), iterable ones, and ``random_split``."""
from __future__ import annotations

import bisect
import math
import operator
import warnings

from ...tensor import Tensor
from .sampler import randperm

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "random_split"]


class Dataset:
    """Base class of map-style datasets: define ``__getitem__(i)`` (one example) and ``__len__``.

    ``a + b`` concatenates two datasets (:class:`ConcatDataset`).
    """

    def __getitem__(self, index):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.__getitem__ is not defined")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base class of datasets that are a stream: define ``__iter__``.  A :class:`DataLoader`
    over one batches the stream in order (no sampler, no shuffle)."""

    def __iter__(self):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.__iter__ is not defined")


class TensorDataset(Dataset):
    """Examples ``(t[i] for t in tensors)``: Tensors of the same length along the first axis.

    >>> import minigrad as mg
    >>> ds = TensorDataset(mg.zeros(4, 3), mg.arange(4))
    >>> len(ds), ds[1][1].item()
    (4, 1)
    """

    def __init__(self, *tensors):
        for k, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset: argument {k} is a {type(t).__name__}, expected a Tensor "
                                "(convert arrays with minigrad.tensor or minigrad.from_numpy)")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: argument {k} is 0-d; each tensor needs a first (example) axis")
        lengths = [t.shape[0] for t in tensors]
        if len(set(lengths)) > 1:
            raise ValueError(f"TensorDataset: the tensors differ in their first dimension: {lengths}")
        self.tensors = tuple(tensors)

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0] if self.tensors else 0


class Subset(Dataset):
    """The examples of ``dataset`` at ``indices``, in that order: ``subset[i] = dataset[indices[i]]``."""

    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, [operator.index(i) for i in indices]

    def __getitem__(self, index):
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    """The examples of several datasets one after another (``cumulative_sizes`` marks the ends)."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: got no datasets")
        for k, d in enumerate(self.datasets):
            if isinstance(d, IterableDataset):
                raise TypeError(f"ConcatDataset: dataset {k} is an IterableDataset; only map-style datasets")
        self.cumulative_sizes = []
        for d in self.datasets:
            self.cumulative_sizes.append(len(d) + (self.cumulative_sizes[-1] if self.cumulative_sizes else 0))

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        if index < 0:
            if -index > len(self):
                raise IndexError(f"ConcatDataset: index {index} out of range for length {len(self)}")
            index += len(self)
        k = bisect.bisect_right(self.cumulative_sizes, index)
        if k == len(self.datasets):
            raise IndexError(f"ConcatDataset: index {index} out of range for length {len(self)}")
        return self.datasets[k][index - (self.cumulative_sizes[k - 1] if k else 0)]


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into non-overlapping random :class:`Subset` s, as PyTorch's ``random_split``.

    ``lengths`` are sizes summing to ``len(dataset)``, or fractions summing to 1: then each size is
    ``floor(n * fraction)`` and the ``n - sum`` left-over examples go one each to the first
    splits, round-robin.  The examples are a random permutation of ``range(n)`` (from
    ``generator``, default the CPU default generator) cut into consecutive pieces.

    >>> import minigrad as mg
    >>> train, val = random_split(range(10), [0.7, 0.3], generator=mg.Generator(seed=0))
    >>> len(train), len(val), sorted(list(train) + list(val)) == list(range(10))
    (7, 3, True)
    """
    n = len(dataset)
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split: lengths is empty")
    if all(isinstance(x, float) for x in lengths) and math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for frac in lengths:
            if not 0 <= frac <= 1:
                raise ValueError(f"random_split: fraction {frac} is not in [0, 1]")
        sizes = [int(math.floor(n * frac)) for frac in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, size in enumerate(sizes):
            if size == 0:
                warnings.warn(f"random_split: split {i} is empty", UserWarning, stacklevel=2)
    else:
        sizes = []
        for x in lengths:
            if isinstance(x, bool) or not isinstance(x, int) or x < 0:
                raise ValueError(f"random_split: lengths must be ints >= 0 summing to {n}, or fractions "
                                 f"summing to 1; got {lengths}")
            sizes.append(x)
    if sum(sizes) != n:
        raise ValueError(f"random_split: the lengths {lengths} sum to {sum(sizes)}, but the dataset has {n} examples")
    perm = randperm(n, generator).tolist()
    out, start = [], 0
    for size in sizes:
        out.append(Subset(dataset, perm[start:start + size]))
        start += size
    return out
