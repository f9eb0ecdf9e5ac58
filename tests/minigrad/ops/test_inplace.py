"""In-place ops in the graph (issue 14 §4): recorded as PyTorch does, checked against central
differences in float64 (``mg.gradcheck`` on functions that apply the in-place op to a clone of
their input), against hand-derived numbers (micrograd's engine test), and for the errors."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.function import BackwardError


def _t(values, device, rg=True):
    return mg.tensor(np.asarray(values, dtype=np.float64), device=device, requires_grad=rg)


def _vals(rng, shape, low=-2.0, high=2.0, avoid=()):
    x = rng.uniform(low, high, size=shape)
    for k in avoid:  # keep central differences away from kinks
        x[np.abs(x - k) < 0.1] += 0.3
    return x


# ----- micrograd's own engine test, with += on non-leaves ------------------------------------------
def test_micrograd_more_ops_with_inplace_adds(device):
    """micrograd's test_more_ops, unchanged but for Value -> tensor; the numbers are micrograd's
    (PyTorch gives the same: 24.7041, dg/da 138.8338, dg/db 645.5773)."""
    a = _t(-4.0, device)
    b = _t(2.0, device)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    # by hand: c = 3a + 4b + 3 = -1 at (a, b) = (-4, 2); d = 4(3(ab + b^3)) + relu(b - a) = 6 at
    # (-4, 2) (b + a < 0, b - a > 0); e = c - d = -7; g = e^2/2 + 10/e^2
    av, bv = -4.0, 2.0
    e_v = (3 * av + 4 * bv + 3) - (12 * (av * bv + bv**3) + (bv - av))
    dg_de = e_v - 20.0 / e_v**3
    de_da = 3 - (12 * bv - 1)
    de_db = 4 - (12 * (av + 3 * bv**2) + 1)
    assert g.item() == pytest.approx(e_v**2 / 2 + 10 / e_v**2, rel=1e-12)
    assert g.item() == pytest.approx(24.70408163265306, rel=1e-12)
    assert a.grad.item() == pytest.approx(dg_de * de_da, rel=1e-12)
    assert b.grad.item() == pytest.approx(dg_de * de_db, rel=1e-12)
    assert a.grad.item() == pytest.approx(138.83381924198252, rel=1e-12)
    assert b.grad.item() == pytest.approx(645.5772594752186, rel=1e-12)


def test_use_before_the_change_keeps_the_old_gradient(device):
    """y = x * 3 (non-leaf); z = y + 0 used before y.mul_(2): dz/dx = 3, d(y after)/dx = 6."""
    x = _t([1.0, 2.0], device)
    y = x * 3.0
    z = y + 0.0
    y.mul_(2.0)
    (z.sum() + 10.0 * y.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0 + 60.0, 3.0 + 60.0])
    np.testing.assert_allclose(y.numpy(), [6.0, 12.0])
    assert not y.is_leaf and y.grad_fn is not None


# ----- gradients against central differences --------------------------------------------------------
def _chain(x):
    y = x.clone()
    y.mul_(2.0)
    y.add_(x, alpha=0.5)
    y.sub_(x * x)
    y.div_(1.5)
    return y


INPLACE_FNS = {
    "mul_": (lambda x: x.clone().mul_(2.0), ()),
    "mul_ tensor": (lambda x: x.clone().mul_(x), ()),
    "add_ alpha": (lambda x: x.clone().add_(x * x, alpha=-3.0), ()),
    "sub_": (lambda x: x.clone().sub_(x.exp()), ()),
    "div_": (lambda x: (x * x + 1.0).div_(x.exp() + 1.0), ()),
    "pow_": (lambda x: (x * x + 1.0).pow_(1.5), ()),
    "iadd": (lambda x: _iadd(x), ()),
    "relu_": (lambda x: (x * 1.0).relu_(), (0.0,)),
    "clamp_": (lambda x: x.clone().clamp_(0.0, 1.0), (0.0, 1.0)),
    "clamp_ min": (lambda x: x.clone().clamp_(min=-0.5), (-0.5,)),
    "fill_": (lambda x: x.clone().fill_(3.0) * x, ()),
    "zero_": (lambda x: x.clone().zero_() + x, ()),
    "copy_": (lambda x: x.clone().copy_(x.exp()[0]), ()),
    "chain": (_chain, ()),
    "setitem": (lambda x: _setitem(x), ()),
}


def _iadd(x):
    y = x * 2.0
    y += x * x  # (y += y * y would overwrite what Mul saved: PyTorch refuses it too)
    y -= x
    y *= x
    y /= 2.0
    return y


def _setitem(x):
    y = x * 1.0
    y[1:3] = x[0:2].exp()
    y[0] = 5.0
    return y * x


def _view_iadd(x):
    y = x * 2.0 + 1.0
    y[1:3] += x[0:2] * x[0:2]
    y[0:1].mul_(3.0)  # a view: y changes too (on 'strict' indexing copies, so only the cpu runs this)
    return y


@pytest.mark.parametrize("name", list(INPLACE_FNS))
def test_inplace_gradients_match_central_differences(device, name):
    fn, kinks = INPLACE_FNS[name]
    x = _t(_vals(np.random.default_rng(0), (4,), avoid=kinks), device)
    assert mg.gradcheck(fn, [x])


def test_inplace_on_an_indexing_view_rebases_its_base():
    """x[1:3] += v and x[0:1].mul_(3) on a non-leaf change x and its gradient (PyTorch's CopySlices).
    NumPy only: array-api-strict indexing copies, so under no_grad (central differences) the same
    in-place op on x[0:1] would leave x alone there."""
    x = _t(_vals(np.random.default_rng(0), (4,)), "cpu")
    assert mg.gradcheck(_view_iadd, [x])
    assert mg.gradgradcheck(_view_iadd, [x])
    y = _view_iadd(x.detach().requires_grad_())
    a = x.detach().numpy()
    expected = a * 2.0 + 1.0
    expected[1:3] += a[0:2] ** 2
    expected[0] *= 3.0
    np.testing.assert_allclose(y.detach().numpy(), expected)


@pytest.mark.parametrize("name", ["mul_ tensor", "iadd", "div_", "setitem", "chain"])
def test_inplace_second_order_matches_central_differences(name):
    fn, kinks = INPLACE_FNS[name]
    x = _t(_vals(np.random.default_rng(1), (4,), avoid=kinks), "cpu")
    assert mg.gradgradcheck(fn, [x])


def test_retain_grad_follows_the_tensor_through_an_in_place_op(device):
    """As PyTorch: y.retain_grad() then y.mul_(2) keeps the gradient of y's new value (d sum(3y)/dy = 3)."""
    x = _t([1.0, 2.0], device)
    y = x * 1.0
    y.retain_grad()
    y.mul_(2.0)
    (3.0 * y).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [3.0, 3.0])
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])


