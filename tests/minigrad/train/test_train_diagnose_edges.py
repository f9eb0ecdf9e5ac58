"""diagnose at its edges: the tolerance boundary, ties between the gaps, the report's text, which
History record it reads, and the errors naming the argument at fault (hand-worked values)."""
from __future__ import annotations

import pytest

from minigrad.train import RECIPES, History, diagnose


def _history(rows, best=None):
    h = History()
    for row in rows:
        h.append(row)
    h.best_epoch = best
    return h


def test_a_gap_equal_to_the_tolerance_is_not_high_and_one_above_is():
    d = diagnose(0.15, 0.16, human_error=0.14)  # bias 1 point, variance 1 point, in floats a hair above 0.01
    assert (d.high_bias, d.high_variance, d.verdict) == (False, False, "fine")
    # with tolerance 0, a gap of 1e-9 (float rounding) is still not high; 1e-8 is
    d = diagnose(1e-9, 2e-9, tolerance=0.0)
    assert (d.high_bias, d.high_variance) == (False, False)
    d = diagnose(1e-8, 2e-8, tolerance=0.0)
    assert (d.high_bias, d.high_variance, d.verdict) == (True, True, "high bias and high variance")
    d = diagnose(0.2, 0.2 + 1e-9, tolerance=0.0)
    assert (d.high_bias, d.high_variance, d.verdict) == (True, False, "high bias")
    d = diagnose(1e-9, 0.5, tolerance=0.0)
    assert (d.high_bias, d.high_variance, d.verdict) == (False, True, "high variance")


def test_both_high_the_larger_gap_first_a_tie_goes_to_bias_and_the_other_is_advised_after():
    d = diagnose(0.10, 0.30)  # bias 10 points < variance 20 points
    assert d.focus == "variance"
    assert d.advice == list(RECIPES["variance"]) + ["then reduce the bias: " + "; ".join(RECIPES["bias"][:2])]
    d = diagnose(0.20, 0.40)  # a tie (0.2 and 0.2)
    assert d.focus == "bias"
    assert d.advice[-1] == ("then reduce the variance: get more training data (or augment it); "
                            "regularise: L2 (weight decay), dropout, early stopping")
    assert len(d.advice) == len(RECIPES["bias"]) + 1
    # only one high: its recipe alone
    assert diagnose(0.2, 0.2).advice == list(RECIPES["bias"])
    assert diagnose(0.0, 0.2).advice == list(RECIPES["variance"])
    assert diagnose(0.0, 0.0).advice == list(RECIPES["fine"])


def test_the_report_text_line_by_line():
    text = str(diagnose(0.15, 0.30, human_error=0.01))
    assert text.split("\n") == [
        "high bias and high variance: human-level error 1.00%, train 15.00%, dev 30.00%",
        "  avoidable bias = train - human = 14.00%",
        "  variance       = dev - train   = 15.00%",
        "  work on the variance first:",
        *(f"  - {a}" for a in RECIPES["variance"]),
        "  - then reduce the bias: " + "; ".join(RECIPES["bias"][:2])]
    fine = str(diagnose(0.0, 0.0)).split("\n")
    assert not any("work on" in line for line in fine)
    assert fine[0] == "fine: human-level error 0.00%, train 0.00%, dev 0.00%"
    assert fine[-1] == "  - " + RECIPES["fine"][0]


def test_a_history_prefers_the_error_record_and_needs_train_and_dev_of_it():
    h = _history([{"train_error": 0.10, "dev_error": 0.30, "train_accuracy": 0.5, "dev_accuracy": 0.5}])
    d = diagnose(h)
    assert (d.train_error, d.dev_error) == (pytest.approx(0.10), pytest.approx(0.30))
    # an error record on one side only: accuracy (both sides) is used
    h = _history([{"train_error": 0.10, "train_accuracy": 0.75, "dev_accuracy": 0.5}])
    d = diagnose(h)
    assert (d.train_error, d.dev_error) == (pytest.approx(0.25), pytest.approx(0.5))
    h = _history([{"dev_error": 0.30, "train_accuracy": 0.75, "dev_accuracy": 0.5}])
    assert diagnose(h).train_error == pytest.approx(0.25)


def test_a_history_with_an_explicit_metric_and_epoch():
    h = _history([{"train_cost": 0.4, "dev_cost": 0.9, "train_error": 0.1, "dev_error": 0.1},
                  {"train_cost": 0.2, "dev_cost": 0.5, "train_error": 0.0, "dev_error": 0.0}], best=1)
    d = diagnose(h, metric="cost")  # the best epoch, 1
    assert (d.train_error, d.dev_error) == (0.4, 0.9)
    d = h.diagnose(metric="cost", epoch=2, human_error=0.1)
    assert (d.human_error, d.train_error, d.dev_error) == (0.1, 0.2, 0.5)
    assert h.diagnose(human_error=0.05).human_error == 0.05 and h.diagnose(metric="cost").human_error == 0.0
    assert h.diagnose(tolerance=0.5, metric="cost").verdict == "fine"  # bias 0.4, variance 0.5: not above 0.5
    with pytest.raises(ValueError, match=r"^diagnose: the History has no train and dev error to compare "
                                         r"\(recorded: \['train_error'\]\)"):
        diagnose(_history([{"train_error": 0.1, "grad_norm:w": 1.0}]))
    with pytest.raises(ValueError, match="; train with a dev set and metrics=\\('accuracy',\\) or \\('error',\\), "
                                         "or pass the errors$"):
        diagnose(h, metric="accuracy")


@pytest.mark.parametrize("kwargs, name", [
    (dict(train_error=-0.1, dev_error=0.1), "train_error"),
    (dict(train_error=0.1, dev_error=float("nan")), "dev_error"),
    (dict(train_error=0.1, dev_error=0.1, human_error=-1.0), "human_error"),
])
def test_each_bad_number_is_named(kwargs, name):
    with pytest.raises(ValueError, match=f"^diagnose: {name} must be a finite number >= 0, got "):
        diagnose(**kwargs)


def test_dev_error_is_required_without_a_history():
    with pytest.raises(ValueError, match=r"^diagnose: give dev_error \(or a History\)$"):
        diagnose(0.1)
