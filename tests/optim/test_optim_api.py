"""The Optimizer protocol: groups, zero_grad, in-place updates, checkpoints and bad input."""
from __future__ import annotations

import copy
import math
import tracemalloc

import numpy as np
import pytest

import minigrad as mg
import optim

ALL = {
    "SGD": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "SGD-plain": lambda ps: optim.SGD(ps, lr=0.05),
    "Momentum": lambda ps: optim.Momentum(ps, lr=0.05, beta=0.8),
    "RMSprop": lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True, weight_decay=1e-3),
    "Adam": lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True, weight_decay=1e-3),
    "AdamW": lambda ps: optim.AdamW(ps, lr=0.01),
}


def _problem(device, seed=0, dtype="float64"):
    """Parameters of a small least-squares problem and a function computing its loss."""
    rng = np.random.default_rng(seed)
    x = mg.tensor(rng.standard_normal((16, 5)), dtype=dtype, device=device)
    y = mg.tensor(rng.standard_normal((16, 2)), dtype=dtype, device=device)
    w = mg.tensor(rng.standard_normal((2, 5)), dtype=dtype, device=device, requires_grad=True)
    b = mg.tensor(rng.standard_normal(2), dtype=dtype, device=device, requires_grad=True)

    def loss_fn(params):
        w_, b_ = params
        r = x @ w_.T + b_ - y
        return (r * r).mean()

    return [w, b], loss_fn


def _train(opt, params, loss_fn, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(params).backward()
        opt.step()


# ----- groups and construction ------------------------------------------------------------
def test_groups_have_their_own_hyperparameters():
    a = mg.ones(2, requires_grad=True)
    b = mg.ones(2, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 1.0}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 1.0]
    a.grad, b.grad = mg.ones(2), mg.ones(2)
    opt.step()
    np.testing.assert_allclose(a.numpy(), [0.9, 0.9])
    np.testing.assert_allclose(b.numpy(), [0.0, 0.0])


def test_add_param_group_fills_defaults_and_refuses_duplicates():
    a, b = mg.ones(1, requires_grad=True), mg.ones(1, requires_grad=True)
    opt = optim.Adam([a], lr=0.1, betas=(0.8, 0.9))
    opt.add_param_group({"params": [b], "lr": 0.5})
    assert opt.param_groups[1]["betas"] == (0.8, 0.9) and opt.param_groups[1]["lr"] == 0.5
    with pytest.raises(ValueError, match="more than once"):
        opt.add_param_group({"params": [a]})
    assert len(opt.param_groups) == 2


def test_a_parameter_given_twice_raises():
    a = mg.ones(1, requires_grad=True)
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([a, a], lr=0.1)
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([{"params": [a]}, {"params": [a]}], lr=0.1)


@pytest.mark.parametrize("bad, match", [
    (lambda: optim.SGD(mg.ones(2, requires_grad=True)), "single Tensor"),
    (lambda: optim.SGD([]), "empty parameter list"),
    (lambda: optim.SGD([np.ones(2)]), "minigrad Tensor"),
    (lambda: optim.SGD([mg.ones(2, requires_grad=True) * 2]), "not a leaf"),
    (lambda: optim.SGD([mg.ones(2, dtype="int64")]), "floating-point"),
    (lambda: optim.SGD({mg.ones(2, requires_grad=True)}), "not a set"),
])
def test_bad_parameter_lists_raise(bad, match):
    with pytest.raises((TypeError, ValueError), match=match):
        bad()


