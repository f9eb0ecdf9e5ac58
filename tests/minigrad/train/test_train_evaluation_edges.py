"""predict at its edges: batches of 256 by default, joined in order along the example axis, the model in
eval mode (and put back), inputs in the model's float dtype on its device, errors named "predict"."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.train import predict


class Model:
    """y = x @ w (2 -> 3 columns) in float64, recording each batch it sees."""

    def __init__(self, device="cpu"):
        self.w = mg.tensor(np.arange(6.0).reshape(2, 3), dtype="float64", device=device, requires_grad=True)
        self.training, self.seen = True, []

    def parameters(self):
        return [self.w]

    def train(self, mode=True):
        self.training = mode

    def eval(self):
        self.training = False

    def __call__(self, x):
        self.seen.append((x.shape[0], x.dtype, str(x.device), self.training, x.requires_grad))
        return x @ self.w


def test_predict_batches_of_256_in_order_in_eval_mode(device):
    X = np.random.default_rng(0).normal(size=(300, 2)).astype(np.float32)
    model = Model(device)
    out = predict(model, X)
    assert [s[0] for s in model.seen] == [256, 44]
    assert all(s[1] == mg.float64 and s[2].startswith(device) and s[3] is False and not s[4] for s in model.seen)
    assert model.training is True
    assert out.shape == (300, 3) and not out.requires_grad
    np.testing.assert_allclose(out.numpy(), X.astype(np.float64) @ np.arange(6.0).reshape(2, 3), rtol=1e-12)


def test_predict_one_batch_and_a_batch_size_of_1():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    model = Model()
    np.testing.assert_allclose(predict(model, X, batch_size=1).numpy(), [[0, 1, 2], [3, 4, 5], [3, 5, 7]])
    assert [s[0] for s in model.seen] == [1, 1, 1]
    model.seen.clear()
    assert predict(model, X).shape == (3, 3) and [s[0] for s in model.seen] == [3]


@pytest.mark.parametrize("args, message", [
    (("abc",), "^predict: X must have a first axis of examples, got a 0-d ndarray$"),
    ((np.zeros((3, 2)), 0), "^predict: batch_size must be an integer >= 1, got 0$"),
    ((np.zeros((0, 2)),), r"^predict: the data set is empty \(X has shape \(0, 2\)\)$"),
])
def test_predict_errors_are_named(args, message):
    with pytest.raises(ValueError, match=message):
        predict(Model(), *args)


def test_predict_needs_parameters():
    class Empty:
        def parameters(self):
            return []

    with pytest.raises(ValueError, match=r"^predict: model.parameters\(\) is empty"):
        predict(Empty(), np.zeros((2, 2)))


def test_error_uses_the_threshold_it_is_given():
    from minigrad.train import accuracy, error

    out, y = np.array([[0.3], [0.7], [-1.0]]), np.array([1, 1, 0])
    assert accuracy(out, y) == 1.0 and error(out, y) == 0.0  # threshold 0: all right
    assert error(out, y, threshold=0.5) == pytest.approx(1 / 3)  # 0.3 is not > 0.5
    assert error(out, y, 0.5) == pytest.approx(1 - accuracy(out, y, 0.5))


def test_finite_checks_per_device_and_for_integer_tensors():
    from minigrad.train.guard import all_finite, grads_finite, nonfinite_names

    a = mg.tensor([1.0], device="cpu", requires_grad=True)
    b = mg.tensor([1.0], device="strict", requires_grad=True)
    a.grad = mg.tensor([2.0], device="cpu")
    b.grad = mg.tensor([float("nan")], device="strict")
    assert grads_finite([a]) and not grads_finite([a, b]) and not grads_finite([b, a])
    b.grad = mg.tensor([3.0], device="strict")
    assert grads_finite([a, b])
    ints = mg.tensor([1, 2])
    assert all_finite([ints, a]) and not all_finite([ints, mg.tensor([float("inf")])])
    i = mg.tensor([1.0], requires_grad=True)
    i.grad = mg.tensor([1, 2])
    assert nonfinite_names([("i", i)]) == []
