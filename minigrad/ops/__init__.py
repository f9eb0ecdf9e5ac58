"""Every differentiable op, by family.  ``OPS`` names each public op once (the test table
checks that every name here has a row)."""
from .activation import log_softmax, softmax
from .elementwise import (abs, add, div, exp, leaky_relu, log, maximum, minimum, mul, neg, pow, relu,
                          sigmoid, sqrt, sub, tanh, where)
from .linalg import linear, matmul
from .loss import nll, one_hot, softmax_cross_entropy
from .reductions import logsumexp, max, mean, min, std, sum, var
# ----- issue 14, elementwise math and activations (opsA) -----
from .binary_math import (allclose, atan2, clamp, clamp_max, clamp_min, clip, fmod, hypot, isclose, lerp, logaddexp,
                          remainder, xlogy)
from .smooth_activations import (celu, elu, gelu, hardsigmoid, hardswish, hardtanh, logsigmoid, mish, relu6, selu,
                                 silu, softplus, softsign)
from .unary_math import (acos, acosh, asin, asinh, atan, atanh, ceil, cos, cosh, erf, erfc, exp2, expm1, floor, frac,
                         isfinite, isinf, isnan, log1p, log2, log10, reciprocal, round, rsqrt, sign, sin, sinh, square,
                         tan, trunc)
# ----- end opsA -----
from .shape import (broadcast_to, cat, concatenate, expand, flatten, getitem, pad, permute, reshape, split,
                    squeeze, stack, sum_to, transpose, unsqueeze)

OPS = ("add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "maximum", "minimum", "clip", "where",
       "tanh", "sigmoid", "relu", "leaky_relu", "matmul", "linear", "sum", "mean", "var", "std", "max", "min",
       "logsumexp", "softmax", "log_softmax", "nll", "softmax_cross_entropy", "reshape", "transpose", "permute",
       "broadcast_to", "expand", "sum_to", "squeeze", "unsqueeze", "flatten", "concatenate", "stack", "split", "pad",
       "getitem",
       # ----- issue 14, elementwise math and activations (opsA) -----
       "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "log1p", "expm1",
       "log2", "log10", "exp2", "square", "rsqrt", "reciprocal", "sign", "erf", "erfc", "floor", "ceil", "round",
       "trunc", "frac", "atan2", "fmod", "remainder", "lerp", "logaddexp", "hypot", "xlogy", "clamp", "softplus",
       "elu", "selu", "celu", "gelu", "silu", "mish", "hardtanh", "relu6", "hardsigmoid", "hardswish",
       "logsigmoid", "softsign")

# ----- reductions, scans, ordering, layout, indexing (issue 14, opsB) --------------------------------
from .indexing import (gather, index_add, index_copy, index_select, masked_fill, masked_scatter,  # noqa: E402
                       masked_select, nonzero, scatter_add, take_along_dim)
from .indexing import where  # noqa: E402,F811  (also where(cond) and where(cond, scalar, scalar))
from .layout import (chunk, diag, diagonal, expand_as, flip, meshgrid, movedim, narrow, repeat,  # noqa: E402
                     repeat_interleave, roll, swapaxes, tile, trace, tril, triu, unbind, unflatten, view, view_as)
from .norms import norm  # noqa: E402
from .ordering import argsort, kthvalue, median, mode, msort, return_types, sort, topk  # noqa: E402
from .padding import pad  # noqa: E402,F811  (PyTorch's flat widths, negative widths, modes)
from .reductions import all, amax, amin, any, count_nonzero, std_mean, var_mean  # noqa: E402
from .scans import cummax, cummin, cumprod, cumsum, logcumsumexp, prod  # noqa: E402
from .scatter_reduce import scatter, scatter_reduce  # noqa: E402

swapdims = swapaxes
OPS += ("prod", "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "amax", "amin", "median", "mode",
        "var_mean", "std_mean", "norm", "sort", "topk", "kthvalue", "msort", "flip", "roll", "repeat",
        "repeat_interleave", "tile", "tril", "triu", "diag", "diagonal", "trace", "chunk", "unbind", "narrow",
        "movedim", "swapaxes", "unflatten", "view", "view_as", "expand_as", "meshgrid", "gather", "scatter",
        "scatter_add", "scatter_reduce", "index_select", "index_add", "index_copy", "take_along_dim", "masked_fill",
        "masked_select", "masked_scatter")
# ----- products, linear algebra, integer/bitwise operators, convolution and pooling ---------------
from .conv import conv1d, conv2d, conv_transpose2d, fold, unfold  # noqa: E402
from .integer import (bitwise_and, bitwise_left_shift, bitwise_not, bitwise_or, bitwise_right_shift,  # noqa: E402
                      bitwise_xor, floor_divide)
from .linalg_ext import det, inv, solve  # noqa: E402
from .pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d  # noqa: E402
from .products import addmm, baddbmm, bmm, dot, einsum, kron, mv, outer, tensordot  # noqa: E402

inverse = inv
linalg_solve = solve
OPS += ("conv2d", "conv1d", "conv_transpose2d", "unfold", "fold", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d",
        "einsum", "outer", "dot", "mv", "bmm", "baddbmm", "addmm", "kron", "tensordot", "inverse", "det",
        "linalg_solve")
