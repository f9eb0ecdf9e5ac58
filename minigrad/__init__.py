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

from . import _aliases, tensor_methods as _tensor_methods  # noqa: F401  (installs operators on Tensor)
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
from . import linalg  # noqa: E402  (opsB: torch.linalg's norms)
from .ops import (all, amax, amin, any, argsort, chunk, count_nonzero, cummax, cummin, cumprod, cumsum,  # opsB
                  diag, diagonal, expand_as, flip, gather, index_add, index_copy, index_select, kthvalue,
                  logcumsumexp, masked_fill, masked_scatter, masked_select, median, meshgrid, mode, movedim, msort,
                  narrow, nonzero, norm, prod, repeat, repeat_interleave, return_types, roll, scatter, scatter_add,
                  scatter_reduce, sort, std_mean, swapaxes, swapdims, take_along_dim, tile, topk, trace, tril, triu,
                  unbind, unflatten, var_mean, view, view_as)
from .ops import (adaptive_avg_pool2d, addmm, avg_pool2d, baddbmm, bitwise_and, bitwise_left_shift,  # opsC
                  bitwise_not, bitwise_or, bitwise_right_shift, bitwise_xor, bmm, conv1d, conv2d, conv_transpose2d,
                  det, dot, einsum, floor_divide, fold, inverse, kron, linalg_solve, max_pool2d, mv, outer,
                  tensordot, unfold)
# ----- issue 14, elementwise math and activations (opsA) -----
from .ops import (acos, acosh, allclose, asin, asinh, atan, atan2, atanh, ceil, celu, clamp, clamp_max, clamp_min, cos,
                  cosh, elu, erf, erfc, exp2, expm1, floor, fmod, frac, gelu, hardsigmoid, hardswish, hardtanh, hypot,
                  isclose, isfinite, isinf, isnan, lerp, log1p, log2, log10, logaddexp, logsigmoid, mish, reciprocal,
                  relu6, remainder, round, rsqrt, selu, sign, silu, sin, sinh, softplus, softsign, square, tan, trunc,
                  xlogy)

arcsin, arccos, arctan, arctan2, arcsinh, arccosh, arctanh = asin, acos, atan, atan2, asinh, acosh, atanh
# ----- end opsA -----
# ----- issue 14 §2-3, PyTorch's Tensor API and type promotion (api14) -----
from .creation import as_tensor
from .dtypes import bool_ as bool, float16 as half, float32 as float, float64 as double, int16 as short  # noqa: A001
from .dtypes import int32 as int, int64 as long  # noqa: A001
from .errors import AxisError, ShapeError
from .promotion import promote_types, result_type
from .tensor_api import Size
from .tensor_queries import argmax, argmin
# ----- end api14 -----
from .random import Generator, default_generator, manual_seed
from .serialization import CheckpointError, load, save
from .tensor import Tensor


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
