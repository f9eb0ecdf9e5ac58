"""Search strategies: random search, grid search (for comparison), and coarse to fine.

Every strategy first *plans* its trials -- each config, with a per-trial seed, drawn from the
search's ``seed`` -- then runs them through :func:`~minigrad.tune.runner.run_plan`.  So the same
call gives the same trials in this process, on local processes or on a Dask cluster, and a
search stopped half-way resumes from its results file without re-running finished trials.

Options shared by all strategies
--------------------------------
objective : str, default "dev_cost"
    The metric (a key of the dict ``train`` returns) to rank trials by.
mode : {"min", "max"}, default "min"
    Minimise (a cost) or maximise (an accuracy) the objective.
executor : None, "processes", "sequential" or concurrent.futures.Executor
    Where trials run.  ``None``/``"processes"``: local processes, one per core (``max_workers``),
    started with ``spawn`` -- ``train`` must then be importable (a top-level ``def`` in a module,
    or in a script guarded by ``if __name__ == "__main__":``).  ``"sequential"``: one after the
    other in this process.  Any ``Executor``, e.g. Dask's ``Client.get_executor()`` for a cluster
    (the module defining ``train`` must be importable on the workers: install it there, or
    ``client.upload_file(...)``).
results_file : path, optional
    JSON-lines file; each finished trial is appended as it completes.  If it exists, trials
    already in it are not run again (the file must come from the same search).
progress : bool or None
    Progress bar over trials (tqdm if installed); ``None``: only when stderr is a terminal.
seed_key : str or None, default "seed"
    Each config gets ``config[seed_key] = `` a per-trial seed (so ``train`` can call
    ``minigrad.manual_seed(config["seed"])``, or better use ``minigrad.Generator(seed=...)``);
    ``None`` adds no seed.
retry_failed : bool, default False
    Run again the trials the results file records as failed.
trial_timeout : float or None
    Seconds a trial may run; one that runs longer is ended, recorded as failed (with the
    reason) and the search goes on.  Local processes give each trial its own process and
    terminate it; elsewhere (``"sequential"``, Dask) the trial runs in a thread that is
    interrupted at its next Python bytecode (see :mod:`minigrad.tune.timeout`).

With an executor that runs trials in threads (a ``ThreadPoolExecutor``, or Dask with
``processes=False``) trials share minigrad's global state (grad mode, default generator):
seed with a local ``minigrad.Generator(seed=config["seed"])`` rather than ``manual_seed``.
"""
from __future__ import annotations

import numbers

import numpy as np

from .results import Results, _check_mode
from .runner import Planned, run_plan
from .space import _check_space, grid, sample, zoom
from .timeout import check_timeout

__all__ = ["random_search", "grid_search", "coarse_to_fine"]

_SEED_HIGH = 2**31 - 1


def _positive_int(name, value, fn):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{fn}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _check_common(fn, space, seed, seed_key, mode):
    _check_space(space)
    _check_mode(mode)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{fn}: seed must be an int (the whole search is drawn from it), got {seed!r}")
    if seed_key is not None and seed_key in space:
        raise ValueError(f"{fn}: the space already has a {seed_key!r} entry, where the per-trial seed goes; "
                         f"pass seed_key=None (no per-trial seed) or another name, e.g. seed_key='trial_seed'")


def _seeded(config, rng, seed_key):
    if seed_key is not None:
        config[seed_key] = int(rng.integers(_SEED_HIGH))
    return config


def random_search(train, space, n_trials, seed=0, *, objective="dev_cost", mode="min", executor=None,
                  max_workers=None, results_file=None, progress=None, seed_key="seed",
                  retry_failed=False, trial_timeout=None) -> Results:
    """Random search: ``n_trials`` configs drawn at random from ``space``, each trained once.

    Random points, not a grid: with ``n`` trials each hyperparameter is tried at ``n`` distinct
    values, so the important ones get explored even when most hyperparameters do not matter.
    Trial ``i``'s config depends only on ``seed`` and ``i`` (more trials with the same seed extend
    the same search): one generator ``numpy.random.default_rng(seed)`` draws, trial after trial,
    the config (each distribution in the space's order, see :func:`minigrad.tune.space.sample`)
    and then its per-trial seed, ``integers(2**31 - 1)``.  Other options: see
    :mod:`minigrad.tune.search`.

    Returns
    -------
    Results
        Trials sorted by the objective; ``.best_config``, ``.table()``, ``.plot()``.

    Examples
    --------
    >>> from minigrad import tune
    >>> def train(config):                       # any function: config -> metrics dict
    ...     return {"dev_cost": (config["lr"] - 0.01) ** 2}
    >>> res = tune.random_search(train, {"lr": tune.log_uniform(1e-4, 1)}, n_trials=20, seed=0,
    ...                          executor="sequential")
    >>> 0.003 < res.best_config["lr"] < 0.03
    True
    """
    fn = "random_search"
    n_trials = _positive_int("n_trials", n_trials, fn)
    _check_common(fn, space, seed, seed_key, mode)
    check_timeout(trial_timeout, fn)
    rng = np.random.default_rng(int(seed))
    plan = [Planned(i, _seeded(sample(space, rng), rng, seed_key)) for i in range(n_trials)]
    records = run_plan(train, plan, objective=objective, mode=mode, executor=executor, max_workers=max_workers,
                       results_file=results_file, progress=progress, retry_failed=retry_failed,
                       trial_timeout=trial_timeout)
    return Results(records, objective, mode, space=space, path=results_file)


