"""Generic tests driven by the op table (tests/support/op_specs.py): every row, every backend.

For each row: forward against its NumPy reference (float32 and float64, dtype and device kept),
backward against central differences in float64 (``mg.gradcheck``), second order
(``mg.gradgradcheck``), float32 gradients against float64 ones, 0-d and size-1 shapes,
broadcasting, Python scalars that keep float32, and fixed edge inputs (huge logits, saturated
activations, log near 0, repeated indices, masks, kinks) whose values and gradients must be
finite.  The ``check_*`` functions are plain functions so tests/mutation/run_mutations.py can
call the same checks.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minigrad as mg
from minigrad.ops import OPS
from op_specs import SPECS

FORWARD_TOL = {"float32": dict(rtol=1e-4, atol=1e-5), "float64": dict(rtol=1e-10, atol=1e-12)}
EDGE_TOL = {"float32": dict(rtol=1e-4, atol=1e-6), "float64": dict(rtol=1e-9, atol=1e-12)}
F32_GRAD_TOL = dict(rtol=2e-3, atol=2e-4)  # float32 gradients against float64 ones
DTYPES = [pytest.param(d, id=f"dtype={d}") for d in ("float32", "float64")]


def _rows(predicate=lambda s: True):
    return [pytest.param(s, id=f"op={s.id}") for s in SPECS if predicate(s)]


def _fewer(divisor):
    """Settings with a fraction of the profile's examples (the expensive checks)."""
    return settings(max_examples=max(2, settings.default.max_examples // divisor))


# ----- building blocks --------------------------------------------------------------------------
def _is_float(a):
    return np.issubdtype(np.asarray(a).dtype, np.floating)


def make_inputs(args, dtype, device):
    """Tensors for a sample: floating arrays differentiable in ``dtype``, others constants."""
    return [mg.tensor(a, dtype=dtype, device=device, requires_grad=True) if _is_float(a)
            else mg.tensor(a, device=device) for a in args]


def _host64(tensors, args):
    """The values the tensors really hold (rounded to their dtype), as float64 NumPy arrays."""
    return [t.numpy().astype(np.float64) if _is_float(a) else a for t, a in zip(tensors, args)]


def _listify(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def call(spec, sample):
    return lambda *ts: spec.op(*ts, **sample.kwargs)


def assert_matches_reference(spec, sample, inputs, dtype, device, tol=None):
    out = _listify(spec.op(*inputs, **sample.kwargs))
    ref = _listify(spec.ref(*_host64(inputs, sample.args), **sample.kwargs))
    assert len(out) == len(ref), f"{spec.id}: {len(out)} outputs, reference {len(ref)}"
    for o, r in zip(out, ref):
        r = np.asarray(r, dtype=np.float64)
        assert isinstance(o, mg.Tensor)
        assert_is_device_array(o, spec.id)
        assert o.device == device, f"{spec.id}: output on {o.device}, inputs on {device}"
        assert o.dtype == dtype, f"{spec.id}: output dtype {o.dtype}, inputs {dtype}"
        assert o.shape == r.shape, f"{spec.id}: output shape {o.shape}, reference {r.shape}"
        np.testing.assert_allclose(o.numpy(), r, **(tol or FORWARD_TOL[dtype]), err_msg=spec.id)
    return out


def assert_is_device_array(t, what):
    """``t.array`` is an array of the device's namespace: on 'cpu' a numpy.ndarray, never a NumPy
    scalar (0-d results of NumPy arithmetic), which cannot be written in place."""
    if t.device == "cpu":
        assert isinstance(t.array, np.ndarray), f"{what}: data is a {type(t.array).__name__}, not an ndarray"


def backward_with(outputs, seed=0, ones=False):
    """Backpropagate a seeded random (or all-ones) upstream gradient from every output."""
    rng = np.random.default_rng(seed)
    pairs = [(o, rng.standard_normal(o.shape) if not ones else np.ones(o.shape)) for o in outputs
             if o.requires_grad]
    mg.backward([o for o, _ in pairs], [mg.tensor(u, dtype=o.dtype, device=o.device) for o, u in pairs])


def _grads(inputs):
    return [np.zeros(t.shape) if t.grad is None else t.grad.numpy() for t in inputs if t.requires_grad]


# ----- the checks (one draw each) --------------------------------------------------------------
def check_forward(spec, device, dtype, draw):
    sample = spec.sample(draw, None)
    assert_matches_reference(spec, sample, make_inputs(sample.args, dtype, device), dtype, device)


def check_backward(spec, device, draw, shape=None):
    sample = spec.sample(draw, shape)
    mg.gradcheck(call(spec, sample), make_inputs(sample.args, "float64", device))


def check_second_order(spec, device, draw):
    sample = spec.sample(draw, None)
    mg.gradgradcheck(call(spec, sample), make_inputs(sample.args, "float64", device))


def check_float32_gradients(spec, device, draw):
    """float32 gradients: dtype float32, close to float64 gradients at the same values."""
    sample = spec.sample(draw, None)
    x32 = make_inputs(sample.args, "float32", device)
    x64 = make_inputs(_host64(x32, sample.args), "float64", device)
    backward_with(_listify(spec.op(*x32, **sample.kwargs)))
    backward_with(_listify(spec.op(*x64, **sample.kwargs)))
    for t, g32, g64 in zip([t for t in x32 if t.requires_grad], _grads(x32), _grads(x64)):
        if t.grad is not None:
            assert t.grad.dtype == "float32", f"{spec.id}: float32 input got a {t.grad.dtype} gradient"
            assert_is_device_array(t.grad, f"{spec.id} gradient")
        scale = max(1.0, float(np.max(np.abs(g64), initial=0.0)))
        np.testing.assert_allclose(g32, g64, rtol=F32_GRAD_TOL["rtol"], atol=F32_GRAD_TOL["atol"] * scale,
                                   err_msg=spec.id)


def check_small_shape(spec, device, shape, draw):
    """0-d and size-1 inputs: forward and gradients."""
    sample = spec.sample(draw, shape)
    inputs = make_inputs(sample.args, "float64", device)
    assert_matches_reference(spec, sample, inputs, "float64", device)
    mg.gradcheck(call(spec, sample), inputs)


def check_broadcasting(spec, device, draw):
    """Each fixed broadcasting case: forward, and gradients summed back to each input's shape."""
    for shapes in spec.broadcast_cases:
        sample = spec.sample_fill(draw, shapes)
        inputs = make_inputs(sample.args, "float64", device)
        assert [t.shape for t in inputs] == list(shapes)
        assert_matches_reference(spec, sample, inputs, "float64", device)
        mg.gradcheck(call(spec, sample), inputs)


def check_edge(spec, device, edge):
    """Finite values and gradients where the math is finite, in float32 and float64."""
    for dtype in ("float32", "float64"):
        inputs = make_inputs(edge.args, dtype, device)
        tol = dict(rtol=1e-6, atol=1e-30) if dtype == "float32" else None
        out = assert_matches_reference(spec, _EdgeSample(edge), inputs, dtype, device, tol)
        for o in out:
            assert np.all(np.isfinite(o.numpy())), f"{spec.id} ({edge.note}, {dtype}): non-finite output"
        backward_with(out, ones=True)
        grads = _grads(inputs)
        for g in grads:
            assert np.all(np.isfinite(g)), f"{spec.id} ({edge.note}, {dtype}): non-finite gradient {g}"
        if edge.expected_grad is not None:
            for g, e in zip(grads, edge.expected_grad):
                np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-12, err_msg=f"{spec.id}: {edge.note}")
        elif dtype == "float64":
            mg.gradcheck(call(spec, _EdgeSample(edge)), make_inputs(edge.args, dtype, device), eps=edge.eps)


def check_edge_values(spec, device, dtype, draw):
    """Drawn extreme inputs (huge logits, saturating activations, log near 0, tiny divisors):
    outputs close to the reference, outputs and gradients finite."""
    sample = spec.edge_sample(draw, None)
    inputs = make_inputs(sample.args, dtype, device)
    out = assert_matches_reference(spec, sample, inputs, dtype, device, EDGE_TOL[dtype])
    for o in out:
        assert np.all(np.isfinite(o.numpy())), f"{spec.id} ({dtype}): non-finite output"
    backward_with(out)
    for g in _grads(inputs):
        assert np.all(np.isfinite(g)), f"{spec.id} ({dtype}): non-finite gradient"


class _EdgeSample:
    def __init__(self, edge):
        self.args, self.kwargs = edge.args, edge.kwargs


SCALAR_VALUES = np.array([[0.5, 1.25, 0.75], [2.0, 1.5, 0.3]])


def check_scalar_forms(spec, device):
    """A Python scalar operand keeps the tensor's dtype (float32 stays float32), values and
    gradients included."""
    for form, ref in spec.scalar_forms:
        for dtype in ("float32", "float64"):
            t = mg.tensor(SCALAR_VALUES, dtype=dtype, device=device, requires_grad=True)
            out = form(t)
            assert out.dtype == dtype, f"{spec.id}: a Python scalar turned {dtype} into {out.dtype}"
            np.testing.assert_allclose(out.numpy(), ref(t.numpy().astype(np.float64)), **FORWARD_TOL[dtype])
            backward_with([out])
            assert t.grad is not None and t.grad.dtype == dtype
        mg.gradcheck(form, mg.tensor(SCALAR_VALUES, dtype="float64", device=device, requires_grad=True))


# ----- the tests ---------------------------------------------------------------------------------
def test_every_op_has_a_row():
    names = {s.name for s in SPECS}
    missing = sorted(set(OPS) - names)
    unknown = sorted(names - set(OPS))
    assert not missing, f"ops without a row in tests/support/op_specs.py: {missing}"
    assert not unknown, f"rows naming ops that are not in minigrad.ops.OPS: {unknown}"


def test_row_ids_are_unique_and_ops_are_public():
    ids = [s.id for s in SPECS]
    assert len(ids) == len(set(ids))
    for name in OPS:
        assert callable(getattr(mg, name)), f"minigrad.{name} is not exported"


@pytest.mark.parametrize("spec", _rows())
@pytest.mark.parametrize("dtype", DTYPES)
@given(data=st.data())
def test_forward(spec, device, dtype, data):
    check_forward(spec, device, dtype, data.draw)


@pytest.mark.parametrize("spec", _rows())
@given(data=st.data())
def test_backward(spec, device, data):
    check_backward(spec, device, data.draw)


@pytest.mark.parametrize("spec", _rows(lambda s: s.second_order))
@_fewer(2)
@given(data=st.data())
def test_second_order(spec, device, data):
    check_second_order(spec, device, data.draw)


@pytest.mark.parametrize("spec", _rows())
@_fewer(2)
@given(data=st.data())
def test_float32_gradients(spec, device, data):
    check_float32_gradients(spec, device, data.draw)


@pytest.mark.parametrize("spec", _rows())
@_fewer(5)
@given(data=st.data())
def test_small_shapes(spec, device, data):
    for shape in spec.shapes_for_small_test():
        check_small_shape(spec, device, shape, data.draw)


@pytest.mark.parametrize("spec", _rows(lambda s: s.broadcast_cases))
@_fewer(5)
@given(data=st.data())
def test_broadcasting(spec, device, data):
    check_broadcasting(spec, device, data.draw)


@pytest.mark.parametrize("spec", _rows(lambda s: s.edges))
def test_edges(spec, device):
    for edge in spec.edges:
        check_edge(spec, device, edge)


@pytest.mark.parametrize("spec", _rows(lambda s: s.edge_sample))
@pytest.mark.parametrize("dtype", DTYPES)
@_fewer(3)
@given(data=st.data())
def test_edge_values(spec, device, dtype, data):
    check_edge_values(spec, device, dtype, data.draw)


@pytest.mark.parametrize("spec", _rows(lambda s: s.scalar_forms))
def test_python_scalars_keep_dtype(spec, device):
    check_scalar_forms(spec, device)
