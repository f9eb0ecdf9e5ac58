"""Tune logistic regression's learning rate and L2 strength with minigrad.tune.

Random search on log scales, run in parallel on local processes (one per core), then coarse
to fine; every finished trial is saved to a JSON-lines file, so stopping the script (Ctrl-C)
and running it again resumes where it stopped.

    python examples/tune_logistic.py --trials 16 --results /tmp/logistic.jsonl
    python examples/tune_logistic.py --coarse-to-fine --plot /tmp/logistic.png

``train`` is a top-level function and the search runs under ``if __name__ == "__main__":``:
worker processes are started with ``spawn`` and import this file to find ``train``.
"""
import argparse

import numpy as np

import minigrad as mg
from minigrad import tune


def make_data(m=800, n=20, seed=0):
    """Two Gaussian blobs, split 60/20/20 -> (X_train, Y_train, X_dev, Y_dev), X is (m, n)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=(m, 1)).astype(np.float64)
    x = rng.normal(size=(m, n)) + 0.4 * (2 * y - 1) * np.linspace(1, 0, n)
    cut, dev = int(0.6 * m), int(0.8 * m)
    return x[:cut], y[:cut], x[cut:dev], y[cut:dev]


def cost(w, b, x, y, lambd=0.0):
    """J = -1/m sum(y log a + (1 - y) log(1 - a)) + lambd/(2m) ||w||^2, with a = sigmoid(x @ w + b)."""
    a = (x @ w + b).sigmoid().clip(1e-12, 1 - 1e-12)
    m = x.shape[0]
    return -(y * a.log() + (1 - y) * (1 - a).log()).mean() + lambd / (2 * m) * (w * w).sum()


def train(config):
    """Batch gradient descent for config['epochs'] epochs -> dev cost and accuracy."""
    xt, yt, xd, yd = (mg.tensor(a, dtype=mg.float64) for a in make_data())
    g = mg.Generator(seed=config["seed"])
    w = mg.normal(xt.shape[1], 1, std=0.01, dtype=mg.float64, generator=g, requires_grad=True)
    b = mg.zeros(1, dtype=mg.float64, requires_grad=True)
    for _ in range(config["epochs"]):
        j = cost(w, b, xt, yt, config["lambd"])
        j.backward()
        with mg.no_grad():
            w.sub_(w.grad, alpha=config["lr"])
            b.sub_(b.grad, alpha=config["lr"])
        w.zero_grad()
        b.zero_grad()
    with mg.no_grad():
        accuracy = (((xd @ w + b) > 0) == (yd > 0.5)).numpy().mean()
        return {"dev_cost": cost(w, b, xd, yd).item(), "dev_accuracy": float(accuracy),
                "train_cost": j.item()}


SPACE = {"lr": tune.log_uniform(1e-4, 10), "lambd": tune.log_uniform(1e-3, 100), "epochs": 100}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trials", type=int, default=16)
    p.add_argument("--coarse-to-fine", action="store_true")
    p.add_argument("--results", default=None, help="JSON-lines results file (resumes if it exists)")
    p.add_argument("--plot", default=None, help="save the plot of dev cost against each hyperparameter")
    p.add_argument("--sequential", action="store_true", help="run trials in this process")
    args = p.parse_args()
    common = dict(seed=0, results_file=args.results, executor="sequential" if args.sequential else None)
    if args.coarse_to_fine:
        res = tune.coarse_to_fine(train, SPACE, rounds=3, trials_per_round=args.trials, top_k=3, **common)
    else:
        res = tune.random_search(train, SPACE, n_trials=args.trials, **common)
    print(res.table(max_rows=10))
    print("best config:", res.best_config)
    if args.plot:
        res.plot(path=args.plot)


if __name__ == "__main__":
    main()
