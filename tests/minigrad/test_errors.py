"""Bad input gives clear errors: the op's name, the shapes / dtypes / devices given, and what was
expected; never a raw NumPy message, and nothing half-changed."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


# ----- shapes ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,op", [
    ("Add", lambda a, b: a + b), ("Sub", lambda a, b: a - b), ("Mul", lambda a, b: a * b),
    ("Div", lambda a, b: a / b), ("Pow", lambda a, b: a ** b), ("Maximum", mg.maximum), ("Minimum", mg.minimum),
    ("Add", lambda a, b: b.__radd__(a)), ("Add", mg.add), ("Mul", mg.mul),
])
@pytest.mark.parametrize("requires_grad", [False, True])
def test_broadcast_mismatch_names_op_and_shapes(device, name, op, requires_grad):
    a = mg.ones(2, 3, device=device, requires_grad=requires_grad)
    b = mg.ones(4, device=device)
    with pytest.raises(ValueError) as info:
        op(a, b)
    msg = str(info.value)
    assert msg.startswith(f"{name}: ") and "(2, 3)" in msg and "(4,)" in msg and "broadcast" in msg
    assert "operands could not be broadcast" not in msg  # not NumPy's own message


def test_broadcast_mismatch_inner_axis(device):
    with pytest.raises(ValueError, match=r"Mul: shapes \(5, 2, 3\) and \(4, 1\) cannot be broadcast.*axis -2"):
        mg.ones(5, 2, 3, device=device) * mg.ones(4, 1, device=device)


def test_broadcast_mismatch_with_array_operand():
    with pytest.raises(ValueError, match=r"Add: shapes \(2, 3\) and \(2,\)"):
        mg.ones(2, 3) + np.ones(2, dtype=np.float32)


def test_where_broadcast_mismatch(device):
    a = mg.ones(2, 3, device=device)
    with pytest.raises(ValueError, match=r"Where: shapes \(2, 3\), \(2, 3\) and \(4,\)"):
        mg.where(a > 0, a, mg.ones(4, device=device))


def test_comparison_broadcast_mismatch(device):
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        mg.ones(2, 3, device=device) < mg.ones(4, device=device)


def test_inplace_shape_mismatch_leaves_tensor_unchanged(device):
    t = mg.ones(2, 3, device=device)
    with pytest.raises(ValueError, match=r"add_: .*shape \(4,\) does not broadcast to .*shape \(2, 3\)"):
        t.add_(mg.ones(4, device=device))
    with pytest.raises(ValueError, match=r"add_: .*shape \(2, 1, 1\) does not broadcast to .*shape \(2, 3\)"):
        t += mg.ones(2, 1, 1, device=device)
    with pytest.raises(ValueError, match=r"mul_: .*shape \(3, 3\) does not broadcast to .*shape \(2, 3\)"):
        t.mul_(np.ones((3, 3)))
    np.testing.assert_array_equal(t.numpy(), np.ones((2, 3)))


def test_broadcasting_still_works(device):
    a = mg.tensor(np.arange(6.0).reshape(2, 3), device=device, requires_grad=True)
    b = mg.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    (a * b + b).sum().backward()
    np.testing.assert_array_equal(b.grad.numpy(), [3.0 + 2, 5.0 + 2, 7.0 + 2])


@pytest.mark.parametrize("a,b,pattern", [
    ((2, 3), (4, 5), r"matmul: shapes \(2, 3\) and \(4, 5\) do not align: 3 != 4"),
    ((3,), (4,), r"matmul: shapes \(3,\) and \(4,\) do not align: 3 != 4"),
    ((2, 3), (2,), r"matmul: shapes \(2, 3\) and \(2,\) do not align: 3 != 2"),
    ((2, 2, 3), (3, 3, 4), r"matmul: batch shapes \(2,\) and \(3,\) do not broadcast"),
])
def test_matmul_shape_errors(device, a, b, pattern):
    with pytest.raises(ValueError, match=pattern):
        mg.ones(*a, device=device) @ mg.ones(*b, device=device)


def test_matmul_zero_d(device):
    with pytest.raises(ValueError, match=r"matmul: operands must have at least 1 dimension, got shapes \(\)"):
        mg.tensor(2.0, device=device) @ mg.ones(2, device=device)


def test_concatenate_shape_errors(device):
    with pytest.raises(ValueError, match=r"concatenate: shapes \(2, 3\), \(2, 4\) differ outside axis 0"):
        mg.cat([mg.ones(2, 3, device=device), mg.ones(2, 4, device=device)])
    with pytest.raises(ValueError, match=r"concatenate: shapes \(2, 3\), \(3,\)"):
        mg.cat([mg.ones(2, 3, device=device), mg.ones(3, device=device)], axis=1)
    with pytest.raises(ValueError, match="concatenate: needs at least one tensor"):
        mg.cat([])
    with pytest.raises(ValueError, match=r"stack: all tensors must have the same shape, got \(2,\), \(3,\)"):
        mg.stack([mg.ones(2, device=device), mg.ones(3, device=device)])


def test_reshape_errors(device):
    t = mg.ones(2, 3, device=device)
    with pytest.raises(ValueError, match=r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) "
                                         r"into shape \(4,\)"):
        t.reshape(4)
    with pytest.raises(ValueError, match=r"reshape: .*into shape \(-1, -1\)"):
        t.reshape(-1, -1)
    with pytest.raises(ValueError, match=r"reshape: .*into shape \(4, -1\)"):
        t.reshape(4, -1)
    with pytest.raises(TypeError, match="reshape: shape must be ints"):
        t.reshape(2.5, 2)


def test_broadcast_to_error(device):
    with pytest.raises(ValueError, match=r"broadcast_to: cannot broadcast a tensor of shape \(2, 3\) to shape \(4, 3, 2\)"):
        mg.ones(2, 3, device=device).broadcast_to(4, 3, 2)


# ----- axes ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,call", [
    ("sum", lambda t: t.sum(axis=2)), ("mean", lambda t: t.mean(axis=-3)), ("var", lambda t: t.var(axis=5)),
    ("std", lambda t: t.std(axis=(0, 2))), ("max", lambda t: t.max(axis=2)), ("min", lambda t: t.min(dim=-3)),
    ("logsumexp", lambda t: t.logsumexp(axis=2)), ("squeeze", lambda t: t.squeeze(2)),
])
def test_invalid_reduction_axis_names_op_and_range(device, name, call):
    t = mg.ones(2, 3, device=device)
    with pytest.raises(ValueError, match=rf"^{name}: axis -?\d is out of range for a tensor with 2 dimension\(s\) "
                                         r"\(valid: -2 \.\. 1\)"):
        call(t)


@pytest.mark.parametrize("name,call", [
    ("softmax", lambda t: t.softmax(axis=2)), ("log_softmax", lambda t: t.log_softmax(axis=-3)),
    ("transpose", lambda t: t.transpose(0, 2)), ("unsqueeze", lambda t: t.unsqueeze(4)),
    ("concatenate", lambda t: mg.cat([t, t], axis=2)), ("flatten", lambda t: t.flatten(3)),
    ("split", lambda t: t.split(1, axis=2)),
])
def test_invalid_axis_other_ops(device, name, call):
    t = mg.ones(2, 3, device=device)
    with pytest.raises(ValueError, match=rf"^{name}: axis -?\d is out of range for a tensor with \d dimension\(s\)"):
        call(t)


def test_other_axis_errors(device):
    t = mg.ones(2, 3, device=device)
    with pytest.raises(ValueError, match=r"squeeze: axis 1 of a tensor of shape \(2, 3\) has size 3, not 1"):
        t.squeeze(1)
    with pytest.raises(ValueError, match=r"sum: repeated axis"):
        t.sum(axis=(0, -2))
    with pytest.raises(TypeError, match=r"sum: axis must be an int or a tuple of ints, got 1.5"):
        t.sum(axis=1.5)
    with pytest.raises(ValueError, match=r"permute: \(0, 0\) is not a permutation of the 2 axes"):
        t.permute(0, 0)
    with pytest.raises(IndexError, match="softmax: axis 1 is out of range"):  # PyTorch: 0-d takes dim 0 or -1
        mg.tensor(1.0, device=device).softmax(dim=1)
    with pytest.raises(TypeError, match="sum: give axis or dim, not both"):
        t.sum(axis=0, dim=1)


def test_getitem_out_of_range(device):
    with pytest.raises(IndexError, match=r"getitem: index \[5\] is invalid for a tensor of shape \(2, 3\)"):
        mg.ones(2, 3, device=device)[5]
    with pytest.raises(IndexError, match=r"getitem: index tensors must be integer or bool, got float32"):
        mg.ones(3, device=device)[mg.ones(1, device=device)]


# ----- autograd misuse -------------------------------------------------------------------------
def test_backward_on_non_scalar_without_gradient(device):
    y = mg.ones(2, 3, device=device, requires_grad=True) * 2.0
    with pytest.raises(mg.BackwardError, match=r"backward: grad can be implicitly created only for scalar "
                                               r"outputs, but the tensor has shape \(2, 3\); pass gradient="):
        y.backward()


def test_backward_gradient_of_wrong_shape(device):
    y = mg.ones(2, 3, device=device, requires_grad=True) * 2.0
    with pytest.raises(mg.BackwardError, match=r"backward: gradient has shape \(3, 2\) but the tensor has "
                                               r"shape \(2, 3\)"):
        y.backward(mg.ones(3, 2, device=device))


def test_backward_gradient_on_wrong_device():
    y = mg.ones(2, requires_grad=True) * 2.0
    with pytest.raises(mg.BackwardError, match=r"gradient is on strict:0 but the tensor is on cpu"):
        y.backward(mg.ones(2, device="strict"))


def test_backward_of_tensor_without_grad(device):
    with pytest.raises(mg.BackwardError, match=r"does not require grad and has no grad_fn"):
        mg.ones(1, device=device).sum().backward()
    x = mg.ones(1, device=device, requires_grad=True)
    with mg.no_grad():
        y = x * 2.0
    with pytest.raises(mg.BackwardError, match="no_grad"):
        y.backward()


def test_requires_grad_on_integer_tensor(device):
    with pytest.raises(TypeError, match=r"requires_grad: only floating-point tensors can require grad, this one is "
                                        r"int64 with shape \(3,\); convert it with \.to\(dtype=minigrad\.float32\)"):
        mg.arange(3, device=device).requires_grad = True


def test_requires_grad_off_on_non_leaf(device):
    y = mg.ones(1, device=device, requires_grad=True) * 2.0
    with pytest.raises(RuntimeError, match="requires_grad: cannot turn it off on a non-leaf tensor; use detach"):
        y.requires_grad = False


def test_second_backward_on_freed_graph(device):
    x = mg.ones(2, device=device, requires_grad=True)
    y = (x.exp() * 2.0).sum()
    y.backward()
    with pytest.raises(mg.BackwardError, match=r"backward through the graph a second time.*retain_graph=True"):
        y.backward()


def test_inplace_change_of_saved_tensor_message(device):
    x = mg.ones(3, device=device, requires_grad=True)
    w = mg.ones(3, device=device)
    y = (x * w).sum()
    w[0] = 5.0
    with pytest.raises(mg.BackwardError) as info:
        y.backward()
    msg = str(info.value)
    assert msg.startswith("Mul: ") and "modified in place" in msg and "(3,)" in msg and "version 0 -> 1" in msg
    assert "clone()" in msg


def test_inplace_on_leaf_in_grad_mode_message(device):
    w = mg.ones(2, 2, device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"mul_: a leaf Variable that requires grad is being used in an "
                                           r"in-place operation \(shape \(2, 2\), grad mode on; .*Wrap it in "
                                           r"minigrad\.no_grad\(\)"):
        w *= 2.0


def test_item_of_many_elements(device):
    with pytest.raises(ValueError, match=r"item: only one-element tensors can be converted, this one has shape \(2, 2\)"):
        mg.ones(2, 2, device=device).item()


def test_truth_value_of_many_elements(device):
    with pytest.raises(ValueError, match=r"truth value of a tensor with shape \(3,\) is ambiguous"):
        bool(mg.ones(3, device=device))


# ----- devices ---------------------------------------------------------------------------------
def test_device_mismatch_message():
    a = mg.ones(2, 3, device="strict:1")
    b = mg.ones(2, 3, device="strict:2")
    with pytest.raises(mg.DeviceError) as info:
        a * b
    msg = str(info.value)
    assert msg.startswith("Mul: ") and "strict:1" in msg and "strict:2" in msg and "(2, 3)" in msg
    assert ".to(device)" in msg


def test_cuda_unavailable_message(cuda_available):
    if cuda_available:
        pytest.skip("CUDA is available here")
    with pytest.raises(mg.DeviceError, match=r"device 'cuda'.*(CuPy|GPU).*pip install \"minigrad\[cuda12\]\""):
        mg.ones(2, device="cuda")


def test_unknown_device_message():
    with pytest.raises(ValueError, match=r"device: unknown device 'gpu'; expected 'cpu', 'cuda', 'cuda:N', "
                                         r"'strict' or 'strict:N'"):
        mg.ones(2, device="gpu")


# ----- values and types --------------------------------------------------------------------------
def test_unknown_dtype():
    with pytest.raises(TypeError, match=r"dtype: unknown dtype 'float128'; expected one of float16, float32"):
        mg.ones(2, dtype="float128")


def test_clip_arguments():
    with pytest.raises(ValueError, match="clip: at least one of min and max must be given"):
        mg.ones(2).clip()
    # min > max is not an error in PyTorch: every element becomes max (its documented rule)
    assert mg.tensor([0.0, 1.5, 3.0]).clip(2, 1).tolist() == [1.0, 1.0, 1.0]


def test_where_condition_must_be_bool(device):
    a = mg.ones(2, device=device)
    with pytest.raises(TypeError, match="where: condition must be a bool tensor, got float32"):
        mg.where(a, a, a)


def test_bad_operand_type():
    with pytest.raises(TypeError, match="Mul: cannot use dict as a tensor operand"):
        mg.ones(2) * {"a": 1}


def test_pad_bad_width(device):
    with pytest.raises(ValueError, match=r"pad: pad_width .* does not give \(before, after\) for each of the 2 axes"):
        mg.ones(2, 2, device=device).pad(((1, 1), (1, 1), (1, 1)))


def test_split_bad_sizes(device):
    with pytest.raises(ValueError, match="split: sizes \\[1, 1\\] do not add up to 3, the length of axis 0"):
        mg.ones(3, device=device).split([1, 1])


@pytest.mark.parametrize("data,pattern", [
    ({"a": 1}, r"tensor: cannot make a tensor from dict \(NumPy reads it as dtype object\)"),
    ("abc", r"tensor: cannot make a tensor from str"),
    ([[1, 2], [3]], r"tensor: cannot make a tensor from list: .*inhomogeneous"),
])
def test_bad_tensor_data(data, pattern):
    with pytest.raises((TypeError, ValueError), match=pattern):
        mg.tensor(data)


# ----- assignment and in-place ------------------------------------------------------------------
def test_setitem_errors(device):
    t = mg.ones(2, 3, device=device)
    with pytest.raises(ValueError, match=r"__setitem__: cannot assign a tensor of shape \(4,\) to index \[0\] "
                                         r"of a tensor of shape \(2, 3\)"):
        t[0] = mg.ones(4, device=device)
    with pytest.raises(IndexError, match=r"__setitem__: cannot assign float to index \[5\] of a tensor of shape "
                                         r"\(2, 3\)"):
        t[5] = 1.0
    np.testing.assert_array_equal(t.numpy(), np.ones((2, 3)))


def test_setitem_device_mismatch():
    t = mg.ones(2, 3, device="strict:1")
    with pytest.raises(mg.DeviceError, match=r"__setitem__: tensors on strict:1 and strict:2"):
        t[0] = mg.ones(3, device="strict:2")
    with pytest.raises(mg.DeviceError, match=r"__setitem__: tensors on cpu and strict:1"):
        mg.ones(3)[0:2] = mg.ones(2, device="strict:1")


@pytest.mark.parametrize("op,given", [
    (lambda t: t.add_(0.5), "float"), (lambda t: t.sub_(mg.ones(2, device=t.device)), "float32"),
    (lambda t: t.div_(2), "float"), (lambda t: t.mul_(1.5), "float"),
])
def test_inplace_float_into_integer_tensor(device, op, given):
    t = mg.tensor([1, 2], device=device)
    with pytest.raises(TypeError, match=rf"_: a {given}.* result cannot be written into a int64 tensor in place"):
        op(t)
    np.testing.assert_array_equal(t.numpy(), [1, 2])


def test_var_with_too_few_elements_for_the_correction_is_nan_like_pytorch():
    # PyTorch: n - correction <= 0 divides by 0 (NaN, with a warning), it does not raise
    x = mg.ones(1, 3)
    with np.errstate(invalid="ignore", divide="ignore"):
        assert np.isnan(x.var(axis=0, correction=1).numpy()).all()
        assert np.isnan(x.var(axis=0).numpy()).all()  # correction=1 is the default
    assert x.var(axis=1, correction=1).shape == (1,)  # three elements: fine


def test_comparison_errors_name_the_comparison():
    with pytest.raises(ValueError, match=r"gt \(>\)"):
        mg.ones(2, 3) > mg.ones(4)
