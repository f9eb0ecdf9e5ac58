"""``nn.utils``: gradient clipping and the parameters <-> vector converters (PyTorch's ``torch.nn.utils``).

``clip_grad_norm_`` and ``clip_grad_value_`` are the core's (:mod:`minigrad.clip_grad`),
re-exported under PyTorch's address.
"""
from minigrad.clip_grad import clip_grad_norm_, clip_grad_value_

from .convert import parameters_to_vector, vector_to_parameters

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters"]
