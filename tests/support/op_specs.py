"""The op table: one row (``OpSpec``) per differentiable op, driving tests/minigrad/ops/test_op_table.py.

A row names the op as in ``minigrad.ops.OPS``, gives the minigrad callable, an independent
NumPy reference, and a Hypothesis sampler (tests/support/op_samplers.py) that draws valid inputs: the
**domain** (positive for ``log``, away from kinks and ties where central differences fail) and
the **shape rules** (broadcasting, axes, keepdims).  Adding an op means adding a row here; an op
without a row fails ``test_every_op_has_a_row``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from hypothesis import strategies as st

import minigrad as mg
import op_samplers as smp
from op_samplers import SMALL_SHAPES, Sample

__all__ = ["OpSpec", "Edge", "Sample", "SPECS", "SPECS_BY_ID"]


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
    edge_sample: Callable | None = None  # like sample, drawing extreme values (finite math)
    small_shapes: tuple | None = None  # default: SMALL_SHAPES with at least min_ndim axes

    @property
    def id(self):
        return self.name + (f"-{self.variant}" if self.variant else "")

    def shapes_for_small_test(self):
        if self.small_shapes is not None:
            return self.small_shapes
        return tuple(s for s in SMALL_SHAPES if len(s) >= self.min_ndim)


# ----- NumPy references (written independently of minigrad) ------------------------------------
def _nll_ref(log_probs, target, axis, scale):
    terms = -(log_probs * target)
    return terms.sum(axis=axis) if scale is None else scale * terms.sum()


def _softmax_cross_entropy_ref(z, labels, scale):
    per_example = -np.take_along_axis(_log_softmax_ref(z, axis=1), labels[:, None], axis=1)[:, 0]
    return per_example if scale is None else scale * per_example.sum()


def _softmax_ref(a, axis):
    if a.shape[axis] == 0:  # PyTorch: an empty result
        return a.copy()
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax_ref(a, axis):
    if a.shape[axis] == 0:
        return a.copy()
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


# ----- edges ----------------------------------------------------------------------------------
def _a(*values):
    return np.array(values, dtype=np.float64)


_BIG_LOGITS = np.array([[1e4, -1e4, 0.0], [1e4, 1e4, -1e4], [-1e4, -1e4, -1e4]])
_SATURATED = _a(-1000.0, -30.0, 0.0, 30.0, 1000.0)
_LOGIT_EDGES = (Edge("logits of +-1e4, last axis", (_BIG_LOGITS,), {"axis": -1}),
                Edge("logits of +-1e4, first axis", (_BIG_LOGITS,), {"axis": 0}))
_KINK = _a(-1.0, 0.0, 2.0)


# extreme but mathematically finite inputs, drawn by Hypothesis
_HUGE_LOGITS = st.builds(lambda big, small: big + small, st.sampled_from([-1e4, 0.0, 1e4]), st.floats(-1, 1))
_SATURATING = st.sampled_from([-1000.0, 1000.0]) | st.floats(-1000, 1000)
_NEAR_ZERO = st.floats(1e-10, 1e-3)
_TINY_DIVISOR = st.builds(lambda m, neg: -m if neg else m, st.floats(1e-6, 1e-3), st.booleans())


# ----- the table --------------------------------------------------------------------------------
_REAL2 = smp.fill("real", "real")
_BINARY_CASES = (((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)), ((2, 3), ()), ((3, 1, 2), (2, 1)), ((1,), (2, 2)))

SPECS = [
    OpSpec("add", mg.add, np.add, smp.binary(), broadcast_cases=_BINARY_CASES, sample_fill=_REAL2,
           scalar_forms=((lambda t: t + 0.5, lambda a: a + 0.5), (lambda t: 0.5 + t, lambda a: 0.5 + a),
                         (lambda t: mg.add(t, 2), lambda a: a + 2))),
    OpSpec("sub", mg.sub, np.subtract, smp.binary(), broadcast_cases=_BINARY_CASES, sample_fill=_REAL2,
           scalar_forms=((lambda t: t - 0.5, lambda a: a - 0.5), (lambda t: 0.5 - t, lambda a: 0.5 - a))),
    OpSpec("mul", mg.mul, np.multiply, smp.binary(), broadcast_cases=_BINARY_CASES, sample_fill=_REAL2,
           scalar_forms=((lambda t: t * 1.5, lambda a: a * 1.5), (lambda t: 1.5 * t, lambda a: 1.5 * a))),
    OpSpec("div", mg.div, np.divide, smp.binary("real", "nonzero"), domain="b: |b| >= 0.1",
           edge_sample=smp.binary(elements_b=_TINY_DIVISOR),
           broadcast_cases=_BINARY_CASES, sample_fill=smp.fill("real", "nonzero"),
           scalar_forms=((lambda t: t / 1.5, lambda a: a / 1.5), (lambda t: 1.5 / t, lambda a: 1.5 / a)),
           edges=(Edge("tiny divisor", (_a(1.0, -2.0), _a(1e-4, -1e-4)), eps=1e-10),)),
    OpSpec("neg", mg.neg, np.negative, smp.unary()),
    OpSpec("pow", mg.pow, np.power, smp.binary("positive", "real"), variant="tensor", domain="a >= 0.1",
           broadcast_cases=_BINARY_CASES, sample_fill=smp.fill("positive", "real"),
           scalar_forms=((lambda t: t ** 2, lambda a: a ** 2), (lambda t: t ** 0.5, lambda a: a ** 0.5),
                         (lambda t: 2.0 ** t, lambda a: 2.0 ** a)),
           edges=(Edge("zero base, positive exponents", (_a(0.0, 0.0), _a(2.0, 3.0))),
                  Edge("exponent 0 at base 0: gradients 0 (PyTorch's; was NaN)", (_a(0.0, 2.0), _a(0.0, 0.0)),
                       expected_grad=(_a(0.0, 0.0), _a(0.0, np.log(2.0)))))),
    OpSpec("pow", lambda a, p: mg.pow(a, p), lambda a, p: np.power(a, p), smp.pow_scalar_inputs, variant="scalar",
           domain="a in [0.5, 2], p a Python number",
           edges=(Edge("negative base, integer exponent 2", (_a(-1.5, -0.5, 0.0),), {"p": 2}),
                  Edge("negative base, integer exponent 3", (_a(-1.5, -0.5, 0.0),), {"p": 3}))),
    OpSpec("exp", mg.exp, np.exp, smp.unary(), edge_sample=smp.unary(elements=st.floats(-1000, 30)),
           edges=(Edge("underflow to 0 and large", (_a(-1000.0, -50.0, 20.0),)),)),
    OpSpec("log", mg.log, np.log, smp.unary("positive"), domain="positive",
           edge_sample=smp.unary(elements=_NEAR_ZERO),
           edges=(Edge("near 0", (_a(1e-8, 1e-3, 1.0),), eps=1e-11),)),
    OpSpec("sqrt", mg.sqrt, np.sqrt, smp.unary("positive"), domain="positive",
           edge_sample=smp.unary(elements=_NEAR_ZERO),
           edges=(Edge("near 0", (_a(1e-8, 1e-3, 1.0),), eps=1e-11),)),
    OpSpec("abs", mg.abs, np.abs, smp.unary("nonzero"), domain="nonzero (kink at 0)",
           edges=(Edge("at the kink: gradient 0", (_KINK,), expected_grad=(_a(-1.0, 0.0, 1.0),)),)),
    OpSpec("maximum", mg.maximum, np.maximum, smp.binary(elements_a=smp.GRID_A, elements_b=smp.GRID_B),
           domain="a, b on interleaved grids (no ties)", broadcast_cases=_BINARY_CASES, sample_fill=smp.grid_fill,
           scalar_forms=((lambda t: mg.maximum(t, 0.8), lambda a: np.maximum(a, 0.8)),),
           edges=(Edge("ties share the gradient", (_a(1.0, 2.0, 3.0), _a(1.0, 1.0, 4.0)),
                       expected_grad=(_a(0.5, 1.0, 0.0), _a(0.5, 0.0, 1.0))),)),
    OpSpec("minimum", mg.minimum, np.minimum, smp.binary(elements_a=smp.GRID_A, elements_b=smp.GRID_B),
           domain="a, b on interleaved grids (no ties)", broadcast_cases=_BINARY_CASES, sample_fill=smp.grid_fill,
           scalar_forms=((lambda t: mg.minimum(t, 0.8), lambda a: np.minimum(a, 0.8)),),
           edges=(Edge("ties share the gradient", (_a(1.0, 2.0, 3.0), _a(1.0, 1.0, 4.0)),
                       expected_grad=(_a(0.5, 0.0, 1.0), _a(0.5, 1.0, 0.0))),)),
    OpSpec("clip", lambda a, min=None, max=None: mg.clip(a, min, max),
           lambda a, min=None, max=None: np.clip(a, min, max), smp.clip_inputs, domain="x 0.15 away from the bounds",
           edges=(Edge("at the bounds: gradient 1 (bounds included)", (_a(-1.0, -0.5, 0.5, 1.0, 2.0),),
                       {"min": -0.5, "max": 1.0}, expected_grad=(_a(0.0, 1.0, 1.0, 1.0, 0.0),)),)),
    OpSpec("where", mg.where, np.where, smp.where_inputs, domain="cond: bool constant",
           broadcast_cases=(((2, 1), (1, 3), (3,)), ((), (2, 3), (1, 3)), ((2, 3), (), ())),
           sample_fill=smp.fill("bool", "real", "real"),
           scalar_forms=((lambda t: mg.where(t > 1.0, t, 0.0), lambda a: np.where(a > 1.0, a, 0.0)),)),
    OpSpec("tanh", mg.tanh, np.tanh, smp.unary(), edge_sample=smp.unary(elements=_SATURATING),
           edges=(Edge("saturated at +-1000", (_SATURATED,)),)),
    OpSpec("sigmoid", mg.sigmoid, _sigmoid_ref, smp.unary(), edge_sample=smp.unary(elements=_SATURATING),
           edges=(Edge("saturated at +-1000", (_SATURATED,)),)),
    OpSpec("relu", mg.relu, lambda a: np.maximum(a, 0.0), smp.unary("nonzero"), domain="nonzero (kink at 0)",
           edges=(Edge("at the kink: gradient 0", (_KINK,), expected_grad=(_a(0.0, 0.0, 1.0),)),)),
    OpSpec("leaky_relu", mg.leaky_relu, lambda a, negative_slope=0.01: np.where(a > 0, a, negative_slope * a),
           smp.unary("nonzero", negative_slope=st.sampled_from([0.01, 0.2])), domain="nonzero (kink at 0)",
           scalar_forms=((lambda t: mg.leaky_relu(t, 0.3), lambda a: np.where(a > 0, a, 0.3 * a)),),
           edges=(Edge("at the kink: the negative slope", (_KINK,), {"negative_slope": 0.2},
                       expected_grad=(_a(0.2, 0.2, 1.0),)),)),
    OpSpec("matmul", mg.matmul, np.matmul, smp.matmul_inputs, min_ndim=1, sample_fill=_REAL2,
           broadcast_cases=(((2, 2, 3), (3, 4)), ((1, 2, 3), (2, 3, 2)), ((3,), (2, 3, 2)), ((2, 2, 3), (3,)),
                            ((3,), (3,)))),
    OpSpec("linear", mg.linear, lambda x, w, b=0.0: x @ w.T + b, smp.linear_inputs, min_ndim=1),
    OpSpec("sum", mg.sum, np.sum, smp.reduction(empty="any")),
    OpSpec("mean", mg.mean, np.mean, smp.reduction(empty="kept")),
    OpSpec("var", mg.var, lambda a, axis, keepdims, correction: np.var(a, axis=axis, keepdims=keepdims,
                                                                      ddof=correction),
           smp.reduction(with_correction=True)),
    OpSpec("std", mg.std, lambda a, axis, keepdims, correction: np.std(a, axis=axis, keepdims=keepdims,
                                                                      ddof=correction),
           smp.reduction("separated", with_correction=True, min_count=2),
           domain="distinct values, >= 2 per reduction (std is not differentiable at 0)",
           small_shapes=((1, 2), (2, 1, 1))),
    OpSpec("max", mg.max, np.max, smp.reduction("separated", empty="kept"), domain="distinct values (no ties)",
           edges=(Edge("ties share the gradient", (_a(3.0, 1.0, 3.0, 3.0),), {"axis": 0},
                       expected_grad=(_a(1 / 3, 0.0, 1 / 3, 1 / 3),)),)),
    OpSpec("min", mg.min, np.min, smp.reduction("separated", empty="kept"), domain="distinct values (no ties)",
           edges=(Edge("ties share the gradient", (np.array([[1.0, 2.0], [1.0, 0.5]]),), {"axis": 0},
                       expected_grad=(np.array([[0.5, 0.0], [0.5, 1.0]]),)),)),
    OpSpec("logsumexp", mg.logsumexp, _logsumexp_ref, smp.reduction(empty="any"),
           edge_sample=smp.reduction(elements=_HUGE_LOGITS),
           edges=(Edge("logits of +-1e4", (_BIG_LOGITS,), {"axis": -1, "keepdims": False}),
                  Edge("logits of +-1e4, all axes", (_BIG_LOGITS,), {"axis": None, "keepdims": True}))),
    OpSpec("softmax", mg.softmax, _softmax_ref, smp.softmax_inputs, min_ndim=1,
           edge_sample=functools.partial(smp.softmax_inputs, elements=_HUGE_LOGITS), edges=_LOGIT_EDGES),
    OpSpec("log_softmax", mg.log_softmax, _log_softmax_ref, smp.softmax_inputs, min_ndim=1,
           edge_sample=functools.partial(smp.softmax_inputs, elements=_HUGE_LOGITS), edges=_LOGIT_EDGES),
    OpSpec("nll", mg.nll, _nll_ref, smp.nll_inputs, min_ndim=1),
    OpSpec("softmax_cross_entropy", mg.softmax_cross_entropy, _softmax_cross_entropy_ref,
           smp.softmax_cross_entropy_inputs, min_ndim=2, small_shapes=((1, 1),),
           edge_sample=functools.partial(smp.softmax_cross_entropy_inputs, elements=_HUGE_LOGITS),
           edges=(Edge("logits of +-1e4", (_BIG_LOGITS, np.array([0, 2, 1])), {"scale": 1.0}),
                  Edge("logits of +-1e4, per example", (_BIG_LOGITS, np.array([1, 1, 0])), {"scale": None}))),
    OpSpec("reshape", lambda a, shape: mg.reshape(a, shape), np.reshape, smp.reshape_inputs),
    OpSpec("transpose", mg.transpose, _transpose_ref, smp.transpose_inputs),
    OpSpec("permute", lambda a, axes: mg.permute(a, axes), np.transpose, smp.permute_inputs),
    OpSpec("broadcast_to", lambda a, shape: mg.broadcast_to(a, shape), np.broadcast_to, smp.broadcast_to_inputs),
    OpSpec("expand", lambda a, shape: mg.expand(a, shape), _expand_ref,
           functools.partial(smp.broadcast_to_inputs, minus_one=True)),
    OpSpec("sum_to", mg.sum_to, _sum_to_ref, smp.sum_to_inputs),
    OpSpec("squeeze", mg.squeeze, lambda a, axis=None: np.squeeze(a, axis=axis), smp.squeeze_inputs),
    OpSpec("unsqueeze", mg.unsqueeze, np.expand_dims, smp.unsqueeze_inputs),
    OpSpec("flatten", mg.flatten, _flatten_ref, smp.flatten_inputs),
    OpSpec("concatenate", lambda *ts, axis: mg.concatenate(ts, axis=axis),
           lambda *arrs, axis: np.concatenate(arrs, axis=axis), smp.concatenate_inputs, min_ndim=1),
    OpSpec("stack", lambda *ts, axis: mg.stack(ts, axis=axis), lambda *arrs, axis: np.stack(arrs, axis=axis),
           smp.stack_inputs),
    OpSpec("split", lambda a, sections, axis: mg.split(a, sections, axis=axis), _split_ref, smp.split_inputs,
           min_ndim=1),
    OpSpec("pad", mg.pad, lambda a, pad_width, value: np.pad(a, pad_width, constant_values=value), smp.pad_inputs),
    OpSpec("getitem", mg.getitem, lambda a, key: a[key], smp.getitem_inputs("basic"), variant="basic",
           edges=(Edge("0-d, new axis", (np.array(2.0),), {"key": None}),
                  Edge("0-d, empty tuple", (np.array(2.0),), {"key": ()}))),
    OpSpec("getitem", mg.getitem, lambda a, key: a[key], smp.getitem_inputs("int-array"), variant="int-array",
           min_ndim=1,
           edges=(Edge("repeated indices accumulate", (_a(1.0, 2.0, 3.0),), {"key": np.array([0, 0, 1, 0, 2, 2])},
                       expected_grad=(_a(3.0, 1.0, 2.0),)),
                  Edge("repeated index pairs accumulate", (np.arange(6.0).reshape(3, 2),),
                       {"key": (np.array([0, 0, 2]), np.array([1, 1, 0]))},
                       expected_grad=(np.array([[0.0, 2.0], [0.0, 0.0], [1.0, 0.0]]),)))),
    OpSpec("getitem", mg.getitem, lambda a, key: a[key], smp.getitem_inputs("mask"), variant="mask",
           edges=(Edge("all-False mask", (np.ones((2, 3)),), {"key": np.zeros((2, 3), dtype=bool)},
                       expected_grad=(np.zeros((2, 3)),)),
                  Edge("row mask", (np.ones((3, 2)),), {"key": np.array([True, False, True])},
                       expected_grad=(np.array([[1.0, 1.0], [0.0, 0.0], [1.0, 1.0]]),)))),
]

from op_specs_shape_index import SPECS_SHAPE_INDEX  # noqa: E402  (reductions, scans, ordering, layout, indexing)
SPECS += SPECS_SHAPE_INDEX
SPECS += __import__("op_specs_products_conv").ROWS  # products, linear algebra, convolution, pooling
SPECS += __import__("op_specs_math").build_specs()  # issue 14: elementwise math and activations (opsA)
SPECS += __import__("op_specs_views14").ROWS  # issue 14 (views14): t, select; matrix_norm 'nuc', 2, -2
SPECS_BY_ID = {s.id: s for s in SPECS}
