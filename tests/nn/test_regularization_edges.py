"""Penalties' boundaries pinned by hand: lambd = 0 allowed, m <= 0 refused, an iterable of tensors penalises all
of them (1-D included, a generator too), a Module only its >= 2-D weights (conv kernels included)."""
import numpy as np
import pytest

import minigrad as mg
import nn
import nn.regularization


def test_penalty_boundaries():
    lin = nn.Linear(2, 2)
    assert nn.l2_penalty(lin, 0.0, 3).item() == 0.0 and nn.l1_penalty(lin, 0, 1).item() == 0.0
    for m in (0, -1, -0.5, None):
        with pytest.raises(ValueError, match=rf"^l2_penalty: m \(the number of examples\) must be positive, got {m}$"):
            nn.l2_penalty(lin, 0.1, m)
        with pytest.raises(ValueError, match=r"^l1_penalty: m \(the number of examples\) must be positive"):
            nn.l1_penalty(lin, 0.1, m)
    with pytest.raises(ValueError, match=r"^l2_penalty: lambd must be >= 0, got -1e-09$"):
        nn.l2_penalty(lin, -1e-9, 3)
    with pytest.raises(ValueError, match=r"^l2_penalty: no weights to penalise"):
        nn.l2_penalty([], 0.1, 3)


def test_iterables_penalise_every_tensor_and_modules_only_weights():
    a, b = np.array([1.0, -2.0]), np.array([[3.0], [0.5]])
    ts = [mg.tensor(a), mg.tensor(b)]
    assert nn.l2_penalty(iter(ts), 0.4, 2).item() == pytest.approx(0.4 / 4 * (1 + 4 + 9 + 0.25), rel=1e-12)
    assert nn.l1_penalty((t for t in ts), 0.4, 2).item() == pytest.approx(0.4 / 2 * (1 + 2 + 3 + 0.5), rel=1e-12)
    conv = nn.Conv2d(1, 2, 2, dtype=mg.float64)
    k = conv.weight.numpy()
    assert nn.l2_penalty(conv, 1.0, 1).item() == pytest.approx(0.5 * np.sum(k ** 2), rel=1e-12)  # 4-D kernel: in
    assert nn.regularization.penalized_weights(conv)[0] is conv.weight
    with pytest.raises(TypeError, match="^penalty: expected a Module or Tensors, got an element of type ndarray$"):
        nn.l1_penalty([a], 0.1, 1)
