"""The autograd engine's walk: graph size and shape, accumulation, freeing and retain_graph,
higher-order derivatives, and ``mg.grad``.

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
