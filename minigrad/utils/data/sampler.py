"""Samplers: which indices a :class:`DataLoader` visits, in which order, grouped how.

Random orders come from a :class:`minigrad.Generator` (``generator=``, or the CPU default
generator that :func:`minigrad.manual_seed` seeds): a permutation of ``n`` is the stable
``argsort`` of ``n`` uniform draws in float64, so it is reproducible from the seed, and every
``iter()`` draws a new one (the generator moves on).
"""
from __future__ import annotations

import operator

import numpy as np

from ...random import default_generator

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler", "randperm"]


def _generator(generator):
    if generator is None:
        return default_generator("cpu")
    if not hasattr(generator, "draw") or not hasattr(generator, "device"):
        raise TypeError(f"generator must be a minigrad.Generator, got {type(generator).__name__}")
    return generator


def randperm(n, generator=None):
    """A random permutation of ``range(n)`` (host int64 array): argsort of ``n`` uniform draws."""
    g = _generator(generator)
    u = g.draw("uniform", (n,), g.device.xp.float64)
    return np.argsort(np.asarray(g.device.to_numpy(u)), kind="stable").astype(np.int64)


def randint(high, size, generator=None):
    """``size`` random integers in ``[0, high)`` (host int64 array) from ``generator``."""
    g = _generator(generator)
    return np.asarray(g.device.to_numpy(g.draw("integers", (size,), g.device.xp.int64, low=0, high=high)),
                      dtype=np.int64)


def _count(name, value, minimum):
    try:
        if isinstance(value, bool):
            raise TypeError
        v = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}") from None
    if v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {v}")
    return v


class Sampler:
    """Base class: an iterable of dataset indices (``__iter__``), usually with ``__len__``."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.__iter__ is not defined")


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``, in order."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh random order of the indices every ``iter()``.

    Parameters
    ----------
    data_source : sized
    replacement : bool, default False
        Draw ``num_samples`` indices independently (uniform in ``[0, n)``) instead of a permutation.
    num_samples : int, optional
        Default ``len(data_source)``; without replacement, more than ``n`` gives whole permutations
        one after another (as PyTorch).
    generator : minigrad.Generator, optional
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement must be True or False, got {replacement!r}")
        self.data_source, self.replacement, self._num_samples = data_source, replacement, num_samples
        self.generator = generator
        if num_samples is not None:
            _count("RandomSampler: num_samples", num_samples, 1)

    @property
    def num_samples(self):
        """How many indices one ``iter()`` gives: ``num_samples``, or ``len(data_source)`` by default."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n, k = len(self.data_source), self.num_samples
        if self.replacement:
            return iter(randint(n, k, self.generator).tolist())
        chunks = [randperm(n, self.generator) for _ in range(-(-k // n))] if n else []
        return iter(np.concatenate(chunks)[:k].tolist() if chunks else [])

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a fresh random order every ``iter()``."""

    def __init__(self, indices, generator=None):
        self.indices, self.generator = list(indices), generator

    def __iter__(self):
        return iter([self.indices[i] for i in randperm(len(self.indices), self.generator).tolist()])

    def __len__(self):
        return len(self.indices)


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size``; the last one may be
    smaller, or is dropped with ``drop_last``.  ``len`` = ``ceil(n / b)`` (``floor`` with drop_last)."""

    def __init__(self, sampler, batch_size, drop_last):
        self.batch_size = _count("BatchSampler: batch_size", batch_size, 1)
        if not isinstance(drop_last, bool):
            raise TypeError(f"BatchSampler: drop_last must be True or False, got {drop_last!r}")
        self.sampler, self.drop_last = sampler, drop_last

    def __iter__(self):
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
