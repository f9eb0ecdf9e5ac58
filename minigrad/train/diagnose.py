"""Bias and variance, measured against human-level (Bayes) error, and what to do about them.

The course's recipe::

    avoidable bias = train error - human-level error
    variance       = dev error   - train error

    high avoidable bias?  -> bigger network, train longer / better optimisation,
                             another architecture (hyperparameter search)
    then high variance?   -> more data, regularisation (L2, dropout, augmentation,
                             early stopping), another architecture

Example (human 1%): train 15% / dev 16% is high bias; train 1% / dev 11% is high variance;
train 15% / dev 30% is both; train 0.5% / dev 1% is fine.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["diagnose", "Diagnosis", "RECIPES"]

RECIPES = {
    "bias": ("use a bigger network (more hidden units or layers)",
             "train longer, or with a better optimiser (momentum, RMSprop, Adam, learning-rate decay)",
             "try another architecture (and search the hyperparameters)"),
    "variance": ("get more training data (or augment it)",
                 "regularise: L2 (weight decay), dropout, early stopping",
                 "try another architecture (and search the hyperparameters)"),
    "fine": ("nothing urgent: the model is near human level and generalises; compare on the test set",),
}


@dataclass
class Diagnosis:
    """The outcome of :func:`diagnose`; ``str()`` gives a readable report."""

    human_error: float
    train_error: float
    dev_error: float
    avoidable_bias: float
    variance: float
    high_bias: bool
    high_variance: bool
    verdict: str
    focus: str
    advice: list = field(default_factory=list)

    def __str__(self):
        lines = [f"{self.verdict}: human-level error {self.human_error:.2%}, train {self.train_error:.2%}, "
                 f"dev {self.dev_error:.2%}",
                 f"  avoidable bias = train - human = {self.avoidable_bias:.2%}",
                 f"  variance       = dev - train   = {self.variance:.2%}"]
        if self.focus != "fine":
            lines.append(f"  work on the {self.focus} first:")
        lines += [f"  - {a}" for a in self.advice]
        return "\n".join(lines)


def _number(name, x):
    x = float(x)
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"diagnose: {name} must be a finite number >= 0, got {x}")
    return x


def _from_history(history, epoch, metric):
    if metric is None:
        metric = next((m for m in ("error", "accuracy") if f"dev_{m}" in history and f"train_{m}" in history), None)
    if metric is None or f"dev_{metric}" not in history:
        raise ValueError("diagnose: the History has no train and dev error to compare (recorded: "
                         f"{sorted(k for k in history.keys() if ':' not in k)}); train with a dev set and "
                         "metrics=('accuracy',) or ('error',), or pass the errors")
    n = len(history)
    epoch = epoch or history.best_epoch or n
    if not 1 <= epoch <= n:
        raise ValueError(f"diagnose: epoch {epoch} is not among the History's epochs 1..{n}")
    train, dev = history[f"train_{metric}"][epoch - 1], history[f"dev_{metric}"][epoch - 1]
    if "acc" in metric:
        train, dev = 1.0 - train, 1.0 - dev
    return train, dev


def diagnose(train_error, dev_error=None, human_error=0.0, tolerance=0.01, epoch=None, metric=None):
    """Diagnose high bias, high variance, both, or neither.

    Parameters
    ----------
    train_error : float or History
        Error rate on the training set (a fraction, 0.15 = 15%), or a History with
        ``train_error``/``dev_error`` or ``train_accuracy``/``dev_accuracy`` records (read at
        ``epoch``: by default the best epoch found by early stopping, else the last).
    dev_error : float
        Error rate on the dev set (not needed with a History).
    human_error : float
        Human-level error, the proxy for Bayes error (0 by default).
    tolerance : float
        A gap (avoidable bias or variance) is "high" when it exceeds this (default 1 point) by
        more than 1e-9, so a gap equal to the tolerance up to float rounding is not high.
    metric : str, optional
        With a History: the metric to read (``"error"``, ``"accuracy"`` or any other error-like
        record such as ``"cost"``).

    Returns
    -------
    Diagnosis
        ``verdict`` is "high bias", "high variance", "high bias and high variance" or "fine";
        ``focus`` the larger of the two gaps when both are high ("bias" on a tie), else the high
        one, else "fine"; ``advice`` the course's recipe for it (when both are high, followed by
        the first two steps for the other gap).

    Examples
    --------
    >>> diagnose(0.15, 0.16, human_error=0.01).verdict
    'high bias'
    >>> diagnose(0.01, 0.11).verdict
    'high variance'
    """
    if hasattr(train_error, "records"):
        train_error, dev_error = _from_history(train_error, epoch, metric)
    elif dev_error is None:
        raise ValueError("diagnose: give dev_error (or a History)")
    human, train, dev = _number("human_error", human_error), _number("train_error", train_error), \
        _number("dev_error", dev_error)
    bias, variance = train - human, dev - train
    # a gap equal to the tolerance is not high (1e-9 absorbs rounding: 0.16 - 0.15 > 0.01 in floats)
    high_bias, high_variance = bias > tolerance + 1e-9, variance > tolerance + 1e-9
    verdict = {(True, True): "high bias and high variance", (True, False): "high bias",
               (False, True): "high variance", (False, False): "fine"}[(high_bias, high_variance)]
    if high_bias and high_variance:  # both: the larger gap first
        focus = "bias" if bias >= variance else "variance"
    else:
        focus = "bias" if high_bias else ("variance" if high_variance else "fine")
    advice = list(RECIPES[focus])
    if high_bias and high_variance:
        other = "variance" if focus == "bias" else "bias"
        advice.append(f"then reduce the {other}: " + "; ".join(RECIPES[other][:2]))
    return Diagnosis(human, train, dev, bias, variance, high_bias, high_variance, verdict, focus, advice)
