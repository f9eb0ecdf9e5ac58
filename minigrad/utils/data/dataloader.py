"""``DataLoader``: batches of a dataset, in order or shuffled, merged by ``collate_fn``."""
from __future__ import annotations

import numpy as np

from ...creation import tensor
from .collate import default_collate, default_convert
from .dataset import IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler, _count

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over ``dataset`` in batches, as PyTorch's ``DataLoader`` (same defaults).

    Each ``iter()`` is one epoch: the sampler gives indices (in order; with ``shuffle=True`` a new
    random permutation per epoch from ``generator``, or from the CPU default generator that
    :func:`minigrad.manual_seed` seeds), :class:`BatchSampler` groups them by ``batch_size``
    (the last batch smaller, or dropped with ``drop_last``), and each batch is
    ``collate_fn([dataset[i] for i in indices])`` (:func:`default_collate`: a list of stacked
    Tensors for a :class:`TensorDataset`).  ``len(loader)`` is the number of batches,
    ``ceil(n / batch_size)`` (``floor`` with ``drop_last``).

    Parameters
    ----------
    dataset : Dataset
        Map-style (``__getitem__``, ``__len__``) or an :class:`IterableDataset` (batched in
        stream order; ``shuffle`` and samplers are refused, as in PyTorch).
    batch_size : int or None, default 1
        ``None`` turns batching off: each example passes through ``collate_fn`` (default
        :func:`default_convert`) alone.
    shuffle : bool, default False
    sampler : Sampler or iterable of indices, optional
        Excludes ``shuffle``.
    batch_sampler : Sampler of index lists, optional
        Excludes ``batch_size`` (other than 1), ``shuffle``, ``sampler`` and ``drop_last``.
    num_workers : int, default 0
        Accepted for ported scripts; batches are always loaded in this process (the results are
        the same; ``worker_init_fn`` is not called, ``pin_memory`` has no effect).
    collate_fn : callable, optional
    drop_last : bool, default False
    generator : minigrad.Generator, optional
        The source of the shuffles.

    Examples
    --------
    >>> import minigrad as mg
    >>> from minigrad.utils.data import DataLoader
    >>> [b.tolist() for b in DataLoader([1, 2, 3, 4, 5], batch_size=2, drop_last=True)]
    [[1, 2], [3, 4]]
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device=""):
        _count("DataLoader: num_workers", num_workers, 0)
        shuffle = bool(shuffle) if shuffle is not None else False
        if not isinstance(drop_last, bool):
            raise TypeError(f"DataLoader: drop_last must be True or False, got {drop_last!r}")
        iterable = isinstance(dataset, IterableDataset)
        if iterable and (shuffle or sampler is not None or batch_sampler is not None):
            raise ValueError("DataLoader: an IterableDataset is read in stream order; shuffle, sampler and "
                             "batch_sampler are not allowed with one")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
            raise ValueError("DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, "
                             "sampler, and drop_last")
        if batch_size is None and drop_last:
            raise ValueError("DataLoader: batch_size=None (no batching) is mutually exclusive with drop_last")
        if batch_size is not None and batch_sampler is None:
            batch_size = _count("DataLoader: batch_size", batch_size, 1)
        if sampler is None and not iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_sampler is None and batch_size is not None and not iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset, self.batch_size, self.drop_last, self.generator = dataset, batch_size, drop_last, generator
        self.sampler, self.batch_sampler, self.num_workers = sampler, batch_sampler, num_workers
        self.pin_memory, self.timeout, self.worker_init_fn = pin_memory, timeout, worker_init_fn
        self._auto_collate = collate_fn is None
        if collate_fn is None:
            collate_fn = default_collate if (batch_sampler is not None or (iterable and batch_size)) else \
                default_convert
        self.collate_fn = collate_fn

    def __len__(self):
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)  # a TypeError for streams without a length, as in PyTorch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler) if self.batch_sampler is not None else len(self.sampler)

    def __iter__(self):
        if isinstance(self.dataset, IterableDataset):
            return self._iter_stream()
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)
        return (self._fetch(list(indices)) for indices in self.batch_sampler)

    def _fetch(self, indices):
        fast = _tensor_rows(self.dataset, indices) if self.collate_fn is default_collate else None
        if fast is not None:
            return fast
        return self.collate_fn([self.dataset[i] for i in indices])

    def _iter_stream(self):
        if self.batch_size is None:
            for item in self.dataset:
                yield self.collate_fn(item)
            return
        batch = []
        for item in self.dataset:
            batch.append(item)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)


def _tensor_rows(dataset, indices):
    """The default-collated batch of a TensorDataset (or Subsets of one) by one gather per tensor
    (``t[indices]``, the same values, dtype and graph as stacking ``t[i]``), or None."""
    while type(dataset) is Subset:
        indices = [dataset.indices[i] for i in indices]
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset or not indices:
        return None
    n = len(dataset)
    for i in indices:
        if not -n <= i < n:
            raise IndexError(f"DataLoader: index {i} is out of range for a TensorDataset of length {n}")
    idx = np.asarray(indices, dtype=np.int64)
    return [t[tensor(idx, device=t.device)] for t in dataset.tensors]
