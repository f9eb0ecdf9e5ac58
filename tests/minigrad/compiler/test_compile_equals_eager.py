"""Compiled equals eager, bit for bit in float64, over 50 steps (issue 17, "Proof").

The oracle is the same step run eagerly from identical initial state (same seed, same batches;
tests/support/compile_twins.py): an MLP with every optimizer in ``optim`` and its variants,
every scheduler stepped inside the compiled step and outside it, the issue's 784-256-256-10
MLP with Adam at batch 64, and the course pipeline (Dropout via ``keep_prob``, BatchNorm, the
course's L2 penalty ``nn.l2_penalty(model, lambd, m)``, Adam with the course's learning-rate
decay).  Losses, every parameter, every optimizer state entry and the running statistics are
compared with ``np.array_equal``.
"""
from __future__ import annotations

import pytest

import minigrad as mg
import nn
import optim
from optim import lr_scheduler as lrs
from compile_twins import Setup, assert_same_run, mlp_batches, run_twins

STEPS = 50
N_IN, HIDDEN, N_OUT, BATCH = 6, 8, 3, 5

OPTIMIZERS = {
    "SGD": lambda ps: optim.SGD(ps, lr=0.1),
    "SGD-momentum": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
    "SGD-dampening": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.3),
    "SGD-nesterov": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "SGD-weight_decay": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.5, weight_decay=0.01),
    "Momentum": lambda ps: optim.Momentum(ps, lr=0.1, beta=0.9, weight_decay=0.01),
    "Adam": lambda ps: optim.Adam(ps, lr=0.01),
    "Adam-weight_decay": lambda ps: optim.Adam(ps, lr=0.01, weight_decay=0.01),
    "Adam-amsgrad": lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True),
    "AdamW": lambda ps: optim.AdamW(ps, lr=0.01),
    "AdamW-amsgrad": lambda ps: optim.AdamW(ps, lr=0.01, weight_decay=0.1, amsgrad=True),
    "RMSprop": lambda ps: optim.RMSprop(ps, lr=0.01),
    "RMSprop-momentum-centered": lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.9, centered=True,
                                                          weight_decay=0.01),
    "Adagrad": lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01, weight_decay=0.01,
                                        initial_accumulator_value=0.1),
    "Adamax": lambda ps: optim.Adamax(ps, lr=0.01, weight_decay=0.01),
    "NAdam": lambda ps: optim.NAdam(ps, lr=0.01, weight_decay=0.01),
    "NAdam-decoupled": lambda ps: optim.NAdam(ps, lr=0.01, weight_decay=0.01, decoupled_weight_decay=True),
    "RAdam": lambda ps: optim.RAdam(ps, lr=0.01, weight_decay=0.01),
    "RAdam-decoupled": lambda ps: optim.RAdam(ps, lr=0.01, weight_decay=0.01, decoupled_weight_decay=True),
}

SCHEDULERS = {
    "InverseTimeDecay": lambda o: lrs.InverseTimeDecay(o, decay_rate=0.5, time_interval=3),
    "ExponentialLR": lambda o: lrs.ExponentialLR(o, gamma=0.95),
    "InverseSqrtDecay": lambda o: lrs.InverseSqrtDecay(o, k=1.0),
    "StepLR": lambda o: lrs.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda o: lrs.MultiStepLR(o, milestones=[5, 20, 33], gamma=0.5),
    "LambdaLR": lambda o: lrs.LambdaLR(o, lambda e: 1.0 / (1.0 + 0.1 * e)),
    "CosineAnnealingLR": lambda o: lrs.CosineAnnealingLR(o, T_max=20, eta_min=0.001),
    "LinearLR": lambda o: lrs.LinearLR(o, start_factor=0.25, total_iters=10),
    "SequentialLR": lambda o: lrs.SequentialLR(
        o, [lrs.LinearLR(o, start_factor=0.5, total_iters=5), lrs.ExponentialLR(o, gamma=0.9)], milestones=[5]),
    "OneCycleLR": lambda o: lrs.OneCycleLR(o, max_lr=0.2, total_steps=STEPS + 1),
    "CosineAnnealingWarmRestarts": lambda o: lrs.CosineAnnealingWarmRestarts(o, T_0=6, T_mult=2),
    "ReduceLROnPlateau": lambda o: lrs.ReduceLROnPlateau(o, factor=0.5, patience=1, threshold=0.5),
}


def test_every_optimizer_and_scheduler_is_covered():
    """A new optimizer or scheduler in ``optim`` must get a case here."""
    names = {n.split("-")[0] for n in OPTIMIZERS}
    skip = {"Optimizer", "lr_scheduler", "clip_grad_norm_", "clip_grad_value_", "ReduceLROnPlateau"}
    assert set(optim.__all__) - skip == names
    assert set(lrs.__all__) - {"LRScheduler"} == set(SCHEDULERS)


