"""``nn``: PyTorch-style modules, layers, losses, initialisers and weight penalties on minigrad.

>>> import minigrad as mg, nn
>>> mg.manual_seed(0)
>>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
>>> loss = nn.CrossEntropyLoss()(model(mg.randn(5, 4)), mg.tensor([0, 2, 1, 1, 0]))
>>> loss.backward()
>>> model[0].weight.grad.shape
(8, 4)
"""
from . import functional, init, utils
from .containers import ModuleList, Sequential
from .containers_dict import ModuleDict, ParameterDict, ParameterList
from .hooks import RemovableHandle
from .layers.activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .layers.activation_more import (CELU, ELU, GELU, SELU, Hardsigmoid, Hardswish, Hardtanh, LogSigmoid, Mish, ReLU6,
                                     SiLU, Softmin, Softsign)
from .layers.batchnorm import BatchNorm1d, BatchNorm2d
from .layers.conv import AdaptiveAvgPool2d, AvgPool2d, Conv1d, Conv2d, ConvTranspose2d, Fold, MaxPool2d, Unfold
from .layers.dropout import Dropout
from .layers.embedding import Embedding
from .layers.lazy import LazyLinear
from .layers.linear import Flatten, Identity, Linear, Unflatten
from .layers.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .layers.loss_extra import CosineEmbeddingLoss, CosineSimilarity, HuberLoss, KLDivLoss, SmoothL1Loss
from .layers.normalization import GroupNorm, LayerNorm
from .module import Module
from .parameter import Parameter
from .regularization import l1_penalty, l2_penalty
from .state import IncompatibleKeys, StateDictError

__all__ = [
    # the package's parts
    "functional", "init", "utils",
    # the base classes, containers and hooks
    "Module", "Parameter", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
    "RemovableHandle",
    # layers
    "Linear", "LazyLinear", "Identity", "Flatten", "Unflatten", "Dropout", "BatchNorm1d", "BatchNorm2d", "LayerNorm",
    "GroupNorm", "Embedding", "Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
    "Unfold", "Fold",
    # activations
    "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax", "Softplus", "GELU", "SiLU", "ELU", "SELU", "CELU",
    "Mish", "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish", "LogSigmoid", "Softsign", "Softmin",
    # losses and the course's penalties
    "CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss", "BCELoss", "MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss",
    "KLDivLoss", "CosineEmbeddingLoss", "CosineSimilarity", "l2_penalty", "l1_penalty",
    # state dicts
    "IncompatibleKeys", "StateDictError",
]
