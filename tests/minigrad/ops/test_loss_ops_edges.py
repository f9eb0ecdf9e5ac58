"""Edges of the cross-entropy ops (``nll``, ``softmax_cross_entropy``, ``one_hot``, ``check_labels``),
each checked against NumPy formulas written here: every layout of ``one_hot``, label boundaries,
the scale forms (None, int, float, a 0-d Tensor), huge logits, the gradient of the target, and the
errors with their messages (issue 18: mutants of minigrad/ops/loss.py)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.ops.loss import check_labels

LABELS = np.array([[2, 0, 1], [1, 1, 0]])


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
def test_one_hot_puts_the_class_axis_where_asked(device, axis):
    out = mg.one_hot(mg.tensor(LABELS, device=device), 3, axis=axis)
    expected = np.moveaxis(np.eye(3)[LABELS], -1, axis)  # the class axis built last, then moved
    assert out.shape == expected.shape and out.dtype == mg.float32 and out.requires_grad is False
    assert out.device == mg.device(device)
    np.testing.assert_array_equal(out.numpy(), expected)


def test_one_hot_stays_on_a_second_strict_device():
    out = mg.one_hot(mg.tensor([[2], [0]], device="strict:1"), 3, axis=0)  # arange made on the labels' device
    assert out.device == mg.device("strict:1")
    np.testing.assert_array_equal(out.numpy(), np.moveaxis(np.eye(3)[[[2], [0]]], -1, 0))


def test_one_hot_dtype_and_zero_d_labels(device):
    out = mg.one_hot(mg.tensor([3, 0], device=device), 5, dtype=mg.float64)
    assert out.dtype == mg.float64
    np.testing.assert_array_equal(out.numpy(), np.eye(5)[[3, 0]])
    np.testing.assert_array_equal(mg.one_hot(mg.tensor(1, device=device), 2).numpy(), [0.0, 1.0])
    with pytest.raises(mg.AxisError, match="^one_hot: axis 3 is out of range"):
        mg.one_hot(mg.tensor(LABELS, device=device), 3, axis=3)


@pytest.mark.parametrize("labels, what", [([0, 1], "list"), (np.array([0.0, 1.0]), "float"),
                                          (np.array([True, False]), "bool")])
def test_one_hot_refuses_labels_that_are_not_integer_tensors(labels, what):
    bad = labels if isinstance(labels, list) else mg.tensor(labels)
    with pytest.raises(TypeError, match=f"^one_hot: labels must be an integer Tensor, got {what}"):
        mg.one_hot(bad, 2)


def test_one_hot_checks_the_label_range():
    np.testing.assert_array_equal(mg.one_hot(mg.tensor([2]), 3).numpy(), [[0.0, 0.0, 1.0]])  # C - 1 is fine
    with pytest.raises(ValueError, match=r"^one_hot: class labels must be in \[0, 3\), got values from 0 to 3$"):
        mg.one_hot(mg.tensor([0, 3]), 3)


def test_check_labels_boundaries(device):
    assert check_labels(mg.tensor(np.zeros((0,), np.int64), device=device), 3, "op") is None  # nothing to check
    assert check_labels(mg.tensor([[0, 2], [1, 2]], device=device), 3, "op") is None
    with pytest.raises(ValueError, match=r"^op: class labels must be in \[0, 3\), got values from -1 to 2$"):
        check_labels(mg.tensor([2, -1], device=device), 3, "op")
    with pytest.raises(ValueError, match=r"^op: class labels must be in \[0, 2\), got values from 1 to 5$"):
        check_labels(mg.tensor([[5], [1]], device=device), 2, "op")


# ----- nll ---------------------------------------------------------------------------------------
def _logp(shape, seed=0):
    z = np.random.default_rng(seed).standard_normal(shape)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


@pytest.mark.parametrize("scale", [None, 2, 0.25, "tensor"])
def test_nll_scale_forms(device, scale):
    lp, y = _logp((3, 4)), np.random.default_rng(1).random((3, 4))
    s = mg.tensor(0.25, dtype=mg.float64, device=device) if scale == "tensor" else scale
    a = mg.tensor(lp, device=device, requires_grad=True)
    b = mg.tensor(y, device=device, requires_grad=True)
    out = mg.nll(a, b, scale=s)
    per = -(lp * y).sum(axis=1)
    k = 0.25 if scale == "tensor" else scale
    np.testing.assert_allclose(out.numpy(), per if scale is None else k * per.sum(), rtol=1e-12)
    g = np.arange(1.0, 4.0) if scale is None else np.float64(3.0)
    out.backward(mg.tensor(g, device=device))
    gk = -(g[:, None] if scale is None else 3.0 * k)  # upstream times -scale, along the class axis
    np.testing.assert_allclose(a.grad.numpy(), gk * y, rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), gk * lp, rtol=1e-12)


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_nll_per_example_along_any_axis(device, axis):
    lp, y = np.random.default_rng(2).standard_normal((2, 3, 4)), np.random.default_rng(3).random((2, 3, 4))
    a = mg.tensor(lp, device=device, requires_grad=True)
    out = mg.nll(a, mg.tensor(y, device=device), axis=axis)
    np.testing.assert_allclose(out.numpy(), -(lp * y).sum(axis=axis), rtol=1e-12)
    g = np.random.default_rng(4).standard_normal(out.shape)
    out.backward(mg.tensor(g, device=device))
    np.testing.assert_allclose(a.grad.numpy(), -np.expand_dims(g, axis) * y, rtol=1e-12)


def test_nll_of_one_vector():
    lp, y = np.log([0.2, 0.3, 0.5]), np.array([0.0, 1.0, 0.0])
    np.testing.assert_allclose(mg.nll(mg.tensor(lp), mg.tensor(y), axis=0).numpy(), -np.log(0.3), rtol=1e-6)


def test_nll_errors():
    lp, y = mg.tensor(_logp((2, 3))), mg.tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match="^nll: log_probs must be a floating Tensor, got list$"):
        mg.nll([[0.0]], y)
    with pytest.raises(TypeError, match="^nll: target must be a floating Tensor, got int64$"):
        mg.nll(lp, mg.tensor(np.ones((2, 3), np.int64)))
    with pytest.raises(ValueError, match=r"^nll: log_probs of shape \(2, 3\) and target of shape \(3, 2\) differ; "
                                         r"they must be equal \(one target probability per class\)$"):
        mg.nll(lp, mg.tensor(np.ones((3, 2))))
    with pytest.raises(ValueError, match="^nll: needs a class axis, got 0-d tensors$"):
        mg.nll(mg.tensor(0.5), mg.tensor(1.0))
    with pytest.raises(mg.AxisError, match="^nll: axis 2 is out of range"):
        mg.nll(lp, y, axis=2)


# ----- softmax_cross_entropy ---------------------------------------------------------------------
def _sce_ref(z, y):
    m = z.max(axis=1, keepdims=True)
    return (np.log(np.exp(z - m).sum(axis=1)) + m[:, 0]) - z[np.arange(len(y)), y]


def test_softmax_cross_entropy_of_huge_logits_uses_each_rows_maximum(device):
    z = np.array([[1e4, 0.0, -3.0], [-1e4, -1e4 + 1.0, -1e4 + 2.0], [5.0, 5.0, 5.0]])
    y = np.array([1, 2, 0])
    zt = mg.tensor(z, device=device, requires_grad=True)
    out = mg.softmax_cross_entropy(zt, mg.tensor(y, device=device))
    np.testing.assert_allclose(out.numpy(), _sce_ref(z, y), rtol=1e-9)
    assert out.shape == (3,)
    g = np.array([1.0, 2.0, -1.0])
    out.backward(mg.tensor(g, device=device))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    a = e / e.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(zt.grad.numpy(), g[:, None] * (a - np.eye(3)[y]), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("scale", [1, 0.5, "tensor"])
def test_softmax_cross_entropy_scales_and_list_labels(device, scale):
    z, y = np.random.default_rng(5).standard_normal((4, 3)) * 2, [2, 0, 0, 1]
    s = mg.tensor(0.5, dtype=mg.float64, device=device) if scale == "tensor" else scale
    k = 0.5 if scale == "tensor" else scale
    zt = mg.tensor(z, device=device, requires_grad=True)
    out = mg.softmax_cross_entropy(zt, y, scale=s)  # labels as a list: made a constant on zt's device
    assert out.shape == ()
    np.testing.assert_allclose(out.numpy(), k * _sce_ref(z, np.array(y)).sum(), rtol=1e-12)
    out.backward(mg.tensor(2.0, dtype=mg.float64, device=device))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    a = e / e.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(zt.grad.numpy(), 2.0 * k * (a - np.eye(3)[y]), rtol=1e-12)


def test_softmax_cross_entropy_of_one_class_is_zero(device):
    zt = mg.tensor([[3.0], [-2.0]], device=device, requires_grad=True)
    out = mg.softmax_cross_entropy(zt, mg.tensor([0, 0], device=device), scale=1.0)
    assert float(out) == 0.0
    out.backward()
    np.testing.assert_array_equal(zt.grad.numpy(), [[0.0], [0.0]])


def test_softmax_cross_entropy_second_derivative_reaches_the_logits(device):
    z, y = np.array([[0.3, -1.0, 2.0], [1.0, 0.5, -0.5]]), np.array([2, 0])
    zt = mg.tensor(z, device=device, requires_grad=True)
    (gz,) = mg.grad(mg.softmax_cross_entropy(zt, mg.tensor(y, device=device), scale=1.0), [zt], create_graph=True)
    v = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 4.0]])
    (h,) = mg.grad((gz * mg.tensor(v, device=device)).sum(), [zt])
    e = np.exp(z - z.max(axis=1, keepdims=True))
    a = e / e.sum(axis=1, keepdims=True)
    # d/dz of sum v * (A - Y) = the softmax Jacobian applied to v: A * (v - sum(A v))
    np.testing.assert_allclose(h.numpy(), a * (v - (a * v).sum(axis=1, keepdims=True)), rtol=1e-12)


def test_softmax_cross_entropy_errors():
    z = mg.zeros(3, 4)
    op = "^softmax_cross_entropy: "
    with pytest.raises(TypeError, match=op + "logits must be a floating Tensor, got list$"):
        mg.softmax_cross_entropy([[0.0]], mg.tensor([0]))
    with pytest.raises(TypeError, match=op + "logits must be a floating Tensor, got int64$"):
        mg.softmax_cross_entropy(mg.tensor([[1, 2]]), mg.tensor([0]))
    for bad, what in ((np.array([0.0, 1.0, 1.0]), "float"), (np.array([True, False, True]), "bool")):
        with pytest.raises(TypeError, match=op + f"labels must be integers, got {what}"):
            mg.softmax_cross_entropy(z, mg.tensor(bad))
    msg = "expected \\(m, C\\) logits with C >= 1 and \\(m,\\) labels$"
    for logits, labels in ((mg.zeros(4), [0, 1, 2, 3]), (z, [0, 1]), (z, [[0], [1], [2]]),
                           (mg.zeros(3, 0), [0, 0, 0]), (mg.zeros(2, 3, 4), [0, 1])):
        with pytest.raises(ValueError, match=op + ".*do not fit: " + msg):
            mg.softmax_cross_entropy(logits, mg.tensor(labels))
    with pytest.raises(TypeError, match=op + "cannot use list as a tensor operand"):
        mg.softmax_cross_entropy(z, ["a", "b", "c"])
    with pytest.raises(ValueError, match=op + r"class labels must be in \[0, 4\), got values from 0 to 4$"):
        mg.softmax_cross_entropy(z, mg.tensor([0, 4, 1]))


def test_softmax_cross_entropy_on_a_second_strict_device():
    z, y = np.array([[0.5, -1.0], [2.0, 0.0], [0.0, 0.0]]), np.array([1, 0, 1])
    zt = mg.tensor(z, device="strict:1", requires_grad=True)
    out = mg.softmax_cross_entropy(zt, mg.tensor(y, device="strict:1"))
    assert out.device == mg.device("strict:1")
    np.testing.assert_allclose(out.numpy(), _sce_ref(z, y), rtol=1e-12)
    out.sum().backward()
    e = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(zt.grad.numpy(), e - np.eye(2)[y], rtol=1e-12)


def test_softmax_cross_entropy_refuses_labels_on_another_device():
    with pytest.raises(mg.DeviceError, match="^softmax_cross_entropy: logits are on cpu but labels on strict"):
        mg.softmax_cross_entropy(mg.zeros(1, 2, device="cpu"), mg.tensor([0], device="strict"))
