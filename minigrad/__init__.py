"""minigrad: a small, readable reverse-mode autograd engine on NumPy (CPU) and CuPy (GPU).

>>> import minigrad as mg
>>> w = mg.tensor([[1.0, -2.0]], requires_grad=True)
>>> x = mg.tensor([[3.0], [4.0]])
>>> loss = (w @ x).relu().sum()
>>> loss.backward()
>>> w.grad
tensor([[0., 0.]], dtype=float32, device='cpu')
"""
import importlib

from . import _aliases, linalg, tensor_methods as _tensor_methods  # noqa: F401  (installs operators on Tensor)
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .compiler import CompileError, compile
from .creation import (arange, as_tensor, bernoulli, empty, eye, from_dlpack, from_numpy, full, full_like, linspace,
                       normal, ones, ones_like, rand, rand_like, randint, randn, randn_like, tensor, uniform, zeros,
                       zeros_like)
from .device import Device, DeviceError, device, get_default_device, set_default_device
from .dtypes import (DType, bool_, float16, float32, float64, get_default_dtype, int8, int16, int32, int64,
                     set_default_dtype, uint8)
from .engine import backward, grad
from .errors import AxisError, ShapeError
from .function import BackwardError, Function
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .modes import detect_anomaly, enable_grad, is_anomaly_enabled, is_grad_enabled, no_grad, set_grad_enabled
from .ops import (abs, acos, acosh, adaptive_avg_pool2d, add, addmm, all, allclose, amax, amin, any, argsort, asin,
                  asinh, atan, atan2, atanh, avg_pool2d, baddbmm, bitwise_and, bitwise_left_shift, bitwise_not,
                  bitwise_or, bitwise_right_shift, bitwise_xor, bmm, broadcast_to, cat, ceil, celu, chunk, clamp,
                  clamp_max, clamp_min, clip, concatenate, conv1d, conv2d, conv_transpose2d, cos, cosh, count_nonzero,
                  cummax, cummin, cumprod, cumsum, det, diag, diagonal, div, dot, einsum, elu, erf, erfc, exp, exp2,
                  expand, expand_as, expm1, flatten, flip, floor, floor_divide, fmod, fold, frac, gather, gelu, getitem,
                  hardsigmoid, hardswish, hardtanh, hypot, index_add, index_copy, index_select, inverse, isclose,
                  isfinite, isinf, isnan, kron, kthvalue, leaky_relu, lerp, linalg_solve, linear, log, log10, log1p,
                  log2, log_softmax, logaddexp, logcumsumexp, logsigmoid, logsumexp, masked_fill, masked_scatter,
                  masked_select, matmul, max, max_pool2d, maximum, mean, median, meshgrid, min, minimum, mish, mode,
                  movedim, msort, mul, mv, narrow, neg, nll, nonzero, norm, one_hot, outer, pad, permute, pow, prod,
                  reciprocal, relu, relu6, remainder, repeat, repeat_interleave, reshape, return_types, roll, round,
                  rsqrt, scatter, scatter_add, scatter_reduce, selu, sigmoid, sign, silu, sin, sinh, softmax,
                  softmax_cross_entropy, softplus, softsign, sort, split, sqrt, square, squeeze, stack, std, std_mean,
                  sub, sum, sum_to, swapaxes, swapdims, take_along_dim, tan, tanh, tensordot, tile, topk, trace,
                  transpose, tril, triu, trunc, unbind, unflatten, unfold, unsqueeze, var, var_mean, view, view_as,
                  where, xlogy)
from .ops import select, t  # views14
from .promotion import promote_types, result_type
from .random import Generator, default_generator, initial_seed, manual_seed
from .serialization import CheckpointError, load, save
from .tensor import Tensor
from .tensor_api import Size
from .tensor_queries import argmax, argmin

# PyTorch's dtype names next to NumPy's (mg.float is float32, mg.long int64, ...), and NumPy's arc* spellings;
# last, because they shadow Python's bool, int and float in this module
from .dtypes import bool_ as bool, float16 as half, float32 as float, float64 as double  # noqa: A001
from .dtypes import int16 as short, int32 as int, int64 as long  # noqa: A001

arcsin, arccos, arctan, arctan2, arcsinh, arccosh, arctanh = asin, acos, atan, atan2, asinh, acosh, atanh

__version__ = "0.1.0"

# Subpackages loaded on first use, so `import minigrad` stays light: mg.data, mg.train, mg.tune,
# mg.testing (the last needs Hypothesis), mg.utils (utils.data).  `minigrad.nn` / `minigrad.optim` are
# the top-level `nn` and `optim` packages (the same module objects) and `minigrad.autograd` PyTorch's
# address of Function/grad/gradcheck, also resolved only on first use: no engine module imports
# nn/optim, and `import minigrad` does not load them.  The finder installed here makes
# `import minigrad.nn.functional as F` work too (minigrad/_aliases.py says why aliases, and how).
_LAZY = ("data", "train", "tune", "testing", "utils", "nn", "optim", "autograd")
_aliases.install()


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")
