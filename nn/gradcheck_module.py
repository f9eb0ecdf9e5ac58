"""``gradcheck_module``: gradient-check a whole model and its loss in one call, in float64."""
from __future__ import annotations

import numpy as np

import minigrad as mg

__all__ = ["gradcheck_module"]


def gradcheck_module(model, loss_fn, X, y=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, fast_mode=False,
                     raise_exception=True, seed=0):
    """Check the gradient of ``loss_fn(model(X), y)`` with respect to every trainable parameter.

    The model runs **in float64 on its real parameters**: each parameter with
    ``requires_grad``, each floating buffer and the floating inputs are switched to float64
    copies for the check, the parameters are perturbed in place one element at a time
    (central differences, :func:`minigrad.gradcheck` with a function of no arguments), and
    afterwards every parameter and buffer gets back its own array -- dtype and values bit for
    bit -- and its ``.grad``; buffers the forward pass replaces or updates (batch-norm running
    statistics, ``num_batches_tracked``) are restored too, and so is the default random
    generators' state (each evaluation draws the same dropout masks).  The module's
    training/eval mode is used as it is.

    Parameters
    ----------
    model : Module
        Called as ``model(X)`` (``model(*X)`` when ``X`` is a tuple).
    loss_fn : callable
        ``loss_fn(output, y)`` (``loss_fn(output)`` when ``y`` is None) returns a Tensor.
    X, y : Tensor or array, or tuple of them (X)
        Floating ones are used as float64 copies; integer labels as they are.
    eps, atol, rtol, fast_mode, raise_exception, seed
        As in :func:`minigrad.gradcheck`.

    Returns
    -------
    GradcheckResult
        Truthy when every parameter's gradient matches (inputs numbered in the order of
        ``model.parameters()``, frozen ones skipped).

    Examples
    --------
    >>> import minigrad as mg, nn
    >>> from nn.gradcheck_module import gradcheck_module
    >>> mg.manual_seed(0)
    >>> model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    >>> bool(gradcheck_module(model, nn.CrossEntropyLoss(), mg.randn(6, 3), mg.tensor([0, 1, 1, 0, 1, 0])))
    True
    >>> model[0].weight.dtype                  # back as it was
    minigrad.float32
    """
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError(f"gradcheck_module: {type(model).__name__} has no parameter that requires grad")
    xs = tuple(_float64(x) for x in X) if isinstance(X, tuple) else (_float64(X),)
    target = None if y is None else _float64(y)
    registries = [(m, dict(m._buffers)) for m in model.modules()]
    saved = {id(b): (b, b.data) for _, reg in registries for b in reg.values() if b is not None}
    try:
        for b, data in saved.values():  # copies: the forward pass may update them in place
            b.data = b.detach().to(dtype="float64" if b.dtype.is_floating_point else None, copy=True)

        def loss():
            out = model(*xs)
            return loss_fn(out) if target is None else loss_fn(out, target)

        name = getattr(loss_fn, "__name__", None) or type(loss_fn).__name__
        loss.__qualname__ = f"gradcheck_module({type(model).__name__}, {name})"
        return mg.gradcheck(loss, params, eps=eps, atol=atol, rtol=rtol, fast_mode=fast_mode,
                            raise_exception=raise_exception, seed=seed)
    finally:
        for m, reg in registries:
            m._buffers.clear()
            m._buffers.update(reg)
        for b, data in saved.values():
            b.data = data  # the original array back (PyTorch's set_data: no version bump)


def _float64(x):
    """A float64 copy of a floating Tensor or array (a Tensor without grad), anything else as is."""
    if isinstance(x, mg.Tensor):
        return x.detach().to(dtype="float64", copy=True) if x.dtype.is_floating_point else x
    if isinstance(x, np.ndarray) or hasattr(x, "__array_namespace__"):
        t = mg.tensor(x)
        return t.to(dtype="float64", copy=True) if t.dtype.is_floating_point else t
    return x
