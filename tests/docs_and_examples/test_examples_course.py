"""The course's experiments in ``examples/`` run (fast mode) and their key claims hold.

Each test runs an example's ``main(["--fast", "--out", tmp])`` -- argument parsing, training,
printing and plots -- and checks the claim the example is there to show, with margins that a
broken library (or a broken example) would miss.
"""
from __future__ import annotations

from paths import ROOT
import importlib.util
import math
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import minigrad as mg

EXAMPLES = ROOT / "examples"

try:
    import matplotlib  # noqa: F401
    HAVE_MATPLOTLIB = True
except ImportError:
    HAVE_MATPLOTLIB = False


def load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_main(name, tmp_path, *extra):
    module = load(name)
    return module, module.main(["--fast", "--out", str(tmp_path), *extra])


def pngs(tmp_path):
    return sorted(p.name for p in tmp_path.glob("*.png"))


def assert_plots(tmp_path, *names):
    if HAVE_MATPLOTLIB:
        assert set(names) <= set(pngs(tmp_path)), pngs(tmp_path)


def test_initialization_zeros_never_break_symmetry_and_he_works(tmp_path, capsys):
    _, res = run_main("01_initialization", tmp_path)
    zeros, constant, large, he = (res[k] for k in ("zeros", "constant", "large", "he"))
    # every hidden unit of a layer keeps exactly the same incoming weights (rows equal)
    assert zeros["row_spread"] == [0.0, 0.0]
    assert constant["row_spread"] == [0.0, 0.0]  # even though these weights moved
    assert min(he["row_spread"]) > 0.1
    # zeros: the network never leaves chance (cost log 2, accuracy about 1/2)
    assert abs(zeros["cost"] - math.log(2)) < 1e-3
    assert he["test_accuracy"] >= zeros["test_accuracy"] + 0.3
    assert he["test_accuracy"] >= 0.9
    # large: an enormous first cost, and still worse than He at the end
    assert large["first_cost"] > 50 * he["first_cost"]
    assert he["cost"] < large["cost"]
    assert any("vanishing gradient" in w for w in zeros["warnings"])
    out = capsys.readouterr().out
    assert "zeros" in out and "he" in out
    assert_plots(tmp_path, "01_initialization.png")


def test_regularization_shrinks_the_train_test_gap(tmp_path):
    _, res = run_main("02_regularization", tmp_path)
    none, l2, dropout = res["none"], res["L2"], res["dropout"]
    assert none["train_accuracy"] >= 0.95  # the unregularised network over-fits ...
    assert none["gap"] > 0.08  # ... and generalises worse than it fits
    assert l2["gap"] < none["gap"] - 0.03
    assert dropout["gap"] < none["gap"] - 0.03
    assert l2["weight_norm"] < 0.5 * none["weight_norm"]  # weight decay shrinks W
    assert_plots(tmp_path, "02_regularization.png")


def test_regularization_passes_the_device_through(device):
    ex = load("02_regularization")
    res = ex.train_one("dropout", ex.make_data(n_train=40, n_test=40), epochs=3, lr=0.03, device=device)
    assert all(p.device == device for p in res["model"].parameters())
    assert 0.0 <= res["test_accuracy"] <= 1.0


def test_gradient_checking_passes_the_model_and_catches_the_planted_bug(tmp_path, capsys):
    _, res = run_main("03_gradient_checking", tmp_path)
    assert res["model"]["difference"] < 1e-7 and res["model"]["passed"]
    assert res["custom_op"]["difference"] < 1e-7 and res["custom_op"]["passed"]
    assert res["buggy_op"]["difference"] > 1e-3 and not res["buggy_op"]["passed"]
    per = res["buggy_op"]["per_parameter"]
    assert per["W2"] > 1e-3  # the report points at the layer with the bug ...
    assert all(v < 1e-7 for k, v in per.items() if k != "W2")  # ... and only at it
    assert "mistake in the backward propagation" in capsys.readouterr().out


def test_optimization_adam_beats_plain_minibatch_gd(tmp_path):
    _, res = run_main("04_optimization", tmp_path)
    gd, momentum, adam = (res[(k, False)] for k in ("gd", "momentum", "adam"))
    assert adam["cost"] < gd["cost"] - 0.1
    assert adam["cost"] < momentum["cost"] - 0.1
    assert adam["accuracy"] > gd["accuracy"]
    # decay lets gradient descent start with a large step: far better than alpha = 0.0007
    assert res[("gd", True)]["cost"] < gd["cost"] - 0.1
    lrs = res[("gd", True)]["history"]["lr"]
    assert lrs[0] == pytest.approx(0.1) and lrs[-1] < lrs[0] / 4  # alpha0 / (1 + 4) at the end
    assert_plots(tmp_path, "04_optimization_costs.png", "04_optimization_boundaries.png")


