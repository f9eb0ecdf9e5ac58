"""Function.apply and the node contract at their edges: what a backward gets back from
``saved_tensors`` in each mode, Python numbers saved by an op, keyword arguments, views made with
and without recording, the 0-d results NumPy gives as scalars, and the messages of both forms.

Expected values are hand-derived formulas, never minigrad's own results.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad.errors import ShapeError


# ----- what saved_tensors gives back ---------------------------------------------------------------
class Masked(mg.Function):
    """y = x * mask (mask a constant array); backward records the type of the saved mask and of a
    saved None, in each mode."""

    raw_backward = True
    seen = []

    def forward(self, x, mask):
        self.save_for_backward(mask if isinstance(mask, np.ndarray) else mask.array, None)
        return x * (mask if isinstance(mask, np.ndarray) else mask.array)

    def backward(self, g):
        m, none = self.saved_tensors
        Masked.seen.append((type(m).__name__, none, getattr(m, "requires_grad", None)))
        return g * m


@pytest.mark.parametrize("as_tensor", [False, True])
def test_a_saved_constant_is_an_array_in_raw_backward_and_a_constant_tensor_when_recorded(as_tensor):
    x = mg.tensor([1.0, 2.0, 3.0], dtype=mg.float64, requires_grad=True)
    mask = np.array([1.0, 0.0, 2.0])
    m = mg.tensor(mask, dtype=mg.float64) if as_tensor else None
    Masked.seen.clear()

    class Fn(mg.Function):  # saves a Tensor that is not an input (the other branch of _other)
        raw_backward = True

        def forward(self, x):
            self.save_for_backward(m if as_tensor else mask)
            return x * mask

        def backward(self, g):
            (s,) = self.saved_tensors
            Masked.seen.append((type(s).__name__, None, getattr(s, "requires_grad", None)))
            return g * s

    Fn.apply(x).sum().backward()
    (g,) = mg.grad(Fn.apply(x).sum(), x, create_graph=True)
    assert Masked.seen == [("ndarray", None, None), ("Tensor", None, False)]
    np.testing.assert_array_equal(x.grad.numpy(), mask)
    np.testing.assert_array_equal(g.numpy(), mask)


def test_a_saved_none_comes_back_as_none_in_both_modes():
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    Masked.seen.clear()
    Masked.apply(x, mask=np.array([3.0, 4.0])).sum().backward()
    mg.grad(Masked.apply(x, mask=np.array([3.0, 4.0])).sum(), x, create_graph=True)
    assert [s[1] for s in Masked.seen] == [None, None]
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 4.0])


# ----- Python numbers an op saved -------------------------------------------------------------------
def test_a_number_base_of_pow_is_saved_and_differentiated_twice(device):
    xv = np.array([0.5, 1.0, 2.0])
    x = mg.tensor(xv, dtype=mg.float64, device=device, requires_grad=True)
    (g,) = mg.grad((2.0 ** x).sum(), x, create_graph=True)  # d/dx 2**x = ln2 * 2**x
    np.testing.assert_allclose(g.numpy(), math.log(2.0) * 2.0 ** xv, rtol=1e-12)
    (h,) = mg.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), math.log(2.0) ** 2 * 2.0 ** xv, rtol=1e-12)


def test_the_gradient_of_a_product_with_a_number_is_a_constant_when_recorded():
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    (g,) = mg.grad((x * 3.0).sum(), x, create_graph=True)  # 3: depends on nothing that requires grad
    assert g.requires_grad is False
    np.testing.assert_array_equal(g.numpy(), [3.0, 3.0])


class Gated(mg.Function):
    """y = x * s, with an integer flag tensor first and the Python number s saved (a Tensor backward)."""

    def forward(self, flag, x, s):
        self.save_for_backward(s)
        return x * s

    def backward(self, g):
        (s,) = self.saved_tensors
        return None, g * s, None


def test_a_saved_float_number_beside_an_integer_first_input_keeps_its_value():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    Gated.apply(mg.tensor([1, 0]), x, 2.5).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.5, 2.5])  # not truncated to the flag's int64


# ----- apply's arguments ------------------------------------------------------------------------------
class Axpy(mg.Function):
    """y = alpha * a + b (alpha a keyword)."""

    raw_backward = True

    def forward(self, a, b, alpha):
        self.alpha = alpha
        return a * alpha + b

    def backward(self, g):
        return g * self.alpha, g


def test_keywords_reach_forward_when_an_array_input_is_converted_first():
    a = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    y = Axpy.apply(a, np.array([10.0, 20.0]), alpha=3.0)  # the array becomes a constant Tensor
    np.testing.assert_array_equal(y.numpy(), [13.0, 26.0])
    y.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 3.0])


def test_apply_without_a_tensor_names_the_arguments_it_got():
    with pytest.raises(TypeError, match=r"^Axpy.apply: needs at least one Tensor input, got float, int$"):
        Axpy.apply(1.0, 2, alpha=1.0)


def test_results_without_recording_require_no_grad(device):
    x = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    with mg.no_grad():
        y = x * 2.0
    assert y.requires_grad is False and y.grad_fn is None
    z = mg.tensor([1.0, 2.0], device=device) * 2.0
    assert z.requires_grad is False


def test_zero_d_results_on_the_cpu_are_arrays_not_numpy_scalars():
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    s = x.sum()
    assert s.array.__class__ is np.ndarray and s.shape == ()
    with mg.no_grad():
        t = x.sum()
    assert t.array.__class__ is np.ndarray
    t += 1.0  # in place into the 0-d array
    assert t.item() == 4.0


def test_moving_to_another_library_keeps_that_librarys_array():
    x = mg.tensor([1.0, 2.0])
    y = x.to("strict")
    assert y.array.__class__ is not np.ndarray and y.device == mg.device("strict")
    np.testing.assert_array_equal((y * 2.0).numpy(), [2.0, 4.0])


@pytest.mark.parametrize("make", ["add", "where"])
def test_a_broadcast_mismatch_names_the_op_and_every_shape(device, make):
    a, b = mg.ones(2, device=device), mg.ones(3, device=device)
    if make == "add":
        with pytest.raises(ShapeError, match=r"^Add: shapes \(2,\) and \(3,\) cannot be broadcast together: "
                                             r"axis -1 has sizes \[2, 3\]"):
            a + b
    else:
        with pytest.raises(ShapeError, match=r"^Where: shapes \(2,\), \(3,\) and \(\) cannot be broadcast"):
            mg.where(a > 0, b, 0.5)


# ----- views with and without recording ------------------------------------------------------------
def test_a_view_made_without_recording_shares_its_base_version(device):
    base = mg.zeros(4, device=device)
    v = base[0:2]
    base.add_(1.0)
    assert v._version == base._version == 1
    with mg.no_grad():
        w = base.reshape(2, 2)
    w.mul_(2.0)
    assert base._version == w._version == 2
    np.testing.assert_array_equal(base.numpy(), [2.0, 2.0, 2.0, 2.0])


def test_a_view_of_a_tensor_that_requires_grad_made_under_no_grad(device):
    x = mg.tensor([1.0, 2.0, 3.0, 4.0], device=device, requires_grad=True)
    with mg.no_grad():
        v = x.reshape(2, 2)
        v.mul_(10.0)
    np.testing.assert_array_equal(x.numpy(), [10.0, 20.0, 30.0, 40.0])
    assert v._version == x._version == 1


def test_an_in_place_op_through_an_unrecorded_view_reaches_its_base(device):
    base = mg.zeros(4, dtype=mg.float64, device=device)  # needs no grad: its view is not recorded
    w = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    v = base[0:2]
    v.add_(w * 3.0)
    assert base.requires_grad  # PyTorch's: the base now holds a value computed from w
    np.testing.assert_array_equal(base.numpy(), [3.0, 6.0, 0.0, 0.0])
    (base * base).sum().backward()  # d/dw sum(base**2) = 2 * base[:2] * 3
    np.testing.assert_array_equal(w.grad.numpy(), [18.0, 36.0])


def test_an_in_place_op_through_a_recorded_view_reaches_its_base(device):
    x = mg.tensor([1.0, 2.0, 3.0, 4.0], dtype=mg.float64, device=device, requires_grad=True)
    y = x * 1.0
    v = y[1:3]
    assert v._version == y._version == 0
    v.mul_(5.0)
    assert v._version == y._version == 1
    np.testing.assert_array_equal(y.numpy(), [1.0, 10.0, 15.0, 4.0])
    (y * y).sum().backward()  # y = x * [1, 5, 5, 1]: d/dx sum(y**2) = 2 y * [1, 5, 5, 1]
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 100.0, 150.0, 8.0])


# ----- PyTorch's form ---------------------------------------------------------------------------------
class Twice(mg.Function):
    """PyTorch's form: y = alpha * x, with ``ctx.xp`` used in forward and a saved constant mask."""

    @staticmethod
    def forward(ctx, x, alpha=2.0, mask=None):
        ctx.alpha = alpha
        m = mask if mask is not None else mg.ones(x.shape, dtype=x.dtype, device=x.device)
        ctx.save_for_backward(m)
        return mg.Tensor.wrap(ctx.xp.multiply(x.array, alpha) * m.array, device=x.device)

    @staticmethod
    def backward(ctx, grad_output):
        (m,) = ctx.saved_tensors
        return grad_output * ctx.alpha * m, None, None


