"""Train / dev / test splits by the course's rule, explicit ratios, or sizes.

The course: with up to about a million examples, 60% train / 20% dev / 20% test; with big
data the dev and test sets only need to be large enough to compare models and estimate the
final error, so 98/1/1 or finer.  Dev and test must come from the same distribution: both
are cut from one shuffled pool (and, with ``stratify=True``, keep the class proportions).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .rng import make_rng
from .rows import as_data, check_same_length, take_rows, to_host

__all__ = ["train_dev_test_split", "default_split_sizes", "Split", "LARGE_DATA"]

LARGE_DATA = 1_000_000
"""From this many examples on, dev and test get a fixed 10,000 examples each (98/1/1 at 10^6)."""

_BIG_DEV = 10_000


class Split(NamedTuple):
    """The three parts, each an ``(X, y)`` pair (or ``X`` alone when no y was given)."""

    train: object
    dev: object
    test: object


def default_split_sizes(m):
    """(train, dev, test) sizes by the course's rule: 60/20/20 below ``LARGE_DATA`` examples,
    else 10,000 each for dev and test (98/1/1 at a million, finer beyond)."""
    if m >= LARGE_DATA:
        return m - 2 * _BIG_DEV, _BIG_DEV, _BIG_DEV
    return _sizes_from_ratios(m, (0.6, 0.2, 0.2))


def _sizes_from_ratios(m, ratios):
    ratios = tuple(float(r) for r in ratios)
    if len(ratios) == 2:
        ratios = ratios + (0.0,)
    if len(ratios) != 3 or any(not r >= 0 for r in ratios) or abs(sum(ratios) - 1.0) > 1e-6:
        raise ValueError(f"train_dev_test_split: ratios must be 2 or 3 non-negative numbers (train, dev[, test]) "
                         f"adding up to 1, got {ratios}")
    n_dev, n_test = round(ratios[1] * m), round(ratios[2] * m)
    sizes = (m - n_dev - n_test, n_dev, n_test)
    if any(r > 0 and n <= 0 for r, n in zip(ratios, sizes)):
        raise ValueError(f"train_dev_test_split: {m} examples are too few for the ratios {ratios}: they give "
                         f"sizes {sizes} (train, dev, test), with an empty part")
    return sizes


def _check_sizes(m, sizes, ratios):
    if ratios is not None and sizes is not None:
        raise ValueError("train_dev_test_split: give ratios or sizes, not both")
    if sizes is None:
        return default_split_sizes(m) if ratios is None else _sizes_from_ratios(m, ratios)
    sizes = tuple(int(n) for n in sizes)
    if len(sizes) == 2:
        sizes = sizes + (0,)
    if len(sizes) != 3 or min(sizes) < 0 or sum(sizes) > m:
        raise ValueError(f"train_dev_test_split: sizes must be 2 or 3 non-negative counts (train, dev[, test]) "
                         f"adding up to at most the {m} examples, got {sizes}")
    return sizes


def _class_labels(y):
    labels = to_host(y)
    if labels.ndim == 2 and labels.shape[1] > 1:  # one-hot
        return labels.argmax(axis=1)
    return labels.reshape(len(labels), -1)[:, 0] if labels.ndim > 1 else labels


def _stratified_order(labels, rng):
    """A permutation in which every class is spread evenly: each prefix, and each contiguous
    block, holds the classes in (nearly) their overall proportions."""
    keys = np.empty(len(labels))
    for c in np.unique(labels):
        where = np.flatnonzero(labels == c)
        shuffled = rng.permutation(where)
        keys[shuffled] = (np.arange(len(where)) + rng.random(len(where))) / len(where)
    return np.argsort(keys, kind="stable")


def train_dev_test_split(X, y=None, ratios=None, sizes=None, seed=0, shuffle=True, stratify=False):
    """Split examples into train, dev and test sets.

    Parameters
    ----------
    X : ndarray or Tensor, shape (m, ...)
    y : ndarray or Tensor, shape (m, ...), optional
    ratios : 2 or 3 floats adding up to 1, optional
        (train, dev, test) shares; dev and test sizes are rounded, train takes the rest.
    sizes : 2 or 3 ints, optional
        (train, dev, test) counts, adding up to at most m (examples beyond are left out).
        Without ``ratios`` or ``sizes``: the course's rule (:func:`default_split_sizes`).
    seed : int or numpy Generator
        Seed of the shuffle (default 0, so the split is reproducible).  Without ``stratify``
        the parts are consecutive blocks of ``numpy.random.default_rng(seed).permutation(m)``:
        train its first ``n_train`` entries, dev the next ``n_dev``, test the next ``n_test``.
    shuffle : bool
        Shuffle before splitting (False keeps the order: first train, then dev, then test).
        With ``stratify``, False keeps each part in the stratified order (classes interleaved)
        instead of shuffling it.
    stratify : bool
        Keep the class proportions of ``y`` (integer labels, (m, 1) labels or one-hot rows)
        in every part: each part holds about ``n_part * n_class / m`` examples of each class,
        within about two examples (the classes are spread evenly along one order, which is
        then cut into the three parts).

    Returns
    -------
    Split
        A named tuple ``(train, dev, test)``; each part is ``(X_part, y_part)`` (or ``X_part``
        without y), of the same kind and device as the inputs.

    Examples
    --------
    >>> import numpy as np
    >>> train, dev, test = train_dev_test_split(np.zeros((100, 2)), np.arange(100))
    >>> len(train[0]), len(dev[0]), len(test[0])
    (60, 20, 20)
    """
    X, y = as_data(X, "train_dev_test_split"), as_data(y, "train_dev_test_split", "y")
    m = check_same_length("train_dev_test_split", X, y)
    sizes = _check_sizes(m, sizes, ratios)
    rng = make_rng(seed)
    if stratify:
        if y is None:
            raise ValueError("train_dev_test_split: stratify=True needs the labels y")
        order = _stratified_order(_class_labels(y), rng)
    else:
        order = rng.permutation(m) if shuffle else np.arange(m)
    n_train, n_dev, n_test = sizes
    # contiguous blocks of the order (with stratify, every block holds the classes in proportion)
    blocks = (order[:n_train], order[n_train:n_train + n_dev], order[n_train + n_dev:n_train + n_dev + n_test])
    parts = []
    for block in blocks:
        if stratify and shuffle:
            block = rng.permutation(block)
        parts.append(take_rows(X, block) if y is None else (take_rows(X, block), take_rows(y, block)))
    return Split(*parts)
