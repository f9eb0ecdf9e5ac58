"""minigrad.tune spaces, pinned: range ends of every sampler, one-point grids, integer and choice
details, zoom's floor and its corner cases, messages naming the sampler."""
import math

import numpy as np
import pytest

from minigrad import tune
from minigrad.tune import space as sp


class _Fixed:
    """A stand-in generator: uniform() returns its lower end (u = 0) or just below the upper end."""

    def __init__(self, u):
        self.u = u

    def uniform(self, lo, hi):
        return lo + (hi - lo) * self.u

    def integers(self, lo, hi=None):
        return lo if hi is None else (lo if self.u == 0 else hi - 1)


def test_samplers_reach_both_ends_of_their_range():
    lo_end, hi_end = _Fixed(0.0), _Fixed(1.0 - 2 ** -53)
    lr = tune.log_uniform(1e-4, 1.0)
    assert lr.sample(lo_end) == 1e-4 and lr.sample(hi_end) == pytest.approx(1.0, rel=1e-12)
    beta = tune.one_minus_log_uniform(0.9, 0.999)
    assert beta.sample(lo_end) == 0.999                         # r = log10(1 - high) at its lower end
    assert beta.sample(hi_end) == pytest.approx(0.9, rel=1e-12)
    u = tune.uniform(-2.0, 3.0)
    assert u.sample(lo_end) == -2.0 and u.sample(hi_end) == pytest.approx(3.0)
    k = tune.int_uniform(3, 6)
    assert k.sample(lo_end) == 3 and k.sample(hi_end) == 6


def test_samples_follow_the_generators_uniform_draw_on_the_log_scale():
    rng = np.random.default_rng(12)
    got = [tune.log_uniform(1e-3, 10.0).sample(rng) for _ in range(5)]
    ref = np.random.default_rng(12)
    np.testing.assert_allclose(got, [10 ** ref.uniform(-3, 1) for _ in range(5)], rtol=1e-12)
    rng = np.random.default_rng(3)
    got = [tune.one_minus_log_uniform(0.9, 0.9999).sample(rng) for _ in range(5)]
    ref = np.random.default_rng(3)
    np.testing.assert_allclose(got, [1 - 10 ** ref.uniform(-4, -1) for _ in range(5)], rtol=1e-12)


def test_clipping_keeps_rounded_values_inside():
    d = tune.log_uniform(1e-3, 1e-1)
    assert d._clip(0.5) == 1e-1 and d._clip(1e-5) == 1e-3 and d._clip(0.01) == 0.01


def test_integer_draws_reach_both_ends_with_equal_shares():
    rng = np.random.default_rng(0)
    k = [tune.int_uniform(0, 1).sample(rng) for _ in range(2000)]
    assert set(k) == {0, 1} and abs(np.mean(k) - 0.5) < 0.05
    assert tune.int_uniform(5, 5).sample(rng) == 5


def test_scaled_coordinates_and_bounds():
    assert tune.log_uniform(1e-4, 1).t_bounds == (-4.0, 0.0)
    lo, hi = tune.one_minus_log_uniform(0.9, 0.999).t_bounds
    assert lo == pytest.approx(-3) and hi == pytest.approx(-1)
    assert tune.uniform(2, 5).t_bounds == (2.0, 5.0)
    assert tune.int_uniform(3, 3).t_bounds == (2.5, 3.5)
    d = tune.one_minus_log_uniform(0.5, 0.99)
    assert d.from_scaled(d.to_scaled(0.7)) == pytest.approx(0.7, rel=1e-12)
    assert d.to_scaled(0.99) == pytest.approx(-2.0) and tune.uniform(0, 1).to_scaled(0.3) == 0.3


def test_one_point_grids_are_the_middle_of_the_scaled_range():
    assert tune.log_uniform(1e-4, 1).grid(1) == [pytest.approx(1e-2)]
    assert tune.uniform(0, 1).grid(1) == [0.5]
    assert tune.one_minus_log_uniform(0.9, 0.999).grid(1) == [pytest.approx(0.99)]
    assert tune.int_uniform(1, 10).grid(1) == [6] and tune.int_uniform(1, 9).grid(1) == [5]
    assert tune.int_uniform(3, 3).grid(3) == [3]
    assert tune.int_uniform(1, 3).grid(5) == [1, 2, 3]          # repeated integers appear once
    assert tune.choice(["a", "b", "c"]).grid(1) == ["a", "b", "c"]
    assert tune.uniform(0, 1).grid(2) == [0.0, 1.0]


