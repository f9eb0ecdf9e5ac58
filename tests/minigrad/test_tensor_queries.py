"""minigrad.tensor_queries: any / all / argmax / argmin against NumPy, on every device."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import tensor_queries as q

X = np.array([[0.0, 3.0, -1.0, 3.0], [2.0, 0.0, 0.0, -5.0], [0.0, 0.0, 0.0, 0.0]])


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)])
@pytest.mark.parametrize("name", ["any", "all"])
def test_any_all_match_numpy(device, name, axis):
    out = getattr(q, name)(mg.tensor(X, device=device), axis=axis)
    expected = getattr(np, name)(X != 0, axis=axis)
    assert out.dtype == "bool" and out.device == mg.device(device) and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), expected)


@pytest.mark.parametrize("axis,keepdims", [(None, False), (0, False), (1, False), (-1, True), (0, True)])
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin_match_numpy(device, name, axis, keepdims):
    x = mg.tensor(X, device=device, requires_grad=True)
    out = getattr(q, name)(x, axis=axis, keepdims=keepdims)
    expected = getattr(np, name)(X, axis=axis, keepdims=keepdims)  # ties: the first index, in both
    assert out.dtype == "int64" and out.device == x.device and not out.requires_grad
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out.numpy(), expected)


def test_ties_give_the_first_index():
    """Row 0 has its maximum 3.0 at indices 1 and 3, row 2 is all zeros: PyTorch's and NumPy's choice."""
    assert q.argmax(mg.tensor(X), axis=1).tolist() == [1, 0, 0]
    assert q.argmin(mg.tensor(X), axis=1).tolist() == [2, 3, 0]
