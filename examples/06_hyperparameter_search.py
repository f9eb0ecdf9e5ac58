"""Hyperparameter search: random search on the right scales, then coarse to fine, in parallel
(course C2 W3).

The course's tuning advice, as ``minigrad.tune`` implements it:

* try random points, not a grid: with n trials each hyperparameter is tried at n different
  values, so the ones that matter get explored even when most do not;
* sample each on its own scale: a learning rate in [1e-3, 10] as ``r ~ U[-3, 1]``,
  ``alpha = 10^r`` (``tune.log_uniform``: each decade gets the same share of the trials); a
  momentum ``beta`` in [0.9, 0.999] as ``r ~ U[-3, -1]``, ``beta = 1 - 10^r``
  (``tune.one_minus_log_uniform``), since results are most sensitive to beta near 1 (the
  average covers about 1 / (1 - beta) gradients); the number of hidden units uniformly among
  integers (``tune.int_uniform``);
* coarse to fine: after a round, zoom in on the region of the best trials and sample densely
  there (``tune.coarse_to_fine``).

Each trial trains a [2, h, h, 1] ReLU network on "moons" with the course's momentum
(``optim.Momentum``: v = beta v + (1 - beta) dW, W = W - alpha v) for a fixed number of epochs
and reports its dev cost and accuracy.  With that budget, learning rates below 0.01 barely
train the network and the good region is about 0.3 to 3: the search should find it, and
coarse to fine should zoom in on it.  Trials run in parallel, one process per core (the
process pool starts workers with ``spawn``: ``train`` is a top-level function of this file and
the search runs under ``if __name__ == "__main__"``), and every finished trial is appended to
a JSON-lines results file in the output folder: run the script again and it resumes instead of
training again (``--fresh`` starts over).

Run::

    python examples/06_hyperparameter_search.py [--fast] [--device cpu|cuda] [--out DIR]
        [--workers N] [--sequential] [--fresh]
"""
from __future__ import annotations

import argparse
import os

import numpy as np

import minigrad as mg
import nn
import optim
from minigrad import tune

SPACE = {"lr": tune.log_uniform(1e-3, 10.0), "beta": tune.one_minus_log_uniform(0.9, 0.999),
         "hidden": tune.int_uniform(2, 64)}


def make_data(seed=0):
    """Moons with noise 0.25: 600 points split 60/20/20 by the course's rule (test set unused here)."""
    X, y = mg.data.make_moons(600, noise=0.25, seed=seed)
    train, dev, _ = mg.data.train_dev_test_split(X, y.reshape(-1, 1).astype(np.float32), seed=seed)
    return train, dev


def train(config):
    """One trial: train with ``config`` (lr, beta, hidden, epochs, seed, device); return dev metrics.

    A top-level function, so spawned worker processes can import it by name.
    """
    device = config.get("device", "cpu")
    (X, y), dev = make_data()
    gen = mg.Generator(device=device, seed=config["seed"])
    h = int(config["hidden"])
    model = nn.Sequential(nn.Linear(2, h, init="he", device=device, generator=gen), nn.ReLU(),
                          nn.Linear(h, h, init="he", device=device, generator=gen), nn.ReLU(),
                          nn.Linear(h, 1, init="he", device=device, generator=gen))
    opt = optim.Momentum(model.parameters(), lr=config["lr"], beta=config["beta"])
    history = mg.train.fit(model, nn.BCEWithLogitsLoss(), opt, (X, y), epochs=config["epochs"], batch_size=64,
                           dev=dev, progress=False, diagnostics=False, seed=config["seed"])
    return {"dev_cost": history.last("dev_cost"), "dev_accuracy": history.last("dev_accuracy"),
            "train_cost": history.last("train_cost")}


def search(fast=False, device="cpu", out="out", executor=None, workers=None, fresh=False, seed=0):
    """Random search, then coarse to fine; returns ``(random_results, coarse_to_fine_results)``."""
    space = dict(SPACE, epochs=15 if fast else 60)
    if device != "cpu":
        space["device"] = device
    n_random, rounds, per_round = (8, 2, 6) if fast else (24, 3, 12)
    tag = "_fast" if fast else ""
    files = [os.path.join(out, f"06_random_search{tag}.jsonl"), os.path.join(out, f"06_coarse_to_fine{tag}.jsonl")]
    if fresh:
        for f in files:
            if os.path.exists(f):
                os.remove(f)
    common = dict(executor=executor, max_workers=workers, progress=None)
    rand = tune.random_search(train, space, n_trials=n_random, seed=seed, results_file=files[0], **common)
    fine = tune.coarse_to_fine(train, space, rounds=rounds, trials_per_round=per_round, top_k=3, seed=seed + 1,
                               results_file=files[1], **common)
    return rand, fine


def describe_rounds(results):
    """The lr interval and best dev cost of each coarse-to-fine round."""
    lines = []
    for r, space in enumerate(results.spaces):
        trials = [t for t in results.ok if t.round == r]
        best = min(t.metrics["dev_cost"] for t in trials) if trials else float("nan")
        lr, beta = space["lr"], space["beta"]
        lines.append(f"round {r + 1}: lr in [{lr.low:.3g}, {lr.high:.3g}], beta in [{beta.low:.4g}, "
                     f"{beta.high:.4g}], {len(trials)} trials, best dev cost {best:.4f}")
    return lines


def plot(results, name, out):
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("matplotlib is not installed: no plots (pip install matplotlib)")
        return []
    path = os.path.join(out, f"06_{name}.png")
    results.plot(params=["lr", "beta", "hidden"], path=path)
    return [path]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N (needs CuPy) or strict")
    p.add_argument("--fast", action="store_true", help="fewer, shorter trials (a few seconds)")
    p.add_argument("--out", default="out", help="folder for results files and plots (default: ./out)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    p.add_argument("--sequential", action="store_true", help="run the trials in this process")
    p.add_argument("--fresh", action="store_true", help="delete earlier results files instead of resuming")
    args = p.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    executor = "sequential" if args.sequential else None
    rand, fine = search(args.fast, args.device, args.out, executor, args.workers, args.fresh)
    print(f"random search ({len(rand)} trials), best first:")
    print(rand.table(max_rows=8))
    print(f"\ncoarse to fine ({len(fine)} trials):")
    print("\n".join(describe_rounds(fine)))
    print(fine.table(max_rows=8))
    best = fine.best
    print(f"\nbest: lr = {best.config['lr']:.3g}, beta = {best.config['beta']:.4f}, hidden = {best.config['hidden']}: "
          f"dev cost {best.metrics['dev_cost']:.4f}, dev accuracy {best.metrics['dev_accuracy']:.1%}")
    print("results files:", rand.path, fine.path)
    for path in plot(rand, "random_search", args.out) + plot(fine, "coarse_to_fine", args.out):
        print("saved", path)
    return rand, fine


if __name__ == "__main__":
    main()
