"""``fit(compile=True)``: the part of a training step that :func:`minigrad.compile` replays.

Forward, loss and backward are compiled together; what reads values (the finite checks of the
loss and the gradients, the diagnostics, the metrics) and the optimizer's step stay eager in
:class:`~minigrad.train.trainer.Trainer`, so a bad step is still refused before it changes
anything.
"""
from __future__ import annotations

from ..compiler import compile as _compile

__all__ = ["compiled_forward_backward"]


def compiled_forward_backward(model, loss_fn, optimizer):
    """A compiled ``(x, y) -> (loss, outputs)`` that also leaves the gradients in ``p.grad``
    (``optimizer.zero_grad()`` first, as an eager step does).  Falls back to eager, with a
    RuntimeWarning, for a model whose forward reads values into Python."""

    def forward_backward(x, y):
        optimizer.zero_grad()
        out = model(x)
        loss = loss_fn(out, y)
        loss.backward()
        return loss, out

    return _compile(forward_backward, fallback="eager")
