"""User-defined ops: subclasses of ``mg.Function`` with forward/backward side by side."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


def _t(values, device="cpu", requires_grad=True):
    return mg.tensor(np.asarray(values, dtype=np.float64), device=device, requires_grad=requires_grad)


class ScaledMul(mg.Function):
    """z = factor * x * w (w broadcast);  dz/dx = factor w,  dz/dw = factor x.

    Returns dz/dw with x's (broadcast) shape: the base class must sum it back to w's shape.
    """

    calls = []

    def forward(self, x, w, factor=1.0):
        self.factor = factor
        self.save_for_backward(x, w)
        return x * w * factor

    def backward(self, g):
        x, w = self.saved_tensors
        ScaledMul.calls.append(self.needs_input_grad)
        gx = g * w * self.factor if self.needs_input_grad[0] else None
        gw = g * x * self.factor if self.needs_input_grad[1] else None
        return gx, gw


class MyExp(mg.Function):
    """z = e^x, saving the output;  dz/dx = z"""

    def forward(self, x):
        out = self.xp.exp(x)
        self.save_for_backward(out)
        return out

    def backward(self, g):
        (out,) = self.saved_tensors
        return g * out


class Cube(mg.Function):
    """z = x^3;  dz/dx = 3 x^2 (written with Tensor ops, so it can be differentiated again)"""

    def forward(self, x):
        self.save_for_backward(x)
        return x ** 3

    def backward(self, g):
        (x,) = self.saved_tensors
        return g * 3.0 * x * x


def test_forward_backward_with_kwargs_and_broadcast_gradient(device):
    rng = np.random.default_rng(0)
    xv, wv = rng.standard_normal((4, 3)), rng.standard_normal(3)
    x, w = _t(xv, device), _t(wv, device)
    out = ScaledMul.apply(x, w, factor=2.5)
    np.testing.assert_allclose(out.numpy(), 2.5 * xv * wv, rtol=1e-12)
    assert out.grad_fn is not None and out.grad_fn.name == "ScaledMul"
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2.5 * np.broadcast_to(wv, (4, 3)), rtol=1e-12)
    assert w.grad.shape == (3,)  # summed over the broadcast axis by the base class
    np.testing.assert_allclose(w.grad.numpy(), 2.5 * xv.sum(axis=0), rtol=1e-12)


def test_needs_input_grad(device):
    ScaledMul.calls.clear()
    x = _t([1.0, 2.0], device)
    w = _t([3.0, 4.0], device, requires_grad=False)
    ScaledMul.apply(x, w).sum().backward()
    ScaledMul.apply(w, x).sum().backward()
    assert ScaledMul.calls == [(True, False), (False, True)]
    assert w.grad is None
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 8.0])


def test_python_scalar_input_is_a_constant(device):
    ScaledMul.calls.clear()
    x = _t([1.0, 2.0], device)
    out = ScaledMul.apply(x, 3.0)
    assert out.dtype == "float64"
    out.sum().backward()
    assert ScaledMul.calls == [(True, False)]
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])


def test_no_graph_recorded_without_grad(device):
    x = _t([1.0], device, requires_grad=False)
    assert ScaledMul.apply(x, x).grad_fn is None
    y = _t([1.0], device)
    with mg.no_grad():
        assert ScaledMul.apply(y, y).grad_fn is None


def test_saved_output_and_double_backward(device):
    xv = np.array([-0.5, 0.3, 1.2])
    x = _t(xv, device)
    y = MyExp.apply(x)
    np.testing.assert_allclose(y.numpy(), np.exp(xv), rtol=1e-12)
    (g,) = mg.grad(y.sum(), x, create_graph=True)
    np.testing.assert_allclose(g.numpy(), np.exp(xv), rtol=1e-12)
    (h,) = mg.grad(g.sum(), x)  # through the saved output, which is attached to the node
    np.testing.assert_allclose(h.numpy(), np.exp(xv), rtol=1e-12)


def test_double_backward_through_saved_input(device):
    xv = np.array([-1.5, 0.5, 2.0])
    x = _t(xv, device)
    (g,) = mg.grad(Cube.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.numpy(), 3 * xv ** 2, rtol=1e-12)
    (h,) = mg.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), 6 * xv, rtol=1e-12)


def test_saved_input_modified_in_place_is_detected(device):
    x = _t([1.0, 2.0], device)
    y = Cube.apply(x)
    with mg.no_grad():
        x.add_(1.0)
    with pytest.raises(mg.BackwardError, match="Cube: .*modified in place"):
        y.sum().backward()


def test_saved_python_number_comes_back_as_a_tensor(device):
    class PowN(mg.Function):
        """z = a ** n for a Python number n;  dz/da = n a^(n-1)"""

        def forward(self, a, n):
            self.save_for_backward(a, n)
            return a ** n

        def backward(self, g):
            a, n = self.saved_tensors
            assert isinstance(n, mg.Tensor) and n.shape == () and n.dtype == a.dtype and n.device == a.device
            return g * n * a ** (n - 1.0), None

    xv = np.array([1.5, -2.0])
    x = _t(xv, device)
    y = PowN.apply(x, 3)
    assert y.dtype == "float64"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * xv ** 2, rtol=1e-12)


def test_wrong_number_of_gradients(device):
    class Bad(mg.Function):
        def forward(self, a, b):
            return a + b

        def backward(self, g):
            return g  # one gradient for two inputs

    x, y = _t([1.0], device), _t([2.0], device)
    with pytest.raises(mg.BackwardError, match=r"Bad\.backward returned 1 gradient\(s\) for 2 input\(s\)"):
        Bad.apply(x, y).sum().backward()


def test_gradient_of_wrong_shape(device):
    class BadShape(mg.Function):
        def forward(self, a):
            return a * 2.0

        def backward(self, g):
            return mg.ones(5, dtype=mg.float64, device=g.device)

    x = _t([1.0, 2.0], device)
    with pytest.raises(mg.BackwardError, match=r"BadShape\.backward returned a gradient of shape \(5,\) "
                                               r"for an input of shape \(2,\)"):
        BadShape.apply(x).sum().backward()


def test_raw_array_gradient_is_wrapped_and_cast(device):
    class RawGrad(mg.Function):
        def forward(self, a):
            return a * 2.0

        def backward(self, g):
            xp = self.xp
            return xp.astype(g.array * 2.0, xp.float64)  # a raw array, float64

    x = mg.tensor([1.0, 2.0], device=device, requires_grad=True)  # float32
    RawGrad.apply(x).sum().backward()
    assert x.grad.dtype == "float32" and isinstance(x.grad, mg.Tensor)
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_none_gradient_means_zero(device):
    class FirstOnly(mg.Function):
        def forward(self, a, b):
            return a * 1.0

        def backward(self, g):
            return g, None

    x, y = _t([1.0], device), _t([2.0], device)
    FirstOnly.apply(x, y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0])
    assert y.grad is None


def test_apply_needs_a_tensor():
    with pytest.raises(TypeError, match=r"Cube\.apply: needs at least one Tensor input, got float"):
        Cube.apply(3.0)
    with pytest.raises(TypeError, match=r"Cube\.apply: needs at least one Tensor input"):
        Cube.apply()
    with pytest.raises(TypeError, match=r"Cube\.apply: at least one input must be a Tensor, got list"):
        Cube.apply([1.0])


def test_missing_forward_or_backward():
    class NoBackward(mg.Function):
        def forward(self, a):
            return a * 1.0

    with pytest.raises(NotImplementedError, match="forward"):
        mg.Function.apply(mg.ones(1))
    y = NoBackward.apply(_t([1.0]))
    with pytest.raises(NotImplementedError, match="NoBackward.backward"):
        y.sum().backward()


def test_inputs_on_two_devices_raise_before_forward():
    calls = []

    class Spy(mg.Function):
        def forward(self, a, b):
            calls.append(1)
            return a

        def backward(self, g):
            return g, g

    a = mg.ones(2, device="strict:1")
    b = mg.ones(2, device="strict:2")
    with pytest.raises(mg.DeviceError, match=r"Spy: .*strict:1.*strict:2"):
        Spy.apply(a, b)
    assert calls == []


def test_custom_op_in_a_larger_graph_on_each_device(device):
    xv, wv = np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.3, -0.7])
    x, w = _t(xv, device), _t(wv, device)
    out = (MyExp.apply(ScaledMul.apply(x, w, factor=0.5)) * x).sum()
    out.backward()
    z = 0.5 * xv * wv
    np.testing.assert_allclose(x.grad.numpy(), np.exp(z) * 0.5 * wv * xv + np.exp(z), rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), (np.exp(z) * 0.5 * xv * xv).sum(axis=0), rtol=1e-12)


# ----- backward on bare arrays (raw_backward) ---------------------------------------------------
class SoftplusF(mg.Function):
    """z = log(1 + e^x);  dz/dx = sigmoid(x) = 1 - e^{-z}, written with operators and self.F only."""

    raw_backward = True
    seen = []

    def forward(self, x):
        out = self.xp.log1p(self.xp.exp(x))
        self.save_for_backward(out)
        return out

    def backward(self, g):
        (z,) = self.saved_tensors
        SoftplusF.seen.append((type(g), type(z)))
        return g * (1.0 - self.F.exp(-z))


def test_raw_backward_gets_arrays_and_still_differentiates_twice(device):
    xv = np.array([-2.0, 0.1, 3.0])
    sig = 1 / (1 + np.exp(-xv))
    x = _t(xv, device)
    SoftplusF.seen.clear()
    SoftplusF.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), sig, rtol=1e-12)
    g_type, z_type = SoftplusF.seen[-1]
    assert g_type is type(x.array) and z_type is type(x.array)  # bare arrays of the device's library
    (g,) = mg.grad(SoftplusF.apply(x).sum(), x, create_graph=True)
    assert SoftplusF.seen[-1] == (mg.Tensor, mg.Tensor)  # recorded, so it differentiates again
    (h,) = mg.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), sig * (1 - sig), rtol=1e-12)


def test_functions_without_raw_backward_still_get_tensors(device):
    class TensorCube(Cube):
        seen = []

        def backward(self, g):
            TensorCube.seen.append(type(g))
            return g * 3.0 * self.saved_tensors[0] ** 2.0  # Tensor ops only

    x = _t([1.0, -2.0], device)
    y = (TensorCube.apply(x * 2.0) + 1.0).sum()  # a user op between built-in ops on bare arrays
    y.backward()
    assert TensorCube.seen == [mg.Tensor]
    np.testing.assert_allclose(x.grad.numpy(), 2 * 3 * (2 * np.array([1.0, -2.0])) ** 2, rtol=1e-12)


def test_builtin_backward_without_create_graph_makes_no_tensors(device, monkeypatch):
    x = _t(np.linspace(-1, 1, 6).reshape(2, 3), device)
    w = _t(np.ones((3, 4)), device)
    loss = ((x @ w).relu() * 0.5).log_softmax(axis=1).sum()
    made = []
    real_make = mg.Tensor._make
    monkeypatch.setattr(mg.Tensor, "_make", staticmethod(lambda *a: made.append(1) or real_make(*a)))
    loss.backward()
    assert len(made) == 3  # only the seed dloss/dloss = 1 and the leaf gradients x.grad, w.grad


def test_raw_backward_in_place_change_and_second_backward_are_caught(device):
    x = _t([1.0, 2.0], device)
    y = SoftplusF.apply(x)
    with mg.no_grad():
        y.add_(1.0)  # the saved output
    with pytest.raises(mg.BackwardError, match=r"SoftplusF: .*\(2,\), float64.*modified in place.*0 -> 1"):
        y.sum().backward()
    z = SoftplusF.apply(x)
    z.backward(mg.ones_like(z))
    with pytest.raises(mg.BackwardError, match="SoftplusF: trying to backward through the graph a second time"):
        z.backward(mg.ones_like(z))


def test_raw_backward_gradient_of_wrong_shape_is_named(device):
    class BadRaw(mg.Function):
        raw_backward = True

        def forward(self, a):
            return a * 2.0

        def backward(self, g):
            return self.F.broadcast_to(g, (3,) + tuple(g.shape))[..., :1]  # (3, 1) for a (2,) input

    with pytest.raises(mg.BackwardError, match=r"BadRaw\.backward returned a gradient of shape \(3, 1\) "
                                               r"for an input of shape \(2,\)"):
        BadRaw.apply(_t([1.0, 2.0], device)).sum().backward()
