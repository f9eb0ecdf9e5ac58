"""Evaluation and prediction: the model in eval mode, no graph, batch by batch.

These work with any model that is callable on a Tensor and, optionally, has ``train()`` /
``eval()`` and a ``training`` flag (the mode is restored afterwards).
"""
from __future__ import annotations

import contextlib

from ..data.rows import as_data, check_same_length
from ..data.loader import check_batch_size, minibatches
from ..dtypes import is_floating
from ..modes import no_grad
from ..ops import concatenate
from ..tensor import Tensor
from .metrics import resolve_metrics

__all__ = ["evaluate", "predict", "model_mode", "model_placement", "to_tensor", "loss_value", "eval_batches"]


@contextlib.contextmanager
def model_mode(model, training):
    """Put ``model`` in train (True) or eval (False) mode; restore its previous mode on exit."""
    was = getattr(model, "training", None)
    _switch(model, training)
    try:
        yield model
    finally:
        if was is not None and bool(was) != training:
            _switch(model, bool(was))


def _switch(model, training):
    method = getattr(model, "train" if training else "eval", None)
    if callable(method):
        method()


def model_placement(model, op="fit"):
    """(device, float dtype) of the model's parameters."""
    params = list(model.parameters())
    if not params:
        raise ValueError(f"{op}: model.parameters() is empty; there is nothing to train")
    floats = [p for p in params if p.dtype.is_floating_point]
    return params[0].device, (floats[0].dtype if floats else None)


def to_tensor(x, device, float_dtype):
    """A batch as a Tensor: Tensors pass unchanged; NumPy arrays go to ``device``, floating ones
    in the model's float dtype (integer labels keep theirs)."""
    if x is None or isinstance(x, Tensor):
        return x
    floating = is_floating(x.dtype)
    return Tensor(x, device=device, dtype=float_dtype if floating and float_dtype is not None else None)


def loss_value(loss, op="fit"):
    """The Python float of a scalar loss Tensor, or a TypeError naming what was returned."""
    if not isinstance(loss, Tensor) or loss.numel() != 1:
        got = f"a Tensor of shape {loss.shape}" if isinstance(loss, Tensor) else type(loss).__name__
        raise TypeError(f"{op}: loss_fn(outputs, targets) must return a scalar Tensor, got {got}")
    return float(loss.item())


def eval_batches(data, batch_size, op):
    """Batches of ``data``: an (X, y) pair cut in order, or any iterable of batches."""
    if isinstance(data, (tuple, list)):
        if len(data) != 2:
            raise ValueError(f"{op}: data must be an (X, y) pair or a loader, got a sequence of {len(data)}")
        X, y = as_data(data[0], op), as_data(data[1], op, "y")
        check_same_length(op, X, y)
        return minibatches(X, y, batch_size=check_batch_size(batch_size, op), shuffle=False)
    return data


def evaluate(model, loss_fn, data, batch_size=256, metrics=("accuracy",)):
    """The cost and metrics of ``model`` on ``data`` (eval mode, no grad).

    Parameters
    ----------
    data : (X, y) or an iterable of (X_batch, y_batch)
    metrics : names or callables (see :func:`minigrad.train.metrics.resolve_metrics`)

    Returns
    -------
    dict
        ``{"cost": J, "<metric>": value, ...}``, averages weighted by batch size.
    """
    fns = resolve_metrics(metrics)
    device, dtype = model_placement(model, "evaluate")
    totals, count = dict.fromkeys(["cost", *fns], 0.0), 0
    with model_mode(model, False), no_grad():
        for xb, yb in eval_batches(data, batch_size, "evaluate"):
            xb, yb = to_tensor(xb, device, dtype), to_tensor(yb, device, dtype)
            out, n = model(xb), len(xb)
            totals["cost"] += loss_value(loss_fn(out, yb), "evaluate") * n
            for name, fn in fns.items():
                totals[name] += float(fn(out, yb)) * n
            count += n
    if count == 0:
        raise ValueError("evaluate: the data gave no batch")
    return {k: v / count for k, v in totals.items()}


def predict(model, X, batch_size=256):
    """``model(X)`` in eval mode without a graph, computed ``batch_size`` examples at a time,
    as one Tensor on the model's device."""
    device, dtype = model_placement(model, "predict")
    X = as_data(X, "predict")
    check_same_length("predict", X, None)
    with model_mode(model, False), no_grad():
        outs = [model(to_tensor(xb, device, dtype))
                for xb in minibatches(X, batch_size=check_batch_size(batch_size, "predict"), shuffle=False)]
    return outs[0] if len(outs) == 1 else concatenate(outs, axis=0)