def test_batchnorm_trains_where_the_plain_network_is_stuck(tmp_path, capsys):
    ex, res = run_main("05_batchnorm_softmax", tmp_path)
    log_c = math.log(ex.CLASSES)
    plain, bn = res[("random", False)], res[("random", True)]
    assert plain["train_cost"] > 0.95 * log_c  # small init without BN: still guessing
    assert bn["train_cost"] < 0.4 * log_c
    assert bn["dev_accuracy"] > plain["dev_accuracy"] + 0.5
    assert res[("he", False)]["dev_accuracy"] > 0.85 and res[("he", True)]["dev_accuracy"] > 0.85
    # softmax: probabilities that sum to 1 per row, and the arg-max is the prediction
    dev_X = ex.make_data()[1][0]
    probs, pred = ex.softmax_demo(res[("he", True)]["model"], dev_X)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    logits = mg.train.predict(res[("he", True)]["model"], dev_X[:len(pred)]).numpy()
    np.testing.assert_array_equal(pred, logits.argmax(axis=1))
    assert "each row sums to 1" in capsys.readouterr().out
    assert_plots(tmp_path, "05_batchnorm_softmax.png")


def test_hyperparameter_search_finds_the_good_region_and_resumes(tmp_path, monkeypatch):
    ex, (rand, fine) = run_main("06_hyperparameter_search", tmp_path, "--sequential")
    assert len(rand) == 8 and len(fine) == 12 and not rand.failed and not fine.failed
    # with this budget a learning rate below 0.01 cannot train the network: the best is far above
    for res in (rand, fine):
        assert 0.1 <= res.best_config["lr"] <= 10
    slow = [t.metrics["dev_cost"] for t in fine.ok + rand.ok if t.config["lr"] < 0.01]
    good = [t.metrics["dev_cost"] for t in fine.ok + rand.ok if 0.1 <= t.config["lr"] <= 10]
    assert slow and good and np.mean(good) < np.mean(slow) - 0.1
    for path in (rand.path, fine.path):
        assert len(pathlib.Path(path).read_text().splitlines()) == (8 if path == rand.path else 12)
    assert_plots(tmp_path, "06_random_search.png", "06_coarse_to_fine.png")

    def must_not_train(config):
        raise AssertionError("a finished trial was trained again")

    monkeypatch.setattr(ex, "train", must_not_train)  # a second run reads the results files
    again, again_fine = ex.search(fast=True, out=str(tmp_path), executor="sequential")
    assert again.best_config == rand.best_config and again_fine.best_config == fine.best_config


def test_fuzz_your_op_passes_the_op_and_catches_the_broadcasting_bug():
    ex = load("07_fuzz_your_op")
    res = ex.run(fast=True, use_pytest=False)  # no pytest inside pytest; the file runs below
    assert res["tests"]["failed"] == 0 and res["tests"]["passed"] == 3
    assert res["correct"] is None
    example, report = res["buggy"]
    assert "GradcheckError" in report and "likely a bug" in report
    assert "drawn=" in example and "tensor(" in example  # the shrunk input (wording differs by Hypothesis version)


def test_the_op_test_file_passes_under_pytest(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLES / "test_my_op.py")]
    res = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "3 passed" in res.stdout


def test_main_job_compiled_trains_exactly_as_eager(tmp_path):
    pytest.importorskip("sklearn")
    spec = importlib.util.spec_from_file_location("_main_job", EXAMPLES / "main.py")
    ex = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ex)
    runs = [ex.train(fast=True, out=str(tmp_path / name), epochs=2, progress=False, compile=compile)
            for name, compile in (("eager", False), ("compiled", True))]
    for key in ("train_cost", "dev_cost", "dev_accuracy"):
        assert runs[0]["history"][key] == runs[1]["history"][key], key
    assert runs[0]["test_accuracy"] == runs[1]["test_accuracy"]


def test_main_job_reaches_high_dev_accuracy(tmp_path, capsys):
    pytest.importorskip("sklearn")
    ex, res = run_main("main", tmp_path)
    assert res["dev_accuracy"] > 0.9 and res["test_accuracy"] > 0.9
    assert res["sizes"] == (1079, 359, 359)  # 60/20/20 of the 1797 digits
    d = res["diagnosis"]
    assert d.human_error == ex.HUMAN_ERROR
    assert d.train_error == pytest.approx(1 - res["train_accuracy"])
    assert d.dev_error == pytest.approx(1 - res["dev_accuracy"])
    assert os.path.exists(res["checkpoint"])
    out = capsys.readouterr().out
    assert "dev" in out and "test" in out and "human-level error" in out
    assert_plots(tmp_path, "main_learning_curves.png")
