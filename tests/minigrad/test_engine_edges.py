"""The engine's plumbing at its edges: fitting a gradient an op returns to its input (shape,
dtype, kind), never aliasing an array the graph holds, when a leaf's buffer is the gradient
itself or a copy, anomaly mode around a Tensor backward, and ``grad``'s arguments.

Expected values are NumPy sums written out here or hand-derived formulas, never minigrad's own.
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.errors import ShapeError


class Given(mg.Function):
    """y = x; backward hands back ``grad=`` (an array of any shape and dtype) as x's gradient,
    as a bare array in both modes (the engine must fit it), or as a Tensor with ``as_tensor``."""

    raw_backward = True

    def forward(self, x, grad, as_tensor=False):
        self.given, self.as_tensor = grad, as_tensor
        return x * 1

    def backward(self, g):
        if self.as_tensor and isinstance(g, mg.Tensor):
            return mg.tensor(self.given, device=g.device, dtype=self.given.dtype)
        return self.given


def _sum_to(g, shape):
    """NumPy reference: g summed over its leading axes and over the axes where ``shape`` has 1."""
    g = g.sum(axis=tuple(range(g.ndim - len(shape))))
    return g.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1), keepdims=True)


FITS = [((1, 3), (2, 3)), ((3, 1), (3, 4)), ((3, 1), (5, 3, 4)), ((2, 3), (4, 2, 3)), ((), (2,))]


@pytest.mark.parametrize("mode", ["backward", "grad", "create_graph", "create_graph_tensor"])
@pytest.mark.parametrize("shape, gshape", FITS)
def test_a_broadcast_gradient_is_summed_to_its_input(shape, gshape, mode):
    rng = np.random.default_rng(0)
    given = rng.standard_normal(gshape)
    x = mg.tensor(rng.standard_normal(shape), dtype=mg.float64, requires_grad=True)
    y = Given.apply(x, grad=given, as_tensor=mode == "create_graph_tensor")
    if mode == "backward":
        y.sum().backward()
        got = x.grad
    else:
        (got,) = mg.grad(y.sum(), x, create_graph=mode.startswith("create_graph"))
    assert isinstance(got, mg.Tensor) and got.device == x.device and not got.requires_grad
    assert got.shape == shape and got.dtype == "float64"
    np.testing.assert_allclose(got.numpy(), _sum_to(given, shape), rtol=1e-12)


BAD = [((2,), (3,)), ((2, 1), (3, 4)), ((2, 3), (3,)), ((3, 1), (3, 2, 4)), ((4, 3), (5, 3, 4))]


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("shape, gshape", BAD)
def test_a_gradient_that_does_not_broadcast_to_its_input_is_refused(shape, gshape, create_graph):
    x = mg.zeros(shape, dtype=mg.float64, requires_grad=True)
    y = Given.apply(x, grad=np.ones(gshape))
    msg = (rf"Given.backward returned a gradient of shape \({', '.join(map(str, gshape))},?\) for an input "
           rf"of shape \({', '.join(map(str, shape))},?\); they are not broadcast-compatible")
    with pytest.raises(mg.BackwardError, match=msg):
        mg.grad(y.sum(), x, create_graph=create_graph)


@pytest.mark.parametrize("mode", ["backward", "create_graph", "create_graph_tensor"])
def test_a_gradient_of_another_dtype_is_cast_to_the_input_dtype(mode):
    given = np.array([0.1, 1e-10, 3.0])  # float64; 0.1 is not a float32 number
    x = mg.zeros(3, requires_grad=True)  # float32
    y = Given.apply(x, grad=given, as_tensor=mode == "create_graph_tensor")
    if mode == "backward":
        y.sum().backward()
        got = x.grad
    else:
        (got,) = mg.grad(y.sum(), x, create_graph=True)
    assert got.dtype == "float32" and got.array.dtype == np.float32
    np.testing.assert_array_equal(got.numpy(), given.astype(np.float32))


def test_a_broadcast_gradient_in_a_recorded_backward_is_differentiable_again():
    # y = sum(x**2 * b), x (3, 1), b (1, 4): dy/dx = 2 x sum(b) (summed over b's axis by the engine),
    # d/db sum(dy/dx) = 2 sum(x) on every entry of b
    xv, bv = np.array([[1.0], [2.0], [-0.5]]), np.array([[0.5, -1.0, 2.0, 3.0]])
    x = mg.tensor(xv, requires_grad=True)
    b = mg.tensor(bv, requires_grad=True)
    (gx,) = mg.grad((x * x * b).sum(), x, create_graph=True)
    assert gx.shape == (3, 1) and gx.requires_grad
    np.testing.assert_allclose(gx.numpy(), 2 * xv * bv.sum(), rtol=1e-12)
    (gb,) = mg.grad(gx.sum(), b)
    np.testing.assert_allclose(gb.numpy(), np.full((1, 4), 2 * xv.sum()), rtol=1e-12)


def test_a_float32_input_of_a_float64_op_gets_a_float32_gradient_twice_differentiable():
    # z = x32 * y64 computes in float64; dz/dx = y (cast back to float32), d/dy of sum(dz/dx) = 1
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = mg.tensor([0.1, 3.0], dtype=mg.float64, requires_grad=True)
    (gx,) = mg.grad((x * y).sum(), x, create_graph=True)
    assert gx.dtype == "float32"
    np.testing.assert_array_equal(gx.numpy(), np.array([0.1, 3.0]).astype(np.float32))
    (gy,) = mg.grad((gx * gx).sum(), y)  # d/dy sum(y**2) = 2 y (through the cast to float32)
    np.testing.assert_allclose(gy.numpy(), 2 * np.array([0.1, 3.0]).astype(np.float32), rtol=1e-6)


# ----- a gradient that is an array the graph holds ---------------------------------------------
class Pair(mg.Function):
    """y = a * b, with the gradients for an upstream gradient of ones: (b, a) -- the saved inputs
    themselves, which the engine must not hand out as they are."""

    raw_backward = True

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a * b

    def backward(self, g):
        a, b = self.saved_tensors
        return b, a


def test_a_saved_input_returned_as_a_gradient_is_copied(device):
    a = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    b = mg.tensor([3.0, 5.0], device=device, requires_grad=True)
    Pair.apply(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 5.0])
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 2.0])
    with mg.no_grad():
        a.grad.add_(100.0)
        b.grad.mul_(-1.0)
    np.testing.assert_array_equal(b.numpy(), [3.0, 5.0])
    np.testing.assert_array_equal(a.numpy(), [1.0, 2.0])


def test_a_saved_constant_returned_as_a_recorded_gradient_is_copied(device):
    a = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    b = mg.tensor([3.0, 5.0], device=device)  # needs no grad
    (ga,) = mg.grad(Pair.apply(a, b).sum(), a, create_graph=True)
    assert ga is not b and not ga.requires_grad and ga.device == b.device
    with mg.no_grad():
        ga.add_(100.0)
    np.testing.assert_array_equal(b.numpy(), [3.0, 5.0])
    np.testing.assert_array_equal(ga.numpy(), [103.0, 105.0])


def test_a_saved_input_returned_as_a_recorded_gradient_stays_differentiable(device):
    a = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    b = mg.tensor([3.0, 5.0], device=device, requires_grad=True)
    ga, gb = mg.grad(Pair.apply(a, b).sum(), [a, b], create_graph=True)
    assert ga is not b and gb is not a
    np.testing.assert_array_equal(ga.numpy(), [3.0, 5.0])
    np.testing.assert_array_equal(gb.numpy(), [1.0, 2.0])
    (d,) = mg.grad((ga * ga).sum(), b)  # ga is b: d/db sum(b**2) = 2 b
    np.testing.assert_array_equal(d.numpy(), [6.0, 10.0])


# ----- when a leaf's buffer is the gradient itself, and when a copy -----------------------------
class Fresh(mg.Function):
    """y = x; backward returns ``make()``'s array as x's gradient and keeps it in ``Fresh.made``."""

    raw_backward = True
    made = []

    def forward(self, x, make):
        self.make = make
        return x * 1

    def backward(self, g):
        a = self.make()
        Fresh.made.append(a)
        return a


def test_a_fresh_gradient_becomes_the_leaf_buffer_without_a_copy():
    x = mg.zeros(3, dtype=mg.float64, requires_grad=True)
    Fresh.made.clear()
    Fresh.apply(x, make=lambda: np.array([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.array is Fresh.made[0]  # no copy of a gradient nobody else holds


def test_a_read_only_gradient_is_copied_before_it_becomes_a_buffer():
    def make():
        a = np.array([1.0, 2.0, 3.0])
        a.flags.writeable = False
        return a

    x = mg.zeros(3, dtype=mg.float64, requires_grad=True)
    for _ in range(2):
        Fresh.apply(x, make=make).sum().backward()  # the second accumulates into the first's buffer
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0, 6.0])
    assert x.grad.array.flags.writeable


def test_a_writeable_stride_zero_gradient_is_copied_before_it_becomes_a_buffer():
    # CuPy's broadcast views are writeable: one element seen three times must not become a buffer
    def make():
        return np.lib.stride_tricks.as_strided(np.array([2.0]), shape=(3,), strides=(0,))

    x = mg.zeros(3, dtype=mg.float64, requires_grad=True)
    for _ in range(2):
        Fresh.apply(x, make=make).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 4.0, 4.0])
    x.grad.array[0] = -1.0
    np.testing.assert_array_equal(x.grad.numpy(), [-1.0, 4.0, 4.0])


# ----- anomaly mode around a backward written for Tensors --------------------------------------
class Scaled(mg.Function):
    """PyTorch's form: y = x * s; backward computes grad * s with Tensor ops."""

    @staticmethod
    def forward(ctx, x, s):
        ctx.s = s
        return x * s

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.s, None


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("create_graph", [False, True])
def test_anomaly_in_a_tensor_backward_names_the_function_not_its_inner_ops(device, create_graph):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    big = mg.tensor(1e200, dtype=mg.float64, device=device)
    with mg.detect_anomaly():
        (g,) = mg.grad(Scaled.apply(x, 1e200).sum(), x, create_graph=create_graph)
        np.testing.assert_array_equal(g.numpy(), [1e200, 1e200])
        assert mg.is_anomaly_enabled()  # switched off only while the backward ran
        with pytest.raises(FloatingPointError, match=r"Scaled backward produced NaN or Inf"):
            mg.grad(Scaled.apply(x, 1e200).sum(), x, grad_outputs=big, create_graph=create_graph)  # 1e400
        assert mg.is_anomaly_enabled()
        with pytest.raises(FloatingPointError, match=r"Log forward"):
            mg.tensor([-1.0], device=device).log()


