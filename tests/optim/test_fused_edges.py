"""``fused=True`` (optim/flat.py) at its edges; the oracle is the same optimizer without ``fused``
(one call of the rule per parameter) from the same start, or hand-worked numbers."""
from __future__ import annotations

import os
import signal

import numpy as np
import pytest

import minigrad as mg
import optim
from optim.flat import SPLIT_AT


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_split_group_still_steps_in_a_forked_child():
    """The worker thread of the two-halves update does not survive a fork: the child must start its
    own, not queue work for a thread that does not exist there (it hung forever)."""
    n = SPLIT_AT + 10
    p = mg.zeros(n, dtype=mg.float64, requires_grad=True)
    opt = optim.SGD([p], lr=0.5, fused=True)
    p.grad = mg.ones(n, dtype=mg.float64)
    opt.step()
    opt.step()  # the second step is the first split one: the worker thread is started here
    assert opt._flat_groups[id(opt.param_groups[0])]._halves is not None
    pid = os.fork()
    if pid == 0:  # the child: one more step, then exit 0 if it gave -1.5 everywhere
        code = 1
        try:
            signal.alarm(10)
            opt.step()
            code = 0 if np.all(p.numpy() == -1.5) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert np.all(p.numpy() == -1.0)  # the parent's parameter is its own
