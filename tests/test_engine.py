"""The autograd engine: graph walking, accumulation, graph freeing, grad modes, higher-order
derivatives, in-place detection, aliasing and anomaly detection.

Expected gradients come from hand-derived formulas evaluated in NumPy (float64) or from a
forward-mode (dual number) evaluation of the same graph in NumPy, never from minigrad itself.
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


def _t(values, device="cpu", dtype=mg.float64, requires_grad=True):
    return mg.tensor(np.asarray(values, dtype=np.float64), dtype=dtype, device=device, requires_grad=requires_grad)


# ----- graph size and shape ----------------------------------------------------------------------
def test_chain_of_100k_ops_backpropagates_without_recursion():
    x = _t(0.3)
    y = x
    for i in range(100_000):
        y = y * 1.00001 if i % 2 else y + 0.5
    y.backward()
    np.testing.assert_allclose(x.grad.item(), 1.00001 ** 50_000, rtol=1e-9)


def _random_dag(seed, n_nodes=150):
    """A random DAG of elementwise ops over two leaves, each node reused by later ones.

    Returns a list of (op, i, j) and evaluates nothing; see _run_dag_numpy for the oracle.
    """
    rng = np.random.default_rng(seed)
    spec = []
    for k in range(2, n_nodes):
        op = rng.choice(["add", "mul", "tanh", "sigmoid", "sub"])
        i, j = rng.integers(0, k, size=2)
        spec.append((str(op), int(i), int(j)))
    return spec


def _run_dag_numpy(spec, x, y):
    """Values and forward-mode derivatives (d/dx, d/dy) of every node, in float64."""
    nodes = [(x, np.ones_like(x), np.zeros_like(x)), (y, np.zeros_like(y), np.ones_like(y))]
    for op, i, j in spec:
        (a, ax, ay), (b, bx, by) = nodes[i], nodes[j]
        if op == "add":
            nodes.append(((a + b) / 2, (ax + bx) / 2, (ay + by) / 2))
        elif op == "sub":
            nodes.append(((a - b) / 2, (ax - bx) / 2, (ay - by) / 2))
        elif op == "mul":
            nodes.append((a * b, ax * b + a * bx, ay * b + a * by))
        elif op == "tanh":
            t = np.tanh(a)
            nodes.append((t, (1 - t * t) * ax, (1 - t * t) * ay))
        else:
            s = 1 / (1 + np.exp(-a))
            nodes.append((s, s * (1 - s) * ax, s * (1 - s) * ay))
    return nodes


def _run_dag_minigrad(spec, x, y):
    nodes = [x, y]
    for op, i, j in spec:
        a, b = nodes[i], nodes[j]
        nodes.append({"add": lambda: (a + b) / 2, "sub": lambda: (a - b) / 2, "mul": lambda: a * b,
                      "tanh": lambda: a.tanh(), "sigmoid": lambda: a.sigmoid()}[op]())
    return nodes


@pytest.mark.parametrize("seed", [0, 1])
def test_random_dag_with_shared_subexpressions(device, seed):
    rng = np.random.default_rng(100 + seed)
    xv, yv = rng.uniform(-1, 1, 6), rng.uniform(-1, 1, 6)
    spec = _random_dag(seed)
    ref = _run_dag_numpy(spec, xv, yv)
    x, y = _t(xv, device), _t(yv, device)
    nodes = _run_dag_minigrad(spec, x, y)
    out = nodes[-1]
    for n in nodes[-20:-1]:  # many outputs, each shared with the rest of the graph
        out = out + n
    out.sum().backward()
    want_x = sum(r[1] for r in ref[-20:])
    want_y = sum(r[2] for r in ref[-20:])
    np.testing.assert_allclose(nodes[-1].numpy(), ref[-1][0], rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), want_x, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(y.grad.numpy(), want_y, rtol=1e-10, atol=1e-12)


def test_shared_subexpression_polynomial(device):
    xv = np.array([-1.3, -0.2, 0.4, 1.1])
    x = _t(xv, device)
    u = x * x  # used four times
    v = u * x
    out = ((u + v) * u + v * v + u.exp()).sum()
    out.backward()
    want = 4 * xv ** 3 + 5 * xv ** 4 + 6 * xv ** 5 + 2 * xv * np.exp(xv ** 2)
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-12)


def test_add_passing_a_summed_gradient_to_two_inputs(device):
    """n = b + (a - b) = a: Add hands one (summed) gradient to both b and a - b; summing b's
    two gradients must not change the one a - b received."""
    x, y = _t([1.0], device), _t([1.0], device)
    a, b = x * 1.5, y * 2.5
    n = b + (a - b)
    (n + n).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0])
    np.testing.assert_array_equal(y.grad.numpy(), [0.0])


@pytest.mark.parametrize("how", ["backward", "grad"])
def test_random_linear_dags_of_add_sub_scale(device, how):
    """Graphs of +, - and scaling, where a gradient is passed on unchanged to several places:
    each leaf's gradient is its coefficient in the (linear) output, tracked in NumPy."""
    rng = np.random.default_rng(7)
    for _ in range(40):
        x, y = _t([1.0, -2.0], device), _t([0.5, 3.0], device)
        nodes, coef = [x * 1.5, y * 2.5], [np.array([1.5, 0.0]), np.array([0.0, 2.5])]
        for _ in range(int(rng.integers(2, 7))):
            i, j = (int(k) for k in rng.integers(0, len(nodes), 2))
            op = int(rng.integers(0, 3))
            nodes.append([nodes[i] + nodes[j], nodes[i] - nodes[j], nodes[i] * 2.0][op])
            coef.append([coef[i] + coef[j], coef[i] - coef[j], coef[i] * 2.0][op])
        out, c = nodes[-1], coef[-1].copy()
        for k in rng.integers(0, len(nodes), 3):
            out, c = out + nodes[int(k)], c + coef[int(k)]
        if how == "backward":
            out.sum().backward()
            grads = [x.grad, y.grad]
        else:
            grads = mg.grad(out.sum(), [x, y], allow_unused=True)
        for g, want in zip(grads, c):
            got = np.zeros(2) if g is None else g.numpy()
            np.testing.assert_allclose(got, [want, want], rtol=1e-12, atol=1e-12)


