"""Hyperparameter search for any ``train(config) -> metrics`` function (the course's tuning process).

Search spaces sample each hyperparameter on its own scale (:func:`log_uniform` for a learning
rate, :func:`one_minus_log_uniform` for a momentum ``beta``); strategies are random search, grid
search (for comparison) and coarse to fine.  Trials run in parallel through any
``concurrent.futures.Executor`` -- by default one spawned process per core, or a Dask cluster via
``Client.get_executor()`` -- and each finished trial is appended to a JSON-lines results file, so
an interrupted search resumes where it stopped.  :func:`continue_training` babysits one model.

>>> from minigrad import tune
>>> space = {"lr": tune.log_uniform(1e-4, 1), "beta": tune.one_minus_log_uniform(0.9, 0.999)}
>>> def train(config):
...     return {"dev_cost": (config["lr"] - 0.01) ** 2 + (config["beta"] - 0.99) ** 2}
>>> res = tune.random_search(train, space, n_trials=30, seed=1, executor="sequential")
>>> sorted(res.best_config)
['beta', 'lr', 'seed']
"""
from .panda import continue_training, training_history
from .results import Results, load_results
from .search import coarse_to_fine, grid_search, random_search
from .space import (Distribution, choice, int_uniform, log_uniform, one_minus_log_uniform, sample, uniform,
                    zoom)
from .space import grid as grid_points
from .trial import Trial

__all__ = ["uniform", "log_uniform", "one_minus_log_uniform", "int_uniform", "choice", "Distribution",
           "sample", "grid_points", "zoom", "random_search", "grid_search", "coarse_to_fine", "Results",
           "Trial", "load_results", "continue_training", "training_history"]
