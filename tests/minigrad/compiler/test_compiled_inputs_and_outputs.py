"""What goes into and comes out of a compiled function, against the same calls run eagerly (the
oracle): inference under no_grad, gradients of inputs that require grad, Python numbers."""
from __future__ import annotations

import numpy as np

import minigrad as mg
import nn


def _model():
    mg.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8, dtype=mg.float64), nn.Tanh(), nn.Linear(8, 3, dtype=mg.float64))


def test_inference_under_no_grad():
    model = _model()

    @mg.compile
    def predict(x):
        with mg.no_grad():
            return model(x).softmax(1)

    rng = np.random.default_rng(0)
    for _ in range(5):
        x = mg.tensor(rng.standard_normal((6, 4)))
        with mg.no_grad():
            expected = model(x).softmax(1).numpy()
        assert np.array_equal(predict(x).numpy(), expected)
    assert predict.stats.replays == 3


def test_gradients_of_inputs_land_in_each_input_and_are_kept():
    model = _model()

    @mg.compile
    def saliency(x):
        y = (model(x) ** 2).sum()
        y.backward()
        return y

    rng = np.random.default_rng(1)
    xs = [mg.tensor(rng.standard_normal((5, 4)), requires_grad=True) for _ in range(5)]
    grads = []
    for x in xs:
        saliency(x)
        grads.append(x.grad)
        model.zero_grad()
    for x, g in zip(xs, grads):  # each input keeps its own gradient after later calls
        twin = mg.tensor(x.numpy(), requires_grad=True)
        (model(twin) ** 2).sum().backward()
        model.zero_grad()
        assert np.array_equal(g.numpy(), twin.grad.numpy())
    assert saliency.stats.replays == 3


def test_python_numbers_are_part_of_the_signature():
    @mg.compile
    def scaled(x, s):
        return (x * s).sum()

    x = mg.ones(3, dtype=mg.float64)
    results = [scaled(x, s).item() for s in (2.0, 3.0, 2.0, 3.0, 2.0, 3.0)]
    assert results == [6.0, 9.0] * 3
    assert scaled.stats.signatures == 2 and scaled.stats.replays == 2


def test_gradients_kept_from_earlier_calls_keep_their_values():
    """After ``zero_grad()`` (grads set to None) each call makes new gradient arrays, as eager does."""
    import optim

    kept = {}
    for compiled in (False, True):
        model = _model()
        opt = optim.SGD(model.parameters(), lr=0.1, fused=compiled)

        def step(x):
            opt.zero_grad()
            (model(x) ** 2).mean().backward()
            opt.step()

        run = mg.compile(step) if compiled else step
        rng = np.random.default_rng(2)
        grads = []
        for _ in range(5):
            run(mg.tensor(rng.standard_normal((6, 4))))
            grads.append([p.grad for p in model.parameters()])
        kept[compiled] = [[g.numpy().copy() for g in gs] for gs in grads]
    for eager_grads, compiled_grads in zip(kept[False], kept[True]):
        for a, b in zip(eager_grads, compiled_grads):
            assert np.array_equal(a, b)


def test_every_call_returns_copies_that_do_not_require_grad():
    model = _model()

    @mg.compile
    def step(x):
        out = model(x)
        (out ** 2).sum().backward()
        return out, {"sum": out.sum()}

    rng = np.random.default_rng(3)
    for _ in range(4):  # two traced calls, two replays: the same kind of result
        x = mg.tensor(rng.standard_normal((2, 4)))
        out, extra = step(x)
        assert not out.requires_grad and out.grad_fn is None and not extra["sum"].requires_grad
        with mg.no_grad():
            assert np.array_equal(out.numpy(), model(x).numpy())


def test_a_tensor_given_by_keyword_is_refused_with_its_name():
    import pytest

    step = mg.compile(lambda x, scale=None: (x * scale).sum())
    with pytest.raises(TypeError, match="positionally.*'scale'.*shape \\(3,\\)"):
        step(mg.ones(3), scale=mg.ones(3))


def test_steps_traced_in_two_threads_at_once_each_equal_eager():
    import threading

    def train(compiled, results, key):
        mg.manual_seed(0)
        model = _model()

        def step(x):
            model.zero_grad()
            loss = (model(x) ** 2).mean()
            loss.backward()
            with mg.no_grad():
                for p in model.parameters():
                    p.sub_(0.1 * p.grad)
            return loss

        run = mg.compile(step) if compiled else step
        rng = np.random.default_rng(4)
        results[key] = [run(mg.tensor(rng.standard_normal((6, 4)))).item() for _ in range(8)]

    results = {}
    train(False, results, "eager")
    threads = [threading.Thread(target=train, args=(True, results, k)) for k in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["a"] == results["eager"] and results["b"] == results["eager"]


def test_a_hand_written_loop_that_clears_grad_by_assignment_equals_eager():
    """``w.grad = None`` inside the step is replayed (else each replay would add to the last gradient)."""
    results = {}
    for compiled in (False, True):
        rng = np.random.default_rng(5)
        w = mg.tensor(rng.standard_normal((4, 3)), requires_grad=True)
        b = mg.zeros(3, dtype=mg.float64, requires_grad=True)

        def step(x):
            loss = ((x @ w + b) ** 2).mean()
            loss.backward()
            with mg.no_grad():
                w.sub_(0.05 * w.grad)
                b.sub_(0.05 * b.grad)
            w.grad = None
            b.grad = None
            return loss

        run = mg.compile(step) if compiled else step
        results[compiled] = [run(mg.tensor(rng.standard_normal((5, 4)))).item() for _ in range(6)]
        results[compiled].append(w.numpy().copy())
    assert results[True][:-1] == results[False][:-1]
    assert np.array_equal(results[True][-1], results[False][-1])


def test_a_step_on_another_device_is_refused_naming_it_or_runs_eagerly():
    import pytest

    x = mg.tensor([1.0, 2.0, 3.0], device="strict")
    with pytest.raises(mg.CompileError, match=r"'cpu' device.*\(3,\) on 'strict"):
        mg.compile(lambda t: (t * 2.0).sum())(x)
    step = mg.compile(lambda t: (t * 2.0).sum(), fallback="eager")
    with pytest.warns(RuntimeWarning, match="runs eagerly"):
        first = step(x)
    assert [first.item(), step(x).item()] == [12.0, 12.0] and step.stats.eager_calls == 2
