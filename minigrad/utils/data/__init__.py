"""``Dataset``, ``DataLoader`` and friends with PyTorch's names, defaults and results.

A map-style :class:`Dataset` gives one example per index (``dataset[i]``); a :class:`DataLoader`
draws indices from a sampler (in order, or a fresh permutation per epoch with ``shuffle=True``),
groups them into batches of ``batch_size`` and merges each batch with ``collate_fn``
(:func:`default_collate`: Tensors, NumPy arrays and numbers are stacked into Tensors, Python ints
into int64 and floats into float64, tuples / lists / dicts element by element).

    >>> import minigrad as mg
    >>> from minigrad.utils.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(mg.arange(10, dtype="float32").reshape(5, 2), mg.tensor([0, 1, 0, 1, 1]))
    >>> loader = DataLoader(ds, batch_size=2)
    >>> len(loader), len(loader.dataset)
    (3, 5)
    >>> X, y = next(iter(loader))
    >>> X.shape, y.dtype == mg.int64
    ((2, 2), True)

Not the course's :func:`minigrad.data.minibatches` or :class:`minigrad.data.DataLoader` (arrays
in, shuffled by default, batch size 64): those keep the course's behaviour under their names.
"""
from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "DataLoader",
           "default_collate", "default_convert", "Sampler", "SequentialSampler", "RandomSampler",
           "SubsetRandomSampler", "BatchSampler"]
