"""Every optimizer against an independent NumPy transcription of its update equations.

For each optimizer, Hypothesis draws a few parameters, hyperparameters and a sequence of
gradients (some None: the parameter is skipped; some zero: it still steps), runs the optimizer
on a device (cpu, strict) in float64 and compares every parameter with the transcription:
the course's equations for ``Momentum``, PyTorch's documented algorithms for the others.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad as mg
import optim

RTOL, ATOL = 1e-6, 1e-12


# ----- the transcriptions: one parameter, a list of gradients (None = no gradient) ---------
def ref_sgd(p, grads, lr, momentum, dampening, nesterov, weight_decay):
    b = None
    for g in grads:
        if g is None:
            continue
        g = g + weight_decay * p
        if momentum != 0:
            b = g.copy() if b is None else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        p = p - lr * g
    return p


def ref_momentum(p, grads, lr, beta, weight_decay):
    v = np.zeros_like(p)
    for g in grads:
        if g is None:
            continue
        dW = g + weight_decay * p
        v = beta * v + (1 - beta) * dW
        p = p - lr * v
    return p


def ref_rmsprop(p, grads, lr, alpha, eps, momentum, centered, weight_decay):
    v = np.zeros_like(p)
    g_ave = np.zeros_like(p)
    b = np.zeros_like(p)
    for g in grads:
        if g is None:
            continue
        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g ** 2
        v_tilde = v
        if centered:
            g_ave = alpha * g_ave + (1 - alpha) * g
            v_tilde = v - g_ave ** 2
        if momentum > 0:
            b = momentum * b + g / (np.sqrt(v_tilde) + eps)
            p = p - lr * b
        else:
            p = p - lr * g / (np.sqrt(v_tilde) + eps)
    return p


def ref_adam(p, grads, lr, betas, eps, weight_decay, amsgrad, decoupled=False):
    beta1, beta2 = betas
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    v_max = np.zeros_like(p)
    t = 0
    for g in grads:
        if g is None:
            continue
        t += 1
        if decoupled:
            p = p - lr * weight_decay * p
        else:
            g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        m_hat = m / (1 - beta1 ** t)
        if amsgrad:
            v_max = np.maximum(v_max, v)
            v_hat = v_max / (1 - beta2 ** t)
        else:
            v_hat = v / (1 - beta2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def ref_adamw(p, grads, **kw):
    return ref_adam(p, grads, decoupled=True, **kw)


# ----- hyperparameters ---------------------------------------------------------------------
lrs = st.floats(1e-4, 0.5)
betas_ = st.floats(0.0, 0.999)
maybe = lambda s: st.one_of(st.just(0.0), s)  # noqa: E731


@st.composite
def sgd_hyper(draw):
    momentum = draw(maybe(st.floats(0.05, 0.99)))
    nesterov = momentum > 0 and draw(st.booleans())
    dampening = 0.0 if nesterov else draw(maybe(st.floats(0.0, 0.9)))
    return dict(lr=draw(lrs), momentum=momentum, dampening=dampening, nesterov=nesterov,
                weight_decay=draw(maybe(st.floats(1e-4, 0.1))))


OPTIMIZERS = {
    "SGD": (optim.SGD, ref_sgd, sgd_hyper()),
    "Momentum": (optim.Momentum, ref_momentum,
                 st.fixed_dictionaries(dict(lr=lrs, beta=betas_, weight_decay=maybe(st.floats(1e-4, 0.1))))),
    "RMSprop": (optim.RMSprop, ref_rmsprop,
                st.fixed_dictionaries(dict(lr=st.floats(1e-4, 0.05), alpha=st.floats(0.5, 0.999),
                                           eps=st.floats(1e-6, 1e-2), momentum=maybe(st.floats(0.1, 0.9)),
                                           centered=st.booleans(), weight_decay=maybe(st.floats(1e-4, 0.1))))),
    "Adam": (optim.Adam, ref_adam,
             st.fixed_dictionaries(dict(lr=lrs, betas=st.tuples(betas_, betas_), eps=st.floats(1e-8, 1e-2),
                                        weight_decay=maybe(st.floats(1e-4, 0.1)), amsgrad=st.booleans()))),
    "AdamW": (optim.AdamW, ref_adamw,
              st.fixed_dictionaries(dict(lr=lrs, betas=st.tuples(betas_, betas_), eps=st.floats(1e-8, 1e-2),
                                         weight_decay=st.floats(0.0, 0.1), amsgrad=st.booleans()))),
}


@st.composite
def problems(draw):
    """Initial parameters and, per step, a gradient per parameter (None, zeros or random)."""
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    shapes = draw(st.lists(st.sampled_from([(), (1,), (3,), (2, 3), (4, 1, 2)]), min_size=1, max_size=3))
    n_steps = draw(st.integers(1, 8))
    kinds = draw(st.lists(st.lists(st.sampled_from(["grad", "grad", "grad", "none", "zero"]),
                                   min_size=len(shapes), max_size=len(shapes)),
                          min_size=n_steps, max_size=n_steps))
    params = [rng.standard_normal(s) for s in shapes]
    grads = [[None if k == "none" else np.zeros(s) if k == "zero" else rng.standard_normal(s) * 3
              for k, s in zip(step, shapes)] for step in kinds]
    return params, grads


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@given(data=st.data())
def test_matches_the_equations(name, device, data):
    cls, reference, hyper_strategy = OPTIMIZERS[name]
    hyper = data.draw(hyper_strategy, label="hyperparameters")
    init, grads = data.draw(problems(), label="problem")
    steps_match_reference(name, cls, reference, hyper, init, grads, device)


def steps_match_reference(name, cls, reference, hyper, init, grads, device, rtol=RTOL, atol=ATOL):
    """Step ``cls(params, **hyper)`` in float64 through ``grads`` (per step, one array or None per
    parameter) and compare every parameter with ``reference``, the NumPy transcription."""
    params = [mg.tensor(a, dtype="float64", device=device, requires_grad=True) for a in init]
    opt = cls(params, **hyper)
    for step in grads:
        for p, g in zip(params, step):
            p.grad = None if g is None else mg.tensor(g, dtype="float64", device=device)
        opt.step()
    for i, (p, a) in enumerate(zip(params, init)):
        expected = reference(a.copy(), [step[i] for step in grads], **hyper)
        np.testing.assert_allclose(p.numpy(), expected, rtol=rtol, atol=atol,
                                   err_msg=f"{name} parameter {i}, hyperparameters {hyper}")


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_float32_follows_the_float64_trajectory(name):
    """The float32 update (weak Python scalars, no upcast) stays close to the float64 one."""
    cls, reference, _ = OPTIMIZERS[name]
    rng = np.random.default_rng(3)
    init, grads = rng.standard_normal((4, 5)), [rng.standard_normal((4, 5)) for _ in range(5)]
    p = mg.tensor(init, dtype="float32", requires_grad=True)
    opt = cls([p], lr=0.01)
    for g in grads:
        p.grad = mg.tensor(g, dtype="float32")
        opt.step()
    assert p.dtype == "float32" and p.array.dtype == np.float32
    expected = reference(init.copy(), grads, **{k: v for k, v in opt.defaults.items()})
    np.testing.assert_allclose(p.numpy(), expected, rtol=1e-4, atol=1e-5)


def test_a_none_gradient_skips_the_parameter_and_its_state(device):
    a = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    b = mg.tensor([3.0], device=device, requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = mg.tensor([1.0, 1.0], device=device)
    opt.step()
    np.testing.assert_array_equal(b.numpy(), [3.0])
    assert b not in opt.state and opt.state[a]["step"] == 1


@pytest.mark.parametrize("name", ["SGD", "Momentum", "RMSprop", "Adam", "AdamW"])
def test_a_zero_gradient_still_steps(name, device):
    """Momentum keeps moving and weight decay keeps shrinking when the gradient is zero."""
    cls = OPTIMIZERS[name][0]
    extra = {"SGD": dict(momentum=0.9), "Momentum": {}, "RMSprop": dict(momentum=0.9),
             "Adam": {}, "AdamW": dict(weight_decay=0.1)}[name]
    p = mg.tensor([1.0, -1.0], dtype="float64", device=device, requires_grad=True)
    opt = cls([p], lr=0.1, **extra)
    p.grad = mg.tensor([1.0, -1.0], dtype="float64", device=device)
    opt.step()
    after_one = p.numpy()
    p.grad = mg.zeros(2, dtype="float64", device=device)
    opt.step()
    moved = np.abs(p.numpy() - after_one)
    assert np.all(moved > 1e-4), f"{name} did not move on a zero gradient: {after_one} -> {p.numpy()}"