def test_grid_of_a_space_one_point_per_dimension_and_nested_dicts():
    space = {"opt": {"lr": tune.log_uniform(1e-3, 1e-1), "m": 0.9}, "k": tune.int_uniform(2, 4)}
    assert sp.grid(space, 1) == [{"opt": {"lr": pytest.approx(1e-2), "m": 0.9}, "k": 3}]
    got = sp.grid(space, 2)
    assert [(c["opt"]["lr"], c["k"]) for c in got] == [(pytest.approx(1e-3), 2), (pytest.approx(1e-3), 4),
                                                         (pytest.approx(1e-1), 2), (pytest.approx(1e-1), 4)]
    assert sp.grid({}, 3) == [{}]
    assert sp.grid({"a": tune.uniform(0, 1)}, 3.0) == [{"a": 0.0}, {"a": 0.5}, {"a": 1.0}]
    for bad in (0, -1):
        with pytest.raises(ValueError, match=rf"^grid: points_per_dim must be >= 1, got {bad}$"):
            sp.grid({"a": tune.uniform(0, 1)}, bad)
    with pytest.raises(TypeError, match=r"^tune: a search space must be a dict"):
        sp.grid([1], 2)


@pytest.mark.parametrize("make, match", [
    (lambda: tune.uniform(2, 1), r"^uniform: need finite low < high, got low=2.0, high=1.0$"),
    (lambda: tune.uniform(math.nan, 1), r"^uniform: need finite low < high"),
    (lambda: tune.log_uniform(1, math.inf), r"^log_uniform: need finite low < high"),
    (lambda: tune.log_uniform(-1, 1), r"^log_uniform: bounds must be > 0, got low=-1.0, high=1.0$"),
    (lambda: tune.one_minus_log_uniform(0.9, 1.5),
     r"^one_minus_log_uniform: bounds must be < 1 \(1 - beta is sampled on a log scale\), got low=0.9, high=1.5$"),
    (lambda: tune.int_uniform(3, 2), r"^int_uniform: need integers low <= high, got low=3, high=2$"),
    (lambda: tune.int_uniform(1, 2.5), r"^int_uniform: need integers low <= high, got low=1, high=2.5$"),
])
def test_bad_bounds_messages(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_allowed_edges_of_the_bounds():
    assert tune.one_minus_log_uniform(0.0, 0.5).t_bounds[1] == 0.0    # low = 0 is fine, 1 - 0 = 1
    assert tune.int_uniform(2.0, 2).low == 2 and isinstance(tune.int_uniform(2.0, 3.0).high, int)
    assert tune.log_uniform(1e-300, 1e-299).low == 1e-300


def test_equality_and_repr():
    assert tune.log_uniform(1e-4, 1) == tune.log_uniform(1e-4, 1)
    assert tune.log_uniform(1e-4, 1) != tune.uniform(1e-4, 1)
    assert tune.log_uniform(1e-4, 1) != tune.log_uniform(1e-4, 0.5)
    assert tune.log_uniform(1e-4, 1) != tune.log_uniform(1e-3, 1)
    assert tune.choice([1, 2]) == tune.choice([1, 2]) and tune.choice([1, 2]) != tune.choice([2, 1])
    assert tune.choice([1]) != [1]
    assert repr(tune.log_uniform(1e-4, 1)) == "log_uniform(0.0001, 1)"
    assert repr(tune.uniform(0.5, 2)) == "uniform(0.5, 2)"
    assert repr(tune.one_minus_log_uniform(0.9, 0.999)) == "one_minus_log_uniform(0.9, 0.999)"
    assert repr(tune.int_uniform(1, 3)) == "int_uniform(1, 3)"
    assert repr(tune.choice(["a", 1])) == "choice(['a', 1])"
    assert [d.scale for d in (tune.uniform(0, 1), tune.log_uniform(1, 2), tune.one_minus_log_uniform(0, .5),
                              tune.int_uniform(0, 1), tune.choice([0]))] == \
        ["linear", "log", "one_minus_log", "linear", "categorical"]


def test_with_bounds_keeps_the_kind_and_integers_round_inward():
    assert tune.log_uniform(1e-4, 1).with_bounds(1e-3, 1e-2) == tune.log_uniform(1e-3, 1e-2)
    d = tune.int_uniform(1, 100)
    assert (d.with_bounds(19.6, 80.4).low, d.with_bounds(19.6, 80.4).high) == (20, 80)
    assert (d.with_bounds(19.4, 80.6).low, d.with_bounds(19.4, 80.6).high) == (19, 81)
    assert (d.with_bounds(-5, 500).low, d.with_bounds(-5, 500).high) == (1, 100)      # kept inside
    narrow = d.with_bounds(50.2, 50.3)                                               # never empty
    assert (narrow.low, narrow.high) == (50, 50)


def test_int_clip_rounds_and_stays_inside():
    d = tune.int_uniform(2, 8)
    assert d._clip(4.6) == 5 and d._clip(-3) == 2 and d._clip(11.2) == 8
    assert isinstance(d._clip(4.6), int)


def test_choice_draws_every_option_by_index():
    opts = ["a", "b", "c"]
    rng = np.random.default_rng(5)
    got = [tune.choice(opts).sample(rng) for _ in range(6)]
    ref = np.random.default_rng(5)
    assert got == [opts[int(ref.integers(3))] for _ in range(6)]
    assert tune.choice([None]).sample(rng) is None


def test_sample_draws_in_insertion_order_including_nested_dicts():
    space = {"a": tune.uniform(0, 1), "n": {"b": tune.uniform(0, 1), "c": 7}, "d": tune.uniform(0, 1)}
    cfg = tune.sample(space, np.random.default_rng(1))
    u = np.random.default_rng(1).uniform(0, 1, size=3)
    assert cfg == {"a": u[0], "n": {"b": u[1], "c": 7}, "d": u[2]}


def test_space_checks_name_the_nested_key():
    with pytest.raises(TypeError, match=r"^tune: a search space must be a dict of distributions, constants and "
                                        r"nested dicts; space is list$"):
        tune.sample([1], np.random.default_rng(0))
    with pytest.raises(TypeError, match=r"^tune: search space keys must be strings, space has key 3$"):
        tune.sample({3: 1}, np.random.default_rng(0))
    with pytest.raises(TypeError, match=r"space\['a'\]\['b'\] has key 1"):
        tune.sample({"a": {"b": {1: 2}}}, np.random.default_rng(0))


def test_flatten_and_distributions():
    space = {"lr": tune.log_uniform(1e-3, 1), "opt": {"b1": tune.uniform(0, 1), "n": {"k": 2}}, "c": 1}
    flat = sp.flatten(space)
    assert list(flat) == ["lr", "opt.b1", "opt.n.k", "c"] and flat["opt.n.k"] == 2
    assert sp.flatten({"a": 1}, "p.") == {"p.a": 1}
    assert list(sp.distributions(space)) == ["lr", "opt.b1"]


def test_zoom_without_best_configs_returns_the_space():
    space = {"lr": tune.log_uniform(1e-4, 1)}
    assert tune.zoom(space, [], 10) is space


def test_zoom_floor_uses_numeric_dimensions_only():
    # 2 numeric dimensions (a choice does not count), 16 samples: spacing = width / 16**(1/2) = width / 4
    space = {"x": tune.uniform(0, 8), "y": tune.uniform(0, 8), "c": tune.choice(["p", "q"])}
    best = [{"x": 4.0, "y": 2.0, "c": "q"}]
    z = tune.zoom(space, best, n_samples=16, pad=0.5, margin=0.5)
    assert (z["x"].low, z["x"].high) == (3.0, 5.0)          # floor 0.5 * 8 / 4 = 1
    assert (z["y"].low, z["y"].high) == (1.0, 3.0)
    assert z["c"].options == ["q"]
    # a single numeric dimension: spacing width / n
    z1 = tune.zoom({"x": tune.uniform(0, 8)}, [{"x": 4.0}], n_samples=16, pad=0.5, margin=0.5)
    assert (z1["x"].low, z1["x"].high) == (3.75, 4.25)
    # only choices: d counts as 1
    zc = tune.zoom({"c": tune.choice([1, 2, 3])}, [{"c": 2}, {"c": 3}], n_samples=4)
    assert zc["c"].options == [2, 3]


def test_zoom_pad_widens_by_a_share_of_the_span_and_keeps_constants():
    space = {"x": tune.uniform(0, 100), "k": "const"}
    z = tune.zoom(space, [{"x": 40.0, "k": "const"}, {"x": 60.0, "k": "const"}], n_samples=10 ** 6, pad=0.25,
                  margin=0.0)
    assert (z["x"].low, z["x"].high) == (35.0, 65.0) and z["k"] == "const"
    z0 = tune.zoom(space, [{"x": 40.0, "k": "const"}], n_samples=4)          # defaults pad=0.5, margin=0.5
    assert (z0["x"].low, z0["x"].high) == (27.5, 52.5)                      # floor 0.5 * 100 / 4 = 12.5


def test_zoom_keeps_the_old_distribution_when_the_new_range_collapses():
    space = {"x": tune.uniform(0, 1)}
    z = tune.zoom(space, [{"x": 0.5}], n_samples=4, pad=0.0, margin=0.0)
    assert z["x"] == space["x"]
    zl = tune.zoom({"lr": tune.log_uniform(1e-4, 1)}, [{"lr": 1e-4}], n_samples=16, pad=0.5, margin=0.5)
    # floor 0.5 * 4 decades / 16 = 1/8 decade; cut at the old lower end
    assert zl["lr"].low == 1e-4 and zl["lr"].high == pytest.approx(10 ** -3.875, rel=1e-12)


def test_zoom_of_a_choice_no_best_used_keeps_every_option_and_ints_zoom_on_their_cells():
    z = sp._zoom({"c": tune.choice(["a", "b"])}, [{"c": "z"}], 0.5, 0.1)
    assert z["c"].options == ["a", "b"]
    zi = tune.zoom({"h": tune.int_uniform(0, 9)}, [{"h": 5}], n_samples=10, pad=0.5, margin=0.5)
    # cells [-0.5, 9.5], width 10, floor 0.5 * 10 / 10 = 0.5: [4.5, 5.5] -> integers 5..5
    assert (zi["h"].low, zi["h"].high) == (5, 5)


def test_a_choice_of_a_non_json_option_names_its_type():
    with pytest.raises(TypeError, match=r"^choice: options must be JSON values \(numbers, strings, bools, None, lists, "
                                        r"dicts\) so trials can be saved, got \{1, 2\} of type set$"):
        tune.choice(["a", {1, 2}])
