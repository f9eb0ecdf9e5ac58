"""nn edges no other test reached: hook error paths, NumPy-input dtype choice, Parameter construction,
loss / init / penalty / Linear / Unflatten / BatchNorm argument errors, each against a hand-worked outcome."""
import math

import numpy as np
import pytest

import minigrad as mg
import nn
import nn.functional as F
from nn import init
from nn.parameter import is_parameter


# ----- hooks --------------------------------------------------------------------------------------------------
def test_hook_error_paths():
    lin = nn.Linear(2, 1, dtype=mg.float64)
    with lin.register_forward_pre_hook(lambda m, a, k: "bad", with_kwargs=True):
        with pytest.raises(TypeError, match=r"^forward pre-hook with with_kwargs=True must return None or "
                                            r"\(args, kwargs\), got 'bad'$"):
            lin(mg.ones(1, 2, dtype=mg.float64))
    assert lin._hooks["kwargs"] == set()  # a removed with_kwargs hook leaves nothing behind
    x = mg.ones(3, 2, dtype=mg.float64, requires_grad=True)
    with lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0])):
        with pytest.raises(ValueError, match=r"^full backward hook returned 2 gradients, expected 1$"):
            lin(x).sum().backward()

    class Pair(nn.Module):
        def forward(self, x):
            return x, x

    p = Pair()
    p.register_full_backward_hook(lambda m, gi, go: None)
    with pytest.raises(NotImplementedError, match="^Pair: backward hooks support a forward that returns one Tensor, "
                                                  "got tuple$"):
        p(x)


def test_backward_hooks_without_any_gradient_and_returning_one():
    lin = nn.Linear(2, 1, dtype=mg.float64).requires_grad_(False)
    ran = []
    lin.register_full_backward_hook(lambda m, gi, go: ran.append(gi))
    out = lin(mg.ones(3, 2, dtype=mg.float64))  # nothing requires grad: the output is returned as it is
    assert not out.requires_grad and out.grad_fn is None and ran == []
    lin2 = nn.Linear(2, 1, dtype=mg.float64)
    lin2.register_full_backward_hook(lambda m, gi, go: (go[0],))
    with pytest.raises(RuntimeError, match="^Linear: a full backward hook returned a grad_input although no input "
                                           "requires grad$"):
        lin2(mg.ones(3, 2, dtype=mg.float64)).sum().backward()


def test_numpy_input_takes_the_first_floating_tensor_dtype():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("count", mg.zeros((), dtype=mg.int64))  # integer: skipped for the dtype
            self.register_buffer("scale", mg.ones(1, dtype=mg.float64))

        def forward(self, x):
            return x

    out = M()(np.ones(2, dtype=np.float32))
    assert out.dtype == "float64"
    assert M()(np.arange(2)).dtype == "int64"


# ----- Parameter ----------------------------------------------------------------------------------------------
def test_parameter_construction_and_repr():
    empty = nn.Parameter()
    assert empty.shape == (0,) and empty.requires_grad and is_parameter(empty) and not is_parameter(mg.zeros(1))
    from_array = nn.Parameter(np.array([1.0, 2.0]))
    assert from_array.requires_grad and from_array.numpy().tolist() == [1.0, 2.0]
    t = mg.ones(2, requires_grad=True)
    frozen = nn.Parameter(t, requires_grad=False)
    assert not frozen.requires_grad and frozen.grad_fn is None
    assert repr(from_array).startswith("Parameter containing:\n") and repr(from_array)[22:] == repr(
        mg.Tensor(np.array([1.0, 2.0]), requires_grad=True))


# ----- losses -------------------------------------------------------------------------------------------------
def test_loss_argument_errors():
    with pytest.raises(TypeError, match="^mse_loss: input must be a Tensor, got list$"):
        F.mse_loss([1.0], mg.ones(1))
    with pytest.raises(ValueError, match=r"^nll_loss: input must be \(N, C\) or \(N, C, \.\.\.\) with classes on "
                                         r"axis 1, got shape \(\)$"):
        F.nll_loss(mg.tensor(1.0), mg.tensor(0))
    with pytest.raises(mg.DeviceError, match="^mse_loss: input is on cpu but target on strict"):
        F.mse_loss(mg.ones(2), mg.ones(2, device="strict"))


def test_binary_cross_entropy_weight_and_empty_input():
    p = np.array([[0.2, 0.9], [0.5, 0.01]])
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    w = np.array([2.0, 0.5])
    per = -(y * np.log(p) + (1 - y) * np.log(1 - p)) * w
    np.testing.assert_allclose(F.binary_cross_entropy(mg.tensor(p), mg.tensor(y), weight=mg.tensor(w),
                                                      reduction="none").numpy(), per, rtol=1e-12)
    np.testing.assert_allclose(F.binary_cross_entropy(mg.tensor(p), mg.tensor(y), weight=w).item(), per.mean(),
                               rtol=1e-12)
    assert F.binary_cross_entropy(mg.zeros(0), mg.zeros(0), reduction="sum").item() == 0.0


