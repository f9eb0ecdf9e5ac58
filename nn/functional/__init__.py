"""``nn.functional``: the stateless forms of layers, activations and losses.

All are compositions of core minigrad ops, so they are differentiable (twice, where the ops
are) and run on every device.  The modules in ``nn`` call these.
"""
from .activation import identity, leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from .activation_more import (celu, elu, gelu, hardsigmoid, hardswish, hardtanh, logsigmoid, mish, relu6, selu,  # opsA
                              silu, softmin, softplus, softsign)
from .basic import dropout, flatten, linear
from .loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, l1_loss, mse_loss,
                   nll_loss)
from .normalization import batch_norm

__all__ = ["identity", "leaky_relu", "log_softmax", "relu", "sigmoid", "softmax", "softplus", "tanh", "dropout",
           "flatten", "linear", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "l1_loss", "mse_loss", "nll_loss", "batch_norm",
           "celu", "elu", "gelu", "hardsigmoid", "hardswish", "hardtanh", "logsigmoid", "mish", "relu6", "selu",
           "silu", "softmin", "softsign"]
