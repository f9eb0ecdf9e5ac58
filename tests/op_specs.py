"""The op table: one row (``OpSpec``) per differentiable op, driving tests/test_op_table.py.

A row names the op as in ``minigrad.ops.OPS``, gives the minigrad callable, an independent
NumPy reference, and a Hypothesis sampler that draws valid inputs: the **domain** (positive for
``log``, away from kinks and ties where central differences fail) and the **shape rules**
(broadcasting, axes, keepdims).  Adding an op means adding a row here; an op without a row
fails ``test_every_op_has_a_row``.

A sampler is ``sample(draw, shape) -> Sample``: ``shape`` is the shape of the main input, or
None to draw one (at most 3 axes of at most 3 elements: gradient checks cost two calls per
element).  ``Sample.args`` are NumPy arrays: floating ones become differentiable tensors, bool
and integer ones constants; ``Sample.kwargs`` go to both the op and the reference.
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from hypothesis import assume, strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad.testing import array_shapes, arrays, broadcastable_shapes, mutually_broadcastable_shapes, valid_axes

MAX_SIDE = 3
SMALL_SHAPES = ((), (1,), (1, 1))


@dataclass
class Sample:
    args: tuple
    kwargs: dict = field(default_factory=dict)


@dataclass
class Edge:
    """A fixed input at the edge of an op's domain: values and gradients must be finite
    (in float32 and float64).  ``gradcheck`` (float64) runs with ``eps`` unless
    ``expected_grad`` is given: the gradient of ``sum(op(...))`` by the documented
    convention at a non-smooth point, one array per floating input."""

    note: str
    args: tuple
    kwargs: dict = field(default_factory=dict)
    eps: float = 1e-6
    expected_grad: tuple | None = None


@dataclass
class OpSpec:
    name: str  # as in minigrad.ops.OPS
    op: Callable  # op(*tensors, **kwargs) -> Tensor or list of Tensors
    ref: Callable  # ref(*float64 arrays, **kwargs) -> array or list of arrays
    sample: Callable  # sample(draw, shape or None) -> Sample
    domain: str = "real"  # what the sampler draws from (documentation)
    variant: str = ""
    min_ndim: int = 0
    second_order: bool = True
    broadcast_cases: tuple = ()  # fixed shapes (one per input) that broadcast together
    sample_fill: Callable | None = None  # fill(draw, shapes) -> Sample: values for broadcast_cases
    scalar_forms: tuple = ()  # (minigrad form of a tensor t, NumPy form of an array a) with a Python scalar
    edges: tuple = ()
    small_shapes: tuple | None = None  # default: SMALL_SHAPES with at least min_ndim axes

    @property
    def id(self):
        return self.name + (f"-{self.variant}" if self.variant else "")

    def shapes_for_small_test(self):
        if self.small_shapes is not None:
            return self.small_shapes
        return tuple(s for s in SMALL_SHAPES if len(s) >= self.min_ndim)


# ----- sampling helpers ---------------------------------------------------------------------
def _shape(draw, shape, min_dims=0, min_side=1, max_side=MAX_SIDE):
    return shape if shape is not None else draw(array_shapes(min_dims, 3, min_side, max_side))


def _arr(draw, shape, domain="real", **kw):
    return draw(arrays(tuple(shape), domain, **kw))


def _other_shape(draw, shape):
    return draw(broadcastable_shapes(shape, max_dims=3, max_side=MAX_SIDE))


# values on two interleaved grids, never closer than 0.15: ties-free for maximum / minimum
_GRID_A = st.builds(lambda k, u: 0.5 * k + u, st.integers(-6, 6), st.floats(0, 0.1))
_GRID_B = st.builds(lambda k, u: 0.5 * k + 0.25 + u, st.integers(-6, 6), st.floats(0, 0.1))
# clip: x stays 0.15 away from the multiples of 0.5 that serve as bounds
_OFF_BOUNDS = st.builds(lambda k, u: 0.5 * k + 0.25 + u, st.integers(-6, 5), st.floats(-0.1, 0.1))


def unary(domain="real", **kwargs_strategies):
    def sample(draw, shape):
        x = _arr(draw, _shape(draw, shape), domain)
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


def _reduction(domain="real", with_correction=False, min_count=1):
    def sample(draw, shape):
        sh = _shape(draw, shape, min_side=1)
        x = _arr(draw, sh, domain)
        axis = draw(valid_axes(len(sh)))
        kw = {"axis": axis, "keepdims": draw(st.booleans())}
        count = _count(sh, axis)
        assume(count >= min_count)
        if with_correction:
            kw["correction"] = draw(st.sampled_from([0, 1] if count >= 2 else [0]))
        return Sample((x,), kw)

    return sample


def _count(shape, axis):
    axes = range(len(shape)) if axis is None else ([axis] if isinstance(axis, int) else axis)
    return int(np.prod([shape[a] for a in axes])) if len(shape) else 1


def _single_axis(draw, ndim, extra=0):
    return draw(st.integers(-ndim - extra, ndim - 1 + extra))


# ----- NumPy references (written independently of minigrad) ------------------------------------
def _softmax_ref(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax_ref(a, axis):
    s = a - a.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def _logsumexp_ref(a, axis, keepdims):
    m = np.max(a, axis=axis, keepdims=True) if a.size else 0.0
    out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    if keepdims:
        return out
    return np.squeeze(out, axis=axis) if axis is not None else out.reshape(())


def _sigmoid_ref(a):
    return np.exp(-np.logaddexp(0.0, -a))  # 1 / (1 + e^-a) without overflow


def _sum_to_ref(a, shape):
    lead = a.ndim - len(shape)
    out = a.sum(axis=tuple(range(lead))) if lead else a
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and out.shape[i] != 1)
    return out.sum(axis=axes, keepdims=True) if axes else out


def _flatten_ref(a, start_dim=0, end_dim=-1):
    if a.ndim == 0:
        return a.reshape(1)
    s, e = start_dim % a.ndim, end_dim % a.ndim
    return a.reshape(a.shape[:s] + (int(np.prod(a.shape[s:e + 1])),) + a.shape[e + 1:])


def _split_ref(a, sections, axis):
    n = a.shape[axis]
    cuts = list(range(sections, n, sections)) if isinstance(sections, int) else list(np.cumsum(sections)[:-1])
    return np.split(a, cuts, axis=axis)


def _transpose_ref(a, **kw):
    if not kw:
        return np.swapaxes(a, -2, -1) if a.ndim >= 2 else a
    return np.swapaxes(a, kw["axis0"], kw["axis1"])


def _expand_ref(a, shape):
    lead = len(shape) - a.ndim
    return np.broadcast_to(a, tuple(a.shape[i - lead] if n == -1 else n for i, n in enumerate(shape)))


# ----- samplers of the ops with shape rules ----------------------------------------------------
def _fill(*domains):
    """Values for given input shapes, input i from ``domains[i]`` ("bool" draws a mask)."""
    def fill(draw, shapes):
        args = []
        for s, d in zip(shapes, domains):
            args.append(draw(hnp.arrays(np.bool_, s)) if d == "bool" else _arr(draw, s, d))
        return Sample(tuple(args))

    return fill


def _grid_fill(draw, shapes):
    return Sample((_arr(draw, shapes[0], elements=_GRID_A), _arr(draw, shapes[1], elements=_GRID_B)))


def _pow_scalar(draw, shape):
    p = draw(st.sampled_from([2, 3, 0, 1, 0.5, -1.5, 2.5]))
    return Sample((_arr(draw, _shape(draw, shape), "positive", min_value=0.5, max_value=2.0),), {"p": p})


def _clip(draw, shape):
    x = _arr(draw, _shape(draw, shape), elements=_OFF_BOUNDS)
    lo = draw(st.sampled_from([None, -1.0, -0.5, 0.0]))
    hi = draw(st.sampled_from([0.0, 0.5, 1.0] if lo is not None else [-0.5, 0.5, 1.0]))
    if lo is not None and draw(st.booleans()):
        hi = None
    return Sample((x,), {"min": lo, "max": hi})


def _where(draw, shape):
    sc = _shape(draw, shape)
    sa, sb = draw(mutually_broadcastable_shapes(2, max_dims=3, max_side=MAX_SIDE, base_shape=sc))
    return _fill("bool", "real", "real")(draw, (sc, sa, sb))


def _matmul(draw, shape):
    n = draw(st.integers(1, 3))
    if shape is None:
        k, m = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        ba = draw(array_shapes(0, 1, 1, 2))
        shape = (k,) if draw(st.booleans()) else ba + (m, k)
    k, batch = shape[-1], shape[:-2]
    other = (k,) if draw(st.booleans()) else draw(broadcastable_shapes(batch, max_dims=1, max_side=2)) + (k, n)
    return _fill("real", "real")(draw, (shape, other))


def _softmax(draw, shape):
    sh = _shape(draw, shape, min_dims=1)
    return Sample((_arr(draw, sh),), {"axis": _single_axis(draw, len(sh))})


@functools.lru_cache(maxsize=None)
def _factorizations(size):
    out = [()] if size == 1 else []
    for nd in (1, 2, 3):
        out += [c for c in itertools.product(range(1, size + 1), repeat=nd) if int(np.prod(c)) == size]
    return tuple(out)


def _reshape(draw, shape):
    sh = _shape(draw, shape)
    target = list(draw(st.sampled_from(_factorizations(int(np.prod(sh))))))
    if target and draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return Sample((_arr(draw, sh),), {"shape": tuple(target)})


def _transpose(draw, shape):
    sh = _shape(draw, shape)
    kw = {}
    if sh and draw(st.booleans()):
        kw = {"axis0": _single_axis(draw, len(sh)), "axis1": _single_axis(draw, len(sh))}
    return Sample((_arr(draw, sh),), kw)


def _permute(draw, shape):
    sh = _shape(draw, shape)
    axes = tuple(ax - len(sh) if draw(st.booleans()) else ax for ax in draw(st.permutations(range(len(sh)))))
    return Sample((_arr(draw, sh),), {"axes": axes})


def _broadcast_to(draw, shape, minus_one=False):
    sh = _shape(draw, shape)
    target = list(np.broadcast_shapes(sh, _other_shape(draw, sh)))
    lead = len(target) - len(sh)
    if minus_one:
        for i in range(lead, len(target)):
            if target[i] == sh[i - lead] and draw(st.booleans()):
                target[i] = -1
    return Sample((_arr(draw, sh),), {"shape": tuple(target)})


def _sum_to(draw, shape):
    target = _shape(draw, shape)
    big = np.broadcast_shapes(target, _other_shape(draw, target))
    return Sample((_arr(draw, big),), {"shape": tuple(target)})


def _squeeze(draw, shape):
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


def _unsqueeze(draw, shape):
    sh = _shape(draw, shape)
    return Sample((_arr(draw, sh),), {"axis": _single_axis(draw, len(sh), extra=1)})


def _flatten(draw, shape):
    sh = _shape(draw, shape)
    kw = {}
    if sh and draw(st.booleans()):
        s, e = sorted(draw(st.integers(0, len(sh) - 1)) for _ in range(2))
        kw = {"start_dim": s - len(sh) if draw(st.booleans()) else s,
              "end_dim": e - len(sh) if draw(st.booleans()) else e}
    return Sample((_arr(draw, sh),), kw)


def _concatenate(draw, shape):
    sh = _shape(draw, shape, min_dims=1)
    axis = _single_axis(draw, len(sh))
    arrays_ = [_arr(draw, sh)]
    for _ in range(draw(st.integers(0, 2))):
        other = list(sh)
        other[axis] = draw(st.integers(0, 3))
        arrays_.append(_arr(draw, tuple(other)))
    return Sample(tuple(arrays_), {"axis": axis})


def _stack(draw, shape):
    sh = _shape(draw, shape)
    count = draw(st.integers(1, 3))
    return Sample(tuple(_arr(draw, sh) for _ in range(count)), {"axis": _single_axis(draw, len(sh), extra=1)})


def _split(draw, shape):
    sh = _shape(draw, shape, min_dims=1)
    axis = _single_axis(draw, len(sh))
    n = sh[axis]
    if draw(st.booleans()):
        sections = draw(st.integers(1, n + 1))
    else:
        cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
        sections = [b - a for a, b in zip([0] + cuts, cuts + [n])]
    return Sample((_arr(draw, sh),), {"sections": sections, "axis": axis})


def _pad(draw, shape):
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


def _getitem(kind):
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


# ----- edges ----------------------------------------------------------------------------------
def _a(*values):
    return np.array(values, dtype=np.float64)


_BIG_LOGITS = np.array([[1e4, -1e4, 0.0], [1e4, 1e4, -1e4], [-1e4, -1e4, -1e4]])
_SATURATED = _a(-1000.0, -30.0, 0.0, 30.0, 1000.0)
_LOGIT_EDGES = (Edge("logits of +-1e4, last axis", (_BIG_LOGITS,), {"axis": -1}),
                Edge("logits of +-1e4, first axis", (_BIG_LOGITS,), {"axis": 0}))
_KINK = _a(-1.0, 0.0, 2.0)
_POSITIVE_VALUES = np.array([[0.5, 1.25, 0.75], [2.0, 1.5, 0.3]])


# ----- the table --------------------------------------------------------------------------------
_BINARY_CASES = (((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)), ((2, 3), ()), ((3, 1, 2), (2, 1)), ((1,), (2, 2)))

SPECS = [
    OpSpec("add", mg.add, np.add, binary(), broadcast_cases=_BINARY_CASES, sample_fill=_fill("real", "real"),
           scalar_forms=((lambda t: t + 0.5, lambda a: a + 0.5), (lambda t: 0.5 + t, lambda a: 0.5 + a),
                         (lambda t: mg.add(t, 2), lambda a: a + 2))),
    OpSpec("sub", mg.sub, np.subtract, binary(), broadcast_cases=_BINARY_CASES, sample_fill=_fill("real", "real"),
           scalar_forms=((lambda t: t - 0.5, lambda a: a - 0.5), (lambda t: 0.5 - t, lambda a: 0.5 - a))),
    OpSpec("mul", mg.mul, np.multiply, binary(), broadcast_cases=_BINARY_CASES, sample_fill=_fill("real", "real"),
           scalar_forms=((lambda t: t * 1.5, lambda a: a * 1.5), (lambda t: 1.5 * t, lambda a: 1.5 * a))),
    OpSpec("div", mg.div, np.divide, binary("real", "nonzero"), domain="b: |b| >= 0.1",
           broadcast_cases=_BINARY_CASES, sample_fill=_fill("real", "nonzero"),
           scalar_forms=((lambda t: t / 1.5, lambda a: a / 1.5), (lambda t: 1.5 / t, lambda a: 1.5 / a)),
           edges=(Edge("tiny divisor", (_a(1.0, -2.0), _a(1e-4, -1e-4)), eps=1e-10),)),
    OpSpec("neg", mg.neg, np.negative, unary()),
    OpSpec("pow", mg.pow, np.power, binary("positive", "real"), variant="tensor", domain="a >= 0.1",
           broadcast_cases=_BINARY_CASES, sample_fill=_fill("positive", "real"),
           scalar_forms=((lambda t: t ** 2, lambda a: a ** 2), (lambda t: t ** 0.5, lambda a: a ** 0.5),
                         (lambda t: 2.0 ** t, lambda a: 2.0 ** a)),
           edges=(Edge("zero base, positive exponents", (_a(0.0, 0.0), _a(2.0, 3.0))),)),
    OpSpec("pow", lambda a, p: mg.pow(a, p), lambda a, p: np.power(a, p), _pow_scalar, variant="scalar",
           domain="a in [0.5, 2], p a Python number",
           edges=(Edge("negative base, integer exponent 2", (_a(-1.5, -0.5, 0.0),), {"p": 2}),
                  Edge("negative base, integer exponent 3", (_a(-1.5, -0.5, 0.0),), {"p": 3}))),
    OpSpec("exp", mg.exp, np.exp, unary(),
           edges=(Edge("underflow to 0 and large", (_a(-1000.0, -50.0, 20.0),)),)),
    OpSpec("log", mg.log, np.log, unary("positive"), domain="positive",
           edges=(Edge("near 0", (_a(1e-8, 1e-3, 1.0),), eps=1e-11),)),
    OpSpec("sqrt", mg.sqrt, np.sqrt, unary("positive"), domain="positive",
           edges=(Edge("near 0", (_a(1e-8, 1e-3, 1.0),), eps=1e-11),)),
    OpSpec("abs", mg.abs, np.abs, unary("nonzero"), domain="nonzero (kink at 0)",
           edges=(Edge("at the kink: gradient 0", (_KINK,), expected_grad=(_a(-1.0, 0.0, 1.0),)),)),
    OpSpec("maximum", mg.maximum, np.maximum, binary(elements_a=_GRID_A, elements_b=_GRID_B),
           domain="a, b on interleaved grids (no ties)", broadcast_cases=_BINARY_CASES, sample_fill=_grid_fill,
           scalar_forms=((lambda t: mg.maximum(t, 0.8), lambda a: np.maximum(a, 0.8)),),
           edges=(Edge("ties share the gradient", (_a(1.0, 2.0, 3.0), _a(1.0, 1.0, 4.0)),
                       expected_grad=(_a(0.5, 1.0, 0.0), _a(0.5, 0.0, 1.0))),)),
    OpSpec("minimum", mg.minimum, np.minimum, binary(elements_a=_GRID_A, elements_b=_GRID_B),
           domain="a, b on interleaved grids (no ties)", broadcast_cases=_BINARY_CASES, sample_fill=_grid_fill,
           scalar_forms=((lambda t: mg.minimum(t, 0.8), lambda a: np.minimum(a, 0.8)),),
           edges=(Edge("ties share the gradient", (_a(1.0, 2.0, 3.0), _a(1.0, 1.0, 4.0)),
                       expected_grad=(_a(0.5, 0.0, 1.0), _a(0.5, 1.0, 0.0))),)),
    OpSpec("clip", lambda a, min=None, max=None: mg.clip(a, min, max),
           lambda a, min=None, max=None: np.clip(a, min, max), _clip, domain="x 0.15 away from the bounds",
           edges=(Edge("at the bounds: gradient 1 (bounds included)", (_a(-1.0, -0.5, 0.5, 1.0, 2.0),),
                       {"min": -0.5, "max": 1.0}, expected_grad=(_a(0.0, 1.0, 1.0, 1.0, 0.0),)),)),
    OpSpec("where", mg.where, np.where, _where, domain="cond: bool constant",
           broadcast_cases=(((2, 1), (1, 3), (3,)), ((), (2, 3), (1, 3)), ((2, 3), (), ())),
           sample_fill=_fill("bool", "real", "real"),
           scalar_forms=((lambda t: mg.where(t > 1.0, t, 0.0), lambda a: np.where(a > 1.0, a, 0.0)),)),
    OpSpec("tanh", mg.tanh, np.tanh, unary(), edges=(Edge("saturated at +-1000", (_SATURATED,)),)),
    OpSpec("sigmoid", mg.sigmoid, _sigmoid_ref, unary(), edges=(Edge("saturated at +-1000", (_SATURATED,)),)),
    OpSpec("relu", mg.relu, lambda a: np.maximum(a, 0.0), unary("nonzero"), domain="nonzero (kink at 0)",
           edges=(Edge("at the kink: gradient 0", (_KINK,), expected_grad=(_a(0.0, 0.0, 1.0),)),)),
    OpSpec("leaky_relu", mg.leaky_relu, lambda a, negative_slope=0.01: np.where(a > 0, a, negative_slope * a),
           unary("nonzero", negative_slope=st.sampled_from([0.01, 0.2])), domain="nonzero (kink at 0)",
           scalar_forms=((lambda t: mg.leaky_relu(t, 0.3), lambda a: np.where(a > 0, a, 0.3 * a)),),
           edges=(Edge("at the kink: the negative slope", (_KINK,), {"negative_slope": 0.2},
                       expected_grad=(_a(0.2, 0.2, 1.0),)),)),
    OpSpec("matmul", mg.matmul, np.matmul, _matmul, min_ndim=1, sample_fill=_fill("real", "real"),
           broadcast_cases=(((2, 2, 3), (3, 4)), ((1, 2, 3), (2, 3, 2)), ((3,), (2, 3, 2)), ((2, 2, 3), (3,)),
                            ((3,), (3,)))),
    OpSpec("sum", mg.sum, np.sum, _reduction()),
    OpSpec("mean", mg.mean, np.mean, _reduction()),
    OpSpec("var", mg.var, lambda a, axis, keepdims, correction: np.var(a, axis=axis, keepdims=keepdims,
                                                                      ddof=correction),
           _reduction(with_correction=True)),
    OpSpec("std", mg.std, lambda a, axis, keepdims, correction: np.std(a, axis=axis, keepdims=keepdims,
                                                                      ddof=correction),
           _reduction("separated", with_correction=True, min_count=2),
           domain="distinct values, >= 2 per reduction (std is not differentiable at 0)",
           small_shapes=((1, 2), (2, 1, 1))),
    OpSpec("max", mg.max, np.max, _reduction("separated"), domain="distinct values (no ties)",
           edges=(Edge("ties share the gradient", (_a(3.0, 1.0, 3.0, 3.0),), {"axis": 0},
                       expected_grad=(_a(1 / 3, 0.0, 1 / 3, 1 / 3),)),)),
    OpSpec("min", mg.min, np.min, _reduction("separated"), domain="distinct values (no ties)",
           edges=(Edge("ties share the gradient", (np.array([[1.0, 2.0], [1.0, 0.5]]),), {"axis": 0},
                       expected_grad=(np.array([[0.5, 0.0], [0.5, 1.0]]),)),)),
    OpSpec("logsumexp", mg.logsumexp, _logsumexp_ref, _reduction(),
           edges=(Edge("logits of +-1e4", (_BIG_LOGITS,), {"axis": -1, "keepdims": False}),
                  Edge("logits of +-1e4, all axes", (_BIG_LOGITS,), {"axis": None, "keepdims": True}))),
    OpSpec("softmax", mg.softmax, _softmax_ref, _softmax, min_ndim=1, edges=_LOGIT_EDGES),
    OpSpec("log_softmax", mg.log_softmax, _log_softmax_ref, _softmax, min_ndim=1, edges=_LOGIT_EDGES),
    OpSpec("reshape", lambda a, shape: mg.reshape(a, shape), np.reshape, _reshape),
    OpSpec("transpose", mg.transpose, _transpose_ref, _transpose),
    OpSpec("permute", lambda a, axes: mg.permute(a, axes), np.transpose, _permute),
    OpSpec("broadcast_to", lambda a, shape: mg.broadcast_to(a, shape), np.broadcast_to, _broadcast_to),
    OpSpec("expand", lambda a, shape: mg.expand(a, shape), _expand_ref, functools.partial(_broadcast_to, minus_one=True)),
    OpSpec("sum_to", mg.sum_to, _sum_to_ref, _sum_to),
    OpSpec("squeeze", mg.squeeze, lambda a, axis=None: np.squeeze(a, axis=axis), _squeeze),
    OpSpec("unsqueeze", mg.unsqueeze, np.expand_dims, _unsqueeze),
    OpSpec("flatten", mg.flatten, _flatten_ref, _flatten),
    OpSpec("concatenate", lambda *ts, axis: mg.concatenate(ts, axis=axis),
           lambda *arrs, axis: np.concatenate(arrs, axis=axis), _concatenate, min_ndim=1),
    OpSpec("stack", lambda *ts, axis: mg.stack(ts, axis=axis), lambda *arrs, axis: np.stack(arrs, axis=axis),
           _stack),
    OpSpec("split", lambda a, sections, axis: mg.split(a, sections, axis=axis), _split_ref, _split, min_ndim=1),
    OpSpec("pad", mg.pad, lambda a, pad_width, value: np.pad(a, pad_width, constant_values=value), _pad),
    OpSpec("getitem", mg.getitem, lambda a, key: a[key], _getitem("basic"), variant="basic",
           edges=(Edge("0-d, new axis", (np.array(2.0),), {"key": None}),
                  Edge("0-d, empty tuple", (np.array(2.0),), {"key": ()}))),
    OpSpec("getitem", mg.getitem, lambda a, key: a[key], _getitem("int-array"), variant="int-array", min_ndim=1,
           edges=(Edge("repeated indices accumulate", (_a(1.0, 2.0, 3.0),), {"key": np.array([0, 0, 1, 0, 2, 2])},
                       expected_grad=(_a(3.0, 1.0, 2.0),)),
                  Edge("repeated index pairs accumulate", (np.arange(6.0).reshape(3, 2),),
                       {"key": (np.array([0, 0, 2]), np.array([1, 1, 0]))},
                       expected_grad=(np.array([[0.0, 2.0], [0.0, 0.0], [1.0, 0.0]]),)))),
    OpSpec("getitem", mg.getitem, lambda a, key: a[key], _getitem("mask"), variant="mask",
           edges=(Edge("all-False mask", (np.ones((2, 3)),), {"key": np.zeros((2, 3), dtype=bool)},
                       expected_grad=(np.zeros((2, 3)),)),
                  Edge("row mask", (np.ones((3, 2)),), {"key": np.array([True, False, True])},
                       expected_grad=(np.array([[1.0, 1.0], [0.0, 0.0], [1.0, 1.0]]),)))),
]

SPECS_BY_ID = {s.id: s for s in SPECS}
