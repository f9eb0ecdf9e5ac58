"""Pooling edges that need no PyTorch (minigrad/ops/pooling.py; the geometry itself is compared with
PyTorch in tests/torch_parity/test_parity_pool_conv_edges.py): indices of an unbatched input on every
backend, hand-worked ceil-mode windows and divisors, and the refusals with their messages (issue 18)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.errors import ShapeError

X = np.array([[1.0, 5.0, 2.0, 0.0, 3.0],
              [4.0, 0.5, 6.0, 7.0, 1.0],
              [2.0, 8.0, 0.0, 1.5, 9.0]])


def test_max_pool_indices_of_an_unbatched_input(device):
    x = mg.tensor(X[None], device=device)  # (C=1, H=3, W=5)
    out, idx = mg.max_pool2d(x, 2, ceil_mode=True, return_indices=True)
    # windows of rows {0, 1} and {2}, columns {0, 1}, {2, 3}, {4}; the flat index h * 5 + w of each maximum
    np.testing.assert_array_equal(out.numpy(), [[[5.0, 7.0, 3.0], [8.0, 1.5, 9.0]]])
    np.testing.assert_array_equal(idx.numpy(), [[[1, 8, 4], [11, 13, 14]]])
    assert idx.dtype == "int64" and idx.device == x.device
    b_out, b_idx = mg.max_pool2d(mg.tensor(X[None, None], device=device), 2, ceil_mode=True, return_indices=True)
    np.testing.assert_array_equal(b_idx.numpy()[0], idx.numpy())


def test_avg_pool_divisors_by_hand(device):
    x = mg.tensor(X[None, None], device=device)
    # kernel 2, stride 2, padding 1: windows of rows {-1, 0}, {1, 2}; columns {-1, 0}, {1, 2}, {3, 4}
    with_pad = mg.avg_pool2d(x, 2, padding=1).numpy()[0, 0]
    without = mg.avg_pool2d(x, 2, padding=1, count_include_pad=False).numpy()[0, 0]
    sums = np.array([[1.0, 7.0, 3.0], [6.0, 14.5, 18.5]])
    np.testing.assert_allclose(with_pad, sums / 4)
    np.testing.assert_allclose(without, sums / np.array([[1, 2, 2], [2, 4, 4]]))
    np.testing.assert_allclose(mg.avg_pool2d(x, 2, padding=1, divisor_override=2).numpy()[0, 0], sums / 2)


@pytest.mark.parametrize("call, msg", [
    (lambda x: mg.max_pool2d(x, 2, padding=2), r"^max_pool2d: padding \(2, 2\) should be at most half of the kernel"),
    (lambda x: mg.avg_pool2d(x, (3, 7)), r"^avg_pool2d: input of shape \(1, 1, 3, 5\) is too small for kernel"),
    (lambda x: mg.avg_pool2d(x, 2, divisor_override=0), "^avg_pool2d: divisor_override must be a nonzero int, got 0$"),
    (lambda x: mg.avg_pool2d(x, 2, divisor_override=1.5), "^avg_pool2d: divisor_override must be a nonzero int"),
    (lambda x: mg.adaptive_avg_pool2d(x, (1, 2, 3)), r"^adaptive_avg_pool2d: output_size must be an int or a pair"),
    (lambda x: mg.adaptive_avg_pool2d(x, 0), r"^adaptive_avg_pool2d: output_size must be"),
    (lambda x: mg.adaptive_avg_pool2d(x[:, :, :0], 2), r"^adaptive_avg_pool2d: input of shape .* has an empty spatial"),
    (lambda x: mg.max_pool2d(x, 0), "^max_pool2d: kernel_size must be"),
    (lambda x: mg.max_pool2d(x, 2, stride=0), "^max_pool2d: stride must be"),
])
def test_pooling_refusals(call, msg):
    with pytest.raises(ShapeError, match=msg):
        call(mg.tensor(X[None, None]))


def test_pooling_refuses_integer_and_non_tensor_input():
    with pytest.raises(TypeError, match="^max_pool2d: input must be a floating tensor, got int64$"):
        mg.max_pool2d(mg.tensor(np.ones((1, 1, 2, 2), np.int64)), 2)
    with pytest.raises(TypeError, match="^avg_pool2d: input must be a Tensor, got ndarray$"):
        mg.avg_pool2d(np.ones((1, 1, 2, 2)), 2)
