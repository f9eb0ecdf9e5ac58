"""minigrad.utils.data next to torch.utils.data: batch structure, dtypes, values, lengths and split sizes
(the random orders differ by design: each library draws from its own generator)."""
from __future__ import annotations

import collections

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import minigrad as mg
import minigrad.utils.data as mud

Pair = collections.namedtuple("Pair", "a b")


def _plain(x):
    """Nested structure with Tensors replaced by (dtype name, shape, values)."""
    if isinstance(x, (mg.Tensor, torch.Tensor)):
        arr = x.numpy() if isinstance(x, mg.Tensor) else x.detach().numpy()
        return (str(arr.dtype), arr.shape, arr.tolist())
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_plain(v) for v in x])
    return x


SAMPLES = [
    [(np.arange(3.0) + i, i) for i in range(5)],
    [{"x": np.float32(i), "y": [i, 2 * i], "s": "a", "f": 0.5 * i, "b": bool(i % 2)} for i in range(4)],
    [Pair(np.ones((2, 2), dtype=np.int32) * i, (i, i + 1)) for i in range(3)],
]


@pytest.mark.parametrize("k", range(len(SAMPLES)))
@pytest.mark.parametrize("batch_size, drop_last", [(1, False), (2, False), (2, True), (None, False)])
def test_loader_batches_match_torch(k, batch_size, drop_last):
    data = SAMPLES[k]
    ours = mud.DataLoader(data, batch_size=batch_size, drop_last=drop_last)
    theirs = tud.DataLoader(data, batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert _plain(a) == _plain(b)


def test_tensor_dataset_batches_match_torch():
    X, y = np.random.default_rng(0).standard_normal((7, 3)).astype(np.float32), np.arange(7) % 3
    ours = mud.DataLoader(mud.TensorDataset(mg.tensor(X), mg.tensor(y)), batch_size=3)
    theirs = tud.DataLoader(tud.TensorDataset(torch.tensor(X), torch.tensor(y)), batch_size=3)
    for a, b in zip(ours, theirs, strict=True):
        assert _plain(a) == _plain(b)


@pytest.mark.parametrize("n, lengths", [(10, [0.33, 0.33, 0.34]), (11, [0.6, 0.2, 0.2]), (5, [0.1, 0.1, 0.8]),
                                        (100, [0.7, 0.15, 0.15]), (9, [4, 5])])
def test_random_split_sizes_match_torch(n, lengths):
    with pytest.warns(UserWarning) if n == 5 else _nothing():
        ours = [len(s) for s in mud.random_split(range(n), lengths)]
    with pytest.warns(UserWarning) if n == 5 else _nothing():
        theirs = [len(s) for s in tud.random_split(range(n), lengths)]
    assert ours == theirs


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
