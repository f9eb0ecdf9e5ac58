"""Zero allocations per replay (issue 17, "Proof"): measured with ``tracemalloc`` in NumPy's domain.

NumPy reports every array's data buffer to ``tracemalloc`` under ``np.lib.tracemalloc_domain``.
A replay of an MLP step with SGD runs under a line tracer on the generated replay function;
after each line, the live array memory of that domain is compared with the line before, so an
array a line makes (a temporary the replay keeps until it returns) is attributed to the line
that made it.  Excluded, on purpose: the ``return`` line, which copies the loss out (a 0-d
array, 8 bytes: results are copies, see compiled.py).  Not seen by this method: memory made
and freed inside one line, e.g. NumPy's ufunc iterator buffers for a broadcasting ``out=``
operation (``np.add(a, bias, out=a)``; Python's domain, not array data) or a temporary freed
inside a replayed-whole call (the optimizer's kernels) -- ``test_no_growth_over_replays``
bounds those from outside.
"""
from __future__ import annotations

import re
import sys
import tracemalloc

import numpy as np
import pytest

import minigrad as mg
import nn
import optim

DOMAIN = np.lib.tracemalloc_domain


def _compiled_mlp_step():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 16)).double()
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()

    @mg.compile
    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    rng = np.random.default_rng(0)
    x, y = mg.tensor(rng.standard_normal((64, 32))), mg.tensor(rng.integers(0, 16, 64))
    for _ in range(3):
        step(x, y)
    assert step.stats.replays == 1
    return step, x, y


def _array_bytes():
    snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.DomainFilter(True, DOMAIN)])
    return sum(t.size for t in snapshot.traces)


def _named(line, ns):
    """The line with each called name followed by what it is: ``t7 = f5[astype](b1, c6)``."""
    return re.sub(r"\b([fc]\d+)\(", lambda m: f"{m.group(1)}[{getattr(ns[m.group(1)], '__name__', '?')}](", line)


# What a replay still makes, on purpose: the gradients (as eager, a new array per call once
# zero_grad set them to None, so that gradients kept from earlier calls keep their values: one flat
# array for all, made by the first gradient that lands) and the label gather b[arange, y] of the
# cross-entropy (fancy indexing has no out=).
EXPECTED = ("land_", "getitem_")


def allocations_per_line(step, *args):
    """[(source line, bytes of array memory it left live)] for one replay of ``step``."""
    program = step.programs()[0]
    code, lines = program.run.__code__, [_named(line, program.run.__globals__) for line in program.source.splitlines()]
    found, last = [], {}

    def on_line(frame, event, arg):
        if frame.f_code is not code:
            return None
        if event in ("line", "return"):
            now = _array_bytes()
            if last:
                found.append((lines[last["line"] - 1].strip(), now - last["bytes"]))
            last.update(line=frame.f_lineno, bytes=_array_bytes())
        return on_line

    tracemalloc.start()
    sys.settrace(on_line)
    try:
        step(*args)
    finally:
        sys.settrace(None)
        tracemalloc.stop()
    return found


def test_the_measurement_sees_an_array_a_line_makes():
    """The oracle of the method: a known allocating line is found, with its size."""
    step, x, y = _compiled_mlp_step()
    found = allocations_per_line(step, x, y)
    returned = [b for line, b in found if line.startswith("return")]
    assert returned == [8]  # the 0-d float64 loss copied out


def test_a_replay_makes_no_array_beyond_the_gradients_the_gather_and_the_returned_loss():
    step, x, y = _compiled_mlp_step()
    found = allocations_per_line(step, x, y)
    assert any(b > 0 and "land_" in line for line, b in found)  # the gradients' one array is seen
    making = [(line, b) for line, b in found
              if b > 0 and not line.startswith("return") and not any(e in line for e in EXPECTED)]
    assert not making, "replay lines that allocate array memory:\n" + "\n".join(f"{b:8d}  {line}"
                                                                               for line, b in making)


def test_no_growth_over_replays():
    """Twenty more replays leave no more array memory live than one (results dropped)."""
    step, x, y = _compiled_mlp_step()
    tracemalloc.start()
    try:
        step(x, y)
        after_one = _array_bytes()
        for _ in range(20):
            step(x, y)
        after_many = _array_bytes()
    finally:
        tracemalloc.stop()
    assert after_many <= after_one
