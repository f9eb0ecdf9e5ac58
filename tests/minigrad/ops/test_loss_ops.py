"""The fused ops behind nn.Linear and the cross-entropy losses (``linear``, ``nll``,
``softmax_cross_entropy``): one graph node each, the same numbers as the ops they replace, and
clear errors.  Their gradients are fuzzed with every other op in tests/minigrad/ops/test_op_table.py."""
import numpy as np
import pytest

import minigrad as mg
import nn
import nn.functional as F


def _logits_and_labels(m=5, c=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, c)) * 3, rng.integers(0, c, m)


def test_nn_linear_is_one_node_on_its_parameters():
    layer = nn.Linear(3, 2, dtype=mg.float64)
    x = mg.randn(4, 3, dtype=mg.float64)
    z = layer(x)
    assert type(z._node).__name__ == "Linear"
    assert [t is u for t, u in zip(z._node.inputs, (x, layer.weight, layer.bias))] == [True] * 3
    z.sum().backward()
    np.testing.assert_allclose(layer.weight.grad.numpy(), np.ones((2, 4)) @ x.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.bias.grad.numpy(), [4.0, 4.0], rtol=1e-12)
    assert layer.weight.grad.array.flags.c_contiguous  # the optimizer updates contiguous memory


def test_cross_entropy_on_labels_is_one_node_with_the_course_gradient(device):
    z, y = _logits_and_labels()
    zt = mg.Tensor(z, device=device, requires_grad=True)
    loss = F.cross_entropy(zt, mg.Tensor(y, device=device))
    assert type(loss._node).__name__ == "SoftmaxCrossEntropy" and loss._node.inputs[0] is zt
    loss.backward()
    a = np.exp(z - z.max(1, keepdims=True))
    a /= a.sum(1, keepdims=True)
    np.testing.assert_allclose(zt.grad.numpy(), (a - np.eye(4)[y]) / 5, rtol=1e-12, atol=1e-15)  # dZ = (A - Y)/m


@pytest.mark.parametrize("scale", [None, 1.0, 0.2])
def test_softmax_cross_entropy_matches_log_softmax_then_nll(device, scale):
    z, y = _logits_and_labels(seed=1)
    outs, grads = [], []
    for fused in (True, False):
        zt = mg.Tensor(z, device=device, requires_grad=True)
        if fused:
            out = mg.softmax_cross_entropy(zt, mg.Tensor(y, device=device), scale=scale)
        else:
            hot = mg.Tensor(np.eye(4)[y], device=device)
            out = mg.nll(mg.log_softmax(zt, axis=1), hot, axis=1, scale=scale)
        out.backward(mg.ones_like(out))
        outs.append(out.numpy())
        grads.append(zt.grad.numpy())
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-12)
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-15)


def test_softmax_cross_entropy_backward_twice_needs_retain_graph():
    z, y = _logits_and_labels(seed=2)
    zt = mg.tensor(z, requires_grad=True)
    loss = mg.softmax_cross_entropy(zt, mg.tensor(y), scale=1.0)
    loss.backward(retain_graph=True)
    first = zt.grad.numpy().copy()
    loss.backward()
    np.testing.assert_allclose(zt.grad.numpy(), 2 * first, rtol=1e-12)  # the kept A was not changed
    with pytest.raises(mg.BackwardError, match="second time"):
        loss.backward()


@pytest.mark.parametrize("bad", [[0, 4, 1], [0, -1, 1]])
def test_softmax_cross_entropy_rejects_labels_out_of_range(bad):
    z = mg.zeros(3, 4, requires_grad=True)
    with pytest.raises(ValueError, match=rf"softmax_cross_entropy: class labels must be in \[0, 4\), got values "
                                         rf"from {min(bad)} to {max(bad)}"):
        mg.softmax_cross_entropy(z, mg.tensor(bad))
    with pytest.raises(ValueError, match=r"^cross_entropy: softmax_cross_entropy: class labels must be in \[0, 4\)"):
        F.cross_entropy(z, mg.tensor(bad))
    with pytest.raises(ValueError, match=r"^nll_loss: one_hot: class labels must be in \[0, 4\)"):
        F.nll_loss(z, mg.tensor(bad))