@pytest.mark.parametrize("cls, kwargs, name", [
    (optim.SGD, dict(lr=-0.1), "lr"),
    (optim.SGD, dict(lr=math.nan), "lr"),
    (optim.SGD, dict(lr=0.1, momentum=-0.5), "momentum"),
    (optim.SGD, dict(lr=0.1, weight_decay=math.nan), "weight_decay"),
    (optim.SGD, dict(lr=0.1, nesterov=True), "nesterov"),
    (optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
    (optim.Momentum, dict(lr=math.nan), "lr"),
    (optim.Momentum, dict(beta=1.0), "beta"),
    (optim.Momentum, dict(beta=-0.1), "beta"),
    (optim.Momentum, dict(beta=math.nan), "beta"),
    (optim.RMSprop, dict(lr=-1.0), "lr"),
    (optim.RMSprop, dict(alpha=1.0), "alpha"),
    (optim.RMSprop, dict(beta=1.5), "beta"),
    (optim.RMSprop, dict(alpha=0.9, beta=0.8), "beta"),
    (optim.RMSprop, dict(eps=-1e-8), "eps"),
    (optim.Adam, dict(lr=math.nan), "lr"),
    (optim.Adam, dict(betas=(1.0, 0.999)), "beta1"),
    (optim.Adam, dict(betas=(0.9, -0.1)), "beta2"),
    (optim.Adam, dict(beta2=math.nan), "beta2"),
    (optim.Adam, dict(betas=(0.9,)), "betas"),
    (optim.Adam, dict(amsgrad="yes"), "amsgrad"),
    (optim.AdamW, dict(weight_decay=-0.01), "weight_decay"),
])
def test_bad_hyperparameters_raise_naming_the_argument(cls, kwargs, name):
    with pytest.raises(ValueError, match=name):
        cls([mg.ones(2, requires_grad=True)], **kwargs)


def test_bad_hyperparameters_in_a_group_raise_and_add_nothing():
    opt = optim.Adam([mg.ones(1, requires_grad=True)])
    with pytest.raises(ValueError, match="lr"):
        opt.add_param_group({"params": [mg.ones(1, requires_grad=True)], "lr": -1.0})
    assert len(opt.param_groups) == 1


def test_course_names_are_aliases():
    p = [mg.ones(1, requires_grad=True)]
    assert optim.RMSprop(p, beta=0.9).defaults["alpha"] == 0.9
    assert optim.Adam(p, beta1=0.5, beta2=0.6).defaults["betas"] == (0.5, 0.6)
    assert optim.Adam(p, beta2=0.6).defaults["betas"] == (0.9, 0.6)


# ----- steps ---------------------------------------------------------------------------------
def test_zero_grad_sets_to_none_or_zeroes_in_place(device):
    p = mg.ones(3, device=device, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * 2).sum().backward()
    grad_array = p.grad.array
    opt.zero_grad(set_to_none=False)
    assert p.grad.array is grad_array
    np.testing.assert_array_equal(p.grad.numpy(), np.zeros(3))
    opt.zero_grad()
    assert p.grad is None


@pytest.mark.parametrize("name", list(ALL))
def test_step_updates_in_place_and_bumps_the_version(name, device):
    params, loss_fn = _problem(device)
    opt = ALL[name](params)
    arrays = [p.array for p in params]
    versions = [p._vc[0] for p in params]
    saved = params[0] * params[0]  # Mul saves params[0] (x * 3.0 saves nothing: 3.0 needs no gradient)
    loss_fn(params).backward()
    opt.step()
    assert all(p.array is a for p, a in zip(params, arrays))
    assert all(p._vc[0] > v for p, v in zip(params, versions))
    with pytest.raises(mg.BackwardError, match="modified in place"):
        saved.sum().backward()


@pytest.mark.parametrize("name", ["SGD", "Momentum", "RMSprop", "Adam", "AdamW"])
def test_numpy_step_allocates_no_full_size_arrays(name):
    """After the first step (state and scratch buffers exist), a step allocates less than one
    parameter's worth of memory."""
    p = mg.zeros(256, 256, requires_grad=True)
    p.grad = mg.ones(256, 256)
    opt = ALL[name]([p])
    opt.step()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        for _ in range(3):
            opt.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < p.array.nbytes / 4, f"{name}.step allocated up to {peak} bytes for a {p.array.nbytes}-byte parameter"


def test_closure_is_called_with_grad_enabled_and_its_loss_returned():
    params, loss_fn = _problem("cpu")
    opt = optim.SGD(params, lr=0.1)

    def closure():
        opt.zero_grad()
        loss = loss_fn(params)
        loss.backward()
        return loss

    with mg.no_grad():
        loss = opt.step(closure)
    assert isinstance(loss, mg.Tensor) and loss.item() > 0


def test_a_gradient_of_the_wrong_shape_or_dtype_raises_before_changing_anything():
    good = mg.ones(4, requires_grad=True)
    p = mg.ones(2, 3, requires_grad=True)
    opt = optim.Adam([good, p])
    good.grad = mg.ones(4)
    for bad in (mg.ones(3, 2), mg.ones(2, 3, dtype="float64")):
        p.grad = bad
        with pytest.raises(ValueError, match=r"gradient of a parameter of shape \(2, 3\)"):
            opt.step()
    np.testing.assert_array_equal(p.numpy(), np.ones((2, 3)))
    np.testing.assert_array_equal(good.numpy(), np.ones(4))
    assert p not in opt.state and good not in opt.state


# ----- checkpoints ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(ALL))
def test_resuming_from_a_state_dict_continues_bit_for_bit(name, device):
    params, loss_fn = _problem(device, dtype="float32")
    opt = ALL[name](params)
    _train(opt, params, loss_fn, 3)
    checkpoint = opt.state_dict()
    weights = [p.numpy() for p in params]
    _train(opt, params, loss_fn, 4)
    expected = [p.numpy() for p in params]

    params2, loss_fn2 = _problem(device, dtype="float32")
    for p, w in zip(params2, weights):
        p.data[...] = mg.tensor(w, device=device).data
    opt2 = ALL[name](params2)
    opt2.load_state_dict(checkpoint)
    _train(opt2, params2, loss_fn2, 4)
    for got, want in zip(params2, expected):
        np.testing.assert_array_equal(got.numpy(), want)


def test_a_state_dict_survives_minigrad_save_and_load(tmp_path):
    params, loss_fn = _problem("cpu", dtype="float32")
    opt = optim.RMSprop(params, lr=0.01, momentum=0.5, centered=True)
    _train(opt, params, loss_fn, 3)
    mg.save({"optim": opt.state_dict(), "params": [p.detach() for p in params]}, tmp_path / "ckpt")
    _train(opt, params, loss_fn, 3)
    expected = [p.numpy() for p in params]

    ckpt = mg.load(tmp_path / "ckpt")
    params2, loss_fn2 = _problem("cpu", dtype="float32")
    for p, saved in zip(params2, ckpt["params"]):
        p.data[...] = saved.data
    opt2 = optim.RMSprop(params2, lr=0.5)
    opt2.load_state_dict(ckpt["optim"])
    assert opt2.param_groups[0]["lr"] == 0.01
    _train(opt2, params2, loss_fn2, 3)
    for got, want in zip(params2, expected):
        np.testing.assert_array_equal(got.numpy(), want)


def test_state_dict_is_plain_indexed_and_a_copy():
    params, loss_fn = _problem("cpu")
    opt = optim.Adam([{"params": params[:1]}, {"params": params[1:], "lr": 0.5}], amsgrad=True)
    _train(opt, params, loss_fn, 2)
    sd = opt.state_dict()
    assert sorted(sd) == ["param_groups", "state"]
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][0]["betas"] == [0.9, 0.999]  # lists, for minigrad.save
    assert sorted(sd["state"][0]) == ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]
    assert sd["state"][0]["step"] == 2 and type(sd["state"][0]["step"]) is int
    before = sd["state"][0]["exp_avg"].numpy()
    _train(opt, params, loss_fn, 1)
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"].numpy(), before)
    assert sd["state"][0]["exp_avg"].array is not opt.state[params[0]]["exp_avg"].array


