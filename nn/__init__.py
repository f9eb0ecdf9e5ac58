"""``nn``: PyTorch-style modules, layers, losses, initialisers and weight penalties on minigrad.

>>> import minigrad as mg, nn
>>> mg.manual_seed(0)
>>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
>>> loss = nn.CrossEntropyLoss()(model(mg.randn(5, 4)), mg.tensor([0, 2, 1, 1, 0]))
>>> loss.backward()
>>> model[0].weight.grad.shape
(8, 4)
"""
from . import functional, init
from .containers import ModuleList, Sequential
from .layers.activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .layers.activation_more import (CELU, ELU, GELU, SELU, Hardsigmoid, Hardswish, Hardtanh, LogSigmoid,  # opsA
                                     Mish, ReLU6, SiLU, Softmin, Softsign)
from .layers.batchnorm import BatchNorm1d, BatchNorm2d
from .layers.dropout import Dropout
from .layers.linear import Flatten, Identity, Linear
from .layers.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .module import Module
from .parameter import Parameter
from .regularization import l1_penalty, l2_penalty
from .state import IncompatibleKeys, StateDictError

# nn15: PyTorch's remaining module kinds (containers by name, lazy/normalisation/embedding layers, losses),
# nn.utils, and the hook handles
from . import utils  # noqa: E402
from .containers_dict import ModuleDict, ParameterDict, ParameterList  # noqa: E402
from .hooks import RemovableHandle  # noqa: E402
from .layers.embedding import Embedding  # noqa: E402
from .layers.lazy import LazyLinear  # noqa: E402
from .layers.linear import Unflatten  # noqa: E402
from .layers.loss_extra import CosineEmbeddingLoss, CosineSimilarity, HuberLoss, KLDivLoss, SmoothL1Loss  # noqa: E402
from .layers.normalization import GroupNorm, LayerNorm  # noqa: E402

_NN15 = ["utils", "ModuleDict", "ParameterList", "ParameterDict", "RemovableHandle", "Embedding", "LazyLinear",
         "Unflatten", "HuberLoss", "SmoothL1Loss", "KLDivLoss", "CosineEmbeddingLoss", "CosineSimilarity", "LayerNorm",
         "GroupNorm"]
__all__ = _NN15 + [
           "functional", "init", "Module", "Parameter", "Sequential", "ModuleList", "Linear", "Identity", "Flatten",
           "Dropout", "BatchNorm1d", "BatchNorm2d", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Softmax",
           "LogSoftmax", "Softplus", "CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss", "BCELoss", "MSELoss",
           "L1Loss", "l2_penalty", "l1_penalty", "IncompatibleKeys", "StateDictError",
           "GELU", "SiLU", "ELU", "SELU", "CELU", "Mish", "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish", "LogSigmoid",
           "Softsign", "Softmin"]

from .layers.conv import (AdaptiveAvgPool2d, AvgPool2d, Conv1d, Conv2d, ConvTranspose2d, Fold,  # noqa: E402  (opsC)
                          MaxPool2d, Unfold)
__all__ += ["Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Unfold", "Fold"]
