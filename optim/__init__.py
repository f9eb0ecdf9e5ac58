"""Optimizers and learning-rate schedules for minigrad (PyTorch's API, the course's equations).

>>> import minigrad as mg, optim
>>> w = mg.tensor([2.0, -3.0], requires_grad=True)
>>> opt = optim.Adam([w], lr=0.1)
>>> for _ in range(200):
...     opt.zero_grad()
...     loss = (w * w).sum()
...     loss.backward()
...     opt.step()
>>> bool((w.abs() < 0.05).all())
True

``SGD`` is PyTorch's (momentum buffer from the first gradient); ``Momentum`` is the course's
``v = beta v + (1 - beta) dW``.  ``RMSprop`` accepts the course's ``beta`` for ``alpha``,
``Adam`` the course's ``beta1`` / ``beta2``.  Gradient clipping (``clip_grad_norm_``,
``clip_grad_value_``) lives in ``minigrad`` and is re-exported here.  An optimizer takes any
iterable of Tensors or of parameter-group dicts; it never imports ``nn``.
"""
from minigrad.clip_grad import clip_grad_norm_, clip_grad_value_

from . import lr_scheduler
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD, Momentum
from .adagrad import Adagrad
from .adamax import Adamax
from .nadam import NAdam
from .radam import RAdam

__all__ = ["Optimizer", "SGD", "Momentum", "RMSprop", "Adam", "AdamW", "lr_scheduler", "clip_grad_norm_",
           "clip_grad_value_", "Adagrad", "Adamax", "NAdam", "RAdam"]
