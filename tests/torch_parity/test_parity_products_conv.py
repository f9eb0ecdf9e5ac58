"""Parity with PyTorch (skipped where torch is not installed): products, linear algebra, integer and
bitwise operators, convolution and pooling ops, and the nn Conv/Pool modules with the same weights.
Values, gradients (for a random upstream gradient) and dtypes, in float32 and float64, on every
test device."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional

TOL = {"float32": dict(rtol=2e-4, atol=2e-5), "float64": dict(rtol=1e-9, atol=1e-11)}
DTYPES = ["float32", "float64"]


def _r(rng, *shape):
    return rng.standard_normal(shape)


def _compare(mg_fn, torch_fn, arrays, dtype, device, **kw):
    """Run both on the same values; compare outputs (values, shapes, dtypes) and input gradients."""
    rng = np.random.default_rng(1)
    m_in = [mg.tensor(a, dtype=dtype, device=device, requires_grad=True) for a in arrays]
    t_in = [torch.tensor(a, dtype=getattr(torch, dtype), requires_grad=True) for a in arrays]
    m_out, t_out = mg_fn(*m_in, **kw), torch_fn(*t_in, **kw)
    assert m_out.shape == tuple(t_out.shape)
    assert str(m_out.dtype) == str(t_out.dtype).replace("torch.", "")
    np.testing.assert_allclose(m_out.numpy(), t_out.detach().numpy(), **TOL[dtype])
    g = rng.standard_normal(m_out.shape)
    m_out.backward(mg.tensor(g, dtype=dtype, device=device))
    t_out.backward(torch.tensor(g, dtype=getattr(torch, dtype)))
    for m, t in zip(m_in, t_in):
        assert (m.grad is None) == (t.grad is None)
        if t.grad is None:
            continue
        assert m.grad is not None and m.grad.dtype == dtype
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), **TOL[dtype])


# ----- convolution and pooling ops ---------------------------------------------------------------
CONV2D = [  # (input shape, weight shape, bias?, kwargs)
    ((2, 3, 7, 6), (4, 3, 3, 3), True, {}),
    ((2, 4, 7, 6), (6, 2, 3, 2), True, dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2)),
    ((1, 2, 5, 5), (2, 2, 2, 3), False, dict(padding="same", dilation=2)),
    ((1, 2, 5, 5), (3, 2, 3, 3), True, dict(padding="valid", stride=2)),
    ((6, 5, 4), (6, 1, 3, 3), True, dict(padding=1, groups=6)),  # unbatched, depthwise
    ((64, 1, 8, 8), (16, 1, 3, 3), True, dict(padding=1)),
    ((1, 2, 5, 6), (3, 2, 2, 4), True, dict(padding="same")),  # even kernels: the extra row/column at the end
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # PyTorch's note about its own copy
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONV2D, ids=lambda c: f"{c[0]}x{c[1]}-{c[3]}")
def test_conv2d(case, dtype, device):
    xs, ws, bias, kw = case
    rng = np.random.default_rng(0)
    arrays = [_r(rng, *xs), _r(rng, *ws)] + ([_r(rng, ws[0])] if bias else [])
    _compare(mg.conv2d, TF.conv2d, arrays, dtype, device, **kw)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [{}, dict(stride=2, padding=3, groups=2), dict(padding="same", dilation=2),
                                dict(padding="valid", dilation=2, stride=3)], ids=str)
def test_conv1d(kw, dtype, device):
    rng = np.random.default_rng(0)
    _compare(mg.conv1d, TF.conv1d, [_r(rng, 2, 4, 11), _r(rng, 6, 4 // kw.get("groups", 1), 3), _r(rng, 6)],
             dtype, device, **kw)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [{}, dict(stride=2, padding=1, output_padding=1),
                                dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2),
                                dict(stride=2, dilation=2, output_padding=1, groups=2)], ids=str)
def test_conv_transpose2d(kw, dtype, device):
    rng = np.random.default_rng(0)
    _compare(mg.conv_transpose2d, TF.conv_transpose2d, [_r(rng, 2, 4, 5, 4), _r(rng, 4, 3, 3, 2), _r(rng, 3 * kw.get(
        "groups", 1))], dtype, device, **kw)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [dict(kernel_size=2),
                                dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))], ids=str)
def test_unfold_fold(kw, dtype, device):
    rng = np.random.default_rng(0)
    _compare(mg.unfold, TF.unfold, [_r(rng, 2, 3, 6, 5)], dtype, device, **kw)
    blocks = TF.unfold(torch.zeros(1, 1, 6, 5), **kw).shape[-1]
    k = kw["kernel_size"]
    kk = k * k if isinstance(k, int) else k[0] * k[1]
    _compare(mg.fold, TF.fold, [_r(rng, 2, 3 * kk, blocks)], dtype, device, output_size=(6, 5), **kw)


POOL = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=(3, 2), stride=(2, 1),
                                                                            padding=1, ceil_mode=True)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", POOL + [dict(kernel_size=2, dilation=2, ceil_mode=True)], ids=str)
def test_max_pool2d(kw, dtype, device):
    rng = np.random.default_rng(0)
    _compare(mg.max_pool2d, TF.max_pool2d, [_r(rng, 2, 3, 7, 6)], dtype, device, **kw)
    _compare(mg.max_pool2d, TF.max_pool2d, [np.round(_r(rng, 2, 3, 7, 6))], dtype, device, **kw)  # ties


@pytest.mark.parametrize("kw", POOL, ids=str)
def test_max_pool2d_indices(kw, device):
    x = np.random.default_rng(3).standard_normal((2, 3, 7, 6))
    m_out, m_idx = mg.max_pool2d(mg.tensor(x, device=device), return_indices=True, **kw)
    t_out, t_idx = TF.max_pool2d(torch.tensor(x), return_indices=True, **kw)
    assert m_idx.dtype == "int64"
    np.testing.assert_array_equal(m_idx.numpy(), t_idx.numpy())


AVG = POOL + [dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
              dict(kernel_size=2, padding=1, divisor_override=3)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", AVG, ids=str)
def test_avg_pool2d(kw, dtype, device):
    _compare(mg.avg_pool2d, TF.avg_pool2d, [_r(np.random.default_rng(0), 2, 3, 7, 6)], dtype, device, **kw)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [1, (3, 4), (5, None), (9, 2)], ids=str)
def test_adaptive_avg_pool2d(size, dtype, device):
    _compare(mg.adaptive_avg_pool2d, TF.adaptive_avg_pool2d, [_r(np.random.default_rng(0), 2, 3, 7, 6)], dtype,
             device, output_size=size)


# ----- products and linear algebra ---------------------------------------------------------------
PRODUCTS = [
    ("outer", mg.outer, torch.outer, [(3,), (4,)], {}),
    ("dot", mg.dot, torch.dot, [(3,), (3,)], {}),
    ("mv", mg.mv, torch.mv, [(2, 3), (3,)], {}),
    ("bmm", mg.bmm, torch.bmm, [(2, 2, 3), (2, 3, 4)], {}),
    ("addmm", mg.addmm, torch.addmm, [(4,), (2, 3), (3, 4)], dict(beta=0.5, alpha=2.0)),
    ("addmm", mg.addmm, torch.addmm, [(2, 1), (2, 3), (3, 4)], {}),
    ("addmm", mg.addmm, torch.addmm, [(2, 4), (2, 3), (3, 4)], dict(beta=0)),
    ("baddbmm", mg.baddbmm, torch.baddbmm, [(4,), (2, 2, 3), (2, 3, 4)], dict(beta=0, alpha=0.5)),
    ("baddbmm", mg.baddbmm, torch.baddbmm, [(2, 1, 4), (2, 2, 3), (2, 3, 4)], dict(beta=2, alpha=-1)),
    ("kron", mg.kron, torch.kron, [(2, 3), (3, 2)], {}),
    ("kron", mg.kron, torch.kron, [(2,), (3, 2, 2)], {}),
    ("tensordot", mg.tensordot, torch.tensordot, [(2, 3, 4), (3, 4, 5)], {}),
    ("tensordot", mg.tensordot, torch.tensordot, [(2, 3, 4), (4, 2, 5)], dict(dims=([0, 2], [1, 0]))),
    ("tensordot", mg.tensordot, torch.tensordot, [(2, 3), (4,)], dict(dims=0)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", PRODUCTS, ids=lambda c: f"{c[0]}{c[3]}{c[4]}")
def test_products(case, dtype, device):
    _, mf, tf, shapes, kw = case
    rng = np.random.default_rng(0)
    _compare(mf, tf, [_r(rng, *s) for s in shapes], dtype, device, **kw)


EINSUM = [("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("ii->i", [(3, 3)]),
          ("ii", [(3, 3)]), ("ij->", [(2, 3)]), ("ij->ji", [(2, 3)]), ("i,j->ij", [(2,), (3,)]),
          ("...ij,...jk", [(2, 1, 2, 3), (4, 3, 2)]), ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
          ("i,i,i->", [(3,), (3,), (3,)]), ("iij->j", [(2, 2, 3)]), ("ij,ij->ij", [(2, 3), (1, 3)]),
          ("i...->...", [(2, 3, 4)]), ("ba,b", [(3, 2), (3,)]), ("b h i d, b h j d -> b h i j", [(2, 2, 3, 4),
                                                                                             (2, 2, 5, 4)])]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", EINSUM, ids=lambda c: c[0])
def test_einsum(case, dtype, device):
    eq, shapes = case
    rng = np.random.default_rng(0)
    _compare(lambda *ts: mg.einsum(eq, *ts), lambda *ts: torch.einsum(eq, *ts), [_r(rng, *s) for s in shapes],
             dtype, device)


def _square(rng, *shape):
    return _r(rng, *shape) * 0.3 + shape[-1] * np.eye(shape[-1])


@pytest.mark.parametrize("dtype", DTYPES)
def test_linalg(dtype, device):
    rng = np.random.default_rng(0)
    a = _square(rng, 2, 3, 3)
    _compare(mg.inverse, torch.linalg.inv, [a], dtype, device)
    _compare(mg.det, torch.linalg.det, [a], dtype, device)
    for b in [(2, 3, 2), (3,), (2, 3), (3, 2)]:
        _compare(mg.linalg_solve, torch.linalg.solve, [a, _r(rng, *b)], dtype, device)


# ----- integer and bitwise operators -------------------------------------------------------------
_I = np.array([7, -7, 5, 0, -1, 100])
_J = np.array([2, 2, -3, 4, 3, -7])
_B = np.array([True, False, True, False, True, True])
OPERATORS = [
    ("i // j", lambda a, b: a // b, _I, _J), ("i // 2", lambda a, b: a // 2, _I, _J),
    ("7 // j", lambda a, b: 7 // b, _I, _J), ("f // f", lambda a, b: a // b, _I * 1.5, _J * 1.0),
    ("f32 // 0", lambda a, b: a // 0, np.float32([7, -7, 0, 1, 2, 3]), _J), ("i // 2.5", lambda a, b: a // 2.5, _I, _J),
    ("~b", lambda a, b: ~a, _B, _J), ("~i", lambda a, b: ~a, _I, _J), ("~u8", lambda a, b: ~a, np.uint8([5, 0]), _J),
    ("i & j", lambda a, b: a & b, _I, _J), ("i | j", lambda a, b: a | b, _I, _J), ("i ^ j", lambda a, b: a ^ b, _I, _J),
    ("b & b", lambda a, b: a & b, _B, ~_B), ("b | 3", lambda a, b: a | 3, _B, _J),
    ("3 ^ b", lambda a, b: 3 ^ b, _I, _B),
    ("b ^ i", lambda a, b: a ^ b, _B, _J), ("i8 ^ 300", lambda a, b: a ^ 300, np.int8([5, -3]), _J),
    ("u8 & i8", lambda a, b: a & b, np.uint8([5, 250]), np.int8([3, -1])),
    ("i << j", lambda a, b: a << b, np.array([1, 3, -2, 5]), np.array([3, 70, 1, 0])),
    ("i >> j", lambda a, b: a >> b, np.array([-8, 8, -1, 5]), np.array([1, 70, 100, 1])),
    ("2 << j", lambda a, b: 2 << b, _I, np.array([1, 3])), ("i8 << 7", lambda a, b: a << 7, np.int8([1, 3]), _J),
    ("i32 << i64", lambda a, b: a << b, np.int32([1, 3]), np.array([2, 1])),
    ("i // f32", lambda a, b: a // b, _I, np.float32([2, 2.5, -3, 4, 3, -7])),
    ("f32 // i", lambda a, b: b // a, _I, np.float32([2, 2.5, -3, 4, 3, -7])),
]


@pytest.mark.parametrize("case", OPERATORS, ids=lambda c: c[0])
def test_operators(case, device):
    _, fn, a, b = case
    m = fn(mg.tensor(a, device=device), mg.tensor(b, device=device))
    t = fn(torch.tensor(a), torch.tensor(b))
    assert str(m.dtype) == str(t.dtype).replace("torch.", "")
    np.testing.assert_array_equal(m.numpy(), t.numpy())


@pytest.mark.parametrize("expr", [lambda t: ~t, lambda t: t & 1, lambda t: 1 | t, lambda t: t << 1, lambda t: t >> t])
def test_bitwise_operators_refuse_floats(expr, device):
    with pytest.raises((TypeError, NotImplementedError)) as torch_error:
        expr(torch.tensor([1.0]))
    with pytest.raises(torch_error.type, match="integer and bool"):  # the class PyTorch users catch
        expr(mg.tensor([1.0], device=device))


def test_floor_divide_errors_like_torch(device):
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        torch.tensor([7]) // 0
    with pytest.raises(RuntimeError, match="floor_divide"):
        mg.tensor([7], device=device) // 0
    with pytest.raises(ZeroDivisionError):
        mg.tensor([7], device=device) // mg.tensor([0], device=device)
    t, m = torch.tensor([3.5], requires_grad=True), mg.tensor([3.5], requires_grad=True, device=device)
    with pytest.raises(RuntimeError):
        (t // 2).sum().backward()
    with pytest.raises(RuntimeError, match="floor_divide"):
        (m // 2).sum().backward()


# ----- nn modules with the same weights ----------------------------------------------------------
MODULES = [
    (lambda lib: lib.Conv2d(3, 4, 3), (2, 3, 7, 6)),
    (lambda lib: lib.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=1, dilation=(1, 2), groups=2, bias=False),
     (2, 4, 7, 6)),
    (lambda lib: lib.Conv2d(2, 3, 3, padding="same"), (2, 2, 5, 5)),
    (lambda lib: lib.Conv1d(4, 6, 3, stride=2, padding=1, groups=2), (2, 4, 9)),
    (lambda lib: lib.MaxPool2d(2), (2, 3, 7, 6)),
    (lambda lib: lib.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), (2, 3, 7, 6)),
    (lambda lib: lib.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), (2, 3, 7, 6)),
    (lambda lib: lib.AdaptiveAvgPool2d((2, 3)), (2, 3, 7, 6)),
    (lambda lib: lib.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2), (2, 4, 5, 4)),
    (lambda lib: lib.ConvTranspose2d(3, 2, (2, 3), dilation=2, bias=False), (2, 3, 5, 4)),
    (lambda lib: lib.Unfold((2, 3), padding=1, stride=2), (2, 3, 7, 6)),
    (lambda lib: lib.Fold((5, 6), 2, stride=2, padding=1), (2, 12, 12)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", MODULES, ids=lambda c: repr(c[0](nn)) if callable(c) else str(c))
def test_modules_with_same_weights(case, dtype, device):
    make, shape = case
    m_mod, t_mod = make(nn), make(torch.nn)
    m_mod.to(device=device, dtype=dtype) if hasattr(m_mod, "to") else None
    t_mod.to(getattr(torch, dtype))
    params = dict(t_mod.named_parameters())
    for name, p in m_mod.named_parameters():
        assert p.shape == tuple(params[name].shape)
        with mg.no_grad():
            p.copy_(mg.tensor(params[name].detach().numpy(), dtype=dtype, device=device))
    x = np.random.default_rng(0).standard_normal(shape)
    mx = mg.tensor(x, dtype=dtype, device=device, requires_grad=True)
    tx = torch.tensor(x, dtype=getattr(torch, dtype), requires_grad=True)
    mo, to = m_mod(mx), t_mod(tx)
    np.testing.assert_allclose(mo.numpy(), to.detach().numpy(), **TOL[dtype])
    g = np.random.default_rng(1).standard_normal(mo.shape)
    mo.backward(mg.tensor(g, dtype=dtype, device=device))
    to.backward(torch.tensor(g, dtype=getattr(torch, dtype)))
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), **TOL[dtype])
    for name, p in m_mod.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), params[name].grad.numpy(), **TOL[dtype])
    assert repr(m_mod) == repr(t_mod)


@pytest.mark.parametrize("make", [lambda lib: lib.Conv2d(3, 8, 3), lambda lib: lib.Conv1d(2, 5, 4, groups=1),
                                  lambda lib: lib.Conv2d(4, 8, (3, 2), groups=2),
                                  lambda lib: lib.ConvTranspose2d(6, 8, 3, groups=2)])
def test_conv_default_init_matches_torch_distribution(make):
    """PyTorch's default: weight and bias uniform in +-1/sqrt(fan_in) (checked by bounds and spread)."""
    m_mod, t_mod = make(nn), make(torch.nn)
    for (name, p), (_, q) in zip(m_mod.named_parameters(), t_mod.named_parameters()):
        fan_in = np.prod(q.shape[1:]) if q.ndim > 1 else np.prod(t_mod.weight.shape[1:])
        bound = 1 / np.sqrt(fan_in)
        v = p.numpy()
        assert np.all(np.abs(v) <= bound + 1e-7) and np.abs(q.detach().numpy()).max() <= bound + 1e-7
        if v.size >= 40:
            assert v.std() == pytest.approx(bound / np.sqrt(3), rel=0.35)


