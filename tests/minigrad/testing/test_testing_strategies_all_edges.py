"""The rest of the edges of every public strategy of ``minigrad.testing``, each found with ``find``.

test_testing_strategies_edges.py and _more_edges.py cover 0-d, size-1 and size-0 shapes and the
bounds of ``elements``; here: the domain bounds inside ``arrays`` and ``tensors`` (float32 too),
bounds given by ``min_value`` / ``max_value``, the largest shapes each strategy allows (``max_dims``,
``max_side``), the default rank limit of ``broadcastable_shapes``, ``base_shape`` and
``num_shapes`` of ``mutually_broadcastable_shapes``, and every option of ``valid_axes``.  Where
an option forbids something (``pos_only``, ``permit_none=False``) the test shows ``find`` cannot
produce it.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import Phase, find, settings
from hypothesis.errors import NoSuchExample

from minigrad import testing as mgt
from minigrad.testing.strategies import DOMAINS

# no shrinking: the tests need an example with the edge, not the smallest one (and shrinking costs seconds)
BUDGET = settings(max_examples=1000, database=None, phases=[Phase.generate])
NEVER = settings(max_examples=100, database=None, phases=[Phase.generate])


def _find(strategy, condition):
    return find(strategy, condition, settings=BUDGET)


def _never(strategy, condition):
    with pytest.raises(NoSuchExample):
        find(strategy, condition, settings=NEVER)


def _targets(domain):
    lo, hi = DOMAINS[domain]
    return (-hi, -lo, lo, hi) if domain == "nonzero" else (lo, hi)


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_arrays_hold_each_bound_of_each_domain(domain):
    for target in _targets(domain):
        found = _find(mgt.arrays(shape=(3,), domain=domain), lambda a, t=target: bool((a == t).any()))
        assert found.dtype == np.float64 and target in found


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_float32_tensors_hold_each_bound_of_each_domain(domain):
    for target in _targets(domain):
        t32 = np.float32(target)
        found = _find(mgt.tensors(shape=(3,), domain=domain, dtype="float32"),
                      lambda t, v=t32: bool((t.numpy() == v).any()))
        assert found.dtype == "float32" and t32 in found.numpy()


def test_min_and_max_value_are_reached_by_elements_arrays_and_tensors():
    assert _find(mgt.elements("real", min_value=-1.5), lambda x: x == -1.5) == -1.5
    assert _find(mgt.elements("real", max_value=0.5), lambda x: x == 0.5) == 0.5
    assert _find(mgt.elements("real", max_value=0.5), lambda x: x == -3.0) == -3.0  # the other bound stays
    for target in (-2.0, -1.0, 1.0, 2.0):  # nonzero: the bounds are those of |x|, both signs
        assert _find(mgt.elements("nonzero", min_value=1.0, max_value=2.0), lambda x, t=target: x == t) == target
    # separated: bounds off the 1/16 grid are rounded inwards to it
    assert _find(mgt.elements("separated", min_value=0.01, max_value=0.3), lambda x: x == 1 / 16) == 1 / 16
    assert _find(mgt.elements("separated", min_value=0.01, max_value=0.3), lambda x: x == 4 / 16) == 4 / 16
    _never(mgt.elements("separated", min_value=0.01, max_value=0.3), lambda x: not 1 / 16 <= x <= 4 / 16)
    found = _find(mgt.arrays(domain="positive", min_value=2.0, max_value=2.5), lambda a: bool((a == 2.5).any()))
    assert 2.5 in found
    found = _find(mgt.tensors(dtype="float64", min_value=-0.25, max_value=0.0),
                  lambda t: bool((t.numpy() == -0.25).any()))
    assert -0.25 in found.numpy()


def test_elements_refuse_an_unknown_domain_and_crossed_bounds():
    with pytest.raises(ValueError, match="unknown domain 'reals'"):
        mgt.elements("reals")
    with pytest.raises(ValueError, match="min_value 2.0 is greater than max_value 1.0"):
        mgt.elements("real", min_value=2.0, max_value=1.0)
    assert _find(mgt.elements("real", min_value=1.0, max_value=1.0), lambda x: True) == 1.0  # equal bounds: fine


def test_integer_tensors_reach_min_and_max_value_and_unique_ones_never_repeat():
    strategy = mgt.tensors(dtype="int64", min_value=3, max_value=5)
    assert _find(strategy, lambda t: t.numpy().size and t.numpy().min() == 3).numpy().min() == 3
    assert _find(strategy, lambda t: t.numpy().size and t.numpy().max() == 5).numpy().max() == 5
    _never(strategy, lambda t: t.numpy().size and not (3 <= t.numpy().min() and t.numpy().max() <= 5))
    _never(mgt.tensors(shape=(3,), dtype="int64", unique=True), lambda t: len(set(t.numpy().tolist())) < 3)
    assert _find(mgt.tensors(shape=(3,), dtype="int64"), lambda t: len(set(t.numpy().tolist())) < 3) is not None


def test_unique_arrays_never_repeat_and_plain_ones_do():
    _never(mgt.arrays(shape=(4,), unique=True), lambda a: np.unique(a).size < 4)
    found = _find(mgt.arrays(shape=(4,)), lambda a: np.unique(a).size < 4)
    assert np.unique(found).size < 4
    # "separated" is unique by default, unique=False lets it repeat
    assert _find(mgt.arrays(shape=(3,), domain="separated", unique=False), lambda a: np.unique(a).size < 3) is not None


@pytest.mark.parametrize("name", ["array_shapes", "arrays", "tensors"])
def test_default_shapes_reach_3_axes_of_4_and_no_more(name):
    strategy = {"array_shapes": mgt.array_shapes(), "arrays": mgt.arrays(),
                "tensors": mgt.tensors(dtype="float64")}[name]
    shape_of = (lambda s: tuple(s)) if name == "array_shapes" else (lambda a: tuple(a.shape))
    assert len(shape_of(_find(strategy, lambda x: len(shape_of(x)) == 3))) == 3
    assert 4 in shape_of(_find(strategy, lambda x: 4 in shape_of(x)))
    _never(strategy, lambda x: len(shape_of(x)) > 3 or any(n > 4 for n in shape_of(x)))


@pytest.mark.parametrize("name", ["array_shapes", "arrays", "tensors"])
def test_shape_bounds_are_reached_at_both_ends(name):
    kw = dict(min_dims=1, max_dims=2, min_side=2, max_side=3)
    strategy = {"array_shapes": mgt.array_shapes(**kw), "arrays": mgt.arrays(**kw),
                "tensors": mgt.tensors(dtype="float64", **kw)}[name]
    shape_of = (lambda s: tuple(s)) if name == "array_shapes" else (lambda a: tuple(a.shape))
    assert shape_of(_find(strategy, lambda x: shape_of(x) == (2,))) == (2,)
    assert shape_of(_find(strategy, lambda x: shape_of(x) == (3, 3))) == (3, 3)
    _never(strategy, lambda x: not (1 <= len(shape_of(x)) <= 2 and all(2 <= n <= 3 for n in shape_of(x))))


def test_a_fixed_shape_an_int_shape_and_a_shape_strategy():
    assert _find(mgt.arrays(shape=3), lambda a: True).shape == (3,)
    assert _find(mgt.tensors(shape=(), dtype="float64"), lambda t: True).shape == ()
    found = _find(mgt.tensors(shape=mgt.array_shapes(min_dims=2, max_dims=2), dtype="float64"),
                  lambda t: t.shape == (4, 1))
    assert found.shape == (4, 1)


def test_broadcastable_shapes_default_rank_limit():
    # the default max_dims is max(len(shape), 3)
    assert len(_find(mgt.broadcastable_shapes(()), lambda s: len(s) == 3)) == 3
    _never(mgt.broadcastable_shapes(()), lambda s: len(s) > 3)
    base = (2, 1, 3, 1)
    found = _find(mgt.broadcastable_shapes(base), lambda s: len(s) == 4)
    assert np.broadcast_shapes(found, base) is not None
    _never(mgt.broadcastable_shapes(base), lambda s: len(s) > 4)
    # a size-1 axis of the base broadcasts against a larger one
    found = _find(mgt.broadcastable_shapes((1,)), lambda s: len(s) >= 1 and s[-1] == 4)
    assert np.broadcast_shapes(found, (1,))[-1] == 4
    assert _find(mgt.broadcastable_shapes((2,), max_dims=1), lambda s: s == (2,)) == (2,)
    # new leading axes reach max_side (4 by default) and never more
    assert _find(mgt.broadcastable_shapes((2, 3)), lambda s: len(s) == 3 and s[0] == 4)[0] == 4
    _never(mgt.broadcastable_shapes((2, 3)), lambda s: any(n > 4 for n in s))
    assert _find(mgt.broadcastable_shapes((), max_side=2), lambda s: len(s) >= 1 and s[0] == 2)[0] == 2
    _never(mgt.broadcastable_shapes((), max_side=2), lambda s: any(n > 2 for n in s))
    assert len(_find(mgt.broadcastable_shapes((), min_dims=2), lambda s: True)) >= 2


def test_mutually_broadcastable_shapes_num_shapes_base_shape_and_largest_sides():
    assert len(_find(mgt.mutually_broadcastable_shapes(), lambda r: True)) == 2  # two shapes by default
    _never(mgt.mutually_broadcastable_shapes(min_dims=2), lambda r: any(len(s) < 2 for s in r))
    _never(mgt.mutually_broadcastable_shapes(max_side=2), lambda r: any(n > 2 for s in r for n in s))
    three = _find(mgt.mutually_broadcastable_shapes(num_shapes=3), lambda r: len({len(s) for s in r}) == 3)
    assert len(three) == 3 and np.broadcast_shapes(*three) is not None
    strategy = mgt.mutually_broadcastable_shapes()
    assert any(len(s) == 3 for s in _find(strategy, lambda r: any(len(s) == 3 for s in r)))
    assert any(4 in s for s in _find(strategy, lambda r: any(4 in s for s in r)))
    _never(mgt.mutually_broadcastable_shapes(), lambda r: any(len(s) > 3 or any(n > 4 for n in s) for s in r))
    base = (2, 3)
    _never(mgt.mutually_broadcastable_shapes(base_shape=base),
           lambda r: np.broadcast_shapes(*r, base)[-2:] != base)
    found = _find(mgt.mutually_broadcastable_shapes(base_shape=base), lambda r: r[0] == (3,))
    assert found[0] == (3,) and np.broadcast_shapes(*found, base)[-2:] == base


def test_valid_axes_single_axis_only():
    strategy = mgt.valid_axes(3, single_axis_only=True)
    assert _find(strategy, lambda a: isinstance(a, tuple)) in {(x,) for x in range(-3, 3)}
    assert _find(strategy, lambda a: a == -3) == -3
    assert _find(strategy, lambda a: a == 2) == 2
    _never(strategy, lambda a: a is None or (isinstance(a, tuple) and len(a) != 1))


def test_valid_axes_pos_only_never_negative_but_reaches_every_axis():
    strategy = mgt.valid_axes(3, pos_only=True)
    _never(strategy, lambda a: a is not None and min(a if isinstance(a, tuple) else (a,), default=0) < 0)
    for ax in range(3):
        assert _find(strategy, lambda a, ax=ax: a == ax) == ax
    assert _find(strategy, lambda a: isinstance(a, tuple) and len(a) == 3 and a != (0, 1, 2)) is not None


def test_valid_axes_negative_tuples_and_each_negative_axis():
    strategy = mgt.valid_axes(3)
    for ax in (-3, -2, -1):
        assert _find(strategy, lambda a, ax=ax: a == ax) == ax
    found = _find(strategy, lambda a: isinstance(a, tuple) and len(a) == 3 and all(x < 0 for x in a))
    assert sorted(found) == [-3, -2, -1]


def test_valid_axes_min_dim_and_max_dim_bound_the_count():
    strategy = mgt.valid_axes(4, min_dim=2, max_dim=3)
    counts = lambda a: 4 if a is None else (1 if isinstance(a, int) else len(a))  # noqa: E731
    _never(strategy, lambda a: not 2 <= counts(a) <= 3)
    assert len(_find(strategy, lambda a: isinstance(a, tuple) and len(a) == 2)) == 2
    assert len(_find(strategy, lambda a: isinstance(a, tuple) and len(a) == 3)) == 3
    # None names every axis: drawn only when min_dim <= ndim <= max_dim
    assert _find(mgt.valid_axes(2, min_dim=2), lambda a: a is None) is None
    assert _find(mgt.valid_axes(2, max_dim=2), lambda a: a is None) is None
    _never(mgt.valid_axes(2, max_dim=1), lambda a: a is None)
    with pytest.raises(ValueError, match="no axis argument names 3..2 axes of a 2-d tensor"):
        _find(mgt.valid_axes(2, min_dim=3), lambda a: True)
    _never(mgt.valid_axes(2, min_dim=1), lambda a: a == ())
    assert _find(mgt.valid_axes(2, max_dim=5), lambda a: isinstance(a, tuple) and len(a) == 2) is not None


def test_valid_axes_permit_none_and_permit_int_switch_those_kinds_off():
    _never(mgt.valid_axes(2, permit_none=False), lambda a: a is None)
    _never(mgt.valid_axes(2, permit_int=False), lambda a: isinstance(a, int))
    assert _find(mgt.valid_axes(2, permit_int=False), lambda a: a == (1,)) == (1,)
    assert _find(mgt.valid_axes(0, permit_none=False), lambda a: True) == ()
    with pytest.raises(ValueError, match="no axis argument names 1..0 axes of a 0-d tensor"):
        _find(mgt.valid_axes(0, min_dim=1), lambda a: True)