def grid_search(train, space, points_per_dim=3, seed=0, *, objective="dev_cost", mode="min", executor=None,
                max_workers=None, results_file=None, progress=None, seed_key="seed",
                retry_failed=False, trial_timeout=None) -> Results:
    """Grid search, for comparison: every combination of ``points_per_dim`` values per distribution.

    Points are evenly spaced on each distribution's own scale; a choice contributes all its
    options.  With ``d`` hyperparameters that is ``points_per_dim**d`` trials, yet each one is
    tried at only ``points_per_dim`` values -- the reason the course prefers random search.
    ``seed`` draws the per-trial seeds (trial ``i`` gets the ``i``-th draw of
    ``numpy.random.default_rng(seed).integers(2**31 - 1)``).  Trial ``i`` runs the ``i``-th point of
    :func:`minigrad.tune.space.grid` (product order: the first key of ``space`` varies slowest,
    each distribution's points in increasing order).
    Other options: see :mod:`minigrad.tune.search`.
    """
    fn = "grid_search"
    points_per_dim = _positive_int("points_per_dim", points_per_dim, fn)
    _check_common(fn, space, seed, seed_key, mode)
    check_timeout(trial_timeout, fn)
    rng = np.random.default_rng(int(seed))
    plan = [Planned(i, _seeded(c, rng, seed_key)) for i, c in enumerate(grid(space, points_per_dim))]
    records = run_plan(train, plan, objective=objective, mode=mode, executor=executor, max_workers=max_workers,
                       results_file=results_file, progress=progress, retry_failed=retry_failed,
                       trial_timeout=trial_timeout)
    return Results(records, objective, mode, space=space, path=results_file)


def coarse_to_fine(train, space, rounds=3, trials_per_round=10, top_k=3, seed=0, *, objective="dev_cost",
                   mode="min", executor=None, max_workers=None, results_file=None, progress=None,
                   seed_key="seed", retry_failed=False, pad=0.5, margin=0.5, trial_timeout=None) -> Results:
    """Coarse to fine: random search, then zoom in around the best trials and sample densely there.

    Round ``r`` draws ``trials_per_round`` configs from space ``S_r`` (trial ids
    ``r * trials_per_round + i``).  After it, the ``top_k`` best successful trials so far give
    ``S_{r+1} = zoom(S_r, best, trials_per_round, pad, margin)``: on each distribution's own
    scale (log for a learning rate), the interval spanned by the best values, widened on each
    side by ``max(pad * span, margin * width / n**(1/d))`` (``n`` trials per round in ``d``
    numeric dimensions) and kept inside ``S_r``; a choice keeps only the options the best trials
    used.  See :func:`minigrad.tune.space.zoom`.

    Seeding: round ``r`` (from 0) draws its configs and their per-trial seeds, as random search
    does (config, then seed, trial after trial), from ``numpy.random.default_rng([seed, r])``
    alone, so a round's draws never depend on how earlier rounds went (only its space does), and
    running more rounds leaves the earlier ones unchanged.

    Returns
    -------
    Results
        All trials of all rounds (``trial.round`` tells which); ``.spaces[r]`` is ``S_r``.
    """
    fn = "coarse_to_fine"
    rounds = _positive_int("rounds", rounds, fn)
    per_round = _positive_int("trials_per_round", trials_per_round, fn)
    top_k = _positive_int("top_k", top_k, fn)
    _check_common(fn, space, seed, seed_key, mode)
    check_timeout(trial_timeout, fn)
    spaces, records = [space], []
    for r in range(rounds):
        rng = np.random.default_rng([int(seed), r])
        plan = [Planned(r * per_round + i, _seeded(sample(spaces[r], rng), rng, seed_key), r)
                for i in range(per_round)]
        records += run_plan(train, plan, objective=objective, mode=mode, executor=executor,
                            max_workers=max_workers, results_file=results_file, progress=progress,
                            retry_failed=retry_failed, desc=f"round {r + 1}/{rounds}", trial_timeout=trial_timeout)
        if r + 1 < rounds:
            best = Results(records, objective, mode).ok[:top_k]
            best = [t.config for t in best]
            spaces.append(zoom(spaces[r], best, per_round, pad, margin) if best else spaces[r])
    return Results(records, objective, mode, space=space, spaces=spaces, path=results_file)