def test_small_cnn_trains_like_torch():
    """A LeNet-style CNN on 8x8 inputs, the same weights, five SGD steps: the same losses."""
    import optim

    def build(lib):
        return lib.Sequential(lib.Conv2d(1, 4, 3, padding=1), lib.ReLU(), lib.MaxPool2d(2), lib.Conv2d(4, 8, 3),
                              lib.ReLU(), lib.AdaptiveAvgPool2d(1), lib.Flatten(), lib.Linear(8, 3))

    m_model, t_model = build(nn), build(torch.nn)
    t_model.double()
    m_model.to(dtype="float64")
    for (_, p), q in zip(m_model.named_parameters(), t_model.parameters()):
        with mg.no_grad():
            p.copy_(mg.tensor(q.detach().numpy()))
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 1, 8, 8)), rng.integers(0, 3, 16)
    m_opt, t_opt = optim.SGD(m_model.parameters(), lr=0.1), torch.optim.SGD(t_model.parameters(), lr=0.1)
    m_losses, t_losses = [], []
    for _ in range(5):
        m_loss = nn.CrossEntropyLoss()(m_model(mg.tensor(x)), mg.tensor(y))
        t_loss = torch.nn.CrossEntropyLoss()(t_model(torch.tensor(x)), torch.tensor(y))
        m_opt.zero_grad(), t_opt.zero_grad()
        m_loss.backward(), t_loss.backward()
        m_opt.step(), t_opt.step()
        m_losses.append(m_loss.item()), t_losses.append(t_loss.item())
    np.testing.assert_allclose(m_losses, t_losses, rtol=1e-10)
    assert m_losses[-1] < m_losses[0]