# ----- grad's arguments -------------------------------------------------------------------------
def test_grad_records_no_graph_unless_asked():
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    (g,) = mg.grad((x * x).sum(), x)
    assert g.requires_grad is False and g.grad_fn is None and g.is_leaf
    np.testing.assert_array_equal(g.numpy(), [2.0, 4.0])
    (g,) = mg.grad((x * x).sum(), x, create_graph=True)
    assert g.requires_grad is True and g.grad_fn is not None


def test_grad_of_several_outputs_sums_over_all_of_them():
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    (g,) = mg.grad([(x * x).sum(), (x * 3.0).sum()], x)  # 2x + 3
    np.testing.assert_array_equal(g.numpy(), [5.0, 7.0])
    gy = [mg.tensor(2.0, dtype=mg.float64), mg.tensor(-1.0, dtype=mg.float64)]
    (g,) = mg.grad([(x * x).sum(), (x * 3.0).sum()], x, grad_outputs=gy)  # 2 * 2x - 3
    np.testing.assert_array_equal(g.numpy(), [1.0, 5.0])


@pytest.mark.parametrize("fn", ["grad", "backward"])
def test_one_gradient_for_several_outputs_is_refused(fn):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    outs = [(x * x).sum(), (x * 3.0).sum()]
    one = mg.tensor(1.0, dtype=mg.float64)
    with pytest.raises(mg.BackwardError, match=rf"^{fn}: 2 tensors but 1 gradient; pass one gradient per tensor"):
        if fn == "grad":
            mg.grad(outs, x, grad_outputs=one)
        else:
            mg.autograd.backward(outs, [one])
    with pytest.raises(mg.BackwardError, match=rf"^{fn}: 2 tensors but 3 gradients; pass one gradient per tensor"):
        if fn == "grad":
            mg.grad(outs, x, grad_outputs=[one, one, one])
        else:
            mg.autograd.backward(outs, [one, one, one])
    assert x.grad is None


