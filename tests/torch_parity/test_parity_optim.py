"""20 steps of each new optimizer and scheduler next to PyTorch's, same initial weights and gradients.

Skipped cleanly when torch is not installed (conftest).  Optimizers run in float64 on both sides
with the same gradient sequence and are compared every step; schedulers are compared on their
lr (and momentum, for OneCycleLR) after each ``step()``.  ``MAX_DIFF`` collects the largest
difference of each case; ``pytest -s`` prints them.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import minigrad as mg
import optim

STEPS = 20
MAX_DIFF = {}

OPTIMIZERS = [
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.01, initial_accumulator_value=0.3, eps=1e-6)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-4, weight_decay=0.02)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, betas=(0.85, 0.98), weight_decay=0.05, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.05, decoupled_weight_decay=True)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.9), weight_decay=0.05)),  # rho_t > 5 from step 3 on
    ("RAdam", dict(lr=0.01, betas=(0.7, 0.8), weight_decay=0.05, decoupled_weight_decay=True)),
]


@pytest.fixture
def torch_float64_scalars():
    """PyTorch keeps optimizer scalars (NAdam's mu_product) as tensors of its default dtype:
    float32 unless the default is float64, which rounds NAdam's steps at ~1e-9 relative.  Ours
    are Python floats, so the exact comparison runs with torch's default dtype float64."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


@pytest.mark.parametrize("name, kw", OPTIMIZERS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(OPTIMIZERS)])
def test_optimizer_matches_torch(name, kw, torch_float64_scalars):
    _compare_optimizer(name, kw, rtol=1e-12)


def test_nadam_matches_torch_with_its_float32_scalar_state():
    _compare_optimizer("NAdam", dict(lr=0.01, weight_decay=0.05), rtol=1e-7, key=" (torch float32 mu_product)")


def _compare_optimizer(name, kw, rtol, key=""):
    rng = np.random.default_rng(0)
    shapes = [(3, 4), (4,), ()]
    init = [rng.standard_normal(s) for s in shapes]
    ours = [mg.tensor(a, dtype="float64", requires_grad=True) for a in init]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in init]
    opt, topt = getattr(optim, name)(ours, **kw), getattr(torch.optim, name)(theirs, **kw)
    worst = 0.0
    for step in range(STEPS):
        for p, t, s in zip(ours, theirs, shapes):
            g = rng.standard_normal(s) * 2
            p.grad, t.grad = mg.tensor(g, dtype="float64"), torch.tensor(g, dtype=torch.float64)
        opt.step()
        topt.step()
        for p, t in zip(ours, theirs):
            diff = float(np.max(np.abs(p.numpy() - t.detach().numpy())))
            worst = max(worst, diff)
            np.testing.assert_allclose(p.numpy(), t.detach().numpy(), rtol=rtol, atol=1e-14,
                                       err_msg=f"{name} {kw} step {step}")
    MAX_DIFF[f"{name} {kw}{key}"] = worst


def _pair(opt_name="SGD", lrs=(0.1, 0.02), **kw):
    ours = optim.__dict__[opt_name]([{"params": [mg.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs],
                                    lr=lrs[0], **kw)
    theirs = torch.optim.__dict__[opt_name]([{"params": [torch.zeros(1, requires_grad=True)], "lr": lr}
                                             for lr in lrs], lr=lrs[0], **kw)
    return ours, theirs


def _momentum(group):
    return group["betas"][0] if "betas" in group else group.get("momentum")


SCHEDULERS = {
    "StepLR": lambda S, o: S.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[2, 5, 5, 11], gamma=0.3),
    "SequentialLR": lambda S, o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=4),
                                                    S.ExponentialLR(o, gamma=0.9)], milestones=[5]),
    "SequentialLR-3": lambda S, o: S.SequentialLR(o, [S.ExponentialLR(o, gamma=0.5), S.StepLR(o, 2, gamma=0.1),
                                                      S.CosineAnnealingLR(o, T_max=6)], milestones=[3, 9]),
    "CosineAnnealingWarmRestarts": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=1e-3),
    "CosineAnnealingWarmRestarts-1": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=4),
    "OneCycleLR-cos": lambda S, o: S.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=STEPS + 1),
    "OneCycleLR-linear-3phase": lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=STEPS + 1, pct_start=0.25,
                                                          anneal_strategy="linear", three_phase=True,
                                                          div_factor=10.0, final_div_factor=100.0),
}


