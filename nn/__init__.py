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
from .layers.batchnorm import BatchNorm1d, BatchNorm2d
from .layers.dropout import Dropout
from .layers.linear import Flatten, Identity, Linear
from .layers.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .module import Module
from .parameter import Parameter
from .regularization import l1_penalty, l2_penalty
from .state import IncompatibleKeys, StateDictError

__all__ = ["functional", "init", "Module", "Parameter", "Sequential", "ModuleList", "Linear", "Identity", "Flatten",
           "Dropout", "BatchNorm1d", "BatchNorm2d", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Softmax",
           "LogSoftmax", "Softplus", "CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss", "BCELoss", "MSELoss",
           "L1Loss", "l2_penalty", "l1_penalty", "IncompatibleKeys", "StateDictError"]

from .layers.conv import (AdaptiveAvgPool2d, AvgPool2d, Conv1d, Conv2d, ConvTranspose2d, Fold,  # noqa: E402  (opsC)
                          MaxPool2d, Unfold)
__all__ += ["Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Unfold", "Fold"]