def test_grad_names_itself_in_its_errors():
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    with pytest.raises(mg.BackwardError, match=r"^grad: grad can be implicitly created only for scalar outputs"):
        mg.grad(x * 2.0, x)
    with pytest.raises(mg.BackwardError, match=r"^grad: tensor of shape \(2,\) does not require grad"):
        mg.grad(mg.tensor([1.0, 2.0]), x)
    unused = mg.tensor([1.0], requires_grad=True)
    with pytest.raises(mg.BackwardError, match=r"^grad: an input of shape \(1,\) was not used to compute the "
                                               r"outputs; pass allow_unused=True to get None for it$"):
        mg.grad((x * 2.0).sum(), [x, unused])


# ----- views of one gradient, and the caller's gradient ----------------------------------------
class TwoViews(mg.Function):
    """y = a + b; backward gives a and b two views of one fresh array (as split or unbind would)."""

    raw_backward = True

    def forward(self, a, b):
        return a + b

    def backward(self, g):
        v = g * 1.0
        return v[:], v[...]


def test_two_leaves_given_views_of_one_array_get_separate_buffers():
    a = mg.zeros(2, dtype=mg.float64, requires_grad=True)
    b = mg.zeros(2, dtype=mg.float64, requires_grad=True)
    TwoViews.apply(a, b).backward(mg.tensor([1.0, 2.0], dtype=mg.float64))
    a.grad.array[0] = 99.0
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 2.0])


