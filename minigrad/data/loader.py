"""Mini-batches: shuffle X and Y together, partition, a fresh permutation every epoch.

The course's recipe (with PyTorch's layout, examples on the first axis)::

    permutation = rng.permutation(m)
    X_shuffled, Y_shuffled = X[permutation], Y[permutation]
    batches = [(X_shuffled[k*b:(k+1)*b], Y_shuffled[k*b:(k+1)*b]) for k in range(ceil(m / b))]

except that nothing is shuffled in memory: each batch is gathered from the permutation when
it is needed, so an epoch copies one batch at a time and never the whole data set.  The last
batch holds the ``m - b*floor(m/b)`` left-over examples, or is dropped with ``drop_last=True``.
Batch sizes that are powers of two (64 .. 1024) are the course's advice.
"""
from __future__ import annotations

import operator

import numpy as np

from .rng import make_rng, rng_state, set_rng_state
from .rows import as_data, check_numeric, check_same_length, num_examples, slice_rows, take_rows

__all__ = ["DataLoader", "minibatches", "check_batch_size"]


def check_batch_size(batch_size, op):
    """``batch_size`` as an int >= 1, or a ValueError naming ``op``."""
    try:
        if isinstance(batch_size, bool):
            raise TypeError
        b = operator.index(batch_size)
    except TypeError:
        raise TypeError(f"{op}: batch_size must be an integer >= 1, got {batch_size!r}") from None
    if b < 1:
        raise ValueError(f"{op}: batch_size must be an integer >= 1, got {b}")
    return b


def _bounds(m, batch_size, drop_last):
    stop = m - m % batch_size if drop_last else m
    return [(s, min(s + batch_size, m)) for s in range(0, stop, batch_size)]


def minibatches(X, y=None, batch_size=64, shuffle=True, drop_last=False, rng=None):
    """Yield mini-batches ``(X_batch, y_batch)`` (or ``X_batch`` when ``y`` is None) for one epoch.

    Parameters
    ----------
    X, y : ndarray or Tensor, shapes (m, ...) and (m, ...)
        Examples on the first axis; Tensors stay on their device.
    batch_size : int >= 1
    shuffle : bool
        Draw a permutation of the m examples from ``rng`` (X and y shuffled together).
    drop_last : bool
        Drop the last, smaller batch.
    rng : int, numpy Generator or None
        Seed or generator for the permutation.

    Examples
    --------
    >>> import numpy as np
    >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
    >>> [yb.tolist() for _, yb in minibatches(X, y, batch_size=2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    X, y = as_data(X, "minibatches"), as_data(y, "minibatches", "y")
    m = check_same_length("minibatches", X, y)
    b = check_batch_size(batch_size, "minibatches")
    perm = make_rng(rng).permutation(m) if shuffle else None
    return _iterate(X, y, b, drop_last, perm, None)


def _iterate(X, y, batch_size, drop_last, perm, transform):
    for start, stop in _bounds(num_examples(X), batch_size, drop_last):
        if perm is None:
            xb, yb = slice_rows(X, start, stop), slice_rows(y, start, stop)
        else:
            index = perm[start:stop]
            xb, yb = take_rows(X, index), take_rows(y, index)
        if transform is not None:
            xb = transform(xb)
        yield xb if y is None else (xb, yb)


class DataLoader:
    """An iterable over mini-batches, one epoch per ``iter()``, reproducible from a seed.

    Parameters
    ----------
    X : ndarray or Tensor, shape (m, ...)
    y : ndarray or Tensor, shape (m, ...), optional
    batch_size : int >= 1
        Examples per batch (default 64; the last batch may be smaller).
    shuffle : bool
        A fresh permutation of the examples at the start of every epoch, drawn from the
        loader's own generator (X and y stay aligned).
    drop_last : bool
        Drop the last batch when it is smaller than ``batch_size``.
    seed : int or numpy Generator, optional
        Seeds the loader's generator.  Its state is part of :meth:`state_dict`, so a resumed
        run sees the same permutations as an uninterrupted one.
    transform : callable, optional
        Applied to each X batch (e.g. :class:`minigrad.data.Compose` augmentations); its
        ``state_dict`` is saved with the loader's when it has one.

    Examples
    --------
    >>> import numpy as np
    >>> loader = DataLoader(np.zeros((10, 3)), np.arange(10), batch_size=4, seed=0)
    >>> len(loader), [len(yb) for _, yb in loader]
    (3, [4, 4, 2])
    """

    def __init__(self, X, y=None, batch_size=64, shuffle=True, drop_last=False, seed=None, transform=None):
        self.X, self.y = as_data(X, "DataLoader"), as_data(y, "DataLoader", "y")
        check_numeric(self.X, "DataLoader"), check_numeric(self.y, "DataLoader", "y")
        check_same_length("DataLoader", self.X, self.y)
        self.batch_size = check_batch_size(batch_size, "DataLoader")
        self.shuffle, self.drop_last, self.transform = bool(shuffle), bool(drop_last), transform
        self.generator = make_rng(seed)
        self.epoch = 0

    @property
    def num_examples(self) -> int:
        """m, the number of examples (the length of the first axis of X)."""
        return num_examples(self.X)

    def __len__(self):
        return len(_bounds(self.num_examples, self.batch_size, self.drop_last))

    def __iter__(self):
        perm = self.generator.permutation(self.num_examples) if self.shuffle else None
        self.epoch += 1
        return _iterate(self.X, self.y, self.batch_size, self.drop_last, perm, self.transform)

    def state_dict(self):
        """The generator state and epoch count (and the transform's state), for checkpoints."""
        state = {"generator": rng_state(self.generator), "epoch": np.asarray(self.epoch)}
        if hasattr(self.transform, "state_dict"):
            state["transform"] = self.transform.state_dict()
        return state

    def load_state_dict(self, state):
        """Restore the generator, epoch count and transform state saved by :meth:`state_dict`."""
        set_rng_state(self.generator, state["generator"])
        self.epoch = int(np.asarray(state["epoch"]))
        if "transform" in state and hasattr(self.transform, "load_state_dict"):
            self.transform.load_state_dict(state["transform"])

    def __repr__(self):
        return (f"DataLoader(m={self.num_examples}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}, batches={len(self)})")
