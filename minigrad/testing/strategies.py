"""Hypothesis strategies for tensors, shapes and axes.

Values come from named **domains**, so a test can say "positive" for ``log`` or "nonzero" to
stay away from the kink of ``abs`` and ``relu`` (where central differences fail):

=============  ===============================================================
``real``       [-3, 3]
``positive``   [0.1, 4]          (log, sqrt, divisors, bases of pow)
``negative``   [-4, -0.1]
``nonzero``    |x| in [0.1, 3]   (away from 0: abs, relu, leaky_relu, 1/x)
``unit``       [-0.9, 0.9]       (inside (-1, 1): atanh, arcsin)
``probability``[0.05, 0.95]
``separated``  multiples of 1/16 in [-4, 4], drawn without repeats: no ties
               (max, min, sort, median) and gaps much larger than the step of a
               gradient check; exact in float16, float32 and float64
=============  ===============================================================

``min_value`` / ``max_value`` override a domain's bounds (for ``nonzero`` they bound ``|x|``).
Shapes default to at most 3 dimensions of at most 4 elements: gradient checks cost one or two
function calls per element.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .. import dtypes
from ..creation import tensor as _tensor

__all__ = ["DOMAINS", "elements", "arrays", "tensors", "array_shapes", "broadcastable_shapes",
           "mutually_broadcastable_shapes", "valid_axes"]

DOMAINS = {
    "real": (-3.0, 3.0),
    "positive": (0.1, 4.0),
    "negative": (-4.0, -0.1),
    "nonzero": (0.1, 3.0),
    "unit": (-0.9, 0.9),
    "probability": (0.05, 0.95),
    "separated": (-4.0, 4.0),
}
_GRID = 16  # "separated": values k / 16


def elements(domain="real", min_value=None, max_value=None):
    """Python floats of ``domain`` (see the module docstring), finite, never NaN.

    Both bounds are inclusive and drawn (for "nonzero": ``±lo`` and ``±hi``); ``min_value`` /
    ``max_value`` replace one bound each (for "separated" they are rounded inwards to the 1/16
    grid).  A ValueError for an unknown domain or ``min_value > max_value``.
    """
    if domain not in DOMAINS:
        raise ValueError(f"elements: unknown domain {domain!r}; expected one of {', '.join(DOMAINS)}")
    lo, hi = DOMAINS[domain]
    lo = lo if min_value is None else float(min_value)
    hi = hi if max_value is None else float(max_value)
    if lo > hi:
        raise ValueError(f"elements: min_value {lo} is greater than max_value {hi}")
    if domain == "separated":
        return st.integers(int(np.ceil(lo * _GRID)), int(np.floor(hi * _GRID))).map(lambda k: k / _GRID)
    magnitudes = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    if domain == "nonzero":
        return st.tuples(magnitudes, st.booleans()).map(lambda p: -p[0] if p[1] else p[0])
    return magnitudes


_domain_elements = elements  # arrays() and tensors() take an ``elements`` argument of their own


def array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4):
    """Shapes (tuples of ints) with ``min_dims..max_dims`` axes of ``min_side..max_side`` (inclusive):
    by default the 0-d shape ``()``, size-1 axes and ``(4, 4, 4)`` all occur; size-0 axes only
    with ``min_side=0``."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(shape, min_dims=0, max_dims=None, min_side=1, max_side=4):
    """Shapes that broadcast together with ``shape`` (the result may be larger than ``shape``):
    ``()``, size-1 axes stretched against ``shape``'s, and more axes than ``shape`` (up to
    ``max_dims``, default ``max(len(shape), 3)``) all occur."""
    max_dims = max(len(shape), 3) if max_dims is None else max_dims
    return hnp.broadcastable_shapes(tuple(shape), min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                                    max_side=max_side)


def mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=4, base_shape=()):
    """Tuples of ``num_shapes`` shapes that broadcast together, and with ``base_shape``
    (e.g. the operands of ``a + b``, or of ``where(cond, a, b)`` with ``base_shape=cond.shape``)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims,
                                             min_side=min_side, max_side=max_side,
                                             base_shape=tuple(base_shape)).map(lambda b: b.input_shapes)


def _resolve_shape(draw, shape, min_dims, max_dims, min_side, max_side):
    if shape is None:
        return draw(array_shapes(min_dims, max_dims, min_side, max_side))
    if isinstance(shape, st.SearchStrategy):
        return tuple(draw(shape))
    return (shape,) if isinstance(shape, int) else tuple(shape)


@st.composite
def arrays(draw, shape=None, domain="real", *, elements=None, min_value=None, max_value=None, unique=None,
           min_dims=0, max_dims=3, min_side=1, max_side=4):
    """float64 NumPy arrays of ``shape`` (a tuple, a strategy, or None for any small shape) with
    values in ``domain``; ``unique`` (default: True for "separated") forbids repeated values."""
    shape = _resolve_shape(draw, shape, min_dims, max_dims, min_side, max_side)
    elems = elements if elements is not None else _domain_elements(domain, min_value, max_value)
    unique = (domain == "separated") if unique is None else unique
    return draw(hnp.arrays(np.float64, shape, elements=elems, unique=unique))


@st.composite
def tensors(draw, shape=None, dtype=None, elements=None, *, min_value=None, max_value=None, domain="real",
            unique=None, device=None, requires_grad=None, min_dims=0, max_dims=3, min_side=1, max_side=4):
    """minigrad Tensors.

    Parameters
    ----------
    shape : tuple, int, strategy of shapes, or None
        None draws a shape of ``min_dims..max_dims`` axes of ``min_side..max_side`` elements.
    dtype : dtype or name, optional
        Default: the default float dtype.  Integer dtypes draw integers in
        ``[min_value, max_value]`` (default [-10, 10]); ``bool`` draws booleans.
    elements : strategy, optional
        Strategy of Python scalars; overrides ``domain``.
    min_value, max_value, domain, unique
        Floating values: see :func:`elements` and the table of domains.
    device : str or Device, optional
        Default: the default device when drawn.
    requires_grad : bool, optional
        Default: True for floating dtypes (these strategies exist to check gradients).
    """
    name = dtypes.name_of(dtype) if dtype is not None else dtypes.get_default_dtype()
    shape = _resolve_shape(draw, shape, min_dims, max_dims, min_side, max_side)
    if name == "bool":
        data = draw(hnp.arrays(np.bool_, shape, elements=elements or st.booleans()))
    elif not name.is_floating_point:
        lo = -10 if min_value is None else int(min_value)
        hi = 10 if max_value is None else int(max_value)
        data = draw(hnp.arrays(np.int64, shape, elements=elements or st.integers(lo, hi), unique=bool(unique)))
    else:
        data = draw(arrays(shape, domain, elements=elements, min_value=min_value, max_value=max_value,
                           unique=unique))
    rg = name.is_floating_point if requires_grad is None else bool(requires_grad)
    return _tensor(data, dtype=name, device=device, requires_grad=rg)


@st.composite
def valid_axes(draw, ndim, min_dim=0, max_dim=None, single_axis_only=False, permit_none=True,
               permit_int=True, pos_only=False):
    """An ``axis`` argument valid for a tensor of ``ndim`` dimensions: None (all axes), an int,
    or a tuple of distinct ints in any order, negative ones counting from the end.

    ``min_dim`` / ``max_dim`` bound how many axes are named, both inclusive (None counts as
    ``ndim``, so it is drawn only when ``min_dim <= ndim <= max_dim``; ``max_dim`` above ``ndim``
    means ``ndim``); ``single_axis_only`` gives an int or a 1-tuple, never None;
    ``permit_none=False`` / ``permit_int=False`` leave out None / a bare int (a 1-tuple remains);
    ``pos_only`` forbids negative axes.  Every kind allowed is drawn, the empty tuple (no axis)
    included when ``min_dim`` is 0, and every axis appears both as ``ax`` and as ``ax - ndim``.
    A ValueError when no argument fits the bounds (e.g. ``min_dim > ndim``).
    """
    max_dim = ndim if max_dim is None else min(max_dim, ndim)
    if single_axis_only:
        min_dim, max_dim = max(min_dim, 1), min(max_dim, 1)
    kinds = []
    if permit_none and min_dim <= ndim == max_dim and not single_axis_only:  # None names all ndim axes
        kinds.append("none")
    if permit_int and ndim >= 1 and min_dim <= 1 <= max_dim:
        kinds.append("int")
    if min_dim <= max_dim:
        kinds.append("tuple")
    if not kinds:
        raise ValueError(f"valid_axes: no axis argument names {min_dim}..{max_dim} axes of a {ndim}-d tensor")
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return None
    count = 1 if kind == "int" else draw(st.integers(min_dim, max_dim))
    axes = draw(st.permutations(range(ndim)))[:count]
    if not pos_only:
        axes = [ax - ndim if draw(st.booleans()) else ax for ax in axes]
    return axes[0] if kind == "int" else tuple(axes)
