"""Every differentiable op, by family.  ``OPS`` names each public op once (the test table
checks that every name here has a row)."""
from .activation import log_softmax, softmax
from .binary_math import (allclose, atan2, clamp, clamp_max, clamp_min, clip, fmod, hypot, isclose, lerp, logaddexp,
                          remainder, xlogy)
from .conv import conv1d, conv2d, conv_transpose2d, fold, unfold
from .elementwise import (abs, add, div, exp, leaky_relu, log, maximum, minimum, mul, neg, pow, relu, sigmoid, sqrt, sub,
                          tanh)
from .indexing import (gather, index_add, index_copy, index_select, masked_fill, masked_scatter, masked_select, nonzero,
                       scatter_add, take_along_dim, where)  # where(cond, a, b), where(cond), scalars too
from .integer import (bitwise_and, bitwise_left_shift, bitwise_not, bitwise_or, bitwise_right_shift, bitwise_xor,
                      floor_divide)
from .layout import (chunk, diag, diagonal, expand_as, flip, meshgrid, movedim, narrow, repeat, repeat_interleave, roll,
                     swapaxes, tile, trace, tril, triu, unbind, unflatten, view, view_as)
from .linalg import linear, matmul
from .linalg_ext import det, inv, solve
from .loss import nll, one_hot, softmax_cross_entropy
from .norms import norm
from .ordering import argsort, kthvalue, median, mode, msort, return_types, sort, topk
from .padding import pad  # PyTorch's flat widths, negative widths (cropping), the four modes
from .pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from .products import addmm, baddbmm, bmm, dot, einsum, kron, mv, outer, tensordot
from .reductions import (all, amax, amin, any, count_nonzero, logsumexp, max, mean, min, std, std_mean, sum, var,
                         var_mean)
from .scans import cummax, cummin, cumprod, cumsum, logcumsumexp, prod
from .scatter_reduce import scatter, scatter_reduce
from .shape import (broadcast_to, cat, concatenate, expand, flatten, getitem, permute, reshape, split, squeeze, stack,
                    sum_to, transpose, unsqueeze)
from .smooth_activations import (celu, elu, gelu, hardsigmoid, hardswish, hardtanh, logsigmoid, mish, relu6, selu, silu,
                                 softplus, softsign)
from .unary_math import (acos, acosh, asin, asinh, atan, atanh, ceil, cos, cosh, erf, erfc, exp2, expm1, floor, frac,
                         isfinite, isinf, isnan, log1p, log2, log10, reciprocal, round, rsqrt, sign, sin, sinh, square,
                         tan, trunc)
from .views import select, t  # views14: view ops for in-place changes through views

swapdims = swapaxes
inverse = inv  # PyTorch's top-level name; mg.linalg.inv is the same function
linalg_solve = solve  # a flat name for the op table; users call mg.linalg.solve

OPS = (
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "maximum", "minimum", "clip", "where",
    "tanh", "sigmoid", "relu", "leaky_relu", "matmul", "linear", "sum", "mean", "var", "std", "max", "min",
    "logsumexp", "softmax", "log_softmax", "nll", "softmax_cross_entropy", "reshape", "transpose", "permute",
    "broadcast_to", "expand", "sum_to", "squeeze", "unsqueeze", "flatten", "concatenate", "stack", "split", "pad",
    "getitem", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "log1p",
    "expm1", "log2", "log10", "exp2", "square", "rsqrt", "reciprocal", "sign", "erf", "erfc", "floor", "ceil",
    "round", "trunc", "frac", "atan2", "fmod", "remainder", "lerp", "logaddexp", "hypot", "xlogy", "clamp",
    "softplus", "elu", "selu", "celu", "gelu", "silu", "mish", "hardtanh", "relu6", "hardsigmoid", "hardswish",
    "logsigmoid", "softsign", "prod", "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "amax", "amin",
    "median", "mode", "var_mean", "std_mean", "norm", "sort", "topk", "kthvalue", "msort", "flip", "roll", "repeat",
    "repeat_interleave", "tile", "tril", "triu", "diag", "diagonal", "trace", "chunk", "unbind", "narrow", "movedim",
    "swapaxes", "unflatten", "view", "view_as", "expand_as", "meshgrid", "gather", "scatter", "scatter_add",
    "scatter_reduce", "index_select", "index_add", "index_copy", "take_along_dim", "masked_fill", "masked_select",
    "masked_scatter", "conv2d", "conv1d", "conv_transpose2d", "unfold", "fold", "max_pool2d", "avg_pool2d",
    "adaptive_avg_pool2d", "einsum", "outer", "dot", "mv", "bmm", "baddbmm", "addmm", "kron", "tensordot", "inverse",
    "det", "linalg_solve", "t", "select",
)
