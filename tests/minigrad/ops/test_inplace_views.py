"""In-place ops through views (minigrad/ops/view_inplace.py, minigrad/ops/views.py).

Oracles: outside the graph, NumPy's own views (the same op applied through ``a.reshape(-1)``,
``a.T``, ``a[0]``, ``np.einsum('ii->i', a)`` ...); in the graph, central differences in float64
(``mg.gradcheck`` of a function that changes a view of an intermediate result in place) and
gradients written out by hand.  PyTorch parity of the whole table: tests/torch_parity/.
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.function import BackwardError

# name: (minigrad view of x, NumPy view of a) -- x and a of shape (2, 3)
VIEWS = {
    "view(-1)": (lambda x: x.view(-1), lambda a: a.reshape(-1)),
    "reshape(3, 2)": (lambda x: x.reshape(3, 2), lambda a: a.reshape(3, 2)),
    "t()": (lambda x: x.t(), lambda a: a.T),
    "transpose(0, 1)": (lambda x: x.transpose(0, 1), lambda a: a.swapaxes(0, 1)),
    "mT": (lambda x: x.mT, lambda a: a.T),
    "unsqueeze(0)": (lambda x: x.unsqueeze(0), lambda a: a[None]),
    "squeeze": (lambda x: x.unsqueeze(1).squeeze(1), lambda a: a),
    "x[0]": (lambda x: x[0], lambda a: a[0]),
    "x[:, 1:]": (lambda x: x[:, 1:], lambda a: a[:, 1:]),
    "narrow(1, 1, 2)": (lambda x: x.narrow(1, 1, 2), lambda a: a[:, 1:3]),
    "select(1, -1)": (lambda x: x.select(1, -1), lambda a: a[:, -1]),
    "diagonal(1)": (lambda x: x.diagonal(1), lambda a: np.einsum("ii->i", a[:, 1:])),
    "movedim(0, 1)": (lambda x: x.movedim(0, 1), lambda a: np.moveaxis(a, 0, 1)),
    "flatten": (lambda x: x.flatten(), lambda a: a.reshape(-1)),
    "unflatten": (lambda x: x.unflatten(1, (3, 1)), lambda a: a.reshape(2, 3, 1)),
    "t()[1] (view of a view)": (lambda x: x.t()[1], lambda a: a.T[1]),
    "split(1, 1)[1]": (lambda x: x.split(1, 1)[1], lambda a: a[:, 1:2]),
    "unbind(0)[1]": (lambda x: x.unbind(0)[1], lambda a: a[1]),
    "x[1, 2] (0-d)": (lambda x: x[1, 2], lambda a: a[1, 2, ...]),
}
# name: (minigrad in-place op, NumPy in-place op); c is a constant operand of the view's last axis
OPS = {
    "add_": (lambda v, c: v.add_(c), lambda v, c: v.__iadd__(c)),
    "sub_ alpha": (lambda v, c: v.sub_(c, alpha=2), lambda v, c: v.__isub__(2 * c)),
    "mul_": (lambda v, c: v.mul_(c), lambda v, c: v.__imul__(c)),
    "div_": (lambda v, c: v.div_(c + 3.0), lambda v, c: v.__itruediv__(c + 3.0)),
    "fill_": (lambda v, c: v.fill_(1.5), lambda v, c: v.fill(1.5)),
    "zero_": (lambda v, c: v.zero_(), lambda v, c: v.fill(0.0)),
    "copy_": (lambda v, c: v.copy_(c), lambda v, c: np.copyto(v, c)),
    "clamp_": (lambda v, c: v.clamp_(-0.3, 0.4), lambda v, c: np.clip(v, -0.3, 0.4, out=v)),
    "relu_": (lambda v, c: v.relu_(), lambda v, c: np.maximum(v, 0.0, out=v)),
    "pow_": (lambda v, c: v.pow_(2), lambda v, c: v.__ipow__(2)),
    "setitem": (lambda v, c: v.__setitem__(_first(v), 7.0), lambda v, c: v.__setitem__(_first(v), 7.0)),
}



def _first(v):
    return 0 if v.ndim else ()


def _operand(v):
    return _C[: v.shape[-1]] if v.ndim else _C[0]


_A = np.random.default_rng(0).uniform(-1, 1, (2, 3))
_C = np.random.default_rng(1).uniform(-1, 1, 6)  # operands: its first n values, n = the view's last axis


def _numpy_expected(view, op):
    a = _A.copy()
    v = VIEWS[view][1](a)
    if not v.flags.writeable:  # einsum's diagonal view of a slice is writable; keep the oracle honest
        raise AssertionError(f"NumPy view {view} is read-only")
    OPS[op][1](v, _operand(v))
    return a


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("view", list(VIEWS))
def test_no_grad_update_of_a_parameter_through_a_view_matches_numpy_views(view, op, device):
    w = mg.tensor(_A, dtype=mg.float64, device=device, requires_grad=True)
    with mg.no_grad():
        v = VIEWS[view][0](w)
        c = mg.tensor(_operand(v), dtype=mg.float64, device=device)
        OPS[op][0](v, c)
    np.testing.assert_allclose(w.detach().numpy(), _numpy_expected(view, op), rtol=1e-14)
    assert w._version >= 1 and w.is_leaf and w.requires_grad


@pytest.mark.parametrize("view", list(VIEWS))
def test_constant_base_through_a_view_matches_numpy_views(view, device):
    x = mg.tensor(_A, dtype=mg.float64, device=device)
    v = VIEWS[view][0](x)
    v.mul_(mg.tensor(_operand(v), dtype=mg.float64, device=device))
    np.testing.assert_allclose(x.numpy(), _numpy_expected(view, "mul_"), rtol=1e-14)
    assert x._version == 1 and v._version == 1


GRAPH_VIEWS = [v for v in VIEWS if not v.startswith(("split", "unbind"))]


def _through_view(view, op):
    def fn(x):
        y = x * 2.0 + 1.0
        v = VIEWS[view][0](y)
        c = x.reshape(-1)[: v.shape[-1]] if v.ndim else x[1, 0]
        OPS[op][0](v, c * 0.5)
        return y * x + v.sum() * x[0, 0]  # uses the base and the view after the change

    return fn


@pytest.mark.parametrize("op", ["add_", "mul_", "div_", "copy_", "clamp_", "pow_", "setitem", "fill_"])
@pytest.mark.parametrize("view", GRAPH_VIEWS)
def test_graph_gradients_through_a_view_match_central_differences(view, op, device):
    x = mg.tensor(np.random.default_rng(2).uniform(0.2, 0.9, (2, 3)), dtype=mg.float64, device=device,
                  requires_grad=True)  # values away from clamp_'s bounds (-0.3, 0.4) after y = 2x + 1
    assert mg.gradcheck(_through_view(view, op), [x])


@pytest.mark.parametrize("view", ["view(-1)", "t()", "diagonal(1)", "x[:, 1:]"])
def test_graph_second_order_through_a_view(view):
    x = mg.tensor(np.random.default_rng(3).uniform(0.2, 0.9, (2, 3)), dtype=mg.float64, requires_grad=True)
    assert mg.gradgradcheck(_through_view(view, "mul_"), [x])


def test_base_is_rebased_by_hand(device):
    """y = 2x; y.t()[1].mul_(w): y[1, 0] = 2 x[1, 0] w[0] ... by hand."""
    x = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=mg.float64, device=device, requires_grad=True)
    w = mg.tensor([10.0, 20.0], dtype=mg.float64, device=device, requires_grad=True)
    y = x * 2.0
    y.t()[1].mul_(w)  # column 1 of y times w
    assert y.grad_fn is not None and y._version == 1
    np.testing.assert_allclose(y.detach().numpy(), [[2.0, 40.0, 6.0], [8.0, 200.0, 12.0]])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[2.0, 20.0, 2.0], [2.0, 40.0, 2.0]])
    np.testing.assert_allclose(w.grad.numpy(), [4.0, 10.0])


def test_constant_buffer_gets_a_history_through_a_view(device):
    """buf needs no grad; buf.t()[0].add_(w) makes buf depend on w (PyTorch's CopySlices)."""
    w = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    buf = mg.zeros(2, 3, dtype=mg.float64, device=device)
    col = buf.t()[0]
    col.add_(w * w)
    assert buf.requires_grad and buf.grad_fn is not None and not buf.is_leaf
    assert col.requires_grad and col.grad_fn is not None
    np.testing.assert_allclose(buf.detach().numpy(), [[1.0, 0.0, 0.0], [4.0, 0.0, 0.0]])
    (buf * mg.tensor([[1.0, 0, 0], [3.0, 0, 0]], dtype=mg.float64, device=device)).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [2.0, 12.0])  # d/dw of 1 * w0^2 + 3 * w1^2


