"""Embedding lookup in its stateless form."""
from __future__ import annotations

import minigrad as mg
from minigrad.tracing import replayed_whole

__all__ = ["embedding"]


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` picked by integer indices: out[..., :] = weight[input[...], :].

    ``input`` integer (any shape) with values in [0, num_embeddings); ``weight``
    (num_embeddings, embedding_dim); the result is (*input.shape, embedding_dim).  The gradient
    of ``weight`` is the upstream gradient summed into the picked rows (a row picked twice gets
    both).  Positions whose index equals ``padding_idx`` pass no gradient, so that row of
    ``weight.grad`` stays zero (PyTorch's convention); its value is still looked up.  PyTorch's
    ``max_norm``, ``scale_grad_by_freq`` and ``sparse`` are accepted at their defaults only.
    """
    op = "embedding"
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError(f"{op}: max_norm, scale_grad_by_freq and sparse are not supported; leave them at "
                                  "None / False")
    if not isinstance(weight, mg.Tensor) or weight.ndim != 2:
        raise ValueError(f"{op}: weight must be a 2-D Tensor (num_embeddings, embedding_dim), got "
                         f"{getattr(weight, 'shape', type(weight).__name__)}")
    if not isinstance(input, mg.Tensor):
        input = mg.tensor(input, device=weight.device)
    if input.dtype.is_floating_point or input.dtype == "bool":
        raise TypeError(f"{op}: indices must be integers, got {input.dtype}")
    if input.device != weight.device:
        raise mg.DeviceError(f"{op}: indices are on {input.device} but weight on {weight.device}; move one with .to()")
    num = weight.shape[0]
    _check_indices(input, num, tuple(weight.shape), op)
    padding_idx = _padding_index(padding_idx, num, op)
    out = weight[input]
    if padding_idx is not None and weight.requires_grad and mg.is_grad_enabled():
        pad = (input == padding_idx).reshape(input.shape + (1,))
        out = mg.where(pad, out.detach(), out)
    return out


@replayed_whole
def _check_indices(input, num, weight_shape, op):
    """Raise an IndexError naming ``op`` unless every index is in [0, num) (reads the values: a
    compiled step calls it again on every replay)."""
    if input.numel():
        xp, dev = input.device.xp, input.device  # on the arrays: no graph, and any integer dtype
        lo, hi = (int(dev.to_numpy(f(input.array))) for f in (xp.min, xp.max))
        if lo < 0 or hi >= num:
            raise IndexError(f"{op}: indices must be in [0, {num}) for a weight of shape {weight_shape}, got values "
                             f"from {lo} to {hi}")


def _padding_index(padding_idx, num, op):
    """``padding_idx`` normalised to [0, num) (negative counts from the end), or None."""
    if padding_idx is None:
        return None
    p = int(padding_idx)
    if not -num <= p < num:
        raise ValueError(f"{op}: padding_idx must be within num_embeddings={num}, got {padding_idx}")
    return p % num
