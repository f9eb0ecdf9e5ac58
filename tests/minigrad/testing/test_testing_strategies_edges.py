"""Every public strategy of ``minigrad.testing`` produces its edge cases.

A suite built on these strategies only notices a bug at an edge if the strategy draws that edge:
each test asks Hypothesis's ``find`` for it (``find`` fails with ``NoSuchExample`` if no draw in the
search budget has it).  Edges: 0-d tensors, size-1 axes, size-0 axes where the caller allows them,
and both bounds of every value domain.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import find, settings, strategies as st

import minigrad as mg
from minigrad import testing as mgt
from minigrad.testing.strategies import DOMAINS

BUDGET = settings(max_examples=2000, database=None)


def _find(strategy, condition):
    return find(strategy, condition, settings=BUDGET)


@pytest.mark.parametrize("name", ["array_shapes", "arrays", "tensors"])
def test_shapes_include_0d_and_size_1(name):
    strategy = {"array_shapes": mgt.array_shapes(),
                "arrays": mgt.arrays(),
                "tensors": mgt.tensors()}[name]
    shape_of = (lambda s: tuple(s)) if name == "array_shapes" else (lambda a: tuple(a.shape))
    assert _find(strategy, lambda x: shape_of(x) == ()) is not None
    assert _find(strategy, lambda x: len(shape_of(x)) >= 1 and 1 in shape_of(x)) is not None
    assert _find(strategy, lambda x: len(shape_of(x)) >= 2 and all(n > 1 for n in shape_of(x))) is not None


@pytest.mark.parametrize("name", ["array_shapes", "arrays", "tensors"])
def test_size_0_axes_when_allowed(name):
    strategy = {"array_shapes": mgt.array_shapes(min_side=0),
                "arrays": mgt.arrays(min_side=0),
                "tensors": mgt.tensors(min_side=0)}[name]
    shape_of = (lambda s: tuple(s)) if name == "array_shapes" else (lambda a: tuple(a.shape))
    found = _find(strategy, lambda x: 0 in shape_of(x))
    assert 0 in shape_of(found)


def test_no_size_0_axes_by_default():
    with pytest.raises(Exception, match="(?i)no.*example|could not find"):
        find(mgt.array_shapes(), lambda s: 0 in s, settings=settings(max_examples=300, database=None))


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_elements_reach_both_bounds_of_each_domain(domain):
    lo, hi = DOMAINS[domain]
    strategy = mgt.elements(domain)
    if domain == "nonzero":  # |x| in [lo, hi], both signs
        for target in (-hi, -lo, lo, hi):
            assert _find(strategy, lambda x, t=target: x == t) == target
        return
    assert _find(strategy, lambda x: x == lo) == lo
    assert _find(strategy, lambda x: x == hi) == hi


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_elements_stay_inside_each_domain(domain):
    lo, hi = DOMAINS[domain]
    inside = (lambda x: lo <= abs(x) <= hi) if domain == "nonzero" else (lambda x: lo <= x <= hi)
    with pytest.raises(Exception, match="(?i)no.*example|could not find"):
        find(mgt.elements(domain), lambda x: not inside(x), settings=settings(max_examples=500, database=None))


def test_tensors_of_integer_and_bool_dtypes_reach_their_edges():
    assert _find(mgt.tensors(dtype="int64"), lambda t: t.numpy().size and t.numpy().min() == -10) is not None
    assert _find(mgt.tensors(dtype="int64"), lambda t: t.numpy().size and t.numpy().max() == 10) is not None
    assert _find(mgt.tensors(dtype="bool"), lambda t: t.numpy().size > 1 and t.numpy().any()
                 and not t.numpy().all()) is not None


def test_broadcastable_shapes_reach_size_1_stretching_and_rank_growth():
    base = (2, 3)
    strategy = mgt.broadcastable_shapes(base)
    found = _find(strategy, lambda s: len(s) >= 1 and s[-1] == 1)
    assert np.broadcast_shapes(found, base) == np.broadcast_shapes(base, found)
    assert _find(strategy, lambda s: len(s) > len(base)) is not None
    assert _find(strategy, lambda s: s == ()) == ()


def test_mutually_broadcastable_shapes_reach_0d_and_mixed_ranks():
    strategy = mgt.mutually_broadcastable_shapes(num_shapes=2)
    assert _find(strategy, lambda r: () in tuple(r)) is not None
    assert _find(strategy, lambda r: len({len(s) for s in r}) == 2) is not None


@pytest.mark.parametrize("ndim", [0, 1, 3])
def test_valid_axes_reach_none_int_negative_and_tuples(ndim):
    strategy = mgt.valid_axes(ndim)
    assert _find(strategy, lambda a: a is None) is None
    if ndim >= 1:
        assert _find(strategy, lambda a: isinstance(a, int) and a < 0) < 0
        assert _find(strategy, lambda a: isinstance(a, int) and a == ndim - 1) == ndim - 1
    assert _find(strategy, lambda a: isinstance(a, tuple) and len(a) == 0) == ()
    if ndim >= 2:
        found = _find(strategy, lambda a: isinstance(a, tuple) and len(a) == ndim)
        assert sorted(x % ndim for x in found) == list(range(ndim))


def test_separated_values_have_no_ties():
    with pytest.raises(Exception, match="(?i)no.*example|could not find"):
        find(mgt.arrays(domain="separated"), lambda a: a.size != np.unique(a).size,
             settings=settings(max_examples=500, database=None))
    found = _find(mgt.arrays(domain="separated"), lambda a: a.size >= 4)
    assert np.all(found * 16 == np.round(found * 16))  # multiples of 1/16


def test_tensors_honour_requires_grad_and_device(device):
    t = _find(mgt.tensors(device=device), lambda t: True)
    assert t.requires_grad and str(t.device).startswith(device)
    assert not _find(mgt.tensors(dtype="int64", device=device), lambda t: True).requires_grad
    assert isinstance(t, mg.Tensor)
