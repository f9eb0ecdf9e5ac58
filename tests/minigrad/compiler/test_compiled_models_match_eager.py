"""Whole models trained by a compiled step against the same training run eagerly (the oracle),
bit for bit in float64: the layers whose ops build buffers (im2col, scatters, pooling masks),
with the first two calls (the traced ones) given the same batch, so a value frozen into the
replay would show on the third.  (The convolutions also catch a planned buffer laid out unlike
the traced value: a Fortran-ordered result whose reshape copied when traced but would be a view
of a reused buffer in the replay.)"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import nn
import optim

D = dict(dtype=mg.float64)

MODELS = {
    "layernorm-gelu": (lambda: nn.Sequential(nn.Linear(8, 16, **D), nn.LayerNorm(16, **D), nn.GELU(),
                                             nn.Linear(16, 3, **D)), (10, 8), False),
    "conv-maxpool": (lambda: nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, **D), nn.ReLU(), nn.MaxPool2d(2),
                                           nn.Flatten(), nn.Linear(64, 3, **D)), (5, 1, 8, 8), False),
    "conv-batchnorm-avgpool": (lambda: nn.Sequential(nn.Conv2d(1, 4, 3, **D), nn.BatchNorm2d(4, **D), nn.Tanh(),
                                                     nn.AvgPool2d(2), nn.Flatten(), nn.Linear(36, 3, **D)),
                               (5, 1, 8, 8), False),
    "embedding": (lambda: nn.Sequential(nn.Embedding(10, 6, **D), nn.Flatten(), nn.Linear(24, 3, **D)), (7, 4),
                  True),
    "dropout-sigmoid": (lambda: nn.Sequential(nn.Linear(8, 16, **D), nn.Sigmoid(), nn.Dropout(0.3),
                                              nn.Linear(16, 3, **D)), (10, 8), False),
}


def _train(build, shape, int_input, compiled, steps=6):
    mg.manual_seed(0)
    model = build()
    opt = optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    run = mg.compile(step) if compiled else step
    losses = []
    for i in range(steps):
        rng = np.random.default_rng(1 if i < 2 else i)  # calls 1 and 2 (the traced ones) see one batch
        x = rng.integers(0, 10, shape) if int_input else rng.standard_normal(shape)
        losses.append(run(mg.tensor(x), mg.tensor(rng.integers(0, 3, shape[0]))).item())
    if compiled:
        assert run.stats.replays == steps - 2
    return losses, model.state_dict()


@pytest.mark.parametrize("name", list(MODELS))
def test_compiled_training_equals_eager_training(name):
    build, shape, int_input = MODELS[name]
    eager_losses, eager_state = _train(build, shape, int_input, compiled=False)
    losses, state = _train(build, shape, int_input, compiled=True)
    assert losses == eager_losses
    for key in eager_state:
        assert np.array_equal(np.asarray(state[key]), np.asarray(eager_state[key])), key


def test_numpy_conversions_inside_an_op_are_recorded():
    """np.asarray / np.array of a traced array inside a custom op's forward: recorded, so the replay
    recomputes it from the new input instead of reusing the traced call's copy."""

    class Double(mg.Function):
        raw_backward = True

        def forward(self, x):
            return np.array(x, copy=True) * 2.0

        def backward(self, g):
            return g * 2.0

    def step(x):
        return Double.apply(x).sum()

    run = mg.compile(step)
    for v in (1.0, 1.0, 5.0, 7.0):
        x = mg.full((3,), v, dtype=mg.float64)
        assert run(x).item() == 6.0 * v
