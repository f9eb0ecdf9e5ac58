"""A broadcast mismatch in an op that also got a Python number names every input's shape,
the number's as ()."""
from __future__ import annotations

import pytest

import minigrad as mg
from minigrad.errors import ShapeError


class AddThree(mg.Function):
    """y = a + b + s for a Python number s; the inputs broadcast together."""

    raw_backward = True
    broadcasts = True

    def forward(self, a, b, s):
        return a + b + s

    def backward(self, g):
        return g, g, None


def test_a_broadcast_mismatch_beside_a_number_names_all_shapes(device):
    with pytest.raises(ShapeError, match=r"^AddThree: shapes \(2,\), \(3,\) and \(\) cannot be broadcast together"):
        AddThree.apply(mg.ones(2, device=device), mg.ones(3, device=device), 0.5)
