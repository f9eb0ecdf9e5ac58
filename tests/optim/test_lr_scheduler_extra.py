"""ReduceLROnPlateau, OneCycleLR and CosineAnnealingWarmRestarts against independent references.

The references are written from the schedules' published descriptions (PyTorch's documentation
and the papers), as plain loops over epochs, not from the schedulers' code.
"""
from __future__ import annotations

import math

import pytest
from hypothesis import given, strategies as st

import minigrad as mg
import optim
from optim import lr_scheduler as S


def _opt(*lrs, cls=optim.SGD, **kw):
    return cls([{"params": [mg.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs], lr=lrs[0], **kw)


# ----- ReduceLROnPlateau -------------------------------------------------------------------
def ref_plateau(lr0, metrics, mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps):
    """The lr after each metric: wait more than `patience` non-improving epochs, cut, cool down."""
    sign = 1.0 if mode == "min" else -1.0
    best, bad, cool, lr, out = None, 0, 0, lr0, []
    for m in metrics:
        if best is None:
            improved = not math.isnan(m)
        elif threshold_mode == "rel":
            improved = sign * m < sign * best * (1 - sign * threshold)
        else:
            improved = sign * m < sign * best - threshold
        if improved:
            best, bad = m, 0
        else:
            bad += 1
        if cool > 0:
            cool, bad = cool - 1, 0
        if bad > patience:
            new = max(lr * factor, min_lr)
            lr = new if lr - new > eps else lr
            cool, bad = cooldown, 0
        out.append(lr)
    return out


plateau_kwargs = st.fixed_dictionaries(dict(
    mode=st.sampled_from(["min", "max"]), factor=st.floats(0.05, 0.9), patience=st.integers(0, 4),
    threshold=st.sampled_from([0.0, 1e-4, 0.05, 0.5]), threshold_mode=st.sampled_from(["rel", "abs"]),
    cooldown=st.integers(0, 3), min_lr=st.sampled_from([0.0, 1e-3, 0.05]), eps=st.sampled_from([1e-8, 1e-3])))


@given(kw=plateau_kwargs, metrics=st.lists(st.sampled_from([1.0, 2.0, 0.5, 0.499, 1.01, 3.0, 0.1, -1.0, math.nan]),
                                           min_size=1, max_size=30))
def test_plateau_matches_the_reference(kw, metrics):
    opt = _opt(0.5)
    sched = S.ReduceLROnPlateau(opt, **kw)
    got = []
    for m in metrics:
        sched.step(m)
        got.append(sched.get_last_lr()[0])
        assert opt.param_groups[0]["lr"] == got[-1]
    assert got == pytest.approx(ref_plateau(0.5, metrics, **kw), rel=1e-12)


def test_plateau_per_group_min_lr_and_tensor_metric():
    opt = _opt(1.0, 0.1)
    sched = S.ReduceLROnPlateau(opt, mode="max", factor=0.5, patience=0, min_lr=[0.3, 0.0])
    for m in [1.0, 1.0, 1.0, 1.0]:
        sched.step(mg.tensor(m))
    assert sched.get_last_lr() == pytest.approx([0.3, 0.1 * 0.5 ** 3])


def test_plateau_state_dict_resumes_exactly():
    metrics = [5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 2.9999, 3, 3, 3]
    opt = _opt(1.0)
    sched = S.ReduceLROnPlateau(opt, patience=2, cooldown=1, factor=0.5)
    for m in metrics[:7]:
        sched.step(m)
    sd = mg.load(_roundtrip(sched.state_dict()))
    rest = []
    for m in metrics[7:]:
        sched.step(m)
        rest.append(sched.get_last_lr())
    opt2 = _opt(1.0)
    opt2.param_groups[0]["lr"] = sd["_last_lr"][0]
    sched2 = S.ReduceLROnPlateau(opt2)
    sched2.load_state_dict(sd)
    got = []
    for m in metrics[7:]:
        sched2.step(m)
        got.append(sched2.get_last_lr())
    assert got == rest and sched2.num_bad_epochs == sched.num_bad_epochs and sched2.best == sched.best


def _roundtrip(obj):
    import io
    import tempfile

    path = tempfile.mktemp(suffix=".pt")
    mg.save(obj, path)
    assert not isinstance(path, io.IOBase)
    return path


@pytest.mark.parametrize("kw, match", [
    (dict(mode="low"), "mode"), (dict(factor=1.0), "factor"), (dict(factor=0.0), "factor"),
    (dict(patience=-1), "patience"), (dict(threshold_mode="relative"), "threshold_mode"),
    (dict(cooldown=1.5), "cooldown"), (dict(min_lr=[0.1, 0.2]), "min_lr"), (dict(eps=math.nan), "eps"),
])
def test_plateau_bad_arguments_raise(kw, match):
    with pytest.raises(ValueError, match=match):
        S.ReduceLROnPlateau(_opt(0.1), **kw)


def test_plateau_bad_metric_and_bad_state_dict_raise_and_change_nothing():
    sched = S.ReduceLROnPlateau(_opt(0.1))
    with pytest.raises(TypeError, match="metric"):
        sched.step("loss")
    sd = sched.state_dict()
    bad = dict(sd, factor=2.0)
    with pytest.raises(ValueError, match="factor"):
        sched.load_state_dict(bad)
    with pytest.raises(ValueError, match="missing"):
        sched.load_state_dict({"best": 0.0})
    assert sched.state_dict() == sd and sched.last_epoch == 0


# ----- OneCycleLR --------------------------------------------------------------------------
def ref_one_cycle(step, max_lr, total, pct, strategy, div, final_div, three_phase, hi_m, lo_m):
    """(lr, momentum) at batch `step`, from the phase description in PyTorch's documentation."""
    lo = max_lr / div
    end_lr = lo / final_div
    a = pct * total - 1
    if three_phase:
        phases = [(0, a, lo, max_lr, hi_m, lo_m), (a, 2 * pct * total - 2, max_lr, lo, lo_m, hi_m),
                  (2 * pct * total - 2, total - 1, lo, end_lr, hi_m, hi_m)]
    else:
        phases = [(0, a, lo, max_lr, hi_m, lo_m), (a, total - 1, max_lr, end_lr, lo_m, hi_m)]
    for k, (s, e, l0, l1, m0, m1) in enumerate(phases):
        if step <= e or k == len(phases) - 1:
            f = (step - s) / (e - s)
            if strategy == "cos":
                w = (1 - math.cos(math.pi * f)) / 2
            else:
                w = f
            return l0 + (l1 - l0) * w, m0 + (m1 - m0) * w


one_cycle_kwargs = st.fixed_dictionaries(dict(
    max_lr=st.floats(0.01, 2.0), total_steps=st.integers(8, 60), pct_start=st.sampled_from([0.1, 0.25, 0.3, 0.45]),
    anneal_strategy=st.sampled_from(["cos", "linear"]), div_factor=st.sampled_from([25.0, 10.0, 2.0]),
    final_div_factor=st.sampled_from([1e4, 10.0]), three_phase=st.booleans(),
    max_momentum=st.sampled_from([0.95, 0.9]), base_momentum=st.sampled_from([0.85, 0.5])))


@pytest.mark.parametrize("cls", ["SGD", "Adam"])
@given(kw=one_cycle_kwargs)
def test_one_cycle_matches_the_reference_for_lr_and_momentum(cls, kw):
    n, s = kw["total_steps"], kw["pct_start"] * kw["total_steps"]
    opt = _opt(0.123, cls=getattr(optim, cls), **(dict(momentum=0.5) if cls == "SGD" else {}))
    if s == 1 or s - 1 == n - 1 or (kw["three_phase"] and 2 * s - 2 == n - 1):  # a phase of length 0
        with pytest.raises(ValueError, match="length 0"):
            S.OneCycleLR(opt, **kw)
        return
    sched = S.OneCycleLR(opt, **kw)
    for step in range(n):
        lr, mom = ref_one_cycle(step, kw["max_lr"], n, kw["pct_start"], kw["anneal_strategy"], kw["div_factor"],
                                kw["final_div_factor"], kw["three_phase"], kw["max_momentum"], kw["base_momentum"])
        group = opt.param_groups[0]
        assert sched.get_last_lr()[0] == pytest.approx(lr, rel=1e-10, abs=1e-15), f"step {step}"
        got_m = group["betas"][0] if cls == "Adam" else group["momentum"]
        assert got_m == pytest.approx(mom, rel=1e-10), f"momentum at step {step}"
        if cls == "Adam":
            assert group["betas"][1] == 0.999 and isinstance(group["betas"], tuple)
        if step < n - 1:
            opt.step()
            sched.step()
    assert sched.get_last_lr()[0] == pytest.approx(kw["max_lr"] / kw["div_factor"] / kw["final_div_factor"])
    sched.step()  # like PyTorch, step total_steps is still allowed (the phase extrapolated), one more is not
    with pytest.raises(ValueError, match="total_steps"):
        sched.step()


def test_one_cycle_epochs_times_steps_and_per_group_max_lr_and_no_momentum_cycling():
    opt = _opt(0.1, 0.2, cls=optim.Adagrad)
    sched = S.OneCycleLR(opt, max_lr=[1.0, 2.0], epochs=2, steps_per_epoch=5, cycle_momentum=False)
    assert sched.total_steps == 10
    assert sched.get_last_lr() == pytest.approx([1.0 / 25, 2.0 / 25])
    with pytest.raises(ValueError, match="cycle_momentum"):
        S.OneCycleLR(_opt(0.1, cls=optim.Adagrad), max_lr=1.0, total_steps=10)


def test_one_cycle_state_dict_resumes_exactly():
    def make(o):
        return S.OneCycleLR(o, max_lr=1.0, total_steps=20, three_phase=True)

    opt = _opt(0.1, momentum=0.9)
    sched = make(opt)
    for _ in range(7):
        opt.step()
        sched.step()
    sd, opt_sd = sched.state_dict(), opt.state_dict()
    rest = []
    for _ in range(10):
        sched.step()
        rest.append((sched.get_last_lr(), opt.param_groups[0]["momentum"]))
    opt2 = _opt(0.1, momentum=0.9)
    sched2 = make(opt2)
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sd)
    got = []
    for _ in range(10):
        sched2.step()
        got.append((sched2.get_last_lr(), opt2.param_groups[0]["momentum"]))
    assert got == rest


@pytest.mark.parametrize("kw, match", [
    (dict(), "total_steps"), (dict(total_steps=0), "total_steps"), (dict(epochs=2, steps_per_epoch=0), "steps_per"),
    (dict(total_steps=10, pct_start=1.5), "pct_start"), (dict(total_steps=10, anneal_strategy="cosine"), "anneal"),
    (dict(total_steps=10, max_lr=[1.0, 2.0]), "one per group"),
])
def test_one_cycle_bad_arguments_raise(kw, match):
    kw = dict(dict(max_lr=1.0), **kw)
    with pytest.raises(ValueError, match=match):
        S.OneCycleLR(_opt(0.1, momentum=0.9), **kw)


# ----- CosineAnnealingWarmRestarts ---------------------------------------------------------
def ref_warm_restarts(epoch, base, T_0, T_mult, eta_min):
    """Walk the cycles T_0, T_0 T_mult, ... until the one holding `epoch`."""
    start, length = 0, T_0
    while epoch >= start + length:
        start, length = start + length, length * T_mult
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * (epoch - start) / length)) / 2


