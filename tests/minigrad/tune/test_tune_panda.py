"""minigrad.tune.continue_training: babysit one model, changing a hyperparameter between sessions."""
import json
import os

import pytest

from minigrad import tune

TARGET = 3.0


def descend(config, checkpoint):
    """Gradient descent on f(x) = (x - 3)**2 for config['steps'] steps; the state is a JSON checkpoint."""
    if os.path.exists(checkpoint):
        with open(checkpoint) as f:
            state = json.load(f)
    else:
        state = {"x": config["x0"], "steps": 0}
    x = state["x"]
    for _ in range(config["steps"]):
        x -= config["lr"] * 2 * (x - TARGET)
    with open(checkpoint, "w") as f:
        json.dump({"x": x, "steps": state["steps"] + config["steps"]}, f)
    return {"cost": (x - TARGET) ** 2, "x": x}


def closed_form(x0, *sessions):
    """x after gradient descent sessions (lr, steps): x - 3 shrinks by (1 - 2 lr) per step."""
    for lr, steps in sessions:
        x0 = TARGET + (x0 - TARGET) * (1 - 2 * lr) ** steps
    return x0


def test_continue_from_the_checkpoint_with_a_changed_learning_rate(tmp_path):
    ckpt = str(tmp_path / "model.json")
    m0 = tune.continue_training(descend, ckpt, config={"lr": 0.05, "steps": 4, "x0": 0.0})
    m1 = tune.continue_training(descend, ckpt, changes={"lr": 0.2})
    m2 = tune.continue_training(descend, ckpt, changes={"steps": 2})
    assert m0["x"] == pytest.approx(closed_form(0.0, (0.05, 4)), rel=1e-12)
    assert m1["x"] == pytest.approx(closed_form(0.0, (0.05, 4), (0.2, 4)), rel=1e-12)
    assert m2["x"] == pytest.approx(closed_form(0.0, (0.05, 4), (0.2, 4), (0.2, 2)), rel=1e-12)
    history = tune.training_history(ckpt)
    assert [h["session"] for h in history] == [0, 1, 2]
    assert [h["config"]["lr"] for h in history] == [0.05, 0.2, 0.2]
    assert [h["changes"] for h in history] == [{}, {"lr": 0.2}, {"steps": 2}]
    assert history[-1]["metrics"] == m2 and json.load(open(ckpt))["steps"] == 10


def test_nested_changes_merge_and_unknown_keys_are_refused(tmp_path):
    seen = []

    def record(config, checkpoint):
        seen.append(config)
        return {"cost": 1.0}

    ckpt = tmp_path / "m.npz"
    tune.continue_training(record, ckpt, config={"opt": {"lr": 0.1, "beta": 0.9}, "epochs": 1})
    tune.continue_training(record, ckpt, changes={"opt": {"lr": 0.01}})
    assert seen[-1] == {"opt": {"lr": 0.01, "beta": 0.9}, "epochs": 1}
    with pytest.raises(KeyError, match=r"change 'opt.lrr' is not a hyperparameter of the model"):
        tune.continue_training(record, ckpt, changes={"opt": {"lrr": 0.01}})
    assert len(seen) == 2 and len(tune.training_history(ckpt)) == 2  # nothing ran, nothing logged
    tune.continue_training(record, ckpt, changes={"dropout": 0.2}, allow_new_keys=True)
    assert seen[-1]["dropout"] == 0.2


def test_first_session_needs_a_config_and_a_failing_session_is_not_logged(tmp_path):
    ckpt = tmp_path / "m.json"
    with pytest.raises(ValueError, match="no session is recorded .* pass config= for the first session"):
        tune.continue_training(descend, ckpt, changes={"lr": 0.1})

    def crash(config, checkpoint):
        raise RuntimeError("out of memory")

    with pytest.raises(RuntimeError, match="out of memory"):
        tune.continue_training(crash, ckpt, config={"lr": 0.1})
    assert tune.training_history(ckpt) == []
