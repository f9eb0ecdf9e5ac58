"""``fused=True``: one call of the update rule per group over flat arrays, the same numbers as one
call per parameter (the oracle: the same optimizer without ``fused``, from the same start)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import nn
import optim

CASES = [
    (optim.SGD, dict(lr=0.1)),
    (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    (optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.1)),
    (optim.Momentum, dict(lr=0.1, beta=0.8)),
    (optim.Adam, dict(lr=0.01)),
    (optim.Adam, dict(lr=0.01, amsgrad=True, weight_decay=1e-2)),
    (optim.AdamW, dict(lr=0.01)),
    (optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.5)),
    (optim.Adagrad, dict(lr=0.1, lr_decay=1e-3, initial_accumulator_value=0.1)),
    (optim.Adamax, dict(lr=0.01)),
    (optim.NAdam, dict(lr=0.01)),
    (optim.RAdam, dict(lr=0.01)),
]


def _model(seed=0):
    mg.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 7, dtype=mg.float64), nn.Tanh(), nn.Linear(7, 3, dtype=mg.float64))


def _train(model, opt, steps=12, seed=1, between=None):
    rng = np.random.default_rng(seed)
    loss_fn = nn.MSELoss()
    for i in range(steps):
        x, y = mg.tensor(rng.standard_normal((6, 5))), mg.tensor(rng.standard_normal((6, 3)))
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
        if between is not None:
            between(i)


def _assert_same(m1, o1, m2, o2):
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert np.array_equal(p.numpy(), q.numpy())
    for p, q in zip(m1.parameters(), m2.parameters()):
        s1, s2 = o1.state[p], o2.state[q]
        assert s1.keys() == s2.keys()
        for k in s1:
            a, b = s1[k], s2[k]
            assert np.array_equal(np.asarray(a), np.asarray(b)), k


@pytest.mark.parametrize("cls, kw", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_fused_steps_equal_one_call_per_parameter(cls, kw):
    m1, m2 = _model(), _model()
    o1, o2 = cls(m1.parameters(), **kw), cls(m2.parameters(), fused=True, **kw)
    _train(m1, o1)
    _train(m2, o2)
    _assert_same(m1, o1, m2, o2)
    flat = o2._flat_groups[id(o2.param_groups[0])]
    assert flat.state is not None  # the flat path ran
    params = list(m2.parameters())
    for p, view in zip(params, flat.views):  # each parameter is its stretch of the flat array
        assert p.array is view and np.shares_memory(p.array, flat.P)


@pytest.mark.parametrize("cls, kw", [(optim.Adam, dict(lr=0.01)), (optim.NAdam, dict(lr=0.01)),
                                     (optim.SGD, dict(lr=0.1, momentum=0.9))], ids=["Adam", "NAdam", "SGD"])
def test_a_large_fused_group_updated_in_two_halves_at_once_gives_the_same_numbers(cls, kw):
    from optim.flat import SPLIT_AT

    def big():
        mg.manual_seed(3)
        return nn.Sequential(nn.Linear(5, 400, dtype=mg.float64), nn.Tanh(), nn.Linear(400, 400, dtype=mg.float64),
                             nn.Tanh(), nn.Linear(400, 3, dtype=mg.float64))

    m1, m2 = big(), big()
    o1, o2 = cls(m1.parameters(), **kw), cls(m2.parameters(), fused=True, **kw)
    assert o2._flat_groups[id(o2.param_groups[0])].total >= SPLIT_AT
    _train(m1, o1, steps=4)
    _train(m2, o2, steps=4)
    assert o2._flat_groups[id(o2.param_groups[0])]._halves is not None  # the split path ran
    _assert_same(m1, o1, m2, o2)
    o2.load_state_dict(o1.state_dict())  # new state buffers: the halves must follow them
    _train(m1, o1, steps=3, seed=5)
    _train(m2, o2, steps=3, seed=5)
    _assert_same(m1, o1, m2, o2)


def test_fused_survives_load_state_dict_and_a_replaced_parameter():
    m1, m2 = _model(), _model()
    o1, o2 = optim.Adam(m1.parameters(), lr=0.01), optim.Adam(m2.parameters(), lr=0.01, fused=True)
    _train(m1, o1, steps=4)
    _train(m2, o2, steps=4)
    o2.load_state_dict(o1.state_dict())  # new state arrays: gathered into the flat ones again
    _train(m1, o1, steps=4, seed=2)
    _train(m2, o2, steps=4, seed=2)
    _assert_same(m1, o1, m2, o2)
    p1, p2 = next(m1.parameters()), next(m2.parameters())
    for p in (p1, p2):  # a parameter given a new array: that group falls back to one call per parameter
        p.set_data_(mg.tensor(p.numpy() * 0.5))
    _train(m1, o1, steps=3, seed=3)
    _train(m2, o2, steps=3, seed=3)
    _assert_same(m1, o1, m2, o2)


def test_fused_with_a_parameter_without_gradient_falls_back():
    m1, m2 = _model(), _model()
    o1, o2 = optim.SGD(m1.parameters(), lr=0.1, momentum=0.9), optim.SGD(m2.parameters(), lr=0.1, momentum=0.9,
                                                                           fused=True)
    for m in (m1, m2):
        m[2].bias.requires_grad_(False)
    _train(m1, o1, steps=5)
    _train(m2, o2, steps=5)
    _assert_same(m1, o1, m2, o2)


def test_fused_refuses_mixed_dtypes_and_strict_arrays():
    a = mg.zeros(3, requires_grad=True)
    b = mg.zeros(3, dtype=mg.float64, requires_grad=True)
    with pytest.raises(ValueError, match="one dtype"):
        optim.Adam([a, b], fused=True)
    s = mg.zeros(3, device="strict", requires_grad=True)
    with pytest.raises(ValueError, match="'cpu' or 'cuda'"):
        optim.SGD([s], lr=0.1, fused=True)


def test_fused_is_in_the_defaults_only_when_asked():
    p = mg.zeros(2, requires_grad=True)
    assert "fused" not in optim.Adam([p]).defaults
    q = mg.zeros(2, requires_grad=True)
    assert optim.Adam([q], fused=True).param_groups[0]["fused"] is True
