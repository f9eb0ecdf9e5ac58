"""``nn.functional``: the stateless forms of layers, activations and losses.

All are compositions of core minigrad ops, so they are differentiable (twice, where the ops
are) and run on every device.  The modules in ``nn`` call these.
"""
from minigrad.ops import pad  # PyTorch's F.pad: flat widths from the last dimension, four modes

from .activation import identity, leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from .activation_more import (celu, elu, gelu, hardsigmoid, hardswish, hardtanh, logsigmoid, mish, relu6, selu, silu,
                              softmin, softplus, softsign)
from .basic import dropout, flatten, linear
from .conv import (adaptive_avg_pool2d, avg_pool2d, conv1d, conv2d, conv_transpose2d, fold, max_pool2d, unfold)
from .embedding import embedding
from .layer_norm import group_norm, layer_norm
from .loss import binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, l1_loss, mse_loss, nll_loss
from .loss_extra import cosine_embedding_loss, cosine_similarity, huber_loss, kl_div, smooth_l1_loss
from .normalization import batch_norm

__all__ = [
    # activations
    "identity", "relu", "leaky_relu", "tanh", "sigmoid", "softmax", "log_softmax", "softplus", "celu", "elu", "gelu",
    "hardsigmoid", "hardswish", "hardtanh", "logsigmoid", "mish", "relu6", "selu", "silu", "softmin", "softsign",
    # layers
    "linear", "dropout", "flatten", "pad", "batch_norm", "layer_norm", "group_norm", "embedding", "conv1d", "conv2d",
    "conv_transpose2d", "unfold", "fold", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d",
    # losses
    "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "mse_loss", "l1_loss",
    "huber_loss", "smooth_l1_loss", "kl_div", "cosine_similarity", "cosine_embedding_loss",
]
