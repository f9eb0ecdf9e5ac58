"""The training toolkit: the fit loop, callbacks, checkpoints, diagnosis and pictures.

Duck-typed: it works with any model that has ``parameters()`` and is callable, and any
optimizer with ``step()`` / ``zero_grad()`` / ``param_groups`` (``nn`` and ``optim`` fit,
but this package imports neither).

>>> import minigrad.train as mgt
>>> mgt.diagnose(train_error=0.15, dev_error=0.30, human_error=0.01).verdict
'high bias and high variance'
"""
from .callbacks import Callback, EarlyStopping, LearningRateScheduler, ModelCheckpoint
from .diagnose import RECIPES, Diagnosis, diagnose
from .ema import ExponentialMovingAverage
from .ensemble import Ensemble
from .evaluation import evaluate, predict
from .history import History
from .metrics import accuracy, error
from .monitor import GradientWarning, check_activations, check_gradients
from .plots import plot_decision_boundary, plot_history
from .trainer import NonFiniteGradientError, NonFiniteLossError, Trainer, fit

__all__ = ["fit", "Trainer", "History", "evaluate", "predict", "Callback", "EarlyStopping", "ModelCheckpoint",
           "LearningRateScheduler", "ExponentialMovingAverage", "diagnose", "Diagnosis", "RECIPES", "Ensemble",
           "accuracy", "error", "GradientWarning", "check_gradients", "check_activations", "plot_history",
           "plot_decision_boundary", "NonFiniteLossError", "NonFiniteGradientError"]