def test_a_view_of_the_callers_gradient_is_never_a_leaf_buffer():
    owner = np.arange(4.0)
    user = owner.reshape(2, 2)[0]  # the caller's gradient is itself a view of a bigger array
    y = mg.zeros((2, 1), dtype=mg.float64, requires_grad=True)
    for _ in range(2):  # reshape's backward hands back a view of the caller's gradient
        y.reshape(2).backward(mg.Tensor.wrap(user, device="cpu"))
    np.testing.assert_array_equal(owner, [0.0, 1.0, 2.0, 3.0])  # not accumulated into
    np.testing.assert_array_equal(y.grad.numpy(), [[0.0], [2.0]])
    owner[1] = 50.0
    np.testing.assert_array_equal(y.grad.numpy(), [[0.0], [2.0]])


def test_a_gradient_handed_on_by_add_reaches_each_leaf_as_its_own_buffer(device):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    y = mg.tensor([3.0, 4.0], dtype=mg.float64, device=device, requires_grad=True)
    ((x + y) * 2.0).sum().backward()  # Mul's fresh gradient, given by Add to both x and y
    with mg.no_grad():
        x.grad.mul_(10.0)
    np.testing.assert_array_equal(x.grad.numpy(), [20.0, 20.0])
    np.testing.assert_array_equal(y.grad.numpy(), [2.0, 2.0])


# ----- accumulation across backward calls ------------------------------------------------------
def test_a_second_backward_accumulates_in_place_into_the_same_buffer(device):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    (x * x).sum().backward()
    buf = x.grad
    v0 = buf._version
    (x * 3.0).sum().backward()
    (x * x * x).sum().backward()
    assert x.grad is buf  # PyTorch's: accumulated into the buffer, each addition a version
    assert buf._version == v0 + 2
    np.testing.assert_array_equal(buf.numpy(), 2 * np.array([1.0, 2.0]) + 3 + 3 * np.array([1.0, 4.0]))


def test_a_plain_backward_after_a_recorded_one_leaves_the_recorded_gradient_alone(device):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    (x * x).sum().backward(create_graph=True)
    g1 = x.grad
    assert g1.requires_grad
    (x * x * x).sum().backward()
    np.testing.assert_array_equal(g1.numpy(), [2.0, 4.0])  # not modified in place
    np.testing.assert_array_equal(x.grad.numpy(), [2.0 + 3.0, 4.0 + 12.0])
    (d,) = mg.grad(g1.sum(), x)  # g1 = 2x is still differentiable
    np.testing.assert_array_equal(d.numpy(), [2.0, 2.0])


