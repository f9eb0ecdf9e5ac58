"""An in-place op writes its node's output into the tensor it changes (Function._rebase_output):
the saved output is then checked against that tensor's version, and saved inputs keep theirs.

Expected gradients are hand-derived: d/dx x**e = e x**(e-1), d/de x**e = x**e ln x."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


def test_an_in_place_pow_runs_backward_with_its_saved_output_and_inputs(device):
    xv, ev = np.array([0.5, 2.0]), np.array([3.0, 1.5])
    x = mg.tensor(xv, dtype=mg.float64, device=device, requires_grad=True)
    e = mg.tensor(ev, dtype=mg.float64, device=device, requires_grad=True)
    y = x * 1.0
    y.pow_(e)  # Pow saves the old y (a copy), e (an input, version 0) and its output, now y (version 1)
    assert y._version == 1 and e._version == 0
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), ev * xv ** (ev - 1), rtol=1e-12)
    np.testing.assert_allclose(e.grad.numpy(), xv ** ev * np.log(xv), rtol=1e-12)


def test_changing_the_output_an_in_place_op_saved_is_detected(device):
    x = mg.tensor([0.5, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    e = mg.tensor([3.0, 1.5], dtype=mg.float64, device=device, requires_grad=True)
    y = x * 1.0
    y.pow_(e)
    with mg.no_grad():
        y.add_(1.0)
    with pytest.raises(mg.BackwardError, match=r"Pow: a tensor it saved for backward .* was modified in place "
                                               r"after it was saved \(version 1 -> 2\)"):
        y.sum().backward()
