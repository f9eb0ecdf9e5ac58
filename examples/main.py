"""The main job: a digit classifier trained with the course's whole toolkit, start to finish.

The data is scikit-learn's bundled 8x8 handwritten digits (1797 images, 10 classes; it ships
inside the installed package, nothing downloads).  The recipe of "Improving Deep Neural
Networks", step by step:

1. split 60/20/20 into train / dev / test (the course's rule below ~10^6 examples), stratified
   so every part has the ten digits in the same proportions;
2. normalise inputs with the training set's mean and variance, x_norm = (x - mu) / sigma,
   applied unchanged to dev and test;
3. a network 64 -> 128 -> 64 -> 10: each hidden layer Linear (He initialisation,
   W ~ N(0, 2 / n[l-1])) -> batch norm -> ReLU -> dropout (keep_prob 0.8); softmax
   cross-entropy on the logits (optionally plus the L2 term (lambd / 2m) sum ||W||^2, --lambd);
4. Adam (alpha = 0.003, beta1 = 0.9, beta2 = 0.999) on mini-batches of 64, with learning-rate
   decay alpha = 0.95^epoch alpha0;
5. early stopping on the dev cost (patience 8; the parameters of the best epoch are kept, and
   saved as a checkpoint), a progress bar per epoch (when the output is a terminal and tqdm is
   installed);
6. dev and test accuracy, and the bias / variance diagnosis against human-level error, about
   1 % for these small digits (the proxy for Bayes error): avoidable bias = train error - 1 %,
   variance = dev error - train error;
7. the learning curves (cost, accuracy, learning rate per epoch) saved as a PNG.

Run (add ``--device cuda`` on a machine with a GPU and CuPy)::

    python examples/main.py [--fast] [--device cpu|cuda] [--out DIR] [--epochs N] [--lambd L]
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

import minigrad as mg
import nn
import optim

HUMAN_ERROR = 0.01  # human-level error on 8x8 digits: the proxy for Bayes error


def load_data(seed=0):
    """Digits, split 60/20/20 (stratified) and standardised with the training statistics.

    Returns ``(train, dev, test)``, each ``(X, y)`` with X float32 (m, 64) and y int64 (m,).
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:
        raise SystemExit("examples/main.py needs scikit-learn for its data set (bundled, no download): "
                         "pip install scikit-learn") from e
    digits = load_digits()
    X, y = digits.data.astype(np.float32), digits.target.astype(np.int64)
    train, dev, test = mg.data.train_dev_test_split(X, y, seed=seed, stratify=True)
    norm = mg.data.Normalizer().fit(train[0])
    return tuple((norm.transform(X_part).astype(np.float32), y_part) for X_part, y_part in (train, dev, test))


def make_model(device="cpu", seed=0, keep_prob=0.8, sizes=(64, 128, 64, 10)):
    """Linear (He) -> BatchNorm1d -> ReLU -> Dropout per hidden layer, then Linear to 10 logits."""
    gen = mg.Generator(device=device, seed=seed)
    layers = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        layers += [nn.Linear(n_in, n_out, bias=False, init="he", device=device, generator=gen),
                   nn.BatchNorm1d(n_out, device=device), nn.ReLU(),
                   nn.Dropout(keep_prob=keep_prob, generator=gen)]
    layers.append(nn.Linear(sizes[-2], sizes[-1], init="he", device=device, generator=gen))
    return nn.Sequential(*layers)