def test_a_recorded_backward_twice_sums_the_gradients_and_stays_differentiable(device):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    (x * x).sum().backward(create_graph=True)
    (x * x * x).sum().backward(create_graph=True)
    np.testing.assert_array_equal(x.grad.numpy(), [2.0 + 3.0, 4.0 + 12.0])
    (d,) = mg.grad(x.grad.sum(), x)  # d/dx (2x + 3x^2) = 2 + 6x
    np.testing.assert_array_equal(d.numpy(), [8.0, 14.0])


def test_a_recorded_backward_of_a_constant_gradient_records_nothing(device):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    (x * 2.0).sum().backward(create_graph=True)  # d/dx = 2 depends on nothing that requires grad
    assert x.grad.requires_grad is False
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])
    z = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    z.backward(np.array([3.0, 4.0]), create_graph=True)  # the caller's gradient, given as an array
    assert z.grad.requires_grad is False
    np.testing.assert_array_equal(z.grad.numpy(), [3.0, 4.0])


def test_backward_frees_the_graph_and_records_nothing_by_default(device):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    assert x.grad.requires_grad is False and x.grad.grad_fn is None
    with pytest.raises(mg.BackwardError, match=r"Sum: trying to backward through the graph a second time"):
        y.backward()


def test_a_plain_then_a_recorded_backward_through_one_retained_graph(device):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    y = (x * x * x).sum()
    y.backward(retain_graph=True)  # runs on bare arrays
    (g,) = mg.grad(y, x, create_graph=True)  # the same nodes, now on Tensors
    np.testing.assert_array_equal(g.numpy(), [3.0, 12.0])
    (d,) = mg.grad(g.sum(), x)
    np.testing.assert_array_equal(d.numpy(), [6.0, 12.0])


# ----- the walk ----------------------------------------------------------------------------------
def test_backward_of_a_leaf_and_a_result_together(device):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    ones = mg.ones(2, dtype=mg.float64, device=device)
    mg.autograd.backward([x, (x * 3.0).sum()], [ones, None])  # the leaf first: its node is None
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 4.0])


def test_grad_of_a_result_and_of_the_leaf_below_it(device):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    h = x * 2.0
    gh, gx = mg.grad((h * h).sum(), [h, x])  # h is a target and the way to x
    np.testing.assert_array_equal(gh.numpy(), [4.0, 8.0])
    np.testing.assert_array_equal(gx.numpy(), [8.0, 16.0])


class FirstOnly(mg.Function):
    """y = a * b; backward gives a the gradient g * b and b none (None), though b needs one."""

    raw_backward = True

    def forward(self, a, b):
        self.save_for_backward(b)
        return a * b

    def backward(self, g):
        (b,) = self.saved_tensors
        return g * b, None


@pytest.mark.parametrize("flip", [False, True])
def test_a_node_that_gets_no_gradient_is_skipped_and_the_walk_goes_on(device, flip):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    h1, h2 = x * 2.0, x * 5.0  # h2's node gets nothing from FirstOnly
    a, b = (h2, h1) if flip else (h1, h2)
    FirstOnly.apply(a, b).sum().backward()
    # d/dx sum(a * b) with b's path cut: (da/dx) * b
    want = 2.0 * (x.numpy() * 5.0) if not flip else 5.0 * (x.numpy() * 2.0)
    np.testing.assert_array_equal(x.grad.numpy(), want)


# ----- what a backward gets and returns -----------------------------------------------------------
class Peek(mg.Function):
    """PyTorch's form: y = 2 x; backward records whether its grad_output requires grad."""

    seen = []

    @staticmethod
    def forward(ctx, x):
        return x * 2.0

    @staticmethod
    def backward(ctx, grad_output):
        Peek.seen.append(grad_output.requires_grad)
        return grad_output * 2.0


def test_a_tensor_backward_gets_a_grad_output_that_requires_no_grad_without_create_graph():
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    Peek.seen.clear()
    Peek.apply(x).sum().backward()
    assert Peek.seen == [False]  # as PyTorch's
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