def test_softmax_cross_entropy_bad_input():
    z = mg.zeros(3, 4)
    with pytest.raises(TypeError, match="softmax_cross_entropy: labels must be integers, got float32"):
        mg.softmax_cross_entropy(z, mg.zeros(3))
    with pytest.raises(TypeError, match="softmax_cross_entropy: logits must be a floating Tensor, got int64"):
        mg.softmax_cross_entropy(mg.tensor([[1, 2]]), mg.tensor([0]))
    with pytest.raises(ValueError, match=r"logits of shape \(3, 4\) and labels of shape \(2,\) do not fit"):
        mg.softmax_cross_entropy(z, mg.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"logits of shape \(3, 0\) .* C >= 1"):
        mg.softmax_cross_entropy(mg.zeros(3, 0), mg.tensor([0, 0, 0]))
    with pytest.raises(mg.DeviceError, match="logits are on strict:1 but labels on strict:2"):
        mg.softmax_cross_entropy(mg.zeros(3, 4, device="strict:1"), mg.tensor([0, 1, 2], device="strict:2"))


def test_nll_bad_input():
    lp = mg.zeros(2, 3)
    with pytest.raises(ValueError, match=r"nll: log_probs of shape \(2, 3\) and target of shape \(2, 1\) differ"):
        mg.nll(lp, mg.zeros(2, 1))
    with pytest.raises(TypeError, match="nll: target must be a floating Tensor, got int64"):
        mg.nll(lp, mg.tensor([[0, 1, 0], [1, 0, 0]]))
    with pytest.raises(ValueError, match="nll: axis 2 is out of range"):
        mg.nll(lp, mg.zeros(2, 3), axis=2)
    with pytest.raises(ValueError, match="nll: needs a class axis"):
        mg.nll(mg.tensor(0.0), mg.tensor(1.0))


def test_linear_bad_input():
    with pytest.raises(ValueError, match=r"linear: weight must be 2-D \(out_features, in_features\), got shape \(3,\)"):
        mg.linear(mg.ones(2, 3), mg.ones(3))
    with pytest.raises(ValueError, match=r"linear: input of shape \(\) does not fit weight of shape \(2, 3\)"):
        mg.linear(mg.tensor(1.0), mg.ones(2, 3))
    with pytest.raises(ValueError, match=r"linear: bias of shape \(3,\) does not fit weight of shape \(2, 3\)"):
        mg.linear(mg.ones(4, 3), mg.ones(2, 3), mg.ones(3))
    with pytest.raises(TypeError, match="linear: needs at least one Tensor, got ndarray and ndarray"):
        mg.linear(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(mg.DeviceError, match="strict:1.*strict:2|strict:2.*strict:1"):
        mg.linear(mg.ones(2, 3, device="strict:1"), mg.ones(2, 3, device="strict:2"))


def test_linear_takes_arrays_and_leading_axes():
    w = mg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    x = np.arange(12.0).reshape(2, 2, 3)
    z = mg.linear(x, w, np.array([1.0, -1.0]))
    np.testing.assert_allclose(z.numpy(), x @ w.numpy().T + [1.0, -1.0], rtol=1e-12)
    z.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.ones((2, 4)) @ x.reshape(4, 3), rtol=1e-12)


@pytest.mark.parametrize("axis", [-1, 0, 1, 2])
def test_one_hot_puts_the_class_axis_where_asked(device, axis):
    labels = np.array([[2, 0, 1], [1, 1, 3]])
    out = mg.one_hot(mg.Tensor(labels, device=device), 4, axis=axis, dtype=mg.float64)
    expected = np.moveaxis(np.eye(4)[labels], -1, axis)
    assert out.dtype == mg.float64 and out.shape == expected.shape
    np.testing.assert_array_equal(out.numpy(), expected)
    assert mg.one_hot(mg.Tensor(labels, device=device), 4).dtype == mg.float32


def test_one_hot_bad_input():
    with pytest.raises(TypeError, match="one_hot: labels must be an integer Tensor, got float32"):
        mg.one_hot(mg.zeros(3), 2)
    with pytest.raises(ValueError, match=r"one_hot: class labels must be in \[0, 2\), got values from 0 to 2"):
        mg.one_hot(mg.tensor([0, 2]), 2)
    with pytest.raises(ValueError, match="one_hot: axis 3 is out of range"):
        mg.one_hot(mg.tensor([[0, 1]]), 2, axis=3)
