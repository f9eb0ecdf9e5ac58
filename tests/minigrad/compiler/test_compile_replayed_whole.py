"""``replayed_whole`` calls nested in another one (minigrad/tracing.py): only the outer call is
recorded, so a replay runs it once.  Oracle: the same calls made eagerly, counted."""
from __future__ import annotations

import minigrad as mg
import nn
import optim
from minigrad.tracing import replayed_whole
from optim import lr_scheduler as lrs


def test_a_scheduler_whose_step_calls_its_base_step_advances_once_per_replay():
    """OneCycleLR.step calls LRScheduler.step, both replayed whole: a replay used to run both,
    stepping the schedule twice per call (ValueError past total_steps, wrong lrs)."""
    epochs = []
    for compiled in (False, True):
        mg.manual_seed(0)
        model = nn.Linear(2, 1).double()
        opt = optim.SGD(model.parameters(), lr=0.1)
        sched = lrs.OneCycleLR(opt, max_lr=1.0, total_steps=100)

        def step(x):
            opt.zero_grad()
            loss = model(x).sum()
            loss.backward()
            opt.step()
            sched.step()
            return loss

        fn = mg.compile(step) if compiled else step
        epochs.append([(fn(mg.ones(3, 2, dtype="float64")), sched.last_epoch, opt.param_groups[0]["lr"])[1:]
                       for _ in range(6)])
    assert epochs[0] == epochs[1]
    assert [e for e, _ in epochs[0]] == [1, 2, 3, 4, 5, 6]


def test_nested_whole_calls_run_once_per_replay():
    calls = []

    @replayed_whole
    def inner():
        calls.append("inner")

    @replayed_whole
    def outer():
        calls.append("outer")
        inner()

    @mg.compile
    def step(x):
        outer()
        return x * 2

    for _ in range(4):
        step(mg.ones(2, dtype="float64"))
    assert step.stats.replays == 2
    assert calls == ["outer", "inner"] * 4
