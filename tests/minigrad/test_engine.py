"""The autograd engine's state: grad modes, retain_grad, aliasing of gradient buffers, in-place
detection, anomaly detection (the walk itself is in test_engine_graph.py).

Expected gradients come from hand-derived formulas evaluated in NumPy (float64), never from
minigrad itself.
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


def _t(values, device="cpu", dtype=mg.float64, requires_grad=True):
    return mg.tensor(np.asarray(values, dtype=np.float64), dtype=dtype, device=device, requires_grad=requires_grad)


# ----- grad modes ------------------------------------------------------------------------------
def test_no_grad_context(device):
    x = _t([1.0], device)
    with mg.no_grad():
        assert not mg.is_grad_enabled()
        y = x * 2.0
    assert mg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None


def test_grad_mode_contexts_nest(device):
    x = _t([1.0], device)
    with mg.no_grad():
        with mg.enable_grad():
            assert mg.is_grad_enabled()
            y = x * 2.0
            with mg.set_grad_enabled(False):
                z = x * 2.0
            assert mg.is_grad_enabled()
        assert not mg.is_grad_enabled()
    assert y.requires_grad and not z.requires_grad


def test_grad_mode_restored_after_exception():
    with pytest.raises(ZeroDivisionError):
        with mg.no_grad():
            1 / 0
    assert mg.is_grad_enabled()


def test_grad_mode_decorators(device):
    x = _t([1.0], device)

    @mg.no_grad()
    def f(t):
        assert not mg.is_grad_enabled()
        return g(t), t * 2.0

    @mg.enable_grad()
    def g(t):
        return t * 2.0

    @mg.no_grad
    def bare(t):
        return t * 2.0

    inner, outer = f(x)
    assert inner.requires_grad and not outer.requires_grad
    assert not bare(x).requires_grad
    assert mg.is_grad_enabled()
    assert f.__name__ == "f"


def test_set_grad_enabled_as_decorator_does_not_leak():
    @mg.set_grad_enabled(False)
    def f():
        return mg.is_grad_enabled()

    assert mg.is_grad_enabled()  # decorating must not switch grad mode off
    assert f() is False
    assert mg.is_grad_enabled()


def test_set_grad_enabled_as_function_call():
    mg.set_grad_enabled(False)
    try:
        assert not mg.is_grad_enabled()
        assert not (_t([1.0]) * 2.0).requires_grad
    finally:
        mg.set_grad_enabled(True)
    assert mg.is_grad_enabled()


def test_decorated_function_restores_mode_after_exception():
    @mg.no_grad()
    def boom():
        raise KeyError("x")

    with pytest.raises(KeyError):
        boom()
    assert mg.is_grad_enabled()


# ----- retain_grad ------------------------------------------------------------------------------
def test_retain_grad_on_non_leaf(device):
    x = _t([1.0, 2.0], device)
    h = x * 3.0
    h.retain_grad()
    k = x * 5.0
    (h * h + k).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), 2 * 3 * np.array([1.0, 2.0]))
    assert k.grad is None  # not retained
    np.testing.assert_allclose(x.grad.numpy(), 18 * np.array([1.0, 2.0]) + 5)


# ----- aliasing -------------------------------------------------------------------------------
def test_leaf_gradients_do_not_alias_each_other(device):
    x, y = _t([1.0, 2.0], device), _t([3.0, 4.0], device)
    (x + y).sum().backward()
    with mg.no_grad():
        x.grad.add_(100.0)
    np.testing.assert_array_equal(y.grad.numpy(), [1.0, 1.0])


def test_leaf_gradients_from_one_node_do_not_alias(device):
    x = _t([1.0, 2.0], device)
    y = _t([3.0, 4.0], device)
    z = _t([5.0, 6.0], device)
    out = x + y + z
    out.backward(_t([1.0, 1.0], device, requires_grad=False))
    x.grad.fill_(-1.0)
    y.grad.mul_(7.0)
    np.testing.assert_array_equal(z.grad.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(y.grad.numpy(), [7.0, 7.0])


def test_leaf_grad_does_not_alias_user_gradient():
    g = np.array([1.0, 2.0])
    x = _t([0.0, 0.0])
    x.backward(g)  # the leaf itself
    g[0] = 50.0
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 2.0])
    gt = _t([1.0, 2.0], requires_grad=False)
    y = _t(np.zeros((2, 1)))
    y.reshape(2).backward(gt)  # reshape passes a view of the gradient back
    gt.fill_(9.0)
    np.testing.assert_array_equal(y.grad.numpy(), [[1.0], [2.0]])


@pytest.mark.parametrize("through_op", [False, True])
def test_gradient_of_another_dtype_is_cast(device, through_op):
    x = mg.ones(2, dtype=mg.float64, device=device, requires_grad=True)
    y = x * 1.0 if through_op else x
    y.backward(mg.tensor([1.0, 2.0], device=device))  # float32 gradient
    assert x.grad.dtype == "float64"
    z = mg.ones(2, device=device, requires_grad=True)
    (z * 1.0 if through_op else z).backward(mg.tensor([3, 4], device=device))  # int64 gradient
    assert z.grad.dtype == "float32"
    (z * 1.0 if through_op else z).backward(mg.tensor([0.5, 0.5], device=device))
    np.testing.assert_array_equal(z.grad.numpy(), [3.5, 4.5])


def test_accumulating_into_grad_does_not_touch_user_gradient():
    x = _t([1.0, 2.0])
    gt = _t([1.0, 1.0], requires_grad=False)
    (x + 0.0).backward(gt)
    (x + 0.0).backward(gt)
    np.testing.assert_array_equal(gt.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_retained_gradients_do_not_alias(device):
    a = _t([1.0, 2.0], device)
    b = a * 2.0
    b.retain_grad()
    c = b + 0.0
    c.retain_grad()
    user = np.array([1.0, 1.0])
    c.backward(user)
    c.grad.fill_(5.0)
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])
    assert user[0] == 1.0


# ----- in-place changes ---------------------------------------------------------------------------
def _modify(kind, w):
    if kind == "iadd":
        with mg.no_grad():
            w += 1.0
    elif kind == "add_":
        with mg.no_grad():
            w.add_(1.0)
    elif kind == "setitem":
        with mg.no_grad():
            w[0] = 5.0
    elif kind == "reshape view":
        with mg.no_grad():
            w.reshape(3, 1).mul_(2.0)
    elif kind == "slice view":
        with mg.no_grad():
            w[1:].fill_(7.0)
    elif kind == "transpose view":
        with mg.no_grad():
            w.reshape(1, 3).T.sub_(1.0)
    elif kind == "detached":
        w.detach().zero_()
    elif kind == "bump_version":
        w.array[0] = 3.0
        w.bump_version()


_KINDS = ["iadd", "add_", "setitem", "reshape view", "slice view", "transpose view", "detached", "bump_version"]


@pytest.mark.parametrize("kind", _KINDS)
@pytest.mark.parametrize("w_requires_grad", [True, False])
def test_inplace_change_of_saved_tensor_is_detected(device, kind, w_requires_grad):
    x = _t([1.0, 2.0, 3.0], device)
    w = _t([4.0, 5.0, 6.0], device, requires_grad=w_requires_grad)
    loss = (x * w).sum()
    _modify(kind, w)
    with pytest.raises(mg.BackwardError, match=r"Mul: .*modified in place"):
        loss.backward()


@pytest.mark.parametrize("view", [lambda w: w[1:], lambda w: w.reshape(2, 2), lambda w: w.reshape(2, 2).T],
                         ids=["slice", "reshape", "transpose"])
@pytest.mark.parametrize("w_requires_grad", [True, False])
def test_inplace_change_of_base_of_saved_view_is_detected(device, view, w_requires_grad):
    w = _t([1.0, 2.0, 3.0, 4.0], device, requires_grad=w_requires_grad)
    v = view(w)
    x = _t(np.ones(v.shape), device)
    loss = (x * v).sum()  # Mul saved the view v
    with mg.no_grad():
        w.mul_(3.0)  # modify the base
    with pytest.raises(mg.BackwardError, match=r"Mul: .*modified in place"):
        loss.backward()


@pytest.mark.parametrize("index", [lambda w: [0, 2], lambda w: w > 1.5, lambda w: (np.array([1, 0]),)],
                         ids=["int list", "bool mask", "int array"])
def test_inplace_change_of_an_index_copy_leaves_the_base_alone(device, index):
    """Integer-array and mask indexing copy (NumPy's and PyTorch's rule): changing the copy in
    place changes nothing the graph saved, so backward must not call it a modification."""
    w = _t([1.0, 2.0, 3.0], device)
    b = w * 1.0
    picked = b[index(b)]
    loss = (b * b).sum()  # Mul saved b
    with mg.no_grad():
        picked.add_(10.0)
    loss.backward()
    np.testing.assert_array_equal(b.numpy(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 4.0, 6.0])


@pytest.mark.parametrize("key", [1, np.int64(1), np.intp(1), (slice(None), np.int32(0))],
                         ids=["int", "np.int64", "np.intp", "slice, np.int32"])
def test_inplace_change_through_an_integer_index_view_is_detected(device, key):
    """A NumPy integer indexes like a Python int (a view, as in NumPy and PyTorch), so writing
    through it changes the saved base and backward refuses."""
    w = _t([[1.0, 2.0], [3.0, 4.0]], device)
    b = w * 1.0
    view = b[key]
    loss = (b * b).sum()
    with mg.no_grad():
        view.add_(10.0)
    assert b.numpy().max() > 10.0  # it was a view
    with pytest.raises(mg.BackwardError, match=r"Mul: .*modified in place"):
        loss.backward()


def test_reshape_that_copies_has_its_own_version_counter():
    """On NumPy a reshape of a transposed array must copy; the copy does not share the base's
    version counter (only a real view does)."""
    w = _t([[1.0, 2.0], [3.0, 4.0]])
    b = w * 1.0
    flat = b.T.reshape(4)
    assert not np.shares_memory(flat.array, b.array)
    loss = (b * b).sum()
    with mg.no_grad():
        flat.mul_(0.0)
    loss.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[2.0, 4.0], [6.0, 8.0]])


def test_inplace_change_of_saved_output_is_detected(device):
    x = _t([1.0, 2.0], device)
    y = x.exp()  # exp saves its output
    with mg.no_grad():
        y.mul_(2.0)
    with pytest.raises(mg.BackwardError, match=r"Exp: .*modified in place"):
        y.sum().backward()


def test_inplace_change_of_unsaved_tensor_is_fine(device):
    x = _t([1.0, 2.0], device)
    w = _t([4.0, 5.0], device)
    loss = (x + w).sum()  # add saves nothing: changing w cannot make its gradient wrong
    with mg.no_grad():
        w.add_(1.0)
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])


def test_change_before_use_is_fine(device):
    x = _t([1.0, 2.0], device)
    w = _t([4.0, 5.0], device)
    with mg.no_grad():
        w.mul_(2.0)
    (x * w).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [8.0, 10.0])


@pytest.mark.parametrize("op", [
    lambda w: w.add_(1.0), lambda w: w.sub_(1.0), lambda w: w.mul_(2.0), lambda w: w.div_(2.0),
    lambda w: w.fill_(0.0), lambda w: w.zero_(), lambda w: w.copy_(np.ones(2)),
    lambda w: w.__iadd__(1.0), lambda w: w.__setitem__(0, 1.0),
], ids=["add_", "sub_", "mul_", "div_", "fill_", "zero_", "copy_", "+=", "setitem"])
def test_inplace_on_leaf_requiring_grad_raises_in_grad_mode(device, op):
    w = _t([4.0, 5.0], device)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation.*no_grad"):
        op(w)
    np.testing.assert_array_equal(w.numpy(), [4.0, 5.0])  # nothing changed
    with mg.no_grad():
        op(w)  # allowed there


def test_inplace_ops_values(device):
    w = _t([4.0, 6.0], device)
    with mg.no_grad():
        w.add_(mg.tensor([1.0, 2.0], dtype=mg.float64, device=device), alpha=2.0)
        np.testing.assert_array_equal(w.numpy(), [6.0, 10.0])
        w.sub_(1.0)
        w.mul_(2.0)
        w.div_(mg.tensor([2.0, 3.0], dtype=mg.float64, device=device))
        np.testing.assert_array_equal(w.numpy(), [5.0, 6.0])
        w[1] = 0.5
        np.testing.assert_array_equal(w.numpy(), [5.0, 0.5])
        w.copy_(np.array([7.0, 8.0]))
        np.testing.assert_array_equal(w.numpy(), [7.0, 8.0])
    assert w.dtype == "float64"


# ----- anomaly detection ------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_anomaly_off_by_default_nan_propagates(device):
    assert not mg.is_anomaly_enabled()
    x = _t([-1.0, 1.0], device)
    y = x.log()
    assert np.isnan(y.numpy()[0])
    z = _t([0.0, 4.0], device)
    z.sqrt().sum().backward()
    assert np.isinf(z.grad.numpy()[0])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_anomaly_forward_names_the_op(device):
    x = _t([-1.0, 1.0], device)
    with mg.detect_anomaly():
        y = x * 2.0  # fine
        with pytest.raises(FloatingPointError, match=r"Log forward produced NaN"):
            x.log()
        assert mg.is_anomaly_enabled()
    assert not mg.is_anomaly_enabled()
    assert y.requires_grad


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_anomaly_backward_names_the_op(device):
    x = _t([0.0, 4.0], device)
    with mg.detect_anomaly():
        y = x.sqrt().sum()  # forward is finite
        with pytest.raises(FloatingPointError, match=r"Sqrt backward produced NaN or Inf"):
            y.backward()
    assert not mg.is_anomaly_enabled()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_anomaly_restored_after_exception_and_nesting(device):
    x = _t([-1.0], device)
    with pytest.raises(FloatingPointError):
        with mg.detect_anomaly():
            x.log()
    assert not mg.is_anomaly_enabled()
    with mg.detect_anomaly():
        with mg.detect_anomaly(False):
            assert not mg.is_anomaly_enabled()
            assert np.isnan(x.log().numpy()[0])
        assert mg.is_anomaly_enabled()
    assert not mg.is_anomaly_enabled()


def test_anomaly_mode_passes_clean_graphs(device):
    xv = np.array([0.5, 2.0])
    x = _t(xv, device)
    with mg.detect_anomaly():
        (x.log() * x.sqrt()).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.sqrt(xv) / xv + np.log(xv) / (2 * np.sqrt(xv)), rtol=1e-12)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_anomaly_as_decorator():
    @mg.detect_anomaly()
    def f(t):
        return (t * 0.0).log()

    with pytest.raises(FloatingPointError, match="Log forward"):
        f(_t([1.0]))
    assert not mg.is_anomaly_enabled()


# ----- x @ W.T: the transpose is read in place by the product ----------------------------------
@pytest.mark.parametrize("form, flipped", [("x @ w.T", False), ("w @ x.T", True), ("x.T.T @ w.T", False)])
def test_product_with_a_transposed_operand(form, flipped, device):
    """y = x w^T (or its transpose): dx = G w, dw = G^T x, whichever operand is read transposed."""
    rng = np.random.default_rng(3)
    xv, wv, gv = rng.standard_normal((5, 3)), rng.standard_normal((4, 3)), rng.standard_normal((5, 4))
    x, w = _t(xv, device), _t(wv, device)
    y = eval(form, {}, {"x": x, "w": w})
    np.testing.assert_allclose(y.numpy(), (xv @ wv.T).T if flipped else xv @ wv.T, rtol=1e-12)
    y.backward(mg.tensor(gv.T if flipped else gv, dtype=mg.float64, device=device))
    np.testing.assert_allclose(x.grad.numpy(), gv @ wv, rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), gv.T @ xv, rtol=1e-12)
    if device == "cpu":  # each gradient comes back in its parameter's (row-major) layout
        assert x.grad.array.flags.c_contiguous and w.grad.array.flags.c_contiguous


def test_transposed_operand_records_no_transpose_node_but_keeps_a_retained_grad():
    x, w = _t(np.ones((2, 3))), _t(np.arange(12.0).reshape(4, 3))
    y = x @ w.T
    assert type(y._node).__name__ == "MatMul" and y._node.inputs[1] is w
    wt = w.T
    wt.retain_grad()  # asked for its own gradient: stays in the graph
    z = x @ wt
    assert z._node.inputs[1] is wt
    z.sum().backward()
    np.testing.assert_allclose(wt.grad.numpy(), np.full((3, 4), 2.0))  # x^T G, G = ones((2, 4))
    np.testing.assert_allclose(w.grad.numpy(), np.full((4, 3), 2.0))


def test_second_derivatives_through_a_transposed_operand(device):
    rng = np.random.default_rng(4)
    x, w = _t(rng.standard_normal((3, 2)), device), _t(rng.standard_normal((4, 2)), device)
    assert mg.gradgradcheck(lambda a, b: (a @ b.T).tanh(), (x, w))
    assert mg.gradgradcheck(lambda a, b: (b @ a.T) * (b @ a.T), (x, w))