def test_same_tensor_used_twice_in_one_op(device):
    x = _t([1.5, -2.0], device)
    (x * x + x / x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, -4.0], rtol=1e-12)


# ----- accumulation, freeing, retain_graph ------------------------------------------------------
def test_gradients_accumulate_until_cleared(device):
    xv = np.array([0.5, -1.0, 2.0])
    x = _t(xv, device)
    (x * x).sum().backward()
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * xv + 3, rtol=1e-12)
    x.grad = None
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0, 3.0])


def test_accumulation_with_broadcast_parameter(device):
    b = _t([1.0, 2.0], device)
    a = _t(np.ones((3, 2)), device, requires_grad=False)
    for _ in range(3):
        (a * b).sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), [9.0, 9.0])


@pytest.mark.parametrize("f,dfdx", [
    (lambda x: (x.sum() + mg.ones(6, dtype=mg.float64, device=x.device)).sum(), 6.0),
    (lambda x: x.sum(), 1.0),
    (lambda x: x.broadcast_to(3, 6).sum(), 3.0),
    (lambda x: x.reshape(2, 3).sum(axis=0).sum() * 2.0, 2.0),
    (lambda x: x.mean() * 6.0, 1.0),
], ids=["sum-then-broadcast", "sum", "broadcast_to", "reshape-sum", "mean"])
def test_leaf_grad_is_a_writable_buffer_that_accumulates(device, f, dfdx):
    x = _t(np.arange(6.0), device)
    f(x).backward()
    f(x).backward()  # accumulates into the first gradient's buffer
    np.testing.assert_allclose(x.grad.numpy(), np.full(6, 2 * dfdx), rtol=1e-12)
    with mg.no_grad():
        x.grad.mul_(0.5)  # e.g. gradient clipping in place
    np.testing.assert_allclose(x.grad.numpy(), np.full(6, dfdx), rtol=1e-12)


