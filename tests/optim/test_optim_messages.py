"""Each optimizer refuses each bad hyperparameter with a message that names the optimizer, the
setting (with the course's alias where there is one) and what was expected; the step counter
counts steps."""
from __future__ import annotations

import pytest

import minigrad as mg
import optim

O = optim
BAD = [
    (O.Adam, dict(betas=(0.9, 1.0)), "Adam: invalid betas[1] (beta2) 1.0; expected a number in [0, 1)"),
    (O.Adam, dict(betas=(1.0, 0.9)), "Adam: invalid betas[0] (beta1) 1.0; expected a number in [0, 1)"),
    (O.Adam, dict(betas=(0.9,)), "Adam: betas must be a pair (beta1, beta2), got (0.9,)"),
    (O.Adam, dict(amsgrad=1), "Adam: amsgrad must be True or False, got 1"),
    (O.Adam, dict(eps=-1.0), "Adam: invalid eps -1.0; expected a finite number >= 0"),
    (O.AdamW, dict(weight_decay=-1.0), "AdamW: invalid weight_decay -1.0; expected a finite number >= 0"),
    (O.RMSprop, dict(alpha=0.9, beta=0.8),
     "RMSprop: alpha=0.9 and beta=0.8 are the same setting (beta is the course's name for alpha); give only one"),
    (O.RMSprop, dict(alpha=1.0), "RMSprop: invalid alpha (beta) 1.0; expected a number in [0, 1)"),
    (O.RMSprop, dict(beta=1.0), "RMSprop: invalid alpha (beta) 1.0; expected a number in [0, 1)"),
    (O.RMSprop, dict(centered=1), "RMSprop: centered must be True or False, got 1"),
    (O.RMSprop, dict(eps=-1.0), "RMSprop: invalid eps -1.0; expected a finite number >= 0"),
    (O.Adagrad, dict(lr_decay=-1.0), "Adagrad: invalid lr_decay -1.0; expected a finite number >= 0"),
    (O.Adagrad, dict(eps=-1.0), "Adagrad: invalid eps -1.0; expected a finite number >= 0"),
    (O.Adamax, dict(betas=(0.9, 1.0)), "Adamax: invalid betas[1] (beta2) 1.0; expected a number in [0, 1)"),
    (O.Adamax, dict(betas=(1.0, 0.9)), "Adamax: invalid betas[0] (beta1) 1.0; expected a number in [0, 1)"),
    (O.Adamax, dict(eps=-1.0), "Adamax: invalid eps -1.0; expected a finite number >= 0"),
    (O.NAdam, dict(momentum_decay=-1.0), "NAdam: invalid momentum_decay -1.0; expected a finite number >= 0"),
    (O.NAdam, dict(decoupled_weight_decay=1), "NAdam: decoupled_weight_decay must be True or False, got 1"),
    (O.NAdam, dict(lr=-1.0), "NAdam: invalid lr -1.0; expected a finite number >= 0"),
    (O.RAdam, dict(decoupled_weight_decay=1), "RAdam: decoupled_weight_decay must be True or False, got 1"),
    (O.RAdam, dict(weight_decay=-1.0), "RAdam: invalid weight_decay -1.0; expected a finite number >= 0"),
] + [(cls, dict(betas=(0.9,)), f"{cls.__name__}: betas must be a pair (beta1, beta2), got (0.9,)")
     for cls in (O.Adamax, O.NAdam, O.RAdam)]


@pytest.mark.parametrize("cls, kw, message", BAD, ids=[m.split(";")[0] for _, _, m in BAD])
def test_each_bad_hyperparameter_is_named(cls, kw, message):
    with pytest.raises(ValueError) as info:
        cls([mg.zeros(2, requires_grad=True)], **kw)
    assert str(info.value) == message


@pytest.mark.parametrize("cls", [O.Adam, O.AdamW, O.Adamax, O.NAdam, O.RAdam])
def test_a_group_added_later_is_checked_too(cls):
    opt = cls([mg.zeros(2, requires_grad=True)])
    with pytest.raises(ValueError) as info:
        opt.add_param_group({"params": [mg.zeros(2, requires_grad=True)], "betas": (0.9,)})
    assert str(info.value) == f"{cls.__name__}: betas must be a pair (beta1, beta2), got (0.9,)"
    assert len(opt.param_groups) == 1


@pytest.mark.parametrize("cls", [O.Adam, O.AdamW, O.RMSprop, O.Adagrad, O.Adamax, O.NAdam, O.RAdam])
def test_the_step_counter_counts_steps(cls):
    p = mg.zeros(2, requires_grad=True)
    opt = cls([p])
    for n in range(1, 4):
        p.grad = mg.tensor([1.0, -1.0])
        opt.step()
        assert int(opt.state[p]["step"]) == n