# ----- penalties, init, Linear, Unflatten, BatchNorm ----------------------------------------------------------
def test_argument_errors_of_penalties_and_initialisers():
    with pytest.raises(ValueError, match=r"^l1_penalty: no weights to penalise"):
        nn.l1_penalty(nn.BatchNorm1d(2), 0.1, 4)
    with pytest.raises(ValueError, match=r"^l1_penalty: lambd must be >= 0, got -0\.5$"):
        nn.l1_penalty(nn.Linear(2, 2), -0.5, 4)
    assert nn.l1_penalty(nn.Linear(2, 2), 0.0, 4).item() == 0.0  # lambd = 0 is allowed
    assert init.calculate_gain("selu") == 0.75
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)), rel=1e-15)
    for name in ("identity", "sigmoid", "conv1d", "conv2d"):
        assert init.calculate_gain(name) == 1.0
    with pytest.raises(TypeError, match="^constant_: expected a Tensor, got ndarray$"):
        init.zeros_(np.zeros(2))
    with pytest.raises(ValueError, match=r"^uniform_: lower bound 1\.0 is above upper bound 0\.0$"):
        init.uniform_(mg.zeros(2), 1.0, 0.0)
    w = init.uniform_(mg.zeros(1000), 0.5, 0.5)  # a == b is allowed: every value is a
    assert np.all(w.numpy() == 0.5)
    with pytest.raises(ValueError, match="^xavier_normal_: mode must be 'fan_avg' or 'fan_in', got 'fan_out'$"):
        init.xavier_normal_(mg.zeros(2, 2), mode="fan_out")


def test_linear_and_unflatten_argument_errors():
    with pytest.raises(TypeError, match=r"^Linear: the input has dtype int64 but the weight has float32"):
        nn.Linear(2, 1)(mg.tensor([[1, 2]]))
    for bad in (True, 2.0, -1):
        with pytest.raises(ValueError, match=r"^Linear: out_features must be a non-negative int"):
            nn.Linear(2, bad)
    assert nn.Linear(0, 2)(mg.zeros(3, 0)).numpy().tolist() == [[0.0, 0.0]] * 3  # zero features: the bias, 0
    with pytest.raises(TypeError, match="^Unflatten: dim must be an int, got float$"):
        nn.Unflatten(1.0, (2, 2))
    for bad in ((), (2, -2), (-1, -1), (2.0, 2)):
        with pytest.raises(ValueError, match="^Unflatten: unflattened_size must be a non-empty tuple"):
            nn.Unflatten(1, bad)
    x = mg.zeros(2, 6)
    assert nn.Unflatten(-2, (1, 2))(x).shape == (1, 2, 6)
    for dim in (2, -3):
        with pytest.raises(ValueError, match=rf"^Unflatten: dim {dim} is out of range for input of shape \(2, 6\)$"):
            nn.Unflatten(dim, (2, 3))(x)
    assert nn.Unflatten(1, (-1, 3))(x).shape == (2, 2, 3)
    with pytest.raises(ValueError, match="cannot be split"):
        nn.Unflatten(1, (-1, 4))(x)


def test_batchnorm_argument_errors_and_reset_parameters():
    for eps in (0.0, -1e-5, math.inf, True, "1e-5"):
        with pytest.raises(ValueError, match=r"^BatchNorm1d: eps must be a finite number > 0"):
            nn.BatchNorm1d(2, eps=eps)
    for momentum in (-0.1, 1.1):
        with pytest.raises(ValueError, match=rf"^BatchNorm2d: momentum must be in \[0, 1\] or None, got {momentum}$"):
            nn.BatchNorm2d(2, momentum=momentum)
    for n in (0, 2.0):
        with pytest.raises(ValueError, match="^BatchNorm1d: num_features must be a positive int"):
            nn.BatchNorm1d(n)
    nn.BatchNorm1d(1, momentum=0.0), nn.BatchNorm1d(1, momentum=1.0), nn.BatchNorm1d(1, eps=1)  # boundaries
    bn = nn.BatchNorm1d(2).double()
    with mg.no_grad():
        bn.weight.fill_(3.0)
        bn.bias.fill_(-1.0)
    bn(mg.tensor(np.array([[1.0, 2.0], [3.0, 8.0]])))
    bn.reset_parameters()
    assert bn.weight.numpy().tolist() == [1.0, 1.0] and bn.bias.numpy().tolist() == [0.0, 0.0]
    assert bn.running_mean.numpy().tolist() == [0.0, 0.0] and bn.running_var.numpy().tolist() == [1.0, 1.0]
    assert bn.num_batches_tracked.item() == 0
    plain = nn.BatchNorm1d(2, affine=False, track_running_stats=False)
    plain.reset_parameters()  # nothing to reset: no error
    assert plain.weight is None and plain.running_mean is None


def test_batchnorm_input_errors_name_the_layer_and_the_ranks():
    with pytest.raises(ValueError, match=r"^BatchNorm1d: expected a 2-D or 3-D input \(N, C, \.\.\.\), "
                                         r"got shape \(4,\)$"):
        nn.BatchNorm1d(4)(mg.ones(4))
    with pytest.raises(ValueError, match=r"^BatchNorm2d: expected a 4-D input \(N, C, \.\.\.\), got shape \(2, 3\)$"):
        nn.BatchNorm2d(3)(mg.ones(2, 3))
    with pytest.raises(ValueError, match=r"^BatchNorm2d: input has 2 channels \(axis 1 of shape \(1, 2, 1, 1\)\), "
                                         r"the layer was built for 3$"):
        nn.BatchNorm2d(3)(mg.ones(1, 2, 1, 1))


@pytest.mark.parametrize("train", [True, False])
def test_batchnorm_uses_its_own_eps(train):
    x = np.array([[1.0, -2.0], [3.0, 0.0], [2.0, 5.0]])
    bn = nn.BatchNorm1d(2, eps=0.5).double().train(train)
    out = bn(mg.tensor(x)).numpy()
    mu, var = (x.mean(0), x.var(0)) if train else (np.zeros(2), np.ones(2))
    np.testing.assert_allclose(out, (x - mu) / np.sqrt(var + 0.5), rtol=1e-12)
