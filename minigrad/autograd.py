"""``minigrad.autograd``: PyTorch's ``torch.autograd`` names for the engine's public pieces.

``Function`` (define an op with forward and backward), ``backward`` and ``grad`` (run the
engine on chosen outputs / for chosen inputs) and ``gradcheck`` / ``gradgradcheck`` (compare
analytic gradients with central differences in float64).  These are the same objects as
``minigrad.Function``, ``minigrad.grad`` ...; this module only gives them PyTorch's address,
so ``from torch.autograd import Function`` ports as ``from minigrad.autograd import Function``.
"""
from .engine import backward, grad
from .function import Function
from .gradcheck import gradcheck, gradgradcheck

__all__ = ["Function", "backward", "grad", "gradcheck", "gradgradcheck"]
