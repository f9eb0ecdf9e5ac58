"""The functions marked ``replayed_whole`` (scheduler and clipping steps, input checks), which mutmut
skips because they are decorated: their boundaries and messages, against hand-worked schedules and
PyTorch's documented behaviour (tests/mutation/README.md: mutating decorated functions)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
import nn
import nn.functional as F
import optim


def _opt(lr=1.0):
    return optim.SGD([nn.Parameter(mg.zeros(2))], lr=lr, momentum=0.9)


def test_one_cycle_step_to_an_epoch_lands_where_that_many_steps_do():
    jumped = optim.lr_scheduler.OneCycleLR(_opt(), max_lr=1.0, total_steps=20)
    walked_opt = _opt()
    walked = optim.lr_scheduler.OneCycleLR(walked_opt, max_lr=1.0, total_steps=20)
    for _ in range(7):
        walked.step()
    jumped.step(7)
    assert jumped.last_epoch == 7
    assert jumped.optimizer.param_groups[0]["lr"] == pytest.approx(walked_opt.param_groups[0]["lr"], rel=1e-12)
    assert jumped.optimizer.param_groups[0]["momentum"] == pytest.approx(walked_opt.param_groups[0]["momentum"])


@pytest.mark.parametrize("bad", [True, False, -1, "2"])
def test_warm_restarts_refuses_a_bool_negative_or_text_epoch(bad):
    sched = optim.lr_scheduler.CosineAnnealingWarmRestarts(_opt(), T_0=3)
    with pytest.raises(ValueError, match=rf"^CosineAnnealingWarmRestarts.step: epoch must be a number >= 0, got "):
        sched.step(bad)


def test_plateau_counts_bad_epochs_afresh_after_each_reduction():
    """patience=2, cooldown=0: the lr drops after the 3rd bad epoch, then again after 3 more (not 2)."""
    opt = _opt(lr=1.0)
    sched = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=2, factor=0.5)
    lrs = []
    for loss in [1.0] + [2.0] * 7:
        sched.step(loss)
        lrs.append(opt.param_groups[0]["lr"])
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]


def test_clip_grad_norm_refuses_a_nonfinite_total_with_the_whole_message():
    p = nn.Parameter(mg.ones(2))
    p.grad = mg.tensor([math.inf, 1.0])
    with pytest.raises(RuntimeError, match=r"^clip_grad_norm_: the total 2.0-norm of the gradients is inf; pass "
                                           r"error_if_nonfinite=False to scale them anyway$"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


@pytest.mark.parametrize("value", [1.5, -0.5])
def test_binary_cross_entropy_refuses_values_outside_zero_one(value):
    x = mg.tensor([0.5, value])
    with pytest.raises(ValueError, match=r"^binary_cross_entropy: input must hold probabilities in \[0, 1\], got "
                                         r"values from .* to .*; for logits use binary_cross_entropy_with_logits$"):
        F.binary_cross_entropy(x, mg.tensor([1.0, 0.0]))
    np.testing.assert_allclose(F.binary_cross_entropy(mg.tensor([0.0, 1.0]), mg.tensor([0.0, 1.0])).item(), 0.0)


def test_set_grad_enabled_as_a_call_a_context_and_a_decorator():
    """As torch.set_grad_enabled: the call switches at once; a with-block and a decorated function restore."""
    assert mg.is_grad_enabled()
    mg.set_grad_enabled(False)
    try:
        assert not mg.is_grad_enabled()
    finally:
        mg.set_grad_enabled(True)
    with mg.set_grad_enabled(False):
        assert not mg.is_grad_enabled()
    assert mg.is_grad_enabled()

    @mg.set_grad_enabled(False)
    def inside():
        return mg.is_grad_enabled()

    assert mg.is_grad_enabled()  # decorating does not switch
    assert inside() is False and mg.is_grad_enabled()
