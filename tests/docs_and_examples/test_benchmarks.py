"""The benchmark scripts still run, and their minigrad sides still do the NumPy reference's maths.

No timing is asserted (speed is for the scripts to print).  What is asserted is each script's own
"same maths" check, on sizes small enough for CI: in float64 the minigrad training steps
(raw Tensor ops, and nn.Sequential + nn.CrossEntropyLoss + optim.Adam) must land on the weights
that the hand-written NumPy transcription of the course's equations gives.
"""
from __future__ import annotations

from paths import ROOT
import importlib.util
import pathlib

import numpy as np
import pytest

BENCHMARKS = ROOT / "benchmarks"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def epoch_bench():
    bench = _load("bench_mlp_epoch")
    bench.N = 512  # the data set the script makes: 512 examples, not 60,000
    return bench


@pytest.mark.parametrize("model", ["raw", "nn", "compiled", "compiled-fused"])
def test_epoch_sides_match_numpy_adam_training_in_float64(epoch_bench, model):
    x, y = epoch_bench.make_data()
    assert x.shape == (512, 784)
    diff = epoch_bench.float64_agreement(x, y, batch=32, steps=6, model=model)
    assert diff < 1e-12


def test_epoch_sides_differ_when_the_maths_differs(epoch_bench, monkeypatch):
    """The agreement check can fail: a NumPy side with another beta1 lands elsewhere."""
    x, y = epoch_bench.make_data()
    adam = epoch_bench.NumpyMLP.adam
    monkeypatch.setattr(epoch_bench.NumpyMLP, "adam", lambda self, grads: adam(self, grads, beta1=0.8))
    assert epoch_bench.float64_agreement(x, y, batch=32, steps=3, model="nn") > 1e-6


def test_epoch_timing_loop_runs_every_side(epoch_bench):
    x, y = epoch_bench.make_data()
    per_epoch, n_batches, checks = epoch_bench.bench(64, x, y, epochs=1, max_batches=4, models=("raw", "nn"))
    assert n_batches == 4
    assert set(per_epoch[0]) == {"numpy", "raw", "nn"} and all(t > 0 for t in per_epoch[0].values())
    assert max(checks.values()) < 1e-4  # float32 losses of the first 3 steps


@pytest.mark.skipif(not pathlib.Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_epoch_memory_child_reports_data_and_training_peaks(epoch_bench, capsys):
    epoch_bench.memory_child("nn", 64)
    with_data, peak = map(float, capsys.readouterr().out.split())
    assert 0 < with_data <= peak


def test_core_bench_runs_small():
    core = _load("bench_core")
    for kind in core.STEPS:
        t_np, t_mg, ratio = core.bench_mlp(8, 1, kind)  # asserts the same first-step loss itself
        assert t_np > 0 and t_mg > 0 and ratio > 0
    assert core.bench_per_op(n=12, repeats=1) > 0
    assert core.bench_long_chain(500) > 0


def test_core_bench_step_matches_numpy_gradient_descent():
    """Three plain gradient-descent steps of the fused minigrad step give NumPy's weights."""
    core = _load("bench_core")
    import minigrad as mg

    rng = np.random.default_rng(3)
    x = rng.standard_normal((16, 784))
    labels = rng.integers(0, 10, 16)
    start = [p.astype(np.float64) for p in core._init_params(rng)]
    ref = [p.copy() for p in start]
    params = [mg.tensor(p, requires_grad=True) for p in start]
    for _ in range(3):
        core.numpy_step(ref, x, np.eye(10)[labels], 0.1)
        core.minigrad_fused_step(params, mg.tensor(x), mg.tensor(labels), 0.1)
    assert max(float(np.max(np.abs(p.numpy() - q))) for p, q in zip(params, ref)) < 1e-12
    assert max(float(np.max(np.abs(p - q))) for p, q in zip(ref, start)) > 1e-3  # they did move


def test_adam_step_bench_runs_and_agrees(capsys):
    _load("bench_adam_step").main(["--rounds", "2"])
    out = capsys.readouterr().out
    diff = float(out.split("max |optim - numpy| after 3 steps:")[1].split()[0])
    assert diff < 1e-6


def test_compile_benchmark_runs_and_a_warm_replay_keeps_no_array_memory(capsys):
    bench = _load("bench_compile")
    bench.main(["--rounds", "1", "--calls", "3"])
    out = capsys.readouterr().out
    assert "compiled, Adam(fused=True)" in out and "allocations per replay, 8-8-8-4" in out
    step = bench.make_step(fused=True)
    x, y = bench.mg.randn(16, 8), bench.mg.randint(0, 4, (16,))
    net, _ = bench.replay_allocations(step, x, y, calls=10)
    assert net <= 4 * 4 * (8 * 8 + 8 + 8 * 8 + 8 + 8 * 4 + 4)  # at most the gradients' one float32 array


def test_fusion_benchmark_designs_do_the_reference_update():
    bench = _load("bench_fusion")
    ref, threaded = bench.NumpyReference(), bench.ThreadedFlat()
    for _ in range(3):
        ref()
        threaded()
    assert np.array_equal(ref.p, threaded.p) and np.array_equal(ref.v, threaded.v)
    assert not np.array_equal(ref.p, bench.NumpyReference().p)  # the steps did move the parameters
