"""minigrad.tune search spaces: each sampler's distribution on its own scale, seeds, grids, zoom."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from minigrad import tune
from minigrad.tune import space as sp

N = 4000  # samples per distribution test: the standard error of a share p=1/4 is ~0.007


def draws(dist, n=N, seed=0):
    rng = np.random.default_rng(seed)
    return [dist.sample(rng) for _ in range(n)]


def test_log_uniform_puts_a_quarter_of_samples_in_each_decade():
    x = np.array(draws(tune.log_uniform(1e-4, 1)))
    assert x.min() >= 1e-4 and x.max() <= 1
    decade = np.floor(np.log10(x)).clip(-4, -1)  # 1.0 itself belongs to the top decade
    shares = [np.mean(decade == d) for d in (-4, -3, -2, -1)]
    np.testing.assert_allclose(shares, 0.25, atol=0.03)


def test_one_minus_log_uniform_is_log_uniform_in_one_minus_beta():
    beta = np.array(draws(tune.one_minus_log_uniform(0.9, 0.999)))
    assert beta.min() >= 0.9 and beta.max() <= 0.999
    # the course: r in [-3, -1], beta = 1 - 10**r; half of the betas in [0.9, 0.99], half in [0.99, 0.999]
    assert abs(np.mean(beta < 0.99) - 0.5) < 0.03
    r = np.log10(1 - beta)
    np.testing.assert_allclose(np.quantile(r, [0.25, 0.5, 0.75]), [-2.5, -2.0, -1.5], atol=0.06)


def test_uniform_int_uniform_and_choice_are_flat():
    x = np.array(draws(tune.uniform(2.0, 5.0)))
    assert x.min() >= 2 and x.max() <= 5
    np.testing.assert_allclose(np.quantile(x, [0.25, 0.5, 0.75]), [2.75, 3.5, 4.25], atol=0.08)
    k = np.array(draws(tune.int_uniform(3, 6)))
    assert all(isinstance(v, int) for v in k[:5].tolist())
    np.testing.assert_allclose([np.mean(k == v) for v in (3, 4, 5, 6)], 0.25, atol=0.03)
    c = draws(tune.choice(["relu", "tanh", "sigmoid"]))
    np.testing.assert_allclose([c.count(o) / N for o in ("relu", "tanh", "sigmoid")], 1 / 3, atol=0.03)


SPACE = {"lr": tune.log_uniform(1e-4, 1), "epochs": 3,
         "adam": {"beta1": tune.one_minus_log_uniform(0.8, 0.99), "beta2": tune.one_minus_log_uniform(0.99, 0.9999)},
         "hidden": tune.int_uniform(16, 128), "act": tune.choice(["relu", "tanh"])}


def test_sample_is_deterministic_under_a_seed_and_keeps_nesting_and_constants():
    a = [tune.sample(SPACE, np.random.default_rng(7)) for _ in range(2)]
    b = tune.sample(SPACE, np.random.default_rng(8))
    assert a[0] == a[1] and a[0] != b
    cfg = a[0]
    assert cfg["epochs"] == 3 and set(cfg["adam"]) == {"beta1", "beta2"}
    assert 0.99 <= cfg["adam"]["beta2"] <= 0.9999 and cfg["act"] in ("relu", "tanh")


@pytest.mark.parametrize("make, match", [
    (lambda: tune.log_uniform(0, 1), "log_uniform: bounds must be > 0"),
    (lambda: tune.uniform(1, 1), "uniform: need finite low < high"),
    (lambda: tune.uniform(0, math.inf), "uniform: need finite"),
    (lambda: tune.one_minus_log_uniform(0.9, 1.0), "one_minus_log_uniform: bounds must be < 1"),
    (lambda: tune.int_uniform(1.5, 3), "int_uniform: need integers"),
    (lambda: tune.choice([]), "choice: needs at least one option"),
])
def test_bad_bounds_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_choice_options_must_be_json_values_and_spaces_dicts():
    with pytest.raises(TypeError, match="choice: options must be JSON values"):
        tune.choice([object()])
    with pytest.raises(TypeError, match="must be a dict"):
        tune.sample([tune.uniform(0, 1)], np.random.default_rng(0))
    with pytest.raises(TypeError, match=r"keys must be strings, space\['a'\] has key 1"):
        tune.sample({"a": {1: tune.uniform(0, 1)}}, np.random.default_rng(0))


def test_grid_is_even_on_each_scale():
    lr = tune.log_uniform(1e-4, 1).grid(5)
    np.testing.assert_allclose(lr, 10.0 ** np.linspace(-4, 0, 5), rtol=1e-12)
    beta = tune.one_minus_log_uniform(0.9, 0.999).grid(3)
    np.testing.assert_allclose(beta, [0.9, 0.99, 0.999], rtol=1e-12)
    assert tune.int_uniform(1, 10).grid(4) == [1, 4, 7, 10]
    configs = tune.grid_points({"lr": tune.log_uniform(1e-3, 1e-1), "act": tune.choice(["a", "b"]), "n": 2}, 3)
    assert len(configs) == 6 and all(c["n"] == 2 for c in configs)
    assert sorted({c["act"] for c in configs}) == ["a", "b"]
    np.testing.assert_allclose(sorted({c["lr"] for c in configs}), [1e-3, 1e-2, 1e-1], rtol=1e-12)


def test_zoom_widens_the_span_of_the_best_by_half_of_it_or_half_a_sample_spacing():
    space = {"lr": tune.log_uniform(1e-4, 1), "opt": {"beta": tune.one_minus_log_uniform(0.9, 0.999)},
             "act": tune.choice(["relu", "tanh", "elu"]), "h": tune.int_uniform(1, 100), "k": 5}
    best = [{"lr": 1e-3, "opt": {"beta": 0.99}, "act": "tanh", "h": 40, "k": 5},
            {"lr": 1e-2, "opt": {"beta": 0.99}, "act": "relu", "h": 80, "k": 5}]
    # 3 numeric dimensions, 64 samples: sample spacing = width / 64**(1/3) = width / 4
    z = tune.zoom(space, best, n_samples=64, pad=0.5, margin=0.5)
    # lr: span [-3, -2] in log10 (1 decade): pad max(0.5 * 1, 0.5 * 4 / 4) = 0.5 decade
    np.testing.assert_allclose([z["lr"].low, z["lr"].high], [10 ** -3.5, 10 ** -1.5], rtol=1e-9)
    # beta: both at 0.99 (log10(1 - beta) = -2), width 2 decades: floor 0.5 * 2 / 4 = 0.25 decade
    np.testing.assert_allclose([z["opt"]["beta"].low, z["opt"]["beta"].high],
                               [1 - 10 ** -1.75, 1 - 10 ** -2.25], rtol=1e-9)
    assert z["act"].options == ["relu", "tanh"] and z["k"] == 5
    # h: integers own [k - 0.5, k + 0.5), width 100; span [40, 80]: pad max(20, 12.5) -> [20, 100]
    assert (z["h"].low, z["h"].high) == (20, 100)
    # options are kept as trials see them, JSON values: a tuple option is a list in every config
    layers = tune.choice([(64, 32), (128,), (16, 16)])
    assert layers.options == [[64, 32], [128], [16, 16]]
    assert tune.zoom({"layers": layers}, [{"layers": [16, 16]}], 4)["layers"].options == [[16, 16]]
    wide = tune.zoom(space, best, n_samples=64, pad=0.0, margin=1.0)
    np.testing.assert_allclose([wide["lr"].low, wide["lr"].high], [1e-4, 1e-1], rtol=1e-9)


@given(lo=st.floats(-6, 0), width=st.floats(0.5, 5), u=st.lists(st.floats(0, 1), min_size=1, max_size=4),
       n=st.integers(1, 200), pad=st.floats(0, 2), margin=st.floats(0, 2))
def test_zoom_stays_inside_and_keeps_the_best(lo, width, u, n, pad, margin):
    dist = tune.log_uniform(10 ** lo, 10 ** (lo + width))
    best = [min(max(dist.from_scaled(lo + v * width), dist.low), dist.high) for v in u]
    z = sp.zoom({"x": dist}, [{"x": b} for b in best], n, pad, margin)["x"]
    assert dist.low <= z.low <= z.high <= dist.high
    assert all(z.low * (1 - 1e-12) <= b <= z.high * (1 + 1e-12) for b in best)
    t = np.log10(best)
    p = max(pad * (t.max() - t.min()), margin * width / n)
    expected = min(t.max() + p, lo + width) - max(t.min() - p, lo)
    if expected > 1e-9:  # a span that collapses to a point keeps the old distribution
        assert math.log10(z.high / z.low) == pytest.approx(expected, abs=1e-9)
