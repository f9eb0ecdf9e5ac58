"""Merging a list of examples into one batch, as PyTorch's ``default_collate``."""
from __future__ import annotations

import collections.abc as abc

import numpy as np

from ...creation import tensor
from ...ops import stack
from ...tensor import Tensor

__all__ = ["default_collate", "default_convert"]


def default_collate(batch):
    """Stack a list of examples into a batch, recursing into their structure.

    ==================================  ====================================================
    each example is                     the batch is
    ==================================  ====================================================
    Tensor of shape ``s``               ``minigrad.stack(batch)``, shape ``(B, *s)``, same dtype
    NumPy array / NumPy scalar          a Tensor of the stacked arrays, same dtype
    Python ``float`` / ``int`` / bool   a 1-D Tensor, float64 / int64 / bool (PyTorch's)
    ``str`` / ``bytes``                 the list unchanged
    dict (Mapping)                      a dict: each key collated over the examples
    namedtuple                          the same namedtuple of collated fields
    tuple / list                        a list (tuple) or list: each position collated
    ==================================  ====================================================

    Raises ``RuntimeError`` when the sequences in a batch differ in length and ``TypeError`` for
    other element types, naming the type.
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(list(batch), 0)
    if isinstance(elem, np.ndarray) and elem.dtype.kind not in "OSUV":
        return tensor(np.stack(batch))
    if isinstance(elem, np.generic) and elem.dtype.kind not in "OSUV":
        return tensor(np.asarray(batch))
    if isinstance(elem, bool):
        return tensor(list(batch), dtype="bool")
    if isinstance(elem, float):
        return tensor(list(batch), dtype="float64")
    if isinstance(elem, int):
        return tensor(list(batch), dtype="int64")
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, abc.Mapping):
        return _same_type(elem, {key: default_collate([d[key] for d in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(samples)) for samples in zip(*batch)))
    if isinstance(elem, abc.Sequence):
        if any(len(e) != len(elem) for e in batch):
            raise RuntimeError(f"default_collate: each element in a batch of sequences must have the same "
                               f"length; got lengths {sorted({len(e) for e in batch})}")
        columns = [default_collate(list(samples)) for samples in zip(*batch)]
        return columns if isinstance(elem, tuple) else _same_type(elem, columns)
    raise TypeError(f"default_collate: a batch must contain Tensors, NumPy arrays, numbers, strings, dicts or "
                    f"lists; found {type(elem).__name__}")


def default_convert(data):
    """Without batching (``batch_size=None``): NumPy arrays and scalars become Tensors of their
    dtype (as ``torch.as_tensor``: ``np.float64(1.5)`` gives a float64 0-d Tensor), recursing
    into dicts, namedtuples and sequences (a plain tuple becomes a list, as in PyTorch); everything
    else, Python numbers included, is returned unchanged."""
    if isinstance(data, (np.ndarray, np.generic)) and data.dtype.kind not in "OSUV":
        return tensor(data)
    if isinstance(data, abc.Mapping):
        return _same_type(data, {k: default_convert(v) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):  # a plain tuple becomes a list, as in PyTorch
        return [default_convert(d) for d in data]
    if isinstance(data, abc.Sequence) and not isinstance(data, (str, bytes)):
        return _same_type(data, [default_convert(d) for d in data])
    return data


def _same_type(example, value):
    """``value`` as the container type of ``example`` when that type can be built from it."""
    if type(example) in (dict, list):
        return value
    try:
        return type(example)(value)
    except TypeError:
        return value