warm_kwargs = st.fixed_dictionaries(dict(T_0=st.integers(1, 6), T_mult=st.integers(1, 3),
                                         eta_min=st.sampled_from([0.0, 1e-3])))


@given(kw=warm_kwargs)
def test_warm_restarts_step_by_step(kw):
    opt = _opt(0.5, 1.0)
    sched = S.CosineAnnealingWarmRestarts(opt, **kw)
    for e in range(40):
        want = [ref_warm_restarts(e, b, **kw) for b in (0.5, 1.0)]
        assert sched.get_last_lr() == pytest.approx(want, rel=1e-9, abs=1e-15), f"epoch {e}"
        sched.step()


@given(kw=warm_kwargs, epochs=st.lists(st.floats(0, 60), min_size=1, max_size=10))
def test_warm_restarts_fractional_epochs(kw, epochs):
    opt = _opt(1.0)
    sched = S.CosineAnnealingWarmRestarts(opt, **kw)
    for e in epochs:
        sched.step(e)
        want = ref_warm_restarts(e, 1.0, **kw)
        # PyTorch's closed form takes a float log: at a restart it may land on either side
        alt = kw["eta_min"] if kw["T_mult"] > 1 else want
        assert sched.get_last_lr()[0] == pytest.approx(want, rel=1e-9, abs=1e-9) or \
            sched.get_last_lr()[0] == pytest.approx(alt, abs=1e-9)
        assert sched.last_epoch == math.floor(e)


