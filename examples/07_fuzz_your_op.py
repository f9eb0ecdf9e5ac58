"""Fuzz-testing your own op: a ``minigrad.Function``, its gradients checked on inputs that
Hypothesis draws with ``minigrad.testing`` (course C2 W1, gradient checking, made automatic).

A gradient check at one hand-picked input proves little: a backward can be right for vectors
and wrong for matrices, right for a 3x4 input and wrong for a 2x2 one.  ``minigrad.testing``
gives Hypothesis strategies for tensors (shapes, dtypes, value domains such as "nonzero" or
"positive") and ``check_gradients(op, *strategies)``, which runs ``minigrad.gradcheck`` --
central differences in float64, the course's relative difference -- on every draw (and
``gradgradcheck`` with ``second_order=True``).  When a draw fails, Hypothesis shrinks it to
the simplest input that still fails.

``examples/test_my_op.py`` is the pytest file for a custom op, ``RowNorm`` (the norm of each
row, y_i = sqrt(sum_j x_ij^2), dy_i/dx_ij = x_ij / y_i); run it with
``pytest examples/test_my_op.py``.  This script runs those tests, then plants the most common
backward bug -- forgetting to put the reduced axis back before broadcasting, ``grad / y * x``
instead of ``(grad / y).unsqueeze(-1) * x`` -- which is right for every 1-D input and for one
row, and wrong for a batch of rows: the fuzzer finds it and shrinks the failing input.

Run::

    python examples/07_fuzz_your_op.py [--device cpu|cuda|strict] [--fast] [--out DIR]
"""
from __future__ import annotations

import argparse
import importlib.util
import os

from hypothesis import settings

from minigrad.testing import array_shapes, check_gradients, tensors

HERE = os.path.dirname(os.path.abspath(__file__))
TEST_FILE = os.path.join(HERE, "test_my_op.py")


def load_test_module():
    """``examples/test_my_op.py`` as a module (it defines ``RowNorm`` and its tests)."""
    spec = importlib.util.spec_from_file_location("test_my_op", TEST_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def buggy_op(RowNorm):
    """``RowNorm`` with the planted bug: the gradient of y (shape (...,)) is not given back its
    last axis, so it broadcasts against x (..., n) along the wrong axis."""

    class BuggyRowNorm(RowNorm):
        def backward(self, grad):
            x, y = self.saved_tensors
            return grad / y * x  # should be (grad / y).unsqueeze(-1) * x

    return BuggyRowNorm


def run_tests(module, use_pytest=True):
    """Run the test file: with pytest when it is installed (and ``use_pytest``), else by
    calling each test function (a failure raises)."""
    try:
        import pytest
    except ImportError:
        use_pytest = False
    if not use_pytest:
        names = [n for n in dir(module) if n.startswith("test_")]
        for name in names:
            getattr(module, name)()
        return {"passed": len(names), "failed": 0}
    counts = {"passed": 0, "failed": 0}

    class Count:
        def pytest_runtest_logreport(self, report):
            if report.when == "call":
                counts["passed" if report.passed else "failed"] += 1

    code = pytest.main(["-q", "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning", TEST_FILE],
                       plugins=[Count()])
    counts["exit_code"] = int(code)
    return counts


def hunt_bug(op, device="cpu", max_examples=50):
    """Fuzz ``op``; returns None if every draw passes, else (falsifying example, report)."""
    rows = tensors(shape=array_shapes(min_dims=1), domain="nonzero", dtype="float64", device=device)
    quiet = settings(database=None, derandomize=True, report_multiple_bugs=False, print_blob=False)
    try:
        check_gradients(op, rows, max_examples=max_examples, settings=quiet)
    except Exception as exc:  # a GradcheckError (an AssertionError), or the op's own error
        notes = [n for n in getattr(exc, "__notes__", [])
                 if "Falsifying" in n or "Failing test case" in n or "drawn=" in n]
        return "\n".join(notes), f"{type(exc).__name__}: {exc}"
    return None


def run(device="cpu", fast=False, use_pytest=True):
    """Run the op's tests, then fuzz the correct and the buggy op; returns what happened:
    ``{"tests": counts, "correct": None or (example, report), "buggy": None or (example, report)}``."""
    module = load_test_module()
    out = {"tests": run_tests(module, use_pytest)}
    n = 20 if fast else 100
    out["correct"] = hunt_bug(module.RowNorm, device, n)
    out["buggy"] = hunt_bug(buggy_op(module.RowNorm), device, n)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N (needs CuPy) or strict")
    p.add_argument("--fast", action="store_true", help="fewer Hypothesis examples")
    p.add_argument("--out", default="out", help="(no plots here)")
    args = p.parse_args(argv)
    r = run(args.device, args.fast)
    t = r["tests"]
    print(f"pytest examples/test_my_op.py: {t['passed']} passed, {t['failed']} failed")
    print("fuzzing RowNorm:", "every draw passed" if r["correct"] is None else f"FAILED\n{r['correct'][1]}")
    if r["buggy"] is None:
        print("fuzzing the buggy RowNorm: every draw passed (the bug was missed)")
    else:
        example, report = r["buggy"]
        print("fuzzing the buggy RowNorm: caught")
        print(example)
        print(report)
    return r


if __name__ == "__main__":
    main()
