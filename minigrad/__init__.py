"""minigrad: a small, readable reverse-mode autograd engine on NumPy (CPU) and CuPy (GPU).

>>> import minigrad as mg
>>> w = mg.tensor([[1.0, -2.0]], requires_grad=True)
>>> x = mg.tensor([[3.0], [4.0]])
>>> loss = (w @ x).relu().sum()
>>> loss.backward()
>>> w.grad
tensor([[0., 0.]], dtype=float32, device='cpu')
"""
from . import tensor_methods as _tensor_methods  # noqa: F401  (installs operators on Tensor)
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .creation import (arange, bernoulli, empty, eye, from_dlpack, from_numpy, full, full_like, linspace, normal,
                       ones, ones_like, rand, rand_like, randint, randn, randn_like, tensor, uniform, zeros,
                       zeros_like)
from .device import Device, DeviceError, device, get_default_device, set_default_device
from .dtypes import (DType, bool_, float16, float32, float64, get_default_dtype, int8, int16, int32, int64,
                     set_default_dtype, uint8)
from .engine import backward, grad
from .function import BackwardError, Function
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .modes import detect_anomaly, enable_grad, is_anomaly_enabled, is_grad_enabled, no_grad, set_grad_enabled
from .ops import (abs, add, broadcast_to, cat, clip, concatenate, div, exp, expand, flatten, getitem, leaky_relu,
                  linear, log, log_softmax, logsumexp, matmul, max, maximum, mean, min, minimum, mul, neg, nll,
                  one_hot, pad, permute, pow, relu, reshape, sigmoid, softmax, softmax_cross_entropy, split, sqrt,
                  squeeze, stack, std, sub, sum, sum_to, tanh, transpose, unsqueeze, var, where)
from .ops import (adaptive_avg_pool2d, addmm, avg_pool2d, baddbmm, bitwise_and, bitwise_left_shift,  # opsC
                  bitwise_not, bitwise_or, bitwise_right_shift, bitwise_xor, bmm, conv1d, conv2d, conv_transpose2d,
                  det, dot, einsum, floor_divide, fold, inverse, kron, linalg_solve, max_pool2d, mv, outer,
                  tensordot, unfold)
from .random import Generator, default_generator, manual_seed
from .serialization import CheckpointError, load, save
from .tensor import Tensor

clamp = clip

__version__ = "0.1.0"

# Subpackages loaded on first use, so `import minigrad` stays light: mg.data, mg.train, mg.tune,
# mg.testing (the last needs Hypothesis).
_LAZY = ("data", "train", "tune", "testing", "utils")


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")
