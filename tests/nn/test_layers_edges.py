"""Layer edges pinned against hand-worked outcomes: Dropout's error names and p / keep_prob spellings,
Linear / Flatten / Unflatten boundaries."""
import numpy as np
import pytest

import minigrad as mg
import nn
import nn.functional as F


def test_dropout_errors_name_the_layer_and_the_function():
    with pytest.raises(ValueError, match=r"^Dropout: drop probability p must be in \[0, 1\], got 1\.5$"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match=r"^Dropout: p=0\.5 and keep_prob=0\.8 disagree"):
        nn.Dropout(0.5, keep_prob=0.8)
    with pytest.raises(ValueError, match=r"^dropout: drop probability p must be in \[0, 1\], got -0\.1$"):
        F.dropout(mg.ones(2), -0.1)


@pytest.mark.parametrize("kwargs, p", [({}, 0.5), ({"keep_prob": 0.8}, 0.2), ({"p": 0.3}, 0.3),
                                       ({"keep_prob": 1.0}, 0.0), ({"keep_prob": 0.0}, 1.0)])
def test_dropout_p_and_keep_prob_spellings(kwargs, p):
    d = nn.Dropout(**kwargs)
    assert d.p == pytest.approx(p, abs=1e-15) and d.keep_prob == pytest.approx(1.0 - p, abs=1e-15)
    assert repr(d) == f"Dropout(p={d.p})"


def test_linear_size_errors_name_the_argument():
    for bad in (-1, 1.5, False):
        with pytest.raises(ValueError, match=rf"^Linear: in_features must be a non-negative int, got {bad!r}$"):
            nn.Linear(bad, 2)
    assert repr(nn.Linear(0, 0, bias=False)) == "Linear(in_features=0, out_features=0, bias=False)"


def test_p_and_keep_prob_agreement_tolerance_is_strictly_above_1e_12():
    keep_prob = 1.0 - 2.0 ** -39  # 1 - keep_prob is exactly 2**-39
    p = 2.0 ** -39 - 1e-12  # they differ by exactly 1e-12 (as doubles): still agreeing
    assert abs((1.0 - keep_prob) - p) == 1e-12
    assert F.dropout(mg.ones(3), p, keep_prob=keep_prob, training=False).shape == (3,)
    assert nn.Dropout(p, keep_prob=keep_prob).p == p
    with pytest.raises(ValueError, match=r"^dropout: p=0\.3 and keep_prob=0\.6 disagree \(p is the drop probability, "
                                         r"keep_prob = 1 - p\); give one of them$"):
        F.dropout(mg.ones(2), 0.3, keep_prob=0.6)


def test_functional_dropout_keep_prob_and_float64_scale(device):
    x = mg.Tensor(np.linspace(1.0, 2.0, 400), device=device, dtype=mg.float64)
    out = F.dropout(x, keep_prob=0.7, generator=mg.Generator(device, seed=5)).numpy()
    kept = out != 0
    assert 0.6 < kept.mean() < 0.8  # keep_prob, not the default 0.5
    np.testing.assert_array_equal(out[kept], x.numpy()[kept] * (1.0 / 0.7))  # exact: the scale is float64's 1/0.7
    assert out.dtype == np.float64


def test_unflatten_sizes_must_match_exactly_without_minus_one():
    x = mg.zeros(2, 12)
    with pytest.raises(ValueError, match=r"^Unflatten: axis 1 of input of shape \(2, 12\) has size 12, which cannot be "
                                         r"split into \(2, 3\)$"):
        nn.Unflatten(1, (2, 3))(x)  # 12 is a multiple of 6, but without -1 the sizes must multiply to 12
    assert nn.Unflatten(1, (3, 0))(mg.zeros(2, 0)).shape == (2, 3, 0)  # zero sizes are allowed
    assert nn.Unflatten(1, (0,))(mg.zeros(2, 0)).shape == (2, 0)
    assert nn.Unflatten(1, (4, -1))(x).shape == (2, 4, 3)