class Count(mg.Function):
    """y = a * b; backward returns a tuple of ``n`` gradients (the right number is 2)."""

    raw_backward = True

    def forward(self, a, b, n):
        self.n = n
        return a * b

    def backward(self, g):
        return tuple([g] * self.n)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("n", [1, 3])
def test_a_backward_returning_the_wrong_number_of_gradients_is_refused(n, create_graph):
    a = mg.tensor([1.0], requires_grad=True)
    b = mg.tensor([2.0], requires_grad=True)
    with pytest.raises(mg.BackwardError, match=rf"Count.backward returned {n} gradient\(s\) for 2 input\(s\)"):
        mg.grad(Count.apply(a, b, n=n).sum(), [a, b], create_graph=create_graph)


class Scalar(mg.Function):
    """y = 3 x for a 0-d float64 x; backward returns a NumPy scalar, not a 0-d array."""

    raw_backward = True

    def forward(self, x):
        return x * 3.0

    def backward(self, g):
        return np.float64(3.0)


def test_a_numpy_scalar_gradient_becomes_an_array_buffer():
    x = mg.tensor(1.0, dtype=mg.float64, requires_grad=True)
    for _ in range(2):
        Scalar.apply(x).backward()
    assert x.grad.array.__class__ is np.ndarray and x.grad.shape == ()
    assert x.grad.item() == 6.0


class PairArrays(mg.Function):
    """y = a * b, gradients (b, a) for an upstream of ones, returned as the inputs' bare arrays."""

    raw_backward = True

    def forward(self, a, b):
        return a * b

    def backward(self, g):
        return self.inputs[1].array, self.inputs[0].array


@pytest.mark.parametrize("create_graph", [False, True])
def test_an_input_array_returned_as_a_gradient_is_copied_in_either_mode(create_graph):
    a = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    b = mg.tensor([3.0, 5.0], dtype=mg.float64, requires_grad=True)
    ga, gb = mg.grad(PairArrays.apply(a, b).sum(), [a, b], create_graph=create_graph)
    assert not np.shares_memory(ga.array, b.array) and not np.shares_memory(gb.array, a.array)
    np.testing.assert_array_equal(ga.numpy(), [3.0, 5.0])
    np.testing.assert_array_equal(gb.numpy(), [1.0, 2.0])


@pytest.mark.parametrize("op, create_graph", [(Pair, False), (PairArrays, False), (PairArrays, True)])
def test_anomaly_checks_a_copied_gradient(op, create_graph):
    a = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    b = mg.tensor([3.0, np.inf], dtype=mg.float64, requires_grad=True)
    y = op.apply(a, b).sum()
    with mg.detect_anomaly():
        with pytest.raises(FloatingPointError, match=rf"{op.__name__} backward produced NaN or Inf"):
            mg.grad(y, [a, b], create_graph=create_graph)


# ----- backward's messages ----------------------------------------------------------------------
def test_backward_names_itself_in_its_errors(device):
    x = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    with pytest.raises(mg.BackwardError, match=r"^backward: tensor of shape \(2,\) does not require grad and has "
                                               r"no grad_fn; nothing to differentiate \(did you forget "
                                               r"requires_grad=True, or run under no_grad\?\)$"):
        mg.tensor([1.0, 2.0], device=device).backward()
    with pytest.raises(mg.BackwardError, match=r"^backward: grad can be implicitly created only for scalar "
                                               r"outputs, but the tensor has shape \(2,\); pass gradient="):
        (x * 2.0).backward()
    with pytest.raises(mg.BackwardError, match=r"^backward: gradient has shape \(3,\) but the tensor has "
                                               r"shape \(2,\)$"):
        (x * 2.0).backward(mg.ones(3, device=device))
    other = mg.device("strict:1" if device.startswith("strict") else "strict")
    with pytest.raises(mg.BackwardError, match=rf"^backward: gradient is on {other} but the tensor is on {x.device}$"):
        (x * 2.0).backward(mg.ones(2, device=other))


def test_grad_turns_a_numpy_scalar_gradient_into_an_array():
    x = mg.tensor(1.0, dtype=mg.float64, requires_grad=True)
    (g,) = mg.grad(Scalar.apply(x), x)
    assert g.array.__class__ is np.ndarray and g.item() == 3.0
