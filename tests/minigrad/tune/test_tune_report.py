"""minigrad.tune results for people: the table, the plot on each hyperparameter's scale, progress."""
import sys

import numpy as np
import pytest

from minigrad import tune
import tune_objectives as obj

SPACE = {"lr": tune.log_uniform(1e-4, 1), "beta": tune.one_minus_log_uniform(0.9, 0.999),
         "net": {"hidden": tune.int_uniform(8, 64), "act": tune.choice(["relu", "tanh"])}}


@pytest.fixture(scope="module")
def results():
    return tune.random_search(obj.quadratic, SPACE, 10, seed=0, executor="sequential", progress=False)


def test_table_lists_trials_best_first_with_dotted_hyperparameters(results):
    lines = results.table().splitlines()
    assert lines[0].split() == ["#", "trial", "status", "dev_cost", "train_cost", "lr", "beta", "net.hidden",
                                "net.act", "seed", "time_s"]
    assert len(lines) == 11 and lines[1].split()[1] == str(results.best.trial_id)
    assert f"{results.best.metrics['dev_cost']:.4g}" in lines[1]
    short = results.table(max_rows=3).splitlines()
    assert len(short) == 5 and short[-1] == "... 7 more"
    assert repr(results).startswith("<Results: 10 trials, 0 failed, best dev_cost=")


def test_plot_puts_each_hyperparameter_on_its_own_scale(results, tmp_path):
    pytest.importorskip("matplotlib")
    fig = results.plot(path=tmp_path / "tune.png")
    axes = {ax.get_xlabel(): ax for ax in fig.axes}
    assert set(axes) == {"lr", "1 - beta", "net.hidden", "net.act"}
    assert axes["lr"].get_xscale() == "log" and axes["1 - beta"].get_xscale() == "log"
    assert axes["1 - beta"].xaxis_inverted() and axes["net.hidden"].get_xscale() == "linear"
    ok = results.ok
    points = axes["1 - beta"].collections[0].get_offsets()
    np.testing.assert_allclose(points[:, 0], [1 - t.config["beta"] for t in ok], rtol=1e-12)
    np.testing.assert_allclose(points[:, 1], [t.metrics["dev_cost"] for t in ok], rtol=1e-12)
    acts = axes["net.act"].collections[0].get_offsets()[:, 0]
    assert list(acts) == [["relu", "tanh"].index(t.config["net"]["act"]) for t in ok]
    assert (tmp_path / "tune.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_says_what_to_install(results, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"plotting results needs matplotlib \(pip install matplotlib\)"):
        results.plot()


def test_progress_bar_counts_trials_and_is_quiet_when_asked(capsys):
    pytest.importorskip("tqdm")
    tune.random_search(obj.quadratic, SPACE, 4, executor="sequential", progress=True)
    err = capsys.readouterr().err
    assert "4/4" in err and "best dev_cost=" in err
    tune.random_search(obj.quadratic, SPACE, 4, executor="sequential", progress=False)
    tune.random_search(obj.quadratic, SPACE, 4, executor="sequential")  # stderr is not a terminal here
    assert capsys.readouterr().err == ""


def test_progress_without_tqdm_is_a_plain_counter(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    res = tune.random_search(obj.quadratic, SPACE, 3, executor="sequential", progress=True)
    best = f"{res.best.metrics['dev_cost']:.4g}"
    assert capsys.readouterr().err.splitlines()[-1].endswith(f"trials: 3/3 best dev_cost={best}")
