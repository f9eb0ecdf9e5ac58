"""Boundaries of the shape and layout ops (minigrad/ops/shape.py, layout.py) against NumPy: piece sizes
of split/chunk, the inferred size of reshape/unflatten, -1 in expand, what squeeze/sum_to keep,
shifts past the length in roll, diagonals off the middle, the 'xy' grids; and each refusal with its
message (issue 18)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.errors import AxisError

A = np.arange(24.0).reshape(2, 3, 4)


def _t(a, device):
    return mg.tensor(a, device=device)


@pytest.mark.parametrize("size, n, expected", [(2, 5, [2, 2, 1]), (5, 5, [5]), (7, 5, [5]), (1, 3, [1, 1, 1]),
                                               (2, 0, [0])])
def test_split_by_piece_size(device, size, n, expected):
    x = _t(np.arange(float(n) * 2).reshape(2, n), device)
    pieces = mg.split(x, size, axis=1)
    assert [p.shape[1] for p in pieces] == expected
    np.testing.assert_array_equal(np.concatenate([p.numpy() for p in pieces], axis=1), x.numpy())


def test_split_by_sections_and_dim_alias(device):
    x = _t(A, device)
    pieces = mg.split(x, [1, 0, 3], dim=2)
    assert [p.shape for p in pieces] == [(2, 3, 1), (2, 3, 0), (2, 3, 3)]
    np.testing.assert_array_equal(pieces[2].numpy(), A[:, :, 1:])


@pytest.mark.parametrize("n, chunks, expected", [(5, 4, [2, 2, 1]), (6, 4, [2, 2, 2]), (4, 4, [1, 1, 1, 1]),
                                                 (3, 5, [1, 1, 1]), (7, 3, [3, 3, 1]), (1, 1, [1])])
def test_chunk_sizes_as_pytorch(device, n, chunks, expected):
    pieces = mg.chunk(_t(np.arange(float(n)), device), chunks)
    assert [p.shape[0] for p in pieces] == expected


@pytest.mark.parametrize("shape", [(4, -1), (-1, 3, 2), (24,), (-1,), (2, 3, 4), (1, -1, 1)])
def test_reshape_infers_one_size(device, shape):
    out = mg.reshape(_t(A, device), shape)
    np.testing.assert_array_equal(out.numpy(), A.reshape(shape))
    np.testing.assert_array_equal(mg.reshape(_t(A, device), *shape).numpy(), A.reshape(shape))


def test_no_op_shape_calls_return_the_tensor_itself(device):
    x = _t(A, device)
    assert mg.reshape(x, (2, 3, 4)) is x and mg.reshape(x, 2, 3, 4) is x
    assert mg.permute(x, (0, 1, 2)) is x and mg.permute(x, 0, 1, 2) is x
    assert mg.broadcast_to(x, (2, 3, 4)) is x and mg.sum_to(x, (2, 3, 4)) is x
    v = _t([1.0, 2.0], device)
    assert mg.transpose(v) is v and mg.flip(v, ()) is v and mg.roll(v, 2, 0) is v
    m = _t(A[0], device)
    assert mg.permute(m, (0, 1)) is m


@pytest.mark.parametrize("axes", [(2, 0, 1), (-1, 0, -2), (1, 0, 2)])
def test_permute_with_negative_axes(device, axes):
    np.testing.assert_array_equal(mg.permute(_t(A, device), axes).numpy(), np.transpose(A, axes))


def test_transpose_defaults_and_pairs(device):
    x = _t(A, device)
    np.testing.assert_array_equal(mg.transpose(x).numpy(), np.swapaxes(A, -1, -2))
    np.testing.assert_array_equal(mg.transpose(x, 0, -1).numpy(), np.swapaxes(A, 0, -1))
    np.testing.assert_array_equal(mg.transpose(_t(A[0], device)).numpy(), A[0].T)
    np.testing.assert_array_equal(mg.swapaxes(x, -3, 1).numpy(), np.swapaxes(A, 0, 1))


@pytest.mark.parametrize("src, shape", [((3, 1), (2, 3, 4)), ((1,), (2, 3)), ((), (3, 2)), ((2, 1, 1), (2, 3, 4)),
                                        ((4,), (2, 3, 4))])
def test_broadcast_and_sum_to_are_adjoint(device, src, shape):
    a = np.arange(1.0, 1.0 + np.prod(src, dtype=int)).reshape(src)
    x = _t(a, device)
    np.testing.assert_array_equal(mg.broadcast_to(x, shape).numpy(), np.broadcast_to(a, shape))
    g = np.arange(float(np.prod(shape))).reshape(shape)
    lead = len(shape) - len(src)
    expected = g.sum(axis=tuple(range(lead)))
    expected = expected.sum(axis=tuple(i for i, n in enumerate(src) if n == 1), keepdims=True) if src else expected
    np.testing.assert_array_equal(mg.sum_to(_t(g, device), src).numpy(), expected)


def test_expand_keeps_sizes_marked_minus_one(device):
    x = _t(np.arange(3.0).reshape(3, 1), device)
    np.testing.assert_array_equal(mg.expand(x, 2, -1, 4).numpy(), np.broadcast_to(x.numpy(), (2, 3, 4)))
    np.testing.assert_array_equal(mg.expand(x, (-1, 5)).numpy(), np.broadcast_to(x.numpy(), (3, 5)))
    np.testing.assert_array_equal(mg.expand_as(x, _t(np.ones((2, 3, 2)), device)).numpy(),
                                  np.broadcast_to(x.numpy(), (2, 3, 2)))


def test_squeeze_unsqueeze_flatten(device):
    x = _t(np.ones((1, 3, 1, 2)), device)
    assert mg.squeeze(x).shape == (3, 2)
    assert mg.squeeze(x, 2).shape == (1, 3, 2) and mg.squeeze(x, dim=-4).shape == (3, 1, 2)
    assert mg.squeeze(x, (0, 2)).shape == (3, 2)
    assert mg.unsqueeze(x, -1).shape == (1, 3, 1, 2, 1) and mg.unsqueeze(x, 4).shape == (1, 3, 1, 2, 1)
    assert mg.unsqueeze(x, -5).shape == (1, 1, 3, 1, 2) and mg.unsqueeze(x, 1).shape == (1, 1, 3, 1, 2)
    assert mg.flatten(_t(A, device), 1).shape == (2, 12) and mg.flatten(_t(A, device), 0, 1).shape == (6, 4)
    assert mg.flatten(_t(A, device), -2, -1).shape == (2, 12) and mg.flatten(_t(A, device), 1, 1).shape == (2, 3, 4)
    assert mg.flatten(_t(5.0, device)).shape == (1,)


@pytest.mark.parametrize("shifts, dims", [(1, 0), (-1, 1), (5, 2), (-7, 2), (4, 2), ((1, -2), (0, 2)), (30, None),
                                          (-1, None)])
def test_roll(device, shifts, dims):
    x = _t(A, device)
    np.testing.assert_array_equal(mg.roll(x, shifts, dims).numpy(), np.roll(A, shifts, dims))


def test_repeat_tile_interleave(device):
    x = _t(A[0, :2, :2], device)
    a = A[0, :2, :2]
    np.testing.assert_array_equal(mg.repeat(x, 2, 1, 3).numpy(), np.tile(a, (2, 1, 3)))
    np.testing.assert_array_equal(mg.repeat(x, (1, 0)).numpy(), np.tile(a, (1, 0)))
    np.testing.assert_array_equal(mg.tile(x, (3,)).numpy(), np.tile(a, 3))
    np.testing.assert_array_equal(mg.tile(x, 2).numpy(), np.tile(a, 2))
    np.testing.assert_array_equal(mg.repeat_interleave(x, 2).numpy(), np.repeat(a, 2))
    np.testing.assert_array_equal(mg.repeat_interleave(x, mg.tensor([3]), 0).numpy(), np.repeat(a, 3, 0))
    np.testing.assert_array_equal(mg.repeat_interleave(x, mg.tensor([0, 2]), -1).numpy(), np.repeat(a, [0, 2], 1))
    np.testing.assert_array_equal(mg.repeat_interleave(_t(7.0, device), 3).numpy(), [7.0, 7.0, 7.0])


@pytest.mark.parametrize("k", [-3, -1, 0, 1, 2, 4])
def test_tril_triu_diag(device, k):
    np.testing.assert_array_equal(mg.tril(_t(A, device), k).numpy(), np.tril(A, k))
    np.testing.assert_array_equal(mg.triu(_t(A, device), k).numpy(), np.triu(A, k))
    np.testing.assert_array_equal(mg.diag(_t([1.0, 2.0, 3.0], device), k).numpy(), np.diag([1.0, 2.0, 3.0], k))
    np.testing.assert_array_equal(mg.diag(_t(A[0], device), k).numpy(), np.diag(A[0], k))


def test_narrow_unbind_movedim_unflatten(device):
    x = _t(A, device)
    np.testing.assert_array_equal(mg.narrow(x, 2, -3, 3).numpy(), A[:, :, 1:4])
    np.testing.assert_array_equal(mg.narrow(x, -1, 4, 0).numpy(), A[:, :, 4:4])
    assert [u.shape for u in mg.unbind(x, 1)] == [(2, 4)] * 3
    np.testing.assert_array_equal(mg.unbind(x, -1)[3].numpy(), A[:, :, 3])
    np.testing.assert_array_equal(mg.movedim(x, 0, -1).numpy(), np.moveaxis(A, 0, -1))
    np.testing.assert_array_equal(mg.movedim(x, (2, 0), (0, 1)).numpy(), np.moveaxis(A, (2, 0), (0, 1)))
    np.testing.assert_array_equal(mg.unflatten(x, 2, (2, -1)).numpy(), A.reshape(2, 3, 2, 2))
    np.testing.assert_array_equal(mg.unflatten(x, -1, (-1, 1)).numpy(), A.reshape(2, 3, 4, 1))
    np.testing.assert_array_equal(mg.view_as(x, _t(np.ones((6, 4)), device)).numpy(), A.reshape(6, 4))


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(device, indexing):
    vs = [np.arange(3.0), np.arange(2.0) + 10, np.arange(4.0) - 5]
    for k in (1, 2, 3):
        got = mg.meshgrid(*[_t(v, device) for v in vs[:k]], indexing=indexing)
        for g, e in zip(got, np.meshgrid(*vs[:k], indexing=indexing)):
            np.testing.assert_array_equal(g.numpy(), e)
    got = mg.meshgrid([_t(2.0, device), _t(vs[0], device)])  # a list; 0-d counts as length 1
    assert [g.shape for g in got] == [(1, 3), (1, 3)]


@pytest.mark.parametrize("call, error, msg", [
    (lambda x: mg.squeeze(mg.ones(1, 3, 1), 1), ValueError,
     r"^squeeze: axis 1 of a tensor of shape \(1, 3, 1\) has size 3"),
    (lambda x: mg.sum_to(x, (2, 1)), ValueError, r"^sum_to: shape \(2, 1\) does not broadcast to \(2, 3, 4\)$"),
    (lambda x: mg.sum_to(x, (1, 2, 3, 4)), ValueError, "^sum_to: shape"),
    (lambda x: mg.broadcast_to(x, (3, 4)), ValueError,
     r"^broadcast_to: cannot broadcast a tensor of shape \(2, 3, 4\)"),
    (lambda x: mg.broadcast_to(x, (2, 1, 4)), ValueError, "^broadcast_to: cannot broadcast"),
    (lambda x: mg.reshape(x, (5, -1)), ValueError,
     r"^reshape: cannot reshape a tensor of shape \(2, 3, 4\) \(24 elements\)"),
    (lambda x: mg.reshape(x, (-1, -1)), ValueError, "^reshape: cannot reshape"),
    (lambda x: mg.reshape(x, (0, -1)), ValueError, "^reshape: cannot reshape"),
    (lambda x: mg.reshape(x, (5, 5)), ValueError, "^reshape: cannot reshape"),
    (lambda x: mg.reshape(x, (2.5, 2)), TypeError, r"^reshape: shape must be ints, got \(2.5, 2\)$"),
    (lambda x: mg.permute(x, (0, 0, 1)), ValueError, r"^permute: \(0, 0, 1\) is not a permutation of the 3 axes"),
    (lambda x: mg.permute(x, (0, 1)), ValueError, "^permute: "),
    (lambda x: mg.split(x, 0, 1), ValueError, "^split: piece size must be positive, got 0$"),
    (lambda x: mg.split(x, [1, 1], 1), ValueError, r"^split: sizes \[1, 1\] do not add up to 3, the length of axis 1$"),
    (lambda x: mg.split(x, [4, -1], 1), ValueError, "^split: sizes"),
    (lambda x: mg.concatenate([]), ValueError, "^concatenate: needs at least one tensor$"),
    (lambda x: mg.concatenate([mg.tensor(1.0)]), ValueError, "^concatenate: 0-d tensors cannot be concatenated"),
    (lambda x: mg.concatenate([x, mg.ones(2, 3)]), ValueError, r"^concatenate: shapes \(2, 3, 4\), \(2, 3\) differ"),
    (lambda x: mg.cat([x, mg.ones(2, 4, 4)], dim=2), ValueError, "differ outside axis 2$"),
    (lambda x: mg.stack([]), ValueError, "^stack: needs at least one tensor$"),
    (lambda x: mg.stack([x, mg.ones(3, 2)]), ValueError,
     r"^stack: all tensors must have the same shape, got \(2, 3, 4\)"),
    (lambda x: mg.flatten(x, 2, 1), ValueError, "^flatten: start_dim 2 comes after end_dim 1$"),
    (lambda x: mg.unsqueeze(x, 4), AxisError, "^unsqueeze: axis 4 is out of range"),
    (lambda x: mg.narrow(x, 1, 2, 2), IndexError, "^narrow: start 2 and length 2 do not fit dim 1 of length 3$"),
    (lambda x: mg.narrow(x, 1, -4, 1), IndexError, "^narrow: start -1 and length 1"),
    (lambda x: mg.movedim(x, (0,), (1, 0)), RuntimeError, r"^movedim: source \(0,\) and destination \(1, 0\)"),
    (lambda x: mg.movedim(x, (0, 0), (1, 0)), RuntimeError, "^movedim: repeated dim"),
    (lambda x: mg.chunk(x, 0), RuntimeError, "^chunk: chunks must be >= 1, got 0$"),
    (lambda x: mg.repeat(x, 2, 2), RuntimeError, "^repeat: 2 repeat size"),
    (lambda x: mg.repeat(x, 1, -1, 1), RuntimeError, r"^repeat: repeat sizes must be >= 0, got \(1, -1, 1\)$"),
    (lambda x: mg.repeat_interleave(x, -1), RuntimeError,
     r"^repeat_interleave: repeats must be >= 0 and one per entry"),
    (lambda x: mg.repeat_interleave(x, mg.tensor([1, 2]), 1), RuntimeError, r"one per entry \(3\) of dim 1"),
    (lambda x: mg.tril(mg.ones(3)), RuntimeError,
     r"^tril: needs a tensor with at least 2 dimensions, got shape \(3,\)$"),
    (lambda x: mg.triu(mg.ones(3)), RuntimeError, "^triu: needs"),
    (lambda x: mg.trace(x), RuntimeError, r"^trace: needs a 2-D tensor, got shape \(2, 3, 4\)$"),
    (lambda x: mg.diag(x), RuntimeError, r"^diag: needs a 1-D or 2-D tensor, got shape \(2, 3, 4\)$"),
    (lambda x: mg.unflatten(x, 1, (2, 2)), RuntimeError, r"^unflatten: sizes \(2, 2\) do not multiply to 3"),
    (lambda x: mg.meshgrid(mg.ones(2), indexing="ab"), ValueError,
     "^meshgrid: indexing must be 'ij' or 'xy', got 'ab'$"),
    (lambda x: mg.meshgrid(x), RuntimeError, r"^meshgrid: expects 0-d or 1-D tensors, got shape \(2, 3, 4\)$"),
    (lambda x: mg.roll(x, (1, 2)), RuntimeError, r"^roll: with dims=None give one shift, got \(1, 2\)$"),
    (lambda x: mg.roll(x, (1, 2), (0,)), RuntimeError, r"^roll: shifts \(1, 2\) and dims \(0,\) must have the same"),
    (lambda x: x[5], IndexError, r"^getitem: index \[5\] is invalid for a tensor of shape \(2, 3, 4\)"),
    (lambda x: x[mg.tensor([0.5])], IndexError, "^getitem: index tensors must be integer or bool, got float32$"),
])
def test_refusals(call, error, msg):
    with pytest.raises(error, match=msg):
        call(mg.tensor(A))
