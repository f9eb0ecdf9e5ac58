"""Every optimizer's defaults are PyTorch's (the course's Momentum: beta 0.9), and the course's
aliases (beta1/beta2, beta) land where PyTorch's names would; each check names its optimizer."""
from __future__ import annotations

import pytest

import minigrad as mg
import optim

# PyTorch 2's documented defaults (torch.optim.*), the course's beta = 0.9 for Momentum
DEFAULTS = {
    "SGD": dict(lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0),
    "Momentum": dict(lr=0.01, beta=0.9, weight_decay=0.0),
    "Adam": dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False),
    "AdamW": dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False),
    "RMSprop": dict(lr=1e-2, alpha=0.99, eps=1e-8, momentum=0.0, centered=False, weight_decay=0.0),
    "Adagrad": dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10),
    "Adamax": dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0),
    "NAdam": dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3),
    "RAdam": dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0),
}


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_defaults_are_the_documented_ones(name):
    opt = getattr(optim, name)([mg.zeros(2, requires_grad=True)])
    group = opt.param_groups[0]
    for key, value in DEFAULTS[name].items():
        assert (tuple(group[key]) if key == "betas" else group[key]) == value, (name, key)


@pytest.mark.parametrize("name", sorted(set(DEFAULTS) - {"Momentum"}))
def test_defaults_match_torch(name):
    torch = pytest.importorskip("torch")
    kw = {}
    theirs = getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kw).defaults
    ours = getattr(optim, name)([mg.zeros(1, requires_grad=True)], **kw).param_groups[0]
    for key in DEFAULTS[name]:
        assert tuple(ours[key]) == tuple(theirs[key]) if key == "betas" else ours[key] == theirs[key], (name, key)


@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW])
def test_the_course_names_of_the_betas(cls):
    opt = cls([mg.zeros(2, requires_grad=True)], beta1=0.8)
    assert tuple(opt.param_groups[0]["betas"]) == (0.8, 0.999)
    opt = cls([mg.zeros(2, requires_grad=True)], beta2=0.95)
    assert tuple(opt.param_groups[0]["betas"]) == (0.9, 0.95)


@pytest.mark.parametrize("cls, kw, message", [
    (optim.SGD, dict(weight_decay=-1.0), "SGD: invalid weight_decay -1.0; expected a finite number >= 0"),
    (optim.SGD, dict(momentum=1.0), "SGD: invalid momentum 1.0; expected a number in [0, 1)"),
    (optim.SGD, dict(nesterov=1), "SGD: nesterov must be True or False, got 1"),
    (optim.SGD, dict(dampening=float("nan")), "SGD: invalid dampening nan; expected a finite number"),
    (optim.Momentum, dict(lr=-1.0), "Momentum: invalid lr -1.0; expected a finite number >= 0"),
    (optim.Momentum, dict(weight_decay=-1.0), "Momentum: invalid weight_decay -1.0; expected a finite number >= 0"),
    (optim.Momentum, dict(beta=1.0), "Momentum: invalid beta 1.0; expected a number in [0, 1)"),
])
def test_messages_name_the_optimizer(cls, kw, message):
    with pytest.raises(ValueError) as info:
        cls([mg.zeros(2, requires_grad=True)], **kw)
    assert str(info.value) == message