def test_version_counter_of_the_base_refuses_a_stale_saved_tensor(device):
    x = mg.tensor(_A, dtype=mg.float64, device=device, requires_grad=True)
    y = x * 1.0
    z = (y * y).sum()  # saves y
    y.view(-1).add_(1.0)
    assert y._version == 1
    with pytest.raises(BackwardError, match=r"modified in place after it was saved \(version 0 -> 1\)"):
        z.backward()


def test_view_of_a_leaf_requiring_grad_is_refused(device):
    w = mg.tensor(_A, dtype=mg.float64, device=device, requires_grad=True)
    for make in (lambda: w.t(), lambda: w.view(-1), lambda: w.diagonal(), lambda: w.unsqueeze(0)[0]):
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is being used in an "
                                               "in-place operation"):
            make().mul_(2.0)
    np.testing.assert_array_equal(w.detach().numpy(), _A)


@pytest.mark.parametrize("pieces,name", [(lambda y: y.split(1, 1), "Split"), (lambda y: y.chunk(2, 1), "Split"),
                                         (lambda y: y.unbind(0), "Unbind")])
def test_outputs_of_multi_output_view_functions_are_refused_in_the_graph(pieces, name, device):
    x = mg.tensor(_A, dtype=mg.float64, device=device, requires_grad=True)
    y = x * 2.0
    with pytest.raises(RuntimeError, match=f"Output 1 of {name} is a view and is being modified inplace"):
        pieces(y)[1].add_(1.0)
    np.testing.assert_allclose(y.detach().numpy(), 2 * _A)
    buf = mg.zeros(2, 3, dtype=mg.float64, device=device)
    pieces(buf)[1].add_(1.0)  # outside the graph it is allowed
    assert buf.numpy().sum() > 0


