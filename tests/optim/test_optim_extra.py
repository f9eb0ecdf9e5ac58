"""Adagrad, Adamax, NAdam, RAdam against NumPy transcriptions of PyTorch's documented algorithms.

The references below follow the pseudo-code of PyTorch's documentation page of each optimizer
(``torch.optim.Adagrad`` etc., "Algorithm" box), written out plainly in float64, one parameter at a
time; a ``None`` gradient skips the parameter (no step counted).  The optimizers run on each
device (cpu, strict) in float64.  Checkpoint tests resume bit for bit.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad as mg
import optim

from test_optim_equations import problems, steps_match_reference

RTOL, ATOL = 1e-9, 1e-12


# ----- the transcriptions of the documented algorithms -------------------------------------
def ref_adagrad(theta, grads, lr, lr_decay, weight_decay, initial_accumulator_value, eps):
    state_sum = np.full_like(theta, initial_accumulator_value)
    t = 0
    for g in grads:
        if g is None:
            continue
        t += 1
        gamma_tilde = lr / (1 + (t - 1) * lr_decay)
        if weight_decay != 0:
            g = g + weight_decay * theta
        state_sum = state_sum + g ** 2
        theta = theta - gamma_tilde * g / (np.sqrt(state_sum) + eps)
    return theta


def ref_adamax(theta, grads, lr, betas, eps, weight_decay):
    b1, b2 = betas
    m, u = np.zeros_like(theta), np.zeros_like(theta)
    t = 0
    for g in grads:
        if g is None:
            continue
        t += 1
        if weight_decay != 0:
            g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g) + eps)
        theta = theta - lr * m / ((1 - b1 ** t) * u)
    return theta


def ref_nadam(theta, grads, lr, betas, eps, weight_decay, momentum_decay, decoupled_weight_decay):
    b1, b2 = betas
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    mu_prod, t = 1.0, 0
    for g in grads:
        if g is None:
            continue
        t += 1
        if weight_decay != 0:
            if decoupled_weight_decay:
                theta = theta - lr * weight_decay * theta
            else:
                g = g + weight_decay * theta
        mu_t = b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        mu_prod = mu_prod * mu_t
        m_hat = mu_next * m / (1 - mu_prod * mu_next) + (1 - mu_t) * g / (1 - mu_prod)
        v_hat = v / (1 - b2 ** t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta


def ref_radam(theta, grads, lr, betas, eps, weight_decay, decoupled_weight_decay):
    b1, b2 = betas
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    rho_inf = 2 / (1 - b2) - 1
    t = 0
    for g in grads:
        if g is None:
            continue
        t += 1
        if weight_decay != 0:
            if decoupled_weight_decay:
                theta = theta * (1 - lr * weight_decay)
            else:
                g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        m_hat = m / (1 - b1 ** t)
        rho_t = rho_inf - 2 * t * b2 ** t / (1 - b2 ** t)
        if rho_t > 5:
            l_t = math.sqrt(1 - b2 ** t) / (np.sqrt(v) + eps)
            r_t = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            theta = theta - lr * m_hat * l_t * r_t
        else:
            theta = theta - lr * m_hat
    return theta


# ----- hyperparameters ---------------------------------------------------------------------
maybe = lambda s: st.one_of(st.just(0.0), s)  # noqa: E731
lrs = st.floats(1e-4, 0.5)
betas_ = st.tuples(st.floats(0.0, 0.99), st.sampled_from([0.0, 0.5, 0.9, 0.99, 0.999]))
wds = maybe(st.floats(1e-4, 0.1))

OPTIMIZERS = {
    "Adagrad": (optim.Adagrad, ref_adagrad, st.fixed_dictionaries(dict(
        lr=lrs, lr_decay=maybe(st.floats(1e-3, 1.0)), weight_decay=wds,
        initial_accumulator_value=maybe(st.floats(0.01, 2.0)), eps=st.floats(1e-10, 1e-3)))),
    "Adamax": (optim.Adamax, ref_adamax, st.fixed_dictionaries(dict(
        lr=lrs, betas=betas_, eps=st.floats(1e-8, 1e-2), weight_decay=wds))),
    "NAdam": (optim.NAdam, ref_nadam, st.fixed_dictionaries(dict(
        lr=lrs, betas=betas_, eps=st.floats(1e-8, 1e-2), weight_decay=wds,
        momentum_decay=st.sampled_from([4e-3, 0.0, 0.1, 1.0]), decoupled_weight_decay=st.booleans()))),
    "RAdam": (optim.RAdam, ref_radam, st.fixed_dictionaries(dict(
        lr=lrs, betas=betas_, eps=st.floats(1e-8, 1e-2), weight_decay=wds,
        decoupled_weight_decay=st.booleans()))),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@given(data=st.data())
def test_matches_the_documented_algorithm(name, device, data):
    cls, reference, hyper_strategy = OPTIMIZERS[name]
    hyper = data.draw(hyper_strategy, label="hyperparameters")
    init, grads = data.draw(problems(), label="problem")
    steps_match_reference(name, cls, reference, hyper, init, grads, device, RTOL, ATOL)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_many_steps_and_float32_follow_the_float64_reference(name):
    """40 steps (RAdam past its rectification threshold) with the defaults; float32 stays float32."""
    cls, reference, _ = OPTIMIZERS[name]
    rng = np.random.default_rng(5)
    init, grads = rng.standard_normal((4, 5)), [rng.standard_normal((4, 5)) for _ in range(40)]
    for dtype, rtol in (("float64", 1e-10), ("float32", 2e-4)):
        p = mg.tensor(init, dtype=dtype, requires_grad=True)
        opt = cls([p], lr=0.01)
        for g in grads:
            p.grad = mg.tensor(g, dtype=dtype)
            opt.step()
        assert p.dtype == dtype and p.array.dtype == np.dtype(dtype)
        expected = reference(init.copy(), grads, **{k: v for k, v in opt.defaults.items()})
        np.testing.assert_allclose(p.numpy(), expected, rtol=rtol, atol=1e-6 if dtype == "float32" else 0)


def test_defaults_are_pytorchs():
    p = [mg.ones(1, requires_grad=True)]
    assert optim.Adagrad(p).defaults == dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                                             initial_accumulator_value=0.0, eps=1e-10)
    assert optim.Adamax(p).defaults == dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    assert optim.NAdam(p).defaults == dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                                           momentum_decay=4e-3, decoupled_weight_decay=False)
    assert optim.RAdam(p).defaults == dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                                           decoupled_weight_decay=False)


@pytest.mark.parametrize("cls, kwargs, name", [
    (optim.Adagrad, dict(lr=-1.0), "lr"),
    (optim.Adagrad, dict(lr_decay=math.nan), "lr_decay"),
    (optim.Adagrad, dict(initial_accumulator_value=-0.1), "initial_accumulator_value"),
    (optim.Adamax, dict(betas=(1.0, 0.9)), "beta1"),
    (optim.Adamax, dict(eps=-1.0), "eps"),
    (optim.NAdam, dict(momentum_decay=-1.0), "momentum_decay"),
    (optim.NAdam, dict(decoupled_weight_decay=1), "decoupled_weight_decay"),
    (optim.RAdam, dict(betas=(0.9, 1.0)), "beta2"),
    (optim.RAdam, dict(weight_decay=math.inf), "weight_decay"),
])
def test_bad_hyperparameters_raise_naming_the_argument(cls, kwargs, name):
    with pytest.raises(ValueError, match=name):
        cls([mg.ones(2, requires_grad=True)], **kwargs)


def _problem(device):
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.standard_normal((16, 5)), dtype="float32", device=device)
    y = mg.tensor(rng.standard_normal((16, 2)), dtype="float32", device=device)
    w = mg.tensor(rng.standard_normal((2, 5)), dtype="float32", device=device, requires_grad=True)
    b = mg.tensor(rng.standard_normal(2), dtype="float32", device=device, requires_grad=True)
    return [w, b], lambda ps: ((x @ ps[0].T + ps[1] - y) ** 2).mean()


def _train(opt, params, loss_fn, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(params).backward()
        opt.step()


MAKERS = {
    "Adagrad": lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01, weight_decay=1e-3, initial_accumulator_value=0.1),
    "Adamax": lambda ps: optim.Adamax(ps, lr=0.01, weight_decay=1e-3),
    "NAdam": lambda ps: optim.NAdam(ps, lr=0.01, weight_decay=1e-3, decoupled_weight_decay=True),
    "RAdam": lambda ps: optim.RAdam(ps, lr=0.01, weight_decay=1e-3),
}


@pytest.mark.parametrize("name", list(MAKERS))
def test_resuming_from_a_state_dict_continues_bit_for_bit(name, device):
    params, loss_fn = _problem(device)
    opt = MAKERS[name](params)
    _train(opt, params, loss_fn, 4)  # RAdam: 4 + 4 steps cross its rho_t > 5 switch at step 6
    checkpoint = opt.state_dict()
    weights = [p.numpy() for p in params]
    _train(opt, params, loss_fn, 4)
    expected = [p.numpy() for p in params]
    params2, loss_fn2 = _problem(device)
    for p, w in zip(params2, weights):
        p.data[...] = mg.tensor(w, device=device).data
    opt2 = MAKERS[name](params2)
    opt2.load_state_dict(checkpoint)
    _train(opt2, params2, loss_fn2, 4)
    for got, want in zip(params2, expected):
        np.testing.assert_array_equal(got.numpy(), want)


@pytest.mark.parametrize("name", list(MAKERS))
def test_state_dict_survives_save_and_load_and_refuses_another_optimizer(name, tmp_path):
    params, loss_fn = _problem("cpu")
    opt = MAKERS[name](params)
    _train(opt, params, loss_fn, 2)
    mg.save(opt.state_dict(), tmp_path / "opt.pt")
    loaded = mg.load(tmp_path / "opt.pt")
    assert sorted(loaded["state"][0]) == sorted(opt._state_keys(opt.param_groups[0]))
    assert loaded["state"][0]["step"] == 2
    other = "Adamax" if name != "Adamax" else "Adagrad"
    with pytest.raises(ValueError, match="another optimizer"):
        MAKERS[other](params).load_state_dict(opt.state_dict())


@pytest.mark.parametrize("name", list(MAKERS))
def test_step_updates_in_place_and_skips_parameters_without_gradient(name, device):
    a = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    b = mg.tensor([3.0], device=device, requires_grad=True)
    data_before = a.array
    opt = MAKERS[name]([a, b])
    a.grad = mg.tensor([1.0, -1.0], device=device)
    opt.step()
    assert a.array is data_before and not np.array_equal(a.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(b.numpy(), [3.0])
    assert b not in opt.state and opt.state[a]["step"] == 1


@pytest.mark.parametrize("name", list(MAKERS))
def test_numpy_step_allocates_no_full_size_arrays(name):
    """After the first step a NumPy step allocates less than a quarter of the parameter's size."""
    import tracemalloc

    p = mg.zeros(256, 256, requires_grad=True)
    p.grad = mg.ones(256, 256)
    opt = MAKERS[name]([p])
    opt.step()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        for _ in range(8):  # RAdam crosses to its rectified step at step 6
            opt.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < p.array.nbytes / 4, f"{name}.step allocated up to {peak} bytes for a {p.array.nbytes}-byte parameter"
