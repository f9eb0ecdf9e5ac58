"""Every differentiable op, by family.  ``OPS`` names each public op once (the test table
checks that every name here has a row)."""
from .activation import log_softmax, softmax
from .elementwise import (abs, add, clip, div, exp, leaky_relu, log, maximum, minimum, mul, neg, pow, relu,
                          sigmoid, sqrt, sub, tanh, where)
from .linalg import linear, matmul
from .loss import nll, one_hot, softmax_cross_entropy
from .reductions import logsumexp, max, mean, min, std, sum, var
from .shape import (broadcast_to, cat, concatenate, expand, flatten, getitem, pad, permute, reshape, split,
                    squeeze, stack, sum_to, transpose, unsqueeze)

OPS = ("add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "maximum", "minimum", "clip", "where",
       "tanh", "sigmoid", "relu", "leaky_relu", "matmul", "linear", "sum", "mean", "var", "std", "max", "min",
       "logsumexp", "softmax", "log_softmax", "nll", "softmax_cross_entropy", "reshape", "transpose", "permute",
       "broadcast_to", "expand", "sum_to", "squeeze", "unsqueeze", "flatten", "concatenate", "stack", "split", "pad",
       "getitem")

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