def test_view_made_under_no_grad_is_refused_in_grad_mode(device):
    x = mg.tensor(_A, dtype=mg.float64, device=device, requires_grad=True)
    y = x * 2.0
    for base in (y, x):  # a non-leaf, and a leaf (PyTorch names the no_grad view first there too)
        with mg.no_grad():
            v = base[0]
        with pytest.raises(RuntimeError, match="A view was created in no_grad mode and is being modified inplace"):
            v.mul_(x[1])
    np.testing.assert_allclose(y.detach().numpy(), 2 * _A)


def test_expand_view_is_refused_in_the_graph(device):
    x = mg.tensor(_A, dtype=mg.float64, device=device, requires_grad=True)
    y = x * 2.0
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor .* refers to a single"):
        y[:1].expand(2, 3).add_(1.0)
    np.testing.assert_allclose(y.detach().numpy(), 2 * _A)


def test_t_and_select_errors(device):
    with pytest.raises(RuntimeError, match="t: expects a tensor with <= 2 dimensions"):
        mg.ones(2, 2, 2, device=device).t()
    with pytest.raises(IndexError, match="select: index 3 is out of range for dim 1 of length 3"):
        mg.ones(2, 3, device=device).select(1, 3)
    x = mg.ones(3, device=device)
    assert x.t() is x


def test_views_taken_before_the_change_get_the_new_history(device):
    """y = 2x; b = y.view(-1) and c = y.t() taken first; then y[0] *= 3 and y += x.  b and c used
    afterwards see the new values and back-propagate through both changes; a use recorded before
    (s0) keeps the old history.  Gradient by hand: y = [6 x0 + x0, 2 x1 + x1] = [7 x0, 3 x1]."""
    a = np.arange(6.0).reshape(2, 3)
    x = mg.tensor(a, dtype=mg.float64, device=device, requires_grad=True)
    y = x * 2.0
    b, c = y.view(-1), y.t()
    s0 = (b * 1.0).sum()  # d s0/dx = 2 everywhere (before the changes)
    y[0].mul_(3.0)
    y.add_(x)
    np.testing.assert_allclose(b.detach().numpy(), (a * [[7.0], [3.0]]).ravel())
    (g,) = mg.grad((b * b).sum() + c.sum() + s0, [x])
    scale = np.array([[7.0], [3.0]])
    np.testing.assert_allclose(g.numpy(), 2 * scale * (scale * a) + scale + 2.0)


def test_a_buffer_view_taken_before_the_buffer_joins_the_graph_follows_it(device):
    w = mg.tensor([1.0, 2.0, 3.0], dtype=mg.float64, device=device, requires_grad=True)
    buf = mg.zeros(2, 3, dtype=mg.float64, device=device)
    row = buf[1]  # a view of a constant: no history yet
    buf[1] = w * w  # buf joins the graph
    assert row.requires_grad and row.grad_fn is not None
    (g,) = mg.grad(row.sum(), [w])
    np.testing.assert_allclose(g.numpy(), [2.0, 4.0, 6.0])