def train(fast=False, device="cpu", out="out", epochs=None, lambd=0.0, seed=0, progress=True, compile=None):
    """Train and evaluate; returns a dict of the numbers (and the model and History).  ``compile``
    (default: on the CPU) replays each step's forward and backward with ``mg.compile``: the same
    numbers as eager, in less time."""
    compile = (device == "cpu") if compile is None else compile
    start = time.perf_counter()
    train_set, dev_set, test_set = load_data(seed)
    model = make_model(device, seed)
    cross_entropy = nn.CrossEntropyLoss()
    if lambd:
        def loss_fn(logits, labels):  # J + (lambd / 2m) sum_l ||W[l]||_F^2 (weights only)
            return cross_entropy(logits, labels) + nn.l2_penalty(model, lambd, m=len(labels))
    else:
        loss_fn = cross_entropy
    opt = optim.Adam(model.parameters(), lr=3e-3, beta1=0.9, beta2=0.999)
    scheduler = optim.lr_scheduler.ExponentialLR(opt, gamma=0.95)  # alpha = 0.95^epoch * alpha0
    os.makedirs(out, exist_ok=True)
    checkpoint = os.path.join(out, "main_best.mg")
    callbacks = [mg.train.EarlyStopping(monitor="dev_cost", patience=8, restore_best=True),
                 mg.train.ModelCheckpoint(best=checkpoint, monitor="dev_cost")]
    epochs = epochs or (12 if fast else 100)
    history = mg.train.fit(model, loss_fn, opt, train_set, epochs=epochs, batch_size=64, dev=dev_set,
                           scheduler=scheduler, callbacks=callbacks, progress=progress, seed=seed, compile=compile)
    scores = {name: mg.train.evaluate(model, cross_entropy, data)
              for name, data in (("train", train_set), ("dev", dev_set), ("test", test_set))}
    diagnosis = mg.train.diagnose(1 - scores["train"]["accuracy"], 1 - scores["dev"]["accuracy"],
                                  human_error=HUMAN_ERROR)
    return {"model": model, "history": history, "diagnosis": diagnosis, "checkpoint": checkpoint,
            "epochs_run": len(history), "best_epoch": history.best_epoch,
            "train_accuracy": scores["train"]["accuracy"], "dev_accuracy": scores["dev"]["accuracy"],
            "test_accuracy": scores["test"]["accuracy"], "dev_cost": scores["dev"]["cost"],
            "sizes": tuple(len(part[1]) for part in (train_set, dev_set, test_set)),
            "seconds": time.perf_counter() - start}


def save_curves(history, out):
    """The learning curves as a PNG (skipped, with a note, without matplotlib)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("matplotlib is not installed: no learning-curve plot (pip install matplotlib)")
        return None
    path = os.path.join(out, "main_learning_curves.png")
    history.plot(path=path)
    return path


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N (needs CuPy) or strict")
    p.add_argument("--fast", action="store_true", help="12 epochs at most (a few seconds)")
    p.add_argument("--out", default="out", help="folder for the plot and checkpoint (default: ./out)")
    p.add_argument("--epochs", type=int, default=None, help="at most this many epochs (default 100)")
    p.add_argument("--lambd", type=float, default=0.0, help="L2 regularisation strength (default 0: dropout only)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--eager", action="store_true", help="do not compile the training step (mg.compile)")
    args = p.parse_args(argv)
    r = train(args.fast, args.device, args.out, args.epochs, args.lambd, args.seed,
              compile=False if args.eager else None)
    m_train, m_dev, m_test = r["sizes"]
    print(f"digits: {m_train} train / {m_dev} dev / {m_test} test examples, 64 features, 10 classes")
    stopped = f"early stopping kept epoch {r['best_epoch']}" if r["best_epoch"] else "no best epoch"
    mode = "eager" if args.eager or args.device != "cpu" else "compiled"
    print(f"trained {r['epochs_run']} epochs on {args.device} ({mode}) in {r['seconds']:.1f} s ({stopped})")
    print(f"accuracy: train {r['train_accuracy']:.2%}, dev {r['dev_accuracy']:.2%}, test {r['test_accuracy']:.2%}")
    print(f"bias / variance (human-level error on these digits is about {HUMAN_ERROR:.0%}):")
    print(r["diagnosis"])
    print("best checkpoint:", r["checkpoint"])
    path = save_curves(r["history"], args.out)
    if path:
        print("learning curves:", path)
    return r


if __name__ == "__main__":
    main()