def test_setitem_gradients_by_hand(device):
    """x[idx] = v on a non-leaf: to x's old value, g with zeros at idx; to v, g[idx] summed to v's shape."""
    x = _t(np.arange(6.0).reshape(2, 3), device)
    v = _t([10.0], device)
    y = x * 1.0
    y[:, 1] = v  # v broadcast along the rows
    g = np.arange(1.0, 7.0).reshape(2, 3)
    y.backward(mg.tensor(g, device=device))
    np.testing.assert_array_equal(x.grad.numpy(), g * np.array([1.0, 0.0, 1.0]))
    np.testing.assert_array_equal(v.grad.numpy(), [g[:, 1].sum()])
    np.testing.assert_array_equal(y.numpy(), [[0.0, 10.0, 2.0], [3.0, 10.0, 5.0]])


def test_inplace_on_a_constant_with_an_operand_that_requires_grad(device):
    buf = mg.zeros(3, dtype=mg.float64, device=device)
    w = _t([1.0, 2.0, 3.0], device)
    buf += w * w
    buf[0] = w[2]
    assert buf.requires_grad and not buf.is_leaf
    buf.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [0.0, 4.0, 6.0 + 1.0])


# ----- what stays as it was: no_grad updates, the idioms ------------------------------------------------
def test_no_grad_updates_and_idioms(device):
    w = _t([1.0, 2.0], device)
    (w * w).sum().backward()
    with mg.no_grad():
        w.sub_(0.5 * w.grad)
        w.add_(w.grad, alpha=0.25)
        w.mul_(2.0).clamp_(max=1.5).relu_()
    np.testing.assert_allclose(w.numpy(), [1.0, 1.5])
    assert w.is_leaf and w.requires_grad
    w.grad.zero_()
    np.testing.assert_array_equal(w.grad.numpy(), [0.0, 0.0])
    v0 = w._version
    w.data -= 0.1 * w.grad.data  # PyTorch's .data: a change through it is not versioned
    p = w.detach()
    p.fill_(0.0)
    p.copy_(mg.tensor([3.0, 4.0], device=device))
    np.testing.assert_array_equal(w.numpy(), [3.0, 4.0])
    assert w._version == v0 + 2  # detach() shares the version counter, as in PyTorch


