"""Hypothesis samplers of the op table's inputs (tests/support/op_specs.py): domains and shape rules.

A sampler is ``sample(draw, shape) -> Sample``: ``shape`` is the shape of the main input, or
None to draw one (at most 3 axes of at most 3 elements: gradient checks cost two calls per
element).  ``Sample.args`` are NumPy arrays: floating ones become differentiable tensors, bool
and integer ones constants; ``Sample.kwargs`` go to both the op and the reference.
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field

import numpy as np
from hypothesis import assume, strategies as st
from hypothesis.extra import numpy as hnp

from minigrad.testing import array_shapes, arrays, broadcastable_shapes, mutually_broadcastable_shapes, valid_axes

MAX_SIDE = 3
SMALL_SHAPES = ((), (1,), (1, 1))


@dataclass
class Sample:
    args: tuple
    kwargs: dict = field(default_factory=dict)


# ----- sampling helpers ---------------------------------------------------------------------
def _shape(draw, shape, min_dims=0, min_side=1, max_side=MAX_SIDE):
    return shape if shape is not None else draw(array_shapes(min_dims, 3, min_side, max_side))


def _arr(draw, shape, domain="real", **kw):
    return draw(arrays(tuple(shape), domain, **kw))


def _other_shape(draw, shape):
    return draw(broadcastable_shapes(shape, max_dims=3, max_side=MAX_SIDE))


# values on two interleaved grids, never closer than 0.15: ties-free for maximum / minimum
GRID_A = st.builds(lambda k, u: 0.5 * k + u, st.integers(-6, 6), st.floats(0, 0.1))
GRID_B = st.builds(lambda k, u: 0.5 * k + 0.25 + u, st.integers(-6, 6), st.floats(0, 0.1))
# clip: x stays 0.15 away from the multiples of 0.5 that serve as bounds
_OFF_BOUNDS = st.builds(lambda k, u: 0.5 * k + 0.25 + u, st.integers(-6, 5), st.floats(-0.1, 0.1))


def unary(domain="real", elements=None, **kwargs_strategies):
    def sample(draw, shape):
        x = _arr(draw, _shape(draw, shape), domain, elements=elements)
        return Sample((x,), {k: draw(s) for k, s in kwargs_strategies.items()})

    return sample


def binary(domain_a="real", domain_b="real", elements_a=None, elements_b=None):
    def sample(draw, shape):
        sa = _shape(draw, shape)
        sb = _other_shape(draw, sa)
        a = _arr(draw, sa, domain_a, elements=elements_a)
        b = _arr(draw, sb, domain_b, elements=elements_b)
        return Sample((a, b))

    return sample


def reduction(domain="real", with_correction=False, min_count=1, elements=None, empty=None):
    """``empty``: sometimes give one axis length 0 -- "any" axis (sum, mean, logsumexp allow
    reducing an empty axis), or only a "kept" (not reduced) one (max, min)."""
    def sample(draw, shape):
        sh = _shape(draw, shape, min_side=1)
        axis = draw(valid_axes(len(sh)))
        sh = _with_empty_axis(draw, sh, axis, empty) if shape is None else sh
        x = _arr(draw, sh, domain, elements=elements)
        kw = {"axis": axis, "keepdims": draw(st.booleans())}
        count = _count(sh, axis)
        assume(count >= min_count)
        if with_correction:
            kw["correction"] = draw(st.sampled_from([0, 1] if count >= 2 else [0]))
        return Sample((x,), kw)

    return sample


def _with_empty_axis(draw, shape, axis, empty):
    """``shape`` with (one draw in five) one axis of length 0, chosen as ``empty`` allows."""
    if empty is None or not shape or draw(st.integers(0, 4)):
        return shape
    reduced = set(range(len(shape))) if axis is None else {a % len(shape) for a in
                                                           (axis if isinstance(axis, tuple) else (axis,))}
    free = [i for i in range(len(shape)) if empty == "any" or i not in reduced]
    if not free:
        return shape
    i = draw(st.sampled_from(free))
    return shape[:i] + (0,) + shape[i + 1:]


def _count(shape, axis):
    axes = range(len(shape)) if axis is None else ([axis] if isinstance(axis, int) else axis)
    return int(np.prod([shape[a] for a in axes])) if len(shape) else 1


def _single_axis(draw, ndim, extra=0):
    return draw(st.integers(-ndim - extra, ndim - 1 + extra))


# ----- samplers of the ops with shape rules ----------------------------------------------------
def fill(*domains):
    """Values for given input shapes, input i from ``domains[i]`` ("bool" draws a mask)."""
    def fill(draw, shapes):
        args = []
        for s, d in zip(shapes, domains):
            args.append(draw(hnp.arrays(np.bool_, s)) if d == "bool" else _arr(draw, s, d))
        return Sample(tuple(args))

    return fill


def grid_fill(draw, shapes):
    return Sample((_arr(draw, shapes[0], elements=GRID_A), _arr(draw, shapes[1], elements=GRID_B)))


def pow_scalar_inputs(draw, shape):
    p = draw(st.sampled_from([2, 3, 0, 1, 0.5, -1.5, 2.5]))
    return Sample((_arr(draw, _shape(draw, shape), "positive", min_value=0.5, max_value=2.0),), {"p": p})


def clip_inputs(draw, shape):
    x = _arr(draw, _shape(draw, shape), elements=_OFF_BOUNDS)
    lo = draw(st.sampled_from([None, -1.0, -0.5, 0.0]))
    hi = draw(st.sampled_from([0.0, 0.5, 1.0] if lo is not None else [-0.5, 0.5, 1.0]))
    if lo is not None and draw(st.booleans()):
        hi = None
    return Sample((x,), {"min": lo, "max": hi})


def where_inputs(draw, shape):
    sc = _shape(draw, shape)
    sa, sb = draw(mutually_broadcastable_shapes(2, max_dims=3, max_side=MAX_SIDE, base_shape=sc))
    return fill("bool", "real", "real")(draw, (sc, sa, sb))


def matmul_inputs(draw, shape):
    n = draw(st.integers(1, 3))
    if shape is None:
        k, m = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        ba = draw(array_shapes(0, 1, 1, 2))
        shape = (k,) if draw(st.booleans()) else ba + (m, k)
    k, batch = shape[-1], shape[:-2]
    other = (k,) if draw(st.booleans()) else draw(broadcastable_shapes(batch, max_dims=1, max_side=2)) + (k, n)
    return fill("real", "real")(draw, (shape, other))


def linear_inputs(draw, shape):
    """x (..., n_in) with 1-3 axes, weight (n_out, n_in), and a bias (n_out,) or none."""
    sh = _shape(draw, shape, min_dims=1)
    n_out = draw(st.integers(1, 3))
    shapes = (sh, (n_out, sh[-1])) + (((n_out,),) if draw(st.booleans()) else ())
    return fill("real", "real", "real")(draw, shapes)


def nll_inputs(draw, shape):
    """log-probabilities and targets of one shape (any reals: the op is bilinear), a class axis,
    and either no scale (one value per example) or a scale (a scalar)."""
    sh = _shape(draw, shape, min_dims=1)
    scale = draw(st.sampled_from([None, 1.0, 0.5]))
    return Sample(fill("real", "real")(draw, (sh, sh)).args, {"axis": _single_axis(draw, len(sh)), "scale": scale})


def softmax_cross_entropy_inputs(draw, shape, elements=None):
    """(m, C) logits, m integer labels in [0, C), no scale (per example) or a scale."""
    m, c = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if shape is None else (shape[0], shape[-1])
    labels = np.array(draw(st.lists(st.integers(0, c - 1), min_size=m, max_size=m)), dtype=np.int64)
    scale = draw(st.sampled_from([None, 1.0, 0.5]))
    return Sample((_arr(draw, (m, c), elements=elements), labels), {"scale": scale})


def softmax_inputs(draw, shape, elements=None):
    sh = _shape(draw, shape, min_dims=1)
    axis = _single_axis(draw, len(sh))
    if shape is None and elements is None:  # sometimes an empty axis (the softmax axis too): empty results
        sh = _with_empty_axis(draw, sh, axis, "any")
    return Sample((_arr(draw, sh, elements=elements),), {"axis": axis})


@functools.lru_cache(maxsize=None)
def _factorizations(size):
    out = [()] if size == 1 else []
    for nd in (1, 2, 3):
        out += [c for c in itertools.product(range(1, size + 1), repeat=nd) if int(np.prod(c)) == size]
    return tuple(out)


def reshape_inputs(draw, shape):
    sh = _shape(draw, shape)
    target = list(draw(st.sampled_from(_factorizations(int(np.prod(sh))))))
    if target and draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return Sample((_arr(draw, sh),), {"shape": tuple(target)})


def transpose_inputs(draw, shape):
    sh = _shape(draw, shape)
    kw = {}
    if sh and draw(st.booleans()):
        kw = {"axis0": _single_axis(draw, len(sh)), "axis1": _single_axis(draw, len(sh))}
    return Sample((_arr(draw, sh),), kw)


def permute_inputs(draw, shape):
    sh = _shape(draw, shape)
    axes = tuple(ax - len(sh) if draw(st.booleans()) else ax for ax in draw(st.permutations(range(len(sh)))))
    return Sample((_arr(draw, sh),), {"axes": axes})


def broadcast_to_inputs(draw, shape, minus_one=False):
    sh = _shape(draw, shape)
    target = list(np.broadcast_shapes(sh, _other_shape(draw, sh)))
    lead = len(target) - len(sh)
    if minus_one:
        for i in range(lead, len(target)):
            if target[i] == sh[i - lead] and draw(st.booleans()):
                target[i] = -1
    return Sample((_arr(draw, sh),), {"shape": tuple(target)})


def sum_to_inputs(draw, shape):
    target = _shape(draw, shape)
    big = np.broadcast_shapes(target, _other_shape(draw, target))
    return Sample((_arr(draw, big),), {"shape": tuple(target)})


def squeeze_inputs(draw, shape):
    sh = _shape(draw, shape, max_side=2)
    ones = [i for i, n in enumerate(sh) if n == 1]
    kind = draw(st.sampled_from(["none", "int", "tuple"] if ones else ["none", "tuple"]))
    kw = {}
    if kind != "none":
        chosen = draw(st.lists(st.sampled_from(ones), unique=True, min_size=kind == "int",
                               max_size=1 if kind == "int" else len(ones))) if ones else []
        chosen = [ax - len(sh) if draw(st.booleans()) else ax for ax in chosen]
        kw["axis"] = chosen[0] if kind == "int" else tuple(chosen)
    return Sample((_arr(draw, sh),), kw)


def unsqueeze_inputs(draw, shape):
    sh = _shape(draw, shape)
    return Sample((_arr(draw, sh),), {"axis": _single_axis(draw, len(sh), extra=1)})


def flatten_inputs(draw, shape):
    sh = _shape(draw, shape)
    kw = {}
    if sh and draw(st.booleans()):
        s, e = sorted(draw(st.integers(0, len(sh) - 1)) for _ in range(2))
        kw = {"start_dim": s - len(sh) if draw(st.booleans()) else s,
              "end_dim": e - len(sh) if draw(st.booleans()) else e}
    return Sample((_arr(draw, sh),), kw)


def concatenate_inputs(draw, shape):
    sh = _shape(draw, shape, min_dims=1)
    axis = _single_axis(draw, len(sh))
    arrays_ = [_arr(draw, sh)]
    for _ in range(draw(st.integers(0, 2))):
        other = list(sh)
        other[axis] = draw(st.integers(0, 3))
        arrays_.append(_arr(draw, tuple(other)))
    return Sample(tuple(arrays_), {"axis": axis})


def stack_inputs(draw, shape):
    sh = _shape(draw, shape)
    count = draw(st.integers(1, 3))
    return Sample(tuple(_arr(draw, sh) for _ in range(count)), {"axis": _single_axis(draw, len(sh), extra=1)})


def split_inputs(draw, shape):
    sh = _shape(draw, shape, min_dims=1)
    axis = _single_axis(draw, len(sh))
    if shape is None:  # sometimes an empty axis, the split one too (one empty piece)
        sh = _with_empty_axis(draw, sh, axis, "any")
    n = sh[axis]
    if draw(st.booleans()):
        sections = draw(st.integers(1, n + 1))
    else:
        cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
        sections = [b - a for a, b in zip([0] + cuts, cuts + [n])]
    return Sample((_arr(draw, sh),), {"sections": sections, "axis": axis})


def pad_inputs(draw, shape):
    sh = _shape(draw, shape)
    if not sh or draw(st.booleans()):
        widths = draw(st.integers(0, 2))
    else:
        widths = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in sh)
    return Sample((_arr(draw, sh),), {"pad_width": widths, "value": draw(st.sampled_from([0.0, -1.5]))})


# ----- indexing keys --------------------------------------------------------------------------
def _slice(draw, n):
    bound = st.none() | st.integers(-n - 1, n + 1)
    return slice(draw(bound), draw(bound), draw(st.sampled_from([None, 1, 2, -1, -2])))


def _basic_key(draw, shape):
    if not shape:
        return draw(st.sampled_from([(), Ellipsis, None, (None, Ellipsis)]))
    parts = []
    for n in shape:
        if draw(st.integers(0, 4)) == 0:
            parts.append(None)
        kind = draw(st.sampled_from(["int", "slice", "all"]))
        parts.append(draw(st.integers(-n, n - 1)) if kind == "int" else _slice(draw, n) if kind == "slice"
                     else slice(None))
    i = draw(st.integers(0, len(parts)))
    j = draw(st.integers(i, len(parts)))
    if draw(st.booleans()):
        parts[i:j] = [Ellipsis]
    else:
        parts = parts[:j]  # trailing axes implicit
    return parts[0] if len(parts) == 1 and draw(st.booleans()) else tuple(parts)


def _int_array_key(draw, shape):
    ax = draw(st.integers(0, len(shape) - 1))
    idx_shape = draw(array_shapes(0, 2, 1, 4))
    idx = draw(hnp.arrays(np.int64, idx_shape, elements=st.integers(-shape[ax], shape[ax] - 1)))
    key = [slice(None)] * ax + [idx]
    rest = [i for i in range(ax + 1, len(shape))]
    if rest and draw(st.booleans()):  # a second integer array, adjacent or not
        ax2 = draw(st.sampled_from(rest))
        key += [slice(None)] * (ax2 - ax - 1)
        key.append(draw(hnp.arrays(np.int64, idx_shape, elements=st.integers(-shape[ax2], shape[ax2] - 1))))
    return tuple(key) if len(key) > 1 or draw(st.booleans()) else key[0]


def getitem_inputs(kind):
    def sample(draw, shape):
        sh = _shape(draw, shape, min_dims=0 if kind != "int-array" else 1)
        if kind == "basic":
            key = _basic_key(draw, sh)
        elif kind == "int-array":
            key = _int_array_key(draw, sh)
        else:
            k = draw(st.integers(0, len(sh)))
            mask = draw(hnp.arrays(np.bool_, sh[:k]))
            key = mask if draw(st.booleans()) else (mask, Ellipsis)
        return Sample((_arr(draw, sh),), {"key": key})

    return sample
