"""Parity with PyTorch at the window-geometry boundaries of pooling and convolution (skipped where torch
is not installed): ceil-mode windows that would start in the padding, divisors of clipped windows,
dilation with padding, indices of maxima, unbatched inputs, odd 'same' padding, groups, output_padding
(issue 18: the off-by-one places of minigrad/ops/pooling.py and conv.py).  Values and input gradients
for a random upstream gradient, in float64."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _compare(mg_fn, torch_fn, arrays, device, **kw):
    m_in = [mg.tensor(a, device=device, requires_grad=True) for a in arrays]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    m_out, t_out = mg_fn(*m_in, **kw), torch_fn(*t_in, **kw)
    assert m_out.shape == tuple(t_out.shape)
    np.testing.assert_allclose(m_out.numpy(), t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(1).standard_normal(m_out.shape)
    m_out.backward(mg.tensor(g, device=device))
    t_out.backward(torch.tensor(g))
    for m, t in zip(m_in, t_in):
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


POOL_EDGES = [
    dict(kernel_size=2, stride=2, ceil_mode=True),  # 5 -> 3 windows, the last one partial
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),  # the last window would start in the padding
    dict(kernel_size=2, stride=3, padding=1, ceil_mode=True),
    dict(kernel_size=(3, 1), stride=(1, 2), padding=(1, 0), ceil_mode=True),
    dict(kernel_size=4, stride=1, padding=2),
    dict(kernel_size=(2, 3), stride=(3, 2), padding=(1, 1)),
    dict(kernel_size=1),
]


@pytest.mark.parametrize("kw", POOL_EDGES + [dict(kernel_size=3, dilation=2, padding=1),
                                             dict(kernel_size=2, dilation=(2, 1), stride=1, ceil_mode=True),
                                             dict(kernel_size=3, stride=2, dilation=2, padding=1, ceil_mode=True)],
                         ids=str)
@pytest.mark.parametrize("shape", [(2, 2, 5, 7), (2, 6, 5)], ids=str)
def test_max_pool2d_edges(device, kw, shape):
    _compare(mg.max_pool2d, TF.max_pool2d, [_x(*shape)], device, **kw)
    m_out, m_idx = mg.max_pool2d(mg.tensor(_x(*shape), device=device), return_indices=True, **kw)
    t_out, t_idx = TF.max_pool2d(torch.tensor(_x(*shape)), return_indices=True, **kw)
    assert m_idx.dtype == "int64" and m_idx.shape == tuple(t_idx.shape) and not m_idx.requires_grad
    np.testing.assert_array_equal(m_idx.numpy(), t_idx.numpy())


@pytest.mark.parametrize("kw", POOL_EDGES, ids=str)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_edges(device, kw, count_include_pad):
    _compare(mg.avg_pool2d, TF.avg_pool2d, [_x(2, 5, 7)], device, count_include_pad=count_include_pad, **kw)


@pytest.mark.parametrize("divisor", [1, 5, -2])
def test_avg_pool2d_divisor_override(device, divisor):
    _compare(mg.avg_pool2d, TF.avg_pool2d, [_x(1, 2, 5, 5)], device, kernel_size=3, stride=2, padding=1,
             ceil_mode=True, divisor_override=divisor)


@pytest.mark.parametrize("size", [(1, 1), (2, 3), (5, 7), (3, None), (4, 6)], ids=str)
@pytest.mark.parametrize("shape", [(1, 2, 5, 7), (3, 4, 6)], ids=str)
def test_adaptive_avg_pool2d_edges(device, size, shape):
    _compare(mg.adaptive_avg_pool2d, TF.adaptive_avg_pool2d, [_x(*shape)], device, output_size=size)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("case", [
    ((1, 2, 6, 5), (4, 2, 4, 2), dict(padding="same")),
    ((1, 2, 6, 5), (4, 2, 3, 3), dict(padding="same", dilation=(1, 2))),
    ((2, 4, 6, 5), (6, 2, 2, 3), dict(stride=(1, 2), padding=(2, 0), groups=2)),
    ((2, 4, 6, 5), (4, 1, 3, 3), dict(stride=3, dilation=(2, 1), padding=1, groups=4)),
    ((3, 7, 7), (2, 3, 1, 1), dict(stride=2)),
    ((1, 1, 4, 4), (1, 1, 4, 4), {}),
], ids=str)
def test_conv2d_edges(device, case):
    xs, ws, kw = case
    _compare(mg.conv2d, TF.conv2d, [_x(*xs), _x(*ws, seed=1), _x(ws[0], seed=2)], device, **kw)


@pytest.mark.parametrize("kw", [dict(padding="same", dilation=3), dict(stride=2, padding=2, groups=3),
                                dict(padding="valid")], ids=str)
@pytest.mark.parametrize("unbatched", [False, True])
def test_conv1d_edges(device, kw, unbatched):
    x = _x(3, 10) if unbatched else _x(2, 3, 10)
    _compare(mg.conv1d, TF.conv1d, [x, _x(6, 3 // kw.get("groups", 1), 4, seed=1), _x(6, seed=2)], device, **kw)


@pytest.mark.parametrize("kw", [dict(stride=3, padding=1, output_padding=2),
                                 dict(stride=1, dilation=3, output_padding=2),
                                dict(stride=(2, 1), padding=(0, 1), groups=2), dict(padding=1)], ids=str)
@pytest.mark.parametrize("unbatched", [False, True])
def test_conv_transpose2d_edges(device, kw, unbatched):
    x = _x(4, 3, 4) if unbatched else _x(2, 4, 3, 4)
    groups = kw.get("groups", 1)
    _compare(mg.conv_transpose2d, TF.conv_transpose2d, [x, _x(4, 6 // groups, 3, 2, seed=1), _x(6, seed=2)], device,
             **kw)


@pytest.mark.parametrize("kw", [dict(kernel_size=(3, 2), dilation=(1, 2), padding=(2, 1), stride=(2, 3)),
                                dict(kernel_size=1), dict(kernel_size=(5, 4))], ids=str)
def test_unfold_fold_edges(device, kw):
    _compare(mg.unfold, TF.unfold, [_x(2, 3, 5, 6)], device, **kw)
    _compare(mg.unfold, TF.unfold, [_x(3, 5, 6)], device, **kw)  # unbatched
    blocks = TF.unfold(torch.zeros(1, 1, 5, 6), **kw).shape[-1]
    k = kw["kernel_size"]
    kk = k * k if isinstance(k, int) else k[0] * k[1]
    _compare(mg.fold, TF.fold, [_x(2, 2 * kk, blocks)], device, output_size=(5, 6), **kw)
    _compare(mg.fold, TF.fold, [_x(2 * kk, blocks)], device, output_size=(5, 6), **kw)
