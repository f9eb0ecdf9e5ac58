"""Convolutions and pooling in their stateless form (PyTorch's ``torch.nn.functional`` names).

Each is the minigrad op of the same name (``minigrad/ops/conv.py``, ``minigrad/ops/pooling.py``):
NCHW layouts, PyTorch's arguments and defaults, differentiable (twice where the op is).
"""
from __future__ import annotations

import minigrad as mg

__all__ = ["conv1d", "conv2d", "conv_transpose2d", "unfold", "fold", "max_pool2d", "avg_pool2d",
           "adaptive_avg_pool2d"]

conv1d = mg.conv1d
conv2d = mg.conv2d
conv_transpose2d = mg.conv_transpose2d
unfold = mg.unfold
fold = mg.fold
max_pool2d = mg.max_pool2d
avg_pool2d = mg.avg_pool2d
adaptive_avg_pool2d = mg.adaptive_avg_pool2d
