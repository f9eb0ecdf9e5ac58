"""``minigrad.autograd.backward``'s own defaults (Tensor.backward passes its arguments explicitly):
the graph is freed and nothing is recorded unless asked, as torch.autograd.backward."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


def test_autograd_backward_frees_the_graph_and_records_nothing_by_default(device):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    y = (x * x).sum()
    mg.autograd.backward(y)
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])
    assert x.grad.requires_grad is False and x.grad.grad_fn is None
    with pytest.raises(mg.BackwardError, match=r"trying to backward through the graph a second time"):
        mg.autograd.backward(y)


def test_the_first_backward_on_a_namespace_builds_its_array_functions(monkeypatch):
    from minigrad.ops import backward_ops

    monkeypatch.setattr(backward_ops, "_ARRAY_OPS", backward_ops._ARRAY_OPS)  # restored afterwards
    saved = dict(backward_ops._ARRAY_OPS)
    backward_ops._ARRAY_OPS.clear()  # as in a fresh process
    try:
        x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
        (x * x).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])
    finally:
        backward_ops._ARRAY_OPS.clear()
        backward_ops._ARRAY_OPS.update(saved)