def _mlp():
    return nn.Sequential(nn.Linear(N_IN, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, HIDDEN), nn.ReLU(),
                         nn.Linear(HIDDEN, N_OUT)).double()


def _build(make_opt, make_sched=None, sched_inside=False):
    def build():
        model = _mlp()
        opt = make_opt(model.parameters())
        sched = make_sched(opt) if make_sched else None
        plateau = isinstance(sched, lrs.ReduceLROnPlateau)
        loss_fn = nn.CrossEntropyLoss()

        def step(x, y):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            if sched_inside:
                sched.step(loss) if plateau else sched.step()
            return loss

        def after(i):
            if sched is not None and not sched_inside:
                sched.step(0.0 if i % 4 == 0 else 1.0) if plateau else sched.step()

        return Setup(step, model, opt, after)

    return build


BATCHES = mlp_batches(7, BATCH, N_IN, N_OUT)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_each_optimizer(name):
    eager, compiled = run_twins(_build(OPTIMIZERS[name]), BATCHES, STEPS)
    assert_same_run(eager, compiled, min_replays=STEPS - 2)


@pytest.mark.parametrize("inside", [False, True], ids=["outside", "inside"])
@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_each_scheduler(name, inside):
    make_opt = OPTIMIZERS["SGD-momentum"]
    eager, compiled = run_twins(_build(make_opt, SCHEDULERS[name], inside), BATCHES, STEPS)
    assert_same_run(eager, compiled, min_replays=STEPS - 2)
    assert len({lr for _, lr in compiled.results}) > 2  # the schedule moved the lr


def test_the_issue_mlp_784_256_256_10_adam_batch_64():
    def build():
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                              nn.Linear(256, 10)).double()
        opt = optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()

        def step(x, y):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss

        return Setup(step, model, opt)

    eager, compiled = run_twins(build, mlp_batches(4, 64, 784, 10), STEPS)
    assert_same_run(eager, compiled, min_replays=STEPS - 2)


def _course_pipeline(lambd=0.7, keep_prob=0.8, epoch_every=5):
    """The course's network: LINEAR -> BatchNorm -> RELU -> Dropout(keep_prob), twice, then
    LINEAR; cost = cross-entropy + the course's L2 term (lambd / 2m) sum ||W||^2; Adam with
    the course's decay alpha0 / (1 + decay_rate * epoch), an "epoch" every few steps."""
    def build():
        model = nn.Sequential(nn.Linear(N_IN, HIDDEN), nn.BatchNorm1d(HIDDEN), nn.ReLU(),
                              nn.Dropout(keep_prob=keep_prob), nn.Linear(HIDDEN, HIDDEN), nn.BatchNorm1d(HIDDEN),
                              nn.ReLU(), nn.Dropout(keep_prob=keep_prob), nn.Linear(HIDDEN, N_OUT)).double()
        opt = optim.Adam(model.parameters(), lr=0.01)
        sched = lrs.InverseTimeDecay(opt, decay_rate=1.0)
        loss_fn = nn.CrossEntropyLoss()

        def step(x, y):
            opt.zero_grad()
            cost = loss_fn(model(x), y) + nn.l2_penalty(model, lambd=lambd, m=x.shape[0])
            cost.backward()
            opt.step()
            return cost

        def after(i):
            if (i + 1) % epoch_every == 0:
                sched.step()

        return Setup(step, model, opt, after)

    return build


def test_course_pipeline_dropout_batchnorm_l2_adam_with_decay():
    eager, compiled = run_twins(_course_pipeline(), BATCHES, STEPS)
    assert_same_run(eager, compiled, min_replays=STEPS - 2)
    assert any(k.endswith("running_mean") for k in compiled.state)
    assert compiled.state["group 0 lr"] == 0.01 / (1 + STEPS // 5)


def test_course_pipeline_draws_fresh_dropout_masks_each_replay():
    """Two replays on the same batch give different losses (new masks), as eager does."""
    eager, compiled = run_twins(_course_pipeline(), BATCHES[:1], 6)
    assert_same_run(eager, compiled, min_replays=4)
    assert len({float(r) for r, _ in compiled.results[2:]}) == 4


def test_eval_step_after_training_matches_eager():
    """Inference in eval mode (no grad) after the compiled training: Dropout off, running statistics."""
    results = []
    for compiled in (False, True):
        mg.manual_seed(0)
        setup = _course_pipeline()()
        fn = mg.compile(setup.step) if compiled else setup.step
        for x, y in BATCHES * 2:
            fn(mg.tensor(x), mg.tensor(y))
        setup.model.eval()

        def infer(x):
            with mg.no_grad():
                return setup.model(x)

        g = mg.compile(infer) if compiled else infer
        results.append([g(mg.tensor(x)).numpy() for x, _ in BATCHES])
    for a, b in zip(*results):
        assert (a == b).all()
