"""In-place ops in the graph against PyTorch: values, gradients (first and second order), dtypes
and the errors, for the same programs written once for both libraries."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")


def _micrograd(a, b):
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
    return g


def _chain(x, w):
    y = x * 1.0
    y.mul_(2.0).add_(w, alpha=0.5).sub_(x * w).div_(1.5)
    y += w
    y *= x
    y /= 2.0
    y -= 1.0
    return y


def _activations(x, w):
    y = x * w
    y.relu_()
    z = x + w
    z.clamp_(-0.5, 0.5)
    return y * z


def _overwrite(x, w):
    y = x * 1.0
    y[1:3] = w[0:2] * w[0:2]
    y[0] = 5.0
    z = x * 2.0
    z.fill_(3.0)
    u = x * 1.0
    u.copy_(w.exp())
    v = (x * 3.0)
    v.zero_()
    return y * x + z + u + v


def _views(x, w):
    y = x * 2.0 + 1.0
    y[1:3] += w[0:2] * x[0:2]
    y[0:2].mul_(w[2:4])
    y[3:4].clamp_(max=0.25)
    return y * w


def _nested_views(x, w):
    y = x * 2.0
    m = y[1:4]
    m[0:2].mul_(w[0:2])  # a view of a view: m and y are both rebased
    m[2:3] += w[3]
    return y * y


def _constant_buffer(x, w):
    buf = x.detach() * 0.0
    buf += w * x
    buf[0] = w[3]
    return buf


PROGRAMS = {"chain": _chain, "activations": _activations, "overwrite": _overwrite, "views": _views,
            "nested views": _nested_views, "constant buffer": _constant_buffer}


def _pair(values, dtype):
    m = mg.tensor(values, dtype=getattr(mg, dtype), requires_grad=True)
    t = torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=True)
    return m, t


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_micrograd_program_matches_torch(dtype):
    (ma, ta), (mb, tb) = _pair(-4.0, dtype), _pair(2.0, dtype)
    mg_g, t_g = _micrograd(ma, mb), _micrograd(ta, tb)
    mg_g.backward()
    t_g.backward()
    rtol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(mg_g.item(), t_g.item(), rtol=rtol)
    np.testing.assert_allclose(ma.grad.item(), ta.grad.item(), rtol=rtol)
    np.testing.assert_allclose(mb.grad.item(), tb.grad.item(), rtol=rtol)
    assert str(mg_g.dtype) == str(t_g.dtype).replace("torch.", "")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(PROGRAMS))
def test_program_values_gradients_and_second_order_match_torch(name, dtype):
    rng = np.random.default_rng(3)
    xv, wv = rng.uniform(-1, 1, 4), rng.uniform(-1, 1, 4)
    (mx, tx), (mw, tw) = _pair(xv, dtype), _pair(wv, dtype)
    fn = PROGRAMS[name]
    my, ty = fn(mx, mw), fn(tx, tw)
    rtol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(my.detach().numpy(), ty.detach().numpy(), rtol=rtol, atol=rtol)
    assert str(my.dtype) == str(ty.dtype).replace("torch.", "")
    assert my.requires_grad == ty.requires_grad and my.is_leaf == ty.is_leaf
    gv = rng.uniform(-1, 1, 4)
    mgx, mgw = mg.grad(my, [mx, mw], grad_outputs=mg.tensor(gv, dtype=getattr(mg, dtype)), create_graph=True)
    tgx, tgw = torch.autograd.grad(ty, [tx, tw], grad_outputs=torch.tensor(gv, dtype=getattr(torch, dtype)),
                                   create_graph=True)
    for m, t in ((mgx, tgx), (mgw, tgw)):
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=rtol)
    (mgx * mgx).sum().backward() if mgx.requires_grad else None
    (tgx * tgx).sum().backward() if tgx.requires_grad else None
    for m, t in ((mx, tx), (mw, tw)):
        if t.grad is None:
            assert m.grad is None or not np.any(m.grad.numpy())
        else:
            np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=10 * rtol, atol=10 * rtol)


def test_no_grad_updates_match_torch():
    (mw, tw) = _pair([1.0, -2.0, 3.0], "float32")
    for w in (mw, tw):
        (w * w).sum().backward()
    for lib, w in ((mg, mw), (torch, tw)):
        with lib.no_grad():
            w.sub_(0.1 * w.grad)
            w.mul_(2.0).clamp_(-3.0, 5.0).add_(w.grad, alpha=-0.5)
            w[0] = 7.0
        w.grad.zero_()
    np.testing.assert_allclose(mw.detach().numpy(), tw.detach().numpy(), rtol=1e-6)
    assert mw.is_leaf and tw.is_leaf and mw._version == tw._version


@pytest.mark.parametrize("op", ["add_", "mul_", "relu_", "fill_", "setitem"])
def test_leaf_refusal_matches_torch(op):
    calls = {"add_": lambda w: w.add_(1.0), "mul_": lambda w: w.mul_(2.0), "relu_": lambda w: w.relu_(),
             "fill_": lambda w: w.fill_(0.0), "setitem": lambda w: w.__setitem__(0, 1.0)}
    mw, tw = _pair([1.0, 2.0], "float32")
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        calls[op](tw)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        calls[op](mw)


def test_overwritten_saved_tensor_refused_as_torch():
    mx, tx = _pair([1.0, 2.0], "float64")
    outs = []
    for x in (mx, tx):
        y = x * 1.0
        z = (y * y).sum()
        y.add_(1.0)
        outs.append(z)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        outs[1].backward()
    with pytest.raises(RuntimeError, match=r"modified in place after it was saved \(version 0 -> 1\)"):
        outs[0].backward()