EMPTY = [
    ("conv2d", lambda lib: lambda x, w: lib.conv2d(x, w, padding=1), [(0, 2, 5, 5), (3, 2, 3, 3)]),
    ("conv_transpose2d", lambda lib: lambda x, w: lib.conv_transpose2d(x, w, stride=2), [(0, 2, 3, 3), (2, 3, 2, 2)]),
    ("max_pool2d", lambda lib: lambda x: lib.max_pool2d(x, 2), [(0, 2, 5, 5)]),
    ("avg_pool2d", lambda lib: lambda x: lib.avg_pool2d(x, 2, padding=1), [(0, 2, 5, 5)]),
    ("adaptive_avg_pool2d", lambda lib: lambda x: lib.adaptive_avg_pool2d(x, 2), [(0, 2, 5, 5)]),
    ("unfold", lambda lib: lambda x: lib.unfold(x, 2), [(0, 2, 5, 5)]),
    ("outer", lambda lib: lib.outer, [(0,), (3,)]),
    ("dot", lambda lib: lib.dot, [(0,), (0,)]),
    ("mv", lambda lib: lib.mv, [(2, 0), (0,)]),
    ("bmm", lambda lib: lib.bmm, [(0, 2, 3), (0, 3, 4)]),
    ("kron", lambda lib: lib.kron, [(0, 2), (2, 3)]),
    ("einsum", lambda lib: lambda a, b: lib.einsum("ij,jk->ik", a, b), [(2, 0), (0, 3)]),
    ("tensordot", lambda lib: lambda a, b: lib.tensordot(a, b, dims=1), [(2, 0), (0, 3)]),
]


@pytest.mark.parametrize("case", EMPTY, ids=lambda c: c[0])
def test_empty_tensors(case, device):
    """Size-0 batches, channels and contracted axes: PyTorch's shapes, values (sums over nothing are
    0) and gradients."""
    _, make, shapes = case
    rng = np.random.default_rng(0)
    _compare(make(mg), make(TF) if hasattr(TF, case[0]) else make(torch), [_r(rng, *s) for s in shapes],
             "float64", device)
