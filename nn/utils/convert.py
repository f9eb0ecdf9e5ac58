"""Flattening all parameters into one vector and back (PyTorch's ``nn.utils`` converters)."""
from __future__ import annotations

import minigrad as mg

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _as_list(parameters, op):
    if isinstance(parameters, mg.Tensor):
        return [parameters]
    params = list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, mg.Tensor):
            raise TypeError(f"{op}: expected an iterable of Tensors, item {i} is {type(p).__name__}")
    return params


def _check_devices(params, op):
    for p in params[1:]:
        if p.device != params[0].device:
            raise mg.DeviceError(f"{op}: parameters are on different devices ({params[0].device} and {p.device}); "
                                 "move them to one device first")


def parameters_to_vector(parameters):
    """All parameters, each flattened in row-major order, concatenated: shape (sum of numel,).

    Differentiable: the result's gradient flows back to every parameter (a reshape and a
    concatenation).  All parameters must be on one device; an empty iterable is an error, as in
    PyTorch (there is no dtype or device to give the result).
    """
    op = "parameters_to_vector"
    params = _as_list(parameters, op)
    if not params:
        raise ValueError(f"{op}: got no parameters")
    _check_devices(params, op)
    return mg.cat([p.reshape(-1) for p in params], 0)


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of ``vec`` (1-D) into ``parameters`` in place: the inverse of
    :func:`parameters_to_vector`.

    No graph is recorded (the copy is a write to the parameters' data, as PyTorch's
    ``param.data.copy_(...)``); values are cast to each parameter's dtype.  ``vec`` must be a 1-D
    Tensor with exactly as many elements as the parameters together, on their device; this is
    checked before anything is written.
    """
    op = "vector_to_parameters"
    if not isinstance(vec, mg.Tensor):
        raise TypeError(f"{op}: expected vec to be a Tensor, got {type(vec).__name__}")
    params = _as_list(parameters, op)
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise ValueError(f"{op}: vec has shape {vec.shape}, expected ({total},) for parameters of shapes "
                         f"{[p.shape for p in params]}")
    for p in params:
        if p.device != vec.device:
            raise mg.DeviceError(f"{op}: vec is on {vec.device} but a parameter is on {p.device}")
    start = 0
    with mg.no_grad():
        for p in params:
            n = p.numel()
            p.copy_(vec[start:start + n].reshape(p.shape).to(dtype=p.dtype))
            start += n
