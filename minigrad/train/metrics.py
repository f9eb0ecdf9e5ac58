"""Metrics: functions ``metric(outputs, targets) -> float`` averaged over the examples of a batch.

The built-in ``"accuracy"`` reads the model's outputs as minigrad's losses do, as logits:

* outputs of shape (m, C), C > 1: the predicted class is ``argmax`` over axis 1; targets are
  class indices (m,) / (m, 1) or one-hot rows (m, C);
* outputs of shape (m,) or (m, 1): the prediction is 1 where the output is > ``threshold``
  (0 for a logit, i.e. probability 1/2); targets are 0/1.

``"error"`` is ``1 - accuracy``, the error rate that :func:`minigrad.train.diagnose` compares
with human-level error.  It is computed on the outputs' device; only the number is copied.
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor

__all__ = ["accuracy", "error", "resolve_metrics", "METRICS"]


def _raw(x, like=None):
    if isinstance(x, Tensor):
        return x.array, x.device.xp
    if like is not None:
        dev = like.device
        return dev.asarray(np.asarray(x)), dev.xp
    return np.asarray(x), np


def _predictions(out, xp, threshold):
    m = out.shape[0]
    if out.ndim == 2 and out.shape[1] > 1:
        return xp.argmax(out, axis=1), out.shape[1]
    if out.ndim > 2 or (out.ndim == 2 and out.shape[1] != 1):
        raise ValueError(f"accuracy: outputs of shape {tuple(out.shape)} are neither (m, C) scores nor (m,) / (m, 1)")
    return xp.reshape(out, (m,)) > threshold, 1


def accuracy(outputs, targets, threshold=0.0):
    """The fraction of examples whose predicted class equals the target (see the module notes).

    Examples
    --------
    >>> import numpy as np
    >>> accuracy(np.array([[2.0, 1.0], [0.0, 3.0]]), np.array([0, 0]))
    0.5
    >>> accuracy(np.array([[1.5], [-0.3]]), np.array([[1.0], [1.0]]))
    0.5
    """
    out, xp = _raw(outputs)
    tgt, _ = _raw(targets, outputs if isinstance(outputs, Tensor) else None)
    m = out.shape[0]
    if tgt.shape[0] != m:
        raise ValueError(f"accuracy: outputs have {m} examples (shape {tuple(out.shape)}) but targets "
                         f"{tgt.shape[0]} (shape {tuple(tgt.shape)})")
    pred, classes = _predictions(out, xp, threshold)
    if classes > 1:
        tgt = xp.argmax(tgt, axis=1) if tgt.ndim == 2 and tgt.shape[1] == classes else xp.reshape(tgt, (m,))
    else:
        tgt = xp.reshape(tgt, (m,)) > 0.5
    if m == 0:
        return float("nan")
    return float(xp.sum(xp.astype(pred == tgt, xp.float64))) / m


def error(outputs, targets, threshold=0.0):
    """1 - accuracy: the misclassification rate."""
    return 1.0 - accuracy(outputs, targets, threshold)


METRICS = {"accuracy": accuracy, "error": error}


def resolve_metrics(metrics):
    """``{name: fn}`` from names of built-in metrics, callables, or a dict name -> callable."""
    if metrics is None:
        return {}
    if isinstance(metrics, str):
        metrics = (metrics,)
    items = metrics.items() if isinstance(metrics, dict) else ((None, m) for m in metrics)
    out = {}
    for name, m in items:
        if isinstance(m, str):
            if m not in METRICS:
                raise ValueError(f"fit: unknown metric {m!r}; built-in metrics are {sorted(METRICS)}, "
                                 "or pass a callable metric(outputs, targets) -> float")
            name, m = name or m, METRICS[m]
        elif not callable(m):
            raise TypeError(f"fit: a metric must be a name or a callable, got {type(m).__name__}")
        name = name or getattr(m, "__name__", None) or getattr(getattr(m, "func", None), "__name__", "metric")
        if name == "cost":
            raise ValueError("fit: 'cost' is the name of the loss in the History; give the metric another name")
        out[name] = m
    return out
