"""``nn.functional``: the stateless forms of layers, activations and losses.

All are compositions of core minigrad ops, so they are differentiable (twice, where the ops
are) and run on every device.  The modules in ``nn`` call these.
"""
from .activation import identity, leaky_relu, log_softmax, relu, sigmoid, softmax, softplus, tanh
from .basic import dropout, flatten, linear
from .loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, l1_loss, mse_loss,
                   nll_loss)
from .normalization import batch_norm

__all__ = ["identity", "leaky_relu", "log_softmax", "relu", "sigmoid", "softmax", "softplus", "tanh", "dropout",
           "flatten", "linear", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "l1_loss", "mse_loss", "nll_loss", "batch_norm"]

from .conv import (adaptive_avg_pool2d, avg_pool2d, conv1d, conv2d, conv_transpose2d, fold,  # noqa: E402
                   max_pool2d, unfold)

__all__ += ["conv1d", "conv2d", "conv_transpose2d", "unfold", "fold", "max_pool2d", "avg_pool2d",
            "adaptive_avg_pool2d"]
