"""``nn.utils``: gradient clipping and the parameters <-> vector converters (PyTorch's ``torch.nn.utils``).

``clip_grad_norm_`` and ``clip_grad_value_`` are the core's (:mod:`minigrad.clip_grad`),
re-exported under PyTorch's address; ``gradcheck_module`` checks a whole model's gradients in float64.
"""
from minigrad.clip_grad import clip_grad_norm_, clip_grad_value_

from ..gradcheck_module import gradcheck_module
from .convert import parameters_to_vector, vector_to_parameters

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters", "gradcheck_module"]
