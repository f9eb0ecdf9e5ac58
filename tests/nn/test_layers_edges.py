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