@pytest.mark.parametrize("opt_name, kw", [("SGD", dict(momentum=0.9)), ("Adam", {})])
@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_scheduler_matches_torch(name, opt_name, kw):
    ours, theirs = _pair(opt_name, **kw)
    s, t = SCHEDULERS[name](optim.lr_scheduler, ours), SCHEDULERS[name](torch.optim.lr_scheduler, theirs)
    worst = 0.0
    for step in range(STEPS + 1):
        got, want = s.get_last_lr(), t.get_last_lr()
        assert got == pytest.approx(want, rel=1e-12, abs=1e-15), f"{name} step {step}"
        assert [g["lr"] for g in ours.param_groups] == pytest.approx([g["lr"] for g in theirs.param_groups])
        m_ours, m_theirs = [_momentum(g) for g in ours.param_groups], [_momentum(g) for g in theirs.param_groups]
        assert m_ours == pytest.approx(m_theirs, rel=1e-12), f"{name} momentum at step {step}"
        worst = max(worst, max(abs(a - b) for a, b in zip(got, want)))
        if step < STEPS:
            ours.step()
            theirs.step()
            s.step()
            t.step()
    MAX_DIFF[f"{name} on {opt_name}"] = worst


def test_warm_restarts_fractional_epochs_match_torch():
    ours, theirs = _pair()
    s = optim.lr_scheduler.CosineAnnealingWarmRestarts(ours, T_0=2, T_mult=3)
    t = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(theirs, T_0=2, T_mult=3)
    for e in [0.25, 0.5, 1.9, 2.0, 2.1, None, 7.5, None, None, 30.0, 7.999, None, 0.0, None]:
        s.step(e)
        t.step(e)
        assert s.get_last_lr() == pytest.approx(t.get_last_lr(), rel=1e-12), f"epoch {e}"
        assert s.last_epoch == t.last_epoch


def test_plateau_matches_torch():
    rng = np.random.default_rng(1)
    metrics = list(np.round(rng.uniform(0.5, 1.5, 60), 1)) + [float("nan"), 0.1, 0.1]
    for kw in (dict(), dict(mode="max", factor=0.5, patience=2, threshold=0.1, threshold_mode="abs", cooldown=2,
                            min_lr=[0.01, 0.001], eps=1e-3),
               dict(patience=0, cooldown=1, threshold=0.0, min_lr=1e-3)):
        ours, theirs = _pair()
        s = optim.lr_scheduler.ReduceLROnPlateau(ours, **kw)
        t = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs, **kw)
        for m in metrics:
            s.step(m)
            t.step(m)
            assert s.get_last_lr() == pytest.approx(t.get_last_lr(), rel=1e-15), f"{kw} metric {m}"
            assert (s.num_bad_epochs, s.cooldown_counter, s.last_epoch) == \
                (t.num_bad_epochs, t.cooldown_counter, t.last_epoch)


@pytest.mark.parametrize("opt_name, kw", [("SGD", dict(momentum=0.9, nesterov=True)), ("Adam", {}),
                                          ("NAdam", {}), ("RAdam", {})])
def test_one_cycle_trains_like_torch(opt_name, kw, torch_float64_scalars):
    """20 steps of an optimizer driven by OneCycleLR (lr and momentum / beta1 cycled): same weights."""
    rng = np.random.default_rng(2)
    init = rng.standard_normal((3, 4))
    p, q = mg.tensor(init, dtype="float64", requires_grad=True), torch.tensor(init, requires_grad=True)
    ours, theirs = getattr(optim, opt_name)([p], lr=0.1, **kw), getattr(torch.optim, opt_name)([q], lr=0.1, **kw)
    s = optim.lr_scheduler.OneCycleLR(ours, max_lr=0.5, total_steps=STEPS)
    t = torch.optim.lr_scheduler.OneCycleLR(theirs, max_lr=0.5, total_steps=STEPS)
    worst = 0.0
    for step in range(STEPS):
        g = rng.standard_normal((3, 4))
        p.grad, q.grad = mg.tensor(g, dtype="float64"), torch.tensor(g)
        ours.step()
        theirs.step()
        if step < STEPS - 1:
            s.step()
            t.step()
        worst = max(worst, float(np.max(np.abs(p.numpy() - q.detach().numpy()))))
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-12, atol=1e-14, err_msg=f"step {step}")
    MAX_DIFF[f"OneCycleLR driving {opt_name} {kw} (weights)"] = worst


def test_print_max_differences():
    """Runs last (file order): prints the collected maxima for the report (pytest -s)."""
    for key, value in MAX_DIFF.items():
        print(f"max |ours - torch| {key}: {value:.3g}")