def test_normal_and_uniform_in_place(device):
    gen = mg.Generator(device=device).manual_seed(0)
    x = mg.zeros(2000, dtype=mg.float64, device=device)
    assert x.normal_(1.0, 0.01, generator=gen) is x
    a = x.numpy()
    assert abs(a.mean() - 1.0) < 0.002 and abs(a.std() - 0.01) < 0.002
    x.uniform_(-2.0, -1.0)
    a = x.numpy()
    assert a.min() >= -2.0 and a.max() < -1.0 and abs(a.mean() + 1.5) < 0.05
    with pytest.raises(TypeError, match="normal_.*floating"):
        mg.zeros(2, dtype=mg.int64, device=device).normal_()


def test_normal_in_graph_gives_the_old_values_zero_gradient(device):
    x = _t([1.0, 2.0], device)
    y = x * 2.0
    y.normal_()
    (y * 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


# ----- errors -------------------------------------------------------------------------------------------
LEAF_CALLS = {
    "add_": lambda w: w.add_(1.0), "mul_": lambda w: w.mul_(2.0), "clamp_": lambda w: w.clamp_(0.0, 1.0),
    "relu_": lambda w: w.relu_(), "fill_": lambda w: w.fill_(0.0), "normal_": lambda w: w.normal_(),
    "uniform_": lambda w: w.uniform_(), "copy_": lambda w: w.copy_(w * 2.0),
    "__setitem__": lambda w: w.__setitem__(0, 1.0),
}


@pytest.mark.parametrize("op", list(LEAF_CALLS))
def test_leaf_requiring_grad_refuses_in_place_change(device, op):
    w = _t([4.0, 5.0], device)
    with pytest.raises(RuntimeError, match=f"^{op}: a leaf Variable that requires grad is being used in an in-place"):
        LEAF_CALLS[op](w)
    np.testing.assert_array_equal(w.numpy(), [4.0, 5.0])
    assert w._version == 0


def test_view_of_leaf_requiring_grad_refuses(device):
    w = _t([4.0, 5.0, 6.0], device)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        w[0:2].mul_(2.0)
    np.testing.assert_array_equal(w.numpy(), [4.0, 5.0, 6.0])


def test_overwritten_saved_tensor_refuses_backward(device):
    x = _t([1.0, 2.0], device)
    y = x * 1.0
    z = (y * y).sum()
    y.add_(1.0)
    with pytest.raises(BackwardError, match=r"Mul: a tensor it saved .*\(version 0 -> 1\)"):
        z.backward()


def test_overwritten_saved_output_refuses_backward(device):
    x = _t([1.0, 2.0], device)
    y = x.exp()
    y.mul_(2.0)
    with pytest.raises(BackwardError, match=r"Exp: a tensor it saved .*modified in place"):
        y.sum().backward()


def test_bad_operand_raises_before_anything_changes(device):
    y = _t([1.0, 2.0], device) * 1.0
    node = y.grad_fn
    with pytest.raises(ValueError, match="add_: operand of shape \\(3,\\) does not broadcast"):
        y.add_(mg.tensor([1.0, 2.0, 3.0], dtype=mg.float64, device=device))
    assert y.grad_fn is node and y._version == 0
