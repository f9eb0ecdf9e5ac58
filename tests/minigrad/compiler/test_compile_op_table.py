"""The op table's "compiled" column (issue 17): every row's forward and backward, replayed, equals eager.

For each row of tests/support/op_specs.py (one Hypothesis draw, float64, 'cpu' only: the
compiled mode is NumPy-only), a step runs the op on its input tensors, takes a fixed weighted
sum of the floating outputs, calls ``backward()`` and returns the outputs and the inputs'
gradients.  The step is called five times (two traced calls, three replays) on the same input
tensors whose values are changed in place between calls (each floating input's elements
permuted: new values in the row's domain, same shapes); the oracle is the same five calls run
eagerly.  Results must be equal bit for bit, and the last three calls must be replays.

A row the compiled mode cannot record yet must raise a clear :class:`minigrad.CompileError`,
never give different numbers: those rows are listed in ``NOT_COMPILED`` with the reason (a
listed row may still compile on some draws).  A row that silently gives different numbers is a
bug: ``SILENTLY_WRONG`` would hold it as a strict xfail with its cause, and holds none.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import Phase, assume, given, settings, strategies as st

import minigrad as mg
from compile_twins import assert_same_results, host
from op_specs import SPECS

CALLS = 5
REPLAYS = 3

# row id -> (what the CompileError says, why the row cannot be compiled yet): refused clearly
NOT_COMPILED = {
    "prod": ("bool()", "CumProd.forward: bool(xp.any(abs(a) < NEAR_ZERO)) picks the zero-safe path by value"),
    "cumprod": ("bool()", "CumProd.forward, as prod"),
    "scatter_reduce-prod": ("bool()", "CumProd.forward, as prod"),
    "masked_scatter": ("int()", "how many source elements it takes is the mask's count: a shape read from values"),
    "repeat_interleave": ("int()", "with a tensor of repeats, the output's length is read from their values"),
}

# Rows that give DIFFERENT numbers when compiled: never acceptable.  None is known: the ops that build
# a result in an array of their own (xp.zeros + __setitem__ or np.add.at: indexing's gradient, pad,
# scatter, im2col) are recorded since NumPy's creators and conversions are hooked while tracing, and
# value-reading index checks replay whole.  A row added here is an xfail with the reason.
SILENTLY_WRONG = {}


def _listify(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _is_float(a):
    return np.issubdtype(np.asarray(a).dtype, np.floating)


_FLIPS = (lambda a: np.flip(a, 0), lambda a: np.flip(a, -1), lambda a: np.flip(a))  # the later calls


def _flipped(a, k):
    return _FLIPS[k](a) if np.ndim(a) else a


def _value_sequence(sample):
    """The inputs of the ``CALLS`` calls.  The first two see the sample's values (a warm-up on one
    batch): a value computed outside the tracer then looks constant to the check that compares
    the two traced calls, and only the later calls, on other values, show it frozen.  The later
    calls flip every floating input along its first axis, its last axis, then all axes: the same
    values in other places, so the row's domain is kept (a matrix flipped is still invertible, ties
    stay away, ...).  Samples that no flip changes (0-d, size 1, constant) are drawn again."""
    floats = [np.asarray(a, np.float64) for a in sample.args if _is_float(a)]
    assume(all(any(not np.array_equal(_flipped(f, k), f) for f in floats) for k in range(len(_FLIPS))))
    return [list(sample.args)] * 2 + [[_flipped(np.asarray(a, np.float64), k) if _is_float(a) else a
                                       for a in sample.args] for k in range(len(_FLIPS))]


def _run(spec, sample, sequence, compiled):
    """(results of the five calls, the compiled function or None)."""
    tensors = [mg.tensor(np.asarray(a, np.float64), requires_grad=True) if _is_float(a) else mg.tensor(a)
               for a in sequence[0]]
    shapes = [o.shape for o in _listify(spec.op(*tensors, **sample.kwargs))]
    rng = np.random.default_rng(7)
    weights = [mg.tensor(rng.standard_normal(s)) for s in shapes]

    def step(*ts):
        outs = _listify(spec.op(*ts, **sample.kwargs))
        terms = [(o * o * w).sum() for o, w in zip(outs, weights) if o.requires_grad]
        if terms:
            sum(terms).backward()
        return outs, [t.grad for t in ts if t.requires_grad]

    fn = mg.compile(step) if compiled else step
    results = []
    for values in sequence:
        with mg.no_grad():
            for t, v in zip(tensors, values):
                if t.requires_grad:
                    t.copy_(mg.tensor(np.asarray(v, np.float64)))
                    t.grad = None
        results.append(host(fn(*tensors)))
    return results, (fn if compiled else None)


def check_compiled_row(spec, sample, sequence):
    """Compiled equals eager on these calls, or the row is in ``NOT_COMPILED`` and raises as listed
    (returns which: 'ok' or 'refused')."""
    eager, _ = _run(spec, sample, sequence, compiled=False)
    try:
        compiled, fn = _run(spec, sample, sequence, compiled=True)
    except mg.CompileError as e:
        assert spec.id in NOT_COMPILED, f"{spec.id}: compiled mode refused it: {e}"
        assert NOT_COMPILED[spec.id][0] in str(e) and str(e).startswith("compile:"), f"{spec.id}: unexpected {e}"
        return "refused"
    for i, (a, b) in enumerate(zip(eager, compiled)):
        assert_same_results(a, b, f"{spec.id} call {i}")
    assert fn.stats.replays == REPLAYS, f"{spec.id}: {fn.stats!r}"
    return "ok"


def _row(spec):
    marks = ()
    if spec.id in SILENTLY_WRONG:
        marks = pytest.mark.xfail(strict=True, reason="compiled differs from eager: " + SILENTLY_WRONG[spec.id])
    return pytest.param(spec, id=f"op={spec.id}", marks=marks)


def test_the_lists_name_rows_of_the_table():
    ids = {s.id for s in SPECS}
    assert set(NOT_COMPILED) <= ids and set(SILENTLY_WRONG) <= ids
    assert not set(NOT_COMPILED) & set(SILENTLY_WRONG)


@pytest.mark.parametrize("spec", [_row(s) for s in SPECS])
@settings(max_examples=1, derandomize=True, database=None, phases=(Phase.generate,))  # no shrinking: one fixed draw
@given(data=st.data())
def test_compiled_column(spec, data):
    sample = spec.sample(data.draw, None)
    check_compiled_row(spec, sample, _value_sequence(sample))
