"""Linear, activations, Flatten/Identity and Dropout: forward vs NumPy, gradients vs central
differences (float64, Hypothesis-drawn shapes and values), and behaviour."""
import numpy as np
import pytest
from _numgrad import assert_grads_match
from hypothesis import given, strategies as st

import minigrad as mg
import nn
import nn.functional as F

sizes = st.integers(1, 4)
seeds = st.integers(0, 2**16)


def _away_from_zero(rng, shape, gap=1e-3):
    """Values with |x| >= gap, so kinks (relu at 0) are not within the difference step."""
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < gap, gap, x) * rng.choice([0.5, 3.0])


# ----- Linear ------------------------------------------------------------------------------------
@given(m=sizes, n_in=sizes, n_out=sizes, bias=st.booleans(), seed=seeds)
def test_linear_gradients(device, m, n_in, n_out, bias, seed):
    rng = np.random.default_rng(seed)
    x, w, b = rng.standard_normal((m, n_in)), rng.standard_normal((n_out, n_in)), rng.standard_normal(n_out)
    fn = (lambda x, w, b: F.linear(x, w, b)) if bias else (lambda x, w, b: F.linear(x, w))
    assert_grads_match(fn, [x, w, b], wrt=[0, 1, 2] if bias else [0, 1], device=device)


def test_linear_module_matches_numpy_and_has_course_shapes(device):
    mg.manual_seed(3)
    layer = nn.Linear(5, 3, device=device)
    assert layer.weight.shape == (3, 5) and layer.bias.shape == (3,)  # W[l]: (n[l], n[l-1])
    assert layer.weight.device == device
    x = np.random.default_rng(0).standard_normal((7, 5)).astype(np.float32)
    out = layer(mg.Tensor(x, device=device))
    expected = x @ layer.weight.numpy().T + layer.bias.numpy()
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(layer.weight.grad.numpy(), np.ones((7, 3)).T @ x, rtol=1e-5)
    np.testing.assert_allclose(layer.bias.grad.numpy(), np.full(3, 7.0))


def test_linear_gradients_through_module_params(device):
    """The module route (Parameters, x @ W.T + b) gives the same gradients as differences."""
    def fn(x, w, b):
        layer = nn.Linear(3, 2, device=device, dtype=mg.float64)
        layer.weight, layer.bias = nn.Parameter(w, requires_grad=w.requires_grad), nn.Parameter(b)
        return layer(x) if not w.requires_grad else F.linear(x, w, b)

    rng = np.random.default_rng(1)
    assert_grads_match(fn, [rng.standard_normal((4, 3)), rng.standard_normal((2, 3)), rng.standard_normal(2)],
                       wrt=[0, 1, 2], device=device)


def test_linear_default_init_is_pytorchs_and_seedable():
    """The default is PyTorch's: W and b uniform on [-1/sqrt(n_in), 1/sqrt(n_in)] (std bound/sqrt(3))."""
    mg.manual_seed(0)
    a = nn.Linear(400, 300)
    mg.manual_seed(0)
    b = nn.Linear(400, 300)
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    bound = 1 / np.sqrt(400)
    w, bias = a.weight.numpy(), a.bias.numpy()
    assert np.abs(w).max() <= bound and np.abs(bias).max() <= bound
    assert np.abs(w).max() > 0.99 * bound and np.abs(bias).max() > 0.9 * bound  # fills the interval
    assert abs(w.std() - bound / np.sqrt(3)) < 0.03 * bound / np.sqrt(3)
    assert abs(w.mean()) < 0.05 * bound
    g1, g2 = mg.Generator(seed=5), mg.Generator(seed=5)
    np.testing.assert_array_equal(nn.Linear(4, 4, generator=g1).weight.numpy(),
                                  nn.Linear(4, 4, generator=g2).weight.numpy())


def test_linear_he_is_one_argument_away():
    mg.manual_seed(0)
    w = nn.Linear(400, 300, init="he")
    assert abs(w.weight.numpy().std() - np.sqrt(2 / 400)) < 0.03 * np.sqrt(2 / 400)
    assert np.all(w.bias.numpy() == 0)


