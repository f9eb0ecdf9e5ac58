"""The toolkit's small parts at their edges: Ensemble (weights, modes, duck-typed members) and History
(padding, last, saved state, repr), checked against hand-worked values."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad.train import Ensemble, History


class Affine:
    """A duck-typed model y = a * x + b with only parameters() and __call__ (no modes, no names)."""

    def __init__(self, a, b=0.0):
        self.a, self.b = mg.tensor(float(a), requires_grad=True), mg.tensor(float(b), requires_grad=True)

    def __call__(self, x):
        return x * self.a + self.b

    def parameters(self):
        return [self.a, self.b]


class Moded(Affine):
    def __init__(self, a):
        super().__init__(a)
        self.calls = []

    def train(self, mode=True):
        self.calls.append(("train", mode))

    def eval(self):
        self.calls.append("eval")


# ----- Ensemble -------------------------------------------------------------------------------------
def test_ensemble_weights_are_normalised_and_small_or_zero_ones_are_fine():
    x = mg.tensor([1.0, 2.0])
    ens = Ensemble([Affine(1.0), Affine(3.0)], weights=[0.25, 0.25])  # sum 0.5 < 1 is fine
    assert ens.weights == [0.5, 0.5]
    np.testing.assert_allclose(ens(x).numpy(), [2.0, 4.0])
    ens = Ensemble([Affine(1.0), Affine(3.0)], weights=[0.0, 0.1])
    np.testing.assert_allclose(ens(x).numpy(), [3.0, 6.0])
    assert Ensemble([Affine(1.0)] * 4).weights == [0.25] * 4
    assert repr(Ensemble([Affine(1.0)] * 3)) == "Ensemble(3 models, weights=[0.3333, 0.3333, 0.3333])"


@pytest.mark.parametrize("weights", [[0.0, 0.0], [-1.0, 3.0], [1.0, 2.0, 3.0]])
def test_ensemble_refuses_weights_without_a_positive_sum_or_with_a_negative_one(weights):
    with pytest.raises(ValueError, match=r"^Ensemble: weights must be 2 non-negative numbers with a positive sum"):
        Ensemble([Affine(1.0), Affine(2.0)], weights=weights)


def test_ensemble_needs_a_model():
    with pytest.raises(ValueError, match="^Ensemble: needs at least one model$"):
        Ensemble(iter([]))


def test_ensemble_output_keeps_the_members_shape():
    x = mg.tensor([[1.0, 2.0, 3.0]])
    out = Ensemble([Affine(2.0), Affine(4.0, 1.0)])(x)
    assert out.shape == (1, 3)
    np.testing.assert_allclose(out.numpy(), [[3.5, 6.5, 9.5]])  # (2x + 4x + 1) / 2


def test_ensemble_modes_reach_each_member_and_members_without_modes_are_fine():
    plain, moded = Affine(1.0), Moded(2.0)
    ens = Ensemble([plain, moded])
    assert ens.training is True
    assert ens.train() is ens and ens.training is True and moded.calls == [("train", True)]
    moded.calls.clear()
    assert ens.eval() is ens and ens.training is False and moded.calls == ["eval"]
    moded.calls.clear()
    ens.train(False)
    assert ens.training is False and moded.calls == ["eval"]
    ens.train(True)
    assert ens.training is True and moded.calls == ["eval", ("train", True)]


def test_ensemble_names_the_parameters_of_members_without_named_parameters():
    a, b = Affine(1.0), Affine(2.0)
    named = list(Ensemble([a, b]).named_parameters())
    assert [n for n, _ in named] == ["0.param0", "0.param1", "1.param0", "1.param1"]
    assert [p for _, p in named] == [a.a, a.b, b.a, b.b]


def test_ensemble_state_round_trip():
    class Stateful(Affine):
        def state_dict(self):
            return {"a": self.a.numpy().copy()}

        def load_state_dict(self, state):
            self.a = mg.tensor(state["a"])

    src, dst = Ensemble([Stateful(5.0), Stateful(7.0)]), Ensemble([Stateful(0.0), Stateful(0.0)])
    state = src.state_dict()
    assert sorted(state) == ["0", "1"] and float(state["1"]["a"]) == 7.0
    dst.load_state_dict(state)
    assert [float(m.a.numpy()) for m in dst.models] == [5.0, 7.0] and len(dst) == 2


# ----- History ------------------------------------------------------------------------------------
def test_history_last_is_the_last_epoch():
    h = History()
    for v in (3.0, 2.0, 1.0):
        h.append({"train_cost": v})
    assert h.last("train_cost") == 1.0 and h.epochs == [1, 2, 3] and len(h) == 3


def test_history_pads_keys_missing_from_an_epoch_and_keys_new_to_it():
    h = History()
    h.append({"a": 1})
    h.append({"b": 2})
    h.append({"a": 3, "b": 4})
    h.append({})
    assert [math.isnan(v) for v in h["a"]] == [False, True, False, True]
    assert [math.isnan(v) for v in h["b"]] == [True, False, False, True]
    assert h["a"][2] == 3.0 and h["b"][1] == 2.0 and isinstance(h["a"][0], float)
    assert len(h) == 4 and list(h.keys()) == ["a", "b"] and "a" in h and "c" not in h


def test_history_activations_and_grad_norms():
    h = History()
    h.append({"act_mean:fc1": 0.5, "act_std:fc1": 2.0, "act_mean:fc2": 1.5, "grad_norm:w": 3.0})
    assert h.activations == {"fc1": {"mean": [0.5], "std": [2.0]}, "fc2": {"mean": [1.5], "std": []}}
    assert h.grad_norms == {"w": [3.0]}


def test_history_state_dict_values_and_empty_best_and_stopped_epochs():
    h = History()
    h.append({"train_cost": 1.5})
    state = h.state_dict()
    assert state["records"]["train_cost"].dtype == np.float64
    assert int(state["best_epoch"]) == -1 and int(state["stopped_epoch"]) == -1
    h.best_epoch, h.stopped_epoch = 0, 0  # only negative values mean "none"
    state = h.state_dict()
    assert int(state["best_epoch"]) == 0 and int(state["stopped_epoch"]) == 0
    g = History().load_state_dict(state)
    assert g.best_epoch == 0 and g.stopped_epoch == 0 and g["train_cost"] == [1.5]
    g = History().load_state_dict({"records": {"x": np.array([[1.0, 2.0]])}, "best_epoch": -1,
                                   "stopped_epoch": np.asarray(3)})
    assert g["x"] == [1.0, 2.0] and g.best_epoch is None and g.stopped_epoch == 3


def test_history_repr():
    h = History()
    assert repr(h) == "History(empty)"
    h.append({"train_cost": 0.123456, "grad_norm:w": 1.0, "lr": 0.1})
    assert repr(h) == "History(epochs=1, last: train_cost=0.1235, lr=0.1)"