def test_second_backward_on_freed_graph_raises(device):
    x = _t([1.0, 2.0], device)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(mg.BackwardError, match="retain_graph=True") as info:
        y.backward()
    assert "second time" in str(info.value) and "Sum" in str(info.value)  # the first node reached


def test_freed_graph_raises_even_for_ops_that_save_nothing(device):
    x = _t([1.0, 2.0], device)
    y = (x + 1.0).sum()
    y.backward()
    with pytest.raises(mg.BackwardError, match="retain_graph"):
        y.backward()


def test_retain_graph_allows_second_backward_and_accumulates(device):
    xv = np.array([1.0, -2.0, 0.5])
    x = _t(xv, device)
    y = (x * x * x).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * 3 * xv ** 2, rtol=1e-12)


def test_part_of_graph_shared_by_two_losses(device):
    x = _t([2.0], device)
    h = x * x
    (h * 3.0).sum().backward(retain_graph=True)
    (h * 5.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [(3 + 5) * 2 * 2.0])


def test_backward_through_branch_not_requiring_grad(device):
    x = _t([1.0, 2.0], device)
    c = _t([3.0, 4.0], device, requires_grad=False)
    out = (x * c + c * c).sum()
    out.backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 4.0])
    assert c.grad is None


def test_engine_backward_of_several_outputs(device):
    x = _t([1.0, 2.0], device)
    a, b = (x * x).sum(), (x * 3.0).sum()
    mg.backward([a, b])
    np.testing.assert_allclose(x.grad.numpy(), [2 + 3, 4 + 3])


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


# ----- higher order -----------------------------------------------------------------------------
_XS = np.array([-1.2, -0.3, 0.4, 1.7])

_SECOND = [
    ("x**3", lambda x: x ** 3, lambda x: 3 * x ** 2, lambda x: 6 * x),
    ("tanh", lambda x: x.tanh(), lambda x: 1 - np.tanh(x) ** 2,
     lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    ("sigmoid", lambda x: x.sigmoid(), lambda x: _sig(x) * (1 - _sig(x)),
     lambda x: _sig(x) * (1 - _sig(x)) * (1 - 2 * _sig(x))),
    ("exp*tanh", lambda x: x.exp() * x.tanh(), lambda x: np.exp(x) * (np.tanh(x) + 1 - np.tanh(x) ** 2),
     lambda x: np.exp(x) * (np.tanh(x) + 2 * (1 - np.tanh(x) ** 2) - 2 * np.tanh(x) * (1 - np.tanh(x) ** 2))),
    ("exp(-x^2)", lambda x: (-(x * x)).exp(), lambda x: -2 * x * np.exp(-x ** 2),
     lambda x: (4 * x ** 2 - 2) * np.exp(-x ** 2)),
    ("1/x", lambda x: 1.0 / x, lambda x: -1 / x ** 2, lambda x: 2 / x ** 3),
    ("sqrt(x^2+1)", lambda x: (x * x + 1.0).sqrt(), lambda x: x / np.sqrt(x ** 2 + 1),
     lambda x: (x ** 2 + 1) ** -1.5),
    ("log(x^2+1)", lambda x: (x * x + 1.0).log(), lambda x: 2 * x / (x ** 2 + 1),
     lambda x: (2 - 2 * x ** 2) / (x ** 2 + 1) ** 2),
]


def _sig(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize("name,f,d1,d2", _SECOND, ids=[c[0] for c in _SECOND])
def test_second_derivative_with_grad(device, name, f, d1, d2):
    x = _t(_XS, device)
    (g,) = mg.grad(f(x).sum(), x, create_graph=True)
    assert g.requires_grad
    np.testing.assert_allclose(g.numpy(), d1(_XS), rtol=1e-10)
    (h,) = mg.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), d2(_XS), rtol=1e-10, atol=1e-12)
    assert x.grad is None  # mg.grad never touches .grad


