"""Fuzz-test your own op in a few lines of pytest: ``pytest examples/test_my_op.py``.

``RowNorm`` is a custom ``minigrad.Function``: the Euclidean norm of each row (over the last
axis), y_i = sqrt(sum_j x_ij^2), with the gradient dy_i/dx_ij = x_ij / y_i.  The tests draw
inputs with ``minigrad.testing``'s Hypothesis strategies -- every shape of 1 to 3 axes, values
away from 0 (where the norm has no derivative) -- and compare the gradients, and the gradients
of the gradients, with central differences in float64 (``check_gradients`` runs
``minigrad.gradcheck`` / ``gradgradcheck`` on each draw).  When a check fails, Hypothesis
shrinks the input to the smallest one that still fails and prints it with the report.
See ``examples/07_fuzz_your_op.py`` for a bug these tests catch.
"""
import numpy as np
from hypothesis import given

import minigrad as mg
from minigrad.testing import array_shapes, check_gradients, tensors


class RowNorm(mg.Function):
    """y = ||x||_2 over the last axis: (..., n) -> (...)."""

    def forward(self, x):
        y = self.xp.sqrt(self.xp.sum(x * x, axis=-1))
        self.save_for_backward(x, y)
        return y

    def backward(self, grad):  # dL/dx_ij = dL/dy_i * x_ij / y_i
        x, y = self.saved_tensors
        return (grad / y).unsqueeze(-1) * x


ROWS = tensors(shape=array_shapes(min_dims=1), domain="nonzero", dtype="float64")


@given(ROWS)
def test_forward_matches_numpy(x):
    np.testing.assert_allclose(RowNorm.apply(x).numpy(), np.linalg.norm(x.numpy(), axis=-1), rtol=1e-12)


def test_gradients():
    check_gradients(RowNorm, ROWS, max_examples=30)


def test_second_order_gradients():
    check_gradients(RowNorm, ROWS, max_examples=10, second_order=True)