def test_load_state_dict_accepts_numpy_arrays_and_moves_them_to_the_parameters_device():
    params, loss_fn = _problem("cpu")
    opt = optim.Adam(params)
    _train(opt, params, loss_fn, 2)
    sd = opt.state_dict()
    for st in sd["state"].values():
        for k in ("exp_avg", "exp_avg_sq"):
            st[k] = st[k].numpy()
    params_s, _ = _problem("strict")
    opt_s = optim.Adam(params_s)
    opt_s.load_state_dict(sd)
    assert opt_s.state[params_s[0]]["exp_avg"].device == "strict"
    assert opt_s.param_groups[0]["betas"] == (0.9, 0.999)


def _snapshot(opt):
    return copy.deepcopy([(sorted((k, v) for k, v in g.items() if k != "params"), len(g["params"]))
                          for g in opt.param_groups]), {id(p): {k: (v.numpy() if isinstance(v, mg.Tensor) else v)
                                                                for k, v in s.items()} for p, s in opt.state.items()}


@pytest.mark.parametrize("mutate, match", [
    (lambda sd: sd["param_groups"].append(dict(sd["param_groups"][0], params=[9])), "group"),
    (lambda sd: sd["param_groups"][0]["params"].pop(), "parameter"),
    (lambda sd: sd["state"][0].update(exp_avg=mg.zeros(5, 2)), "shape"),
    (lambda sd: sd["state"].update({7: sd["state"][0]}), "parameter 7"),
    (lambda sd: sd["state"][1].pop("exp_avg_sq"), "entries"),
    (lambda sd: sd["state"][1].update(momentum_buffer=mg.zeros(2)), "entries"),
    (lambda sd: sd.pop("state"), "state"),
])
def test_a_mismatched_state_dict_raises_and_leaves_the_optimizer_unchanged(mutate, match):
    params, loss_fn = _problem("cpu")
    opt = optim.Adam(params, lr=0.01)
    _train(opt, params, loss_fn, 2)
    sd = opt.state_dict()
    sd["param_groups"][0]["lr"] = 123.0
    mutate(sd)
    before = _snapshot(opt)
    with pytest.raises(ValueError, match=match):
        opt.load_state_dict(sd)
    after = _snapshot(opt)
    assert before[0] == after[0]
    assert before[1].keys() == after[1].keys()
    for key in before[1]:
        for name, value in before[1][key].items():
            np.testing.assert_array_equal(after[1][key][name], value)


class _Key:
    """A stand-in for a parameter: ParamState keys by identity, whatever the object."""


@pytest.mark.parametrize("clone", ["deepcopy", "pickle"])
def test_copied_param_state_is_keyed_by_the_copied_parameters(clone):
    import pickle

    from optim.optimizer import ParamState

    keys = [_Key(), _Key()]
    state = ParamState()
    state[keys[0]]["step"] = 3
    keys2, state2 = (copy.deepcopy((keys, state)) if clone == "deepcopy"
                     else pickle.loads(pickle.dumps((keys, state))))
    assert keys2[0] in state2 and state2[keys2[0]] == {"step": 3}
    assert keys[0] not in state2 and keys2[1] not in state2


def test_a_state_dict_of_another_optimizer_raises():
    params, loss_fn = _problem("cpu")
    sgd = optim.SGD(params, lr=0.1, momentum=0.9)
    _train(sgd, params, loss_fn, 1)
    with pytest.raises(ValueError, match="another optimizer"):
        optim.Adam(params).load_state_dict(sgd.state_dict())


def test_optim_does_not_import_nn():
    import subprocess
    import sys

    code = "import sys, optim; bad = [m for m in sys.modules if m == 'nn' or m.startswith('nn.')]; print(bad)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