@pytest.mark.parametrize("init, std, bias_zero", [
    ("xavier", np.sqrt(1 / 400), True), ("glorot", np.sqrt(2 / 700), True), ("random", 0.01, True),
    ("large", 10.0, True), ("pytorch", 1 / np.sqrt(3 * 400), False), ("he_uniform", np.sqrt(2 / 400), True)])
def test_linear_init_schemes(init, std, bias_zero):
    mg.manual_seed(1)
    layer = nn.Linear(400, 300, init=init)
    assert abs(layer.weight.numpy().std() - std) < 0.03 * std
    assert np.all(layer.bias.numpy() == 0) == bias_zero
    if init == "pytorch":
        assert np.all(np.abs(layer.bias.numpy()) <= 1 / np.sqrt(400))
    layer.reset_parameters()
    assert abs(layer.weight.numpy().std() - std) < 0.03 * std


def test_linear_zero_and_custom_init():
    assert np.all(nn.Linear(3, 2, init="zeros").weight.numpy() == 0)
    layer = nn.Linear(3, 2, init=lambda w: nn.init.constant_(w, 0.5))
    assert np.all(layer.weight.numpy() == 0.5) and np.all(layer.bias.numpy() == 0)
    with pytest.raises(ValueError, match="unknown scheme 'hee'"):
        nn.Linear(3, 2, init="hee")


def test_linear_bad_input():
    layer = nn.Linear(4, 2)
    with pytest.raises(ValueError, match=r"linear: input of shape \(3, 5\) does not fit weight of shape \(2, 4\)"):
        layer(mg.ones(3, 5))
    with pytest.raises(ValueError, match="in_features"):
        nn.Linear(-1, 2)
    with pytest.raises(ValueError, match="bias of shape"):
        F.linear(mg.ones(1, 4), mg.ones(2, 4), mg.ones(3))


# ----- activations ---------------------------------------------------------------------------------
def _np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


ACTIVATIONS = [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (nn.Tanh(), np.tanh),
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (nn.Softplus(), lambda x: np.logaddexp(0, x)),
    (nn.Softmax(dim=1), lambda x: _np_softmax(x, 1)),
    (nn.Softmax(dim=0), lambda x: _np_softmax(x, 0)),
    (nn.LogSoftmax(dim=1), lambda x: np.log(_np_softmax(x, 1))),
    (nn.Identity(), lambda x: x),
    (nn.Flatten(), lambda x: x.reshape(x.shape[0], -1)),
]
ACT_IDS = [f"{type(m).__name__}{getattr(m, 'dim', '')}" for m, _ in ACTIVATIONS]


@pytest.mark.parametrize("module, reference", ACTIVATIONS, ids=ACT_IDS)
@given(m=sizes, n=sizes, seed=seeds)
def test_activation_forward_and_gradients(device, module, reference, m, n, seed):
    x = _away_from_zero(np.random.default_rng(seed), (m, n))
    out = module(mg.Tensor(x, device=device))
    np.testing.assert_allclose(out.numpy(), reference(x), rtol=1e-12, atol=1e-12)
    assert_grads_match(module, [x], device=device)


def test_flatten_4d_and_softplus_at_zero(device):
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    assert nn.Flatten()(mg.Tensor(x, device=device)).shape == (2, 12)
    assert nn.Flatten(0, 1)(mg.Tensor(x, device=device)).shape == (6, 2, 2)
    assert_grads_match(nn.Flatten(), [x[:1, :2]], device=device)
    # softplus'(0) = 1/2 exactly (a relu/abs composition would give 0 there)
    z = mg.zeros(3, dtype=mg.float64, device=device, requires_grad=True)
    F.softplus(z).sum().backward()
    np.testing.assert_array_equal(z.grad.numpy(), [0.5, 0.5, 0.5])