def test_warm_restarts_interleaved_steps_and_state_dict():
    opt = _opt(1.0)
    sched = S.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
    for e in [0.5, 1.0, 1.5, 2.0]:
        sched.step(e)
    sched.step()  # T_cur = 2 + 1 = 3: a restart into the cycle of length 6
    assert sched.T_cur == 0 and sched.T_i == 6 and sched.last_epoch == 3
    sd = sched.state_dict()
    rest = []
    for _ in range(8):
        sched.step()
        rest.append(sched.get_last_lr())
    sched2 = S.CosineAnnealingWarmRestarts(_opt(1.0), T_0=3, T_mult=2)
    sched2.load_state_dict(sd)
    got = []
    for _ in range(8):
        sched2.step()
        got.append(sched2.get_last_lr())
    assert got == rest == [[ref_warm_restarts(e, 1.0, 3, 2, 0.0)] for e in range(4, 12)]


@pytest.mark.parametrize("kw, match", [(dict(T_0=0), "T_0"), (dict(T_0=2, T_mult=0), "T_mult"),
                                       (dict(T_0=2.5), "T_0"), (dict(T_0=2, eta_min="0"), "eta_min")])
def test_warm_restarts_bad_arguments_raise(kw, match):
    with pytest.raises(ValueError, match=match):
        S.CosineAnnealingWarmRestarts(_opt(0.1), **kw)
    with pytest.raises(ValueError, match="epoch"):
        S.CosineAnnealingWarmRestarts(_opt(0.1), T_0=2).step(-1)


def test_sequential_lr_switches_at_the_milestone_with_the_next_schedule_at_its_epoch_0():
    """PyTorch's SequentialLR: at epoch == milestone the next scheduler starts (step(0))."""
    opt = _opt(1.0)
    sched = S.SequentialLR(opt, [S.ExponentialLR(opt, 0.5), S.StepLR(opt, 2, gamma=0.1)], milestones=[3])
    seq = [sched.get_last_lr()[0]]
    for _ in range(6):
        sched.step()
        seq.append(sched.get_last_lr()[0])
    assert seq == pytest.approx([1.0, 0.5, 0.25, 1.0, 1.0, 0.1, 0.1])


def test_plateau_deprecated_epoch_argument_sets_last_epoch():
    sched = S.ReduceLROnPlateau(_opt(0.1))
    with pytest.warns(UserWarning, match="deprecated"):
        sched.step(1.0, epoch=7)
    sched.step(1.0)
    assert sched.last_epoch == 8
