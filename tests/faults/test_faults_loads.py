"""Issue 16 section 3: loading state is all or nothing, and checked.

(Cases main already refused -- a buffer of the wrong shape, a string lr, state for a missing
parameter -- are rows of the bad-input catalogue; the two "still loads" tests are controls.)

A corrupted or foreign part of a training checkpoint, an optimizer state_dict or a scheduler
state_dict raises a clear error and leaves every object exactly as it was: compared here
field by field against snapshots taken before the load.
"""
from __future__ import annotations

import copy

import numpy as np
import pytest

import minigrad as mg
import optim
from minigrad.data import make_moons
from minigrad.train import EarlyStopping, ModelCheckpoint, fit
from _toolkit_doubles import MLP, cross_entropy, params_numpy


def _plain(obj):
    """A comparable copy: Tensors and arrays as host arrays, containers rebuilt."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, mg.Tensor):
        return ("T", obj.numpy().copy(), str(obj.dtype))
    if isinstance(obj, np.ndarray):
        return ("A", obj.copy(), str(obj.dtype))
    return obj


def _same(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, tuple):
        return a[0] == b[0] and a[2] == b[2] and np.array_equal(a[1], b[1], equal_nan=True)
    return a == b or (a != a and b != b)


# ----- Trainer.load_state_dict / fit(resume=) --------------------------------------------------
def _setup(seed=0):
    X, y = make_moons(40, seed=0)
    Xd, yd = make_moons(12, seed=1)
    model = MLP([2, 6, 2], seed=seed)
    opt = optim.SGD(model.parameters(), lr=0.2, momentum=0.5)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    cbs = [EarlyStopping(patience=10)]
    return (X, y), (Xd, yd), model, opt, sched, cbs


def _saved_checkpoint(tmp_path):
    train, dev, model, opt, sched, cbs = _setup()
    path = str(tmp_path / "run.ckpt")
    fit(model, cross_entropy, opt, train, epochs=4, dev=dev, scheduler=sched, seed=0, progress=False,
        callbacks=cbs + [ModelCheckpoint(last=path)])
    return mg.load(path)


def _corrupt_history(s):
    s["history"]["records"]["train_cost"] = np.zeros(3)


def _corrupt_rng(s):
    s["rng"]["cpu"] = np.frombuffer(b'{"state": "garbage"}', dtype=np.uint8).copy()


def _corrupt_scheduler(s):
    s["scheduler"]["gamma"] = "fast"


def _foreign_scheduler(s):
    s["scheduler"]["T_max"] = 10


def _corrupt_callback(s):
    s["callbacks"]["0:EarlyStopping"]["wait"] = np.asarray(-3)


def _foreign_callback(s):
    s["callbacks"]["0:ModelCheckpoint"] = s["callbacks"].pop("0:EarlyStopping")


def _corrupt_loader(s):
    s["loader"]["generator"] = np.zeros(3, dtype=np.uint8)


def _corrupt_epoch(s):
    s["epoch"] = -1


CORRUPTIONS = [(_corrupt_history, r"history"), (_corrupt_rng, r"rng"), (_corrupt_scheduler, r"gamma"),
               (_foreign_scheduler, r"T_max"), (_corrupt_callback, r"wait"), (_foreign_callback, r"callback"),
               (_corrupt_loader, r"loader"), (_corrupt_epoch, r"epoch")]


@pytest.mark.parametrize("corrupt, match", CORRUPTIONS, ids=[c[0].__name__ for c in CORRUPTIONS])
def test_a_bad_checkpoint_part_changes_nothing(tmp_path, corrupt, match):
    state = _saved_checkpoint(tmp_path)
    corrupt(state)
    bad = str(tmp_path / "bad.ckpt")
    mg.save(state, bad)
    train, dev, model, opt, sched, cbs = _setup(seed=7)
    mg.manual_seed(123)
    before = {"model": params_numpy(model), "opt": _plain(opt.state_dict()), "sched": _plain(sched.state_dict()),
              "es": _plain(cbs[0].state_dict()), "rng": _plain(mg.default_generator("cpu").get_state())}
    with pytest.raises(ValueError, match=match):
        fit(model, cross_entropy, opt, train, epochs=6, dev=dev, scheduler=sched, seed=0, progress=False,
            callbacks=cbs, resume=bad)
    after = {"model": params_numpy(model), "opt": _plain(opt.state_dict()), "sched": _plain(sched.state_dict()),
             "es": _plain(cbs[0].state_dict()), "rng": _plain(mg.default_generator("cpu").get_state())}
    for key in before:
        assert _same(_plain(before[key]), _plain(after[key])), f"{key} changed by a failed resume"
    assert sched.last_epoch == 0 and cbs[0].best.epoch is None


def test_a_good_checkpoint_still_resumes(tmp_path):
    state = _saved_checkpoint(tmp_path)
    good = str(tmp_path / "good.ckpt")
    mg.save(state, good)
    train, dev, model, opt, sched, cbs = _setup(seed=7)
    hist = fit(model, cross_entropy, opt, train, epochs=5, dev=dev, scheduler=sched, seed=0, progress=False,
               callbacks=cbs, resume=good)
    assert len(hist["train_cost"]) == 5 and sched.last_epoch == 5


# ----- Optimizer.load_state_dict --------------------------------------------------------------
def _trained(opt_cls, **kw):
    w = mg.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    b = mg.tensor([0.1, -0.1], requires_grad=True)
    opt = opt_cls([w, b], **kw)
    for _ in range(2):
        opt.zero_grad()
        ((w * w).sum() + (b * 3).sum()).backward()
        opt.step()
    return opt


def _mutate(sd, path, value):
    node = sd
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return sd


OPTIM_CASES = [
    ("an SGD state into Adam", optim.Adam, {}, lambda: _trained(optim.SGD, lr=0.1).state_dict(),
     r"not written by Adam.*momentum"),
    ("an Adam state into SGD", optim.SGD, {"lr": 0.1}, lambda: _trained(optim.Adam).state_dict(),
     r"not written by SGD.*betas"),
    ("a negative step", optim.Adam, {}, lambda: _mutate(_trained(optim.Adam).state_dict(), ("state", 0, "step"), -1),
     r"'step' .* non-negative integer"),
    ("a fractional step", optim.Adam, {},
     lambda: _mutate(_trained(optim.Adam).state_dict(), ("state", 1, "step"), 2.5), r"'step' .* non-negative"),
    ("a boolean step", optim.Adam, {},
     lambda: _mutate(_trained(optim.Adam).state_dict(), ("state", 1, "step"), True), r"'step' .* non-negative"),
    ("a negative second moment", optim.Adam, {},
     lambda: _mutate(_trained(optim.Adam).state_dict(), ("state", 0, "exp_avg_sq"), -mg.ones(2, 2)),
     r"second moment .* negative"),
    ("a NaN first moment", optim.Adam, {},
     lambda: _mutate(_trained(optim.Adam).state_dict(), ("state", 1, "exp_avg"), mg.tensor([np.nan, 0.0])),
     r"NaN or Inf"),
    ("a buffer of the wrong dtype", optim.Adam, {},
     lambda: _mutate(_trained(optim.Adam).state_dict(), ("state", 0, "exp_avg"), mg.zeros(2, 2, dtype=mg.float64)),
     r"float64.*float32"),
    ("a string buffer", optim.Adam, {},
     lambda: _mutate(_trained(optim.Adam).state_dict(), ("state", 0, "exp_avg"), "zeros"), r"must be a Tensor"),
    ("a negative square_avg", optim.RMSprop, {},
     lambda: _mutate(_trained(optim.RMSprop).state_dict(), ("state", 1, "square_avg"), mg.tensor([-1.0, 1.0])),
     r"second moment"),
    ("param_groups that is not a list", optim.Adam, {},
     lambda: _mutate(_trained(optim.Adam).state_dict(), ("param_groups",), "all"), r"param_groups"),
]


@pytest.mark.parametrize("what, cls, kw, make, match", OPTIM_CASES, ids=[c[0] for c in OPTIM_CASES])
def test_an_invalid_optimizer_state_changes_nothing(what, cls, kw, make, match):
    target = _trained(cls, **kw)
    before = _plain(target.state_dict())
    with pytest.raises(ValueError, match=match):
        target.load_state_dict(make())
    assert _same(before, _plain(target.state_dict()))
    target.step()  # and it still steps with its own state (no ZeroDivisionError from a foreign step count)


# ----- LRScheduler.load_state_dict -------------------------------------------------------------
def _sched(cls=optim.lr_scheduler.StepLR, **kw):
    opt = optim.SGD([mg.zeros(2, requires_grad=True)], lr=0.1)
    kw = kw or {"step_size": 2}
    s = cls(opt, **kw)
    s.step()
    return s


SCHED_CASES = [
    ("a state of another class", lambda: _sched(optim.lr_scheduler.ExponentialLR, gamma=0.9).state_dict(),
     r"lacks \['step_size'\]"),
    ("a string last_epoch", lambda: {**_sched().state_dict(), "last_epoch": "3"}, r"last_epoch.* an integer"),
    ("a float last_epoch", lambda: {**_sched().state_dict(), "last_epoch": 2.5}, r"last_epoch.* an integer"),
    ("last_epoch below -1", lambda: {**_sched().state_dict(), "last_epoch": -5},
     r"last_epoch must be an integer >= -1"),
    ("base_lrs of another length", lambda: {**_sched().state_dict(), "base_lrs": [0.1, 0.2]}, r"list of 1"),
    ("a NaN base lr", lambda: {**_sched().state_dict(), "base_lrs": [float("nan")]}, r"base_lrs"),
    ("an unknown field", lambda: {**_sched().state_dict(), "optimizer": None}, r"unknown \['optimizer'\]"),
    ("not a dict", lambda: [("last_epoch", 3)], r"must be a dict"),
]


@pytest.mark.parametrize("what, make, match", SCHED_CASES, ids=[c[0] for c in SCHED_CASES])
def test_an_invalid_scheduler_state_changes_nothing(what, make, match):
    sched = _sched()
    sched.step()
    before = _plain(sched.state_dict())
    lr = sched.optimizer.param_groups[0]["lr"]
    with pytest.raises(ValueError, match=match):
        sched.load_state_dict(make())
    assert _same(before, _plain(sched.state_dict())) and sched.optimizer is not None
    assert sched.optimizer.param_groups[0]["lr"] == lr


def test_a_valid_scheduler_state_loads_into_a_copy():
    sched = _sched()
    sched.step()
    other = _sched()
    other.load_state_dict(copy.deepcopy(sched.state_dict()))
    assert other.last_epoch == sched.last_epoch == 2 and other.get_last_lr() == sched.get_last_lr()