def test_ctx_form_gets_keywords_its_namespace_and_a_saved_constant(device):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    mask = mg.tensor([1.0, 0.0], dtype=mg.float64, device=device)
    y = Twice.apply(x, alpha=3.0, mask=mask)
    np.testing.assert_array_equal(y.numpy(), [3.0, 0.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 0.0])


def test_ctx_form_messages(device):
    with pytest.raises(TypeError, match=r"^Twice.apply: needs at least one Tensor argument, got float, int$"):
        Twice.apply(1.0, 2)
    other = mg.device("strict:1" if device.startswith("strict") else "strict")
    a = mg.ones(2, device=device, requires_grad=True)
    with pytest.raises(mg.DeviceError, match=r"^Pair2: all inputs must be on the same device, got \(2,\) on "):
        Pair2.apply(a, mg.ones(2, device=other))

    class Two(mg.Function):
        @staticmethod
        def forward(ctx, x):
            return x, x

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(TypeError, match=r"^Two.forward must return one Tensor, got tuple \(several outputs are "
                                        r"not supported\)$"):
        Two.apply(a)


class Pair2(mg.Function):
    """PyTorch's form: y = a + b."""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_anomaly_checks_a_ctx_form_forward(device):
    x = mg.tensor([1.0, 1e300], dtype=mg.float64, device=device, requires_grad=True)
    with mg.detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"^detect_anomaly: Twice forward produced NaN or Inf "
                                                     r"\(inputs of shape \(2,\)\)$"):
            Twice.apply(x, alpha=1e300)


