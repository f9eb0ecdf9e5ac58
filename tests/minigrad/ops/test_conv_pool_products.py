"""Convolution/pooling modules, bad input, and the integer/bitwise operators, without PyTorch.

Values of the ops themselves are fuzzed by the op table (tests/support/op_specs_products_conv.py) and
compared with PyTorch in tests/torch_parity/; here: the nn modules (shapes, PyTorch's default
initialisation bounds, state dicts, a small CNN's gradients by central differences), the error
messages, and the operators against Python's own integer arithmetic.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
import nn


# ----- modules -----------------------------------------------------------------------------------
@pytest.mark.parametrize("layer, shape, out", [
    (lambda: nn.Conv2d(3, 4, 3), (2, 3, 8, 7), (2, 4, 6, 5)),
    (lambda: nn.Conv2d(4, 6, (3, 2), stride=2, padding=1, groups=2, bias=False), (2, 4, 8, 7), (2, 6, 4, 4)),
    (lambda: nn.Conv2d(2, 2, 3, padding="same", dilation=2), (2, 8, 8), (2, 8, 8)),
    (lambda: nn.Conv1d(2, 5, 4, stride=2), (3, 2, 10), (3, 5, 4)),
    (lambda: nn.MaxPool2d(2), (1, 3, 8, 7), (1, 3, 4, 3)),
    (lambda: nn.MaxPool2d(2, ceil_mode=True), (1, 3, 8, 7), (1, 3, 4, 4)),
    (lambda: nn.AvgPool2d(3, stride=1, padding=1), (1, 3, 8, 7), (1, 3, 8, 7)),
    (lambda: nn.AdaptiveAvgPool2d((2, None)), (1, 3, 8, 7), (1, 3, 2, 7)),
    (lambda: nn.ConvTranspose2d(3, 4, 2, stride=2), (1, 3, 4, 5), (1, 4, 8, 10)),
    (lambda: nn.Unfold(2), (1, 3, 4, 5), (1, 12, 12)),
    (lambda: nn.Fold((4, 5), 2), (1, 12, 12), (1, 3, 4, 5)),
])
def test_module_output_shapes(layer, shape, out, device):
    module = layer().to(device=device)
    assert module(mg.randn(*shape, device=device)).shape == out


@pytest.mark.parametrize("make, fan_in", [(lambda: nn.Conv2d(3, 8, 3), 27),
                                          (lambda: nn.Conv2d(4, 8, (3, 2), groups=2), 12),
                                          (lambda: nn.Conv1d(5, 16, 4), 20),
                                          (lambda: nn.ConvTranspose2d(4, 8, 3, groups=2), 36)])
def test_conv_default_init_is_pytorchs(make, fan_in):
    """weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in_channels / groups * kernel size."""
    mg.manual_seed(0)
    layer = make()
    bound = 1.0 / math.sqrt(fan_in)
    w, b = layer.weight.numpy(), layer.bias.numpy()
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.8 * bound  # spread over the whole interval, not a narrower one
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.3)
    assert layer.weight.dtype == "float32"


def test_conv_state_dict_and_repr():
    layer = nn.Conv2d(2, 3, 3, padding=1, bias=False)
    assert list(layer.state_dict()) == ["weight"]
    assert repr(layer) == "Conv2d(2, 3, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)"
    copy = nn.Conv2d(2, 3, 3, padding=1, bias=False)
    copy.load_state_dict(layer.state_dict())
    np.testing.assert_array_equal(copy.weight.numpy(), layer.weight.numpy())


def test_small_cnn_gradients_by_central_differences(device):
    """conv -> relu -> max-pool -> conv -> avg-pool -> adaptive pool -> linear, in float64."""
    mg.manual_seed(1)
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(2, 2, 2, padding=1),
                          nn.AvgPool2d(2, ceil_mode=True), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2, 3))
    model.to(device=device, dtype="float64")
    x = mg.tensor(np.random.default_rng(0).standard_normal((2, 1, 6, 6)), device=device)
    params = list(model.parameters())
    np.testing.assert_allclose(model(x).sum().item(), _functional_forward(params, x).item(), rtol=1e-12)
    mg.gradcheck(lambda *ps: _functional_forward(ps, x), params)  # the same network, on gradcheck's copies


def _functional_forward(ps, x):
    import nn.functional as F

    w1, b1, w2, b2, w3, b3 = ps
    h = F.max_pool2d(F.relu(F.conv2d(x, w1, b1, padding=1)), 2)
    h = F.avg_pool2d(F.conv2d(h, w2, b2, padding=1), 2, ceil_mode=True)
    h = F.adaptive_avg_pool2d(h, 1)
    return F.linear(F.flatten(h), w3, b3).sum()


def test_modules_refuse_bad_arguments():
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(3, 4, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="padding must be"):
        nn.Conv2d(3, 4, 3, padding="full")
    with pytest.raises(TypeError, match="conv2d: input must be a Tensor, got ndarray"):
        mg.conv2d(np.ones((1, 1, 2, 2), dtype=np.float32), mg.ones(1, 1, 1, 1))
    with pytest.raises(TypeError, match="max_pool2d: input must be a Tensor"):
        mg.max_pool2d(np.ones((1, 1, 2, 2)), 2)


# ----- bad input to the ops ----------------------------------------------------------------------
@pytest.mark.parametrize("call, message", [
    (lambda: mg.conv2d(mg.ones(1, 3, 5, 5), mg.ones(2, 2, 3, 3)), "has 3 channels, but weight of shape"),
    (lambda: mg.conv2d(mg.ones(1, 3, 5, 5), mg.ones(2, 3, 3)), "weight must be 4-D"),
    (lambda: mg.conv2d(mg.ones(1, 1, 5, 5), mg.ones(2, 1, 3, 3), stride=2, padding="same"),
     "not supported for strided"),
    (lambda: mg.conv2d(mg.ones(1, 1, 2, 2), mg.ones(2, 1, 3, 3)), "smaller than the"),
    (lambda: mg.conv2d(mg.ones(1, 1, 5, 5), mg.ones(2, 1, 3, 3), mg.ones(3)), "bias of shape"),
    (lambda: mg.conv2d(mg.ones(5, 5), mg.ones(2, 1, 3, 3)), "expected a 3-D"),
    (lambda: mg.conv2d(mg.ones(1, 1, 5, 5), mg.ones(2, 1, 3, 3), stride=0), "stride must be"),
    (lambda: mg.conv_transpose2d(mg.ones(1, 2, 3, 3), mg.ones(2, 1, 3, 3), stride=2, output_padding=2),
     "output_padding"),
    (lambda: mg.max_pool2d(mg.ones(1, 1, 4, 4), 2, padding=2), "at most half of the kernel"),
    (lambda: mg.avg_pool2d(mg.ones(1, 1, 1, 1), 3), "too small"),
    (lambda: mg.fold(mg.ones(1, 5, 4), (3, 3), 2), "does not fit kernel"),
    (lambda: mg.einsum("ij,jk->ik", mg.ones(2, 3)), "names 2 operand"),
    (lambda: mg.einsum("ij,jk->ik", mg.ones(2, 3), mg.ones(4, 2)), "has sizes 3 and 4"),
    (lambda: mg.einsum("ij->q", mg.ones(2, 3)), "output subscripts"),
    (lambda: mg.dot(mg.ones(2), mg.ones(3)), "same size"),
    (lambda: mg.dot(mg.ones(2, 2), mg.ones(2)), "must be 1-D"),
    (lambda: mg.bmm(mg.ones(2, 2, 3), mg.ones(3, 3, 2)), "do not fit"),
    (lambda: mg.mv(mg.ones(2, 3), mg.ones(2)), "do not align"),
    (lambda: mg.tensordot(mg.ones(2, 3), mg.ones(2, 3), dims=([0], [1])), "do not match"),
    (lambda: mg.inverse(mg.ones(2, 3)), "square matrices"),
    (lambda: mg.linalg_solve(mg.eye(3), mg.ones(2, 2)), "do not fit"),
])
def test_bad_input_names_the_op_and_shapes(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_shape_errors_are_also_runtime_errors_as_in_pytorch():
    with pytest.raises(RuntimeError, match="conv2d"):
        mg.conv2d(mg.ones(1, 3, 5, 5), mg.ones(2, 2, 3, 3))
    with pytest.raises(RuntimeError, match="einsum"):
        mg.einsum("ij,jk", mg.ones(2, 3), mg.ones(2, 3))


def test_singular_matrix(device):
    singular = mg.tensor([[1.0, 2.0], [2.0, 4.0]], device=device)
    for call in (lambda: mg.inverse(singular), lambda: mg.linalg_solve(singular, mg.ones(2, device=device))):
        with pytest.raises(RuntimeError, match="singular"):
            call()
    assert mg.det(singular).item() == pytest.approx(0.0, abs=1e-12)


def test_conv_dtypes_must_agree():
    with pytest.raises(TypeError, match="same dtype"):
        mg.conv2d(mg.ones(1, 1, 3, 3), mg.ones(1, 1, 2, 2, dtype="float64"))
    with pytest.raises(TypeError, match="floating"):
        mg.conv2d(mg.ones(1, 1, 3, 3, dtype="int64"), mg.ones(1, 1, 2, 2, dtype="int64"))


def test_integer_tensors_are_refused_where_pytorch_refuses():
    with pytest.raises(TypeError, match="floating"):
        mg.max_pool2d(mg.ones(1, 1, 2, 2, dtype="int64"), 2)
    with pytest.raises(TypeError, match="floating"):
        mg.inverse(mg.tensor([[1, 0], [0, 1]]))


# ----- integer and bitwise operators against Python's integers --------------------------------------
_A = [7, -7, 5, 0, -1, 100, -128, 127]
_B = [2, 2, -3, 4, 3, -7, 5, 1]


@pytest.mark.parametrize("name, fn", [("//", lambda a, b: a // b), ("&", lambda a, b: a & b),
                                      ("|", lambda a, b: a | b), ("^", lambda a, b: a ^ b)])
def test_integer_operators_match_python(name, fn, device):
    out = fn(mg.tensor(_A, device=device), mg.tensor(_B, device=device))
    assert out.dtype == "int64" and not out.requires_grad
    assert out.numpy().tolist() == [fn(a, b) for a, b in zip(_A, _B)]
    right = fn(mg.tensor(_A, device=device), 3)
    assert right.numpy().tolist() == [fn(a, 3) for a in _A]
    left = fn(3, mg.tensor(_B, device=device))
    assert left.numpy().tolist() == [fn(3, b) for b in _B]


def test_shifts_and_invert_match_python(device):
    a = mg.tensor([1, 3, -8, 5, -1], device=device)
    s = mg.tensor([3, 0, 1, 2, 4], device=device)
    assert (a << s).numpy().tolist() == [1 << 3, 3, -16, 20, -16]
    assert (a >> s).numpy().tolist() == [0, 3, -4, 1, -1]
    assert (~a).numpy().tolist() == [~v for v in (1, 3, -8, 5, -1)]
    assert (a << 64).numpy().tolist() == [0] * 5  # shifted past the width: 0 (PyTorch), not NumPy's wrap
    assert (a >> 70).numpy().tolist() == [0, 0, -1, 0, -1]


def test_bool_operators_are_logical(device):
    t, f = mg.tensor([True, True, False, False], device=device), mg.tensor([True, False, True, False], device=device)
    assert (t & f).numpy().tolist() == [True, False, False, False]
    assert (t | f).numpy().tolist() == [True, True, True, False]
    assert (t ^ f).numpy().tolist() == [False, True, True, False]
    assert (~t).numpy().tolist() == [False, False, True, True]
    assert (t & f).dtype == "bool"
    assert (t & 3).dtype == "int64"  # bool with an int: the int type


def test_small_int_types_wrap_python_ints_like_pytorch(device):
    x = mg.tensor(np.array([5, -3], dtype=np.int8), device=device)
    assert (x ^ 300).dtype == "int8"
    assert (x ^ 300).numpy().tolist() == [5 ^ 44, -3 ^ 44]  # 300 wraps to 44 in int8
    assert (x << 7).numpy().tolist() == [-128, -128]


def test_float_floor_division(device):
    x = mg.tensor([7.5, -7.5, 0.0, 1.0], dtype="float32", device=device)
    out = x // 2
    assert out.dtype == "float32"
    assert out.numpy().tolist() == [3.0, -4.0, 0.0, 0.0]
    by_zero = (x // 0).numpy()
    assert by_zero[0] == np.inf and by_zero[1] == -np.inf and np.isnan(by_zero[2])
    assert (mg.tensor([7, -7], device=device) // 2.5).dtype == "float32"  # the default float dtype


def test_tensor_methods_match_numpy(device):
    rng = np.random.default_rng(0)
    a, b, m = rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal((2, 3))
    bt = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    t = lambda x: mg.tensor(x, dtype="float64", device=device)  # noqa: E731
    np.testing.assert_allclose(t(a).outer(t(b)).numpy(), np.outer(a, b))
    np.testing.assert_allclose(t(a).dot(t(b)).numpy(), a @ b)
    np.testing.assert_allclose(t(m).mv(t(a)).numpy(), m @ a)
    np.testing.assert_allclose(t(bt).bmm(t(bt)).numpy(), bt @ bt)
    np.testing.assert_allclose(t(m).addmm(t(m), t(bt[0]), beta=0.5, alpha=2).numpy(), 0.5 * m + 2 * m @ bt[0])
    np.testing.assert_allclose(t(bt).baddbmm(t(bt), t(bt)).numpy(), bt + bt @ bt)
    np.testing.assert_allclose(t(m).kron(t(a)).numpy(), np.kron(m, a))
    np.testing.assert_allclose(t(bt).inverse().numpy(), np.linalg.inv(bt))
    np.testing.assert_allclose(t(bt).det().numpy(), np.linalg.det(bt))
    i = mg.tensor([6, -7], device=device)
    assert i.floor_divide(4).numpy().tolist() == [1, -2]
    assert i.bitwise_and(3).numpy().tolist() == [6 & 3, -7 & 3]
    assert i.bitwise_not().numpy().tolist() == [~6, ~-7]
