"""check_gradients at its edges: its default tolerances, the name it reports, a slow function is not
failed by a deadline, and several distinct failures come back as one GradientFailures listing each."""
from __future__ import annotations

import time

import pytest
from hypothesis import Phase, settings, strategies as st

import minigrad as mg
from minigrad.testing import GradientFailures, check_gradients, tensors


NO_SHRINK = settings(database=None, phases=[Phase.generate])  # the failures found, not the smallest (seconds)


class OffByOnePercent(mg.Function):
    """d(x^2)/dx reported 1% too large: beyond rtol 1e-3 (and atol 1e-5) for |x| of order 1."""

    def forward(self, x):
        self.save_for_backward(x)
        return x * x

    def backward(self, g):
        (x,) = self.saved_tensors
        return g * 2.02 * x


def test_default_tolerances_catch_a_one_percent_error_and_name_the_function():
    with pytest.raises(mg.GradcheckError, match="OffByOnePercent.apply"):
        check_gradients(OffByOnePercent, tensors(shape=(3,), dtype="float64", domain="nonzero"), max_examples=5,
                        settings=NO_SHRINK)


def test_a_plain_function_is_named_by_its_qualname():
    def doubled_wrong(x):
        return OffByOnePercent.apply(x)

    with pytest.raises(mg.GradcheckError, match="doubled_wrong"):
        check_gradients(doubled_wrong, tensors(shape=(2,), dtype="float64", domain="nonzero"), max_examples=5,
                        settings=NO_SHRINK)


def test_a_slow_function_is_not_failed_by_hypothesis_deadline():
    def slow(x):
        time.sleep(0.25)  # beyond Hypothesis's default 200 ms deadline
        return x * 2.0

    check_gradients(slow, tensors(shape=(), dtype="float64"), max_examples=2, settings=settings(deadline=200))


def test_several_distinct_failures_come_back_together():
    def two_bugs(x):
        if x.ndim == 0:
            raise ZeroDivisionError("a 0-d input")
        return OffByOnePercent.apply(x)

    inputs = st.sampled_from([0, 1]).map(lambda k: mg.tensor([0.5, 1.5][0] if k == 0 else [0.5, 1.5],
                                                             dtype="float64", requires_grad=True))
    with pytest.raises(GradientFailures) as info:  # two inputs: shrinking each failure is quick
        check_gradients(two_bugs, inputs, max_examples=20, settings=settings(database=None))
    err = info.value
    kinds = sorted(type(e).__name__ for e in err.exceptions)
    assert kinds == ["GradcheckError", "ZeroDivisionError"] and isinstance(err, AssertionError)
    text = str(err)
    assert text.startswith("check_gradients(test_several_distinct_failures_come_back_together.<locals>.two_bugs): "
                           "Hypothesis found 2 distinct failures:")
    assert "failure 1 of 2: " in text and "failure 2 of 2: " in text and "ZeroDivisionError: a 0-d input" in text
    # each failure's note: Hypothesis calls it "Falsifying example" (to 6.15x), "Failing test case" (6.17x)
    assert text.count("Falsifying example") + text.count("Failing test case") == 2