def test_ctx_form_backward_messages():
    class Short(mg.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return (g,) if ctx.short else (g * 2.0, g)

    x = mg.tensor([1.0], requires_grad=True)
    y = Short.apply(x, 2.0)
    y.grad_fn.short = False
    with pytest.raises(mg.BackwardError, match=r"^Short.backward returned a gradient for argument 1 of forward, "
                                               r"which is not a Tensor; return None for it$"):
        y.backward(retain_graph=True)
    y.grad_fn.short = True
    with pytest.raises(mg.BackwardError, match=r"^Short.backward returned 1 gradient\(s\) for the 2 argument\(s\) "
                                               r"of forward; return one per argument \(None where there is none\)$"):
        y.backward()


def test_mixing_the_two_forms_is_refused_with_the_way_out():
    with pytest.raises(TypeError, match=r"^Bad: forward and backward must both be @staticmethods taking ctx first "
                                        r"\(PyTorch's form\) or both be plain methods "
                                        r"\(see help\(minigrad.Function\)\)$"):
        class Bad(mg.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            def backward(self, g):
                return g


def test_where_of_two_dtypes_promotes_and_both_branches_get_gradients(device):
    a = mg.tensor([1.0, 2.0], device=device, requires_grad=True)  # float32
    b = mg.tensor([3.0, 4.0], dtype=mg.float64, device=device, requires_grad=True)
    c = mg.tensor([True, False], device=device)
    z = mg.where(c, a, b)
    assert z.dtype == "float64"
    (z * mg.tensor([2.0, 5.0], dtype=mg.float64, device=device)).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [2.0, 0.0])
    assert a.grad.dtype == "float32"
    np.testing.assert_array_equal(b.grad.numpy(), [0.0, 5.0])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_anomaly_names_the_shapes_when_an_op_met_a_python_number():
    x = mg.tensor([1e38], requires_grad=True)  # float32: 1e38 * 1e38 overflows
    with mg.detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"^detect_anomaly: Mul forward produced NaN or Inf "
                                                     r"\(inputs of shape \(1,\), \(\)\)$"):
            x * 1e38