def test_activations_extreme_inputs_finite(device):
    x = mg.tensor([[-1e4, 0.0, 1e4]], device=device, requires_grad=True)
    for module in (nn.Sigmoid(), nn.Tanh(), nn.Softplus(), nn.Softmax(1), nn.LogSoftmax(1)):
        x.grad = None
        out = module(x)
        (out * mg.tensor([[1.0, 2.0, 3.0]], device=device)).sum().backward()
        assert np.all(np.isfinite(out.numpy())) and np.all(np.isfinite(x.grad.numpy())), type(module).__name__
    np.testing.assert_allclose(F.softplus(x).numpy(), [[0.0, np.log(2), 1e4]], rtol=1e-6)


def test_activation_reprs():
    assert repr(nn.LeakyReLU(0.1)) == "LeakyReLU(negative_slope=0.1)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"


# ----- Dropout -------------------------------------------------------------------------------------
def test_dropout_train_is_inverted_with_keep_prob(device):
    mg.manual_seed(0)
    drop = nn.Dropout(keep_prob=0.8)
    assert drop.p == pytest.approx(0.2) and drop.keep_prob == pytest.approx(0.8)
    x = mg.ones(200, 100, device=device)
    out = drop(x).numpy()
    kept = out != 0
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.8)}
    assert abs(kept.mean() - 0.8) < 0.01  # 20,000 draws: 4 standard deviations is 0.011
    assert abs(out.mean() - 1.0) < 0.02  # expectation preserved


def test_dropout_eval_is_identity_and_p0(device):
    x = mg.randn(5, 4, device=device)
    drop = nn.Dropout(0.5).eval()
    assert drop(x) is x
    assert nn.Dropout(0.0)(x) is x
    assert F.dropout(x, 0.7, training=False) is x


def test_dropout_p1_gives_zeros_and_zero_gradient(device):
    x = mg.randn(3, 4, device=device, requires_grad=True)
    out = nn.Dropout(1.0)(x)
    assert np.all(out.numpy() == 0)
    out.sum().backward()
    assert np.all(x.grad.numpy() == 0)


def test_dropout_backward_uses_the_forward_mask(device):
    x = mg.ones(6, 7, device=device, requires_grad=True)
    out = F.dropout(x, p=0.4, generator=mg.Generator(device, seed=11))
    weights = mg.Tensor(np.arange(42.0).reshape(6, 7).astype(np.float32), device=device)
    (out * weights).sum().backward()
    mask = out.numpy() != 0
    np.testing.assert_allclose(x.grad.numpy(), np.where(mask, weights.numpy() / 0.6, 0), rtol=1e-6)


@given(m=sizes, n=sizes, p=st.sampled_from([0.1, 0.5, 0.9]), seed=seeds)
def test_dropout_gradients(device, m, n, p, seed):
    x = np.random.default_rng(seed).standard_normal((m, n))
    # a fresh generator with the same seed per call: the same mask in every evaluation
    assert_grads_match(lambda t: F.dropout(t, p, generator=mg.Generator(device, seed=seed)), [x], device=device)


def test_dropout_seeded_masks_repeat():
    mg.manual_seed(4)
    a = nn.Dropout(0.5)(mg.ones(50)).numpy()
    mg.manual_seed(4)
    b = nn.Dropout(0.5)(mg.ones(50)).numpy()
    np.testing.assert_array_equal(a, b)
    g = mg.Generator(seed=1)
    drop = nn.Dropout(0.5, generator=g)
    c = drop(mg.ones(50)).numpy()
    g.manual_seed(1)
    np.testing.assert_array_equal(c, drop(mg.ones(50)).numpy())


def test_dropout_bad_arguments():
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match=r"p must be in \[0, 1\]"):
            nn.Dropout(bad)
    with pytest.raises(ValueError, match="disagree"):
        nn.Dropout(0.5, keep_prob=0.8)
    nn.Dropout(0.2, keep_prob=0.8)  # consistent: fine
    with pytest.raises(TypeError, match="floating"):
        F.dropout(mg.tensor([1, 2]), 0.5)