def test_second_derivative_with_backward_create_graph(device):
    x = _t(_XS, device)
    (x ** 3).sum().backward(create_graph=True)
    g = x.grad
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * _XS, rtol=1e-12)


def test_mixed_partial_derivative(device):
    xv, yv = np.array([0.5, -1.5]), np.array([2.0, 0.7])
    x, y = _t(xv, device), _t(yv, device)
    (gx,) = mg.grad((x * x * y ** 3).sum(), x, create_graph=True)  # 2 x y^3
    (gxy,) = mg.grad(gx.sum(), y)  # 6 x y^2
    np.testing.assert_allclose(gxy.numpy(), 6 * xv * yv ** 2, rtol=1e-12)


def test_third_derivative(device):
    x = _t(_XS, device)
    (g1,) = mg.grad((x ** 4).sum(), x, create_graph=True)
    (g2,) = mg.grad(g1.sum(), x, create_graph=True)
    (g3,) = mg.grad(g2.sum(), x)
    np.testing.assert_allclose(g3.numpy(), 24 * _XS, rtol=1e-12)


def test_hessian_vector_product_through_matmul(device):
    rng = np.random.default_rng(3)
    av, xv, vv = rng.standard_normal((3, 3)), rng.standard_normal(3), rng.standard_normal(3)
    a, x, v = _t(av, device, requires_grad=False), _t(xv, device), _t(vv, device, requires_grad=False)
    f = (x @ (a @ x)).tanh()  # f = tanh(x^T A x)
    (g,) = mg.grad(f, x, create_graph=True)
    (hv,) = mg.grad((g * v).sum(), x)
    s = xv @ av @ xv
    b = av + av.T
    d1, d2 = 1 - np.tanh(s) ** 2, -2 * np.tanh(s) * (1 - np.tanh(s) ** 2)
    hess = d2 * np.outer(b @ xv, b @ xv) + d1 * b
    np.testing.assert_allclose(hv.numpy(), hess @ vv, rtol=1e-10)


# ----- mg.grad ------------------------------------------------------------------------------------
def test_grad_returns_without_touching_dot_grad(device):
    xv, yv = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    x, y = _t(xv, device), _t(yv, device)
    x.grad = _t([100.0, 100.0], device, requires_grad=False)
    gx, gy = mg.grad((x * y).sum(), [x, y])
    np.testing.assert_allclose(gx.numpy(), yv)
    np.testing.assert_allclose(gy.numpy(), xv)
    np.testing.assert_allclose(x.grad.numpy(), [100.0, 100.0])
    assert y.grad is None


def test_grad_with_grad_outputs_and_unused(device):
    x, z = _t([1.0, 2.0], device), _t([5.0], device)
    y = x * x
    (gx,) = mg.grad(y, x, grad_outputs=_t([10.0, 1.0], device, requires_grad=False), retain_graph=True)
    np.testing.assert_allclose(gx.numpy(), [20.0, 4.0])
    with pytest.raises(mg.BackwardError, match="allow_unused"):
        mg.grad(y.sum(), [x, z], retain_graph=True)
    gx, gz = mg.grad(y.sum(), [x, z], allow_unused=True)
    assert gz is None
    np.testing.assert_allclose(gx.numpy(), [2.0, 4.0])


def test_grad_of_intermediate_tensor(device):
    x = _t([1.0, 3.0], device)
    h = x * 2.0
    (gh,) = mg.grad((h * h).sum(), h)
    np.testing.assert_allclose(gh.numpy(), [4.0, 12.0])
    assert x.grad is None


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
        w.data[0] = 3.0
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
    assert not np.shares_memory(flat.data, b.data)
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
        assert x.grad.data.flags.c_contiguous and w.grad.data.flags.c_contiguous


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
