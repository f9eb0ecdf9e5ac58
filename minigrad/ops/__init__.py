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
