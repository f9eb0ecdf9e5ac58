"""The edges test_testing_strategies_edges.py leaves out, each found with Hypothesis's ``find``:
size-0 and size-1 axes from the broadcasting strategies, 0-d integer and bool tensors, the
bounds of the "separated" domain inside arrays, and the axes of a 0-d tensor."""
from __future__ import annotations

from hypothesis import find, settings

from minigrad import testing as mgt

BUDGET = settings(max_examples=2000, database=None)


def _find(strategy, condition):
    return find(strategy, condition, settings=BUDGET)


def test_broadcastable_shapes_reach_size_0_when_allowed():
    assert 0 in _find(mgt.broadcastable_shapes((2, 3), min_side=0), lambda s: 0 in s)


def test_mutually_broadcastable_shapes_reach_size_1_and_size_0_axes():
    found = _find(mgt.mutually_broadcastable_shapes(), lambda r: any(1 in s for s in r))
    assert any(1 in s for s in found)
    found = _find(mgt.mutually_broadcastable_shapes(min_side=0), lambda r: any(0 in s for s in r))
    assert any(0 in s for s in found)


def test_integer_and_bool_tensors_reach_0d():
    assert _find(mgt.tensors(dtype="int64"), lambda t: t.shape == ()).shape == ()
    assert _find(mgt.tensors(dtype="bool"), lambda t: t.shape == ()).shape == ()


def test_separated_arrays_reach_both_bounds():
    assert _find(mgt.arrays(domain="separated"), lambda a: a.size and a.min() == -4.0).min() == -4.0
    assert _find(mgt.arrays(domain="separated"), lambda a: a.size and a.max() == 4.0).max() == 4.0


def test_valid_axes_of_a_0d_tensor_are_none_and_the_empty_tuple():
    assert _find(mgt.valid_axes(0), lambda a: a is None) is None
    assert _find(mgt.valid_axes(0), lambda a: a == ()) == ()
