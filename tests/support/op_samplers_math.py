"""Samplers of the op table's elementwise math and activation rows (tests/support/op_specs_math.py).

Domains keep central differences away from the points where an op is not differentiable: the
jumps of floor / round / fmod, the kinks of hardtanh / relu6 / hardswish, the threshold of
softplus, the clamp bounds, and the ends of the inverse trig functions.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import op_samplers as smp
from minigrad.testing import mutually_broadcastable_shapes
from op_samplers import MAX_SIDE, Sample, _arr, _other_shape, _shape

# k + v with v in [0.1, 0.4] or [0.6, 0.9]: at least 0.1 from every integer and half-integer
_FRACTION = st.floats(0.1, 0.4) | st.floats(0.6, 0.9)
OFF_INTEGERS = st.builds(lambda k, v: k + v, st.integers(-3, 2), _FRACTION)


def off_halves(k_min, k_max):
    """0.5 k + 0.25 + u, |u| <= 0.1: at least 0.15 from every multiple of 0.5 (the kinks of hardtanh,
    relu6, hardsigmoid, hardswish and softplus' threshold lie on multiples of 0.5)."""
    return st.builds(lambda k, u: 0.5 * k + 0.25 + u, st.integers(k_min, k_max), st.floats(-0.1, 0.1))


# clamp with tensor bounds: x on the grid 0.5 k + [0, 0.1], lo on k + 0.25 + [0, 0.1], hi on k + 0.75 + [0, 0.1]
# (never closer than 0.15 to each other: no ties between x, lo and hi; lo > hi happens)
CLAMP_X = smp.GRID_A
CLAMP_LO = st.builds(lambda k, u: k + 0.25 + u, st.integers(-3, 2), st.floats(0, 0.1))
CLAMP_HI = st.builds(lambda k, u: k + 0.75 + u, st.integers(-3, 2), st.floats(0, 0.1))
# fmod / remainder: a off the multiples of 0.25, b a power of 2: a / b is exactly 0.025+ from an integer
DIVIDEND = off_halves(-6, 5)
DIVISOR = st.sampled_from([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])


def fill_elements(*strategies):
    """Values for given input shapes, input i drawn from ``strategies[i]``."""
    def fill(draw, shapes):
        return Sample(tuple(_arr(draw, s, elements=e) for s, e in zip(shapes, strategies)))

    return fill


def ternary(*strategies):
    """Three mutually broadcasting inputs (lerp, clamp) drawn from ``strategies``."""
    def sample(draw, shape):
        s0 = _shape(draw, shape)
        s1, s2 = draw(mutually_broadcastable_shapes(2, max_dims=3, max_side=MAX_SIDE, base_shape=s0))
        return fill_elements(*strategies)(draw, (s0, s1, s2))

    return sample


def binary_elements(elements_a, elements_b):
    def sample(draw, shape):
        sa = _shape(draw, shape)
        return fill_elements(elements_a, elements_b)(draw, (sa, _other_shape(draw, sa)))

    return sample


def round_inputs(draw, shape):
    """decimals in {0, 1, -1} and values at least 0.1 * 10^-decimals from the rounding jumps."""
    decimals = draw(st.sampled_from([0, 1, -1]))
    scale = 10.0 ** -decimals
    x = _arr(draw, _shape(draw, shape), elements=OFF_INTEGERS.map(lambda v: v * scale))
    return Sample((x,), {"decimals": decimals})


def lerp_scalar_inputs(draw, shape):
    sa = _shape(draw, shape)
    a, b = _arr(draw, sa), _arr(draw, _other_shape(draw, sa))
    return Sample((a, b), {"weight": draw(st.sampled_from([0.25, 0.75, -0.5, 1.5]))})


def a_values(*values):
    return np.array(values, dtype=np.float64)
