"""minigrad.tune's plot, pinned: the default hyperparameters without a space, categorical axes without
a space, the circled best trial, colours by round, the title and the nothing-to-plot message."""
import numpy as np
import pytest

from minigrad.tune.results import Results

pytest.importorskip("matplotlib")


def _res(space=None):
    recs = [{"trial_id": i, "config": {"lr": 10.0 ** -i, "act": act, "k": 3, "seed": 100 + i, "opt": {"m": 0.1 * i}},
             "metrics": {"dev_cost": c, "acc": 1 - c}, "status": "ok", "round": r}
            for i, (act, c, r) in enumerate([("relu", 0.5, 0), ("tanh", 0.2, 1), ("relu", 0.9, 2)])]
    recs.append({"trial_id": 9, "config": {"lr": 1.0}, "metrics": {}, "status": "failed", "error": "x"})
    return Results(recs, space=space)


def test_without_a_space_every_varying_number_except_seeds_is_plotted():
    fig = _res().plot()
    labels = [ax.get_xlabel() for ax in fig.axes]
    assert labels == ["lr", "opt.m"]                         # act is not a number, k does not vary, seed skipped
    assert fig._suptitle.get_text() == "3 trials, 1 failed (not shown)"
    lr = fig.axes[0]
    assert lr.get_xscale() == "linear" and lr.get_ylabel() == "dev_cost"
    pts, best = lr.collections
    np.testing.assert_allclose(pts.get_offsets(), [[0.1, 0.2], [1.0, 0.5], [0.01, 0.9]])   # best first
    np.testing.assert_allclose(best.get_offsets(), [[0.1, 0.2]])     # the best trial, circled
    np.testing.assert_array_equal(pts.get_array(), [1, 0, 2])         # coloured by round
    assert pts.norm.vmin == 0 and pts.norm.vmax == 2


def test_non_numeric_values_get_one_tick_each_and_another_metric_can_be_plotted():
    fig = _res().plot(params=["act", "k"], metric="acc")
    act, k = fig.axes
    # without a space the options are the values seen, in order of appearance (each used to be plotted at -1)
    assert [t.get_text() for t in act.get_xticklabels()] == ["tanh", "relu"]
    np.testing.assert_allclose(act.collections[0].get_offsets()[:, 0], [0, 1, 1])
    np.testing.assert_allclose(act.collections[0].get_offsets()[:, 1], [0.8, 0.5, 0.1])
    assert act.get_ylabel() == "acc" and k.get_xlabel() == "k"


def test_one_round_colour_scale_and_no_failures_in_the_title():
    res = Results([{"trial_id": 0, "config": {"x": 1.0}, "metrics": {"dev_cost": 1.0}, "status": "ok"},
                   {"trial_id": 1, "config": {"x": 2.0}, "metrics": {"dev_cost": 0.5}, "status": "ok"}])
    fig = res.plot(params=["x"])
    assert fig._suptitle.get_text() == "2 trials" and fig.axes[0].collections[0].norm.vmax == 1


def test_nothing_to_plot_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"^tune: nothing to plot \(3 successful trials with 'dev_cost', "
                                         r"hyperparameters \[\]\)$"):
        _res().plot(params=[])
    with pytest.raises(ValueError, match=r"^tune: nothing to plot \(0 successful trials with 'nope'"):
        _res().plot(metric="nope")
    path = tmp_path / "p.png"
    _res().plot(params=["lr"], path=str(path))
    assert path.read_bytes()[:4] == b"\x89PNG"
