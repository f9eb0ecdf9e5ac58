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

# nn15: layer/group norm, embedding, and the regression / divergence / similarity losses
from .embedding import embedding  # noqa: E402
from .layer_norm import group_norm, layer_norm  # noqa: E402
from .loss_extra import cosine_embedding_loss, cosine_similarity, huber_loss, kl_div, smooth_l1_loss  # noqa: E402

_NN15 = ["embedding", "layer_norm", "group_norm", "huber_loss", "smooth_l1_loss", "kl_div", "cosine_similarity",
         "cosine_embedding_loss"]
__all__ = _NN15 + [
           "identity", "leaky_relu", "log_softmax", "relu", "sigmoid", "softmax", "softplus", "tanh", "dropout",
           "flatten", "linear", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "l1_loss", "mse_loss", "nll_loss", "batch_norm",
           "celu", "elu", "gelu", "hardsigmoid", "hardswish", "hardtanh", "logsigmoid", "mish", "relu6", "selu",
           "silu", "softmin", "softsign"]

from .conv import (adaptive_avg_pool2d, avg_pool2d, conv1d, conv2d, conv_transpose2d, fold,  # noqa: E402
                   max_pool2d, unfold)

__all__ += ["conv1d", "conv2d", "conv_transpose2d", "unfold", "fold", "max_pool2d", "avg_pool2d",
            "adaptive_avg_pool2d"]
