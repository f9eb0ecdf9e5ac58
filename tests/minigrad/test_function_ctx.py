"""``mg.Function`` in PyTorch's form: static ``forward(ctx, ...)`` / ``backward(ctx, grad)``, as in
"Learning PyTorch with Examples", beside the array form (tests/minigrad/test_function.py)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


def make_my_relu(base):
    """The tutorial's MyReLU, written once against ``base`` (mg.Function or torch's)."""

    class MyReLU(base):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    return MyReLU


def make_legendre(base):
    """The tutorial's LegendrePolynomial3: P3(x) = (5x^3 - 3x) / 2, P3'(x) = 1.5 (5x^2 - 1)."""

    class LegendrePolynomial3(base):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    return LegendrePolynomial3


MyReLU, Legendre = make_my_relu(mg.Function), make_legendre(mg.Function)


class ScaledExp(mg.Function):
    """z = exp(alpha * x) * w, alpha a Python number (no gradient);  saves its output."""

    seen = []

    @staticmethod
    def forward(ctx, x, alpha, w):
        ScaledExp.seen.append((type(x), type(alpha), mg.is_grad_enabled()))
        ctx.alpha = alpha
        out = (x * alpha).exp() * w
        ctx.save_for_backward(out, w)
        return out

    @staticmethod
    def backward(ctx, g):
        out, w = ctx.saved_tensors
        ScaledExp.seen.append(ctx.needs_input_grad)
        gx = g * out * ctx.alpha if ctx.needs_input_grad[0] else None
        gw = g * out / w if ctx.needs_input_grad[2] else None
        return gx, None, gw


def _x(values, device, requires_grad=True):
    return mg.tensor(np.asarray(values, dtype=np.float64), device=device, requires_grad=requires_grad)


XV = np.array([-1.2, -0.3, 0.4, 1.7])


def test_my_relu_matches_relu_and_gradcheck(device):
    x = _x(XV, device)
    y = MyReLU.apply(x)
    assert y.grad_fn is not None and y.grad_fn.name == "MyReLU"
    np.testing.assert_array_equal(y.numpy(), np.maximum(XV, 0))
    (y * mg.tensor(np.arange(1.0, 5.0), device=device)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.where(XV < 0, 0.0, np.arange(1.0, 5.0)))
    assert mg.gradcheck(MyReLU.apply, (x,))


def test_legendre_gradcheck_and_gradgradcheck(device):
    x = _x(XV, device)
    np.testing.assert_allclose(Legendre.apply(x).numpy(), 0.5 * (5 * XV ** 3 - 3 * XV), rtol=1e-12)
    (g,) = mg.grad(Legendre.apply(x).sum(), x, create_graph=True)  # backward is recorded: P3'' = 15 x
    np.testing.assert_allclose(g.numpy(), 1.5 * (5 * XV ** 2 - 1), rtol=1e-12)
    (h,) = mg.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), 15 * XV, rtol=1e-12)
    assert mg.gradcheck(Legendre.apply, (x,))
    assert mg.gradgradcheck(Legendre.apply, (x,))


def test_forward_gets_tensors_and_other_values_as_they_are_with_grad_off(device):
    ScaledExp.seen.clear()
    x, w = _x(XV, device), _x([2.0, 1.0, 0.5, 3.0], device, requires_grad=False)
    out = ScaledExp.apply(x, 0.5, w)
    assert ScaledExp.seen == [(mg.Tensor, float, False)]
    np.testing.assert_allclose(out.numpy(), np.exp(0.5 * XV) * w.numpy(), rtol=1e-12)
    out.sum().backward()
    assert ScaledExp.seen[1] == (True, False, False)  # one flag per forward argument
    np.testing.assert_allclose(x.grad.numpy(), 0.5 * np.exp(0.5 * XV) * w.numpy(), rtol=1e-12)
    assert w.grad is None
    assert mg.gradcheck(lambda a, b: ScaledExp.apply(a, 0.5, b), (x, _x(w.numpy(), device)))
    assert mg.gradgradcheck(lambda a, b: ScaledExp.apply(a, 0.5, b), (x, _x(w.numpy(), device)))


def test_saved_output_is_version_checked_and_freed(device):
    x, w = _x(XV, device), _x(np.ones(4), device)
    out = ScaledExp.apply(x, 1.0, w)
    node = out.grad_fn
    with mg.no_grad():
        out.mul_(2.0)
    with pytest.raises(mg.BackwardError, match="ScaledExp: .*modified in place"):
        out.sum().backward()
    out = ScaledExp.apply(x, 1.0, w)
    out.sum().backward()
    assert out.grad_fn._saved is None and node is not out.grad_fn
    with pytest.raises(mg.BackwardError, match="second time"):
        out.sum().backward()


def test_saved_input_modified_in_place_raises(device):
    x = _x(XV, device)
    y = MyReLU.apply(x)
    with mg.no_grad():
        x.add_(1.0)
    with pytest.raises(mg.BackwardError, match="MyReLU: .*modified in place"):
        y.sum().backward()


def test_no_graph_without_grad(device):
    x = _x(XV, device)
    with mg.no_grad():
        assert MyReLU.apply(x).grad_fn is None
    assert MyReLU.apply(_x(XV, device, requires_grad=False)).grad_fn is None


def test_mistakes_are_named():
    class TooMany(mg.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2.0

        @staticmethod
        def backward(ctx, g):
            return g, g

    class GradForNumber(mg.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    class NotATensor(mg.Function):
        @staticmethod
        def forward(ctx, x):
            return x.numpy()

        @staticmethod
        def backward(ctx, g):
            return g

    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(mg.BackwardError, match="TooMany.backward returned 2 gradient"):
        TooMany.apply(x).sum().backward()
    with pytest.raises(mg.BackwardError, match="GradForNumber.backward returned a gradient for argument 1"):
        GradForNumber.apply(x, 3.0).sum().backward()
    with pytest.raises(TypeError, match="NotATensor.forward must return one Tensor"):
        NotATensor.apply(x)
    with pytest.raises(TypeError, match="needs at least one Tensor"):
        MyReLU.apply(1.0)
    with pytest.raises(TypeError, match="Mixed: forward and backward must both be"):
        class Mixed(mg.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            def backward(self, g):
                return g


def test_extra_trailing_none_gradients_are_accepted():
    class Extra(mg.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 3.0

        @staticmethod
        def backward(ctx, g):
            return g * 3.0, None

    x = mg.tensor([1.0, 2.0], requires_grad=True)
    Extra.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_same_source_runs_on_pytorch_and_gives_the_same_gradients():
    torch = pytest.importorskip("torch")
    for make in (make_my_relu, make_legendre):
        ours, theirs = make(mg.Function), make(torch.autograd.Function)
        x = mg.tensor(XV, requires_grad=True)
        tx = torch.tensor(XV, requires_grad=True)
        ours.apply(x).sum().backward()
        theirs.apply(tx).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