# ----- inputs apply converts, and the broadcast message (function_support) ---------------------------
def test_a_broadcast_mismatch_on_an_inner_axis_names_that_axis(device):
    with pytest.raises(ShapeError, match=r"^Add: shapes \(2, 3\) and \(4, 3\) cannot be broadcast together: axis -2 "
                                         r"has sizes \[2, 4\] \(from the right, sizes must be equal or 1\)$"):
        mg.ones((2, 3), device=device) + mg.ones((4, 3), device=device)
    with pytest.raises(ShapeError, match=r"^Add: shapes \(5, 1, 3\) and \(2, 2\) cannot be broadcast together: "
                                         r"axis -1 has sizes \[2, 3\]"):
        mg.ones((5, 1, 3), device=device) + mg.ones((2, 2), device=device)


class Scale(mg.Function):
    """y = a * s for a Python number s, with no type promotion of its own."""

    raw_backward = True

    def forward(self, a, s):
        return a * s

    def backward(self, g):
        return g, None


def test_an_integer_tensor_meeting_a_python_float_computes_in_the_default_float(device):
    y = Scale.apply(mg.arange(4, device=device), 0.5)
    assert y.dtype == "float32"
    np.testing.assert_array_equal(y.numpy(), [0.0, 0.5, 1.0, 1.5])


def test_numpy_numbers_act_as_the_python_numbers_they_hold(device):
    y = mg.arange(3, device=device) * np.float64(0.5)
    assert y.dtype == "float32"
    np.testing.assert_array_equal(y.numpy(), [0.0, 0.5, 1.0])
    z = mg.tensor([1.0, 2.0], device=device) * np.int64(3)
    assert z.dtype == "float32"
    np.testing.assert_array_equal(z.numpy(), [3.0, 6.0])
    w = mg.tensor([1.0, 2.0], device=device) * np.float32(2.5)
    assert w.dtype == "float32"


def test_operands_that_are_not_tensors_are_named_in_errors():
    with pytest.raises(TypeError, match=r"^Add: cannot use str as a tensor operand"):
        mg.tensor([1.0]) + "abc"
    with pytest.raises(TypeError, match=r"^Axpy.apply: at least one input must be a Tensor, got ndarray, float$"):
        Axpy.apply(np.ones(2), 1.0, alpha=1.0)


def test_where_with_a_number_keeps_a_bool_condition(device):
    x = mg.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    c = mg.tensor([True, False, True], device=device)
    z = mg.where(c, x, 0.5)  # strict refuses a condition that is not bool
    np.testing.assert_array_equal(z.numpy(), [1.0, 0.5, 3.0])
    z.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0, 1.0])


class Same(mg.Function):
    """y = x, returning the input array itself, without declaring itself a view (is_view False)."""

    raw_backward = True

    def forward(self, x):
        return x

    def backward(self, g):
        return g


def test_only_an_op_that_says_it_is_a_view_shares_its_inputs_version_counter():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1.0
    y = Same.apply(h)
    with mg.no_grad():
        y.add_(1.0)
    assert y._version == 1 and h._version == 0  # the op's word, as documented for is_view
